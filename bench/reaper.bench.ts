// ReaperService.runOnce: time to reap 100 zombie sessions among 10,000 live sessions versus among
// 1,000,000. The claim is O(log N + expired), so the goal is 1M / 10k ≤ 1.5.
// Then a mass disconnect: 5,000 zombies at once, reaped with the bounded worker pool
// (REAPER_CONCURRENCY=32) against the sequential cleanup (REAPER_CONCURRENCY=1) as the baseline in
// the same run; the goal is all 5,000 within two reaper intervals (2 × 5 s by default).
// Starts its own redis-server (127.0.0.1:26399) and livekit-server (27880-27882); the app runs in
// this process. Run: npm run build && node dist/bench/reaper.bench.js
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManagedProcess, pingRedis, RUN_DIR, startLiveKitServer, waitUntilReady, which } from '@app/devstack';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { loadVideoStreamingServerConfig } from '../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../apps/video-streaming-server/src/create-app';
import { ReaperService, type ReaperRun } from '../apps/video-streaming-server/src/sessions/reaper.service';
import { benchEnv } from './support/bench-env';
import { machineLine } from './support/machine';
import { BENCH_LOG_DIR } from './support/node-server';
import { fmt, median } from './support/stats';

const REDIS_PORT = 26399;
const LIVEKIT = { port: 27880, rtcTcpPort: 27881, rtcUdpPort: 27882 };
const GRACE_MS = 2_000;
const ZOMBIES = 100;
const WARMUP_RUNS = 2;
const RUNS = 5;
// Each population in its own DB of the one redis-server, each read by its own app instance.
const POPULATIONS = [
  { size: 10_000, db: 0 },
  { size: 1_000_000, db: 1 },
];
const FILL_BATCH = 5_000;
const MASS_ZOMBIES = 5_000;
const MASS_LIVE = 10_000;
const MASS_ROUNDS = 2;
const DEFAULT_REAPER_INTERVAL_MS = 5_000;
// The pool against the one-at-a-time baseline, each in its own app and Redis DB.
const MASS_SETUPS = [
  { concurrency: 1, db: 2 },
  { concurrency: 32, db: 3 },
];
const FILL_IN_FLIGHT = 4;
const ORG = '0b6f2a52-8c1e-4d7a-9f10-3c4d5e6f7a8b';

const log = (line: string) => console.error(`[bench] ${line}`);

// Deterministic, distinct, canonical UUIDs: live sessions and zombies in separate ranges.
const uuid = (space: number, n: number) =>
  `00000000-0000-4000-${(0x8000 + space).toString(16)}-${n.toString(16).padStart(12, '0')}`;
const liveSubject = (n: number) => ({
  room: buildRoomName({ kind: 'interview', id: uuid(0, n) }),
  identity: `candidate-${n}`,
});
const zombieSubject = (n: number) => ({
  room: buildRoomName({ kind: 'interview', id: uuid(1, n) }),
  identity: `candidate-z${n}`,
});
const massZombieSubject = (n: number) => ({
  room: buildRoomName({ kind: 'interview', id: uuid(2, n) }),
  identity: `candidate-m${n}`,
});

/**
 * Writes sessions the way SessionRepository.open does (session hash, room set, rooms set,
 * liveness zset entry), in one pipeline.
 */
async function writeSessions(
  redis: Redis,
  subjects: Array<{ room: string; identity: string }>,
  score: number,
): Promise<void> {
  const pipeline = redis.pipeline();
  const liveness: Array<string | number> = [];
  const rooms: string[] = [];
  for (const { room, identity } of subjects) {
    const member = `${room}/${identity}`;
    pipeline.hset(
      `vss:session:${member}`,
      'room',
      room,
      'identity',
      identity,
      'status',
      'active',
      'createdAt',
      score,
      'lastHeartbeatAt',
      score,
      'role',
      'candidate',
      'org',
      ORG,
    );
    pipeline.sadd(`vss:room:${room}`, identity);
    rooms.push(room);
    liveness.push(score, member);
  }
  pipeline.sadd('vss:rooms', ...rooms);
  pipeline.zadd('vss:liveness', ...liveness);
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

async function fillLive(redis: Redis, size: number, score: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < size) {
      const start = next;
      next = Math.min(size, next + FILL_BATCH);
      const subjects = [];
      for (let n = start; n < next; n++) subjects.push(liveSubject(n));
      await writeSessions(redis, subjects, score);
    }
  };
  await Promise.all(Array.from({ length: FILL_IN_FLIGHT }, worker));
}

