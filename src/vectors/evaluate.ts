/**
 * Intrinsic evaluations of word vectors, with gensim 4's semantics (gensim/models/keyedvectors.py:
 * `evaluate_word_analogies`, `evaluate_word_pairs`), so that figures compare one to one with gensim's.
 *
 * Input is a file, as gensim takes it, or its contents (see {@link TextSource}): a path (a string without a line break,
 * or a `file:` URL) is read through the registered file system (Node, Deno, Bun); contents (a string with a line
 * break, or UTF-8 bytes) are used as given, which is how browsers and Cloudflare Workers, without a file system,
 * pass them. `name` labels error messages (default: the path).
 */
import { QuantextError } from '../errors.js';
import { fileSystemHost } from '../io/lines.js';
import type { KeyedVectors } from './keyed.js';

/**
 * A file or its contents. The rule: a `URL`, or a string with no line break (`\n` or `\r`), is a PATH, read with the
 * registered file system (missing file → E_IO; no file system → E_UNSUPPORTED); a string with a line break is the
 * CONTENTS; a Uint8Array is the contents as UTF-8 bytes (invalid UTF-8 → E_FORMAT). A one-line file's contents
 * therefore need their line break (or pass them as bytes).
 */
export type TextSource = string | Uint8Array | URL;

export interface AnalogyOptions {
  /**
   * Only the first `restrictVocab` words count as known: questions with any other word are out of vocabulary,
   * and predictions come from these rows only (default 300000, gensim's; word2vec C and the CLI use 30000).
   */
  restrictVocab?: number;
  /** Compare words upper-cased (default true). Among case variants the lowest index (most frequent) is used. */
  caseInsensitive?: boolean;
  /** Count out-of-vocabulary questions as incorrect instead of skipping them (default false). */
  dummy4unknown?: boolean;
  /** A label for the input in error messages (e.g. the path it was read from). */
  name?: string;
}

export interface AnalogySection {
  section: string;
  /** Questions answered correctly. */
  correct: number;
  /** Questions answered wrongly (and, with dummy4unknown, out-of-vocabulary ones). */
  incorrect: number;
}

export interface AnalogyResult {
  /** Overall accuracy, correct / (correct + incorrect); 0 when nothing was evaluated. Same as total.accuracy. */
  score: number;
  /** One entry per `: section` in file order, then a last one named 'Total accuracy' (as gensim returns). */
  sections: AnalogySection[];
  total: { correct: number; total: number; accuracy: number };
  /** Questions with a word outside the first restrictVocab: `count`, and `ratio` IN PERCENT of all questions (as gensim logs it). */
  oov: { count: number; ratio: number };
  /** Well-formed questions read (evaluated plus out-of-vocabulary). */
  questions: number;
}

export interface WordPairsOptions {
  /** Field separator (default tab). */
  delimiter?: string;
  /** As in AnalogyOptions (default 300000). */
  restrictVocab?: number;
  /** As in AnalogyOptions (default true). */
  caseInsensitive?: boolean;
  /** Score out-of-vocabulary pairs as similarity 0 instead of skipping them (default false). */
  dummy4unknown?: boolean;
  name?: string;
}

export interface WordPairsResult {
  /** Pearson's r between the human scores and the cosines. NaN when undefined (fewer than 2 pairs or constant scores), as scipy. */
  pearson: number;
  /** Spearman's ρ (Pearson's r of the average ranks, ties sharing their mean rank, as scipy). NaN when undefined. */
  spearman: number;
  /**
   * Out-of-vocabulary pairs IN PERCENT, as gensim reports it: of all pairs read, or with dummy4unknown of the
   * pairs scored (gensim divides by the scored pairs, which then include the dummies).
   */
  oovRatio: number;
  /** Pairs that entered the correlation. */
  pairs: number;
  /** Pairs with an unknown word. */
  oov: number;
}

const DEFAULT_RESTRICT = 300000;
/** gensim's evaluate_word_analogies asks most_similar for this many candidates. */
const ANALOGY_TOPN = 5;

/**
 * Analogy accuracy, exactly as gensim 4's `evaluate_word_analogies`:
 * - `: name` starts a section (the name is the line without its leading ':' and spaces); a question line before
 *   any section is E_FORMAT (gensim raises too); lines that are not four words are skipped and not counted;
 * - the known words are the first `restrictVocab`, upper-cased when `caseInsensitive` (the first case variant
 *   wins); a question with any other word is out of vocabulary: skipped (or incorrect with `dummy4unknown`);
 * - the prediction for `a b c d` is the first of `mostSimilar({ positive: [b, c], negative: [a], topn: 5,
 *   restrictVocab })` that is not a, b or c after case folding (gensim's quirk kept: when all five are, the
 *   last candidate counts as the prediction); the answer is correct when it equals d.
 *
 * Cost: one scoreRows over `restrictVocab` rows per question (a matrix·vector product), plus a top-8 selection;
 * nothing is allocated in wasm per question.
 * @throws E_FORMAT for a question before the first section or invalid UTF-8, E_EMPTY for no question at all,
 * E_OPTION for a bad restrictVocab.
 */
