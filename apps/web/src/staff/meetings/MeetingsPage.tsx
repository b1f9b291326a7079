import { Notice } from '../../components/Notice';
import { describeError } from '../../http';
import { formatWhen } from '../../media/meeting-api';
import { Link } from '../../router';
import { useLoad } from '../review/useLoad';
import { listMyMeetings, MEETING_STATUS_LABEL, RECORDING_STATUS_LABEL, type Meeting } from './api';

const JOIN_EARLY_MS = 15 * 60_000;
const JOIN_LATE_MS = 30 * 60_000;

/** Whether the meeting can be joined now (user-management decides; this only labels the list). */
const joinableNow = (m: Meeting, now = Date.now()) =>
  (m.status === 'scheduled' || m.status === 'live') &&
  now >= Date.parse(m.startsAt) - JOIN_EARLY_MS &&
  now <= Date.parse(m.endsAt) + JOIN_LATE_MS;

/** The meetings the signed-in staff member takes part in, earliest first. */
export function MeetingsPage() {
  const meetings = useLoad('mine', listMyMeetings);

  return (
    <section className="staff-page">
      <div className="page-head">
        <h1 tabIndex={-1}>Meetings</h1>
      </div>
      {meetings.state === 'loading' && (
        <p role="status" className="muted">
          Loading meetings…
        </p>
      )}
      {meetings.state === 'error' && (
        <Notice tone="error">Your meetings could not be loaded. {describeError(meetings.error)}</Notice>
      )}
      {meetings.state === 'done' && meetings.value.length === 0 && (
        <div className="empty-state" role="status">
          <p>You have no meetings yet. Meetings you organize or are invited to appear here.</p>
        </div>
      )}
      {meetings.state === 'done' && meetings.value.length > 0 && (
        <table className="data-table meeting-list">
          <caption className="visually-hidden">
            {meetings.value.length} meeting{meetings.value.length === 1 ? '' : 's'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Meeting</th>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Recording</th>
            </tr>
          </thead>
          <tbody>
            {meetings.value.map((m) => (
              <tr key={m.id}>
                <td data-label="Meeting">
                  <Link href={`/staff/meetings/${m.id}`}>{m.title}</Link>
                </td>
                <td data-label="When">{formatWhen(m.startsAt, m.endsAt)}</td>
                <td data-label="Status">
                  <span className={`status-badge meeting-status-${m.status}`}>{MEETING_STATUS_LABEL[m.status]}</span>
                  {joinableNow(m) && <span className="status-badge meeting-open">Open to join</span>}
                </td>
                <td data-label="Recording">{RECORDING_STATUS_LABEL[m.recording.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
