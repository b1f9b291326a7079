import { keyRing, LOG_LEVELS, livekitEnv, parseEnv, port, toLiveKitConfig } from '@app/config';
import { speechEnv, toSpeechConfig } from '@app/speech';
import { z } from 'zod';

export const SERVICE_NAME = 'interviewer-agent';

export const InterviewerAgentEnv = z
  .object({
    ...livekitEnv,
    ...speechEnv,
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    // The worker's own HTTP health endpoint (GET / answers 200 once registered with LiveKit).
    AGENT_HEALTH_PORT: port.default(8081),
    AGENT_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
    // Live jobs (interviews and meetings) one worker holds; at this many it tells LiveKit it is full
    // and refuses new jobs, so live interviews never degrade. A count, not CPU load: CPU flaps.
    AGENT_MAX_JOBS: z.coerce.number().int().min(1).max(200).default(10),
    // Warm job processes kept ready; each holds a Node runtime, so keep it small on small hosts.
    AGENT_IDLE_PROCESSES: z.coerce.number().int().min(0).max(16).default(1),
    // user-management's internal API (room context: the org's auto-join flag), with the agent's own key.
    USER_MANAGEMENT_URL: z.url({ protocol: /^https?$/ }),
    AGENT_INTERNAL_API_KEY: keyRing(32),
    ROOM_CONTEXT_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
    ROOM_CONTEXT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
    // Interview results and meeting transcripts wait here until user-management takes them.
    AGENT_OUTBOX_DIR: z.string().min(1).default('.parley/agent-outbox'),
    AGENT_OUTBOX_SWEEP_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    // A dropped candidate has this long to come back before the interview ends with what it has.
    AGENT_RECONNECT_GRACE_MS: z.coerce.number().int().min(1_000).max(1_800_000).default(120_000),
    // An operator's cap on any interview's length, whatever the posting's budget (cost or policy);
    // unset: the posting's budget rules.
    AGENT_MAX_INTERVIEW_SECONDS: z.coerce
      .number()
      .int()
      .min(30)
      .max(24 * 3_600)
      .optional(),
    // Silence after speech before the candidate's turn is taken as finished (VAD turn detection).
    AGENT_ENDPOINTING_MS: z.coerce.number().int().min(100).max(5_000).default(700),
  })
  .transform((env, ctx) => ({
    livekit: toLiveKitConfig(env),
    logLevel: env.LOG_LEVEL,
    health: { host: env.AGENT_HEALTH_HOST, port: env.AGENT_HEALTH_PORT },
    maxJobs: env.AGENT_MAX_JOBS,
    idleProcesses: env.AGENT_IDLE_PROCESSES,
    speech: toSpeechConfig(env, ctx),
    outbox: { dir: env.AGENT_OUTBOX_DIR, sweepMs: env.AGENT_OUTBOX_SWEEP_MS },
    interview: {
      reconnectGraceMs: env.AGENT_RECONNECT_GRACE_MS,
      endpointingMs: env.AGENT_ENDPOINTING_MS,
      maxMinutes: env.AGENT_MAX_INTERVIEW_SECONDS !== undefined ? env.AGENT_MAX_INTERVIEW_SECONDS / 60 : undefined,
    },
    userManagement: {
      url: env.USER_MANAGEMENT_URL.replace(/\/+$/, ''),
      serviceKey: env.AGENT_INTERNAL_API_KEY[0],
      roomContextCacheMs: env.ROOM_CONTEXT_CACHE_MS,
      roomContextTimeoutMs: env.ROOM_CONTEXT_TIMEOUT_MS,
    },
  }));
export type InterviewerAgentConfig = z.output<typeof InterviewerAgentEnv>;

export const loadInterviewerAgentConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, InterviewerAgentEnv, env);
