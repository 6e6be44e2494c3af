/**
 * Product quantization as fastText does it (docs/quantization.md §1.7): sub-vectors of `dsub` columns, seeded
 * k-means with 256 centroids per sub-space (in wasm: pq_kmeans_f32), one-byte codes, an optional separate
 * quantization of the row norms (qnorm), and ADC tables for search (PQMatrix in src/vectors/tables/).
 *
 * @example
 * const pq = trainPQ(vectors, rows, 100, { dsub: 2, seed: 1 });
 * pq.codes;     // Uint8Array rows × 50
 * pq.codebook;  // Float32Array 256 × 100 (sub-space m at offset 256·m·2)
 * dequantize(pq) // rows × 100 reconstruction (see ./index.ts)
 */
import { QuantextError } from '../errors.js';
import { runtime, type Runtime } from '../runtime/runtime.js';
import { checkFiniteAt } from './core.js';
import { PQ_KSUB, PQ_MAX_POINTS_PER_CLUSTER, PQ_NITER, resolveShape, type NanPolicy } from './schemes.js';

export interface PQOptions {
  /** Columns per sub-space (default 2, as fastText). The last sub-space takes what is left. */
  dsub?: number;
  /** Centroids per sub-space, ≤ 256 (default 256; fewer when there are fewer rows). */
  ksub?: number;
  /** k-means iterations (default 25). */
  iters?: number;
  /** Seed of the k-means initialisation, sampling and empty-cluster splits (default 0). */
  seed?: number;
  /** Quantize row norms separately and PQ the unit rows (fastText -qnorm). Default false. */
  qnorm?: boolean;
  /** At most ksub · this many rows train k-means (default 256, as fastText). */
  maxPointsPerCluster?: number;
  /** k-means seeding: 'kmeans++' (default) or 'random' (k distinct rows, fastText's choice). */
  init?: 'kmeans++' | 'random';
  nan?: NanPolicy;
  rt?: Runtime;
}

/** A product-quantized table: codebooks and codes (plain arrays). */
export interface PQTensor {
  readonly scheme: 'pq';
  readonly rows: number;
  readonly cols: number;
  readonly dsub: number;
  /** Centroids per sub-space actually trained (min(ksub, training rows)). */
  readonly ksub: number;
  readonly nsub: number;
  /** ksub · cols floats: sub-space m at offset ksub·m·dsub, ksub × d_m row-major. */
  readonly codebook: Float32Array;
  /** rows × nsub one-byte codes. */
  readonly codes: Uint8Array;
  readonly qnorm: boolean;
  /** The norm quantizer's centroids (qnorm), else empty. */
  readonly normCodebook: Float32Array;
  /** One byte per row (qnorm), else empty. */
  readonly normCodes: Uint8Array;
}

/** Resolved PQ settings. */
export interface PQSettings {
  dsub: number;
  ksub: number;
  nsub: number;
  iters: number;
  seed: number;
  qnorm: boolean;
  maxPointsPerCluster: number;
  /** 1 k-means++, 0 random. */
  init: number;
}

function intOpt(name: string, v: unknown, dflt: number, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
    throw new QuantextError('E_OPTION', `${name} must be an integer in [${lo}, ${hi}]; got ${JSON.stringify(v)}`, { option: name });
  }
  return v as number;
}

/** Validates PQ options against a table of `rows × cols`. */
export function resolvePQ(rows: number, cols: number, opts: PQOptions): PQSettings {
  const dsub = intOpt('dsub', opts.dsub, 2, 1, Math.max(cols, 1));
  const ksub = intOpt('ksub', opts.ksub, PQ_KSUB, 1, 256);
  const iters = intOpt('iters', opts.iters, PQ_NITER, 0, 10000);
  const seed = intOpt('seed', opts.seed, 0, 0, 0xffffffff);
  const maxPointsPerCluster = intOpt('maxPointsPerCluster', opts.maxPointsPerCluster, PQ_MAX_POINTS_PER_CLUSTER, 1, 1 << 20);
  const qnorm = opts.qnorm ?? false;
  if (typeof qnorm !== 'boolean') throw new QuantextError('E_OPTION', 'qnorm must be a boolean', { option: 'qnorm' });
  const init = opts.init ?? 'kmeans++';
  if (init !== 'kmeans++' && init !== 'random') throw new QuantextError('E_OPTION', `init must be 'kmeans++' or 'random'; got ${JSON.stringify(init)}`, { option: 'init' });
  if (rows === 0 || cols === 0) throw new QuantextError('E_EMPTY', `product quantization needs a non-empty table; got ${rows}×${cols}`);
  return { dsub, ksub: Math.min(ksub, rows), nsub: Math.ceil(cols / dsub), iters, seed, qnorm, maxPointsPerCluster, init: init === 'random' ? 0 : 1 };
}

