import { z } from 'zod';

// R-R2/R-R3: the media plane's recording control and status, as clients (the recruiter's meeting
// page, the candidate's room, the review page) and tests see them.

export const RECORDING_STATES = ['idle', 'starting', 'recording', 'stopping', 'finalizing', 'ready', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export const StartRecordingRequest = z.strictObject({
  stopApproval: z
    .enum(['required', 'not_required'])
    .optional()
    .describe('whether a stop by someone other than the starter needs the starter’s approval; default: the server’s'),
});
export type StartRecordingRequest = z.infer<typeof StartRecordingRequest>;

export const StopRequestParam = z.strictObject({ requestId: z.uuid() });

const Actor = z.object({ identity: z.string(), at: z.iso.datetime() });

export const StopRequestView = z.object({
  id: z.uuid(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  outcome: z.enum(['pending', 'approved', 'rejected']),
  decidedAt: z.iso.datetime().nullable(),
});
export type StopRequestView = z.infer<typeof StopRequestView>;

export const RecordingTrackView = z.object({
  egressId: z.string(),
  participant: z.string(),
  kind: z.enum(['audio', 'video', 'unknown']),
  status: z.enum(['active', 'ended', 'failed', 'aborted']),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
});

export const RecordingStatusResponse = z.object({
  room: z.string(),
  recordingId: z.uuid().nullable().describe('null while the room was never recorded'),
  state: z.enum(RECORDING_STATES),
  recorder: z.enum(['local', 'egress']).nullable(),
  recorderIds: z.array(z.string()).describe('egress ids, one per recorded track'),
  startedBy: Actor.nullable(),
  stoppedBy: Actor.nullable(),
  stopApproval: z.enum(['required', 'not_required']).nullable(),
  stopRequest: StopRequestView.nullable().describe('the latest stop request by someone other than the starter'),
  tracks: z.array(RecordingTrackView),
  finalize: z.object({ percent: z.number().min(0).max(100), stage: z.string(), attempt: z.number().int() }).nullable(),
  cutShort: z.boolean().describe('the recorder stopped unexpectedly; what it wrote was kept'),
  failureReason: z.string().nullable(),
  result: z
    .object({
      durationMs: z.number().int(),
      sizeBytes: z.number().int(),
      codecs: z.array(z.string()),
      mediaStartedAt: z.iso.datetime().describe('wall-clock time of the final file’s t=0'),
    })
    .nullable(),
});
export type RecordingStatusResponse = z.infer<typeof RecordingStatusResponse>;
