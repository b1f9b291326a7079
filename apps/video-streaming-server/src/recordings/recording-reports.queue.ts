import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RecordingReport } from '@app/contracts';
import type { DurableQueue } from '@app/redis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { userManagementReportQueue } from '../user-management/report-queue';
import { UserManagementClient } from '../user-management/user-management.client';

export const RECORDING_REPORTS_QUEUE = 'vss-recording-reports';

export interface RecordingReportJob {
  recordingId: string;
  report: RecordingReport;
}

// R-R6: user-management keeps each recording's status, times and final file on the meeting or
// interview record; the media plane tells it through durable jobs with exponential backoff, so an
// outage of user-management delays the record and loses nothing. One job per recording and phase:
// a phase reported twice (a retried webhook, another replica) is delivered once, and
// user-management never lets an earlier phase undo a later one.
@Injectable()
export class RecordingReportsQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RecordingReportsQueue.name);
  private jobs!: DurableQueue<RecordingReportJob>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly client: UserManagementClient,
  ) {}

  onModuleInit(): void {
    this.jobs = userManagementReportQueue<RecordingReportJob>({
      config: this.config,
      name: RECORDING_REPORTS_QUEUE,
      connectionSuffix: 'recording-reports',
      logger: this.logger,
      what: 'recording report',
      deliver: (job) => this.client.reportRecording(job.data.recordingId, job.data.report),
    });
  }

  async report(recordingId: string, report: RecordingReport, attempt = 0): Promise<void> {
    // A failure reported again after a later retry of the finalize is a new report (its own id).
    const suffix = report.phase === 'failed' ? `-${attempt}` : '';
    await this.jobs.queue.add(
      `recording-${report.phase}`,
      { recordingId, report },
      { jobId: `recording-${recordingId}-${report.phase}${suffix}` },
    );
  }

  /** For tests: resolves when every queued report has been delivered or has failed for good. */
  drained(timeoutMs = 10_000): Promise<void> {
    return this.jobs.drained('recording reports', timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