let zombieCounter = 0;
async function addZombies(redis: Redis, count: number, score: number): Promise<void> {
  const subjects = [];
  for (let i = 0; i < count; i++) subjects.push(zombieSubject(zombieCounter++));
  await writeSessions(redis, subjects, score);
}

interface Timed {
  ms: number;
  run: ReaperRun;
}

async function timedRun(reaper: ReaperService, now: number): Promise<Timed> {
  const started = performance.now();
  const run = await reaper.runOnce(now);
  return { ms: performance.now() - started, run };
}

function expectReaped(timed: Timed, count: number, what: string): void {
  const run = timed.run;
  if ('held' in run) throw new Error(`${what}: the reaper was held (${run.held}); the figure would be meaningless`);
  if (run.reaped !== count || run.claimed !== count || run.failed !== 0 || run.revived !== 0) {
    throw new Error(`${what}: expected ${count} reaped, got ${JSON.stringify(run)}`);
  }
}

interface Population {
  size: number;
  db: number;
  redis: Redis;
  app: NestFastifyApplication;
  reaper: ReaperService;
  fillSeconds: number;
  redisKeys: number;
  reapMs: number[];
  emptyMs: number[];
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`stop failed: ${String(err)}`));
    stops.length = 0;
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  // The in-process app must not print the AWS SDK's Node 22 notice into the report (see README).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  try {
    const redisBinary = which('redis-server');
    if (!redisBinary) throw new Error('redis-server is not installed (apt-get install redis-server)');
    const runDir = join(RUN_DIR, 'bench');
    mkdirSync(runDir, { recursive: true });
    log(`starting redis-server on ${REDIS_PORT} and livekit-server on ${LIVEKIT.port}`);
    const redisProc = ManagedProcess.start({
      name: 'bench-redis',
      command: redisBinary,
      args: ['--bind', '127.0.0.1', '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--dir', runDir],
      logDir: BENCH_LOG_DIR,
    });
    stops.push(() => redisProc.stop());
    const redisUrl = (db: number) => `redis://127.0.0.1:${REDIS_PORT}/${db}`;
    await waitUntilReady(() => pingRedis(redisUrl(0)), {
      component: 'bench redis',
      timeoutMs: 15_000,
      abortReason: () => redisProc.exitDescription(),
      hint: `see ${redisProc.logFile}; is port ${REDIS_PORT} free?`,
    });

    const overrides = {
      // In-process: the app's log lines would land in this report (one line per pass).
      LOG_LEVEL: 'silent',
      HEARTBEAT_INTERVAL_MS: '500',
      HEARTBEAT_GRACE_MS: String(GRACE_MS),
      REAPER_INTERVAL_MS: '60000',
      RECONCILE_INTERVAL_MS: '3600000',
      // Reaped candidates are reported to user-management, which does not run here: one attempt,
      // so failed deliveries are not retried in the background while passes are timed.
      USER_MANAGEMENT_REPORT_ATTEMPTS: '1',
    };
    const bench = benchEnv({ livekitPort: LIVEKIT.port, overrides });
    const livekit = await startLiveKitServer(
      {
        name: 'bench-livekit',
        ...LIVEKIT,
        keys: { [bench.secrets.livekitApiKey]: bench.secrets.livekitApiSecret },
        runDir,
        logDir: BENCH_LOG_DIR,
      },
      log,
    );
    stops.push(() => livekit.stop());

    // Virtual "now": live sessions carry it as their last heartbeat, zombies are 2 grace periods
    // older, and every pass runs at it (runOnce(now)) — so a million live sessions stay fresh for
    // the whole benchmark without rewriting their scores. Holds still run on the real clock.
    const now = Date.now();
    const populations: Population[] = [];
    for (const { size, db } of POPULATIONS) {
      const redis = new Redis(redisUrl(db), { connectionName: 'bench-fill' });
      stops.push(async () => void redis.disconnect());
      const app = await createVideoStreamingServer(
        loadVideoStreamingServerConfig({ ...bench.env, REDIS_URL: redisUrl(db) }),
      );
      stops.push(() => app.close());
      await app.init();
      const reaper = app.get(ReaperService);
      // First sight of this Redis's run_id: the reaper holds itself for one grace period. Let it.
      const first = await reaper.runOnce();
      if (!('held' in first)) throw new Error(`expected the first pass to be held, got ${JSON.stringify(first)}`);
      log(`${fmt(size)} live sessions in DB ${db}: first pass held (${first.held}), as expected; filling`);
      const fillStarted = performance.now();
      await fillLive(redis, size, now);
      const fillSeconds = (performance.now() - fillStarted) / 1000;
      const live = await redis.zcard('vss:liveness');
      if (live !== size) throw new Error(`expected ${size} live sessions, found ${live}`);
      populations.push({
        size,
        db,
        redis,
        app,
        reaper,
        fillSeconds,
        redisKeys: await redis.dbsize(),
        reapMs: [],
        emptyMs: [],
      });
    }
    for (const p of populations) {
      await waitUntilReady(
        async () => {
          if (await p.redis.exists('vss:reaper:hold_until')) throw new Error('reaper still on hold');
        },
        { component: 'reaper hold', timeoutMs: GRACE_MS * 3 },
      );
    }

    // Alternate the sizes (10k, 1M, 10k, 1M, …) so drifts of the machine hit both alike.
    for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
      const measured = i >= WARMUP_RUNS;
      for (const p of populations) {
        await addZombies(p.redis, ZOMBIES, now - 2 * GRACE_MS);
        const timed = await timedRun(p.reaper, now);
        expectReaped(timed, ZOMBIES, `pass ${i + 1} at ${p.size}`);
        // Same pass with nothing to reap: what the size alone costs.
        const empty = await timedRun(p.reaper, now);
        expectReaped(empty, 0, `empty pass ${i + 1} at ${p.size}`);
        if (measured) {
          p.reapMs.push(timed.ms);
          p.emptyMs.push(empty.ms);
        }
        log(
          `${measured ? 'pass' : 'warm-up'} ${fmt(p.size)}: reap ${timed.ms.toFixed(1)} ms, empty ${empty.ms.toFixed(2)} ms`,
        );
      }
    }
    for (const p of populations) {
      const live = await p.redis.zcard('vss:liveness');
      if (live !== p.size) throw new Error(`live sessions were touched: ${live} left of ${p.size}`);
    }

    // Where the time goes: the same 100 RemoveParticipant calls, one after the other, alone.
    const rooms = populations[0].app.get(RoomServiceClient);
    const removeMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const subjects = Array.from({ length: ZOMBIES }, (_, n) => zombieSubject(1_000_000 + i * ZOMBIES + n));
      const t = performance.now();
      for (const s of subjects) await rooms.removeParticipant(s.room, s.identity).catch(() => undefined);
      removeMs.push(performance.now() - t);
    }

    const mass = await massDisconnect(bench.env, redisUrl, now, stops);

    const info = await populations[0].redis.info();
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const redisMemory = /used_memory_human:(\S+)/.exec(info)?.[1] ?? '?';
    console.log(report(populations, removeMs, redisVersion, redisMemory, Math.round((Date.now() - started) / 1000)));
    console.log(massReport(mass));
  } finally {
    await stopAll();
  }
}

