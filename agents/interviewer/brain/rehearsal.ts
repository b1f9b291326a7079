import type { TranscriptUtterance } from '@app/contracts';
import type { BrainReply, CandidateTurn, InterviewBrain } from './interview-brain';

/**
 * Drives a brain the way the LiveKit session does, without a room: the opening, then candidate
 * turns, each reply spoken into the transcript with offsets on one clock. Used by the unit tests
 * and the demo to play a scripted candidate through an interview.
 */
export class InterviewRehearsal {
  readonly transcript: TranscriptUtterance[] = [];
  readonly replies: BrainReply[] = [];
  /** Interview time used so far; also every utterance's offset, as nobody drops out here. */
  elapsedMs = 0;

  constructor(
    readonly brain: InterviewBrain,
    /** How long the interviewer takes to say one utterance. */
    private readonly utteranceMs = 4_000,
  ) {}

  get lastReply(): BrainReply | undefined {
    return this.replies[this.replies.length - 1];
  }

  opening(): BrainReply {
    return this.heard(this.brain.opening());
  }

  /** The candidate finishes a turn `afterMs` after the interviewer stopped speaking. */
  async candidate(
    text: string,
    { afterMs = 20_000, mode = 'typed' }: { afterMs?: number; mode?: CandidateTurn['mode'] } = {},
  ): Promise<BrainReply> {
    this.elapsedMs += afterMs;
    const turn: CandidateTurn = { text, offsetMs: this.elapsedMs, mode };
    this.transcript.push({ speaker: 'candidate', ...turn });
    return this.heard(await this.brain.answer(turn, this.elapsedMs));
  }

  /** Answers in order until the interview is done or the answers run out. */
  async answerAll(answers: readonly string[]): Promise<BrainReply | undefined> {
    for (const answer of answers) {
      if (this.lastReply?.done) break;
      await this.candidate(answer);
    }
    return this.lastReply;
  }

  /** Silence for `ms`, then the session's periodic tick. */
  tick(ms: number): BrainReply | null {
    this.elapsedMs += ms;
    const reply = this.brain.tick(this.elapsedMs);
    return reply ? this.heard(reply) : null;
  }

  private heard(reply: BrainReply): BrainReply {
    for (const text of reply.say) {
      this.elapsedMs += this.utteranceMs;
      this.transcript.push({ speaker: 'interviewer', text, offsetMs: this.elapsedMs, mode: 'spoken' });
    }
    this.replies.push(reply);
    return reply;
  }
}
