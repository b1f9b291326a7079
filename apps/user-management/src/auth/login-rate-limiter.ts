import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { UM_CONFIG, type UserManagementConfig } from '../config';

// Fixed-window counters of FAILED sign-ins in Redis, shared by every replica: per account
// (guessing one password) and per client address (spraying many accounts; five times the
// per-account budget). Successes cost nothing, so an office behind one NAT address is not locked
// out by its own sign-ins, and a success clears the account's counter.
const IP_FACTOR = 5;

// DECR only a live, positive counter: a bare DECR after the window expired would create a key
// without a TTL.
const GIVE_BACK = `for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 0 then redis.call('DECR', key) end
end
return 1`;

/** One attempt in flight: it counts as a failure until the caller reports it succeeded. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

@Injectable()
export class LoginRateLimiter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
  ) {}

  /**
   * Starts an attempt; throws 429 once either failure budget of the window is spent. The attempt
   * is counted up front (so a burst of parallel guesses cannot all pass the check before the
   * first failure lands) and taken back when it succeeds.
   */
  async begin(email: string, ip: string): Promise<LoginAttempt> {
    const { loginMaxAttempts: max, loginWindowSeconds: window } = this.config.staffAuth;
    const accountKey = this.accountKey(email);
    const ipKey = this.ipKey(ip);
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
      // A refused attempt is no failure of its own: the counters stay at what locked them.
      await this.redis.eval(GIVE_BACK, 2, accountKey, ipKey);
      const retryAfterSeconds = Math.max(1, accountCount > max ? accountTtl : ipTtl);
      throw new DomainError(
        DomainErrorCode.RateLimited,
        `too many sign-in attempts failed; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
    return {
      // The account starts afresh; the address gives back this attempt only (its other failures
      // may be someone else's guesses behind the same NAT).
      succeeded: async () => {
        await this.redis.del(accountKey);
        await this.redis.eval(GIVE_BACK, 1, ipKey);
      },
    };
  }

  private accountKey(email: string): string {
    // Hashed so the key space never holds raw email addresses.
    return `um:login:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  }

  private ipKey(ip: string): string {
    return `um:login:ip:${ip}`;
  }
}
