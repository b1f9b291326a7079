import { randomUUID } from 'node:crypto';
import { TEST_PROFILE } from '@app/devstack';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadVideoStreamingServerConfig } from '../../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../../apps/video-streaming-server/src/create-app';
import { eventually } from '../../support/eventually.util';
import { telemetryToken } from '../../support/recording.util';
import { startSimliStandIn, type SimliStandIn } from '../../support/simli-stand-in';
import { startSpatiusStandIn, type SpatiusStandIn } from '../../support/spatius-stand-in';
import { signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { createMeeting, createTestOrg, db, startUm, type TestOrg } from '../../support/um.util';
import { call } from '../../support/vss.util';

// R-A2/R-A3 against real user-management (the room's tier) and local stand-ins of Simli and
// Spatius speaking their documented APIs. Each describe runs its own media plane with the avatar
// settings it needs; every response and log line is kept, to check no vendor key ever shows.
const env = inject('stackEnv');
const ticketKey = ticketKeyFromEnv(env);

let um: NestFastifyApplication;
let simli: SimliStandIn;
let spatius: SpatiusStandIn;
let premium: TestOrg;
let standard: TestOrg;
let premiumRoom: string;
let standardRoom: string;
const apps: NestFastifyApplication[] = [];
const logLines: string[] = [];
const seen: string[] = []; // every avatar response: status, headers, body

async function vss(overrides: Record<string, string>): Promise<NestFastifyApplication> {
  const app = await createVideoStreamingServer(
    loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'info', ...overrides }),
    { logDestination: { write: (line: string) => void logLines.push(line) } },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  apps.push(app);
  return app;
}

const simliEnv = () => ({
  SIMLI_API_KEY: simli.apiKey,
  SIMLI_BASE_URL: simli.url,
  SIMLI_FACE_ID: 'face-stand-in',
});
const spatiusEnv = () => ({
  SPATIUS_API_KEY: spatius.apiKey,
  SPATIUS_APP_ID: spatius.appId,
  SPATIUS_BASE_URL: spatius.url,
});

async function avatarSession(app: NestFastifyApplication, room: string, org: TestOrg, body: unknown = {}) {
  const token = await telemetryToken(app, {
    identity: `user-${org.users.recruiter}`,
    room,
    role: 'recruiter',
    org: org.orgId,
  });
  const response = await call(app, {
    url: '/v1/avatar-sessions',
    body,
    headers: { authorization: `Bearer ${token}` },
  });
  seen.push(JSON.stringify({ status: response.status, headers: response.headers, body: response.body }));
  return response;
}

function expectFallback(response: Awaited<ReturnType<typeof call>>, status: number, reason: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.json.reason).toBe(reason);
  expect(response.headers['x-parley-fallback']).toBe('orb');
  expect(response.json.fallback).toBe('orb');
  expect(response.json.message).toMatch(/orb/);
}

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  simli = await startSimliStandIn();
  spatius = await startSpatiusStandIn();
  premium = await createTestOrg(um, 'avatar-premium');
  standard = await createTestOrg(um, 'avatar-standard');
  await db(um).query("UPDATE organizations SET tier='premium' WHERE id=$1", [premium.orgId]);
  premiumRoom = (await createMeeting(um, premium, 60_000)).roomName;
  standardRoom = (await createMeeting(um, standard, 60_000)).roomName;
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await simli?.close();
  await spatius?.close();
  await um?.close();
  // R-A2: the vendor keys never reached a browser or a log line, whatever happened above.
  if (simli && spatius) {
    const everything = [...seen, ...logLines].join('\n');
    expect(seen.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(20);
    expect(everything).not.toContain(simli.apiKey);
    expect(everything).not.toContain(spatius.apiKey);
  }
});

