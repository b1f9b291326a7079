import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { inviteSecretMatches, newInviteSecret, splitInviteCode } from '../common/invite-codes';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import type { StaffPrincipal } from '../auth/staff-principal';
import { MeetingParticipantRepository, MeetingRepository, TenantDirectory } from '../persistence/repositories';
import { MeetingsService } from './meetings.service';

export interface GuestInvite {
  candidateId: string;
  code: string;
  url: string;
}

const notFound = () =>
  new DomainError(
    DomainErrorCode.NotFound,
    'meeting invite not found; check the link, or ask the organizer for a new one',
  );

/**
 * Candidates join meetings with a personal invite code (they have no account). The code leads to
 * exactly one participant row; room and identity come from that row, as for staff (R-M1).
 */
@Injectable()
export class MeetingInvitesService {
  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly directory: TenantDirectory,
    private readonly participants: MeetingParticipantRepository,
    private readonly meetingsRepo: MeetingRepository,
    private readonly meetings: MeetingsService,
  ) {}

  /** New codes for the meeting's candidates (all, or one); earlier codes stop working. */
  async issue(actor: StaffPrincipal, meetingId: string, onlyCandidateId?: string): Promise<GuestInvite[]> {
    const { participants } = await this.meetings.get(actor, meetingId);
    const guests = participants.filter((p) => p.candidateId && (!onlyCandidateId || p.candidateId === onlyCandidateId));
    if (onlyCandidateId && guests.length === 0)
      throw new DomainError(DomainErrorCode.NotFound, 'this candidate is not a participant of the meeting');
    const invites: GuestInvite[] = [];
    for (const guest of guests) {
      const invite = newInviteSecret();
      await this.participants.update(actor.orgId, guest.id, { inviteSecretHash: invite.hash });
      const code = `${guest.id}.${invite.secret}`;
      invites.push({
        candidateId: guest.candidateId!,
        code,
        url: `${this.config.publicWebUrl}/meeting#invite=${code}`,
      });
    }
    return invites;
  }

  async token(code: string) {
    const { id, secret } = splitInviteCode(code);
    const orgId = await this.directory.orgOfMeetingParticipant(id);
    const participant = orgId ? await this.participants.findWithInviteHash(orgId, id) : null;
    if (
      !participant?.inviteSecretHash ||
      !participant.candidateId ||
      !inviteSecretMatches(secret, participant.inviteSecretHash)
    )
      throw notFound();
    const meeting = await this.meetingsRepo.findById(participant.orgId, participant.meetingId);
    if (!meeting) throw notFound();
    return this.meetings.mintToken(meeting, {
      identity: `candidate-${participant.candidateId}`,
      role: 'candidate',
      participantRole: participant.role,
      name: await this.meetings.candidateName(participant.orgId, participant.candidateId),
    });
  }
}
