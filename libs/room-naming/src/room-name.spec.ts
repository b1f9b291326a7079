import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildRoomName,
  InvalidRoomRefError,
  isAgentAutoJoinRoom,
  MAX_ROOM_NAME_LENGTH,
  parseRoomName,
  ROOM_KINDS,
} from './room-name';

const id = '3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f';

describe(buildRoomName.name, () => {
  it('builds the conventional names', () => {
    expect(buildRoomName({ kind: 'interview', id })).toBe(`interview_${id}`);
    expect(buildRoomName({ kind: 'meeting', id })).toBe(`meeting_${id}`);
    expect(buildRoomName({ kind: 'interview', id, noBot: true })).toBe(`interview_${id}__nobot`);
    expect(buildRoomName({ kind: 'meeting', id, noBot: false })).toBe(`meeting_${id}`);
  });

  it('canonicalises the id to lowercase', () => {
    expect(buildRoomName({ kind: 'interview', id: id.toUpperCase() })).toBe(`interview_${id}`);
  });

  it.each([
    ['an empty id', ''],
    ['a non-UUID id', 'abc'],
    ['an id with a suffix smuggled in', `${id}__nobot`],
    ['an id with a path', `../${id}`],
    ['a UUID without dashes', id.replaceAll('-', '')],
  ])('refuses %s', (_label, badId) => {
    expect(() => buildRoomName({ kind: 'interview', id: badId })).toThrow(InvalidRoomRefError);
  });

  it('refuses an unknown kind', () => {
    expect(() => buildRoomName({ kind: 'webinar' as never, id })).toThrow(/unknown room kind/);
  });

  it('never exceeds the maximum length', () => {
    expect(buildRoomName({ kind: 'interview', id, noBot: true })).toHaveLength(MAX_ROOM_NAME_LENGTH);
  });
});

describe(parseRoomName.name, () => {
  it('round-trips every kind and flag', () => {
    for (const kind of ROOM_KINDS) {
      for (const noBot of [false, true]) {
        const uuid = randomUUID();
        expect(parseRoomName(buildRoomName({ kind, id: uuid, noBot }))).toEqual({ kind, id: uuid, noBot });
      }
    }
  });

  it.each([
    '',
    'interview',
    'interview_',
    `interview-${id}`,
    `Interview_${id}`,
    `interview_${id.toUpperCase()}`,
    `interview_${id}__NOBOT`,
    `interview_${id}__nobot__nobot`,
    `interview_${id}_nobot`,
    `interview_${id}x`,
    `xinterview_${id}`,
    `interview_${id}\n`,
    `webinar_${id}`,
    `meeting_${'-'.repeat(36)}`,
    `meeting_${id} `,
    `interview_${id}`.repeat(20),
  ])('rejects %j', (name) => {
    expect(parseRoomName(name)).toBeNull();
  });

  it('rejects non-strings without throwing', () => {
    expect(parseRoomName(undefined as never)).toBeNull();
    expect(parseRoomName(42 as never)).toBeNull();
  });
});

describe(isAgentAutoJoinRoom.name, () => {
  it('joins conventional rooms and skips __nobot and foreign rooms', () => {
    expect(isAgentAutoJoinRoom(`interview_${id}`)).toBe(true);
    expect(isAgentAutoJoinRoom(`meeting_${id}`)).toBe(true);
    expect(isAgentAutoJoinRoom(`interview_${id}__nobot`)).toBe(false);
    expect(isAgentAutoJoinRoom(`meeting_${id}__nobot`)).toBe(false);
    expect(isAgentAutoJoinRoom('lobby')).toBe(false);
  });
});
