import { parseRoomName, type RoomKind } from '@app/room-naming';

export type JobDecision = { accept: true; kind: RoomKind; sessionId: string } | { accept: false; reason: string };

// R-G1: the worker takes jobs only for rooms that follow the naming convention and did not opt out.
// (The per-org auto-join flag from user-management is checked here once its internal API exists.)
export function decideJob(roomName: string | undefined): JobDecision {
  if (!roomName) return { accept: false, reason: 'job has no room' };
  const ref = parseRoomName(roomName);
  if (!ref) return { accept: false, reason: 'room name does not follow the convention' };
  if (ref.noBot) return { accept: false, reason: 'room opted out of the agent (__nobot)' };
  return { accept: true, kind: ref.kind, sessionId: ref.id };
}

/** One interviewer per room: a fixed identity also means a restarted job replaces its predecessor. */
export const AGENT_IDENTITY = 'parley-interviewer';
export const AGENT_DISPLAY_NAME = 'Parley interviewer';
