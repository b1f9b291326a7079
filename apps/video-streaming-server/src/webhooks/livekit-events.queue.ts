import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import type Redis from 'ioredis';
import { OBSERVER_IDENTITY_PREFIX } from '@app/contracts';
import { DurableQueue } from '@app/redis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from '../sessions/session.repository';
import { egressInfoFromJson } from '../recordings/egress-info';
import { RecordingsService } from '../recordings/recordings.service';
import { InterviewStatusReporter } from '../user-management/interview-status.reporter';

export const LIVEKIT_EVENTS_QUEUE = 'vss-livekit-events';

// A queue command that cannot complete in this time fails the webhook with 503 (LiveKit retries it)
// instead of holding the request open while Redis is away.
const ENQUEUE_TIMEOUT_MS = 5_000;

/** What the webhook receiver keeps of an event for the state update. */
export interface LiveKitEventJob {
  /** The event's deduplication key (BullMQ-safe: no ':'). */
  id: string;
  event: string;
  room?: string;
  identity?: string;
  /** When LiveKit created the event (ms); 0 when it did not say, which makes it older than any state. */
  createdAt: number;
  /** When the participant's connection joined (ms), for participant events that carry it. */
  connectedAt?: number;
  /** egress_started / egress_updated / egress_ended: the EgressInfo as LiveKit's JSON. */
  egressInfo?: unknown;
  /** track_published: which track, of what kind. */
  track?: { sid: string; kind: 'audio' | 'video' };
}

// The webhook answers as soon as the event is verified, deduplicated and queued; applying it to
// session state happens here, concurrently and in any order. Each state change is conditional on the
// event's times (see SessionRepository), so a late or reordered event never undoes a newer state,
// and re-applying one has no second effect (BullMQ delivery is at-least-once).
@Injectable()
export class LiveKitEventsQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveKitEventsQueue.name);
  private jobs!: DurableQueue<LiveKitEventJob>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly sessions: SessionRepository,
    private readonly interviewStatus: InterviewStatusReporter,
    private readonly recordings: RecordingsService,
  ) {}

  onModuleInit(): void {
    this.jobs = new DurableQueue<LiveKitEventJob>({
      name: LIVEKIT_EVENTS_QUEUE,
      redisUrl: this.config.redis.url,
      connectionName: this.config.redis.connectionName,
      // The producer fails fast (no offline queue, a command timeout): a webhook that cannot be
      // queued must be answered 503 so LiveKit redelivers it, not wait for Redis to come back.
      producer: { enableOfflineQueue: false, commandTimeout: ENQUEUE_TIMEOUT_MS },
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: 1_000,
        removeOnFail: 5_000,
      },
      processor: (job) => this.apply(job),
      concurrency: 8,
      onFailed: (jobId, err) => this.logger.warn({ err, jobId }, 'LiveKit event job failed'),
    });
  }

  /** The producer's connection (tests cut it to prove a failed enqueue loses nothing). */
  get connection(): Redis {
    return this.jobs.connection;
  }

  /**
   * Queues the event's work unless the event was already queued within the dedupe window. The "seen"
   * mark is BullMQ's deduplication key, written by the same script that adds the job: an event is
   * never marked seen without its job, and a failed add (an error here) leaves no mark, so LiveKit's
   * redelivery is applied. Each call gets its own job id, so a returned id that differs from it says
   * an earlier delivery's job holds the key.
   */
  async enqueueOnce(event: LiveKitEventJob): Promise<'queued' | 'duplicate'> {
    const jobId = `${event.id}.${randomUUID()}`;
    const job = await this.jobs.queue.add(event.event, event, {
      jobId,
      deduplication: { id: event.id, ttl: this.config.webhooks.dedupeTtlSeconds * 1000 },
    });
    return job.id === jobId ? 'queued' : 'duplicate';
  }

  private async apply(job: Job<LiveKitEventJob>): Promise<void> {
    const { event, room, identity, createdAt, connectedAt } = job.data;
    if (!room) return;
    switch (event) {
      case 'participant_joined':
        // Observers watch; they have no session of their own (and no identity a participant could have).
        if (identity?.startsWith(OBSERVER_IDENTITY_PREFIX)) return;
        if (identity) {
          await this.sessions.setLiveKitPresence(room, identity, 'joined', createdAt, connectedAt);
          await this.recordings.onParticipantJoined(room, identity);
        }
        return;
      case 'track_published':
        if (identity && job.data.track) {
          await this.recordings.onTrackPublished(room, {
            participant: identity,
            trackSid: job.data.track.sid,
            kind: job.data.track.kind,
          });
        }
        return;
      case 'egress_started':
      case 'egress_updated':
      case 'egress_ended':
        if (job.data.egressInfo) await this.recordings.onEgressEvent(egressInfoFromJson(job.data.egressInfo));
        return;
      case 'participant_left':
      case 'participant_connection_aborted':
        if (identity?.startsWith(OBSERVER_IDENTITY_PREFIX)) return;
        if (identity) await this.sessions.setLiveKitPresence(room, identity, 'left', createdAt, connectedAt);
        return;
      case 'room_finished':
        // Ended interview sessions are reported to user-management (the interview was abandoned,
        // unless the agent completed it first).
        await this.interviewStatus.reportFinishedRoom(
          await this.sessions.endRoomForReport(room, createdAt, 'room_finished'),
          createdAt,
        );
        await this.recordings.onRoomFinished(room);
        return;
      default:
        return;
    }
  }

  /** For tests: resolves when every queued job has been processed. */
  drained(timeoutMs = 10_000): Promise<void> {
    return this.jobs.drained('LiveKit event queue', timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
