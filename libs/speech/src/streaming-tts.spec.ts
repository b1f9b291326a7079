import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, standInMp3, type OpenAiStandIn } from '../../../test/support/openai-stand-in';
import { EspeakTextToSpeech } from './espeak.tts';
import { looksLikeMp3 } from './mp3';
import { OpenAiTextToSpeech } from './openai-compatible';
import { ProviderError } from './ports';

// streamMp3 on both adapters: real espeak-ng and ffmpeg; the real SDK against the local stand-in.

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

async function failure(stream: AsyncIterable<Buffer>): Promise<ProviderError> {
  const err = await collect(stream).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProviderError) return err;
  throw new Error(`expected a ProviderError, got ${String(err)}`);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streaming-tts-spec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** ffprobe's duration and volumedetect's mean volume of an MP3. */
async function inspect(mp3: Buffer): Promise<{ seconds: number; meanDb: number }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.mp3`);
  await writeFile(file, mp3);
  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration,format_name', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ) as { format: { duration: string; format_name: string } };
  expect(probe.format.format_name).toBe('mp3');
  // volumedetect reports on stderr, which spawnSync returns alongside stdout.
  const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-af', 'volumedetect', '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  return { seconds: Number(probe.format.duration), meanDb: Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1]) };
}

describe('looksLikeMp3', () => {
  it('knows an ID3 tag and a frame sync from text', () => {
    expect(looksLikeMp3(standInMp3())).toBe(true);
    expect(looksLikeMp3(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toBe(true);
    expect(looksLikeMp3(Buffer.from('ID3\u0004'))).toBe(true);
    expect(looksLikeMp3(Buffer.from('{"error":1}'))).toBe(false);
    expect(looksLikeMp3(Buffer.from([0xff]))).toBe(false);
  });
});

describe('EspeakTextToSpeech.streamMp3', () => {
  it('streams decodable, non-silent MP3 of plausible length, in the voice asked for', async () => {
    const tts = new EspeakTextToSpeech();
    const chunks = await collect(tts.streamMp3('I worked on a database that served two million requests a day.'));
    const mp3 = Buffer.concat(chunks);
    expect(looksLikeMp3(mp3)).toBe(true);
    const { seconds, meanDb } = await inspect(mp3);
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(8);
    expect(meanDb).toBeGreaterThan(-50);
    const other = Buffer.concat(await collect(tts.streamMp3('I worked on a database.', { voice: 'en-us+m3' })));
    expect(looksLikeMp3(other)).toBe(true);
  });

  it('yields nothing for empty text and refuses an option-like voice', async () => {
    const tts = new EspeakTextToSpeech({ command: '/nonexistent/espeak-ng' });
    expect(await collect(tts.streamMp3(' \u0000 '))).toEqual([]);
    expect((await failure(new EspeakTextToSpeech().streamMp3('hi', { voice: '--stdout' }))).kind).toBe('refused');
  });

  it('names the stage that is missing or fails', async () => {
    const noFfmpeg = new EspeakTextToSpeech({ ffmpegCommand: 'ffmpeg-not-installed' });
    expect((await failure(noFfmpeg.streamMp3('hello'))).message).toContain('ffmpeg-not-installed is not installed');
    const badVoice = await failure(new EspeakTextToSpeech().streamMp3('hello', { voice: 'xx-nosuchvoice' }));
    expect(badVoice.kind).toBe('unavailable');
    expect(badVoice.message).toContain('espeak-ng exited');
  });

  it('times out, and stops both children when the caller leaves early', async () => {
    const long = 'This answer goes on and on. '.repeat(600);
    const slow = new EspeakTextToSpeech({ timeoutMs: 50, maxChars: 100_000 });
    const started = Date.now();
    expect((await failure(slow.streamMp3(long))).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);

    const tts = new EspeakTextToSpeech({ maxChars: 100_000 });
    const before = Date.now();
    for await (const chunk of tts.streamMp3(long)) {
      expect(chunk.length).toBeGreaterThan(0);
      break; // return() kills espeak-ng and ffmpeg and waits for them
    }
    expect(Date.now() - before).toBeLessThan(2_000);
  });
});

describe('OpenAiTextToSpeech.streamMp3', () => {
  let api: OpenAiStandIn;
  const tts = (timeoutMs = 2_000) =>
    new OpenAiTextToSpeech({
      baseURL: api.url,
      apiKey: api.apiKey,
      model: 'tts-1',
      voice: 'alloy',
      timeoutMs,
      maxRetries: 0,
    });

  beforeAll(async () => {
    api = await startOpenAiStandIn();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    api.setMp3({});
  });

  it('passes the vendor’s chunks on as they come, asking for mp3 in the voice given', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    api.setMp3({ chunks: 5, holdLast: held });
    const chunks: Buffer[] = [];
    for await (const chunk of tts().streamMp3('Hello there.', { voice: 'echo' })) {
      chunks.push(chunk);
      // The stand-in holds its last piece until the first one is here: no buffering of the whole clip.
      release();
    }
    expect(Buffer.concat(chunks)).toEqual(standInMp3());
    expect(chunks.length).toBeGreaterThan(1);
    expect(api.requestsTo('/v1/audio/speech')[0]!.body).toMatchObject({
      model: 'tts-1',
      voice: 'echo',
      input: 'Hello there.',
      response_format: 'mp3',
    });
  });

  it('maps each vendor failure to a ProviderError kind', async () => {
    api.setMp3({ mode: '5xx' });
    expect((await failure(tts().streamMp3('hi'))).kind).toBe('unavailable');
    api.setMp3({ mode: '429' });
    expect((await failure(tts().streamMp3('hi'))).kind).toBe('unavailable');
    api.setMp3({ mode: 'malformed' });
    expect((await failure(tts().streamMp3('hi'))).kind).toBe('malformed');
    api.setMp3({ mode: 'hanging' });
    const started = Date.now();
    expect((await failure(tts(200).streamMp3('hi'))).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);
    // A stall mid-stream is cut by the idle deadline.
    api.setMp3({ chunks: 3, holdLast: new Promise(() => undefined) });
    expect((await failure(tts(200).streamMp3('hi'))).kind).toBe('timeout');
  });
});
