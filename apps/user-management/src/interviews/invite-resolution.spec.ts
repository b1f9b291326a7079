import { describe, expect, it } from 'vitest';
import type { InterviewStatus } from '../persistence/entities';
import { inviteVerdict } from './invite-resolution';

const now = new Date('2030-01-01T10:00:00Z');
const later = new Date(now.getTime() + 3_600_000);
const earlier = new Date(now.getTime() - 1);
const interview = (status: InterviewStatus, inviteExpiresAt = later) => ({ status, inviteExpiresAt });

describe(inviteVerdict.name, () => {
  it('opens a scheduled interview until its invite runs out, and marks it expired then', () => {
    expect(inviteVerdict(interview('scheduled'), now)).toEqual({ opens: true });
    expect(inviteVerdict(interview('scheduled', now), now)).toMatchObject({ opens: false, markExpired: true });
    expect(inviteVerdict(interview('scheduled', earlier), now)).toMatchObject({
      opens: false,
      markExpired: true,
      message: expect.stringContaining(earlier.toISOString()),
    });
  });

  it('lets a candidate already in the interview reconnect after the invite’s expiry', () => {
    expect(inviteVerdict(interview('in_progress', earlier), now)).toEqual({ opens: true });
  });

  it('never opens a completed, abandoned or expired interview (and marks nothing again)', () => {
    expect(inviteVerdict(interview('completed'), now)).toMatchObject({ opens: false, markExpired: false });
    expect(inviteVerdict(interview('abandoned'), now)).toMatchObject({
      opens: false,
      markExpired: false,
      reason: 'interview_abandoned',
    });
    expect(inviteVerdict(interview('expired'), now)).toMatchObject({ opens: false, markExpired: false });
  });
});
