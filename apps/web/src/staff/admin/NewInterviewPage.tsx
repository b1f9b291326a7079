import { useState } from 'react';
import { Notice } from '../../components/Notice';
import { SubmitFooter, useFormSubmit } from '../form-submit';
import { ApiError, describeError } from '../../http';
import { Link, useLocation } from '../../router';
import { useLoad } from '../review/useLoad';
import { formatDateTime } from '../review/format';
import { CopyButton } from './CopyButton';
import {
  createCandidate,
  createInterview,
  listCandidates,
  listPostings,
  type Candidate,
  type IssuedInvite,
} from './api';

/** Schedules an AI interview: a job posting and a candidate (existing or new) → the invite link, shown once. */
export function NewInterviewPage() {
  const { search } = useLocation();
  const directory = useLoad('new-interview', () => Promise.all([listPostings(), listCandidates()]));
  const [postingId, setPostingId] = useState(search.get('posting') ?? '');
  const [candidateMode, setCandidateMode] = useState<'existing' | 'new'>('existing');
  const [candidateId, setCandidateId] = useState('');
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  // A candidate created by an attempt whose interview then failed: a retry reuses them (their email is taken now).
  const [createdCandidate, setCreatedCandidate] = useState<Candidate | null>(null);
  const [scheduled, setScheduled] = useState<{ interviewId: string; candidate: string; invite: IssuedInvite } | null>(
    null,
  );

  // Before the early returns (a hook); the form below only submits once the directory is loaded.
  const candidates = directory.state === 'done' ? directory.value[1] : [];
  const mode = candidates.length === 0 ? 'new' : candidateMode;
  const { busy, error, submit } = useFormSubmit(
    async () => {
      let candidate = candidates.find((c) => c.id === candidateId);
      if (mode === 'new' && createdCandidate?.email === email.trim().toLowerCase()) {
        candidate = createdCandidate;
      } else if (mode === 'new') {
        try {
          candidate = await createCandidate({ fullName: fullName.trim(), email: email.trim() });
          setCreatedCandidate(candidate);
        } catch (err) {
          throw err instanceof ApiError && err.status === 409
            ? new ApiError(409, 'a candidate with this email exists: choose them under “Existing candidate”')
            : err;
        }
      }
      if (!candidate) throw new ApiError(400, 'choose a candidate');
      const created = await createInterview({ jobPostingId: postingId, candidateId: candidate.id });
      setScheduled({ interviewId: created.interview.id, candidate: candidate.fullName, invite: created.invite });
    },
    (err) =>
      `The interview was not scheduled. ${describeError(err, 'The job posting or candidate may have been removed.')}`,
  );

  if (directory.state === 'loading') {
    return (
      <section className="staff-page">
        <h1 tabIndex={-1}>New interview</h1>
        <p role="status" className="muted">
          Loading job postings and candidates…
        </p>
      </section>
    );
  }
  if (directory.state === 'error') {
    return (
      <section className="staff-page">
        <h1 tabIndex={-1}>New interview</h1>
        <Notice tone="error">{describeError(directory.error)}</Notice>
      </section>
    );
  }
  const [postings] = directory.value;

  if (scheduled) {
    return (
      <section className="staff-page">
        <h1 tabIndex={-1}>Interview scheduled</h1>
        <Notice tone="success">
          The interview with {scheduled.candidate} is scheduled. Send them this invite link: it is shown only once.
        </Notice>
        <div className="field invite-link">
          <label htmlFor="invite-link">Invite link</label>
          <div className="copy-row">
            <input id="invite-link" readOnly value={scheduled.invite.url} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={scheduled.invite.url} />
          </div>
          <span className="hint">Valid until {formatDateTime(scheduled.invite.expiresAt)}.</span>
        </div>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setScheduled(null)}>
            Schedule another
          </button>
          <Link className="button-link" href={`/staff/interviews/${scheduled.interviewId}`}>
            Open the interview
          </Link>
        </div>
      </section>
    );
  }

  return (
    <section className="staff-page">
      <h1 tabIndex={-1}>New interview</h1>
      {postings.length === 0 ? (
        <Notice tone="info">
          There are no job postings yet. <Link href="/staff/admin/postings">Create one first</Link>.
        </Notice>
      ) : (
        <form className="staff-form card-block" onSubmit={(e) => void submit(e)}>
          <div className="field">
            <label htmlFor="interview-posting">Job posting</label>
            <select id="interview-posting" required value={postingId} onChange={(e) => setPostingId(e.target.value)}>
              <option value="">Choose a job posting</option>
              {postings.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="field">
            <legend>Candidate</legend>
            {candidates.length > 0 && (
              <div className="segmented">
                <label className="check">
                  <input
                    type="radio"
                    name="candidate-mode"
                    checked={mode === 'existing'}
                    onChange={() => setCandidateMode('existing')}
                  />
                  Existing candidate
                </label>
                <label className="check">
                  <input
                    type="radio"
                    name="candidate-mode"
                    checked={mode === 'new'}
                    onChange={() => setCandidateMode('new')}
                  />
                  New candidate
                </label>
              </div>
            )}
            {mode === 'existing' ? (
              <div className="field">
                <label htmlFor="interview-candidate">Existing candidate</label>
                <select
                  id="interview-candidate"
                  required
                  value={candidateId}
                  onChange={(e) => setCandidateId(e.target.value)}
                >
                  <option value="">Choose a candidate</option>
                  {candidates.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.fullName} ({c.email})
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              <div className="form-grid">
                <div className="field">
                  <label htmlFor="candidate-name">Candidate’s full name</label>
                  <input id="candidate-name" required value={fullName} onChange={(e) => setFullName(e.target.value)} />
                </div>
                <div className="field">
                  <label htmlFor="candidate-email">Candidate’s email</label>
                  <input
                    id="candidate-email"
                    type="email"
                    required
                    autoComplete="off"
                    value={email}
                    onChange={(e) => setEmail(e.target.value)}
                  />
                </div>
              </div>
            )}
          </fieldset>
          <SubmitFooter busy={busy} error={error} busyLabel="Scheduling…" label="Schedule interview" />
        </form>
      )}
    </section>
  );
}
