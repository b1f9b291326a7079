import { readBody, sendJson } from './http-stand-in.util';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

// A local stand-in for Simli's Compose API, as documented, for tests of the avatar sessions:
//   POST /compose/token (x-simli-api-key; StartStreamingSessionRequest → { session_token }; 400
//     { session_token: "FAIL TOKEN", detail }; 422 { detail: [{ loc, msg, type }] })
//     https://docs.simli.com/api-reference/compose-session-token, https://api.simli.ai/openapi.yaml
//   GET /compose/ice (x-simli-api-key → [{ urls, username, credential }])
//   WSS /compose/webrtc/livekit?session_token=… (https://docs.simli.com/api-reference/websockets/livekit):
//     the server sends livekit_join_info ({ livekit_url, livekit_token }); the client sends binary
//     PCM16 16 kHz mono audio chunks, and text signals ("SKIP" clears the buffer, "DONE" ends).
// Every HTTP answer follows a settable mode (normal, slow, hanging, 5xx, 429, malformed body); every
// request is recorded. Self-contained on purpose: it shares no code with what it tests.

export type VendorMode = 'normal' | 'slow' | 'hang' | 'fail' | 'rate_limited' | 'malformed';

export interface SimliRecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  at: number;
}

export interface SimliMintedToken {
  token: string;
  faceId: string;
  mintedAt: number;
  used: boolean;
}

export interface SimliAudioSession {
  token: string;
  /** All binary frames, concatenated. */
  audio: Buffer;
  /** Sizes of the binary frames, in order. */
  chunkSizes: number[];
  /** Text frames the client sent. */
  signals: string[];
  closed: boolean;
}

export interface SimliStandIn {
  url: string;
  apiKey: string;
  requests: SimliRecordedRequest[];
  tokens: SimliMintedToken[];
  audioSessions: SimliAudioSession[];
  /** Requests being answered right now (hanging ones included). */
  readonly open: number;
  setMode(mode: VendorMode): void;
  /** Latency of every answer in `normal` mode (and of `slow`, when larger). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startSimliStandIn(
  options: {
    apiKey?: string;
    mode?: VendorMode;
    delayMs?: number;
    slowMs?: number;
    /** The LiveKit room a session's socket hands out (a placeholder that no client can join by default). */
    joinInfo?: (sessionToken: string) => Promise<{ livekit_url: string; livekit_token: string }>;
  } = {},
): Promise<SimliStandIn> {
  const apiKey = options.apiKey ?? `simli-key-${randomBytes(12).toString('hex')}`;
  let mode: VendorMode = options.mode ?? 'normal';
  let delayMs = options.delayMs ?? 0;
  const slowMs = options.slowMs ?? 1_500;
  const requests: SimliRecordedRequest[] = [];
  const tokens: SimliMintedToken[] = [];
  const audioSessions: SimliAudioSession[] = [];
  const sockets = new Set<Socket>();
  let open = 0;

  const server = createServer((req, res) => {
    open++;
    res.on('close', () => open--);
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { detail: `stand-in failed: ${(err as Error).message}` });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
    const route = `${req.method} ${path}`;
    if (route !== 'POST /compose/token' && route !== 'GET /compose/ice')
      return sendJson(res, 404, { detail: 'Not Found' });
    if (req.headers['x-simli-api-key'] !== apiKey) return sendJson(res, 401, { detail: 'Invalid API key' });

    if (mode === 'hang') return; // held open until the client gives up or close()
    const wait = mode === 'slow' ? Math.max(slowMs, delayMs) : delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return;
    if (mode === 'fail') return sendJson(res, 503, { detail: 'Service temporarily unavailable' });
    if (mode === 'rate_limited') return sendJson(res, 429, { detail: 'Too many requests' }, { 'retry-after': '7' });
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"session_tok');
    }

    if (route === 'GET /compose/ice') {
      return sendJson(res, 200, [
        { urls: 'stun:stun.stand-in.simli.test:3478' },
        {
          urls: 'turn:turn.stand-in.simli.test:3478?transport=udp',
          username: `u-${randomBytes(4).toString('hex')}`,
          credential: randomBytes(8).toString('hex'),
        },
      ]);
    }
    if (!body || typeof body.faceId !== 'string' || body.faceId === '') {
      return sendJson(res, 422, { detail: [{ loc: ['body', 'faceId'], msg: 'Field required', type: 'missing' }] });
    }
    if (body.audioInputFormat !== undefined && body.audioInputFormat !== 'pcm16') {
      return sendJson(res, 400, { session_token: 'FAIL TOKEN', detail: 'unsupported audioInputFormat' });
    }
    const token = `simli-session-${randomBytes(16).toString('hex')}`;
    tokens.push({ token, faceId: body.faceId, mintedAt: Date.now(), used: false });
    return sendJson(res, 200, { session_token: token });
  }

  // --- the WebSocket of the LiveKit-backed session ---
  const sessionSockets = new WebSocketServer({ server, path: '/compose/webrtc/livekit' });
  sessionSockets.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const token = new URL(req.url ?? '/', 'http://stand-in').searchParams.get('session_token') ?? '';
    const minted = tokens.find((t) => t.token === token);
    if (!minted || minted.used) {
      socket.send('Invalid session token');
      socket.close(1008);
      return;
    }
    minted.used = true;
    const session: SimliAudioSession = { token, audio: Buffer.alloc(0), chunkSizes: [], signals: [], closed: false };
    audioSessions.push(session);
    const joinInfo = options.joinInfo
      ? options.joinInfo(token)
      : Promise.resolve({ livekit_url: 'wss://livekit.stand-in.simli.test', livekit_token: `lk-${token.slice(-8)}` });
    void joinInfo.then((info) => socket.send(JSON.stringify(info)));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        session.audio = Buffer.concat([session.audio, data]);
        session.chunkSizes.push(data.length);
        return;
      }
      const text = data.toString('utf8');
      session.signals.push(text);
      if (text === 'DONE') socket.close(1000);
    });
    socket.on('close', () => (session.closed = true));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    tokens,
    audioSessions,
    get open() {
      return open;
    },
    setMode: (next) => (mode = next),
    setDelay: (ms) => (delayMs = ms),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const client of sessionSockets.clients) client.terminate();
        sessionSockets.close();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
