import type { Scorecard, TranscriptUtterance } from '@app/contracts';
import { liveKitApiUrl } from '@app/livekit';
import { SimulatedCandidate, TEST_PROFILE, type ManagedProcess } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ANSWERS, DEMO_POSTING } from '../../../tools/demo-script';
import { createPlannedInterview, joinAsCandidate, startWorker } from '../../support/agent.util';
import { eventually } from '../../support/eventually.util';
import { joinToken } from '../../support/livekit.util';
import { as, createMeeting, createTestOrg, startUm, type TestOrg } from '../../support/um.util';

// R-G2, R-G3: whole interviews against the real SFU, the real worker (dist/), a real
// user-management and a simulated candidate that is a real rtc-node participant. Offline
// providers only: the scripted brain, espeak-ng, pocketsphinx, the bundled VAD.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Faster speech keeps the suite short; the interview is the same.
const FAST_VOICE = { ESPEAK_RATE_WPM: '320', AGENT_OUTBOX_SWEEP_MS: '1000' };

type Results = {
  status: string;
  startedAt: string | null;
  transcript: TranscriptUtterance[] | null;
  scorecard: Scorecard | null;
};

let um: NestFastifyApplication | undefined;
let org: TestOrg;
let worker: ManagedProcess & { outboxDir: string };

const interviewView = async (id: string) =>
  (await as(um!, org.tokens.recruiter, { url: `/v1/interviews/${id}` })).json as Results;

async function join(interview: { room: string; candidateId: string }) {
  await rooms.createRoom({ name: interview.room, emptyTimeout: 30, departureTimeout: 5 });
  return joinAsCandidate(env, interview);
}

async function resultsOf(interviewId: string, timeoutMs = 30_000): Promise<Required<Results>> {
  return eventually(async () => {
    const view = await interviewView(interviewId);
    expect(view.scorecard).not.toBeNull();
    return view as Required<Results>;
  }, timeoutMs);
}

function expectEvidenceInTranscript(results: Required<Results>) {
  const candidateSaid = results.transcript!.filter((u) => u.speaker === 'candidate');
  for (const competency of results.scorecard!.competencies) {
    for (const e of competency.evidence) {
      const at = candidateSaid.filter((u) => u.offsetMs === e.offsetMs);
      expect(
        at.some((u) => u.text.includes(e.quote)),
        `${competency.name}: “${e.quote}” at ${e.offsetMs}`,
      ).toBe(true);
    }
  }
}

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  org = await createTestOrg(um, 'interviews');
  worker = await startWorker(env, FAST_VOICE);
});

afterAll(async () => {
  await worker?.stop();
  await um?.close();
});

