import { readBody, sendJson } from './http-stand-in.util';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for the OpenAI API, as documented, for tests of anything that talks to an
// OpenAI-compatible server: chat completions (whole, streamed as SSE, structured via json_schema),
// transcriptions (multipart upload), speech (pcm/wav whole, mp3 streamed in paced chunks) and the model list. Every route's answer is a
// settable handler or a failure mode, and every request is logged so a test can assert what was sent.
// Self-contained on purpose: it must not share code (WAV, multipart) with what it tests.

/** Throw from a handler to answer with this status and an OpenAI-style error body. */
export class StandInError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** `fail`: 500 with an OpenAI error body. `hang`: never answers (until close()). */
export type FailureMode = 'fail' | 'hang';
type Route<H> = H | FailureMode;

export interface ChatCall {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream: boolean;
  body: any;
}
export interface JsonCall extends ChatCall {
  name: string;
  schema: Record<string, unknown>;
  strict: boolean | undefined;
}
export interface UploadedFile {
  field: string;
  filename: string | undefined;
  contentType: string | undefined;
  bytes: Buffer;
}
export interface TranscriptionCall {
  model: string | undefined;
  language: string | undefined;
  responseFormat: string;
  file: UploadedFile | undefined;
  fields: Record<string, string>;
}
export interface SpeechCall {
  model: string;
  voice: unknown;
  input: string;
  responseFormat: string;
  body: any;
}

/** The assistant's text. */
export type ChatHandler = (call: ChatCall) => string | Promise<string>;
/** The structured answer (serialised to JSON for the model's content). */
export type JsonHandler = (call: JsonCall) => unknown;
/** The transcript. */
export type TranscriptionHandler = (call: TranscriptionCall) => string | Promise<string>;
/** 24 kHz mono samples (sent as `pcm`, or wrapped in a WAV header for `wav`). */
export type SpeechHandler = (call: SpeechCall) => Int16Array | Promise<Int16Array>;

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v1/chat/completions. */
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or for multipart `{ fields, files }`; undefined for none. */
  body: any;
  raw: Buffer;
  /** False when the Authorization header was missing or wrong (answered 401). */
  authorized: boolean;
}

export interface OpenAiStandInOptions {
  apiKey?: string;
  chat?: Route<ChatHandler>;
  json?: Route<JsonHandler>;
  transcription?: Route<TranscriptionHandler>;
  speech?: Route<SpeechHandler>;
  models?: Route<string[]>;
  stream?: StreamPacing;
}

/** How `stream: true` answers are sent. */
export interface StreamPacing {
  /** Characters per delta (default: one word per chunk). */
  chunkChars?: number;
  /** Pause before each delta. */
  delayMs?: number;
  /** Send this many deltas, then nothing more (the connection stays open): a vendor stalling mid-answer. */
  stallAfter?: number;
}

/** How `response_format: 'mp3'` answers are sent: the real API streams MP3 while it is made. */
export interface Mp3Pacing {
  /**
   * normal: 200 audio/mpeg in `chunks` pieces; slow: the same with `delayMs` (default 200) before
   * each; hanging: no answer at all (until close()); 5xx: 500; 429: rate limited; malformed: 200
   * audio/mpeg whose body is not MP3.
   */
  mode?: 'normal' | 'slow' | 'hanging' | '5xx' | '429' | 'malformed';
  /** Pieces the clip is cut into (default 8). */
  chunks?: number;
  /** Pause before each piece (normal: 0). */
  delayMs?: number;
  /** The last piece waits for this (e.g. until the test's client has the first bytes). */
  holdLast?: Promise<unknown>;
  /** The clip to send (default standInMp3()). */
  bytes?: Buffer;
}

/** What one mp3 answer did, for assertions on timing. */
export interface Mp3Delivery {
  input: string;
  voice: unknown;
  startedAt: number;
  /** performance.now() when each piece was written. */
  sentAt: number[];
  /** When the answer ended (undefined: not yet, or cut). */
  endedAt?: number;
}

