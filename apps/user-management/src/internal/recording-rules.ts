import type { RecordingPhase, RecordingStatus } from '../persistence/entities';

// R-R6: the pure rules behind the media plane's recording reports, apart from the I/O so each is
// checked on its own (recording-rules.spec.ts).

// Each recording's phase only moves forward; a late retry of an earlier phase changes nothing.
const PHASE_ORDER: Record<RecordingPhase, number> = { recording: 1, processing: 2, failed: 3, ready: 4 };

export const STATUS_OF_PHASE: Record<RecordingPhase, RecordingStatus> = {
  recording: 'pending',
  processing: 'pending',
  failed: 'failed',
  ready: 'ready',
};

/** Whether a report of `next` may replace a recording's stored phase (none stored: always). */
export function phaseMayAdvance(current: RecordingPhase | undefined, next: RecordingPhase): boolean {
  return current === undefined || PHASE_ORDER[next] >= PHASE_ORDER[current];
}

/** A meeting shows its latest recording: the one that started last (ties: the one reported now). */
export function startsLater(candidate: { startedAt: Date | null }, shown: { startedAt: Date | null }): boolean {
  return (candidate.startedAt?.getTime() ?? 0) >= (shown.startedAt?.getTime() ?? 0);
}

// Where the media plane writes an org's recordings: raw tracks, and the final file (R-R4).
const OBJECT_KEY_ROOTS = ['raw', 'final-recordings'] as const;

/**
 * R-R7 tenancy for stored files: a recording may only point at its own org's folders,
 * `raw/<orgId>/…` or `final-recordings/<orgId>/…`, or a replay URL could be signed for another
 * org's file. No empty, `.` or `..` segment either, so the prefix means what it says.
 */
export function objectKeyIsUnderOrg(objectKey: string, orgId: string): boolean {
  const segments = objectKey.split('/');
  return (
    segments.length >= 3 &&
    (OBJECT_KEY_ROOTS as readonly string[]).includes(segments[0]) &&
    segments[1] === orgId &&
    segments.slice(2).every((segment) => segment !== '' && segment !== '.' && segment !== '..')
  );
}
