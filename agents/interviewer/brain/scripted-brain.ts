import type { InterviewPlan, Scorecard, TranscriptUtterance } from '@app/contracts';
import { countWords, isRepeatRequest, keyPointCoverage } from './answer-analysis';
import type { BrainReply, CandidateTurn, InterviewBrain, InterviewPhase, RecordingContext } from './interview-brain';
import { plannedQuestions, type PlannedQuestion, type TakenTurn } from './planned-questions';
import { rubricScorecard } from './rubric-scorecard';

// R-G2 / R-G4: the offline interviewer. It walks the plan in order, asks at most one follow-up per
// question when an answer is thin, keeps to the time budget and scores on the rubric. No network,
// no randomness: the same plan and the same turns give the same interview, which is what the
// demo, the e2e tests and a candidate on a host without an LLM key all rely on.

export interface ScriptedBrainOptions {
  /** An answer with fewer words than this is thin and gets a follow-up (default 12). */
  thinAnswerWords?: number;
  /** With less than this share of the time budget left, follow-ups are skipped (default 0.15). */
  lowTimeFraction?: number;
  /**
   * How long past the budget a silent wait may run before `tick` closes (default 20 s): the
   * candidate may be in the middle of their last answer, and cutting them off mid-sentence is rude.
   */
  overtimeGraceMs?: number;
}

/** What the LLM brain needs to decide a follow-up in the scripted brain's place. */
export interface FollowUpOpportunity {
  question: PlannedQuestion;
  questionsTotal: number;
  answer: string;
  /** What the scripted rules would ask; null when they would move on. */
  scriptedFollowUp: string | null;
}

export const DEFAULT_THIN_ANSWER_WORDS = 12;
export const DEFAULT_LOW_TIME_FRACTION = 0.15;
export const DEFAULT_OVERTIME_GRACE_MS = 20_000;

// Rotated by question, so consecutive turns do not all sound the same; none of them judges the answer.
const THANKS = ['Thank you.', 'Thanks for that.', 'All right, thank you.'];
const FOLLOW_UP_LEADS = ['Thanks.', 'I see.', 'Okay.'];

type Progress = 'not_started' | 'asking' | 'done';

export class ScriptedInterviewBrain implements InterviewBrain {
  readonly questions: readonly PlannedQuestion[];
  private readonly thinAnswerWords: number;
  private readonly lowTimeFraction: number;
  private readonly overtimeGraceMs: number;
  private readonly budgetMs: number;
  private readonly firstName: string;

  private progress: Progress = 'not_started';
  private index = 0;
  /** The follow-up asked on the current question, if any: at most one per question. */
  private followUpAsked: string | null = null;
  private readonly nudged = new Set<number>();
  private readonly taken: TakenTurn[] = [];
  private stoppedForTime = false;

  constructor(
    readonly plan: InterviewPlan,
    private readonly recording: RecordingContext,
    options: ScriptedBrainOptions = {},
  ) {
    this.questions = plannedQuestions(plan);
    this.thinAnswerWords = options.thinAnswerWords ?? DEFAULT_THIN_ANSWER_WORDS;
    this.lowTimeFraction = options.lowTimeFraction ?? DEFAULT_LOW_TIME_FRACTION;
    this.overtimeGraceMs = options.overtimeGraceMs ?? DEFAULT_OVERTIME_GRACE_MS;
    // A posting without a positive budget has no time limit: nothing is cut, nothing is announced.
    this.budgetMs = Math.max(0, plan.jobPosting.timeBudgetMinutes) * 60_000;
    this.firstName = plan.candidate.fullName.trim().split(/\s+/)[0] ?? '';
  }

  /** The first call starts the interview; a later one does not rewind it but repeats where it is. */
  opening(): BrainReply {
    if (this.progress === 'done') return this.doneReply();
    if (this.progress === 'asking') return this.reply('questions', [this.currentPrompt()]);
    this.progress = 'asking';
    const title = this.plan.jobPosting.title.trim();
    const total = this.questions.length;
    const minutes = this.budgetMs / 60_000;
    const greeting = this.firstName ? `Hello ${this.firstName}` : 'Hello';
    return this.reply('opening', [
      `${greeting}, and welcome to your interview${title ? ` for the ${title} position` : ''}. I'm the Parley interviewer.`,
      this.recordingNotice(),
      (minutes > 0 ? `We have about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} for ` : 'There are ') +
        `${total} ${total === 1 ? 'question' : 'questions'}. You can answer by speaking or by typing in the chat, ` +
        'and you can ask me to repeat a question at any time.',
      this.questionPrompt(0, { first: true }),
    ]);
  }

