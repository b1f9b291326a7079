import { randomUUID } from 'node:crypto';
import { liveKitApiUrl } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReconciliationService } from '../../../apps/video-streaming-server/src/rooms/reconciliation.service';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { LiveKitEventsQueue } from '../../../apps/video-streaming-server/src/webhooks/livekit-events.queue';
import { eventually } from '../../support/eventually.util';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';
import { signWebhook, webhookEventBody } from '../../support/webhook.util';

// Item 4 of issue 8: Redis must not grow without bound. Per-session keys expire a retention after
// the session ends (2 s here), timelines are bounded in bytes, client events are rate-limited per
// session, and vss:rooms only keeps rooms with an active session.
const env = inject('stackEnv');
const RETENTION_SECONDS = 2;
const MAX_TIMELINE_BYTES = 32 * 1024;
const EVENTS_BURST = 200;
const livekitRooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
let app: NestFastifyApplication;
let sessions: SessionRepository;
let redis: Redis;

/** A session opened the way a client opens one: participant token, then telemetry token. */
async function openSession(room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true })) {
  const identity = `cand-${randomUUID().slice(0, 8)}`;
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
  const participant = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const telemetry = await call(app, { url: '/v1/tokens/telemetry', body: { livekitToken: participant.json.token } });
  expect(telemetry.status).toBe(200);
  return { room, identity, auth: { authorization: `Bearer ${telemetry.json.token}` } };
}

const postEvents = (auth: Record<string, string>, events: Array<{ type: string; message: string }>) =>
  call(app, { url: '/v1/sessions/current/events', headers: auth, body: { events } });

const logs = (count: number, message = (i: number) => `log ${i}`) =>
  Array.from({ length: count }, (_, i) => ({ type: 'log', message: message(i) }));

