import type { Scorecard, TranscriptUtterance } from '@app/contracts';
import { liveKitApiUrl } from '@app/livekit';
import { TEST_PROFILE, type ManagedProcess } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ANSWERS, DEMO_POSTING } from '../../../tools/demo-script';
import { createPlannedInterview, joinAsCandidate, startWorker } from '../../support/agent.util';
import { eventually } from '../../support/eventually.util';
import { startOpenAiStandIn, tone, type JsonCall, type OpenAiStandIn } from '../../support/openai-stand-in';
import { as, createTestOrg, startUm, type TestOrg } from '../../support/um.util';

// R-G4: the OpenAI-compatible path (structured output for follow-ups and the scorecard, speech
// synthesis) against a local stand-in that speaks the OpenAI API, and what happens when that
// vendor fails or hangs: the room carries on, offline.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
const MODEL_FOLLOW_UP = 'How would you decide what to evict from that cache when it is full?';

let um: NestFastifyApplication;
let org: TestOrg;
let standIn: OpenAiStandIn;
let worker: ManagedProcess;

type Transcript = TranscriptUtterance[];
type Card = Scorecard;

async function takeInterview() {
  const interview = await createPlannedInterview(um, org, DEMO_POSTING);
  await rooms.createRoom({ name: interview.room, emptyTimeout: 30, departureTimeout: 5 });
  const candidate = await joinAsCandidate(env, interview);
  try {
    const outcome = await candidate.interview(DEMO_ANSWERS, { thinkMs: 200, timeoutMs: 240_000 });
    expect(outcome).toBe('closed');
  } finally {
    await candidate.leave();
  }
  const view = await eventually(async () => {
    const v = (await as(um, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` })).json as {
      status: string;
      transcript: Transcript | null;
      scorecard: Card | null;
    };
    expect(v.scorecard).not.toBeNull();
    return v as { status: string; transcript: Transcript; scorecard: Card };
  }, 60_000);
  return { candidate, view };
}

/** A valid card from the transcript the model was shown: one real quote per competency, from the first long answer. */
function cardFrom(call: JsonCall): Card {
  const prompt = JSON.parse(String(call.messages.find((m) => m.role === 'user')!.content)) as {
    competencies: Array<{ name: string }>;
    transcript: Transcript;
  };
  const answer = prompt.transcript.find((u) => u.speaker === 'candidate' && u.text.split(' ').length > 10)!;
  return {
    competencies: prompt.competencies.map((c) => ({
      name: c.name,
      score: 5,
      justification: 'Judged by the model.',
      evidence: [{ quote: answer.text.split(' ').slice(0, 6).join(' '), offsetMs: answer.offsetMs }],
    })),
    recommendation: 'strong_yes',
    summary: 'The model liked it.',
  };
}

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  org = await createTestOrg(um, 'providers');
  standIn = await startOpenAiStandIn();
  worker = await startWorker(env, {
    INTERVIEWER_BRAIN: 'openai',
    TTS_PROVIDER: 'openai',
    STT_PROVIDER: 'none',
    OPENAI_BASE_URL: standIn.url,
    OPENAI_API_KEY: standIn.apiKey,
    PROVIDER_TIMEOUT_MS: '2000',
    ESPEAK_RATE_WPM: '320',
  });
});

afterAll(async () => {
  await worker?.stop();
  await standIn?.close();
  await um?.close();
});

describe('an OpenAI-compatible interviewer (R-G4)', () => {
  it('asks the model’s follow-up, speaks with its voice, and saves its scorecard after refusing one that invented a quote', async () => {
    let scorecardCalls = 0;
    let followUpGiven = false;
    standIn.setSpeech((call) => tone(Math.min(6, 0.3 + call.input.length / 40)));
    standIn.setJson((call) => {
      if (call.name === 'follow_up_decision') {
        if (followUpGiven) return { followUp: false, question: null };
        followUpGiven = true;
        return { followUp: true, question: MODEL_FOLLOW_UP };
      }
      scorecardCalls++;
      const card = cardFrom(call);
      // The first answer puts words in the candidate's mouth; the agent must not save it.
      if (scorecardCalls === 1)
        card.competencies[0]!.evidence = [{ quote: 'I am the best engineer alive', offsetMs: 1 }];
      return card;
    });
    const { candidate, view } = await takeInterview();

    expect(candidate.interviewerCaptions().some((c) => c.text.includes(MODEL_FOLLOW_UP))).toBe(true);
    expect(candidate.agentLoudFrames).toBeGreaterThan(100);
    expect(standIn.requestsTo('/v1/audio/speech').length).toBeGreaterThan(3);
    expect(scorecardCalls).toBe(2);
    expect(view.status).toBe('completed');
    expect(view.scorecard.recommendation).toBe('strong_yes');
    expect(view.scorecard.competencies.every((c) => c.justification === 'Judged by the model.')).toBe(true);
  }, 300_000);

  it('a failing voice and a hanging model do not end the room: espeak-ng speaks, the rubric scores', async () => {
    standIn.setSpeech('fail');
    standIn.setJson('hang');
    const { candidate, view } = await takeInterview();

    // The offline voice took over: real audio on the track, and the captions went on.
    expect(candidate.agentLoudFrames).toBeGreaterThan(100);
    const captions = candidate.interviewerCaptions().map((c) => c.text);
    expect(captions.some((c) => /trouble with my voice/i.test(c))).toBe(true);
    expect(captions.some((c) => c.includes(DEMO_POSTING.questions[2]!.text))).toBe(true);
    // The model never answered: the rubric scorecard, with real quotes.
    expect(view.status).toBe('completed');
    expect(view.scorecard.competencies.some((c) => c.justification === 'Judged by the model.')).toBe(false);
    const candidateSaid = view.transcript.filter((u) => u.speaker === 'candidate');
    for (const e of view.scorecard.competencies.flatMap((c) => c.evidence)) {
      expect(candidateSaid.some((u) => u.offsetMs === e.offsetMs && u.text.includes(e.quote))).toBe(true);
    }
  }, 300_000);
});
