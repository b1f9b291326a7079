import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (provisioned by `npm run provision`); playwright-core downloads no browser. */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with fake media: a test-pattern camera, and `audioWav` (48 kHz, looped) as
 * the microphone when given (a beep otherwise). Permission prompts are accepted. Shared by the
 * browser tests and the web benchmark.
 */
export function launchChromium(options: { audioWav?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...(options.audioWav ? [`--use-file-for-fake-audio-capture=${options.audioWav}`] : []),
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
    ],
  });
}
