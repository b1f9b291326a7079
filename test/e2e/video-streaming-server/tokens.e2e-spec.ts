import { randomUUID } from 'node:crypto';
import { SESSION_TICKET_AUDIENCE, TELEMETRY_AUDIENCE, TELEMETRY_ISSUER } from '@app/contracts';
import { buildRoomName } from '@app/room-naming';
import { AudioSource, dispose, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { liveKitApiUrl } from '@app/livekit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';
import { decodePayload, foreignKey, signTicket, ticketKeyFromEnv, unsignedJwt } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

const env = inject('stackEnv');
const ticketKey = ticketKeyFromEnv(env);
// A second LiveKit key (rotation) and a second telemetry key, both known to the app.
const oldLiveKitKey = { id: 'APIold', secret: 'o'.repeat(40) };
const oldTelemetryKey = { id: 'tm-old', secret: 't'.repeat(40) };
let app: NestFastifyApplication;
const roomService = () =>
  new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);

const participantToken = (body: unknown) => call(app, { url: '/v1/tokens/participant', body });
const telemetryToken = (livekitToken: string) => call(app, { url: '/v1/tokens/telemetry', body: { livekitToken } });
const heartbeat = (token: string) =>
  call(app, { url: '/v1/sessions/current/heartbeat', headers: { authorization: `Bearer ${token}` } });

async function ticketFor(role: 'candidate' | 'interviewer' | 'recruiter' = 'candidate') {
  const sessionId = randomUUID();
  const room = buildRoomName({ kind: 'interview', id: sessionId, noBot: true });
  const identity = `${role}-${sessionId.slice(0, 8)}`;
  return { room, identity, ticket: await signTicket(ticketKey, { sub: identity, room, role, sessionId }) };
}

