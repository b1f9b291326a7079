import { FALLBACK_HEADER } from '@app/contracts';
import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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

// R-A2/R-A3: a short-lived avatar vendor session for the room's participant (telemetry JWT or
// session ticket). The rules are the service's; a refusal's fallback hint (`orb`) reaches the
// client as the error body's `fallback` and the x-parley-fallback header (libs/http's filter).
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
  ): Promise<AvatarSessionAnswer> {
    return this.sessions.createSession(client, body);
  }
}
