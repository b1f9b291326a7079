import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DATA_DIR,
  DIST_DIR,
  httpOk,
  LOG_DIR,
  ManagedProcess,
  SimulatedCandidate,
  TEST_PROFILE,
  waitUntilReady,
} from '@app/devstack';
import { joinToken } from './livekit.util';
import { as, type TestOrg } from './um.util';

/**
 * The real interviewer worker from dist/ (as `npm start` runs it) on the test stack. Its outbox is
 * a fresh folder unless `AGENT_OUTBOX_DIR` is given.
 */
export async function startWorker(
  env: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<ManagedProcess & { outboxDir: string }> {
  const outboxDir = extraEnv.AGENT_OUTBOX_DIR ?? join(DATA_DIR, TEST_PROFILE.name, `agent-outbox-${randomUUID()}`);
  mkdirSync(outboxDir, { recursive: true });
  const worker = ManagedProcess.start({
    name: 'interviewer-agent',
    command: process.execPath,
    args: [join(DIST_DIR, 'agents/interviewer/main.js'), 'start'],
    env: {
      ...process.env,
      ...env,
      AGENT_HEALTH_PORT: String(TEST_PROFILE.ports.agentHealth),
      AGENT_IDLE_PROCESSES: '1',
      AGENT_OUTBOX_DIR: outboxDir,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    logDir: join(LOG_DIR, TEST_PROFILE.name),
  });
  // The health endpoint answers 200 only once the worker has registered with LiveKit.
  await waitUntilReady(() => httpOk(`http://127.0.0.1:${TEST_PROFILE.ports.agentHealth}/`), {
    component: 'interviewer-agent',
    timeoutMs: 60_000,
    abortReason: () => worker.exitDescription(),
  });
  return Object.assign(worker, { outboxDir });
}

/** A posting with `posting`'s plan, a candidate and an interview, through the staff API. */
export async function createPlannedInterview(app: NestFastifyApplication, org: TestOrg, posting: object) {
  const created = await as(app, org.tokens.recruiter, { url: '/v1/job-postings', body: posting });
  if (created.status !== 201) throw new Error(`posting: ${created.status} ${created.body}`);
  const candidate = await as(app, org.tokens.recruiter, {
    url: '/v1/candidates',
    body: { email: `cand-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Sam Rivera' },
  });
  if (candidate.status !== 201) throw new Error(`candidate: ${candidate.status} ${candidate.body}`);
  const interview = await as(app, org.tokens.recruiter, {
    url: '/v1/interviews',
    body: { jobPostingId: created.json.id, candidateId: candidate.json.id },
  });
  if (interview.status !== 201) throw new Error(`interview: ${interview.status} ${interview.body}`);
  return {
    postingId: created.json.id as string,
    candidateId: candidate.json.id as string,
    interviewId: interview.json.interview.id as string,
    room: interview.json.interview.roomName as string,
    code: interview.json.invite.code as string,
  };
}

/** The simulated candidate of `interview`, in its room (created here if it is not there yet). */
export async function joinAsCandidate(
  env: Record<string, string>,
  interview: { room: string; candidateId: string },
): Promise<SimulatedCandidate> {
  return SimulatedCandidate.join({
    url: env.LIVEKIT_URL,
    token: await joinToken(env, `candidate-${interview.candidateId}`, interview.room, {
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
    }),
  });
}
