import { randomUUID } from 'node:crypto';
import type { ServiceCaller } from '@app/service-auth';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  as,
  asService,
  createInterview,
  createMeeting,
  createTestOrg,
  db,
  startUm,
  type TestOrg,
} from '../../support/um.util';

// R-G2 / R-G3: the agent's interview results (transcript with offsets, evidence-backed scorecard)
// and its meeting transcripts, as user-management takes and shows them.
const env = inject('stackEnv');

let app: NestFastifyApplication;
let org: TestOrg;
let otherOrg: TestOrg;

const STARTED_AT = '2030-01-01T10:00:00.000Z';
const ENDED_AT = '2030-01-01T10:25:00.000Z';
const ANSWER = 'I would keep a token bucket per API key in Redis, refilled by a Lua script.';
const TRANSCRIPT = [
  { speaker: 'interviewer', text: 'How would you design a rate limiter?', offsetMs: 1_000, mode: 'spoken' },
  { speaker: 'candidate', text: ANSWER, offsetMs: 6_500, mode: 'spoken' },
  { speaker: 'interviewer', text: 'And when Redis is down?', offsetMs: 30_000, mode: 'spoken' },
  { speaker: 'candidate', text: 'Fail open, and alert.', offsetMs: 34_000, mode: 'typed' },
];

const competency = (evidence: Array<{ quote: string; offsetMs: number }>, score = 4) => ({
  name: 'Design',
  score,
  justification: 'Chooses a fitting algorithm and thinks about failure.',
  evidence,
});
const SCORECARD = {
  competencies: [
    competency([
      { quote: 'a token bucket per API key in Redis', offsetMs: 6_500 },
      { quote: 'Fail open', offsetMs: 34_000 },
    ]),
  ],
  recommendation: 'yes',
  summary: 'Solid design instincts.',
};
const RESULTS = { startedAt: STARTED_AT, endedAt: ENDED_AT, transcript: TRANSCRIPT, scorecard: SCORECARD };

const putResults = (interviewId: string, body: unknown, caller: ServiceCaller = 'interviewer-agent') =>
  asService(app, env, { method: 'PUT', url: `/internal/v1/interviews/${interviewId}/results`, body }, caller);
const interviewDetail = (interviewId: string, token = org.tokens.recruiter) =>
  as(app, token, { url: `/v1/interviews/${interviewId}` });
const interviewRow = async (interviewId: string) =>
  (
    await db(app).query(
      'SELECT status, started_at AS "startedAt", ended_at AS "endedAt", transcript, scorecard FROM interviews WHERE id = $1',
      [interviewId],
    )
  )[0] as Record<string, unknown>;

const MEETING_TRANSCRIPT = {
  startedAt: STARTED_AT,
  endedAt: ENDED_AT,
  transcript: [
    { speaker: 'user-host', name: 'Riley Recruiter', text: 'Thanks for joining.', offsetMs: 2_000 },
    { speaker: 'candidate-guest', text: 'Happy to be here.', offsetMs: 4_250 },
  ],
};
const putMeetingTranscript = (meetingId: string, body: unknown, caller: ServiceCaller = 'interviewer-agent') =>
  asService(app, env, { method: 'PUT', url: `/internal/v1/meetings/${meetingId}/transcript`, body }, caller);
const meetingDetail = (meetingId: string, token = org.tokens.recruiter) =>
  as(app, token, { url: `/v1/meetings/${meetingId}` });

