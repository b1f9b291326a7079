import type { MeetingStatus } from '../persistence/entities';

// R-M1: a meeting can be joined from 15 minutes before it starts until 30 minutes after it ends.
export const JOIN_EARLY_MS = 15 * 60_000;
export const JOIN_LATE_MS = 30 * 60_000;
const MIN_TOKEN_TTL_MS = 3_600_000;

export type MeetingJoinVerdict =
  | { joinable: true; tokenTtlMs: number }
  | { joinable: false; reason: 'meeting_cancelled' | 'meeting_ended' | 'too_early' | 'too_late'; message: string };

/**
 * Whether a meeting can be joined at `now`, and for how long a token should then hold: through
 * the join window, at least an hour, at most `maxTokenTtlMs`.
 */
export function meetingJoinVerdict(
  meeting: { status: MeetingStatus; startsAt: Date; endsAt: Date },
  now: Date,
  maxTokenTtlMs: number,
): MeetingJoinVerdict {
  if (meeting.status === 'cancelled' || meeting.status === 'ended') {
    return {
      joinable: false,
      reason: `meeting_${meeting.status}`,
      message: `the meeting is ${meeting.status}; it cannot be joined`,
    };
  }
  const opensAt = meeting.startsAt.getTime() - JOIN_EARLY_MS;
  const closesAt = meeting.endsAt.getTime() + JOIN_LATE_MS;
  if (now.getTime() < opensAt) {
    return {
      joinable: false,
      reason: 'too_early',
      message: `the meeting opens at ${new Date(opensAt).toISOString()} (15 minutes before it starts)`,
    };
  }
  if (now.getTime() > closesAt) {
    return {
      joinable: false,
      reason: 'too_late',
      message: `the meeting closed at ${new Date(closesAt).toISOString()} (30 minutes after its end)`,
    };
  }
  return { joinable: true, tokenTtlMs: Math.min(Math.max(closesAt - now.getTime(), MIN_TOKEN_TTL_MS), maxTokenTtlMs) };
}
