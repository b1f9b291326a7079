// ReaperService.runOnce: time to reap 100 zombie sessions among 10,000 live sessions versus among
// 1,000,000. The claim is O(log N + expired), so the goal is 1M / 10k ≤ 1.5.
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
const RUNS = 5;
const SIZES = [10_000, 1_000_000];
const FILL_BATCH = 5_000;
const FILL_IN_FLIGHT = 4;
const ORG = '0b6f2a52-8c1e-4d7a-9f10-3c4d5e6f7a8b';

const log = (line: string) => console.error(`[bench] ${line}`);

// Deterministic, distinct, canonical UUIDs: live sessions and zombies in separate ranges.
const uuid = (space: number, n: number) => `00000000-0000-4000-${(0x8000 + space).toString(16)}-${n.toString(16).padStart(12, '0')}`;
const liveSubject = (n: number) => ({ room: buildRoomName({ kind: 'interview', id: uuid(0, n) }), identity: `candidate-${n}` });
const zombieSubject = (n: number) => ({ room: buildRoomName({ kind: 'interview', id: uuid(1, n) }), identity: `candidate-z${n}` });

/**
 * Writes sessions the way SessionRepository.open does (session hash, room set, rooms set,
 * liveness zset entry), pipelined in batches.
 */
async function writeSessions(redis: Redis, subjects: Array<{ room: string; identity: string }>, score: number): Promise<void> {
  const pipeline = redis.pipeline();
  const liveness: Array<string | number> = [];
  const rooms: string[] = [];
  for (const { room, identity } of subjects) {
    const member = `${room}/${identity}`;
    pipeline.hset(`vss:session:${member}`, 'room', room, 'identity', identity, 'status', 'active', 'createdAt', score, 'lastHeartbeatAt', score, 'role', 'candidate', 'org', ORG);
    pipeline.sadd(`vss:room:${room}`, identity);
    rooms.push(room);
    liveness.push(score, member);
  }
  pipeline.sadd('vss:rooms', ...rooms);
  pipeline.zadd('vss:liveness', ...liveness);
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}

async function fillLive(redis: Redis, from: number, to: number, score: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + FILL_BATCH);
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

interface SizeResult {
  size: number;
  fillSeconds: number;
  redisMemory: string;
  reapMs: number[];
  emptyMs: number[];
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    const redisUrl = `redis://127.0.0.1:${REDIS_PORT}/0`;
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
    await waitUntilReady(() => pingRedis(redisUrl), { component: 'bench redis', timeoutMs: 15_000, abortReason: () => redisProc.exitDescription(), hint: `see ${redisProc.logFile}; is port ${REDIS_PORT} free?` });

    const bench = benchEnv({
      livekitPort: LIVEKIT.port,
      redisUrl,
      overrides: {
        // In-process: the app's log lines would land in this report; one line per pass is noise anyway.
        LOG_LEVEL: 'silent',
        HEARTBEAT_INTERVAL_MS: '500',
        HEARTBEAT_GRACE_MS: String(GRACE_MS),
        REAPER_INTERVAL_MS: '60000',
        RECONCILE_INTERVAL_MS: '3600000',
      },
    });
    const livekit = await startLiveKitServer(
      { name: 'bench-livekit', ...LIVEKIT, keys: { [bench.secrets.livekitApiKey]: bench.secrets.livekitApiSecret }, runDir, logDir: BENCH_LOG_DIR },
      log,
    );
    stops.push(() => livekit.stop());

    const app: NestFastifyApplication = await createVideoStreamingServer(loadVideoStreamingServerConfig(bench.env));
    stops.push(() => app.close());
    await app.init();
    const reaper = app.get(ReaperService);
    const redis = new Redis(redisUrl, { connectionName: 'bench-fill' });
    stops.push(async () => void redis.disconnect());

    // First sight of this Redis's run_id: the reaper holds itself for one grace period. Let it.
    const first = await reaper.runOnce();
    log(`first pass: ${JSON.stringify(first)} (expected: held, recovering)`);

    // Virtual "now": live sessions carry it as their last heartbeat, zombies are 2 grace periods
    // older, and every pass runs at it — so a million live sessions stay fresh for the whole
    // benchmark without rewriting their scores. The hold above runs on the real clock.
    const now = Date.now();
    const results: SizeResult[] = [];
    let filled = 0;
    for (const size of SIZES) {
      log(`filling live sessions ${filled} → ${size}`);
      const fillStarted = performance.now();
      await fillLive(redis, filled, size, now);
      const fillSeconds = (performance.now() - fillStarted) / 1000;
      filled = size;
      const live = await redis.zcard('vss:liveness');
      if (live !== size) throw new Error(`expected ${size} live sessions, found ${live}`);
      await waitUntilReady(async () => {
        if (await redis.exists('vss:reaper:hold_until')) throw new Error('reaper still on hold');
      }, { component: 'reaper hold', timeoutMs: GRACE_MS * 3 });
      const redisMemory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1] ?? '?';

