import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RecordingStatusResponse, StartRecordingRequest, TelemetryClaims } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { parseRoomName } from '@app/room-naming';
import type { EgressInfo } from 'livekit-server-sdk';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { RecordingStopper } from '../sessions/recording-stopper';
import { UserManagementClient } from '../user-management/user-management.client';
import { trackFromEgressInfo } from './egress-info';
import { FinalizeQueue } from './finalize/finalize.queue';
import { LIVE_STATES, rawFolder, rawPrefix, type RecordingRecord, type StopRequest } from './recording.model';
import { recordingStartVerdict } from './recording-policy';
import { RecordingRepository } from './recording.repository';
import { RecordingReportsQueue } from './recording-reports.queue';
import { Recorder, RecorderUnavailable } from './recorder.port';

/** Who acts on a recording: a participant (from the telemetry JWT) or the media plane itself. */
export interface RecordingActor {
  identity: string;
  role?: string;
}

const SYSTEM = (why: string): RecordingActor => ({ identity: `system:${why}`, role: 'system' });
// Staff control recordings; a candidate's client never starts or stops one (R-R2).
const CONTROLLING_ROLES = new Set(['recruiter', 'interviewer', 'system']);

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export const actorOf = (claims: TelemetryClaims): RecordingActor => ({ identity: claims.sub, role: claims.role });

/**
 * R-R1..R-R3: the rules of recording a room. Start checks the policy and consent with
 * user-management; a second start while one is live is refused; a stop by someone other than the
 * starter becomes a request the starter decides on, when the recording requires approval; the
 * media plane itself stops a recording whose room ended, whose candidate was reaped or whose
 * recorder went away. Every change is a compare-and-set in Redis (RecordingRepository), so
 * restarting this service mid-recording loses nothing.
 */
