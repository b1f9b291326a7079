import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { as, asService, createMeeting, createTestOrg, db, startUm, type TestOrg } from '../../support/um.util';

// Item 8: a meeting recorded twice. Each recording keeps its own phase and timestamps, and the
// meeting shows its latest recording, so recording 2's reports are not swallowed by recording 1's
// `ready`.
const env = inject('stackEnv');

let app: NestFastifyApplication;
let org: TestOrg;

const report = (id: string, body: Record<string, unknown>) =>
  asService(app, env, { method: 'PUT', url: `/internal/v1/recordings/${id}`, body });
const meetingRecording = async (id: string) =>
  (await as(app, org.tokens.recruiter, { url: `/v1/meetings/${id}` })).json.recording as Record<string, unknown>;
const row = async (id: string) =>
  (
    await db(app).query(
      `SELECT status, phase, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
              to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedAt"
       FROM recordings WHERE id = $1`,
      [id],
    )
  )[0] as { status: string; phase: string; startedAt: string | null; endedAt: string | null };

describe("a meeting's second recording (item 8)", () => {
  beforeAll(async () => {
    app = await startUm(env);
    org = await createTestOrg(app, 'rec2');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('after recording 1 is ready, recording 2 shows recording, then failed; each keeps its own times', async () => {
    const meeting = await createMeeting(app, org, 60_000);
    const [first, second] = [randomUUID(), randomUUID()];
    const key = (id: string) => `final-recordings/${org.orgId}/${id}.mp4`;
    const t = {
      firstStart: '2030-01-01T10:00:00.000Z',
      firstEnd: '2030-01-01T10:10:00.000Z',
      secondStart: '2030-01-01T10:20:00.000Z',
      secondEnd: '2030-01-01T10:25:00.000Z',
    };

    for (const [phase, extra] of [
      ['recording', { startedAt: t.firstStart }],
      ['processing', { endedAt: t.firstEnd }],
      ['ready', { durationMs: 600_000 }],
    ] as const) {
      expect((await report(first, { room: meeting.roomName, objectKey: key(first), phase, ...extra })).status).toBe(
        200,
      );
    }
    expect(await meetingRecording(meeting.id)).toEqual({
      status: 'ready',
      recordingId: first,
      startedAt: t.firstStart,
      endedAt: t.firstEnd,
    });

    // Recording 2 starts: the meeting now shows it, with its own start and no end yet.
    const started = await report(second, {
      room: meeting.roomName,
      objectKey: key(second),
      phase: 'recording',
      startedAt: t.secondStart,
    });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({
      phase: 'recording',
      status: 'pending',
      startedAt: t.secondStart,
      endedAt: null,
    });
    expect(await meetingRecording(meeting.id)).toEqual({
      status: 'recording',
      recordingId: second,
      startedAt: t.secondStart,
      endedAt: null,
    });

    // …and it fails: the meeting says so, even though an earlier recording is ready.
    const failed = await report(second, {
      room: meeting.roomName,
      objectKey: key(second),
      phase: 'failed',
      failureReason: 'egress crashed',
      endedAt: t.secondEnd,
    });
    expect(failed.status).toBe(200);
    expect(await meetingRecording(meeting.id)).toEqual({
      status: 'failed',
      recordingId: second,
      startedAt: t.secondStart,
      endedAt: t.secondEnd,
    });

    // Each recording keeps its own phase and times.
    expect(await row(first)).toEqual({ status: 'ready', phase: 'ready', startedAt: t.firstStart, endedAt: t.firstEnd });
    expect(await row(second)).toEqual({
      status: 'failed',
      phase: 'failed',
      startedAt: t.secondStart,
      endedAt: t.secondEnd,
    });

    // A late retry of recording 1's `ready` neither changes it nor takes the meeting back to it.
    expect(
      (await report(first, { room: meeting.roomName, objectKey: key(first), phase: 'ready', durationMs: 600_000 }))
        .status,
    ).toBe(200);
    expect((await meetingRecording(meeting.id)).recordingId).toBe(second);
    expect(await row(first)).toEqual({ status: 'ready', phase: 'ready', startedAt: t.firstStart, endedAt: t.firstEnd });
  });

  it('a late processing retry does not move a recording back from failed or ready', async () => {
    const meeting = await createMeeting(app, org, 60_000);
    const id = randomUUID();
    const base = { room: meeting.roomName, objectKey: `raw/${org.orgId}/${id}/a.ogg` };
    await report(id, { ...base, phase: 'recording', startedAt: '2030-01-02T10:00:00.000Z' });
    await report(id, { ...base, phase: 'failed', failureReason: 'disk full' });
    expect((await report(id, { ...base, phase: 'processing' })).json).toMatchObject({
      status: 'failed',
      phase: 'failed',
    });
    expect((await meetingRecording(meeting.id)).status).toBe('failed');
  });

  it('a recording with no reported start gets the time it was first reported', async () => {
    const meeting = await createMeeting(app, org, 60_000);
    const id = randomUUID();
    const before = Date.now();
    await report(id, { room: meeting.roomName, objectKey: `raw/${org.orgId}/${id}.ogg`, phase: 'recording' });
    const startedAt = Date.parse(String((await meetingRecording(meeting.id)).startedAt));
    expect(startedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(startedAt).toBeLessThanOrEqual(Date.now() + 1_000);
  });
});
