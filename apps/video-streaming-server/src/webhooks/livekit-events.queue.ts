import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { logRedisErrors } from '@app/redis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from '../sessions/session.repository';

export const LIVEKIT_EVENTS_QUEUE = 'vss-livekit-events';

/** What the webhook receiver keeps of an event for the state update. */
export interface LiveKitEventJob {
  id: string;
  event: string;
  room?: string;
  identity?: string;
  createdAt: number;
}

// The webhook answers as soon as the event is verified, deduplicated and queued; applying it to
// session state happens here. Jobs are idempotent (presence and "ended" are set, not toggled), as
// BullMQ delivery is at-least-once.
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
  ) {}

  onModuleInit(): void {
    // BullMQ needs blocking commands to wait forever, so it gets its own connection.
    this.connection = logRedisErrors(
      new Redis(this.config.redis.url, {
        maxRetriesPerRequest: null,
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
    this.workerConnection = logRedisErrors(this.connection.duplicate(), 'queue-worker');
    this.worker = new Worker(LIVEKIT_EVENTS_QUEUE, (job) => this.apply(job), {
      connection: this.workerConnection,
      concurrency: 8,
    });
    this.worker.on('failed', (job, err) => this.logger.warn({ err, jobId: job?.id }, 'LiveKit event job failed'));
    // Connection errors are already logged by logRedisErrors; these listeners keep them handled.
    this.worker.on('error', () => undefined);
    this.queue.on('error', () => undefined);
  }

  async enqueue(event: LiveKitEventJob): Promise<void> {
    await this.queue.add(event.event, event, { jobId: event.id });
  }

  private async apply(job: Job<LiveKitEventJob>): Promise<void> {
    const { event, room, identity, createdAt } = job.data;
    if (!room) return;
    switch (event) {
      case 'participant_joined':
        if (identity) await this.sessions.setLiveKitPresence(room, identity, 'joined', createdAt);
        return;
      case 'participant_left':
      case 'participant_connection_aborted':
        if (identity) await this.sessions.setLiveKitPresence(room, identity, 'left', createdAt);
        return;
      case 'room_finished':
        await this.sessions.endRoom(room, createdAt, 'room_finished');
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
