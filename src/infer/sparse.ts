import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { Layer, checkFinite, fusedRelu, type LayerOptions } from './layer.js';
import { Linear, checkWeights, outIn, type LinearOptions } from './linear.js';

export interface SparseLinearOptions extends LinearOptions {
  /** 1 = keep, per weight in the layout of `weights`; default: keep the nonzero weights. */
  mask?: ArrayLike<number | boolean>;
  /** 'auto' (default): both forms are built and timed at construction and the faster one kept. */
  format?: 'auto' | 'csr' | 'dense';
}

/**
 * A pruned (masked) linear layer. The mask is applied once at load; the weights are stored as CSR (`csr_gemm_f32`)
 * or, when that is not faster, as a dense packed Linear with the pruned weights zero. `format` says which was kept
 * and `timings` what 'auto' measured (µs per batch-1 call).
 */
export class SparseLinear extends Layer {
  readonly kind = 'sparselinear';
  format: 'csr' | 'dense' = 'csr';
  readonly nnz: number;
  timings?: { csr: number; dense: number };
  private relu = 0;
  private indptr = 0;
  private indices = 0;
  private vals = 0;
  private bp = 0;
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
    if (fmt !== 'auto' && fmt !== 'csr' && fmt !== 'dense') throw new QuantextError('E_OPTION', `SparseLinear: format must be 'auto', 'csr' or 'dense', got ${String(fmt)}`, { option: 'format' });
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
    const l = new SparseLinear(n, k, nnz, options);
    return l.filledBy(() => {
      l.relu = relu;
      const b = bias ? Float32Array.from(bias) : undefined;
      if (fmt !== 'dense') {
        l.indptr = l.own((n + 1) * 4);
        l.indices = l.own(nnz * 4);
        l.vals = l.own(nnz * 4);
        if (b) l.bp = l.own(n * 4);
        const h = heap(l.rt);
        h.i32.set(indptr, l.indptr >> 2);
        h.i32.set(indices, l.indices >> 2);
        h.f32.set(vals, l.vals >> 2);
        if (b) h.f32.set(b, l.bp >> 2);
      }
      if (fmt !== 'csr') l.dense = Linear.fromFloat(w, n, k, b, { rt: l.rt, activation: relu ? 'relu' : 'none', maxBatch: options.maxBatch });
      l.ensureIo(l.initialBatch, k);
      if (fmt === 'auto') {
        const x = new Float32Array(k).map((_, i) => Math.sin(i)), out = new Float32Array(n);
        l.format = 'csr';
        const tc = timeCall(() => l.forwardInto(x, out));
        l.format = 'dense';
        const td = timeCall(() => l.forwardInto(x, out));
        l.timings = { csr: tc, dense: td };
        l.format = tc < td ? 'csr' : 'dense';
        if (l.format === 'csr') { l.dense!.dispose(); l.dense = undefined; }
        else for (const p of [l.indptr, l.indices, l.vals, l.bp]) if (p) l.release(p);
      } else l.format = fmt;
    });
  }

  run(x: number, y: number, batch: number, width: number): void {
    if (this.format === 'dense') this.dense!.run(x, y, batch);
    else this.k.csr_gemm_f32(this.indptr, this.indices, this.vals, this.outFeatures, x, batch, width, this.bp, this.relu, y);
  }

  /** The masked weights, out × in. */
  weights(): Float32Array {
    if (this.dense) return this.dense.weights();
    const n = this.outFeatures, k = this.inFeatures, h = heap(this.rt);
    const w = new Float32Array(n * k);
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
