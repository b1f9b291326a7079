import { useEffect, useState } from 'react';
import { api, describeInviteError, type InviteDetails } from '../api';
import { Notice } from '../components/Notice';

type State =
  { kind: 'loading' } | { kind: 'error'; title: string; detail: string } | { kind: 'ready'; details: InviteDetails };

const CLOSED: Record<string, { title: string; detail: string }> = {
  completed: {
    title: 'This interview is already complete',
    detail: 'Thank you for taking part. The hiring team will be in touch about the next steps.',
  },
  abandoned: {
    title: 'This interview was closed',
    detail: 'The connection was lost for too long and the interview was closed. Ask the recruiter for a new invite.',
  },
  expired: {
    title: 'This invite has expired',
    detail: 'The invite is no longer valid. Ask the recruiter for a new one.',
  },
};

/** What the invite is for, what will happen, and the way in (or why there is none). */
export function Landing(props: { invite: string | null; onContinue: (details: InviteDetails) => void }) {
  const { invite } = props;
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    if (!invite) {
      setState({
        kind: 'error',
        title: 'No invite in this link',
        detail: 'Open the interview link from your invitation email. It ends with #invite= followed by a code.',
      });
      return;
    }
    let live = true;
    setState({ kind: 'loading' });
    api.inspectInvite(invite).then(
      (details) => live && setState({ kind: 'ready', details }),
      (err: unknown) => live && setState({ kind: 'error', ...describeInviteError(err) }),
    );
    return () => {
      live = false;
    };
  }, [invite]);

  if (state.kind === 'loading') {
    return (
      <section className="card" aria-busy="true">
        <h1 tabIndex={-1}>Opening your invite…</h1>
      </section>
    );
  }
  if (state.kind === 'error') {
    return (
      <section className="card">
        <h1 tabIndex={-1}>{state.title}</h1>
        <Notice tone="error">{state.detail}</Notice>
      </section>
    );
  }

  const { details } = state;
  const expired = details.status === 'scheduled' && new Date(details.expiresAt).getTime() <= Date.now();
  const closed = CLOSED[expired ? 'expired' : details.status];
  if (closed) {
    return (
      <section className="card">
        <h1 tabIndex={-1}>{closed.title}</h1>
        <p className="muted">
          {details.jobTitle}
          {details.organization && ` at ${details.organization}`}
        </p>
        <Notice tone="error">{closed.detail}</Notice>
      </section>
    );
  }

  return (
    <section className="card">
      <p className="eyebrow">{details.organization || 'Your interview'}</p>
      <h1 tabIndex={-1}>{details.jobTitle}</h1>
      {details.candidateName && <p className="lead">Welcome, {details.candidateName}.</p>}
      <dl className="facts">
        <div>
          <dt>Interviewer</dt>
          <dd>Parley’s AI interviewer, on behalf of {details.organization || 'the hiring team'}</dd>
        </div>
        <div>
          <dt>How long</dt>
          <dd>About {details.timeBudgetMinutes} minutes</dd>
        </div>
        <div>
          <dt>Recording</dt>
          <dd>{recordingSummary(details.recordingPolicy)}</dd>
        </div>
      </dl>
      <h2>What will happen</h2>
      <ol className="steps">
        <li>You confirm how the interview is recorded.</li>
        <li>You join a video room. Your browser asks for your microphone; the camera is optional.</li>
        <li>
          The interviewer asks you a few questions about the role. Answer out loud, or type your answer in the box below
          the captions.
        </li>
        <li>When time is up or the questions are done, the interviewer closes the interview.</li>
      </ol>
      {details.status === 'in_progress' && (
        <Notice tone="info">Your interview has already started. Continue to rejoin where you left off.</Notice>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={() => props.onContinue(details)}>
          {details.status === 'in_progress' ? 'Rejoin the interview' : 'Continue'}
        </button>
      </div>
    </section>
  );
}

function recordingSummary(policy: string): string {
  if (policy === 'mandatory') return 'Recorded — your consent is required to take part';
  if (policy === 'optional') return 'Recorded only if you agree';
  return 'Not recorded';
}