  async answer(turn: CandidateTurn, elapsedMs: number): Promise<BrainReply> {
    return this.answerWith(turn, elapsedMs, this.followUpOpportunity(turn, elapsedMs)?.scriptedFollowUp ?? null);
  }

  /**
   * Whether this turn is the first answer to a question that may still get a follow-up (not a
   * repeat request, no follow-up asked yet, enough time left), and what the scripted rules would
   * ask. null: whatever is decided, no follow-up can be asked now.
   */
  followUpOpportunity(turn: CandidateTurn, elapsedMs: number): FollowUpOpportunity | null {
    const answer = turn.text.trim();
    if (this.progress === 'done' || !answer || isRepeatRequest(answer)) return null;
    if (this.followUpAsked !== null || !this.followUpsAllowed(elapsedMs)) return null;
    const question = this.questions[this.index];
    return {
      question,
      questionsTotal: this.questions.length,
      answer,
      scriptedFollowUp: this.scriptedFollowUp(question, answer),
    };
  }

  /**
   * Takes `turn` as the answer to the current question (or a request to repeat it) and moves on.
   * `followUp` is the follow-up to ask if one may be asked now (see `followUpOpportunity`); null
   * moves on to the next question. The walk itself (order, one follow-up, time) stays here.
   */
  answerWith(turn: CandidateTurn, elapsedMs: number, followUp: string | null): BrainReply {
    if (this.progress === 'done') return this.doneReply();
    // A turn before the opening was spoken (a typed hello on arrival) answers the first question.
    if (this.progress === 'not_started') this.progress = 'asking';
    const text = turn.text.trim();
    if (!text) return this.reply('questions', []);
    const repeat = isRepeatRequest(text);
    this.taken.push({
      offsetMs: turn.offsetMs,
      text: turn.text,
      questionIndex: this.index,
      kind: repeat ? 'repeat' : 'answer',
    });
    const isLast = this.index === this.questions.length - 1;
    if (this.overBudget(elapsedMs) && !(isLast && !repeat)) return this.closeForTime();
    if (repeat) return this.reply('questions', ['Of course, here it is again.', this.currentPrompt()]);

    const ask = followUp?.trim();
    if (ask && this.followUpAsked === null && this.followUpsAllowed(elapsedMs)) {
      this.followUpAsked = ask;
      return this.reply('questions', [`${FOLLOW_UP_LEADS[this.index % FOLLOW_UP_LEADS.length]} ${ask}`]);
    }
    const thanks = THANKS[this.index % THANKS.length];
    if (isLast) return this.close([`${thanks} That was my last question.`]);
    this.index += 1;
    this.followUpAsked = null;
    return this.reply('questions', [thanks, this.questionPrompt(this.index, { first: false })]);
  }

  tick(elapsedMs: number): BrainReply | null {
    if (this.progress === 'done') return this.doneReply();
    if (this.progress === 'not_started' || this.budgetMs === 0) return null;
    return elapsedMs >= this.budgetMs + this.overtimeGraceMs ? this.closeForTime() : null;
  }

  candidateReturned(elapsedMs: number): BrainReply {
    if (this.progress === 'not_started') return this.opening();
    if (this.progress === 'done') return this.doneReply();
    const welcome = this.firstName ? `Welcome back, ${this.firstName}.` : 'Welcome back.';
    if (this.overBudget(elapsedMs)) return this.closeForTime(welcome);
    return this.reply('questions', [`${welcome} Let's pick up where we left off.`, this.currentPrompt()]);
  }

  candidateSilent(elapsedMs: number): BrainReply | null {
    if (this.progress === 'done') return this.doneReply();
    if (this.progress === 'not_started') return null;
    // A long silence past the budget needs no further grace: the candidate is not mid-answer.
    if (this.overBudget(elapsedMs)) return this.closeForTime();
    if (this.nudged.has(this.index)) return null;
    this.nudged.add(this.index);
    return this.reply('questions', [
      'Take your time. If you would like me to repeat the question, just say so; you can also type your answer in the chat.',
    ]);
  }

  async scorecard(transcript: TranscriptUtterance[]): Promise<Scorecard> {
    return this.rubricScorecard(transcript);
  }

