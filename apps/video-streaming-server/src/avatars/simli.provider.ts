import { z } from 'zod';
import {
  AvatarVendorError,
  vendorFetch,
  vendorHttpError,
  vendorJson,
  type AvatarProvider,
  type AvatarSessionGrant,
} from './avatar-provider';
import type { SimliConfig } from './avatars.env';

// Simli's documented Compose API (https://docs.simli.com/api-reference/compose-session-token and
// the OpenAPI document it renders, https://api.simli.ai/openapi.yaml):
//   POST /compose/token, header x-simli-api-key, body StartStreamingSessionRequest
//     { faceId, apiVersion?: "v2", handleSilence, maxSessionLength, maxIdleTime, startFrame?,
//       audioInputFormat: "pcm16" } → 200 { session_token }, 400 { session_token: "FAIL TOKEN", detail },
//     422 HTTPValidationError { detail: [{ loc, msg, type }] }
//   GET /compose/ice, header x-simli-api-key → 200 [{ urls, username, credential }]
// The token goes to the browser, whose simli-client opens <webSocketUrl>/compose/webrtc/livekit?
// session_token=… (https://docs.simli.com/api-reference/websockets/livekit): Simli answers with a
// LiveKit room carrying the face's video, and the browser sends the interviewer's voice for lip
// sync on that socket. (simli-client's p2p mode, <webSocketUrl>/compose/webrtc/p2p, uses the ICE
// servers instead.)

const TokenAnswer = z.object({ session_token: z.string().min(8).max(8192) });
const IceAnswer = z
  .array(
    z.object({
      urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  )
  .min(1)
  .max(20);

export class SimliProvider implements AvatarProvider {
  readonly vendor = 'simli' as const;

  constructor(
    private readonly config: SimliConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async createSession(signal: AbortSignal): Promise<AvatarSessionGrant> {
    const headers = { 'x-simli-api-key': this.config.apiKey, 'content-type': 'application/json' };
    const minted = this.now();
    const [token, iceServers] = await Promise.all([
      this.token(headers, signal),
      this.iceServers({ 'x-simli-api-key': this.config.apiKey }, signal),
    ]);
    return {
      vendor: this.vendor,
      token,
      // The answer carries no expiry: the configured lifetime, counted from before the call.
      expiresAt: minted + this.config.tokenTtlMs,
      iceServers,
      details: {
        faceId: this.config.faceId,
        // simli-client's base URL: it appends the path of the transport it uses.
        webSocketUrl: this.config.baseURL.replace(/^http/, 'ws').replace(/\/+$/, ''),
        transport: 'livekit',
        audioInputFormat: 'pcm16',
        audioSampleRate: 16_000,
        maxSessionSeconds: this.config.maxSessionSeconds,
      },
    };
  }

  private async token(headers: Record<string, string>, signal: AbortSignal): Promise<string> {
    const response = await vendorFetch(this.vendor, 'POST /compose/token', `${this.config.baseURL}/compose/token`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        faceId: this.config.faceId,
        handleSilence: true,
        maxSessionLength: this.config.maxSessionSeconds,
        maxIdleTime: this.config.maxIdleSeconds,
        audioInputFormat: 'pcm16',
      }),
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw vendorHttpError(this.vendor, 'POST /compose/token', response);
    }
    const parsed = TokenAnswer.safeParse(await vendorJson(this.vendor, 'POST /compose/token', response));
    // Simli's failure token comes with a 400, but a 200 carrying it is no token either.
    if (!parsed.success || parsed.data.session_token === 'FAIL TOKEN') {
      throw new AvatarVendorError(
        this.vendor,
        'malformed',
        'simli POST /compose/token: no session_token in the answer',
      );
    }
    return parsed.data.session_token;
  }

  private async iceServers(headers: Record<string, string>, signal: AbortSignal) {
    const response = await vendorFetch(this.vendor, 'GET /compose/ice', `${this.config.baseURL}/compose/ice`, {
      method: 'GET',
      headers,
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw vendorHttpError(this.vendor, 'GET /compose/ice', response);
    }
    const parsed = IceAnswer.safeParse(await vendorJson(this.vendor, 'GET /compose/ice', response));
    if (!parsed.success) {
      throw new AvatarVendorError(this.vendor, 'malformed', 'simli GET /compose/ice: not a list of ICE servers');
    }
    return parsed.data;
  }
}
