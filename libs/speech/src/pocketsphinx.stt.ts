import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, type PcmAudio, type ProviderReadiness, type SpeechToText } from './ports';
import { resamplePcm } from './resample';
import { lastLine, runProcess } from './run-process';
import { pcmBytes } from './wav';

export interface PocketsphinxOptions {
  /** Debian's pocketsphinx-en-us layout: `<modelDir>/en-us` (acoustic model), `en-us.lm.bin`, `cmudict-en-us.dict`. */
  modelDir?: string;
  /** Override the acoustic model directory (-hmm). */
  hmm?: string;
  /** Override the language model (-lm). */
  lm?: string;
  /** Override the pronunciation dictionary (-dict). */
  dict?: string;
  /**
   * Base deadline per segment; the audio's own length is added twice over, because decoding runs at
   * about real time here (RTF ~0.9 with the full model, plus ~0.4-1 s to load it per process).
   */
  timeoutMs?: number;
  /** Longer segments are refused rather than decoded for minutes. */
  maxSeconds?: number;
  command?: string;
}

// The acoustic model is 16 kHz; pocketsphinx does not resample raw input itself.
const MODEL_RATE = 16_000;

/**
 * CMU pocketsphinx 0.8 (Debian), one process per speech segment: raw s16le at 16 kHz in a private
 * temporary file (`-infile`; the 0.8 tool reads a WAV header only for names ending in .wav), one
 * hypothesis line per utterance on stdout, the log on stderr. Not `-infile /dev/stdin`: that works
 * from a shell pipe, but Node gives a child a socket as stdin and fopen("/dev/stdin") on a socket
 * fails with ENXIO. Recognition of synthetic voices is
 * poor (see the offline-speech notes): this is the offline smoke path, not one to score answers with.
 */
export class PocketsphinxSpeechToText implements SpeechToText {
  readonly label = 'pocketsphinx';
  private readonly hmm: string;
  private readonly lm: string;
  private readonly dict: string;
  private readonly timeoutMs: number;
  private readonly maxSeconds: number;
  private readonly command: string;

  constructor(options: PocketsphinxOptions = {}) {
    const modelDir = options.modelDir ?? '/usr/share/pocketsphinx/model/en-us';
    this.hmm = options.hmm ?? join(modelDir, 'en-us');
    this.lm = options.lm ?? join(modelDir, 'en-us.lm.bin');
    this.dict = options.dict ?? join(modelDir, 'cmudict-en-us.dict');
    this.timeoutMs = options.timeoutMs ?? 8_000;
    this.maxSeconds = options.maxSeconds ?? 120;
    this.command = options.command ?? 'pocketsphinx_continuous';
  }

  async transcribe(
    audio: PcmAudio,
    options: { signal?: AbortSignal; language?: string } = {},
  ): Promise<{ text: string }> {
    // The model is US English; any other language would come back as confident English nonsense.
    if (options.language && !/^en\b/i.test(options.language)) {
      throw new ProviderError(this.label, `only English is installed, not ${options.language}`, 'refused');
    }
    const seconds = audio.samples.length / audio.sampleRate;
    if (seconds > this.maxSeconds) {
      throw new ProviderError(
        this.label,
        `segment of ${Math.round(seconds)} s is over ${this.maxSeconds} s`,
        'refused',
      );
    }
    if (audio.samples.length === 0) return { text: '' };

    const result = await this.decode(pcmBytes(resamplePcm(audio, MODEL_RATE).samples), {
      timeoutMs: this.timeoutMs + Math.ceil(seconds * 2_000),
      signal: options.signal,
    });
    if (result.code !== 0) throw new ProviderError(this.label, failureOf(result), 'unavailable');
    return { text: result.stdout.toString('utf8').split(/\s+/).filter(Boolean).join(' ') };
  }

  /** The model files are there and the decoder loads them (one empty run, ~0.5 s). */
  async ready(): Promise<ProviderReadiness> {
    for (const file of [join(this.hmm, 'mdef'), this.lm, this.dict]) {
      try {
        await access(file);
      } catch {
        return { ok: false, reason: `pocketsphinx model file ${file} is missing (install pocketsphinx-en-us)` };
      }
    }
    try {
      const result = await this.decode(Buffer.alloc(0), { timeoutMs: this.timeoutMs });
      return result.code === 0 ? { ok: true } : { ok: false, reason: failureOf(result) };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }

  private async decode(pcm: Buffer, run: { timeoutMs: number; signal?: AbortSignal }) {
    const dir = await mkdtemp(join(tmpdir(), 'parley-pocketsphinx-'));
    try {
      const infile = join(dir, 'segment.raw');
      // Candidates' speech: readable by this user only, and removed whatever happens.
      await writeFile(infile, pcm, { mode: 0o600 });
      return await runProcess({
        label: this.label,
        command: this.command,
        args: this.args(infile),
        ...run,
        maxOutputBytes: 1024 * 1024,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private args(infile: string): string[] {
    return ['-infile', infile, '-samprate', String(MODEL_RATE), '-hmm', this.hmm, '-lm', this.lm, '-dict', this.dict];
  }
}

function failureOf(result: { code: number | null; stderr: string }): string {
  // The log is chatty INFO lines; the reason is the last ERROR or FATAL one.
  const reason = result.stderr
    .split('\n')
    .filter((line) => /^(ERROR|FATAL)/.test(line))
    .at(-1);
  return `exited with ${result.code}: ${reason?.trim().slice(0, 300) ?? lastLine(result.stderr)}`;
}
