import { describe, expect, it } from 'vitest';
import { JOIN_EARLY_MS, JOIN_LATE_MS, meetingJoinVerdict } from './meeting-join-window';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const startsAt = new Date('2030-01-01T10:00:00Z');
const endsAt = new Date('2030-01-01T11:00:00Z');
const meeting = (status: 'scheduled' | 'live' | 'ended' | 'cancelled' = 'scheduled') => ({ status, startsAt, endsAt });
const at = (offsetFromStartMs: number) => new Date(startsAt.getTime() + offsetFromStartMs);
const MAX_TTL = 8 * HOUR;

describe(meetingJoinVerdict.name, () => {
  it('opens 15 minutes before the start, not a millisecond earlier', () => {
    expect(meetingJoinVerdict(meeting(), at(-JOIN_EARLY_MS - 1), MAX_TTL)).toMatchObject({
      joinable: false,
      reason: 'too_early',
      message: expect.stringContaining('2030-01-01T09:45:00.000Z'),
    });
    expect(meetingJoinVerdict(meeting(), at(-JOIN_EARLY_MS), MAX_TTL).joinable).toBe(true);
  });

  it('closes 30 minutes after the end', () => {
    const closesAt = endsAt.getTime() + JOIN_LATE_MS;
    expect(meetingJoinVerdict(meeting('live'), new Date(closesAt), MAX_TTL).joinable).toBe(true);
    expect(meetingJoinVerdict(meeting('live'), new Date(closesAt + 1), MAX_TTL)).toMatchObject({
      joinable: false,
      reason: 'too_late',
      message: expect.stringContaining('2030-01-01T11:30:00.000Z'),
    });
  });

  it('refuses cancelled and ended meetings whatever the time', () => {
    expect(meetingJoinVerdict(meeting('cancelled'), at(0), MAX_TTL)).toMatchObject({ reason: 'meeting_cancelled' });
    expect(meetingJoinVerdict(meeting('ended'), at(0), MAX_TTL)).toMatchObject({ reason: 'meeting_ended' });
  });

  it('gives a token through the window, at least an hour, at most the cap', () => {
    // At the start: until 30 minutes after the end.
    expect(meetingJoinVerdict(meeting(), at(0), MAX_TTL)).toEqual({ joinable: true, tokenTtlMs: 90 * MINUTE });
    // Near the close: still an hour.
    expect(meetingJoinVerdict(meeting(), at(85 * MINUTE), MAX_TTL)).toEqual({ joinable: true, tokenTtlMs: HOUR });
    // A long meeting: the cap.
    const allDay = { status: 'scheduled' as const, startsAt, endsAt: new Date(startsAt.getTime() + 20 * HOUR) };
    expect(meetingJoinVerdict(allDay, at(0), MAX_TTL)).toEqual({ joinable: true, tokenTtlMs: MAX_TTL });
  });
});
