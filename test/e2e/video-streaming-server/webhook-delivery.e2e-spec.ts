import { randomUUID } from 'node:crypto';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadVideoStreamingServerConfig } from '../../../apps/video-streaming-server/src/config';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { LiveKitEventsQueue } from '../../../apps/video-streaming-server/src/webhooks/livekit-events.queue';
import { call, startVss } from '../../support/vss.util';
import { signWebhook, webhookEventBody } from '../../support/webhook.util';

// Item 1 of issue 8: a verified webhook must never be lost. It is marked seen only together with
// its queued work, so a failure to queue leaves it unseen and LiveKit's redelivery applies it.
const env = inject('stackEnv');
let app: NestFastifyApplication;
let sessions: SessionRepository;
let events: LiveKitEventsQueue;

const deliver = async (body: string) =>
  call(app, {
    url: '/v1/livekit/webhook',
    payload: body,
    headers: {
      'content-type': 'application/webhook+json',
      authorization: await signWebhook(body, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET),
    },
  });

beforeAll(async () => {
  app = await startVss(env);
  sessions = app.get(SessionRepository);
  events = app.get(LiveKitEventsQueue);
});
afterAll(async () => {
  await app?.close();
});

describe('webhook delivery (R-L2)', () => {
  it('accepts and applies a signed event that carries no id, once however often it is redelivered', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const body = webhookEventBody({ event: 'participant_joined', room, identity: 'no-id' });

    const first = await deliver(body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'accepted', event: 'participant_joined' });
    expect(first.json.id).toMatch(/^[A-Za-z0-9_-]+$/);
    await events.drained();
    expect((await sessions.get(room, 'no-id'))?.livekit).toBe('joined');

    const again = await deliver(body);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'duplicate', id: first.json.id });
  });

  it('answers 503 when the event cannot be queued, leaves it unseen, and applies its redelivery once', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    await sessions.open({ room, identity: 'cand-retry' }, Date.now());
    const body = webhookEventBody({
      event: 'room_finished',
      id: `EV_${randomUUID()}`,
      room,
      createdAt: Math.ceil(Date.now() / 1000) + 1,
    });
    // The queue's own Redis connection goes away (Redis itself keeps serving everything else).
    const producer = (events as unknown as { connection: Redis }).connection;
    producer.disconnect();
    let failed: Awaited<ReturnType<typeof deliver>> | undefined;
    try {
      failed = await deliver(body);
      expect((await sessions.get(room, 'cand-retry'))?.status).toBe('active');
    } finally {
      await producer.connect();
    }

    // LiveKit redelivers: this time it is queued and applied.
    const redelivered = await deliver(body);
    expect(redelivered.status).toBe(200);
    expect(redelivered.json.status).toBe('accepted');
    await events.drained();
    expect(await sessions.get(room, 'cand-retry')).toMatchObject({ status: 'ended', endReason: 'room_finished' });
    // The failed delivery was told to retry (LiveKit retries 5xx).
    expect(failed?.status).toBe(503);
    expect(failed?.headers['retry-after']).toBeDefined();

    const third = await deliver(body);
    expect(third.json.status).toBe('duplicate');
  });

  it('keeps observers out of session state: their joins and leaves create no session', async () => {
    const room = buildRoomName({ kind: 'interview', id: randomUUID() });
    const identity = 'observer~0123456789abcdef';
    for (const event of ['participant_joined', 'participant_left']) {
      const delivered = await deliver(webhookEventBody({ event, id: `EV_${randomUUID()}`, room, identity }));
      expect(delivered.status).toBe(200);
    }
    await events.drained();
    expect(await sessions.get(room, identity)).toBeUndefined();
    expect(await sessions.sessionsInRoom(room)).toEqual([]);
  });

  it('deduplicates concurrent deliveries of one event: exactly one is accepted', async () => {
    const room = buildRoomName({ kind: 'meeting', id: randomUUID() });
    const body = webhookEventBody({ event: 'participant_joined', id: `EV_${randomUUID()}`, room, identity: 'twice' });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => deliver(body)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill(200));
    expect(outcomes.filter((o) => o.json.status === 'accepted')).toHaveLength(1);
  });

  it('refuses a dedupe window shorter than a webhook signature stays valid (10 minutes minimum)', () => {
    expect(() => loadVideoStreamingServerConfig({ ...env, WEBHOOK_DEDUPE_TTL_SECONDS: '300' })).toThrow(
      /WEBHOOK_DEDUPE_TTL_SECONDS/,
    );
    expect(
      loadVideoStreamingServerConfig({ ...env, WEBHOOK_DEDUPE_TTL_SECONDS: '600' }).webhooks.dedupeTtlSeconds,
    ).toBe(600);
  });
});
