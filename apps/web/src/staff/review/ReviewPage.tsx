import { useRef, useState, type ReactNode } from 'react';
import { Notice } from '../../components/Notice';
import { ApiError, describeError } from '../../http';
import { Link } from '../../router';
import { getCandidate, getPosting } from '../admin/api';
import { NotFound } from '../NotFound';
import { getInterview, type InterviewDetail } from './api';
import { clock, formatDateTime, playerSeconds, STATUS_LABEL } from './format';
import { RecordingPlayer, type PlayerHandle } from './RecordingPlayer';
import { ScorecardView } from './ScorecardView';
import { Transcript } from './Transcript';
import { useInterviewRecording, type RecordingState } from './useInterviewRecording';
import { useLoad } from './useLoad';

/** One interview for the hiring team: scorecard, transcript and the recording, linked by time. */
export function ReviewPage({ interviewId }: { interviewId: string }) {
  const interview = useLoad(`interview:${interviewId}`, async () => {
    const detail = await getInterview(interviewId);
    // Names are a nicety: the review works without them.
    const [posting, candidate] = await Promise.all([
      getPosting(detail.jobPostingId).catch(() => null),
      getCandidate(detail.candidateId).catch(() => null),
    ]);
    return { detail, posting, candidate };
  });

  if (interview.state === 'loading') {
    return (
      <section className="staff-page" aria-busy="true">
        <h1 tabIndex={-1}>Interview</h1>
        <p role="status" className="muted">
          Loading the interview…
        </p>
      </section>
    );
  }
  if (interview.state === 'error') {
    // Another org's interview is indistinguishable from one that does not exist.
    if (interview.error instanceof ApiError && interview.error.status === 404) return <NotFound what="interview" />;
    return (
      <section className="staff-page">
        <h1 tabIndex={-1}>Interview</h1>
        <Notice tone="error">{describeError(interview.error)}</Notice>
        <p>
          <Link href="/staff/interviews">Back to interviews</Link>
        </p>
      </section>
    );
  }
  const { detail, posting, candidate } = interview.value;
  return (
    <Review
      interview={detail}
      title={candidate?.fullName ?? 'Candidate'}
      jobTitle={posting?.title ?? null}
      recordingPolicy={posting?.recordingPolicy ?? null}
    />
  );
}

function Review(props: {
  interview: InterviewDetail;
  title: string;
  jobTitle: string | null;
  recordingPolicy: string | null;
}) {
  const { interview } = props;
  const recording = useInterviewRecording(interview.id);
  const player = useRef<PlayerHandle>(null);
  const [playerTime, setPlayerTime] = useState(0);
  const transcript = interview.transcript ?? [];
  const sessionStart = interview.startedAt;
  const ready = recording.state === 'ready' ? recording.recording : null;
  // Offsets count from the session start: without one (never started) nothing can be lined up.
  const seek =
    ready && sessionStart
      ? (offsetMs: number) => player.current?.seek(playerSeconds(offsetMs, sessionStart, ready))
      : undefined;

  // The line being played: the last one that started at or before the player's time.
  let activeIndex = -1;
  if (ready && sessionStart) {
    transcript.forEach((u, i) => {
      if (playerSeconds(u.offsetMs, sessionStart, ready) <= playerTime + 0.05) activeIndex = i;
    });
  }

  return (
    <section className="staff-page review">
      <p className="eyebrow">
        <Link href="/staff/interviews">Interviews</Link> / Review
      </p>
      <h1 tabIndex={-1}>{props.title}</h1>
      <dl className="facts review-facts">
        <div>
          <dt>Job</dt>
          <dd>{props.jobTitle ?? '—'}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{STATUS_LABEL[interview.status] ?? interview.status}</dd>
        </div>
        <div>
          <dt>Date</dt>
          <dd>{formatDateTime(interview.startedAt ?? interview.createdAt)}</dd>
        </div>
        {interview.startedAt && interview.endedAt && (
          <div>
            <dt>Length</dt>
            <dd>{clock(Date.parse(interview.endedAt) - Date.parse(interview.startedAt))}</dd>
          </div>
        )}
      </dl>

      <h2>Recording</h2>
      <RecordingSection
        recording={recording}
        interview={interview}
        recordingPolicy={props.recordingPolicy}
        player={
          ready && (
            <RecordingPlayer
              ref={player}
              recording={ready}
              label={`Recording of the interview with ${props.title}`}
              onTime={setPlayerTime}
            />
          )
        }
      />

      <div className="review-columns">
        <div>
          <h2>Scorecard</h2>
          {interview.scorecard ? (
            <ScorecardView scorecard={interview.scorecard} onSeek={seek} />
          ) : (
            <p className="muted">No scorecard yet: it appears once the interview is over and assessed.</p>
          )}
        </div>
        <div>
          <h2>Transcript</h2>
          {interview.transcript ? (
            <Transcript utterances={transcript} activeIndex={activeIndex} onSeek={seek} />
          ) : (
            <p className="muted">No transcript yet.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function RecordingSection(props: {
  recording: RecordingState;
  interview: InterviewDetail;
  recordingPolicy: string | null;
  player: ReactNode;
}) {
  const { recording, interview } = props;
  switch (recording.state) {
    case 'loading':
      return (
        <p role="status" className="muted">
          Looking for the recording…
        </p>
      );
    case 'error':
      return <Notice tone="error">The recording could not be loaded. {describeError(recording.error)}</Notice>;
    case 'none':
      return <Notice tone="info">{whyNoRecording(interview, props.recordingPolicy)}</Notice>;
    case 'failed':
      return (
        <Notice tone="error">
          The recording of this interview failed and cannot be played.
          {recording.recording.failureReason && ` Reason: ${recording.recording.failureReason}`}
        </Notice>
      );
    case 'pending': {
      const finalizing = recording.recording.phase === 'processing';
      return (
        <div className="recording-progress" role="status">
          <p>
            {finalizing
              ? 'The recording is being finalized. It will play here when it is ready.'
              : 'The interview is still being recorded.'}
          </p>
          <progress aria-label={finalizing ? 'Finalizing the recording' : 'Recording'} />
        </div>
      );
    }
    case 'ready':
      return <>{props.player}</>;
  }
}

function whyNoRecording(interview: InterviewDetail, policy: string | null): string {
  if (policy === 'off') return 'Not recorded: recording is off for this job posting.';
  if (interview.consent === 'declined') return 'Not recorded: the candidate declined recording.';
  if (interview.status === 'scheduled') return 'No recording yet: the interview has not taken place.';
  if (interview.status === 'expired') return 'No recording: the invite expired before the interview took place.';
  return 'No recording was made of this interview.';
}
