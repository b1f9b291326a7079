// R-A2/R-A3 (issue 11): avatar sessions under load, and the participant-token endpoint while the
// avatar vendor hangs. The real video-streaming-server (child process, LOG_LEVEL=info) talks to a
// Simli-like vendor stand-in (POST /compose/token + GET /compose/ice, 150 ms each, or hanging) and a
// user-management stand-in answering the room context (premium) — both in this process.
// Run: npm run build && node dist/bench/avatars.bench.js
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRoomName } from '@app/room-naming';
import autocannon from 'autocannon';
import { benchEnv } from './support/bench-env';
import { APP_SCRIPT } from './support/http-bench';
import { machineLine } from './support/machine';
import { startNodeServer } from './support/node-server';
import { freePort } from './support/ports';
import { fmt, median } from './support/stats';
import { signTicket } from './support/tickets';

const VENDOR_LATENCY_MS = 150;
const CAPACITY = 8;
const AVATAR_WORKERS = 2 * CAPACITY; // 2× capacity, closed loop
const ROUND_SECONDS = 10;
const ROUNDS = 3;
const TOKEN_CONNECTIONS = 50;
const GOAL = 1.2; // token p99 with the vendor hanging ≤ 1.2 × without

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the stand-ins -------------------------------------------------------------------------------

let vendorHangs = false;
let vendorCalls = 0;
function startVendor(apiKey: string) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      vendorCalls++;
      if (req.headers['x-simli-api-key'] !== apiKey) return json(res, 401, { detail: 'Invalid API key' });
      if (vendorHangs) return; // held until the app's deadline aborts it
      setTimeout(() => {
        if (res.destroyed) return;
        if (req.url === '/compose/ice') json(res, 200, [{ urls: 'stun:stun.bench.test:3478' }]);
        else json(res, 200, { session_token: `bench-${randomBytes(12).toString('hex')}` });
      }, VENDOR_LATENCY_MS);
    });
  });
  return listen(server);
}

function startUserManagement() {
  const server = createServer((req, res) => {
    req.resume();
    const room = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    json(res, 200, {
      room,
      kind: 'interview',
      id: randomUUID(),
      orgId: randomUUID(),
      agentAutoJoin: false,
      status: 'scheduled',
      recordingPolicy: 'off',
      consent: null,
      consentAt: null,
      recordingAllowed: false,
      tier: 'premium',
      avatarsEnabled: true,
    });
  });
  return listen(server);
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function listen(server: ReturnType<typeof createServer>) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// --- load ----------------------------------------------------------------------------------------

interface AvatarLoad {
  latencies: number[];
  statuses: Map<string, number>;
  stop(): Promise<void>;
}

/** `workers` closed-loop clients on POST /v1/avatar-sessions, each latency kept. */
function avatarLoad(baseUrl: string, ticket: string, workers: number): AvatarLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(
        `${baseUrl}/v1/avatar-sessions`,
        {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${ticket}`, 'content-type': 'application/json', 'content-length': 2 },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - started);
            let key = String(res.statusCode);
            if (res.statusCode !== 200) {
              try {
                key += ` ${(JSON.parse(Buffer.concat(chunks).toString()) as { reason?: string }).reason ?? ''}`;
              } catch {
                // not JSON
              }
            }
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.set('error', (statuses.get('error') ?? 0) + 1);
        resolve();
      });
      req.end('{}');
    });
  const loops = Array.from({ length: workers }, async () => {
    while (running) await one();
  });
  return {
    latencies,
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN;
};
const statusLine = (statuses: Map<string, number>) =>
  [...statuses.entries()]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

async function tokenRound(url: string, body: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/v1/tokens/participant`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: TOKEN_CONNECTIONS,
    duration: seconds,
  });
  return {
    reqPerSec: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function waitForAvatar(url: string, ticket: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/v1/avatar-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ticket}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await response.body?.cancel();
    if (response.status === 200) return;
    await sleep(500);
  }
  throw new Error('the avatar endpoint did not recover within 30 s');
}

