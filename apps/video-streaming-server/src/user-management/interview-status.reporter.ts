import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { parseRoomName } from '@app/room-naming';
import type { DurableQueue } from '@app/redis';
import type { Job } from 'bullmq';
import type Redis from 'ioredis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { userManagementReportQueue } from './report-queue';
import { UserManagementClient } from './user-management.client';

export const INTERVIEW_STATUS_QUEUE = 'vss-interview-status';

export interface InterviewAbandonedJob {
  interviewId: string;
  /** when the candidate's session ended (ISO 8601) */
  at: string;
}

export interface EndedSession {
  room: string;
  role?: string;
}

// Business truth lives in user-management: when a candidate's interview session ends without the
// agent completing it (reaped as a zombie, or its room finished), the interview is reported
// abandoned, with when. A durable BullMQ job carries the report through a user-management outage
// (attempts with exponential backoff). One job id per interview, so reporting the same end again
// (another replica, a retried cleanup, the room finishing after a reap) adds nothing; and the
// status call itself is idempotent on user-management's side. "Already completed or abandoned"
// (409) and "no such interview" (404) are final answers, not failures to retry.
@Injectable()
export class InterviewStatusReporter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InterviewStatusReporter.name);
  private jobs!: DurableQueue<InterviewAbandonedJob>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly client: UserManagementClient,
  ) {}

  onModuleInit(): void {
    this.jobs = userManagementReportQueue<InterviewAbandonedJob>({
      config: this.config,
      name: INTERVIEW_STATUS_QUEUE,
      connectionSuffix: 'um-reports',
      logger: this.logger,
      what: 'interview status report',
      deliver: (job) => this.deliver(job),
    });
  }

  /** The producer's connection (tests cut it to prove a failed report is retried). */
  get connection(): Redis {
    return this.jobs.connection;
  }

  /**
   * Queues the "abandoned" reports of the sessions that are an interview candidate's; other
   * sessions (meetings, the agent, observers) change no interview. One round trip for all.
   */
  async reportEndedSessions(
    ended: ReadonlyArray<{ session: EndedSession; endedAt: number }>,
    delayMs = 0,
  ): Promise<number> {
    const jobs = ended.flatMap(({ session, endedAt }) => {
      const room = parseRoomName(session.room);
      if (!room || room.kind !== 'interview' || session.role !== 'candidate') return [];
      const data: InterviewAbandonedJob = { interviewId: room.id, at: new Date(endedAt).toISOString() };
      // BullMQ job ids must not contain ':'.
      return [{ name: 'interview-abandoned', data, opts: { jobId: `interview-abandoned-${room.id}`, delay: delayMs } }];
    });
    if (jobs.length > 0) await this.jobs.queue.addBulk(jobs);
    return jobs.length;
  }

  /**
   * The sessions a finished room ended. Their reports wait one grace period, so that an agent
   * saving the results as the room closes comes first and the interview stays `completed`
   * (user-management then answers 409, a final answer).
   */
  async reportFinishedRoom(ended: readonly EndedSession[], endedAt: number): Promise<void> {
    await this.reportEndedSessions(
      ended.map((session) => ({ session, endedAt })),
      this.config.liveness.graceMs,
    );
  }

  private async deliver(job: Job<InterviewAbandonedJob>): Promise<string> {
    const result = await this.client.reportInterviewStatus(job.data.interviewId, {
      status: 'abandoned',
      at: job.data.at,
    });
    if (result.outcome !== 'applied')
      this.logger.log(
        { interviewId: job.data.interviewId, outcome: result.outcome, message: result.message },
        'interview not marked abandoned (final answer from user-management)',
      );
    return result.outcome;
  }

  /** For tests: resolves when every queued report has been delivered or has failed for good. */
  drained(timeoutMs = 10_000): Promise<void> {
    return this.jobs.drained('interview status reports', timeoutMs);
  }

  /** For tests and operators: the job of an interview's report, if any is kept. */
  async jobOf(interviewId: string): Promise<Job<InterviewAbandonedJob> | undefined> {
    return this.jobs.queue.getJob(`interview-abandoned-${interviewId}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
