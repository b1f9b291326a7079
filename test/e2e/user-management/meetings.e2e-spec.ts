import { randomUUID } from 'node:crypto';
import { liveKitApiUrl } from '@app/livekit';
import { dispose, Room } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';
import { decodePayload } from '../../support/tickets.util';
import { as, createMeeting, createTestOrg, db, startUm, type TestOrg } from '../../support/um.util';

const env = inject('stackEnv');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let app: NestFastifyApplication;
let org: TestOrg;
let otherOrg: TestOrg;

const token = (meetingId: string, as_: string, body?: unknown) =>
  as(app, as_, { method: 'POST', url: `/v1/meetings/${meetingId}/token`, body });
const getMeeting = (meetingId: string, as_: string) => as(app, as_, { url: `/v1/meetings/${meetingId}` });

/** Moves a meeting's window (the API refuses meetings in the past, which is what these tests need). */
async function moveMeeting(meetingId: string, startsAt: Date, endsAt: Date) {
  await db(app).query('UPDATE meetings SET starts_at = $2, ends_at = $3 WHERE id = $1', [meetingId, startsAt, endsAt]);
}

async function meetingsTitled(title: string): Promise<number> {
  const [row] = await db(app).query('SELECT count(*)::int AS n FROM meetings WHERE title = $1', [title]);
  return row.n;
}

