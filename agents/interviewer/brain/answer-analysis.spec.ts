import { describe, expect, it } from 'vitest';
import {
  answerWords,
  countWords,
  firstSentence,
  isRepeatRequest,
  keyPointCoverage,
  mentionsKeyPoint,
  quoteMentioning,
  sameWord,
} from './answer-analysis';

describe(sameWord.name, () => {
  it.each([
    ['retry', 'retries'],
    ['retried', 'retrying'],
    ['migrate', 'migrations'],
    ['idempotent', 'idempotency'],
    ['rolled', 'rolling'],
    ['log', 'logging'],
    ['logs', 'logging'],
    ['index', 'indexes'],
    ['flag', 'flagged'],
    ['trace', 'tracing'],
    ['pagination', 'paginated'],
    ['alerting', 'alerts'],
  ])('%s meets %s', (a, b) => {
    expect(sameWord(a, b)).toBe(true);
    expect(sameWord(b, a)).toBe(true);
  });

  it.each([
    ['transfer', 'transaction'],
    ['plan', 'planet'],
    ['late', 'latency'],
    ['trace', 'track'],
    ['key', 'keyboard'],
  ])('%s does not meet %s', (a, b) => {
    expect(sameWord(a, b)).toBe(false);
  });
});

describe(mentionsKeyPoint.name, () => {
  it('needs at least half of the content words, in any form and case', () => {
    const offered = answerWords('I would make RETRIES idempotent.');
    expect(mentionsKeyPoint(offered, 'Idempotency keys for retries')).toBe(true);
    expect(mentionsKeyPoint(answerWords('We had keys.'), 'Idempotency keys for retries')).toBe(false);
  });

  it('joins split compounds', () => {
    expect(mentionsKeyPoint(answerWords('we wrote a post-mortem'), 'Blameless postmortem')).toBe(true);
  });

  it('never matches a key point of stop words only', () => {
    expect(mentionsKeyPoint(answerWords('it is what it is'), 'What it is')).toBe(false);
  });

  it('splits coverage into covered and missed', () => {
    expect(keyPointCoverage('We alert on error metrics.', ['Metrics and alerting', 'Blameless postmortem'])).toEqual({
      covered: ['Metrics and alerting'],
      missed: ['Blameless postmortem'],
    });
  });
});

describe(isRepeatRequest.name, () => {
  it.each([
    'Could you repeat the question?',
    'can u repeat',
    'Sorry, what was the question?',
    'Say that again, please.',
    'Pardon?',
    'Sorry?',
    'Repeat please',
    'repeat the question',
    "I didn't catch that.",
    'I did not hear the question',
    'Could you say that one more time?',
    'What did you ask?',
    'Come again?',
  ])('%j asks for a repeat', (text) => {
    expect(isRepeatRequest(text)).toBe(true);
  });

  it.each([
    'We repeat the load test nightly and compare the results.',
    'I would use a queue.',
    'Sorry, I think I would start with the query plan.',
    'What I would do is add an index.',
    'We tried once more and it worked.',
    'Could you repeat the question? Actually never mind, I would add an idempotency key to every order request so retries are safe.',
    '',
  ])('%j is an answer', (text) => {
    expect(isRepeatRequest(text)).toBe(false);
  });
});

describe(quoteMentioning.name, () => {
  const answer = '  First I look at dashboards.  Then I run EXPLAIN on the query plan!  Finally I add an index. ';

  it('is the exact, trimmed sentence that mentions the key point', () => {
    const quote = quoteMentioning(answer, 'Reading the query plan with EXPLAIN');
    expect(quote).toBe('Then I run EXPLAIN on the query plan!');
    expect(answer).toContain(quote);
    expect(quoteMentioning(answer, 'Composite indexes')).toBe('Finally I add an index.');
    expect(quoteMentioning(answer, 'Blameless postmortem')).toBeNull();
  });

  it('falls back to the first sentence holding a word of the key point', () => {
    expect(quoteMentioning('Idempotency matters. Keys too.', 'Idempotency keys for retries')).toBe(
      'Idempotency matters.',
    );
  });

  it('gives the first sentence for evidence without key points', () => {
    expect(firstSentence(answer)).toBe('First I look at dashboards.');
    expect(firstSentence(' ... ')).toBeNull();
  });
});

describe(countWords.name, () => {
  it('counts words with apostrophes once', () => {
    expect(countWords("I'd say it's fine, isn't it?")).toBe(6);
  });
});
