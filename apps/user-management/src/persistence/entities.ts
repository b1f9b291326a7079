import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type ValueTransformer,
} from 'typeorm';
import type { MeetingTranscript } from '@app/contracts';

// TypeORM mappings of the tables created by migrations/ (the schema is owned by migrations only).
// Every tenant-owned entity has orgId; repositories never query one without it.

export const USER_ROLES = ['admin', 'recruiter', 'hiring_manager', 'interviewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const ORG_TIERS = ['standard', 'premium'] as const;
export type OrgTier = (typeof ORG_TIERS)[number];
export const RECORDING_POLICIES = ['off', 'optional', 'mandatory'] as const;
export type RecordingPolicy = (typeof RECORDING_POLICIES)[number];
export const INTERVIEW_STATUSES = ['scheduled', 'in_progress', 'completed', 'abandoned', 'expired'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];
export const CONSENT_CHOICES = ['given', 'declined'] as const;
export type ConsentChoice = (typeof CONSENT_CHOICES)[number];
export const MEETING_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];
export const MEETING_RECORDING_STATUSES = ['none', 'recording', 'processing', 'ready', 'failed'] as const;
export type MeetingRecordingStatus = (typeof MEETING_RECORDING_STATUSES)[number];
export const RECORDING_STATUSES = ['pending', 'ready', 'failed'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];
export const RECORDING_PHASES = ['recording', 'processing', 'ready', 'failed'] as const;
export type RecordingPhase = (typeof RECORDING_PHASES)[number];
export type RecordingSubject = 'interview' | 'meeting';

// pg returns bigint as a string; our values (bytes, milliseconds) fit a JS number.
const bigintAsNumber: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | null) => (value === null || value === undefined ? null : Number(value)),
};

@Entity('organizations')
export class OrganizationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') slug!: string;
  @Column({ name: 'agent_auto_join', type: 'boolean' }) agentAutoJoin!: boolean;
  // R-A2: only premium orgs get avatar sessions. Operators set it (billing); the org cannot.
  @Column({ type: 'enum', enum: ORG_TIERS, enumName: 'org_tier', default: 'standard' }) tier!: OrgTier;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column('text') email!: string;
  @Column({ name: 'display_name', type: 'text' }) displayName!: string;
  @Column({ type: 'enum', enum: USER_ROLES, enumName: 'user_role' }) role!: UserRole;
  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false }) passwordHash!: string | null;
  // A deactivated user cannot sign in, refresh, or use an access token already issued.
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true }) deactivatedAt!: Date | null;
  // In every access token (claim ver); bumped by a deactivation or a role change, which refuses
  // the tokens issued before on their next request.
  @Column({ name: 'token_version', type: 'integer', default: 0 }) tokenVersion!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('candidates')
export class CandidateEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column('text') email!: string;
  @Column({ name: 'full_name', type: 'text' }) fullName!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export interface Competency {
  name: string;
  description: string;
  rubric: { one: string; five: string; keyPoints: string[] };
}
export interface InterviewQuestion {
  text: string;
  competency?: string;
  followUps: string[];
}

@Entity('job_postings')
export class JobPostingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column('text') title!: string;
  @Column('text') description!: string;
  @Column('jsonb') competencies!: Competency[];
  @Column('jsonb') questions!: InterviewQuestion[];
  @Column({ name: 'time_budget_minutes', type: 'integer' }) timeBudgetMinutes!: number;
  @Column({ name: 'recording_policy', type: 'enum', enum: RECORDING_POLICIES, enumName: 'recording_policy' })
  recordingPolicy!: RecordingPolicy;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('interviews')
export class InterviewEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column({ name: 'job_posting_id', type: 'uuid' }) jobPostingId!: string;
  @Column({ name: 'candidate_id', type: 'uuid' }) candidateId!: string;
  @Column({ type: 'enum', enum: INTERVIEW_STATUSES, enumName: 'interview_status' }) status!: InterviewStatus;
  @Column({ name: 'room_name', type: 'text' }) roomName!: string;
  @Column({ name: 'invite_secret_hash', type: 'text', select: false }) inviteSecretHash!: string;
  @Column({ name: 'invite_expires_at', type: 'timestamptz' }) inviteExpiresAt!: Date;
  @Column({ type: 'enum', enum: CONSENT_CHOICES, enumName: 'consent_choice', nullable: true })
  consent!: ConsentChoice | null;
  @Column({ name: 'consent_at', type: 'timestamptz', nullable: true }) consentAt!: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ type: 'jsonb', nullable: true }) transcript!: unknown[] | null;
  @Column({ type: 'jsonb', nullable: true }) scorecard!: Record<string, unknown> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('meetings')
