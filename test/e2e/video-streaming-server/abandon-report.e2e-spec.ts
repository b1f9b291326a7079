import { createServer } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReaperService } from '../../../apps/video-streaming-server/src/sessions/reaper.service';
import { SessionRepository, VSS_KEYS } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { InterviewStatusReporter } from '../../../apps/video-streaming-server/src/user-management/interview-status.reporter';
import { eventually } from '../../support/eventually.util';
import { as, call, createInterview, createTestOrg, serviceHeaders, startUm, type TestOrg } from '../../support/um.util';
import { call as callVss, startVss } from '../../support/vss.util';
import { signWebhook, webhookEventBody } from '../../support/webhook.util';
import { ReconciliationService } from '../../../apps/video-streaming-server/src/rooms/reconciliation.service';
import IORedis, { type Redis } from 'ioredis';

// Item 6: the media plane reports an abandoned interview session to user-management (the
// business truth) through a durable job, so the invite stops minting tickets. Real apps on both
// sides: user-management listens on a port, the media plane calls it over HTTP with its own key.
const env = inject('stackEnv');
const GRACE_MS = 2_000;
const livenessEnv = {
  HEARTBEAT_GRACE_MS: String(GRACE_MS),
  HEARTBEAT_INTERVAL_MS: '500',
  // Passes are driven by the test (runOnce), so the timer stays out of the way.
  REAPER_INTERVAL_MS: '60000',
  USER_MANAGEMENT_REPORT_BACKOFF_MS: '200',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let umPort: number;
let um: NestFastifyApplication | undefined;
let vss: NestFastifyApplication | undefined;
let org: TestOrg;

/** A media plane that reports to user-management on umPort, with its first hold already over. */
async function startMediaPlane(): Promise<NestFastifyApplication> {
  const app = await startVss(env, { ...livenessEnv, USER_MANAGEMENT_URL: `http://127.0.0.1:${umPort}` });
  const first = await app.get(ReaperService).runOnce();
  if ('held' in first) await sleep(GRACE_MS + 200);
  return app;
}

/** A candidate's session that stopped heartbeating two grace periods ago (its browser is gone). */
async function zombieCandidate(app: NestFastifyApplication, room: string, identity: string) {
  const lastHeartbeatAt = Date.now() - 2 * GRACE_MS;
  await app.get(SessionRepository).open({ room, identity, role: 'candidate', org: org.orgId }, lastHeartbeatAt);
}

const interviewView = async (id: string) =>
  (await as(um!, org.tokens.recruiter, { url: `/v1/interviews/${id}` })).json as {
    status: string;
    endedAt: string | null;
  };
const redeem = (code: string) => call(um!, { url: '/v1/invites/redeem', body: { invite: code } });

describe('abandoned interview sessions reach user-management (item 6)', () => {
  beforeAll(async () => {
    // The e2e files share one Redis DB; sessions earlier files left there stopped heartbeating long
    // ago. They are not this file's zombies (and ten of them would hold the reaper as an outage), so
    // the reaper's view starts empty: each test counts only the zombies it made.
    const redis = new IORedis(env.REDIS_URL);
    await redis.del(VSS_KEYS.liveness, VSS_KEYS.pending);
    redis.disconnect();
    umPort = await freePort();
    um = await startUm(env, {}, umPort);
    org = await createTestOrg(um, 'abandon');
  });

  afterEach(async () => {
    await vss?.close();
    vss = undefined;
  });

  afterAll(async () => {
    await vss?.close();
    await um?.close();
  });

  it('a reaped candidate session marks the interview abandoned with when; the invite then mints no ticket', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    const identity = `candidate-${interview.candidateId}`;
    // The candidate got in: the invite worked, and works again for a reconnect.
    expect((await redeem(interview.code)).status).toBe(200);
    await zombieCandidate(vss, interview.room, identity);

    const run = await vss.get(ReaperService).runOnce();
    expect(run).toMatchObject({ reaped: 1, failed: 0 });
    const session = await vss.get(SessionRepository).get(interview.room, identity);
    expect(session?.status).toBe('abandoned');

    await eventually(async () => expect((await interviewView(interview.interviewId)).status).toBe('abandoned'), 10_000);
    const view = await interviewView(interview.interviewId);
    // The time the session was abandoned, not the time the report happened to arrive.
    expect(view.endedAt).toBe(new Date(session!.endedAt!).toISOString());

    const again = await redeem(interview.code);
    expect(again.status).toBe(410);
    expect(again.json.reason).toBe('interview_abandoned');

    // Reaping is idempotent on both sides: nothing more is queued or changed.
    expect(await vss.get(ReaperService).runOnce()).toMatchObject({ reaped: 0, claimed: 0 });
    expect((await interviewView(interview.interviewId)).endedAt).toBe(view.endedAt);
  });

  it('sessions that are not an interview candidate’s change no interview', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    await vss
      .get(SessionRepository)
      .open(
        { room: interview.room, identity: 'observer-1', role: 'observer', org: org.orgId },
        Date.now() - 2 * GRACE_MS,
      );
    expect(await vss.get(ReaperService).runOnce()).toMatchObject({ reaped: 1 });
    await vss.get(InterviewStatusReporter).drained();
    expect(await vss.get(InterviewStatusReporter).jobOf(interview.interviewId)).toBeUndefined();
    expect((await interviewView(interview.interviewId)).status).toBe('scheduled');
  });

  it('a finished room reports its candidate’s interview abandoned, one grace period later', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    const identity = `candidate-${interview.candidateId}`;
    const sessions = vss.get(SessionRepository);
    // Opened a moment before the room finishes: an end applies only when strictly newer than a (re)join.
    const openedAt = Date.now() - 1_000;
    await sessions.open({ room: interview.room, identity, role: 'candidate', org: org.orgId }, openedAt);
    await sessions.open({ room: interview.room, identity: 'agent-1', role: 'agent', org: org.orgId }, openedAt);
    // What the room_finished job does (LiveKitEventsQueue): end the room's sessions, report them.
    const finishedAt = Date.now();
    const ended = await sessions.endRoom(interview.room, finishedAt, 'room_finished');
    expect(ended.map((s) => s.identity).sort()).toEqual(['agent-1', identity]);
    await vss.get(InterviewStatusReporter).reportFinishedRoom(ended, finishedAt);
    // Not at once: the agent may still be saving the results of a completed interview.
    await sleep(GRACE_MS / 2);
    expect((await interviewView(interview.interviewId)).status).toBe('scheduled');
    await eventually(async () => expect((await interviewView(interview.interviewId)).status).toBe('abandoned'), 10_000);
    expect((await interviewView(interview.interviewId)).endedAt).toBe(new Date(finishedAt).toISOString());
  });

  it('user-management down when the session is reaped: the report is retried and arrives once it is back', async () => {
    const interview = await createInterview(um!, org);
    // user-management goes away; its port stays reserved for it.
    await um!.close();
    um = undefined;
    vss = await startMediaPlane();
    const identity = `candidate-${interview.candidateId}`;
    await zombieCandidate(vss, interview.room, identity);
    expect(await vss.get(ReaperService).runOnce()).toMatchObject({ reaped: 1, failed: 0 });

    const reporter = vss.get(InterviewStatusReporter);
    // The report fails while user-management is down, and is kept for a retry, not dropped.
    await eventually(async () => {
      const job = await reporter.jobOf(interview.interviewId);
      expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
      expect(await job?.getState()).toMatch(/delayed|waiting|active/);
    }, 15_000);

    um = await startUm(env, {}, umPort);
    await eventually(async () => {
      const job = await reporter.jobOf(interview.interviewId);
      expect(await job?.getState()).toBe('completed');
    }, 20_000);
    const job = (await reporter.jobOf(interview.interviewId))!;
    expect(job.returnvalue).toBe('applied');
    const session = await vss.get(SessionRepository).get(interview.room, identity);
    const view = await interviewView(interview.interviewId);
    expect(view).toMatchObject({ status: 'abandoned', endedAt: new Date(session!.endedAt!).toISOString() });
  });

  it('an interview completed before the report arrives stays completed (409 is a final answer, not retried)', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    const results = await call(um!, {
      method: 'PUT',
      url: `/internal/v1/interviews/${interview.interviewId}/results`,
      headers: await serviceHeaders(env, 'interviewer-agent'),
      body: {
        startedAt: new Date().toISOString(),
        transcript: [],
        scorecard: { competencies: [], recommendation: 'no', summary: 'done' },
      },
    });
    expect(results.status).toBe(200);
    await zombieCandidate(vss, interview.room, `candidate-${interview.candidateId}`);
    expect(await vss.get(ReaperService).runOnce()).toMatchObject({ reaped: 1 });
    const reporter = vss.get(InterviewStatusReporter);
    await eventually(async () => {
      expect(await (await reporter.jobOf(interview.interviewId))?.getState()).toBe('completed');
    }, 10_000);
    const job = (await reporter.jobOf(interview.interviewId))!;
    expect(job.returnvalue).toBe('conflict');
    expect(job.attemptsMade).toBe(1);
    expect((await interviewView(interview.interviewId)).status).toBe('completed');
  });
  it('a room_finished whose report could not be queued still reports when its job is retried', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    const identity = `candidate-${interview.candidateId}`;
    const sessions = vss.get(SessionRepository);
    await sessions.open({ room: interview.room, identity, role: 'candidate', org: org.orgId }, Date.now() - 5_000);
    const reporter = vss.get(InterviewStatusReporter);
    // The report queue's Redis connection goes away: the first attempt ends the session, then fails
    // to queue the report; BullMQ retries the room_finished job once the connection is back.
    const reportQueue = (reporter as unknown as { connection: Redis }).connection;
    reportQueue.disconnect();
    const body = webhookEventBody({
      event: 'room_finished',
      id: `EV_${interview.interviewId}`,
      room: interview.room,
      createdAt: Math.ceil(Date.now() / 1000) + 1,
    });
    try {
      const delivered = await callVss(vss, {
        url: '/v1/livekit/webhook',
        payload: body,
        headers: {
          'content-type': 'application/webhook+json',
          authorization: await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET),
        },
      });
      expect(delivered.json.status).toBe('accepted');
      await eventually(
        async () => expect((await sessions.get(interview.room, identity))?.status).toBe('ended'),
        10_000,
      );
    } finally {
      await reportQueue.connect();
    }
    await eventually(async () => expect((await interviewView(interview.interviewId)).status).toBe('abandoned'), 20_000);
  });

  it('a room LiveKit no longer knows (its room_finished was dropped) is reported by reconciliation', async () => {
    vss = await startMediaPlane();
    const interview = await createInterview(um!, org);
    const identity = `candidate-${interview.candidateId}`;
    await vss
      .get(SessionRepository)
      .open({ room: interview.room, identity, role: 'candidate', org: org.orgId }, Date.now() - 5_000);
    // The room was never created on the SFU, so the snapshot does not list it.
    const report = await vss.get(ReconciliationService).reconcileOnce();
    expect(report.repaired).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect((await interviewView(interview.interviewId)).status).toBe('abandoned'), 15_000);
  });
});
