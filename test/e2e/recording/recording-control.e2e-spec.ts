import { TEST_PROFILE } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';
import { recordingApi, telemetryToken } from '../../support/recording.util';
import { as, call, createInterview, createMeeting, createTestOrg, startUm, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// R-R1..R-R3 against the real stack: user-management's room context decides, the Go-SDK recorder
// really joins the rooms, state lives in Redis. Interviews do not start recording on their own
// here (RECORDING_AUTO_START_INTERVIEWS=false), so every start below is an explicit one.
const env = inject('stackEnv');
const VSS_ENV = { RECORDING_AUTO_START_INTERVIEWS: 'false', RECORDING_TRACK_WAIT_MS: '2000' };

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let org: TestOrg;

const staffIn = async (room: string, who: 'recruiter' | 'hiring_manager' = 'recruiter') =>
  recordingApi(
    vss,
    await telemetryToken(vss, { identity: `user-${org.users[who]}`, room, role: 'recruiter', org: org.orgId }),
  );

async function interviewWith(policy: 'off' | 'optional' | 'mandatory', consent?: 'given' | 'declined') {
  const interview = await createInterview(um, org, policy);
  if (consent) {
    const answer = await call(um, { url: '/v1/invites/consent', body: { invite: interview.code, choice: consent } });
    expect(answer.status, answer.body).toBe(200);
  }
  return interview;
}

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  vss = await startVss(env, VSS_ENV, TEST_PROFILE.ports.videoStreamingServer);
  org = await createTestOrg(um, 'rec');
});
afterAll(async () => {
  await vss?.close();
  await um?.close();
});

describe('starting a recording follows the posting’s policy and the candidate’s consent (R-R1)', () => {
  it.each([
    ['off', undefined, 409, 'recording_off'],
    ['optional', undefined, 409, 'consent_missing'],
    ['optional', 'declined', 409, 'consent_declined'],
    ['optional', 'given', 200, null],
    ['mandatory', 'given', 200, null],
  ] as const)('policy %s, consent %s → %i', async (policy, consent, status, reason) => {
    const interview = await interviewWith(policy, consent);
    const api = await staffIn(interview.room);
    const started = await api.start();
    expect(started.status, started.body).toBe(status);
    if (reason) {
      expect(started.json.reason).toBe(reason);
      expect((await api.status()).state).toBe('idle');
      return;
    }
    expect(started.json).toMatchObject({ state: 'recording', recorder: 'local', room: interview.room });
    expect(started.json.startedBy.identity).toBe(`user-${org.users.recruiter}`);
    // user-management knows (R-R6): the recording is pending on the interview's record.
    await eventually(async () => {
      const listed = await as(um, org.tokens.hiring_manager, {
        method: 'GET',
        url: `/v1/recordings?subjectType=interview&subjectId=${interview.interviewId}`,
      });
      expect(listed.json.map((r: { id: string }) => r.id)).toContain(started.json.recordingId);
    });
    expect((await api.stop()).json.state).toMatch(/stopping|finalizing|failed/);
  });

  it('a second start while recording is refused, naming the live recording; a candidate may not start one', async () => {
    const interview = await interviewWith('mandatory', 'given');
    const api = await staffIn(interview.room);
    const first = await api.start();
    expect(first.status).toBe(200);
    const second = await api.start();
    expect(second.status).toBe(409);
    expect(JSON.stringify(second.json)).toContain(first.json.recordingId);
    expect((await api.status()).recordingId).toBe(first.json.recordingId);

    const candidate = recordingApi(
      vss,
      await telemetryToken(vss, {
        identity: `candidate-${interview.candidateId}`,
        room: interview.room,
        role: 'candidate',
      }),
    );
    expect((await candidate.stop()).status).toBe(403);
    expect((await api.status()).state).toBe('recording');
    await api.stop();
  });

  it('bad input gets a 4xx naming what is wrong', async () => {
    const interview = await interviewWith('mandatory', 'given');
    const api = await staffIn(interview.room);
    const bad = await api.start({ stopApproval: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('stopApproval');
    expect((await api.approve('not-a-uuid')).status).toBe(400);
    const anonymous = await call(vss, { url: '/v1/recordings/current/start', body: {} });
    expect(anonymous.status).toBe(401);
  });
});

describe('stopping needs the starter’s approval when someone else asks (R-R2)', () => {
  it('a stop by a non-starter is pending; rejection keeps recording; approval stops; every change is on the timeline', async () => {
    const meeting = await createMeeting(um, org, 0);
    const starter = await staffIn(meeting.roomName, 'recruiter');
    const other = await staffIn(meeting.roomName, 'hiring_manager');
    expect((await starter.start()).json.stopApproval).toBe('required');

    const asked = await other.stop();
    expect(asked.status).toBe(200);
    expect(asked.json.state).toBe('recording');
    expect(asked.json.stopRequest).toMatchObject({
      outcome: 'pending',
      requestedBy: `user-${org.users.hiring_manager}`,
    });
    const requestId = asked.json.stopRequest.id as string;

    // Only the starter decides.
    expect((await other.approve(requestId)).status).toBe(403);
    const rejected = await starter.reject(requestId);
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ state: 'recording', stopRequest: { id: requestId, outcome: 'rejected' } });
    expect((await starter.approve(requestId)).status).toBe(409);

    const again = await other.stop();
    const secondRequest = again.json.stopRequest.id as string;
    expect(secondRequest).not.toBe(requestId);
    const approved = await starter.approve(secondRequest);
    expect(approved.status).toBe(200);
    expect(approved.json.stopRequest.outcome).toBe('approved');
    expect(approved.json.state).not.toBe('recording');
    expect(approved.json.stoppedBy.identity).toBe(`user-${org.users.hiring_manager}`);

    const timeline = (await starter.timeline()).entries.map((e) => e.message);
    expect(timeline.join('\n')).toMatch(
      /started by[\s\S]*asked[\s\S]*rejected[\s\S]*asked[\s\S]*approved[\s\S]*stopped by/,
    );
  });

  it('without approval a stop by anyone on the staff stops at once', async () => {
    const meeting = await createMeeting(um, org, 0);
    const starter = await staffIn(meeting.roomName, 'recruiter');
    const other = await staffIn(meeting.roomName, 'hiring_manager');
    expect((await starter.start({ stopApproval: 'not_required' })).status).toBe(200);
    const stopped = await other.stop();
    expect(stopped.json.state).not.toBe('recording');
    expect(stopped.json.stopRequest).toBeNull();
  });
});

describe('state lives in Redis (R-R3)', () => {
  it('restarting the media plane mid-recording loses nothing, and stop still works', async () => {
    const meeting = await createMeeting(um, org, 0);
    const starter = await staffIn(meeting.roomName);
    const started = await starter.start();
    expect(started.status).toBe(200);
    const token = await telemetryToken(vss, {
      identity: `user-${org.users.recruiter}`,
      room: meeting.roomName,
      role: 'recruiter',
      org: org.orgId,
    });

    await vss.close();
    vss = await startVss(env, VSS_ENV, TEST_PROFILE.ports.videoStreamingServer);
    const api = recordingApi(vss, token);
    const after = await api.status();
    expect(after).toMatchObject({ recordingId: started.json.recordingId, state: 'recording' });
    expect(after.startedBy).toEqual(started.json.startedBy);
    const stopped = await api.stop();
    expect(stopped.json.state).not.toBe('recording');
    // A recording of a room with nobody publishing has nothing to finalize, and says so.
    const ended = await api.waitFor(['failed'], 30_000);
    expect(ended.failureReason).toContain('no track');
  });
});
