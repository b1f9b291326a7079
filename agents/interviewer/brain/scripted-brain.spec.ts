import { describe, expect, it } from 'vitest';
import type { InterviewPlan } from '@app/contracts';
import { BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING, STRONG_ANSWERS, THIN_ANSWERS } from './fixtures';
import type { BrainReply, RecordingContext } from './interview-brain';
import { InterviewRehearsal } from './rehearsal';
import { ScriptedInterviewBrain, type ScriptedBrainOptions } from './scripted-brain';

const BUDGET_MS = BACKEND_ENGINEER_PLAN.jobPosting.timeBudgetMinutes * 60_000;
const QUESTIONS = BACKEND_ENGINEER_PLAN.jobPosting.questions;

function rehearse(
  options: ScriptedBrainOptions = {},
  recording: RecordingContext = CONSENTED_RECORDING,
  plan: InterviewPlan = BACKEND_ENGINEER_PLAN,
) {
  const brain = new ScriptedInterviewBrain(plan, recording, options);
  return { brain, rehearsal: new InterviewRehearsal(brain) };
}

const spoken = (reply: BrainReply | null | undefined) => reply?.say.join(' ') ?? '';

function expectNoEmptyUtterances(replies: readonly BrainReply[]): void {
  for (const reply of replies) for (const text of reply.say) expect(text.trim()).not.toBe('');
}

describe('ScriptedInterviewBrain opening', () => {
  it('greets by first name, names the job, the time budget and how to answer, then asks question 1', () => {
    const { rehearsal } = rehearse();
    const reply = rehearsal.opening();
    const text = spoken(reply);
    expect(text).toMatch(/^Hello Maya,/);
    expect(text).not.toContain('Okafor');
    expect(text).toContain('Backend Engineer');
    expect(text).toContain('about 30 minutes');
    expect(text).toMatch(/speaking or by typing in the chat/);
    expect(text).toMatch(/ask me to repeat a question/);
    expect(reply.say[reply.say.length - 1]).toBe(`Let's begin. Question 1 of 4: ${QUESTIONS[0]!.text}`);
    expect(reply).toMatchObject({ questionNumber: 1, questionsTotal: 4, phase: 'opening', done: false });
    expectNoEmptyUtterances([reply]);
  });

  it.each<[RecordingContext, RegExp]>([
    [{ recordingPolicy: 'off', consent: null }, /This session is not recorded/],
    [{ recordingPolicy: 'optional', consent: 'given' }, /As you agreed, this session is recorded/],
    [{ recordingPolicy: 'optional', consent: 'declined' }, /This session is not recorded, as you chose/],
    [{ recordingPolicy: 'optional', consent: null }, /This session is not recorded/],
    [{ recordingPolicy: 'mandatory', consent: 'given' }, /This session is recorded, as the job posting requires/],
    [{ recordingPolicy: null, consent: null }, /Recording follows the job posting's policy/],
  ])('reminds the candidate of recording: %j', (recording, notice) => {
    const text = spoken(rehearse({}, recording).rehearsal.opening());
    expect(text).toMatch(notice);
    const recorded = recording.recordingPolicy === 'mandatory' || recording.consent === 'given';
    if (recorded) expect(text).not.toMatch(/not recorded/);
    // Only a refusal was the candidate's choice; no choice recorded is not one.
    if (recording.consent !== 'declined') expect(text).not.toMatch(/as you chose/);
    if (recording.recordingPolicy === 'off' || (recording.recordingPolicy === 'optional' && !recorded)) {
      expect(text).not.toMatch(/is recorded/);
    }
  });

  it('does not rewind when the opening is asked for again', async () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    const again = brain.opening();
    expect(spoken(again)).not.toMatch(/Hello/);
    expect(spoken(again)).toContain(QUESTIONS[1]!.text);
    expect(again.questionNumber).toBe(2);
  });
});

