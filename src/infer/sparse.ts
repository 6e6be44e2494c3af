import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { Layer, checkFinite, fusedRelu, type LayerOptions } from './layer.js';
import { Linear, checkWeights, outIn, type LinearOptions } from './linear.js';

export type SparseFormat = 'csr' | 'bsr' | 'dense';

/** Outputs per BSR block (the panel width of the dense f32 kernel). */
export const BSR_BLOCK = 8;

export interface SparseLinearOptions extends LinearOptions {
  /** 1 = keep, per weight in the layout of `weights`; default: keep the nonzero weights. */
  mask?: ArrayLike<number | boolean>;
  /**
   * 'auto' (default): the three forms are built and timed at construction and the fastest kept. 'csr': compressed
   * sparse rows. 'bsr': blocks of 8 outputs × 1 input in the dense layer's panel layout (a block is stored when any of
   * its 8 weights is kept; prune in such blocks with `block: [8, 1]` in quantext/compress). 'dense': a Linear with
   * the pruned weights zero.
   */
  format?: SparseFormat | 'auto';
}

/**
 * A pruned (masked) linear layer. The mask is applied once at load; the weights are stored as CSR (`csr_gemm_f32`),
 * as 8×1 blocks (`bsr_gemm_f32`), or, when neither is faster, as a dense packed Linear with the pruned weights zero.
 * `format` says which was kept and `timings` what 'auto' measured (µs per batch-1 call); `blockDensity` is the
 * fraction of 8×1 blocks that hold a kept weight (what the BSR form's time follows).
 */
export class SparseLinear extends Layer {
  readonly kind = 'sparselinear';
  format: SparseFormat = 'csr';
  readonly nnz: number;
  /** blocks of 8 outputs × 1 input holding a kept weight ÷ all such blocks */
  blockDensity = 0;
  timings?: { csr: number; bsr: number; dense: number };
  private relu = 0;
  private indptr = 0;
  private indices = 0;
  private vals = 0;
  private bp = 0;
  private bptr = 0;
  private bidx = 0;
  private bw = 0;
  private dense?: Linear;

  private constructor(n: number, k: number, nnz: number, opts: LayerOptions) {
    super(k, n, opts);
    this.nnz = nnz;
  }

  get density(): number {
    return this.nnz / (this.inFeatures * this.outFeatures);
  }

