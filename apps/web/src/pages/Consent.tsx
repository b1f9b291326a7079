import { useState } from 'react';
import { api, describeInviteError, type ConsentChoice, type InviteDetails } from '../api';
import { Notice } from '../components/Notice';

interface Props {
  invite: string;
  details: InviteDetails;
  onBack: () => void;
  onJoin: (consent: ConsentChoice | null) => void;
}

/** The consent step the job's recording policy asks for (R-R1). */
export function Consent({ invite, details, onBack, onJoin }: Props) {
  const policy = details.recordingPolicy;
  const [agreed, setAgreed] = useState(details.consent === 'given');
  const [declined, setDeclined] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const record = async (choice: ConsentChoice): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await api.recordConsent(invite, choice);
      return true;
    } catch (err) {
      const { title, detail } = describeInviteError(err);
      setError(`${title}. ${detail}`);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const choose = async (choice: ConsentChoice) => {
    if (!(await record(choice))) return;
    if (policy === 'mandatory' && choice === 'declined') setDeclined(true);
    else onJoin(choice);
  };

  const back = (
    <button type="button" className="secondary" onClick={onBack} disabled={busy}>
      Back
    </button>
  );

  if (policy === 'off') {
    return (
      <section className="card">
        <h1 tabIndex={-1}>Nothing is recorded</h1>
        <p>
          This interview is not recorded: no audio or video is stored. The interviewer keeps a written transcript of
          what is said so the hiring team can review your answers.
        </p>
        <div className="actions">
          {back}
          <button type="button" className="primary" onClick={() => onJoin(null)}>
            Join the interview
          </button>
        </div>
      </section>
    );
  }

  if (policy === 'optional') {
    return (
      <section className="card">
        <h1 tabIndex={-1}>May we record this interview?</h1>
        <p>
          {details.organization || 'The hiring team'} would like to record the audio and video of this interview so the
          hiring team can replay it. It is your choice either way.
        </p>
        <p className="muted">A written transcript is kept either way.</p>
        {details.consent && (
          <p className="muted">You previously chose: {details.consent === 'given' ? 'record' : 'do not record'}.</p>
        )}
        {error && <Notice tone="error">{error}</Notice>}
        <div className="actions">
          {back}
          <button type="button" className="secondary" disabled={busy} onClick={() => void choose('declined')}>
            Don’t record, join
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void choose('given')}>
            Record, join
          </button>
        </div>
      </section>
    );
  }

  // mandatory
  if (declined) {
    return (
      <section className="card">
        <h1 tabIndex={-1}>You can’t join without recording</h1>
        <Notice tone="error">
          This interview is always recorded, so it cannot go ahead without your consent. Your choice has been saved. If
          you change your mind, you can give consent below; otherwise, contact the recruiter to discuss alternatives.
        </Notice>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setDeclined(false)}>
            Review my choice
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="card">
      <h1 tabIndex={-1}>This interview is recorded</h1>
      <p>
        {details.organization || 'The hiring team'} records the audio and video of every interview for this role, so the
        people deciding can review exactly what was said. Recordings are kept securely and only the hiring team can
        replay them; every replay is logged.
      </p>
      <p>To take part you need to agree to the recording.</p>
      <label className="check">
        <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
        <span>I agree that this interview is recorded</span>
      </label>
      {error && <Notice tone="error">{error}</Notice>}
      <div className="actions">
        {back}
        <button type="button" className="secondary" disabled={busy} onClick={() => void choose('declined')}>
          I don’t agree
        </button>
        <button type="button" className="primary" disabled={busy || !agreed} onClick={() => void choose('given')}>
          Agree and join
        </button>
      </div>
    </section>
  );
}
