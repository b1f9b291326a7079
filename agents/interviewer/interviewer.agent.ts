import { AutoSubscribe, defineAgent, inference, log, type JobContext } from '@livekit/agents';
import { parseRoomName } from '@app/room-naming';
import { createSpeechProviders, EspeakTextToSpeech, type TextToSpeech } from '@app/speech';
import { LlmInterviewBrain } from './brain/llm-brain';
import { ScriptedInterviewBrain } from './brain/scripted-brain';
import type { InterviewBrain } from './brain/interview-brain';
import { loadInterviewerAgentConfig, type InterviewerAgentConfig } from './config';
import { InterviewSession } from './interview-session';
import { runMeetingNotes } from './meeting-notes';
import { outboxFor } from './outbox-delivery';
import { UserManagementClient, withBackoff } from './user-management.client';
import { rtc, type RtcNode } from './rtc';
import { ResilientListener, ResilientVoice } from './voice/livekit-speech';

/** Subscribes to `identity`'s microphone only: observers and other agents are never heard. */
export function subscribeToMicrophoneOf(room: RtcNode.Room, identity: string): () => void {
  const subscribe = (publication: RtcNode.RemoteTrackPublication, participant: RtcNode.RemoteParticipant) => {
    if (participant.identity === identity && publication.source === rtc.TrackSource.SOURCE_MICROPHONE) {
      publication.setSubscribed(true);
    }
  };
  for (const participant of room.remoteParticipants.values()) {
    for (const publication of participant.trackPublications.values()) subscribe(publication, participant);
  }
  room.on(rtc.RoomEvent.TrackPublished, subscribe);
  return () => room.off(rtc.RoomEvent.TrackPublished, subscribe);
}

const CONNECT_TIMEOUT_MS = 15_000;

/** `work`'s value, or undefined as soon as `signal` aborts (the work is left to settle on its own). */
function unlessStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  return Promise.race([
    work,
    new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    }),
  ]);
}

function voicesOf(config: InterviewerAgentConfig, primary: TextToSpeech): TextToSpeech[] {
  // A vendor voice falls back to the offline one; the offline one to silence (captions only).
  return primary instanceof EspeakTextToSpeech
    ? [primary]
    : [primary, new EspeakTextToSpeech({ voice: config.speech.espeak.voice, rateWpm: config.speech.espeak.rateWpm })];
}

