import { randomUUID } from 'node:crypto';
import { TEST_PROFILE, type ManagedProcess } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { Room } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker } from '../../support/agent.util';
import { eventually } from '../../support/eventually.util';
import { joinToken } from '../../support/livekit.util';
import { as, createInterview, createMeeting, createTestOrg, startUm, type TestOrg } from '../../support/um.util';

// R-L1, R-G1: the real worker (from dist/, as `npm start` runs it) against the real SFU and a real
// user-management, whose internal room context carries the org's auto-join flag.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let um: NestFastifyApplication;
let org: TestOrg;
let optedOut: TestOrg;

async function agentsIn(room: string) {
  const participants = await rooms.listParticipants(room);
  return participants.filter((p) => (p.kind as number) === (ParticipantInfo_Kind.AGENT as number));
}

beforeAll(async () => {
  // Where the agent's USER_MANAGEMENT_URL points (the stack env).
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  org = await createTestOrg(um, 'dispatch');
  optedOut = await createTestOrg(um, 'no-agent');
  const off = await as(um, optedOut.tokens.admin, {
    method: 'PATCH',
    url: '/v1/organization',
    body: { agentAutoJoin: false },
  });
  expect(off.status).toBe(200);
});

afterAll(async () => {
  await um?.close();
});

describe('interviewer agent dispatch (R-L1, R-G1)', () => {
  let worker: ManagedProcess;
  beforeAll(async () => {
    worker = await startWorker(env);
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('joins an interview room as a participant of kind AGENT', async () => {
    const { room } = await createInterview(um, org);
    await rooms.createRoom({ name: room, emptyTimeout: 60 });
    const agents = await eventually(async () => {
      const found = await agentsIn(room);
      expect(found).toHaveLength(1);
      return found;
    }, 30_000);
    expect(agents[0].identity).toBe('parley-interviewer');
    expect(JSON.parse(agents[0].metadata)).toMatchObject({ kind: 'interview' });
    await rooms.deleteRoom(room);
  });

  it('reports the interview in progress once the candidate is in the room (R-G2)', async () => {
    const interview = await createInterview(um, org);
    await rooms.createRoom({ name: interview.room, emptyTimeout: 60 });
    await eventually(async () => expect(await agentsIn(interview.room)).toHaveLength(1), 30_000);
    const view = async () =>
      (await as(um, org.tokens.recruiter, { url: `/v1/interviews/${interview.interviewId}` })).json as {
        status: string;
        startedAt: string | null;
      };
    // The agent alone in the room is not an interview in progress.
    await sleep(1_500);
    expect((await view()).status).toBe('scheduled');
    const candidate = new Room();
    const joined = Date.now();
    try {
      await candidate.connect(
        env.LIVEKIT_URL,
        await joinToken(env, `candidate-${interview.candidateId}`, interview.room, {
          canPublish: true,
          canSubscribe: true,
        }),
        { autoSubscribe: false, dynacast: false },
      );
      await eventually(async () => expect((await view()).status).toBe('in_progress'), 20_000);
      const startedAt = Date.parse((await view()).startedAt!);
      expect(startedAt).toBeGreaterThanOrEqual(joined - 1_000);
      expect(startedAt).toBeLessThanOrEqual(Date.now());
    } finally {
      await candidate.disconnect();
      await rooms.deleteRoom(interview.room);
    }
  });

  it('joins a meeting room too', async () => {
    const { roomName } = await createMeeting(um, org, 60_000);
    await rooms.createRoom({ name: roomName, emptyTimeout: 60 });
    await eventually(async () => expect(await agentsIn(roomName)).toHaveLength(1), 30_000);
    await rooms.deleteRoom(roomName);
  });

  it('stays out of __nobot rooms, rooms outside the convention, unknown rooms and orgs that turned auto-join off', async () => {
    const own = await createInterview(um, org);
    const flagOff = await createInterview(um, optedOut);
    const noBot = `${own.room}__nobot`;
    const foreign = `lobby-${randomUUID()}`;
    const unknown = buildRoomName({ kind: 'interview', id: randomUUID() });
    const control = (await createInterview(um, org)).room;
    const declined = [noBot, foreign, unknown, flagOff.room];
    await Promise.all([...declined, control].map((name) => rooms.createRoom({ name, emptyTimeout: 60 })));
    // The control room proves the worker got its dispatch round; the others then must stay empty.
    await eventually(async () => expect(await agentsIn(control)).toHaveLength(1), 30_000);
    await sleep(3_000);
    for (const name of declined) expect(await rooms.listParticipants(name), name).toHaveLength(0);
    await Promise.all([...declined, control].map((name) => rooms.deleteRoom(name)));
  });
});

describe('a full worker refuses new jobs instead of degrading live ones (R-G1)', () => {
  let worker: ManagedProcess;
  beforeAll(async () => {
    worker = await startWorker(env, { AGENT_MAX_JOBS: '1' });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('takes AGENT_MAX_JOBS rooms and declines the next while they are live', async () => {
    const first = (await createInterview(um, org)).room;
    await rooms.createRoom({ name: first, emptyTimeout: 60 });
    await eventually(async () => expect(await agentsIn(first)).toHaveLength(1), 30_000);
    const second = (await createInterview(um, org)).room;
    await rooms.createRoom({ name: second, emptyTimeout: 60 });
    await sleep(4_000);
    expect(await agentsIn(second)).toHaveLength(0);
    expect(await agentsIn(first)).toHaveLength(1);
    await Promise.all([first, second].map((name) => rooms.deleteRoom(name)));
  });
});
