import type { RoomContext, Scorecard, TranscriptUtterance } from '@app/contracts';

// R-G2: the interviewer's conversation, apart from the media. The LiveKit session hands every
// candidate turn (spoken or typed) to a brain and speaks what it answers; the brain walks the
// interview plan, keeps to the time budget and writes the scorecard. Nothing here knows LiveKit,
// so the brains are tested (and can be demoed) without a room.

/** One finished candidate turn: recognised speech or a typed chat message, already sanitized. */
export interface CandidateTurn {
  text: string;
  /** Milliseconds from the session start; the same offset the transcript records for it. */
  offsetMs: number;
  mode: 'spoken' | 'typed';
}

export type InterviewPhase = 'opening' | 'questions' | 'closing' | 'done';

export interface BrainReply {
  /** Utterances for the agent to speak, in order; each becomes one caption. Never empty strings. */
  say: string[];
  /** 1-based number of the question now being asked; null before the first and after the close. */
  questionNumber: number | null;
  questionsTotal: number;
  phase: InterviewPhase;
  /** The interview is over once these utterances are spoken. */
  done: boolean;
}

/** What the opening needs to say about recording (R-R1): the posting's policy and the candidate's consent. */
export type RecordingContext = Pick<RoomContext, 'recordingPolicy' | 'consent'>;

export interface InterviewBrain {
  /** Greeting, recording/consent reminder, how to answer, then the first question. */
  opening(): BrainReply;
  /**
   * The candidate finished a turn; `elapsedMs` is the interview time used so far (time away after a
   * drop excluded). A provider failure never rejects it: the brain falls back to its script.
   */
  answer(turn: CandidateTurn, elapsedMs: number, signal?: AbortSignal): Promise<BrainReply>;
  /** Called every few seconds while the candidate is silent; null when there is nothing to say. */
  tick(elapsedMs: number): BrainReply | null;
  /** After a drop and reconnect: welcome back and repeat where we were (never starts over). */
  candidateReturned(elapsedMs: number): BrainReply;
  /** An optional nudge after a long silence, at most once per question; null when there is nothing to say. */
  candidateSilent(elapsedMs: number): BrainReply | null;
  /** The scorecard of the interview; every evidence quote is an exact substring of a candidate utterance. */
  scorecard(transcript: TranscriptUtterance[], signal?: AbortSignal): Promise<Scorecard>;
}
