import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HeartbeatResponse,
  TelemetryEventsRequest,
  TimelineQuery,
  TimelineResponse,
  type TelemetryClaims,
} from '@app/contracts';
import { QuietOnSuccess } from '@app/http';
import { createZodDto } from 'nestjs-zod';
import { Telemetry, TelemetryGuard } from '../auth/telemetry.guard';
import { SessionsService } from './sessions.service';

class HeartbeatResponseDto extends createZodDto(HeartbeatResponse) {}
class TelemetryEventsRequestDto extends createZodDto(TelemetryEventsRequest) {}
class TimelineQueryDto extends createZodDto(TimelineQuery) {}
class TimelineResponseDto extends createZodDto(TimelineResponse) {}

@ApiTags('sessions')
@ApiBearerAuth()
@UseGuards(TelemetryGuard)
@Controller('v1/sessions/current')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  // Declares and documents the route; requests are served by the lean handler from
  // heartbeat.route.ts, which does exactly this (the same check as TelemetryGuard, then
  // SessionsService.heartbeat) without Nest's per-request pipeline.
  @Post('heartbeat')
  @HttpCode(200)
  // Every session heartbeats every few seconds: successes would be most of the log.
  @QuietOnSuccess()
  @ApiOperation({ summary: 'Keeps the session alive (R-H1). 410 once the session was ended or reaped.' })
  @ApiOkResponse({ type: HeartbeatResponseDto })
  heartbeat(@Telemetry() claims: TelemetryClaims): Promise<HeartbeatResponse> {
    return this.sessions.heartbeat(claims);
  }

  @Post('events')
  @HttpCode(202)
  @ApiOperation({ summary: 'Appends client events (log, presence, marker) to the session timeline (R-R5).' })
  events(@Telemetry() claims: TelemetryClaims, @Body() body: TelemetryEventsRequestDto): Promise<{ accepted: number }> {
    return this.sessions.record(claims, body.events);
  }

  @Get('timeline')
  @ApiOperation({ summary: 'The session timeline, oldest first: client events and server entries such as reaping.' })
  @ApiOkResponse({ type: TimelineResponseDto })
  timeline(@Telemetry() claims: TelemetryClaims, @Query() query: TimelineQueryDto): Promise<TimelineResponse> {
    return this.sessions.timeline(claims, query.limit);
  }
}
