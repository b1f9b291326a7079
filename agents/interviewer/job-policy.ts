import { INTERVIEWER_IDENTITY } from '@app/contracts';
import { parseRoomName, type RoomKind } from '@app/room-naming';
import type { RoomContextLookup } from './room-context';

export type JobDecision = { accept: true; kind: RoomKind; sessionId: string } | { accept: false; reason: string };

// R-G1: the worker takes jobs only for rooms that follow the naming convention and did not opt out.
export function decideJob(roomName: string | undefined): JobDecision {
  if (!roomName) return { accept: false, reason: 'job has no room' };
  const ref = parseRoomName(roomName);
  if (!ref) return { accept: false, reason: 'room name does not follow the convention' };
  if (ref.noBot) return { accept: false, reason: 'room opted out of the agent (__nobot)' };
  return { accept: true, kind: ref.kind, sessionId: ref.id };
}

// Sessions still worth joining; the rest are over (completed, abandoned, expired, ended, cancelled).
const OPEN: Record<RoomKind, ReadonlySet<string>> = {
  interview: new Set(['scheduled', 'in_progress']),
  meeting: new Set(['scheduled', 'live']),
};

/**
 * R-G1, second step: what user-management says of the room decides.
 * - A room no interview or meeting has, an org that turned auto-join off, or an interview that is
 *   or meeting that is over: no agent.
 * - user-management unreachable: an interview room is joined anyway. A candidate alone in a room
 *   with no interviewer, waiting for nobody, is the worst outcome; the org's flag is on unless an
 *   admin turned it off, and the job asks user-management again for the plan. A meeting room is
 *   left alone: the agent is only a silent note-taker there.
 */
export function decideWithContext(naming: JobDecision, lookup: RoomContextLookup): JobDecision {
  if (!naming.accept) return naming;
  switch (lookup.outcome) {
    case 'unknown':
      return { accept: false, reason: 'no interview or meeting has this room' };
    case 'unreachable':
      return naming.kind === 'interview'
        ? naming
        : { accept: false, reason: `user-management unreachable (${lookup.reason}); meetings go without the agent` };
    case 'found': {
      const { context } = lookup;
      if (context.kind !== naming.kind || context.id !== naming.sessionId) {
        return { accept: false, reason: 'user-management describes another room' };
      }
      if (!context.agentAutoJoin) return { accept: false, reason: 'the org turned agent auto-join off' };
      if (!OPEN[context.kind].has(context.status))
        return { accept: false, reason: `the ${context.kind} is ${context.status}` };
      return naming;
    }
  }
}

/** Busy is a count, not CPU: on a 2-core host CPU load flaps with every turn of every interview. */
export function loadOf(liveJobs: number, capacity: number): number {
  return Math.min(1, liveJobs / capacity);
}

/** One interviewer per room: a fixed identity also means a restarted job replaces its predecessor. */
export const AGENT_IDENTITY = INTERVIEWER_IDENTITY;
export const AGENT_DISPLAY_NAME = 'Parley interviewer';