  static fromFloat(weights: Float32Array | ArrayLike<number>, outFeatures: number, inFeatures: number, bias?: Float32Array | ArrayLike<number>, options: SparseLinearOptions = {}): SparseLinear {
    checkWeights('SparseLinear', weights, outFeatures, inFeatures, bias, options.layout);
    const relu = fusedRelu('SparseLinear', options.activation);
    checkFinite('weights', weights);
    if (bias) checkFinite('bias', bias);
    const fmt = options.format ?? 'auto';
    if (fmt !== 'auto' && fmt !== 'csr' && fmt !== 'bsr' && fmt !== 'dense') throw new QuantextError('E_OPTION', `SparseLinear: format must be 'auto', 'csr', 'bsr' or 'dense', got ${String(fmt)}`, { option: 'format' });
    const n = outFeatures, k = inFeatures;
    const w = outIn(weights, n, k, options.layout);
    if (options.mask !== undefined) {
      const m = options.mask;
      if (!m || m.length !== n * k) throw new QuantextError('E_SHAPE', `SparseLinear: mask has ${m?.length} values, expected ${n * k}`);
      const mo = outIn(Array.from(m, (v) => (v ? 1 : 0)), n, k, options.layout);
      for (let i = 0; i < w.length; i++) if (!mo[i]) w[i] = 0;
    }
    const indptr = new Int32Array(n + 1);
    let nnz = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) if (w[r * k + c] !== 0) nnz++;
      indptr[r + 1] = nnz;
    }
    const indices = new Int32Array(nnz), vals = new Float32Array(nnz);
    for (let r = 0, e = 0; r < n; r++) for (let c = 0; c < k; c++) if (w[r * k + c] !== 0) { indices[e] = c; vals[e++] = w[r * k + c]; }
    const bsr = bsrBlocks(w, n, k);
    const l = new SparseLinear(n, k, nnz, options);
    l.blockDensity = bsr.blocks / (Math.ceil(n / BSR_BLOCK) * k || 1);
    return l.filledBy(() => {
      l.relu = relu;
      const b = bias ? Float32Array.from(bias) : undefined;
      if (b) l.bp = l.own(n * 4);
      if (fmt === 'auto' || fmt === 'csr') {
        l.indptr = l.own((n + 1) * 4);
        l.indices = l.own(nnz * 4);
        l.vals = l.own(nnz * 4);
      }
      if (fmt === 'auto' || fmt === 'bsr') {
        l.bptr = l.own(bsr.ptr.length * 4);
        l.bidx = l.own(bsr.blocks * 4);
        l.bw = l.own(bsr.blocks * BSR_BLOCK * 4);
      }
      const h = heap(l.rt);
      if (b) h.f32.set(b, l.bp >> 2);
      if (l.indptr) {
        h.i32.set(indptr, l.indptr >> 2);
        h.i32.set(indices, l.indices >> 2);
        h.f32.set(vals, l.vals >> 2);
      }
      if (l.bptr) {
        h.i32.set(bsr.ptr, l.bptr >> 2);
        h.i32.set(bsr.idx, l.bidx >> 2);
        h.f32.set(bsr.w, l.bw >> 2);
      }
      if (fmt === 'auto' || fmt === 'dense') l.dense = Linear.fromFloat(w, n, k, b, { rt: l.rt, activation: relu ? 'relu' : 'none', maxBatch: options.maxBatch });
      l.ensureIo(l.initialBatch, k);
      if (fmt === 'auto') {
        const x = new Float32Array(k).map((_, i) => Math.sin(i)), out = new Float32Array(n);
        const time = (f: SparseFormat) => { l.format = f; return timeCall(() => l.forwardInto(x, out)); };
        const t = { csr: time('csr'), bsr: time('bsr'), dense: time('dense') };
        l.timings = t;
        l.format = t.csr <= t.bsr && t.csr <= t.dense ? 'csr' : t.bsr <= t.dense ? 'bsr' : 'dense';
        if (l.format !== 'dense') { l.dense!.dispose(); l.dense = undefined; }
        if (l.format !== 'csr') { for (const p of [l.indptr, l.indices, l.vals]) l.release(p); l.indptr = l.indices = l.vals = 0; }
        if (l.format !== 'bsr') { for (const p of [l.bptr, l.bidx, l.bw]) l.release(p); l.bptr = l.bidx = l.bw = 0; }
        if (l.format === 'dense' && l.bp) { l.release(l.bp); l.bp = 0; }
      } else l.format = fmt;
      if (fmt === 'dense' && l.bp) { l.release(l.bp); l.bp = 0; }
    });
  }

  override reserve(batch: number): void {
    this.dense?.reserve(batch);
  }

  run(x: number, y: number, batch: number, width: number): void {
    if (this.format === 'dense') this.dense!.run(x, y, batch);
    else if (this.format === 'bsr') this.k.bsr_gemm_f32(x, batch, width, this.bptr, this.bidx, this.bw, this.outFeatures, this.bp, this.relu, y);
    else this.k.csr_gemm_f32(this.indptr, this.indices, this.vals, this.outFeatures, x, batch, width, this.bp, this.relu, y);
  }

  /** The masked weights, out × in. */
  weights(): Float32Array {
    if (this.dense) return this.dense.weights();
    const n = this.outFeatures, k = this.inFeatures, h = heap(this.rt);
    const w = new Float32Array(n * k);
    if (this.format === 'bsr') {
      const bp = this.bptr >> 2, bi = this.bidx >> 2, bw = this.bw >> 2;
      for (let p = 0; p * BSR_BLOCK < n; p++) {
        for (let e = h.i32[bp + p]; e < h.i32[bp + p + 1]; e++) {
          for (let j = 0; j < BSR_BLOCK && p * BSR_BLOCK + j < n; j++) w[(p * BSR_BLOCK + j) * k + h.i32[bi + e]] = h.f32[bw + e * BSR_BLOCK + j];
        }
      }
      return w;
    }
    const ip = this.indptr >> 2, ix = this.indices >> 2, v = this.vals >> 2;
    for (let r = 0; r < n; r++) for (let e = h.i32[ip + r]; e < h.i32[ip + r + 1]; e++) w[r * k + h.i32[ix + e]] = h.f32[v + e];
    return w;
  }

  bias(): Float32Array | undefined {
    if (this.dense) return this.dense.bias();
    return this.bp ? heap(this.rt).f32.slice(this.bp >> 2, (this.bp >> 2) + this.outFeatures) : undefined;
  }

  override dispose(): void {
    this.dense?.dispose();
    super.dispose();
  }

  describe() {
    const b = this.bias();
    return {
      config: { kind: this.kind, inFeatures: this.inFeatures, outFeatures: this.outFeatures, activation: this.relu ? 'relu' : 'none', bias: !!b, format: this.format },
      tensors: { weight: this.weights(), ...(b ? { bias: b } : {}) },
    };
  }
}

/** The 8×1 blocks of w (out × in) that hold a nonzero: per panel of 8 outputs, its input columns in order. */
export function bsrBlocks(w: Float32Array, n: number, k: number): { ptr: Int32Array; idx: Int32Array; w: Float32Array; blocks: number } {
  const np = Math.ceil(n / BSR_BLOCK), ptr = new Int32Array(np + 1), cols: number[] = [];
  for (let p = 0; p < np; p++) {
    const r1 = Math.min(n, (p + 1) * BSR_BLOCK);
    for (let c = 0; c < k; c++) {
      for (let r = p * BSR_BLOCK; r < r1; r++) if (w[r * k + c] !== 0) { cols.push(c); break; }
    }
    ptr[p + 1] = cols.length;
  }
  const bw = new Float32Array(cols.length * BSR_BLOCK);
  for (let p = 0; p < np; p++) {
    for (let e = ptr[p]; e < ptr[p + 1]; e++) {
      for (let j = 0; j < BSR_BLOCK && p * BSR_BLOCK + j < n; j++) bw[e * BSR_BLOCK + j] = w[(p * BSR_BLOCK + j) * k + cols[e]];
    }
  }
  return { ptr, idx: Int32Array.from(cols), w: bw, blocks: cols.length };
}

/** Median µs of a few calls after a warm-up. */
function timeCall(fn: () => void): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    fn();
    fn();
    t.push((performance.now() - t0) * 500);
  }
  t.sort((a, b) => a - b);
  return t[3];
}
