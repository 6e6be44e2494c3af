import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { F32_PANEL, f32PanelBytes, f32TileScratchBytes, gemmF32 } from '../runtime/kernels/index.js';
import { Layer, checkFinite, checkInt, fusedRelu, type FusedActivation, type LayerOptions, type WeightLayout } from './layer.js';

export interface LinearOptions extends LayerOptions {
  layout?: WeightLayout;
  activation?: FusedActivation;
}

/** Checks fromFloat's arguments; returns [sn, sk], the element strides of the output and input axes of `weights`. */
export function checkWeights(cls: string, weights: ArrayLike<number>, outFeatures: number, inFeatures: number, bias: ArrayLike<number> | undefined, layout: WeightLayout | undefined): [number, number] {
  checkInt('outFeatures', outFeatures);
  checkInt('inFeatures', inFeatures);
  if (!weights || weights.length !== outFeatures * inFeatures) {
    throw new QuantextError('E_SHAPE', `${cls}: weights has ${weights?.length} values, expected outFeatures × inFeatures = ${outFeatures} × ${inFeatures}`);
  }
  if (bias !== undefined && bias !== null && bias.length !== outFeatures) {
    throw new QuantextError('E_SHAPE', `${cls}: bias has ${bias.length} values, expected outFeatures = ${outFeatures}`);
  }
  if (layout !== undefined && layout !== 'out-in' && layout !== 'in-out') {
    throw new QuantextError('E_OPTION', `${cls}: layout must be 'out-in' or 'in-out', got ${String(layout)}`, { option: 'layout' });
  }
  return layout === 'in-out' ? [1, outFeatures] : [inFeatures, 1];
}

/** Reads weights given in either layout as out-in Float32Array. */
export function outIn(weights: ArrayLike<number>, n: number, k: number, layout?: WeightLayout): Float32Array {
  const w = new Float32Array(n * k);
  if (layout === 'in-out') for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) w[r * k + c] = weights[c * n + r];
  else w.set(weights as ArrayLike<number>);
  return w;
}

/**
 * A float32 fully connected layer: y = x·Wᵀ + b (+ ReLU), batched. The weights are packed once at construction into
 * panels of 16 outputs (`pack_f32_panel16`) and multiplied by a register-blocked SIMD GEMM (`gemm_f32_packed`:
 * 4 rows × 8 outputs per tile over each half panel; leftover rows run its GEMV path over whole panels). Batch 1 runs
 * that GEMV (`gemv_f32_packed`) with the panel order reversed every other call: the same bits, and a repeated call
 * finds the weights the last one read last still in the core's cache.
 */
export class Linear extends Layer {
  readonly kind = 'linear';
  readonly relu: boolean;
  private wp = 0;
  private bp = 0;
  private xi = 0; // gemm_f32_tiles4's scratch (the row tiles interleaved; rt.f32Gemm 'tiles4' only), sized in reserve()
  private xiBytes = 0;
  private gemvRev = 0; // the panel order of the next batch-1 call (gemv_f32_packed's rev), flipped every call

  private constructor(n: number, k: number, relu: boolean, opts: LayerOptions) {
    super(k, n, opts);
    this.relu = relu;
  }

  static fromFloat(weights: Float32Array | ArrayLike<number>, outFeatures: number, inFeatures: number, bias?: Float32Array | ArrayLike<number>, options: LinearOptions = {}): Linear {
    const [sn, sk] = checkWeights('Linear', weights, outFeatures, inFeatures, bias, options.layout);
    const relu = fusedRelu('Linear', options.activation);
    checkFinite('weights', weights);
    if (bias) checkFinite('bias', bias);
    const l = new Linear(outFeatures, inFeatures, relu === 1, options);
    return l.filledBy(() => {
      const n = outFeatures, k = inFeatures;
      l.wp = l.own(f32PanelBytes(n, k));
      if (bias) l.bp = l.own(n * 4);
      const tmp = l.rt.arena.alloc(n * k * 4);
      try {
        heap(l.rt).f32.set(weights instanceof Float32Array ? weights : Float32Array.from(weights), tmp >> 2);
        if (bias) heap(l.rt).f32.set(bias, l.bp >> 2);
        l.k.pack_f32_panel16(tmp, n, k, sn, sk, l.wp);
      } finally {
        l.rt.arena.free(tmp);
      }
      l.ensureIo(l.initialBatch, k);
    });
  }

  run(x: number, y: number, batch: number): void {
    if (batch === 1) {
      // alternate the panel order call by call (the same bits): each call starts on the weights the last one read last
      this.k.gemv_f32_packed(x, this.inFeatures, this.wp, this.outFeatures, this.bp, this.relu ? 1 : 0, y, (this.gemvRev ^= 1));
      return;
    }
    if (this.rt.f32Gemm === 'tiles4' && f32TileScratchBytes(batch, this.inFeatures) > this.xiBytes) throw new QuantextError('E_SHAPE', `Linear.run: ${batch} rows without reserve(${batch}) first`);
    gemmF32(this.rt, x, batch, this.inFeatures, this.wp, this.outFeatures, this.bp, this.relu ? 1 : 0, y, this.xi);
  }

  override reserve(batch: number): void {
    // the GEMM's rows interleaved in tiles of 4 (none below 4 rows)
    const b = this.rt.f32Gemm === 'tiles4' ? f32TileScratchBytes(batch, this.inFeatures) : 0;
    if (b > this.xiBytes) {
      this.xi = this.scratch('xi', b);
      this.xiBytes = b;
    }
  }

  /** A copy of W, out × in. */
  weights(): Float32Array {
    this.alive();
    const n = this.outFeatures, k = this.inFeatures;
    const w = new Float32Array(n * k);
    const h = heap(this.rt).f32, base = this.wp >> 2;
    for (let r = 0; r < n; r++) {
      const pb = base + Math.floor(r / F32_PANEL) * k * F32_PANEL + (r % F32_PANEL);
      for (let c = 0; c < k; c++) w[r * k + c] = h[pb + c * F32_PANEL];
    }
    return w;
  }

  /** A copy of the bias, or undefined. */
  bias(): Float32Array | undefined {
    this.alive();
    return this.bp ? heap(this.rt).f32.slice(this.bp >> 2, (this.bp >> 2) + this.outFeatures) : undefined;
  }

  describe() {
    const b = this.bias();
    return {
      config: { kind: this.kind, inFeatures: this.inFeatures, outFeatures: this.outFeatures, activation: this.relu ? 'relu' : 'none', bias: !!b },
      tensors: { weight: this.weights(), ...(b ? { bias: b } : {}) },
    };
  }
}

