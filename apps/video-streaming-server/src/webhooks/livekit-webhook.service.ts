import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { MetricsRegistry } from '@app/observability';
import { EgressStatus, TrackType, type WebhookEvent } from 'livekit-server-sdk';
import { Counter } from 'prom-client';
import { LiveKitKeyRing } from '../auth/livekit-key-ring';
import { LiveKitEventsQueue, type LiveKitEventJob } from './livekit-events.queue';

export type WebhookOutcome = { status: 'accepted' | 'duplicate'; id: string; event: string };

// What BullMQ accepts as a job or deduplication id (no ':', not a bare integer), kept short.
const SAFE_EVENT_ID = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The key an event is deduplicated by: LiveKit's event id when it is a safe one, else a digest. An
 * event without an id is keyed by a digest of its raw body, which a redelivery repeats byte for
 * byte (and the signature pins), so the key is deterministic.
 */
export function webhookEventKey(eventId: string | undefined, rawBody: string): string {
  if (!eventId) return `body_${sha256Hex(rawBody)}`;
  return SAFE_EVENT_ID.test(eventId) ? eventId : `id_${sha256Hex(eventId)}`;
}

// R-L2. Stripe-grade handling: verify the signature over the raw body first, then queue the state
// work deduplicated by event id (one atomic step: see LiveKitEventsQueue.enqueueOnce) so a
// redelivery has no second effect, count it, and answer. A failure to queue answers 503 and leaves
// the event unseen, so LiveKit's retry applies it. Nothing slow happens before the 200.
@Injectable()
export class LiveKitWebhookService {
  private readonly logger = new Logger(LiveKitWebhookService.name);
  private readonly events: Counter;
  private readonly duplicates: Counter;
  private readonly egress: Counter;

  constructor(
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
    const id = webhookEventKey(event.id, rawBody);
    let outcome: 'queued' | 'duplicate';
    try {
      outcome = await this.queue.enqueueOnce(toJob(id, event));
    } catch (err) {
      this.logger.warn({ err, id, event: event.event }, 'LiveKit webhook could not be queued; LiveKit will retry');
      throw new DomainError(DomainErrorCode.DependencyUnavailable, 'the event queue is unavailable; retry later', {
        reason: 'queue_unavailable',
        retryAfterSeconds: 1,
      });
    }
    if (outcome === 'duplicate') {
      this.duplicates.inc();
      return { status: 'duplicate', id, event: event.event };
    }
    this.count(event);
    return { status: 'accepted', id, event: event.event };
  }

  private count(event: WebhookEvent): void {
    this.events.inc({ event: event.event });
    if (event.event === 'egress_ended' && event.egressInfo) {
      this.egress.inc({ status: EgressStatus[event.egressInfo.status] ?? String(event.egressInfo.status) });
    }
  }
}

function toJob(id: string, event: WebhookEvent): LiveKitEventJob {
  const joinedAtMs = Number(event.participant?.joinedAtMs ?? 0) || Number(event.participant?.joinedAt ?? 0) * 1000;
  return {
    id,
    event: event.event,
    room: event.room?.name ?? event.egressInfo?.roomName,
    identity: event.participant?.identity,
    // LiveKit stamps events in whole seconds. Without a stamp the event cannot show it is newer
    // than anything, so it is taken as the oldest (reconciliation repairs what that leaves out).
    createdAt: Number(event.createdAt ?? 0) * 1000,
    ...(joinedAtMs > 0 ? { connectedAt: joinedAtMs } : {}),
    ...(event.egressInfo ? { egressInfo: event.egressInfo.toJson() } : {}),
    ...(event.event === 'track_published' && event.track && event.track.type !== TrackType.DATA
      ? { track: { sid: event.track.sid, kind: event.track.type === TrackType.AUDIO ? 'audio' : 'video' } }
      : {}),
  };
}
