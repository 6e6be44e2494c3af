/**
 * QuantizedIndexer: approximate nearest neighbours for KeyedVectors from quantized tables, searched as a cascade
 * (faiss's IndexRefine, the `indexer` argument of gensim's `most_similar`):
 *
 * 1. a coarse table scans every row and proposes `candidates` rows — for a binary table by Hamming distance of the
 *    query's (centred) sign bits (`BinaryMatrix.hammingTopK`), for any other table by its scores (`scoreRows` +
 *    `topk_f32`);
 * 2. each refine table rescores the current candidates (a gathering kernel: `matvec_f32_gather`, or the table's
 *    `scoreSubset`) and keeps the best `keep` of them (the last one keeps `topn`);
 * 3. the last table's scores, divided by its row norms, are the cosines returned.
 *
 * ```ts
 * const ix = new QuantizedIndexer(kv, { coarse: 'binary', candidates: 2000, refine: ['int8', 'f32'] });
 * kv.mostSimilar({ positive: ['king'], indexer: ix }); // [word, cosine][]
 * ix.search(vector, 10);                               // { indices, scores }
 * ix.dispose();                                        // frees the tables it built (not kv's)
 * ```
 *
 * Every stage ranks by cosine, as KeyedVectors does: kv's own table and tables passed in by their scores times their
 * inverse row norms; tables built here from unit rows by their inner products (their decoded norms are 1 up to
 * rounding), except binary and PQ tables that are scored and the last stage, which use their norms. `'f32'` in
 * `refine` means `kv.matrix` itself (whatever its dtype); a scheme name builds that table with `quantizeMatrix` from
 * kv's rows scaled to unit length (so that a centred table's column mean is that of the directions, not dominated by
 * the longest rows: with raw rows of norms 0.5–2.5, Hamming top-300 of 3000 missed 9 of the 10 true neighbours);
 * a Matrix is used as given (it must have kv's shape and runtime, and outlive the indexer).
 */
import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import type { KeyedVectors, Similar, SimilarityIndexer } from './keyed.js';
import { DenseMatrix, type Matrix } from './matrix.js';
import { BinaryMatrix } from './tables/binary.js';
import { PQMatrix } from './tables/pq.js';
import { quantizeMatrix, TABLE_SCHEMES, type QuantizeMatrixOptions, type TableScheme } from './tables/factory.js';

/** A table of the cascade: `kv.matrix` ('f32'), a scheme to build from it, or a table of the same shape. */
export type IndexTable = 'f32' | TableScheme | Matrix;

export interface QuantizedIndexerOptions {
  /** The table every row is scanned in (default 'binary'). */
  coarse?: IndexTable;
  /** Rows the coarse stage proposes (default 1000). */
  candidates?: number;
  /** Tables that rescore the candidates, in order (default ['f32']: kv's own table). May be empty. */
  refine?: readonly IndexTable[];
  /** Candidates an intermediate refine stage keeps for the next one (default 50); the last keeps `topn`. */
  keep?: number;
  /** Options for the tables built from scheme names (scheme itself excluded), e.g. `{ perRow: false }`. */
  quantize?: Omit<QuantizeMatrixOptions, 'scheme'>;
  /** A binary coarse table: 'hamming' (default) ranks by Hamming distance, 'scores' by its exact scores. */
  coarseMode?: 'hamming' | 'scores';
}

/** Result of {@link QuantizedIndexer.search}: row indices and their cosines, best first. */
export interface IndexResult {
  indices: Int32Array;
  scores: Float32Array;
}

interface Stage {
  table: Matrix;
  /** Built here (disposed with the indexer). */
  owned: boolean;
  /**
   * wasm address of 1/‖row‖ for every row (kv's own for kv.matrix), or 0: a table built here from unit rows ranks
   * by its inner products directly (its rows' norms are 1 up to rounding) unless it is the last stage.
   */
  invNorms: number;
}

