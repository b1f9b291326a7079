import { RECOMMENDATIONS, Scorecard, type EvidenceQuote, type TranscriptUtterance } from '@app/contracts';
import {
  answerWords,
  countWords,
  firstSentence,
  isRepeatRequest,
  mentionsKeyPoint,
  normalizedText,
  quoteMentioning,
} from './answer-analysis';
import type { Competency, PlannedQuestion, TakenTurn } from './planned-questions';

// R-G2, offline: the scorecard from the rubric alone. Per competency it reads the candidate's
// answers to that competency's questions, checks which rubric key points they mention, and cites
// the sentences that do. It is also the fallback whenever an LLM's card cannot be trusted, so it
// must never fail and never quote anything the candidate did not say verbatim.

export type Recommendation = (typeof RECOMMENDATIONS)[number];

/**
 * Mean competency score (1–5) → recommendation; the first threshold the mean reaches wins.
 * 3 is the rubric's middle: a "yes" needs a mean clearly above it.
 */
export const RECOMMENDATION_THRESHOLDS: ReadonlyArray<{ atLeast: number; recommendation: Recommendation }> = [
  { atLeast: 4.5, recommendation: 'strong_yes' },
  { atLeast: 3.5, recommendation: 'yes' },
  { atLeast: 2, recommendation: 'no' },
  { atLeast: -Infinity, recommendation: 'strong_no' },
];

/** No competencies to score means nothing positive to say: 'no', and the summary sends the reader to the transcript. */
export function recommendationFor(meanScore: number | null): Recommendation {
  if (meanScore === null) return 'no';
  return RECOMMENDATION_THRESHOLDS.find((t) => meanScore >= t.atLeast)!.recommendation;
}

/**
 * The rubric score of one competency:
 * - no answer at all: 1 (not covered);
 * - a rubric with key points: 1 + 4 × the share of key points mentioned, rounded; mentioning none
 *   scores 2 for a substantive answer (at least 2 × `thinAnswerWords` words in all), else 1;
 *   mentioning some in fewer than `thinAnswerWords` words loses a point (never below 2);
 * - a rubric without key points can only be judged on length: 4 for at least 4 × `thinAnswerWords`
 *   words, 3 for at least `thinAnswerWords`, else 2.
 */
export function rubricScore(covered: number, keyPoints: number, words: number, thinAnswerWords: number): number {
  if (words === 0) return 1;
  if (keyPoints === 0) return words >= 4 * thinAnswerWords ? 4 : words >= thinAnswerWords ? 3 : 2;
  if (covered === 0) return words >= 2 * thinAnswerWords ? 2 : 1;
  const byCoverage = Math.max(2, Math.round(1 + (4 * covered) / keyPoints));
  return words < thinAnswerWords ? Math.max(2, byCoverage - 1) : byCoverage;
}

export interface RubricScoringInput {
  candidateFirstName: string;
  competencies: readonly Competency[];
  questions: readonly PlannedQuestion[];
  transcript: readonly TranscriptUtterance[];
  /** The turns the brain took, to tell which question each utterance answered. */
  taken: readonly TakenTurn[];
  thinAnswerWords: number;
  stoppedForTime: boolean;
}

const MAX_EVIDENCE = 3;
const MAX_COMPETENCIES = 20;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The question an interviewer utterance asks (its text or one of its planned follow-ups), longest match first. */
function questionAskedIn(text: string, questions: readonly PlannedQuestion[]): number | null {
  const said = normalizedText(text);
  let best: number | null = null;
  let bestLength = 0;
  for (const [index, q] of questions.entries()) {
    for (const asked of [q.text, ...q.followUps].map(normalizedText)) {
      if (asked && asked.length > bestLength && said.includes(asked)) [best, bestLength] = [index, asked.length];
    }
  }
  return best;
}

/**
 * Which question each candidate utterance answered. The brain's own record decides where it has
 * one (same offset); an utterance it never saw (the session stopped with turns queued, or the
 * transcript is scored by another brain) belongs to the question the interviewer last asked
 * before it. Repeat requests answer nothing.
 */
