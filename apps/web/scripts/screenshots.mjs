// Manual check: serves dist/web on one origin with the APIs proxied (/v1/invites → user-management,
// /v1/tokens → video-streaming-server), then walks the candidate's path in Debian's Chromium and
// saves screenshots at desktop and phone width. Usage: node apps/web/scripts/screenshots.mjs <invite code>
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../../../dist/web/', import.meta.url).pathname;
const out = process.env.SHOTS_DIR ?? '/tmp/web-shots';
const invite = process.argv[2];
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

const server = createServer((req, res) => {
  const target = req.url.startsWith('/v1/invites') ? 3000 : req.url.startsWith('/v1/tokens') ? 3001 : 0;
  if (target) {
    const upstream = request({
      host: '127.0.0.1',
      port: target,
      path: req.url,
      method: req.method,
      headers: req.headers,
    });
    upstream.on('response', (r) => (res.writeHead(r.statusCode, r.headers), r.pipe(res)));
    upstream.on('error', () => (res.writeHead(502), res.end()));
    return void req.pipe(upstream);
  }
  let file = join(root, new URL(req.url, 'http://x').pathname);
  if (!file.startsWith(root) || !existsSync(file) || !extname(file)) file = join(root, 'index.html');
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(5180, '127.0.0.1', r));
const base = 'http://127.0.0.1:5180';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ],
});
const sizes = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } };
try {
  for (const [size, viewport] of Object.entries(sizes)) {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.on('console', (m) => m.type() === 'error' && console.log(`[${size}] console:`, m.text().slice(0, 200)));
    const shot = (name) => page.screenshot({ path: `${out}/${name}-${size}.png`, fullPage: true });

    await page.goto(`${base}/interview#invite=00000000-0000-0000-0000-000000000000.${'A'.repeat(43)}`);
    await page.getByRole('heading', { name: /does not work/ }).waitFor();
    await shot('invalid-invite');
    await page.goto(`${base}/interview`);
    await page.getByRole('heading', { name: /No invite/ }).waitFor();
    await shot('no-invite');

    if (!invite) continue;
    await page.goto(`${base}/interview#invite=${invite}`);
    await page.reload();
    const go = page.getByRole('button', { name: /Continue|Rejoin/ });
    await go.waitFor();
    await shot('landing');
    await go.click();
    await page.locator('h1').waitFor();
    await shot('consent');
    const agree = page.getByRole('checkbox');
    if (await agree.count()) await agree.check();
    await page.getByRole('button', { name: /join/i }).last().click();
    await page.getByRole('region', { name: 'Interview room' }).waitFor();
    await page
      .getByText('Interviewer', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    await page.waitForTimeout(size === 'desktop' ? 12_000 : 4_000);
    await shot('room');
    if (size === 'desktop') {
      await page.getByLabel('Type your answer').fill('I have five years of experience building TypeScript services.');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(6_000);
      await shot('room-answered');
    }
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('heading', { name: /left the interview/ }).waitFor();
    await shot('end');
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${out}`);
