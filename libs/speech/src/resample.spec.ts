import { describe, expect, it } from 'vitest';
import { resamplePcm } from './resample';

const sine = (hz: number, rate: number, seconds: number) =>
  Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(10_000 * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
const rms = (samples: Int16Array) => {
  // Away from the edges, where the filter has only half its input.
  const middle = samples.subarray(Math.floor(samples.length / 10), Math.floor((samples.length * 9) / 10));
  return Math.sqrt(middle.reduce((sum, s) => sum + s * s, 0) / middle.length);
};

describe(resamplePcm.name, () => {
  it('keeps the length in proportion and passes the speech band unchanged', () => {
    const input = { sampleRate: 22_050, samples: sine(1_000, 22_050, 1) };
    const out = resamplePcm(input, 16_000);
    expect(out.sampleRate).toBe(16_000);
    expect(out.samples.length).toBe(16_000);
    expect(rms(out.samples) / rms(input.samples)).toBeCloseTo(1, 1);
  });

  it('filters out what the new rate cannot hold instead of folding it back as noise', () => {
    // 10 kHz at 22050 Hz would alias to 6 kHz at 16 kHz.
    const out = resamplePcm({ sampleRate: 22_050, samples: sine(10_000, 22_050, 1) }, 16_000);
    expect(rms(out.samples)).toBeLessThan(100);
  });

  it('goes up as well as down, and leaves matching rates alone', () => {
    const samples = sine(440, 16_000, 0.5);
    const up = resamplePcm({ sampleRate: 16_000, samples }, 48_000);
    expect(up.samples.length).toBe(24_000);
    expect(rms(up.samples) / rms(samples)).toBeCloseTo(1, 1);
    expect(resamplePcm({ sampleRate: 16_000, samples }, 16_000).samples).toBe(samples);
  });
});
