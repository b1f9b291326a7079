import { objectStoreFromEnv } from '../../support/object-store.util';
import { randomBytes, randomUUID } from 'node:crypto';
import { ObjectStore } from '@app/object-store';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  as,
  asService,
  call,
  createInterview,
  createMeeting,
  createTestOrg,
  db,
  serviceKeyOf,
  startUm,
  type TestOrg,
} from '../../support/um.util';

const env = inject('stackEnv');

let app: NestFastifyApplication;
let org: TestOrg;
let store: ObjectStore;

const serviceKey = () => serviceKeyOf(env, 'video-streaming-server');
const agentKey = () => {
  const { id, secret } = serviceKeyOf(env, 'interviewer-agent');
  return { kid: id, secret };
};

/** A service token like the real one (see @app/service-auth), with overridable parts. */
async function serviceToken(
  overrides: { secret?: string; kid?: string; aud?: string; iss?: string; iat?: number; exp?: number } = {},
) {
  const key = serviceKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', kid: overrides.kid ?? key.id, typ: 'JWT' })
    .setIssuer(overrides.iss ?? 'video-streaming-server')
    .setAudience(overrides.aud ?? 'parley:user-management:internal')
    .setIssuedAt(overrides.iat ?? now)
    .setExpirationTime(overrides.exp ?? now + 60)
    .sign(new TextEncoder().encode(overrides.secret ?? key.secret));
}

const report = (id: string, body: Record<string, unknown>) =>
  asService(app, env, { method: 'PUT', url: `/internal/v1/recordings/${id}`, body });
const roomContext = (room: string) => asService(app, env, { url: `/internal/v1/rooms/${room}` });
const meetingView = async (id: string) => (await as(app, org.tokens.recruiter, { url: `/v1/meetings/${id}` })).json;
const recordingRows = async (id: string) =>
  (await db(app).query('SELECT count(*)::int AS n FROM recordings WHERE id = $1', [id]))[0].n as number;

const TRANSCRIPT = [
  { speaker: 'interviewer', text: 'How would you design a rate limiter?', offsetMs: 0, mode: 'spoken' },
  { speaker: 'candidate', text: 'A token bucket per key, in Redis.', offsetMs: 20_000, mode: 'spoken' },
];
const SCORECARD = {
  competencies: [
    {
      name: 'Design',
      score: 4,
      justification: 'Picks a fitting algorithm and a shared store.',
      evidence: [{ quote: 'A token bucket per key, in Redis.', offsetMs: 20_000 }],
    },
  ],
  recommendation: 'yes',
  summary: 'Solid design instincts.',
};

