import { useState } from 'react';
import { Notice } from '../../components/Notice';
import { describeError } from '../../http';
import { Link } from '../../router';
import { useLoad } from '../review/useLoad';
import { listPostings, RECORDING_POLICIES, type JobPosting } from './api';
import { PostingForm } from './PostingForm';

const policyLabel = (value: string) => RECORDING_POLICIES.find((p) => p.value === value)?.label ?? value;

/** The org's job postings, and a form for a new one. */
export function PostingsPage() {
  const [version, setVersion] = useState(0);
  const postings = useLoad(`postings:${version}`, listPostings);
  const [created, setCreated] = useState<JobPosting | null>(null);

  return (
    <section className="staff-page">
      <h1 tabIndex={-1}>Job postings</h1>
      <h2>Postings</h2>
      {postings.state === 'loading' && (
        <p role="status" className="muted">
          Loading job postings…
        </p>
      )}
      {postings.state === 'error' && <Notice tone="error">{describeError(postings.error)}</Notice>}
      {postings.state === 'done' && postings.value.length === 0 && (
        <p className="empty-state">No job postings yet. Create the first one below.</p>
      )}
      {postings.state === 'done' && postings.value.length > 0 && (
        <ul className="posting-list">
          {postings.value.map((p) => (
            <li key={p.id} className="posting">
              <details>
                <summary>
                  <strong>{p.title}</strong>{' '}
                  <span className="muted">
                    · {p.timeBudgetMinutes} min · {p.competencies.length} competenc
                    {p.competencies.length === 1 ? 'y' : 'ies'} · {p.questions.length} question
                    {p.questions.length === 1 ? '' : 's'}
                  </span>
                </summary>
                {p.description && <p>{p.description}</p>}
                <p>Recording: {policyLabel(p.recordingPolicy)}</p>
                {p.competencies.length > 0 && (
                  <>
                    <h3>Competencies</h3>
                    <dl className="rubric">
                      {p.competencies.map((c) => (
                        <div key={c.name}>
                          <dt>{c.name}</dt>
                          <dd>
                            1: {c.rubric.one} · 5: {c.rubric.five}
                            {c.rubric.keyPoints.length > 0 && <> · Key points: {c.rubric.keyPoints.join('; ')}</>}
                          </dd>
                        </div>
                      ))}
                    </dl>
                  </>
                )}
                {p.questions.length > 0 && (
                  <>
                    <h3>Questions</h3>
                    <ol>
                      {p.questions.map((q, i) => (
                        <li key={i}>
                          {q.text}
                          {q.competency && <span className="muted"> ({q.competency})</span>}
                        </li>
                      ))}
                    </ol>
                  </>
                )}
                <p>
                  <Link href={`/staff/admin/interviews/new?posting=${p.id}`}>Schedule an interview</Link> ·{' '}
                  <Link href={`/staff/interviews?posting=${p.id}`}>See its interviews</Link>
                </p>
              </details>
            </li>
          ))}
        </ul>
      )}
      <PostingForm
        onCreated={(p) => {
          setCreated(p);
          setVersion((v) => v + 1);
        }}
      />
      {/* Next to the form the admin just submitted, where they are looking. */}
      {created && (
        <Notice tone="success">
          “{created.title}” was created.{' '}
          <Link href={`/staff/admin/interviews/new?posting=${created.id}`}>Schedule an interview for it</Link>
        </Notice>
      )}
    </section>
  );
}
