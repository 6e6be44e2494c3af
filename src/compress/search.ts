// The search behind `quantext compress`: candidates come from generators (one per compression family: schemes ×
// dims × vocabulary cuts for word vectors; sparsity, bits, dim, cutoff, distillation for classifiers), each is built
// and measured (size on disk, quality, latency) within a time budget, and the result is the Pareto front of size
// against quality and the most accurate candidate under the target size. Nothing here knows what a candidate is:
// `measure` builds and measures one, and the caller keeps or frees what it built.
import { QuantextError } from '../errors.js';

/** One point of the search space: a name (unique, shown in the report) and the parameters the generator chose. */
export interface CandidateSpec<P = Record<string, unknown>> {
  name: string;
  params: P;
  /** The generator's family ('scheme', 'pca', 'vocab', 'qat', ...): the report groups and colours by it. */
  family?: string;
}

/** What measuring a candidate found. */
export interface Measurement {
  /** Bytes on disk of the saved candidate. */
  size: number;
  /** Higher is better (pair Spearman for vectors, P@1 for classifiers). */
  quality: number;
  /** Milliseconds per query (vectors: one nearest-neighbour search; classifiers: one prediction). */
  latencyMs?: number;
  /** Any further metrics shown in the report (analogy accuracy, SQNR, ...). */
  metrics?: Record<string, number>;
}

export interface Measured<P = Record<string, unknown>> extends CandidateSpec<P>, Measurement {
  /** Wall-clock milliseconds spent building and measuring it. */
  ms: number;
  /** On the Pareto front of (size ↓, quality ↑). */
  pareto: boolean;
}

/** A source of candidates: a name and an iterable of specs (generated lazily, so a generator can adapt). */
export interface CandidateGenerator<P = Record<string, unknown>> {
  name: string;
  candidates(): Iterable<CandidateSpec<P>>;
}

export interface ParetoSearchOptions<P = Record<string, unknown>> {
  generators: readonly CandidateGenerator<P>[];
  /** Builds and measures one candidate. A QuantextError from it skips the candidate (recorded in `failed`). */
  measure: (spec: CandidateSpec<P>) => Promise<Measurement> | Measurement;
  /** Total time allowed, ms. A candidate is started only while the time spent plus the longest candidate so far fits. */
  budgetMs: number;
  /** Bytes: `best` is the most accurate candidate at or under it. */
  targetSize?: number;
  /** The clock (ms); tests pass a fake one. Default performance.now. */
  now?: () => number;
  /** Called after each candidate. */
  onCandidate?: (m: Measured<P>, done: number) => void;
  /** Generators are interleaved round-robin (default) or run one after the other ('sequential'). */
  order?: 'round-robin' | 'sequential';
}

export interface ParetoSearchResult<P = Record<string, unknown>> {
  /** Every measured candidate, in the order measured, `pareto` set. */
  candidates: Measured<P>[];
  /** The Pareto front, by size ascending. */
  front: Measured<P>[];
  /** The most accurate candidate at or under the target size (ties: the smaller); undefined when none fits. */
  best?: Measured<P>;
  /** Candidates not started because the budget ran out. */
  skipped: CandidateSpec<P>[];
  /** Candidates whose measurement failed, with the reason. */
  failed: { spec: CandidateSpec<P>; error: string }[];
  elapsedMs: number;
  budgetMs: number;
  /** The budget stopped the search before every candidate was tried. */
  outOfTime: boolean;
}

/**
 * The Pareto front of (size ↓, quality ↑): the candidates no other candidate beats or equals in both with one
 * strictly better. NaN quality never dominates and is never on the front. Returned by size ascending (ties by
 * quality descending), candidates of equal size and quality all kept.
 */
export function paretoFront<T extends Measurement>(items: readonly T[]): T[] {
  const ok = items.filter((m) => Number.isFinite(m.quality) && Number.isFinite(m.size));
  const sorted = [...ok].sort((a, b) => a.size - b.size || b.quality - a.quality);
  const front: T[] = [];
  let bestQ = -Infinity, bestSize = NaN;
  for (const m of sorted) {
    // kept when strictly better than everything smaller, or equal in both to the last kept one
    if (m.quality > bestQ || (m.quality === bestQ && m.size === bestSize)) {
      front.push(m);
      bestQ = m.quality;
      bestSize = m.size;
    }
  }
  return front;
}

