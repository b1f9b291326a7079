import { randomUUID } from 'node:crypto';
import { SESSION_TICKET_AUDIENCE, type ParticipantRole } from '@app/contracts';
import { importJWK, SignJWT, type JWK } from 'jose';

export interface BenchTicket {
  ticket: string;
  room: string;
  identity: string;
}

/**
 * Signs a session ticket the way user-management does (Ed25519, audience
 * parley:video-streaming-server, 10-minute lifetime), for an existing room and identity.
 */
export async function signTicket(
  privateJwk: JWK & { kid: string },
  subject: { room: string; identity: string; role?: ParticipantRole; org?: string; sessionId?: string },
  ttlSeconds = 600,
): Promise<BenchTicket> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: subject.identity,
    room: subject.room,
    role: subject.role ?? 'candidate',
    org: subject.org ?? randomUUID(),
    sessionId: subject.sessionId ?? randomUUID(),
    aud: SESSION_TICKET_AUDIENCE,
    iat: now,
    exp: now + ttlSeconds,
  };
  const key = await importJWK(privateJwk, 'EdDSA');
  const ticket = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: privateJwk.kid, typ: 'JWT' })
    .sign(key);
  return { ticket, room: subject.room, identity: subject.identity };
}
