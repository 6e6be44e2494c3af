/**
 * Two-stage search: a coarse table proposes candidates, a finer one rescores them exactly
 * (docs/quantization.md §1.8). Typical: binary (Hamming, 32× smaller) → top 100 → f32 or int8 → top 10.
 *
 * @example
 * const coarse = quantizeMatrix(dense, { scheme: 'binary' });
 * const { indices, scores } = twoStageSearch(coarse, dense, query, { k: 10, candidates: 100 });
 */
import { QuantextError } from '../../errors.js';
import { Cascade, type CascadeStage } from '../indexer.js';
import type { Matrix } from '../matrix.js';

export interface SearchResult {
  /** Row indices, best first (ties: lower index first). */
  indices: Int32Array;
  /** Their scores ⟨row, query⟩ (times `invNorms[row]` when given). */
  scores: Float32Array;
}

function checkQuery(m: Matrix, query: ArrayLike<number>): void {
  if (query.length !== m.cols) throw new QuantextError('E_SHAPE', `query has ${query.length} values, the table ${m.cols} columns`);
}

/** Runs a one-off {@link Cascade} over `stages` for `query` (copied into wasm), freeing its scratch afterwards. */
function runOnce(stages: CascadeStage[], query: ArrayLike<number>, k: number, candidates: number, start?: ArrayLike<number>, hamming = false): SearchResult {
  const rt = stages[0].table.rt;
  const cols = stages[0].table.cols;
  const c = new Cascade(rt, stages, { candidates, keep: candidates, hamming });
  const pq = rt.arena.alloc(cols * 4);
  try {
    rt.arena.f32(pq, cols).set(query);
    return c.run(pq, k, start);
  } finally {
    rt.arena.free(pq);
    c.dispose();
  }
}

/**
 * Rescores `candidates` (row indices) with `fine` and returns the best k: one gathered `scoreSubset` call (every
 * table has one) and one `topk_f32`, through the same {@link Cascade} as QuantizedIndexer. `invNorms` (one
 * multiplier per table row, e.g. 1/‖row‖ for cosine) scales the candidate scores.
 */
export function rerank(fine: Matrix, query: ArrayLike<number>, candidates: ArrayLike<number>, k: number, opts: { invNorms?: ArrayLike<number> } = {}): SearchResult {
  checkQuery(fine, query);
  if (!Number.isInteger(k) || k < 0) throw new QuantextError('E_OPTION', `k must be a non-negative integer; got ${k}`, { option: 'k' });
  const m = candidates.length;
  for (let i = 0; i < m; i++) {
    const c = candidates[i];
    if (!Number.isInteger(c) || c < 0 || c >= fine.rows) throw new QuantextError('E_OPTION', `candidate ${c} (position ${i}) is not a row of the table (${fine.rows} rows)`, { index: i });
  }
  if (opts.invNorms && opts.invNorms.length !== fine.rows) throw new QuantextError('E_SHAPE', `invNorms has ${opts.invNorms.length} values for ${fine.rows} rows`);
  const rt = fine.rt;
  const inv = opts.invNorms ? rt.arena.put(Float32Array.from(opts.invNorms)) : 0;
  try {
    return runOnce([{ table: fine, invNorms: inv }], query, k, m, candidates);
  } finally {
    if (inv) rt.arena.free(inv);
  }
}

export interface TwoStageOptions {
  /** Results wanted (default 10). */
  k?: number;
  /** Candidates the coarse stage proposes (default 100). */
  candidates?: number;
  /**
   * Coarse stage of a BinaryMatrix: 'hamming' (default; the query's sign bits, popcount) or 'lut' (exact
   * ⟨decoded row, q⟩ via scoreRows). Other coarse tables always use scoreRows.
   */
  coarse?: 'hamming' | 'lut';
}

/**
 * The coarse table's top `candidates` for the query, reranked by the fine table (both over the same rows): a
 * two-stage {@link Cascade} ranking by inner products (for cosines, use QuantizedIndexer).
 */
export function twoStageSearch(coarse: Matrix, fine: Matrix, query: ArrayLike<number>, opts: TwoStageOptions = {}): SearchResult {
  checkQuery(coarse, query);
  if (coarse.rows !== fine.rows || coarse.cols !== fine.cols) {
    throw new QuantextError('E_SHAPE', `coarse (${coarse.rows}×${coarse.cols}) and fine (${fine.rows}×${fine.cols}) tables differ`);
  }
  const k = opts.k ?? 10, nc = Math.max(opts.candidates ?? 100, k);
  return runOnce([{ table: coarse, invNorms: 0 }, { table: fine, invNorms: 0 }], query, k, nc, undefined, (opts.coarse ?? 'hamming') === 'hamming');
}
