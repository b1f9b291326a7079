import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTextToSpeech } from './espeak.tts';
import { ProviderError, type PcmAudio } from './ports';

// Real espeak-ng (Debian 1.51), no doubles: what matters is how the binary actually behaves.

const rms = (audio: PcmAudio) =>
  Math.sqrt(audio.samples.reduce((sum, s) => sum + s * s, 0) / Math.max(1, audio.samples.length));
const seconds = (audio: PcmAudio) => audio.samples.length / audio.sampleRate;

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProviderError) return err;
  throw new Error(`expected a ProviderError, got ${String(err)}`);
}

describe(EspeakTextToSpeech.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'espeak-spec-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** espeak-ng behind a wrapper that records its pid (exec keeps the pid), to see it was killed. */
  async function traced(): Promise<{ command: string; pid: () => Promise<number | undefined> }> {
    const name = `espeak-${Math.random().toString(36).slice(2)}`;
    const pidFile = join(dir, `${name}.pid`);
    const command = join(dir, `${name}.sh`);
    await writeFile(command, `#!/bin/sh\necho $$ > '${pidFile}'\nexec espeak-ng "$@"\n`);
    await chmod(command, 0o755);
    const pid = () =>
      readFile(pidFile, 'utf8').then(
        (text) => Number(text.trim()) || undefined,
        () => undefined,
      );
    return { command, pid };
  }

  it('speaks a sentence: non-silent audio of plausible length at the rate in the WAV header', async () => {
    const tts = new EspeakTextToSpeech();
    const started = Date.now();
    const audio = await tts.synthesize('I worked on a database that served two million requests a day.');
    const elapsed = Date.now() - started;
    expect(audio.sampleRate).toBe(22050);
    expect(audio.sampleRate).toBe(tts.sampleRate);
    // 12 words at 150 wpm is ~4.8 s of speech; espeak-ng runs a little faster than its nominal rate.
    expect(seconds(audio)).toBeGreaterThan(2.5);
    expect(seconds(audio)).toBeLessThan(8);
    expect(rms(audio)).toBeGreaterThan(500);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('speaks faster at a higher rate', async () => {
    const text = 'Tell me about a project you are proud of.';
    const slow = await new EspeakTextToSpeech({ rateWpm: 100 }).synthesize(text);
    const fast = await new EspeakTextToSpeech({ rateWpm: 250 }).synthesize(text);
    expect(seconds(fast)).toBeLessThan(seconds(slow) * 0.7);
  });

  it('speaks text that starts with a dash instead of reading it as an option', async () => {
    const tts = new EspeakTextToSpeech();
    // As options these would print help/version text (not a WAV) or pick a voice.
    for (const text of ['--help', '--version', '-v de hello there']) {
      const audio = await tts.synthesize(text);
      expect(seconds(audio), text).toBeGreaterThan(0.3);
      expect(rms(audio), text).toBeGreaterThan(300);
    }
  });

  it('replaces control characters and returns empty audio for empty text without running espeak-ng', async () => {
    const tts = new EspeakTextToSpeech({ command: '/nonexistent/espeak-ng' });
    expect((await tts.synthesize(' \u0000\u0007 ')).samples.length).toBe(0);
    const real = new EspeakTextToSpeech();
    const audio = await real.synthesize('hello\u0000\u001b[31m world\u0007');
    expect(rms(audio)).toBeGreaterThan(300);
  });

  it('refuses text over the limit', async () => {
    const err = await rejection(new EspeakTextToSpeech({ maxChars: 10 }).synthesize('a'.repeat(11)));
    expect(err.kind).toBe('refused');
  });

  it('kills espeak-ng when the caller aborts', async () => {
    const { command, pid } = await traced();
    const tts = new EspeakTextToSpeech({ command, maxChars: 100_000 });
    const controller = new AbortController();
    // A minute or so of speech: still running when the abort comes.
    const pending = tts.synthesize('This answer goes on and on. '.repeat(600), { signal: controller.signal });
    let child: number | undefined;
    for (let i = 0; i < 100 && child === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      child = await pid();
    }
    expect(child).toBeDefined();
    const started = Date.now();
    controller.abort();
    const err = await rejection(pending);
    expect(Date.now() - started).toBeLessThan(500);
    expect(err.message).toContain('aborted');
    // The child has exited (and was reaped) by the time the promise settles.
    expect(() => process.kill(child!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('gives up with a timeout error and kills espeak-ng', async () => {
    const { command, pid } = await traced();
    const tts = new EspeakTextToSpeech({ command, timeoutMs: 50, maxChars: 100_000 });
    const started = Date.now();
    const err = await rejection(tts.synthesize('This answer goes on and on. '.repeat(600)));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);
    const child = await pid();
    if (child !== undefined) expect(() => process.kill(child, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('is ready when the binary runs and knows the voice', async () => {
    expect(await new EspeakTextToSpeech().ready()).toEqual({ ok: true });
    const missing = await new EspeakTextToSpeech({ command: 'espeak-ng-not-installed' }).ready();
    expect(missing).toEqual({ ok: false, reason: expect.stringContaining('not installed') });
    const noVoice = await new EspeakTextToSpeech({ voice: 'xx-nosuchvoice' }).ready();
    expect(noVoice).toEqual({ ok: false, reason: expect.stringContaining('xx-nosuchvoice') });
  });

  it('reports an unknown voice as unavailable, and refuses option-like voices up front', async () => {
    const err = await rejection(new EspeakTextToSpeech({ voice: 'xx-nosuchvoice' }).synthesize('hello'));
    expect(err.kind).toBe('unavailable');
    expect(() => new EspeakTextToSpeech({ voice: '--stdout' })).toThrow(/not a voice name/);
    expect(() => new EspeakTextToSpeech({ rateWpm: 5 })).toThrow(/rate/);
  });
});
