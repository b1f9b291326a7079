import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { ObjectStore } from '@app/object-store';
import { HIRING_TEAM, type StaffPrincipal } from '../auth/staff-principal';
import { UM_CONFIG, type UserManagementConfig } from '../config';
import type { RecordingEntity, RecordingSubject } from '../persistence/entities';
import { AuditLogRepository, RecordingRepository } from '../persistence/repositories';

export interface RequestContext {
  ip?: string;
  userAgent?: string;
}

// Outside the owning org's hiring team a recording does not exist: the same 404 whether or not
// the id is real (R-R7).
const notFound = () => new DomainError(DomainErrorCode.NotFound, 'recording not found');

@Injectable()
export class RecordingsService implements OnApplicationShutdown {
  // Signs with the public endpoint browsers can reach (S3_PUBLIC_ENDPOINT); signing is local.
  private readonly replayStore: ObjectStore;

  constructor(
    @Inject(UM_CONFIG) private readonly config: UserManagementConfig,
    private readonly recordings: RecordingRepository,
    private readonly audit: AuditLogRepository,
  ) {
    this.replayStore = ObjectStore.fromOptions(config.replayObjectStore);
  }

  onApplicationShutdown(): void {
    this.replayStore.destroy();
  }

  async get(actor: StaffPrincipal, recordingId: string): Promise<RecordingEntity> {
    if (!HIRING_TEAM.includes(actor.role)) throw notFound();
    const recording = await this.recordings.findById(actor.orgId, recordingId);
    if (!recording) throw notFound();
    return recording;
  }

  async listForSubject(
    actor: StaffPrincipal,
    subjectType: RecordingSubject,
    subjectId: string,
  ): Promise<RecordingEntity[]> {
    if (!HIRING_TEAM.includes(actor.role)) return [];
    return this.recordings.listForSubject(actor.orgId, subjectType, subjectId);
  }

  /** R-R7: a presigned GET that lives minutes, and an audit row saying who got it, when, from where. */
  async playbackUrl(actor: StaffPrincipal, recordingId: string, context: RequestContext) {
    const recording = await this.get(actor, recordingId);
    if (recording.status !== 'ready') {
      throw new DomainError(
        DomainErrorCode.Conflict,
        recording.status === 'failed'
          ? 'this recording failed and cannot be played'
          : 'this recording is still being processed',
      );
    }
    const ttl = this.config.replayUrlTtlSeconds;
    const url = await this.replayStore.presignGet(recording.objectKey, ttl);
    const expiresAt = new Date(Date.now() + ttl * 1000).toISOString();
    await this.audit.append(actor.orgId, {
      actorType: 'user',
      actorId: actor.userId,
      action: 'recording.playback_url_issued',
      resourceType: 'recording',
      resourceId: recording.id,
      ip: context.ip,
      userAgent: context.userAgent,
      details: { expiresAt, ttlSeconds: ttl, subjectType: recording.subjectType, subjectId: recording.subjectId },
    });
    return { url, expiresAt, recordingId: recording.id };
  }

  async auditTrail(actor: StaffPrincipal, recordingId: string) {
    if (actor.role !== 'admin') throw notFound();
    await this.get(actor, recordingId);
    return this.audit.listForResource(actor.orgId, 'recording', recordingId);
  }
}
