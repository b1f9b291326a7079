// The interviewer agent (issue 9): three figures on this machine, offline providers only.
//  1. Dispatch: room created → agent in the room, over 50 rooms (p50, p95). Baseline in the same
//     run: the CreateRoom round trip itself, the floor any dispatch sits on.
//  2. Turn latency: the candidate's typed message, or the end of its speech, → the first non-silent
//     frame of the interviewer's answer at the candidate (p50, p95). Baseline: espeak-ng
//     synthesising the same kind of sentence, measured here.
//  3. Concurrency: 1, 5, 10 and 12 interviews at once on one worker; typed-turn latency p95 and the
//     worker's memory (main process, job processes and its inference process) per interview.
// Starts its own stack (the test profile of slot 8: LiveKit 18680, database parley_test_8, Redis
// DB 7), user-management in this process and the worker from dist/. The simulated candidates run
// in this process too, so they share the two cores with the worker: the figures are an upper
// bound on what the worker alone needs.
// Run: npm run build && node dist/bench/interviewer.bench.js
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { SimulatedCandidate } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import { EspeakTextToSpeech } from '@app/speech';
import { AccessToken } from 'livekit-server-sdk';
import { RoomServiceClient } from 'livekit-server-sdk';
import { DEMO_ANSWERS } from '../tools/demo-script';
import { startInterviewPlatform } from './support/interview-platform';
import { machineLine } from './support/machine';
import { fmt, median, percentile } from './support/stats';

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DISPATCH_ROOMS = 50;
const TURN_INTERVIEWS = 3;
const CONCURRENCY = [1, 5, 10, 12];

/** `pid` and all its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return tree;
}

/** Resident memory of `pid` and its descendants, in MiB. */
function treeRssMiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

/** CPU seconds (user + system) `pid` and its live descendants have used so far. */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime (fields 14-17): children that exited are counted by their parent.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

