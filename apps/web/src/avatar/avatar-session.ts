import { mediaUrl } from '../config';
import { ApiError, requestJson } from '../http';

/** VSS `POST /v1/avatar-sessions` (AvatarSessionResponse): a vendor session for this room. */
export interface AvatarSessionGrant {
  vendor: 'simli' | 'spatius';
  token: string;
  expiresAt: string;
  iceServers?: RTCIceServer[];
  details: Record<string, string | number | boolean>;
  fallback: 'orb';
}

/**
 * Asks the media plane for an avatar session with the room's telemetry JWT. The server decides who
 * gets one (the org's tier, the vendor's health); every refusal means "show the orb".
 */
export async function requestAvatarSession(mediaToken: string): Promise<AvatarSessionGrant> {
  return requestJson<AvatarSessionGrant>(await mediaUrl('/v1/avatar-sessions'), { body: {}, token: mediaToken });
}

/** Why the orb is shown: the server's reason when it refused, otherwise what failed here. */
export function fallbackReason(err: unknown): string {
  if (err instanceof ApiError) return err.reason ?? `http_${err.status}`;
  if (err instanceof Error && err.message) return err.message.slice(0, 80);
  return typeof err === 'string' ? err.slice(0, 80) : 'unknown';
}