let mp3Clip: Buffer | undefined;
/** Two seconds of a 440 Hz tone as real MP3 (ffmpeg, libmp3lame), made once per process. */
export function standInMp3(): Buffer {
  mp3Clip ??= execFileSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
      ...['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '0', '-f', 'mp3', 'pipe:1'],
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return mp3Clip;
}

export interface OpenAiStandIn {
  /** Base URL ending in /v1, for the SDK's baseURL. */
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Requests to one path, e.g. requestsTo('/v1/chat/completions'). */
  requestsTo(path: string): RecordedRequest[];
  setChat(handler: Route<ChatHandler>): void;
  setJson(handler: Route<JsonHandler>): void;
  setTranscription(handler: Route<TranscriptionHandler>): void;
  setSpeech(handler: Route<SpeechHandler>): void;
  setModels(handler: Route<string[]>): void;
  setStream(pacing: StreamPacing): void;
  /** How mp3 speech is answered from now on. */
  setMp3(pacing: Mp3Pacing): void;
  /** Every mp3 answer so far, oldest first. */
  mp3Deliveries: Mp3Delivery[];
  close(): Promise<void>;
}

export const STAND_IN_RATE = 24_000;

/** A 440 Hz tone, 0.3 s a word: plausible speech-length audio that is clearly not silence. */
export function tone(seconds: number, rate = STAND_IN_RATE, hz = 440): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

export async function startOpenAiStandIn(options: OpenAiStandInOptions = {}): Promise<OpenAiStandIn> {
  const apiKey = options.apiKey ?? `sk-stand-in-${randomBytes(12).toString('hex')}`;
  const routes = {
    chat: options.chat ?? ((call: ChatCall) => `stand-in answer to ${call.messages.length} messages`),
    json: options.json ?? (() => ({})),
    transcription: options.transcription ?? (() => 'stand-in transcript'),
    speech:
      options.speech ??
      ((call: SpeechCall) => tone(Math.max(0.2, 0.3 * call.input.split(/\s+/).filter(Boolean).length))),
    models: options.models ?? ['gpt-4o-mini', 'whisper-1', 'tts-1'],
  } as {
    chat: Route<ChatHandler>;
    json: Route<JsonHandler>;
    transcription: Route<TranscriptionHandler>;
    speech: Route<SpeechHandler>;
    models: Route<string[]>;
  };
  const requests: RecordedRequest[] = [];
  let pacing: StreamPacing = options.stream ?? {};
  let mp3Pacing: Mp3Pacing = {};
  const mp3Deliveries: Mp3Delivery[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else if (err instanceof StandInError) sendError(res, err.status, err.message, err.type, err.code);
      else sendError(res, 500, `stand-in handler failed: ${(err as Error).message}`, 'server_error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const contentType = req.headers['content-type'] ?? '';
    const authorized = req.headers.authorization === `Bearer ${apiKey}`;
    let body: any;
    let unreadable: StandInError | undefined;
    try {
      body = parseBody(raw, contentType);
    } catch (err) {
      unreadable = err instanceof StandInError ? err : new StandInError(400, 'unreadable body');
    }
    // Logged before anything can refuse it, so a test sees what was sent even when it failed.
    requests.push({ method: req.method ?? '', path, headers: req.headers, body, raw, authorized });

    if (!authorized) {
      return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (unreadable) throw unreadable;
    const route = `${req.method} ${path}`;
    if (route === 'POST /v1/chat/completions') return chat(body, res);
    if (route === 'POST /v1/audio/transcriptions') return transcription(body, res);
    if (route === 'POST /v1/audio/speech') return speech(body, res);
    if (route === 'GET /v1/models') {
      if (failed(routes.models, res)) return;
      const ids = routes.models as string[];
      return sendJson(res, 200, {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'stand-in' })),
      });
    }
    sendError(res, 404, `Unknown request URL: ${req.method} ${path}.`, 'invalid_request_error', 'unknown_url');
  }

  async function chat(body: any, res: ServerResponse): Promise<void> {
    if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      throw new StandInError(400, "'model' and 'messages' are required");
    }
    const call: ChatCall = { model: body.model, messages: body.messages, stream: body.stream === true, body };
    const format = body.response_format;
    let content: string;
    if (format?.type === 'json_schema') {
      if (failed(routes.json, res)) return;
      const spec = format.json_schema ?? {};
      if (typeof spec.name !== 'string' || typeof spec.schema !== 'object') {
        throw new StandInError(400, "response_format.json_schema needs 'name' and 'schema'");
      }
      const handler = routes.json as JsonHandler;
      content = JSON.stringify(await handler({ ...call, name: spec.name, schema: spec.schema, strict: spec.strict }));
    } else {
      if (failed(routes.chat, res)) return;
      content = await (routes.chat as ChatHandler)(call);
    }

    const id = `chatcmpl-${randomBytes(6).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    if (!call.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: call.model,
        choices: [
          { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: call.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const { chunkChars, delayMs, stallAfter } = pacing;
    for (const [index, piece] of pieces(content, chunkChars).entries()) {
      // Stalled: hold the connection open until the client gives up or close() ends it.
      if (stallAfter !== undefined && index >= stallAfter) return;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      res.write(chunk({ content: piece }, null));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  async function transcription(body: any, res: ServerResponse): Promise<void> {
    if (failed(routes.transcription, res)) return;
    const fields: Record<string, string> = body?.fields ?? {};
    const file = (body?.files as UploadedFile[] | undefined)?.find((f) => f.field === 'file');
    if (!file) throw new StandInError(400, "'file' is required (multipart/form-data)");
    if (!fields.model) throw new StandInError(400, "'model' is required");
    const responseFormat = fields.response_format ?? 'json';
    const text = await (routes.transcription as TranscriptionHandler)({
      model: fields.model,
      language: fields.language,
      responseFormat,
      file,
      fields,
    });
    if (responseFormat === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    } else sendJson(res, 200, { text });
  }

  async function speech(body: any, res: ServerResponse): Promise<void> {
    if (failed(routes.speech, res)) return;
    if (!body || typeof body.input !== 'string' || typeof body.model !== 'string' || body.voice === undefined) {
      throw new StandInError(400, "'model', 'input' and 'voice' are required");
    }
    const responseFormat: string = body.response_format ?? 'mp3';
    if (responseFormat === 'mp3') return mp3(body, res);
    if (responseFormat !== 'pcm' && responseFormat !== 'wav') {
      throw new StandInError(400, `the stand-in speaks pcm, wav and mp3 only, not ${responseFormat}`);
    }
    const samples = await (routes.speech as SpeechHandler)({
      model: body.model,
      voice: body.voice,
      input: body.input,
      responseFormat,
      body,
    });
    const pcm = Buffer.alloc(samples.length * 2);
    samples.forEach((sample, i) => pcm.writeInt16LE(sample, i * 2));
    res.writeHead(200, { 'content-type': responseFormat === 'pcm' ? 'audio/pcm' : 'audio/wav' });
    res.end(responseFormat === 'pcm' ? pcm : Buffer.concat([wavHeader(pcm.length, STAND_IN_RATE), pcm]));
  }

  async function mp3(body: any, res: ServerResponse): Promise<void> {
    const { mode = 'normal', holdLast } = mp3Pacing;
    if (mode === 'hanging') return;
    if (mode === '5xx')
      return sendError(res, 500, 'The server had an error while processing your request.', 'server_error');
    if (mode === '429') {
      res.setHeader('retry-after', '1');
      return sendError(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded');
    }
    const delivery: Mp3Delivery = { input: body.input, voice: body.voice, startedAt: performance.now(), sentAt: [] };
    mp3Deliveries.push(delivery);
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'transfer-encoding': 'chunked' });
    const clip =
      mode === 'malformed'
        ? Buffer.from('{"error":"this is not audio"}'.repeat(20))
        : (mp3Pacing.bytes ?? standInMp3());
    const count = Math.max(1, Math.min(mp3Pacing.chunks ?? 8, clip.length));
    const size = Math.ceil(clip.length / count);
    const delayMs = mp3Pacing.delayMs ?? (mode === 'slow' ? 200 : 0);
    for (let i = 0; i < count; i++) {
      if (i === count - 1 && holdLast) await holdLast;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      res.write(clip.subarray(i * size, (i + 1) * size));
      delivery.sentAt.push(performance.now());
    }
    res.end();
    delivery.endedAt = performance.now();
  }

  /** Answers for a failure mode; true when it did (or, for hang, never will). */
  function failed(route: unknown, res: ServerResponse): boolean {
    if (route === 'fail') {
      sendError(res, 500, 'The stand-in was told to fail.', 'server_error');
      return true;
    }
    // Hang: hold the request open; close() ends it with the connection.
    return route === 'hang';
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    setChat: (handler) => (routes.chat = handler),
    setJson: (handler) => (routes.json = handler),
    setTranscription: (handler) => (routes.transcription = handler),
    setSpeech: (handler) => (routes.speech = handler),
    setModels: (handler) => (routes.models = handler),
    setStream: (next) => (pacing = next),
    setMp3: (next) => (mp3Pacing = next),
    mp3Deliveries,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging requests hold their sockets open; end them so close() returns.
        server.closeAllConnections();
      }),
  };
}

function pieces(content: string, size: number | undefined): string[] {
  if (size && size > 0) {
    const out: string[] = [];
    for (let at = 0; at < content.length; at += size) out.push(content.slice(at, at + size));
    return out;
  }
  return content.match(/\S+\s*|\s+/g) ?? [];
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null) {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function parseBody(raw: Buffer, contentType: string): any {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new StandInError(400, 'We could not parse the JSON body of your request.');
    }
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (contentType.startsWith('multipart/form-data') && boundary)
    return parseMultipart(raw, boundary[1] ?? boundary[2]!);
  return undefined;
}

/** Enough of RFC 7578 for what the SDKs send: parts with Content-Disposition and an optional Content-Type. */
function parseMultipart(raw: Buffer, boundary: string): { fields: Record<string, string>; files: UploadedFile[] } {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
    const part = raw.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const partType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
    if (filename !== undefined || partType?.startsWith('audio/') || partType === 'application/octet-stream') {
      files.push({ field: name, filename, contentType: partType, bytes: Buffer.from(content) });
    } else fields[name] = content.toString('utf8');
    at = next;
  }
  return { fields, files };
}

function wavHeader(dataBytes: number, rate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
