import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DIST_DIR, httpOk, LOG_DIR, ManagedProcess, TEST_PROFILE, waitUntilReady } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';

const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
let worker: ManagedProcess;

async function agentsIn(room: string) {
  const participants = await rooms.listParticipants(room);
  return participants.filter((p) => (p.kind as number) === (ParticipantInfo_Kind.AGENT as number));
}

describe('interviewer agent dispatch (R-L1, R-G1)', () => {
  beforeAll(async () => {
    // The real worker, from dist/, as `npm start` runs it.
    worker = ManagedProcess.start({
      name: 'interviewer-agent',
      command: process.execPath,
      args: [join(DIST_DIR, 'agents/interviewer/main.js'), 'start'],
      env: {
        ...process.env,
        ...env,
        AGENT_HEALTH_PORT: String(TEST_PROFILE.ports.agentHealth),
        // The test machine is busy; a CPU-load gate would make dispatch flaky, not safer.
        AGENT_LOAD_THRESHOLD: 'off',
        AGENT_IDLE_PROCESSES: '1',
        LOG_LEVEL: 'info',
      },
      logDir: join(LOG_DIR, TEST_PROFILE.name),
    });
    // The health endpoint answers 200 only once the worker has registered with LiveKit.
    await waitUntilReady(() => httpOk(`http://127.0.0.1:${TEST_PROFILE.ports.agentHealth}/`), {
      component: 'interviewer-agent',
      timeoutMs: 60_000,
      abortReason: () => worker.exitDescription(),
    });
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('joins an interview room as a participant of kind AGENT', async () => {
    const name = buildRoomName({ kind: 'interview', id: randomUUID() });
    await rooms.createRoom({ name, emptyTimeout: 60 });
    const agents = await eventually(async () => {
      const found = await agentsIn(name);
      expect(found).toHaveLength(1);
      return found;
    }, 30_000);
    expect(agents[0].identity).toBe('parley-interviewer');
    expect(JSON.parse(agents[0].metadata)).toMatchObject({ kind: 'interview' });
    await rooms.deleteRoom(name);
  });

  it('joins a meeting room too', async () => {
    const name = buildRoomName({ kind: 'meeting', id: randomUUID() });
    await rooms.createRoom({ name, emptyTimeout: 60 });
    await eventually(async () => expect(await agentsIn(name)).toHaveLength(1), 30_000);
    await rooms.deleteRoom(name);
  });

  it('stays out of __nobot rooms and rooms outside the convention', async () => {
    const noBot = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const foreign = `lobby-${randomUUID()}`;
    const control = buildRoomName({ kind: 'interview', id: randomUUID() });
    await Promise.all([noBot, foreign, control].map((name) => rooms.createRoom({ name, emptyTimeout: 60 })));
    // The control room proves the worker got its dispatch round; the others then must stay empty.
    await eventually(async () => expect(await agentsIn(control)).toHaveLength(1), 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await rooms.listParticipants(noBot)).toHaveLength(0);
    expect(await rooms.listParticipants(foreign)).toHaveLength(0);
    await Promise.all([noBot, foreign, control].map((name) => rooms.deleteRoom(name)));
  });
});
