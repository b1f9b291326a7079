import {
  Ed25519PublicJwk,
  httpEnv,
  jsonEnv,
  keyRing,
  livekitEnv,
  objectStoreEnv,
  optionalString,
  parseEnv,
  trustProxyEnv,
  redisEnv,
  secret,
  toHttpConfig,
  toLiveKitConfig,
  toObjectStoreConfig,
} from '@app/config';
import { z } from 'zod';
import { avatarsEnv, toAvatarsConfig } from './avatars/avatars.env';
import { toTtsConfig, ttsEnv } from './speech/speech.env';

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
    ...trustProxyEnv,
    ...redisEnv,
    ...livekitEnv,
    ...objectStoreEnv,
    // Older LiveKit keys still accepted on verification while they rotate out (id:secret,…).
    LIVEKIT_EXTRA_KEYS: z.preprocess((v) => (v === '' ? undefined : v), keyRing(32).optional()),
    // The URL browsers dial, when it differs from LIVEKIT_URL (TLS terminator, public host).
    LIVEKIT_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^wss?$/ }).optional()),
    // Origins whose pages may call this API from a browser (CORS): where user-management serves
    // the web app (its PUBLIC_WEB_URL), and the dev server. Comma-separated.
    WEB_ORIGINS: z
      .string()
      .default('http://127.0.0.1:3000,http://localhost:3000,http://127.0.0.1:5173,http://localhost:5173')
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((o) => new URL(o).origin)).max(50)),
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
    // Clients renew at two thirds of it (POST /v1/tokens/telemetry/renew). The minimum is this low
    // only so that tests can cross several lifetimes in seconds; deployments use minutes.
    TELEMETRY_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(15 * 60),
    HEARTBEAT_INTERVAL_MS: durationMs(500, 60_000, 5_000),
    HEARTBEAT_GRACE_MS: durationMs(1_000, 600_000, 30_000),
    REAPER_INTERVAL_MS: durationMs(100, 60_000, 5_000),
    REAPER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    // Zombies cleaned up at once (each cleanup is a few LiveKit and Redis round trips).
    REAPER_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
    // user-management's internal API (R-R6, abandoned interviews), called with this service's own
    // key (id:secret; the first signs): user-management knows the key belongs to the media plane.
    USER_MANAGEMENT_URL: z.url({ protocol: /^https?$/ }),
    VSS_INTERNAL_API_KEY: keyRing(32),
    USER_MANAGEMENT_REPORT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
    USER_MANAGEMENT_REPORT_BACKOFF_MS: durationMs(10, 600_000, 1_000),
    RECONCILE_INTERVAL_MS: durationMs(1_000, 3_600_000, 30_000),
    // Never shorter than a webhook signature stays valid (LiveKit signs for 5 minutes): a replay of a
    // still-valid signed body must still find its event id remembered.
    WEBHOOK_DEDUPE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(600)
      .max(7 * 86_400)
      .default(86_400),
    // How long a session's Redis keys (hash, timeline, room membership) outlive its end. Values under
    // a minute only make sense in tests (retention is observed without waiting minutes).
    SESSION_RETENTION_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(90 * 86_400)
      .default(7 * 86_400),
    TIMELINE_MAX_ENTRIES: z.coerce.number().int().min(10).max(100_000).default(1_000),
    // Bytes (field names and values) a session timeline may hold; the oldest entries go first. The
    // minimum holds the largest single entry the events schema allows (about 23 KB).
    TIMELINE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(32 * 1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    // Client events per session: a token bucket refilled at this rate, holding at most the burst. The
    // burst is at least one full request (50 events).
    TELEMETRY_EVENTS_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(20),
    TELEMETRY_EVENTS_BURST: z.coerce.number().int().min(50).max(100_000).default(300),
    // R-R4: what records tracks. `egress`: LiveKit track egress (production, docker-compose);
    // `local`: Parley's Go-SDK recorder (recorder/), where egress cannot be built (see README).
    RECORDER: z.enum(['local', 'egress']).default('local'),
    RECORDER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:7090'),
    // An interview records from the candidate's arrival when its posting's policy allows (R-R1).
    RECORDING_AUTO_START_INTERVIEWS: z.stringbool().default(true),
    // Whether a stop by someone other than the starter waits for the starter's approval, unless
    // the start said otherwise (R-R2).
    RECORDING_STOP_APPROVAL: z.enum(['required', 'not_required']).default('required'),
    // After a stop, how long finalize waits for tracks still being written before it finalizes
    // what was saved (and says the recording was cut short).
    RECORDING_TRACK_WAIT_MS: durationMs(500, 3_600_000, 60_000),
    // Raw tracks are deleted this long after the final file is verified; empty keeps them.
    RECORDING_RAW_RETENTION_SECONDS: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce
        .number()
        .int()
        .min(0)
        .max(365 * 86_400)
        .optional(),
    ),
    // This process works the finalize queue too; false leaves it to `finalize-worker` processes.
    FINALIZE_INLINE: z.stringbool().default(true),
    FINALIZE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
    FINALIZE_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    FINALIZE_BACKOFF_MS: durationMs(10, 600_000, 2_000),
    // How soon a finalize whose worker died is taken up again (BullMQ lock and stalled check).
    FINALIZE_LOCK_MS: durationMs(1_000, 600_000, 30_000),
    // libx264 preset / libvpx speed for the several-camera composite (the only re-encoded video).
    FINALIZE_COMPOSITE_PRESET: z
      .string()
      .regex(/^[a-z0-9]{1,20}$/)
      .default('veryfast'),
    FINALIZE_TMP_DIR: optionalString,
    ...ttsEnv,
    ...avatarsEnv,
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
      http: { ...toHttpConfig(env), trustProxy: env.TRUST_PROXY },
      logLevel: env.LOG_LEVEL,
      redis: { url: env.REDIS_URL, connectionName: SERVICE_NAME },
      livekit,
      livekitKeys: [{ id: livekit.apiKey, secret: livekit.apiSecret }, ...(env.LIVEKIT_EXTRA_KEYS ?? [])],
      livekitPublicUrl: env.LIVEKIT_PUBLIC_URL ?? livekit.url,
      webOrigins: env.WEB_ORIGINS,
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
        reaperConcurrency: env.REAPER_CONCURRENCY,
        reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      },
      webhooks: { dedupeTtlSeconds: env.WEBHOOK_DEDUPE_TTL_SECONDS },
      timeline: {
        maxEntries: env.TIMELINE_MAX_ENTRIES,
        maxBytes: env.TIMELINE_MAX_BYTES,
        eventsPerSecond: env.TELEMETRY_EVENTS_PER_SECOND,
        eventsBurst: env.TELEMETRY_EVENTS_BURST,
      },
      retention: { sessionSeconds: env.SESSION_RETENTION_SECONDS },
      tts: toTtsConfig(env),
      avatars: toAvatarsConfig(env),
      recording: {
        recorder: env.RECORDER,
        localRecorderUrl: env.RECORDER_URL.replace(/\/+$/, ''),
        autoStartInterviews: env.RECORDING_AUTO_START_INTERVIEWS,
        stopApproval: env.RECORDING_STOP_APPROVAL,
        trackWaitMs: env.RECORDING_TRACK_WAIT_MS,
        rawRetentionSeconds: env.RECORDING_RAW_RETENTION_SECONDS,
        finalize: {
          inline: env.FINALIZE_INLINE,
          concurrency: env.FINALIZE_CONCURRENCY,
          attempts: env.FINALIZE_ATTEMPTS,
          backoffMs: env.FINALIZE_BACKOFF_MS,
          lockMs: env.FINALIZE_LOCK_MS,
          compositePreset: env.FINALIZE_COMPOSITE_PRESET,
          tmpDir: env.FINALIZE_TMP_DIR,
        },
      },
      userManagement: {
        url: env.USER_MANAGEMENT_URL.replace(/\/+$/, ''),
        serviceKey: env.VSS_INTERNAL_API_KEY[0],
        reportAttempts: env.USER_MANAGEMENT_REPORT_ATTEMPTS,
        reportBackoffMs: env.USER_MANAGEMENT_REPORT_BACKOFF_MS,
      },
    };
  });
export type VideoStreamingServerConfig = z.output<typeof VideoStreamingServerEnv>;

export const VSS_CONFIG = Symbol('VSS_CONFIG');

export const loadVideoStreamingServerConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, VideoStreamingServerEnv, env);