      await addZombies(redis, ZOMBIES, now - 2 * GRACE_MS);
      expectReaped(await timedRun(reaper, now), ZOMBIES, `warm-up at ${size}`);
      const reapMs: number[] = [];
      const emptyMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await addZombies(redis, ZOMBIES, now - 2 * GRACE_MS);
        const timed = await timedRun(reaper, now);
        expectReaped(timed, ZOMBIES, `run ${i + 1} at ${size}`);
        reapMs.push(timed.ms);
        // Same pass with nothing to reap: what the size alone costs.
        const empty = await timedRun(reaper, now);
        expectReaped(empty, 0, `empty run ${i + 1} at ${size}`);
        emptyMs.push(empty.ms);
      }
      const stillLive = await redis.zcard('vss:liveness');
      if (stillLive !== size) throw new Error(`live sessions were touched: ${stillLive} left of ${size}`);
      log(`${fmt(size)} live: reap 100 ${reapMs.map((m) => m.toFixed(1)).join(', ')} ms; empty pass ${emptyMs.map((m) => m.toFixed(2)).join(', ')} ms`);
      results.push({ size, fillSeconds, redisMemory, reapMs, emptyMs });
    }
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    console.log(report(results, redisVersion, Math.round((Date.now() - started) / 1000)));
  } finally {
    await stopAll();
  }
}

function report(results: SizeResult[], redisVersion: string, wallSeconds: number): string {
  const [small, large] = results;
  const ratio = median(large.reapMs) / median(small.reapMs);
  const emptyRatio = median(large.emptyMs) / median(small.emptyMs);
  const row = (r: SizeResult) =>
    `| ${fmt(r.size)} | ${r.reapMs.map((m) => fmt(m, 1)).join(' · ')} | **${fmt(median(r.reapMs), 1)}** | ${r.emptyMs.map((m) => fmt(m, 2)).join(' · ')} | ${fmt(median(r.emptyMs), 2)} | ${fmt(r.fillSeconds, 1)} s | ${r.redisMemory} |`;
  return [
    '## ReaperService.runOnce — 100 zombies among 10k vs 1M live sessions',
    '',
    '- command: `node dist/bench/reaper.bench.js` (after `npm run build`)',
    `- ${machineLine()}`,
    `- stack: dedicated redis-server ${redisVersion} on 127.0.0.1:${REDIS_PORT} (no persistence), real livekit-server on ${LIVEKIT.port}/${LIVEKIT.rtcTcpPort}/${LIVEKIT.rtcUdpPort}; ` +
      'the app built in this process with createVideoStreamingServer + init (no HTTP listener), LOG_LEVEL=silent, ' +
      `HEARTBEAT_GRACE_MS=${GRACE_MS}, HEARTBEAT_INTERVAL_MS=500, REAPER_INTERVAL_MS=60000 (timer never fires), RECONCILE_INTERVAL_MS=3600000, REAPER_BATCH_SIZE=500`,
    '- data: sessions written as SessionRepository.open does (hash, room set, rooms set, `vss:liveness` entry), pipelined; ' +
      'one room per session (`interview_<uuid>`, identity `candidate-<n>`); the 1M population is the 10k one topped up',
    '- method: the first pass is held (new Redis run_id) and discarded; passes run at a fixed `now` (runOnce(now)) equal to the live sessions\' score; ' +
      `before each pass ${ZOMBIES} zombies (status active, score now − 2 × grace) are added; 1 warm-up pass + ${RUNS} measured passes per size, ` +
      'each checked to return reaped 100 / claimed 100 / failed 0, each followed by a pass with nothing to reap; the live count is checked unchanged afterwards',
    '- each zombie costs HGETALL, RoomService.RemoveParticipant on livekit-server (answers 404: no such room), ABANDON (Lua) and ZREM, one after the other',
    `- wall time: ${wallSeconds} s`,
    '',
    '| live sessions | reap 100 zombies, ms (each pass) | median ms | pass with nothing to reap, ms | median ms | fill time | Redis memory |',
    '| ---: | --- | ---: | --- | ---: | ---: | ---: |',
    row(small),
    row(large),
    '',
    `1M / 10k: **${fmt(ratio, 2)}** for reaping 100 zombies (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'MISSED'}); ${fmt(emptyRatio, 2)} for a pass with nothing to reap.`,
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
