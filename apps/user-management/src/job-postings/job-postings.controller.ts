import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '@app/errors';
import { createZodDto } from 'nestjs-zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import { RECRUITING, type StaffPrincipal } from '../auth/staff-principal';
import { IdParam, Pagination } from '../common/params';
import type { JobPostingEntity } from '../persistence/entities';
import { JobPostingRepository } from '../persistence/repositories';
import { CreateJobPostingRequest, JobPostingView, UpdateJobPostingRequest } from './job-posting.schemas';

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

// Plain CRUD: the controller talks to the repository directly; the org scoping is in the repository.
@ApiTags('job postings')
@Controller('v1/job-postings')
export class JobPostingsController {
  constructor(private readonly postings: JobPostingRepository) {}

  @Post()
  @StaffOnly(...RECRUITING)
  @ApiOperation({
    summary: 'Create a job posting with competencies (rubrics), questions, a time budget and a recording policy.',
  })
  @ApiCreatedResponse({ type: JobPostingViewDto })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateJobPostingRequestDto) {
    return toJobPostingView(await this.postings.create(actor.orgId, { ...body, createdBy: actor.userId }));
  }

  @Get()
  @StaffOnly()
  @ApiOkResponse({ type: [JobPostingViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() page: PaginationDto) {
    return (await this.postings.list(actor.orgId, page)).map(toJobPostingView);
  }

  @Get(':id')
  @StaffOnly()
  @ApiOkResponse({ type: JobPostingViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return toJobPostingView(await this.require(actor.orgId, params.id));
  }

  @Patch(':id')
  @StaffOnly(...RECRUITING)
  @ApiOkResponse({ type: JobPostingViewDto })
  async update(
    @CurrentStaff() actor: StaffPrincipal,
    @Param() params: IdParamDto,
    @Body() body: UpdateJobPostingRequestDto,
  ) {
    const current = await this.require(actor.orgId, params.id);
    const competencies = body.competencies ?? current.competencies;
    const questions = body.questions ?? current.questions;
    const names = new Set(competencies.map((c) => c.name));
    if (questions.some((q) => q.competency !== undefined && !names.has(q.competency))) {
      throw new DomainError(
        DomainErrorCode.ValidationFailed,
        'a question names a competency that is not in competencies',
      );
    }
    await this.postings.update(actor.orgId, params.id, body);
    return toJobPostingView(await this.require(actor.orgId, params.id));
  }

  private async require(orgId: string, id: string): Promise<JobPostingEntity> {
    const posting = await this.postings.findById(orgId, id);
    if (!posting) throw new DomainError(DomainErrorCode.NotFound, 'job posting not found');
    return posting;
  }
}
