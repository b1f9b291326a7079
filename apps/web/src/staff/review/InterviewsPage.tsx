import { Notice } from '../../components/Notice';
import { describeError } from '../../http';
import { Link, navigate, useLocation } from '../../router';
import { listCandidates, listPostings } from '../admin/api';
import { useStaffUser } from '../session';
import { INTERVIEW_STATUSES, listInterviews } from './api';
import { formatDateTime, RECOMMENDATION_LABEL, STATUS_LABEL } from './format';
import { useLoad } from './useLoad';

/** Every interview of the org, filtered by status and job posting (kept in the URL, so a filtered list can be shared). */
export function InterviewsPage() {
  const { search } = useLocation();
  const user = useStaffUser();
  const status = search.get('status') ?? '';
  const jobPostingId = search.get('posting') ?? '';

  const directory = useLoad('directory', () => Promise.all([listPostings(), listCandidates()]));
  const interviews = useLoad(`${status}|${jobPostingId}`, () =>
    listInterviews({ status: status || undefined, jobPostingId: jobPostingId || undefined }),
  );

  const setFilter = (name: 'status' | 'posting', value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    navigate(`/staff/interviews${query ? `?${query}` : ''}`, { replace: true });
  };

  const postings = directory.state === 'done' ? directory.value[0] : [];
  const postingTitle = new Map(postings.map((p) => [p.id, p.title]));
  const candidateName = new Map(directory.state === 'done' ? directory.value[1].map((c) => [c.id, c.fullName]) : []);
  const filtered = Boolean(status || jobPostingId);
  const canSchedule = user?.role === 'admin' || user?.role === 'recruiter';

  return (
    <section className="staff-page">
      <div className="page-head">
        <h1 tabIndex={-1}>Interviews</h1>
        {canSchedule && (
          <Link className="button-link" href="/staff/admin/interviews/new">
            New interview
          </Link>
        )}
      </div>
      <form className="filters" aria-label="Filter interviews" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any status</option>
            {INTERVIEW_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-posting">Job posting</label>
          <select id="filter-posting" value={jobPostingId} onChange={(e) => setFilter('posting', e.target.value)}>
            <option value="">Any job posting</option>
            {postings.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
        {filtered && (
          <button type="button" className="link" onClick={() => navigate('/staff/interviews', { replace: true })}>
            Clear filters
          </button>
        )}
      </form>

      {directory.state === 'error' && (
        <Notice tone="error">
          Candidate names and job titles could not be loaded. {describeError(directory.error)}
        </Notice>
      )}
      {interviews.state === 'loading' && (
        <p role="status" className="muted">
          Loading interviews…
        </p>
      )}
      {interviews.state === 'error' && <Notice tone="error">{describeError(interviews.error)}</Notice>}
      {interviews.state === 'done' && interviews.value.length === 0 && (
        <div className="empty-state" role="status">
          {filtered ? (
            <p>No interviews match these filters.</p>
          ) : (
            <p>
              No interviews yet. {canSchedule && <Link href="/staff/admin/interviews/new">Schedule the first one</Link>}
            </p>
          )}
        </div>
      )}
      {interviews.state === 'done' && interviews.value.length > 0 && (
        <table className="data-table interview-list">
          <caption className="visually-hidden">
            {interviews.value.length} interview{interviews.value.length === 1 ? '' : 's'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Date</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {interviews.value.map((i) => (
              <tr key={i.id}>
                <td data-label="Candidate">
                  <Link href={`/staff/interviews/${i.id}`}>{candidateName.get(i.candidateId) ?? 'Candidate'}</Link>
                </td>
                <td data-label="Job">{postingTitle.get(i.jobPostingId) ?? '—'}</td>
                <td data-label="Status">
                  <span className={`status-badge status-${i.status}`}>{STATUS_LABEL[i.status] ?? i.status}</span>
                </td>
                <td data-label="Date">{formatDateTime(i.startedAt ?? i.createdAt)}</td>
                <td data-label="Score">
                  {i.scoreSummary ? (
                    <>
                      {i.scoreSummary.averageScore.toFixed(1)} / 5{' '}
                      <span className="muted">
                        ({RECOMMENDATION_LABEL[i.scoreSummary.recommendation] ?? i.scoreSummary.recommendation})
                      </span>
                    </>
                  ) : (
                    <span className="muted">No score yet</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