export function evaluateWordAnalogies(kv: KeyedVectors, source: TextSource, opts: AnalogyOptions = {}): AnalogyResult {
  const name = opts.name ?? sourceName(source) ?? 'the analogy questions';
  const restrict = checkRestrict(opts.restrictVocab);
  const ci = opts.caseInsensitive ?? true;
  const dummy = opts.dummy4unknown ?? false;
  const ok = kv.vocab.evaluationIndex(restrict, ci);
  const limit = Math.min(restrict, kv.size);
  const words = kv.keys;

  const dim = kv.dim;
  const va = new Float32Array(dim), vb = new Float32Array(dim), vc = new Float32Array(dim);
  const query = new Float64Array(dim);
  const exclude = new Set<number>();

  const sections: AnalogySection[] = [];
  let section: AnalogySection | undefined;
  let oov = 0, questions = 0;
  const lines = toLines(source, name, /\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    if (line.startsWith(': ')) {
      section = { section: line.replace(/^[: ]+/, '').trim(), correct: 0, incorrect: 0 };
      sections.push(section);
      continue;
    }
    if (!section) {
      if (line.trim() === '') continue; // gensim raises even for a blank line here; we let blank lines pass
      throw new QuantextError('E_FORMAT', `${name}: line ${ln + 1} comes before any ': section' header`, { line: ln + 1 });
    }
    const parts = pySplit(line);
    if (parts.length !== 4) continue; // gensim: "Skipping invalid line"
    const [a, b, c, expected] = ci ? parts.map((w) => w.toUpperCase()) : parts;
    questions++;
    const ia = ok.get(a), ib = ok.get(b), ic = ok.get(c);
    if (ia === undefined || ib === undefined || ic === undefined || !ok.has(expected)) {
      oov++;
      if (dummy) section.incorrect++;
      continue;
    }
    // 3CosAdd: the unit-normalised mean of b̂ + ĉ − â (gensim's get_mean_vector with weights 1, 1, −1)
    kv.unitVector(ia, va);
    kv.unitVector(ib, vb);
    kv.unitVector(ic, vc);
    for (let j = 0; j < dim; j++) query[j] = (vb[j] + vc[j] - va[j]) / 3;
    exclude.clear();
    exclude.add(ia).add(ib).add(ic);
    const top = kv.nearest(query, ANALOGY_TOPN, { restrictVocab: limit, exclude });
    let predicted: string | undefined;
    for (let j = 0; j < top.indices.length; j++) {
      predicted = ci ? words[top.indices[j]].toUpperCase() : words[top.indices[j]];
      if (ok.has(predicted) && predicted !== a && predicted !== b && predicted !== c) break;
    }
    if (predicted === expected) section.correct++;
    else section.incorrect++;
  }
  if (questions === 0) throw new QuantextError('E_EMPTY', `${name}: no analogy questions (lines of four words) found`);

  let correct = 0, incorrect = 0;
  for (const s of sections) {
    correct += s.correct;
    incorrect += s.incorrect;
  }
  const total = correct + incorrect;
  const accuracy = total > 0 ? correct / total : 0;
  sections.push({ section: 'Total accuracy', correct, incorrect });
  return {
    score: accuracy,
    sections,
    total: { correct, total, accuracy },
    oov: { count: oov, ratio: (oov / questions) * 100 },
    questions,
  };
}

/**
 * Correlation with human judgements, exactly as gensim 4's `evaluate_word_pairs`: lines starting with '#' are
 * comments; other lines must split on `delimiter` into exactly three fields `word1, word2, score` (else they are
 * skipped and not counted); pairs with a word outside the first `restrictVocab` are out of vocabulary (skipped,
 * or scored 0 with `dummy4unknown`); the model's score is the cosine of the two words' vectors (for case
 * variants, the first in the vocabulary). A score field that is not a finite number makes the line invalid
 * (gensim would accept 'nan' and 'inf' and return a NaN correlation).
 * @throws E_EMPTY when no pair could be scored; E_IO for a path that cannot be read.
 */
