import type { RecorderName, RecordingRecord, TrackRecord } from './recording.model';

export interface RecorderStartRequest {
  recordingId: string;
  room: string;
  orgId: string;
  /** `raw/<orgId>/<recordingId>/`: every track file goes under it (R-R4). */
  filepathPrefix: string;
}

/** The recorder could not do what was asked; `reason` is safe to show to the caller. */
export class RecorderUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * What records a room's tracks into the object store: LiveKit track egress in production, Parley's
 * Go-SDK recorder where egress cannot run (local, CI). Both write one encoded file per track under
 * the recording's raw prefix and report each track's end as an EgressInfo (fileResults), through
 * LiveKit-signed `egress_ended` webhooks, so the same finalize follows either.
 */
export abstract class Recorder {
  abstract readonly name: RecorderName;

  /** Starts recording every track of the room, including tracks published later. */
  abstract start(request: RecorderStartRequest): Promise<{ recorderIds: string[]; tracks: TrackRecord[] }>;

  /**
   * Stops every track of the recording. Returns the tracks known to have ended when it returns (the
   * local recorder answers after uploading them all; egress reports through webhooks later).
   */
  abstract stop(recording: RecordingRecord, tracks: readonly TrackRecord[]): Promise<TrackRecord[]>;

  /** A track was published in a room being recorded: egress starts a track egress for it. */
  abstract trackPublished(
    recording: RecordingRecord,
    track: { participant: string; trackSid: string; kind: 'audio' | 'video' },
  ): Promise<TrackRecord | null>;
}
