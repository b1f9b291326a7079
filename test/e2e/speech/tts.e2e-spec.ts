import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PROFILE } from '@app/devstack';
import { buildRoomName } from '@app/room-naming';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startOpenAiStandIn, standInMp3, type OpenAiStandIn } from '../../support/openai-stand-in';
import { telemetryToken } from '../../support/recording.util';
import { foreignKey, signTicket, ticketKeyFromEnv } from '../../support/tickets.util';
import { call, startVss } from '../../support/vss.util';

// R-A1/R-A3: POST /v1/speech with real components (VSS in this process, Redis, espeak-ng, ffmpeg);
// the only stand-in is the OpenAI HTTP API, as a local server streaming real MP3 bytes.
const env = inject('stackEnv');
const PORT = TEST_PROFILE.ports.videoStreamingServer + 60;

let standIn: OpenAiStandIn;
let vss: NestFastifyApplication;
let token: string;
let dir: string;

const unique = (words = 'Tell me about a project you are proud of.') => `${words} (${randomUUID().slice(0, 8)})`;
const speechCalls = () => standIn.requestsTo('/v1/audio/speech').length;

async function tokenFor(app: NestFastifyApplication): Promise<string> {
  const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
  return telemetryToken(app, { identity: `cand-${randomUUID().slice(0, 8)}`, room, role: 'candidate' });
}

/** POST /v1/speech in process; `raw` keeps the MP3 bytes (call() reads bodies as text). */
async function speak(app: NestFastifyApplication, body: unknown, bearer: string | null = token) {
  const response = await app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: 'POST',
      url: '/v1/speech',
      headers: {
        'content-type': 'application/json',
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      },
      payload: JSON.stringify(body),
    });
  let json: any;
  try {
    json = response.json();
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, json, raw: response.rawPayload };
}

/** The value of a metric sample with these labels (any order, others allowed), from /metrics. */
async function metric(app: NestFastifyApplication, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await call(app, { method: 'GET', url: '/metrics' })).body as string;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = match[2]!.split(',');
    if (wanted.every((pair) => have.includes(pair))) return Number(match[3]);
  }
  return Number.NaN;
}

