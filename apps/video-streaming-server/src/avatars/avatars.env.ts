import { z } from 'zod';

// R-A2/R-A3: the avatar sessions' settings, one fragment of the media plane's config schema (config.ts
// spreads it in and maps it with toAvatarsConfig). Owned by the avatars module.

const optionalKey = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional());
const optionalId = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).max(200).optional());
const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const AVATAR_VENDORS = ['simli', 'spatius'] as const;
export type AvatarVendorName = (typeof AVATAR_VENDORS)[number];

export const avatarsEnv = {
  // Which vendor a session uses when the client does not name one.
  AVATAR_VENDOR: z.enum(AVATAR_VENDORS).default('simli'),

  // Simli (https://docs.simli.com/api-reference/compose-session-token). No key: Simli is disabled.
  SIMLI_API_KEY: optionalKey,
  SIMLI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.simli.ai'),
  // The face the session shows; Simli's documented default face when unset.
  SIMLI_FACE_ID: optionalId,
  SIMLI_MAX_SESSION_SECONDS: int(10, 24 * 3600, 3600),
  SIMLI_MAX_IDLE_SECONDS: int(5, 3600, 300),
  // Simli's token answer carries no expiry: how long an unused compose token is taken to stay valid.
  SIMLI_TOKEN_TTL_SECONDS: int(2, 24 * 3600, 300),

  // Spatius (https://docs.spatius.ai/api-reference/api-reference). Key and app id both needed.
  SPATIUS_API_KEY: optionalKey,
  SPATIUS_APP_ID: optionalId,
  SPATIUS_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://console.us-west.spatius.ai'),
  // The expireAt Parley asks for (Spatius allows up to 24 h).
  SPATIUS_TOKEN_TTL_SECONDS: int(2, 24 * 3600 - 60, 600),

  // Per vendor and process: vendor calls (token mints) in flight at once. Pool refills use spare
  // capacity only; requests that need a mint while it is all in use wait in the queue below.
  AVATAR_CAPACITY: int(1, 1_000, 4),
  // Ready tokens kept per vendor (0: mint on demand only).
  AVATAR_POOL_SIZE: int(0, 100, 2),
  // Requests waiting for capacity (per vendor), and how long one may wait before its 503.
  AVATAR_QUEUE_MAX: int(0, 10_000, 16),
  AVATAR_QUEUE_WAIT_MS: int(10, 60_000, 2_000),
  // A token with less than this left is never handed out; one with less than margin + refresh-ahead
  // is replaced in the pool (still handed out first while valid).
  AVATAR_TOKEN_MARGIN_MS: int(0, 3_600_000, 30_000),
  AVATAR_REFRESH_AHEAD_MS: int(0, 3_600_000, 30_000),
  // Every vendor call: its deadline, and the circuit breaker around it.
  AVATAR_VENDOR_TIMEOUT_MS: int(50, 60_000, 3_000),
  AVATAR_BREAKER_FAILURES: int(1, 1_000, 5),
  AVATAR_BREAKER_HALF_OPEN_MS: int(100, 600_000, 10_000),
};

type AvatarsEnv = z.output<z.ZodObject<typeof avatarsEnv>>;

/** Simli's default face (its docs' example face id), when SIMLI_FACE_ID is unset. */
export const SIMLI_DEFAULT_FACE_ID = 'tmp9i8bbq7c';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export const toAvatarsConfig = (env: AvatarsEnv) => ({
  defaultVendor: env.AVATAR_VENDOR,
  simli: env.SIMLI_API_KEY
    ? {
        apiKey: env.SIMLI_API_KEY,
        baseURL: trimSlash(env.SIMLI_BASE_URL),
        faceId: env.SIMLI_FACE_ID ?? SIMLI_DEFAULT_FACE_ID,
        maxSessionSeconds: env.SIMLI_MAX_SESSION_SECONDS,
        maxIdleSeconds: env.SIMLI_MAX_IDLE_SECONDS,
        tokenTtlMs: env.SIMLI_TOKEN_TTL_SECONDS * 1000,
      }
    : null,
  spatius:
    env.SPATIUS_API_KEY && env.SPATIUS_APP_ID
      ? {
          apiKey: env.SPATIUS_API_KEY,
          appId: env.SPATIUS_APP_ID,
          baseURL: trimSlash(env.SPATIUS_BASE_URL),
          tokenTtlMs: env.SPATIUS_TOKEN_TTL_SECONDS * 1000,
        }
      : null,
  lane: {
    capacity: env.AVATAR_CAPACITY,
    poolSize: env.AVATAR_POOL_SIZE,
    queueMax: env.AVATAR_QUEUE_MAX,
    queueWaitMs: env.AVATAR_QUEUE_WAIT_MS,
    tokenMarginMs: env.AVATAR_TOKEN_MARGIN_MS,
    refreshAheadMs: env.AVATAR_REFRESH_AHEAD_MS,
    vendorTimeoutMs: env.AVATAR_VENDOR_TIMEOUT_MS,
    breakerFailures: env.AVATAR_BREAKER_FAILURES,
    breakerHalfOpenMs: env.AVATAR_BREAKER_HALF_OPEN_MS,
  },
});
export type AvatarsConfig = ReturnType<typeof toAvatarsConfig>;
export type AvatarLaneSettings = AvatarsConfig['lane'];
export type SimliConfig = NonNullable<AvatarsConfig['simli']>;
export type SpatiusConfig = NonNullable<AvatarsConfig['spatius']>;
