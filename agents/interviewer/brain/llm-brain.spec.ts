import { describe, expect, it } from 'vitest';
import { Scorecard, unsupportedQuotes, type TranscriptUtterance } from '@app/contracts';
import { ProviderError, type ChatModel, type ChatRequest, type ProviderReadiness } from '@app/speech';
import { BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING, STRONG_ANSWERS, THIN_ANSWERS } from './fixtures';
import { LlmInterviewBrain, type LlmBrainOptions } from './llm-brain';
import { InterviewRehearsal } from './rehearsal';
import { ScriptedInterviewBrain } from './scripted-brain';

const QUESTIONS = BACKEND_ENGINEER_PLAN.jobPosting.questions;

/** An answer that never comes and ignores the abort signal, like a stuck socket. */
const HANG = Symbol('hang');
type Answer = string | Error | typeof HANG | ((request: ChatRequest) => string);

/** The vendor's stand-in at the port: answers in order, records what it was asked. */
class ChatModelDouble implements ChatModel {
  readonly label = 'double';
  readonly requests: ChatRequest[] = [];

  constructor(readonly answers: Answer[]) {}

  async complete(request: ChatRequest): Promise<string> {
    this.requests.push(request);
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (next === undefined) throw new ProviderError(this.label, 'no answer scripted');
    if (next === HANG) return new Promise<string>(() => undefined);
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next(request) : next;
  }

  async *stream(request: ChatRequest): AsyncIterable<string> {
    yield await this.complete(request);
  }

  async ready(): Promise<ProviderReadiness> {
    return { ok: true };
  }
}

function llmRehearsal(answers: Answer[], options: LlmBrainOptions = {}) {
  const model = new ChatModelDouble(answers);
  const scripted = new ScriptedInterviewBrain(BACKEND_ENGINEER_PLAN, CONSENTED_RECORDING);
  const fallbacks: Array<{ step: string; reason: string }> = [];
  const brain = new LlmInterviewBrain(model, scripted, BACKEND_ENGINEER_PLAN, {
    onFallback: (event) => fallbacks.push(event),
    ...options,
  });
  const rehearsal = new InterviewRehearsal(brain);
  rehearsal.opening();
  return { model, scripted, brain, rehearsal, fallbacks };
}

const spoken = (reply: { say: string[] } | undefined) => reply?.say.join(' ') ?? '';
const followUp = (question: string | null) => JSON.stringify({ followUp: question !== null, question });

