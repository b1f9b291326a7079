import { z } from 'zod';

// R-A1: POST /v1/speech. One allow-list of voices whatever the provider: OpenAI's own names, each
// mapped to an espeak-ng voice for the offline provider, so a client never needs to know which
// provider answers.
export const TTS_VOICES = {
  alloy: 'en-us+f2',
  ash: 'en-us+m3',
  coral: 'en-us+f3',
  echo: 'en-us+m1',
  fable: 'en-gb+m3',
  nova: 'en-us+f4',
  onyx: 'en-us+m7',
  sage: 'en-gb+f2',
  shimmer: 'en-us+f5',
} as const satisfies Record<string, string>;
export type TtsVoice = keyof typeof TTS_VOICES;

export const TTS_MAX_CHARS = 1_000;

export const SpeechRequest = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(TTS_MAX_CHARS, `must be at most ${TTS_MAX_CHARS} characters`),
    voice: z.enum(Object.keys(TTS_VOICES) as [TtsVoice, ...TtsVoice[]]),
    format: z.enum(['mp3']).default('mp3'),
  })
  .strict();
export type SpeechRequest = z.output<typeof SpeechRequest>;

/** Response headers of POST /v1/speech. */
export const TTS_HEADERS = {
  /** Which provider made the audio: openai or espeak. */
  provider: 'x-parley-tts-provider',
  /** hit: served from the cache; miss: made for this request. */
  cache: 'x-parley-tts-cache',
  /** On a 503: what the client shows instead of speech. */
  fallback: 'x-parley-fallback',
} as const;
