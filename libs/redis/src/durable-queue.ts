import { Queue, Worker, type DefaultJobOptions, type Processor, type WorkerOptions } from 'bullmq';
import Redis, { type RedisOptions as IORedisOptions } from 'ioredis';
import { logRedisErrors } from './redis.module';

export interface DurableQueueOptions<T> {
  name: string;
  redisUrl: string;
  /** Prefix of the two connections' names in CLIENT LIST (`<name>-queue`, `<name>-worker`). */
  connectionName: string;
  /**
   * How the producer connection behaves while Redis is away. Default: like BullMQ's own, commands
   * wait for the connection to come back. A caller that must answer now (a webhook) fails fast.
   */
  producer?: Pick<IORedisOptions, 'enableOfflineQueue' | 'commandTimeout'>;
  defaultJobOptions: DefaultJobOptions;
  processor: Processor<T>;
  concurrency: number;
  /**
   * Worker settings beyond concurrency: autorun false makes this process a producer only (another
   * process works the queue); lockDuration/stalledInterval say how soon a job whose worker died is
   * picked up again.
   */
  worker?: Pick<WorkerOptions, 'autorun' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  onFailed: (jobId: string | undefined, err: Error, attemptsMade: number | undefined) => void;
}

/**
 * A BullMQ queue with its worker, as every durable job of Parley needs them: a producer connection
 * and a separate blocking connection for the worker (BullMQ needs its blocking commands to wait
 * forever), connection errors logged once every few seconds, and a close that also ends both
 * connections (BullMQ does not close connections it was given; without that the process never
 * exits on its own).
 */
export class DurableQueue<T> {
  readonly connection: Redis;
  readonly workerConnection: Redis;
  readonly queue: Queue<T>;
  readonly worker: Worker<T>;

  constructor(options: DurableQueueOptions<T>) {
    this.connection = logRedisErrors(
      new Redis(options.redisUrl, {
        maxRetriesPerRequest: null,
        ...options.producer,
        connectionName: `${options.connectionName}-queue`,
      }),
      `${options.name} queue`,
    );
    this.queue = new Queue<T>(options.name, {
      connection: this.connection,
      defaultJobOptions: options.defaultJobOptions,
    });
    this.workerConnection = logRedisErrors(
      new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: `${options.connectionName}-worker` }),
      `${options.name} worker`,
    );
    this.worker = new Worker<T>(options.name, options.processor, {
      connection: this.workerConnection,
      concurrency: options.concurrency,
      ...options.worker,
    });
    this.worker.on('failed', (job, err) => options.onFailed(job?.id, err, job?.attemptsMade));
    // Connection errors are already logged by logRedisErrors; these listeners keep them handled.
    this.worker.on('error', () => undefined);
    this.queue.on('error', () => undefined);
  }

  /** For tests: resolves when no job is waiting, active or delayed. */
  async drained(what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
      if (counts.waiting + counts.active + counts.delayed === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what} did not drain`);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    this.workerConnection.disconnect();
    this.connection.disconnect();
  }
}
