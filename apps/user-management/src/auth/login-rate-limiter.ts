import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { UM_CONFIG, type UserManagementConfig } from '../config';

// Fixed-window counters in Redis, shared by every replica: per account (guessing one password)
// and per client address (spraying many accounts; five times the per-account budget).
const IP_FACTOR = 5;

@Injectable()
export class LoginRateLimiter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
  ) {}

  /** Counts one attempt; throws 429 once either budget of the window is spent. */
  async consume(email: string, ip: string): Promise<void> {
    const { loginMaxAttempts: max, loginWindowSeconds: window } = this.config.staffAuth;
    const accountKey = this.accountKey(email);
    const ipKey = `um:login:ip:${ip}`;
    const results = await this.redis
      .multi()
      .incr(accountKey)
      .expire(accountKey, window, 'NX')
      .ttl(accountKey)
      .incr(ipKey)
      .expire(ipKey, window, 'NX')
      .ttl(ipKey)
      .exec();
    const value = (i: number) => Number(results?.[i]?.[1] ?? 0);
    const [accountCount, accountTtl, ipCount, ipTtl] = [value(0), value(2), value(3), value(5)];
    if (accountCount > max || ipCount > max * IP_FACTOR) {
      const retryAfterSeconds = Math.max(1, accountCount > max ? accountTtl : ipTtl);
      throw new DomainError(
        DomainErrorCode.RateLimited,
        `too many sign-in attempts; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  }

  /** A successful sign-in clears the account's counter (not the address's). */
  async reset(email: string): Promise<void> {
    await this.redis.del(this.accountKey(email));
  }

  private accountKey(email: string): string {
    // Hashed so the key space never holds raw email addresses.
    return `um:login:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  }
}
