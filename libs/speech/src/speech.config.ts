import { ConfigValidationError, optionalString, type ConfigProblem } from '@app/config';
import { z } from 'zod';

// R-G4: which provider does each job is configuration, and the defaults need no network (espeak-ng
// speaks, pocketsphinx listens, the scripted brain asks). `openai` means any server speaking the
// OpenAI API at OPENAI_BASE_URL: OpenAI, or a self-hosted one (llama.cpp, vLLM, a Whisper server).

const model = (fallback: string) => z.string().trim().min(1).max(200).default(fallback);

/** Spread into an app's env schema; map with toSpeechConfig. */
export const speechEnv = {
  INTERVIEWER_BRAIN: z.enum(['scripted', 'openai']).default('scripted'),
  STT_PROVIDER: z.enum(['pocketsphinx', 'openai', 'none']).default('pocketsphinx'),
  TTS_PROVIDER: z.enum(['espeak', 'openai']).default('espeak'),
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .default('https://api.openai.com/v1'),
  // Optional here because the offline defaults need none; toSpeechConfig requires it when used.
  OPENAI_API_KEY: optionalString,
  OPENAI_LLM_MODEL: model('gpt-4o-mini'),
  OPENAI_STT_MODEL: model('whisper-1'),
  OPENAI_TTS_MODEL: model('tts-1'),
  OPENAI_TTS_VOICE: model('alloy'),
  ESPEAK_VOICE: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_+.-]{0,63}$/, 'must be an espeak-ng voice name such as en-us+f2')
    .default('en-us+f2'),
  ESPEAK_RATE_WPM: z.coerce.number().int().min(80).max(450).default(150),
  // Per provider call; a live turn cannot wait longer than this for a vendor.
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
};

export type SpeechEnv = z.output<z.ZodObject<typeof speechEnv>>;

export interface SpeechConfig {
  brain: SpeechEnv['INTERVIEWER_BRAIN'];
  stt: SpeechEnv['STT_PROVIDER'];
  tts: SpeechEnv['TTS_PROVIDER'];
  timeoutMs: number;
  espeak: { voice: string; rateWpm: number };
  openai: {
    baseURL: string;
    /** Set whenever any provider above is `openai`. */
    apiKey: string | undefined;
    llmModel: string;
    sttModel: string;
    ttsModel: string;
    ttsVoice: string;
  };
}

/** What is wrong across variables (a fragment's fields cannot see each other). */
export function speechEnvProblems(env: SpeechEnv): ConfigProblem[] {
  const usedBy = [
    env.INTERVIEWER_BRAIN === 'openai' ? 'INTERVIEWER_BRAIN=openai' : undefined,
    env.STT_PROVIDER === 'openai' ? 'STT_PROVIDER=openai' : undefined,
    env.TTS_PROVIDER === 'openai' ? 'TTS_PROVIDER=openai' : undefined,
  ].filter((reason) => reason !== undefined);
  if (usedBy.length === 0 || env.OPENAI_API_KEY !== undefined) return [];
  return [{ variable: 'OPENAI_API_KEY', problem: `is required when ${usedBy.join(', ')}` }];
}

/**
 * The nested speech config. Pass the transform's `ctx` (`.transform((env, ctx) => ...)`) and a missing
 * OPENAI_API_KEY is reported by parseEnv with every other bad variable; without it, a
 * ConfigValidationError naming the variable is thrown (parseEnv lets it through unchanged).
 */
export function toSpeechConfig(env: SpeechEnv, ctx?: Pick<z.core.$RefinementCtx, 'addIssue'>): SpeechConfig {
  const problems = speechEnvProblems(env);
  if (problems.length > 0) {
    if (!ctx) throw new ConfigValidationError('speech', problems);
    for (const { variable, problem } of problems) ctx.addIssue({ code: 'custom', message: problem, path: [variable] });
  }
  return {
    brain: env.INTERVIEWER_BRAIN,
    stt: env.STT_PROVIDER,
    tts: env.TTS_PROVIDER,
    timeoutMs: env.PROVIDER_TIMEOUT_MS,
    espeak: { voice: env.ESPEAK_VOICE, rateWpm: env.ESPEAK_RATE_WPM },
    openai: {
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      llmModel: env.OPENAI_LLM_MODEL,
      sttModel: env.OPENAI_STT_MODEL,
      ttsModel: env.OPENAI_TTS_MODEL,
      ttsVoice: env.OPENAI_TTS_VOICE,
    },
  };
}
