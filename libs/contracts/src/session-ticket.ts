import { z } from 'zod';
import { parseRoomName } from '@app/room-naming';

// The proof a client brings to video-streaming-server to get a LiveKit token (R-T1).
// Signed by user-management with an asymmetric key; the media plane only verifies.
export const SESSION_TICKET_AUDIENCE = 'parley:video-streaming-server';
export const SESSION_TICKET_MAX_TTL_SECONDS = 15 * 60;

// Identities become parts of Redis keys and log fields: keep them short and plain.
export const ParticipantIdentity = z
  .string()
  .regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'must be 1-128 characters of letters, digits and . _ @ : -');

export const PARTICIPANT_ROLES = ['candidate', 'interviewer', 'recruiter'] as const;
export const ParticipantRole = z.enum(PARTICIPANT_ROLES);
export type ParticipantRole = z.infer<typeof ParticipantRole>;

export const SessionTicketClaims = z
  .object({
    sub: ParticipantIdentity.describe('participant identity in the room'),
    room: z.string().refine((name) => parseRoomName(name) !== null, 'must be a conventional room name (R-L1)'),
    role: ParticipantRole,
    org: z.uuid(),
    sessionId: z.uuid().describe('the interview or meeting id'),
    aud: z.literal(SESSION_TICKET_AUDIENCE),
    iat: z.number().int(),
    exp: z.number().int(),
  })
  .refine((c) => c.exp > c.iat && c.exp - c.iat <= SESSION_TICKET_MAX_TTL_SECONDS, {
    message: `ticket lifetime must be at most ${SESSION_TICKET_MAX_TTL_SECONDS} seconds`,
    path: ['exp'],
  });
export type SessionTicketClaims = z.infer<typeof SessionTicketClaims>;