describe('an AI interview, offline (R-G2)', () => {
  it('holds the whole interview: voice on its track, captions, a follow-up on a thin answer, results with evidence', async () => {
    const interview = await createPlannedInterview(um!, org, DEMO_POSTING);
    const candidate = await join(interview);
    const attributesSeen = new Set<string>();
    const timer = setInterval(() => {
      const a = candidate.interviewerAttributes;
      if (a['parley.question'])
        attributesSeen.add(`${a['parley.state']}:${a['parley.question']}/${a['parley.questions_total']}`);
    }, 50);
    try {
      const outcome = await candidate.interview(DEMO_ANSWERS, { speak: true, thinkMs: 200, timeoutMs: 240_000 });
      expect(outcome).toBe('closed');
    } finally {
      clearInterval(timer);
      await candidate.leave();
    }

    // Its voice went through the SFU as an audio track, with non-silent frames.
    expect(candidate.agentLoudFrames).toBeGreaterThan(500);
    const captions = candidate.interviewerCaptions().map((c) => c.text);
    // The first answer is thin: the planned follow-up was asked before question 2.
    const followUp = captions.findIndex((c) => c.includes(DEMO_POSTING.questions[0]!.followUps[0]!));
    const second = captions.findIndex((c) => c.includes(DEMO_POSTING.questions[1]!.text));
    expect(followUp).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(followUp);
    expect(captions.some((c) => c.includes(DEMO_POSTING.questions[2]!.text))).toBe(true);
    // State and progress were published as attributes.
    expect(attributesSeen).toContain('listening:1/3');
    expect([...attributesSeen].some((s) => s.startsWith('speaking:'))).toBe(true);

    const results = await resultsOf(interview.interviewId);
    expect(results.status).toBe('completed');
    const typed = results.transcript!.filter((u) => u.speaker === 'candidate' && u.mode === 'typed');
    expect(typed.map((u) => u.text)).toEqual(
      expect.arrayContaining([DEMO_ANSWERS[0]!.answer, DEMO_ANSWERS[1]!.answer]),
    );
    expect(results.transcript!.filter((u) => u.speaker === 'interviewer').length).toBeGreaterThan(4);
    // Offsets count from the start and are in order.
    const offsets = results.transcript!.map((u) => u.offsetMs);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(results.scorecard!.competencies.map((c) => c.name)).toEqual(DEMO_POSTING.competencies.map((c) => c.name));
    expect(results.scorecard!.competencies.flatMap((c) => c.evidence).length).toBeGreaterThan(0);
    expectEvidenceInTranscript(results);
  }, 300_000);

  it('moves on when the time budget demands it, says so, and closes', async () => {
    const posting = {
      ...DEMO_POSTING,
      questions: [...DEMO_POSTING.questions, { text: 'What would you like to learn next?', followUps: [] }],
    };
    const interview = await createPlannedInterview(um!, org, posting);
    // Postings budget 5 minutes or more; the operator's cap makes this interview a one-minute one.
    await worker.stop();
    worker = await startWorker(env, { ...FAST_VOICE, AGENT_MAX_INTERVIEW_SECONDS: '60' });
    const candidate = await join(interview);
    try {
      // A slow candidate: every answer takes 15 s of thinking.
      expect(await candidate.interview(DEMO_ANSWERS, { thinkMs: 15_000, timeoutMs: 180_000 })).toBe('closed');
    } finally {
      await candidate.leave();
    }
    const captions = candidate.interviewerCaptions().map((c) => c.text);
    expect(captions.some((c) => /time/i.test(c))).toBe(true);
    expect(captions.some((c) => c.includes('What would you like to learn next?'))).toBe(false);
    const results = await resultsOf(interview.interviewId);
    expect(results.status).toBe('completed');
    expectEvidenceInTranscript(results);
    await worker.stop();
    worker = await startWorker(env, FAST_VOICE);
  }, 240_000);

  it('a candidate who drops and comes back continues where they were; the interview does not start over', async () => {
    const interview = await createPlannedInterview(um!, org, DEMO_POSTING);
    const first = await join(interview);
    // Answer question 1 fully (and its follow-up), then drop once question 2 was asked.
    await first.waitForCaption((t) => t.includes(DEMO_POSTING.questions[0]!.text), 60_000);
    await eventually(async () => expect(first.interviewerAttributes['parley.state']).toBe('listening'), 30_000);
    await first.type(DEMO_ANSWERS[0]!.followUp);
    await first.waitForCaption((t) => t.includes(DEMO_POSTING.questions[1]!.text), 60_000);
    await first.leave();
    await sleep(2_000);

    const again = await joinAsCandidate(env, interview);
    try {
      // Welcomed back with question 2 again, not the greeting and question 1.
      const resumed = await again.waitForCaption((t) => t.includes(DEMO_POSTING.questions[1]!.text), 60_000);
      expect(again.interviewerCaptions().some((c) => c.text.includes(DEMO_POSTING.questions[0]!.text))).toBe(false);
      expect(resumed).toBeDefined();
      expect(Number(again.interviewerAttributes['parley.question'])).toBe(2);
      expect(await again.interview(DEMO_ANSWERS, { timeoutMs: 180_000 })).toBe('closed');
    } finally {
      await again.leave();
    }
    const results = await resultsOf(interview.interviewId);
    const q1Asked = results.transcript!.filter(
      (u) => u.speaker === 'interviewer' && u.text.includes(DEMO_POSTING.questions[0]!.text),
    );
    expect(q1Asked).toHaveLength(1);
    expectEvidenceInTranscript(results);
  }, 300_000);
});

