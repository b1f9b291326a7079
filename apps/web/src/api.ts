// The candidate's calls. The invite code travels only in request bodies, never in a URL, and
// nothing here logs it. Invites go to user-management (this page's origin), tokens to the media
// plane (its URL from /v1/web-config).
import { ApiError, requestJson, sentence } from './http';
import { mediaUrl } from './config';

export { ApiError };

export type RecordingPolicy = 'off' | 'optional' | 'mandatory';
export type ConsentChoice = 'given' | 'declined';

export interface InviteDetails {
  interviewId: string;
  organization: string;
  jobTitle: string;
  candidateName: string;
  status: string;
  timeBudgetMinutes: number;
  recordingPolicy: RecordingPolicy;
  consent: ConsentChoice | null;
  expiresAt: string;
}

export interface RedeemedInvite {
  ticket: string;
  ticketExpiresAt: string;
  room: string;
  identity: string;
  interviewId: string;
  recordingPolicy: RecordingPolicy;
  consent: ConsentChoice | null;
}

export interface ParticipantToken {
  token: string;
  url: string;
  room: string;
  identity: string;
  expiresAt: string;
  role: string;
}

const post = <T>(url: string, body: unknown) => requestJson<T>(url, { body });

export const api = {
  inspectInvite: (invite: string) => post<InviteDetails>('/v1/invites/inspect', { invite }),
  recordConsent: (invite: string, choice: ConsentChoice) =>
    post<{ consent: ConsentChoice; consentAt: string }>('/v1/invites/consent', { invite, choice }),
  redeemInvite: (invite: string) => post<RedeemedInvite>('/v1/invites/redeem', { invite }),
  participantToken: (ticket: string, room: string, identity: string) =>
    mediaUrl('/v1/tokens/participant').then((url) => post<ParticipantToken>(url, { ticket, room, identity })),
};

/** The invite code from the link's fragment (`#invite=<code>`); fragments never reach a server. */
export function inviteFromLocation(hash: string = window.location.hash): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const code = params.get('invite')?.trim();
  return code ? code : null;
}

/** A sentence a candidate can act on, from any failure of the invite APIs. */
export function describeInviteError(err: unknown): { title: string; detail: string } {
  if (!(err instanceof ApiError)) {
    return { title: 'Something went wrong', detail: 'Please reload the page and try again.' };
  }
  if (err.unavailable) {
    return {
      title: 'Parley is unavailable right now',
      detail: 'We could not reach the interview service. Please try again in a few minutes.',
    };
  }
  if (err.status === 404 || err.status === 400) {
    return {
      title: 'This invite link does not work',
      detail:
        'The link may be incomplete or mistyped. Open it again from your invitation email, or ask the recruiter for a new one.',
    };
  }
  if (err.status === 410) {
    return { title: 'This invite can no longer be used', detail: sentence(err.message) };
  }
  return { title: 'We could not continue', detail: sentence(err.message) };
}
