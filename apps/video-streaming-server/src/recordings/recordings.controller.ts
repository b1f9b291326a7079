import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RecordingStatusResponse, StartRecordingRequest, StopRequestParam, type TelemetryClaims } from '@app/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { Telemetry, TelemetryGuard } from '../auth/telemetry.guard';
import { actorOf, RecordingsService } from './recordings.service';

class RecordingStatusResponseDto extends createZodDto(RecordingStatusResponse) {}
class StartRecordingRequestDto extends createZodDto(StartRecordingRequest) {}
class StopRequestParamDto extends createZodDto(StopRequestParam) {}
class RecordingTimelineDto extends createZodDto(
  z.object({ entries: z.array(z.object({ at: z.iso.datetime(), state: z.string(), message: z.string() })) }),
) {}

// R-R2: recording control for the room the telemetry JWT names. The recruiter's meeting controls
// and the media plane's own stops use the same rules (RecordingsService).
@ApiTags('recordings')
@ApiBearerAuth()
@UseGuards(TelemetryGuard)
@Controller('v1/recordings/current')
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @Get()
  @ApiOperation({ summary: 'The room’s recording state (R-R3), with finalize progress and any stop request.' })
  @ApiOkResponse({ type: RecordingStatusResponseDto })
  status(@Telemetry() claims: TelemetryClaims) {
    return this.recordings.status(claims.room);
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Starts recording (staff only). 409 when the policy is off, consent is missing, or the room is already being recorded.',
  })
  @ApiOkResponse({ type: RecordingStatusResponseDto })
  start(@Telemetry() claims: TelemetryClaims, @Body() body: StartRecordingRequestDto) {
    return this.recordings.start(claims.room, actorOf(claims), body);
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stops the recording; from someone other than its starter, when approval is required, records a pending stop request instead.',
  })
  @ApiOkResponse({ type: RecordingStatusResponseDto })
  stop(@Telemetry() claims: TelemetryClaims) {
    return this.recordings.requestStop(claims.room, actorOf(claims));
  }

  @Post('stop-requests/:requestId/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'The starter approves a pending stop request: the recording stops.' })
  @ApiOkResponse({ type: RecordingStatusResponseDto })
  approve(@Telemetry() claims: TelemetryClaims, @Param() params: StopRequestParamDto) {
    return this.recordings.decideStop(claims.room, actorOf(claims), params.requestId, 'approved');
  }

  @Post('stop-requests/:requestId/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'The starter rejects a pending stop request: recording goes on.' })
  @ApiOkResponse({ type: RecordingStatusResponseDto })
  reject(@Telemetry() claims: TelemetryClaims, @Param() params: StopRequestParamDto) {
    return this.recordings.decideStop(claims.room, actorOf(claims), params.requestId, 'rejected');
  }

  @Get('timeline')
  @ApiOperation({ summary: 'Every state change of the room’s latest recording, oldest first.' })
  @ApiOkResponse({ type: RecordingTimelineDto })
  async timeline(@Telemetry() claims: TelemetryClaims) {
    const entries = await this.recordings.timeline(claims.room);
    return { entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
  }
}