describe('user-management meetings', () => {
  beforeAll(async () => {
    app = await startUm(env);
    [org, otherOrg] = await Promise.all([createTestOrg(app, 'meet'), createTestOrg(app, 'meet-other')]);
  });
  afterAll(async () => {
    await app?.close();
    await dispose();
  });

  describe('meeting token (R-M1)', () => {
    it('mints a token for the meeting’s own room and the caller’s identity, whatever the body asks for', async () => {
      const meeting = await createMeeting(app, org, 10 * MINUTE);
      const other = randomUUID();
      const before = Date.now();
      const response = await token(meeting.id, org.tokens.hiring_manager, {
        room: `meeting_${other}`,
        identity: 'someone-else',
      });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        room: `meeting_${meeting.id}`,
        identity: `user-${org.users.hiring_manager}`,
        url: env.LIVEKIT_PUBLIC_URL ?? env.LIVEKIT_URL,
      });
      expect(response.json.meeting).toMatchObject({ id: meeting.id, status: 'scheduled' });

      const claims = decodePayload(response.json.token) as {
        sub: string;
        iss: string;
        exp: number;
        metadata: string;
        video: Record<string, unknown>;
      };
      expect(claims.sub).toBe(`user-${org.users.hiring_manager}`);
      expect(claims.iss).toBe(env.LIVEKIT_API_KEY);
      expect(claims.video).toMatchObject({
        room: `meeting_${meeting.id}`,
        roomJoin: true,
        canPublish: true,
        canSubscribe: true,
      });
      expect(claims.video.roomAdmin).toBeUndefined();
      expect(JSON.stringify(claims)).not.toContain(other);
      expect(JSON.stringify(claims)).not.toContain('someone-else');
      expect(JSON.parse(claims.metadata)).toMatchObject({ org: org.orgId, meetingId: meeting.id, host: false });

      // Valid for hours (through the join window, at least an hour), capped by MEETING_TOKEN_MAX_TTL_HOURS (8 by default).
      const expiresAt = Date.parse(response.json.expiresAt);
      expect(expiresAt).toBe(claims.exp * 1000);
      expect(expiresAt - before).toBeGreaterThanOrEqual(HOUR);
      expect(expiresAt - before).toBeLessThanOrEqual(8 * HOUR + 5_000);
      // The window closes 30 min after the end (10 min + 1 h + 30 min from now): the token lasts about that long.
      expect(expiresAt - before).toBeGreaterThan(HOUR + 35 * MINUTE);

      const host = await token(meeting.id, org.tokens.recruiter);
      expect(host.status).toBe(200);
      expect(JSON.parse((decodePayload(host.json.token) as { metadata: string }).metadata)).toMatchObject({
        host: true,
      });
    });

    it('the token joins the real SFU in the meeting’s room under the caller’s identity', async () => {
      const meeting = await createMeeting(app, org, 5 * MINUTE);
      const response = await token(meeting.id, org.tokens.hiring_manager, {
        room: `meeting_${randomUUID()}`,
        identity: 'someone-else',
      });
      expect(response.status).toBe(200);
      const identity = `user-${org.users.hiring_manager}`;
      const roomName = `meeting_${meeting.id}`;

      const room = new Room();
      await room.connect(response.json.url, response.json.token, { autoSubscribe: false, dynacast: false });
      try {
        expect(room.name).toBe(roomName);
        expect(room.localParticipant?.identity).toBe(identity);
        // The SFU's own view: the participant is in that room, under that identity, with our attributes.
        const roomService = new RoomServiceClient(
          liveKitApiUrl(env.LIVEKIT_URL),
          env.LIVEKIT_API_KEY,
          env.LIVEKIT_API_SECRET,
        );
        const seen = await eventually(async () => {
          const list = await roomService.listParticipants(roomName);
          expect(list.map((p) => p.identity)).toEqual([identity]);
          return list;
        }, 5_000);
        expect(seen[0].attributes).toMatchObject({ 'parley.org': org.orgId, 'parley.meetingRole': 'guest' });
        expect(seen[0].permission).toMatchObject({ canPublish: true, canSubscribe: true });
      } finally {
        await room.disconnect();
      }
    });

    it('refuses a member of the org who is not a participant: 403', async () => {
      const meeting = await createMeeting(app, org, 5 * MINUTE);
      for (const role of ['interviewer', 'admin'] as const) {
        const response = await token(meeting.id, org.tokens[role]);
        expect(response.status).toBe(403);
        expect(response.json.code).toBe('FORBIDDEN');
        expect(response.json.message).toMatch(/not a participant/);
      }
    });

    it('answers a user of another org 404, as if the meeting did not exist', async () => {
      const meeting = await createMeeting(app, org, 5 * MINUTE);
      const response = await token(meeting.id, otherOrg.tokens.recruiter);
      expect(response.status).toBe(404);
      expect(response.json.code).toBe('NOT_FOUND');
      const unknown = await token(randomUUID(), otherOrg.tokens.recruiter);
      expect(unknown.status).toBe(404);
      expect(response.json.message).toBe(unknown.json.message);
      expect((await getMeeting(meeting.id, otherOrg.tokens.admin)).status).toBe(404);
    });

    it('too early: a meeting starting in an hour → 409 saying when it opens; 10 minutes before the start → 200', async () => {
      const later = await createMeeting(app, org, HOUR);
      const startsAt = Date.parse((await getMeeting(later.id, org.tokens.recruiter)).json.startsAt);
      const early = await token(later.id, org.tokens.recruiter);
      expect(early.status).toBe(409);
      expect(early.json.code).toBe('CONFLICT');
      expect(early.json.message).toContain(new Date(startsAt - 15 * MINUTE).toISOString());
      expect(early.json.message).toMatch(/opens/);

      const soon = await createMeeting(app, org, 10 * MINUTE);
      expect((await token(soon.id, org.tokens.recruiter)).status).toBe(200);
    });

    it('too late: ended 32 minutes ago → 409 saying when it closed; ended 20 minutes ago → 200, still valid for an hour', async () => {
      const now = Date.now();
      const late = await createMeeting(app, org, 10 * MINUTE);
      const endsAt = new Date(now - 32 * MINUTE);
      await moveMeeting(late.id, new Date(endsAt.getTime() - HOUR), endsAt);
      const refused = await token(late.id, org.tokens.recruiter);
      expect(refused.status).toBe(409);
      expect(refused.json.message).toContain(new Date(endsAt.getTime() + 30 * MINUTE).toISOString());
      expect(refused.json.message).toMatch(/closed/);

      const justInside = await createMeeting(app, org, 10 * MINUTE);
      await moveMeeting(justInside.id, new Date(now - 80 * MINUTE), new Date(now - 20 * MINUTE));
      const before = Date.now();
      const response = await token(justInside.id, org.tokens.hiring_manager);
      expect(response.status).toBe(200);
      expect(Date.parse(response.json.expiresAt) - before).toBeGreaterThanOrEqual(HOUR - 1_000);
    });

    it('a meeting cancelled by its host → 409', async () => {
      const meeting = await createMeeting(app, org, 5 * MINUTE);
      expect((await token(meeting.id, org.tokens.hiring_manager)).status).toBe(200);
      const cancelled = await as(app, org.tokens.recruiter, {
        method: 'POST',
        url: `/v1/meetings/${meeting.id}/cancel`,
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.json.status).toBe('cancelled');
      for (const who of [org.tokens.hiring_manager, org.tokens.recruiter]) {
        const response = await token(meeting.id, who);
        expect(response.status).toBe(409);
        expect(response.json.message).toMatch(/cancelled/);
      }
    });

    it('an ended meeting → 409, even inside the time window', async () => {
      const meeting = await createMeeting(app, org, 5 * MINUTE);
      await db(app).query(`UPDATE meetings SET status = 'ended' WHERE id = $1`, [meeting.id]);
      const response = await token(meeting.id, org.tokens.recruiter);
      expect(response.status).toBe(409);
      expect(response.json.message).toMatch(/ended/);
    });
  });

  it('lists only the meetings the caller takes part in with ?mine=true, soonest first', async () => {
    const own = await createTestOrg(app, 'mine');
    const later = await createMeeting(app, own, 3 * 3_600_000, 3_600_000, ['hiring_manager']);
    const sooner = await createMeeting(app, own, 3_600_000, 3_600_000, ['hiring_manager']);
    const without = await createMeeting(app, own, 2 * 3_600_000, 3_600_000, ['interviewer']);
    const mine = await as(app, own.tokens.hiring_manager, { url: '/v1/meetings?mine=true' });
    expect(mine.status).toBe(200);
    expect(mine.json.map((m: { id: string }) => m.id)).toEqual([sooner.id, later.id]);
    const paged = await as(app, own.tokens.hiring_manager, { url: '/v1/meetings?mine=true&limit=1&offset=1' });
    expect(paged.json.map((m: { id: string }) => m.id)).toEqual([later.id]);
    const all = await as(app, own.tokens.hiring_manager, { url: '/v1/meetings' });
    expect(all.json.map((m: { id: string }) => m.id)).toEqual([sooner.id, without.id, later.id]);
  });

  describe('scheduling and cancelling', () => {
    it('a participant from another org → 404 and nothing is created in either org', async () => {
      const title = `cross-org ${randomUUID()}`;
      const startsAt = new Date(Date.now() + HOUR);
      const body = (userId: string) => ({
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + HOUR).toISOString(),
        participants: [{ userId: org.users.hiring_manager }, { userId }],
      });
      const response = await as(app, org.tokens.recruiter, {
        url: '/v1/meetings',
        body: body(otherOrg.users.interviewer),
      });
      expect(response.status).toBe(404);
      expect(response.json.message).toMatch(/not found in your organization/);
      expect(await meetingsTitled(title)).toBe(0);
      const [participants] = await db(app).query(
        'SELECT count(*)::int AS n FROM meeting_participants WHERE user_id = $1',
        [otherOrg.users.interviewer],
      );
      expect(participants.n).toBe(0);

      // Control: the same request with a colleague from the same org is created.
      const ok = await as(app, org.tokens.recruiter, { url: '/v1/meetings', body: body(org.users.interviewer) });
      expect(ok.status).toBe(201);
      expect(await meetingsTitled(title)).toBe(1);
    });

    it('a candidate from another org → 404', async () => {
      const candidate = await as(app, otherOrg.tokens.recruiter, {
        url: '/v1/candidates',
        body: { email: `cand-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Other Candidate' },
      });
      expect(candidate.status).toBe(201);
      const title = `cross-org candidate ${randomUUID()}`;
      const startsAt = new Date(Date.now() + HOUR);
      const response = await as(app, org.tokens.recruiter, {
        url: '/v1/meetings',
        body: {
          title,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + HOUR).toISOString(),
          participants: [{ candidateId: candidate.json.id }],
        },
      });
      expect(response.status).toBe(404);
      expect(await meetingsTitled(title)).toBe(0);
    });

    it('endsAt before startsAt → 400', async () => {
      const title = `backwards ${randomUUID()}`;
      const startsAt = new Date(Date.now() + 2 * HOUR);
      const response = await as(app, org.tokens.recruiter, {
        url: '/v1/meetings',
        body: { title, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() - HOUR).toISOString() },
      });
      expect(response.status).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
      expect(response.json.message).toMatch(/endsAt/);
      expect(await meetingsTitled(title)).toBe(0);
    });

    it('cancel by a participant who is neither host nor admin → 403 and the meeting stays scheduled; an admin may', async () => {
      const meeting = await createMeeting(app, org, HOUR, HOUR, ['hiring_manager', 'interviewer']);
      for (const role of ['hiring_manager', 'interviewer'] as const) {
        const response = await as(app, org.tokens[role], { method: 'POST', url: `/v1/meetings/${meeting.id}/cancel` });
        expect(response.status).toBe(403);
        expect(response.json.message).toMatch(/host/);
      }
      expect((await getMeeting(meeting.id, org.tokens.recruiter)).json.status).toBe('scheduled');
      // Another org's admin does not even see it.
      expect(
        (await as(app, otherOrg.tokens.admin, { method: 'POST', url: `/v1/meetings/${meeting.id}/cancel` })).status,
      ).toBe(404);

      const byAdmin = await as(app, org.tokens.admin, { method: 'POST', url: `/v1/meetings/${meeting.id}/cancel` });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.json.status).toBe('cancelled');
    });
  });
});