// Runs in a job process forked by the worker, one per room. Interview rooms get the interviewer
// (R-G2); meeting rooms a silent note-taker (R-G3).
export default defineAgent({
  entry: async (ctx: JobContext) => {
    const logger = log().child({ room: ctx.job.room?.name });
    const config = loadInterviewerAgentConfig();
    const userManagement = new UserManagementClient({
      url: config.userManagement.url,
      serviceKey: config.userManagement.serviceKey,
      timeoutMs: config.userManagement.roomContextTimeoutMs,
    });
    const outbox = outboxFor(config, userManagement);
    const stopped = new AbortController();
    const ref = parseRoomName(ctx.job.room?.name ?? '');
    const providers = createSpeechProviders(config.speech);

    if (ref?.kind === 'meeting') {
      await runMeetingNotes({ ctx, meetingId: ref.id, stt: providers.stt, outbox, logger });
      return;
    }

    // agents-js waits for the entry function to return before it runs shutdown callbacks, so the
    // room going away is what stops every wait below; a job that lingers holds a slot of
    // AGENT_MAX_JOBS. A room deleted while the agent connects leaves the connect pending forever.
    ctx.room.once(rtc.RoomEvent.Disconnected, () => stopped.abort());
    ctx.addShutdownCallback(async () => {
      stopped.abort();
    });
    const connected = await unlessStopped(
      Promise.race([
        ctx.connect(undefined, AutoSubscribe.SUBSCRIBE_NONE).then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS).unref()),
      ]),
      stopped.signal,
    );
    if (!connected) {
      logger.warn('could not connect to the room; leaving the job');
      ctx.shutdown('could not connect');
      return;
    }
    logger.info({ kind: ref?.kind }, 'interviewer joined the room');
    if (ref?.kind !== 'interview') return;

    // user-management may be briefly away (the request function joined anyway): keep asking.
    const [plan, room] = await Promise.all([
      withBackoff(() => userManagement.interviewPlan(ref.id), { signal: stopped.signal }),
      withBackoff(() => userManagement.roomContext(ctx.room.name ?? ''), { signal: stopped.signal }),
    ]);
    if (plan.outcome !== 'ok') {
      logger.warn({ outcome: plan.outcome }, 'no interview plan for this room; leaving');
      ctx.shutdown('no interview plan');
      return;
    }
    const budgetMinutes = Math.min(
      plan.value.jobPosting.timeBudgetMinutes,
      config.interview.maxMinutes ?? Number.POSITIVE_INFINITY,
    );
    const interviewPlan = { ...plan.value, jobPosting: { ...plan.value.jobPosting, timeBudgetMinutes: budgetMinutes } };
    const recording = room.outcome === 'ok' ? room.value : { recordingPolicy: null, consent: null };
    const candidateIdentity = `candidate-${plan.value.candidate.id}`;
    const unsubscribe = subscribeToMicrophoneOf(ctx.room, candidateIdentity);

    const scripted = new ScriptedInterviewBrain(interviewPlan, {
      recordingPolicy: recording.recordingPolicy,
      consent: recording.consent,
    });
    const brain: InterviewBrain = providers.chat
      ? new LlmInterviewBrain(providers.chat, scripted, interviewPlan, {
          timeoutMs: config.speech.timeoutMs,
          onFallback: ({ step, reason }) =>
            logger.warn({ step, reason }, 'the model’s answer was not used; scripted fallback'),
        })
      : scripted;

    // A reconnecting candidate is the same identity: the interview is reported in progress once.
    // A room that ends before the candidate came (deleted, emptied) ends the job now, not after
    // agents-js's shutdown timeout: a lingering job holds a slot of AGENT_MAX_JOBS.
    const arrived = await unlessStopped(
      ctx
        .waitForParticipant(candidateIdentity)
        .then(() => true)
        .catch(() => false),
      stopped.signal,
    );
    if (!arrived) {
      unsubscribe();
      logger.info('the room ended before the candidate came');
      return;
    }
    // The moment the agent sees the candidate arrive is when the interview starts.
    const startedAt = new Date();
    const reported = await withBackoff(() => userManagement.reportInProgress(ref.id, startedAt), {
      signal: stopped.signal,
    }).catch((err: Error) => ({ outcome: 'unreachable', reason: err.message }));
    logger.info({ outcome: reported.outcome, candidate: candidateIdentity }, 'candidate joined; interview in progress');

    // The voice adapters exist before the session they report to.
    const current: { session?: InterviewSession } = {};
    const onTrouble = ({ kind }: { kind: 'tts' | 'stt' }) => current.session?.noteTrouble(kind);
    const session = new InterviewSession({
      ctx,
      candidateIdentity,
      brain,
      voice: new ResilientVoice(voicesOf(config, providers.tts), onTrouble),
      listener: providers.stt ? new ResilientListener(providers.stt, onTrouble) : null,
      vad: providers.stt ? new inference.VAD({ minSilenceDuration: 300 }) : null,
      timeBudgetMs: budgetMinutes * 60_000,
      reconnectGraceMs: config.interview.reconnectGraceMs,
      endpointingMs: config.interview.endpointingMs,
      startedAt,
    });

    current.session = session;

    // The job is shutting down mid-interview (the room ended, the worker drains past its limit):
    // whatever was said is still delivered.
    stopped.signal.addEventListener('abort', () => session.stop('shutdown'), { once: true });
    const finished = (async () => {
      let end = 'failed';
      try {
        end = (await session.run()).end;
      } catch (err) {
        // The media side failed (the room went away under the session): what was said still counts.
        logger.error({ err: (err as Error).message }, 'the interview session failed');
      }
      const results = await session.results();
      const delivery = await outbox.put('interview', ref.id, results);
      logger.info({ end, delivery, utterances: results.transcript.length }, 'interview over; results handed on');
    })();
    ctx.addShutdownCallback(async () => {
      session.stop('shutdown');
      await finished;
    });
    await finished.finally(unsubscribe);
    ctx.shutdown('interview over');
  },
});
