import { z } from 'zod';
import {
  AvatarVendorError,
  vendorFetch,
  vendorHttpError,
  vendorJson,
  type AvatarProvider,
  type AvatarSessionGrant,
} from './avatar-provider';
import type { SpatiusConfig } from './avatars.env';

// Spatius's documented Console API (https://docs.spatius.ai/api-reference/api-reference, source
// github.com/spatius-ai/docs api-reference/api-reference.mdx and api-reference/auth.mdx):
//   POST {console host}/v1/console/session-tokens, header X-Api-Key, body { appId, expireAt }
//   (expireAt: epoch seconds, now < expireAt < now + 24 h) → 200 { sessionToken } — the token may
//   come as sessionToken, sessionKey or token, optionally wrapped in { data: … }; errors come as
//   { errors: [{ status, … }] } (how the official SDK reads them, spatius-sdk-js src/network.ts).
// Tokens are single-use: one per connection; new connections after expireAt are refused.

const TokenFields = z.object({
  sessionToken: z.string().min(8).max(8192).optional(),
  sessionKey: z.string().min(8).max(8192).optional(),
  token: z.string().min(8).max(8192).optional(),
});
const TokenAnswer = z.union([z.object({ data: TokenFields }), TokenFields]);
const ErrorAnswer = z.object({ errors: z.array(z.object({ status: z.coerce.number().optional() })).min(1) });

export class SpatiusProvider implements AvatarProvider {
  readonly vendor = 'spatius' as const;

  constructor(
    private readonly config: SpatiusConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async createSession(signal: AbortSignal): Promise<AvatarSessionGrant> {
    const expireAtSeconds = Math.floor((this.now() + this.config.tokenTtlMs) / 1000);
    const operation = 'POST /v1/console/session-tokens';
    const response = await vendorFetch(this.vendor, operation, `${this.config.baseURL}/v1/console/session-tokens`, {
      method: 'POST',
      headers: { 'X-Api-Key': this.config.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ appId: this.config.appId, expireAt: expireAtSeconds }),
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw vendorHttpError(this.vendor, operation, response);
    }
    const body = await vendorJson(this.vendor, operation, response);
    const failed = ErrorAnswer.safeParse(body);
    if (failed.success) {
      const status = failed.data.errors[0].status ?? 500;
      const kind = status === 429 ? 'rate_limited' : status >= 500 ? 'http_5xx' : 'http_4xx';
      throw new AvatarVendorError(this.vendor, kind, `spatius ${operation} answered an error (${status})`, status);
    }
    const parsed = TokenAnswer.safeParse(body);
    const fields = parsed.success ? ('data' in parsed.data ? parsed.data.data : parsed.data) : undefined;
    const token = fields?.sessionToken ?? fields?.sessionKey ?? fields?.token;
    if (!token) throw new AvatarVendorError(this.vendor, 'malformed', `spatius ${operation}: no session token`);
    return {
      vendor: this.vendor,
      token,
      expiresAt: expireAtSeconds * 1000,
      details: { appId: this.config.appId },
    };
  }
}
