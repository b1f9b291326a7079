import { z } from 'zod';
import { parseRoomName } from '@app/room-naming';
import { ParticipantIdentity, ParticipantRole } from './session-ticket';

// Request and response bodies of video-streaming-server's public API (R-T1..R-T3, R-H1, R-R5).

export const ConventionalRoomName = z
  .string()
  .max(128)
  .refine(
    (name) => parseRoomName(name) !== null,
    'must be a conventional room name: interview_<uuid> or meeting_<uuid>, optionally with __nobot',
  );

const Jwt = z
  .string()
  .min(16)
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/, 'must be a compact JWT');

export const ParticipantTokenRequest = z.strictObject({
  ticket: Jwt.describe('session ticket issued by user-management'),
  room: ConventionalRoomName.describe('the room the client wants to join; must be the ticket’s room'),
  identity: ParticipantIdentity.describe('the identity the client wants; must be the ticket’s subject'),
});
export type ParticipantTokenRequest = z.infer<typeof ParticipantTokenRequest>;

export const LiveKitTokenResponse = z.object({
  token: z.string(),
  url: z.string().describe('LiveKit URL to connect to'),
  room: z.string(),
  identity: z.string(),
  expiresAt: z.iso.datetime(),
});
export type LiveKitTokenResponse = z.infer<typeof LiveKitTokenResponse>;

export const ParticipantTokenResponse = LiveKitTokenResponse.extend({ role: ParticipantRole });
export type ParticipantTokenResponse = z.infer<typeof ParticipantTokenResponse>;

// Observers get server-chosen identities in a namespace of their own. LiveKit drops the older
// connection when a second one joins with the same identity, so an observer holding a participant's
// identity would push the participant out. '~' is outside ParticipantIdentity's alphabet: no session
// ticket, participant token or telemetry JWT can carry an observer identity, and the observer
// request cannot pick one at all.
export const OBSERVER_IDENTITY_PREFIX = 'observer~';
/** The AI interviewer's identity in every room (one per room: a restarted job replaces its predecessor). */
export const INTERVIEWER_IDENTITY = 'parley-interviewer';

export const ObserverTokenRequest = z.strictObject({
  room: ConventionalRoomName,
  label: z
    .string()
    .regex(/^[A-Za-z0-9 ._@:-]{1,64}$/, 'must be 1-64 characters of letters, digits, spaces and . _ @ : -')
    .optional()
    .describe(
      'display name for the observer (for example a team or tool name); the identity is always server-chosen: observer~<random>',
    ),
});
export type ObserverTokenRequest = z.infer<typeof ObserverTokenRequest>;

export const TelemetryTokenRequest = z.strictObject({
  livekitToken: Jwt.describe('the LiveKit token the client joined with'),
});
export type TelemetryTokenRequest = z.infer<typeof TelemetryTokenRequest>;

export const TELEMETRY_AUDIENCE = 'parley:telemetry';
export const TELEMETRY_ISSUER = 'parley:video-streaming-server';

export const TelemetryClaims = z.object({
  sub: ParticipantIdentity,
  room: ConventionalRoomName,
  aud: z.literal(TELEMETRY_AUDIENCE),
  iss: z.literal(TELEMETRY_ISSUER),
  role: z.string().max(32).optional(),
  org: z.string().max(64).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TelemetryClaims = z.infer<typeof TelemetryClaims>;

export const TelemetryTokenResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  renewInMs: z
    .number()
    .int()
    .describe('when to renew at POST /v1/tokens/telemetry/renew: about two thirds of the lifetime, from now'),
  heartbeatIntervalMs: z.number().int(),
  graceMs: z.number().int(),
});
export type TelemetryTokenResponse = z.infer<typeof TelemetryTokenResponse>;

export const HeartbeatResponse = z.object({
  status: z.literal('alive'),
  nextHeartbeatInMs: z.number().int(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const TELEMETRY_EVENT_TYPES = ['log', 'presence', 'marker'] as const;

const JsonData = z
  .record(z.string().max(64), z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]))
  .refine((data) => Object.keys(data).length <= 20, 'at most 20 fields');

export const TelemetryEvent = z.strictObject({
  type: z.enum(TELEMETRY_EVENT_TYPES),
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  message: z.string().min(1).max(2_000),
  data: JsonData.optional(),
  at: z.iso.datetime().optional().describe('client clock; the server also records when it received the event'),
});
export type TelemetryEvent = z.infer<typeof TelemetryEvent>;

export const TelemetryEventsRequest = z.strictObject({
  events: z.array(TelemetryEvent).min(1).max(50),
});
export type TelemetryEventsRequest = z.infer<typeof TelemetryEventsRequest>;

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const TimelineEntry = z.object({
  id: z.string(),
  type: z.enum([...TELEMETRY_EVENT_TYPES, 'session']),
  receivedAt: z.iso.datetime(),
  level: z.string().optional(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TimelineResponse = z.object({
  room: z.string(),
  identity: z.string(),
  entries: z.array(TimelineEntry),
});
export type TimelineResponse = z.infer<typeof TimelineResponse>;
