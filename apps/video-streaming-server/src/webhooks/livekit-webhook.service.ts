import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { EgressStatus, type WebhookEvent } from 'livekit-server-sdk';
import { Counter } from 'prom-client';
import { LiveKitKeyRing } from '../auth/livekit-key-ring';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { LiveKitEventsQueue } from './livekit-events.queue';

export type WebhookOutcome = { status: 'accepted' | 'duplicate'; id: string; event: string };

// R-L2. Stripe-grade handling: verify the signature over the raw body first, then deduplicate by
// event id in Redis (SET NX with a TTL) so a redelivery has no second effect, count it, queue the
// state work, and answer. Nothing slow happens before the 200.
@Injectable()
export class LiveKitWebhookService {
  private readonly events: Counter;
  private readonly duplicates: Counter;
  private readonly egress: Counter;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keyRing: LiveKitKeyRing,
    private readonly queue: LiveKitEventsQueue,
    @Inject(MetricsRegistry) registry: MetricsRegistry,
  ) {
    this.events = new Counter({
      name: 'parley_livekit_webhook_events_total',
      help: 'Verified LiveKit webhook events by type (rooms started/finished, participants joined/left, …)',
      labelNames: ['event'],
      registers: [registry],
    });
    this.duplicates = new Counter({
      name: 'parley_livekit_webhook_duplicates_total',
      help: 'Redelivered LiveKit webhook events ignored',
      registers: [registry],
    });
    this.egress = new Counter({
      name: 'parley_livekit_egress_outcomes_total',
      help: 'Egress jobs that ended, by final status',
      labelNames: ['status'],
      registers: [registry],
    });
  }

  async receive(rawBody: string, authorization: string | undefined): Promise<WebhookOutcome> {
    const event = await this.keyRing.receiveWebhook(rawBody, authorization);
    const id = event.id || `${event.event}:${event.createdAt}:${event.room?.sid ?? ''}:${event.participant?.sid ?? ''}`;
    const first = await this.redis.set(
      `vss:webhook:seen:${id}`,
      '1',
      'EX',
      this.config.webhooks.dedupeTtlSeconds,
      'NX',
    );
    if (first === null) {
      this.duplicates.inc();
      return { status: 'duplicate', id, event: event.event };
    }
    this.count(event);
    await this.queue.enqueue({
      id,
      event: event.event,
      room: event.room?.name ?? event.egressInfo?.roomName,
      identity: event.participant?.identity,
      createdAt: Number(event.createdAt) * 1000 || Date.now(),
    });
    return { status: 'accepted', id, event: event.event };
  }

  private count(event: WebhookEvent): void {
    this.events.inc({ event: event.event });
    if (event.event === 'egress_ended' && event.egressInfo) {
      this.egress.inc({ status: EgressStatus[event.egressInfo.status] ?? String(event.egressInfo.status) });
    }
  }
}
