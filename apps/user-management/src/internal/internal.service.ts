import { Injectable } from '@nestjs/common';
import {
  unsupportedQuotes,
  type InterviewPlan,
  type InterviewResults,
  type MeetingTranscript,
  type RecordingReport,
  type RoomContext,
} from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { ServiceCaller } from '@app/service-auth';
import { DataSource } from 'typeorm';
import type { InterviewEntity, MeetingEntity } from '../persistence/entities';
import { rejectNulCharacters } from '../persistence/org-scoped.repository';
import { objectKeyIsUnderOrg, phaseMayAdvance, startsLater, STATUS_OF_PHASE } from './recording-rules';
import {
  CandidateRepository,
  InterviewRepository,
  JobPostingRepository,
  MeetingRepository,
  OrganizationRepository,
  RecordingRepository,
  TenantDirectory,
} from '../persistence/repositories';

const OPEN_INTERVIEW = new Set<InterviewEntity['status']>(['scheduled', 'in_progress']);
/**
 * The statuses an interview may take results in, and the status it has afterwards. Open ones
 * complete; a completed one takes them again (the agent retries: the latest is stored); an
 * abandoned one keeps its status (the connection died, but the partial results are worth keeping).
 * Expired is closed without a session ever having run (its invite ran out while scheduled, and a
 * reissue makes it scheduled again), so results for it are refused with a 409 instead of
 * completing an interview nobody held. Any status not listed here is refused the same way.
 */
