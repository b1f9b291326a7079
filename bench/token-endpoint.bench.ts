// POST /v1/tokens/participant: the real video-streaming-server (Nest + Fastify, LOG_LEVEL=info)
// against bench/baseline/bare-token-server.ts doing the same crypto in one bare Fastify route.
// Goal: the app keeps at least 70 % of the baseline's throughput. Run: npm run build && node dist/bench/token-endpoint.bench.js
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { buildRoomName } from '@app/room-naming';
import { runHttpComparison } from './support/http-bench';
import { signTicket } from './support/tickets';

void runHttpComparison({
  title: 'POST /v1/tokens/participant — Parley app vs bare Fastify',
  command: 'node dist/bench/token-endpoint.bench.js',
  baselineScript: 'dist/bench/baseline/bare-token-server.js',
  goal: 0.7,
  notes: [
    'work per request, both servers: verify an Ed25519 session ticket (jose jwtVerify, EdDSA, audience), check room and identity, ' +
      "sign a LiveKit AccessToken (HS256) with grantFor('candidate', room), metadata and attributes; no Redis, no LiveKit call",
    'every request carries the same ticket and body',
  ],
  prepare: async ({ bench }) => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const { ticket, identity } = await signTicket(bench.ticketKey, {
      room,
      identity: `candidate-${randomUUID().slice(0, 8)}`,
    });
    return {
      path: '/v1/tokens/participant',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket, room, identity }),
    };
  },
  expect: (status, body) => {
    if (status !== 200) return 'expected 200';
    const json = JSON.parse(body) as { token?: string; role?: string };
    return json.token && json.role === 'candidate' ? undefined : 'expected a token for a candidate';
  },
}).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
