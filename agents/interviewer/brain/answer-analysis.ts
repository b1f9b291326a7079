// Plain-text reading of a candidate's answer for the scripted brain: word counts, rubric key-point
// coverage and repeat requests. Deliberately simple and deterministic (no model, no dictionary):
// it has to behave the same offline, in tests and in the demo, and a hiring team reads the
// evidence quotes it picks, so every quote is a verbatim slice of what the candidate said.

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** The words of `text`, in order, with where each starts (for quoting around a match). */
function wordsWithIndex(text: string): Array<{ word: string; index: number }> {
  return [...text.matchAll(WORD)].map((match) => ({ word: match[0].toLowerCase(), index: match.index }));
}

export function countWords(text: string): number {
  return wordsWithIndex(text).length;
}

// Function words and filler that say nothing about a key point; a key point is matched on the rest.
const STOP_WORDS = new Set(
  (
    'a an the and or but nor of for to in on at by with from as into onto over under about after before ' +
    "is are was were be been being am it its it’s it's this that these those there here " +
    'i we you they he she me us them my our your their his her mine ours yours theirs ' +
    'do does did done doing have has had having can could would should will shall may might must ' +
    'so if then than not no yes also just very really quite some any each every all more most much many ' +
    'how what when where which who whom why whether while up down out off again ' +
    'um uh like kind sort thing things stuff way ways etc eg ie via per one without within ' +
    'use uses used using make makes made making get gets got getting'
  ).split(/\s+/),
);

// Endings that turn one form of a word into another: "retry"/"retries", "roll"/"rolled"/"rolling".
const ENDINGS = new Set(
  (
    ' e s es ed ing ings er ers or ors y ie ies ied ying ion ions ation ations ent ence ency ant ance ment ments ' +
    'al ally ly ity ities ize ized izes izing ise ised ive able ible ic ical ness ful'
  ).split(' '),
);

function isEnding(tail: string, before: string): boolean {
  if (ENDINGS.has(tail)) return true;
  // A doubled consonant before the ending: log → logging, flag → flagged, plan → planned.
  return tail.length > 1 && tail[0] === before && ENDINGS.has(tail.slice(1));
}

