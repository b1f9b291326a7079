import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { parseRoomName } from '@app/room-naming';
import { DataSource, In, IsNull, type EntityManager, type Repository } from 'typeorm';
import {
  AuditLogEntity,
  CandidateEntity,
  InterviewEntity,
  JobPostingEntity,
  MeetingEntity,
  MeetingParticipantEntity,
  OrganizationEntity,
  RecordingEntity,
  RefreshTokenEntity,
  UserEntity,
  type AuditActorType,
} from './entities';
import { isUuid, OrgScopedRepository, rejectIllFormedText, requireOrgId } from './org-scoped.repository';

@Injectable()
export class OrganizationRepository {
  constructor(@InjectRepository(OrganizationEntity) private readonly repo: Repository<OrganizationEntity>) {}

  findById(orgId: string): Promise<OrganizationEntity | null> {
    return isUuid(orgId) ? this.repo.findOneBy({ id: orgId }) : Promise.resolve(null);
  }

  async update(
    orgId: string,
    patch: Partial<Pick<OrganizationEntity, 'name' | 'agentAutoJoin'>>,
  ): Promise<OrganizationEntity | null> {
    rejectIllFormedText(patch);
    await this.repo.update({ id: requireOrgId(orgId) }, patch);
    return this.findById(orgId);
  }
}

@Injectable()
export class UserRepository extends OrgScopedRepository<UserEntity> {
  constructor(@InjectRepository(UserEntity) repo: Repository<UserEntity>) {
    super(repo);
  }

  async findByIds(orgId: string, ids: string[]): Promise<UserEntity[]> {
    const where = this.scoped(orgId, { id: In(ids) });
    if (ids.length === 0 || !ids.every(isUuid)) return [];
    return this.repo.findBy(where);
  }

  /** What decides whether the user's access tokens still hold: their version and whether active. */
  async accessState(
    orgId: string,
    id: string,
  ): Promise<Pick<UserEntity, 'tokenVersion' | 'deactivatedAt' | 'role'> | null> {
    requireOrgId(orgId);
    if (!isUuid(id)) return null;
    return this.repo.findOne({
      select: { tokenVersion: true, deactivatedAt: true, role: true },
      where: this.scoped(orgId, { id }),
    });
  }

  /**
   * Changes the user's role or deactivates them, and bumps their token version in the same
   * statement, so every access token issued before is refused. Null when no such user.
   */
  async changeAccess(
    orgId: string,
    id: string,
    patch: { role?: UserEntity['role']; deactivatedAt?: Date },
    manager?: EntityManager,
  ): Promise<Pick<UserEntity, 'tokenVersion' | 'deactivatedAt' | 'role'> | null> {
    requireOrgId(orgId);
    if (!isUuid(id)) return null;
    const repo = manager ? manager.getRepository(UserEntity) : this.repo;
    const result = await repo
      .createQueryBuilder()
      .update(UserEntity)
      .set({ ...patch, tokenVersion: () => 'token_version + 1' })
      .where('org_id = :orgId AND id = :id', { orgId, id })
      .returning(['tokenVersion', 'deactivatedAt', 'role'])
      .execute();
    const row = (
      result.raw as Array<{ token_version: number; deactivated_at: Date | null; role: UserEntity['role'] }>
    )[0];
    return row ? { tokenVersion: row.token_version, deactivatedAt: row.deactivated_at, role: row.role } : null;
  }
}

@Injectable()
export class CandidateRepository extends OrgScopedRepository<CandidateEntity> {
  constructor(@InjectRepository(CandidateEntity) repo: Repository<CandidateEntity>) {
    super(repo);
  }

  async findByIds(orgId: string, ids: string[]): Promise<CandidateEntity[]> {
    const where = this.scoped(orgId, { id: In(ids) });
    if (ids.length === 0 || !ids.every(isUuid)) return [];
    return this.repo.findBy(where);
  }
}

@Injectable()
export class JobPostingRepository extends OrgScopedRepository<JobPostingEntity> {
  constructor(@InjectRepository(JobPostingEntity) repo: Repository<JobPostingEntity>) {
    super(repo);
  }
}

@Injectable()
export class InterviewRepository extends OrgScopedRepository<InterviewEntity> {
  constructor(@InjectRepository(InterviewEntity) repo: Repository<InterviewEntity>) {
    super(repo);
  }

