import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { Layer, checkFinite, checkInt, fusedRelu, type LayerOptions } from './layer.js';
import { checkWeights, type LinearOptions } from './linear.js';

const f = Math.fround;

/**
 * XNOR-Net binary layer: weights sign(W) packed 64 to a word with α[n] = mean|W[n,:]|; each input row becomes
 * sign(x) with β = mean|x|; y = α·β·(K − 2·popcount(x ⊕ w)) + b (`pack_sign_b64_per_row`, `gemm_b1`).
 */
export class BinaryLinear extends Layer {
  readonly kind = 'binarylinear';
  readonly words: number;
  private relu = 0;
  private wb = 0;
  private alpha = 0;
  private bp = 0;
  private xb = 0;
  private beta = 0;

  private constructor(n: number, k: number, opts: LayerOptions) {
    super(k, n, opts);
    this.words = (k + 63) >> 6;
  }

  static fromFloat(weights: Float32Array | ArrayLike<number>, outFeatures: number, inFeatures: number, bias?: Float32Array | ArrayLike<number>, options: LinearOptions = {}): BinaryLinear {
    const [sn, sk] = checkWeights('BinaryLinear', weights, outFeatures, inFeatures, bias, options.layout);
    const relu = fusedRelu('BinaryLinear', options.activation);
    checkFinite('weights', weights);
    if (bias) checkFinite('bias', bias);
    const n = outFeatures, k = inFeatures;
    const words = (k + 63) >> 6;
    const bits = new Uint8Array(n * words * 8);
    const alpha = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const v = f(weights[r * sn + c * sk]);
        s += Math.abs(v);
        if (v >= 0) bits[r * words * 8 + (c >> 3)] |= 1 << (c & 7);
      }
      alpha[r] = s / k;
    }
    return BinaryLinear.fromBits(bits, alpha, n, k, bias ? Float32Array.from(bias) : undefined, { ...options, activation: relu ? 'relu' : 'none' });
  }

  /** From packed sign bits (row-major, ⌈k/64⌉·8 bytes per row, bit c&7 of byte c>>3 = element c) and α per row. */
  static fromBits(bits: Uint8Array, alpha: Float32Array, outFeatures: number, inFeatures: number, bias?: Float32Array, options: LinearOptions = {}): BinaryLinear {
    checkInt('outFeatures', outFeatures);
    checkInt('inFeatures', inFeatures);
    const bytes = outFeatures * ((inFeatures + 63) >> 6) * 8;
    if (!(bits instanceof Uint8Array) || bits.length !== bytes) throw new QuantextError('E_SHAPE', `BinaryLinear: bits has ${bits?.length} bytes, expected outFeatures × ⌈inFeatures/64⌉ × 8 = ${bytes}`);
    if (!(alpha instanceof Float32Array) || alpha.length !== outFeatures) throw new QuantextError('E_SHAPE', `BinaryLinear: alpha has ${alpha?.length} values, expected outFeatures = ${outFeatures}`);
    if (bias !== undefined && (!(bias instanceof Float32Array) || bias.length !== outFeatures)) throw new QuantextError('E_SHAPE', `BinaryLinear: bias has ${bias?.length} values, expected outFeatures = ${outFeatures}`);
    checkFinite('alpha', alpha);
    if (bias) checkFinite('bias', bias);
    // padding bits (elements ≥ inFeatures of each row's last word) must be 0, or they would count as disagreements
    const words = (inFeatures + 63) >> 6, tail = inFeatures & 63;
    if (tail) for (let r = 0; r < outFeatures; r++) {
      const last = (r * words + words - 1) * 8;
      for (let c = tail; c < 64; c++) if ((bits[last + (c >> 3)] >> (c & 7)) & 1) throw new QuantextError('E_SHAPE', `BinaryLinear: row ${r} has a set padding bit (element ${(words - 1) * 64 + c} ≥ inFeatures ${inFeatures})`, { row: r });
    }
    const l = new BinaryLinear(outFeatures, inFeatures, options);
    return l.filledBy(() => {
      l.relu = fusedRelu('BinaryLinear', options.activation);
      const n = outFeatures;
      l.wb = l.own(bits.length);
      l.alpha = l.own(n * 4);
      if (bias) l.bp = l.own(n * 4);
      const h = heap(l.rt);
      h.u8.set(bits, l.wb);
      h.f32.set(alpha, l.alpha >> 2);
      if (bias) h.f32.set(bias, l.bp >> 2);
      l.ensureIo(l.initialBatch, inFeatures);
    });
  }

  override reserve(batch: number): void {
    this.xb = this.scratch('xb', batch * this.words * 8);
    this.beta = this.scratch('beta', batch * 4);
  }

  run(x: number, y: number, batch: number): void {
    const k = this.inFeatures;
    this.k.pack_sign_b64_per_row(x, batch, k, this.words, this.xb, this.beta);
    this.k.gemm_b1(this.xb, batch, this.words, k, this.wb, this.outFeatures, this.alpha, this.beta, this.bp, this.relu, y);
  }

  describe() {
    const h = heap(this.rt);
    const n = this.outFeatures;
    const bias = this.bp ? h.f32.slice(this.bp >> 2, (this.bp >> 2) + n) : undefined;
    return {
      config: { kind: this.kind, inFeatures: this.inFeatures, outFeatures: n, activation: this.relu ? 'relu' : 'none', bias: !!bias },
      tensors: {
        weight_bits: h.u8.slice(this.wb, this.wb + n * this.words * 8),
        alpha: h.f32.slice(this.alpha >> 2, (this.alpha >> 2) + n),
        ...(bias ? { bias } : {}),
      },
    };
  }
}
