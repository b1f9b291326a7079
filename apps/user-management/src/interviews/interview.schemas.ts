import { z } from 'zod';
import { CONSENT_CHOICES } from '../persistence/entities';

export const CreateInterviewRequest = z.strictObject({
  jobPostingId: z.uuid(),
  candidateId: z.uuid(),
  inviteValidHours: z
    .number()
    .int()
    .min(1)
    .max(90 * 24)
    .optional()
    .describe('defaults to INVITE_TTL_HOURS'),
});

export const ReissueInviteRequest = z.strictObject({
  inviteValidHours: z
    .number()
    .int()
    .min(1)
    .max(90 * 24)
    .optional(),
});

// `<interviewId>.<43 base64url characters>`; it travels in bodies, never in URLs that get logged.
export const InviteToken = z
  .string()
  .max(200)
  .regex(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/, 'must be the invite code from the invite link');

export const InviteRequest = z.strictObject({ invite: InviteToken });
export const ConsentRequest = z.strictObject({ invite: InviteToken, choice: z.enum(CONSENT_CHOICES) });

export const InterviewView = z.object({
  id: z.uuid(),
  jobPostingId: z.uuid(),
  candidateId: z.uuid(),
  status: z.string(),
  roomName: z.string(),
  inviteExpiresAt: z.iso.datetime(),
  consent: z.enum(CONSENT_CHOICES).nullable(),
  consentAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

// The list shows how an interview went without shipping every transcript: the scorecard's gist.
export const InterviewListItemView = InterviewView.extend({
  scoreSummary: z
    .object({
      averageScore: z.number().describe('mean of the competency scores (1–5), one decimal'),
      competencies: z.number().int(),
      recommendation: z.string(),
    })
    .nullable()
    .describe('null until the agent has reported a scorecard'),
});

export const InterviewDetailView = InterviewView.extend({
  transcript: z.array(z.unknown()).nullable(),
  scorecard: z.record(z.string(), z.unknown()).nullable(),
});

export const IssuedInvite = z.object({
  url: z.string().describe('the link to send the candidate; the code is in the fragment'),
  code: z.string().describe('the invite code; shown once, stored only as a hash'),
  expiresAt: z.iso.datetime(),
});

export const CreatedInterviewResponse = z.object({ interview: InterviewView, invite: IssuedInvite });

export const InviteDetailsResponse = z.object({
  interviewId: z.uuid(),
  organization: z.string(),
  jobTitle: z.string(),
  candidateName: z.string(),
  status: z.string(),
  timeBudgetMinutes: z.number(),
  recordingPolicy: z.string(),
  consent: z.enum(CONSENT_CHOICES).nullable(),
  expiresAt: z.iso.datetime(),
});

export const RedeemedInviteResponse = z.object({
  ticket: z.string().describe('session ticket for video-streaming-server POST /v1/tokens/participant'),
  ticketExpiresAt: z.iso.datetime(),
  room: z.string(),
  identity: z.string(),
  interviewId: z.uuid(),
  recordingPolicy: z.string(),
  consent: z.enum(CONSENT_CHOICES).nullable(),
});
