import Redis from 'ioredis';
import { freePort } from './ports';
import { BENCH_REDIS_DB, benchEnv, type BenchEnv } from './bench-env';
import { machineLine } from './machine';
import { startNodeServer, type NodeServer } from './node-server';
import {
  checkTarget,
  compare,
  DEFAULT_LOAD,
  failures,
  roundsTable,
  summarize,
  summaryTable,
  type LoadOptions,
  type RoundResult,
  type Target,
} from './load';

export const APP_SCRIPT = 'dist/apps/video-streaming-server/src/main.js';

export interface Request {
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpComparison {
  title: string;
  command: string;
  /** e.g. 'dist/bench/baseline/bare-token-server.js' */
  baselineScript: string;
  baselineEnv?: (env: Record<string, string>) => Record<string, string>;
  goal: number;
  /** Builds the request both servers get (it may call the running app, e.g. for tokens). */
  prepare: (context: { bench: BenchEnv; app: NodeServer }) => Promise<Request>;
  /** undefined when a response is the expected success, else what is wrong. */
  expect: (status: number, body: string) => string | undefined;
  notes?: string[];
  load?: LoadOptions;
}

const log = (line: string) => console.error(`[bench] ${line}`);

async function flushBenchDb(): Promise<void> {
  const redis = new Redis(`redis://127.0.0.1:6379/${BENCH_REDIS_DB}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

const target = (label: string, server: NodeServer, request: Request): Target => ({
  label,
  url: `${server.url}${request.path}`,
  method: request.method,
  headers: request.headers,
  body: request.body,
  pid: server.pid,
});

/**
 * The Parley app (LOG_LEVEL=info, as deployed) against a bare Fastify baseline doing the same
 * work, both as child processes; then, once, the app with LOG_LEVEL=silent as a secondary figure.
 * Prints a markdown report on stdout (progress goes to stderr). Exits non-zero if any request failed.
 */
export async function runHttpComparison(spec: HttpComparison): Promise<void> {
  const load = spec.load ?? DEFAULT_LOAD;
  const started = Date.now();
  // LiveKit is never called by these endpoints: point it at a port where nothing listens.
  const bench = benchEnv({ livekitPort: await freePort() });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    await flushBenchDb();
    log(`starting the app (LOG_LEVEL=info) and ${spec.baselineScript}`);
    const [appPort, basePort] = [await freePort(), await freePort()];
    const app = await startNodeServer({
      name: 'vss-info',
      script: APP_SCRIPT,
      port: appPort,
      env: { ...bench.env, LOG_LEVEL: 'info' },
    });
    stops.push(app.stop);
    const baseline = await startNodeServer({
      name: 'bare-baseline',
      script: spec.baselineScript,
      port: basePort,
      env: spec.baselineEnv ? spec.baselineEnv(bench.env) : bench.env,
    });
    stops.push(baseline.stop);

    const request = await spec.prepare({ bench, app });
    const appTarget = target('app', app, request);
    const baseTarget = target('baseline', baseline, request);
    const sizes = await checkBoth([appTarget, baseTarget], spec.expect);
    const requestNote =
      `request: ${request.method} ${request.path}, ${request.body ? `${Buffer.byteLength(request.body)}-byte JSON body` : 'no body'}` +
      `${request.headers?.authorization ? `, ${Buffer.byteLength(request.headers.authorization)}-byte Authorization header` : ''}; ` +
      `response body: app ${sizes[0]} bytes, baseline ${sizes[1]} bytes`;
    const results = await compare([appTarget, baseTarget], load, log);

    // Secondary: how much of the gap is per-request logging? One more round, app logging off.
    log('secondary: restarting the app with LOG_LEVEL=silent');
    await app.stop();
    stops.splice(stops.indexOf(app.stop), 1);
    const silent = await startNodeServer({
      name: 'vss-silent',
      script: APP_SCRIPT,
      port: await freePort(),
      env: { ...bench.env, LOG_LEVEL: 'silent' },
    });
    stops.push(silent.stop);
    const silentTarget = target('app, LOG_LEVEL=silent', silent, request);
    await checkBoth([silentTarget], spec.expect);
    const secondary = await compare([silentTarget, baseTarget], { ...load, rounds: 1 }, log);

    const wall = Math.round((Date.now() - started) / 1000);
    console.log(report(spec, requestNote, load, results, secondary, wall));
    const failed = [...failures(results), ...failures(secondary)];
    if (failed.length > 0) {
      console.error(`[bench] FAILED requests — the figures above are not valid:\n  ${failed.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await stopAll();
    await flushBenchDb().catch(() => undefined);
  }
}

async function checkBoth(targets: Target[], expect: HttpComparison['expect']): Promise<number[]> {
  const sizes: number[] = [];
  for (const t of targets) sizes.push((await checkTarget(t, expect)).responseBytes);
  return sizes;
}

function report(
  spec: HttpComparison,
  requestNote: string,
  load: LoadOptions,
  results: RoundResult[],
  secondary: RoundResult[],
  wallSeconds: number,
): string {
  const app = summarize(results, 'app');
  const baseline = summarize(results, 'baseline');
  const silent = summarize(secondary, 'app, LOG_LEVEL=silent');
  const baseline2 = summarize(secondary, 'baseline');
  return [
    `## ${spec.title}`,
    '',
    `- command: \`${spec.command}\` (after \`npm run build\`)`,
    `- ${machineLine()}`,
    `- load: autocannon in the benchmark process, ${load.connections} connections, pipelining ${load.pipelining}; ` +
      `${load.warmupSeconds} s warm-up per server (discarded), then ${load.rounds} rounds of ${load.roundSeconds} s, app and baseline in turn`,
    '- servers: child processes `node --enable-source-maps dist/…` with NODE_ENV=production, stdout to /dev/null; ' +
      'the app with LOG_LEVEL=info, as deployed: a request line for each request its route logs (heartbeats log only failures)',
    ...(spec.notes ?? []).map((n) => `- ${n}`),
    `- ${requestNote}`,
    `- wall time: ${wallSeconds} s`,
    '',
    roundsTable(results),
    '',
    summaryTable(app, baseline, spec.goal),
    '',
    `Secondary (one ${load.roundSeconds} s round each, after a ${load.warmupSeconds} s warm-up): the app restarted with LOG_LEVEL=silent.`,
    '',
    roundsTable(secondary),
    '',
    `app (LOG_LEVEL=silent) / baseline: ${(silent.reqPerSec / baseline2.reqPerSec).toFixed(2)} in req/s, ` +
      `server CPU ${Math.round(silent.cpuUsPerReq)} vs ${Math.round(baseline2.cpuUsPerReq)} µs/request.`,
    '',
  ].join('\n');
}
