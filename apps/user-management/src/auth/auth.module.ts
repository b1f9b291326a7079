import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { StaffJwtStrategy } from './staff-jwt.strategy';
import { StaffTokensService } from './staff-tokens.service';

@Module({
  imports: [PassportModule],
  controllers: [AuthController],
  providers: [AuthService, LoginRateLimiter, PasswordHasher, StaffJwtStrategy, StaffTokensService],
  exports: [PasswordHasher],
})
export class AuthModule {}