const positiveInt = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < 1) throw new QuantextError('E_OPTION', `QuantizedIndexer: ${name} must be a positive integer; got ${String(v)}`, { option: name });
  return v as number;
};

export class QuantizedIndexer extends WasmOwned implements SimilarityIndexer {
  readonly rows: number;
  readonly cols: number;
  /** Rows the coarse stage proposes. */
  readonly candidates: number;
  /** Candidates an intermediate refine stage keeps. */
  readonly keep: number;
  private readonly kv: KeyedVectors;
  private readonly stages: Stage[] = [];
  private hamming: boolean;
  private readonly qPtr: number;
  private cascade!: Cascade;

  constructor(kv: KeyedVectors, opts: QuantizedIndexerOptions = {}) {
    super(kv.rt);
    this.kv = kv;
    this.rows = kv.size;
    this.cols = kv.dim;
    this.candidates = positiveInt(opts.candidates, 'candidates', 1000);
    this.keep = positiveInt(opts.keep, 'keep', 50);
    const refine = opts.refine ?? ['f32'];
    if (!Array.isArray(refine)) throw new QuantextError('E_OPTION', 'QuantizedIndexer: refine must be a list of tables', { option: 'refine' });
    if (opts.coarseMode !== undefined && opts.coarseMode !== 'hamming' && opts.coarseMode !== 'scores') {
      throw new QuantextError('E_OPTION', `QuantizedIndexer: coarseMode must be 'hamming' or 'scores'; got ${JSON.stringify(opts.coarseMode)}`, { option: 'coarseMode' });
    }
    let unit: DenseMatrix | undefined;
    try {
      const tables = [opts.coarse ?? 'binary', ...refine];
      if (tables.some((t) => typeof t === 'string' && t !== 'f32')) {
        // kv's rows at unit length, the source of the tables built here (freed once they are)
        unit = unitRows(kv.matrix);
      }
      this.hamming = (opts.coarseMode ?? 'hamming') === 'hamming';
      tables.forEach((t, i) => this.stages.push(this.stage(t, opts.quantize ?? {}, unit, i, tables.length)));
      this.hamming &&= this.stages[0].table instanceof BinaryMatrix;
      this.qPtr = this.own(this.cols * 4);
      this.cascade = new Cascade(this.rt, this.stages, { candidates: this.candidates, keep: this.keep, hamming: this.hamming });
    } catch (e) {
      this.dispose();
      throw e;
    } finally {
      unit?.dispose();
    }
  }

  /**
   * Bytes of the tables this indexer built, with their search structures (a binary table's block copy) and the
   * inverse norms it keeps; kv's own table and tables passed in are not counted.
   */
  get bytes(): number {
    return this.stages.reduce((b, s) => b + (s.owned ? s.table.bytes + ((s.table as BinaryMatrix).searchBytes ?? 0) + (s.invNorms ? this.rows * 4 : 0) : 0), 0);
  }

  /** The cascade's tables, coarse first. */
  get tables(): Matrix[] {
    return this.stages.map((s) => s.table);
  }

