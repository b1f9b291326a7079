import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import { HIRING_TEAM, RECRUITING, type StaffPrincipal } from '../auth/staff-principal';
import { IdParam, Pagination } from '../common/params';
import { INTERVIEW_STATUSES } from '../persistence/entities';
import {
  CreatedInterviewResponse,
  CreateInterviewRequest,
  InterviewDetailView,
  InterviewListItemView,
  IssuedInvite,
  ReissueInviteRequest,
} from './interview.schemas';
import { toInterviewDetailView, toInterviewListItemView, toInterviewView } from './interview.views';
import { InterviewsService } from './interviews.service';

class CreateInterviewRequestDto extends createZodDto(CreateInterviewRequest) {}
class ReissueInviteRequestDto extends createZodDto(ReissueInviteRequest) {}
class CreatedInterviewResponseDto extends createZodDto(CreatedInterviewResponse) {}
class InterviewListItemViewDto extends createZodDto(InterviewListItemView) {}
class InterviewDetailViewDto extends createZodDto(InterviewDetailView) {}
class IssuedInviteDto extends createZodDto(IssuedInvite) {}
class IdParamDto extends createZodDto(IdParam) {}
class InterviewListQueryDto extends createZodDto(
  Pagination.extend({
    status: z.enum(INTERVIEW_STATUSES).optional(),
    candidateId: z.uuid().optional(),
    jobPostingId: z.uuid().optional(),
  }),
) {}

@ApiTags('interviews')
@Controller('v1/interviews')
export class InterviewsController {
  constructor(private readonly interviews: InterviewsService) {}

  @Post()
  @StaffOnly(...RECRUITING)
  @ApiOperation({
    summary: 'Schedule an AI interview; returns the candidate’s invite link once (only its hash is kept).',
  })
  @ApiCreatedResponse({ type: CreatedInterviewResponseDto })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateInterviewRequestDto) {
    const { interview, invite } = await this.interviews.create(actor, body);
    return { interview: toInterviewView(interview), invite };
  }

  @Get()
  @StaffOnly(...HIRING_TEAM)
  @ApiOkResponse({ type: [InterviewListItemViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() query: InterviewListQueryDto) {
    return (await this.interviews.list(actor, query)).map(toInterviewListItemView);
  }

  @Get(':id')
  @StaffOnly(...HIRING_TEAM)
  @ApiOperation({ summary: 'One interview with its transcript and scorecard.' })
  @ApiOkResponse({ type: InterviewDetailViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return toInterviewDetailView(await this.interviews.get(actor, params.id));
  }

  @Post(':id/invite')
  @HttpCode(200)
  @StaffOnly(...RECRUITING)
  @ApiOperation({ summary: 'Issue a new invite link; the previous one stops working.' })
  @ApiOkResponse({ type: IssuedInviteDto })
  reissue(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto, @Body() body: ReissueInviteRequestDto) {
    return this.interviews.reissueInvite(actor, params.id, body.inviteValidHours);
  }
}
