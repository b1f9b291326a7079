import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { TenantDirectory } from '../persistence/repositories';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { StaffTokensService, type StaffSession } from './staff-tokens.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly hasher: PasswordHasher,
    private readonly limiter: LoginRateLimiter,
    private readonly tokens: StaffTokensService,
  ) {}

  async login(email: string, password: string, ip: string): Promise<StaffSession> {
    // Counted as a failure unless it succeeds (only failures spend the budgets).
    const attempt = await this.limiter.begin(email, ip);
    const user = await this.directory.findUserForLogin(email);
    // Same answer, and about the same time, for an unknown email and a wrong password.
    if (!(await this.hasher.verify(user?.passwordHash, password)) || !user) {
      throw new DomainError(DomainErrorCode.Unauthenticated, 'email or password is wrong');
    }
    // Said only to someone who knows the password.
    if (user.deactivatedAt)
      throw new DomainError(DomainErrorCode.Unauthenticated, 'this account has been deactivated', {
        reason: 'account_deactivated',
      });
    await attempt.succeeded();
    return this.tokens.startSession(user);
  }

  refresh(refreshToken: string): Promise<StaffSession> {
    return this.tokens.refresh(refreshToken);
  }

  logout(refreshToken: string): Promise<void> {
    return this.tokens.revoke(refreshToken);
  }
}
