import { randomUUID } from 'node:crypto';
import { ReadinessReport } from '@app/contracts';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss, type InjectOptions } from '../../support/vss.util';
import { signWebhook, webhookBody } from '../../support/webhook.util';

const env = inject('stackEnv');

async function session(app: NestFastifyApplication) {
  const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
  const identity = `cand-${randomUUID().slice(0, 8)}`;
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
  const participant = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const telemetry = await call(app, { url: '/v1/tokens/telemetry', body: { livekitToken: participant.json?.token } });
  return { room, identity, ticket, participant, telemetry };
}

describe('with LiveKit unreachable (R-L3)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, so every LiveKit call is refused.
    app = await startVss(env, { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps minting tokens and taking heartbeats and telemetry', async () => {
    const s = await session(app);
    expect(s.participant.status).toBe(200);
    expect(s.telemetry.status).toBe(200);
    const auth = { authorization: `Bearer ${s.telemetry.json.token}` };
    expect((await call(app, { url: '/v1/sessions/current/heartbeat', headers: auth })).status).toBe(200);
    expect(
      (
        await call(app, {
          url: '/v1/sessions/current/events',
          headers: auth,
          body: { events: [{ type: 'marker', message: 'still here' }] },
        })
      ).status,
    ).toBe(202);
  });

  it('says degraded on /readyz (200) with LiveKit down, and live on /healthz', async () => {
    const response = await call(app, { method: 'GET', url: '/readyz' });
    expect(response.status).toBe(200);
    const report = ReadinessReport.parse(response.json);
    expect(report.status).toBe('degraded');
    expect(report.dependencies.find((d) => d.name === 'livekit')).toMatchObject({ status: 'down', critical: false });
    expect(report.dependencies.find((d) => d.name === 'redis')).toMatchObject({ status: 'up', critical: true });
    expect((await call(app, { method: 'GET', url: '/healthz' })).status).toBe(200);
  });

  it('answers 503 with a clear error where LiveKit is needed', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const response = await call(app, {
      method: 'GET',
      url: `/v1/rooms/${room}/participants`,
      headers: { 'x-observer-secret': env.OBSERVER_SHARED_SECRET },
    });
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(response.json.message).toMatch(/LiveKit is unreachable/);
  });
});

