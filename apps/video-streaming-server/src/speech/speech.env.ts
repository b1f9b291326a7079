import { z } from 'zod';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

// R-A1: the TTS endpoint's settings, one fragment of the media plane's config schema (config.ts
// spreads it in and maps it with toTtsConfig). Owned by the speech module.
export const ttsEnv = {
  // Empty: no vendor; the offline provider (espeak-ng through ffmpeg to MP3) answers.
  TTS_OPENAI_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional()),
  TTS_OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
  TTS_OPENAI_MODEL: z.string().trim().min(1).max(200).default('tts-1'),
  // R-A3: the vendor's answer must start within this long, and no gap between its chunks may be longer.
  TTS_VENDOR_TIMEOUT_MS: int(50, 120_000, 5_000),
  // Consecutive vendor failures (errors, timeouts) that open the circuit; while open, 503 at once.
  TTS_BREAKER_FAILURES: int(1, 1_000, 5),
  // How long an open circuit waits before one trial request may go to the vendor again.
  TTS_BREAKER_HALF_OPEN_AFTER_MS: int(100, 3_600_000, 10_000),
  // The offline provider: one utterance (espeak-ng and ffmpeg) is killed after this long, and at most
  // this many run at once (CPU-bound), with this many more waiting; beyond that, 503 at once.
  TTS_OFFLINE_TIMEOUT_MS: int(100, 120_000, 10_000),
  TTS_OFFLINE_CONCURRENCY: int(1, 64, 2),
  TTS_OFFLINE_QUEUE: int(0, 1_000, 8),
  // The answer cache in Redis: at most this many entries (0: no cache), each at most this big (a
  // longer answer streams but is not kept), each for at most this long. Worst case in Redis: entries
  // × entry bytes (defaults: 500 × 512 KiB = 250 MiB).
  TTS_CACHE_MAX_ENTRIES: int(0, 1_000_000, 500),
  TTS_CACHE_MAX_ENTRY_BYTES: int(1_024, 16 * 1024 * 1024, 512 * 1024),
  TTS_CACHE_TTL_SECONDS: int(1, 90 * 86_400, 7 * 86_400),
};

export type TtsEnv = z.output<z.ZodObject<typeof ttsEnv>>;

export const toTtsConfig = (env: TtsEnv) => ({
  openai: env.TTS_OPENAI_API_KEY
    ? { apiKey: env.TTS_OPENAI_API_KEY, baseURL: env.TTS_OPENAI_BASE_URL, model: env.TTS_OPENAI_MODEL }
    : null,
  vendorTimeoutMs: env.TTS_VENDOR_TIMEOUT_MS,
  breaker: { failures: env.TTS_BREAKER_FAILURES, halfOpenAfterMs: env.TTS_BREAKER_HALF_OPEN_AFTER_MS },
  offline: {
    timeoutMs: env.TTS_OFFLINE_TIMEOUT_MS,
    concurrency: env.TTS_OFFLINE_CONCURRENCY,
    queue: env.TTS_OFFLINE_QUEUE,
  },
  cache: {
    maxEntries: env.TTS_CACHE_MAX_ENTRIES,
    maxEntryBytes: env.TTS_CACHE_MAX_ENTRY_BYTES,
    ttlSeconds: env.TTS_CACHE_TTL_SECONDS,
  },
});
export type TtsConfig = ReturnType<typeof toTtsConfig>;
