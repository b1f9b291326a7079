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
  tier: z.enum(['standard', 'premium']).describe('the org’s service tier'),
  avatarsEnabled: z.boolean().describe('R-A2: whether the org’s tier includes an avatar for the interviewer'),
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

// R-G2: the interview's transcript and scorecard. Offsets are milliseconds from `startedAt` (the
// moment the agent saw the candidate arrive), so a replay can jump to the words a score rests on.
const UtteranceText = z.string().min(1).max(10_000);
const SessionOffsetMs = z
  .number()
  .int()
  .min(0)
  .max(24 * 3_600_000)
  .describe('milliseconds from the session start');

export const TranscriptUtterance = z.strictObject({
  speaker: z.enum(['interviewer', 'candidate']),
  text: UtteranceText,
  offsetMs: SessionOffsetMs,
  mode: z.enum(['spoken', 'typed']).describe('spoken (recognised speech) or typed on lk.chat'),
});
export type TranscriptUtterance = z.infer<typeof TranscriptUtterance>;

export const EvidenceQuote = z.strictObject({
  quote: z.string().min(1).max(2_000).describe('an exact substring of one candidate utterance'),
  offsetMs: z.number().int().min(0).describe('the offset of the utterance the quote comes from'),
});
export type EvidenceQuote = z.infer<typeof EvidenceQuote>;

export const RECOMMENDATIONS = ['strong_yes', 'yes', 'no', 'strong_no'] as const;

export const Scorecard = z.strictObject({
  competencies: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(100),
        score: z.number().int().min(1).max(5),
        justification: z.string().min(1).max(2_000),
        evidence: z.array(EvidenceQuote).max(20),
      }),
    )
    .max(20),
  recommendation: z.enum(RECOMMENDATIONS),
  summary: z.string().max(10_000),
});
export type Scorecard = z.infer<typeof Scorecard>;

/**
 * The evidence quotes of `scorecard` that are not an exact substring of a candidate utterance at
 * the stated offset: an invented or misplaced quote. Empty means every score points to the
 * candidate's own words. Shared by the agent (which retries the LLM) and user-management (which refuses).
 */
export function unsupportedQuotes(
  transcript: readonly TranscriptUtterance[],
  scorecard: Pick<Scorecard, 'competencies'>,
): Array<{ competency: string; path: [number, number] } & EvidenceQuote> {
  const candidateSaid = new Map<number, string[]>();
  for (const u of transcript) {
    if (u.speaker !== 'candidate') continue;
    candidateSaid.set(u.offsetMs, [...(candidateSaid.get(u.offsetMs) ?? []), u.text]);
  }
  return scorecard.competencies.flatMap((c, ci) =>
    c.evidence.flatMap((e, ei) =>
      (candidateSaid.get(e.offsetMs) ?? []).some((text) => text.includes(e.quote))
        ? []
        : [{ competency: c.name, path: [ci, ei] as [number, number], ...e }],
    ),
  );
}

export const InterviewResults = z
  .strictObject({
    startedAt: z.iso.datetime({ offset: true }).describe('the session start every offsetMs counts from'),
    endedAt: z.iso.datetime({ offset: true }).optional(),
    transcript: z.array(TranscriptUtterance).max(5_000),
    scorecard: Scorecard,
  })
  .superRefine((results, ctx) => {
    for (const bad of unsupportedQuotes(results.transcript, results.scorecard)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scorecard', 'competencies', bad.path[0], 'evidence', bad.path[1]],
        message: `evidence for ${bad.competency} is not a candidate's words at offset ${bad.offsetMs} ms`,
      });
    }
  });
export type InterviewResults = z.infer<typeof InterviewResults>;

// R-G3: what the silent agent heard in a meeting; speakers are the participants' identities.
export const MeetingTranscript = z.strictObject({
  startedAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).optional(),
  transcript: z
    .array(
      z.strictObject({
        speaker: z.string().min(1).max(200).describe('the participant identity'),
        name: z.string().max(200).optional(),
        text: UtteranceText,
        offsetMs: SessionOffsetMs,
      }),
    )
    .max(20_000),
});
export type MeetingTranscript = z.infer<typeof MeetingTranscript>;

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
    mediaStartedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('wall-clock time of the final file’s t=0, so session offsets land on the right moment of the replay'),
  })
  .refine((r) => r.phase !== 'failed' || r.failureReason, {
    message: 'a failed recording needs a failureReason',
    path: ['failureReason'],
  });
export type RecordingReport = z.infer<typeof RecordingReport>;
