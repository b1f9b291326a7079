import { MeetingTranscript } from '@app/contracts';
import { z } from 'zod';
import { MEETING_RECORDING_STATUSES, MEETING_STATUSES } from '../persistence/entities';

const ParticipantInput = z.union([
  z.strictObject({ userId: z.uuid(), role: z.enum(['host', 'guest']).default('guest') }),
  z.strictObject({ candidateId: z.uuid(), role: z.enum(['host', 'guest']).default('guest') }),
]);

export const MAX_MEETING_HOURS = 12;

const bothDates = (m: { startsAt: unknown; endsAt: unknown }) => m.startsAt instanceof Date && m.endsAt instanceof Date;

export const CreateMeetingRequest = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    startsAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    endsAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    participants: z.array(ParticipantInput).max(50).default([]),
  })
  // zod 4 runs object refinements even when a field failed: check the dates exist before comparing.
  .refine((m) => !bothDates(m) || m.endsAt.getTime() > m.startsAt.getTime(), {
    message: 'must be after startsAt',
    path: ['endsAt'],
  })
  .refine((m) => !bothDates(m) || m.endsAt.getTime() - m.startsAt.getTime() <= MAX_MEETING_HOURS * 3_600_000, {
    message: `a meeting lasts at most ${MAX_MEETING_HOURS} hours`,
    path: ['endsAt'],
  });

export const MeetingParticipantView = z.object({
  userId: z.uuid().nullable(),
  candidateId: z.uuid().nullable(),
  role: z.enum(['host', 'guest']),
});

export const MeetingView = z.object({
  id: z.uuid(),
  title: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  status: z.enum(MEETING_STATUSES),
  roomName: z.string(),
  recording: z.object({
    status: z.enum(MEETING_RECORDING_STATUSES),
    recordingId: z.uuid().nullable(),
    startedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
  }),
  participants: z.array(MeetingParticipantView),
});

// One meeting on its own (GET /v1/meetings/:id): also what the AI interviewer heard (R-G3).
export const MeetingDetailView = MeetingView.extend({
  transcript: MeetingTranscript.nullable().describe(
    'what the silent agent heard (offsets in ms from its startedAt); null until the agent saves one',
  ),
});

export const MeetingTokenResponse = z.object({
  token: z.string().describe('LiveKit access token for this meeting’s room'),
  url: z.string().describe('LiveKit URL to connect to'),
  room: z.string(),
  identity: z.string(),
  expiresAt: z.iso.datetime(),
  meeting: z.object({
    id: z.uuid(),
    title: z.string(),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
    status: z.enum(MEETING_STATUSES),
  }),
});
