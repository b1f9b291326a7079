// The one module that talks to Parley's APIs. The invite code travels only in request bodies,
// never in a URL, and nothing here logs it. Both APIs are reached on this page's origin
// (`/v1/invites` → user-management, `/v1/tokens` → video-streaming-server) unless
// VITE_MEDIA_API_URL points the media plane elsewhere.

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

/** A failed request, with the API's status, code, reason and message when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No answer at all (network down, server not running): status 0. */
  get unavailable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

const mediaBase = (import.meta.env.VITE_MEDIA_API_URL as string | undefined)?.replace(/\/+$/, '') ?? '';

async function post<T>(url: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, 'Parley cannot be reached right now. Check your connection and try again.');
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const p = (payload ?? {}) as { message?: unknown; code?: unknown; reason?: unknown };
    throw new ApiError(
      response.status,
      typeof p.message === 'string' ? p.message : `request failed (${response.status})`,
      typeof p.code === 'string' ? p.code : undefined,
      typeof p.reason === 'string' ? p.reason : undefined,
    );
  }
  return payload as T;
}

export const api = {
  inspectInvite: (invite: string) => post<InviteDetails>('/v1/invites/inspect', { invite }),
  recordConsent: (invite: string, choice: ConsentChoice) =>
    post<{ consent: ConsentChoice; consentAt: string }>('/v1/invites/consent', { invite, choice }),
  redeemInvite: (invite: string) => post<RedeemedInvite>('/v1/invites/redeem', { invite }),
  participantToken: (ticket: string, room: string, identity: string) =>
    post<ParticipantToken>(`${mediaBase}/v1/tokens/participant`, { ticket, room, identity }),
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

function sentence(text: string): string {
  const t = text.trim();
  return t ? `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : '';
}
