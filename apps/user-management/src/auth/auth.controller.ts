import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { LoginRequest, RefreshRequest, StaffSessionResponse } from './auth.schemas';
import { AuthService } from './auth.service';
import type { StaffSession } from './staff-tokens.service';

class LoginRequestDto extends createZodDto(LoginRequest) {}
class RefreshRequestDto extends createZodDto(RefreshRequest) {}
class StaffSessionResponseDto extends createZodDto(StaffSessionResponse) {}

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Staff sign-in: a 15-minute access token and a rotating refresh token. Failed attempts are limited per account and per client address (TRUST_PROXY decides which address); a success clears the account’s count.',
  })
  @ApiOkResponse({ type: StaffSessionResponseDto })
  @ApiTooManyRequestsResponse({ description: 'too many attempts; Retry-After says when to try again' })
  login(@Body() body: LoginRequestDto, @Req() request: FastifyRequest): Promise<StaffSession> {
    return this.auth.login(body.email, body.password, request.ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Trade a refresh token for a new session; the old refresh token stops working. Presented again within REFRESH_REUSE_GRACE_SECONDS (another tab raced it) or after logout: 401 only; reused later: the account is signed out everywhere. Refused for deactivated users.',
  })
  @ApiOkResponse({ type: StaffSessionResponseDto })
  refresh(@Body() body: RefreshRequestDto): Promise<StaffSession> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token. Always 204, so it reveals nothing about the token.' })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshRequestDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}
