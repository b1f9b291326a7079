import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { FastifyRequest } from 'fastify';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';

export const OBSERVER_SECRET_HEADER = 'x-observer-secret';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time check of the server-side observer secret (hashing first equalises the lengths). */
export function secretsMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

@Injectable()
export class ObserverSecretGuard implements CanActivate {
  private readonly expected: string;

  constructor(@Inject(VSS_CONFIG) config: VideoStreamingServerConfig) {
    this.expected = config.observerSecret;
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = context.switchToHttp().getRequest<FastifyRequest>().headers[OBSERVER_SECRET_HEADER];
    if (
      typeof presented !== 'string' ||
      presented.length === 0 ||
      presented.length > 512 ||
      !secretsMatch(presented, this.expected)
    ) {
      throw new DomainError(DomainErrorCode.Unauthenticated, `missing or wrong ${OBSERVER_SECRET_HEADER} header`);
    }
    return true;
  }
}
