import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import { RECRUITING, type StaffPrincipal } from '../auth/staff-principal';
import { IdParam, Pagination } from '../common/params';
import type { MeetingEntity, MeetingParticipantEntity } from '../persistence/entities';
import { CreateMeetingRequest, MeetingDetailView, MeetingTokenResponse, MeetingView } from './meeting.schemas';
import { InviteRequest } from '../interviews/interview.schemas';
import { MeetingInvitesService } from './meeting-invites.service';
import { MeetingsService } from './meetings.service';

class CreateMeetingRequestDto extends createZodDto(CreateMeetingRequest) {}
class MeetingViewDto extends createZodDto(MeetingView) {}
class MeetingDetailViewDto extends createZodDto(MeetingDetailView) {}
const GuestInvite = z.object({ candidateId: z.uuid(), code: z.string(), url: z.string() });
class CreatedMeetingDto extends createZodDto(
  MeetingView.extend({ guestInvites: z.array(GuestInvite).describe('one invite per candidate, shown once') }),
) {}
class GuestInviteDto extends createZodDto(GuestInvite) {}
class CandidateParamDto extends createZodDto(IdParam.extend({ candidateId: z.uuid('must be a UUID') })) {}
class MeetingInviteRequestDto extends createZodDto(InviteRequest) {}
class MeetingTokenResponseDto extends createZodDto(MeetingTokenResponse) {}
class IdParamDto extends createZodDto(IdParam) {}
class MeetingListQueryDto extends createZodDto(
  Pagination.extend({ mine: z.stringbool().optional().describe('only meetings I take part in') }),
) {}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const toMeetingView = (meeting: MeetingEntity, participants: MeetingParticipantEntity[] = []) => ({
  id: meeting.id,
  title: meeting.title,
  startsAt: meeting.startsAt.toISOString(),
  endsAt: meeting.endsAt.toISOString(),
  status: meeting.status,
  roomName: meeting.roomName,
  recording: {
    status: meeting.recordingStatus,
    recordingId: meeting.recordingId,
    startedAt: iso(meeting.recordingStartedAt),
    endedAt: iso(meeting.recordingEndedAt),
  },
  participants: participants.map((p) => ({ userId: p.userId, candidateId: p.candidateId, role: p.role })),
});
/** The single-meeting view: the list's fields and the agent's transcript (R-G3), null when none. */
export const toMeetingDetailView = (meeting: MeetingEntity, participants: MeetingParticipantEntity[] = []) => ({
  ...toMeetingView(meeting, participants),
  transcript: meeting.transcript ?? null,
});

@ApiTags('meetings')
@Controller('v1/meetings')
export class MeetingsController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly invites: MeetingInvitesService,
  ) {}

  @Post()
  @StaffOnly()
  @ApiOperation({
    summary:
      'Schedule a human meeting; the organizer becomes a host. Candidates listed get a personal invite link, returned once.',
  })
  @ApiCreatedResponse({ type: CreatedMeetingDto })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateMeetingRequestDto) {
    const { meeting, participants } = await this.meetings.create(actor, body);
    return { ...toMeetingView(meeting, participants), guestInvites: await this.invites.issue(actor, meeting.id) };
  }

  @Post(':id/candidates/:candidateId/invite')
  @HttpCode(200)
  @StaffOnly(...RECRUITING)
  @ApiOperation({ summary: 'A new invite link for a candidate of the meeting; the previous one stops working.' })
  @ApiOkResponse({ type: GuestInviteDto })
  async reissueGuestInvite(@CurrentStaff() actor: StaffPrincipal, @Param() params: CandidateParamDto) {
    const [invite] = await this.invites.issue(actor, params.id, params.candidateId);
    return invite;
  }

  @Get()
  @StaffOnly()
  @ApiOkResponse({ type: [MeetingViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() query: MeetingListQueryDto) {
    return (await this.meetings.list(actor, query)).map((m) => toMeetingView(m));
  }

  @Get(':id')
  @StaffOnly()
  @ApiOperation({ summary: 'One meeting of your org with its participants and the AI interviewer’s transcript.' })
  @ApiOkResponse({ type: MeetingDetailViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    const { meeting, participants } = await this.meetings.get(actor, params.id);
    return toMeetingDetailView(meeting, participants);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @StaffOnly()
  @ApiOperation({ summary: 'Cancel a meeting (its hosts or an admin).' })
  @ApiOkResponse({ type: MeetingViewDto })
  async cancel(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    const { meeting, participants } = await this.meetings.cancel(actor, params.id);
    return toMeetingView(meeting, participants);
  }

  @Post(':id/token')
  @HttpCode(200)
  @StaffOnly()
  @ApiOperation({
    summary:
      'A LiveKit token for the meeting (R-M1), valid for hours. Room and identity are derived from the meeting and the caller; a request body is ignored.',
  })
  @ApiOkResponse({ type: MeetingTokenResponseDto })
  @ApiForbiddenResponse({ description: 'the caller is not a participant' })
  @ApiConflictResponse({
    description: 'cancelled, ended, or outside the window from 15 minutes before the start to 30 minutes after the end',
  })
  token(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return this.meetings.token(actor, params.id);
  }
}

// Candidates join with their personal invite code instead of an account.
@ApiTags('meetings')
@Controller('v1/meeting-invites')
export class MeetingInvitesController {
  constructor(private readonly invites: MeetingInvitesService) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A candidate’s LiveKit token for the meeting (R-M1), from their invite code; same window rules as staff.',
  })
  @ApiOkResponse({ type: MeetingTokenResponseDto })
  @ApiConflictResponse({ description: 'cancelled, ended, or outside the join window' })
  token(@Body() body: MeetingInviteRequestDto) {
    return this.invites.token(body.invite);
  }
}
