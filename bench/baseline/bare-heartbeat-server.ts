// Baseline for bench/heartbeat.bench.ts: the work of POST /v1/sessions/current/heartbeat in one
// bare Fastify route — verify the HS256 telemetry JWT (same keys, audience and issuer), run the same
// HEARTBEAT Lua script in one round trip — and nothing else: no Nest, no guard/interceptor chain,
// no request logging, no metrics, no request id. Its keys live under BENCH_KEY_PREFIX (default
// "bench:vss:") so they never touch the app's "vss:" keys. The app's own heartbeat route is lean
// too (sessions/heartbeat.route.ts) but keeps what a deployed service needs: the x-request-id
// header, the request-duration histogram, failure log lines and the global exception filter.
import { TELEMETRY_AUDIENCE, TELEMETRY_ISSUER } from '@app/contracts';
import Fastify from 'fastify';
import Redis from 'ioredis';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { HEARTBEAT_SCRIPT } from '../../apps/video-streaming-server/src/sessions/session.repository';

const env = process.env;
const prefix = env.BENCH_KEY_PREFIX ?? 'bench:vss:';
const heartbeatIntervalMs = Number(env.HEARTBEAT_INTERVAL_MS ?? 5_000);
const encoder = new TextEncoder();
// TELEMETRY_SIGNING_KEYS is id:secret[,id:secret…]; the JWT header's kid picks the key.
const keys = new Map(
  (env.TELEMETRY_SIGNING_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => [entry.slice(0, entry.indexOf(':')), encoder.encode(entry.slice(entry.indexOf(':') + 1))] as const),
);
if (keys.size === 0) throw new Error('TELEMETRY_SIGNING_KEYS is required');

type HeartbeatRedis = Redis & {
  benchHeartbeat(...args: Array<string | number>): Promise<number>;
};
const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379/13', {
  connectionName: 'bench-bare-heartbeat',
  maxRetriesPerRequest: 2,
}) as HeartbeatRedis;
redis.defineCommand('benchHeartbeat', { numberOfKeys: 4, lua: HEARTBEAT_SCRIPT });

const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));

app.post('/v1/sessions/current/heartbeat', async (request, reply) => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._-]{16,4096})$/.exec(header) : null;
  if (!match)
    return reply
      .code(401)
      .send({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'expected Authorization: Bearer <telemetry token>' });
  let claims: Record<string, unknown>;
  try {
    const { kid } = decodeProtectedHeader(match[1]);
    const key = kid ? keys.get(kid) : undefined;
    if (!key) throw new Error('unknown key');
    ({ payload: claims } = await jwtVerify(match[1], key, {
      algorithms: ['HS256'],
      audience: TELEMETRY_AUDIENCE,
      issuer: TELEMETRY_ISSUER,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    }));
  } catch {
    return reply.code(401).send({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'telemetry token rejected' });
  }
  const room = String(claims.room);
  const identity = String(claims.sub);
  const member = `${room}/${identity}`;
  const result = await redis.benchHeartbeat(
    `${prefix}liveness`,
    `${prefix}session:${member}`,
    `${prefix}room:${room}`,
    `${prefix}rooms`,
    member,
    Date.now(),
    room,
    identity,
    typeof claims.role === 'string' ? claims.role : '',
    typeof claims.org === 'string' ? claims.org : '',
  );
  if (result !== 1) return reply.code(410).send({ statusCode: 410, code: 'GONE', message: 'this session has ended' });
  return { status: 'alive', nextHeartbeatInMs: heartbeatIntervalMs };
});

const shutdown = () =>
  void app
    .close()
    .then(() => redis.quit())
    .finally(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 0) }).catch((err: unknown) => {
  process.stderr.write(`bare-heartbeat-server: ${String(err)}\n`);
  process.exit(1);
});
