import type { PcmAudio } from './ports';

// Band-limited resampling (windowed sinc). Plain linear interpolation folds everything above the new
// Nyquist back into the band: from espeak-ng's 22050 Hz to pocketsphinx's 16 kHz that is 8-11 kHz of
// fricative energy landing in the 5-8 kHz filters the recogniser listens to.

const ZERO_CROSSINGS = 12;
// Cut a little below the new Nyquist so the transition band stays out of the pass band.
const CUTOFF = 0.95;
// Rational ratios repeat their fractional positions; beyond this many distinct ones (odd rates) the
// kernel is computed per sample instead of tabled.
const MAX_TABLED_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** `audio` at `rate` (mono 16-bit), low-pass filtered when the rate goes down. */
export function resamplePcm(audio: PcmAudio, rate: number): PcmAudio {
  if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`cannot resample to ${rate} Hz`);
  if (audio.sampleRate === rate || audio.samples.length === 0) return { sampleRate: rate, samples: audio.samples };
  const input = audio.samples;
  const divisor = gcd(audio.sampleRate, rate);
  const up = rate / divisor;
  const down = audio.sampleRate / divisor;
  // Cutoff as a fraction of the input's Nyquist; the kernel widens as it narrows.
  const fc = Math.min(1, up / down) * CUTOFF;
  const half = Math.ceil(ZERO_CROSSINGS / fc);
  const taps = 2 * half;

  const kernelFor = (frac: number, into: Float64Array) => {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const x = k - half + 1 - frac;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * fc * x) / (Math.PI * fc * x);
      // Blackman window over [-half, half].
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
      into[k] = sinc * Math.max(0, w);
      sum += into[k];
    }
    // Unity gain at DC whatever the phase.
    for (let k = 0; k < taps; k++) into[k] = into[k] / sum;
    return into;
  };

  const table = up <= MAX_TABLED_PHASES ? new Map<number, Float64Array>() : undefined;
  const scratch = new Float64Array(taps);
  const length = Math.max(1, Math.round((input.length * up) / down));
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const position = i * down;
    const base = Math.floor(position / up);
    const phase = position - base * up;
    let kernel: Float64Array;
    if (table) {
      kernel = table.get(phase) ?? kernelFor(phase / up, new Float64Array(taps));
      table.set(phase, kernel);
    } else kernel = kernelFor(phase / up, scratch);
    let acc = 0;
    const first = base - half + 1;
    const from = Math.max(0, -first);
    const to = Math.min(taps, input.length - first);
    for (let k = from; k < to; k++) acc += kernel[k] * input[first + k];
    out[i] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return { sampleRate: rate, samples: out };
}
