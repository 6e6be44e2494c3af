// gensim.utils.simple_preprocess: lowercase, tokens of letters, length bounds.
import { check } from '../errors.js';

/** Options of {@link simplePreprocess} (gensim's deacc, min_len, max_len). */
export interface SimplePreprocessOptions {
  /** Remove accents (gensim's deaccent: NFD, drop combining marks, NFC). Default false. */
  deacc?: boolean;
  /** Shortest token kept, in characters. Default 2. */
  minLen?: number;
  /** Longest token kept, in characters. Default 15. */
  maxLen?: number;
}

// Python's `((?![\d])\w)+` with re.UNICODE: \w is letters, numbers and '_', \d the decimal digits (Nd).
const TOKEN = /[\p{L}\p{Nl}\p{No}_]+/gu;
const MARKS = /\p{Mn}/gu;

/**
 * gensim's `simple_preprocess(doc, deacc, min_len, max_len)`: lowercases `text`, takes runs of letters (no digits,
 * no punctuation) as tokens, and keeps those of minLen…maxLen characters that do not start with '_'.
 *
 * ```ts
 * simplePreprocess("Hello, World! It's 2024.") // ['hello', 'world', 'it']
 * ```
 */
export function simplePreprocess(text: string, options: SimplePreprocessOptions = {}): string[] {
  const { deacc = false, minLen = 2, maxLen = 15 } = options;
  check(typeof text === 'string', `simplePreprocess: text must be a string, got ${typeof text}`, { option: 'text' });
  check(Number.isInteger(minLen) && minLen >= 0, `simplePreprocess: minLen must be a non-negative integer, got ${minLen}`, { option: 'minLen' });
  check(Number.isInteger(maxLen) && maxLen >= 0, `simplePreprocess: maxLen must be a non-negative integer, got ${maxLen}`, { option: 'maxLen' });
  let s = text.toLowerCase();
  if (deacc) s = s.normalize('NFD').replace(MARKS, '').normalize('NFC');
  const out: string[] = [];
  for (const m of s.matchAll(TOKEN)) {
    const t = m[0];
    if (t.startsWith('_')) continue;
    let n = 0;
    for (const _ of t) n++; // characters (code points), as Python's len
    if (n >= minLen && n <= maxLen) out.push(t);
  }
  return out;
}
