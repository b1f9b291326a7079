import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { TelemetryClaims } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { FastifyRequest } from 'fastify';
import { TelemetryTokenService } from './telemetry-token.service';

type RequestWithTelemetry = FastifyRequest & { telemetry?: TelemetryClaims };

const BEARER = /^Bearer ([A-Za-z0-9._-]{16,4096})$/;

/**
 * Authorization header → verified telemetry claims (R-T3). The one check behind every telemetry
 * endpoint: the guard below and the lean heartbeat route (sessions/heartbeat.route.ts) both call it.
 */
export async function verifyTelemetryBearer(
  tokens: TelemetryTokenService,
  header: string | string[] | undefined,
): Promise<TelemetryClaims> {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match)
    throw new DomainError(DomainErrorCode.Unauthenticated, 'expected Authorization: Bearer <telemetry token>');
  return tokens.verify(match[1]);
}

/** Bearer telemetry JWT (R-T3) → request.telemetry. Nothing else opens these endpoints. */
@Injectable()
export class TelemetryGuard implements CanActivate {
  constructor(private readonly tokens: TelemetryTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithTelemetry>();
    request.telemetry = await verifyTelemetryBearer(this.tokens, request.headers.authorization);
    return true;
  }
}

export const Telemetry = createParamDecorator((_data: unknown, context: ExecutionContext): TelemetryClaims => {
  const claims = context.switchToHttp().getRequest<RequestWithTelemetry>().telemetry;
  if (!claims) throw new Error('TelemetryGuard must run before @Telemetry()');
  return claims;
});