interface MassSetup {
  concurrency: number;
  db: number;
  ms: number[];
}

/**
 * 5,000 zombies at once among 10,000 live sessions, one pass each (runOnce claims batch after batch
 * until none is left), the pooled cleanup and the sequential one alternating, each in its own app.
 */
async function massDisconnect(
  env: Record<string, string>,
  redisUrl: (db: number) => string,
  now: number,
  stops: Array<() => Promise<void>>,
): Promise<MassSetup[]> {
  const setups: Array<MassSetup & { redis: Redis; reaper: ReaperService }> = [];
  for (const { concurrency, db } of MASS_SETUPS) {
    const redis = new Redis(redisUrl(db), { connectionName: 'bench-fill' });
    stops.push(async () => void redis.disconnect());
    const app = await createVideoStreamingServer(
      loadVideoStreamingServerConfig({ ...env, REDIS_URL: redisUrl(db), REAPER_CONCURRENCY: String(concurrency) }),
    );
    stops.push(() => app.close());
    await app.init();
    const reaper = app.get(ReaperService);
    const first = await reaper.runOnce();
    if (!('held' in first)) throw new Error(`expected the first pass to be held, got ${JSON.stringify(first)}`);
    let n = 0;
    while (n < MASS_LIVE) {
      const subjects = [];
      for (const end = Math.min(MASS_LIVE, n + FILL_BATCH); n < end; n++) subjects.push(liveSubject(n));
      await writeSessions(redis, subjects, now);
    }
    setups.push({ concurrency, db, ms: [], redis, reaper });
  }
  for (const setup of setups) {
    await waitUntilReady(
      async () => {
        if (await setup.redis.exists('vss:reaper:hold_until')) throw new Error('reaper still on hold');
      },
      { component: 'reaper hold', timeoutMs: GRACE_MS * 3 },
    );
  }
  let next = 0;
  for (let round = 0; round < MASS_ROUNDS; round++) {
    for (const setup of setups) {
      const subjects = [];
      for (let i = 0; i < MASS_ZOMBIES; i++) subjects.push(massZombieSubject(next++));
      await writeSessions(setup.redis, subjects, now - 2 * GRACE_MS);
      const timed = await timedRun(setup.reaper, now);
      expectReaped(timed, MASS_ZOMBIES, `mass disconnect round ${round + 1}, concurrency ${setup.concurrency}`);
      const live = await setup.redis.zcard('vss:liveness');
      if (live !== MASS_LIVE) throw new Error(`live sessions were touched: ${live} left of ${MASS_LIVE}`);
      setup.ms.push(timed.ms);
      log(
        `mass disconnect, concurrency ${setup.concurrency}: ${fmt(MASS_ZOMBIES)} reaped in ${timed.ms.toFixed(0)} ms`,
      );
    }
  }
  return setups.map(({ concurrency, db, ms }) => ({ concurrency, db, ms }));
}

