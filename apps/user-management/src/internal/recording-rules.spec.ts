import { describe, expect, it } from 'vitest';
import { objectKeyIsUnderOrg, phaseMayAdvance, startsLater } from './recording-rules';

const ORG = '6f1c1f4e-8a57-4d43-9f31-2a1f0c6f7b10';
const OTHER = '0b7d4a8e-2f0e-4b5f-8a0a-5c2b1e9d3f44';

describe('recording phase order', () => {
  it('moves forward and repeats, never back', () => {
    expect(phaseMayAdvance(undefined, 'ready')).toBe(true);
    expect(phaseMayAdvance('recording', 'processing')).toBe(true);
    expect(phaseMayAdvance('processing', 'processing')).toBe(true);
    expect(phaseMayAdvance('processing', 'failed')).toBe(true);
    expect(phaseMayAdvance('failed', 'ready')).toBe(true);
    expect(phaseMayAdvance('ready', 'recording')).toBe(false);
    expect(phaseMayAdvance('ready', 'failed')).toBe(false);
    expect(phaseMayAdvance('processing', 'recording')).toBe(false);
  });
});

describe('the latest recording of a meeting', () => {
  it('is the one that started last; a tie goes to the one reported now', () => {
    const at = (ms: number) => ({ startedAt: new Date(ms) });
    expect(startsLater(at(2_000), at(1_000))).toBe(true);
    expect(startsLater(at(1_000), at(2_000))).toBe(false);
    expect(startsLater(at(1_000), at(1_000))).toBe(true);
    expect(startsLater({ startedAt: null }, at(1))).toBe(false);
  });
});

describe('object keys of an org', () => {
  it.each([`raw/${ORG}/rec/track.ogg`, `final-recordings/${ORG}/rec.mp4`])('accepts %s', (key) => {
    expect(objectKeyIsUnderOrg(key, ORG)).toBe(true);
  });
  it.each([
    `raw/${OTHER}/rec/track.ogg`,
    `raw/${ORG}`,
    `raw/${ORG}/`,
    `raw/${ORG}/../${OTHER}/x`,
    `raw/${ORG}/./x`,
    `raw/${ORG}//x`,
    `recordings/${ORG}/x.mp4`,
    `/raw/${ORG}/x`,
    'x.mp4',
  ])('refuses %s', (key) => {
    expect(objectKeyIsUnderOrg(key, ORG)).toBe(false);
  });
});
