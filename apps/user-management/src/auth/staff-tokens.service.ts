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

/**
 * Access tokens are short-lived JWTs; refresh tokens are random secrets stored as hashes and
 * rotated on every use. Presenting a refresh token that was already used means it leaked (or a
 * client raced itself): every session of that user is revoked.
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
      await this.refreshTokens.revokeAllOfUser(stored.orgId, stored.userId);
      throw new DomainError(
        DomainErrorCode.Unauthenticated,
        'refresh token was already used; every session of this account was signed out',
      );
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw rejected();
    const user = await this.users.findById(stored.orgId, stored.userId);
    if (!user) throw rejected();
    const refresh = await this.dataSource.transaction(async (manager) => {
      const next = await this.issueRefreshToken(user, manager);
      // Two concurrent refreshes with the same token: only one rotates it.
      if (!(await this.refreshTokens.revokeIfLive(stored.orgId, stored.id, next.id, manager))) throw rejected();
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
    const accessToken = await new SignJWT({ org: user.orgId, role: user.role, typ: STAFF_TOKEN_TYPE })
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
