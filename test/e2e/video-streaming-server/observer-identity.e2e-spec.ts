import { randomUUID } from 'node:crypto';
import { OBSERVER_IDENTITY_PREFIX, ParticipantIdentity } from '@app/contracts';
import { liveKitApiUrl } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { eventually } from '../../support/eventually.util';
import { decodePayload, signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

// Issue 8, item 3: an observer token for `candidate-<id>` used to push the real candidate out of
// the room (LiveKit drops the older connection of an identity), and the telemetry exchange turned
// the candidate's session into an observer's.
const env = inject('stackEnv');
const ticketKey = ticketKeyFromEnv(env);
let app: NestFastifyApplication;
const roomService = () =>
  new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);

const observer = (body: unknown) =>
  call(app, { url: '/v1/tokens/observer', body, headers: { 'x-observer-secret': env.OBSERVER_SHARED_SECRET } });
const telemetryToken = (livekitToken: string) => call(app, { url: '/v1/tokens/telemetry', body: { livekitToken } });
const heartbeat = (token: string) =>
  call(app, { url: '/v1/sessions/current/heartbeat', headers: { authorization: `Bearer ${token}` } });

async function candidate() {
  const sessionId = randomUUID();
  const room = buildRoomName({ kind: 'interview', id: sessionId, noBot: true });
  const identity = `candidate-${sessionId.slice(0, 8)}`;
  const ticket = await signTicket(ticketKey, { sub: identity, room, sessionId });
  const participant = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  expect(participant.status).toBe(200);
  return { room, identity, livekitToken: participant.json.token as string };
}

/** A LiveKit token signed with the app's own key: what any minting code could hand out. */
async function livekitToken(identity: string, room: string, grant: Record<string, unknown>, role = 'observer') {
  const token = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, {
    identity,
    ttl: 300,
    attributes: { 'parley.role': role },
  });
  token.addGrant({ roomJoin: true, room, canSubscribe: true, ...grant });
  return token.toJwt();
}

describe('observer identities and the telemetry exchange (issue 8, item 3)', () => {
  beforeAll(async () => {
    app = await startVss(env);
  });
  afterAll(async () => {
    await app?.close();
    await dispose();
  });

  it('refuses an observer request that names an identity, a candidate’s included (400 naming it)', async () => {
    const { room, identity } = await candidate();
    const response = await observer({ room, identity });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('VALIDATION_FAILED');
    expect(response.json.message).toMatch(/identity/);
  });

  it('gives observers server-chosen identities that no participant identity can ever be', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const [a, b] = await Promise.all([observer({ room, label: 'ops watch' }), observer({ room })]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    for (const response of [a, b]) {
      const identity: string = response.json.identity;
      expect(identity.startsWith(OBSERVER_IDENTITY_PREFIX)).toBe(true);
      expect(decodePayload(response.json.token).sub).toBe(identity);
      // The schema behind session tickets, participant tokens and telemetry JWTs refuses it.
      expect(ParticipantIdentity.safeParse(identity).success).toBe(false);
    }
    expect(a.json.identity).not.toBe(b.json.identity);
    expect(decodePayload(a.json.token).name).toBe('ops watch');
    // So a ticket for an observer identity is not a valid ticket at all.
    const ticket = await signTicket(ticketKey, { sub: a.json.identity, room });
    const participant = await call(app, {
      url: '/v1/tokens/participant',
      body: { ticket, room, identity: 'candidate-1' },
    });
    expect(participant.status).toBe(401);
  });

  it('keeps a connected candidate in the room when an observer joins (real SFU)', async () => {
    const { room, identity, livekitToken: candidateToken } = await candidate();
    const candidateRoom = new Room();
    const watcher = new Room();
    let candidateDisconnected = false;
    candidateRoom.on(RoomEvent.Disconnected, () => {
      candidateDisconnected = true;
    });
    try {
      await candidateRoom.connect(env.LIVEKIT_URL, candidateToken, { autoSubscribe: false, dynacast: false });
      // The attack first: asking for the candidate's identity gets no token at all…
      expect((await observer({ room, identity })).status).toBe(400);
      // …and the observer token the request can get has an identity of its own.
      const response = await observer({ room, label: 'ops' });
      expect(response.status).toBe(200);
      await watcher.connect(env.LIVEKIT_URL, response.json.token, { autoSubscribe: false, dynacast: false });
      await eventually(() => expect(watcher.remoteParticipants.has(identity)).toBe(true), 10_000);
      // LiveKit drops a replaced connection within a moment; give it well over that.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(candidateDisconnected).toBe(false);
      expect(candidateRoom.isConnected).toBe(true);
      const seen = (await roomService().listParticipants(room)).map((p) => p.identity).sort();
      expect(seen).toEqual([identity, response.json.identity].sort());
    } finally {
      await watcher.disconnect();
      await candidateRoom.disconnect();
    }
  });

  it('refuses an observer’s LiveKit token at /v1/tokens/telemetry: 403 observer_token, no session', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const token = await observer({ room });
    expect(token.status).toBe(200);
    const response = await telemetryToken(token.json.token);
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ code: 'FORBIDDEN', reason: 'observer_token' });
    expect(await app.get(SessionRepository).get(room, token.json.identity)).toBeUndefined();
  });

  it('refuses a subscribe-only LiveKit token (not hidden) with 403 subscribe_only_token', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const response = await telemetryToken(await livekitToken('watcher-1', room, { canPublish: false }, 'candidate'));
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ code: 'FORBIDDEN', reason: 'subscribe_only_token' });
    expect(await app.get(SessionRepository).get(room, 'watcher-1')).toBeUndefined();
  });

  it('never turns a candidate’s session into an observer’s, even for a hidden token with the candidate’s identity', async () => {
    const { room, identity, livekitToken: candidateToken } = await candidate();
    const own = await telemetryToken(candidateToken);
    expect(own.status).toBe(200);
    // What the old observer endpoint minted for { identity: 'candidate-…' }: hidden, subscribe-only.
    const hijack = await livekitToken(identity, room, { hidden: true, canPublish: false, canPublishData: false });
    const response = await telemetryToken(hijack);
    expect(response.status).toBe(403);
    expect(response.json.reason).toBe('observer_token');
    expect(await app.get(SessionRepository).get(room, identity)).toMatchObject({
      status: 'active',
      role: 'candidate',
    });
    expect((await heartbeat(own.json.token)).status).toBe(200);
  });

  it('still exchanges a participant’s token whose grant leaves canPublish out (LiveKit’s default is true)', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const response = await telemetryToken(await livekitToken('candidate-plain', room, {}, 'candidate'));
    expect(response.status).toBe(200);
  });
});
