import { z } from 'zod';

// R-G4: which provider serves each kind, chosen by configuration. The defaults need no network.
// Spread `speechEnv` into an app's env schema; `toSpeechConfig` checks what depends on what.
export const speechEnv = {
  INTERVIEWER_BRAIN: z.enum(['scripted', 'openai']).default('scripted'),
  STT_PROVIDER: z.enum(['pocketsphinx', 'openai', 'none']).default('pocketsphinx'),
  TTS_PROVIDER: z.enum(['espeak', 'openai']).default('espeak'),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_STT_MODEL: z.string().min(1).default('whisper-1'),
  OPENAI_TTS_MODEL: z.string().min(1).default('tts-1'),
  OPENAI_TTS_VOICE: z.string().min(1).default('alloy'),
  ESPEAK_VOICE: z
    .string()
    .regex(/^[a-z0-9+_-]{1,40}$/i, 'an espeak-ng voice name such as en-us+f2')
    .default('en-us+f2'),
  ESPEAK_RATE_WPM: z.coerce.number().int().min(80).max(450).default(150),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(8_000),
};

const SpeechEnv = z.object(speechEnv).superRefine((env, ctx) => {
  const usesOpenAi =
    env.INTERVIEWER_BRAIN === 'openai' || env.STT_PROVIDER === 'openai' || env.TTS_PROVIDER === 'openai';
  if (usesOpenAi && !env.OPENAI_API_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['OPENAI_API_KEY'],
      message: 'is required when INTERVIEWER_BRAIN, STT_PROVIDER or TTS_PROVIDER is openai',
    });
  }
});

export type SpeechEnv = z.output<typeof SpeechEnv>;

export function toSpeechConfig(env: z.output<z.ZodObject<typeof speechEnv>>) {
  const checked = SpeechEnv.parse(env);
  return {
    brain: checked.INTERVIEWER_BRAIN,
    stt: checked.STT_PROVIDER,
    tts: checked.TTS_PROVIDER,
    openai: {
      baseUrl: checked.OPENAI_BASE_URL.replace(/\/+$/, ''),
      apiKey: checked.OPENAI_API_KEY ?? '',
      llmModel: checked.OPENAI_LLM_MODEL,
      sttModel: checked.OPENAI_STT_MODEL,
      ttsModel: checked.OPENAI_TTS_MODEL,
      ttsVoice: checked.OPENAI_TTS_VOICE,
    },
    espeak: { voice: checked.ESPEAK_VOICE, rateWpm: checked.ESPEAK_RATE_WPM },
    timeoutMs: checked.PROVIDER_TIMEOUT_MS,
  };
}
export type SpeechConfig = ReturnType<typeof toSpeechConfig>;
