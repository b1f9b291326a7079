import { Notice } from '../components/Notice';

export type EndReason = 'finished' | 'left' | 'disconnected' | { error: string };

/** The last page: what happened and what comes next. */
export function EndScreen({ reason }: { reason: EndReason }) {
  if (typeof reason === 'object') {
    return (
      <section className="card">
        <h1 tabIndex={-1}>We could not start your interview</h1>
        <Notice tone="error">{reason.error}</Notice>
        <div className="actions">
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            Try again
          </button>
        </div>
      </section>
    );
  }
  const text = {
    finished: {
      title: 'Your interview is complete',
      body: 'Thank you for your time. The hiring team will review your interview and get back to you about the next steps. You can close this page.',
    },
    left: {
      title: 'You left the interview',
      body: 'If you left by mistake and the interview is still open, you can rejoin from the same invite link.',
    },
    disconnected: {
      title: 'The connection was lost',
      body: 'Your interview was interrupted. Open the invite link again to rejoin while the interview is still open.',
    },
  }[reason];
  return (
    <section className="card end">
      <h1 tabIndex={-1}>{text.title}</h1>
      <p>{text.body}</p>
      {reason !== 'finished' && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            Rejoin
          </button>
        </div>
      )}
    </section>
  );
}
