import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { keyRing } from './env-fragments';
import { ConfigValidationError, parseEnv } from './parse-env';

const schema = z.object({ KEYS: keyRing(8) });

describe('keyRing', () => {
  it('parses several keys in order', () => {
    expect(parseEnv('t', schema, { KEYS: ' k1:secret-one , k2:secret-two' }).KEYS).toEqual([
      { id: 'k1', secret: 'secret-one' },
      { id: 'k2', secret: 'secret-two' },
    ]);
  });

  it('keeps colons inside secrets', () => {
    expect(parseEnv('t', schema, { KEYS: 'k1:a:b:c:d:e:f:g' }).KEYS[0].secret).toBe('a:b:c:d:e:f:g');
  });

  it.each([
    ['', /at least one/],
    ['k1', /must look like id:secret/],
    ['k1:short', /shorter than 8/],
    ['k1:long-enough-1,k1:long-enough-2', /appears twice/],
    ['bad id:long-enough', /must look like/],
  ])('rejects %j without echoing secrets', (value, message) => {
    try {
      parseEnv('t', schema, { KEYS: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('long-enough');
    }
  });
});