// --- the run -------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const apiKey = `simli-bench-${randomBytes(16).toString('hex')}`;
  const vendor = await startVendor(apiKey);
  const um = await startUserManagement();
  const bench = benchEnv({
    livekitPort: await freePort(),
    overrides: {
      USER_MANAGEMENT_URL: um.url,
      SIMLI_API_KEY: apiKey,
      SIMLI_BASE_URL: vendor.url,
      AVATAR_CAPACITY: String(CAPACITY),
      AVATAR_POOL_SIZE: '2',
      AVATAR_QUEUE_MAX: '16',
      AVATAR_QUEUE_WAIT_MS: '2000',
      AVATAR_VENDOR_TIMEOUT_MS: '3000',
      AVATAR_BREAKER_FAILURES: '5',
      AVATAR_BREAKER_HALF_OPEN_MS: '10000',
    },
  });
  const app = await startNodeServer({
    name: 'vss-avatars',
    script: APP_SCRIPT,
    port: await freePort(),
    env: { ...bench.env, LOG_LEVEL: 'info' },
  });
  try {
    const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const { ticket, identity } = await signTicket(bench.ticketKey, {
      room,
      identity: `candidate-${randomUUID().slice(0, 8)}`,
    });
    const tokenBody = JSON.stringify({ ticket, room, identity });
    await waitForAvatar(app.url, ticket);

    // 1. Avatar session latency at 2× capacity, vendor at 150 ms per call.
    log(`avatar sessions: ${AVATAR_WORKERS} closed-loop clients, warm-up 3 s`);
    const warm = avatarLoad(app.url, ticket, AVATAR_WORKERS);
    await sleep(3_000);
    await warm.stop();
    const avatarRounds: Array<{ p50: number; p95: number; p99: number; perSec: number; statuses: string }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const load = avatarLoad(app.url, ticket, AVATAR_WORKERS);
      await sleep(ROUND_SECONDS * 1000);
      await load.stop();
      const ok = load.statuses.get('200') ?? 0;
      avatarRounds.push({
        p50: percentile(load.latencies, 50),
        p95: percentile(load.latencies, 95),
        p99: percentile(load.latencies, 99),
        perSec: ok / ROUND_SECONDS,
        statuses: statusLine(load.statuses),
      });
      log(`  round ${round}: p95 ${fmt(avatarRounds.at(-1)!.p95)} ms, ${statusLine(load.statuses)}`);
    }

    // 2. Participant tokens with the avatar lane busy: vendor answering vs vendor hanging, alternated.
    log('participant tokens: warm-up 3 s');
    await tokenRound(app.url, tokenBody, 3);
    const tokenRounds: Array<{
      round: number;
      vendor: string;
      r: Awaited<ReturnType<typeof tokenRound>>;
      avatars: string;
    }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const hang of [false, true]) {
        vendorHangs = hang;
        if (!hang) await waitForAvatar(app.url, ticket);
        const load = avatarLoad(app.url, ticket, AVATAR_WORKERS);
        const r = await tokenRound(app.url, tokenBody, ROUND_SECONDS);
        await load.stop();
        const label = hang ? 'hanging' : 'answering (150 ms)';
        tokenRounds.push({ round, vendor: label, r, avatars: statusLine(load.statuses) });
        log(
          `  round ${round} vendor ${label}: token p99 ${r.p99} ms, ${fmt(r.reqPerSec)} req/s; avatars ${statusLine(load.statuses)}`,
        );
      }
    }
    vendorHangs = false;

    const calm = tokenRounds.filter((t) => !t.vendor.startsWith('hanging'));
    const hung = tokenRounds.filter((t) => t.vendor.startsWith('hanging'));
    const calmP99 = median(calm.map((t) => t.r.p99));
    const hungP99 = median(hung.map((t) => t.r.p99));
    const ratio = hungP99 / calmP99;
    const wall = Math.round((Date.now() - started) / 1000);
    console.log(
      [
        '### 7a. Avatar session latency at 2× capacity',
        '',
        `- command: \`node dist/bench/avatars.bench.js\` (after \`npm run build\`); wall time ${wall} s (both parts)`,
        `- ${machineLine()}`,
        `- app: child process, LOG_LEVEL=info; AVATAR_CAPACITY=${CAPACITY}, AVATAR_POOL_SIZE=2, AVATAR_QUEUE_MAX=16, ` +
          'AVATAR_QUEUE_WAIT_MS=2000, AVATAR_VENDOR_TIMEOUT_MS=3000, breaker 5 failures / 10 s',
        `- vendor: Simli-like stand-in in the benchmark process, ${VENDOR_LATENCY_MS} ms per call (token and ICE in parallel); ` +
          'user-management: stand-in answering the room context (premium) at once',
        `- load: ${AVATAR_WORKERS} closed-loop HTTP clients (keep-alive) on POST /v1/avatar-sessions, bearer = session ticket; ` +
          `3 s warm-up, then ${ROUNDS} rounds of ${ROUND_SECONDS} s`,
        '',
        '| round | p50 ms | p95 ms | p99 ms | sessions/s | answers |',
        '| ---: | ---: | ---: | ---: | ---: | --- |',
        ...avatarRounds.map(
          (r, i) =>
            `| ${i + 1} | ${fmt(r.p50)} | **${fmt(r.p95)}** | ${fmt(r.p99)} | ${fmt(r.perSec)} | ${r.statuses} |`,
        ),
        '',
        `Median p95: **${fmt(median(avatarRounds.map((r) => r.p95)))} ms**.`,
        '',
        '### 7b. POST /v1/tokens/participant while the avatar vendor hangs',
        '',
        `- same app and run; autocannon ${TOKEN_CONNECTIONS} connections on POST /v1/tokens/participant, ${ROUND_SECONDS} s per round, ` +
          `while the ${AVATAR_WORKERS} avatar clients above keep running; rounds alternate vendor answering / vendor hanging`,
        '',
        '| round | vendor | token req/s | token p50 ms | token p99 ms | token non-2xx | avatar answers during the round |',
        '| ---: | --- | ---: | ---: | ---: | ---: | --- |',
        ...tokenRounds.map(
          (t) =>
            `| ${t.round} | ${t.vendor} | ${fmt(t.r.reqPerSec)} | ${fmt(t.r.p50)} | ${fmt(t.r.p99)} | ${t.r.non2xx + t.r.errors} | ${t.avatars} |`,
        ),
        '',
        `Median token p99: vendor answering ${fmt(calmP99)} ms, vendor hanging ${fmt(hungP99)} ms: ` +
          `**${fmt(ratio, 2)}×** (goal ≤ ${fmt(GOAL, 2)}: ${ratio <= GOAL ? 'met' : 'MISSED'}). Vendor calls: ${vendorCalls}.`,
        '',
      ].join('\n'),
    );
    if (tokenRounds.some((t) => t.r.non2xx + t.r.errors > 0)) {
      console.error('[bench] FAILED participant-token requests — the figures above are not valid');
      process.exitCode = 1;
    }
  } finally {
    await app.stop();
    await vendor.close();
    await um.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
