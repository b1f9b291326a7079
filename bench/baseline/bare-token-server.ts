// Baseline for bench/token-endpoint.bench.ts: the work of POST /v1/tokens/participant in one bare
// Fastify route — verify the Ed25519 session ticket, check room and identity, sign the LiveKit
// token with the same grants, metadata and attributes — and nothing else: no Nest, no validation
// pipe, no request logging, no metrics. Configured from the same variables as the app.
import { SESSION_TICKET_AUDIENCE } from '@app/contracts';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { AccessToken, TrackSource } from 'livekit-server-sdk';

const env = process.env;
const need = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const apiKey = need('LIVEKIT_API_KEY');
const apiSecret = need('LIVEKIT_API_SECRET');
const livekitUrl = env.LIVEKIT_PUBLIC_URL || env.LIVEKIT_URL || 'ws://127.0.0.1:7880';
const ttlSeconds = Number(env.PARTICIPANT_TOKEN_TTL_SECONDS ?? 15 * 60);
const publicKeys = JSON.parse(need('SESSION_TICKET_PUBLIC_KEYS')) as { keys: JWK[] };
const keys = createLocalJWKSet({ keys: publicKeys.keys.map((k) => ({ ...k, alg: 'EdDSA', use: 'sig' })) });
// grantFor('candidate', room) in libs/livekit/src/grants.ts.
const AUDIO_VIDEO_SCREEN = [
  TrackSource.MICROPHONE,
  TrackSource.CAMERA,
  TrackSource.SCREEN_SHARE,
  TrackSource.SCREEN_SHARE_AUDIO,
];

interface Body {
  ticket?: unknown;
  room?: unknown;
  identity?: unknown;
}

const app = Fastify({ logger: false, bodyLimit: Number(env.HTTP_BODY_LIMIT_BYTES ?? 1024 * 1024) });

app.get('/healthz', async () => ({ status: 'ok' }));

app.post<{ Body: Body }>('/v1/tokens/participant', async (request, reply) => {
  const { ticket, room, identity } = request.body ?? {};
  if (typeof ticket !== 'string' || typeof room !== 'string' || typeof identity !== 'string') {
    return reply
      .code(400)
      .send({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'ticket, room and identity are required' });
  }
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(ticket, keys, {
      algorithms: ['EdDSA'],
      audience: SESSION_TICKET_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    }));
  } catch {
    return reply.code(401).send({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'session ticket rejected' });
  }
  if (room !== claims.room || identity !== claims.sub) {
    return reply
      .code(403)
      .send({ statusCode: 403, code: 'FORBIDDEN', message: 'the ticket does not grant this room or identity' });
  }
  const role = String(claims.role);
  const token = new AccessToken(apiKey, apiSecret, {
    identity,
    ttl: ttlSeconds,
    metadata: JSON.stringify({ role, sessionId: claims.sessionId }),
    attributes: { 'parley.role': role, 'parley.org': String(claims.org) },
  });
  token.addGrant({
    roomJoin: true,
    room,
    canSubscribe: true,
    canPublishData: true,
    canUpdateOwnMetadata: false,
    canPublish: true,
    canPublishSources: AUDIO_VIDEO_SCREEN,
  });
  return {
    token: await token.toJwt(),
    url: livekitUrl,
    room,
    identity,
    expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    role,
  };
});

const shutdown = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 0) }).catch((err: unknown) => {
  process.stderr.write(`bare-token-server: ${String(err)}\n`);
  process.exit(1);
});
