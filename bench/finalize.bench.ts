// Recording finalize (issue 10): libs/media's mergeRecording on generated recordings.
//  1. 30-minute 720p VP8 camera + two Opus microphones (one starting 3 s late): wall time of the
//     finalize (probe, ffmpeg, verify) against a plain `ffmpeg -c copy` remux of the same inputs,
//     alternated in the same run. Goals: ≤ 1.3× the remux, ≥ 200× faster than real time.
//  2. Peak RSS (VmHWM) of a finalize run in a child Node process, and of its ffmpeg/ffprobe
//     children, for a 5- and a 60-minute recording. Goal: ≤ 150 MB each, not growing with length.
//  3. A two-camera meeting (composite re-encoded): times faster than real time. Goal: ≥ 2×.
// Inputs are generated once into os.tmpdir()/parley-finalize-bench (see support/finalize-media.ts).
// Run: node scripts/build.mjs && node dist/bench/finalize.bench.js
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ffmpegBinaries,
  planMerge,
  probeTracks,
  runMerge,
  verifyMerged,
  type MergePlan,
  type MergeResult,
  type TrackInput,
} from '@app/media';
import { CACHE_DIR, ensureCacheDir, run, speechTrack, videoTrack } from './support/finalize-media';
import { machineLine } from './support/machine';
import { fmt, median } from './support/stats';

const RUNS = Number(process.env.FINALIZE_RUNS ?? 3);
const T0 = 1_764_650_000_000;
const LATE_MIC_MS = 3_000;
const VIDEO = { width: 1280, height: 720, kbps: 1500 };
const MB = 1024 * 1024;

const log = (line: string) => console.error(`[bench] ${line}`);
const seconds = (ms: number) => fmt(ms / 1000, 2);

async function interview(durationSec: number): Promise<TrackInput[]> {
  const [cam, mic, agent] = await Promise.all([
    videoTrack({ ...VIDEO, durationSec }),
    speechTrack(durationSec, 0),
    speechTrack(durationSec - LATE_MIC_MS / 1000, 1),
  ]);
  return [
    { id: 'cam', source: cam, startedAtMs: T0, speaker: 'candidate-1' },
    { id: 'mic', source: mic, startedAtMs: T0, speaker: 'candidate-1' },
    { id: 'agent', source: agent, startedAtMs: T0 + LATE_MIC_MS, speaker: 'agent-interviewer' },
  ];
}

/** The baseline: every input's packets copied into one WebM, the late one shifted, nothing decoded. */
async function copyRemux(tracks: TrackInput[], output: string): Promise<number> {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  for (const t of tracks) {
    if (t.startedAtMs > T0) args.push('-itsoffset', ((t.startedAtMs - T0) / 1000).toFixed(3));
    args.push('-i', t.source);
  }
  tracks.forEach((_, i) => args.push('-map', `${i}:0`));
  args.push('-c', 'copy', '-f', 'webm', output);
  const cpu0 = cpuMs();
  const started = performance.now();
  await run('ffmpeg', args);
  copyCpuMs.push(cpuMs() - cpu0);
  return performance.now() - started;
}
const copyCpuMs: number[] = [];

/** CPU time (ms) of this process plus its waited-for children (ffprobe, ffmpeg): /proc/self/stat. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (clock ticks).
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Phases {
  /** CPU of Node and its children over the whole finalize. */
  cpuMs: number;
  probeMs: number;
  ffmpegMs: number;
  verifyMs: number;
  totalMs: number;
  result: MergeResult;
}

/** mergeRecording's steps (probe, plan, run ffmpeg, verify), each timed. */
async function finalize(
  tracks: TrackInput[],
  output: string,
  adjust?: (plan: MergePlan) => MergePlan,
): Promise<Phases> {
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const probed = await probeTracks(tracks);
  const t1 = performance.now();
  const planned = planMerge(probed);
  const plan = adjust ? adjust(planned) : planned;
  await runMerge(plan, output);
  const t2 = performance.now();
  const result = await verifyMerged(output, plan);
  const t3 = performance.now();
  return { cpuMs: cpuMs() - cpu0, probeMs: t1 - t0, ffmpegMs: t2 - t1, verifyMs: t3 - t2, totalMs: t3 - t0, result };
}

/** The plan with the mix encoded with libopus' defaults (64 kbit/s, level 10, 20 ms), for comparison. */
function defaultMixEncoder(plan: MergePlan): MergePlan {
  const out = [...plan.outputOptions];
  for (const option of ['-application:a:0', '-compression_level:a:0', '-frame_duration:a:0']) {
    const at = out.indexOf(option);
    if (at >= 0) out.splice(at, 2);
  }
  out[out.indexOf('-b:a:0') + 1] = '64k';
  return { ...plan, outputOptions: out };
}

