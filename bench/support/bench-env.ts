import { randomSecrets, stackEnv, type StackProfile, type StackSecrets } from '@app/devstack';
import type { JWK } from 'jose';

// The benchmarks' own corner of the machine: Redis DB 13 (dev uses 0, the tests 15) and ports the
// kernel hands out or that nobody else uses. Nothing here is ever a developer's or the tests' data.
export const BENCH_REDIS_DB = 13;

export interface BenchEnv {
  secrets: StackSecrets;
  /** Everything the video-streaming-server config schema reads. */
  env: Record<string, string>;
  ticketKey: JWK & { kid: string };
}

/**
 * The environment `npm start` and the tests give video-streaming-server (libs/devstack stackEnv),
 * with fresh random keys, our Redis DB and LiveKit/S3 addresses of the caller's choosing. The
 * ticket private key is kept for the benchmark (it signs tickets) and not handed to the app.
 */
export function benchEnv(options: {
  livekitPort: number;
  redisUrl?: string;
  s3Port?: number;
  overrides?: Record<string, string>;
}): BenchEnv {
  const secrets = randomSecrets();
  const profile: StackProfile = {
    name: 'test',
    livekit: { port: options.livekitPort, rtcTcpPort: 0, rtcUdpPort: 0 },
    objectStorePort: options.s3Port ?? 1,
    postgresServerUrl: 'postgres://postgres@127.0.0.1:5432',
    databaseName: 'parley_bench_unused',
    redisServerUrl: 'redis://127.0.0.1:6379',
    redisDb: BENCH_REDIS_DB,
    ports: { userManagement: 0, videoStreamingServer: 0, agentHealth: 0, recorder: 0 },
    freshDatabase: false,
  };
  const { SESSION_TICKET_PRIVATE_KEY, DATABASE_URL, ...env } = stackEnv(
    profile,
    secrets,
    `http://127.0.0.1:${options.s3Port ?? 1}`,
  );
  void DATABASE_URL; // video-streaming-server has no database
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;
  return { secrets, env: { ...env, ...options.overrides }, ticketKey: JSON.parse(SESSION_TICKET_PRIVATE_KEY) };
}
