import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_PROFILE } from '@app/devstack';
import type { Browser, Page } from 'playwright-core';

const run = promisify(execFile);

/** Where the test run saves page screenshots (git-ignored; README's copies live in docs/screenshots). */
export const SCREENSHOT_DIR = join(process.cwd(), '.parley', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** The web app as user-management serves it on the test stack. */
export const webUrl = (path = '/') => `http://127.0.0.1:${TEST_PROFILE.ports.userManagement}${path}`;

export { launchChromium } from '@app/devstack';

/** A page in its own context (own storage), desktop size unless `phone`. */
export async function newPage(
  browser: Browser,
  options: { phone?: boolean; permissions?: string[] } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.phone ? PHONE : DESKTOP,
    permissions: options.permissions ?? ['camera', 'microphone'],
  });
  return context.newPage();
}

/** Every console line and page error of `page`, to assert on (no invite code, no token). */
export function captureConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  return lines;
}

/** Saves `<name>-desktop.png` and `<name>-phone.png` of what `page` shows now. */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(viewport);
}

/** axe-core's serious and critical findings on the page as it is now (WCAG 2 A/AA rules). */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  // Runs in the page (a string, so this Node-side file needs no DOM types).
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target) }));
  })()`)) as Array<{ id: string; impact: string | null; targets: unknown[] }>;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${JSON.stringify(v.targets)}`);
}

/** A 48 kHz mono WAV of espeak-ng saying `text` (with a second of silence after), for the fake microphone. */
export async function speechWav(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-wav-'));
  const raw = join(dir, 'raw.wav');
  const out = join(dir, 'speech.wav');
  await run('espeak-ng', ['-s', '150', '-w', raw, text]);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', raw, '-af', 'apad=pad_dur=1', '-ar', '48000', '-ac', '1', out]);
  return out;
}
