import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

/** Paths of the single-page app: each gets index.html, and the app picks the page. */
export const WEB_PAGE_ROUTES = ['/', '/interview', '/meeting', '/staff', '/staff/*'] as const;

// Pages hold invite codes in their fragment and staff tokens in memory: no framing, no referrer,
// no plugins. Hashed assets never change, so they are cached for a year; index.html never is.
const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
  'permissions-policy': 'camera=(self), microphone=(self), autoplay=(self)',
};

/**
 * Serves the built web app (`npm run build:web` → dist/web) from user-management: the hashed files
 * under /assets/ and index.html for every page path. Unknown paths outside these stay JSON 404s.
 * Both are looked up per request, so a rebuild while the server runs is served at once. Without a
 * build, page paths answer 503 with the command that makes one.
 */
export async function serveWebApp(app: NestFastifyApplication, dir: string): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    index: false,
    maxAge: '365d',
    immutable: true,
    setHeaders: (res) => {
      res.setHeader('x-content-type-options', 'nosniff');
    },
  });
  const page = (reply: FastifyReply) => {
    reply.headers(PAGE_HEADERS);
    if (!existsSync(join(dir, 'index.html'))) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The Parley web app is not built. Run `npm run build:web` (npm start and npm test do it).\n');
    }
    return reply.type('text/html; charset=utf-8').sendFile('index.html', dir, { cacheControl: false });
  };
  for (const url of WEB_PAGE_ROUTES) fastify.get(url, (_request, reply) => page(reply));
}