/** The documented counter-based uniform stream (assembly/quant/rng.ts), for sampling rows in TypeScript. */
export function rngUniform(seed: number, i: number): number {
  let h = (Math.imul(i >>> 0, 0x9e3779b9) ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 8) / 16777216;
}

/** Seed of sub-space m's k-means (a different stream per sub-space; the norm quantizer uses m = nsub). */
function subSeed(seed: number, m: number): number {
  return (seed + Math.imul(m + 1, 0x2545f491)) >>> 0;
}

/**
 * Trains k-means codebooks on the rows·cols floats at `x` (wasm), encodes every row into `codes` (rows × nsub
 * bytes) and, with qnorm, the norms into `normCodes` (rows bytes). Returns the codebooks as JS arrays.
 * `x` is not modified.
 */
export function trainPQAt(rt: Runtime, x: number, rows: number, cols: number, s: PQSettings, codes: number, normCodes: number): { codebook: Float32Array; normCodebook: Float32Array } {
  const k = rt.kernels;
  const { dsub, ksub, nsub, iters, seed } = s;
  const own: number[] = [];
  const alloc = (bytes: number) => { const p = rt.arena.alloc(bytes); own.push(p); return p; };
  try {
    let data = x;
    let normCodebook = new Float32Array(0);
    if (s.qnorm) {
      // unit rows for the PQ; the norms get their own 1-d quantizer (fastText npq_)
      data = alloc(rows * cols * 4);
      rt.arena.u8(data, rows * cols * 4).set(rt.arena.u8(x, rows * cols * 4));
      const norms = alloc(rows * 4);
      k.norm_l2_f32_per_row(x, rows, cols, cols, norms, 0);
      k.normalize_f32_per_row(data, rows, cols, cols);
      const nk = Math.min(PQ_KSUB, rows);
      const nc = alloc(nk * 4), ncT = alloc(nk * 4), na = alloc(rows * 4), ncount = alloc(nk * 4);
      k.pq_kmeans_f32(norms, rows, 1, 1, nk, iters, subSeed(seed, nsub), s.init, nc, ncT, na, ncount);
      k.pq_encode_f32(norms, rows, 1, 1, 1, nk, ncT, normCodes);
      normCodebook = rt.arena.f32(nc, nk).slice();
    }
    // the training sample: at most ksub · maxPointsPerCluster rows, drawn without replacement (seeded)
    const np = Math.min(rows, ksub * s.maxPointsPerCluster);
    let sample = data;
    if (np < rows) {
      const perm = new Int32Array(rows);
      for (let i = 0; i < rows; i++) perm[i] = i;
      for (let i = 0; i < np; i++) {
        const j = Math.min(rows - 1, i + Math.floor(rngUniform(seed ^ 0x5bd1e995, i) * (rows - i)));
        const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
      }
      sample = alloc(np * cols * 4);
      const rowBytes = cols * 4;
      for (let i = 0; i < np; i++) {
        rt.arena.u8(sample + i * rowBytes, rowBytes).set(rt.arena.u8(data + perm[i] * rowBytes, rowBytes));
      }
    }
    const cent = alloc(ksub * cols * 4), centT = alloc(ksub * cols * 4);
    const assign = alloc(np * 4), counts = alloc(ksub * 4);
    for (let m = 0; m < nsub; m++) {
      const d = Math.min(dsub, cols - m * dsub);
      const off = m * ksub * dsub * 4;
      k.pq_kmeans_f32(sample + m * dsub * 4, np, d, cols, ksub, iters, subSeed(seed, m), s.init, cent + off, centT + off, assign, counts);
    }
    k.pq_encode_f32(data, rows, cols, cols, dsub, ksub, centT, codes);
    return { codebook: rt.arena.f32(cent, ksub * cols).slice(), normCodebook };
  } finally {
    for (const p of own) rt.arena.free(p);
  }
}

/**
 * Trains a product quantizer on a rows × cols table and encodes it (fastText `quantize`).
 * @throws E_NAN (unless nan: 'zero'), E_SHAPE, E_OPTION, E_EMPTY.
 */