describe('who gets an avatar session (R-A2)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await vss({ ...simliEnv(), ...spatiusEnv(), AVATAR_POOL_SIZE: '2' });
  });

  it('a standard org is refused with the orb as fallback; a premium org gets a Simli token and ICE servers', async () => {
    expectFallback(await avatarSession(app, standardRoom, standard), 403, 'tier_without_avatar');

    const granted = await avatarSession(app, premiumRoom, premium);
    expect(granted.status, granted.body).toBe(200);
    expect(granted.headers['cache-control']).toBe('no-store');
    expect(granted.json).toMatchObject({
      vendor: 'simli',
      fallback: 'orb',
      details: {
        faceId: 'face-stand-in',
        audioInputFormat: 'pcm16',
        audioSampleRate: 16000,
        // simli-client's base URL (it appends /compose/webrtc/<transport>)
        webSocketUrl: simli.url.replace(/^http/, 'ws'),
        transport: 'livekit',
      },
    });
    expect(simli.tokens.map((t) => t.token)).toContain(granted.json.token);
    expect(granted.json.iceServers.length).toBeGreaterThan(0);
    expect(Date.parse(granted.json.expiresAt)).toBeGreaterThan(Date.now() + 60_000);
    // Simli saw the documented request: the key in x-simli-api-key, the face in the body.
    const mint = simli.requests.find((r) => r.path === '/compose/token')!;
    expect(mint.headers['x-simli-api-key']).toBe(simli.apiKey);
    expect(mint.body).toMatchObject({ faceId: 'face-stand-in', audioInputFormat: 'pcm16', handleSilence: true });
  });

  it('Spatius on request: its session token and app id, minted with the key server-side', async () => {
    const granted = await avatarSession(app, premiumRoom, premium, { vendor: 'spatius' });
    expect(granted.status, granted.body).toBe(200);
    expect(granted.json).toMatchObject({ vendor: 'spatius', details: { appId: spatius.appId } });
    const minted = spatius.tokens.find((t) => t.token === granted.json.token)!;
    expect(minted).toBeDefined();
    expect(Date.parse(granted.json.expiresAt)).toBe(minted.expireAt * 1000);
    expect(spatius.requests[0].headers['x-api-key']).toBe(spatius.apiKey);
  });

  it('the pool hands out ready tokens, each once', async () => {
    await eventually(async () => expect(simli.tokens.length).toBeGreaterThanOrEqual(3));
    const before = simli.requests.filter((r) => r.path === '/compose/token').length;
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const granted = await avatarSession(app, premiumRoom, premium);
      expect(granted.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(200);
      tokens.push(granted.json.token);
    }
    expect(new Set(tokens).size).toBe(2);
    for (const token of tokens) expect(simli.tokens.find((t) => t.token === token)!.mintedAt).toBeLessThan(Date.now());
    // Refills follow in the background.
    await eventually(async () =>
      expect(simli.requests.filter((r) => r.path === '/compose/token').length).toBeGreaterThanOrEqual(before + 2),
    );
  });

  it('a body that is not the contract is a 400; no credential is a 401', async () => {
    expect((await avatarSession(app, premiumRoom, premium, { vendor: 'heygen' })).status).toBe(400);
    expect((await call(app, { url: '/v1/avatar-sessions', body: {} })).status).toBe(401);
  });

  it('the metrics show the pool and the breaker', async () => {
    const metrics = await call(app, { method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/parley_avatar_pool_tokens\{[^}]*vendor="simli"[^}]*\} \d/);
    expect(metrics.body).toMatch(/parley_avatar_breaker_state\{[^}]*vendor="simli"[^}]*\} 0/);
    expect(metrics.body).toMatch(/parley_avatar_vendor_request_duration_seconds_count\{[^}]*vendor="simli"/);
  });
});

describe('no vendor, no room plan (R-A3)', () => {
  it('a vendor without a key is disabled: 503 with the orb', async () => {
    const app = await vss({ ...simliEnv() });
    expectFallback(
      await avatarSession(app, premiumRoom, premium, { vendor: 'spatius' }),
      503,
      'avatar_vendor_disabled',
    );
  });

  it('user-management away: 503 with the orb', async () => {
    const app = await vss({ ...simliEnv(), USER_MANAGEMENT_URL: 'http://127.0.0.1:9' });
    const refused = await avatarSession(app, premiumRoom, premium);
    expectFallback(refused, 503, 'user_management_unavailable');
    expect(refused.headers['retry-after']).toBe('5');
  });
});

describe('token expiry (R-A2)', () => {
  it('a pooled token close to its expiry is never handed out', async () => {
    // Tokens live 4 s; none is handed out with less than 2.5 s left; pool refreshed 0.5 s ahead.
    const app = await vss({
      ...spatiusEnv(),
      AVATAR_VENDOR: 'spatius',
      AVATAR_POOL_SIZE: '2',
      SPATIUS_TOKEN_TTL_SECONDS: '4',
      AVATAR_TOKEN_MARGIN_MS: '2500',
      AVATAR_REFRESH_AHEAD_MS: '500',
    });
    for (let i = 0; i < 8; i++) {
      const granted = await avatarSession(app, premiumRoom, premium);
      expect(granted.status, granted.body).toBe(200);
      const minted = spatius.tokens.find((t) => t.token === granted.json.token)!;
      expect(minted.expireAt * 1000 - Date.now()).toBeGreaterThanOrEqual(2_400); // (seconds rounding)
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  });
});

describe('capacity and the bounded queue (R-A2)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await vss({
      ...spatiusEnv(),
      AVATAR_VENDOR: 'spatius',
      AVATAR_POOL_SIZE: '0',
      AVATAR_CAPACITY: '2',
      AVATAR_QUEUE_MAX: '2',
      AVATAR_QUEUE_WAIT_MS: '1500',
      AVATAR_VENDOR_TIMEOUT_MS: '2500',
      AVATAR_BREAKER_FAILURES: '100',
    });
  });

  it('at twice the capacity, the queue holds: every request is served', async () => {
    spatius.setMode('normal');
    spatius.setDelay(300);
    const answers = await Promise.all(Array.from({ length: 4 }, () => avatarSession(app, premiumRoom, premium)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.json.token)).size).toBe(4);
  });

  it('past the queue: refused at once; queued past its wait bound: refused within it', async () => {
    spatius.setDelay(300);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const answer = await avatarSession(app, premiumRoom, premium);
        return { answer, ms: performance.now() - started };
      }),
    );
    const refused = answers.filter((a) => a.answer.status === 503);
    expect(answers.filter((a) => a.answer.status === 200)).toHaveLength(4);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expectFallback(r.answer, 503, 'avatar_capacity');
      expect(r.ms).toBeLessThan(200);
    }

    spatius.setMode('hang');
    const waitStarted = performance.now();
    const hung = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const answer = await avatarSession(app, premiumRoom, premium);
        return { answer, ms: performance.now() - waitStarted };
      }),
    );
    const queued = hung.find((h) => h.answer.json.reason === 'avatar_capacity')!;
    expect(queued).toBeDefined();
    expect(queued.ms).toBeGreaterThanOrEqual(1_400);
    expect(queued.ms).toBeLessThan(2_500);
    spatius.setMode('normal');
    spatius.setDelay(0);
  }, 20_000);
});

