import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ParticipantRole } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { grantFor, mintLiveKitToken } from '@app/livekit';
import { buildRoomName } from '@app/room-naming';
import { DataSource, In } from 'typeorm';
import type { StaffPrincipal } from '../auth/staff-principal';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import type { MeetingEntity, MeetingParticipantEntity } from '../persistence/entities';
import {
  CandidateRepository,
  MeetingParticipantRepository,
  MeetingRepository,
  UserRepository,
} from '../persistence/repositories';
import { meetingJoinVerdict } from './meeting-join-window';

type ParticipantInput = { userId: string; role: 'host' | 'guest' } | { candidateId: string; role: 'host' | 'guest' };

export interface MeetingWithParticipants {
  meeting: MeetingEntity;
  participants: MeetingParticipantEntity[];
}

@Injectable()
export class MeetingsService {
  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly dataSource: DataSource,
    private readonly meetings: MeetingRepository,
    private readonly participants: MeetingParticipantRepository,
    private readonly users: UserRepository,
    private readonly candidates: CandidateRepository,
  ) {}

  async create(
    actor: StaffPrincipal,
    input: { title: string; startsAt: Date; endsAt: Date; participants: ParticipantInput[] },
  ): Promise<MeetingWithParticipants> {
    if (input.endsAt.getTime() <= Date.now())
      throw new DomainError(DomainErrorCode.ValidationFailed, 'endsAt: the meeting would already be over');
    // The organizer is always a host; everyone listed must belong to the organizer's org.
    const list: ParticipantInput[] = [
      { userId: actor.userId, role: 'host' },
      ...input.participants.filter((p) => !('userId' in p) || p.userId !== actor.userId),
    ];
    const userIds = [...new Set(list.flatMap((p) => ('userId' in p ? [p.userId] : [])))];
    const candidateIds = [...new Set(list.flatMap((p) => ('candidateId' in p ? [p.candidateId] : [])))];
    const [users, candidates] = await Promise.all([
      this.users.findByIds(actor.orgId, userIds),
      this.candidates.findByIds(actor.orgId, candidateIds),
    ]);
    if (users.length !== userIds.length)
      throw new DomainError(DomainErrorCode.NotFound, 'a listed user was not found in your organization');
    if (candidates.length !== candidateIds.length)
      throw new DomainError(DomainErrorCode.NotFound, 'a listed candidate was not found in your organization');

    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      await this.meetings.create(
        actor.orgId,
        {
          id,
          title: input.title,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          status: 'scheduled',
          roomName: buildRoomName({ kind: 'meeting', id }),
          recordingStatus: 'none',
          createdBy: actor.userId,
        },
        manager,
      );
      const seen = new Set<string>();
      for (const p of list) {
        const key = 'userId' in p ? `u:${p.userId}` : `c:${p.candidateId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await this.participants.create(
          actor.orgId,
          {
            meetingId: id,
            userId: 'userId' in p ? p.userId : null,
            candidateId: 'candidateId' in p ? p.candidateId : null,
            role: p.role,
          },
          manager,
        );
      }
    });
    return this.get(actor, id);
  }

  async get(actor: StaffPrincipal, meetingId: string): Promise<MeetingWithParticipants> {
    const meeting = await this.meetings.findById(actor.orgId, meetingId);
    if (!meeting) throw new DomainError(DomainErrorCode.NotFound, 'meeting not found');
    return { meeting, participants: await this.participants.listForMeeting(actor.orgId, meetingId) };
  }

  async list(actor: StaffPrincipal, page: { limit: number; offset: number; mine?: boolean }): Promise<MeetingEntity[]> {
    if (page.mine) {
      const ids = await this.participants.meetingIdsOfUser(actor.orgId, actor.userId);
      if (ids.length === 0) return [];
      // One query, paged in the database (not one lookup per meeting).
      return this.meetings.list(actor.orgId, {
        where: { id: In(ids) },
        limit: page.limit,
        offset: page.offset,
        order: { startsAt: 'ASC' },
      });
    }
    return this.meetings.list(actor.orgId, { limit: page.limit, offset: page.offset, order: { startsAt: 'ASC' } });
  }

  /** Hosts and admins cancel; an ended meeting stays ended. */
  async cancel(actor: StaffPrincipal, meetingId: string): Promise<MeetingWithParticipants> {
    const { meeting, participants } = await this.get(actor, meetingId);
    const isHost = participants.some((p) => p.userId === actor.userId && p.role === 'host');
    if (!isHost && actor.role !== 'admin')
      throw new DomainError(DomainErrorCode.Forbidden, 'only a host of the meeting or an admin can cancel it');
    if (meeting.status === 'ended' || meeting.status === 'cancelled')
      throw new DomainError(DomainErrorCode.Conflict, `the meeting is already ${meeting.status}`);
    await this.meetings.update(actor.orgId, meetingId, { status: 'cancelled' });
    return this.get(actor, meetingId);
  }

  /**
   * R-M1. The room and identity come from the meeting row and the signed-in user; nothing in the
   * request can change them.
   */
  async token(actor: StaffPrincipal, meetingId: string, now = new Date()) {
    const { meeting, participants } = await this.get(actor, meetingId);
    const participant = participants.find((p) => p.userId === actor.userId);
    if (!participant) throw new DomainError(DomainErrorCode.Forbidden, 'you are not a participant of this meeting');
    const role = actor.role === 'interviewer' ? 'interviewer' : 'recruiter';
    const [user] = await this.users.findByIds(actor.orgId, [actor.userId]);
    return this.mintToken(
      meeting,
      { identity: `user-${actor.userId}`, role, participantRole: participant.role, name: user?.displayName },
      now,
    );
  }

  /** A candidate's full name, for their meeting token's display name. */
  async candidateName(orgId: string, candidateId: string): Promise<string | undefined> {
    return (await this.candidates.findByIds(orgId, [candidateId]))[0]?.fullName;
  }

  /** A LiveKit token for one participant of a joinable meeting (staff or candidate guest). */
  async mintToken(
    meeting: MeetingEntity,
    who: { identity: string; role: ParticipantRole; participantRole: 'host' | 'guest'; name?: string },
    now = new Date(),
  ) {
    // R-M1: the join window (see meeting-join-window.ts).
    const verdict = meetingJoinVerdict(meeting, now, this.config.meetingTokenMaxTtlHours * 3_600_000);
    if (!verdict.joinable) throw new DomainError(DomainErrorCode.Conflict, verdict.message, { reason: verdict.reason });
    const minted = await mintLiveKitToken({
      key: { id: this.config.livekit.apiKey, secret: this.config.livekit.apiSecret },
      identity: who.identity,
      // The name the other participants' tiles show.
      ...(who.name ? { name: who.name } : {}),
      grant: grantFor(who.role, meeting.roomName),
      ttlSeconds: Math.floor(verdict.tokenTtlMs / 1000),
      metadata: JSON.stringify({
        role: who.role,
        org: meeting.orgId,
        meetingId: meeting.id,
        host: who.participantRole === 'host',
      }),
      attributes: { 'parley.role': who.role, 'parley.org': meeting.orgId, 'parley.meetingRole': who.participantRole },
    });
    return {
      token: minted.token,
      url: this.config.livekit.publicUrl,
      room: minted.room,
      identity: minted.identity,
      expiresAt: minted.expiresAt.toISOString(),
      meeting: {
        id: meeting.id,
        title: meeting.title,
        startsAt: meeting.startsAt.toISOString(),
        endsAt: meeting.endsAt.toISOString(),
        status: meeting.status,
      },
    };
  }
}