async function main(): Promise<void> {
  const platform = await startInterviewPlatform({
    slot: 8,
    name: 'bench-agent',
    log,
    workerEnv: {
      AGENT_MAX_JOBS: String(2 * Math.max(...CONCURRENCY)),
      AGENT_IDLE_PROCESSES: '2',
      // Typed answers carry these interviews: no recogniser, so turns are the brain and the voice.
      STT_PROVIDER: 'none',
    },
  });
  const { env, worker, newInterview } = platform;
  try {
    const workerPid = worker.pid!;
    await sleep(3_000); // idle processes warm up
    const idleRss = treeRssMiB(workerPid);
    log(`worker ready; idle RSS ${idleRss.toFixed(0)} MiB`);
    const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
    const candidateToken = async (room: string, identity: string) => {
      const at = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { identity, ttl: '30m' });
      at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true });
      return at.toJwt();
    };

    // 1. Dispatch.
    const dispatchMs: number[] = [];
    const createMs: number[] = [];
    for (let i = 0; i < DISPATCH_ROOMS; i++) {
      const { room } = await newInterview();
      const t0 = performance.now();
      await rooms.createRoom({ name: room, emptyTimeout: 10 });
      createMs.push(performance.now() - t0);
      for (;;) {
        const participants = await rooms.listParticipants(room);
        if (participants.some((p) => p.identity === 'parley-interviewer')) break;
        if (performance.now() - t0 > 30_000) throw new Error(`no agent in ${room} after 30 s`);
        await sleep(5);
      }
      dispatchMs.push(performance.now() - t0);
      // Let the agent's own connect finish before the room goes (a room deleted mid-connect leaves
      // rtc-node's connect pending until the job's connect timeout), then give the next job a warm
      // process, as a steady stream of interviews does.
      await sleep(1_000);
      await rooms.deleteRoom(room);
      await sleep(1_500);
      if ((i + 1) % 10 === 0) log(`dispatch ${i + 1}/${DISPATCH_ROOMS}`);
    }

    // One interview with typed answers; returns each turn's latency to the first loud agent frame.
    const runInterview = async (speak: boolean) => {
      const { room, identity } = await newInterview();
      await rooms.createRoom({ name: room, emptyTimeout: 10 });
      const sim = await SimulatedCandidate.join({ url: env.LIVEKIT_URL, token: await candidateToken(room, identity) });
      const sentAt: number[] = [];
      try {
        await sim.interview(DEMO_ANSWERS, {
          thinkMs: 300,
          speak,
          timeoutMs: 240_000,
          onAnswer: () => undefined,
          onSent: (at: number) => sentAt.push(at),
        });
      } finally {
        await sim.leave();
      }
      return sentAt
        .map((at) => (sim.agentAudioAt.find((t) => t > at) ?? Number.NaN) - at)
        .filter((ms) => Number.isFinite(ms));
    };

    // 2. Turn latency, one interview at a time.
    const typed: number[] = [];
    for (let i = 0; i < TURN_INTERVIEWS; i++) typed.push(...(await runInterview(false)));
    log(`typed turns: ${typed.length}`);
    const espeak = new EspeakTextToSpeech();
    const synthMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await espeak.synthesize('Thank you. Next question: tell me about a production incident you debugged.');
      synthMs.push(performance.now() - t0);
    }

    // 3. Concurrency.
    const concurrency: Array<{
      n: number;
      p50: number;
      p95: number;
      rss: number;
      perInterview: number;
      workerCpu: number;
      candidatesCpu: number;
    }> = [];
    for (const n of CONCURRENCY) {
      let peakRss = 0;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRssMiB(workerPid))), 500);
      const cpu0 = { worker: treeCpuSeconds(workerPid), bench: process.cpuUsage() };
      const wall0 = performance.now();
      // Candidates arrive a second apart, as they do in life (not all in the same instant).
      const latencies = (
        await Promise.all(Array.from({ length: n }, (_, i) => sleep(i * 1_000).then(() => runInterview(false))))
      ).flat();
      clearInterval(sampler);
      const wallSeconds = (performance.now() - wall0) / 1000;
      const bench = process.cpuUsage(cpu0.bench);
      concurrency.push({
        n,
        p50: median(latencies),
        p95: percentile(latencies, 95),
        rss: peakRss,
        perInterview: (peakRss - idleRss) / n,
        // Share of one core, averaged over the run: 2.0 is both cores of this machine.
        workerCpu: (treeCpuSeconds(workerPid) - cpu0.worker) / wallSeconds,
        candidatesCpu: (bench.user + bench.system) / 1e6 / wallSeconds,
      });
      log(`${n} at once: p95 ${fmt(percentile(latencies, 95))} ms, peak RSS ${peakRss.toFixed(0)} MiB`);
      await sleep(5_000);
    }

    console.log(`# Interviewer agent benchmarks\n\n${machineLine()}\n`);
    console.log('| measure | p50 | p95 | baseline (same run) |');
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| room created → agent joined (${DISPATCH_ROOMS} rooms) | ${fmt(median(dispatchMs))} ms | ${fmt(percentile(dispatchMs, 95))} ms | CreateRoom round trip p50 ${fmt(median(createMs))} ms |`,
    );
    console.log(
      `| typed answer → first agent audio (${typed.length} turns, 1 interview at a time) | ${fmt(median(typed))} ms | ${fmt(percentile(typed, 95))} ms | espeak-ng one sentence p50 ${fmt(median(synthMs))} ms |`,
    );
    console.log('\n| interviews at once | turn p50 | turn p95 | worker peak RSS | per interview |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const c of concurrency) {
      console.log(
        `| ${c.n} | ${fmt(c.p50)} ms | ${fmt(c.p95)} ms | ${c.rss.toFixed(0)} MiB | ${c.perInterview.toFixed(0)} MiB |`,
      );
    }
    console.log(`\nWorker idle RSS (main, inference process, 2 warm job processes): ${idleRss.toFixed(0)} MiB.`);
  } finally {
    await platform.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
