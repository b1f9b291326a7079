import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { decodePayload } from '../../support/tickets.util';
import { as, call, createTestOrg, db, startUm, type TestOrg } from '../../support/um.util';

const env = inject('stackEnv');
let app: NestFastifyApplication;
let org: TestOrg;

async function meetingWithCandidate(startsInMs = 5 * 60_000) {
  const candidate = await as(app, org.tokens.recruiter, {
    url: '/v1/candidates',
    body: { email: `guest-${Date.now()}-${Math.random()}@example.com`, fullName: 'Gina Guest' },
  });
  const startsAt = new Date(Date.now() + startsInMs);
  const meeting = await as(app, org.tokens.recruiter, {
    url: '/v1/meetings',
    body: {
      title: 'Interview',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
      participants: [{ candidateId: candidate.json.id }],
    },
  });
  expect(meeting.status).toBe(201);
  return { meeting: meeting.json, candidateId: candidate.json.id as string };
}

describe('user-management: candidates joining meetings with a personal invite', () => {
  beforeAll(async () => {
    app = await startUm(env);
    org = await createTestOrg(app, 'guests');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creating a meeting returns one invite per candidate; its token is for the derived room and identity', async () => {
    const { meeting, candidateId } = await meetingWithCandidate();
    expect(meeting.guestInvites).toHaveLength(1);
    expect(meeting.guestInvites[0]).toMatchObject({ candidateId });
    expect(meeting.guestInvites[0].url).toContain('#invite=');
    const response = await call(app, {
      url: '/v1/meeting-invites/token',
      body: { invite: meeting.guestInvites[0].code },
    });
    expect(response.status).toBe(200);
    const claims = decodePayload(response.json.token) as { sub: string; video: { room: string; canPublish: boolean } };
    expect(claims.sub).toBe(`candidate-${candidateId}`);
    expect(claims.video.room).toBe(`meeting_${meeting.id}`);
    expect(claims.video.canPublish).toBe(true);
    expect(response.json.room).toBe(`meeting_${meeting.id}`);
    // Only the hash is stored.
    const [row] = await db(app).query(
      'SELECT invite_secret_hash FROM meeting_participants WHERE meeting_id = $1 AND candidate_id = $2',
      [meeting.id, candidateId],
    );
    expect(row.invite_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(meeting.guestInvites[0].code).not.toContain(row.invite_secret_hash);
  });

  it('a tampered or unknown code is 404, the same answer for both', async () => {
    const { meeting } = await meetingWithCandidate();
    const code: string = meeting.guestInvites[0].code;
    const tampered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    const unknown = `00000000-0000-4000-8000-000000000000.${code.split('.')[1]}`;
    const a = await call(app, { url: '/v1/meeting-invites/token', body: { invite: tampered } });
    const b = await call(app, { url: '/v1/meeting-invites/token', body: { invite: unknown } });
    expect(a.status).toBe(404);
    expect(b.status).toBe(404);
    expect(a.json.message).toBe(b.json.message);
  });

  it('reissuing a candidate invite retires the old code', async () => {
    const { meeting, candidateId } = await meetingWithCandidate();
    const reissued = await as(app, org.tokens.recruiter, {
      url: `/v1/meetings/${meeting.id}/candidates/${candidateId}/invite`,
      body: {},
    });
    expect(reissued.status).toBe(200);
    expect(
      (await call(app, { url: '/v1/meeting-invites/token', body: { invite: meeting.guestInvites[0].code } })).status,
    ).toBe(404);
    expect((await call(app, { url: '/v1/meeting-invites/token', body: { invite: reissued.json.code } })).status).toBe(
      200,
    );
    // Interviewers may not hand out invites.
    expect(
      (
        await as(app, org.tokens.interviewer, {
          url: `/v1/meetings/${meeting.id}/candidates/${candidateId}/invite`,
          body: {},
        })
      ).status,
    ).toBe(403);
  });

  it('the same window and state rules apply to candidates: too early and cancelled are 409', async () => {
    const early = await meetingWithCandidate(2 * 3_600_000);
    const tooEarly = await call(app, {
      url: '/v1/meeting-invites/token',
      body: { invite: early.meeting.guestInvites[0].code },
    });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.json.message).toMatch(/opens at/);

    const soon = await meetingWithCandidate();
    expect(
      (await as(app, org.tokens.recruiter, { url: `/v1/meetings/${soon.meeting.id}/cancel`, body: {} })).status,
    ).toBe(200);
    const cancelled = await call(app, {
      url: '/v1/meeting-invites/token',
      body: { invite: soon.meeting.guestInvites[0].code },
    });
    expect(cancelled.status).toBe(409);
    expect(cancelled.json.message).toMatch(/cancelled/);
  });

  it('a staff member of another org cannot reissue invites for this meeting (404)', async () => {
    const other = await createTestOrg(app, 'guests-other');
    const { meeting, candidateId } = await meetingWithCandidate();
    const response = await as(app, other.tokens.admin, {
      url: `/v1/meetings/${meeting.id}/candidates/${candidateId}/invite`,
      body: {},
    });
    expect(response.status).toBe(404);
  });
});
