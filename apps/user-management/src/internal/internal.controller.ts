import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ConventionalRoom,
  InterviewPlan,
  InterviewResults,
  InterviewStatusUpdate,
  MeetingTranscript,
  RecordingReport,
  RoomContext,
} from '@app/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import type { ServiceCaller } from '@app/service-auth';
import { CallingService, ServiceOnly } from '../auth/service-auth.guard';
import { IdParam } from '../common/params';
import { InternalService } from './internal.service';

class RoomContextDto extends createZodDto(RoomContext) {}
class InterviewPlanDto extends createZodDto(InterviewPlan) {}
class InterviewResultsDto extends createZodDto(InterviewResults) {}
class InterviewStatusUpdateDto extends createZodDto(InterviewStatusUpdate) {}
class RecordingReportDto extends createZodDto(RecordingReport) {}
class MeetingTranscriptDto extends createZodDto(MeetingTranscript) {}
class IdParamDto extends createZodDto(IdParam) {}
class RoomParamDto extends createZodDto(z.object({ room: ConventionalRoom })) {}
const InterviewStatusView = z.object({
  interviewId: z.uuid(),
  status: z.string(),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
});
class InterviewStatusViewDto extends createZodDto(InterviewStatusView) {}
const MeetingTranscriptSaved = z.object({
  meetingId: z.uuid(),
  startedAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  utterances: z.number().int().describe('how many utterances were stored'),
});
class MeetingTranscriptSavedDto extends createZodDto(MeetingTranscriptSaved) {}

// Service-to-service only: staff tokens and tickets get 401 here. Each route names the services
// that may call it (another service's valid token gets 403): the agent reads plans and saves
// results and meeting transcripts, the media plane reports session status and recordings; both
// read a room's context.
@ApiTags('internal (services)')
@Controller('internal/v1')
export class InternalController {
  constructor(private readonly internal: InternalService) {}

  @Get('rooms/:room')
  @ServiceOnly('video-streaming-server', 'interviewer-agent')
  @ApiOperation({ summary: 'Org, agent auto-join flag (R-G1), recording policy and consent (R-R1) for a room.' })
  @ApiOkResponse({ type: RoomContextDto })
  room(@Param() params: RoomParamDto) {
    return this.internal.roomContext(params.room);
  }

  @Get('interviews/:id/plan')
  @ServiceOnly('interviewer-agent')
  @ApiOperation({
    summary:
      'What the AI interviewer needs: job posting, competencies with rubrics, questions, time budget, candidate name.',
  })
  @ApiOkResponse({ type: InterviewPlanDto })
  plan(@Param() params: IdParamDto) {
    return this.internal.interviewPlan(params.id);
  }

  @Post('interviews/:id/status')
  @ServiceOnly('video-streaming-server', 'interviewer-agent')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The session started (in_progress, from the agent) or was abandoned (from the media plane). Repeating a status is a no-op.',
  })
  @ApiOkResponse({ type: InterviewStatusViewDto })
  status(@Param() params: IdParamDto, @Body() body: InterviewStatusUpdateDto, @CallingService() caller: ServiceCaller) {
    return this.internal.updateInterviewStatus(params.id, body.status, caller, body.at ? new Date(body.at) : undefined);
  }

  @Put('interviews/:id/results')
  @ServiceOnly('interviewer-agent')
  @ApiOperation({
    summary:
      'Transcript and evidence-backed scorecard from the agent (R-G2); completes the interview. Idempotent: the latest is stored. 400 when an evidence quote is not a candidate’s words at its offset; 409 for an expired interview.',
  })
  @ApiOkResponse({ type: InterviewStatusViewDto })
  results(@Param() params: IdParamDto, @Body() body: InterviewResultsDto) {
    return this.internal.saveResults(params.id, body);
  }

  @Put('meetings/:id/transcript')
  @ServiceOnly('interviewer-agent')
  @ApiOperation({
    summary: 'What the silent agent heard in a meeting (R-G3). Idempotent: the latest is stored.',
  })
  @ApiOkResponse({ type: MeetingTranscriptSavedDto })
  meetingTranscript(@Param() params: IdParamDto, @Body() body: MeetingTranscriptDto) {
    return this.internal.saveMeetingTranscript(params.id, body);
  }

  @Put('recordings/:id')
  @ServiceOnly('video-streaming-server')
  @ApiOperation({
    summary:
      'Recording metadata from the media plane (R-R6), idempotent by recording id; updates the meeting’s recording status.',
  })
  report(@Param() params: IdParamDto, @Body() body: RecordingReportDto) {
    return this.internal.reportRecording(params.id, body);
  }
}
