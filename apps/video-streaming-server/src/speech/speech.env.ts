import { z } from 'zod';

// R-A1: the TTS endpoint's settings, one fragment of the media plane's config schema (config.ts
// spreads it in and maps it with toTtsConfig). Owned by the speech module.
export const ttsEnv = {
  // Empty: no vendor; the offline provider (espeak-ng through ffmpeg to MP3) answers.
  TTS_OPENAI_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional()),
  TTS_OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
};

export const toTtsConfig = (env: { TTS_OPENAI_API_KEY?: string; TTS_OPENAI_BASE_URL: string }) => ({
  openai: env.TTS_OPENAI_API_KEY ? { apiKey: env.TTS_OPENAI_API_KEY, baseURL: env.TTS_OPENAI_BASE_URL } : null,
});
export type TtsConfig = ReturnType<typeof toTtsConfig>;
