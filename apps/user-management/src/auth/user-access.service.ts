import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import { UserRepository } from '../persistence/repositories';

/** What an access token of the user is checked against on every request. */
export interface UserAccess {
  /** the token version; an access token with another `ver` is refused */
  version: number;
  active: boolean;
}

const REDIS_TTL_SECONDS = 24 * 3600;
const LOCAL_ENTRIES_MAX = 10_000;
const key = (userId: string) => `um:user-access:${userId}`;
const encode = (access: UserAccess) => `${access.version}:${access.active ? 1 : 0}`;
const decode = (raw: string): UserAccess | undefined => {
  const match = /^(\d+):([01])$/.exec(raw);
  return match ? { version: Number(match[1]), active: match[2] === '1' } : undefined;
};

/**
 * A user's current token version and active flag, so a deactivation or role change takes effect
 * on the next request rather than when the 15-minute access token expires. PostgreSQL holds the
 * truth; Redis holds a copy every replica shares (written through on each change); each replica
 * keeps its own copy for USER_ACCESS_CACHE_MS, which bounds how late another replica notices.
 */
@Injectable()
export class UserAccessService {
  private readonly logger = new Logger(UserAccessService.name);
  private readonly local = new Map<string, { access: UserAccess | null; until: number }>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly users: UserRepository,
  ) {}

  /** Null when the user does not exist (in this org). */
  async current(orgId: string, userId: string): Promise<UserAccess | null> {
    const cached = this.local.get(userId);
    if (cached && cached.until > Date.now()) return cached.access;
    const access = await this.load(orgId, userId);
    this.remember(userId, access);
    return access;
  }

  /** After a change committed in PostgreSQL: every replica sees it within USER_ACCESS_CACHE_MS. */
  async publish(userId: string, access: UserAccess): Promise<void> {
    this.remember(userId, access);
    try {
      await this.redis.set(key(userId), encode(access), 'EX', REDIS_TTL_SECONDS);
    } catch (err) {
      // The copy may now be stale: drop it, so replicas read PostgreSQL instead.
      this.logger.warn({ err }, 'could not publish a user access change to Redis; removing the copy');
      await this.redis.del(key(userId)).catch(() => undefined);
    }
  }

  private async load(orgId: string, userId: string): Promise<UserAccess | null> {
    try {
      const raw = await this.redis.get(key(userId));
      const fromRedis = raw === null ? undefined : decode(raw);
      if (fromRedis) return fromRedis;
    } catch (err) {
      // Redis down: PostgreSQL still answers, a little slower.
      this.logger.warn({ err }, 'user access lookup in Redis failed; reading PostgreSQL');
      return this.fromDatabase(orgId, userId);
    }
    const access = await this.fromDatabase(orgId, userId);
    // NX: a change published meanwhile is newer than what this read saw.
    if (access) await this.redis.set(key(userId), encode(access), 'EX', REDIS_TTL_SECONDS, 'NX').catch(() => null);
    return access;
  }

  private async fromDatabase(orgId: string, userId: string): Promise<UserAccess | null> {
    const row = await this.users.accessState(orgId, userId);
    return row ? { version: row.tokenVersion, active: row.deactivatedAt === null } : null;
  }

  private remember(userId: string, access: UserAccess | null): void {
    const ttl = this.config.staffAuth.userAccessCacheMs;
    if (ttl === 0) return;
    if (this.local.size >= LOCAL_ENTRIES_MAX) this.local.clear();
    this.local.set(userId, { access, until: Date.now() + ttl });
  }
}
