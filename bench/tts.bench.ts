// TTS time to first byte (issue 11, R-A1): POST /v1/speech through Parley versus the same request
// straight to the OpenAI-style vendor, in the same run. The vendor is a local stand-in (this file)
// that answers /v1/audio/speech with real MP3 (made once with ffmpeg) in paced chunks, so what is
// measured is Parley's own overhead: auth, validation, the cache lookup in Redis (a miss: every
// text is unique), the breaker and timeout, the OpenAI SDK call and the relay of the first chunk.
// Extra rows: a cache hit, and the offline provider (espeak-ng piped into ffmpeg, no key configured).
// Everything runs in this process (client, Parley, stand-in) on keep-alive connections; Redis is
// the local one on 6379, DB 13 (the benchmarks' own). LiveKit is not needed (port 1: unreachable).
// Run: node scripts/build.mjs && node dist/bench/tts.bench.js   (TTS_RUNS=n, default 60)
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildRoomName } from '@app/room-naming';
import { TelemetryTokenService } from '../apps/video-streaming-server/src/auth/telemetry-token.service';
import { loadVideoStreamingServerConfig } from '../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../apps/video-streaming-server/src/create-app';
import { benchEnv } from './support/bench-env';
import { machineLine } from './support/machine';
import { fmt, median, percentile } from './support/stats';

const RUNS = Number(process.env.TTS_RUNS ?? 60);
const WARMUP = 10;
const CHUNKS = 8;
const CHUNK_GAP_MS = 5;
const API_KEY = `sk-bench-${randomUUID()}`;
const log = (line: string) => console.error(`[bench] ${line}`);

const clip = execFileSync(
  'ffmpeg',
  [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
    ...['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '0', '-f', 'mp3', 'pipe:1'],
  ],
  { maxBuffer: 16 * 1024 * 1024 },
);

/** /v1/audio/speech as OpenAI streams it: headers and the first chunk at once, the rest paced. */
async function startVendor(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/audio/speech' || req.headers.authorization !== `Bearer ${API_KEY}`) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      const size = Math.ceil(clip.length / CHUNKS);
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        res.write(clip.subarray(i * size, (i + 1) * size));
        if (++i < CHUNKS) setTimeout(next, CHUNK_GAP_MS);
        else res.end();
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** POST, resolved with the time to the first body byte; the body is read to its end. */
function firstByteMs(url: string, headers: Record<string, string>, body: unknown): Promise<number> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        let first: number | undefined;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          first ??= performance.now() - started;
          bytes += chunk.length;
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || first === undefined || bytes === 0) {
            reject(new Error(`${url}: status ${res.statusCode}, ${bytes} bytes`));
          } else resolve(first);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startParley(
  overrides: Record<string, string>,
): Promise<{ app: NestFastifyApplication; url: string; token: string }> {
  const { env } = benchEnv({
    livekitPort: 1,
    redisUrl: 'redis://127.0.0.1:6379/13',
    overrides: { LOG_LEVEL: 'silent', FINALIZE_INLINE: 'false', ...overrides },
  });
  const app = await createVideoStreamingServer(loadVideoStreamingServerConfig(env));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const room = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
  const { token } = await app.get(TelemetryTokenService).mint({ identity: 'bench-candidate', room, role: 'candidate' });
  return { app, url: `http://127.0.0.1:${port}/v1/speech`, token };
}

function row(name: string, values: number[]): string {
  return `| ${name.padEnd(58)} | ${fmt(median(values), 1).padStart(6)} ms | ${fmt(percentile(values, 95), 1).padStart(6)} ms | ${values.length} |`;
}

async function main(): Promise<void> {
  log(machineLine());
  const vendor = await startVendor();
  const parley = await startParley({ TTS_OPENAI_API_KEY: API_KEY, TTS_OPENAI_BASE_URL: vendor.url });
  const offline = await startParley({ TTS_OPENAI_API_KEY: '' });
  const text = (i: number) => `Tell me about a time you changed your mind about a design, number ${i} ${randomUUID()}.`;
  const direct = (i: number) =>
    firstByteMs(
      `${vendor.url}/audio/speech`,
      { authorization: `Bearer ${API_KEY}` },
      { model: 'tts-1', voice: 'alloy', input: text(i), response_format: 'mp3' },
    );
  const viaParley = (i: number, fixedText?: string) =>
    firstByteMs(
      parley.url,
      { authorization: `Bearer ${parley.token}` },
      { text: fixedText ?? text(i), voice: 'alloy', format: 'mp3' },
    );

  try {
    for (let i = 0; i < WARMUP; i++) {
      await direct(i);
      await viaParley(i);
    }
    const directMs: number[] = [];
    const parleyMs: number[] = [];
    // Alternated, so drift on a shared machine hits both alike.
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        directMs.push(await direct(i));
        parleyMs.push(await viaParley(i));
      } else {
        parleyMs.push(await viaParley(i));
        directMs.push(await direct(i));
      }
    }
    const cachedText = text(-1);
    await viaParley(0, cachedText);
    const cachedMs: number[] = [];
    for (let i = 0; i < RUNS; i++) cachedMs.push(await viaParley(i, cachedText));
    const offlineMs: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 30); i++) {
      offlineMs.push(
        await firstByteMs(offline.url, { authorization: `Bearer ${offline.token}` }, { text: text(i), voice: 'alloy' }),
      );
    }

    const overheadP50 = median(parleyMs) - median(directMs);
    const overheads = parleyMs.map((v, i) => v - directMs[i]!);
    console.log(`| what (time to first MP3 byte at the client) | p50 | p95 | n |`);
    console.log(`| --- | ---: | ---: | ---: |`);
    console.log(row('stand-in vendor, direct (baseline)', directMs));
    console.log(row('through Parley, cache miss (OpenAI SDK to the stand-in)', parleyMs));
    console.log(row('overhead, per alternated pair', overheads));
    console.log(row('through Parley, cache hit (Redis)', cachedMs));
    console.log(row('through Parley, offline provider (espeak-ng → ffmpeg)', offlineMs));
    console.log(
      `overhead at p50 (median Parley − median direct): ${fmt(overheadP50, 1)} ms — goal ≤ 20 ms: ${overheadP50 <= 20 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await parley.app.close();
    await offline.app.close();
    await vendor.close();
    agent.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
