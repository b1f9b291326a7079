import {
  Ed25519PublicJwk,
  httpEnv,
  jsonEnv,
  keyRing,
  livekitEnv,
  objectStoreEnv,
  optionalString,
  parseEnv,
  redisEnv,
  secret,
  toHttpConfig,
  toLiveKitConfig,
  toObjectStoreConfig,
} from '@app/config';
import { z } from 'zod';

export const SERVICE_NAME = 'video-streaming-server';

const publicKeySet = jsonEnv(
  z.object({ keys: z.array(Ed25519PublicJwk).min(1) }),
  'a JSON Web Key Set holding one or more Ed25519 public keys: {"keys":[{"kty":"OKP","crv":"Ed25519","x":"…","kid":"…"}]}',
);

const durationMs = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const VideoStreamingServerEnv = z
  .object({
    ...httpEnv(3001),
    ...redisEnv,
    ...livekitEnv,
    ...objectStoreEnv,
    // Older LiveKit keys still accepted on verification while they rotate out (id:secret,…).
    LIVEKIT_EXTRA_KEYS: z.preprocess((v) => (v === '' ? undefined : v), keyRing(32).optional()),
    // The URL browsers dial, when it differs from LIVEKIT_URL (TLS terminator, public host).
    LIVEKIT_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^wss?$/ }).optional()),
    SESSION_TICKET_PUBLIC_KEYS: publicKeySet,
    TELEMETRY_SIGNING_KEYS: keyRing(32),
    OBSERVER_SHARED_SECRET: secret(32),
    PARTICIPANT_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(6 * 3600)
      .default(15 * 60),
    OBSERVER_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(6 * 3600)
      .default(15 * 60),
    TELEMETRY_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(3600)
      .default(15 * 60),
    HEARTBEAT_INTERVAL_MS: durationMs(500, 60_000, 5_000),
    HEARTBEAT_GRACE_MS: durationMs(1_000, 600_000, 30_000),
    REAPER_INTERVAL_MS: durationMs(100, 60_000, 5_000),
    REAPER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    RECONCILE_INTERVAL_MS: durationMs(1_000, 3_600_000, 30_000),
    WEBHOOK_DEDUPE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(86_400),
    // How long a session's Redis keys (hash, timeline, room membership) outlive its end.
    SESSION_RETENTION_SECONDS: z.coerce.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
    TIMELINE_MAX_ENTRIES: z.coerce.number().int().min(10).max(100_000).default(1_000),
  })
  .superRefine((env, ctx) => {
    if (env.HEARTBEAT_GRACE_MS < 2 * env.HEARTBEAT_INTERVAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HEARTBEAT_GRACE_MS'],
        message: 'must be at least twice HEARTBEAT_INTERVAL_MS, or one late heartbeat reaps a live session',
      });
    }
  })
  .transform((env) => {
    const livekit = toLiveKitConfig(env);
    return {
      http: toHttpConfig(env),
      logLevel: env.LOG_LEVEL,
      redis: { url: env.REDIS_URL, connectionName: SERVICE_NAME },
      livekit,
      livekitKeys: [{ id: livekit.apiKey, secret: livekit.apiSecret }, ...(env.LIVEKIT_EXTRA_KEYS ?? [])],
      livekitPublicUrl: env.LIVEKIT_PUBLIC_URL ?? livekit.url,
      objectStore: toObjectStoreConfig(env),
      tickets: { publicKeys: env.SESSION_TICKET_PUBLIC_KEYS },
      telemetry: { signingKeys: env.TELEMETRY_SIGNING_KEYS, ttlSeconds: env.TELEMETRY_TOKEN_TTL_SECONDS },
      observerSecret: env.OBSERVER_SHARED_SECRET,
      tokens: {
        participantTtlSeconds: env.PARTICIPANT_TOKEN_TTL_SECONDS,
        observerTtlSeconds: env.OBSERVER_TOKEN_TTL_SECONDS,
      },
      liveness: {
        heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
        graceMs: env.HEARTBEAT_GRACE_MS,
        reaperIntervalMs: env.REAPER_INTERVAL_MS,
        reaperBatchSize: env.REAPER_BATCH_SIZE,
        reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      },
      webhooks: { dedupeTtlSeconds: env.WEBHOOK_DEDUPE_TTL_SECONDS },
      timeline: { maxEntries: env.TIMELINE_MAX_ENTRIES },
      retention: { sessionSeconds: env.SESSION_RETENTION_SECONDS },
    };
  });
export type VideoStreamingServerConfig = z.output<typeof VideoStreamingServerEnv>;

export const VSS_CONFIG = Symbol('VSS_CONFIG');

export const loadVideoStreamingServerConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, VideoStreamingServerEnv, env);