describe('the circuit breaker (R-A3)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await vss({
      ...simliEnv(),
      AVATAR_POOL_SIZE: '0',
      AVATAR_VENDOR_TIMEOUT_MS: '300',
      AVATAR_BREAKER_FAILURES: '2',
      AVATAR_BREAKER_HALF_OPEN_MS: '1000',
    });
  });

  it('a hanging vendor opens the circuit; open, the endpoint answers 503 at once; recovered, it closes', async () => {
    simli.setMode('hang');
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      expectFallback(await avatarSession(app, premiumRoom, premium), 503, 'avatar_vendor_unavailable');
      expect(performance.now() - started).toBeLessThan(1_000); // the vendor deadline, not the hang
    }
    const callsWhenOpened = simli.requests.length;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const refused = await avatarSession(app, premiumRoom, premium);
      expectFallback(refused, 503, 'avatar_circuit_open');
      expect(refused.headers['retry-after']).toBeDefined();
      expect(performance.now() - started).toBeLessThan(100);
    }
    expect(simli.requests.length).toBe(callsWhenOpened); // nothing reached the vendor while open
    const metrics = await call(app, { method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/parley_avatar_breaker_state\{[^}]*vendor="simli"[^}]*\} 2/);
    expect(metrics.body).toMatch(/parley_avatar_vendor_errors_total\{[^}]*kind="timeout"[^}]*\} 2/);

    simli.setMode('normal');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const recovered = await avatarSession(app, premiumRoom, premium);
    expect(recovered.status, recovered.body).toBe(200);
    expect((await avatarSession(app, premiumRoom, premium)).status).toBe(200);
  });

  it.each([
    ['fail', undefined],
    ['rate_limited', '7'],
    ['malformed', '1'],
  ] as const)('vendor mode %s → 503 avatar_vendor_unavailable with the orb', async (mode, retryAfter) => {
    simli.setMode(mode);
    const refused = await avatarSession(app, premiumRoom, premium);
    expectFallback(refused, 503, 'avatar_vendor_unavailable');
    if (retryAfter) expect(refused.headers['retry-after']).toBe(retryAfter);
    simli.setMode('normal');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past any half-open wait
    expect((await avatarSession(app, premiumRoom, premium)).status).toBe(200);
  });
});

describe('a hanging vendor does not slow the rest (R-A3)', () => {
  it('participant-token p50 with the vendor hanging stays near the p50 without', async () => {
    const app = await vss({
      ...simliEnv(),
      AVATAR_POOL_SIZE: '2',
      AVATAR_CAPACITY: '4',
      AVATAR_QUEUE_MAX: '16',
      AVATAR_VENDOR_TIMEOUT_MS: '3000',
      AVATAR_BREAKER_FAILURES: '1000',
    });
    const sessionId = randomUUID();
    const room = buildRoomName({ kind: 'interview', id: sessionId, noBot: true });
    const identity = `candidate-${sessionId.slice(0, 8)}`;
    const ticket = await signTicket(ticketKey, { sub: identity, room, role: 'candidate', sessionId });
    const p50 = async () => {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const answer = await call(app, { url: '/v1/tokens/participant', body: { ticket, room, identity } });
        ms.push(performance.now() - started);
        expect(answer.status).toBe(200);
      }
      return ms.sort((a, b) => a - b)[10];
    };
    await p50(); // warm-up
    const calm = await p50();

    simli.setMode('hang');
    // Drain the pool, then keep the lane full: 4 mints hanging, 16 queued.
    const pending = Array.from({ length: 30 }, () => avatarSession(app, premiumRoom, premium));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hanging = await p50();
    await Promise.all(pending);
    simli.setMode('normal');

    // Generous bound: the precise comparison is bench/avatars.bench.ts's.
    expect(hanging, `p50 calm ${calm.toFixed(1)} ms, vendor hanging ${hanging.toFixed(1)} ms`).toBeLessThan(
      calm * 3 + 20,
    );
  }, 30_000);
});
