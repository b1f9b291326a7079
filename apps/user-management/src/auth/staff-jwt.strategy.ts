import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeProtectedHeader } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import { STAFF_TOKEN_AUDIENCE, STAFF_TOKEN_ISSUER, StaffAccessClaims, type StaffPrincipal } from './staff-principal';

export const STAFF_JWT_STRATEGY = 'staff-jwt';

/** passport-jwt over STAFF_JWT_KEYS: the key is picked by the token's kid; only HS256 is accepted. */
@Injectable()
export class StaffJwtStrategy extends PassportStrategy(Strategy, STAFF_JWT_STRATEGY) {
  constructor(@Inject(UM_CONFIG) config: UserManagementConfig) {
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

  validate(payload: unknown): StaffPrincipal {
    const claims = StaffAccessClaims.safeParse(payload);
    if (!claims.success) throw new DomainError(DomainErrorCode.Unauthenticated, 'access token is not a staff token');
    return { userId: claims.data.sub, orgId: claims.data.org, role: claims.data.role };
  }
}
