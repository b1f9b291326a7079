// POST /v1/sessions/current/heartbeat: the real video-streaming-server (Nest + Fastify,
// LOG_LEVEL=info), which serves this route on its lean path (a plain Fastify handler, see
// apps/video-streaming-server/src/sessions/heartbeat.route.ts), against
// bench/baseline/bare-heartbeat-server.ts doing the same work in one bare Fastify route (HS256
// telemetry JWT verification + the same HEARTBEAT Lua script on Redis).
// Goal: the app keeps at least 70 % of the baseline's throughput. Run: npm run build && node dist/bench/heartbeat.bench.js
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { buildRoomName } from '@app/room-naming';
import { runHttpComparison } from './support/http-bench';
import { signTicket } from './support/tickets';

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<void> {
  await runHttpComparison({
    title: 'POST /v1/sessions/current/heartbeat — Parley app vs bare Fastify',
    command: 'node dist/bench/heartbeat.bench.js',
    baselineScript: 'dist/bench/baseline/bare-heartbeat-server.js',
    // Same Redis DB (13), its own key prefix, so the two never share a key.
    baselineEnv: (env) => ({ ...env, BENCH_KEY_PREFIX: 'bench:vss:' }),
    goal: 0.7,
    notes: [
      'the app serves the heartbeat on its lean path: a plain Fastify handler (sessions/heartbeat.route.ts) instead of ' +
        'Nest’s pipeline, calling the same verification (TelemetryTokenService) and SessionsService.heartbeat; the ' +
        'global Fastify hooks (x-request-id, request-duration histogram, failure log lines) and the global exception ' +
        'filter still apply to it',
      'work per request, both servers: verify an HS256 telemetry JWT (jose jwtVerify, kid → key, audience, issuer), ' +
        'then one EVALSHA of the HEARTBEAT Lua script (HGET, ZADD, HSET) on the shared Redis at 127.0.0.1:6379, DB 13 ' +
        '(app keys `vss:…`, baseline keys `bench:vss:…`)',
      'the telemetry JWT comes from the running app (POST /v1/tokens/participant, then POST /v1/tokens/telemetry), ' +
        'so the session is open; every request sends the same JWT, so every heartbeat refreshes the same session',
      'Redis runs on the same 2 CPUs as the servers and the load generator',
    ],
    prepare: async ({ bench, app }) => {
      const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
      const { ticket, identity } = await signTicket(bench.ticketKey, {
        room,
        identity: `candidate-${randomUUID().slice(0, 8)}`,
      });
      const participant = await post(`${app.url}/v1/tokens/participant`, { ticket, room, identity });
      const telemetry = await post(`${app.url}/v1/tokens/telemetry`, { livekitToken: participant.token });
      return {
        path: '/v1/sessions/current/heartbeat',
        method: 'POST',
        headers: { authorization: `Bearer ${String(telemetry.token)}` },
      };
    },
    expect: (status, body) => {
      if (status !== 200) return 'expected 200';
      return (JSON.parse(body) as { status?: string }).status === 'alive' ? undefined : 'expected {"status":"alive"}';
    },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
