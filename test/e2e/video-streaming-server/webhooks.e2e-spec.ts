import { randomUUID } from 'node:crypto';
import { liveKitApiUrl } from '@app/livekit';
import { TEST_PROFILE } from '@app/devstack';
import { buildRoomName } from '@app/room-naming';
import { dispose, Room } from '@livekit/rtc-node';
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
import { signWebhook, webhookBody } from '../../support/webhook.util';

const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
let app: NestFastifyApplication;
let sessions: SessionRepository;

const post = (payload: string, authorization?: string, contentType = 'application/webhook+json') =>
  call(app, {
    url: '/v1/livekit/webhook',
    payload,
    headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
  });

async function counter(name: string, labels = ''): Promise<number> {
  const body = (await call(app, { method: 'GET', url: '/metrics' })).body;
  const line = body.split('\n').find((l) => l.startsWith(name) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function joinAsCandidate(room: string, identity: string): Promise<Room> {
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
  const { json } = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const participant = new Room();
  await participant.connect(env.LIVEKIT_URL, json.token, { autoSubscribe: false, dynacast: false });
  return participant;
}

beforeAll(async () => {
  // Listens where the test LiveKit server posts its webhooks.
  app = await startVss(env, {}, TEST_PROFILE.ports.videoStreamingServer);
  sessions = app.get(SessionRepository);
});
afterAll(async () => {
  await app?.close();
  await dispose();
});

describe('LiveKit webhooks (R-L2)', () => {
  it('receives the real SFU’s signed events and updates session state from them', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const joinedBefore = await counter('parley_livekit_webhook_events_total', 'event="participant_joined"');
    const participant = await joinAsCandidate(room, 'cand-webhook');
    await eventually(async () => expect((await sessions.get(room, 'cand-webhook'))?.livekit).toBe('joined'), 15_000);
    expect(await counter('parley_livekit_webhook_events_total', 'event="participant_joined"')).toBeGreaterThan(
      joinedBefore,
    );
    expect(await counter('parley_livekit_webhook_events_total', 'event="room_started"')).toBeGreaterThan(0);

    await participant.disconnect();
    await eventually(async () => expect((await sessions.get(room, 'cand-webhook'))?.livekit).toBe('left'), 15_000);
  });

  it('applies an event once however often it is redelivered', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const body = webhookBody('participant_joined', `EV_${randomUUID()}`, room, 'p-redelivered');
    const auth = await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
    const before = await counter('parley_livekit_webhook_events_total', 'event="participant_joined"');
    const first = await post(body, auth);
    expect(first.status).toBe(200);
    expect(first.json.status).toBe('accepted');
    for (let i = 0; i < 3; i++) {
      const again = await post(body, auth);
      expect(again.status).toBe(200);
      expect(again.json.status).toBe('duplicate');
    }
    expect(await counter('parley_livekit_webhook_events_total', 'event="participant_joined"')).toBe(before + 1);
    await app.get(LiveKitEventsQueue).drained();
    expect((await sessions.get(room, 'p-redelivered'))?.livekit).toBe('joined');
  });

  describe('rejects with 401', () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID() });
    it('a forged (altered) body under a valid signature', async () => {
      const body = webhookBody('room_finished', `EV_${randomUUID()}`, room);
      const auth = await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
      const response = await post(body.replace('room_finished', 'room_started'), auth);
      expect(response.status).toBe(401);
      expect(response.json.message).toMatch(/body does not match/);
    });

    it('a body signed with the wrong secret', async () => {
      const body = webhookBody('room_finished', `EV_${randomUUID()}`, room);
      expect((await post(body, await signWebhook(body, env.LIVEKIT_API_KEY, 'x'.repeat(40)))).status).toBe(401);
    });

    it('a body signed with an unknown key', async () => {
      const body = webhookBody('room_finished', `EV_${randomUUID()}`, room);
      expect((await post(body, await signWebhook(body, 'APIforeign', env.LIVEKIT_API_SECRET))).status).toBe(401);
    });

    it('an unsigned body', async () => {
      const response = await post(webhookBody('room_finished', `EV_${randomUUID()}`, room));
      expect(response.status).toBe(401);
      expect(response.json.message).toMatch(/no Authorization/);
    });

    it('a stale signature (expired token)', async () => {
      const body = webhookBody('room_finished', `EV_${randomUUID()}`, room);
      const response = await post(
        body,
        await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { expiresInSeconds: -60 }),
      );
      expect(response.status).toBe(401);
      expect(response.json.message).toMatch(/expired/);
    });

    it('and a rejected event changes nothing', async () => {
      const body = webhookBody('room_finished', `EV_${randomUUID()}`, room);
      await sessions.open({ room, identity: 'still-here' }, Date.now());
      await post(body, await signWebhook(body, env.LIVEKIT_API_KEY, 'x'.repeat(40)));
      await app.get(LiveKitEventsQueue).drained();
      expect((await sessions.get(room, 'still-here'))?.status).toBe('active');
    });
  });

  it('refuses a webhook sent as plain JSON with 400', async () => {
    const response = await post('{"event":"room_started"}', 'x', 'application/json');
    expect(response.status).toBe(400);
  });
});

describe('reconciliation with RoomService', () => {
  it('repairs state that missed webhooks: a vanished participant leaves, a finished room ends', async () => {
    const liveRoom = buildRoomName({ kind: 'meeting', id: randomUUID(), noBot: true });
    const goneRoom = buildRoomName({ kind: 'meeting', id: randomUUID(), noBot: true });
    const participant = await joinAsCandidate(liveRoom, 'present');
    try {
      const now = Date.now();
      // As if participant_left / room_finished had been dropped by LiveKit.
      await sessions.open({ room: liveRoom, identity: 'ghost' }, now);
      await sessions.setLiveKitPresence(liveRoom, 'ghost', 'joined', now);
      await sessions.open({ room: goneRoom, identity: 'orphan' }, now);
      await sessions.setLiveKitPresence(goneRoom, 'orphan', 'joined', now);
      await eventually(async () => expect((await sessions.get(liveRoom, 'present'))?.livekit).toBe('joined'), 15_000);

      const report = await app.get(ReconciliationService).reconcileOnce();
      expect(report.repaired).toBeGreaterThanOrEqual(2);
      expect((await sessions.get(liveRoom, 'ghost'))?.livekit).toBe('left');
      expect((await sessions.get(liveRoom, 'present'))?.livekit).toBe('joined');
      expect(await sessions.get(goneRoom, 'orphan')).toMatchObject({ status: 'ended', endReason: 'room_gone' });
    } finally {
      await participant.disconnect();
      await rooms.deleteRoom(liveRoom).catch(() => undefined);
    }
  });
});

describe('shutdown', () => {
  it('closes every Redis connection it opened, so the process can exit', async () => {
    const admin = new Redis(env.REDIS_URL);
    const ours = async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter((l: string) => /name=video-streaming-server/.test(l)).length;
    try {
      const before = await ours();
      const extra = await startVss(env);
      await eventually(async () => expect(await ours()).toBeGreaterThan(before), 5_000);
      await extra.close();
      await eventually(async () => expect(await ours()).toBe(before), 5_000);
    } finally {
      admin.disconnect();
    }
  });
});