describe('ScriptedInterviewBrain walk', () => {
  it('asks the questions in plan order and closes after the last', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const numbers: Array<number | null> = [];
    for (const [i, answer] of STRONG_ANSWERS.entries()) {
      const reply = await rehearsal.candidate(answer);
      numbers.push(reply.questionNumber);
      if (i < QUESTIONS.length - 1) {
        expect(reply.say).toEqual([expect.stringMatching(/^(Thank you|Thanks|All right)/), expect.any(String)]);
        expect(reply.say[1]).toContain(QUESTIONS[i + 1]!.text);
      }
    }
    expect(numbers).toEqual([2, 3, 4, null]);
    expect(rehearsal.replies[2]!.say[1]).toMatch(/^Question 3 of 4: /);
    expect(rehearsal.replies[3]!.say[1]).toMatch(/^Last question, 4 of 4: /);
    expectNoEmptyUtterances(rehearsal.replies);
  });

  it('closes politely, says what happens next, and is done', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const close = await rehearsal.answerAll(STRONG_ANSWERS);
    expect(close).toMatchObject({ phase: 'closing', done: true, questionNumber: null, questionsTotal: 4 });
    expect(spoken(close)).toMatch(/last question/);
    expect(spoken(close)).toMatch(/hiring team will review the transcript and the scorecard/);
    expect(spoken(close)).toMatch(/hear back/);
    expect(spoken(close)).toMatch(/Thank you for your time, Maya/);
  });

  it('answers everything after the close with an empty done reply', async () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.answerAll(STRONG_ANSWERS);
    const done = { say: [], questionNumber: null, questionsTotal: 4, phase: 'done', done: true };
    expect(await brain.answer({ text: 'Hello?', offsetMs: 999_000, mode: 'typed' }, 999_000)).toEqual(done);
    expect(brain.tick(999_000)).toEqual(done);
    expect(brain.candidateReturned(999_000)).toEqual(done);
    expect(brain.candidateSilent(999_000)).toEqual(done);
    expect(brain.opening()).toEqual(done);
  });

  it('takes a turn before the opening as the answer to the first question', async () => {
    const { rehearsal } = rehearse();
    const reply = await rehearsal.candidate(STRONG_ANSWERS[0]!);
    expect(reply.questionNumber).toBe(2);
  });

  it('says nothing for a blank turn', async () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    const reply = await brain.answer({ text: '   ', offsetMs: 30_000, mode: 'typed' }, 30_000);
    expect(reply).toMatchObject({ say: [], questionNumber: 1, done: false });
  });
});

describe('ScriptedInterviewBrain follow-ups', () => {
  it('asks the planned follow-up after a thin answer, then moves on after the follow-up answer', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const followUp = await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(followUp.say).toHaveLength(1);
    expect(followUp.say[0]).toContain(QUESTIONS[0]!.followUps[0]!);
    expect(followUp).toMatchObject({ questionNumber: 1, phase: 'questions', done: false });
    const next = await rehearsal.candidate('I would store an idempotency key per order and return the stored result.');
    expect(next.questionNumber).toBe(2);
    expect(spoken(next)).toContain(QUESTIONS[1]!.text);
  });

  it('generates a follow-up naming a missing key point when the question has none planned', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    const followUp = await rehearsal.candidate(THIN_ANSWERS[1]!);
    expect(followUp.questionNumber).toBe(2);
    expect(followUp.say).toEqual([
      expect.stringMatching(/Could you say more about reading the query plan with EXPLAIN\?$/),
    ]);
  });

  it('names the first key point not yet mentioned when a short answer covers some', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    const followUp = await rehearsal.candidate('I would run EXPLAIN on the query.');
    expect(spoken(followUp)).toMatch(/Could you say more about composite indexes\?$/);
  });

  it('follows up on a long answer that mentions none of the key points', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const offRubric =
      'I think the most important thing is to talk to the product team first and understand what the mobile app really needs from us.';
    const followUp = await rehearsal.candidate(offRubric);
    expect(followUp.questionNumber).toBe(1);
    expect(spoken(followUp)).toContain(QUESTIONS[0]!.followUps[0]!);
  });

  it('moves on after a rich answer', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const next = await rehearsal.candidate(STRONG_ANSWERS[0]!);
    expect(next.questionNumber).toBe(2);
    expect(spoken(next)).not.toContain(QUESTIONS[0]!.followUps[0]!);
  });

  it('asks at most one follow-up per question', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(THIN_ANSWERS[0]!);
    const next = await rehearsal.candidate('Not sure.');
    expect(next.questionNumber).toBe(2);
    expect(spoken(next)).toContain(QUESTIONS[1]!.text);
  });

  it('honours thinAnswerWords', async () => {
    const { rehearsal } = rehearse({ thinAnswerWords: 3 });
    rehearsal.opening();
    const next = await rehearsal.candidate('I would use idempotency keys for retries.');
    expect(next.questionNumber).toBe(2);
  });

  it('falls back to the length rule for a question whose competency is not in the rubric', async () => {
    const plan: InterviewPlan = {
      ...BACKEND_ENGINEER_PLAN,
      jobPosting: {
        ...BACKEND_ENGINEER_PLAN.jobPosting,
        questions: [{ text: 'What would you like to learn next?', competency: 'Curiosity', followUps: [] }],
      },
    };
    const { rehearsal } = rehearse({}, CONSENTED_RECORDING, plan);
    rehearsal.opening();
    const followUp = await rehearsal.candidate('Rust, probably.');
    expect(spoken(followUp)).toMatch(/concrete example/);
    const close = await rehearsal.candidate(
      'I have been reading about Rust and would like to use it for a small service.',
    );
    expect(close.done).toBe(true);
  });
});

