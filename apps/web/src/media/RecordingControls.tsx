import type { ReactNode } from 'react';
import { Notice } from '../components/Notice';
import type { RecordingAction, RecordingStatus } from './recording';

interface Props {
  status: RecordingStatus | null;
  busy: boolean;
  error: string | null;
  /** The telemetry session is not open yet (controls wait for it). */
  ready: boolean;
  localIdentity: string | null;
  nameOf: (identity: string) => string;
  act: (action: RecordingAction) => Promise<void>;
}

/**
 * Staff's recording controls (R-R2): start; stop; and, when someone else started the recording
 * and it needs their approval, a stop request that the starter approves or rejects here.
 */
export function RecordingControls({ status, busy, error, ready, localIdentity, nameOf, act }: Props) {
  const state = status?.state ?? null;
  const starter = status?.startedBy?.identity ?? null;
  const iStarted = starter !== null && starter === localIdentity;
  const request = status?.stopRequest ?? null;
  const pending = state === 'recording' && request?.outcome === 'pending' ? request : null;
  const needsApproval = status?.stopApproval === 'required' && starter !== null && !starter.startsWith('system:');
  const starterName = starter ? nameOf(starter) : 'the person who started it';
  const live = state === 'starting' || state === 'recording' || state === 'stopping';

  let body: ReactNode;
  if (!ready || status === null) {
    body = <p className="muted">Checking the recording…</p>;
  } else if (state === 'starting') {
    body = <p role="status">Starting the recording…</p>;
  } else if (state === 'stopping') {
    body = <p role="status">Stopping the recording…</p>;
  } else if (state === 'recording') {
    body = (
      <>
        <p className="muted">
          Started by {iStarted ? 'you' : starterName}
          {needsApproval && !iStarted ? '; they approve stopping it.' : '.'}
        </p>
        {pending && iStarted && (
          <div className="stop-request" role="alert">
            <p>
              <strong>{nameOf(pending.requestedBy)}</strong> asked to stop the recording.
            </p>
            <div className="inline-actions">
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => void act({ kind: 'approve', requestId: pending.id })}
              >
                Approve and stop
              </button>
              <button type="button" disabled={busy} onClick={() => void act({ kind: 'reject', requestId: pending.id })}>
                Keep recording
              </button>
            </div>
          </div>
        )}
        {pending && !iStarted && (
          <p className="stop-request" role="status">
            {pending.requestedBy === localIdentity ? 'You' : nameOf(pending.requestedBy)} asked to stop the recording.
            Waiting for {starterName} to approve.
          </p>
        )}
        {!pending && request?.outcome === 'rejected' && request.requestedBy === localIdentity && (
          <p role="status">{starterName} kept the recording going.</p>
        )}
        {!pending && (
          <button type="button" className="danger" disabled={busy} onClick={() => void act({ kind: 'stop' })}>
            {iStarted || !needsApproval ? 'Stop recording' : 'Ask to stop recording'}
          </button>
        )}
      </>
    );
  } else {
    body = (
      <>
        {state === 'finalizing' && <p role="status">The last recording is being processed.</p>}
        {state === 'failed' && <p className="muted">The last recording failed. You can start a new one.</p>}
        <button type="button" className="primary" disabled={busy} onClick={() => void act({ kind: 'start' })}>
          Start recording
        </button>
      </>
    );
  }

  return (
    <section className="recording-controls" aria-labelledby="recording-controls-title">
      <h2 id="recording-controls-title">Recording{live ? ' (on)' : ''}</h2>
      {body}
      {error && <Notice tone="error">{error}</Notice>}
    </section>
  );
}
