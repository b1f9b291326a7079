import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_DIR, ManagedProcess, pingRedis, TEST_PROFILE, waitUntilReady, which } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import { dispose, Room } from '@livekit/rtc-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ReaperService } from '../../../apps/video-streaming-server/src/sessions/reaper.service';
import { RecordingStopper } from '../../../apps/video-streaming-server/src/sessions/recording-stopper';
import { SessionRepository } from '../../../apps/video-streaming-server/src/sessions/session.repository';
import { eventually } from '../../support/eventually.util';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
// A private Redis with an append-only file, so this file can restart it and the liveness data
// (now stale) survives the restart, which is the dangerous case for a reaper.
// Shifted with the test slot (PARLEY_TEST_SLOT) like every other test port.
const REDIS_PORT = 16399 + (TEST_PROFILE.objectStorePort - 17070);
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}/0`;
const GRACE_MS = 2_000;
const livenessEnv = {
  REDIS_URL,
  HEARTBEAT_GRACE_MS: String(GRACE_MS),
  HEARTBEAT_INTERVAL_MS: '500',
  REAPER_INTERVAL_MS: '250',
  // Reconciliation would end these sessions (most never join LiveKit); it has its own tests.
  RECONCILE_INTERVAL_MS: '3600000',
};

let redisDir: string;
let redis: ManagedProcess;
let app: NestFastifyApplication;

function startRedis(): Promise<void> {
  redis = ManagedProcess.start({
    name: 'redis-reaper-test',
    command: which('redis-server')!,
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(REDIS_PORT),
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      redisDir,
    ],
    logDir: join(LOG_DIR, TEST_PROFILE.name),
  });
  return waitUntilReady(() => pingRedis(REDIS_URL), {
    component: 'redis (reaper test)',
    timeoutMs: 10_000,
    abortReason: () => redis.exitDescription(),
  });
}

const counter = async (target: NestFastifyApplication, name: string) => {
  const line = (await call(target, { method: 'GET', url: '/metrics' })).body
    .split('\n')
    .find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

/** A candidate session as the browser makes it: ticket → LiveKit token → telemetry token. */
async function candidateSession(
  target: NestFastifyApplication,
  room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true }),
) {
  const identity = `cand-${randomUUID().slice(0, 8)}`;
  const ticket = await signTicket(ticketKeyFromEnv(env), { sub: identity, room });
  const livekit = await call(target, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
  const telemetry = await call(target, { url: '/v1/tokens/telemetry', body: { livekitToken: livekit.json.token } });
  expect(telemetry.status).toBe(200);
  const heartbeat = () =>
    call(target, {
      url: '/v1/sessions/current/heartbeat',
      headers: { authorization: `Bearer ${telemetry.json.token}` },
    });
  return {
    room,
    identity,
    livekitToken: livekit.json.token as string,
    telemetryToken: telemetry.json.token as string,
    heartbeat,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('zombie reaper (R-H2)', () => {
  beforeAll(async () => {
    redisDir = mkdtempSync(join(tmpdir(), 'parley-reaper-redis-'));
    await startRedis();
    app = await startVss(env, livenessEnv);
    // A Redis it has not seen before puts the reaper on hold for one grace period; let that pass.
    expect(await app.get(ReaperService).runOnce()).toEqual({ held: 'recovering' });
    await sleep(GRACE_MS + 200);
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    rmSync(redisDir, { recursive: true, force: true });
    await dispose();
  });

  it('removes a participant that stopped heartbeating from the room and marks the session abandoned', async () => {
    const session = await candidateSession(app);
    const participant = new Room();
    await participant.connect(env.LIVEKIT_URL, session.livekitToken, { autoSubscribe: false, dynacast: false });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await session.heartbeat()).status).toBe(200);
        await sleep(400);
      }
      expect((await rooms.listParticipants(session.room)).map((p) => p.identity)).toContain(session.identity);
      // Heartbeats stop; after the grace period the reaper cleans up.
      await eventually(
        async () =>
          expect((await app.get(SessionRepository).get(session.room, session.identity))?.status).toBe('abandoned'),
        10_000,
      );
      expect((await rooms.listParticipants(session.room)).map((p) => p.identity)).not.toContain(session.identity);
      const timeline = await call(app, {
        method: 'GET',
        url: '/v1/sessions/current/timeline',
        headers: { authorization: `Bearer ${session.telemetryToken}` },
      });
      expect(timeline.json.entries.filter((e: { type: string }) => e.type === 'session')).toHaveLength(1);
      expect(timeline.json.entries.at(-1).message).toMatch(/abandoned/);
      // A reaped session must rejoin rather than be silently revived.
      expect((await session.heartbeat()).status).toBe(410);
    } finally {
      await participant.disconnect();
    }
  });

  it('never reaps a session whose heartbeats resume inside the grace period', async () => {
    const session = await candidateSession(app);
    const participant = new Room();
    await participant.connect(env.LIVEKIT_URL, session.livekitToken, { autoSubscribe: false, dynacast: false });
    try {
      // Gaps of 1.5 s (a shaky connection) against a 2 s grace, for three grace periods.
      for (let i = 0; i < 4; i++) {
        expect((await session.heartbeat()).status).toBe(200);
        await sleep(1_500);
      }
      expect((await session.heartbeat()).status).toBe(200);
      expect((await app.get(SessionRepository).get(session.room, session.identity))?.status).toBe('active');
      expect((await rooms.listParticipants(session.room)).map((p) => p.identity)).toContain(session.identity);
    } finally {
      await participant.disconnect();
    }
  });

  it('cleans each zombie up exactly once when several reapers race', async () => {
    const racers = [
      app,
      await startVss(env, { ...livenessEnv, REAPER_INTERVAL_MS: '60000' }),
      await startVss(env, { ...livenessEnv, REAPER_INTERVAL_MS: '60000' }),
    ];
    try {
      const repo = app.get(SessionRepository);
      const before = await Promise.all(racers.map((r) => counter(r, 'parley_reaper_sessions_reaped_total')));
      const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
      const zombies = Array.from({ length: 40 }, (_, i) => `zombie-${i}`);
      const staleSince = Date.now() - 10 * GRACE_MS;
      await Promise.all(zombies.map((identity) => repo.open({ room, identity }, staleSince)));
      await Promise.all([...racers, ...racers].map((r) => r.get(ReaperService).runOnce()));
      await eventually(async () => {
        for (const identity of zombies) expect((await repo.get(room, identity))?.status).toBe('abandoned');
      }, 5_000);
      const after = await Promise.all(racers.map((r) => counter(r, 'parley_reaper_sessions_reaped_total')));
      expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(zombies.length);
      for (const identity of zombies) {
        expect((await repo.timeline(room, identity, 10)).filter((e) => e.type === 'session')).toHaveLength(1);
      }
    } finally {
      await Promise.all(racers.slice(1).map((r) => r.close()));
    }
  });

  it('a heartbeat landing between the claim and the cleanup never leaves a kicked participant alive', async () => {
    const session = await candidateSession(app);
    const participant = new Room();
    await participant.connect(env.LIVEKIT_URL, session.livekitToken, { autoSubscribe: false, dynacast: false });
    // The cleanup's own hook (recording stop, a no-op until recordings exist) is where the browser's
    // late heartbeat lands: after the reaper decided, before it is done. The heartbeat is real.
    let lateHeartbeat: number | undefined;
    const stopper = app.get(RecordingStopper);
    const hook = vi.spyOn(stopper, 'stopForAbandonedSession').mockImplementation(async (room, identity) => {
      if (room === session.room && identity === session.identity) lateHeartbeat = (await session.heartbeat()).status;
    });
    try {
      expect((await session.heartbeat()).status).toBe(200);
      await eventually(async () => expect(lateHeartbeat).toBeDefined(), 10_000);
      const state = await app.get(SessionRepository).get(session.room, session.identity);
      const inRoom = (await rooms.listParticipants(session.room)).some((p) => p.identity === session.identity);
      // Either outcome is consistent; "removed from the room but alive" is the one that must not happen.
      expect({ status: state?.status, inRoom }).not.toEqual({ status: 'active', inRoom: false });
      // Ours: the session is abandoned before the participant is removed, so that heartbeat was refused.
      expect(lateHeartbeat).toBe(410);
      expect(state?.status).toBe('abandoned');
      expect(inRoom).toBe(false);
      expect((await session.heartbeat()).status).toBe(410);
    } finally {
      hook.mockRestore();
      await participant.disconnect();
    }
  });

  it('an ended session’s keys expire after the retention period', async () => {
    const repo = app.get(SessionRepository);
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    await repo.open({ room, identity: 'gone' }, Date.now() - 10 * GRACE_MS);
    await app.get(ReaperService).runOnce();
    expect((await repo.get(room, 'gone'))?.status).toBe('abandoned');
    const probe = new Redis(REDIS_URL);
    try {
      for (const key of [`vss:session:${room}/gone`, `vss:timeline:${room}/gone`]) {
        const ttl = await probe.ttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(7 * 86_400);
      }
    } finally {
      probe.disconnect();
    }
  });

  it('a mass disconnect is reaped in one pass, batch after batch, with bounded concurrency', async () => {
    const repo = app.get(SessionRepository);
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    // More zombies than one claim batch takes (REAPER_BATCH_SIZE, 500 by default).
    const zombies = Array.from({ length: 1_200 }, (_, i) => `mass-${i}`);
    const staleSince = Date.now() - 10 * GRACE_MS;
    for (let i = 0; i < zombies.length; i += 100)
      await Promise.all(zombies.slice(i, i + 100).map((identity) => repo.open({ room, identity }, staleSince)));
    // Others are still heartbeating (a mass disconnect, not an outage on our side, which holds reaping).
    await repo.open({ room, identity: 'still-here' }, Date.now());
    let inFlight = 0;
    let maxInFlight = 0;
    const stopper = app.get(RecordingStopper);
    const hook = vi.spyOn(stopper, 'stopForAbandonedSession').mockImplementation(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(1);
      inFlight--;
    });
    try {
      const run = await app.get(ReaperService).runOnce();
      expect(run).not.toHaveProperty('held');
      // The timer's own pass may have taken some first; together they took all of them.
      const statuses = await Promise.all(zombies.map(async (identity) => (await repo.get(room, identity))?.status));
      expect(statuses.filter((s) => s !== 'abandoned')).toEqual([]);
      if ('reaped' in run) expect(run.failed).toBe(0);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(maxInFlight).toBeLessThanOrEqual(32);
    } finally {
      hook.mockRestore();
    }
  });

  it('reaps nobody falsely when Redis restarts while sessions heartbeat', async () => {
    const clients = await Promise.all(Array.from({ length: 12 }, () => candidateSession(app)));
    let heartbeating = true;
    const failures: number[] = [];
    const loops = clients.map(async (client) => {
      while (heartbeating) {
        const { status } = await client.heartbeat();
        if (status !== 200) failures.push(status);
        await sleep(500);
      }
    });
    await sleep(1_500);
    const heldBefore = await counter(app, 'parley_reaper_runs_held_total');

    // Redis goes away for longer than the grace period, so every stored heartbeat is stale when it returns.
    await redis.stop();
    await sleep(GRACE_MS + 1_500);
    await startRedis();
    await sleep(4 * GRACE_MS);
    heartbeating = false;
    await Promise.all(loops);

    // During the outage heartbeats failed with 503 (retry later), never 500, never 410.
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set([503]));
    // Not one of these sessions was reaped (other files' sessions may legitimately be)…
    for (const client of clients) {
      expect((await app.get(SessionRepository).get(client.room, client.identity))?.status).toBe('active');
    }
    // …because the reaper held itself after the restart instead of trusting the stale scores.
    expect(await counter(app, 'parley_reaper_runs_held_total')).toBeGreaterThan(heldBefore);
  });
});
