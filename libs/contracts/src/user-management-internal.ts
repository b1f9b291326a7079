import { z } from 'zod';
import { parseRoomName } from '@app/room-naming';

// The internal API of user-management (service tokens only, see @app/service-auth): what the
// media plane and the agent read and report. Shared so both ends parse the same shapes.

export const ConventionalRoom = z
  .string()
  .max(100)
  .refine((name) => parseRoomName(name) !== null, 'must be a conventional room name (R-L1)');

export const RoomContext = z.object({
  room: z.string(),
  kind: z.enum(['interview', 'meeting']),
  id: z.uuid(),
  orgId: z.uuid(),
  agentAutoJoin: z.boolean().describe('R-G1: the org lets the AI interviewer join on its own'),
  status: z.string(),
  recordingPolicy: z
    .enum(['off', 'optional', 'mandatory'])
    .nullable()
    .describe('interviews: the job posting’s policy; meetings: null (hosts decide)'),
  consent: z.enum(['given', 'declined']).nullable(),
  consentAt: z.iso.datetime().nullable(),
  recordingAllowed: z.boolean().describe('R-R1: whether a recording may start now'),
});
export type RoomContext = z.infer<typeof RoomContext>;

export const InterviewPlan = z.object({
  interviewId: z.uuid(),
  orgId: z.uuid(),
  room: z.string(),
  status: z.string(),
  candidate: z.object({ id: z.uuid(), fullName: z.string() }),
  jobPosting: z.object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    timeBudgetMinutes: z.number().int(),
    competencies: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        rubric: z.object({ one: z.string(), five: z.string(), keyPoints: z.array(z.string()) }),
      }),
    ),
    questions: z.array(
      z.object({ text: z.string(), competency: z.string().optional(), followUps: z.array(z.string()) }),
    ),
  }),
});
export type InterviewPlan = z.infer<typeof InterviewPlan>;

export const InterviewStatusUpdate = z.strictObject({
  status: z.enum(['in_progress', 'abandoned']),
  at: z.iso.datetime({ offset: true }).optional(),
});

const TranscriptEntry = z.strictObject({
  speaker: z.enum(['interviewer', 'candidate']),
  text: z.string().max(10_000),
  at: z.iso.datetime({ offset: true }),
});

export const InterviewResults = z.strictObject({
  transcript: z.array(TranscriptEntry).max(5_000),
  scorecard: z.strictObject({
    competencies: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(100),
          score: z.number().int().min(1).max(5),
          evidence: z.array(z.string().max(2_000)).max(20).describe('quotes from the transcript'),
        }),
      )
      .max(20),
    summary: z.string().max(10_000),
  }),
  endedAt: z.iso.datetime({ offset: true }).optional(),
});
export type InterviewResults = z.infer<typeof InterviewResults>;

export const RECORDING_PHASES = ['recording', 'processing', 'ready', 'failed'] as const;

export const RecordingReport = z
  .strictObject({
    room: ConventionalRoom.describe('the room recorded; user-management derives org and subject from it'),
    objectKey: z.string().min(1).max(1024),
    phase: z.enum(RECORDING_PHASES),
    startedAt: z.iso.datetime({ offset: true }).optional(),
    endedAt: z.iso.datetime({ offset: true }).optional(),
    durationMs: z.number().int().min(0).optional(),
    sizeBytes: z.number().int().min(0).optional(),
    codecs: z.array(z.string().min(1).max(50)).max(10).optional(),
    failureReason: z.string().max(2_000).optional(),
  })
  .refine((r) => r.phase !== 'failed' || r.failureReason, {
    message: 'a failed recording needs a failureReason',
    path: ['failureReason'],
  });
export type RecordingReport = z.infer<typeof RecordingReport>;
