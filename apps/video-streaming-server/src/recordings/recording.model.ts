import type { RecordingState } from '@app/contracts';

// One recording of one room: what the media plane keeps in Redis while it records and finalizes
// (R-R3). The business record (status, duration, the final file) is user-management's (R-R6).

export type RecorderName = 'local' | 'egress';
export type StopApproval = 'required' | 'not_required';
export type TrackStatus = 'active' | 'ended' | 'failed' | 'aborted';

export interface StopRequest {
  id: string;
  requestedBy: string;
  requestedAt: number;
  outcome: 'pending' | 'approved' | 'rejected';
  decidedAt: number | null;
}

export interface RecordingRecord {
  id: string;
  room: string;
  orgId: string;
  subjectKind: 'interview' | 'meeting';
  subjectId: string;
  state: RecordingState;
  recorder: RecorderName;
  stopApproval: StopApproval;
  startedBy: string;
  startedAt: number;
  stoppedBy?: string;
  stoppedAt?: number;
  stopRequest?: StopRequest;
  finalizePercent?: number;
  finalizeStage?: string;
  finalizeAttempt?: number;
  cutShort: boolean;
  failureReason?: string;
  objectKey?: string;
  durationMs?: number;
  sizeBytes?: number;
  codecs?: string[];
  mediaStartedAt?: number;
}

/** One recorded track: a track egress, or one track of the local recorder (same shape). */
export interface TrackRecord {
  egressId: string;
  participant: string;
  kind: 'audio' | 'video' | 'unknown';
  trackSid?: string;
  status: TrackStatus;
  /** Object key of the raw file (`raw/<orgId>/<recordingId>/<participant>/<kind>-<trackSid>.<ext>`). */
  objectKey?: string;
  /** Wall-clock start of the track's first media (ms since the epoch), from the recorder. */
  startedAt?: number;
  endedAt?: number;
  sizeBytes?: number;
  durationMs?: number;
  error?: string;
}

/** States in which the room's recording is live: a second start is refused, a stop applies. */
export const LIVE_STATES: readonly RecordingState[] = ['starting', 'recording', 'stopping'];

/** `raw/<orgId>/<recordingId>/`: where the recorder writes a recording's tracks. */
export const rawPrefix = (orgId: string, recordingId: string) => `raw/${orgId}/${recordingId}/`;

/** The raw folder without its slash: what user-management's record points at until the final file exists. */
export const rawFolder = (orgId: string, recordingId: string) => `raw/${orgId}/${recordingId}`;

/** `final-recordings/<orgId>/<recordingId>.<ext>`: the one final file (R-R4). */
export const finalObjectKey = (orgId: string, recordingId: string, ext: string) =>
  `final-recordings/${orgId}/${recordingId}.${ext}`;

const RAW_KEY = /^raw\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/([A-Za-z0-9._@:-]{1,128})\/(audio|video)-[^/]+$/;

/** The org, recording and participant a raw track's object key names; null for any other key. */
export function parseRawTrackKey(
  key: string,
): { orgId: string; recordingId: string; participant: string; kind: 'audio' | 'video' } | null {
  const match = RAW_KEY.exec(key);
  if (!match) return null;
  return { orgId: match[1], recordingId: match[2], participant: match[3], kind: match[4] as 'audio' | 'video' };
}
