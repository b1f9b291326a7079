import type { RoomContext } from '@app/contracts';
import { describe, expect, it } from 'vitest';
import { recordingStartVerdict } from './recording-policy';

const interview = (overrides: Partial<RoomContext>): RoomContext => ({
  room: 'interview_3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f',
  kind: 'interview',
  id: '3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f',
  orgId: '4f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f',
  agentAutoJoin: true,
  status: 'in_progress',
  recordingPolicy: 'optional',
  consent: 'given',
  consentAt: '2030-01-01T00:00:00.000Z',
  recordingAllowed: true,
  tier: 'standard',
  avatarsEnabled: false,
  ...overrides,
});

describe(recordingStartVerdict.name, () => {
  it.each([
    ['off', 'given', true, 'recording_off'],
    ['optional', null, false, 'consent_missing'],
    ['optional', 'declined', false, 'consent_declined'],
    ['optional', 'given', true, null],
    ['mandatory', 'given', true, null],
  ] as const)('policy %s, consent %s → %s', (policy, consent, allowedByUm, reason) => {
    const verdict = recordingStartVerdict(
      interview({ recordingPolicy: policy, consent, recordingAllowed: allowedByUm && policy !== 'off' }),
    );
    expect(verdict.allowed ? null : verdict.reason).toBe(reason);
  });

  it('refuses a closed interview even with consent', () => {
    const verdict = recordingStartVerdict(interview({ status: 'completed', recordingAllowed: false }));
    expect(verdict).toMatchObject({ allowed: false, reason: 'session_closed' });
  });

  it('lets a meeting’s hosts decide, while the meeting is open', () => {
    const meeting = interview({ kind: 'meeting', recordingPolicy: null, consent: null, status: 'live' });
    expect(recordingStartVerdict(meeting)).toEqual({ allowed: true });
    expect(recordingStartVerdict({ ...meeting, status: 'ended', recordingAllowed: false })).toMatchObject({
      allowed: false,
      reason: 'session_closed',
    });
  });
});
