import { randomUUID } from 'node:crypto';
import { TEST_PROFILE } from '@app/devstack';
import { buildRoomName } from '@app/room-naming';
import { dispose, Room } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReconciliationService } from '../../../apps/video-streaming-server/src/rooms/reconciliation.service';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import {
  LIVEKIT_EVENTS_QUEUE,
  LiveKitEventsQueue,
  type LiveKitEventJob,
} from '../../../apps/video-streaming-server/src/webhooks/livekit-events.queue';
import { eventually } from '../../support/eventually.util';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';
import { signWebhook, webhookEventBody } from '../../support/webhook.util';

// Item 2 of issue 8: late or reordered events must not end or alter a session that (re)joined after
// them. LiveKit stamps events in whole seconds, so the tests put seconds between the times compared.
const env = inject('stackEnv');
let app: NestFastifyApplication;
let sessions: SessionRepository;
let events: LiveKitEventsQueue;
let inspectorConnection: Redis;
let inspector: Queue<LiveKitEventJob>;

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function deliver(fields: Parameters<typeof webhookEventBody>[0]) {
  const body = webhookEventBody({ id: `EV_${randomUUID()}`, ...fields });
  const response = await call(app, {
    url: '/v1/livekit/webhook',
    payload: body,
    headers: {
      'content-type': 'application/webhook+json',
      authorization: await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET),
    },
  });
  expect(response.json?.status).toBe('accepted');
}

/** The participant events of one room that the queue has finished applying, sorted. */
async function processedEvents(room: string): Promise<string[]> {
  const jobs = await inspector.getJobs(['completed'], 0, 1_000);
  return jobs
    .filter((job) => job.data.room === room && job.data.event.startsWith('participant_'))
    .map((job) => job.data.event.replace('participant_', ''))
    .sort();
}

beforeAll(async () => {
  // Listens where the test LiveKit server posts its webhooks (for the real-SFU case).
  app = await startVss(env, {}, TEST_PROFILE.ports.videoStreamingServer);
  sessions = app.get(SessionRepository);
  events = app.get(LiveKitEventsQueue);
  inspectorConnection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  inspector = new Queue(LIVEKIT_EVENTS_QUEUE, { connection: inspectorConnection });
});
afterAll(async () => {
  await inspector?.close();
  inspectorConnection?.disconnect();
  await app?.close();
  await dispose();
});

describe('event ordering', () => {
  it('a participant_left older than the latest join leaves the session joined; a newer one marks it left', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const t = nowSeconds();
    await sessions.open({ room, identity: 'p' }, Date.now());
    await deliver({ event: 'participant_joined', room, identity: 'p', createdAt: t + 2 });
    await events.drained();
    // Sent after the join, but LiveKit created it before: the leave of an earlier connection.
    await deliver({ event: 'participant_left', room, identity: 'p', createdAt: t + 1 });
    await events.drained();
    expect((await sessions.get(room, 'p'))?.livekit).toBe('joined');

    await deliver({ event: 'participant_left', room, identity: 'p', createdAt: t + 3 });
    await events.drained();
    expect((await sessions.get(room, 'p'))?.livekit).toBe('left');
  });

  it('events applied concurrently and out of order end in the state of the newest', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const t = nowSeconds() + 1;
    await sessions.open({ room, identity: 'flappy' }, Date.now());
    // Join/leave alternating over 8 s; delivered newest first, all at once.
    const sequence = Array.from({ length: 8 }, (_, i) => ({
      event: i % 2 === 0 ? 'participant_joined' : 'participant_left',
      createdAt: t + i,
    }));
    await Promise.all(sequence.reverse().map((e) => deliver({ ...e, room, identity: 'flappy' })));
    await events.drained();
    expect((await sessions.get(room, 'flappy'))?.livekit).toBe('left');
  });

  it('a leave of a replaced connection (identified by its join time) leaves the newer connection joined', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const first = Date.now();
    await sessions.open({ room, identity: 'twice' }, first);
    await deliver({ event: 'participant_joined', room, identity: 'twice', joinedAtMs: first + 100 });
    await deliver({ event: 'participant_joined', room, identity: 'twice', joinedAtMs: first + 2_000 });
    await events.drained();
    // LiveKit closes the first connection when the second one joins: its leave comes last, and is
    // stamped later than the second join.
    await deliver({
      event: 'participant_left',
      room,
      identity: 'twice',
      createdAt: Math.ceil((first + 3_000) / 1000),
      joinedAtMs: first + 100,
    });
    await events.drained();
    expect((await sessions.get(room, 'twice'))?.livekit).toBe('joined');
  });

  it('a room_finished older than the session’s (re)opening does not end it; a newer one does', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    await sessions.open({ room, identity: 'cand' }, Date.now());
    await deliver({ event: 'room_finished', room, createdAt: nowSeconds() - 5 });
    await events.drained();
    expect((await sessions.get(room, 'cand'))?.status).toBe('active');

    const ended = nowSeconds() + 2;
    await deliver({ event: 'room_finished', room, createdAt: ended });
    await events.drained();
    expect(await sessions.get(room, 'cand')).toMatchObject({ status: 'ended', endReason: 'room_finished' });

    // The candidate rejoins after the room ended; a late copy of an older room_finished arrives.
    await new Promise((r) => setTimeout(r, 1_000 * (ended + 1) - Date.now()));
    await sessions.open({ room, identity: 'cand' }, Date.now());
    await deliver({ event: 'room_finished', room, createdAt: ended });
    await events.drained();
    expect((await sessions.get(room, 'cand'))?.status).toBe('active');
  });

  it('a reconciliation snapshot older than a session’s opening does not end it; a fresh one does', async () => {
    // LiveKit has never seen this room: to reconciliation it is gone.
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const snapshotAt = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await sessions.open({ room, identity: 'late-opener' }, Date.now());
    await app.get(ReconciliationService).reconcileOnce(snapshotAt);
    expect((await sessions.get(room, 'late-opener'))?.status).toBe('active');

    await app.get(ReconciliationService).reconcileOnce();
    expect(await sessions.get(room, 'late-opener')).toMatchObject({ status: 'ended', endReason: 'room_gone' });
  });
});

describe('with the real SFU', () => {
  async function join(room: string, identity: string): Promise<Room> {
    const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
    const { json } = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
    const participant = new Room();
    await participant.connect(env.LIVEKIT_URL, json.token, { autoSubscribe: false, dynacast: false });
    return participant;
  }

  it('reconnecting with the same identity ends joined, with the connections told apart by join time', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const first = await join(room, 'cand-reconnect');
    await eventually(async () => expect((await sessions.get(room, 'cand-reconnect'))?.livekit).toBe('joined'), 15_000);
    // Same identity again: LiveKit replaces the first connection and reports it left.
    const second = await join(room, 'cand-reconnect');
    try {
      await eventually(async () => expect(await processedEvents(room)).toEqual(['joined', 'joined', 'left']), 15_000);
      expect((await sessions.get(room, 'cand-reconnect'))?.livekit).toBe('joined');
    } finally {
      await first.disconnect();
      await second.disconnect();
    }
  });
});
