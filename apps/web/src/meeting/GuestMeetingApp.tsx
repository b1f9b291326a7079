import { useCallback, useEffect, useState } from 'react';
import { inviteFromLocation } from '../api';
import { Notice } from '../components/Notice';
import { describeJoinError, formatWhen, type JoinProblem, type MeetingTokenResponse } from '../media/meeting-api';
import { MeetingRoom } from '../media/MeetingRoom';
import type { PublishDevices, RoomEnd } from '../media/useMeetingRoom';
import { DeviceCheck } from '../pages/DeviceCheck';
import { guestMeetingToken } from './api';

type Step =
  | { name: 'loading' }
  | { name: 'problem'; problem: JoinProblem }
  | { name: 'ready'; joined: MeetingTokenResponse }
  | { name: 'devices'; joined: MeetingTokenResponse }
  | { name: 'room'; joined: MeetingTokenResponse; devices: PublishDevices }
  | { name: 'ended'; joined: MeetingTokenResponse; end: RoomEnd };

const NO_INVITE: JoinProblem = {
  title: 'This invite link does not work',
  detail: 'The link is missing its invite code. Open it again from your invitation email.',
  retry: false,
};

const END_TEXT: Record<RoomEnd, { title: string; detail: string }> = {
  left: { title: 'You left the meeting', detail: 'You can rejoin while the meeting is open.' },
  ended: { title: 'The meeting has ended', detail: 'Thank you for joining.' },
  disconnected: {
    title: 'You were disconnected',
    detail: 'The connection to the meeting was lost. Check your connection and rejoin.',
  },
  failed: {
    title: 'The meeting room could not be reached',
    detail: 'Check your connection and try again.',
  },
};

/**
 * A candidate's meeting page, from their personal link (`/meeting#invite=<code>`; the fragment
 * never reaches a server): the meeting's title and time, or why it cannot be joined now; a device
 * check; then the room.
 */
export function GuestMeetingApp() {
  const [invite, setInvite] = useState(() => inviteFromLocation());
  const [step, setStep] = useState<Step>({ name: 'loading' });

  const check = useCallback(async (code: string | null) => {
    if (!code) return setStep({ name: 'problem', problem: NO_INVITE });
    setStep({ name: 'loading' });
    try {
      setStep({ name: 'ready', joined: await guestMeetingToken(code) });
    } catch (err) {
      setStep({ name: 'problem', problem: describeJoinError(err, 'guest') });
    }
  }, []);

  useEffect(() => {
    void check(invite);
  }, [invite, check]);

  useEffect(() => {
    const onHash = () => setInvite(inviteFromLocation());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.title = 'Meeting · Parley';
    if (step.name !== 'room') document.querySelector<HTMLElement>('main h1')?.focus();
  }, [step.name]);

  // A fresh token at the moment of joining (the one from the landing page may be hours old).
  const join = async (devices: PublishDevices) => {
    if (!invite) return;
    try {
      setStep({ name: 'room', joined: await guestMeetingToken(invite), devices });
    } catch (err) {
      setStep({ name: 'problem', problem: describeJoinError(err, 'guest') });
    }
  };

  return (
    <div className={`app${step.name === 'room' ? ' app-meeting' : ''}`}>
      <header className="brand" aria-label="Parley">
        <span className="brand-mark" aria-hidden="true" />
        Parley
      </header>
      <main>
        {step.name === 'loading' && (
          <section className="card" aria-busy="true">
            <h1 tabIndex={-1}>Your meeting</h1>
            <p role="status" className="muted">
              Checking your invite…
            </p>
          </section>
        )}
        {step.name === 'problem' && (
          <section className="card">
            <h1 tabIndex={-1}>{step.problem.title}</h1>
            <Notice tone="error">{step.problem.detail}</Notice>
            {step.problem.retry && invite && (
              <div className="actions">
                <button type="button" className="primary" onClick={() => void check(invite)}>
                  Check again
                </button>
              </div>
            )}
          </section>
        )}
        {step.name === 'ready' && (
          <section className="card">
            <p className="eyebrow">Meeting</p>
            <h1 tabIndex={-1}>{step.joined.meeting.title}</h1>
            <dl className="facts">
              <div>
                <dt>When</dt>
                <dd>{formatWhen(step.joined.meeting.startsAt, step.joined.meeting.endsAt)}</dd>
              </div>
              <div>
                <dt>How</dt>
                <dd>Video call in your browser, with camera and microphone</dd>
              </div>
            </dl>
            <p>
              The organizer may record this meeting. Whenever it is being recorded, a <strong>Recording</strong>{' '}
              indicator shows on your screen.
            </p>
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() => setStep({ name: 'devices', joined: step.joined })}
              >
                Continue
              </button>
            </div>
          </section>
        )}
        {step.name === 'devices' && (
          <DeviceCheck
            onBack={() => setStep({ name: 'ready', joined: step.joined })}
            onContinue={(devices) => void join(devices)}
          />
        )}
        {step.name === 'room' && (
          <MeetingRoom
            connection={step.joined}
            title={step.joined.meeting.title}
            subtitle={formatWhen(step.joined.meeting.startsAt, step.joined.meeting.endsAt)}
            canControlRecording={false}
            devices={step.devices}
            onEnd={(end) => setStep({ name: 'ended', joined: step.joined, end })}
          />
        )}
        {step.name === 'ended' && (
          <section className="card">
            <h1 tabIndex={-1}>{END_TEXT[step.end].title}</h1>
            <p>{END_TEXT[step.end].detail}</p>
            {step.end !== 'ended' && (
              <div className="actions">
                <button
                  type="button"
                  className="primary"
                  onClick={() => setStep({ name: 'devices', joined: step.joined })}
                >
                  Rejoin
                </button>
              </div>
            )}
          </section>
        )}
      </main>
    </div>
  );
}
