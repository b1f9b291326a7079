import { requestJson } from '../http';
import type { MeetingTokenResponse } from '../media/meeting-api';

// A candidate guest's one call: the invite code goes in the POST body, never in a URL.
export const guestMeetingToken = (invite: string) =>
  requestJson<MeetingTokenResponse>('/v1/meeting-invites/token', { body: { invite } });