  private stage(t: IndexTable, q: Omit<QuantizeMatrixOptions, 'scheme'>, unit: DenseMatrix | undefined, index: number, count: number): Stage {
    const kv = this.kv;
    let table: Matrix, owned = false;
    if (t === 'f32') table = kv.matrix;
    else if (typeof t === 'string') {
      if (!TABLE_SCHEMES.includes(t)) throw new QuantextError('E_OPTION', `QuantizedIndexer: unknown table '${t}' (f32, ${TABLE_SCHEMES.join(', ')})`, { option: 'refine' });
      table = quantizeMatrix(unit!, optionsFor(t, q));
      owned = true;
    } else {
      if (typeof (t as Partial<Matrix>).scoreSubset !== 'function' || typeof (t as Partial<Matrix>).scoreRows !== 'function') throw new QuantextError('E_OPTION', 'QuantizedIndexer: a table must be a scheme name, \'f32\' or a Matrix', { option: 'refine' });
      if (t.rows !== this.rows || t.cols !== this.cols || t.rt !== kv.rt) {
        throw new QuantextError('E_SHAPE', `QuantizedIndexer: a ${t.rows}×${t.cols} table for ${this.rows}×${this.cols} vectors (or another runtime)`);
      }
      table = t;
    }
    // a table built here from unit rows ranks by its inner products (its decoded rows have norm 1 up to rounding),
    // unless it gives the final cosines, or its decoded norms are not ≈ 1 (binary: α·√cols) and it is scored
    const hammingOnly = index === 0 && this.hamming && table instanceof BinaryMatrix && count > 1;
    const needNorms = !owned || index === count - 1 || (table instanceof BinaryMatrix && !hammingOnly) || table instanceof PQMatrix;
    let invNorms = 0;
    if (table === kv.matrix) invNorms = kv.fillNorms();
    else if (needNorms) {
      invNorms = this.own(this.rows * 4);
      table.rowNorms(invNorms);
      const n = this.rt.arena.f32(invNorms, this.rows);
      for (let i = 0; i < n.length; i++) n[i] = n[i] > 0 ? 1 / n[i] : 0;
    }
    return { table, owned, invNorms };
  }

  /**
   * The `k` rows nearest to `query` by cosine (approximately: the rows the cascade keeps), best first. The query
   * need not be unit length.
   * @throws E_SHAPE for a query of the wrong length, E_NAN for a non-finite one, E_OPTION for a bad k.
   */
  search(query: ArrayLike<number>, k = 10): IndexResult {
    this.alive();
    if (this.kv.isDisposed) throw new QuantextError('E_DISPOSED', 'QuantizedIndexer: its KeyedVectors was disposed');
    if (!Number.isInteger(k) || k < 0) throw new QuantextError('E_OPTION', `QuantizedIndexer.search: k must be a non-negative integer; got ${k}`, { option: 'k' });
    if (query.length !== this.cols) throw new QuantextError('E_SHAPE', `QuantizedIndexer.search: query has ${query.length} values, expected ${this.cols}`);
    let norm = 0;
    for (let j = 0; j < this.cols; j++) {
      const v = query[j];
      if (!Number.isFinite(v)) throw new QuantextError('E_NAN', `QuantizedIndexer.search: query value ${v} at index ${j} is not finite`, { index: j });
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const q = this.rt.arena.f32(this.qPtr, this.cols);
    for (let j = 0; j < this.cols; j++) q[j] = query[j] * inv;
    // kv's norms are recomputed when they were invalidated (e.g. after further training); free when valid
    for (const st of this.stages) if (st.table === this.kv.matrix) st.invNorms = this.kv.fillNorms();
    const r = this.cascade.run(this.qPtr, k);
    // cosines: a quantized table's scores and norms are rounded apart, so their ratio is clamped to [−1, 1]
    for (let j = 0; j < r.scores.length; j++) r.scores[j] = Math.max(-1, Math.min(1, r.scores[j]));
    return r;
  }

  /** gensim's indexer protocol (KeyedVectors.mostSimilar({ indexer })): `[word, cosine]`, query words included. */
  mostSimilar(query: Float32Array, topn: number): Similar[] {
    const r = this.search(query, topn);
    const words = this.kv.vocab.words;
    return Array.from(r.indices, (i, j) => [words[i], r.scores[j]] as Similar);
  }

  /** Frees the tables this indexer built and its scratch; kv and tables passed in stay. Safe to call twice. */
  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.cascade?.dispose();
    for (const s of this.stages) if (s.owned) s.table.dispose();
  }
}

/** A table of a {@link Cascade} and the multipliers of its scores. */
export interface CascadeStage {
  table: Matrix;
  /** wasm address of one f32 multiplier per row (e.g. 1/‖row‖ for cosines), or 0 to rank by the raw scores. */
  invNorms: number;
}