const STATUS_AFTER_RESULTS: Partial<Record<InterviewEntity['status'], InterviewEntity['status']>> = {
  scheduled: 'completed',
  in_progress: 'completed',
  completed: 'completed',
  abandoned: 'abandoned',
};
// Who knows each fact: the agent sees the candidate join; the media plane sees the session die.
const STATUS_REPORTER: Record<'in_progress' | 'abandoned', ServiceCaller> = {
  in_progress: 'interviewer-agent',
  abandoned: 'video-streaming-server',
};
/** What the media plane and the agent read and report. Tenancy always comes from our own rows. */
@Injectable()
export class InternalService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: TenantDirectory,
    private readonly organizations: OrganizationRepository,
    private readonly interviews: InterviewRepository,
    private readonly jobPostings: JobPostingRepository,
    private readonly candidates: CandidateRepository,
    private readonly meetings: MeetingRepository,
    private readonly recordings: RecordingRepository,
  ) {}

  /** R-G1 flag and R-R1 policy/consent for a room, in one read. */
  async roomContext(room: string): Promise<RoomContext> {
    const tenant = await this.directory.tenantOfRoom(room);
    if (!tenant) throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
    const org = await this.organizations.findById(tenant.orgId);
    if (!org) throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
    if (tenant.kind === 'meeting') {
      const meeting = await this.meetings.findById(tenant.orgId, tenant.id);
      if (!meeting) throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
      return {
        room,
        kind: 'meeting',
        id: meeting.id,
        orgId: org.id,
        agentAutoJoin: org.agentAutoJoin,
        status: meeting.status,
        recordingPolicy: null,
        consent: null,
        consentAt: null,
        recordingAllowed: meeting.status === 'scheduled' || meeting.status === 'live',
        tier: org.tier,
        avatarsEnabled: org.tier === 'premium',
      };
    }
    const { interview, posting } = await this.interviewWithPosting(tenant.orgId, tenant.id);
    const open = OPEN_INTERVIEW.has(interview.status);
    return {
      room,
      kind: 'interview',
      id: interview.id,
      orgId: org.id,
      agentAutoJoin: org.agentAutoJoin,
      status: interview.status,
      recordingPolicy: posting.recordingPolicy,
      consent: interview.consent,
      consentAt: interview.consentAt?.toISOString() ?? null,
      recordingAllowed: open && posting.recordingPolicy !== 'off' && interview.consent === 'given',
      tier: org.tier,
      avatarsEnabled: org.tier === 'premium',
    };
  }

  async interviewPlan(interviewId: string): Promise<InterviewPlan> {
    const orgId = await this.directory.orgOfInterview(interviewId);
    if (!orgId) throw new DomainError(DomainErrorCode.NotFound, 'interview not found');
    const { interview, posting } = await this.interviewWithPosting(orgId, interviewId);
    const candidate = await this.candidates.findById(orgId, interview.candidateId);
    return {
      interviewId: interview.id,
      orgId,
      room: interview.roomName,
      status: interview.status,
      candidate: { id: interview.candidateId, fullName: candidate?.fullName ?? '' },
      jobPosting: {
        id: posting.id,
        title: posting.title,
        description: posting.description,
        timeBudgetMinutes: posting.timeBudgetMinutes,
        competencies: posting.competencies,
        questions: posting.questions,
      },
    };
  }

  /** The session started (first join) or was abandoned (reaped); completed comes with the results. */
  async updateInterviewStatus(
    interviewId: string,
    status: 'in_progress' | 'abandoned',
    caller: ServiceCaller,
    at = new Date(),
  ) {
    if (STATUS_REPORTER[status] !== caller) {
      throw new DomainError(
        DomainErrorCode.Forbidden,
        `only ${STATUS_REPORTER[status]} reports an interview ${status}`,
        {
          reason: 'caller_not_allowed',
        },
      );
    }
    const { interview } = await this.interviewOf(interviewId);
    if (interview.status === status) return this.statusView(interview);
    if (!OPEN_INTERVIEW.has(interview.status)) {
      throw new DomainError(DomainErrorCode.Conflict, `the interview is already ${interview.status}`);
    }
    await this.interviews.update(interview.orgId, interview.id, {
      status,
      startedAt: interview.startedAt ?? (status === 'in_progress' ? at : null),
      endedAt: status === 'abandoned' ? at : null,
    });
    return this.statusView((await this.interviews.findById(interview.orgId, interview.id))!);
  }

  /**
   * R-G2: the agent's transcript and scorecard; saving twice stores the latest. The body passed
   * InterviewResults already (every evidence quote is a candidate's words at its offset); the check
   * is repeated here so no other caller of this method can store an unsupported score.
   */
  async saveResults(interviewId: string, results: InterviewResults) {
    const [unsupported] = unsupportedQuotes(results.transcript, results.scorecard);
    if (unsupported) {
      throw new DomainError(
        DomainErrorCode.ValidationFailed,
        `scorecard.competencies: evidence for ${unsupported.competency} is not a candidate's words at offset ${unsupported.offsetMs} ms`,
      );
    }
    const { interview: found } = await this.interviewOf(interviewId);
    const orgId = found.orgId;
    const saved = await this.dataSource.transaction(async (manager) => {
      // Locked: a status report (abandoned) racing with the results is applied before or after, not between.
      const interview = await this.interviews.findById(orgId, interviewId, { manager, lock: true });
      if (!interview) throw new DomainError(DomainErrorCode.NotFound, 'interview not found');
      const status = STATUS_AFTER_RESULTS[interview.status];
      if (!status) {
        throw new DomainError(
          DomainErrorCode.Conflict,
          `the interview is ${interview.status}; it takes no results (no session was held)`,
        );
      }
      await this.interviews.update(
        orgId,
        interview.id,
        {
          transcript: results.transcript,
          scorecard: results.scorecard,
          status,
          endedAt: interview.endedAt ?? (results.endedAt ? new Date(results.endedAt) : new Date()),
          // The agent reported in_progress with this same start; when that report never arrived,
          // the session start of the results (every offsetMs counts from it) is the start.
          startedAt: interview.startedAt ?? new Date(results.startedAt),
        },
        manager,
      );
      return (await this.interviews.findById(orgId, interview.id, { manager }))!;
    });
    return this.statusView(saved);
  }

  /**
   * R-G3: what the silent agent heard in a meeting, stored whole (its startedAt anchors the
   * offsets); saving twice stores the latest. Any meeting status takes it: the agent reports after
   * the room closes, when the meeting may already be ended (or cancelled while it ran).
   */
  async saveMeetingTranscript(meetingId: string, transcript: MeetingTranscript) {
    const orgId = await this.directory.orgOfMeeting(meetingId);
    const meeting = orgId ? await this.meetings.findById(orgId, meetingId) : null;
    if (!meeting) throw new DomainError(DomainErrorCode.NotFound, 'meeting not found');
    await this.meetings.update(meeting.orgId, meeting.id, { transcript });
    return {
      meetingId: meeting.id,
      startedAt: transcript.startedAt,
      endedAt: transcript.endedAt ?? null,
      utterances: transcript.transcript.length,
    };
  }

  /**
   * R-R6: recording metadata from the media plane, idempotent by recording id (it retries). Each
   * recording keeps its own phase and times; a meeting shows its latest recording (the one that
   * started last), so a second recording's reports are not lost behind the first one's `ready`.
   */
  async reportRecording(recordingId: string, report: RecordingReport) {
    rejectNulCharacters(report);
    const tenant = await this.directory.tenantOfRoom(report.room);
    if (!tenant) throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
    assertObjectKeyOfOrg(report.objectKey, tenant.orgId);
    const anotherRoom = () => new DomainError(DomainErrorCode.Conflict, 'this recording id belongs to another room');
    // Two first reports of one id race on the insert: ON CONFLICT arbitrates on the id index only,
    // so the loser can fail on the (org_id, id) index instead. Run again once: the row is there now
    // and the ordinary checks answer (409 for another room, or the report applies).
    await retryOnceOnUniqueViolation(() =>
      this.dataSource.transaction(async (manager) => {
        // Reports for one room take turns: the media plane retries, and a delayed retry of an
        // earlier phase must see (and leave alone) a later phase that committed meanwhile.
        const subject =
          tenant.kind === 'meeting'
            ? await this.meetings.findById(tenant.orgId, tenant.id, { manager, lock: true })
            : await this.interviews.findById(tenant.orgId, tenant.id, { manager, lock: true });
        if (!subject) throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
        const existingOrg = await this.directory.orgOfRecording(recordingId, manager);
        const existing = existingOrg ? await this.recordings.findById(existingOrg, recordingId, { manager }) : null;
        if (existing && (existing.orgId !== tenant.orgId || existing.subjectId !== tenant.id)) throw anotherRoom();
        // A ready recording stays ready, and no phase is undone by a delayed retry of an earlier one.
        if (phaseMayAdvance(existing?.phase, report.phase)) {
          const status = STATUS_OF_PHASE[report.phase];
          const times = {
            phase: report.phase,
            // The first start reported (or first seen) is the start; a later end replaces an earlier one.
            startedAt: existing?.startedAt ?? (report.startedAt ? new Date(report.startedAt) : new Date()),
            endedAt: report.endedAt ? new Date(report.endedAt) : (existing?.endedAt ?? null),
          };
          await this.recordings.upsert(
            tenant.orgId,
            {
              id: recordingId,
              subjectType: tenant.kind,
              subjectId: tenant.id,
              objectKey: report.objectKey,
              status,
              ...times,
              durationMs: report.durationMs ?? existing?.durationMs ?? null,
              sizeBytes: report.sizeBytes ?? existing?.sizeBytes ?? null,
              codecs: report.codecs ?? existing?.codecs ?? [],
              failureReason: status === 'failed' ? (report.failureReason ?? null) : null,
              mediaStartedAt: report.mediaStartedAt
                ? new Date(report.mediaStartedAt)
                : (existing?.mediaStartedAt ?? null),
            },
            manager,
          );
          // The upsert's conflict update covers the original columns; phase and times are set here.
          await this.recordings.update(tenant.orgId, recordingId, times, manager);
          // The first reports of one id for two rooms can both find no row; the upsert never moves
          // a row to another subject, so the one that lost the race finds it here and rolls back.
          const saved = await this.recordings.findById(tenant.orgId, recordingId, { manager });
          if (!saved || saved.subjectId !== tenant.id) throw anotherRoom();
        }
        if (tenant.kind === 'meeting') {
          const meeting = subject as MeetingEntity;
          const recording = (await this.recordings.findById(tenant.orgId, recordingId, { manager }))!;
          const shown =
            meeting.recordingId && meeting.recordingId !== recordingId
              ? await this.recordings.findById(tenant.orgId, meeting.recordingId, { manager })
              : null;
          if (!shown || startsLater(recording, shown)) {
            await this.meetings.update(
              tenant.orgId,
              tenant.id,
              {
                recordingStatus: recording.phase,
                recordingId,
                recordingStartedAt: recording.startedAt,
                recordingEndedAt: recording.endedAt,
              },
              manager,
            );
          }
        }
      }),
    );
    const saved = (await this.recordings.findById(tenant.orgId, recordingId))!;
    return {
      id: saved.id,
      subjectType: saved.subjectType,
      subjectId: saved.subjectId,
      status: saved.status,
      phase: saved.phase,
      startedAt: saved.startedAt?.toISOString() ?? null,
      endedAt: saved.endedAt?.toISOString() ?? null,
      durationMs: saved.durationMs,
      sizeBytes: saved.sizeBytes,
      codecs: saved.codecs,
    };
  }

  private async interviewOf(interviewId: string) {
    const orgId = await this.directory.orgOfInterview(interviewId);
    const interview = orgId ? await this.interviews.findById(orgId, interviewId) : null;
    if (!interview) throw new DomainError(DomainErrorCode.NotFound, 'interview not found');
    return { interview };
  }

  private async interviewWithPosting(orgId: string, interviewId: string) {
    const interview = await this.interviews.findById(orgId, interviewId);
    const posting = interview ? await this.jobPostings.findById(orgId, interview.jobPostingId) : null;
    if (!interview || !posting) throw new DomainError(DomainErrorCode.NotFound, 'interview not found');
    return { interview, posting };
  }

  private statusView(interview: InterviewEntity) {
    return {
      interviewId: interview.id,
      status: interview.status,
      startedAt: interview.startedAt?.toISOString() ?? null,
      endedAt: interview.endedAt?.toISOString() ?? null,
    };
  }
}

async function retryOnceOnUniqueViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if ((err as { driverError?: { code?: string } }).driverError?.code !== '23505') throw err;
    return work();
  }
}

/** Refuses a recording pointed at files outside its org's folders (see objectKeyIsUnderOrg). */
function assertObjectKeyOfOrg(objectKey: string, orgId: string): void {
  if (!objectKeyIsUnderOrg(objectKey, orgId)) {
    throw new DomainError(
      DomainErrorCode.Forbidden,
      `objectKey: must be under raw/${orgId}/ or final-recordings/${orgId}/ (the room's org), with no empty, . or .. segments`,
      { reason: 'object_key_outside_org' },
    );
  }
}
