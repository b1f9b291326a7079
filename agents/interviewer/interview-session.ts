import { type JobContext, log, voice, type VAD } from '@livekit/agents';
import { rtc, type RtcNode } from './rtc';
import { sanitizeText, type InterviewResults, type Scorecard, type TranscriptUtterance } from '@app/contracts';
import type { BrainReply, CandidateTurn, InterviewBrain } from './brain/interview-brain';
import type { ResilientListener, ResilientVoice } from './voice/livekit-speech';

// R-G2: one AI interview in one room. The AgentSession (agents-js) does the media work: it speaks
// through the SFU as an audio track, captions on lk.transcription, listens to the candidate's
// microphone only (RoomIO links one identity), cuts turns with the local VAD and reads typed
// answers from lk.chat. The conversation itself is the brain's: every candidate turn, spoken or
// typed, goes to it, and it decides what the interviewer says next. The session never asks an
// LLM for a reply on its own (onUserTurnCompleted stops that), so there is one author of the
// interview and the plan cannot be talked out of its order.

/** Participant attributes the web app shows (R-G2). `lk.agent.state` is set by agents-js too. */
export const INTERVIEW_ATTRIBUTES = {
  state: 'parley.state',
  phase: 'parley.phase',
  question: 'parley.question',
  questionsTotal: 'parley.questions_total',
  timeLeftSeconds: 'parley.time_left_s',
  /** Counts the interviewer's hand-overs: it went up and the state is listening = the candidate's turn. */
  turn: 'parley.turn',
  endsAt: 'parley.ends_at',
} as const;

export type InterviewerState = 'listening' | 'thinking' | 'speaking';

const MAX_TYPED_CHARS = 4_000;

export interface InterviewSessionOptions {
  ctx: JobContext;
  candidateIdentity: string;
  brain: InterviewBrain;
  voice: ResilientVoice;
  /** null: no speech recognition (typed answers only). */
  listener: ResilientListener | null;
  vad: VAD | null;
  timeBudgetMs: number;
  /** How long a dropped candidate may take to come back before the interview ends. */
  reconnectGraceMs: number;
  endpointingMs: number;
  tickMs?: number;
  /** The session start every transcript offset counts from. */
  startedAt: Date;
}

export type InterviewEnd = 'completed' | 'candidate_left' | 'shutdown';

export class InterviewSession {
  private readonly logger: ReturnType<typeof log>;
  private readonly transcript: TranscriptUtterance[] = [];
  private readonly turns: CandidateTurn[] = [];
  private session?: voice.AgentSession;
  private wake: () => void = () => undefined;
  private done = false;
  private candidatePresent = true;
  private awaySince: number | null = null;
  private awayTotalMs = 0;
  private speechStartedAt: number | null = null;
  private lastPromptAt = 0;
  private replying = false;
  private handovers = 0;
  private attributesSent: Promise<void> = Promise.resolve();
  private state: InterviewerState = 'listening';
  private lastReply?: BrainReply;
  private troubleSaid = { tts: false, stt: false };
  private pendingTrouble: string[] = [];
  private endReason: InterviewEnd = 'completed';
  private readonly stopped = new AbortController();

  constructor(private readonly options: InterviewSessionOptions) {
    this.logger = log().child({ room: options.ctx.room.name });
  }

  /** Milliseconds since the start, for transcript offsets (wall time). */
  private offsetNow(): number {
    return Math.max(0, Date.now() - this.options.startedAt.getTime());
  }

  /** Time the candidate was in the room: a shaky connection does not eat their interview time. */
  private activeElapsedMs(): number {
    const away = this.awayTotalMs + (this.awaySince !== null ? Date.now() - this.awaySince : 0);
    return Math.max(0, this.offsetNow() - away);
  }

  /** Called by the voice adapters when a provider failed; said once per kind, with the next reply. */
  noteTrouble(kind: 'tts' | 'stt'): void {
    if (this.troubleSaid[kind]) return;
    this.troubleSaid[kind] = true;
    this.pendingTrouble.push(
      kind === 'tts'
        ? 'I am having trouble with my voice right now, so please follow my words in the captions.'
        : 'I am having trouble hearing you right now. If I miss something, please type your answer in the chat.',
    );
  }

  /** Stops the interview early (job shutdown); `run` then returns what was gathered. */
  stop(reason: InterviewEnd = 'shutdown'): void {
    if (this.done) return;
    this.endReason = reason;
    this.done = true;
    this.stopped.abort();
    this.wake();
  }