describe('results are never lost (R-G2)', () => {
  it('user-management down when the interview ends: the results are kept and delivered when it is back', async () => {
    const posting = { ...DEMO_POSTING, questions: [DEMO_POSTING.questions[1]!] };
    const interview = await createPlannedInterview(um!, org, posting);
    const candidate = await join(interview);
    try {
      await candidate.waitForCaption((t) => t.includes(posting.questions[0]!.text), 60_000);
      await eventually(async () => expect(candidate.interviewerAttributes['parley.state']).toBe('listening'), 30_000);
      await um!.close();
      um = undefined;
      await candidate.type(DEMO_ANSWERS[1]!.answer);
      // The close is said while user-management is down.
      await eventually(
        async () => expect(candidate.interviewerAttributes['parley.phase']).toMatch(/closing|done/),
        60_000,
      );
    } finally {
      await candidate.leave();
    }
    await sleep(3_000);
    um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
    const results = await resultsOf(interview.interviewId, 60_000);
    expect(results.status).toBe('completed');
    expect(results.transcript!.some((u) => u.text === DEMO_ANSWERS[1]!.answer)).toBe(true);
  }, 180_000);
});

describe('meetings get a silent note-taker (R-G3)', () => {
  it('is hidden from the people in the meeting and publishes no track', async () => {
    const meeting = await createMeeting(um!, org, 0);
    await rooms.createRoom({ name: meeting.roomName, emptyTimeout: 30 });
    const person = await SimulatedCandidate.join({
      url: env.LIVEKIT_URL,
      token: await joinToken(env, `staff-${org.users.recruiter}`, meeting.roomName, {
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
      }),
    });
    try {
      // The server knows the note-taker is there…
      const agent = await eventually(async () => {
        const found = (await rooms.listParticipants(meeting.roomName)).filter(
          (p) => p.identity === 'parley-interviewer',
        );
        expect(found).toHaveLength(1);
        expect(found[0]!.permission?.hidden).toBe(true);
        return found[0]!;
      }, 30_000);
      expect(agent.tracks).toHaveLength(0);
      // …and the person in the meeting stops seeing it once the SFU has told them (a loaded machine
      // took over 2 s here; the agent joins visible and hides itself: see the README's Meetings section).
      await eventually(
        () =>
          expect([...person.room.remoteParticipants.values()].map((p) => p.identity)).not.toContain(
            'parley-interviewer',
          ),
        10_000,
      );

      // It listens: what the person says reaches the meeting's transcript when the meeting ends.
      await person.say('hello world');
      await sleep(3_000);
    } finally {
      await person.leave();
      await rooms.deleteRoom(meeting.roomName).catch(() => undefined);
    }
    const transcript = await eventually(async () => {
      const view = (await as(um!, org.tokens.recruiter, { url: `/v1/meetings/${meeting.id}` })).json as {
        transcript: { transcript: Array<{ speaker: string; text: string; offsetMs: number }> } | null;
      };
      expect(view.transcript).not.toBeNull();
      return view.transcript!.transcript;
    }, 30_000);
    expect(transcript.length).toBeGreaterThan(0);
    expect(transcript[0]!.speaker).toBe(`staff-${org.users.recruiter}`);
    // pocketsphinx recognises this voice saying these words (measured; see the README on its limits).
    expect(transcript.map((u) => u.text).join(' ')).toMatch(/world/);
  }, 90_000);
});
