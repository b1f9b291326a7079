import { describe, expect, it } from 'vitest';
import { Scorecard, unsupportedQuotes, type InterviewPlan, type TranscriptUtterance } from '@app/contracts';
import { BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING, STRONG_ANSWERS, THIN_ANSWERS } from './fixtures';
import { InterviewRehearsal } from './rehearsal';
import { recommendationFor, rubricScore } from './rubric-scorecard';
import { ScriptedInterviewBrain } from './scripted-brain';

async function interview(answers: readonly string[], plan: InterviewPlan = BACKEND_ENGINEER_PLAN) {
  const brain = new ScriptedInterviewBrain(plan, CONSENTED_RECORDING);
  const rehearsal = new InterviewRehearsal(brain);
  rehearsal.opening();
  await rehearsal.answerAll(answers);
  const card = await brain.scorecard(rehearsal.transcript);
  return { brain, rehearsal, card, transcript: rehearsal.transcript };
}

const scoreOf = (card: Scorecard, name: string) => card.competencies.find((c) => c.name === name)!;

function expectQuotesAreTheCandidatesWords(transcript: readonly TranscriptUtterance[], card: Scorecard): void {
  expect(unsupportedQuotes(transcript, card)).toEqual([]);
  expect(Scorecard.parse(card)).toEqual(card);
  for (const evidence of card.competencies.flatMap((c) => c.evidence)) {
    const source = transcript.find((u) => u.offsetMs === evidence.offsetMs)!;
    expect(source.speaker).toBe('candidate');
    expect(source.text).toContain(evidence.quote);
    expect(evidence.quote).toBe(evidence.quote.trim());
  }
}