// --- peak RSS

interface Peaks {
  nodeKb: number;
  ffmpegKb: number;
  ffprobeKb: number;
  wallMs: number;
  result: MergeResult;
}

async function statusOf(pid: number): Promise<{ name: string; hwmKb: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?';
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return hwm ? { name, hwmKb: Number(hwm[1]) } : undefined;
  } catch {
    return undefined;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(
      tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')),
    );
    return lists.flatMap((l) => l.split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** A finalize in a child Node process; its ffmpeg/ffprobe children's VmHWM polled every 25 ms. */
async function finalizeInChild(tracks: TrackInput[], output: string): Promise<Peaks> {
  const script = join(__dirname, 'support', 'finalize-child.js');
  const child = spawn(process.execPath, [script, JSON.stringify({ tracks, output })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const peaks = { ffmpeg: 0, ffprobe: 0 };
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const poll = (async () => {
    while (!done) {
      for (const pid of await childrenOf(child.pid!)) {
        const s = await statusOf(pid);
        if (s?.name === 'ffmpeg' || s?.name === 'ffprobe') peaks[s.name] = Math.max(peaks[s.name], s.hwmKb);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const code = await exited;
  done = true;
  await poll;
  if (code !== 0) throw new Error(`finalize child exited ${code}`);
  const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    wallMs: number;
    vmHwmKb: number;
    result: MergeResult;
  };
  return {
    nodeKb: line.vmHwmKb,
    ffmpegKb: peaks.ffmpeg,
    ffprobeKb: peaks.ffprobe,
    wallMs: line.wallMs,
    result: line.result,
  };
}

// --- composite

async function meeting(durationSec: number): Promise<TrackInput[]> {
  const [camA, camB, micA, micB] = await Promise.all([
    videoTrack({ ...VIDEO, durationSec }),
    videoTrack({ ...VIDEO, durationSec: durationSec - 2 }),
    speechTrack(durationSec, 0),
    speechTrack(durationSec - 2, 1),
  ]);
  return [
    { id: 'a-cam', source: camA, startedAtMs: T0, speaker: 'participant-a' },
    { id: 'a-mic', source: micA, startedAtMs: T0, speaker: 'participant-a' },
    { id: 'b-cam', source: camB, startedAtMs: T0 + 2_000, speaker: 'participant-b' },
    { id: 'b-mic', source: micB, startedAtMs: T0 + 2_000, speaker: 'participant-b' },
  ];
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
};

async function main(): Promise<void> {
  await ensureCacheDir();
  const out = await mkdtemp(join(tmpdir(), 'finalize-bench-'));
  const lines: string[] = [];
  const print = (line = '') => lines.push(line);
  try {
    // Inputs, outside any timing.
    const started = performance.now();
    log(`generating / reusing inputs in ${CACHE_DIR}`);
    const [long, short, hour, meet] = [
      await interview(1800),
      await interview(300),
      await interview(3600),
      await meeting(60),
    ];
    const generationMs = performance.now() - started;
    const size = async (tracks: TrackInput[]) =>
      (await Promise.all(tracks.map((t) => stat(t.source).then((s) => s.size)))).reduce((a, b) => a + b, 0);
    log(`inputs ready in ${seconds(generationMs)} s`);

    const ffmpegVersion = execFileSync(ffmpegBinaries().ffmpeg, ['-version'], { encoding: 'utf8' }).split('\n')[0];
    print('# Recording finalize (issue 10)');
    print();
    print(machineLine());
    print(`${ffmpegVersion}`);
    print(`uptime at start: ${uptime()}`);
    print(`inputs: ${seconds(generationMs)} s to generate or reuse (cache: ${CACHE_DIR})`);
    print();

    // 1. 30 minutes: finalize vs copy remux, alternated.
    const durationMs = 1800_000;
    const copies: number[] = [];
    const runs: Phases[] = [];
    const defaults: Phases[] = [];
    log('1. 30-minute VP8 + 2 Opus: warm-up (page cache)');
    await copyRemux(long, join(out, 'warm.webm'));
    for (let i = 0; i < RUNS; i++) {
      copies.push(await copyRemux(long, join(out, 'copy.webm')));
      runs.push(await finalize(long, join(out, 'final.webm')));
      defaults.push(await finalize(long, join(out, 'final-default.webm'), defaultMixEncoder));
      log(
        `  run ${i + 1}: copy ${seconds(copies.at(-1)!)} s, finalize ${seconds(runs.at(-1)!.totalMs)} s, ` +
          `with default mix encoder ${seconds(defaults.at(-1)!.totalMs)} s`,
      );
    }
    const m = (xs: Phases[], key: keyof Omit<Phases, 'result'>) => median(xs.map((x) => x[key]));
    const copyMs = median(copies);
    const ratios = runs.map((r, i) => r.totalMs / copies[i]!);
    const final = runs[0]!.result;
    print('## 1. 30-minute 720p VP8 + two Opus tracks');
    print();
    print(
      `inputs ${fmt((await size(long)) / MB, 1)} MB; output ${fmt(final.sizeBytes / MB, 1)} MB, ` +
        `${final.streams.map((s) => `${s.codec} "${s.title}"`).join(', ')}; ${RUNS} runs, alternated, medians`,
    );
    print();
    print('| what | wall (s) | probe | ffmpeg | verify | × remux | × real time | CPU (s) |');
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    print(
      `| \`ffmpeg -c copy\` remux | ${seconds(copyMs)} | | | | 1.00 | ${fmt(durationMs / copyMs, 0)} | ` +
        `${seconds(median(copyCpuMs.slice(1)))} |`,
    );
    for (const [name, xs] of [
      ['finalize (mergeRecording steps)', runs],
      ['same, mix with libopus defaults', defaults],
    ] as const) {
      const total = m(xs, 'totalMs');
      print(
        `| ${name} | ${seconds(total)} | ${seconds(m(xs, 'probeMs'))} | ${seconds(m(xs, 'ffmpegMs'))} | ` +
          `${seconds(m(xs, 'verifyMs'))} | ${fmt(median(xs.map((r, i) => r.totalMs / copies[i]!)), 2)} | ` +
          `${fmt(durationMs / total, 0)} | ${seconds(m(xs, 'cpuMs'))} |`,
      );
    }
    print();
    print(
      `per run (wall s): remux ${copies.map(seconds).join(', ')}; finalize ${runs.map((r) => seconds(r.totalMs)).join(', ')}` +
        `; finalize / remux ${ratios.map((r) => fmt(r, 2)).join(', ')}`,
    );
    print();

    // 2. Peak RSS, 5 and 60 minutes.
    print('## 2. Peak RSS of a finalize (VmHWM)');
    print();
    print('| recording | wall (s) | × real time | Node process (MB) | ffmpeg (MB) | ffprobe (MB) |');
    print('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [label, tracks, ms] of [
      ['5 min', short, 300_000],
      ['60 min', hour, 3_600_000],
    ] as const) {
      log(`2. peak RSS, ${label}`);
      const p = await finalizeInChild(tracks, join(out, `rss-${ms}.webm`));
      print(
        `| ${label} (${fmt((await size(tracks)) / MB, 0)} MB in) | ${seconds(p.wallMs)} | ${fmt(ms / p.wallMs, 0)} | ` +
          `${fmt(p.nodeKb / 1024, 1)} | ${fmt(p.ffmpegKb / 1024, 1)} | ${fmt(p.ffprobeKb / 1024, 1)} |`,
      );
      await rm(join(out, `rss-${ms}.webm`), { force: true });
    }
    print();

    // 3. Composite.
    print('## 3. Two-camera meeting (composite re-encoded, VP8 realtime cpu-used 8)');
    print();
    const meetings: Phases[] = [];
    for (let i = 0; i < RUNS; i++) {
      log(`3. composite run ${i + 1}`);
      meetings.push(await finalize(meet, join(out, 'meeting.webm')));
    }
    const meetMs = meetings[0]!.result.expectedDurationMs;
    const meetTotal = m(meetings, 'totalMs');
    print(
      `two 1280x720 cameras (the second from 2 s) + two Opus tracks, ${seconds(meetMs)} s; composite ` +
        `${meetings[0]!.result.streams[0]!.width}x${meetings[0]!.result.streams[0]!.height}; ${RUNS} runs, median`,
    );
    print();
    print(`| wall (s) | ffmpeg (s) | × real time | CPU (s) | runs (wall s) |`);
    print('| ---: | ---: | ---: | ---: | --- |');
    print(
      `| ${seconds(meetTotal)} | ${seconds(m(meetings, 'ffmpegMs'))} | ${fmt(meetMs / meetTotal, 2)} | ` +
        `${seconds(m(meetings, 'cpuMs'))} | ${meetings.map((r) => seconds(r.totalMs)).join(', ')} |`,
    );
    print();
    print(`uptime at end: ${uptime()}`);
    console.log(lines.join('\n'));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