  /** The interview with its invite hash, which normal reads never select. */
  async findWithInviteHash(orgId: string, id: string): Promise<InterviewEntity | null> {
    requireOrgId(orgId);
    if (!isUuid(id)) return null;
    return this.repo
      .createQueryBuilder('i')
      .addSelect('i.inviteSecretHash')
      .where('i.org_id = :orgId AND i.id = :id', { orgId, id })
      .getOne();
  }
}

@Injectable()
export class MeetingRepository extends OrgScopedRepository<MeetingEntity> {
  constructor(@InjectRepository(MeetingEntity) repo: Repository<MeetingEntity>) {
    super(repo);
  }
}

@Injectable()
export class MeetingParticipantRepository extends OrgScopedRepository<MeetingParticipantEntity> {
  constructor(@InjectRepository(MeetingParticipantEntity) repo: Repository<MeetingParticipantEntity>) {
    super(repo);
  }

  listForMeeting(orgId: string, meetingId: string): Promise<MeetingParticipantEntity[]> {
    return this.repo.find({ where: this.scoped(orgId, { meetingId }), order: { createdAt: 'ASC' } });
  }

  findUserInMeeting(orgId: string, meetingId: string, userId: string): Promise<MeetingParticipantEntity | null> {
    return this.repo.findOneBy(this.scoped(orgId, { meetingId, userId }));
  }

  /** A candidate's participation with its invite hash, which normal reads never select. */
  async findWithInviteHash(orgId: string, participantId: string): Promise<MeetingParticipantEntity | null> {
    if (!isUuid(participantId)) return null;
    return this.repo
      .createQueryBuilder('p')
      .addSelect('p.inviteSecretHash')
      .where('p.org_id = :orgId AND p.id = :participantId', { orgId, participantId })
      .getOne();
  }

  async meetingIdsOfUser(orgId: string, userId: string): Promise<string[]> {
    const rows = await this.repo.find({
      select: { meetingId: true },
      where: this.scoped(orgId, { userId, candidateId: IsNull() }),
    });
    return rows.map((r) => r.meetingId);
  }
}

@Injectable()
export class RecordingRepository extends OrgScopedRepository<RecordingEntity> {
  constructor(@InjectRepository(RecordingEntity) repo: Repository<RecordingEntity>) {
    super(repo);
  }

  listForSubject(
    orgId: string,
    subjectType: RecordingEntity['subjectType'],
    subjectId: string,
  ): Promise<RecordingEntity[]> {
    return this.repo.find({ where: this.scoped(orgId, { subjectType, subjectId }), order: { createdAt: 'ASC' } });
  }

  /** Inserts the recording or updates it in place (R-R6: the media plane retries). */
  async upsert(
    orgId: string,
    recording: Omit<RecordingEntity, 'orgId' | 'createdAt' | 'updatedAt'>,
    manager?: EntityManager,
  ): Promise<void> {
    rejectIllFormedText(recording);
    const repo = manager ? manager.getRepository(RecordingEntity) : this.repo;
    await repo
      .createQueryBuilder()
      .insert()
      .values({ ...recording, orgId: requireOrgId(orgId) })
      .orUpdate(
        [
          'object_key',
          'duration_ms',
          'size_bytes',
          'codecs',
          'status',
          'failure_reason',
          'media_started_at',
          'updated_at',
        ],
        ['id'],
      )
      .execute();
  }
}

export interface AuditEntry {
  actorType: AuditActorType;
  actorId: string;
  action: string;
  resourceType: 'recording' | 'interview' | 'meeting';
  resourceId: string;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditLogRepository {
  constructor(@InjectRepository(AuditLogEntity) private readonly repo: Repository<AuditLogEntity>) {}

  async append(orgId: string, entry: AuditEntry, manager?: EntityManager): Promise<void> {
    rejectIllFormedText(entry);
    const repo = manager ? manager.getRepository(AuditLogEntity) : this.repo;
    await repo.insert({
      orgId: requireOrgId(orgId),
      actorType: entry.actorType,
      actorId: entry.actorId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, 512) ?? null,
      details: (entry.details ?? {}) as AuditLogEntity['details'] & object,
    });
  }

