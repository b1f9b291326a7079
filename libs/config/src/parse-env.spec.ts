import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigValidationError, parseEnv } from './parse-env';
import { livekitEnv, objectStoreEnv, redisEnv } from './env-fragments';

const schema = z.object({ ...livekitEnv, ...redisEnv, ...objectStoreEnv });
const valid = {
  LIVEKIT_API_KEY: 'APIkey1',
  LIVEKIT_API_SECRET: 'x'.repeat(40),
  S3_ACCESS_KEY_ID: 'access',
  S3_SECRET_ACCESS_KEY: 'very-secret-value',
};

describe(parseEnv.name, () => {
  it('applies defaults and coerces types', () => {
    const env = parseEnv('svc', schema, { ...valid, S3_FORCE_PATH_STYLE: 'false', LIVEKIT_REQUEST_TIMEOUT_MS: '250' });
    expect(env.LIVEKIT_URL).toBe('ws://127.0.0.1:7880');
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
    expect(env.LIVEKIT_REQUEST_TIMEOUT_MS).toBe(250);
  });

  it('names every missing variable', () => {
    const error = captureError(() => parseEnv('svc', schema, {}));
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      ['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].sort(),
    );
    expect(error.message).toContain('LIVEKIT_API_SECRET: is required but not set');
    expect(error.message).toContain('Invalid configuration for svc');
  });

  it('never prints the value of a variable it rejects', () => {
    const shortSecret = 'hunter2-is-short';
    const error = captureError(() =>
      parseEnv('svc', schema, { ...valid, LIVEKIT_API_SECRET: shortSecret, REDIS_URL: 'http://user:pw-in-url@host' }),
    );
    expect(error.message).toContain('LIVEKIT_API_SECRET: must be at least 32 characters');
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).not.toContain(shortSecret);
    expect(error.message).not.toContain('pw-in-url');
  });
});

function captureError(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}
