import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import { RECRUITING, type StaffPrincipal } from '../auth/staff-principal';
import { IdParam, Pagination } from '../common/params';
import type { JobPostingEntity } from '../persistence/entities';
import { CreateJobPostingRequest, JobPostingView, UpdateJobPostingRequest } from './job-posting.schemas';
import { JobPostingsService } from './job-postings.service';

class CreateJobPostingRequestDto extends createZodDto(CreateJobPostingRequest) {}
class UpdateJobPostingRequestDto extends createZodDto(UpdateJobPostingRequest) {}
class JobPostingViewDto extends createZodDto(JobPostingView) {}
class IdParamDto extends createZodDto(IdParam) {}
class PaginationDto extends createZodDto(Pagination) {}

export const toJobPostingView = (p: JobPostingEntity) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  competencies: p.competencies,
  questions: p.questions,
  timeBudgetMinutes: p.timeBudgetMinutes,
  recordingPolicy: p.recordingPolicy,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

@ApiTags('job postings')
@Controller('v1/job-postings')
export class JobPostingsController {
  constructor(private readonly postings: JobPostingsService) {}

  @Post()
  @StaffOnly(...RECRUITING)
  @ApiOperation({
    summary: 'Create a job posting with competencies (rubrics), questions, a time budget and a recording policy.',
  })
  @ApiCreatedResponse({ type: JobPostingViewDto })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateJobPostingRequestDto) {
    return toJobPostingView(await this.postings.create(actor, body));
  }

  @Get()
  @StaffOnly()
  @ApiOkResponse({ type: [JobPostingViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() page: PaginationDto) {
    return (await this.postings.list(actor, page)).map(toJobPostingView);
  }

  @Get(':id')
  @StaffOnly()
  @ApiOkResponse({ type: JobPostingViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return toJobPostingView(await this.postings.get(actor, params.id));
  }

  @Patch(':id')
  @StaffOnly(...RECRUITING)
  @ApiOkResponse({ type: JobPostingViewDto })
  async update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param() params: IdParamDto,
    @Body() body: UpdateJobPostingRequestDto,
  ) {
    return toJobPostingView(await this.postings.update(actor, params.id, body));
  }
}
