import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { OBSERVER_IDENTITY_PREFIX } from '@app/contracts';
import { logRedisErrors } from '@app/redis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from '../sessions/session.repository';
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
}

// The webhook answers as soon as the event is verified, deduplicated and queued; applying it to
// session state happens here, concurrently and in any order. Each state change is conditional on the
// event's times (see SessionRepository), so a late or reordered event never undoes a newer state,
// and re-applying one has no second effect (BullMQ delivery is at-least-once).
@Injectable()
export class LiveKitEventsQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveKitEventsQueue.name);
  private connection!: Redis;
  private workerConnection!: Redis;
  private queue!: Queue<LiveKitEventJob>;
  private worker!: Worker<LiveKitEventJob>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly sessions: SessionRepository,
    private readonly interviewStatus: InterviewStatusReporter,
  ) {}

  onModuleInit(): void {
    // The producer fails fast (no offline queue, a command timeout): a webhook that cannot be queued
    // must be answered 503 so LiveKit redelivers it, not wait for Redis to come back.
    this.connection = logRedisErrors(
      new Redis(this.config.redis.url, {
        enableOfflineQueue: false,
        commandTimeout: ENQUEUE_TIMEOUT_MS,
        connectionName: `${this.config.redis.connectionName}-queue`,
      }),
      'queue',
    );
    this.queue = new Queue(LIVEKIT_EVENTS_QUEUE, {
      connection: this.connection,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: 1_000,
        removeOnFail: 5_000,
      },
    });
    // BullMQ needs the worker's blocking commands to wait forever, so it gets its own connection.
    this.workerConnection = logRedisErrors(
      new Redis(this.config.redis.url, {
        maxRetriesPerRequest: null,
        connectionName: `${this.config.redis.connectionName}-queue-worker`,
      }),
      'queue-worker',
    );
    this.worker = new Worker(LIVEKIT_EVENTS_QUEUE, (job) => this.apply(job), {
      connection: this.workerConnection,
      concurrency: 8,
    });
    this.worker.on('failed', (job, err) => this.logger.warn({ err, jobId: job?.id }, 'LiveKit event job failed'));
    // Connection errors are already logged by logRedisErrors; these listeners keep them handled.
    this.worker.on('error', () => undefined);
    this.queue.on('error', () => undefined);
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
    const job = await this.queue.add(event.event, event, {
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
        if (identity) await this.sessions.setLiveKitPresence(room, identity, 'joined', createdAt, connectedAt);
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
        return;
      default:
        return;
    }
  }

  /** For tests: resolves when every queued job has been processed. */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
      if (counts.waiting + counts.active + counts.delayed === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('LiveKit event queue did not drain');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close connections it was given; without this the process never exits on its own.
    this.workerConnection?.disconnect();
    this.connection?.disconnect();
  }
}
