/**
 * Two-stage search: a coarse table proposes candidates, a finer one rescores them exactly
 * (docs/quantization.md §1.8). Typical: binary (Hamming, 32× smaller) → top 100 → f32 or int8 → top 10.
 *
 * @example
 * const coarse = quantizeMatrix(dense, { scheme: 'binary' });
 * const { indices, scores } = twoStageSearch(coarse, dense, query, { k: 10, candidates: 100 });
 */
import { QuantextError } from '../../errors.js';
import { DenseMatrix, type Matrix } from '../matrix.js';
import { BinaryMatrix } from './binary.js';
import { QuantTable } from './base.js';

export interface SearchResult {
  /** Row indices, best first (ties: lower index first). */
  indices: Int32Array;
  /** Their scores ⟨row, query⟩ (times `invNorms[row]` when given). */
  scores: Float32Array;
}

function checkQuery(m: Matrix, query: ArrayLike<number>): void {
  if (query.length !== m.cols) throw new QuantextError('E_SHAPE', `query has ${query.length} values, the table ${m.cols} columns`);
}

/**
 * Rescores `candidates` (row indices) with `fine` and returns the best k. Dense f32 tables use one gathering
 * kernel call (matvec_f32_rows); int8/int4 tables their gathering scorers; other tables decode row by row.
 * `invNorms` (one multiplier per table row, e.g. 1/‖row‖ for cosine) scales the candidate scores.
 */
export function rerank(fine: Matrix, query: ArrayLike<number>, candidates: ArrayLike<number>, k: number, opts: { invNorms?: ArrayLike<number> } = {}): SearchResult {
  checkQuery(fine, query);
  if (!Number.isInteger(k) || k < 0) throw new QuantextError('E_OPTION', `k must be a non-negative integer; got ${k}`, { option: 'k' });
  const m = candidates.length;
  for (let i = 0; i < m; i++) {
    const c = candidates[i];
    if (!Number.isInteger(c) || c < 0 || c >= fine.rows) throw new QuantextError('E_OPTION', `candidate ${c} (position ${i}) is not a row of the table (${fine.rows} rows)`, { index: i });
  }
  const rt = fine.rt;
  const kk = Math.min(k, m);
  const pq = rt.arena.alloc(fine.cols * 4), pi = rt.arena.alloc(m * 4), po = rt.arena.alloc(m * 4);
  const ti = rt.arena.alloc(Math.max(kk, 1) * 4), tv = rt.arena.alloc(Math.max(kk, 1) * 4);
  try {
    rt.arena.f32(pq, fine.cols).set(query);
    rt.arena.i32(pi, m).set(candidates);
    if (fine instanceof DenseMatrix) rt.kernels.matvec_f32_rows(fine.ptr, fine.stride, fine.cols, pi, m, pq, po);
    else if (fine instanceof QuantTable) fine.scoreSubset(pq, pi, m, po);
    else {
      const q = Float32Array.from(query);
      const out = new Float32Array(m);
      for (let i = 0; i < m; i++) out[i] = fine.dotRow(candidates[i], q);
      rt.arena.f32(po, m).set(out);
    }
    if (opts.invNorms) {
      const s = rt.arena.f32(po, m);
      for (let i = 0; i < m; i++) s[i] *= opts.invNorms[candidates[i]];
    }
    const got = rt.kernels.topk_f32(po, m, kk, ti, tv);
    const pos = rt.arena.i32(ti, got);
    const indices = new Int32Array(got);
    for (let i = 0; i < got; i++) indices[i] = candidates[pos[i]];
    return { indices, scores: rt.arena.f32(tv, got).slice() };
  } finally {
    for (const p of [pq, pi, po, ti, tv]) rt.arena.free(p);
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

/** The coarse table's top `candidates` for the query, reranked by the fine table (both over the same rows). */
export function twoStageSearch(coarse: Matrix, fine: Matrix, query: ArrayLike<number>, opts: TwoStageOptions = {}): SearchResult {
  checkQuery(coarse, query);
  if (coarse.rows !== fine.rows || coarse.cols !== fine.cols) {
    throw new QuantextError('E_SHAPE', `coarse (${coarse.rows}×${coarse.cols}) and fine (${fine.rows}×${fine.cols}) tables differ`);
  }
  const k = opts.k ?? 10, nc = Math.max(opts.candidates ?? 100, k);
  let cands: Int32Array;
  if (coarse instanceof BinaryMatrix && (opts.coarse ?? 'hamming') === 'hamming') {
    cands = coarse.searchHamming(query, nc).indices;
  } else {
    const rt = coarse.rt;
    const n = coarse.rows, kk = Math.min(nc, n);
    const pq = rt.arena.alloc(coarse.cols * 4), ps = rt.arena.alloc(n * 4), ti = rt.arena.alloc(Math.max(kk, 1) * 4), tv = rt.arena.alloc(Math.max(kk, 1) * 4);
    try {
      rt.arena.f32(pq, coarse.cols).set(query);
      coarse.scoreRows(pq, ps);
      const got = rt.kernels.topk_f32(ps, n, kk, ti, tv);
      cands = rt.arena.i32(ti, got).slice();
    } finally {
      for (const p of [pq, ps, ti, tv]) rt.arena.free(p);
    }
  }
  return rerank(fine, query, cands, k);
}