  /** The offline scorecard, synchronously: also the LLM brain's fallback. */
  rubricScorecard(transcript: readonly TranscriptUtterance[]): Scorecard {
    return rubricScorecard({
      candidateFirstName: this.firstName,
      competencies: this.plan.jobPosting.competencies,
      questions: this.questions,
      transcript,
      taken: this.taken,
      thinAnswerWords: this.thinAnswerWords,
      stoppedForTime: this.stoppedForTime,
    });
  }

  private recordingNotice(): string {
    const { recordingPolicy, consent } = this.recording;
    switch (recordingPolicy) {
      case 'off':
        return 'This session is not recorded; I keep a written transcript of the interview for the hiring team.';
      case 'optional':
        if (consent === 'given') {
          return 'As you agreed, this session is recorded, and I keep a written transcript for the hiring team.';
        }
        // Declined, or never asked (no choice recorded): not recorded either way, but only a refusal was a choice.
        return consent === 'declined'
          ? 'This session is not recorded, as you chose; I keep a written transcript of the interview for the hiring team.'
          : 'This session is not recorded; I keep a written transcript of the interview for the hiring team.';
      case 'mandatory':
        return 'This session is recorded, as the job posting requires and as you agreed when you joined; I also keep a written transcript for the hiring team.';
      default:
        // The policy could not be read (user-management was unreachable): claim nothing that may be false.
        return "Recording follows the job posting's policy that you saw before joining; I keep a written transcript of the interview for the hiring team.";
    }
  }

  private scriptedFollowUp(question: PlannedQuestion, answer: string): string | null {
    const keyPoints = question.competency?.rubric.keyPoints.map((k) => k.trim()).filter(Boolean) ?? [];
    const { covered, missed } = keyPointCoverage(answer, keyPoints);
    const short = countWords(answer) < this.thinAnswerWords;
    const offRubric = keyPoints.length > 0 && covered.length === 0;
    if (!short && !offRubric) return null;
    if (question.followUps[0]) return question.followUps[0];
    const missing = missed[0];
    return missing
      ? `Could you say more about ${lowerFirst(missing)}?`
      : 'Could you go into a little more detail, with a concrete example from your own work?';
  }

  private followUpsAllowed(elapsedMs: number): boolean {
    return this.budgetMs === 0 || this.budgetMs - elapsedMs >= this.budgetMs * this.lowTimeFraction;
  }

  private overBudget(elapsedMs: number): boolean {
    return this.budgetMs > 0 && elapsedMs >= this.budgetMs;
  }

  private questionPrompt(index: number, { first }: { first: boolean }): string {
    const total = this.questions.length;
    const { number, text } = this.questions[index];
    if (total === 1) return `${first ? "Let's begin. " : ''}Here is my question: ${text}`;
    if (first) return `Let's begin. Question 1 of ${total}: ${text}`;
    return number === total
      ? `Last question, ${number} of ${total}: ${text}`
      : `Question ${number} of ${total}: ${text}`;
  }

  /** The question (or follow-up) the candidate is expected to answer now, said so it stands on its own. */
  private currentPrompt(): string {
    const question = this.questions[this.index];
    if (this.followUpAsked === null) return this.questionPrompt(this.index, { first: false });
    return `On question ${question.number} of ${this.questions.length}, I had asked: ${this.followUpAsked}`;
  }

  private closeForTime(lead = 'Thank you.'): BrainReply {
    this.stoppedForTime = true;
    return this.close([`${lead} We're at our time limit, so I'll stop here.`]);
  }

  private close(lead: string[]): BrainReply {
    this.progress = 'done';
    return {
      say: [
        ...lead,
        'That is the end of the interview. The hiring team will review the transcript and the scorecard, ' +
          'and you will hear back from them about the next steps. ' +
          `Thank you for your time${this.firstName ? `, ${this.firstName}` : ''}, and goodbye.`,
      ],
      questionNumber: null,
      questionsTotal: this.questions.length,
      phase: 'closing',
      done: true,
    };
  }

  private doneReply(): BrainReply {
    return { say: [], questionNumber: null, questionsTotal: this.questions.length, phase: 'done', done: true };
  }

  private reply(phase: InterviewPhase, say: string[]): BrainReply {
    return {
      say: say.filter((s) => s.trim()),
      questionNumber: this.index + 1,
      questionsTotal: this.questions.length,
      phase,
      done: false,
    };
  }
}

/** "Idempotency keys" → "idempotency keys", but "SQL indexes" stays: only a capital that starts a plain word goes. */
function lowerFirst(text: string): string {
  return /^\p{Lu}\p{Ll}/u.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}
