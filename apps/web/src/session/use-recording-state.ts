import { useRecordingStatus, type RecordingState } from '../media/recording';
import type { MediaSession } from './media-session';

/**
 * The room's real recording state from the media plane (GET /v1/recordings/current), polled while
 * the page is in the room; null until the first answer. A failed poll keeps the last known state.
 * The candidate's room needs only the state; the meeting room uses the full status.
 */
export function useRecordingState(session: MediaSession | null): RecordingState | null {
  return useRecordingStatus(session).status?.state ?? null;
}
