import { useEffect, useState } from 'react';
import { getRecording, listRecordings, type Recording } from './api';

export type RecordingState =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'none' }
  | { state: 'pending' | 'failed' | 'ready'; recording: Recording };

// The media plane finalizes a recording after the interview (merge, upload): minutes at most.
const POLL_MS = 3_000;

/** The interview's recording to replay (the newest ready one, else the newest), polled while it is being finalized. */
export function useInterviewRecording(interviewId: string): RecordingState {
  const [state, setState] = useState<RecordingState>({ state: 'loading' });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (recording: Recording) => {
      if (stopped) return;
      setState({ state: recording.status, recording });
      if (recording.status === 'pending') {
        timer = setTimeout(() => {
          // A failed poll is not a failed recording: keep showing progress and poll again.
          getRecording(recording.id).then(show, () => show(recording));
        }, POLL_MS);
      }
    };
    setState({ state: 'loading' });
    listRecordings(interviewId).then(
      (recordings) => {
        const newestFirst = [...recordings].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
        const chosen = newestFirst.find((r) => r.status === 'ready') ?? newestFirst[0];
        if (chosen) show(chosen);
        else if (!stopped) setState({ state: 'none' });
      },
      (error: unknown) => !stopped && setState({ state: 'error', error }),
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [interviewId]);

  return state;
}
