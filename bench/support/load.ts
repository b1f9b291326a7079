import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { fmt, median } from './stats';

export interface Target {
  label: string;
  /** Full URL including the path. */
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Process id of the server, to read its CPU time from /proc. */
  pid: number;
}

export interface LoadOptions {
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

export const DEFAULT_LOAD: LoadOptions = {
  connections: 50,
  pipelining: 1,
  warmupSeconds: 3,
  rounds: 3,
  roundSeconds: 10,
};

export interface RoundResult {
  round: number;
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per answered request, µs (from /proc/<pid>/stat). */
  cpuUsPerReq: number;
  /** Server CPU use during the round, % of one core. */
  cpuPct: number;
  /** This process (autocannon) during the round, % of one core. */
  loadGenPct: number;
  /** Everything else on the machine during the round (Redis, other people's work), % of one core. */
  otherPct: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  try {
    // Fields after the ")" of the command name: state is #3, utime #14, stime #15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine, all cores (from /proc/stat). */
function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields; // idle and iowait are not busy
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

async function hit(
  target: Target,
  seconds: number,
  options: LoadOptions,
): Promise<Omit<RoundResult, 'round' | 'label'>> {
  const cpuBefore = cpuSeconds(target.pid);
  const machineBefore = machineBusySeconds();
  const selfBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: seconds,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  const self = process.cpuUsage(selfBefore);
  const selfSeconds = (self.user + self.system) / 1e6;
  const machine = machineBusySeconds() - machineBefore;
  const ok = result['2xx'];
  return {
    // Successful answers over the run's actual length (autocannon may overrun `duration` slightly).
    reqPerSec: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuUsPerReq: ok > 0 ? (cpu * 1e6) / ok : Number.NaN,
    cpuPct: (cpu / wallSeconds) * 100,
    loadGenPct: (selfSeconds / wallSeconds) * 100,
    otherPct: Math.max(0, ((machine - cpu - selfSeconds) / wallSeconds) * 100),
  };
}

/** One request, checked, before any load: a benchmark of 401s measures nothing. */
export async function checkTarget(
  target: Target,
  expect: (status: number, body: string) => string | undefined,
): Promise<{ responseBytes: number }> {
  const response = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  const body = await response.text();
  const problem = expect(response.status, body);
  if (problem)
    throw new Error(`${target.label} (${target.url}) answered ${response.status}: ${problem}\n${body.slice(0, 500)}`);
  return { responseBytes: Buffer.byteLength(body) };
}

/**
 * Warm-up of each target (discarded), then `rounds` measured rounds, each target in turn within a
 * round (A B A B …), so slow drifts of the machine hit both alike.
 */
export async function compare(
  targets: Target[],
  options: LoadOptions = DEFAULT_LOAD,
  log = (line: string) => console.error(line),
): Promise<RoundResult[]> {
  for (const target of targets) {
    log(`warm-up ${target.label}: ${options.warmupSeconds} s`);
    await hit(target, options.warmupSeconds, options);
  }
  const results: RoundResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      log(`round ${round}/${options.rounds} ${target.label}: ${options.roundSeconds} s`);
      const r = await hit(target, options.roundSeconds, options);
      results.push({ round, label: target.label, ...r });
      log(`  ${fmt(r.reqPerSec)} req/s, p99 ${r.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
  }
  return results;
}

export function roundsTable(results: RoundResult[]): string {
  const lines = [
    '| round | server | req/s | p50 ms | p99 ms | 2xx | non-2xx | errors | server CPU µs/req | server CPU | autocannon CPU | rest of machine CPU |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.round} | ${r.label} | ${fmt(r.reqPerSec)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.ok)} | ${r.non2xx} | ${r.errors} | ${fmt(r.cpuUsPerReq)} | ${fmt(r.cpuPct)} % | ${fmt(r.loadGenPct)} % | ${fmt(r.otherPct)} % |`,
    );
  }
  return lines.join('\n');
}

export interface Summary {
  label: string;
  reqPerSec: number;
  p99: number;
  cpuUsPerReq: number;
}

export function summarize(results: RoundResult[], label: string): Summary {
  const mine = results.filter((r) => r.label === label);
  return {
    label,
    reqPerSec: median(mine.map((r) => r.reqPerSec)),
    p99: median(mine.map((r) => r.p99)),
    cpuUsPerReq: median(mine.map((r) => r.cpuUsPerReq)),
  };
}

/** Medians of app and baseline side by side, and the throughput ratio against the goal. */
export function summaryTable(app: Summary, baseline: Summary, goal: number): string {
  const ratio = app.reqPerSec / baseline.reqPerSec;
  return [
    `| median of the rounds | ${app.label} | ${baseline.label} | ${app.label} / ${baseline.label} |`,
    '| --- | ---: | ---: | ---: |',
    `| req/s | ${fmt(app.reqPerSec)} | ${fmt(baseline.reqPerSec)} | **${fmt(ratio, 2)}** (goal ≥ ${fmt(goal, 2)}: ${ratio >= goal ? 'met' : 'MISSED'}) |`,
    `| p99 latency, ms | ${fmt(app.p99)} | ${fmt(baseline.p99)} | ${fmt(app.p99 / baseline.p99, 2)} |`,
    `| server CPU per request, µs | ${fmt(app.cpuUsPerReq)} | ${fmt(baseline.cpuUsPerReq)} | ${fmt(app.cpuUsPerReq / baseline.cpuUsPerReq, 2)} |`,
  ].join('\n');
}

export function failures(results: RoundResult[]): string[] {
  return results
    .filter((r) => r.non2xx > 0 || r.errors > 0 || r.ok === 0)
    .map((r) => `round ${r.round} ${r.label}: ${r.ok} 2xx, ${r.non2xx} non-2xx, ${r.errors} errors`);
}
