import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';

/** Signs a webhook body the way livekit-server does: a JWT (iss = API key) whose sha256 claim covers the body. */
export async function signWebhook(
  body: string,
  apiKey: string,
  apiSecret: string,
  options: { expiresInSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sha256: createHash('sha256').update(body).digest('base64') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(apiKey)
    .setNotBefore(now - 60)
    .setExpirationTime(now + (options.expiresInSeconds ?? 300))
    .sign(new TextEncoder().encode(apiSecret));
}

export function webhookBody(event: string, id: string, room: string, identity?: string): string {
  return JSON.stringify({
    event,
    id,
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { sid: 'RM_test', name: room },
    ...(identity ? { participant: { sid: 'PA_test', identity } } : {}),
  });
}

/**
 * A webhook body with every field chosen by the test: `createdAt` in seconds as LiveKit stamps it,
 * `id` left out when undefined (an event without an id), and the participant's connection join time.
 */
export function webhookEventBody(fields: {
  event: string;
  room: string;
  id?: string;
  createdAt?: number;
  identity?: string;
  participantSid?: string;
  joinedAtMs?: number;
}): string {
  return JSON.stringify({
    event: fields.event,
    ...(fields.id !== undefined ? { id: fields.id } : {}),
    createdAt: String(fields.createdAt ?? Math.floor(Date.now() / 1000)),
    room: { sid: 'RM_test', name: fields.room },
    ...(fields.identity
      ? {
          participant: {
            sid: fields.participantSid ?? 'PA_test',
            identity: fields.identity,
            ...(fields.joinedAtMs !== undefined
              ? { joinedAt: String(Math.floor(fields.joinedAtMs / 1000)), joinedAtMs: String(fields.joinedAtMs) }
              : {}),
          },
        }
      : {}),
  });
}