describe('malformed input never gets a 5xx', () => {
  let app: NestFastifyApplication;
  let telemetryAuth: Record<string, string>;
  const observerAuth = () => ({ 'x-observer-secret': env.OBSERVER_SHARED_SECRET });
  const huge = 'x'.repeat(2 * 1024 * 1024);

  beforeAll(async () => {
    app = await startVss(env);
    const s = await session(app);
    telemetryAuth = { authorization: `Bearer ${s.telemetry.json.token}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  const bodies: Array<[string, Partial<InjectOptions>]> = [
    ['invalid JSON', { payload: '{"ticket": "abc",', headers: { 'content-type': 'application/json' } }],
    ['an empty body', { payload: '', headers: { 'content-type': 'application/json' } }],
    ['null', { body: null }],
    ['an array', { body: [1, 2, 3] }],
    ['a number', { body: 42 }],
    ['wrong field types', { body: { ticket: 12, room: true, identity: [], livekitToken: {}, events: 'x' } }],
    ['missing fields', { body: {} }],
    ['unknown extra fields', { body: { surprise: 'field' } }],
    ['huge strings', { body: { ticket: huge, room: huge, identity: huge, livekitToken: huge } }],
    ['a 2 MiB body', { payload: JSON.stringify({ blob: huge }), headers: { 'content-type': 'application/json' } }],
    [
      'a non-JSON content type',
      { payload: 'ticket=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ],
  ];
  const endpoints: Array<[string, () => Record<string, string>]> = [
    ['/v1/tokens/participant', () => ({})],
    ['/v1/tokens/observer', observerAuth],
    ['/v1/tokens/telemetry', () => ({})],
    ['/v1/sessions/current/events', () => telemetryAuth],
    ['/v1/sessions/current/heartbeat', () => ({ authorization: 'Bearer not.a.token' })],
    ['/v1/livekit/webhook', () => ({ authorization: 'x' })],
  ];

  for (const [url, auth] of endpoints) {
    it.each(bodies)(`POST ${url} with %s → 4xx with a message`, async (_label, request) => {
      const response = await call(app, { url, ...request, headers: { ...auth(), ...request.headers } });
      expect(response.status, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(response.status, response.body.slice(0, 300)).toBeLessThan(500);
      expect(typeof response.json?.message).toBe('string');
    });
  }

  it.each([
    ['an event of an unknown type', { events: [{ type: 'shout', message: 'hi' }] }, /type/],
    ['too many events', { events: Array.from({ length: 51 }, () => ({ type: 'log', message: 'x' })) }, /events/],
    ['an over-long message', { events: [{ type: 'log', message: 'x'.repeat(2_001) }] }, /message/],
    ['a bad timestamp', { events: [{ type: 'log', message: 'x', at: 'yesterday' }] }, /at/],
    ['nested data', { events: [{ type: 'log', message: 'x', data: { deep: { er: 1 } } }] }, /data/],
  ])('telemetry events: %s → 400 naming the field', async (_label, body, field) => {
    const response = await call(app, { url: '/v1/sessions/current/events', body, headers: telemetryAuth });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('VALIDATION_FAILED');
    expect(response.json.issues.map((i: { path: string }) => i.path).join(' ')).toMatch(field);
  });

  it.each([
    ['limit=abc', 400],
    ['limit=0', 400],
    ['limit=100000', 400],
    ['limit=5&extra=1', 400],
    ['limit=5', 200],
  ])('timeline query %s → %i', async (query, status) => {
    const response = await call(app, {
      method: 'GET',
      url: `/v1/sessions/current/timeline?${query}`,
      headers: telemetryAuth,
    });
    expect(response.status).toBe(status);
  });

  it.each(['lobby', 'interview_not-a-uuid', `meeting_${randomUUID()}__nobot__nobot`, 'x'.repeat(5_000)])(
    'room participants for room %j → 400',
    async (room) => {
      const response = await call(app, {
        method: 'GET',
        url: `/v1/rooms/${encodeURIComponent(room)}/participants`,
        headers: observerAuth(),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    },
  );
});

describe('ill-formed text (lone UTF-16 surrogates, NUL) is a 400 naming the field', () => {
  let app: NestFastifyApplication;
  let telemetryAuth: Record<string, string>;
  beforeAll(async () => {
    app = await startVss(env);
    const s = await session(app);
    telemetryAuth = { authorization: `Bearer ${s.telemetry.json.token}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await app?.close();
  });

  const sendEvents = (eventsJson: string) =>
    call(app, { url: '/v1/sessions/current/events', payload: `{"events":${eventsJson}}`, headers: telemetryAuth });

  // JSON's "\ud800" escape parses to a lone surrogate, which no text column can store.
  it.each([
    ['a lone high surrogate', '"mic \\ud800 on"', /lone UTF-16 surrogate/],
    ['a lone low surrogate', '"\\udc00 mic on"', /lone UTF-16 surrogate/],
    ['a NUL character', '"mic\\u0000on"', /NUL/],
  ])('in a telemetry event: %s → 400 naming the message', async (_label, message, problem) => {
    const response = await sendEvents(`[{"type":"log","message":"ok"},{"type":"log","message":${message}}]`);
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.issues).toContainEqual({ path: 'events.1.message', message: expect.stringMatching(problem) });
  });

  it('control: a well-formed surrogate pair (an emoji) is accepted', async () => {
    const response = await sendEvents('[{"type":"log","message":"mic on \\ud83c\\udfa4"}]');
    expect(response.status, response.body.slice(0, 300)).toBe(202);
  });

  it('in a key of a record → 400 naming it', async () => {
    const response = await sendEvents('[{"type":"log","message":"ok","data":{"\\ud800":1}}]');
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.message).toMatch(/events\.0\.data\.\uFFFD: key contains a lone UTF-16 surrogate/);
  });

  it('in a signed webhook → 400 naming the field, before any processing', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID() });
    const id = `EV_${randomUUID()}`;
    const body = webhookBody('participant_joined', id, room, 'cand-\ud800');
    expect(body).toContain('\\ud800');
    const response = await call(app, {
      url: '/v1/livekit/webhook',
      payload: body,
      headers: {
        'content-type': 'application/webhook+json',
        authorization: await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET),
      },
    });
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.message).toMatch(/participant\.identity: contains a lone UTF-16 surrogate/);
    // Not deduplicated, not queued: the event was never taken in.
    expect(await app.get<Redis>(REDIS_CLIENT).exists(`vss:webhook:seen:${id}`)).toBe(0);

    // Control: the same event with a well-formed identity is accepted.
    const good = webhookBody('participant_joined', `EV_${randomUUID()}`, room, 'cand-ok');
    const accepted = await call(app, {
      url: '/v1/livekit/webhook',
      payload: good,
      headers: {
        'content-type': 'application/webhook+json',
        authorization: await signWebhook(good, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET),
      },
    });
    expect(accepted.status, accepted.body.slice(0, 300)).toBe(200);
  });
});
