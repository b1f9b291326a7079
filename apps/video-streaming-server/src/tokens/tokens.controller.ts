import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  LiveKitTokenResponse,
  ObserverTokenRequest,
  ParticipantTokenRequest,
  ParticipantTokenResponse,
  TelemetryTokenRequest,
  TelemetryTokenResponse,
} from '@app/contracts';
import { createZodDto } from 'nestjs-zod';
import { OBSERVER_SECRET_HEADER, ObserverSecretGuard } from '../auth/observer-secret.guard';
import { TokensService } from './tokens.service';

class ParticipantTokenRequestDto extends createZodDto(ParticipantTokenRequest) {}
class ParticipantTokenResponseDto extends createZodDto(ParticipantTokenResponse) {}
class ObserverTokenRequestDto extends createZodDto(ObserverTokenRequest) {}
class LiveKitTokenResponseDto extends createZodDto(LiveKitTokenResponse) {}
class TelemetryTokenRequestDto extends createZodDto(TelemetryTokenRequest) {}
class TelemetryTokenResponseDto extends createZodDto(TelemetryTokenResponse) {}

@ApiTags('tokens')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('participant')
  @HttpCode(200)
  @ApiOperation({ summary: 'Session ticket in, LiveKit token out (R-T1). 401 bad ticket, 403 other room or identity.' })
  @ApiOkResponse({ type: ParticipantTokenResponseDto })
  participant(@Body() body: ParticipantTokenRequestDto): Promise<ParticipantTokenResponse> {
    return this.tokens.participantToken(body);
  }

  @Post('observer')
  @HttpCode(200)
  @UseGuards(ObserverSecretGuard)
  @ApiOperation({ summary: 'Hidden, subscribe-only LiveKit token (R-T2), for holders of the observer secret.' })
  @ApiHeader({ name: OBSERVER_SECRET_HEADER, required: true })
  @ApiOkResponse({ type: LiveKitTokenResponseDto })
  observer(@Body() body: ObserverTokenRequestDto): Promise<LiveKitTokenResponse> {
    return this.tokens.observerToken(body);
  }

  @Post('telemetry')
  @HttpCode(200)
  @ApiOperation({ summary: 'LiveKit token in, short-lived telemetry JWT out (R-T3); opens the session’s liveness.' })
  @ApiOkResponse({ type: TelemetryTokenResponseDto })
  telemetry(@Body() body: TelemetryTokenRequestDto): Promise<TelemetryTokenResponse> {
    return this.tokens.telemetryToken(body.livekitToken);
  }
}
