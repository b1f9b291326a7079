import { ConnectionQuality } from 'livekit-client';
import { isCapturing, type RecordingState } from './recording';

// The room's status line: the recording indicator (driven by the media plane's real state, never
// by a local guess) and the connection quality, for the interview room and the meeting room.

/** `policy` 'off' (an interview nothing records) says "Not recording" before the first answer. */
export function RecordingBadge({ state, policy }: { state: RecordingState | null; policy?: string }) {
  if (isCapturing(state)) {
    return (
      <span className="rec rec-on" role="status">
        <span className="rec-dot" aria-hidden="true" />
        Recording
      </span>
    );
  }
  return (
    <span className="rec rec-off" role="status">
      {state === null && policy !== 'off'
        ? 'Recording status…'
        : state === 'finalizing'
          ? 'Recording saved, processing'
          : 'Not recording'}
    </span>
  );
}

export function qualityLabel(q: ConnectionQuality): string {
  if (q === ConnectionQuality.Excellent) return 'excellent';
  if (q === ConnectionQuality.Good) return 'good';
  if (q === ConnectionQuality.Poor) return 'poor';
  if (q === ConnectionQuality.Lost) return 'lost';
  return 'checking';
}

/** While the room is reconnecting the last quality report is stale: the badge says "lost". */
export function ConnectionBadge({
  quality,
  reconnecting = false,
}: {
  quality: ConnectionQuality;
  reconnecting?: boolean;
}) {
  const shown = reconnecting ? ConnectionQuality.Lost : quality;
  return (
    <span className={`quality quality-${shown}`} role="status">
      <span aria-hidden="true" className="quality-bars" />
      Connection: {qualityLabel(shown)}
    </span>
  );
}
