import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { SESSION_TICKET_AUDIENCE, type ParticipantRole, type SessionTicketClaims } from '@app/contracts';
import { importJWK, SignJWT, type KeyLike } from 'jose';
import { UM_CONFIG, type UserManagementConfig } from '../config';

export interface TicketSubject {
  identity: string;
  room: string;
  role: ParticipantRole;
  orgId: string;
  sessionId: string;
}

export interface SignedTicket {
  ticket: string;
  expiresAt: string;
}

/**
 * Signs session tickets (R-T1) with the Ed25519 private key. video-streaming-server holds only the
 * public key: it can check a ticket but never make one.
 */
@Injectable()
export class SessionTicketSigner implements OnModuleInit {
  private key!: KeyLike | Uint8Array;

  constructor(@Inject(UM_CONFIG) private readonly config: UserManagementConfig) {}

  async onModuleInit(): Promise<void> {
    const { kid: _kid, ...jwk } = this.config.sessionTicket.privateJwk;
    this.key = await importJWK(jwk, 'EdDSA');
  }

  async sign(subject: TicketSubject): Promise<SignedTicket> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.config.sessionTicket.ttlSeconds;
    const claims: Omit<SessionTicketClaims, 'sub' | 'aud' | 'iat' | 'exp'> = {
      room: subject.room,
      role: subject.role,
      org: subject.orgId,
      sessionId: subject.sessionId,
    };
    const ticket = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: this.config.sessionTicket.privateJwk.kid, typ: 'JWT' })
      .setSubject(subject.identity)
      .setAudience(SESSION_TICKET_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { ticket, expiresAt: new Date(exp * 1000).toISOString() };
  }
}