describe('LlmInterviewBrain follow-ups', () => {
  it('asks the follow-up the model words, through structured output', async () => {
    const { model, rehearsal } = llmRehearsal([followUp('What happens when the same order arrives twice?')]);
    const reply = await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(reply.questionNumber).toBe(1);
    expect(reply.say[0]).toMatch(/What happens when the same order arrives twice\?$/);
    const request = model.requests[0]!;
    expect(request.jsonSchema?.name).toBe('follow_up_decision');
    expect(request.jsonSchema?.schema).toMatchObject({
      type: 'object',
      required: ['followUp', 'question'],
      additionalProperties: false,
    });
    expect(request.jsonSchema?.schema).not.toHaveProperty('$schema');
    expect(request.messages.map((m) => m.content).join('\n')).toContain(THIN_ANSWERS[0]);
    expect(request.messages.map((m) => m.content).join('\n')).toContain('Idempotency keys for retries');
  });

  it('lets the model decide: no follow-up on a thin answer, one on a rich answer', async () => {
    const { rehearsal } = llmRehearsal([followUp(null), followUp('Which index would you add first?')]);
    expect((await rehearsal.candidate(THIN_ANSWERS[0]!)).questionNumber).toBe(2);
    const reply = await rehearsal.candidate(STRONG_ANSWERS[1]!);
    expect(reply.questionNumber).toBe(2);
    expect(spoken(reply)).toContain('Which index would you add first?');
  });

  it('accepts a fenced answer and an omitted null question', async () => {
    const { rehearsal } = llmRehearsal(['```json\n{"followUp": false}\n```']);
    expect((await rehearsal.candidate(THIN_ANSWERS[0]!)).questionNumber).toBe(2);
  });

  it.each<[string, Answer]>([
    ['malformed JSON', 'Sure! I think a follow-up is a good idea.'],
    ['a follow-up without a question', JSON.stringify({ followUp: true, question: '  ' })],
    ['the wrong shape', JSON.stringify({ follow_up: 'yes' })],
    ['a provider error', new ProviderError('double', 'HTTP 503', 'unavailable')],
  ])('falls back to the scripted decision on %s', async (_case, answer) => {
    const { rehearsal, fallbacks } = llmRehearsal([answer]);
    const reply = await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(spoken(reply)).toContain(QUESTIONS[0]!.followUps[0]!);
    expect(fallbacks).toEqual([{ step: 'follow-up', reason: expect.any(String) }]);
    // And the scripted decision for a rich answer is to move on.
    expect((await llmRehearsal([answer]).rehearsal.candidate(STRONG_ANSWERS[0]!)).questionNumber).toBe(2);
  });

  it('stops waiting for a hanging model after its timeout', async () => {
    const { rehearsal, fallbacks } = llmRehearsal([HANG], { timeoutMs: 50 });
    const started = Date.now();
    const reply = await rehearsal.candidate(THIN_ANSWERS[0]!);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(spoken(reply)).toContain(QUESTIONS[0]!.followUps[0]!);
    expect(fallbacks[0]?.reason).toMatch(/no answer within 50 ms/);
  });

  it('stops waiting when the session aborts', async () => {
    const { brain, model } = llmRehearsal([HANG], { timeoutMs: 60_000 });
    const stopped = new AbortController();
    const pending = brain.answer({ text: THIN_ANSWERS[0]!, offsetMs: 30_000, mode: 'typed' }, 30_000, stopped.signal);
    stopped.abort();
    expect(spoken(await pending)).toContain(QUESTIONS[0]!.followUps[0]!);
    expect(model.requests[0]?.signal?.aborted).toBe(true);
  });

  it('does not ask the model when no follow-up can be asked', async () => {
    const { model, rehearsal } = llmRehearsal([followUp('Could you give an example?')]);
    await rehearsal.candidate('Could you repeat the question?'); // a repeat request
    expect(model.requests).toHaveLength(0);
    await rehearsal.candidate(THIN_ANSWERS[0]!); // the model asks its follow-up
    await rehearsal.candidate('I am not sure.'); // the follow-up is used up
    expect(model.requests).toHaveLength(1);
    await rehearsal.candidate(THIN_ANSWERS[1]!, { afterMs: 28 * 60_000 }); // too little time left
    expect(model.requests).toHaveLength(1);
    expect(rehearsal.lastReply?.questionNumber).toBe(3);
  });
});

/** A card a careful model would write: quotes copied from the candidate's utterances in the prompt. */
function cardFromPrompt(request: ChatRequest, { invent = false, skip }: { invent?: boolean; skip?: string } = {}) {
  const prompt = JSON.parse(request.messages[1]!.content) as {
    competencies: Array<{ name: string }>;
    transcript: TranscriptUtterance[];
  };
  const said = prompt.transcript.filter((u) => u.speaker === 'candidate');
  return JSON.stringify({
    competencies: prompt.competencies
      .filter((c) => c.name !== skip)
      .map((c, i) => ({
        name: c.name,
        score: 4,
        justification: `Solid on ${c.name}.`,
        evidence: said[i]
          ? [
              {
                quote: invent ? 'I have twenty years of Kubernetes experience.' : said[i].text.slice(0, 40),
                offsetMs: said[i].offsetMs,
              },
            ]
          : [],
      })),
    recommendation: 'yes',
    summary: 'A capable backend engineer.',
  });
}

async function finishedInterview(answers: Answer[], options: LlmBrainOptions = {}) {
  // Follow-up decisions: always "move on", so the interview is the four strong answers.
  const setup = llmRehearsal([followUp(null)], options);
  await setup.rehearsal.answerAll(STRONG_ANSWERS);
  setup.model.requests.length = 0;
  setup.model.answers.splice(0, Infinity, ...answers);
  return setup;
}

