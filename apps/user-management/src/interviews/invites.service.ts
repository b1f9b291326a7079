import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { DataSource } from 'typeorm';
import type { ConsentChoice, InterviewEntity, JobPostingEntity } from '../persistence/entities';
import {
  AuditLogRepository,
  CandidateRepository,
  InterviewRepository,
  JobPostingRepository,
  OrganizationRepository,
  TenantDirectory,
} from '../persistence/repositories';
import { SessionTicketSigner } from '../tickets/session-ticket.signer';
import { inviteSecretMatches, splitInviteCode } from '../common/invite-codes';
import { inviteVerdict } from './invite-resolution';

export interface CandidateContext {
  ip?: string;
  userAgent?: string;
}

/** What a candidate can do with an invite code: look at it, record consent, get a session ticket. */
@Injectable()
export class InvitesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: TenantDirectory,
    private readonly interviews: InterviewRepository,
    private readonly jobPostings: JobPostingRepository,
    private readonly candidates: CandidateRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditLogRepository,
    private readonly tickets: SessionTicketSigner,
  ) {}

  async inspect(code: string) {
    const { interview, posting } = await this.resolve(code, { allowClosed: true });
    const [candidate, org] = await Promise.all([
      this.candidates.findById(interview.orgId, interview.candidateId),
      this.organizations.findById(interview.orgId),
    ]);
    return {
      interviewId: interview.id,
      organization: org?.name ?? '',
      jobTitle: posting.title,
      candidateName: candidate?.fullName ?? '',
      status: interview.status,
      timeBudgetMinutes: posting.timeBudgetMinutes,
      recordingPolicy: posting.recordingPolicy,
      consent: interview.consent,
      expiresAt: interview.inviteExpiresAt.toISOString(),
    };
  }

  /** R-R1: the candidate's choice, with when; every change is in the audit log. */
  async recordConsent(code: string, choice: ConsentChoice, context: CandidateContext) {
    const { interview, posting } = await this.resolve(code);
    if (posting.recordingPolicy === 'off') {
      throw new DomainError(
        DomainErrorCode.Conflict,
        'this interview is never recorded, so there is no consent to give or decline',
      );
    }
    const consentAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      await this.interviews.update(interview.orgId, interview.id, { consent: choice, consentAt }, manager);
      await this.audit.append(
        interview.orgId,
        {
          actorType: 'candidate',
          actorId: interview.candidateId,
          action: `interview.consent_${choice}`,
          resourceType: 'interview',
          resourceId: interview.id,
          ip: context.ip,
          userAgent: context.userAgent,
          details: { recordingPolicy: posting.recordingPolicy },
        },
        manager,
      );
    });
    return {
      interviewId: interview.id,
      consent: choice,
      consentAt: consentAt.toISOString(),
      recordingPolicy: posting.recordingPolicy,
    };
  }

  /** A session ticket for the interview room; works again for reconnects while the interview is open. */
  async redeem(code: string, context: CandidateContext) {
    const { interview, posting } = await this.resolve(code);
    if (posting.recordingPolicy === 'mandatory' && interview.consent !== 'given') {
      throw new DomainError(
        DomainErrorCode.Conflict,
        interview.consent === 'declined'
          ? 'this interview is always recorded and recording was declined; give consent to join'
          : 'this interview is always recorded; record your consent before joining',
        { reason: 'consent_required' },
      );
    }
    const identity = `candidate-${interview.candidateId}`;
    const signed = await this.tickets.sign({
      identity,
      room: interview.roomName,
      role: 'candidate',
      orgId: interview.orgId,
      sessionId: interview.id,
    });
    await this.audit.append(interview.orgId, {
      actorType: 'candidate',
      actorId: interview.candidateId,
      action: 'interview.ticket_issued',
      resourceType: 'interview',
      resourceId: interview.id,
      ip: context.ip,
      userAgent: context.userAgent,
    });
    return {
      ticket: signed.ticket,
      ticketExpiresAt: signed.expiresAt,
      room: interview.roomName,
      identity,
      interviewId: interview.id,
      recordingPolicy: posting.recordingPolicy,
      consent: interview.consent,
    };
  }

  // An unknown interview and a wrong secret get the same 404: the answer reveals nothing.
  private async resolve(
    code: string,
    options: { allowClosed?: boolean } = {},
  ): Promise<{ interview: InterviewEntity; posting: JobPostingEntity }> {
    const { id: interviewId, secret } = splitInviteCode(code);
    const orgId = await this.directory.orgOfInterview(interviewId);
    const interview = orgId ? await this.interviews.findWithInviteHash(orgId, interviewId) : null;
    if (!interview || !inviteSecretMatches(secret, interview.inviteSecretHash)) {
      throw new DomainError(
        DomainErrorCode.NotFound,
        'invite not found; check the link, or ask the recruiter for a new one',
      );
    }
    const posting = await this.jobPostings.findById(interview.orgId, interview.jobPostingId);
    if (!posting)
      throw new DomainError(
        DomainErrorCode.NotFound,
        'invite not found; check the link, or ask the recruiter for a new one',
      );
    if (options.allowClosed) return { interview, posting };

    const verdict = inviteVerdict(interview, new Date());
    if (!verdict.opens) {
      if (verdict.markExpired) await this.interviews.update(interview.orgId, interview.id, { status: 'expired' });
      throw new DomainError(
        DomainErrorCode.Gone,
        verdict.message,
        verdict.reason ? { reason: verdict.reason } : undefined,
      );
    }
    return { interview, posting };
  }
}