export function evaluateWordPairs(kv: KeyedVectors, source: TextSource, opts: WordPairsOptions = {}): WordPairsResult {
  const name = opts.name ?? sourceName(source) ?? 'the word pairs';
  const delimiter = opts.delimiter ?? '\t';
  if (typeof delimiter !== 'string' || delimiter.length === 0) throw new QuantextError('E_OPTION', 'evaluateWordPairs: delimiter must be a non-empty string', { option: 'delimiter' });
  const restrict = checkRestrict(opts.restrictVocab);
  const ci = opts.caseInsensitive ?? true;
  const dummy = opts.dummy4unknown ?? false;
  const ok = kv.vocab.evaluationIndex(restrict, ci);

  const va = new Float32Array(kv.dim), vb = new Float32Array(kv.dim);
  const gold: number[] = [], model: number[] = [];
  let oov = 0;
  const lines = toLines(source, name, /\r\n|\r|\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(delimiter);
    if (fields.length !== 3) continue;
    const a = ci ? fields[0].toUpperCase() : fields[0];
    const b = ci ? fields[1].toUpperCase() : fields[1];
    const sim = parseFloatStrict(fields[2]);
    if (sim === undefined) continue;
    if (!Number.isFinite(sim)) {
      // a decimal too large for a double (1e999) would be Infinity, and every correlation NaN
      throw new QuantextError('E_FORMAT', `${name}: line ${ln + 1}: the score ${JSON.stringify(fields[2].trim())} is out of range (not a finite number)`, { line: ln + 1, value: fields[2] });
    }
    const ia = ok.get(a), ib = ok.get(b);
    if (ia === undefined || ib === undefined) {
      oov++;
      if (dummy) {
        gold.push(sim);
        model.push(0);
      }
      continue;
    }
    gold.push(sim);
    model.push(dot(kv.unitVector(ia, va), kv.unitVector(ib, vb)));
  }
  if (gold.length === 0) {
    throw new QuantextError('E_EMPTY', `${name}: no word pair could be scored: wrong format, or every pair is out of vocabulary`);
  }
  const oovRatio = dummy ? (oov / gold.length) * 100 : (oov / (gold.length + oov)) * 100;
  return { pearson: pearson(gold, model), spearman: spearman(gold, model), oovRatio, pairs: gold.length, oov };
}

// ---------------------------------------------------------------- statistics

/** Pearson's correlation coefficient in float64 (scipy.stats.pearsonr's r). NaN for n < 2 or a constant input. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new QuantextError('E_SHAPE', `pearson: ${n} and ${y.length} values`);
  if (n < 2) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's rank correlation: Pearson's r of the average ranks (scipy.stats.spearmanr). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(rankData(x), rankData(y));
}

/** Ranks 1..n, ties sharing the mean of their ranks (scipy.stats.rankdata, method 'average'). */
export function rankData(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j] || i - j);
  const ranks = new Float64Array(n);
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && x[order[e]] === x[order[s]]) e++;
    const r = (s + 1 + e) / 2; // mean of ranks s+1 … e
    for (let k = s; k < e; k++) ranks[order[k]] = r;
    s = e;
  }
  return ranks;
}

// ---------------------------------------------------------------- parsing helpers

function checkRestrict(v: number | undefined): number {
  const r = v ?? DEFAULT_RESTRICT;
  if (!Number.isInteger(r) || r < 1) throw new QuantextError('E_OPTION', `restrictVocab must be a positive integer, got ${v}`, { option: 'restrictVocab' });
  return r;
}

/** Whether a source is a path (see TextSource). */
function isPath(source: TextSource): source is string | URL {
  return source instanceof URL || (typeof source === 'string' && source !== '' && !/[\n\r]/.test(source));
}

/** The path of a path source, as a label. */
function sourceName(source: TextSource): string | undefined {
  return isPath(source) ? (source instanceof URL ? source.href : source) : undefined;
}

/** Reads a path source through the registered file system (synchronously, as the evaluations answer). */
function readPath(path: string | URL): Uint8Array {
  const host = fileSystemHost(path);
  if (!host.readSync) {
    throw new QuantextError('E_UNSUPPORTED', `cannot read ${String(path)}: this runtime's file system reads only asynchronously; pass the file's contents`, { file: String(path) });
  }
  try {
    return host.readSync(path);
  } catch (e) {
    if (e instanceof QuantextError && e.code === 'E_IO' && typeof path === 'string' && /\s/.test(path)) {
      throw new QuantextError('E_IO', `${e.message} (a string without a line break is read as a path; pass contents with their line break, or as bytes)`, e.details, { cause: e });
    }
    throw e;
  }
}

function toLines(source: TextSource, name: string, sep: RegExp): string[] {
  let text: string;
  if (isPath(source)) source = readPath(source);
  if (typeof source === 'string') text = source;
  else if (source instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(source);
    } catch (e) {
      throw new QuantextError('E_FORMAT', `${name}: not valid UTF-8`, undefined, { cause: e });
    }
  } else throw new QuantextError('E_OPTION', `${name}: expected a path, a URL, or the file contents as a string or Uint8Array`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
  const lines = text.split(sep);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Python's `str.split()`: runs of whitespace separate, leading/trailing whitespace ignored. */
function pySplit(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * A decimal number, surrounding whitespace allowed (Python's float() minus nan/inf, hexadecimal and `_`), else
 * undefined. A decimal beyond the double range comes back as ±Infinity, for the caller to reject with its line.
 */
function parseFloatStrict(s: string): number | undefined {
  const t = s.trim();
  return FLOAT.test(t) ? Number(t) : undefined;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