/** The most accurate candidate of size ≤ `target` (ties: the smaller one, then the first); undefined when none fits. */
export function bestUnder<T extends Measurement>(items: readonly T[], target: number): T | undefined {
  let best: T | undefined;
  for (const m of items) {
    if (!(m.size <= target) || !Number.isFinite(m.quality)) continue;
    if (!best || m.quality > best.quality || (m.quality === best.quality && m.size < best.size)) best = m;
  }
  return best;
}

/** The generators' candidates, interleaved (one from each in turn) or one generator after the other. */
function* schedule<P>(gens: readonly CandidateGenerator<P>[], order: 'round-robin' | 'sequential'): Generator<CandidateSpec<P>> {
  if (order === 'sequential') {
    for (const g of gens) for (const c of g.candidates()) yield { family: g.name, ...c };
    return;
  }
  const its = gens.map((g) => ({ name: g.name, it: g.candidates()[Symbol.iterator]() }));
  while (its.length) {
    for (let i = 0; i < its.length; i++) {
      const r = its[i].it.next();
      if (r.done) its.splice(i--, 1);
      else yield { family: its[i].name, ...r.value };
    }
  }
}

/**
 * Runs the search: every candidate of every generator is measured until the budget would be exceeded (a candidate
 * is started only when the time spent so far plus the longest candidate measured so far is within the budget);
 * the rest are listed as skipped. The first candidate is always measured. Duplicate names are measured once.
 */
export async function paretoSearch<P>(opts: ParetoSearchOptions<P>): Promise<ParetoSearchResult<P>> {
  const now = opts.now ?? (() => performance.now());
  if (!(opts.budgetMs > 0)) throw new QuantextError('E_OPTION', `search: budgetMs must be > 0, got ${opts.budgetMs}`, { option: 'budget' });
  const t0 = now();
  const candidates: Measured<P>[] = [];
  const skipped: CandidateSpec<P>[] = [];
  const failed: { spec: CandidateSpec<P>; error: string }[] = [];
  const seen = new Set<string>();
  let longest = 0;
  let outOfTime = false;
  for (const spec of schedule(opts.generators, opts.order ?? 'round-robin')) {
    if (seen.has(spec.name)) continue;
    seen.add(spec.name);
    // the first candidate always runs: a budget spent before it (a slow start, a tiny --budget) still gives one answer
    if (outOfTime || (seen.size > 1 && now() - t0 + longest > opts.budgetMs)) {
      outOfTime = true;
      skipped.push(spec);
      continue;
    }
    const c0 = now();
    try {
      const m = await opts.measure(spec);
      const ms = now() - c0;
      const measured: Measured<P> = { ...spec, ...m, ms, pareto: false };
      candidates.push(measured);
      opts.onCandidate?.(measured, candidates.length);
    } catch (e) {
      if (!(e instanceof QuantextError)) throw e;
      failed.push({ spec, error: e.message });
    }
    longest = Math.max(longest, now() - c0);
  }
  const front = paretoFront(candidates);
  for (const m of front) m.pareto = true;
  const best = opts.targetSize === undefined ? bestUnder(candidates, Infinity) : bestUnder(candidates, opts.targetSize);
  return { candidates, front, best, skipped, failed, elapsedMs: now() - t0, budgetMs: opts.budgetMs, outOfTime };
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

/**
 * A size flag: '100kB', '16KB', '1.5MB', '64KiB', '12000' (bytes). k/M/G are powers of 1000, Ki/Mi/Gi of 1024.
 * @throws E_OPTION naming `flag` for anything else.
 */
export function parseSize(flag: string, v: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '');
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!(n >= 1) || !Number.isFinite(n)) throw new QuantextError('E_OPTION', `${flag} must be a size such as 100kB, 1.5MB, 64KiB or a number of bytes; got ${String(v)}`, { option: flag, value: v });
  return Math.floor(n);
}

const TIME_UNITS: Record<string, number> = { ms: 1, '': 1000, s: 1000, sec: 1000, m: 60e3, min: 60e3, h: 3600e3 };

/**
 * A duration flag in ms: '5m', '30s', '1.5h', '500ms', '90' (seconds).
 * @throws E_OPTION naming `flag` for anything else.
 */
export function parseDuration(flag: string, v: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '');
  const unit = m ? TIME_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new QuantextError('E_OPTION', `${flag} must be a duration such as 5m, 30s, 1h or a number of seconds; got ${String(v)}`, { option: flag, value: v });
  return n;
}