  listForResource(
    orgId: string,
    resourceType: AuditEntry['resourceType'],
    resourceId: string,
    limit = 200,
  ): Promise<AuditLogEntity[]> {
    return this.repo.find({
      where: { orgId: requireOrgId(orgId), resourceType, resourceId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }
}

@Injectable()
export class RefreshTokenRepository extends OrgScopedRepository<RefreshTokenEntity> {
  constructor(@InjectRepository(RefreshTokenEntity) repo: Repository<RefreshTokenEntity>) {
    super(repo);
  }

  /** Revokes every live token of the user (logout everywhere, or a replayed refresh token). */
  async revokeAllOfUser(orgId: string, userId: string): Promise<void> {
    await this.repo.update(this.scoped(orgId, { userId, revokedAt: IsNull() }), { revokedAt: new Date() });
  }

  /** Marks the token used, only if nobody else did first; false when it was already revoked. */
  async revokeIfLive(orgId: string, id: string, replacedBy: string | null, manager?: EntityManager): Promise<boolean> {
    const repo = manager ? manager.getRepository(RefreshTokenEntity) : this.repo;
    const result = await repo.update(this.scoped(orgId, { id, revokedAt: IsNull() }), {
      revokedAt: new Date(),
      replacedBy,
    });
    return (result.affected ?? 0) > 0;
  }
}

export interface TenantOfRoom {
  orgId: string;
  kind: 'interview' | 'meeting';
  id: string;
}

/**
 * The only lookups that start without an org: they resolve a globally unique value (a login
 * email, an interview id from an invite, a room name, a refresh token id) to its org, and callers
 * go on through the org-scoped repositories with it.
 */
@Injectable()
export class TenantDirectory {
  constructor(private readonly dataSource: DataSource) {}

  /** The user with this email (case-insensitive), including the password hash, for login only. */
  findUserForLogin(email: string): Promise<UserEntity | null> {
    return this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  async orgOfInterview(interviewId: string): Promise<string | null> {
    if (!isUuid(interviewId)) return null;
    const row = await this.dataSource
      .getRepository(InterviewEntity)
      .findOne({ select: { orgId: true }, where: { id: interviewId } });
    return row?.orgId ?? null;
  }

  async orgOfMeeting(meetingId: string): Promise<string | null> {
    if (!isUuid(meetingId)) return null;
    const row = await this.dataSource
      .getRepository(MeetingEntity)
      .findOne({ select: { orgId: true }, where: { id: meetingId } });
    return row?.orgId ?? null;
  }

  async tenantOfRoom(roomName: string): Promise<TenantOfRoom | null> {
    const parsed = parseRoomName(roomName);
    if (!parsed) return null;
    const orgId =
      parsed.kind === 'interview' ? await this.orgOfInterview(parsed.id) : await this.orgOfMeeting(parsed.id);
    return orgId ? { orgId, kind: parsed.kind, id: parsed.id } : null;
  }

  async orgOfMeetingParticipant(participantId: string): Promise<string | null> {
    if (!isUuid(participantId)) return null;
    const row = await this.dataSource
      .getRepository(MeetingParticipantEntity)
      .findOne({ select: { orgId: true }, where: { id: participantId } });
    return row?.orgId ?? null;
  }

  async orgOfRefreshToken(tokenId: string): Promise<string | null> {
    if (!isUuid(tokenId)) return null;
    const row = await this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOne({ select: { orgId: true }, where: { id: tokenId } });
    return row?.orgId ?? null;
  }

  async orgOfRecording(recordingId: string, manager?: EntityManager): Promise<string | null> {
    if (!isUuid(recordingId)) return null;
    const row = await (manager ?? this.dataSource.manager)
      .getRepository(RecordingEntity)
      .findOne({ select: { orgId: true }, where: { id: recordingId } });
    return row?.orgId ?? null;
  }
}

export const USER_MANAGEMENT_REPOSITORIES = [
  OrganizationRepository,
  UserRepository,
  CandidateRepository,
  JobPostingRepository,
  InterviewRepository,
  MeetingRepository,
  MeetingParticipantRepository,
  RecordingRepository,
  AuditLogRepository,
  RefreshTokenRepository,
  TenantDirectory,
];
