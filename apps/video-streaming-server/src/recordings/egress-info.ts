import { EgressInfo, EgressStatus } from 'livekit-server-sdk';
import { parseRawTrackKey, type TrackRecord, type TrackStatus } from './recording.model';

const nsToMs = (ns: bigint | number | undefined) => {
  const value = Number(ns ?? 0);
  return value > 0 ? Math.round(value / 1e6) : undefined;
};

function statusOf(info: EgressInfo): TrackStatus {
  switch (info.status) {
    case EgressStatus.EGRESS_STARTING:
    case EgressStatus.EGRESS_ACTIVE:
    case EgressStatus.EGRESS_ENDING:
      return 'active';
    case EgressStatus.EGRESS_COMPLETE:
    case EgressStatus.EGRESS_LIMIT_REACHED:
      return 'ended';
    case EgressStatus.EGRESS_ABORTED:
      return 'aborted';
    default:
      return 'failed';
  }
}

/**
 * A track egress's EgressInfo (from egress itself or Parley's recorder: the same shape) → the
 * track as a recording keeps it. The participant and kind come from the file path, which Parley
 * sets for both (`raw/<orgId>/<recordingId>/<participant>/<kind>-<trackSid>.<ext>`). Null for an
 * egress that is not one of Parley's track recordings.
 */
export function trackFromEgressInfo(info: EgressInfo): { recordingId: string; track: TrackRecord } | null {
  const request = info.request.case === 'track' ? info.request.value : undefined;
  const file = info.fileResults[0];
  const filepath =
    file?.filename || (request?.output.case === 'file' ? request.output.value.filepath : undefined) || '';
  const parsed = parseRawTrackKey(filepath);
  if (!parsed) return null;
  const status = statusOf(info);
  return {
    recordingId: parsed.recordingId,
    track: {
      egressId: info.egressId,
      participant: parsed.participant,
      kind: parsed.kind,
      trackSid: request?.trackId || undefined,
      status,
      objectKey: file?.filename || undefined,
      startedAt: nsToMs(file?.startedAt) ?? nsToMs(info.startedAt),
      endedAt: nsToMs(file?.endedAt) ?? nsToMs(info.endedAt),
      sizeBytes: file ? Number(file.size) : undefined,
      durationMs: file ? nsToMs(file.duration) : undefined,
      error: info.error || undefined,
    },
  };
}

/** The recorder's JSON (protojson, as LiveKit writes EgressInfo) → EgressInfo. */
export const egressInfoFromJson = (json: unknown) => EgressInfo.fromJson(json as never, { ignoreUnknownFields: true });
