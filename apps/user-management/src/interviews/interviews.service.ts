import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { buildRoomName } from '@app/room-naming';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import type { StaffPrincipal } from '../auth/staff-principal';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import type { InterviewEntity } from '../persistence/entities';
import {
  AuditLogRepository,
  CandidateRepository,
  InterviewRepository,
  JobPostingRepository,
} from '../persistence/repositories';
import { newInviteSecret } from '../common/invite-codes';

export interface IssuedInvite {
  url: string;
  code: string;
  expiresAt: string;
}

@Injectable()
export class InterviewsService {
  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly dataSource: DataSource,
    private readonly interviews: InterviewRepository,
    private readonly jobPostings: JobPostingRepository,
    private readonly candidates: CandidateRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  async create(actor: StaffPrincipal, input: { jobPostingId: string; candidateId: string; inviteValidHours?: number }) {
    const [posting, candidate] = await Promise.all([
      this.jobPostings.findById(actor.orgId, input.jobPostingId),
      this.candidates.findById(actor.orgId, input.candidateId),
    ]);
    if (!posting) throw new DomainError(DomainErrorCode.NotFound, 'job posting not found');
    if (!candidate) throw new DomainError(DomainErrorCode.NotFound, 'candidate not found');
    const id = randomUUID();
    const invite = newInviteSecret();
    const expiresAt = this.inviteExpiry(input.inviteValidHours);
    const interview = await this.dataSource.transaction(async (manager) => {
      const created = await this.interviews.create(
        actor.orgId,
        {
          id,
          jobPostingId: posting.id,
          candidateId: candidate.id,
          status: 'scheduled',
          roomName: buildRoomName({ kind: 'interview', id }),
          inviteSecretHash: invite.hash,
          inviteExpiresAt: expiresAt,
        },
        manager,
      );
      await this.audit.append(
        actor.orgId,
        {
          actorType: 'user',
          actorId: actor.userId,
          action: 'interview.created',
          resourceType: 'interview',
          resourceId: id,
        },
        manager,
      );
      return created;
    });
    return { interview: await this.get(actor, interview.id), invite: this.inviteLink(id, invite.secret, expiresAt) };
  }

  /** A new code replaces the old one (lost or leaked link); the old link stops working. */
  async reissueInvite(actor: StaffPrincipal, interviewId: string, inviteValidHours?: number): Promise<IssuedInvite> {
    const interview = await this.get(actor, interviewId);
    if (interview.status !== 'scheduled' && interview.status !== 'in_progress' && interview.status !== 'expired') {
      throw new DomainError(
        DomainErrorCode.Conflict,
        `the interview is ${interview.status}; a new invite would not let anyone in`,
      );
    }
    const invite = newInviteSecret();
    const expiresAt = this.inviteExpiry(inviteValidHours);
    await this.dataSource.transaction(async (manager) => {
      await this.interviews.update(
        actor.orgId,
        interviewId,
        {
          inviteSecretHash: invite.hash,
          inviteExpiresAt: expiresAt,
          status: interview.status === 'expired' ? 'scheduled' : interview.status,
        },
        manager,
      );
      await this.audit.append(
        actor.orgId,
        {
          actorType: 'user',
          actorId: actor.userId,
          action: 'interview.invite_reissued',
          resourceType: 'interview',
          resourceId: interviewId,
        },
        manager,
      );
    });
    return this.inviteLink(interviewId, invite.secret, expiresAt);
  }

  list(
    actor: StaffPrincipal,
    filter: {
      status?: InterviewEntity['status'];
      candidateId?: string;
      jobPostingId?: string;
      limit: number;
      offset: number;
    },
  ) {
    const where: FindOptionsWhere<InterviewEntity> = {};
    if (filter.status) where.status = filter.status;
    if (filter.candidateId) where.candidateId = filter.candidateId;
    if (filter.jobPostingId) where.jobPostingId = filter.jobPostingId;
    return this.interviews.list(actor.orgId, { where, limit: filter.limit, offset: filter.offset });
  }

  async get(actor: StaffPrincipal, interviewId: string): Promise<InterviewEntity> {
    const interview = await this.interviews.findById(actor.orgId, interviewId);
    if (!interview) throw new DomainError(DomainErrorCode.NotFound, 'interview not found');
    return interview;
  }

  private inviteExpiry(hours?: number): Date {
    return new Date(Date.now() + (hours ?? this.config.inviteTtlHours) * 3_600_000);
  }

  private inviteLink(interviewId: string, secret: string, expiresAt: Date): IssuedInvite {
    const code = `${interviewId}.${secret}`;
    // The code sits in the fragment: browsers never send it to a server, so no access log holds it.
    return { url: `${this.config.publicWebUrl}/interview#invite=${code}`, code, expiresAt: expiresAt.toISOString() };
  }
}
