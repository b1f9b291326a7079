import { LOG_LEVELS, livekitEnv, parseEnv, port, toLiveKitConfig } from '@app/config';
import { z } from 'zod';

export const SERVICE_NAME = 'interviewer-agent';

export const InterviewerAgentEnv = z
  .object({
    ...livekitEnv,
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    // The worker's own HTTP health endpoint (GET / answers 200 once registered with LiveKit).
    AGENT_HEALTH_PORT: port.default(8081),
    AGENT_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
    // Above this CPU load (0..1] the worker tells LiveKit it is full; "off" disables the gate.
    AGENT_LOAD_THRESHOLD: z
      .union([z.literal('off'), z.coerce.number().gt(0).max(1)], { error: 'must be a number in (0, 1] or "off"' })
      .default(0.7)
      .transform((value) => (value === 'off' ? Number.POSITIVE_INFINITY : value)),
    // Warm job processes kept ready; each holds a Node runtime, so keep it small on small hosts.
    AGENT_IDLE_PROCESSES: z.coerce.number().int().min(0).max(16).default(1),
  })
  .transform((env) => ({
    livekit: toLiveKitConfig(env),
    logLevel: env.LOG_LEVEL,
    health: { host: env.AGENT_HEALTH_HOST, port: env.AGENT_HEALTH_PORT },
    loadThreshold: env.AGENT_LOAD_THRESHOLD,
    idleProcesses: env.AGENT_IDLE_PROCESSES,
  }));
export type InterviewerAgentConfig = z.output<typeof InterviewerAgentEnv>;

export const loadInterviewerAgentConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, InterviewerAgentEnv, env);
