import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { F16Matrix } from '../vectors/tables/f16.js';
import { AffineTable } from '../vectors/tables/affine.js';
import { BinaryMatrix } from '../vectors/tables/binary.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import { heap } from './kernels.js';

export interface EmbeddingBagOptions {
  /** 'mean' (default) or 'sum'. Per-sample weights go with 'sum' (as in PyTorch). */
  mode?: 'mean' | 'sum';
}

/** The bag kernels of assembly/infer/bag.ts (pointers are byte addresses; 0 = none). */
export interface BagKernels {
  bag_f32_gather(mat: number, stride: number, dim: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, out: number): void;
  bag_f32_gather_scalar(mat: number, stride: number, dim: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, out: number): void;
  bag_f16_gather(codes: number, dim: number, bf: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_f16_gather_scalar(codes: number, dim: number, bf: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_int_gather(bits: number, codes: number, rowBytes: number, dim: number, scales: number, zps: number, perRow: number, center: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_int_gather_scalar(bits: number, codes: number, rowBytes: number, dim: number, scales: number, zps: number, perRow: number, center: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_b1_gather(bits: number, strideBits: number, dim: number, alphas: number, perRow: number, center: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_b1_gather_scalar(bits: number, strideBits: number, dim: number, alphas: number, perRow: number, center: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_pq_gather(codes: number, nsub: number, dsub: number, ksub: number, codebook: number, normCodes: number, normCodebook: number, dim: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_pq_gather_scalar(codes: number, nsub: number, dsub: number, ksub: number, codebook: number, normCodes: number, normCodebook: number, dim: number, idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number): void;
  bag_text_rows(text: number, toffs: number, ndocs: number, tab: number, mask: number, nwords: number, buckets: number, nb: number, bucket: number, minn: number, maxn: number, wordNgrams: number, hashes: number, rows: number, rcap: number, roffs: number): number;
}

export function bagKernels(rt: Runtime): BagKernels {
  return rt.kernels as unknown as BagKernels;
}

/** Runs a table's bag kernel: (idx, offs, nbags, n, w, mean, tmp, out) → out (all wasm pointers). */
type BagRun = (idx: number, offs: number, nbags: number, n: number, w: number, mean: number, tmp: number, out: number) => void;

/**
 * The one-call bag kernel of a table (assembly/infer/bag.ts), or undefined for a Matrix it does not know (then
 * EmbeddingBag adds rows with the table's own addRowTo). `scalar` picks the kernels' non-SIMD twins (tests).
 */
export function bagKernelFor(t: Matrix, scalar = false): BagRun | undefined {
  const k = bagKernels(t.rt);
  const d = t.cols;
  if (t instanceof DenseMatrix) {
    const f = scalar ? k.bag_f32_gather_scalar : k.bag_f32_gather;
    return (idx, offs, nb, n, w, mean, _tmp, out) => f(t.ptr, t.stride, d, idx, offs, nb, n, w, mean, out);
  }
  if (t instanceof F16Matrix) {
    const f = scalar ? k.bag_f16_gather_scalar : k.bag_f16_gather;
    const bf = t.dtype === 'bf16' ? 1 : 0;
    return (idx, offs, nb, n, w, mean, tmp, out) => f(t.codesPtr, d, bf, idx, offs, nb, n, w, mean, tmp, out);
  }
  if (t instanceof AffineTable && (t.dtype === 'int8' || t.dtype === 'int4' || t.dtype === 'int2')) {
    // int2 tables keep one int8 code per value (rowBytes = cols): the int8 path decodes them
    const f = scalar ? k.bag_int_gather_scalar : k.bag_int_gather;
    const bits = t.dtype === 'int4' ? 4 : 8;
    return (idx, offs, nb, n, w, mean, tmp, out) => f(bits, t.codesPtr, t.rowBytes, d, t.scalesPtr, t.zpsPtr, t.perRow ? 1 : 0, t.centerPtr, idx, offs, nb, n, w, mean, tmp, out);
  }
  if (t instanceof BinaryMatrix) {
    const f = scalar ? k.bag_b1_gather_scalar : k.bag_b1_gather;
    return (idx, offs, nb, n, w, mean, tmp, out) => f(t.codesPtr, t.strideBits, d, t.alphasPtr, t.perRow ? 1 : 0, t.centerPtr, idx, offs, nb, n, w, mean, tmp, out);
  }
  if (t instanceof PQMatrix) {
    const f = scalar ? k.bag_pq_gather_scalar : k.bag_pq_gather;
    return (idx, offs, nb, n, w, mean, tmp, out) => f(t.codesPtr, t.nsub, t.dsub, t.ksub, t.codebookPtr, t.qnorm ? t.normCodesPtr : 0, t.qnorm ? t.normCodebookPtr : 0, d, idx, offs, nb, n, w, mean, tmp, out);
  }
  return undefined;
}

/**
 * PyTorch's EmbeddingBag over any table behind the Matrix interface (f32, f16, bf16, int8, int4, int2, binary, PQ):
 * every bag's rows are decoded and accumulated in wasm, all bags in ONE kernel call (assembly/infer/bag.ts), so a
 * quantized table is never copied to float and no JavaScript runs per row. Sums and means are those of adding the
 * decoded rows in index order in float32 (a weighted sum: acc + w·x in float64, rounded), on SIMD and scalar builds
 * alike. The table stays owned by the caller; the bag owns its scratch (dispose() frees it; a forgotten bag is
 * freed by the garbage collector).
 */
export class EmbeddingBag extends WasmOwned {
  readonly kind = 'embeddingbag';
  readonly table: Matrix;
  readonly mode: 'mean' | 'sum';
  private readonly run: BagRun | undefined;
  private buf = 0;
  private bufBytes = 0;

  constructor(table: Matrix, options: EmbeddingBagOptions = {}) {
    if (!table || typeof table.addRowTo !== 'function') throw new QuantextError('E_OPTION', 'EmbeddingBag: table must be a Matrix (a quantext table)');
    const mode = options.mode ?? 'mean';
    if (mode !== 'mean' && mode !== 'sum') throw new QuantextError('E_OPTION', `EmbeddingBag: mode must be 'mean' or 'sum', got ${String(mode)}`, { option: 'mode' });
    super(table.rt);
    this.table = table;
    this.mode = mode;
    this.run = bagKernelFor(table);
  }

  get outFeatures(): number {
    return this.table.cols;
  }

  /** Number of bags: offsets.length (one bag when offsets is omitted). */
  forward(indices: ArrayLike<number>, offsets?: ArrayLike<number>, perSampleWeights?: ArrayLike<number>): Float32Array {
    const bags = offsets ? offsets.length : 1;
    return this.forwardInto(indices, offsets, new Float32Array(bags * this.table.cols), perSampleWeights);
  }

  forwardInto(indices: ArrayLike<number>, offsets: ArrayLike<number> | undefined, out: Float32Array, perSampleWeights?: ArrayLike<number>): Float32Array {
    this.alive();
    const t = this.table, d = t.cols, n = indices?.length ?? -1;
    if (n < 0) throw new QuantextError('E_SHAPE', 'EmbeddingBag: indices must be an array of row numbers');
    const bags = offsets ? offsets.length : 1;
    if (!(out instanceof Float32Array) || out.length < bags * d) throw new QuantextError('E_SHAPE', `EmbeddingBag: out must be a Float32Array of ≥ ${bags * d} values`);
    if (perSampleWeights !== undefined) {
      if (this.mode !== 'sum') throw new QuantextError('E_OPTION', "EmbeddingBag: perSampleWeights need mode 'sum' (as in PyTorch)", { option: 'perSampleWeights' });
      if (perSampleWeights.length !== n) throw new QuantextError('E_SHAPE', `EmbeddingBag: ${perSampleWeights.length} weights for ${n} indices`);
      for (let i = 0; i < n; i++) if (!Number.isFinite(perSampleWeights[i])) throw new QuantextError('E_NAN', `EmbeddingBag: weight ${i} is ${perSampleWeights[i]}`, { index: i });
    }
    for (let i = 0; i < n; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= t.rows) throw new QuantextError('E_SHAPE', `EmbeddingBag: index ${r} at ${i} is not a row of the ${t.rows}-row table`, { index: i });
    }
    for (let b = 0; b < bags; b++) {
      const s = offsets ? offsets[b] : 0, e = offsets && b + 1 < bags ? offsets[b + 1] : n;
      if (!Number.isInteger(s) || s < 0 || e < s || e > n) throw new QuantextError('E_SHAPE', `EmbeddingBag: offsets must be non-decreasing integers within [0, ${n}] starting the bags (bag ${b}: ${s}..${e})`);
    }
    if ((t as Partial<WasmOwned>).isDisposed) throw new QuantextError('E_DISPOSED', `EmbeddingBag: its ${t.constructor.name} was disposed`);
    if (!this.run) {
      for (let b = 0; b < bags; b++) {
        const s = offsets ? offsets[b] : 0, e = offsets && b + 1 < bags ? offsets[b + 1] : n;
        const o = out.subarray(b * d, (b + 1) * d);
        o.fill(0);
        for (let i = s; i < e; i++) t.addRowTo(indices[i], o, perSampleWeights ? perSampleWeights[i] : 1);
        if (this.mode === 'mean' && e > s) {
          const inv = 1 / (e - s);
          for (let c = 0; c < d; c++) o[c] = Math.fround(o[c] * inv);
        }
      }
      return out;
    }
    // scratch: idx (n i32), offs (bags i32), weights (n f64), tmp (d f32), out (bags·d f32)
    const wOff = align8(4 * (n + bags)), tmpOff = wOff + (perSampleWeights ? 8 * n : 0), outOff = tmpOff + 4 * d + 16;
    const p = this.scratch(outOff + 4 * bags * d);
    const h = heap(this.rt);
    for (let i = 0; i < n; i++) h.i32[(p >> 2) + i] = indices[i];
    if (offsets) for (let b = 0; b < bags; b++) h.i32[(p >> 2) + n + b] = offsets[b];
    if (perSampleWeights) new Float64Array(h.buf, p + wOff, n).set(perSampleWeights);
    this.run(p, offsets ? p + 4 * n : 0, bags, n, perSampleWeights ? p + wOff : 0, this.mode === 'mean' ? 1 : 0, p + tmpOff, p + outOff);
    out.set(heap(this.rt).f32.subarray((p + outOff) >> 2, ((p + outOff) >> 2) + bags * d));
    return out;
  }

  /**
   * The bags of lists already in wasm memory (this runtime's): idx i32[n] (NOT checked: they must be rows of the
   * table), offs i32[nbags] bag starts (or 0: one bag), weights f64[n] (or 0; mode 'sum'), out f32[nbags·cols].
   * One kernel call; allocates only when its scratch must grow (before the call).
   */
  forwardPtr(idx: number, n: number, offs: number, nbags: number, out: number, weights = 0): void {
    this.alive();
    const t = this.table, d = t.cols;
    if (!this.run) {
      const o = new Float32Array(d);
      for (let b = 0; b < (offs ? nbags : 1); b++) {
        const i32 = heap(this.rt).i32;
        const s = offs ? i32[(offs >> 2) + b] : 0, e = offs && b + 1 < nbags ? i32[(offs >> 2) + b + 1] : n;
        o.fill(0);
        for (let i = s; i < e; i++) t.addRowTo(heap(this.rt).i32[(idx >> 2) + i], o, weights ? new Float64Array(heap(this.rt).buf, weights + 8 * i, 1)[0] : 1);
        if (this.mode === 'mean' && e > s) {
          const inv = 1 / (e - s);
          for (let c = 0; c < d; c++) o[c] = Math.fround(o[c] * inv);
        }
        heap(this.rt).f32.set(o, (out >> 2) + b * d);
      }
      return;
    }
    const tmp = this.scratch(4 * d + 16);
    this.run(idx, offs, nbags, n, weights, this.mode === 'mean' ? 1 : 0, tmp, out);
  }

  /** The bag's scratch of ≥ bytes (grown here, before any view is taken). */
  private scratch(bytes: number): number {
    if (bytes > this.bufBytes) {
      if (this.buf) this.release(this.buf);
      this.bufBytes = Math.max(bytes, 2 * this.bufBytes, 256);
      this.buf = this.own(this.bufBytes);
    }
    return this.buf;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
