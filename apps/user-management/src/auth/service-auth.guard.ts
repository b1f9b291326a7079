import {
  createParamDecorator,
  applyDecorators,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '@app/errors';
import { ServiceTokenRejected, verifyServiceToken, type ServiceCaller } from '@app/service-auth';
import type { FastifyRequest } from 'fastify';
import { UM_CONFIG, type UserManagementConfig } from '../config';

const ALLOWED_CALLERS = 'parley:service-callers';

/**
 * The internal API's gate: a service token (HS256 with one of INTERNAL_API_KEYS, the internal
 * audience, at most five minutes) whose issuer owns the key that signed it, from a caller the
 * route allows. Staff tokens and session tickets are refused here, as service tokens are refused
 * everywhere else.
 */
@Injectable()
export class ServiceAuthGuard implements CanActivate {
  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { serviceCaller?: ServiceCaller }>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new DomainError(DomainErrorCode.Unauthenticated, 'missing Bearer service token');
    let caller: ServiceCaller;
    try {
      caller = (await verifyServiceToken(token, this.config.internalApiKeys)).caller;
    } catch (err) {
      if (err instanceof ServiceTokenRejected)
        throw new DomainError(DomainErrorCode.Unauthenticated, `service token refused: ${err.message}`);
      throw err;
    }
    // The route's own list wins over the controller's; a route without one admits every caller.
    const allowed = this.reflector.getAllAndOverride<readonly ServiceCaller[] | undefined>(ALLOWED_CALLERS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed && allowed.length > 0 && !allowed.includes(caller)) {
      throw new DomainError(
        DomainErrorCode.Forbidden,
        `${caller} may not call this route (only ${allowed.join(', ')})`,
        {
          reason: 'caller_not_allowed',
        },
      );
    }
    request.serviceCaller = caller;
    return true;
  }
}

/**
 * Service-to-service only. With callers, only those services may call (a different one: 403);
 * put it on a route to narrow what the controller allows.
 */
export const ServiceOnly = (...callers: ServiceCaller[]) =>
  applyDecorators(
    SetMetadata(ALLOWED_CALLERS, callers),
    UseGuards(ServiceAuthGuard),
    ApiBearerAuth('service'),
    ApiUnauthorizedResponse({ description: 'missing or invalid service token' }),
    ...(callers.length > 0
      ? [ApiForbiddenResponse({ description: `only ${callers.join(', ')} may call this (reason caller_not_allowed)` })]
      : []),
  );

/** The service that called (set by ServiceAuthGuard), for rules that depend on who reports what. */
export const CallingService = createParamDecorator((_data: unknown, context: ExecutionContext): ServiceCaller => {
  const caller = context.switchToHttp().getRequest<{ serviceCaller?: ServiceCaller }>().serviceCaller;
  if (!caller) throw new Error('ServiceAuthGuard must run before @CallingService()');
  return caller;
});
