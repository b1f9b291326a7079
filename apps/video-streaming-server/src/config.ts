import { httpEnv, livekitEnv, objectStoreEnv, parseEnv, redisEnv, toHttpConfig, toLiveKitConfig, toObjectStoreConfig } from '@app/config';
import { z } from 'zod';

export const SERVICE_NAME = 'video-streaming-server';

export const VideoStreamingServerEnv = z
  .object({ ...httpEnv(3001), ...redisEnv, ...livekitEnv, ...objectStoreEnv })
  .transform((env) => ({
    http: toHttpConfig(env),
    logLevel: env.LOG_LEVEL,
    redis: { url: env.REDIS_URL, connectionName: SERVICE_NAME },
    livekit: toLiveKitConfig(env),
    objectStore: toObjectStoreConfig(env),
  }));
export type VideoStreamingServerConfig = z.output<typeof VideoStreamingServerEnv>;

export const loadVideoStreamingServerConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, VideoStreamingServerEnv, env);
