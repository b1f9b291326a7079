import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, pcmBytes, WavFormatError } from './wav';

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function fmt(channels: number, rate: number, bits = 16, format = 1): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(format, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(rate, 4);
  body.writeUInt32LE((rate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  return chunk('fmt ', body);
}

const riff = (...chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe(parseWav.name, () => {
  it('round-trips encodeWav', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    expect(parseWav(encodeWav({ sampleRate: 16_000, samples }))).toEqual({ sampleRate: 16_000, samples });
  });

  it('finds the data chunk after other chunks (odd-sized ones padded) and reads the rate from fmt', () => {
    const wav = riff(
      fmt(1, 22_050),
      chunk('LIST', Buffer.from('INFOabc')),
      chunk('data', pcmBytes(Int16Array.from([5, -5]))),
    );
    expect(parseWav(wav)).toEqual({ sampleRate: 22_050, samples: Int16Array.from([5, -5]) });
  });

  it('clamps a streaming writer’s placeholder data size (espeak-ng --stdout writes 0x7ffff000)', () => {
    const wav = riff(fmt(1, 22_050), chunk('data', pcmBytes(Int16Array.from([1, 2, 3]))));
    wav.writeUInt32LE(0x7ffff000, 4);
    wav.writeUInt32LE(0x7ffff000, 40);
    expect(parseWav(wav).samples).toEqual(Int16Array.from([1, 2, 3]));
  });

  it('mixes stereo down to mono', () => {
    const wav = riff(fmt(2, 48_000), chunk('data', pcmBytes(Int16Array.from([100, 300, -100, -300]))));
    expect(parseWav(wav)).toEqual({ sampleRate: 48_000, samples: Int16Array.from([200, -200]) });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseWav(Buffer.from('not a wav file at all'))).toThrow(WavFormatError);
    expect(() => parseWav(riff(fmt(1, 8_000, 8), chunk('data', Buffer.alloc(4))))).toThrow(/8 bits/);
    expect(() => parseWav(riff(fmt(1, 8_000, 32, 3), chunk('data', Buffer.alloc(4))))).toThrow(/format 3/);
    expect(() => parseWav(riff(fmt(1, 8_000)))).toThrow(/no data chunk/);
  });
});