describe('ScriptedInterviewBrain repeat requests', () => {
  it.each([
    'Could you repeat the question?',
    'sorry, what was the question?',
    'Can you say that again please',
    'PARDON?',
    'Repeat the question.',
    "Sorry, I didn't catch that.",
  ])('re-asks the current question for %j without counting it as an answer', async (request) => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const repeat = await rehearsal.candidate(request);
    expect(repeat).toMatchObject({ questionNumber: 1, done: false });
    expect(repeat.say[0]).toBe('Of course, here it is again.');
    expect(repeat.say[1]).toContain(QUESTIONS[0]!.text);
    // Still the first answer: a thin one gets the follow-up, which a repeat request did not use up.
    const followUp = await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(spoken(followUp)).toContain(QUESTIONS[0]!.followUps[0]!);
  });

  it('re-asks the follow-up when the follow-up is what was asked', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(THIN_ANSWERS[0]!);
    const repeat = await rehearsal.candidate('could you repeat that');
    expect(repeat.questionNumber).toBe(1);
    expect(spoken(repeat)).toContain(QUESTIONS[0]!.followUps[0]!);
  });
});

describe('ScriptedInterviewBrain time budget', () => {
  it('stops at the time limit on the next answer and says so', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    const close = await rehearsal.candidate(STRONG_ANSWERS[1]!, { afterMs: BUDGET_MS });
    expect(close).toMatchObject({ phase: 'closing', done: true, questionNumber: null });
    expect(spoken(close)).toMatch(/We're at our time limit, so I'll stop here/);
    expect(spoken(close)).toMatch(/hiring team will review/);
  });

  it('closes normally when the last answer comes in after the limit', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    for (const answer of STRONG_ANSWERS.slice(0, 3)) await rehearsal.candidate(answer);
    const close = await rehearsal.candidate(STRONG_ANSWERS[3]!, { afterMs: BUDGET_MS });
    expect(close.done).toBe(true);
    expect(spoken(close)).toMatch(/last question/);
    expect(spoken(close)).not.toMatch(/time limit/);
  });

  it('ticks silently until the budget plus a grace period is spent, then closes for time', () => {
    const { brain, rehearsal } = rehearse({ overtimeGraceMs: 20_000 });
    expect(brain.tick(BUDGET_MS * 2)).toBeNull(); // not started
    rehearsal.opening();
    expect(brain.tick(60_000)).toBeNull();
    expect(brain.tick(BUDGET_MS)).toBeNull();
    expect(brain.tick(BUDGET_MS + 19_999)).toBeNull();
    const close = brain.tick(BUDGET_MS + 20_000);
    expect(close).toMatchObject({ phase: 'closing', done: true });
    expect(spoken(close)).toMatch(/time limit/);
    expect(brain.tick(BUDGET_MS + 30_000)).toMatchObject({ say: [], phase: 'done', done: true });
  });

  it('skips follow-ups when less than 15% of the time is left', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const next = await rehearsal.candidate(THIN_ANSWERS[0]!, { afterMs: BUDGET_MS * 0.86 });
    expect(next.questionNumber).toBe(2);
    expect(spoken(next)).not.toContain(QUESTIONS[0]!.followUps[0]!);
  });

  it('still follows up with more than 15% left', async () => {
    const { rehearsal } = rehearse();
    rehearsal.opening();
    const followUp = await rehearsal.candidate(THIN_ANSWERS[0]!, { afterMs: BUDGET_MS * 0.8 });
    expect(followUp.questionNumber).toBe(1);
  });

  it('has no time limit when the posting has no budget', async () => {
    const plan = {
      ...BACKEND_ENGINEER_PLAN,
      jobPosting: { ...BACKEND_ENGINEER_PLAN.jobPosting, timeBudgetMinutes: 0 },
    };
    const { brain, rehearsal } = rehearse({}, CONSENTED_RECORDING, plan);
    expect(spoken(rehearsal.opening())).not.toMatch(/minutes/);
    expect(brain.tick(10 * 3_600_000)).toBeNull();
    const followUp = await rehearsal.candidate(THIN_ANSWERS[0]!, { afterMs: 3_600_000 });
    expect(followUp.questionNumber).toBe(1);
  });
});

