import { Body, Controller, Header, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@app/errors';
import type { FastifyReply } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { CurrentMediaClient, MediaClientGuard, type MediaClient } from '../auth/media-client.guard';
import {
  AvatarSessionRequest,
  AvatarSessionResponse,
  AvatarSessionsService,
  type AvatarSessionResponse as AvatarSessionAnswer,
} from './avatar-sessions.service';

class AvatarSessionRequestDto extends createZodDto(AvatarSessionRequest) {}
class AvatarSessionResponseDto extends createZodDto(AvatarSessionResponse) {}

/**
 * Error bodies carry only code, message and reason (libs/http's filter): the fallback hint of a
 * refusal travels in this header (and in the message).
 */
export const FALLBACK_HEADER = 'x-parley-fallback';

// R-A2/R-A3: a short-lived avatar vendor session for the room's participant (telemetry JWT or
// session ticket). The rules are the service's; this only adds the fallback header to refusals.
@ApiTags('avatars')
@ApiBearerAuth()
@UseGuards(MediaClientGuard)
@Controller('v1/avatar-sessions')
export class AvatarSessionsController {
  constructor(private readonly sessions: AvatarSessionsService) {}

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'A vendor session token (Simli or Spatius) for the caller’s room, never the vendor key. 403 tier_without_avatar; ' +
      '503 avatar_vendor_disabled, avatar_capacity, avatar_circuit_open, avatar_vendor_unavailable or ' +
      'user_management_unavailable, each with the header x-parley-fallback: orb (show the orb instead).',
  })
  @ApiHeader({ name: FALLBACK_HEADER, required: false, description: 'on refusals: orb' })
  @ApiOkResponse({ type: AvatarSessionResponseDto })
  async create(
    @CurrentMediaClient() client: MediaClient,
    @Body() body: AvatarSessionRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AvatarSessionAnswer> {
    try {
      return await this.sessions.createSession(client, body);
    } catch (err) {
      const fallback = err instanceof DomainError ? err.details?.fallback : undefined;
      if (typeof fallback === 'string') void reply.header(FALLBACK_HEADER, fallback);
      throw err;
    }
  }
}
