import { Inject, Injectable } from '@nestjs/common';
import { SESSION_TICKET_AUDIENCE, SessionTicketClaims } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';

// Tickets are signed by user-management with Ed25519; this side holds only public keys, so it can
// verify but never forge one. The algorithm is pinned: "none", HS256 (a telemetry JWT) or any
// other algorithm fails before the signature is even looked at.
@Injectable()
export class SessionTicketVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(@Inject(VSS_CONFIG) config: VideoStreamingServerConfig) {
    this.keys = createLocalJWKSet({
      keys: config.tickets.publicKeys.keys.map((k) => ({ ...k, alg: 'EdDSA', use: 'sig' })),
    });
  }

  async verify(ticket: string): Promise<SessionTicketClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(ticket, this.keys, {
        algorithms: ['EdDSA'],
        audience: SESSION_TICKET_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5,
      }));
    } catch (err) {
      throw new DomainError(DomainErrorCode.Unauthenticated, `session ticket rejected: ${reason(err)}`);
    }
    const claims = SessionTicketClaims.safeParse(payload);
    if (!claims.success) {
      throw new DomainError(
        DomainErrorCode.Unauthenticated,
        `session ticket rejected: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    return claims.data;
  }
}

/** A short, non-revealing reason from jose's error codes. */
export function reason(err: unknown): string {
  switch ((err as { code?: string })?.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim "${(err as { claim?: string }).claim}" is invalid`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm not allowed';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'unknown signing key';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed token';
    default:
      return 'invalid token';
  }
}
