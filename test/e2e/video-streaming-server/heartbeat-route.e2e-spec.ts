import { randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from '@app/redis';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadVideoStreamingServerConfig } from '../../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../../apps/video-streaming-server/src/create-app';
import { HEARTBEAT_ROUTE } from '../../../apps/video-streaming-server/src/sessions/heartbeat.route';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

// Issue 8, item 14: the heartbeat is served by a lean handler (sessions/heartbeat.route.ts) instead
// of Nest's pipeline. Its answers, error bodies and metrics must be those of every other route.
const env = inject('stackEnv');
let app: NestFastifyApplication;

const heartbeat = (target: NestFastifyApplication, headers: Record<string, string> = {}) =>
  call(target, { url: HEARTBEAT_ROUTE.url, headers });

async function session(target: NestFastifyApplication) {
  const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
  const identity = `candidate-${randomUUID().slice(0, 8)}`;
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
  const participant = await call(target, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const telemetry = await call(target, { url: '/v1/tokens/telemetry', body: { livekitToken: participant.json.token } });
  expect(telemetry.status).toBe(200);
  return { room, identity, auth: { authorization: `Bearer ${telemetry.json.token as string}` } };
}

async function heartbeatCount(status: number): Promise<number> {
  const metrics = (await call(app, { method: 'GET', url: '/metrics' })).body;
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('parley_http_request_duration_seconds_count{') &&
        l.includes(`route="${HEARTBEAT_ROUTE.url}"`) &&
        l.includes(`status_code="${status}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

const errorBodyKeys = ['code', 'message', 'requestId', 'statusCode'];

describe('the heartbeat path', () => {
  it('skips Nest’s per-request pipeline: the TelemetryGuard never runs for a heartbeat', async () => {
    // The guard leaves the verified claims on request.telemetry; a lean request never gets them,
    // while the other telemetry routes still go through the guard.
    const lean = await createVideoStreamingServer(loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'silent' }));
    const guarded = new Map<string, boolean>();
    lean
      .getHttpAdapter()
      .getInstance()
      .addHook('onResponse', async (request) => {
        guarded.set(request.routeOptions.url ?? '', 'telemetry' in request);
      });
    await lean.init();
    try {
      const s = await session(lean);
      expect((await heartbeat(lean, s.auth)).status).toBe(200);
      const timeline = await call(lean, { method: 'GET', url: '/v1/sessions/current/timeline', headers: s.auth });
      expect(timeline.status).toBe(200);
      expect(guarded.get('/v1/sessions/current/timeline')).toBe(true);
      expect(guarded.get(HEARTBEAT_ROUTE.url)).toBe(false);
    } finally {
      await lean.close();
    }
  });
});

describe('heartbeat log lines', () => {
  it('writes none for a success, and the usual request line (with its request id) for a failure', async () => {
    const lines: string[] = [];
    const logged = await createVideoStreamingServer(loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'info' }), {
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    await logged.init();
    try {
      const s = await session(logged);
      const entries = () =>
        lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((e) => e.msg === 'request completed' && e.url === HEARTBEAT_ROUTE.url);
      expect((await heartbeat(logged, { ...s.auth, 'x-request-id': 'hb-ok-1' })).status).toBe(200);
      expect((await heartbeat(logged, { authorization: 'Bearer nope', 'x-request-id': 'hb-bad-1' })).status).toBe(401);
      await logged.get(SessionRepository).endRoom(s.room, Date.now() + 1_000, 'test_room_finished');
      expect((await heartbeat(logged, { ...s.auth, 'x-request-id': 'hb-gone-1' })).status).toBe(410);
      expect(entries().map((e) => [e.requestId, e.statusCode, e.service])).toEqual([
        ['hb-bad-1', 401, 'video-streaming-server'],
        ['hb-gone-1', 410, 'video-streaming-server'],
      ]);
    } finally {
      await logged.close();
    }
  });
});

describe('the lean heartbeat route', () => {
  beforeAll(async () => {
    app = await startVss(env);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps a session alive and answers as documented', async () => {
    const s = await session(app);
    const response = await heartbeat(app, { ...s.auth, 'x-request-id': 'hb-trace-1' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'alive', nextHeartbeatInMs: 5_000 });
    expect(response.headers['x-request-id']).toBe('hb-trace-1');
    expect((await app.get(SessionRepository).get(s.room, s.identity))?.lastHeartbeatAt).toBeGreaterThan(0);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no Authorization header', {}, /expected Authorization: Bearer/],
    ['a malformed Bearer value', { authorization: 'Bearer not.a.token' }, /expected Authorization: Bearer/],
    [
      'a JWT that is not a telemetry token',
      { authorization: `Bearer ${'a'.repeat(20)}.${'b'.repeat(20)}.c` },
      /telemetry token rejected/,
    ],
  ])('answers %s with 401 and the global error body', async (_label, headers, message) => {
    const response = await heartbeat(app, { ...headers, 'x-request-id': 'hb-trace-401' });
    expect(response.status).toBe(401);
    expect(Object.keys(response.json).sort()).toEqual(errorBodyKeys);
    expect(response.json).toMatchObject({
      statusCode: 401,
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(message),
      requestId: 'hb-trace-401',
    });
  });

  it('answers an ended session with 410 and the global error body', async () => {
    const s = await session(app);
    await app.get(SessionRepository).endRoom(s.room, Date.now() + 1_000, 'test_room_finished');
    const response = await heartbeat(app, s.auth);
    expect(response.status).toBe(410);
    expect(Object.keys(response.json).sort()).toEqual([...errorBodyKeys, 'reason'].sort());
    expect(response.json).toMatchObject({
      statusCode: 410,
      code: 'GONE',
      reason: 'session_ended',
      message: expect.stringMatching(/rejoin/),
    });
  });

  it('counts successes and failures in the request-duration histogram under the route', async () => {
    const s = await session(app);
    const [ok, unauthenticated] = [await heartbeatCount(200), await heartbeatCount(401)];
    await heartbeat(app, s.auth);
    await heartbeat(app, s.auth);
    await heartbeat(app, { authorization: 'Bearer nope' });
    expect(await heartbeatCount(200)).toBe(ok + 2);
    expect(await heartbeatCount(401)).toBe(unauthenticated + 1);
  });

  it('answers 503 (retry later), not 500, while Redis is unreachable', async () => {
    // A token minted by a healthy replica (same keys), presented to one whose Redis connection is
    // gone. (reaper.e2e-spec.ts restarts a real Redis under heartbeating clients: 503 there too.)
    const s = await session(app);
    const cutOff = await startVss(env);
    cutOff.get<Redis>(REDIS_CLIENT).disconnect();
    try {
      const response = await heartbeat(cutOff, s.auth);
      expect(response.status).toBe(503);
      expect(Object.keys(response.json).sort()).toEqual(errorBodyKeys);
      expect(response.json).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    } finally {
      await cutOff.close();
    }
  });
});