export class MeetingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column('text') title!: string;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt!: Date;
  @Column({ type: 'enum', enum: MEETING_STATUSES, enumName: 'meeting_status' }) status!: MeetingStatus;
  @Column({ name: 'room_name', type: 'text' }) roomName!: string;
  @Column({
    name: 'recording_status',
    type: 'enum',
    enum: MEETING_RECORDING_STATUSES,
    enumName: 'meeting_recording_status',
  })
  recordingStatus!: MeetingRecordingStatus;
  @Column({ name: 'recording_started_at', type: 'timestamptz', nullable: true }) recordingStartedAt!: Date | null;
  @Column({ name: 'recording_ended_at', type: 'timestamptz', nullable: true }) recordingEndedAt!: Date | null;
  @Column({ name: 'recording_id', type: 'uuid', nullable: true }) recordingId!: string | null;
  // R-G3: the agent's transcript document (MeetingTranscript of @app/contracts), null until saved.
  @Column({ type: 'jsonb', nullable: true }) transcript!: MeetingTranscript | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('meeting_participants')
export class MeetingParticipantEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column({ name: 'meeting_id', type: 'uuid' }) meetingId!: string;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId!: string | null;
  @Column({ name: 'candidate_id', type: 'uuid', nullable: true }) candidateId!: string | null;
  @Column({ type: 'enum', enum: ['host', 'guest'], enumName: 'meeting_participant_role' }) role!: 'host' | 'guest';
  // Candidates only: the hash of their personal meeting invite code.
  @Column({ name: 'invite_secret_hash', type: 'text', nullable: true, select: false }) inviteSecretHash!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('recordings')
export class RecordingEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column({ name: 'subject_type', type: 'enum', enum: ['interview', 'meeting'], enumName: 'recording_subject' })
  subjectType!: RecordingSubject;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId!: string;
  @Column({ name: 'object_key', type: 'text' }) objectKey!: string;
  @Column({ name: 'duration_ms', type: 'bigint', nullable: true, transformer: bigintAsNumber }) durationMs!:
    number | null;
  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber }) sizeBytes!:
    number | null;
  @Column({ type: 'text', array: true }) codecs!: string[];
  @Column({ type: 'enum', enum: RECORDING_STATUSES, enumName: 'recording_status' }) status!: RecordingStatus;
  // This recording's own phase and times (a meeting shows its latest recording's).
  @Column({ type: 'enum', enum: RECORDING_PHASES, enumName: 'recording_phase' }) phase!: RecordingPhase;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ name: 'failure_reason', type: 'text', nullable: true }) failureReason!: string | null;
  // Wall-clock time of the final file's t=0 (R-R7: session offsets → replay time).
  @Column({ name: 'media_started_at', type: 'timestamptz', nullable: true }) mediaStartedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export type AuditActorType = 'user' | 'candidate' | 'service';

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column({ name: 'actor_type', type: 'text' }) actorType!: AuditActorType;
  @Column({ name: 'actor_id', type: 'text' }) actorId!: string;
  @Column('text') action!: string;
  @Column({ name: 'resource_type', type: 'text' }) resourceType!: string;
  @Column({ name: 'resource_id', type: 'uuid' }) resourceId!: string;
  @Column({ type: 'inet', nullable: true }) ip!: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent!: string | null;
  @Column('jsonb') details!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'token_hash', type: 'text' }) tokenHash!: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'replaced_by', type: 'uuid', nullable: true }) replacedBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const USER_MANAGEMENT_ENTITIES = [
  OrganizationEntity,
  UserEntity,
  CandidateEntity,
  JobPostingEntity,
  InterviewEntity,
  MeetingEntity,
  MeetingParticipantEntity,
  RecordingEntity,
  AuditLogEntity,
  RefreshTokenEntity,
];
