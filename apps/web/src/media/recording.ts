import { useCallback, useEffect, useRef, useState } from 'react';
import { mediaUrl } from '../config';
import { ApiError, describeError, requestJson } from '../http';
import type { MediaSession } from '../session/media-session';

// The meeting room's recording, in full: the state the indicator shows, who started it, and the
// latest stop request (R-R2). Everything goes to the media plane with the telemetry JWT.

export type RecordingState = 'idle' | 'starting' | 'recording' | 'stopping' | 'finalizing' | 'ready' | 'failed';

/** Whether media is being captured right now (what the indicator shows). */
export const isCapturing = (state: RecordingState | null) =>
  state === 'starting' || state === 'recording' || state === 'stopping';

export interface StopRequestView {
  id: string;
  requestedBy: string;
  requestedAt: string;
  outcome: 'pending' | 'approved' | 'rejected';
  decidedAt: string | null;
}

/** What the page uses of VSS `GET /v1/recordings/current` (RecordingStatusResponse). */
export interface RecordingStatus {
  recordingId: string | null;
  state: RecordingState;
  startedBy: { identity: string; at: string } | null;
  stoppedBy: { identity: string; at: string } | null;
  stopApproval: 'required' | 'not_required' | null;
  stopRequest: StopRequestView | null;
  cutShort: boolean;
  failureReason: string | null;
}

export type RecordingAction = { kind: 'start' } | { kind: 'stop' } | { kind: 'approve' | 'reject'; requestId: string };

const POLL_MS = 3_000;

const PATHS: Record<RecordingAction['kind'], (a: RecordingAction) => string> = {
  start: () => '/v1/recordings/current/start',
  stop: () => '/v1/recordings/current/stop',
  approve: (a) => `/v1/recordings/current/stop-requests/${'requestId' in a ? a.requestId : ''}/approve`,
  reject: (a) => `/v1/recordings/current/stop-requests/${'requestId' in a ? a.requestId : ''}/reject`,
};

/**
 * The room's recording status, polled every few seconds while `session` is open (null until the
 * first answer; a failed poll keeps the last one), and `act` to start, stop or decide on a stop
 * request: its answer replaces the status at once, so the page does not wait for the next poll.
 */
export function useRecordingStatus(session: MediaSession | null) {
  const [status, setStatus] = useState<RecordingStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  useEffect(() => {
    if (!session) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const token = session.token;
        if (token) {
          const next = await requestJson<RecordingStatus>(await mediaUrl('/v1/recordings/current'), { token });
          if (live) setStatus(next);
        }
      } catch {
        // keep the last known status; the next poll tries again
      }
      if (live) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [session]);

  const act = useCallback(async (action: RecordingAction) => {
    const token = sessionRef.current?.token;
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const next = await requestJson<RecordingStatus>(await mediaUrl(PATHS[action.kind](action)), {
        method: 'POST',
        body: action.kind === 'start' ? {} : undefined,
        token,
      });
      setStatus(next);
    } catch (err) {
      setError(describeRecordingError(err));
      // The room may have moved on (someone else stopped it): show what is true now.
      const fresh = await requestJson<RecordingStatus>(await mediaUrl('/v1/recordings/current'), { token }).catch(
        () => null,
      );
      if (fresh) setStatus(fresh);
    } finally {
      setBusy(false);
    }
  }, []);

  return { status, error, busy, act, clearError: () => setError(null) };
}

function describeRecordingError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.reason) {
      case 'already_recording':
        return 'This meeting is already being recorded.';
      case 'not_recording':
        return 'This meeting is not being recorded any more.';
      case 'stop_request_pending':
        return 'Someone already asked to stop the recording; the person who started it decides.';
      case 'stop_request_decided':
        return 'That request was already decided.';
      case 'not_the_starter':
        return 'Only the person who started the recording can decide.';
      case 'not_staff':
        return 'Only staff in the meeting can start or stop its recording.';
      case 'recorder_unavailable':
        return 'The recorder is unavailable right now, so recording could not start. Try again in a minute.';
      case 'session_closed':
        return 'This meeting is over; nothing more can be recorded.';
    }
  }
  return `The recording could not be changed. ${describeError(err)}`;
}