export function trainPQ(data: Float32Array | ArrayLike<number>, rows: number, cols: number, opts: PQOptions = {}): PQTensor {
  const shape = resolveShape(data.length, rows, cols);
  const s = resolvePQ(shape.rows, shape.cols, opts);
  const rt = opts.rt ?? runtime();
  const n = shape.rows * shape.cols;
  const x = rt.arena.alloc(n * 4);
  let codes = 0, normCodes = 0; // allocated inside the try: an E_OOM there must not leak x
  try {
    codes = rt.arena.alloc(shape.rows * s.nsub);
    normCodes = rt.arena.alloc(shape.rows + 16);
    rt.arena.f32(x, n).set(data);
    checkFiniteAt(rt, x, n, opts.nan ?? 'error', 'trainPQ');
    const { codebook, normCodebook } = trainPQAt(rt, x, shape.rows, shape.cols, s, codes, normCodes);
    return {
      scheme: 'pq', rows: shape.rows, cols: shape.cols, dsub: s.dsub, ksub: s.ksub, nsub: s.nsub, codebook,
      codes: rt.arena.u8(codes, shape.rows * s.nsub).slice(), qnorm: s.qnorm, normCodebook,
      normCodes: s.qnorm ? rt.arena.u8(normCodes, shape.rows).slice() : new Uint8Array(0),
    };
  } finally {
    rt.arena.free(x);
    rt.arena.free(codes);
    rt.arena.free(normCodes);
  }
}

/** Checks a PQTensor's arrays against its shape (it may come from a file). */
export function validatePQ(q: PQTensor): void {
  const nsub = Math.ceil(q.cols / q.dsub);
  if (q.nsub !== nsub) throw new QuantextError('E_SHAPE', `pq: nsub ${q.nsub} ≠ ⌈${q.cols}/${q.dsub}⌉`);
  if (!(q.ksub >= 1 && q.ksub <= 256)) throw new QuantextError('E_FORMAT', `pq: ksub ${q.ksub} outside 1…256`);
  if (q.codebook.length !== q.ksub * q.cols) throw new QuantextError('E_SHAPE', `pq: codebook has ${q.codebook.length} floats, expected ${q.ksub}·${q.cols}`);
  if (q.codes.length !== q.rows * nsub) throw new QuantextError('E_SHAPE', `pq: ${q.codes.length} codes for ${q.rows} rows × ${nsub} sub-spaces`);
  for (let i = 0; i < q.codes.length; i++) {
    if (q.codes[i] >= q.ksub) throw new QuantextError('E_FORMAT', `pq: code ${q.codes[i]} at index ${i} ≥ ksub ${q.ksub}`, { index: i });
  }
  if (q.qnorm) {
    if (q.normCodes.length !== q.rows) throw new QuantextError('E_SHAPE', `pq: ${q.normCodes.length} norm codes for ${q.rows} rows`);
    for (let i = 0; i < q.rows; i++) {
      if (q.normCodes[i] >= q.normCodebook.length) throw new QuantextError('E_FORMAT', `pq: norm code ${q.normCodes[i]} at row ${i} ≥ ${q.normCodebook.length} centroids`, { index: i });
    }
  }
}

/** Reconstructs a PQTensor (concatenated centroids, times the decoded norm with qnorm). */
export function dequantizePQ(q: PQTensor, opts: { rt?: Runtime } = {}): Float32Array {
  validatePQ(q);
  const rt = opts.rt ?? runtime();
  const n = q.rows * q.cols;
  const ptrs = rt.arena.allocAll([n * 4, q.codebook.byteLength, q.codes.length + 16, q.rows + 16, 1024]);
  const [out, cent, codes, nc, nt] = ptrs;
  try {
    rt.arena.f32(cent, q.codebook.length).set(q.codebook);
    rt.arena.u8(codes, q.codes.length).set(q.codes);
    if (q.qnorm) {
      rt.arena.u8(nc, q.rows).set(q.normCodes);
      rt.arena.f32(nt, q.normCodebook.length).set(q.normCodebook);
    }
    rt.kernels.pq_decode_f32(codes, q.rows, q.cols, q.dsub, q.ksub, cent, q.qnorm ? nc : 0, nt, out);
    return rt.arena.f32(out, n).slice();
  } finally {
    for (const p of ptrs) rt.arena.free(p);
  }
}
