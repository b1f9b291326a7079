import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import type { StaffPrincipal } from '../auth/staff-principal';
import { IdParam } from '../common/params';
import type { AuditLogEntity, RecordingEntity } from '../persistence/entities';
import { RecordingsService } from './recordings.service';

const RecordingView = z.object({
  id: z.uuid(),
  subjectType: z.enum(['interview', 'meeting']),
  subjectId: z.uuid(),
  status: z.enum(['pending', 'ready', 'failed']),
  phase: z
    .enum(['recording', 'processing', 'ready', 'failed'])
    .describe('finer than status while pending: still recording, or the final file is being made'),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  codecs: z.array(z.string()),
  failureReason: z.string().nullable(),
  mediaStartedAt: z.iso
    .datetime()
    .nullable()
    .describe(
      'wall-clock time of the file’s t=0: a transcript offset (ms from its startedAt) plays at startedAt + offsetMs − mediaStartedAt',
    ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
const PlaybackResponse = z.object({ url: z.url(), expiresAt: z.iso.datetime(), recordingId: z.uuid() });
const AuditEntryView = z.object({
  at: z.iso.datetime(),
  actorType: z.string(),
  actorId: z.string(),
  action: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
const SubjectQuery = z.object({ subjectType: z.enum(['interview', 'meeting']), subjectId: z.uuid() });

class RecordingViewDto extends createZodDto(RecordingView) {}
class PlaybackResponseDto extends createZodDto(PlaybackResponse) {}
class AuditEntryViewDto extends createZodDto(AuditEntryView) {}
class IdParamDto extends createZodDto(IdParam) {}
class SubjectQueryDto extends createZodDto(SubjectQuery) {}

// The object key stays server-side: clients only ever see a presigned URL.
const toView = (r: RecordingEntity) => ({
  id: r.id,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  status: r.status,
  phase: r.phase,
  startedAt: r.startedAt?.toISOString() ?? null,
  endedAt: r.endedAt?.toISOString() ?? null,
  durationMs: r.durationMs,
  sizeBytes: r.sizeBytes,
  codecs: r.codecs,
  failureReason: r.failureReason,
  mediaStartedAt: r.mediaStartedAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const toAuditView = (a: AuditLogEntity) => ({
  at: a.createdAt.toISOString(),
  actorType: a.actorType,
  actorId: a.actorId,
  action: a.action,
  ip: a.ip,
  userAgent: a.userAgent,
  details: a.details,
});

@ApiTags('recordings')
@ApiNotFoundResponse({
  description: 'no such recording for the caller (also when it belongs to another org or the role may not see it)',
})
@Controller('v1/recordings')
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @Get()
  @StaffOnly()
  @ApiOperation({ summary: 'Recordings of one interview or meeting (hiring team).' })
  @ApiOkResponse({ type: [RecordingViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() query: SubjectQueryDto) {
    return (await this.recordings.listForSubject(actor, query.subjectType, query.subjectId)).map(toView);
  }

  @Get(':id')
  @StaffOnly()
  @ApiOkResponse({ type: RecordingViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return toView(await this.recordings.get(actor, params.id));
  }

  @Post(':id/playback')
  @HttpCode(200)
  @StaffOnly()
  @ApiOperation({
    summary:
      'A signed replay URL valid for minutes (R-R7); every issuance is audited. Hiring team of the owning org only.',
  })
  @ApiOkResponse({ type: PlaybackResponseDto })
  playback(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto, @Req() request: FastifyRequest) {
    const userAgent = typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined;
    return this.recordings.playbackUrl(actor, params.id, { ip: request.ip, userAgent });
  }

  @Get(':id/audit')
  @StaffOnly()
  @ApiOperation({ summary: 'Who was given replay access to this recording, newest first (admins).' })
  @ApiOkResponse({ type: [AuditEntryViewDto] })
  async audit(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return (await this.recordings.auditTrail(actor, params.id)).map(toAuditView);
  }
}