@Injectable()
export class RecordingsService extends RecordingStopper {
  private readonly logger = new Logger(RecordingsService.name);

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly repository: RecordingRepository,
    private readonly recorder: Recorder,
    private readonly userManagement: UserManagementClient,
    private readonly reports: RecordingReportsQueue,
    private readonly finalize: FinalizeQueue,
  ) {
    super();
  }

  async start(
    room: string,
    actor: RecordingActor,
    request: StartRecordingRequest = {},
  ): Promise<RecordingStatusResponse> {
    this.assertMayControl(actor);
    const context = await this.userManagement.roomContext(room);
    const verdict = recordingStartVerdict(context);
    if (!verdict.allowed) {
      throw new DomainError(DomainErrorCode.Conflict, verdict.message, { reason: verdict.reason });
    }
    const now = Date.now();
    const record: RecordingRecord = {
      id: randomUUID(),
      room,
      orgId: context.orgId,
      subjectKind: context.kind,
      subjectId: context.id,
      state: 'starting',
      recorder: this.recorder.name,
      stopApproval: request.stopApproval ?? this.config.recording.stopApproval,
      startedBy: actor.identity,
      startedAt: now,
      cutShort: false,
    };
    const created = await this.repository.create(record, `recording started by ${actor.identity}`);
    if (!created.created) {
      throw new DomainError(
        DomainErrorCode.Conflict,
        `this room is already being recorded (recording ${created.liveId})`,
        {
          reason: 'already_recording',
          recordingId: created.liveId,
        },
      );
    }
    try {
      const started = await this.recorder.start({
        recordingId: record.id,
        room,
        orgId: record.orgId,
        filepathPrefix: rawPrefix(record.orgId, record.id),
      });
      for (const track of started.tracks) await this.repository.putTrack(record.id, track);
      await this.repository.transition(
        record,
        ['starting'],
        'recording',
        `recorder ${this.recorder.name} is recording`,
      );
    } catch (err) {
      const reason = err instanceof RecorderUnavailable ? err.reason : 'the recorder failed to start';
      this.logger.warn({ err, recordingId: record.id, room }, 'recording could not start');
      await this.repository.transition(record, ['starting'], 'failed', reason, { failureReason: reason });
      throw new DomainError(DomainErrorCode.DependencyUnavailable, reason, { reason: 'recorder_unavailable' });
    }
    await this.reports.report(record.id, {
      room,
      objectKey: rawFolder(record.orgId, record.id),
      phase: 'recording',
      startedAt: new Date(now).toISOString(),
    });
    return this.status(room);
  }

  /**
   * Stops the room's recording, or, when someone other than its starter asks and the recording
   * requires approval, records a pending stop request for the starter to decide.
   */
  async requestStop(room: string, actor: RecordingActor): Promise<RecordingStatusResponse> {
    this.assertMayControl(actor);
    const record = await this.liveRecording(room);
    if (record.state !== 'recording') return this.status(room); // already stopping or starting: nothing to add
    // The media plane's own recordings (an interview's, by its policy) have no starter to ask.
    const approvalNeeded =
      record.stopApproval === 'required' && !record.startedBy.startsWith('system:') && actor.role !== 'system';
    if (actor.identity === record.startedBy || !approvalNeeded) {
      await this.stop(record, actor);
      return this.status(room);
    }
    const pending = record.stopRequest?.outcome === 'pending' ? record.stopRequest : undefined;
    if (pending) {
      if (pending.requestedBy === actor.identity) return this.status(room);
      throw new DomainError(DomainErrorCode.Conflict, 'a stop request is already waiting for the starter', {
        reason: 'stop_request_pending',
      });
    }
    const request: StopRequest = {
      id: randomUUID(),
      requestedBy: actor.identity,
      requestedAt: Date.now(),
      outcome: 'pending',
      decidedAt: null,
    };
    await this.repository.replaceStopRequest(
      record.id,
      record.stopRequest,
      request,
      `${actor.identity} asked ${record.startedBy} to stop the recording`,
    );
    return this.status(room);
  }

  async decideStop(
    room: string,
    actor: RecordingActor,
    requestId: string,
    decision: 'approved' | 'rejected',
  ): Promise<RecordingStatusResponse> {
    const record = await this.liveRecording(room);
    if (actor.identity !== record.startedBy) {
      throw new DomainError(DomainErrorCode.Forbidden, 'only the participant who started the recording can decide', {
        reason: 'not_the_starter',
      });
    }
    const request = record.stopRequest;
    if (!request || request.id !== requestId) throw new DomainError(DomainErrorCode.NotFound, 'no such stop request');
    if (request.outcome !== 'pending') {
      throw new DomainError(DomainErrorCode.Conflict, `this stop request was already ${request.outcome}`, {
        reason: 'stop_request_decided',
      });
    }
    const decided: StopRequest = { ...request, outcome: decision, decidedAt: Date.now() };
    const applied = await this.repository.replaceStopRequest(
      record.id,
      request,
      decided,
      `${actor.identity} ${decision} the stop requested by ${request.requestedBy}`,
    );
    if (!applied) throw new DomainError(DomainErrorCode.Conflict, 'this stop request was already decided');
    if (decision === 'approved') await this.stop(record, { identity: request.requestedBy });
    return this.status(room);
  }

  async status(room: string): Promise<RecordingStatusResponse> {
    const id = await this.repository.latestId(room);
    const record = id ? await this.repository.get(id) : undefined;
    if (!record) {
      return {
        room,
        recordingId: null,
        state: 'idle',
        recorder: null,
        recorderIds: [],
        startedBy: null,
        stoppedBy: null,
        stopApproval: null,
        stopRequest: null,
        tracks: [],
        finalize: null,
        cutShort: false,
        failureReason: null,
        result: null,
      };
    }
    const tracks = await this.repository.tracks(record.id);
    return {
      room,
      recordingId: record.id,
      state: record.state,
      recorder: record.recorder,
      recorderIds: tracks.map((t) => t.egressId),
      startedBy: { identity: record.startedBy, at: new Date(record.startedAt).toISOString() },
      stoppedBy:
        record.stoppedBy && record.stoppedAt
          ? { identity: record.stoppedBy, at: new Date(record.stoppedAt).toISOString() }
          : null,
      stopApproval: record.stopApproval,
      stopRequest: record.stopRequest
        ? {
            id: record.stopRequest.id,
            requestedBy: record.stopRequest.requestedBy,
            requestedAt: new Date(record.stopRequest.requestedAt).toISOString(),
            outcome: record.stopRequest.outcome,
            decidedAt: iso(record.stopRequest.decidedAt ?? undefined),
          }
        : null,
      tracks: tracks.map((t) => ({
        egressId: t.egressId,
        participant: t.participant,
        kind: t.kind,
        status: t.status,
        startedAt: iso(t.startedAt),
        endedAt: iso(t.endedAt),
      })),
      finalize:
        record.finalizeStage !== undefined
          ? {
              percent: record.finalizePercent ?? 0,
              stage: record.finalizeStage,
              attempt: record.finalizeAttempt ?? 1,
            }
          : null,
      cutShort: record.cutShort,
      failureReason: record.failureReason ?? null,
      result:
        record.state === 'ready' && record.durationMs !== undefined
          ? {
              durationMs: record.durationMs,
              sizeBytes: record.sizeBytes ?? 0,
              codecs: record.codecs ?? [],
              mediaStartedAt: new Date(record.mediaStartedAt ?? record.startedAt).toISOString(),
            }
          : null,
    };
  }

  async timeline(room: string) {
    const id = await this.repository.latestId(room);
    return id ? this.repository.timeline(id) : [];
  }

  // --- what LiveKit's webhooks tell (LiveKitEventsQueue calls these) ---

  /** A track egress (or the local recorder's track) started or ended. */
  async onEgressEvent(info: EgressInfo): Promise<void> {
    const parsed = trackFromEgressInfo(info);
    if (!parsed) return;
    const record = await this.repository.get(parsed.recordingId);
    if (!record) return;
    const { track } = parsed;
    const applied = await this.repository.putTrack(record.id, track);
    if (!applied || track.status === 'active') return;
    if (track.status === 'aborted' || track.status === 'failed') {
      await this.repository.patch(
        record.id,
        { cutShort: true },
        `track ${track.egressId} of ${track.participant} ${track.status}: ${track.error ?? 'no reason given'}`,
      );
      // The recorder lost the recording (it was killed, or egress gave up): what it saved is kept,
      // and the recording stops and is finalized from it.
      if (record.state === 'recording') await this.stop(record, SYSTEM('recorder-stopped'));
    }
  }

  /** A participant published a track while the room records (egress needs a new track egress). */
  async onTrackPublished(room: string, track: { participant: string; trackSid: string; kind: 'audio' | 'video' }) {
    const id = await this.repository.liveId(room);
    const record = id ? await this.repository.get(id) : undefined;
    if (!record || record.state !== 'recording') return;
    const started = await this.recorder.trackPublished(record, track);
    if (started) await this.repository.putTrack(record.id, started);
  }

  /** An interview records from the moment its candidate arrives, when the policy allows (R-R1). */
  async onParticipantJoined(room: string, identity: string): Promise<void> {
    if (!this.config.recording.autoStartInterviews) return;
    if (parseRoomName(room)?.kind !== 'interview' || !identity.startsWith('candidate-')) return;
    if (await this.repository.liveId(room)) return;
    try {
      await this.start(room, SYSTEM('interview-policy'));
    } catch (err) {
      // Not recording is the policy's answer for `off` and missing consent: nothing to retry.
      if (err instanceof DomainError && err.code === DomainErrorCode.Conflict) return;
      throw err;
    }
  }

  async onRoomFinished(room: string): Promise<void> {
    await this.stopIfLive(room, SYSTEM('room-finished'));
  }

  /** The reaper's hook: an interview's reaped candidate, or a meeting recording's reaped starter. */
  async stopForAbandonedSession(room: string, identity: string): Promise<void> {
    const id = await this.repository.liveId(room);
    const record = id ? await this.repository.get(id) : undefined;
    if (!record) return;
    const candidateLeft = record.subjectKind === 'interview' && identity.startsWith('candidate-');
    if (candidateLeft || identity === record.startedBy) await this.stopIfLive(room, SYSTEM('session-abandoned'));
  }

  private async stopIfLive(room: string, actor: RecordingActor): Promise<void> {
    const id = await this.repository.liveId(room);
    const record = id ? await this.repository.get(id) : undefined;
    if (record?.state === 'recording') await this.stop(record, actor);
  }

  private async stop(record: RecordingRecord, actor: RecordingActor): Promise<void> {
    const now = Date.now();
    const moved = await this.repository.transition(
      record,
      ['recording'],
      'stopping',
      `recording stopped by ${actor.identity}`,
      { stoppedBy: actor.identity, stoppedAt: now },
      now,
    );
    if (!moved.ok) return; // another stop got there first
    // The finalize job waits for every track to end, so it is queued before the recorder is asked.
    await this.finalize.enqueue(record.id);
    try {
      const ended = await this.recorder.stop(record, await this.repository.tracks(record.id));
      for (const track of ended) await this.repository.putTrack(record.id, track);
    } catch (err) {
      // The finalize job still runs: it waits for the tracks' ends, then finalizes what was saved.
      this.logger.warn({ err, recordingId: record.id }, 'the recorder did not confirm the stop');
      await this.repository.patch(record.id, {}, `the recorder did not confirm the stop: ${(err as Error).message}`);
    }
    await this.reports.report(record.id, {
      room: record.room,
      objectKey: rawFolder(record.orgId, record.id),
      phase: 'processing',
      endedAt: new Date(now).toISOString(),
    });
  }

  private async liveRecording(room: string): Promise<RecordingRecord> {
    const id = await this.repository.liveId(room);
    const record = id ? await this.repository.get(id) : undefined;
    if (!record || !LIVE_STATES.includes(record.state)) {
      throw new DomainError(DomainErrorCode.Conflict, 'this room is not being recorded', { reason: 'not_recording' });
    }
    return record;
  }

  private assertMayControl(actor: RecordingActor): void {
    if (!CONTROLLING_ROLES.has(actor.role ?? '')) {
      throw new DomainError(DomainErrorCode.Forbidden, 'only staff in the room can start or stop its recording', {
        reason: 'not_staff',
      });
    }
  }
}