function singular(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/**
 * Whether two words are forms of one another, without a dictionary: they share a stem of at
 * least 4 letters (or all of a shorter word) and what follows it in each is a common ending. So
 * "retry"/"retries", "migrate"/"migrations", "idempotent"/"idempotency", "rolled"/"rolling" and
 * "log"/"logging" meet, while "transfer"/"transaction" and "plan"/"planet" do not. A false match
 * now and then only makes a key point count as mentioned a little more easily, the safer side
 * for follow-ups.
 */
export function sameWord(a: string, b: string): boolean {
  const [x, y] = [singular(a), singular(b)];
  if (x === y) return true;
  const [shorter, longer] = x.length <= y.length ? [x, y] : [y, x];
  let common = 0;
  while (common < shorter.length && shorter[common] === longer[common]) common += 1;
  for (let split = common; split >= Math.min(4, shorter.length) && split > 0; split -= 1) {
    const before = shorter[split - 1];
    if (isEnding(shorter.slice(split), before) && isEnding(longer.slice(split), before)) return true;
  }
  return false;
}

function isContentWord(word: string): boolean {
  return word.length >= 2 && !STOP_WORDS.has(word);
}

function withoutPossessive(word: string): string {
  return word.replace(/['’]s$/, '');
}

/** The content words of a key point, each once, in order. */
export function keyPointWords(keyPoint: string): string[] {
  return [
    ...new Set(
      wordsWithIndex(keyPoint)
        .map((w) => withoutPossessive(w.word))
        .filter(isContentWord),
    ),
  ];
}

/**
 * The words an answer offers: its content words, plus each adjacent pair joined, so "roll back"
 * meets "rollback" and "post mortem" meets "postmortem".
 */
export function answerWords(text: string): string[] {
  const words = wordsWithIndex(text).map((w) => withoutPossessive(w.word));
  const offered = new Set<string>();
  words.forEach((word, i) => {
    if (isContentWord(word)) offered.add(word);
    const next = words[i + 1];
    if (next !== undefined && word.length >= 2 && next.length >= 2) offered.add(word + next);
  });
  return [...offered];
}

/**
 * A key point counts as mentioned when at least half of its content words (rounded up) appear in
 * the answer: "Idempotency keys for retries" is met by "I'd make retries idempotent". A key point
 * with no content words can never be mentioned.
 */
export function mentionsKeyPoint(offered: readonly string[], keyPoint: string): boolean {
  const wanted = keyPointWords(keyPoint);
  if (wanted.length === 0) return false;
  const found = wanted.filter((w) => offered.some((o) => sameWord(w, o))).length;
  return found >= Math.ceil(wanted.length / 2);
}

export function keyPointCoverage(text: string, keyPoints: readonly string[]): { covered: string[]; missed: string[] } {
  const offered = answerWords(text);
  const covered = keyPoints.filter((k) => mentionsKeyPoint(offered, k));
  return { covered, missed: keyPoints.filter((k) => !covered.includes(k)) };
}

/** Lowercase, apostrophes dropped ("didn't" → "didnt"), everything else not a letter or digit a space. */
export function normalizedText(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Phrasings of "please ask that again". Matched on normalized text, so case and punctuation do not matter.
const REPEAT_REQUESTS = [
  /\b(can|could|would|will) (you|u) (please |kindly )?(repeat|rephrase|restate|reread)\b/,
  /\b(can|could|would|will) (you|u) (please )?(say|read|ask) (that|it|this|the question|the last question) again\b/,
  /\b(please )?(repeat|rephrase) (that|this|it|please|again)( please| again| for me)*$/,
  /\b(please )?(repeat|rephrase) (the question|the last question|your question)\b/,
  /^(please )?(repeat|rephrase)( please)?$/,
  /\bsay (that|it|this) again\b/,
  /\bsay again\b/,
  /\b(say|ask|read|repeat) (that|it|this|the question) (one more time|once more)\b/,
  /\bpardon\b/,
  /\bcome again\b/,
  /\bwhat (was|is|s) the (question|last question)\b/,
  /\bwhat (was|did) (you|u) (say|ask)\b/,
  /\b(didnt|did not|couldnt|could not|cant|cannot|dont|do not) (quite )?(catch|hear|get|understand|follow) (that|it|this|the question|you|what you (said|asked))\b/,
  /\bi missed (that|it|the question|what you said)\b/,
  /^(sorry|excuse me|huh|what|sorry what|what sorry)$/,
];

/**
 * Whether the candidate asks to hear the question again rather than answering it. Only short turns
 * count: a long answer that happens to contain "repeat" ("we repeat the load test nightly") is an answer.
 */
export function isRepeatRequest(text: string): boolean {
  const plain = normalizedText(text);
  if (!plain || plain.split(' ').length > 15) return false;
  return REPEAT_REQUESTS.some((pattern) => pattern.test(plain));
}

const MAX_QUOTE_CHARS = 300;

/** The sentences of `text` as [start, end) ranges, whitespace trimmed off both ends. */
function sentenceRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const match of text.matchAll(/[^.!?\n]+[.!?]*/g)) {
    let start = match.index;
    let end = start + match[0].length;
    while (start < end && /\s/.test(text[start])) start += 1;
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) ranges.push([start, end]);
  }
  return ranges;
}

/**
 * A window of at most MAX_QUOTE_CHARS around `focus` inside [start, end), cut at spaces: recognised
 * speech often has no punctuation, and a whole minute of it is no quote.
 */
function windowAround(text: string, [start, end]: [number, number], focus: number): [number, number] {
  if (end - start <= MAX_QUOTE_CHARS) return [start, end];
  let from = Math.max(start, Math.min(focus - 100, end - MAX_QUOTE_CHARS));
  let to = Math.min(end, from + MAX_QUOTE_CHARS);
  if (from > start) {
    const space = text.indexOf(' ', from);
    if (space !== -1 && space < to) from = space + 1;
  }
  if (to < end) {
    const space = text.lastIndexOf(' ', to);
    if (space > from) to = space;
  }
  while (to > from && /[\s,;:]/.test(text[to - 1])) to -= 1;
  return [from, to];
}

/**
 * The sentence of `text` that mentions `keyPoint`, as an exact slice of `text` (never rewritten,
 * so it is a verbatim quote). A key point met only across sentences is quoted by the first
 * sentence holding one of its words; null when no sentence holds any.
 */
export function quoteMentioning(text: string, keyPoint: string): string | null {
  const wanted = keyPointWords(keyPoint);
  const firstWanted = (sentence: string) =>
    wordsWithIndex(sentence).find((w) => wanted.some((k) => sameWord(k, withoutPossessive(w.word))));
  const ranges = sentenceRanges(text);
  const quoteOf = (range: [number, number], sentence: string) => {
    const [from, to] = windowAround(text, range, range[0] + (firstWanted(sentence)?.index ?? 0));
    return text.slice(from, to);
  };
  for (const range of ranges) {
    const sentence = text.slice(range[0], range[1]);
    if (mentionsKeyPoint(answerWords(sentence), keyPoint)) return quoteOf(range, sentence);
  }
  for (const range of ranges) {
    const sentence = text.slice(range[0], range[1]);
    if (firstWanted(sentence)) return quoteOf(range, sentence);
  }
  return null;
}

/** The first sentence of `text` (an exact slice), for evidence when no key point was met; null when there is none. */
export function firstSentence(text: string): string | null {
  const range = sentenceRanges(text)[0];
  if (!range) return null;
  const [from, to] = windowAround(text, range, range[0]);
  return text.slice(from, to);
}
