import { describe, expect, it } from 'vitest';
import type { RoomContext } from '@app/contracts';
import { decideJob, decideWithContext, loadOf } from './job-policy';
import type { RoomContextLookup } from './room-context';

const id = '0b6b8f8e-3a55-4d0e-9a4b-2f7f1d7c9e10';

describe(decideJob.name, () => {
  it('accepts interview and meeting rooms', () => {
    expect(decideJob(`interview_${id}`)).toEqual({ accept: true, kind: 'interview', sessionId: id });
    expect(decideJob(`meeting_${id}`)).toEqual({ accept: true, kind: 'meeting', sessionId: id });
  });

  it.each([
    [`interview_${id}__nobot`, /opted out/],
    [`meeting_${id}__nobot`, /opted out/],
    ['lobby', /convention/],
    [`interview_${id}_extra`, /convention/],
    [undefined, /no room/],
    ['', /no room/],
  ])('rejects %j', (room, reason) => {
    const decision = decideJob(room);
    expect(decision.accept).toBe(false);
    if (!decision.accept) expect(decision.reason).toMatch(reason);
  });
});

describe(decideWithContext.name, () => {
  const interviewRoom = decideJob(`interview_${id}`);
  const meetingRoom = decideJob(`meeting_${id}`);
  const context = (overrides: Partial<RoomContext> = {}): RoomContextLookup => ({
    outcome: 'found',
    context: {
      room: `interview_${id}`,
      kind: 'interview',
      id,
      orgId: '5d1a8e0c-1f7b-4f36-9d5e-7b6c2a9e4f10',
      agentAutoJoin: true,
      status: 'scheduled',
      recordingPolicy: 'optional',
      consent: null,
      consentAt: null,
      recordingAllowed: false,
      tier: 'standard',
      avatarsEnabled: false,
      ...overrides,
    },
  });

  it('joins an open interview of an org that lets the agent join', () => {
    expect(decideWithContext(interviewRoom, context())).toEqual(interviewRoom);
    expect(decideWithContext(interviewRoom, context({ status: 'in_progress' }))).toEqual(interviewRoom);
    expect(decideWithContext(meetingRoom, context({ kind: 'meeting', status: 'live' }))).toEqual(meetingRoom);
  });

  it.each([
    [context({ agentAutoJoin: false }), /auto-join off/],
    [context({ status: 'completed' }), /interview is completed/],
    [context({ status: 'abandoned' }), /interview is abandoned/],
    [context({ id: '7e0b3c1a-9d2f-4e8b-a6c5-1f3d5b7a9c20' }), /another room/],
    [{ outcome: 'unknown' } as const, /no interview or meeting/],
  ])('declines %#', (lookup, reason) => {
    const decision = decideWithContext(interviewRoom, lookup);
    expect(decision.accept).toBe(false);
    if (!decision.accept) expect(decision.reason).toMatch(reason);
  });

  it('joins interviews but not meetings when user-management cannot be reached', () => {
    const unreachable: RoomContextLookup = { outcome: 'unreachable', reason: 'ECONNREFUSED' };
    expect(decideWithContext(interviewRoom, unreachable)).toEqual(interviewRoom);
    expect(decideWithContext(meetingRoom, unreachable).accept).toBe(false);
    expect(decideWithContext(meetingRoom, context({ kind: 'meeting', status: 'cancelled' })).accept).toBe(false);
  });

  it('never turns a room the naming already declined into an accepted one', () => {
    const noBot = decideJob(`interview_${id}__nobot`);
    expect(decideWithContext(noBot, context())).toEqual(noBot);
  });
});

describe(loadOf.name, () => {
  it('is the share of the capacity in use, full at the capacity', () => {
    expect(loadOf(0, 10)).toBe(0);
    expect(loadOf(5, 10)).toBe(0.5);
    expect(loadOf(10, 10)).toBe(1);
    expect(loadOf(12, 10)).toBe(1);
  });
});