function massReport(setups: MassSetup[]): string {
  const [sequential, pooled] = setups;
  const budget = 2 * DEFAULT_REAPER_INTERVAL_MS;
  const row = (s: MassSetup, what: string) =>
    `| ${what} (REAPER_CONCURRENCY=${s.concurrency}) | ${s.ms.map((m) => fmt(m, 0)).join(' · ')} | **${fmt(median(s.ms), 0)}** | ` +
    `${fmt((MASS_ZOMBIES / median(s.ms)) * 1000, 0)} | ${median(s.ms) <= budget ? 'yes' : 'no'} |`;
  return [
    `## Mass disconnect — ${fmt(MASS_ZOMBIES)} zombies at once among ${fmt(MASS_LIVE)} live sessions`,
    '',
    `- same run, stack and settings as above; two more app instances (Redis DB ${sequential.db} and ${pooled.db}), ` +
      `REAPER_BATCH_SIZE=500, one with REAPER_CONCURRENCY=${sequential.concurrency} (the sequential cleanup, baseline), ` +
      `one with REAPER_CONCURRENCY=${pooled.concurrency}`,
    `- method: ${fmt(MASS_LIVE)} live sessions per DB; per round ${fmt(MASS_ZOMBIES)} zombies (status active, role candidate, ` +
      `score now − 2 × grace, each in its own interview room) are added and one runOnce(now) is timed: it claims ` +
      `batch after batch until none is left; ${MASS_ROUNDS} rounds, the two setups alternating; every pass is checked to ` +
      `return reaped ${fmt(MASS_ZOMBIES)} / failed 0 and the live count unchanged`,
    '- each zombie costs: ABANDON (Lua: re-check and mark abandoned), RoomService.RemoveParticipant (404, no such room), ' +
      'the recording-stop hook (no-op), a BullMQ add for the user-management report, FINISH (Lua: timeline entry, ' +
      'out of the pending set); the claim is one Lua call per batch of 500',
    '',
    '| cleanup | ms per pass (each round) | median ms | zombies/s | within 2 reaper intervals (10 s)? |',
    '| --- | --- | ---: | ---: | --- |',
    row(sequential, 'sequential'),
    row(pooled, 'worker pool'),
    '',
    `Pool / sequential: **${fmt(median(sequential.ms) / median(pooled.ms), 1)}×** faster; goal (all ${fmt(MASS_ZOMBIES)} ` +
      `within 2 × ${DEFAULT_REAPER_INTERVAL_MS / 1000} s): ${median(pooled.ms) <= budget ? 'met' : 'MISSED'}.`,
    '',
  ].join('\n');
}

