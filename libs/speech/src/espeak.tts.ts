import {
  ProviderError,
  type PcmAudio,
  type ProviderReadiness,
  type StreamingTextToSpeech,
  type TextToSpeech,
} from './ports';
import { resamplePcm } from './resample';
import { lastLine, runProcess, streamPipeline } from './run-process';
import { parseWav, WavFormatError } from './wav';

export interface EspeakOptions {
  /** An espeak-ng voice, e.g. `en-us+f2` (language + variant). */
  voice?: string;
  /** Speaking rate in words per minute (espeak-ng's -s), 80-450. */
  rateWpm?: number;
  /** One synthesis is killed after this long. */
  timeoutMs?: number;
  /** Longer text is refused: an interviewer's utterance is a few sentences, not a document. */
  maxChars?: number;
  /** The binary to run. */
  command?: string;
  /** ffmpeg, for streamMp3 (espeak-ng writes WAV only). */
  ffmpegCommand?: string;
  /** streamMp3's bit rate in kbit/s (mono speech). */
  mp3Kbps?: number;
}

// Control characters are replaced, not passed on: they are not speech, and text comes from a model
// or a plan an author typed. Tabs and newlines stay (clause breaks).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;
const VOICE = /^[A-Za-z0-9][A-Za-z0-9_+.-]{0,63}$/;

export class EspeakTextToSpeech implements TextToSpeech, StreamingTextToSpeech {
  readonly label = 'espeak-ng';
  /** espeak-ng's native rate; other rates in a WAV header are resampled to it. */
  readonly sampleRate = 22050;
  readonly voice: string;
  readonly rateWpm: number;
  private readonly timeoutMs: number;
  private readonly maxChars: number;
  private readonly command: string;
  private readonly ffmpegCommand: string;
  private readonly mp3Kbps: number;

  constructor(options: EspeakOptions = {}) {
    this.voice = options.voice ?? 'en-us+f2';
    this.rateWpm = options.rateWpm ?? 150;
    this.timeoutMs = options.timeoutMs ?? 8_000;
    this.maxChars = options.maxChars ?? 4_000;
    this.command = options.command ?? 'espeak-ng';
    this.ffmpegCommand = options.ffmpegCommand ?? 'ffmpeg';
    this.mp3Kbps = options.mp3Kbps ?? 48;
    // The voice comes from configuration; it must still never be read as an option.
    if (!VOICE.test(this.voice)) throw new Error(`espeak-ng voice ${JSON.stringify(this.voice)} is not a voice name`);
    if (!Number.isInteger(this.rateWpm) || this.rateWpm < 80 || this.rateWpm > 450) {
      throw new Error('espeak-ng rate must be a whole number of words per minute between 80 and 450');
    }
  }

  async synthesize(text: string, options: { signal?: AbortSignal } = {}): Promise<PcmAudio> {
    const clean = this.clean(text);
    if (clean === '') return { sampleRate: this.sampleRate, samples: new Int16Array(0) };

    const result = await runProcess({
      label: this.label,
      command: this.command,
      args: this.args(this.voice),
      input: Buffer.from(clean, 'utf8'),
      timeoutMs: this.timeoutMs,
      signal: options.signal,
    });
    if (result.code !== 0) {
      throw new ProviderError(this.label, `exited with ${result.code}: ${lastLine(result.stderr)}`, 'unavailable');
    }
    let audio: PcmAudio;
    try {
      audio = parseWav(result.stdout);
    } catch (err) {
      if (err instanceof WavFormatError) throw new ProviderError(this.label, err.message, 'malformed');
      throw err;
    }
    return audio.sampleRate === this.sampleRate ? audio : resamplePcm(audio, this.sampleRate);
  }

  /**
   * The same speech as MP3, streamed: espeak-ng's WAV piped through ffmpeg (libmp3lame), chunks as
   * ffmpeg flushes them. `voice` overrides the configured one (an espeak-ng voice name). The
   * timeout covers the whole utterance, as for synthesize.
   */
  async *streamMp3(text: string, options: { voice?: string; signal?: AbortSignal } = {}): AsyncGenerator<Buffer> {
    const voice = options.voice ?? this.voice;
    if (!VOICE.test(voice)) throw new ProviderError(this.label, 'not a voice name', 'refused');
    const clean = this.clean(text);
    if (clean === '') return;
    yield* streamPipeline({
      label: this.label,
      stages: [
        { command: this.command, args: this.args(voice) },
        {
          command: this.ffmpegCommand,
          // Not seekable: no Xing header to patch afterwards; flush every packet so bytes leave early.
          args: [
            ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'wav', '-i', 'pipe:0', '-map_metadata', '-1'],
            ...['-ac', '1', '-c:a', 'libmp3lame', '-b:a', `${this.mp3Kbps}k`, '-write_xing', '0'],
            ...['-flush_packets', '1', '-f', 'mp3', 'pipe:1'],
          ],
        },
      ],
      input: Buffer.from(clean, 'utf8'),
      timeoutMs: this.timeoutMs,
      signal: options.signal,
    });
  }

  private clean(text: string): string {
    const clean = text.replace(/\r\n?/g, '\n').replace(CONTROL, ' ').trim();
    if (clean.length > this.maxChars) {
      throw new ProviderError(this.label, `text longer than ${this.maxChars} characters`, 'refused');
    }
    return clean;
  }

  // The text goes on stdin (--stdin reads it whole), never as an argument: text starting with
  // `-` cannot become an option and no length limit of argv applies. -b 1: the input is UTF-8.
  private args(voice: string): string[] {
    return ['--stdin', '-b', '1', '-v', voice, '-s', String(this.rateWpm), '--stdout'];
  }

  /** The binary runs and knows the configured voice (a wrong ESPEAK_VOICE fails every utterance). */
  async ready(): Promise<ProviderReadiness> {
    const timeoutMs = Math.min(this.timeoutMs, 5_000);
    try {
      const version = await runProcess({ label: this.label, command: this.command, args: ['--version'], timeoutMs });
      if (version.code !== 0) return { ok: false, reason: `espeak-ng --version exited with ${version.code}` };
      // -q: parse and voice the text without producing audio.
      const voice = await runProcess({
        label: this.label,
        command: this.command,
        args: ['--stdin', '-q', '-v', this.voice],
        input: Buffer.from('ok'),
        timeoutMs,
      });
      if (voice.code !== 0) return { ok: false, reason: `espeak-ng has no voice ${this.voice}` };
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }
}
