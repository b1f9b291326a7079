import {
  applyDecorators,
  createParamDecorator,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { UserRole } from '../persistence/entities';
import type { StaffPrincipal } from './staff-principal';
import { STAFF_JWT_STRATEGY } from './staff-jwt.strategy';

const ROLES_KEY = 'parley:roles';

/** Authenticates the Bearer access token; every failure is a 401 naming the reason. */
@Injectable()
export class StaffAuthGuard extends AuthGuard(STAFF_JWT_STRATEGY) {
  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) {
      const reason = info instanceof Error ? info.message : 'missing Bearer access token';
      throw new DomainError(DomainErrorCode.Unauthenticated, `not signed in: ${reason}`);
    }
    return user;
  }
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<readonly UserRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<{ user?: StaffPrincipal }>().user;
    if (principal && roles.includes(principal.role)) return true;
    throw new DomainError(DomainErrorCode.Forbidden, `this needs one of the roles: ${roles.join(', ')}`);
  }
}

/** Staff only; with roles, only those roles. */
export const StaffOnly = (...roles: readonly UserRole[]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(StaffAuthGuard, RolesGuard),
    ApiBearerAuth('staff'),
    ApiUnauthorizedResponse({ description: 'missing, invalid or expired access token' }),
    ApiForbiddenResponse({ description: 'the role may not do this' }),
  );

export const CurrentStaff = createParamDecorator((_data: unknown, context: ExecutionContext): StaffPrincipal => {
  return context.switchToHttp().getRequest<{ user: StaffPrincipal }>().user;
});
