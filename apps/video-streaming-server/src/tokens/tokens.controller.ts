import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  LiveKitTokenResponse,
  ObserverTokenRequest,
  ParticipantTokenRequest,
  ParticipantTokenResponse,
  TelemetryTokenRequest,
  TelemetryTokenResponse,
  type TelemetryClaims,
} from '@app/contracts';
import { createZodDto } from 'nestjs-zod';
import { OBSERVER_SECRET_HEADER, ObserverSecretGuard } from '../auth/observer-secret.guard';
import { Telemetry, TelemetryGuard } from '../auth/telemetry.guard';
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
  @ApiOperation({
    summary:
      'Hidden, subscribe-only LiveKit token (R-T2), for holders of the observer secret. The identity is server-chosen (observer~<random>).',
  })
  @ApiHeader({ name: OBSERVER_SECRET_HEADER, required: true })
  @ApiOkResponse({ type: LiveKitTokenResponseDto })
  observer(@Body() body: ObserverTokenRequestDto): Promise<LiveKitTokenResponse> {
    return this.tokens.observerToken(body);
  }

  @Post('telemetry')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'A participant’s LiveKit token in, short-lived telemetry JWT out (R-T3); opens the session’s liveness. 403 for observer and subscribe-only tokens.',
  })
  @ApiOkResponse({ type: TelemetryTokenResponseDto })
  telemetry(@Body() body: TelemetryTokenRequestDto): Promise<TelemetryTokenResponse> {
    return this.tokens.telemetryToken(body.livekitToken);
  }

  @Post('telemetry/renew')
  @HttpCode(200)
  @ApiBearerAuth()
  @UseGuards(TelemetryGuard)
  @ApiOperation({
    summary:
      'A valid telemetry JWT in, a fresh one for the same session out (R-T3), for as long as the session lives. 410 once it was ended or reaped.',
  })
  @ApiOkResponse({ type: TelemetryTokenResponseDto })
  renewTelemetry(@Telemetry() claims: TelemetryClaims): Promise<TelemetryTokenResponse> {
    return this.tokens.renewTelemetryToken(claims);
  }
}