  async run(): Promise<{ end: InterviewEnd; transcript: TranscriptUtterance[] }> {
    const { ctx, candidateIdentity, voice: tts, listener, vad } = this.options;
    const onSpokenTurn = (text: string) => this.onSpokenTurn(text);
    class InterviewerAgent extends voice.Agent {
      override async onUserTurnCompleted(_chatCtx: unknown, message: { textContent?: string }): Promise<void> {
        onSpokenTurn(message.textContent ?? '');
        throw new voice.StopResponse();
      }
    }
    const hearing = listener !== null && vad !== null;
    this.session = new voice.AgentSession({
      tts,
      ...(hearing ? { stt: listener, vad } : { vad: null }),
      // Explicit, so nothing reaches for LiveKit Cloud's turn detector (R-G4, offline).
      turnHandling: {
        turnDetection: hearing ? 'vad' : null,
        endpointing: { mode: 'fixed', minDelay: this.options.endpointingMs },
        interruption: { mode: 'vad' },
        preemptiveGeneration: { enabled: false },
      },
      userAwayTimeout: null,
    });
    this.session.on(voice.AgentSessionEventTypes.UserStateChanged, (ev) => {
      if (ev.newState === 'speaking') this.speechStartedAt = ev.createdAt;
    });
    this.session.on(voice.AgentSessionEventTypes.AgentStateChanged, (ev) => {
      // Between two utterances of one reply agents-js is briefly listening; the turn is handed
      // over only when the whole reply was spoken (speak() sets listening then).
      if (ev.newState === 'speaking') this.setState('speaking');
      else if (!this.replying && this.state === 'speaking' && ev.newState === 'listening') this.setState('listening');
    });
    this.session.on(voice.AgentSessionEventTypes.Error, (ev) => {
      const error = ev.error as { message?: string } | undefined;
      this.logger.warn({ err: error?.message ?? 'unknown' }, 'agent session error');
    });
    ctx.room.on(rtc.RoomEvent.ParticipantDisconnected, this.onParticipantLeft);
    ctx.room.on(rtc.RoomEvent.ParticipantConnected, this.onParticipantJoined);

    await this.session.start({
      agent: new InterviewerAgent({ instructions: 'Parley interviewer: the interview brain decides every reply.' }),
      room: ctx.room,
      inputOptions: {
        participantIdentity: candidateIdentity,
        audioEnabled: hearing,
        audioSampleRate: 16_000,
        // A dropped candidate comes back to the same interview (R-G2); the session stays open.
        closeOnDisconnect: false,
        textInputCallback: (_session, ev) => this.onTypedTurn(ev.text),
      },
      outputOptions: { audioEnabled: true, transcriptionEnabled: true, syncTranscription: true },
    });

    try {
      await this.speak(this.options.brain.opening());
      await this.loop();
    } finally {
      ctx.room.off(rtc.RoomEvent.ParticipantDisconnected, this.onParticipantLeft);
      ctx.room.off(rtc.RoomEvent.ParticipantConnected, this.onParticipantJoined);
      await this.session.close().catch(() => undefined);
    }
    return { end: this.endReason, transcript: [...this.transcript] };
  }

  /** The results for user-management: the transcript so far and the brain's scorecard of it. */
  async results(signal?: AbortSignal): Promise<InterviewResults> {
    const transcript = [...this.transcript];
    let scorecard: Scorecard;
    try {
      scorecard = await this.options.brain.scorecard(transcript, signal);
    } catch (err) {
      // The brain falls back to its rubric scoring itself; this is the last line, never reached in tests.
      this.logger.error({ err: (err as Error).message }, 'scorecard failed; saving the transcript with an empty card');
      scorecard = { competencies: [], recommendation: 'no', summary: 'The scorecard could not be produced.' };
    }
    return {
      startedAt: this.options.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      transcript,
      scorecard,
    };
  }

  private onSpokenTurn(text: string): void {
    const clean = sanitizeText(text).trim();
    if (!clean) return;
    const startedAt = this.speechStartedAt ?? Date.now();
    this.speechStartedAt = null;
    const turn: CandidateTurn = {
      text: clean,
      offsetMs: Math.max(0, startedAt - this.options.startedAt.getTime()),
      mode: 'spoken',
    };
    // Speech that began before the interviewer started its latest prompt cannot answer that prompt:
    // it answered the one before, which a typed message already did (recognition lags behind
    // typing by the endpointing delay plus the recogniser's time). It stays in the transcript.
    if (startedAt < this.lastPromptAt) {
      this.record(turn);
      return;
    }
    this.pushTurn(turn);
  }

  private onTypedTurn(text: string): void {
    const clean = sanitizeText(text).trim().slice(0, MAX_TYPED_CHARS);
    if (!clean) return;
    // A typed answer stands in for a spoken one: it cuts the interviewer off like a voice would.
    this.session?.interrupt({ force: true });
    this.pushTurn({ text: clean, offsetMs: this.offsetNow(), mode: 'typed' });
  }

  private pushTurn(turn: CandidateTurn): void {
    if (this.done) return;
    this.record(turn);
    this.turns.push(turn);
    this.wake();
  }

  private record(turn: CandidateTurn): void {
    // Two utterances can share a millisecond (a spoken and a typed one): offsets must stay unique,
    // evidence quotes are found by them.
    while (this.transcript.some((u) => u.offsetMs === turn.offsetMs)) turn.offsetMs += 1;
    this.transcript.push({ speaker: 'candidate', text: turn.text, offsetMs: turn.offsetMs, mode: turn.mode });
    this.transcript.sort((a, b) => a.offsetMs - b.offsetMs);
  }

