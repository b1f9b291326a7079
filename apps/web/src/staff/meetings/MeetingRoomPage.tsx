import { useEffect, useState } from 'react';
import { Notice } from '../../components/Notice';
import { ApiError, describeError } from '../../http';
import { describeJoinError, formatWhen, type JoinProblem, type MeetingTokenResponse } from '../../media/meeting-api';
import { MeetingRoom } from '../../media/MeetingRoom';
import type { RoomEnd } from '../../media/useMeetingRoom';
import { Link } from '../../router';
import { useLoad } from '../review/useLoad';
import { getMeeting, MEETING_STATUS_LABEL, meetingToken, RECORDING_STATUS_LABEL } from './api';

type Step =
  | { name: 'lobby'; problem?: JoinProblem; ended?: RoomEnd }
  | { name: 'joining' }
  | { name: 'room'; joined: MeetingTokenResponse };

const END_MESSAGE: Record<RoomEnd, string> = {
  left: 'You left the meeting.',
  ended: 'The meeting ended.',
  disconnected: 'The connection to the meeting was lost.',
  failed: 'The meeting room could not be reached. Check your connection and try again.',
};

/** One meeting: its details and a join button, then the live room (video, participants, recording). */
export function MeetingRoomPage({ meetingId }: { meetingId: string }) {
  const meeting = useLoad(meetingId, () => getMeeting(meetingId));
  const [step, setStep] = useState<Step>({ name: 'lobby' });

  useEffect(() => {
    if (step.name === 'lobby') document.querySelector<HTMLElement>('main h1')?.focus();
  }, [step]);

  const join = async () => {
    setStep({ name: 'joining' });
    try {
      setStep({ name: 'room', joined: await meetingToken(meetingId) });
    } catch (err) {
      setStep({ name: 'lobby', problem: describeJoinError(err, 'staff') });
    }
  };

  if (meeting.state === 'loading') {
    return (
      <section className="staff-page" aria-busy="true">
        <h1 tabIndex={-1}>Meeting</h1>
        <p role="status" className="muted">
          Loading the meeting…
        </p>
      </section>
    );
  }
  if (meeting.state === 'error') {
    const missing = meeting.error instanceof ApiError && (meeting.error.status === 404 || meeting.error.status === 400);
    return (
      <section className="staff-page">
        <h1 tabIndex={-1}>{missing ? 'Meeting not found' : 'Meeting'}</h1>
        <Notice tone="error">
          {missing ? 'This meeting does not exist, or you do not have access to it.' : describeError(meeting.error)}
        </Notice>
        <p>
          <Link href="/staff/meetings">Back to meetings</Link>
        </p>
      </section>
    );
  }

  const m = meeting.value;
  if (step.name === 'room') {
    return (
      <MeetingRoom
        connection={step.joined}
        title={step.joined.meeting.title}
        subtitle={formatWhen(step.joined.meeting.startsAt, step.joined.meeting.endsAt)}
        canControlRecording
        onEnd={(ended) => setStep({ name: 'lobby', ended })}
      />
    );
  }

  const closed = m.status === 'ended' || m.status === 'cancelled';
  return (
    <section className="staff-page meeting-lobby">
      <p>
        <Link href="/staff/meetings">← All meetings</Link>
      </p>
      <h1 tabIndex={-1}>{m.title}</h1>
      <dl className="facts">
        <div>
          <dt>When</dt>
          <dd>{formatWhen(m.startsAt, m.endsAt)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{MEETING_STATUS_LABEL[m.status]}</dd>
        </div>
        <div>
          <dt>Participants</dt>
          <dd>
            {m.participants.filter((p) => p.userId).length} staff, {m.participants.filter((p) => p.candidateId).length}{' '}
            candidate{m.participants.filter((p) => p.candidateId).length === 1 ? '' : 's'}
          </dd>
        </div>
        <div>
          <dt>Recording</dt>
          <dd>{RECORDING_STATUS_LABEL[m.recording.status]}</dd>
        </div>
      </dl>
      {step.name === 'lobby' && step.ended && <Notice tone="info">{END_MESSAGE[step.ended]}</Notice>}
      {step.name === 'lobby' && step.problem && (
        <Notice tone="error">
          <strong>{step.problem.title}.</strong> {step.problem.detail}
        </Notice>
      )}
      <p className="muted">
        You can join from 15 minutes before the start until 30 minutes after the end. Your camera and microphone turn on
        when you join.
      </p>
      <div className="actions meeting-join">
        <button
          type="button"
          className="primary"
          disabled={closed || step.name === 'joining'}
          onClick={() => void join()}
        >
          {step.name === 'joining'
            ? 'Joining…'
            : step.name === 'lobby' && step.ended
              ? 'Rejoin meeting'
              : 'Join meeting'}
        </button>
      </div>
    </section>
  );
}
