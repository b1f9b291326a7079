import { z } from 'zod';

// R-A2: the avatar sessions' settings, one fragment of the media plane's config schema (config.ts
// spreads it in and maps it with toAvatarsConfig). Owned by the avatars module.
export const avatarsEnv = {
  SIMLI_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional()),
  SIMLI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.simli.ai'),
};

export const toAvatarsConfig = (env: { SIMLI_API_KEY?: string; SIMLI_BASE_URL: string }) => ({
  simli: env.SIMLI_API_KEY ? { apiKey: env.SIMLI_API_KEY, baseURL: env.SIMLI_BASE_URL } : null,
});
export type AvatarsConfig = ReturnType<typeof toAvatarsConfig>;
