import { ConfigValidationError, parseEnv } from '@app/config';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { speechEnv, toSpeechConfig } from './speech.config';

// As an app uses it: spread into its schema, mapped in its transform (with ctx, so the key check
// is reported like any other variable).
const schema = z.object({ ...speechEnv }).transform((env, ctx) => toSpeechConfig(env, ctx));

function configError(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('speechEnv', () => {
  it('defaults to the offline providers', () => {
    expect(parseEnv('svc', schema, {})).toEqual({
      brain: 'scripted',
      stt: 'pocketsphinx',
      tts: 'espeak',
      timeoutMs: 8_000,
      espeak: { voice: 'en-us+f2', rateWpm: 150 },
      openai: {
        baseURL: 'https://api.openai.com/v1',
        apiKey: undefined,
        llmModel: 'gpt-4o-mini',
        sttModel: 'whisper-1',
        ttsModel: 'tts-1',
        ttsVoice: 'alloy',
      },
    });
  });

  it('takes an OpenAI-compatible server for every kind', () => {
    const config = parseEnv('svc', schema, {
      INTERVIEWER_BRAIN: 'openai',
      STT_PROVIDER: 'openai',
      TTS_PROVIDER: 'openai',
      OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1',
      OPENAI_API_KEY: 'sk-local',
      OPENAI_LLM_MODEL: 'llama-3.1-8b',
      PROVIDER_TIMEOUT_MS: '2500',
      ESPEAK_RATE_WPM: '170',
    });
    expect(config).toMatchObject({ brain: 'openai', stt: 'openai', tts: 'openai', timeoutMs: 2_500 });
    expect(config.openai).toMatchObject({
      baseURL: 'http://127.0.0.1:8080/v1',
      apiKey: 'sk-local',
      llmModel: 'llama-3.1-8b',
    });
    expect(config.espeak.rateWpm).toBe(170);
  });

  it('names OPENAI_API_KEY and why when an openai provider has no key (empty counts as unset)', () => {
    const error = configError(() =>
      parseEnv('svc', schema, { INTERVIEWER_BRAIN: 'openai', TTS_PROVIDER: 'openai', OPENAI_API_KEY: '' }),
    );
    expect(error.problems).toEqual([
      { variable: 'OPENAI_API_KEY', problem: 'is required when INTERVIEWER_BRAIN=openai, TTS_PROVIDER=openai' },
    ]);
    expect(error.message).toContain('Invalid configuration for svc');
  });

  it('throws the same clear error when mapped without ctx', () => {
    const bare = z.object({ ...speechEnv }).transform((env) => toSpeechConfig(env));
    const error = configError(() => parseEnv('svc', bare, { STT_PROVIDER: 'openai' }));
    expect(error.message).toContain('OPENAI_API_KEY: is required when STT_PROVIDER=openai');
  });

  it('names each bad variable', () => {
    const error = configError(() =>
      parseEnv('svc', schema, {
        STT_PROVIDER: 'whisper',
        ESPEAK_VOICE: '--stdout',
        ESPEAK_RATE_WPM: '9000',
        OPENAI_BASE_URL: 'ftp://example.com',
        PROVIDER_TIMEOUT_MS: '10',
      }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'ESPEAK_RATE_WPM',
      'ESPEAK_VOICE',
      'OPENAI_BASE_URL',
      'PROVIDER_TIMEOUT_MS',
      'STT_PROVIDER',
    ]);
  });
});
