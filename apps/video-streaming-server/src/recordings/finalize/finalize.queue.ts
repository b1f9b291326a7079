import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DurableQueue } from '@app/redis';
import type { Job } from 'bullmq';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../../config';
import type { FinalizeJob } from './finalize-job';
import { FinalizeService } from './finalize.service';

export const FINALIZE_QUEUE = 'vss-recording-finalize';

/** Whether this process works the finalize queue (the API process unless told not to, or the worker). */
export const FINALIZE_WORKER = Symbol('FINALIZE_WORKER');

// R-R4: one durable job per recording (job id `finalize-<recordingId>`: queued twice, it runs once),
// retried with exponential backoff. A worker killed mid-merge leaves its job stalled; after the lock
// expires another worker (or the restarted one) takes it up from the start, and since the final
// object's key is the recording's own, the retry overwrites rather than adds: exactly one final file.
@Injectable()
export class FinalizeQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FinalizeQueue.name);
  private jobs!: DurableQueue<FinalizeJob>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    @Inject(FINALIZE_WORKER) private readonly works: boolean,
    @Optional() private readonly finalizer?: FinalizeService,
  ) {}

  onModuleInit(): void {
    const finalize = this.config.recording.finalize;
    this.jobs = new DurableQueue<FinalizeJob>({
      name: FINALIZE_QUEUE,
      redisUrl: this.config.redis.url,
      connectionName: `${this.config.redis.connectionName}-finalize`,
      defaultJobOptions: {
        attempts: finalize.attempts,
        backoff: { type: 'exponential', delay: finalize.backoffMs },
        removeOnComplete: 10_000,
        removeOnFail: 10_000,
      },
      processor: (job: Job<FinalizeJob>, token?: string) => this.process(job, token),
      concurrency: finalize.concurrency,
      worker: {
        autorun: this.works && this.finalizer !== undefined,
        lockDuration: finalize.lockMs,
        stalledInterval: finalize.lockMs,
        maxStalledCount: 5,
      },
      onFailed: (jobId, err, attempt) => this.logger.warn({ err, jobId, attempt }, 'finalize job failed'),
    });
  }

  private async process(job: Job<FinalizeJob>, token?: string): Promise<string> {
    if (!this.finalizer) throw new Error('this process does not finalize recordings');
    if (job.data.kind === 'purge-raw') return this.finalizer.purgeRaw(job.data.recordingId);
    const outcome = await this.finalizer.finalize(job, token);
    const retention = this.config.recording.rawRetentionSeconds;
    // Unset: raw tracks are kept for good (an operator deletes them).
    if (outcome === 'ready' && retention !== undefined)
      await this.schedulePurge(job.data.recordingId, retention * 1000);
    return outcome;
  }

  async enqueue(recordingId: string): Promise<void> {
    await this.jobs.queue.add('finalize', { kind: 'finalize', recordingId }, { jobId: `finalize-${recordingId}` });
  }

  /** Raw tracks go once the retention after a verified final file has passed. */
  async schedulePurge(recordingId: string, delayMs: number): Promise<void> {
    await this.jobs.queue.add(
      'purge-raw',
      { kind: 'purge-raw', recordingId },
      { jobId: `purge-raw-${recordingId}`, delay: delayMs, attempts: 5 },
    );
  }

  /** For tests and operators: the recording's finalize job, if kept. */
  job(recordingId: string) {
    return this.jobs.queue.getJob(`finalize-${recordingId}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