describe('video-streaming-server tokens', () => {
  beforeAll(async () => {
    app = await startVss(env, {
      LIVEKIT_EXTRA_KEYS: `${oldLiveKitKey.id}:${oldLiveKitKey.secret}`,
      TELEMETRY_SIGNING_KEYS: `${env.TELEMETRY_SIGNING_KEYS},${oldTelemetryKey.id}:${oldTelemetryKey.secret}`,
    });
  });
  afterAll(async () => {
    await app?.close();
    await dispose();
  });

  describe('participant token (R-T1)', () => {
    it('mints a token for exactly the ticket’s room and identity that joins the real SFU', async () => {
      const { room, identity, ticket } = await ticketFor();
      const response = await participantToken({ ticket, room, identity });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ room, identity, role: 'candidate', url: env.LIVEKIT_URL });
      const claims = decodePayload(response.json.token) as {
        sub: string;
        iss: string;
        video: Record<string, unknown>;
        exp: number;
      };
      expect(claims.sub).toBe(identity);
      expect(claims.iss).toBe(env.LIVEKIT_API_KEY);
      expect(claims.video).toMatchObject({
        room,
        roomJoin: true,
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
      });
      expect(claims.video.roomAdmin).toBeUndefined();
      expect(claims.video.canPublishSources).toEqual(['microphone', 'camera', 'screen_share', 'screen_share_audio']);
      expect(claims.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(15 * 60);
      expect(new Date(response.json.expiresAt).getTime()).toBe(claims.exp * 1000);

      const participant = new Room();
      await participant.connect(env.LIVEKIT_URL, response.json.token, { autoSubscribe: false, dynacast: false });
      try {
        expect(participant.localParticipant?.identity).toBe(identity);
        expect(participant.name).toBe(room);
      } finally {
        await participant.disconnect();
      }
    });

    it.each([
      [
        'another room',
        (t: Awaited<ReturnType<typeof ticketFor>>) => ({
          ...t,
          room: buildRoomName({ kind: 'interview', id: randomUUID() }),
        }),
        /room/,
      ],
      [
        'another identity',
        (t: Awaited<ReturnType<typeof ticketFor>>) => ({ ...t, identity: 'someone-else' }),
        /identity/,
      ],
    ])('refuses %s with 403 and a reason', async (_label, tamper, reason) => {
      const response = await participantToken(tamper(await ticketFor()));
      expect(response.status).toBe(403);
      expect(response.json.code).toBe('FORBIDDEN');
      expect(response.json.message).toMatch(reason);
    });
  });

  describe('negative ticket matrix → 401', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<{ ticket: string; room: string; identity: string }>]> = [
      [
        'expired',
        async () => ({
          ...(await ticketFor()),
          ticket: await signTicket(ticketKey, { sub: 'c', room: 'x', iat: now() - 1200, exp: now() - 600 }),
        }),
      ],
      [
        'not yet valid',
        async () => ({ ...(await ticketFor()), ticket: await signTicket(ticketKey, { nbf: now() + 600 }) }),
      ],
      [
        'signed with the wrong key',
        async () => ({ ...(await ticketFor()), ticket: await signTicket(foreignKey(ticketKey.kid), {}) }),
      ],
      [
        'alg none',
        async () => ({
          ...(await ticketFor()),
          ticket: unsignedJwt({ sub: 'c', aud: SESSION_TICKET_AUDIENCE, exp: now() + 600, iat: now() }, ticketKey.kid),
        }),
      ],
      [
        'wrong audience',
        async () => ({ ...(await ticketFor()), ticket: await signTicket(ticketKey, { aud: TELEMETRY_AUDIENCE }) }),
      ],
      [
        'lifetime over 15 minutes',
        async () => ({ ...(await ticketFor()), ticket: await signTicket(ticketKey, { exp: now() + 3600 }) }),
      ],
      [
        'a telemetry JWT in its place',
        async () => {
          const t = await ticketFor();
          const lk = await participantToken(t);
          const tm = await telemetryToken(lk.json.token);
          return { ...t, ticket: tm.json.token };
        },
      ],
      [
        'a LiveKit token in its place',
        async () => {
          const t = await ticketFor();
          return { ...t, ticket: (await participantToken(t)).json.token };
        },
      ],
    ];
    it.each(cases)('%s', async (_label, make) => {
      const body = await make();
      const response = await participantToken(body);
      expect(response.status).toBe(401);
      expect(response.json.code).toBe('UNAUTHENTICATED');
      expect(response.json.message).toMatch(/session ticket rejected/);
    });
  });

  describe('telemetry token (R-T3)', () => {
    it('exchanges a verified LiveKit token for a telemetry JWT bound to its room and identity', async () => {
      const t = await ticketFor();
      const lk = await participantToken(t);
      const response = await telemetryToken(lk.json.token);
      expect(response.status).toBe(200);
      const claims = decodePayload(response.json.token);
      expect(claims).toMatchObject({
        sub: t.identity,
        room: t.room,
        aud: TELEMETRY_AUDIENCE,
        iss: TELEMETRY_ISSUER,
        role: 'candidate',
      });
      expect(JSON.parse(Buffer.from(response.json.token.split('.')[0], 'base64url').toString())).toMatchObject({
        alg: 'HS256',
        kid: env.TELEMETRY_SIGNING_KEYS.split(':')[0],
      });
      expect((await heartbeat(response.json.token)).status).toBe(200);
    });

    it('is useless as a LiveKit token: the SFU refuses it', async () => {
      const lk = await participantToken(await ticketFor());
      const tm = (await telemetryToken(lk.json.token)).json.token;
      const room = new Room();
      await expect(room.connect(env.LIVEKIT_URL, tm, { autoSubscribe: false, dynacast: false })).rejects.toThrow();
    });

    it('accepts LiveKit tokens signed with a rotated-out key that is still configured (R-T4)', async () => {
      const t = await ticketFor();
      const token = new AccessToken(oldLiveKitKey.id, oldLiveKitKey.secret, { identity: t.identity, ttl: 300 });
      token.addGrant({ roomJoin: true, room: t.room });
      expect((await telemetryToken(await token.toJwt())).status).toBe(200);
    });

    it('accepts telemetry JWTs signed with the second telemetry key (R-T4)', async () => {
      const t = await ticketFor();
      await telemetryToken((await participantToken(t)).json.token); // opens the session
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ room: t.room })
        .setProtectedHeader({ alg: 'HS256', kid: oldTelemetryKey.id })
        .setSubject(t.identity)
        .setAudience(TELEMETRY_AUDIENCE)
        .setIssuer(TELEMETRY_ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(oldTelemetryKey.secret));
      expect((await heartbeat(token)).status).toBe(200);
    });

    describe('negative LiveKit-token matrix for the exchange → 401', () => {
      const now = () => Math.floor(Date.now() / 1000);
      const lkToken = async (
        key: { id: string; secret: string },
        ttl: number | string,
        room = buildRoomName({ kind: 'interview', id: randomUUID() }),
      ) => {
        const token = new AccessToken(key.id, key.secret, { identity: 'p1', ttl });
        token.addGrant({ roomJoin: true, room });
        return token.toJwt();
      };
      it.each<[string, () => Promise<string>]>([
        [
          'expired',
          async () =>
            new SignJWT({ video: { roomJoin: true, room: buildRoomName({ kind: 'interview', id: randomUUID() }) } })
              .setProtectedHeader({ alg: 'HS256' })
              .setIssuer(env.LIVEKIT_API_KEY)
              .setSubject('p1')
              .setIssuedAt(now() - 600)
              .setExpirationTime(now() - 300)
              .sign(new TextEncoder().encode(env.LIVEKIT_API_SECRET)),
        ],
        [
          'not yet valid',
          async () =>
            new SignJWT({ video: { roomJoin: true, room: buildRoomName({ kind: 'interview', id: randomUUID() }) } })
              .setProtectedHeader({ alg: 'HS256' })
              .setIssuer(env.LIVEKIT_API_KEY)
              .setSubject('p1')
              .setNotBefore(now() + 600)
              .setExpirationTime(now() + 900)
              .sign(new TextEncoder().encode(env.LIVEKIT_API_SECRET)),
        ],
        ['signed with the wrong secret', () => lkToken({ id: env.LIVEKIT_API_KEY, secret: 'w'.repeat(40) }, 300)],
        ['signed with an unknown key', () => lkToken({ id: 'APIunknown', secret: 'u'.repeat(40) }, 300)],
        [
          'alg none',
          async () =>
            unsignedJwt({
              iss: env.LIVEKIT_API_KEY,
              sub: 'p1',
              exp: now() + 300,
              video: { roomJoin: true, room: buildRoomName({ kind: 'interview', id: randomUUID() }) },
            }),
        ],
        ['a session ticket in its place', () => signTicket(ticketKey, {})],
      ])('%s', async (_label, make) => {
        const response = await telemetryToken(await make());
        expect(response.status).toBe(401);
        expect(response.json.message).toMatch(/LiveKit token rejected/);
      });

      it('a token for a room outside the convention → 403', async () => {
        const response = await telemetryToken(
          await lkToken({ id: env.LIVEKIT_API_KEY, secret: env.LIVEKIT_API_SECRET }, 300, 'lobby'),
        );
        expect(response.status).toBe(403);
      });
    });

    describe('negative telemetry-JWT matrix for heartbeats → 401', () => {
      const now = () => Math.floor(Date.now() / 1000);
      const [kid, secret] = [
        env.TELEMETRY_SIGNING_KEYS.split(':')[0],
        env.TELEMETRY_SIGNING_KEYS.split(':').slice(1).join(':'),
      ];
      const room = buildRoomName({ kind: 'interview', id: randomUUID() });
      const base = (
        overrides: { aud?: string; iat?: number; exp?: number; nbf?: number; kid?: string; secret?: string } = {},
      ) => {
        const jwt = new SignJWT({ room })
          .setProtectedHeader({ alg: 'HS256', kid: overrides.kid ?? kid })
          .setSubject('p1')
          .setAudience(overrides.aud ?? TELEMETRY_AUDIENCE)
          .setIssuer(TELEMETRY_ISSUER)
          .setIssuedAt(overrides.iat ?? now())
          .setExpirationTime(overrides.exp ?? now() + 300);
        if (overrides.nbf) jwt.setNotBefore(overrides.nbf);
        return jwt.sign(new TextEncoder().encode(overrides.secret ?? secret));
      };
      it.each<[string, () => Promise<string>]>([
        ['expired', () => base({ iat: now() - 900, exp: now() - 300 })],
        ['not yet valid', () => base({ nbf: now() + 600 })],
        ['signed with the wrong key', () => base({ secret: 'x'.repeat(40) })],
        ['with an unknown kid', () => base({ kid: 'nope' })],
        [
          'alg none',
          async () =>
            unsignedJwt(
              { sub: 'p1', room, aud: TELEMETRY_AUDIENCE, iss: TELEMETRY_ISSUER, iat: now(), exp: now() + 300 },
              kid,
            ),
        ],
        ['wrong audience', () => base({ aud: SESSION_TICKET_AUDIENCE })],
        ['a session ticket in its place', () => signTicket(ticketKey, {})],
        ['a LiveKit token in its place', async () => (await participantToken(await ticketFor())).json.token],
      ])('%s', async (_label, make) => {
        const response = await heartbeat(await make());
        expect(response.status).toBe(401);
        expect(response.json.code).toBe('UNAUTHENTICATED');
      });

      it('no Authorization header', async () => {
        expect((await call(app, { url: '/v1/sessions/current/heartbeat' })).status).toBe(401);
      });
    });
  });

  describe('observer token (R-T2)', () => {
    const observer = (body: unknown, secret?: string) =>
      call(app, {
        url: '/v1/tokens/observer',
        body,
        headers: secret === undefined ? {} : { 'x-observer-secret': secret },
      });

    it.each([
      ['no secret', undefined],
      ['a wrong secret', 'wrong-secret'],
      ['the secret with one character more', `${env.OBSERVER_SHARED_SECRET}x`],
    ])('refuses %s with 401', async (_label, secret) => {
      const response = await observer({ room: buildRoomName({ kind: 'meeting', id: randomUUID() }) }, secret);
      expect(response.status).toBe(401);
    });

    it('joins hidden and subscribe-only: the SFU refuses its publish and the others never see it', async () => {
      const { room, identity, ticket } = await ticketFor();
      const candidate = new Room();
      const watcher = new Room();
      try {
        await candidate.connect(env.LIVEKIT_URL, (await participantToken({ ticket, room, identity })).json.token, {
          autoSubscribe: true,
          dynacast: false,
        });
        const source = new AudioSource(48_000, 1);
        const options = new TrackPublishOptions();
        options.source = TrackSource.SOURCE_MICROPHONE;
        await candidate.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('mic', source), options);

        const response = await observer({ room, label: 'ops-watch' }, env.OBSERVER_SHARED_SECRET);
        expect(response.status).toBe(200);
        const observerIdentity: string = response.json.identity;
        expect(observerIdentity).toMatch(/^observer~[0-9a-f]{16}$/);
        expect(decodePayload(response.json.token).video).toMatchObject({
          room,
          canPublish: false,
          canPublishData: false,
          hidden: true,
          canSubscribe: true,
        });
        await watcher.connect(env.LIVEKIT_URL, response.json.token, { autoSubscribe: true, dynacast: false });

        // The observer sees the candidate and its track…
        await eventually(
          () => expect(watcher.remoteParticipants.get(identity)?.trackPublications.size).toBe(1),
          10_000,
        );
        // …but the candidate never sees the observer.
        await new Promise((r) => setTimeout(r, 1_000));
        expect([...candidate.remoteParticipants.keys()]).not.toContain(observerIdentity);

        // The SFU itself refuses the observer's attempt to publish. rtc-node gets no answer to a
        // refused publish (it would hang), so the proof is the SFU's own view of the observer.
        const observerSource = new AudioSource(48_000, 1);
        const publishOptions = new TrackPublishOptions();
        publishOptions.source = TrackSource.SOURCE_MICROPHONE;
        const attempt = await Promise.race([
          watcher
            .localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('sneaky', observerSource), publishOptions)
            .then(
              () => 'published',
              () => 'refused',
            ),
          new Promise<string>((resolve) => setTimeout(() => resolve('not accepted'), 3_000)),
        ]);
        expect(attempt).not.toBe('published');
        const seenBySfu = await roomService().getParticipant(room, observerIdentity);
        expect(seenBySfu.permission).toMatchObject({
          canPublish: false,
          canPublishData: false,
          canSubscribe: true,
          hidden: true,
        });
        expect(seenBySfu.tracks).toHaveLength(0);
        expect((await roomService().getParticipant(room, identity)).tracks).toHaveLength(1);
        expect(candidate.remoteParticipants.get(observerIdentity)).toBeUndefined();
      } finally {
        await watcher.disconnect();
        await candidate.disconnect();
      }
    });
  });
});
