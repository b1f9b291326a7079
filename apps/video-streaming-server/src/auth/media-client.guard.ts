import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeProtectedHeader } from 'jose';
import type { FastifyRequest } from 'fastify';
import { SessionTicketVerifier } from './session-ticket.verifier';
import { TelemetryTokenService } from './telemetry-token.service';

/** Who calls a media-client endpoint (TTS, avatar sessions): a participant of one room. */
export interface MediaClient {
  identity: string;
  room: string;
  role?: string;
  org?: string;
  /** Which credential proved it. */
  via: 'telemetry' | 'ticket';
}

type RequestWithClient = FastifyRequest & { mediaClient?: MediaClient };

const BEARER = /^Bearer ([A-Za-z0-9._-]{16,4096})$/;

/**
 * R-A1/R-A2: the vendor-backed endpoints take either credential a client holds: the telemetry JWT
 * (HS256, once in the room) or the session ticket (EdDSA, before joining, e.g. to warm up an avatar
 * while the candidate checks their devices). The JWT header's algorithm says which verifier applies;
 * each verifier checks its own audience and issuer, so neither token passes for the other.
 */
@Injectable()
export class MediaClientGuard implements CanActivate {
  constructor(
    private readonly telemetry: TelemetryTokenService,
    private readonly tickets: SessionTicketVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithClient>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      throw new DomainError(
        DomainErrorCode.Unauthenticated,
        'expected Authorization: Bearer <telemetry token or session ticket>',
      );
    }
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(match[1]).alg;
    } catch {
      throw new DomainError(DomainErrorCode.Unauthenticated, 'the bearer token is malformed');
    }
    if (alg === 'EdDSA') {
      const claims = await this.tickets.verify(match[1]);
      request.mediaClient = {
        identity: claims.sub,
        room: claims.room,
        role: claims.role,
        org: claims.org,
        via: 'ticket',
      };
    } else {
      const claims = await this.telemetry.verify(match[1]);
      request.mediaClient = {
        identity: claims.sub,
        room: claims.room,
        role: claims.role,
        org: claims.org,
        via: 'telemetry',
      };
    }
    return true;
  }
}

export const CurrentMediaClient = createParamDecorator((_data: unknown, context: ExecutionContext): MediaClient => {
  const client = context.switchToHttp().getRequest<RequestWithClient>().mediaClient;
  if (!client) throw new Error('MediaClientGuard must run before @CurrentMediaClient()');
  return client;
});
