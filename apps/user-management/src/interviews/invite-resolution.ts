import type { InterviewStatus } from '../persistence/entities';

export type InviteVerdict =
  | { opens: true }
  | {
      opens: false;
      /** the interview is scheduled but its invite has run out: record it as expired */
      markExpired: boolean;
      reason?: string;
      message: string;
    };

/**
 * Whether an invite still opens its interview at `now` (the secret already matched). The expiry
 * bounds when an interview can start; a candidate already in it can always reconnect.
 */
export function inviteVerdict(interview: { status: InterviewStatus; inviteExpiresAt: Date }, now: Date): InviteVerdict {
  if (interview.status === 'completed')
    return {
      opens: false,
      markExpired: false,
      message: 'this interview has been completed; the invite no longer opens it',
    };
  // Reported by the media plane when the candidate's session was reaped or its room finished: an
  // interview left in_progress mints no more tickets once it is abandoned.
  if (interview.status === 'abandoned')
    return {
      opens: false,
      markExpired: false,
      reason: 'interview_abandoned',
      message: 'this interview was closed after the connection was lost; ask the recruiter for a new invite',
    };
  const runOut = interview.status === 'scheduled' && interview.inviteExpiresAt.getTime() <= now.getTime();
  if (interview.status === 'expired' || runOut)
    return {
      opens: false,
      markExpired: runOut,
      message: `this invite expired on ${interview.inviteExpiresAt.toISOString()}; ask the recruiter for a new one`,
    };
  return { opens: true };
}
