// Identities follow the room-naming convention: the interviewer agent joins as `agent-…`, the
// candidate as `candidate-…`; anyone else in a recorded meeting is a plain participant.

export type ParticipantRole = 'interviewer' | 'candidate' | 'participant';

export function roleOf(identity: string): ParticipantRole {
  if (identity.startsWith('agent-')) return 'interviewer';
  if (identity.startsWith('candidate-')) return 'candidate';
  return 'participant';
}