describe('LlmInterviewBrain scorecard', () => {
  it('accepts a valid card, asked for with the rubrics and the transcript with offsets', async () => {
    const { brain, model, rehearsal, fallbacks } = await finishedInterview([(r) => cardFromPrompt(r)]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(fallbacks).toEqual([]);
    expect(card.recommendation).toBe('yes');
    expect(card.competencies.map((c) => c.name)).toEqual([
      'API design',
      'Data modeling and performance',
      'Operating in production',
    ]);
    expect(unsupportedQuotes(rehearsal.transcript, card)).toEqual([]);

    const request = model.requests[0]!;
    expect(request.jsonSchema?.name).toBe('interview_scorecard');
    const schema = JSON.stringify(request.jsonSchema?.schema);
    expect(schema).toContain('"enum":["API design","Data modeling and performance","Operating in production"]');
    expect(schema).not.toContain('$schema');
    const prompt = request.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Reading the query plan with EXPLAIN');
    const firstAnswer = rehearsal.transcript.find((u) => u.speaker === 'candidate')!;
    expect(prompt).toContain(`"offsetMs": ${firstAnswer.offsetMs}`);
  });

  it('writes competency names back as the posting spells them', async () => {
    const shouted = (r: ChatRequest) =>
      cardFromPrompt(r)
        .replace('"API design"', '"api DESIGN"')
        .replace('"Operating in production"', '"operating in production "');
    const { brain, rehearsal } = await finishedInterview([shouted]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(card.competencies.map((c) => c.name)).toContain('API design');
    expect(card.competencies.map((c) => c.justification)).toContain('Solid on API design.');
  });

  it('retries a card with an invented quote, telling the model what was wrong, then accepts the corrected one', async () => {
    const { brain, model, rehearsal, fallbacks } = await finishedInterview([
      (r) => cardFromPrompt(r, { invent: true }),
      (r) => cardFromPrompt(r),
    ]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(model.requests).toHaveLength(2);
    const correction = model.requests[1]!.messages.slice(-2);
    expect(correction[0]!.role).toBe('assistant');
    expect(correction[1]).toMatchObject({ role: 'user' });
    expect(correction[1]!.content).toMatch(/rejected/);
    expect(correction[1]!.content).toContain('I have twenty years of Kubernetes experience.');
    expect(fallbacks).toEqual([]);
    expect(unsupportedQuotes(rehearsal.transcript, card)).toEqual([]);
    expect(card.summary).toBe('A capable backend engineer.');
  });

  it('retries a card that leaves out a competency', async () => {
    const { brain, model, rehearsal } = await finishedInterview([
      (r) => cardFromPrompt(r, { skip: 'Operating in production' }),
      (r) => cardFromPrompt(r),
    ]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(model.requests[1]!.messages.at(-1)!.content).toContain('"Operating in production" has no score');
    expect(card.competencies).toHaveLength(3);
  });

  it.each<[string, Answer]>([
    ['invents quotes every time', (r) => cardFromPrompt(r, { invent: true })],
    ['answers prose', 'The candidate did well overall.'],
    [
      'breaks the schema',
      JSON.stringify({ competencies: [{ name: 'API design', score: 9 }], recommendation: 'maybe' }),
    ],
    ['fails', new ProviderError('double', 'HTTP 500')],
  ])('falls back to the rubric scorecard after three attempts when the model %s', async (_case, answer) => {
    const { brain, model, scripted, rehearsal, fallbacks } = await finishedInterview([answer]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(model.requests).toHaveLength(3);
    expect(card).toEqual(scripted.rubricScorecard(rehearsal.transcript));
    expect(Scorecard.parse(card)).toEqual(card);
    expect(unsupportedQuotes(rehearsal.transcript, card)).toEqual([]);
    expect(fallbacks).toEqual([{ step: 'scorecard', reason: expect.any(String) }]);
  });

  it('falls back when the model hangs past the scorecard timeout', async () => {
    const { brain, scripted, rehearsal } = await finishedInterview([HANG], {
      scorecardTimeoutMs: 30,
      scorecardAttempts: 2,
    });
    expect(await brain.scorecard(rehearsal.transcript)).toEqual(scripted.rubricScorecard(rehearsal.transcript));
  });

  it('falls back at once when the caller aborts', async () => {
    const { brain, model, scripted, rehearsal } = await finishedInterview([HANG]);
    const stopped = new AbortController();
    const pending = brain.scorecard(rehearsal.transcript, stopped.signal);
    stopped.abort();
    expect(await pending).toEqual(scripted.rubricScorecard(rehearsal.transcript));
    expect(model.requests).toHaveLength(1);
  });

  it('does not ask the model when the candidate said nothing', async () => {
    const { brain, model, rehearsal } = llmRehearsal([(r) => cardFromPrompt(r)]);
    const card = await brain.scorecard(rehearsal.transcript);
    expect(model.requests).toHaveLength(0);
    expect(card.competencies.map((c) => c.score)).toEqual([1, 1, 1]);
  });
});
