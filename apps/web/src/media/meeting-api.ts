import { ApiError, sentence } from '../http';

// What user-management says about a meeting when handing out a join token (POST
// /v1/meetings/:id/token for staff, POST /v1/meeting-invites/token for candidate guests).

export type MeetingStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';

export interface MeetingTokenResponse {
  token: string;
  url: string;
  room: string;
  identity: string;
  expiresAt: string;
  meeting: { id: string; title: string; startsAt: string; endsAt: string; status: MeetingStatus };
}

/** Why a meeting cannot be joined, for a person: a title, a sentence, and whether trying later helps. */
export interface JoinProblem {
  title: string;
  detail: string;
  /** The meeting may open later (too early): offer to check again. */
  retry: boolean;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export const formatWhen = (startsAt: string, endsAt: string) => {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  const sameDay = start.toDateString() === end.toDateString();
  return `${dateTime.format(start)} – ${sameDay ? shortTime.format(end) : dateTime.format(end)}`;
};

/** The join-window refusals (409 with `reason`) and the other ways a join fails. */
export function describeJoinError(err: unknown, who: 'staff' | 'guest'): JoinProblem {
  const askFor = who === 'guest' ? 'Ask the organizer for a new invite link.' : '';
  if (!(err instanceof ApiError)) {
    return { title: 'Something went wrong', detail: 'Please reload the page and try again.', retry: true };
  }
  if (err.unavailable) {
    return {
      title: 'Parley is unavailable right now',
      detail: 'We could not reach the meeting service. Please try again in a few minutes.',
      retry: true,
    };
  }
  if (err.status === 409) {
    // The API's message carries the exact opening or closing time (ISO); shown in local time.
    const at = /\d{4}-\d{2}-\d{2}T[\d:.]+Z/.exec(err.message)?.[0];
    const when = at ? dateTime.format(new Date(at)) : null;
    switch (err.reason) {
      case 'too_early':
        return {
          title: 'This meeting is not open yet',
          detail: `You can join from 15 minutes before it starts${when ? `, at ${when}` : ''}.`,
          retry: true,
        };
      case 'too_late':
        return {
          title: 'This meeting has ended',
          detail: `It could be joined until 30 minutes after its end${when ? ` (${when})` : ''}.`,
          retry: false,
        };
      case 'meeting_ended':
        return { title: 'This meeting has ended', detail: 'It can no longer be joined.', retry: false };
      case 'meeting_cancelled':
        return { title: 'This meeting was cancelled', detail: 'It can no longer be joined.', retry: false };
    }
    return { title: 'This meeting cannot be joined', detail: sentence(err.message), retry: false };
  }
  if (err.status === 404 || err.status === 400) {
    return who === 'guest'
      ? {
          title: 'This invite link does not work',
          detail: `The link may be incomplete, mistyped or replaced by a newer one. ${askFor}`,
          retry: false,
        }
      : { title: 'Meeting not found', detail: 'It may have been removed, or the link is wrong.', retry: false };
  }
  if (err.status === 403) {
    return {
      title: 'You are not a participant of this meeting',
      detail: 'Ask its organizer to add you.',
      retry: false,
    };
  }
  if (err.status === 401) {
    return { title: 'Your session has ended', detail: 'Please sign in again.', retry: false };
  }
  return { title: 'We could not join the meeting', detail: sentence(err.message), retry: true };
}
