import { INTERVIEWER_IDENTITY } from '@app/contracts';

// Parley's interviewer joins as `parley-interviewer` (other LiveKit agents as `agent-…`), the
// candidate as `candidate-…`; anyone else in a recorded meeting is a plain participant.

export type ParticipantRole = 'interviewer' | 'candidate' | 'participant';

export function roleOf(identity: string): ParticipantRole {
  if (identity === INTERVIEWER_IDENTITY || identity.startsWith('agent-')) return 'interviewer';
  if (identity.startsWith('candidate-')) return 'candidate';
  return 'participant';
}
