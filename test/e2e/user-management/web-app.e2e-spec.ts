import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call, startUm } from '../../support/um.util';

// Issue 12: user-management serves the built web app at `/` (so the printed invite link opens it),
// page paths get index.html with the security headers, hashed assets are cached for good, and the
// API keeps its JSON 404s. The build here is a small one written to a temporary folder.
const env = inject('stackEnv');
let built: NestFastifyApplication;
let unbuilt: NestFastifyApplication;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  built = await startUm(env, { WEB_APP_DIR: dir, PUBLIC_MEDIA_API_URL: 'https://media.example.test' });
  unbuilt = await startUm(env, { WEB_APP_DIR: join(dir, 'missing') });
});
afterAll(async () => {
  await built?.close();
  await unbuilt?.close();
});

describe('the web app from user-management', () => {
  it.each(['/', '/interview', '/meeting', '/staff', '/staff/interviews/123'])(
    'page path %s gets index.html with the security headers',
    async (url) => {
      const res = await call(built, { method: 'GET', url });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    },
  );

  it('serves hashed assets as immutable, and a file added by a rebuild without a restart', async () => {
    const asset = await call(built, { method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    writeFileSync(join(dir, 'assets', 'index-def456.js'), 'console.log(2)');
    const rebuilt = await call(built, { method: 'GET', url: '/assets/index-def456.js' });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toBe('console.log(2)');
  });

  it('keeps JSON 404s for unknown API paths and missing assets', async () => {
    const api = await call(built, { method: 'GET', url: '/v1/no-such-thing' });
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toContain('application/json');
    const asset = await call(built, { method: 'GET', url: '/assets/nope.js' });
    expect(asset.status).toBe(404);
  });

  it('names the media plane for the browser in GET /v1/web-config', async () => {
    const res = await call(built, { method: 'GET', url: '/v1/web-config' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ mediaApiUrl: 'https://media.example.test' });
  });

  it('answers 503 with the command to run when the app is not built', async () => {
    const res = await call(unbuilt, { method: 'GET', url: '/interview' });
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build:web');
  });
});
