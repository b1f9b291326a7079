import { decodeJwt } from 'jose';
import { AccessToken } from 'livekit-server-sdk';
import type { RoomGrant } from './grants';

export interface LiveKitApiKey {
  id: string;
  secret: string;
}

export interface LiveKitTokenRequest {
  /** The key that signs; LiveKit finds it again by the `iss` claim (the key id). */
  key: LiveKitApiKey;
  identity: string;
  /** From grantFor or observerGrant: exactly one room. */
  grant: RoomGrant;
  ttlSeconds: number;
  /** Display name other participants see (observers: their label). */
  name?: string;
  metadata?: string;
  attributes?: Record<string, string>;
}

export interface MintedLiveKitToken {
  token: string;
  room: string;
  identity: string;
  expiresAt: Date;
}

/**
 * The one place that signs LiveKit access tokens (video-streaming-server's participant and observer
 * tokens, user-management's meeting tokens), so grants, TTL handling and the reported expiry cannot
 * differ between the apps.
 */
export async function mintLiveKitToken(request: LiveKitTokenRequest): Promise<MintedLiveKitToken> {
  const accessToken = new AccessToken(request.key.id, request.key.secret, {
    identity: request.identity,
    ttl: request.ttlSeconds,
    ...(request.name !== undefined ? { name: request.name } : {}),
    ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
    ...(request.attributes !== undefined ? { attributes: request.attributes } : {}),
  });
  accessToken.addGrant(request.grant);
  const token = await accessToken.toJwt();
  // The token's own exp claim, so what we report and what LiveKit enforces can never disagree.
  return { token, room: request.grant.room, identity: request.identity, expiresAt: jwtExpiry(token) };
}

/** The `exp` of a JWT (not verified: for tokens we just signed or already verified). */
export function jwtExpiry(jwt: string): Date {
  const { exp } = decodeJwt(jwt);
  if (typeof exp !== 'number') throw new Error('the JWT has no exp claim');
  return new Date(exp * 1000);
}
