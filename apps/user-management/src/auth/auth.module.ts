import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { StaffJwtStrategy } from './staff-jwt.strategy';
import { StaffTokensService } from './staff-tokens.service';
import { UserAccessService } from './user-access.service';

@Module({
  imports: [PassportModule],
  controllers: [AuthController],
  providers: [AuthService, LoginRateLimiter, PasswordHasher, StaffJwtStrategy, StaffTokensService, UserAccessService],
  exports: [PasswordHasher, StaffTokensService, UserAccessService],
})
export class AuthModule {}