describe('rubric scorecard', () => {
  it('scores a strong interview high, citing the sentences that mention key points at their offsets', async () => {
    const { card, transcript } = await interview(STRONG_ANSWERS);
    expectQuotesAreTheCandidatesWords(transcript, card);
    expect(card.competencies.map((c) => [c.name, c.score])).toEqual([
      ['API design', 4],
      ['Data modeling and performance', 5],
      ['Operating in production', 5],
    ]);
    expect(card.recommendation).toBe('strong_yes');

    const api = scoreOf(card, 'API design');
    expect(api.justification).toMatch(
      /Covered 3 of 4 rubric key points: Idempotency keys for retries, Cursor pagination/,
    );
    expect(api.justification).toMatch(/Missed: Versioning the contract\./);
    expect(api.evidence[0]).toEqual({
      quote:
        'I would expose POST /v1/orders and require an idempotency key header, generated on the phone once per order.',
      offsetMs: transcript.find((u) => u.text === STRONG_ANSWERS[0])!.offsetMs,
    });
    expect(api.evidence.length).toBeLessThanOrEqual(3);

    // Two questions ask about data: evidence comes from both answers, each at its own offset.
    const data = scoreOf(card, 'Data modeling and performance');
    const offsets = new Set(data.evidence.map((e) => e.offsetMs));
    expect(offsets).toEqual(
      new Set([STRONG_ANSWERS[1], STRONG_ANSWERS[3]].map((a) => transcript.find((u) => u.text === a)!.offsetMs)),
    );
    expect(card.summary).toMatch(/^Maya answered 4 of 4 questions\./);
  });

  it('scores higher coverage higher', async () => {
    const strong = (await interview(STRONG_ANSWERS)).card;
    // Thin answers get a follow-up each; the candidate stays thin.
    const weak = (await interview(THIN_ANSWERS.flatMap((a) => [a, 'I am not sure.']))).card;
    for (const competency of weak.competencies) {
      expect(competency.score).toBeLessThan(scoreOf(strong, competency.name).score);
    }
    expect(weak.competencies.map((c) => c.score)).toEqual([1, 1, 1]);
    expect(weak.recommendation).toBe('strong_no');

    const partial = (
      await interview([
        'I would require an idempotency key on POST so that a retry returns the first order instead of a second one.',
        ...STRONG_ANSWERS.slice(1),
      ])
    ).card;
    expect(scoreOf(partial, 'API design').score).toBeLessThan(scoreOf(strong, 'API design').score);
    expect(scoreOf(partial, 'API design').score).toBeGreaterThan(1);
  });

  it('gives 1 to a competency the interview never reached, saying it was not covered', async () => {
    const brain = new ScriptedInterviewBrain(BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING);
    const rehearsal = new InterviewRehearsal(brain);
    rehearsal.opening();
    await rehearsal.candidate(STRONG_ANSWERS[0]!);
    rehearsal.tick(30 * 60_000); // time runs out while question 2 waits
    expect(rehearsal.lastReply?.done).toBe(true);
    const card = await brain.scorecard(rehearsal.transcript);
    expectQuotesAreTheCandidatesWords(rehearsal.transcript, card);
    for (const name of ['Data modeling and performance', 'Operating in production']) {
      expect(scoreOf(card, name)).toMatchObject({ score: 1, evidence: [] });
      expect(scoreOf(card, name).justification).toMatch(/^Not covered/);
    }
    expect(scoreOf(card, 'API design').score).toBe(4);
    expect(card.recommendation).toBe('no'); // (4 + 1 + 1) / 3 = 2, the lowest 'no'
    expect(card.summary).toMatch(/answered 1 of 4 questions, and the interview stopped at the time limit/);
    expect(card.summary).toMatch(/Not covered: Data modeling and performance and Operating in production/);
  });

  it('never takes a repeat request for evidence', async () => {
    const { card, transcript } = await interview(['Sorry, what was the question?', ...STRONG_ANSWERS]);
    const repeatAt = transcript.find((u) => u.text.startsWith('Sorry'))!.offsetMs;
    expect(card.competencies.flatMap((c) => c.evidence).some((e) => e.offsetMs === repeatAt)).toBe(false);
  });

  it('scores a transcript it never saw by the questions the interviewer asked', async () => {
    const { card, transcript } = await interview(STRONG_ANSWERS);
    const fresh = new ScriptedInterviewBrain(BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING);
    expect((await fresh.scorecard(transcript)).competencies).toEqual(card.competencies);
  });

  it('counts the answers to a question without a competency for the competency they speak to', async () => {
    const plan: InterviewPlan = {
      ...BACKEND_ENGINEER_PLAN,
      jobPosting: {
        ...BACKEND_ENGINEER_PLAN.jobPosting,
        questions: [{ text: 'Tell me about a project you are proud of.', followUps: [] }],
      },
    };
    const { card, transcript } = await interview([STRONG_ANSWERS[2]!], plan);
    expectQuotesAreTheCandidatesWords(transcript, card);
    expect(scoreOf(card, 'Operating in production').score).toBe(5);
    expect(scoreOf(card, 'API design').score).toBe(1);
  });

  it('quotes a long unpunctuated spoken answer by a short exact window', async () => {
    const rambling =
      'so basically what we did back then was ' +
      'we kept adding more and more servers and nothing really changed for the customers '.repeat(4) +
      'until someone finally looked at the query plan with explain and we saw the whole table being scanned ' +
      'and after that we kept talking about it for weeks and weeks '.repeat(4);
    const { card, transcript } = await interview([STRONG_ANSWERS[0]!, rambling]);
    expectQuotesAreTheCandidatesWords(transcript, card);
    const quote = scoreOf(card, 'Data modeling and performance').evidence[0]!.quote;
    expect(quote.length).toBeLessThanOrEqual(300);
    expect(quote).toMatch(/query plan with explain/);
  });

  it('survives an empty transcript', async () => {
    const brain = new ScriptedInterviewBrain(BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING);
    const card = await brain.scorecard([]);
    expect(card.competencies.map((c) => c.score)).toEqual([1, 1, 1]);
    expect(Scorecard.parse(card)).toEqual(card);
  });
});

describe(rubricScore.name, () => {
  it.each([
    [0, 4, 0, 1, 'no answer'],
    [0, 4, 5, 1, 'short and off the rubric'],
    [0, 4, 20, 1, 'some words, all off the rubric'],
    [0, 4, 40, 2, 'substantive but off the rubric'],
    [1, 4, 40, 2, 'a quarter of the key points'],
    [2, 4, 40, 3, 'half'],
    [3, 4, 40, 4, 'three quarters'],
    [4, 4, 40, 5, 'all'],
    [4, 4, 8, 4, 'all, but in fewer words than a thin answer'],
    [1, 4, 8, 2, 'never below 2 once a key point is met'],
    [0, 0, 60, 4, 'no key points, long'],
    [0, 0, 20, 3, 'no key points, medium'],
    [0, 0, 5, 2, 'no key points, short'],
  ])('covered %i of %i in %i words → %i (%s)', (covered, keyPoints, words, score) => {
    expect(rubricScore(covered, keyPoints, words, 12)).toBe(score);
  });
});

describe(recommendationFor.name, () => {
  it.each([
    [5, 'strong_yes'],
    [4.5, 'strong_yes'],
    [4.49, 'yes'],
    [3.5, 'yes'],
    [3.49, 'no'],
    [2, 'no'],
    [1.99, 'strong_no'],
    [1, 'strong_no'],
    [null, 'no'],
  ] as const)('mean %s → %s', (mean, recommendation) => {
    expect(recommendationFor(mean)).toBe(recommendation);
  });
});
