import type { AvatarVendorName } from './avatars.env';
import WebSocket from 'ws';

/**
 * Lip sync (planned enhancement): an avatar session driven by Parley's own TTS audio instead of
 * the vendor's voice. A driver opens the vendor's audio path for a session token and takes PCM16
 * chunks at whatever rate the TTS produced them; it converts them to what the vendor expects.
 */
export interface AvatarAudioDriver {
  readonly vendor: AvatarVendorName;
  open(sessionToken: string): Promise<AvatarAudioStream>;
}

export interface AvatarAudioStream {
  /** What the vendor sent when the session opened (Simli: the LiveKit room hosting the avatar). */
  readonly joinInfo: Record<string, unknown>;
  /** Mono PCM16 samples at `sampleRate`; buffered to the vendor's minimum chunk. */
  sendAudio(samples: Int16Array, sampleRate: number): void;
  /** Barge-in: the avatar stops speaking and drops what was sent. */
  clear(): void;
  /** Sends what is buffered, tells the vendor the speech is over, and closes. */
  end(): Promise<void>;
  readonly closed: boolean;
}

/** Simli's input rate (PCM16, mono) and its minimum chunk, 250 ms. */
export const SIMLI_SAMPLE_RATE = 16_000;
const SIMLI_MIN_CHUNK_BYTES = (SIMLI_SAMPLE_RATE * 2) / 4;

/** Linear-interpolation resampling of mono PCM16 (TTS output is 24 kHz; Simli takes 16 kHz). */
export function resamplePcm16(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to || samples.length === 0) return samples;
  const out = new Int16Array(Math.max(1, Math.round((samples.length * to) / from)));
  const step = from / to;
  for (let i = 0; i < out.length; i++) {
    const position = i * step;
    const left = Math.floor(position);
    const right = Math.min(left + 1, samples.length - 1);
    const fraction = position - left;
    out[i] = Math.round(samples[Math.min(left, samples.length - 1)] * (1 - fraction) + samples[right] * fraction);
  }
  return out;
}

/**
 * Simli's LiveKit-backed WebRTC session (https://docs.simli.com/api-reference/websockets/livekit,
 * https://api.simli.ai/asyncapi.yaml): wss://…/compose/webrtc/livekit?session_token=<compose token>;
 * the server first sends livekit_join_info ({ livekit_url, livekit_token }); the client sends the
 * audio as binary PCM16 16 kHz mono frames of at least 250 ms
 * (https://docs.simli.com/api-reference/webrtc-signaling-guide), "SKIP" to clear the buffer and
 * "DONE" as the final message (the clear_buffer and final_message signals).
 */
export class SimliAudioDriver implements AvatarAudioDriver {
  readonly vendor = 'simli' as const;

  constructor(
    private readonly baseURL: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async open(sessionToken: string): Promise<AvatarAudioStream> {
    const url = `${this.baseURL.replace(/^http/, 'ws')}/compose/webrtc/livekit?session_token=${encodeURIComponent(sessionToken)}`;
    const ws = new WebSocket(url, { handshakeTimeout: this.timeoutMs });
    const joinInfo = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        reject(new Error(reason));
        ws.terminate();
      };
      const timer = setTimeout(
        () => fail(`simli sent no livekit_join_info within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      ws.once('error', (err) => fail(`simli could not be reached: ${err.message}`));
      ws.once('message', (data, isBinary) => {
        const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : '';
        try {
          const info = JSON.parse(text) as Record<string, unknown>;
          if (typeof info.livekit_url === 'string') {
            clearTimeout(timer);
            return resolve(info);
          }
        } catch {
          // not JSON: an error message (e.g. an invalid token), below
        }
        fail(`simli refused the session: ${text.slice(0, 200)}`);
      });
      ws.once('close', () => fail('simli closed the session before it started'));
    });
    return new SimliAudioStream(ws, joinInfo);
  }
}

class SimliAudioStream implements AvatarAudioStream {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly joinInfo: Record<string, unknown>,
  ) {
    ws.on('error', () => undefined); // surfaced as `closed`
  }

  get closed(): boolean {
    return this.ws.readyState !== WebSocket.OPEN;
  }

  sendAudio(samples: Int16Array, sampleRate: number): void {
    const resampled = resamplePcm16(samples, sampleRate, SIMLI_SAMPLE_RATE);
    const bytes = Buffer.alloc(resampled.length * 2);
    for (let i = 0; i < resampled.length; i++) bytes.writeInt16LE(resampled[i], i * 2);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= SIMLI_MIN_CHUNK_BYTES) this.flushPending();
  }

  clear(): void {
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.closed) this.ws.send('SKIP');
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.flushPending();
    await new Promise<void>((resolve) => this.ws.send('DONE', () => resolve()));
    await new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => {
        this.ws.close();
        resolve();
      }, 2_000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private flushPending(): void {
    if (this.pendingBytes === 0 || this.closed) return;
    this.ws.send(Buffer.concat(this.pending), { binary: true });
    this.pending = [];
    this.pendingBytes = 0;
  }
}
