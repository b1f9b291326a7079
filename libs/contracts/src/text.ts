import { z } from 'zod';

// PostgreSQL text and jsonb cannot hold U+0000 or a lone UTF-16 surrogate (JSON's "\ud800" parses
// to one): the write fails with a driver error, a 500 on every retry. Input is checked once at the
// edge (the HTTP validation pipe runs WellFormedInput over every body, query and param, record keys
// included); Parley's own senders clean their text with sanitizeText before sending.

// A high surrogate not followed by a low one, or a low one not preceded by a high one (what
// String.prototype.isWellFormed tests; spelled out because the compiler's lib is ES2023).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Why a string cannot be stored as text, or undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

export interface IllFormedText {
  path: Array<string | number>;
  message: string;
}

// A record of fields: object literals, parsed JSON, and the null-prototype objects query-string
// parsers build. Not Dates, Buffers, Maps and the like, which hold no text of their own here.
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Object]';

/**
 * Every string in the value (object keys too) that cannot be stored as text, with its path. Bounded
 * by the value itself: bodies are size-limited by the HTTP layer and JSON cannot be cyclic.
 */
export function findIllFormedText(value: unknown, path: Array<string | number> = [], limit = 20): IllFormedText[] {
  const found: IllFormedText[] = [];
  const walk = (item: unknown, at: Array<string | number>): void => {
    if (found.length >= limit) return;
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem) found.push({ path: at, message: problem });
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => walk(element, [...at, index]));
    } else if (isRecord(item)) {
      for (const [key, element] of Object.entries(item)) {
        const keyProblem = textProblem(key);
        // The key itself cannot be echoed as it is: name it in its cleaned form.
        if (keyProblem) found.push({ path: [...at, toWellFormedText(key)], message: `key ${keyProblem}` });
        walk(element, [...at, keyProblem ? toWellFormedText(key) : key]);
      }
    }
  };
  walk(value, path);
  return found;
}

/**
 * The shared building block: any JSON value whose strings (and keys) can all be stored as text.
 * The HTTP validation pipe runs it before each body/query/param schema, so no field needs its own.
 */
export const WellFormedInput = z.unknown().superRefine((value, ctx) => {
  for (const issue of findIllFormedText(value))
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

/** A string that can be stored as text: lone surrogates become U+FFFD, NULs are dropped. */
export function toWellFormedText(value: string): string {
  return value.replace(LONE_SURROGATES, '\uFFFD').replaceAll('\u0000', '');
}

/**
 * The JSON-like value with every string (and key) made storable (see toWellFormedText), for senders inside
 * Parley (the agent's transcript, the media plane's reports) whose text comes from elsewhere.
 */
export function sanitizeText<T>(value: T): T {
  if (typeof value === 'string') return toWellFormedText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => sanitizeText(item)) as T;
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [toWellFormedText(key), sanitizeText(item)]),
    ) as T;
  }
  return value;
}
