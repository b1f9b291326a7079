import type { Logger } from '@nestjs/common';
import { DurableQueue } from '@app/redis';
import { UnrecoverableError, type Job } from 'bullmq';
import type { VideoStreamingServerConfig } from '../config';
import { UserManagementRefused } from './user-management.client';

/**
 * The durable queue behind each kind of report the media plane owes user-management (abandoned
 * interviews, recordings): attempts with exponential backoff from the config carry a report
 * through an outage, and a refusal (a 4xx other than 404/409) ends the job at once, since no
 * retry could change user-management's answer.
 */
export function userManagementReportQueue<T>(options: {
  config: VideoStreamingServerConfig;
  name: string;
  connectionSuffix: string;
  logger: Logger;
  what: string;
  deliver: (job: Job<T>) => Promise<unknown>;
}): DurableQueue<T> {
  const { config, logger } = options;
  const { reportAttempts, reportBackoffMs } = config.userManagement;
  return new DurableQueue<T>({
    name: options.name,
    redisUrl: config.redis.url,
    connectionName: `${config.redis.connectionName}-${options.connectionSuffix}`,
    defaultJobOptions: {
      attempts: reportAttempts,
      backoff: { type: 'exponential', delay: reportBackoffMs },
      removeOnComplete: 10_000,
      removeOnFail: 10_000,
    },
    processor: async (job) => {
      try {
        return await options.deliver(job);
      } catch (err) {
        if (err instanceof UserManagementRefused) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    concurrency: 4,
    onFailed: (jobId, err, attempt) => logger.warn({ err, jobId, attempt }, `${options.what} failed`),
  });
}
