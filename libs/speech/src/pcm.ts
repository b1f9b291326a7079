import type { PcmAudio } from './ports';

/** Linear resampling of mono PCM to `rate` (speech bandwidth; good enough for recognisers). */
export function resamplePcm(audio: PcmAudio, rate: number): PcmAudio {
  if (audio.sampleRate === rate || audio.samples.length === 0) return { sampleRate: rate, samples: audio.samples };
  const length = Math.max(1, Math.round((audio.samples.length * rate) / audio.sampleRate));
  const out = new Int16Array(length);
  const step = audio.sampleRate / rate;
  const last = audio.samples.length - 1;
  for (let i = 0; i < length; i++) {
    const pos = i * step;
    const left = Math.min(last, Math.floor(pos));
    const right = Math.min(last, left + 1);
    const frac = pos - left;
    out[i] = Math.round(audio.samples[left]! * (1 - frac) + audio.samples[right]! * frac);
  }
  return { sampleRate: rate, samples: out };
}

/** A 16-bit mono WAV file of `audio` (what OpenAI-compatible transcription endpoints accept). */
export function toWav(audio: PcmAudio): Buffer {
  const data = Buffer.from(audio.samples.buffer, audio.samples.byteOffset, audio.samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(audio.sampleRate, 24);
  header.writeUInt32LE(audio.sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
