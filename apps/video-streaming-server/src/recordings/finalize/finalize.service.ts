import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { mergeRecording, MergeInputError, type MergeResult } from '@app/media';
import { ObjectStore } from '@app/object-store';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../../config';
import { finalObjectKey, rawFolder, rawPrefix, type RecordingRecord, type TrackRecord } from '../recording.model';
import { RecordingRepository } from '../recording.repository';
import { RecordingReportsQueue } from '../recording-reports.queue';
import type { FinalizeJob } from './finalize-job';

// How long presigned input URLs live: longer than the slowest merge of a long recording.
const INPUT_URL_TTL_SECONDS = 6 * 3600;
const TRACK_POLL_MS = 500;
const PROGRESS_EVERY_MS = 1_000;

const CONTENT_TYPES: Record<string, string> = { webm: 'video/webm', mp4: 'video/mp4' };

/**
 * R-R4, one recording: wait until every track has ended; merge the raw tracks with ffmpeg straight
 * from the object store (presigned URLs, nothing buffered here); verify the result with ffprobe;
 * stream it to `final-recordings/<orgId>/<recordingId>.<ext>`; then tell user-management (R-R6).
 * Raw tracks stay until the final file is verified (and the configured retention after). Any
 * failure: state failed with the reason, raw kept, and BullMQ retries with backoff.
 */
