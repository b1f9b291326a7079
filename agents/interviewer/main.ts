import { join } from 'node:path';
import { ConfigValidationError } from '@app/config';
import { cli, log, ServerOptions, type AgentServer, type JobRequest } from '@livekit/agents';
import { AGENT_DISPLAY_NAME, AGENT_IDENTITY, decideJob, decideWithContext, loadOf } from './job-policy';
import { RoomContextSource } from './room-context';
import { outboxFor } from './outbox-delivery';
import { UserManagementClient } from './user-management.client';
import { loadInterviewerAgentConfig, SERVICE_NAME, type InterviewerAgentConfig } from './config';

function loadConfigOrExit(): InterviewerAgentConfig {
  try {
    return loadInterviewerAgentConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n${SERVICE_NAME} did not start.\n`);
      process.exit(1);
    }
    throw err;
  }
}

const config = loadConfigOrExit();
const userManagement = new UserManagementClient({
  url: config.userManagement.url,
  serviceKey: config.userManagement.serviceKey,
  timeoutMs: config.userManagement.roomContextTimeoutMs,
});
const roomContexts = new RoomContextSource(userManagement, config.userManagement.roomContextCacheMs);

// Results a job could not deliver (user-management was down when its interview ended) are kept in
// the outbox; the worker delivers them when user-management is back, also after a restart.
const outbox = outboxFor(config, userManagement);
let sweeping = false;
const sweepOutbox = async () => {
  if (sweeping) return;
  sweeping = true;
  try {
    const delivered = await outbox.flush();
    if (delivered > 0) log().info({ delivered }, 'delivered kept results');
  } finally {
    sweeping = false;
  }
};
setInterval(() => void sweepOutbox(), config.outbox.sweepMs).unref();
setTimeout(() => void sweepOutbox(), 1_000).unref();
// The worker hands itself to loadFunc (every 2.5 s); the request function counts live jobs too,
// because a burst of rooms arrives faster than the load LiveKit sees is refreshed. A job just
// accepted shows in activeJobs only once its process runs it, so accepted jobs are counted until
// they do (or for JOB_START_WINDOW_MS, if one never starts, or started and ended between two looks:
// a warm process runs a job within a second, a cold one within a few).
const JOB_START_WINDOW_MS = 10_000;
let server: AgentServer | undefined;
const startingJobs = new Map<string, number>();

function liveJobs(now = Date.now()): number {
  const active = server?.activeJobs ?? [];
  const running = new Set(active.map((info) => info.job.id));
  for (const [jobId, acceptedAt] of startingJobs) {
    if (running.has(jobId) || acceptedAt < now - JOB_START_WINDOW_MS) startingJobs.delete(jobId);
  }
  return active.length + startingJobs.size;
}

async function requestFunc(request: JobRequest): Promise<void> {
  const room = request.room?.name;
  const naming = decideJob(room);
  const decision = naming.accept ? decideWithContext(naming, await roomContexts.lookup(room!)) : naming;
  const live = liveJobs();
  if (decision.accept && live >= config.maxJobs) {
    log().info({ room, liveJobs: live, maxJobs: config.maxJobs }, 'declining a job: this worker is full');
    await request.reject();
    return;
  }
  if (!decision.accept) {
    if (naming.accept) log().info({ room, reason: decision.reason }, 'declining a job');
    await request.reject();
    return;
  }
  startingJobs.set(request.id, Date.now());
  await request.accept(
    AGENT_DISPLAY_NAME,
    AGENT_IDENTITY,
    JSON.stringify({ kind: decision.kind, sessionId: decision.sessionId }),
  );
}

async function loadFunc(worker: AgentServer): Promise<number> {
  server = worker;
  return loadOf(liveJobs(), config.maxJobs);
}

// agentName stays empty on purpose: that is what makes LiveKit dispatch every new room to this
// worker automatically; requestFunc then declines the rooms we must not join. SIGTERM drains (the
// CLI's handler): the worker reports itself full, live jobs run to their end, new rooms go to
// other workers.
cli.runApp(
  new ServerOptions({
    agent: join(__dirname, 'interviewer.agent.js'),
    agentName: '',
    requestFunc,
    loadFunc,
    // Full exactly at AGENT_MAX_JOBS live jobs (loadOf is live / max).
    loadThreshold: 1,
    wsURL: config.livekit.url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
    host: config.health.host,
    port: config.health.port,
    numIdleProcesses: config.idleProcesses,
    logLevel: config.logLevel,
    production: true,
  }),
);
