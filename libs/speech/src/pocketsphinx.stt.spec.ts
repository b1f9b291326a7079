import { describe, expect, it } from 'vitest';
import { EspeakTextToSpeech } from './espeak.tts';
import { PocketsphinxSpeechToText } from './pocketsphinx.stt';
import { ProviderError } from './ports';
import { resamplePcm } from './resample';

// Real pocketsphinx 0.8 on real espeak-ng speech. Recognition of synthetic voices is poor (the
// offline-speech notes: WER 80-105 %), so only what held across voices and rates is asserted:
// measured, en-us+m3 "hello world" came back as "hello world" at 130-160 wpm ("oh world" at 175),
// en-us+f2 "yes" as "yes" at 130-175 wpm. Longer sentences come back as other words entirely.

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProviderError) return err;
  throw new Error(`expected a ProviderError, got ${String(err)}`);
}

describe(PocketsphinxSpeechToText.name, () => {
  const stt = new PocketsphinxSpeechToText();

  it('recognises a content word of a simple sentence (espeak-ng at 22050 Hz, resampled to 16 kHz)', async () => {
    const audio = await new EspeakTextToSpeech({ voice: 'en-us+m3' }).synthesize('hello world');
    const { text } = await stt.transcribe(audio);
    expect(typeof text).toBe('string');
    expect(text.split(' ')).toContain('world');
  });

  it('recognises the same from 48 kHz input (what LiveKit hands the agent)', async () => {
    const audio = await new EspeakTextToSpeech({ voice: 'en-us+m3' }).synthesize('hello world');
    const { text } = await stt.transcribe(resamplePcm(audio, 48_000));
    expect(text.split(' ')).toContain('world');
  });

  it('returns a string for the default voice', async () => {
    const audio = await new EspeakTextToSpeech().synthesize('yes');
    expect(await stt.transcribe(audio)).toEqual({ text: 'yes' });
  });

  it('hears nothing in silence', async () => {
    // A second of very quiet noise, as a muted microphone gives.
    const samples = Int16Array.from({ length: 16_000 }, (_, i) => ((i * 7919) % 21) - 10);
    expect(await stt.transcribe({ sampleRate: 16_000, samples })).toEqual({ text: '' });
    expect(await stt.transcribe({ sampleRate: 16_000, samples: new Int16Array(0) })).toEqual({ text: '' });
  });

  it('is cut by an abort', async () => {
    const audio = await new EspeakTextToSpeech().synthesize('Tell me about the last system you designed.');
    const controller = new AbortController();
    const pending = stt.transcribe(audio, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await rejection(pending);
    expect(err.message).toContain('aborted');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('refuses a language it has no model for, and overlong segments', async () => {
    const audio = { sampleRate: 16_000, samples: new Int16Array(16_000) };
    expect((await rejection(stt.transcribe(audio, { language: 'de' }))).kind).toBe('refused');
    const short = new PocketsphinxSpeechToText({ maxSeconds: 0.5 });
    expect((await rejection(short.transcribe(audio))).kind).toBe('refused');
  });

  it('is ready when the model is there, and says which file is missing otherwise', async () => {
    expect(await stt.ready()).toEqual({ ok: true });
    const missing = await new PocketsphinxSpeechToText({ modelDir: '/nonexistent/model' }).ready();
    expect(missing).toEqual({ ok: false, reason: expect.stringContaining('/nonexistent/model/en-us/mdef') });
    const noBinary = await new PocketsphinxSpeechToText({ command: 'pocketsphinx-not-installed' }).ready();
    expect(noBinary).toEqual({ ok: false, reason: expect.stringContaining('not installed') });
  });

  it('reports a broken model as unavailable with the decoder’s reason', async () => {
    const broken = new PocketsphinxSpeechToText({ hmm: '/tmp' });
    const err = await rejection(broken.transcribe({ sampleRate: 16_000, samples: new Int16Array(1600) }));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/mdef/);
  });
});
