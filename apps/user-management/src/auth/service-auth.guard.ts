import {
  applyDecorators,
  Inject,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '@app/errors';
import { ServiceTokenRejected, verifyServiceToken, type ServiceCaller } from '@app/service-auth';
import type { FastifyRequest } from 'fastify';
import { UM_CONFIG, type UserManagementConfig } from '../config';

/**
 * The internal API's gate: a service token (HS256 with INTERNAL_API_KEYS, the internal audience,
 * at most five minutes) from the media plane or the agent. Staff tokens and session tickets are
 * refused here, as service tokens are refused everywhere else.
 */
@Injectable()
export class ServiceAuthGuard implements CanActivate {
  constructor(@Inject(UM_CONFIG) private readonly config: UserManagementConfig) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { serviceCaller?: ServiceCaller }>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new DomainError(DomainErrorCode.Unauthenticated, 'missing Bearer service token');
    try {
      request.serviceCaller = (await verifyServiceToken(token, this.config.internalApiKeys)).caller;
      return true;
    } catch (err) {
      if (err instanceof ServiceTokenRejected)
        throw new DomainError(DomainErrorCode.Unauthenticated, `service token refused: ${err.message}`);
      throw err;
    }
  }
}

export const ServiceOnly = () =>
  applyDecorators(
    UseGuards(ServiceAuthGuard),
    ApiBearerAuth('service'),
    ApiUnauthorizedResponse({ description: 'missing or invalid service token' }),
  );
