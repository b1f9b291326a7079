import { readBody, sendJson } from './http-stand-in.util';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Spatius's Console API, as documented, for tests of the avatar sessions:
//   POST /v1/console/session-tokens, header X-Api-Key, body { appId, expireAt } (epoch seconds,
//   now < expireAt < now + 24 h) → 200 { sessionToken }; errors as { errors: [{ status, code, detail }] }
//   (https://docs.spatius.ai/api-reference/api-reference; github.com/spatius-ai/docs
//   api-reference/api-reference.mdx; the error shape as spatius-sdk-js src/network.ts reads it).
// Every answer follows a settable mode (normal, slow, hanging, 5xx, 429, malformed body); every
// request and every minted token (with its expireAt) is recorded. Self-contained on purpose.

export type VendorMode = 'normal' | 'slow' | 'hang' | 'fail' | 'rate_limited' | 'malformed';

export interface SpatiusRecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  at: number;
}

export interface SpatiusMintedToken {
  token: string;
  appId: string;
  /** Epoch seconds, as asked. */
  expireAt: number;
  mintedAt: number;
}

export interface SpatiusStandIn {
  url: string;
  apiKey: string;
  appId: string;
  requests: SpatiusRecordedRequest[];
  tokens: SpatiusMintedToken[];
  readonly open: number;
  setMode(mode: VendorMode): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startSpatiusStandIn(
  options: { apiKey?: string; appId?: string; mode?: VendorMode; delayMs?: number; slowMs?: number } = {},
): Promise<SpatiusStandIn> {
  const apiKey = options.apiKey ?? `spatius-key-${randomBytes(12).toString('hex')}`;
  const appId = options.appId ?? `app-${randomBytes(4).toString('hex')}`;
  let mode: VendorMode = options.mode ?? 'normal';
  let delayMs = options.delayMs ?? 0;
  const slowMs = options.slowMs ?? 1_500;
  const requests: SpatiusRecordedRequest[] = [];
  const tokens: SpatiusMintedToken[] = [];
  let open = 0;

  const server = createServer((req, res) => {
    open++;
    res.on('close', () => open--);
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) failure(res, 500, 'internal', (err as Error).message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? '', path, headers: req.headers, body, at: Date.now() });
    if (`${req.method} ${path}` !== 'POST /v1/console/session-tokens')
      return failure(res, 404, 'not_found', 'no route');
    if (req.headers['x-api-key'] !== apiKey) return failure(res, 401, 'unauthorized', 'invalid API key');

    if (mode === 'hang') return;
    const wait = mode === 'slow' ? Math.max(slowMs, delayMs) : delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return;
    if (mode === 'fail') return failure(res, 502, 'bad_gateway', 'upstream unavailable');
    if (mode === 'rate_limited') return failure(res, 429, 'rate_limited', 'slow down', { 'retry-after': '3' });
    if (mode === 'malformed') return sendJson(res, 200, { data: { sessionTokn: 42 } });

    const now = Math.floor(Date.now() / 1000);
    if (!body || body.appId !== appId) return failure(res, 403, 'forbidden', 'unknown appId for this key');
    if (!Number.isInteger(body.expireAt) || body.expireAt <= now || body.expireAt >= now + 24 * 3600) {
      return failure(res, 400, 'invalid_argument', 'expireAt must be within the next 24 hours');
    }
    const token = `spatius-session-${randomBytes(16).toString('hex')}`;
    tokens.push({ token, appId, expireAt: body.expireAt, mintedAt: Date.now() });
    return sendJson(res, 200, { sessionToken: token });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    appId,
    requests,
    tokens,
    get open() {
      return open;
    },
    setMode: (next) => (mode = next),
    setDelay: (ms) => (delayMs = ms),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function failure(res: ServerResponse, status: number, code: string, detail: string, headers?: Record<string, string>) {
  sendJson(res, status, { errors: [{ status: String(status), code, detail }] }, headers);
}
