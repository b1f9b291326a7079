import {
  Ed25519PrivateJwk,
  httpEnv,
  jsonEnv,
  keyRing,
  livekitEnv,
  objectStoreEnv,
  optionalString,
  parseEnv,
  postgresEnv,
  redisEnv,
  toHttpConfig,
  toLiveKitConfig,
  toObjectStoreConfig,
  trustProxyEnv,
} from '@app/config';
import { ownedServiceKeyRing } from '@app/service-auth';
import { resolve } from 'node:path';
import { z } from 'zod';

export const SERVICE_NAME = 'user-management';

// The private half of the session-ticket key pair (R-T1): user-management signs, the media plane
// verifies with the public half.
const privateJwk = jsonEnv(
  Ed25519PrivateJwk,
  'an Ed25519 private JSON Web Key: {"kty":"OKP","crv":"Ed25519","x":"…","d":"…","kid":"…"}',
);

const seconds = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const UserManagementEnv = z
  .object({
    ...httpEnv(3000),
    ...trustProxyEnv,
    ...postgresEnv,
    ...redisEnv,
    ...objectStoreEnv,
    ...livekitEnv,
    // The URL browsers dial for meetings, when it differs from LIVEKIT_URL.
    LIVEKIT_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^wss?$/ }).optional()),
    // The object store host in replay URLs, when browsers reach it under another name than S3_ENDPOINT.
    S3_PUBLIC_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    // Where candidates open their invite; the secret travels in the URL fragment, never to a server log.
    PUBLIC_WEB_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
    // The media plane (video-streaming-server) as browsers reach it; the web app reads it from
    // GET /v1/web-config. Its WEB_ORIGINS must list PUBLIC_WEB_URL's origin.
    PUBLIC_MEDIA_API_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3001'),
    // The built web app (`npm run build:web`) served at `/`; relative to the working directory.
    WEB_APP_DIR: z.string().min(1).default('dist/web'),
    SESSION_TICKET_PRIVATE_KEY: privateJwk,
    SESSION_TICKET_TTL_SECONDS: seconds(60, 15 * 60, 10 * 60),
    // Staff access tokens (HS256, id:secret,…; the first signs, all verify).
    STAFF_JWT_KEYS: keyRing(32),
    STAFF_ACCESS_TOKEN_TTL_SECONDS: seconds(60, 3600, 15 * 60),
    STAFF_REFRESH_TOKEN_TTL_SECONDS: seconds(3600, 90 * 86_400, 30 * 86_400),
    // Keys the media plane and the agent sign their service tokens with, each tagged with the one
    // service allowed to use it (id:secret:caller,…; caller video-streaming-server or interviewer-agent).
    INTERNAL_API_KEYS: ownedServiceKeyRing(32),
    LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
    LOGIN_WINDOW_SECONDS: seconds(10, 86_400, 15 * 60),
    // A rotated refresh token presented again this soon is another tab that raced the rotation: a
    // plain 401, not "leaked, sign out everywhere".
    REFRESH_REUSE_GRACE_SECONDS: seconds(0, 120, 20),
    // How long a replica trusts its in-process copy of a user's token version (deactivation and
    // role changes reach every replica within this).
    USER_ACCESS_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(2_000),
    INVITE_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(90 * 24)
      .default(7 * 24),
    MEETING_TOKEN_MAX_TTL_HOURS: z.coerce.number().int().min(1).max(24).default(8),
    // R-R7: replay URLs live minutes, not days.
    REPLAY_URL_TTL_SECONDS: seconds(30, 15 * 60, 10 * 60),
  })
  .transform((env) => {
    const livekit = toLiveKitConfig(env);
    const objectStore = toObjectStoreConfig(env);
    return {
      http: { ...toHttpConfig(env), trustProxy: env.TRUST_PROXY },
      logLevel: env.LOG_LEVEL,
      database: { url: env.DATABASE_URL, applicationName: SERVICE_NAME },
      redis: { url: env.REDIS_URL, connectionName: SERVICE_NAME },
      objectStore,
      replayObjectStore: { ...objectStore, endpoint: env.S3_PUBLIC_ENDPOINT ?? objectStore.endpoint },
      livekit: {
        apiKey: livekit.apiKey,
        apiSecret: livekit.apiSecret,
        publicUrl: env.LIVEKIT_PUBLIC_URL ?? livekit.url,
      },
      publicWebUrl: env.PUBLIC_WEB_URL.replace(/\/+$/, ''),
      web: { mediaApiUrl: env.PUBLIC_MEDIA_API_URL.replace(/\/+$/, ''), appDir: resolve(env.WEB_APP_DIR) },
      sessionTicket: { privateJwk: env.SESSION_TICKET_PRIVATE_KEY, ttlSeconds: env.SESSION_TICKET_TTL_SECONDS },
      staffAuth: {
        keys: env.STAFF_JWT_KEYS,
        accessTtlSeconds: env.STAFF_ACCESS_TOKEN_TTL_SECONDS,
        refreshTtlSeconds: env.STAFF_REFRESH_TOKEN_TTL_SECONDS,
        loginMaxAttempts: env.LOGIN_MAX_ATTEMPTS,
        loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
        refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
        userAccessCacheMs: env.USER_ACCESS_CACHE_MS,
      },
      internalApiKeys: env.INTERNAL_API_KEYS,
      inviteTtlHours: env.INVITE_TTL_HOURS,
      meetingTokenMaxTtlHours: env.MEETING_TOKEN_MAX_TTL_HOURS,
      replayUrlTtlSeconds: env.REPLAY_URL_TTL_SECONDS,
    };
  });
export type UserManagementConfig = z.output<typeof UserManagementEnv>;

/** Injection token for the parsed config. */
export const UM_CONFIG = Symbol('UM_CONFIG');

export const loadUserManagementConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, UserManagementEnv, env);
