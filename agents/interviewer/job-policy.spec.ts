import { describe, expect, it } from 'vitest';
import { decideJob } from './job-policy';

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
