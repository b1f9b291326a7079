import { randomUUID } from 'node:crypto';
import { TelemetryTokenResponse } from '@app/contracts';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { eventually } from '../../support/eventually.util';
import { decodePayload, signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

// Issue 8, item 7: telemetry JWTs last minutes while interviews last hours. A client renews its
// telemetry JWT with the JWT itself (POST /v1/tokens/telemetry/renew) for as long as the session
// lives. Lifetimes are 5 s here so the test crosses several of them in seconds.
const env = inject('stackEnv');
const TTL_SECONDS = 5;
// The verifier's clock tolerance: a token is refused from exp + 5 s on.
const CLOCK_TOLERANCE_MS = 5_000;
const HEARTBEAT_EVERY_MS = 750;
let app: NestFastifyApplication;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const renew = (token?: string) =>
  call(app, {
    url: '/v1/tokens/telemetry/renew',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
const heartbeat = (token: string) =>
  call(app, { url: '/v1/sessions/current/heartbeat', headers: { authorization: `Bearer ${token}` } });

async function join() {
  const sessionId = randomUUID();
  const room = buildRoomName({ kind: 'interview', id: sessionId, noBot: true });
  const identity = `candidate-${sessionId.slice(0, 8)}`;
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room, sessionId });
  const participant = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const telemetry = await call(app, { url: '/v1/tokens/telemetry', body: { livekitToken: participant.json.token } });
  expect(telemetry.status).toBe(200);
  return { room, identity, telemetry: TelemetryTokenResponse.parse(telemetry.json) };
}

describe('telemetry JWT renewal (R-T3, issue 8 item 7)', () => {
  beforeAll(async () => {
    app = await startVss(env, {
      TELEMETRY_TOKEN_TTL_SECONDS: String(TTL_SECONDS),
      HEARTBEAT_INTERVAL_MS: '500',
      HEARTBEAT_GRACE_MS: '4000',
      REAPER_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('heartbeats across four token lifetimes without a gap, renewing at renewInMs', async () => {
    const { room, identity, telemetry } = await join();
    expect(telemetry.renewInMs).toBe(Math.floor((TTL_SECONDS * 1000 * 2) / 3));
    const first = telemetry.token;
    const started = Date.now();
    let current = telemetry;
    let renewAt = Date.now() + current.renewInMs;
    const tokens = new Set([first]);
    const statuses: number[] = [];
    while (Date.now() - started < 4 * TTL_SECONDS * 1000) {
      if (Date.now() >= renewAt) {
        const renewed = await renew(current.token);
        expect(renewed.status, renewed.body).toBe(200);
        current = TelemetryTokenResponse.parse(renewed.json);
        renewAt = Date.now() + current.renewInMs;
        tokens.add(current.token);
      }
      statuses.push((await heartbeat(current.token)).status);
      await sleep(HEARTBEAT_EVERY_MS);
    }
    expect(statuses.length).toBeGreaterThan(15);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // At least one renewal per lifetime; each one a new JWT for the same session.
    expect(tokens.size).toBeGreaterThanOrEqual(5);
    const [a, b] = [decodePayload(first), decodePayload(current.token)];
    expect(b).toMatchObject({ sub: identity, room, role: 'candidate', org: a.org, aud: a.aud, iss: a.iss });
    expect(b.jti).not.toBe(a.jti);
    expect(b.exp as number).toBeGreaterThan((a.exp as number) + 3 * TTL_SECONDS);
    expect((await app.get(SessionRepository).get(room, identity))?.status).toBe('active');

    // The first JWT is long past its lifetime: only the renewals carried the session.
    expect(Date.now()).toBeGreaterThan((a.exp as number) * 1000 + CLOCK_TOLERANCE_MS);
    expect((await heartbeat(first)).status).toBe(401);
    const expired = await renew(first);
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('does not reopen a reaped session: renewal answers 410 and the session stays abandoned', async () => {
    const { room, identity, telemetry } = await join();
    // No heartbeats: the reaper abandons the session after the 4 s grace period.
    await eventually(
      async () => expect((await app.get(SessionRepository).get(room, identity))?.status).toBe('abandoned'),
      30_000,
      250,
    );
    const response = await renew(telemetry.token);
    expect(response.status).toBe(410);
    expect(response.json).toMatchObject({ statusCode: 410, code: 'GONE', reason: 'session_ended' });
    expect(typeof response.json.requestId).toBe('string');
    expect((await app.get(SessionRepository).get(room, identity))?.status).toBe('abandoned');
    expect((await heartbeat(telemetry.token)).status).toBe(410);
  });

  it.each<[string, () => Promise<string | undefined>]>([
    ['no Authorization header', async () => undefined],
    ['a garbled JWT', async () => (await join()).telemetry.token.split('.').reverse().join('.')],
    [
      'a participant’s LiveKit token',
      async () => {
        const sessionId = randomUUID();
        const room = buildRoomName({ kind: 'interview', id: sessionId, noBot: true });
        const identity = `candidate-${sessionId.slice(0, 8)}`;
        const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room, sessionId });
        return (await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } })).json.token;
      },
    ],
  ])('refuses renewal with %s (401)', async (_label, token) => {
    const response = await renew(await token());
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('UNAUTHENTICATED');
  });
});
