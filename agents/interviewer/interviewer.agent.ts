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

    await ctx.connect(undefined, AutoSubscribe.SUBSCRIBE_NONE);
    logger.info({ kind: ref?.kind }, 'interviewer joined the room');
    if (ref?.kind !== 'interview') return;
    ctx.addShutdownCallback(async () => {
      stopped.abort();
    });

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
    const recording = room.outcome === 'ok' ? room.value : { recordingPolicy: null, consent: null };
    const candidateIdentity = `candidate-${plan.value.candidate.id}`;
    const unsubscribe = subscribeToMicrophoneOf(ctx.room, candidateIdentity);

    const scripted = new ScriptedInterviewBrain(plan.value, {
      recordingPolicy: recording.recordingPolicy,
      consent: recording.consent,
    });
    const brain: InterviewBrain = providers.chat
      ? new LlmInterviewBrain(providers.chat, scripted, plan.value, { timeoutMs: config.speech.timeoutMs })
      : scripted;

    // A reconnecting candidate is the same identity: the interview is reported in progress once.
    await ctx.waitForParticipant(candidateIdentity);
    // The moment the agent sees the candidate arrive is when the interview starts.
    const startedAt = new Date();
    const reported = await withBackoff(() => userManagement.reportInProgress(ref.id, startedAt), {
      signal: stopped.signal,
    }).catch((err: Error) => ({ outcome: 'unreachable', reason: err.message }));
    logger.info({ outcome: reported.outcome, candidate: candidateIdentity }, 'candidate joined; interview in progress');

    let session: InterviewSession;
    const onTrouble = ({ kind }: { kind: 'tts' | 'stt' }) => session?.noteTrouble(kind);
    session = new InterviewSession({
      ctx,
      candidateIdentity,
      brain,
      voice: new ResilientVoice(voicesOf(config, providers.tts), onTrouble),
      listener: providers.stt ? new ResilientListener(providers.stt, onTrouble) : null,
      vad: providers.stt ? new inference.VAD({ minSilenceDuration: 300 }) : null,
      timeBudgetMs: plan.value.jobPosting.timeBudgetMinutes * 60_000,
      reconnectGraceMs: config.interview.reconnectGraceMs,
      endpointingMs: config.interview.endpointingMs,
      startedAt,
    });

    // The job is shutting down mid-interview (the room ended, the worker drains past its limit):
    // whatever was said is still delivered.
    let finished: Promise<void> | undefined;
    ctx.addShutdownCallback(async () => {
      session.stop('shutdown');
      await finished;
    });
    finished = (async () => {
      const { end } = await session.run();
      const results = await session.results();
      const delivery = await outbox.put('interview', ref.id, results);
      logger.info({ end, delivery, utterances: results.transcript.length }, 'interview over; results handed on');
    })();
    await finished.finally(unsubscribe);
    ctx.shutdown('interview over');
  },
});