export interface CascadeOptions {
  /** Rows the coarse stage proposes. */
  candidates: number;
  /** Candidates an intermediate refine stage keeps (the last stage keeps k). */
  keep: number;
  /** Rank a binary coarse table by Hamming distance of the query's sign bits instead of its scores. */
  hamming?: boolean;
}

/**
 * The coarse → refine search shared by {@link QuantizedIndexer} and `rerank` / `twoStageSearch` (tables/rerank.ts):
 * 1. the first stage scans every row (`scoreRows` × invNorms, `topk_f32`; or Hamming top-k for a binary table) and
 *    proposes `candidates` rows, unless the caller gives the candidates;
 * 2. each further stage rescores the current candidates with its table's `scoreSubset` (one gathered call, whatever
 *    the table), multiplies by its invNorms (`mul_f32_gather`) and keeps the best `keep` (the last keeps k).
 * The tables and multipliers are borrowed; the cascade owns only its scratch (grown when k > candidates).
 * @internal
 */
export class Cascade extends WasmOwned {
  private readonly stages: readonly CascadeStage[];
  private readonly opts: CascadeOptions;
  private readonly rows: number;
  private scoresPtr = 0;
  private cap = 0;
  private idxA = 0;
  private idxB = 0;
  private subPtr = 0;
  private posPtr = 0;
  private valPtr = 0;

  constructor(rt: Runtime, stages: readonly CascadeStage[], opts: CascadeOptions) {
    super(rt);
    if (stages.length === 0) throw new QuantextError('E_OPTION', 'a cascade needs at least one table');
    this.stages = stages;
    this.opts = opts;
    this.rows = stages[0].table.rows;
  }

  /** Candidate buffers of at least n entries. */
  private ensureCap(n: number): void {
    if (n <= this.cap) return;
    for (const p of [this.idxA, this.idxB, this.subPtr, this.posPtr, this.valPtr]) if (p) this.release(p);
    // forgotten before the new allocations: after an E_OOM no freed buffer is used again
    this.idxA = this.idxB = this.subPtr = this.posPtr = this.valPtr = this.cap = 0;
    const cap = Math.max(n, 1);
    this.idxA = this.own(cap * 4);
    this.idxB = this.own(cap * 4);
    this.subPtr = this.own(cap * 4);
    this.posPtr = this.own(cap * 4);
    this.valPtr = this.own(cap * 4);
    this.cap = cap;
  }

