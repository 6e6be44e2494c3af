/**
 * Small layers of the node patterns onnxruntime's quantize_static writes (the ONNX importer, quantext/onnx, builds
 * them): a per-feature bias (the float Add after a requantized output in the QDQ layout), QLinearMatMul with its
 * DequantizeLinear (an Int8Linear with uint8/int8 output, dequantized), and a QuantizeLinear → DequantizeLinear pair.
 * They plug into Sequential like any layer (run over wasm memory, no allocation once reserved). They live in the core
 * (not in src/onnx) so that Sequential.load() rebuilds a saved import without the ONNX entry; their configs carry every
 * scale, zero point and range they need (kinds 'onnx-bias', 'onnx-qlinearmatmul', 'onnx-quantize-dequantize').
 */
import { QuantextError } from '../errors.js';
import { Layer, checkFinite, type LayerOptions } from './layer.js';
import { Int8Linear, type Int8QuantizedSpec } from './int8.js';
import { heap } from './kernels.js';
import { intRange } from './qlinear.js';

const fr = Math.fround;

function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** y[m, j] = fround(x[m, j] + b[j]). */
export class OnnxBias extends Layer {
  readonly kind = 'onnx-bias';
  private readonly b: Float32Array;
  constructor(b: Float32Array, options: LayerOptions = {}) {
    if (!(b instanceof Float32Array) || b.length === 0) throw new QuantextError('E_OPTION', 'OnnxBias: b must be a non-empty Float32Array');
    checkFinite('bias', b);
    super(b.length, b.length, options);
    this.b = b.slice();
  }
  run(x: number, y: number, batch: number, width: number): void {
    const h = heap(this.rt).f32;
    const xo = x >> 2, yo = y >> 2, b = this.b;
    for (let m = 0; m < batch; m++) {
      const r = m * width;
      for (let j = 0; j < width; j++) h[yo + r + j] = fr(h[xo + r + j] + b[j]);
    }
  }
  describe() {
    return { config: { kind: this.kind, features: this.inFeatures }, tensors: { bias: this.b.slice() } };
  }
}

/**
 * QLinearMatMul followed by DequantizeLinear with the same parameters: an Int8Linear with uint8/int8 output (onnxruntime's
 * requantization, bit-exact), whose codes y_q are returned as fround(fround(y_q − zp) · scale).
 */
export class OnnxQLinearMatMul extends Layer {
  readonly kind = 'onnx-qlinearmatmul';
  private readonly inner: Int8Linear;
  private readonly scale: number;
  private readonly zp: number;
  private codes: Uint8Array | Int8Array;
  private cap = 0;
  constructor(spec: Int8QuantizedSpec) {
    const o = spec.output;
    if (o.mode !== 'uint8' && o.mode !== 'int8') throw new QuantextError('E_OPTION', 'OnnxQLinearMatMul: output mode must be uint8 or int8');
    super(spec.inFeatures, spec.outFeatures, spec);
    this.inner = Int8Linear.fromQuantized(spec);
    this.scale = fr(o.scale);
    this.zp = o.zeroPoint;
    this.codes = o.mode === 'uint8' ? new Uint8Array(0) : new Int8Array(0);
  }
  override reserve(batch: number): void {
    if (batch > this.cap) {
      // runs the inner layer once on zeros so that its scratch is allocated here, never during run()
      this.inner.forwardInt(new Float32Array(batch * this.inFeatures), batch);
      this.codes = this.codes instanceof Uint8Array ? new Uint8Array(batch * this.outFeatures) : new Int8Array(batch * this.outFeatures);
      this.cap = batch;
    }
  }
  run(x: number, y: number, batch: number): void {
    const k = this.inFeatures, n = this.outFeatures;
    const xin = heap(this.rt).f32.subarray(x >> 2, (x >> 2) + batch * k);
    this.inner.forwardInt(xin, batch, this.codes);
    const h = heap(this.rt).f32;
    const yo = y >> 2, q = this.codes, zp = this.zp, s = this.scale;
    for (let i = 0; i < batch * n; i++) h[yo + i] = fr(fr(q[i] - zp) * s);
  }
  override dispose(): void {
    if (!this.isDisposed) this.inner.dispose();
    super.dispose();
  }
  describe() {
    const d = this.inner.describe();
    return { config: { ...d.config, kind: this.kind, dequantize: true }, tensors: d.tensors };
  }
}

/** QuantizeLinear → DequantizeLinear with one (scale, zero point): y = fround(fround(sat(roundEven(fround(x / s)) + zp) − zp) · s). */
export class OnnxQuantizeDequantize extends Layer {
  readonly kind = 'onnx-quantize-dequantize';
  private readonly s: number;
  private readonly zp: number;
  private readonly lo: number;
  private readonly hi: number;
  constructor(o: LayerOptions & { scale: number; zeroPoint: number; type: 'uint8' | 'int8' }) {
    const [lo, hi] = intRange(o?.type);
    if (typeof o.scale !== 'number' || !(o.scale > 0) || !Number.isFinite(o.scale) || !(fr(o.scale) > 0)) throw new QuantextError('E_OPTION', `OnnxQuantizeDequantize: scale must be a positive finite number, got ${String(o.scale)}`, { option: 'scale' });
    if (!Number.isInteger(o.zeroPoint) || o.zeroPoint < lo || o.zeroPoint > hi) throw new QuantextError('E_OPTION', `OnnxQuantizeDequantize: zeroPoint must be an integer in [${lo}, ${hi}], got ${String(o.zeroPoint)}`, { option: 'zeroPoint' });
    super(0, 0, o);
    this.s = fr(o.scale);
    this.zp = o.zeroPoint;
    [this.lo, this.hi] = o.type === 'uint8' ? [0, 255] : [-128, 127];
  }
  run(x: number, y: number, batch: number, width: number): void {
    const h = heap(this.rt).f32;
    const xo = x >> 2, yo = y >> 2, { s, zp, lo, hi } = this;
    for (let i = 0; i < batch * width; i++) {
      const q = Math.min(hi, Math.max(lo, roundEven(fr(h[xo + i] / s)) + zp));
      h[yo + i] = fr(fr(q - zp) * s);
    }
  }
  describe() {
    return { config: { kind: this.kind, scale: this.s, zeroPoint: this.zp, range: [this.lo, this.hi] }, tensors: {} };
  }
}