describe('user-management internal API and replay', () => {
  beforeAll(async () => {
    app = await startUm(env);
    org = await createTestOrg(app, 'internal');
    store = objectStoreFromEnv(env);
  });
  afterAll(async () => {
    store?.destroy();
    await app?.close();
  });

  describe('service token required', () => {
    let room: string;
    beforeAll(async () => {
      room = (await createInterview(app, org)).room;
    });

    const cases: Array<[string, () => Promise<Record<string, string>>]> = [
      ['no Authorization header', async () => ({})],
      ['not a Bearer header', async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
      ['garbage', async () => ({ authorization: 'Bearer not-a-jwt' })],
      [
        'expired',
        async () => ({
          authorization: `Bearer ${await serviceToken({ iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 })}`,
        }),
      ],
      [
        'wrong key (same kid)',
        async () => ({
          authorization: `Bearer ${await serviceToken({ secret: randomBytes(32).toString('base64url') })}`,
        }),
      ],
      ['unknown kid', async () => ({ authorization: `Bearer ${await serviceToken({ kid: 'nobody' })}` })],
      [
        'wrong audience',
        async () => ({ authorization: `Bearer ${await serviceToken({ aud: 'parley:user-management:staff' })}` }),
      ],
      ['unknown caller', async () => ({ authorization: `Bearer ${await serviceToken({ iss: 'someone-else' })}` })],
      [
        'a lifetime over five minutes',
        async () => ({ authorization: `Bearer ${await serviceToken({ exp: Math.floor(Date.now() / 1000) + 3600 })}` }),
      ],
      ['a staff access token', async () => ({ authorization: `Bearer ${org.tokens.admin}` })],
    ];

    it.each(cases)('%s → 401', async (_name, headers) => {
      const h = await headers();
      for (const request of [
        { method: 'GET' as const, url: `/internal/v1/rooms/${room}` },
        {
          method: 'PUT' as const,
          url: `/internal/v1/recordings/${randomUUID()}`,
          body: { room, objectKey: 'x.mp4', phase: 'recording' },
        },
      ]) {
        const response = await call(app, { ...request, headers: h });
        expect(response.status, response.body).toBe(401);
        expect(response.json.code).toBe('UNAUTHENTICATED');
      }
    });

    it('control: the same construction with the right parts is accepted, for both callers', async () => {
      expect(
        (
          await call(app, {
            method: 'GET',
            url: `/internal/v1/rooms/${room}`,
            headers: { authorization: `Bearer ${await serviceToken()}` },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(app, {
            method: 'GET',
            url: `/internal/v1/rooms/${room}`,
            headers: {
              authorization: `Bearer ${await serviceToken({ iss: 'interviewer-agent', ...agentKey() })}`,
            },
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('GET /internal/v1/rooms/:room', () => {
    it('agentAutoJoin follows the org flag an admin switches (R-G1)', async () => {
      const { room } = await createInterview(app, org);
      const meeting = await createMeeting(app, org, 60_000);
      for (const flag of [false, true, false, true]) {
        expect(
          (await as(app, org.tokens.admin, { method: 'PATCH', url: '/v1/organization', body: { agentAutoJoin: flag } }))
            .status,
        ).toBe(200);
        expect((await roomContext(room)).json.agentAutoJoin).toBe(flag);
        expect((await roomContext(meeting.roomName)).json.agentAutoJoin).toBe(flag);
      }
    });

    it('an interview room: org, policy, and consent only after the candidate gives it (R-R1)', async () => {
      const interview = await createInterview(app, org, 'optional');
      const before = await roomContext(interview.room);
      expect(before.status).toBe(200);
      expect(before.json).toMatchObject({
        room: interview.room,
        kind: 'interview',
        id: interview.interviewId,
        orgId: org.orgId,
        status: 'scheduled',
        recordingPolicy: 'optional',
        consent: null,
        consentAt: null,
        recordingAllowed: false,
        // R-A2: a new org is on the standard tier: no avatar until an operator says otherwise.
        tier: 'standard',
        avatarsEnabled: false,
      });

      const consent = await call(app, {
        url: '/v1/invites/consent',
        body: { invite: interview.code, choice: 'given' },
      });
      expect(consent.status).toBe(200);
      const after = (await roomContext(interview.room)).json;
      expect(after).toMatchObject({
        consent: 'given',
        consentAt: consent.json.consentAt,
        recordingAllowed: true,
        recordingPolicy: 'optional',
      });

      // Changing one's mind withdraws the permission.
      expect(
        (await call(app, { url: '/v1/invites/consent', body: { invite: interview.code, choice: 'declined' } })).status,
      ).toBe(200);
      expect((await roomContext(interview.room)).json).toMatchObject({ consent: 'declined', recordingAllowed: false });
    });

    it.each([
      ['mandatory', 'given', true],
      ['mandatory', 'declined', false],
      ['mandatory', null, false],
      ['optional', 'declined', false],
    ] as const)('policy %s with consent %s → recordingAllowed %s', async (policy, choice, allowed) => {
      const interview = await createInterview(app, org, policy);
      if (choice)
        expect((await call(app, { url: '/v1/invites/consent', body: { invite: interview.code, choice } })).status).toBe(
          200,
        );
      expect((await roomContext(interview.room)).json).toMatchObject({
        recordingPolicy: policy,
        consent: choice,
        recordingAllowed: allowed,
      });
    });

    it('policy off: consent cannot be given (409) and recording is never allowed', async () => {
      const interview = await createInterview(app, org, 'off');
      const consent = await call(app, {
        url: '/v1/invites/consent',
        body: { invite: interview.code, choice: 'given' },
      });
      expect(consent.status).toBe(409);
      expect((await roomContext(interview.room)).json).toMatchObject({
        recordingPolicy: 'off',
        consent: null,
        recordingAllowed: false,
      });
    });

    it('a meeting room: no recording policy, no consent, hosts decide', async () => {
      const meeting = await createMeeting(app, org, 60_000);
      const response = await roomContext(meeting.roomName);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        room: meeting.roomName,
        kind: 'meeting',
        id: meeting.id,
        orgId: org.orgId,
        status: 'scheduled',
        recordingPolicy: null,
        consent: null,
        consentAt: null,
        recordingAllowed: true,
      });
    });

    it.each([`interview_${randomUUID()}`, `meeting_${randomUUID()}`, `interview_${randomUUID()}__nobot`])(
      'unknown room %s → 404',
      async (room) => {
        const response = await roomContext(room);
        expect(response.status).toBe(404);
        expect(response.json.message).toMatch(/no interview or meeting/);
      },
    );

    it.each([
      'lobby',
      'interview_not-a-uuid',
      `interview_${randomUUID().toUpperCase()}`,
      `meeting_${randomUUID()}__nobot__nobot`,
      `webinar_${randomUUID()}`,
    ])('malformed room %s → 400 naming the room', async (room) => {
      const response = await roomContext(encodeURIComponent(room));
      expect(response.status).toBe(400);
      expect(response.json.message).toMatch(/room/);
    });
  });

  describe('interviews: plan, status, results', () => {
    it('GET plan returns the posting’s competencies, questions, time budget and the candidate’s name', async () => {
      const interview = await createInterview(app, org);
      const response = await asService(
        app,
        env,
        { url: `/internal/v1/interviews/${interview.interviewId}/plan` },
        'interviewer-agent',
      );
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        interviewId: interview.interviewId,
        orgId: org.orgId,
        room: interview.room,
        status: 'scheduled',
        candidate: { id: interview.candidateId, fullName: 'Casey Candidate' },
        jobPosting: {
          id: interview.postingId,
          title: 'Backend Engineer',
          description: 'Builds services.',
          timeBudgetMinutes: 30,
        },
      });
      expect(response.json.jobPosting.competencies.map((c: { name: string }) => c.name)).toEqual([
        'Design',
        'Debugging',
        'Communication',
      ]);
      expect(response.json.jobPosting.competencies[0].rubric).toEqual({
        one: 'vague',
        five: 'precise trade-offs',
        keyPoints: ['failure modes'],
      });
      expect(response.json.jobPosting.questions).toEqual([
        { text: 'Design a rate limiter.', competency: 'Design', followUps: ['What about bursts?'] },
      ]);
      expect(
        (await asService(app, env, { url: `/internal/v1/interviews/${randomUUID()}/plan` }, 'interviewer-agent'))
          .status,
      ).toBe(404);
    });

    it('status in_progress sets startedAt once; repeating it is a no-op', async () => {
      const interview = await createInterview(app, org);
      const url = `/internal/v1/interviews/${interview.interviewId}/status`;
      const at = '2030-01-01T09:59:00.000Z';
      const first = await asService(
        app,
        env,
        { method: 'POST', url, body: { status: 'in_progress', at } },
        'interviewer-agent',
      );
      expect(first.status).toBe(200);
      expect(first.json).toEqual({
        interviewId: interview.interviewId,
        status: 'in_progress',
        startedAt: at,
        endedAt: null,
      });
      const again = await asService(
        app,
        env,
        {
          method: 'POST',
          url,
          body: { status: 'in_progress', at: '2030-01-01T10:30:00.000Z' },
        },
        'interviewer-agent',
      );
      expect(again.status).toBe(200);
      expect(again.json).toEqual(first.json);
      const view = await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` });
      expect(view.json).toMatchObject({ status: 'in_progress', startedAt: at });
    });

    it('PUT results stores transcript and scorecard and completes the interview, idempotently; a closed interview takes no new status', async () => {
      const interview = await createInterview(app, org);
      const url = `/internal/v1/interviews/${interview.interviewId}/results`;
      expect(
        (
          await asService(
            app,
            env,
            {
              method: 'POST',
              url: `/internal/v1/interviews/${interview.interviewId}/status`,
              body: { status: 'in_progress', at: '2030-01-01T09:59:00.000Z' },
            },
            'interviewer-agent',
          )
        ).status,
      ).toBe(200);
      const body = {
        startedAt: '2030-01-01T10:00:00.000Z',
        transcript: TRANSCRIPT,
        scorecard: SCORECARD,
        endedAt: '2030-01-01T10:20:00.000Z',
      };
      const first = await asService(app, env, { method: 'PUT', url, body }, 'interviewer-agent');
      expect(first.status).toBe(200);
      expect(first.json).toEqual({
        interviewId: interview.interviewId,
        status: 'completed',
        startedAt: '2030-01-01T09:59:00.000Z',
        endedAt: '2030-01-01T10:20:00.000Z',
      });

      const view = await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` });
      expect(view.status).toBe(200);
      expect(view.json).toMatchObject({
        status: 'completed',
        transcript: TRANSCRIPT,
        scorecard: SCORECARD,
        endedAt: '2030-01-01T10:20:00.000Z',
      });

      const again = await asService(app, env, { method: 'PUT', url, body }, 'interviewer-agent');
      expect(again.status).toBe(200);
      expect(again.json).toEqual(first.json);
      const viewAgain = await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` });
      const { updatedAt: _a, ...stable } = viewAgain.json;
      const { updatedAt: _b, ...stableBefore } = view.json;
      expect(stable).toEqual(stableBefore);

      // Completed is final for the status endpoint.
      const late = await asService(app, env, {
        method: 'POST',
        url: `/internal/v1/interviews/${interview.interviewId}/status`,
        body: { status: 'abandoned' },
      });
      expect(late.status).toBe(409);
      expect(
        (await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` })).json.status,
      ).toBe('completed');
    });
  });

  describe('recording metadata (R-R6)', () => {
    it('the same report three times makes one row', async () => {
      const { room } = await createInterview(app, org);
      const id = randomUUID();
      const body = {
        room,
        objectKey: `final-recordings/${org.orgId}/${id}.mp4`,
        phase: 'ready',
        durationMs: 5_000,
        sizeBytes: 2_048,
        codecs: ['opus'],
      };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await report(id, body));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers[2].json).toEqual(answers[0].json);
      expect(answers[0].json).toMatchObject({
        id,
        subjectType: 'interview',
        status: 'ready',
        durationMs: 5_000,
        sizeBytes: 2_048,
        codecs: ['opus'],
      });
      expect(await recordingRows(id)).toBe(1);
    });

    it('concurrent retries of the same report still make one row', async () => {
      const { room } = await createInterview(app, org);
      const id = randomUUID();
      const body = { room, objectKey: `final-recordings/${org.orgId}/${id}.mp4`, phase: 'recording' };
      const answers = await Promise.all([report(id, body), report(id, body), report(id, body)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(await recordingRows(id)).toBe(1);
    });

    it("phases recording → processing → ready move the meeting's recording forward; a late 'recording' does not regress it", async () => {
      const meeting = await createMeeting(app, org, 60_000);
      const id = randomUUID();
      const startedAt = '2030-01-01T10:00:00.000Z';
      const base = { room: meeting.roomName, objectKey: `final-recordings/${org.orgId}/${id}.mp4` };
      expect((await meetingView(meeting.id)).recording).toEqual({
        status: 'none',
        recordingId: null,
        startedAt: null,
        endedAt: null,
      });

      expect((await report(id, { ...base, phase: 'recording', startedAt })).json.status).toBe('pending');
      expect((await meetingView(meeting.id)).recording).toEqual({
        status: 'recording',
        recordingId: id,
        startedAt,
        endedAt: null,
      });

      expect(
        (
          await report(id, {
            ...base,
            phase: 'processing',
            startedAt: '2030-01-01T11:11:11.000Z',
            endedAt: '2030-01-01T10:30:00.000Z',
          })
        ).status,
      ).toBe(200);
      // startedAt is the first one reported.
      expect((await meetingView(meeting.id)).recording).toEqual({
        status: 'processing',
        recordingId: id,
        startedAt,
        endedAt: '2030-01-01T10:30:00.000Z',
      });

      const ready = await report(id, {
        ...base,
        phase: 'ready',
        durationMs: 1_800_000,
        sizeBytes: 9_999,
        codecs: ['opus', 'vp8'],
      });
      expect(ready.json).toMatchObject({
        status: 'ready',
        durationMs: 1_800_000,
        sizeBytes: 9_999,
        codecs: ['opus', 'vp8'],
      });
      const readyView = (await meetingView(meeting.id)).recording;
      expect(readyView).toEqual({ status: 'ready', recordingId: id, startedAt, endedAt: '2030-01-01T10:30:00.000Z' });

      for (const phase of ['recording', 'processing']) {
        const late = await report(id, { ...base, phase, startedAt: '2030-01-01T12:00:00.000Z' });
        expect(late.status).toBe(200);
        expect(late.json).toMatchObject({ status: 'ready', durationMs: 1_800_000, sizeBytes: 9_999 });
        expect((await meetingView(meeting.id)).recording).toEqual(readyView);
      }
      const [row] = await db(app).query('SELECT status, duration_ms::int AS duration FROM recordings WHERE id = $1', [
        id,
      ]);
      expect(row).toEqual({ status: 'ready', duration: 1_800_000 });
      expect(await recordingRows(id)).toBe(1);
    });

    it('the same recording id reported for another room → 409, and the row keeps its subject', async () => {
      const first = await createInterview(app, org);
      const second = await createInterview(app, org);
      const meeting = await createMeeting(app, org, 60_000);
      const id = randomUUID();
      expect(
        (await report(id, { room: first.room, objectKey: `raw/${org.orgId}/a.mp4`, phase: 'recording' })).status,
      ).toBe(200);
      for (const room of [second.room, meeting.roomName]) {
        const response = await report(id, { room, objectKey: `raw/${org.orgId}/b.mp4`, phase: 'ready' });
        expect(response.status).toBe(409);
        expect(response.json.message).toMatch(/another room/);
      }
      const [row] = await db(app).query(
        'SELECT subject_type, subject_id, object_key, status FROM recordings WHERE id = $1',
        [id],
      );
      expect(row).toEqual({
        subject_type: 'interview',
        subject_id: first.interviewId,
        object_key: `raw/${org.orgId}/a.mp4`,
        status: 'pending',
      });
      expect((await meetingView(meeting.id)).recording.status).toBe('none');
    });

    it('retries racing each other: ready sent alongside late recording/processing retries always ends ready', async () => {
      // Ten rounds, each with its own meeting and interview; the phases arrive at the same time.
      const rounds = await Promise.all(
        Array.from({ length: 10 }, async () => ({
          meeting: await createMeeting(app, org, 60_000),
          interview: await createInterview(app, org),
        })),
      );
      for (const { meeting, interview } of rounds) {
        const ids = { meeting: randomUUID(), interview: randomUUID() };
        const send = (id: string, room: string, phase: string) =>
          report(id, {
            room,
            objectKey: `raw/${org.orgId}/${id}.mp4`,
            phase,
            ...(phase === 'ready' ? { durationMs: 42 } : {}),
          });
        const answers = await Promise.all(
          (['recording', 'ready', 'processing', 'recording'] as const).flatMap((phase) => [
            send(ids.meeting, meeting.roomName, phase),
            send(ids.interview, interview.room, phase),
          ]),
        );
        expect(answers.map((a) => a.status).every((s) => s === 200)).toBe(true);
        const rows = await db(app).query(
          'SELECT id, status, duration_ms::int AS duration FROM recordings WHERE id = ANY($1) ORDER BY id',
          [[ids.meeting, ids.interview]],
        );
        expect(rows.map((r: { status: string; duration: number }) => [r.status, r.duration])).toEqual([
          ['ready', 42],
          ['ready', 42],
        ]);
        expect((await meetingView(meeting.id)).recording).toMatchObject({ status: 'ready', recordingId: ids.meeting });
      }
    });

    it('one new recording id reported for two rooms at the same time: one wins, the other gets 409 and changes nothing', async () => {
      for (let round = 0; round < 20; round++) {
        const [first, second] = await Promise.all([createMeeting(app, org, 60_000), createMeeting(app, org, 60_000)]);
        const id = randomUUID();
        const answers = await Promise.all([
          report(id, { room: first.roomName, objectKey: `raw/${org.orgId}/first.mp4`, phase: 'recording' }),
          report(id, { room: second.roomName, objectKey: `raw/${org.orgId}/second.mp4`, phase: 'recording' }),
        ]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
        const [winner, loser] = answers[0].status === 200 ? [first, second] : [second, first];
        const [row] = await db(app).query('SELECT subject_id, object_key FROM recordings WHERE id = $1', [id]);
        expect(row).toEqual({
          subject_id: winner.id,
          object_key: `raw/${org.orgId}/${winner === first ? 'first' : 'second'}.mp4`,
        });
        expect((await meetingView(winner.id)).recording).toMatchObject({ status: 'recording', recordingId: id });
        expect((await meetingView(loser.id)).recording).toMatchObject({ status: 'none', recordingId: null });
      }
    });

    it('failed needs a failureReason (400); with one it is stored', async () => {
      const meeting = await createMeeting(app, org, 60_000);
      const id = randomUUID();
      const without = await report(id, { room: meeting.roomName, objectKey: 'x.mp4', phase: 'failed' });
      expect(without.status).toBe(400);
      expect(without.json.message).toMatch(/failureReason/);
      expect(await recordingRows(id)).toBe(0);
      const withReason = await report(id, {
        room: meeting.roomName,
        objectKey: `raw/${org.orgId}/x.mp4`,
        phase: 'failed',
        failureReason: 'egress crashed',
      });
      expect(withReason.status).toBe(200);
      expect((await as(app, org.tokens.recruiter, { url: `/v1/recordings/${id}` })).json).toMatchObject({
        status: 'failed',
        failureReason: 'egress crashed',
      });
      expect((await meetingView(meeting.id)).recording.status).toBe('failed');
    });

    it('an unknown room → 404, and no row', async () => {
      const id = randomUUID();
      const response = await report(id, { room: `meeting_${randomUUID()}`, objectKey: 'x.mp4', phase: 'ready' });
      expect(response.status).toBe(404);
      expect(await recordingRows(id)).toBe(0);
    });
  });

  describe('replay (R-R7)', () => {
    let recordingId: string;
    let bytes: Buffer;
    let objectKey: string;

    beforeAll(async () => {
      const { room } = await createInterview(app, org);
      recordingId = randomUUID();
      objectKey = `final-recordings/${org.orgId}/${recordingId}.mp4`;
      bytes = randomBytes(256 * 1024 + 17);
      await store.put(objectKey, bytes, 'video/mp4');
      const reported = await report(recordingId, {
        room,
        objectKey,
        phase: 'ready',
        durationMs: 12_000,
        sizeBytes: bytes.length,
        codecs: ['opus', 'vp8'],
      });
      expect(reported.status).toBe(200);
    });

    it('a hiring manager gets a URL that downloads the exact bytes and expires within 15 minutes', async () => {
      const before = Date.now();
      const response = await as(app, org.tokens.hiring_manager, {
        method: 'POST',
        url: `/v1/recordings/${recordingId}/playback`,
        headers: { 'user-agent': 'replay-test/1.0' },
      });
      expect(response.status).toBe(200);
      expect(response.json.recordingId).toBe(recordingId);
      const url = new URL(response.json.url);
      const expires = Number(url.searchParams.get('X-Amz-Expires'));
      expect(expires).toBeGreaterThan(0);
      expect(expires).toBeLessThanOrEqual(900);
      const expiresAt = Date.parse(response.json.expiresAt);
      expect(expiresAt).toBeGreaterThan(before);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
      // The object key stays server-side everywhere but in the signed URL itself.
      expect((await as(app, org.tokens.hiring_manager, { url: `/v1/recordings/${recordingId}` })).body).not.toContain(
        objectKey,
      );

      const download = await fetch(url);
      expect(download.status).toBe(200);
      const downloaded = Buffer.from(await download.arrayBuffer());
      expect(downloaded.length).toBe(bytes.length);
      expect(downloaded.equals(bytes)).toBe(true);
    });

    it('each issuance writes an audit row with actor, action, ip and user agent; an admin reads it', async () => {
      const agent = `replay-audit/${randomUUID()}`;
      const response = await as(app, org.tokens.hiring_manager, {
        method: 'POST',
        url: `/v1/recordings/${recordingId}/playback`,
        headers: { 'user-agent': agent },
      });
      expect(response.status).toBe(200);
      const rows = await db(app).query(
        'SELECT org_id, actor_type, actor_id, action, resource_type, resource_id, host(ip) AS ip, user_agent, details FROM audit_log WHERE resource_id = $1 AND user_agent = $2',
        [recordingId, agent],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        org_id: org.orgId,
        actor_type: 'user',
        actor_id: org.users.hiring_manager,
        action: 'recording.playback_url_issued',
        resource_type: 'recording',
        resource_id: recordingId,
        ip: '127.0.0.1',
        user_agent: agent,
      });
      expect(rows[0].details).toMatchObject({ expiresAt: response.json.expiresAt, subjectType: 'interview' });
      expect(rows[0].details.ttlSeconds).toBeLessThanOrEqual(900);

      const audit = await as(app, org.tokens.admin, { url: `/v1/recordings/${recordingId}/audit` });
      expect(audit.status).toBe(200);
      // Newest first: this issuance leads the list.
      expect(audit.json[0]).toMatchObject({
        actorType: 'user',
        actorId: org.users.hiring_manager,
        action: 'recording.playback_url_issued',
        ip: '127.0.0.1',
        userAgent: agent,
      });
      expect(audit.json.length).toBeGreaterThanOrEqual(2);
      expect(audit.json.every((e: { action: string }) => e.action === 'recording.playback_url_issued')).toBe(true);
    });

    it('a tampered signature, or a URL pointed at another key, is refused by the store (403)', async () => {
      const response = await as(app, org.tokens.recruiter, {
        method: 'POST',
        url: `/v1/recordings/${recordingId}/playback`,
      });
      const url = new URL(response.json.url);
      const signature = url.searchParams.get('X-Amz-Signature')!;
      const tampered = new URL(url);
      tampered.searchParams.set('X-Amz-Signature', (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1));
      expect((await fetch(tampered)).status).toBe(403);
      const longer = new URL(url);
      longer.searchParams.set('X-Amz-Expires', '604800');
      expect((await fetch(longer)).status).toBe(403);
      const otherKey = new URL(url);
      otherKey.pathname = otherKey.pathname.replace(recordingId, randomUUID());
      expect((await fetch(otherKey)).status).toBe(403);
      // Control: the untouched URL works.
      expect((await fetch(url)).status).toBe(200);
    });

    it('a recording that is not ready → 409; failed → 409; a random id → 404; none of them audited', async () => {
      const { room } = await createInterview(app, org);
      const pending = randomUUID();
      expect(
        (await report(pending, { room, objectKey: `raw/${org.orgId}/${pending}.mp4`, phase: 'processing' })).status,
      ).toBe(200);
      const failed = randomUUID();
      expect(
        (
          await report(failed, {
            room,
            objectKey: `raw/${org.orgId}/${failed}.mp4`,
            phase: 'failed',
            failureReason: 'disk full',
          })
        ).status,
      ).toBe(200);
      const none = randomUUID();

      const p = await as(app, org.tokens.hiring_manager, { method: 'POST', url: `/v1/recordings/${pending}/playback` });
      expect(p.status).toBe(409);
      expect(p.json.message).toMatch(/still being processed/);
      const f = await as(app, org.tokens.hiring_manager, { method: 'POST', url: `/v1/recordings/${failed}/playback` });
      expect(f.status).toBe(409);
      expect(f.json.message).toMatch(/failed/);
      expect(
        (await as(app, org.tokens.hiring_manager, { method: 'POST', url: `/v1/recordings/${none}/playback` })).status,
      ).toBe(404);
      const { n } = (
        await db(app).query('SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ANY($1)', [
          [pending, failed, none],
        ])
      )[0];
      expect(n).toBe(0);
    });
  });
});