/** Every key that belongs to one of these rooms (session hashes, timelines, room sets, buckets). */
async function keysOf(rooms: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const room of rooms) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${room}*`, 'COUNT', 1_000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

beforeAll(async () => {
  app = await startVss(env, {
    SESSION_RETENTION_SECONDS: String(RETENTION_SECONDS),
    TIMELINE_MAX_BYTES: String(MAX_TIMELINE_BYTES),
    TELEMETRY_EVENTS_PER_SECOND: '1',
    TELEMETRY_EVENTS_BURST: String(EVENTS_BURST),
  });
  sessions = app.get(SessionRepository);
  redis = new Redis(env.REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await app?.close();
});

describe('client events', () => {
  it('are rate-limited per session: 429 with Retry-After, and nothing of a refused request is written', async () => {
    const chatty = await openSession();
    for (let sent = 0; sent < EVENTS_BURST; sent += 50) {
      expect((await postEvents(chatty.auth, logs(50))).status).toBe(202);
    }
    const refused = await postEvents(
      chatty.auth,
      logs(1, () => 'one too many'),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json.reason).toBe('event_rate_exceeded');
    const timeline = await call(app, {
      method: 'GET',
      url: '/v1/sessions/current/timeline?limit=500',
      headers: chatty.auth,
    });
    expect(timeline.json.entries).toHaveLength(EVENTS_BURST);
    expect(timeline.json.entries.some((e: { message: string }) => e.message === 'one too many')).toBe(false);

    // Another session has its own budget.
    const quiet = await openSession(chatty.room);
    expect((await postEvents(quiet.auth, logs(50))).status).toBe(202);
  });

  it('keep the timeline within its byte budget, dropping the oldest entries first', async () => {
    const s = await openSession();
    const big = (i: number) => `${i}:${'x'.repeat(1_500)}`;
    for (let batch = 0; batch < 3; batch++) {
      expect(
        (
          await postEvents(
            s.auth,
            logs(50, (i) => big(batch * 50 + i)),
          )
        ).status,
      ).toBe(202);
    }
    const stored = await redis.xrange(`vss:timeline:${s.room}/${s.identity}`, '-', '+');
    const bytes = stored.reduce((sum, [, fields]) => sum + fields.reduce((n, f) => n + Buffer.byteLength(f), 0), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_TIMELINE_BYTES);
    expect(stored.length).toBeGreaterThan(10);
    expect(stored.length).toBeLessThan(150);
    // The newest survive.
    const messages = stored.map(([, fields]) => fields[fields.indexOf('message') + 1]);
    expect(messages.at(-1)).toBe(big(149));
  });

  it('count a timeline written before bytes were counted, and trim it on its next append', async () => {
    const s = await openSession();
    const key = `vss:timeline:${s.room}/${s.identity}`;
    for (let i = 0; i < 100; i++) await redis.xadd(key, '*', 'type', 'log', 'message', 'y'.repeat(1_500));
    expect(
      (
        await postEvents(
          s.auth,
          logs(1, () => 'after the upgrade'),
        )
      ).status,
    ).toBe(202);
    const stored = await redis.xrange(key, '-', '+');
    const bytes = stored.reduce((sum, [, fields]) => sum + fields.reduce((n, f) => n + Buffer.byteLength(f), 0), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_TIMELINE_BYTES);
    expect(stored.at(-1)?.[1]).toContain('after the upgrade');
  });
});

describe('retention', () => {
  it('every key of many ended sessions expires after the retention, back to the baseline', async () => {
    const rooms = Array.from({ length: 10 }, () => buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true }));
    expect(await keysOf(rooms)).toEqual([]);
    const opened = [];
    for (const room of rooms) {
      for (let i = 0; i < 3; i++) {
        const s = await openSession(room);
        expect((await postEvents(s.auth, logs(2))).status).toBe(202);
        opened.push(s);
      }
    }
    // At least a hash and a timeline per session and a set per room.
    expect((await keysOf(rooms)).length).toBeGreaterThanOrEqual(opened.length * 2 + rooms.length);

    // Half end with LiveKit's room_finished, half because reconciliation finds their rooms gone.
    for (const room of rooms.slice(0, 5)) {
      const body = webhookEventBody({
        event: 'room_finished',
        id: `EV_${randomUUID()}`,
        room,
        createdAt: Math.ceil(Date.now() / 1000) + 1,
      });
      const auth = await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
      const response = await call(app, {
        url: '/v1/livekit/webhook',
        payload: body,
        headers: { 'content-type': 'application/webhook+json', authorization: auth },
      });
      expect(response.status).toBe(200);
    }
    await app.get(LiveKitEventsQueue).drained();
    await app.get(ReconciliationService).reconcileOnce();

    for (const s of opened) {
      expect((await sessions.get(s.room, s.identity))?.status).toBe('ended');
      const ttl = await redis.pttl(`vss:session:${s.room}/${s.identity}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(RETENTION_SECONDS * 1000);
    }
    for (const room of rooms) expect(await redis.sismember('vss:rooms', room)).toBe(0);

    await eventually(async () => expect(await keysOf(rooms)).toEqual([]), 20_000);
  });

  it('a reopened session drops the expiry; events after the end expire with the session', async () => {
    const s = await openSession();
    const key = `vss:session:${s.room}/${s.identity}`;
    const ended = await sessions.endRoom(s.room, Date.now() + 1, 'room_finished');
    expect(ended.map((e) => e.identity)).toEqual([s.identity]);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    // A last client event after the end (its timeline did not exist yet) goes on the same clock.
    expect((await postEvents(s.auth, logs(1))).status).toBe(202);
    expect(await redis.pttl(`vss:timeline:${s.room}/${s.identity}`)).toBeGreaterThan(0);

    await sessions.open({ room: s.room, identity: s.identity }, Date.now() + 2);
    expect(await redis.pttl(key)).toBe(-1);
    expect(await redis.pttl(`vss:timeline:${s.room}/${s.identity}`)).toBe(-1);
    expect(await redis.pttl(`vss:room:${s.room}`)).toBe(-1);
    expect(await redis.sismember('vss:rooms', s.room)).toBe(1);
  });

  it('events for a session whose keys expired are refused (410) instead of recreating them', async () => {
    const s = await openSession();
    await sessions.endRoom(s.room, Date.now() + 1, 'room_finished');
    await eventually(async () => expect(await sessions.get(s.room, s.identity)).toBeUndefined(), 10_000);
    const response = await postEvents(s.auth, logs(1));
    expect(response.status).toBe(410);
    // Only the event budget is left, and it expires on its own once full again.
    expect(await keysOf([s.room])).toEqual([`vss:ratelimit:events:${s.room}/${s.identity}`]);
    expect(await redis.pttl(`vss:ratelimit:events:${s.room}/${s.identity}`)).toBeGreaterThan(0);
  });
});

describe('the tracked room set', () => {
  it('reconciliation prunes rooms without an active session, whether LiveKit still has them or not', async () => {
    const liveEmpty = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const gone = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const withSession = buildRoomName({ kind: 'meeting', id: randomUUID() });
    await livekitRooms.createRoom({ name: liveEmpty, emptyTimeout: 60 });
    await livekitRooms.createRoom({ name: withSession, emptyTimeout: 60 });
    try {
      // As left behind before rooms were pruned: tracked, but nothing (active) in them.
      await redis.sadd('vss:rooms', liveEmpty, gone);
      await sessions.open({ room: withSession, identity: 'still-active' }, Date.now());

      await app.get(ReconciliationService).reconcileOnce();
      expect(await redis.sismember('vss:rooms', liveEmpty)).toBe(0);
      expect(await redis.sismember('vss:rooms', gone)).toBe(0);
      expect(await redis.sismember('vss:rooms', withSession)).toBe(1);
    } finally {
      await livekitRooms.deleteRoom(liveEmpty).catch(() => undefined);
      await livekitRooms.deleteRoom(withSession).catch(() => undefined);
    }
  });
});