function answersByQuestion(input: RubricScoringInput): Map<number, TranscriptUtterance[]> {
  const answers = new Map<number, TranscriptUtterance[]>();
  const ordered = [...input.transcript].sort((a, b) => a.offsetMs - b.offsetMs);
  let current: number | null = null;
  for (const utterance of ordered) {
    if (utterance.speaker === 'interviewer') {
      current = questionAskedIn(utterance.text, input.questions) ?? current;
      continue;
    }
    if (!Number.isInteger(utterance.offsetMs) || utterance.offsetMs < 0 || !utterance.text.trim()) continue;
    const atOffset = input.taken.filter((t) => t.offsetMs === utterance.offsetMs);
    const taken = atOffset.find((t) => t.text === utterance.text) ?? atOffset[0];
    if (taken) current = taken.questionIndex;
    if (taken ? taken.kind === 'repeat' : isRepeatRequest(utterance.text)) continue;
    if (current === null) continue;
    answers.set(current, [...(answers.get(current) ?? []), utterance]);
  }
  return answers;
}

/**
 * The answers that count for each competency. A question's answers count for its own competency.
 * A question that names no competency (e.g. "tell me about a project you are proud of") counts,
 * utterance by utterance, for the competency whose key points it mentions most (the first in the
 * posting on a tie); an utterance that mentions none counts for no competency, so a general
 * question can add evidence but never dilute a score.
 */
function answersByCompetency(input: RubricScoringInput): Map<Competency, TranscriptUtterance[]> {
  const byCompetency = new Map<Competency, TranscriptUtterance[]>(input.competencies.map((c) => [c, []]));
  for (const [index, utterances] of answersByQuestion(input)) {
    const own = input.questions[index]?.competency ?? null;
    for (const utterance of utterances) {
      let target = own;
      if (!target) {
        const offered = answerWords(utterance.text);
        let most = 0;
        for (const competency of input.competencies) {
          const mentioned = competency.rubric.keyPoints.filter((k) => mentionsKeyPoint(offered, k)).length;
          if (mentioned > most) [target, most] = [competency, mentioned];
        }
      }
      if (target) byCompetency.get(target)?.push(utterance);
    }
  }
  return byCompetency;
}

function evidenceFor(answers: readonly TranscriptUtterance[], covered: readonly string[]): EvidenceQuote[] {
  const evidence: EvidenceQuote[] = [];
  const add = (quote: string | null, offsetMs: number) => {
    if (!quote || evidence.length >= MAX_EVIDENCE) return;
    if (evidence.some((e) => e.offsetMs === offsetMs && e.quote === quote)) return;
    evidence.push({ quote, offsetMs });
  };
  for (const keyPoint of covered) {
    const source = answers.find((a) => mentionsKeyPoint(answerWords(a.text), keyPoint));
    if (source) add(quoteMentioning(source.text, keyPoint), source.offsetMs);
  }
  if (evidence.length === 0 && answers.length > 0) {
    // Nothing on the rubric was said: cite the candidate's longest answer so the score still points somewhere.
    const longest = [...answers].sort((a, b) => countWords(b.text) - countWords(a.text))[0];
    add(firstSentence(longest.text), longest.offsetMs);
  }
  return evidence;
}

function justificationFor(
  score: number,
  answers: readonly TranscriptUtterance[],
  keyPoints: readonly string[],
  covered: readonly string[],
  words: number,
  thinAnswerWords: number,
): string {
  if (answers.length === 0) return 'Not covered: the candidate gave no answer on this competency.';
  const parts: string[] = [];
  const missed = keyPoints.filter((k) => !covered.includes(k));
  if (keyPoints.length === 0)
    parts.push('The rubric lists no key points, so this score rests on the depth of the answers.');
  else if (covered.length === 0) parts.push(`None of the ${keyPoints.length} rubric key points came up.`);
  else parts.push(`Covered ${covered.length} of ${keyPoints.length} rubric key points: ${listed(covered)}.`);
  if (missed.length && covered.length) parts.push(`Missed: ${listed(missed)}.`);
  else if (missed.length) parts.push(`Missing: ${listed(missed)}.`);
  const brief = words < thinAnswerWords ? ', which is brief' : '';
  parts.push(`${words} words across ${answers.length} ${answers.length === 1 ? 'answer' : 'answers'}${brief}.`);
  parts.push(`Score ${score} of 5.`);
  return clip(parts.join(' '), 2_000);
}