  /**
   * The best k rows for the f32 query at qPtr, best first, with their last-stage scores (× invNorms). With `start`
   * (i32 candidate rows, e.g. from another index), every stage is a refine stage over those candidates.
   */
  run(qPtr: number, k: number, start?: ArrayLike<number>): IndexResult {
    this.alive();
    const total = start ? start.length : this.rows;
    if (k === 0 || total === 0) return { indices: new Int32Array(0), scores: new Float32Array(0) };
    const kk = Math.min(k, total);
    const K = this.rt.kernels;
    const last = this.stages.length - 1;
    const { candidates, keep: keepMid } = this.opts;
    this.ensureCap(Math.max(Math.min(candidates, total), kk, start ? start.length : 0));
    let m: number;
    let first = 0;
    let scored = false; // whether valPtr holds the current candidates' scores (in candidate order)
    const coarse = this.stages[0];
    const hamming = !start && this.opts.hamming === true && coarse.table instanceof BinaryMatrix;
    if (start) {
      m = start.length;
      this.rt.arena.i32(this.idxA, m).set(start);
    } else {
      // 1. coarse: every row
      first = 1;
      const keep0 = last === 0 ? kk : Math.max(Math.min(candidates, this.rows), kk);
      if (hamming) {
        const b = coarse.table as BinaryMatrix;
        m = b.hammingTopK(b.packQuery(qPtr), keep0, this.idxA);
      } else {
        if (!this.scoresPtr) this.scoresPtr = this.own(this.rows * 4);
        coarse.table.scoreRows(qPtr, this.scoresPtr);
        if (coarse.invNorms) K.mul_f32(this.scoresPtr, coarse.invNorms, this.rows);
        m = K.topk_f32(this.scoresPtr, this.rows, keep0, this.idxA, this.valPtr);
        scored = true;
      }
    }
    // 2. refine: rescore the candidates (one gathered call), keep the best
    let cur = this.idxA, nxt = this.idxB;
    for (let s = first; s <= last; s++) {
      const st = this.stages[s];
      const keep = s === last ? kk : Math.max(Math.min(keepMid, m), kk);
      st.table.scoreSubset(qPtr, cur, m, this.subPtr);
      if (st.invNorms) K.mul_f32_gather(this.subPtr, cur, m, st.invNorms);
      const got = K.topk_f32(this.subPtr, m, Math.min(keep, m), this.posPtr, this.valPtr);
      const pos = this.rt.arena.i32(this.posPtr, got), from = this.rt.arena.i32(cur, m), to = this.rt.arena.i32(nxt, got);
      for (let j = 0; j < got; j++) to[j] = from[pos[j]];
      [cur, nxt] = [nxt, cur];
      m = got;
      scored = true;
    }
    const n = Math.min(kk, m);
    const indices = this.rt.arena.i32(cur, n).slice();
    let scores: Float32Array;
    if (scored) scores = this.rt.arena.f32(this.valPtr, n).slice();
    else {
      // Hamming alone: the scores of the decoded rows (× invNorms), for the rows in Hamming order
      coarse.table.scoreSubset(qPtr, cur, n, this.subPtr);
      if (coarse.invNorms) K.mul_f32_gather(this.subPtr, cur, n, coarse.invNorms);
      scores = this.rt.arena.f32(this.subPtr, n).slice();
    }
    return { indices, scores };
  }
}

/** The options a built table gets: the shared ones its scheme takes (center: int8/uint8/int4/binary; PQ's own). */
function optionsFor(scheme: TableScheme, q: Omit<QuantizeMatrixOptions, 'scheme'>): QuantizeMatrixOptions {
  const o: QuantizeMatrixOptions = { ...q, scheme };
  if (!['int8', 'uint8', 'int4', 'binary'].includes(scheme)) delete o.center;
  if (scheme !== 'pq') for (const k of ['dsub', 'ksub', 'iters', 'qnorm', 'maxPointsPerCluster', 'init'] as const) delete o[k];
  if (scheme === 'pq' || scheme === 'fp16' || scheme === 'bf16') for (const k of ['perRow', 'symmetric', 'calibration', 'percentile', 'rounding'] as const) delete o[k];
  return o;
}

/** A dense copy of a table's rows scaled to unit length (any Matrix: contiguous or strided dense, or quantized). */
function unitRows(m: Matrix): DenseMatrix {
  const { rows, cols } = m;
  // allocate first, then read the source through views derived after the allocation (it may grow memory)
  const out = new DenseMatrix(rows, cols, { rt: m.rt, zero: false });
  try {
    if (m instanceof DenseMatrix) {
      const mem = m.rt.arena.u8(0, 0).buffer;
      const heap = new Uint8Array(mem);
      if (m.stride === cols) heap.copyWithin(out.ptr, m.ptr, m.ptr + rows * cols * 4);
      else for (let r = 0; r < rows; r++) heap.copyWithin(out.rowPtr(r), m.rowPtr(r), m.rowPtr(r) + cols * 4);
    } else {
      const row = new Float32Array(cols);
      for (let r = 0; r < rows; r++) out.row(r).set(m.decodeRow(r, row));
    }
    m.rt.kernels.normalize_f32_per_row(out.ptr, rows, cols, cols);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}
