import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeProtectedHeader } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import { STAFF_TOKEN_AUDIENCE, STAFF_TOKEN_ISSUER, StaffAccessClaims, type StaffPrincipal } from './staff-principal';
import { UserAccessService } from './user-access.service';

export const STAFF_JWT_STRATEGY = 'staff-jwt';

/**
 * passport-jwt over STAFF_JWT_KEYS: the key is picked by the token's kid; only HS256 is accepted.
 * A valid signature is not enough: the user must still be active and the token's version current
 * (a deactivation or role change since it was issued refuses it on the next request).
 */
@Injectable()
export class StaffJwtStrategy extends PassportStrategy(Strategy, STAFF_JWT_STRATEGY) {
  constructor(
    @Inject(UM_CONFIG) config: UserManagementConfig,
    private readonly access: UserAccessService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['HS256'],
      audience: STAFF_TOKEN_AUDIENCE,
      issuer: STAFF_TOKEN_ISSUER,
      ignoreExpiration: false,
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (err: unknown, secret?: string) => void) => {
        let kid: string | undefined;
        try {
          kid = decodeProtectedHeader(rawJwt).kid;
        } catch {
          return done(new DomainError(DomainErrorCode.Unauthenticated, 'access token is not a JWT'));
        }
        const key = config.staffAuth.keys.find((k) => k.id === kid);
        if (!key)
          return done(new DomainError(DomainErrorCode.Unauthenticated, 'access token was signed with an unknown key'));
        done(null, key.secret);
      },
    });
  }

  async validate(payload: unknown): Promise<StaffPrincipal> {
    const claims = StaffAccessClaims.safeParse(payload);
    if (!claims.success) throw new DomainError(DomainErrorCode.Unauthenticated, 'access token is not a staff token');
    const { sub: userId, org: orgId, role, ver } = claims.data;
    const access = await this.access.current(orgId, userId);
    if (!access)
      throw new DomainError(DomainErrorCode.Unauthenticated, 'this account no longer exists', {
        reason: 'account_unknown',
      });
    if (!access.active)
      throw new DomainError(DomainErrorCode.Unauthenticated, 'this account has been deactivated', {
        reason: 'account_deactivated',
      });
    if (access.version !== ver)
      throw new DomainError(
        DomainErrorCode.Unauthenticated,
        'this access token was revoked (the account’s role or access changed); refresh the session or sign in again',
        { reason: 'token_revoked' },
      );
    return { userId, orgId, role };
  }
}
