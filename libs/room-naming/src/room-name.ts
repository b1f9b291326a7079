// R-L1: the one place that builds and parses LiveKit room names.
//   interview_<uuid>         AI interview session
//   meeting_<uuid>           human meeting
//   <either>__nobot          same, but the interviewer agent must not auto-join
// Ids are canonical lowercase UUIDs, so every room has exactly one name and a name can never
// smuggle a second delimiter or path segment in.

export const ROOM_KINDS = ['interview', 'meeting'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export const NO_BOT_SUFFIX = '__nobot';
export const MAX_ROOM_NAME_LENGTH = 'interview_'.length + 36 + NO_BOT_SUFFIX.length;

export interface RoomRef {
  kind: RoomKind;
  id: string;
  noBot: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROOM_NAME = /^(interview|meeting)_([0-9a-f-]{36})(__nobot)?$/;

export class InvalidRoomRefError extends Error {
  constructor(reason: string) {
    super(`cannot build a room name: ${reason}`);
    this.name = 'InvalidRoomRefError';
  }
}

export function buildRoomName(ref: { kind: RoomKind; id: string; noBot?: boolean }): string {
  if (!ROOM_KINDS.includes(ref.kind)) throw new InvalidRoomRefError(`unknown room kind "${String(ref.kind)}"`);
  // UUIDs compare case-insensitively; the canonical name uses the lowercase form.
  const id = typeof ref.id === 'string' ? ref.id.toLowerCase() : '';
  if (!UUID.test(id)) throw new InvalidRoomRefError('id must be a UUID');
  return `${ref.kind}_${id}${ref.noBot ? NO_BOT_SUFFIX : ''}`;
}

/** Returns the parsed reference, or null when the name does not follow the convention. */
export function parseRoomName(name: string): RoomRef | null {
  if (typeof name !== 'string' || name.length > MAX_ROOM_NAME_LENGTH) return null;
  const match = ROOM_NAME.exec(name);
  if (!match || !UUID.test(match[2])) return null;
  return { kind: match[1] as RoomKind, id: match[2], noBot: match[3] !== undefined };
}

/** The agent auto-joins rooms that follow the convention and do not opt out (R-G1). */
export function isAgentAutoJoinRoom(name: string): boolean {
  const ref = parseRoomName(name);
  return ref !== null && !ref.noBot;
}