function report(
  populations: Population[],
  removeMs: number[],
  redisVersion: string,
  redisMemory: string,
  wallSeconds: number,
): string {
  const [small, large] = populations;
  const ratio = median(large.reapMs) / median(small.reapMs);
  const emptyRatio = median(large.emptyMs) / median(small.emptyMs);
  const row = (p: Population) =>
    `| ${fmt(p.size)} | ${p.reapMs.map((m) => fmt(m, 1)).join(' · ')} | **${fmt(median(p.reapMs), 1)}** | ` +
    `${p.emptyMs.map((m) => fmt(m, 2)).join(' · ')} | ${fmt(median(p.emptyMs), 2)} | ${fmt(p.fillSeconds, 1)} s | ${fmt(p.redisKeys)} |`;
  return [
    '## ReaperService.runOnce — 100 zombies among 10k vs 1M live sessions',
    '',
    '- command: `node dist/bench/reaper.bench.js` (after `npm run build`)',
    `- ${machineLine()}`,
    `- stack: dedicated redis-server ${redisVersion} on 127.0.0.1:${REDIS_PORT} (no persistence; ${redisMemory} used at the end), ` +
      `real livekit-server on ${LIVEKIT.port}/${LIVEKIT.rtcTcpPort}/${LIVEKIT.rtcUdpPort}; ` +
      'two app instances built in this process with createVideoStreamingServer + init (no HTTP listener), one per population ' +
      '(10k in Redis DB 0, 1M in DB 1), LOG_LEVEL=silent, ' +
      `HEARTBEAT_GRACE_MS=${GRACE_MS}, HEARTBEAT_INTERVAL_MS=500, REAPER_INTERVAL_MS=60000 (the timer never fires), RECONCILE_INTERVAL_MS=3600000, REAPER_BATCH_SIZE=500`,
    '- data: sessions written as SessionRepository.open writes them (hash, room set, `vss:rooms`, `vss:liveness` entry), pipelined; ' +
      'one room per session (`interview_<uuid>`, identity `candidate-<n>`)',
    "- method: each app's first pass is held (new Redis run_id) and discarded; passes run at a fixed `now` (runOnce(now)) equal to the live sessions' score; " +
      `before each pass ${ZOMBIES} zombies (status active, score now − 2 × grace) are added; ${WARMUP_RUNS} warm-up + ${RUNS} measured passes per size, ` +
      'sizes alternating (10k, 1M, 10k, …); every pass is checked to return reaped 100 / claimed 100 / failed 0 and is followed by a pass with nothing to reap; ' +
      'the live counts are checked unchanged at the end',
    '- each zombie costs (REAPER_CONCURRENCY=32 of them at a time): ABANDON (Lua: re-check, mark abandoned), RoomService.RemoveParticipant on livekit-server (404, no such room: done), ' +
      'a BullMQ add (the user-management report), FINISH (Lua: timeline entry, out of the pending set)',
    `- wall time: ${wallSeconds} s`,
    '',
    '| live sessions | reap 100 zombies, ms (each pass) | median ms | pass with nothing to reap, ms | median ms | fill time | keys in its DB |',
    '| ---: | --- | ---: | --- | ---: | ---: | ---: |',
    row(small),
    row(large),
    '',
    `1M / 10k: **${fmt(ratio, 2)}** for reaping 100 zombies (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'MISSED'}); ${fmt(emptyRatio, 2)} for a pass with nothing to reap.`,
    '',
    `For scale: the same 100 RemoveParticipant calls alone, one after the other, take ${removeMs.map((m) => fmt(m, 1)).join(' · ')} ms ` +
      `(median ${fmt(median(removeMs), 1)} ms, ${fmt(median(removeMs) / ZOMBIES, 2)} ms each).`,
    '',
  ].join('\n');
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  // app.close() leaves one Redis connection open (the BullMQ worker's duplicate() in
  // LiveKitEventsQueue is never closed), which would keep this process alive: exit explicitly.
  .finally(() => process.exit());
