import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { SESSION_TICKET_AUDIENCE, type ParticipantRole } from '@app/contracts';
import { buildRoomName } from '@app/room-naming';
import { base64url, importJWK, SignJWT, type JWK } from 'jose';

export interface TicketInput {
  sub?: string;
  room?: string;
  role?: ParticipantRole;
  org?: string;
  sessionId?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
}

/** Signs a session ticket the way user-management does (Ed25519), with overridable claims. */
export async function signTicket(privateJwk: JWK & { kid?: string }, input: TicketInput = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const sessionId = input.sessionId ?? randomUUID();
  const claims: Record<string, unknown> = {
    sub: input.sub ?? `candidate-${sessionId.slice(0, 8)}`,
    room: input.room ?? buildRoomName({ kind: 'interview', id: sessionId, noBot: true }),
    role: input.role ?? 'candidate',
    org: input.org ?? randomUUID(),
    sessionId,
    aud: input.aud ?? SESSION_TICKET_AUDIENCE,
    iat: input.iat ?? now,
    exp: input.exp ?? now + 600,
  };
  if (input.nbf !== undefined) claims.nbf = input.nbf;
  const key = await importJWK(privateJwk, 'EdDSA');
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: privateJwk.kid, typ: 'JWT' }).sign(key);
}

export function ticketKeyFromEnv(env: Record<string, string>): JWK & { kid: string } {
  return JSON.parse(env.SESSION_TICKET_PRIVATE_KEY);
}

/** A key pair nobody trusts, with the same kid as the real one (so only the signature differs). */
export function foreignKey(kid: string): JWK & { kid: string } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid };
}

/** An unsigned JWT ("alg": "none") carrying the given claims. */
export function unsignedJwt(claims: Record<string, unknown>, kid?: string): string {
  const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) }));
  return `${header}.${base64url.encode(JSON.stringify(claims))}.`;
}

export function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}