@Injectable()
export class FinalizeService {
  private readonly logger = new Logger(FinalizeService.name);

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly repository: RecordingRepository,
    private readonly store: ObjectStore,
    private readonly reports: RecordingReportsQueue,
  ) {}

  async finalize(job: Job<FinalizeJob>, token?: string): Promise<string> {
    const recordingId = job.data.recordingId;
    const record = await this.repository.get(recordingId);
    if (!record) return 'gone';
    if (record.state === 'ready') return 'already-ready'; // delivered twice: the first did the work
    const tracks = await this.repository.tracks(recordingId);
    if (await this.waitForTracks(job, token, record, tracks)) throw new DelayedError();

    const attempt = job.attemptsMade + 1;
    const started = await this.repository.transition(
      record,
      ['stopping', 'finalizing', 'failed'],
      'finalizing',
      `finalize attempt ${attempt} started`,
      { finalizeStage: 'probing', finalizePercent: 0, finalizeAttempt: attempt, failureReason: undefined },
    );
    if (!started.ok) return `not finalizable in state ${started.current ?? 'none'}`;

    const saved = await this.savedTracks(record, tracks);
    const workDir = await mkdtemp(join(this.config.recording.finalize.tmpDir ?? tmpdir(), `finalize-${recordingId}-`));
    try {
      if (saved.length === 0) throw new UnrecoverableError('no track of this recording was saved');
      const result = await this.merge(record, saved, workDir);
      const objectKey = finalObjectKey(record.orgId, record.id, result.container);
      await this.progress(record.id, 'uploading', 99);
      await this.store.upload(objectKey, createReadStream(result.path), CONTENT_TYPES[result.container]);
      const stored = await this.store.head(objectKey);
      if (stored?.sizeBytes !== result.sizeBytes) {
        throw new Error(`the uploaded file has ${stored?.sizeBytes ?? 'no'} bytes, not ${result.sizeBytes}`);
      }
      const mediaStartedAt = Math.min(...saved.map((t) => t.startedAt ?? record.startedAt));
      await this.repository.transition(record, ['finalizing'], 'ready', `final file ready (${objectKey})`, {
        finalizeStage: 'done',
        finalizePercent: 100,
        objectKey,
        durationMs: result.durationMs,
        sizeBytes: result.sizeBytes,
        codecs: result.codecs,
        mediaStartedAt,
      });
      await this.reports.report(record.id, {
        room: record.room,
        objectKey,
        phase: 'ready',
        durationMs: result.durationMs,
        sizeBytes: result.sizeBytes,
        codecs: result.codecs,
        mediaStartedAt: new Date(mediaStartedAt).toISOString(),
      });
      return 'ready';
    } catch (err) {
      const reason = failureReason(err);
      const final = err instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      this.logger.warn({ err, recordingId, attempt, final }, 'finalize failed');
      await this.repository.transition(
        record,
        ['finalizing'],
        'failed',
        final ? `finalize failed: ${reason}` : `finalize attempt ${attempt} failed (will retry): ${reason}`,
        { failureReason: reason, finalizeStage: 'failed' },
      );
      if (final) {
        await this.reports.report(
          record.id,
          {
            room: record.room,
            objectKey: rawFolder(record.orgId, record.id),
            phase: 'failed',
            failureReason: reason,
          },
          attempt,
        );
      }
      // A corrupt track fails the same way every time: no retry can help.
      if (err instanceof MergeInputError) throw new UnrecoverableError(reason);
      throw err;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /**
   * The tracks with a file to merge. A track that failed may still have left a partial file (egress
   * reports its size); one whose file is missing from the store is left out, and the timeline says so.
   */
  private async savedTracks(record: RecordingRecord, tracks: readonly TrackRecord[]): Promise<TrackRecord[]> {
    const withFiles = tracks.filter((t) => t.objectKey && t.status !== 'active' && (t.sizeBytes ?? 1) > 0);
    const stored = await Promise.all(withFiles.map((t) => this.store.head(t.objectKey!)));
    const missing = withFiles.filter((_, i) => !stored[i] || stored[i].sizeBytes === 0);
    if (missing.length > 0) {
      await this.repository.patch(
        record.id,
        { cutShort: true },
        `no file in the store for ${missing.map((t) => `${t.participant}'s ${t.kind}`).join(', ')}`,
      );
    }
    return withFiles.filter((_, i) => stored[i] && stored[i].sizeBytes > 0);
  }

  /** Raw tracks are deleted once the retention after a verified final file has passed. */
  async purgeRaw(recordingId: string): Promise<string> {
    const record = await this.repository.get(recordingId);
    // Only a recording known to be ready loses its raw tracks; an unknown one keeps them.
    if (record?.state !== 'ready') return 'kept';
    const keys = (await this.store.list(rawPrefix(record.orgId, record.id))).map((o) => o.key);
    await this.store.delete(keys);
    await this.repository.patch(
      recordingId,
      {},
      `raw tracks deleted (${keys.length} file${keys.length === 1 ? '' : 's'})`,
    );
    return `deleted ${keys.length}`;
  }

  /**
   * True when the job was put back to wait for tracks still being written. After the configured
   * wait, it goes on with what was saved and says the recording was cut short.
   */
  private async waitForTracks(
    job: Job<FinalizeJob>,
    token: string | undefined,
    record: RecordingRecord,
    tracks: readonly TrackRecord[],
  ): Promise<boolean> {
    const open = tracks.filter((t) => t.status === 'active');
    if (record.state === 'recording' || record.state === 'starting') {
      await job.moveToDelayed(Date.now() + TRACK_POLL_MS, token);
      return true;
    }
    if (open.length === 0) return false;
    const deadline = (record.stoppedAt ?? record.startedAt) + this.config.recording.trackWaitMs;
    if (Date.now() < deadline) {
      await this.progress(record.id, `waiting for ${open.length} track(s) to end`, 0);
      await job.moveToDelayed(Date.now() + TRACK_POLL_MS, token);
      return true;
    }
    await this.repository.patch(
      record.id,
      { cutShort: true },
      `gave up waiting for ${open.map((t) => t.egressId).join(', ')}; finalizing what was saved`,
    );
    return false;
  }

  private async merge(record: RecordingRecord, tracks: readonly TrackRecord[], workDir: string) {
    const inputs = await Promise.all(
      tracks.map(async (t) => ({
        id: t.egressId,
        source: await this.store.presignGet(t.objectKey!, INPUT_URL_TTL_SECONDS),
        startedAtMs: t.startedAt ?? record.startedAt,
        speaker: t.participant,
      })),
    );
    let lastProgress = 0;
    // The plan names the container (-f webm|mp4); the file's own name needs no extension.
    const path = join(workDir, 'final');
    const result: MergeResult = await mergeRecording(inputs, path, {
      compositePreset: this.config.recording.finalize.compositePreset,
      onProgress: ({ percent, stage }) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        void this.progress(record.id, stage, Math.min(98, Math.round(percent)));
      },
    });
    return { ...result, path };
  }

  private progress(recordingId: string, stage: string, percent: number): Promise<void> {
    return this.repository
      .patch(recordingId, { finalizeStage: stage, finalizePercent: percent })
      .catch((err: Error) => this.logger.warn({ err, recordingId }, 'finalize progress not saved'));
  }
}

/** A reason fit for the status and user-management: no presigned URL (its signature) in it. */
function failureReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/(https?:\/\/[^\s?]+)\?[^\s]*/g, '$1').slice(0, 1_000);
}
