import type { RoomContext } from '@app/contracts';

export type StartVerdict =
  | { allowed: true }
  | {
      allowed: false;
      reason: 'recording_off' | 'consent_missing' | 'consent_declined' | 'session_closed';
      message: string;
    };

/**
 * R-R1, as user-management's room context states it: a job posting's policy `off` refuses every
 * start; `optional` needs the candidate's recorded consent; `mandatory` is allowed (the candidate
 * could only join by consenting). Meetings have no posting: their hosts decide. A closed interview
 * or an ended meeting records nothing.
 */
export function recordingStartVerdict(context: RoomContext): StartVerdict {
  if (context.kind === 'interview') {
    if (context.recordingPolicy === 'off') {
      return { allowed: false, reason: 'recording_off', message: 'this job posting does not allow recording' };
    }
    if (context.consent === 'declined') {
      return { allowed: false, reason: 'consent_declined', message: 'the candidate declined to be recorded' };
    }
    if (context.consent !== 'given') {
      return {
        allowed: false,
        reason: 'consent_missing',
        message: 'the candidate has not consented to be recorded',
      };
    }
  }
  if (!context.recordingAllowed) {
    return {
      allowed: false,
      reason: 'session_closed',
      message: `this ${context.kind} is ${context.status}; nothing can be recorded`,
    };
  }
  return { allowed: true };
}