/** The names a scorecard gives the posting's competencies (the first 20, all a card holds); an LLM uses them too. */
export function competencyLabels(competencies: readonly Competency[]): string[] {
  return competencies
    .slice(0, MAX_COMPETENCIES)
    .map((competency, i) => clip(competency.name.trim() || `Competency ${i + 1}`, 100));
}

/** The rubric scorecard; always satisfies `Scorecard` and `unsupportedQuotes(transcript, card) = []`. */
export function rubricScorecard(input: RubricScoringInput): Scorecard {
  const competencies = input.competencies.slice(0, MAX_COMPETENCIES);
  const labels = competencyLabels(competencies);
  const byCompetency = answersByCompetency({ ...input, competencies });
  const scored = competencies.map((competency, i) => {
    const answers = byCompetency.get(competency) ?? [];
    const keyPoints = competency.rubric.keyPoints.map((k) => k.trim()).filter(Boolean);
    const covered = keyPoints.filter((k) => answers.some((a) => mentionsKeyPoint(answerWords(a.text), k)));
    const words = answers.reduce((sum, a) => sum + countWords(a.text), 0);
    const score = rubricScore(covered.length, keyPoints.length, words, input.thinAnswerWords);
    return {
      name: labels[i],
      score,
      justification: justificationFor(score, answers, keyPoints, covered, words, input.thinAnswerWords),
      evidence: evidenceFor(answers, covered),
      answered: answers.length > 0,
    };
  });
  const mean = scored.length ? scored.reduce((sum, c) => sum + c.score, 0) / scored.length : null;
  const recommendation = recommendationFor(mean);
  return Scorecard.parse({
    competencies: scored.map(({ answered: _answered, ...card }) => card),
    recommendation,
    summary: summaryOf(input, scored, mean, recommendation),
  });
}

function summaryOf(
  input: RubricScoringInput,
  scored: ReadonlyArray<{ name: string; score: number; answered: boolean }>,
  mean: number | null,
  recommendation: Recommendation,
): string {
  const who = input.candidateFirstName || 'The candidate';
  const answered = [...answersByQuestion(input).keys()].length;
  const total = input.questions.length;
  const sentences = [
    `${who} answered ${answered} of ${total} ${total === 1 ? 'question' : 'questions'}` +
      (input.stoppedForTime ? ', and the interview stopped at the time limit.' : '.'),
  ];
  if (mean === null) {
    sentences.push('The posting defines no competencies, so nothing was scored; read the transcript.');
  } else {
    const byScore = [...scored].sort((a, b) => b.score - a.score);
    const strongest = byScore[0];
    const weakest = byScore[byScore.length - 1];
    sentences.push(`Mean rubric score ${mean.toFixed(1)} of 5 across ${scored.length} competencies.`);
    if (strongest.score !== weakest.score) {
      sentences.push(`Strongest: ${strongest.name} (${strongest.score}); weakest: ${weakest.name} (${weakest.score}).`);
    }
    const uncovered = scored.filter((c) => !c.answered).map((c) => c.name);
    if (uncovered.length) sentences.push(`Not covered: ${listed(uncovered)}.`);
  }
  sentences.push(
    `Recommendation: ${recommendation.replace('_', ' ')}. Scored offline on rubric key points and answer length; the transcript has the nuance.`,
  );
  return clip(sentences.join(' '), 10_000);
}
