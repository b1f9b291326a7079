import { z } from 'zod';

// Building blocks for each app's one EnvSchema. Apps spread the fragments they need into a
// z.object and map the flat variables to a nested, typed config in one transform.

export const port = z.coerce.number().int().min(0).max(65535);

// Empty strings count as "not set" so `FOO= npm start` falls back to the default.
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
export const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

export const secret = (minLength: number) =>
  z.string({ error: 'is required but not set' }).min(minLength, `must be at least ${minLength} characters`);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const httpEnv = (defaultPort: number) => ({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(defaultPort),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  // Bodies above this are refused with 413 before any handler runs.
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
});

export const redisEnv = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379/0'),
};

export const postgresEnv = {
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/parley'),
};

export const livekitEnv = {
  // The URL clients and agents dial (ws:// or wss://); the server API is reached over the matching http(s).
  LIVEKIT_URL: z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }).default('ws://127.0.0.1:7880'),
  LIVEKIT_API_KEY: z.string({ error: 'is required but not set' }).min(3),
  // LiveKit refuses secrets shorter than 32 characters outside dev mode; so do we.
  LIVEKIT_API_SECRET: secret(32),
  LIVEKIT_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
};

export const objectStoreEnv = {
  S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .default('http://127.0.0.1:7070'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, dashes)',
    )
    .default('parley'),
  S3_ACCESS_KEY_ID: z.string({ error: 'is required but not set' }).min(3),
  S3_SECRET_ACCESS_KEY: secret(8),
  S3_FORCE_PATH_STYLE: z.stringbool().default(true),
};

// Mappers from the flat variables of a fragment to the nested config the libs take, so every
// app maps them the same way.
type Parsed<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.output<T[K]> };

export const toHttpConfig = (env: Parsed<ReturnType<typeof httpEnv>>) => ({
  host: env.HOST,
  port: env.PORT,
  bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
});

export const toLiveKitConfig = (env: Parsed<typeof livekitEnv>) => ({
  url: env.LIVEKIT_URL,
  apiKey: env.LIVEKIT_API_KEY,
  apiSecret: env.LIVEKIT_API_SECRET,
  requestTimeoutMs: env.LIVEKIT_REQUEST_TIMEOUT_MS,
});

export const toObjectStoreConfig = (env: Parsed<typeof objectStoreEnv>) => ({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  bucket: env.S3_BUCKET,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  forcePathStyle: env.S3_FORCE_PATH_STYLE,
});

export interface KeyEntry {
  id: string;
  secret: string;
}

/**
 * A list of keys as `id:secret,id2:secret2` (whitespace around entries ignored). Several keys can
 * be active so secrets rotate without downtime; the first one signs. Problems are reported by
 * position, never by value.
 */
export const keyRing = (minSecretLength: number) =>
  z.string({ error: 'is required but not set' }).transform((raw, ctx): KeyEntry[] => {
    const entries = raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const keys: KeyEntry[] = [];
    entries.forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon).trim() : '';
      const secret = colon > 0 ? entry.slice(colon + 1).trim() : '';
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index + 1} must look like id:secret (id: letters, digits, _ . -)`,
        });
      } else if (secret.length < minSecretLength) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index + 1} (${id}) has a secret shorter than ${minSecretLength} characters`,
        });
      } else if (keys.some((k) => k.id === id)) {
        ctx.addIssue({ code: 'custom', message: `key id ${id} appears twice` });
      } else keys.push({ id, secret });
    });
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one id:secret' });
    return keys;
  });

/**
 * A variable holding JSON that must match `schema`. Problems are reported with `hint` (what the
 * value should look like), never with the value, which is usually a key.
 */
export const jsonEnv = <T extends z.ZodType>(schema: T, hint: string) =>
  z.string({ error: 'is required but not set' }).transform((raw, ctx): z.output<T> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON: ${hint}` });
      return z.NEVER;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `must be ${hint}` });
      return z.NEVER;
    }
    return result.data;
  });

// Ed25519 keys as JWKs (session tickets: user-management holds the private key, the media plane the public one).
export const Ed25519PublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(40).max(50),
  kid: z.string().min(1).max(64),
});
export const Ed25519PrivateJwk = Ed25519PublicJwk.extend({ d: z.string().min(40).max(50) });

const PROXY_ADDRESS = z.union([
  z.ipv4(),
  z.ipv6(),
  z.cidrv4(),
  z.cidrv6(),
  z.enum(['loopback', 'linklocal', 'uniquelocal']),
]);

/**
 * TRUST_PROXY: whose X-Forwarded-For decides the client address (per-address sign-in limits,
 * audit lines). `false` (default): the socket address; `true`: the left-most forwarded address;
 * a number: that many proxy hops; or a comma-separated list of proxy addresses/CIDRs (and
 * loopback, linklocal, uniquelocal). Handed to Fastify's trustProxy.
 */
export const trustProxyEnv = {
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('false')
      .transform((raw, ctx): boolean | number | string[] => {
        const value = raw.trim();
        if (value === 'false') return false;
        if (value === 'true') return true;
        if (/^\d+$/.test(value)) {
          const hops = Number(value);
          if (hops >= 1 && hops <= 10) return hops;
          ctx.addIssue({ code: 'custom', message: 'a hop count must be between 1 and 10' });
          return z.NEVER;
        }
        const entries = value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
        const bad = entries.findIndex((entry) => !PROXY_ADDRESS.safeParse(entry).success);
        if (entries.length === 0 || bad >= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must be false, true, a hop count, or a comma-separated list of IP addresses/CIDRs${bad >= 0 ? ` (entry ${bad + 1} is neither)` : ''}`,
          });
          return z.NEVER;
        }
        return entries;
      }),
  ),
};
