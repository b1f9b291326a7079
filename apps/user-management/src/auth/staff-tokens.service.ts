import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import type { UserEntity } from '../persistence/entities';
import { RefreshTokenRepository, TenantDirectory, UserRepository } from '../persistence/repositories';
import { STAFF_TOKEN_AUDIENCE, STAFF_TOKEN_ISSUER, STAFF_TOKEN_TYPE } from './staff-principal';

export interface StaffSession {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; orgId: string; email: string; displayName: string; role: string };
}

const REFRESH_TOKEN_FORMAT = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;
const sha256 = (value: string) => createHash('sha256').update(value).digest();
const rotatedMeanwhile = () =>
  new DomainError(
    DomainErrorCode.Unauthenticated,
    'refresh token was just rotated by another request; use the newest one, or sign in again',
    { reason: 'refresh_token_rotated' },
  );

/**
 * Access tokens are short-lived JWTs carrying the user's token version; refresh tokens are random
 * secrets stored as hashes and rotated on every use. A rotated refresh token presented again:
 * - within REFRESH_REUSE_GRACE_SECONDS of its rotation, it is another tab or a retry that raced
 *   the rotation: a 401 (reason refresh_token_rotated) and nothing else; that client picks up the
 *   successor its sibling received, or signs in again. The successor cannot be handed out again
 *   (only its hash is stored), and minting a second one would give a leaked token a session;
 * - later, it leaked: every session of that user is revoked (reason refresh_token_reused).
 * A token revoked by logout (or by such a revocation) has no successor: a plain 401.
 */
@Injectable()
export class StaffTokensService {
  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly dataSource: DataSource,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly users: UserRepository,
    private readonly directory: TenantDirectory,
  ) {}

  async startSession(user: UserEntity): Promise<StaffSession> {
    const refresh = await this.dataSource.transaction((manager) => this.issueRefreshToken(user, manager));
    return this.session(user, refresh);
  }

  async refresh(presented: string): Promise<StaffSession> {
    const match = REFRESH_TOKEN_FORMAT.exec(presented);
    const rejected = () =>
      new DomainError(DomainErrorCode.Unauthenticated, 'refresh token is invalid, expired or revoked; sign in again');
    if (!match) throw rejected();
    const [, id, secret] = match;
    const orgId = await this.directory.orgOfRefreshToken(id);
    const stored = orgId ? await this.refreshTokens.findById(orgId, id) : null;
    if (!stored || !timingSafeEqual(sha256(secret), Buffer.from(stored.tokenHash, 'hex'))) throw rejected();
    if (stored.revokedAt) {
      const rotated = stored.replacedBy !== null;
      const graceMs = this.config.staffAuth.refreshReuseGraceSeconds * 1000;
      if (!rotated) throw rejected();
      if (Date.now() - stored.revokedAt.getTime() <= graceMs) {
        throw rotatedMeanwhile();
      }
      await this.refreshTokens.revokeAllOfUser(stored.orgId, stored.userId);
      throw new DomainError(
        DomainErrorCode.Unauthenticated,
        'refresh token was already used; every session of this account was signed out',
        { reason: 'refresh_token_reused' },
      );
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw rejected();
    const user = await this.users.findById(stored.orgId, stored.userId);
    if (!user) throw rejected();
    if (user.deactivatedAt) {
      await this.refreshTokens.revokeAllOfUser(stored.orgId, stored.userId);
      throw new DomainError(DomainErrorCode.Unauthenticated, 'this account has been deactivated', {
        reason: 'account_deactivated',
      });
    }
    const refresh = await this.dataSource.transaction(async (manager) => {
      const next = await this.issueRefreshToken(user, manager);
      // Two concurrent refreshes with the same token: only one rotates it; the other is the
      // sibling of the grace case above (a 401 that signs nobody out).
      if (!(await this.refreshTokens.revokeIfLive(stored.orgId, stored.id, next.id, manager))) throw rotatedMeanwhile();
      return next;
    });
    return this.session(user, refresh);
  }

  async revoke(presented: string): Promise<void> {
    const match = REFRESH_TOKEN_FORMAT.exec(presented);
    if (!match) return;
    const orgId = await this.directory.orgOfRefreshToken(match[1]);
    const stored = orgId ? await this.refreshTokens.findById(orgId, match[1]) : null;
    if (stored && timingSafeEqual(sha256(match[2]), Buffer.from(stored.tokenHash, 'hex'))) {
      await this.refreshTokens.revokeIfLive(stored.orgId, stored.id, null);
    }
  }

  /** Signs the user out of every session (deactivation): their refresh tokens stop working. */
  revokeAllSessions(orgId: string, userId: string): Promise<void> {
    return this.refreshTokens.revokeAllOfUser(orgId, userId);
  }

  private async issueRefreshToken(user: UserEntity, manager: import('typeorm').EntityManager) {
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.staffAuth.refreshTtlSeconds * 1000);
    const row = await this.refreshTokens.create(
      user.orgId,
      { userId: user.id, tokenHash: sha256(secret).toString('hex'), expiresAt, revokedAt: null, replacedBy: null },
      manager,
    );
    return { id: row.id, token: `${row.id}.${secret}`, expiresAt };
  }

  private async session(user: UserEntity, refresh: { token: string; expiresAt: Date }): Promise<StaffSession> {
    const [key] = this.config.staffAuth.keys;
    const expiresAt = Math.floor(Date.now() / 1000) + this.config.staffAuth.accessTtlSeconds;
    const accessToken = await new SignJWT({
      org: user.orgId,
      role: user.role,
      typ: STAFF_TOKEN_TYPE,
      ver: user.tokenVersion,
    })
      .setProtectedHeader({ alg: 'HS256', kid: key.id, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(STAFF_TOKEN_ISSUER)
      .setAudience(STAFF_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(key.secret));
    return {
      accessToken,
      accessTokenExpiresAt: new Date(expiresAt * 1000).toISOString(),
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
      user: { id: user.id, orgId: user.orgId, email: user.email, displayName: user.displayName, role: user.role },
    };
  }
}
