import type { MeetingStatus, MeetingTokenResponse } from '../../media/meeting-api';
import { staffRequest } from '../session';

// user-management's meetings API, as the signed-in staff member.

export interface Meeting {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  status: MeetingStatus;
  roomName: string;
  recording: {
    status: 'none' | 'recording' | 'processing' | 'ready' | 'failed';
    recordingId: string | null;
    startedAt: string | null;
    endedAt: string | null;
  };
  participants: Array<{ userId: string | null; candidateId: string | null; role: 'host' | 'guest' }>;
}

/** The meetings the signed-in user takes part in, earliest first. */
export const listMyMeetings = () => staffRequest<Meeting[]>('/v1/meetings?mine=true&limit=200');

export const getMeeting = (id: string) => staffRequest<Meeting>(`/v1/meetings/${encodeURIComponent(id)}`);

/** A LiveKit token for the meeting's room (room and identity come from the meeting and the caller). */
export const meetingToken = (id: string) =>
  staffRequest<MeetingTokenResponse>(`/v1/meetings/${encodeURIComponent(id)}/token`, { method: 'POST' });

export const MEETING_STATUS_LABEL: Record<MeetingStatus, string> = {
  scheduled: 'Scheduled',
  live: 'Live',
  ended: 'Ended',
  cancelled: 'Cancelled',
};

export const RECORDING_STATUS_LABEL: Record<Meeting['recording']['status'], string> = {
  none: 'Not recorded',
  recording: 'Recording',
  processing: 'Recording processing',
  ready: 'Recorded',
  failed: 'Recording failed',
};
