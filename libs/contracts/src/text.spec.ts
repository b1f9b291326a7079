import { describe, expect, it } from 'vitest';
import { findIllFormedText, sanitizeText, textProblem, toWellFormedText, WellFormedInput } from './text';

describe('well-formed text', () => {
  it('finds lone surrogates and NULs, not surrogate pairs or other characters', () => {
    expect(textProblem('plain, ünïcödé, 🚀, \t\n')).toBeUndefined();
    expect(textProblem('\ud83d\ude80')).toBeUndefined();
    expect(textProblem('a\ud800')).toBe('contains a lone UTF-16 surrogate');
    expect(textProblem('\udc00a')).toBe('contains a lone UTF-16 surrogate');
    expect(textProblem('\ud800\ud800\udc00')).toBe('contains a lone UTF-16 surrogate');
    expect(textProblem('a\u0000b')).toBe('must not contain NUL characters (U+0000)');
  });

  it('names the path of every bad string, keys included, in records of any prototype', () => {
    const query = Object.assign(Object.create(null) as object, { note: 'x\u0000' });
    const value = {
      jobPosting: { competencies: [{ name: 'ok' }, { name: 'bad\ud800' }] },
      ['k\udfff']: 1,
      query,
      when: new Date(),
    };
    expect(findIllFormedText(value)).toEqual([
      { path: ['jobPosting', 'competencies', 1, 'name'], message: 'contains a lone UTF-16 surrogate' },
      { path: ['k\ufffd'], message: 'key contains a lone UTF-16 surrogate' },
      { path: ['query', 'note'], message: 'must not contain NUL characters (U+0000)' },
    ]);
    const result = WellFormedInput.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('jobPosting.competencies.1.name');
  });

  it('sanitizes for internal senders: lone surrogates become U+FFFD, NULs go, pairs stay', () => {
    expect(toWellFormedText('a\ud800b\u0000c🚀')).toBe('a\ufffdbc🚀');
    const cleaned = sanitizeText({ transcript: [{ text: 'hi\udc00' }], ['k\u0000']: ['\ud800'], n: 3, none: null });
    expect(cleaned).toEqual({ transcript: [{ text: 'hi\ufffd' }], k: ['\ufffd'], n: 3, none: null });
    expect(findIllFormedText(cleaned)).toEqual([]);
  });
});
