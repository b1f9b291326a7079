import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { StaffPrincipal } from '../auth/staff-principal';
import type { Competency, InterviewQuestion, JobPostingEntity, RecordingPolicy } from '../persistence/entities';
import { JobPostingRepository } from '../persistence/repositories';

export interface JobPostingInput {
  title: string;
  description: string;
  competencies: Competency[];
  questions: InterviewQuestion[];
  timeBudgetMinutes: number;
  recordingPolicy: RecordingPolicy;
}

/** Job postings of the caller's org (the org scoping itself is in the repository). */
@Injectable()
export class JobPostingsService {
  constructor(private readonly postings: JobPostingRepository) {}

  create(actor: StaffPrincipal, input: JobPostingInput): Promise<JobPostingEntity> {
    return this.postings.create(actor.orgId, { ...input, createdBy: actor.userId });
  }

  list(actor: StaffPrincipal, page: { limit: number; offset: number }): Promise<JobPostingEntity[]> {
    return this.postings.list(actor.orgId, page);
  }

  async get(actor: StaffPrincipal, id: string): Promise<JobPostingEntity> {
    const posting = await this.postings.findById(actor.orgId, id);
    if (!posting) throw new DomainError(DomainErrorCode.NotFound, 'job posting not found');
    return posting;
  }

  /** A patch must leave every question's competency among the posting's competencies. */
  async update(actor: StaffPrincipal, id: string, patch: Partial<JobPostingInput>): Promise<JobPostingEntity> {
    const current = await this.get(actor, id);
    const competencies = patch.competencies ?? current.competencies;
    const questions = patch.questions ?? current.questions;
    const names = new Set(competencies.map((c) => c.name));
    if (questions.some((q) => q.competency !== undefined && !names.has(q.competency))) {
      throw new DomainError(
        DomainErrorCode.ValidationFailed,
        'a question names a competency that is not in competencies',
      );
    }
    await this.postings.update(actor.orgId, id, patch);
    return this.get(actor, id);
  }
}
