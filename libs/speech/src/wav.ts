import type { PcmAudio } from './ports';

// RIFF/WAVE for 16-bit PCM only: espeak-ng writes it, Whisper-style APIs read it. Anything else is
// refused rather than guessed at.

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/**
 * The PCM in a WAV file, down-mixed to mono. Walks the chunk list to find `fmt ` and `data`, so extra
 * chunks (LIST, fact) are skipped. A `data` size larger than what follows is clamped: a writer that
 * streams (espeak-ng --stdout) cannot seek back and leaves a placeholder such as 0x7ffff000 there.
 */
export function parseWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE file');

  let format: { channels: number; sampleRate: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    const declared = view.getUint32(at + 4, true);
    const body = at + 8;
    const size = Math.min(declared, bytes.byteLength - body);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError('fmt chunk too short');
      const audioFormat = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      // 0xfffe is WAVE_FORMAT_EXTENSIBLE; its sub-format is PCM for every writer we meet.
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || bitsPerSample !== 16) {
        throw new WavFormatError(`unsupported WAV encoding (format ${audioFormat}, ${bitsPerSample} bits)`);
      }
      if (channels < 1 || sampleRate < 1) throw new WavFormatError('WAV header has no channels or no rate');
      format = { channels, sampleRate };
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      return { sampleRate: format.sampleRate, samples: toMono(bytes.subarray(body, body + size), format.channels) };
    }
    // Chunks are padded to an even length.
    at = body + declared + (declared % 2);
  }
  throw new WavFormatError('no data chunk');
}

function toMono(data: Uint8Array, channels: number): Int16Array {
  const frames = Math.floor(data.byteLength / (2 * channels));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++) sum += view.getInt16((frame * channels + ch) * 2, true);
    out[frame] = Math.round(sum / channels);
  }
  return out;
}

/** A mono 16-bit WAV file holding `audio`. */
export function encodeWav(audio: PcmAudio): Buffer {
  const dataBytes = audio.samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(audio.sampleRate, 24);
  out.writeUInt32LE(audio.sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  pcmBytes(audio.samples).copy(out, 44);
  return out;
}

/** Little-endian bytes of `samples` (s16le), whatever the host's byte order. */
export function pcmBytes(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], i * 2);
  return out;
}

/** Samples from little-endian s16le bytes; a trailing odd byte is dropped. */
export function samplesFromPcmBytes(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(Math.floor(bytes.byteLength / 2));
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