describe('interview results and meeting transcripts (R-G2, R-G3)', () => {
  beforeAll(async () => {
    app = await startUm(env);
    [org, otherOrg] = await Promise.all([createTestOrg(app, 'results'), createTestOrg(app, 'results-other')]);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('PUT /internal/v1/interviews/:id/results', () => {
    it('results with evidence from the candidate’s words land, and the staff detail shows them', async () => {
      const { interviewId } = await createInterview(app, org);
      const response = await putResults(interviewId, RESULTS);
      expect(response.status, response.body).toBe(200);
      // No in_progress report arrived first: the results' session start is the interview's start.
      expect(response.json).toEqual({ interviewId, status: 'completed', startedAt: STARTED_AT, endedAt: ENDED_AT });

      const detail = await interviewDetail(interviewId);
      expect(detail.status).toBe(200);
      expect(detail.json).toMatchObject({ status: 'completed', startedAt: STARTED_AT, endedAt: ENDED_AT });
      expect(detail.json.transcript).toEqual(TRANSCRIPT);
      expect(detail.json.transcript.map((u: { offsetMs: number; mode: string }) => [u.offsetMs, u.mode])).toEqual([
        [1_000, 'spoken'],
        [6_500, 'spoken'],
        [30_000, 'spoken'],
        [34_000, 'typed'],
      ]);
      expect(detail.json.scorecard).toEqual(SCORECARD);
      expect(detail.json.scorecard.recommendation).toBe('yes');
      // Another org's staff cannot read them.
      expect((await interviewDetail(interviewId, otherOrg.tokens.admin)).status).toBe(404);
    });

    it('an interview already in progress keeps the start the agent reported', async () => {
      const { interviewId } = await createInterview(app, org);
      const at = '2030-01-01T09:59:58.000Z';
      const started = await asService(
        app,
        env,
        { method: 'POST', url: `/internal/v1/interviews/${interviewId}/status`, body: { status: 'in_progress', at } },
        'interviewer-agent',
      );
      expect(started.status).toBe(200);
      const response = await putResults(interviewId, RESULTS);
      expect(response.status, response.body).toBe(200);
      expect(response.json).toMatchObject({ status: 'completed', startedAt: at, endedAt: ENDED_AT });
    });

    it('an invented quote → 400 naming the path, and nothing is saved', async () => {
      const { interviewId } = await createInterview(app, org);
      const before = await interviewRow(interviewId);
      expect(before).toEqual({
        status: 'scheduled',
        startedAt: null,
        endedAt: null,
        transcript: null,
        scorecard: null,
      });
      const invented = {
        ...RESULTS,
        scorecard: {
          ...SCORECARD,
          competencies: [competency([{ quote: 'I have built rate limiters at scale for ten years', offsetMs: 6_500 }])],
        },
      };
      const response = await putResults(interviewId, invented);
      expect(response.status, response.body).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
      expect(response.json.issues).toContainEqual({
        path: 'scorecard.competencies.0.evidence.0',
        message: "evidence for Design is not a candidate's words at offset 6500 ms",
      });
      expect(response.json.message).toMatch(/scorecard\.competencies\.0\.evidence\.0: evidence for Design/);
      expect(await interviewRow(interviewId)).toEqual(before);
      expect((await interviewDetail(interviewId)).json).toMatchObject({
        status: 'scheduled',
        transcript: null,
        scorecard: null,
      });
    });

    it('an invented quote after good results leaves the good ones in place', async () => {
      const { interviewId } = await createInterview(app, org);
      expect((await putResults(interviewId, RESULTS)).status).toBe(200);
      const saved = await interviewRow(interviewId);
      const bad = {
        ...RESULTS,
        scorecard: { ...SCORECARD, competencies: [competency([{ quote: 'never said', offsetMs: 34_000 }], 5)] },
      };
      expect((await putResults(interviewId, bad)).status).toBe(400);
      expect(await interviewRow(interviewId)).toEqual(saved);
    });

    it.each([
      ['the candidate’s words at another utterance’s offset', { quote: 'Fail open', offsetMs: 6_500 }],
      ['the candidate’s words at an offset where nobody spoke', { quote: 'Fail open', offsetMs: 34_001 }],
      ['the interviewer’s words at the interviewer’s offset', { quote: 'design a rate limiter', offsetMs: 1_000 }],
    ])('a quote that is %s → 400', async (_label, quote) => {
      const { interviewId } = await createInterview(app, org);
      const body = { ...RESULTS, scorecard: { ...SCORECARD, competencies: [competency([quote])] } };
      const response = await putResults(interviewId, body);
      expect(response.status, response.body).toBe(400);
      expect(response.json.issues).toContainEqual({
        path: 'scorecard.competencies.0.evidence.0',
        message: `evidence for Design is not a candidate's words at offset ${quote.offsetMs} ms`,
      });
      expect(await interviewRow(interviewId)).toMatchObject({ status: 'scheduled', scorecard: null, transcript: null });
    });

    it('a repeated PUT stores the latest results', async () => {
      const { interviewId } = await createInterview(app, org);
      const first = await putResults(interviewId, RESULTS);
      expect(first.status).toBe(200);
      const latestTranscript = [
        ...TRANSCRIPT,
        { speaker: 'candidate', text: 'Also a circuit breaker.', offsetMs: 40_000, mode: 'typed' },
      ];
      const latestScorecard = {
        competencies: [competency([{ quote: 'a circuit breaker', offsetMs: 40_000 }], 5)],
        recommendation: 'strong_yes',
        summary: 'Better on a second look.',
      };
      const again = await putResults(interviewId, {
        ...RESULTS,
        transcript: latestTranscript,
        scorecard: latestScorecard,
      });
      expect(again.status, again.body).toBe(200);
      expect(again.json).toEqual(first.json);
      const detail = (await interviewDetail(interviewId)).json;
      expect(detail.status).toBe('completed');
      expect(detail.transcript).toEqual(latestTranscript);
      expect(detail.scorecard).toEqual(latestScorecard);
    });

    it('an expired interview refuses results with 409 and stays expired; an abandoned one keeps them and its status', async () => {
      const expired = await createInterview(app, org);
      await db(app).query("UPDATE interviews SET status = 'expired' WHERE id = $1", [expired.interviewId]);
      const refused = await putResults(expired.interviewId, RESULTS);
      expect(refused.status, refused.body).toBe(409);
      expect(refused.json.code).toBe('CONFLICT');
      expect(refused.json.message).toMatch(/expired/);
      expect(await interviewRow(expired.interviewId)).toEqual({
        status: 'expired',
        startedAt: null,
        endedAt: null,
        transcript: null,
        scorecard: null,
      });

      const abandoned = await createInterview(app, org);
      await db(app).query("UPDATE interviews SET status = 'abandoned' WHERE id = $1", [abandoned.interviewId]);
      const kept = await putResults(abandoned.interviewId, RESULTS);
      expect(kept.status, kept.body).toBe(200);
      expect(kept.json.status).toBe('abandoned');
      expect((await interviewDetail(abandoned.interviewId)).json).toMatchObject({
        status: 'abandoned',
        transcript: TRANSCRIPT,
        scorecard: SCORECARD,
      });
    });

    it('an unknown interview → 404; the media plane’s key → 403', async () => {
      expect((await putResults(randomUUID(), RESULTS)).status).toBe(404);
      const { interviewId } = await createInterview(app, org);
      const forbidden = await putResults(interviewId, RESULTS, 'video-streaming-server');
      expect(forbidden.status).toBe(403);
      expect(await interviewRow(interviewId)).toMatchObject({ status: 'scheduled', scorecard: null });
    });
  });

  describe('PUT /internal/v1/meetings/:id/transcript', () => {
    it('the agent saves it (twice: the latest is kept), and the staff meeting detail shows it', async () => {
      const meeting = await createMeeting(app, org, 10 * 60_000);
      const empty = await meetingDetail(meeting.id);
      expect(empty.status).toBe(200);
      expect(empty.json.transcript).toBeNull();

      const saved = await putMeetingTranscript(meeting.id, MEETING_TRANSCRIPT);
      expect(saved.status, saved.body).toBe(200);
      expect(saved.json).toEqual({ meetingId: meeting.id, startedAt: STARTED_AT, endedAt: ENDED_AT, utterances: 2 });
      const detail = await meetingDetail(meeting.id, org.tokens.hiring_manager);
      expect(detail.status).toBe(200);
      expect(detail.json).toMatchObject({ id: meeting.id, transcript: MEETING_TRANSCRIPT });

      const latest = {
        startedAt: STARTED_AT,
        transcript: [
          ...MEETING_TRANSCRIPT.transcript,
          { speaker: 'user-host', text: 'Let us start.', offsetMs: 9_000 },
        ],
      };
      const again = await putMeetingTranscript(meeting.id, latest);
      expect(again.status, again.body).toBe(200);
      expect(again.json).toEqual({ meetingId: meeting.id, startedAt: STARTED_AT, endedAt: null, utterances: 3 });
      expect((await meetingDetail(meeting.id)).json.transcript).toEqual(latest);
      // The list stays lean: no transcripts there.
      const list = await as(app, org.tokens.recruiter, { url: '/v1/meetings?limit=100' });
      expect(list.status).toBe(200);
      expect(list.json.find((m: { id: string }) => m.id === meeting.id)).not.toHaveProperty('transcript');
    });

    it('the media plane’s key → 403 and nothing is stored; a staff token → 401', async () => {
      const meeting = await createMeeting(app, org, 10 * 60_000);
      const forbidden = await putMeetingTranscript(meeting.id, MEETING_TRANSCRIPT, 'video-streaming-server');
      expect(forbidden.status).toBe(403);
      expect(forbidden.json).toMatchObject({ code: 'FORBIDDEN', reason: 'caller_not_allowed' });
      const staff = await as(app, org.tokens.admin, {
        method: 'PUT',
        url: `/internal/v1/meetings/${meeting.id}/transcript`,
        body: MEETING_TRANSCRIPT,
      });
      expect(staff.status).toBe(401);
      expect((await meetingDetail(meeting.id)).json.transcript).toBeNull();
    });

    it('an unknown meeting → 404; a malformed body → 400 naming the field', async () => {
      expect((await putMeetingTranscript(randomUUID(), MEETING_TRANSCRIPT)).status).toBe(404);
      const meeting = await createMeeting(app, org, 10 * 60_000);
      const bad = await putMeetingTranscript(meeting.id, {
        ...MEETING_TRANSCRIPT,
        transcript: [{ speaker: '', text: 'x', offsetMs: -1 }],
      });
      expect(bad.status).toBe(400);
      expect(bad.json.issues.map((i: { path: string }) => i.path)).toEqual(
        expect.arrayContaining(['transcript.0.speaker', 'transcript.0.offsetMs']),
      );
      expect((await meetingDetail(meeting.id)).json.transcript).toBeNull();
    });

    it('another org’s staff cannot see the meeting or its transcript (404)', async () => {
      const meeting = await createMeeting(app, org, 10 * 60_000);
      expect((await putMeetingTranscript(meeting.id, MEETING_TRANSCRIPT)).status).toBe(200);
      for (const token of Object.values(otherOrg.tokens)) {
        const response = await meetingDetail(meeting.id, token);
        expect(response.status).toBe(404);
        expect(response.body).not.toContain('Thanks for joining');
      }
      expect((await meetingDetail(meeting.id, org.tokens.interviewer)).json.transcript).toEqual(MEETING_TRANSCRIPT);
    });
  });
});