describe('ScriptedInterviewBrain after a drop', () => {
  it('welcomes the candidate back and continues from the current question', async () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    const back = brain.candidateReturned(rehearsal.elapsedMs);
    expect(back).toMatchObject({ questionNumber: 2, phase: 'questions', done: false });
    expect(back.say[0]).toMatch(/^Welcome back, Maya\./);
    expect(back.say[1]).toBe(`Question 2 of 4: ${QUESTIONS[1]!.text}`);
    expect(spoken(back)).not.toMatch(/Hello/);
    const next = await rehearsal.candidate(STRONG_ANSWERS[1]!);
    expect(next.questionNumber).toBe(3);
  });

  it('repeats the follow-up when the candidate dropped while it was open', async () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    await rehearsal.candidate(THIN_ANSWERS[0]!);
    const back = brain.candidateReturned(rehearsal.elapsedMs);
    expect(back.questionNumber).toBe(1);
    expect(spoken(back)).toContain(QUESTIONS[0]!.followUps[0]!);
    // The follow-up stays used: the next answer moves on.
    expect((await rehearsal.candidate('I am not sure.')).questionNumber).toBe(2);
  });

  it('gives the opening when the candidate returns before it was spoken, and closes when time ran out', () => {
    const first = rehearse().brain;
    expect(spoken(first.candidateReturned(0))).toMatch(/^Hello Maya/);
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    const back = brain.candidateReturned(BUDGET_MS + 1);
    expect(back.done).toBe(true);
    expect(spoken(back)).toMatch(/Welcome back, Maya\. We're at our time limit/);
  });
});

describe('ScriptedInterviewBrain silence', () => {
  it('nudges at most once per question', async () => {
    const { brain, rehearsal } = rehearse();
    expect(brain.candidateSilent(0)).toBeNull();
    rehearsal.opening();
    const nudge = brain.candidateSilent(90_000);
    expect(spoken(nudge)).toMatch(/repeat the question/);
    expect(nudge?.questionNumber).toBe(1);
    expect(brain.candidateSilent(180_000)).toBeNull();
    await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(brain.candidateSilent(270_000)).toBeNull(); // the follow-up belongs to the same question
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    expect(brain.candidateSilent(360_000)).not.toBeNull();
  });

  it('closes a long silence past the budget', () => {
    const { brain, rehearsal } = rehearse();
    rehearsal.opening();
    expect(spoken(brain.candidateSilent(BUDGET_MS))).toMatch(/time limit/);
  });
});

describe('ScriptedInterviewBrain with a half-configured posting', () => {
  it('asks one question per competency when the posting has none', async () => {
    const plan = { ...BACKEND_ENGINEER_PLAN, jobPosting: { ...BACKEND_ENGINEER_PLAN.jobPosting, questions: [] } };
    const { rehearsal } = rehearse({}, CONSENTED_RECORDING, plan);
    const opening = rehearsal.opening();
    expect(opening.questionsTotal).toBe(3);
    expect(spoken(opening)).toMatch(/Question 1 of 3: Tell me about your experience with API design/);
  });

  it('asks one open question when the posting has no rubric either', async () => {
    const plan = {
      ...BACKEND_ENGINEER_PLAN,
      jobPosting: { ...BACKEND_ENGINEER_PLAN.jobPosting, questions: [{ text: '  ', followUps: [] }], competencies: [] },
    };
    const { brain, rehearsal } = rehearse({}, CONSENTED_RECORDING, plan);
    const opening = rehearsal.opening();
    expect(opening.questionsTotal).toBe(1);
    expect(spoken(opening)).toMatch(/1 question\./);
    expect(spoken(opening)).toMatch(/Here is my question: Tell me about your background .* Backend Engineer role\./);
    await rehearsal.candidate(
      'Nine years of backend work, mostly payments, and I like small teams that own what they run.',
    );
    expect(rehearsal.lastReply?.done).toBe(true);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(card.competencies).toEqual([]);
    expect(card.recommendation).toBe('no');
  });
});
