import type { Recording } from './api';

// Where a moment of the interview lands in the recording. Transcript and evidence offsets count
// from the interview's startedAt; the media file's t=0 is the recording's mediaStartedAt (the
// earliest track, which may start before or after the session start).

/** Seconds into the media file of `offsetMs` (from the session start), never negative. */
export function playerSeconds(
  offsetMs: number,
  sessionStartedAt: string,
  recording: Pick<Recording, 'mediaStartedAt'>,
) {
  const mediaStart = Date.parse(recording.mediaStartedAt ?? sessionStartedAt);
  return Math.max(0, (Date.parse(sessionStartedAt) + offsetMs - mediaStart) / 1000);
}

/** `m:ss` (or `h:mm:ss`) of a duration in milliseconds. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export const STATUS_LABEL: Record<string, string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  completed: 'Completed',
  abandoned: 'Abandoned',
  expired: 'Expired',
};

export const RECOMMENDATION_LABEL: Record<string, string> = {
  strong_yes: 'Strong yes',
  yes: 'Yes',
  no: 'No',
  strong_no: 'Strong no',
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