  private readonly onParticipantLeft = (participant: RtcNode.RemoteParticipant) => {
    if (participant.identity !== this.options.candidateIdentity || !this.candidatePresent) return;
    this.candidatePresent = false;
    this.awaySince = Date.now();
    this.logger.info('candidate left the room; waiting for them to come back');
    this.session?.interrupt({ force: true });
    this.wake();
  };

  private readonly onParticipantJoined = (participant: RtcNode.RemoteParticipant) => {
    if (participant.identity !== this.options.candidateIdentity || this.candidatePresent) return;
    this.candidatePresent = true;
    if (this.awaySince !== null) this.awayTotalMs += Date.now() - this.awaySince;
    this.awaySince = null;
    this.returned = true;
    this.logger.info('candidate is back; resuming the interview');
    this.wake();
  };

  private returned = false;

  private async loop(): Promise<void> {
    const tickMs = this.options.tickMs ?? 2_000;
    let lastAttributes = 0;
    while (!this.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tickMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = () => undefined;
      if (this.done) break;

      if (!this.candidatePresent) {
        if (this.awaySince !== null && Date.now() - this.awaySince > this.options.reconnectGraceMs) {
          this.logger.info('candidate did not come back in time; ending the interview');
          this.endReason = 'candidate_left';
          this.done = true;
        }
        continue;
      }
      if (this.returned) {
        this.returned = false;
        // Give the returning browser a moment to subscribe to the interviewer's audio again.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await this.speak(this.options.brain.candidateReturned(this.activeElapsedMs()));
        continue;
      }
      const turn = this.turns.shift();
      if (turn) {
        this.setState('thinking');
        let reply: BrainReply;
        try {
          reply = await this.options.brain.answer(turn, this.activeElapsedMs(), this.stopped.signal);
        } catch (err) {
          this.logger.error({ err: (err as Error).message }, 'the interview brain failed on a turn');
          reply = {
            ...(this.lastReply ?? this.options.brain.opening()),
            say: ['Sorry, I missed that. Could you say it again?'],
            done: false,
          };
        }
        await this.speak(reply);
        continue;
      }
      const tick = this.options.brain.tick(this.activeElapsedMs());
      if (tick) await this.speak(tick);
      if (Date.now() - lastAttributes >= 10_000) {
        lastAttributes = Date.now();
        this.publishAttributes();
      }
    }
  }

  private async speak(next: BrainReply): Promise<void> {
    // A provider problem is said at the start of the next reply, not as a turn of its own: the
    // candidate keeps one clear hand-over per question.
    const reply = { ...next, say: [...this.pendingTrouble.splice(0), ...next.say] };
    this.lastReply = reply;
    this.replying = true;
    this.lastPromptAt = Date.now();
    this.publishAttributes();
    for (const text of reply.say) {
      if (this.stopped.signal.aborted || !this.candidatePresent) break;
      const clean = sanitizeText(text).trim();
      if (!clean) continue;
      this.transcript.push({ speaker: 'interviewer', text: clean, offsetMs: this.uniqueOffset(), mode: 'spoken' });
      this.setState('speaking');
      try {
        // The interviewer finishes its sentence (speech over it is not taken as an answer); a
        // typed answer still cuts it short (onTypedTurn interrupts with force).
        const handle = this.session!.say(clean, { allowInterruptions: false });
        await handle.waitForPlayout();
        if (handle.interrupted) break;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not speak an utterance');
      }
    }
    this.replying = false;
    this.handovers++;
    this.state = 'listening';
    this.publishAttributes();
    if (reply.done) this.done = true;
  }

  private uniqueOffset(): number {
    let offset = this.offsetNow();
    while (this.transcript.some((u) => u.offsetMs === offset)) offset += 1;
    return offset;
  }

  private setState(state: InterviewerState): void {
    if (this.state === state) return;
    this.state = state;
    this.publishAttributes();
  }

  private publishAttributes(): void {
    const participant = this.options.ctx.room.localParticipant;
    if (!participant) return;
    const reply = this.lastReply;
    const leftMs = Math.max(0, this.options.timeBudgetMs - this.activeElapsedMs());
    const attributes = {
      [INTERVIEW_ATTRIBUTES.state]: this.state,
      [INTERVIEW_ATTRIBUTES.phase]: reply?.phase ?? 'opening',
      [INTERVIEW_ATTRIBUTES.question]: reply?.questionNumber ? String(reply.questionNumber) : '',
      [INTERVIEW_ATTRIBUTES.questionsTotal]: String(reply?.questionsTotal ?? 0),
      [INTERVIEW_ATTRIBUTES.timeLeftSeconds]: String(Math.round(leftMs / 1000)),
      [INTERVIEW_ATTRIBUTES.endsAt]: new Date(Date.now() + leftMs).toISOString(),
      [INTERVIEW_ATTRIBUTES.turn]: String(this.handovers),
    };
    // One update at a time, in order: a later state must never be overtaken by an earlier one.
    this.attributesSent = this.attributesSent
      .then(() => participant.setAttributes(attributes))
      .catch((err: Error) => this.logger.debug({ err: err.message }, 'could not publish interview attributes'));
  }
}
