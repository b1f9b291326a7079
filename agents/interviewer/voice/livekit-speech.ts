import { log, shortuuid, stt, tts, type APIConnectOptions } from '@livekit/agents';
import { rtc, type RtcNode } from '../rtc';

type AudioFrame = RtcNode.AudioFrame;
import { resamplePcm, type PcmAudio, type SpeechToText, type TextToSpeech } from '@app/speech';

// agents-js adapters over the @app/speech ports. They never throw into the AgentSession: a
// session closes after a few unrecoverable provider errors, and a vendor's bad minute must not end
// an interview. Instead the voice falls back (next provider, then silence of the utterance's
// length, so the caption still shows) and the listener gets empty text; `onTrouble` tells the
// interview so it can say what happened.

const FRAME_MS = 20;

export type SpeechTrouble = { kind: 'tts' | 'stt'; provider: string; error: Error };

function framesOf(audio: PcmAudio): AudioFrame[] {
  const perFrame = Math.round((audio.sampleRate * FRAME_MS) / 1000);
  const frames: AudioFrame[] = [];
  for (let at = 0; at < audio.samples.length; at += perFrame) {
    const chunk = new Int16Array(perFrame);
    chunk.set(audio.samples.subarray(at, Math.min(at + perFrame, audio.samples.length)));
    frames.push(new rtc.AudioFrame(chunk, audio.sampleRate, 1, perFrame));
  }
  return frames;
}

/** Silence as long as a person would take to read `text` aloud (about 160 words a minute). */
function silenceFor(text: string, sampleRate: number): PcmAudio {
  const words = text.split(/\s+/).filter(Boolean).length;
  const seconds = Math.min(30, Math.max(0.5, words * 0.375));
  return { sampleRate, samples: new Int16Array(Math.round(seconds * sampleRate)) };
}

export class ResilientVoice extends tts.TTS {
  label: string;

  constructor(
    private readonly voices: readonly TextToSpeech[],
    private readonly onTrouble: (trouble: SpeechTrouble) => void = () => undefined,
  ) {
    super(voices[0].sampleRate, 1, { streaming: false });
    this.label = `parley.voice<${voices.map((v) => v.label).join('>')}>`;
  }

  /** The first voice that answers, resampled to this voice's rate; silence if none does. */
  async speak(text: string, signal: AbortSignal): Promise<PcmAudio> {
    for (const voice of this.voices) {
      if (signal.aborted) break;
      try {
        return resamplePcm(await voice.synthesize(text, { signal }), this.sampleRate);
      } catch (err) {
        if (signal.aborted) break;
        this.onTrouble({ kind: 'tts', provider: voice.label, error: err as Error });
      }
    }
    return silenceFor(text, this.sampleRate);
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new ResilientVoiceStream(this, text, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('ResilientVoice is not streaming; AgentSession wraps it in a tts.StreamAdapter');
  }
}

class ResilientVoiceStream extends tts.ChunkedStream {
  label = 'parley.voice.stream';

  constructor(
    private readonly voice: ResilientVoice,
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, voice, connOptions, abortSignal);
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid('tts_');
    const audio = await this.voice.speak(this.inputText, this.abortSignal);
    const frames = framesOf(audio);
    frames.forEach((frame, i) => {
      if (this.abortSignal.aborted) return;
      this.queue.put({
        requestId,
        segmentId: requestId,
        frame,
        final: i === frames.length - 1,
      });
    });
  }
}

export class ResilientListener extends stt.STT {
  label: string;
  private readonly logger = log();

  constructor(
    private readonly listener: SpeechToText,
    private readonly onTrouble: (trouble: SpeechTrouble) => void = () => undefined,
  ) {
    super({ streaming: false, interimResults: false });
    this.label = `parley.listener<${listener.label}>`;
  }

  protected async _recognize(buffer: AudioFrame | AudioFrame[], abortSignal?: AbortSignal): Promise<stt.SpeechEvent> {
    const frames = Array.isArray(buffer) ? buffer : [buffer];
    const sampleRate = frames[0]?.sampleRate ?? 16_000;
    const audio = mono(frames);
    let text = '';
    try {
      text = (await this.listener.transcribe({ sampleRate, samples: audio }, { signal: abortSignal })).text.trim();
    } catch (err) {
      this.logger.warn({ provider: this.listener.label, err: (err as Error).message }, 'speech recognition failed');
      this.onTrouble({ kind: 'stt', provider: this.listener.label, error: err as Error });
    }
    const seconds = audio.length / sampleRate;
    return {
      type: stt.SpeechEventType.FINAL_TRANSCRIPT,
      alternatives: [{ text, language: 'en' as never, startTime: 0, endTime: seconds, confidence: text ? 0.5 : 0 }],
    };
  }

  stream(): stt.SpeechStream {
    throw new Error('ResilientListener is not streaming; AgentSession wraps it with the VAD');
  }
}

/** The samples of `frames`, down-mixed to mono. */
function mono(frames: readonly AudioFrame[]): Int16Array {
  const total = frames.reduce((sum, f) => sum + f.samplesPerChannel, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const frame of frames) {
    const channels = frame.channels;
    for (let i = 0; i < frame.samplesPerChannel; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += frame.data[i * channels + c];
      out[at++] = Math.round(sum / channels);
    }
  }
  return out;
}