/** ffprobe's format and duration, and volumedetect's mean volume, of MP3 bytes. */
async function inspect(mp3: Buffer) {
  const file = join(dir, `${randomUUID()}.mp3`);
  await writeFile(file, mp3);
  const probe = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=format_name,duration', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  const format = (JSON.parse(probe.stdout) as { format: { format_name: string; duration: string } }).format;
  const volume = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-af', 'volumedetect', '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  const meanDb = Number(/mean_volume: (-?[\d.]+) dB/.exec(volume.stderr)?.[1]);
  return { format: format.format_name, seconds: Number(format.duration), meanDb };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tts-e2e-'));
  standIn = await startOpenAiStandIn();
  vss = await startVss(
    env,
    { TTS_OPENAI_API_KEY: standIn.apiKey, TTS_OPENAI_BASE_URL: standIn.url, TTS_VENDOR_TIMEOUT_MS: '2000' },
    PORT,
  );
  token = await tokenFor(vss);
});
afterAll(async () => {
  await vss?.close();
  await standIn?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => standIn.setMp3({}));

describe('POST /v1/speech (R-A1)', () => {
  it('streams: the first bytes reach the client while the vendor still holds its last chunk', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    standIn.setMp3({ chunks: 6, delayMs: 20, holdLast: held });
    const deliveries = standIn.mp3Deliveries.length;
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${PORT}/v1/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: unique(), voice: 'nova', format: 'mp3' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(response.headers.get('x-parley-tts-provider')).toBe('openai');
    expect(response.headers.get('x-parley-tts-cache')).toBe('miss');
    const reader = response.body!.getReader();
    const chunks: Buffer[] = [];
    let firstAt: number | undefined;
    // If Parley buffered the whole clip, no byte would come before release(): fail fast, not hang.
    const guard = setTimeout(release, 3_000);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (firstAt === undefined) {
        firstAt = performance.now();
        release();
      }
      chunks.push(Buffer.from(value));
    }
    clearTimeout(guard);
    const delivery = standIn.mp3Deliveries[deliveries]!;
    expect(firstAt! - started).toBeLessThan(2_000);
    expect(firstAt!).toBeLessThan(delivery.sentAt.at(-1)!);
    expect(firstAt!).toBeLessThan(delivery.endedAt!);
    expect(Buffer.concat(chunks)).toEqual(standInMp3());
    expect(standIn.requestsTo('/v1/audio/speech').at(-1)!.body).toMatchObject({
      voice: 'nova',
      response_format: 'mp3',
    });
  });

  it('answers an identical request from the cache (still streamed); another voice goes to the vendor', async () => {
    const text = unique('What would you change about your last design?');
    const first = await speak(vss, { text, voice: 'alloy', format: 'mp3' });
    expect(first.status).toBe(200);
    expect(first.headers['x-parley-tts-cache']).toBe('miss');
    const calls = speechCalls();

    const second = await speak(vss, { text, voice: 'alloy', format: 'mp3' });
    expect(second.status).toBe(200);
    expect(second.headers['x-parley-tts-cache']).toBe('hit');
    expect(second.headers['content-type']).toBe('audio/mpeg');
    expect(second.headers['transfer-encoding']).toBe('chunked');
    expect(second.raw.length).toBeGreaterThan(1_000);
    expect(second.raw).toEqual(first.raw);
    expect(first.raw).toEqual(standInMp3());
    expect(speechCalls()).toBe(calls);

    const otherVoice = await speak(vss, { text, voice: 'echo', format: 'mp3' });
    expect(otherVoice.status).toBe(200);
    expect(otherVoice.headers['x-parley-tts-cache']).toBe('miss');
    expect(speechCalls()).toBe(calls + 1);

    expect(await metric(vss, 'parley_tts_cache_lookups_total', { result: 'hit' })).toBeGreaterThan(0);
    expect(await metric(vss, 'parley_tts_requests_total', { provider: 'openai', outcome: 'cached' })).toBeGreaterThan(
      0,
    );
  });

  it('takes a session ticket as well as a telemetry JWT', async () => {
    const ticket = await signTicket(ticketKeyFromEnv(env));
    const response = await speak(vss, { text: unique(), voice: 'sage' }, ticket);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('audio/mpeg');
  });

  it('rejects bad input with a 4xx naming the field, before any vendor call', async () => {
    const calls = speechCalls();
    const cases: Array<[unknown, string]> = [
      [{ text: '', voice: 'alloy', format: 'mp3' }, 'text'],
      [{ text: '   ', voice: 'alloy', format: 'mp3' }, 'text'],
      [{ text: 'a'.repeat(1_001), voice: 'alloy', format: 'mp3' }, 'text'],
      [{ text: 'hello', voice: 'darth-vader', format: 'mp3' }, 'voice'],
      [{ text: 'hello', voice: 'alloy', format: 'wav' }, 'format'],
      [{ voice: 'alloy', format: 'mp3' }, 'text'],
      [{ text: 42, voice: 'alloy' }, 'text'],
      [{ text: 'lone \ud800 surrogate', voice: 'alloy', format: 'mp3' }, 'text'],
    ];
    for (const [body, field] of cases) {
      const response = await speak(vss, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
      expect(response.json.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    const surrogate = await speak(vss, { text: 'lone \ud800 surrogate', voice: 'alloy' });
    expect(surrogate.json.message).toMatch(/surrogate/);
    const extra = await speak(vss, { text: 'hello', voice: 'alloy', speed: 4 });
    expect(extra.status).toBe(400);
    const notJson = await call(vss, {
      url: '/v1/speech',
      payload: '{"text":',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);

    expect((await speak(vss, { text: 'hello', voice: 'alloy' }, null)).status).toBe(401);
    expect((await speak(vss, { text: 'hello', voice: 'alloy' }, 'not-a-jwt-at-all-but-long-enough')).status).toBe(401);
    const foreign = await signTicket(foreignKey(ticketKeyFromEnv(env).kid));
    expect((await speak(vss, { text: 'hello', voice: 'alloy' }, foreign)).status).toBe(401);
    expect((await speak(vss, { text: 'hello', voice: 'alloy' }, `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect(speechCalls()).toBe(calls);

    // The limit itself is accepted.
    const longest = await speak(vss, { text: 'b'.repeat(1_000), voice: 'alloy' });
    expect(longest.status).toBe(200);
  });
});

describe('without a vendor key: the offline provider (espeak-ng through ffmpeg)', () => {
  let offline: NestFastifyApplication;
  beforeAll(async () => {
    offline = await startVss(env, { TTS_OPENAI_API_KEY: '' });
  });
  afterAll(async () => {
    await offline?.close();
  });

  it('speaks MP3 that decodes and is not silent', async () => {
    const calls = speechCalls();
    const response = await speak(
      offline,
      { text: unique('I would start by measuring where the time goes.'), voice: 'onyx', format: 'mp3' },
      await tokenFor(offline),
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('audio/mpeg');
    expect(response.headers['x-parley-tts-provider']).toBe('espeak');
    const audio = await inspect(response.raw);
    expect(audio.format).toBe('mp3');
    expect(audio.seconds).toBeGreaterThan(1);
    expect(audio.meanDb).toBeGreaterThan(-50);
    expect(speechCalls()).toBe(calls);
  });
});

describe('vendor isolation (R-A3)', () => {
  let isolated: NestFastifyApplication;
  let isolatedToken: string;
  const HALF_OPEN_AFTER_MS = 1_000;
  const VENDOR_TIMEOUT_MS = 300;
  beforeAll(async () => {
    isolated = await startVss(env, {
      TTS_OPENAI_API_KEY: standIn.apiKey,
      TTS_OPENAI_BASE_URL: standIn.url,
      TTS_VENDOR_TIMEOUT_MS: String(VENDOR_TIMEOUT_MS),
      TTS_BREAKER_FAILURES: '2',
      TTS_BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
    });
    isolatedToken = await tokenFor(isolated);
  });
  afterAll(async () => {
    await isolated?.close();
  });

  const attempt = async () => {
    const started = performance.now();
    const response = await speak(isolated, { text: unique(), voice: 'alloy', format: 'mp3' }, isolatedToken);
    return { ...response, ms: performance.now() - started };
  };
  const breakerState = () => metric(isolated, 'parley_tts_breaker_state', { provider: 'openai' });
  const expectFallback = (response: Awaited<ReturnType<typeof attempt>>) => {
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      reason: 'vendor_unavailable',
      fallback: 'captions',
    });
    expect(response.json.message).toContain('captions');
    expect(response.headers['x-parley-fallback']).toBe('captions');
    expect(JSON.stringify(response.json)).not.toContain(standIn.apiKey);
  };

  it('answers 503 with the captions fallback for each kind of vendor failure, never a 500', async () => {
    for (const mode of ['5xx', '429', 'malformed'] as const) {
      standIn.setMp3({ mode });
      expectFallback(await attempt());
      // A success in between keeps the consecutive count under the threshold.
      standIn.setMp3({});
      expect((await attempt()).status).toBe(200);
    }
    expect(await breakerState()).toBe(0);
  });

  it('a hanging vendor opens the circuit; while open, 503 at once; after it recovers, the circuit closes', async () => {
    standIn.setMp3({ mode: 'hanging' });
    // Other endpoints do not wait on the vendor: /healthz answers while a speech request hangs.
    const hanging = attempt();
    await new Promise((r) => setTimeout(r, 50));
    const healthStarted = performance.now();
    expect((await call(isolated, { method: 'GET', url: '/healthz' })).status).toBe(200);
    expect(performance.now() - healthStarted).toBeLessThan(100);
    const timedOut = await hanging;
    expectFallback(timedOut);
    expect(timedOut.ms).toBeGreaterThanOrEqual(VENDOR_TIMEOUT_MS - 10);
    expectFallback(await attempt());
    expect(await breakerState()).toBe(2);

    const calls = speechCalls();
    for (let i = 0; i < 5; i++) {
      const open = await attempt();
      expectFallback(open);
      expect(open.ms).toBeLessThan(100);
      expect(open.headers['retry-after']).toBe(String(HALF_OPEN_AFTER_MS / 1000));
    }
    expect(speechCalls()).toBe(calls);

    standIn.setMp3({});
    await new Promise((r) => setTimeout(r, HALF_OPEN_AFTER_MS + 100));
    const recovered = await attempt();
    expect(recovered.status).toBe(200);
    expect(recovered.headers['content-type']).toBe('audio/mpeg');
    expect(await breakerState()).toBe(0);
    expect((await attempt()).status).toBe(200);

    expect(await metric(isolated, 'parley_tts_requests_total', { provider: 'openai', outcome: 'circuit_open' })).toBe(
      5,
    );
    const failed = { provider: 'openai', outcome: 'error' };
    expect(await metric(isolated, 'parley_tts_vendor_first_byte_seconds_count', failed)).toBe(5);
  });
});
