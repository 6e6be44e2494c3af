import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { Layer, checkFinite, checkInt, fusedRelu, roundEven, type FusedActivation, type LayerOptions, type WeightLayout } from './layer.js';
import { checkWeights } from './linear.js';
import { dynamicQuantizeParams, intRange } from './qlinear.js';

const f = Math.fround;

/**
 * Batches of at least this many rows use the broadcast kernel over int16 weight pairs (`gemm_i16_pairs`, 4 rows × 8
 * outputs per tile); smaller ones the int8 dot kernel (`gemm_i8_packed`), which reads half the weight bytes — what
 * counts at batch 1, where the product is bound by memory. The pair layout (2 bytes per weight) is packed on the first
 * such batch and kept. Measured on the bench shapes (interleaved A/B, loaded 2-core machine): pairs ≈ 1.4× dot at 32×768×768.
 */
export const GEMM_MIN_BATCH = 8;

/** The int8 × 7-bit kernels (assembly/infer/gemm_i7.ts); relaxed SIMD in the simd-relaxed builds, scalar elsewhere. */
interface I7Kernels {
  pack_i7_panel4(w: number, n: number, k: number, sn: number, sk: number, flip: number, kp: number, off: number, out: number): void;
  narrow_i16_i8_per_row(xq: number, m: number, k: number, kp: number, add: number, kpo: number, out: number, rowsum: number): void;
  gemm_i8_i7(xq: number, m: number, kp: number, wp: number, n: number, rx: number, z: number, t: number, d: number, fused: number, acc: number): void;
  quantize_i8_sym_per_row(x: number, m: number, k: number, kp: number, out: number, scales: number, rowsum: number): number;
  quantize_i8_affine(x: number, m: number, k: number, kp: number, scale: number, zp: number, lo: number, hi: number, sub: number, out: number, rowsum: number): void;
}

/**
 * Per output row j, the shift that moves its effective int8 weights (uint8 ones minus 128) into [0, 127]: −min_j, or
 * undefined when some row spans more than 127 (then only the int8 × int16 kernels are exact).
 */
export function sevenBitOffsets(w: Int8Array | Uint8Array, n: number, k: number, layout: WeightLayout): Int32Array | undefined {
  const [sn, sk] = layout === 'in-out' ? [1, n] : [k, 1];
  const flip = w instanceof Uint8Array ? 128 : 0;
  const off = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let lo = 255, hi = -255;
    for (let c = 0; c < k; c++) {
      const v = w[j * sn + c * sk] - flip;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (k > 0 && hi - lo > 127) return undefined;
    off[j] = k > 0 ? -lo : 0;
  }
  return off;
}

export interface Int8LinearOptions extends LayerOptions {
  layout?: WeightLayout;
  activation?: FusedActivation;
  /** 'dynamic' (default): each batch row quantized with its own scale; 'static': one calibrated `inputScale`. */
  activations?: 'dynamic' | 'static';
  inputScale?: number;
  /** 'f32' (default) or 'int8' (then `outputScale`; forwardInt returns the int8 codes). */
  output?: 'f32' | 'int8';
  outputScale?: number;
  /**
   * 7-bit weights: quantize each output row to [−63, 63] (scale max|w| / 63) instead of [−127, 127], as onnxruntime's
   * quantize_dynamic does with reduce_range. Such a layer runs the relaxed-SIMD int8 kernel on the simd-relaxed build
   * (about twice the multiply-adds per instruction); every build gives the same bits. Default false.
   */
  reduceRange?: boolean;
}

/** How float inputs become integers (see docs in notes/infer-api.md). */
export type Int8InputSpec =
  | { mode: 'dynamic-uint8' }
  | { mode: 'dynamic-int8-per-row' }
  | { mode: 'static'; type: 'uint8' | 'int8'; scale: number; zeroPoint: number };

export type Int8OutputSpec =
  | { mode: 'int32' }
  | { mode: 'f32'; bias?: Float32Array; relu?: boolean }
  | { mode: 'uint8' | 'int8'; scale: number; zeroPoint: number };

/** Already-quantized weights, laid out as onnxruntime's integer ops take them. */
export interface Int8QuantizedSpec extends LayerOptions {
  outFeatures: number;
  inFeatures: number;
  weights: Int8Array | Uint8Array;
  /** 'in-out' (default) = ONNX B [K × N]; 'out-in' = [N × K]. */
  layout?: WeightLayout;
  weightZeroPoint?: number | ArrayLike<number>;
  weightScale?: number | ArrayLike<number>;
  input: Int8InputSpec;
  output: Int8OutputSpec;
  /** Own-scheme int8 output: y_q = sat_i8(roundEven(y / outputScale)) after the f32 epilogue. */
  outputScale?: number;
}

function perColumn(name: string, v: number | ArrayLike<number> | undefined, n: number, dflt: number): number[] {
  if (v === undefined) return new Array(n).fill(dflt);
  if (typeof v === 'number') return new Array(n).fill(v);
  if (v.length === 1) return new Array(n).fill(v[0]);
  if (v.length !== n) throw new QuantextError('E_SHAPE', `Int8Linear: ${name} has ${v.length} values, expected 1 or outFeatures = ${n}`);
  return Array.from(v);
}

/**
 * An int8 fully connected layer with int32 accumulation. Weights are int8 (symmetric per output row from
 * `fromFloat`, or any int8/uint8 with zero points from `fromQuantized`), packed once into panels of 4 outputs × 8
 * inputs (`pack_i8_panel4`); activations are quantized on the fly to int16 lanes (`quantize_i16_*`), multiplied with
 * `i32x4.dot_i16x8_s` (`gemm_i8_packed`), then one fused epilogue applies zero-point corrections, scales, bias and
 * ReLU (f32 output), requantizes (int8/uint8 output, QLinearMatMul) or returns the int32 sums (MatMulInteger).
 * Integer results equal a plain integer reference exactly, on SIMD and scalar builds.
 */
export class Int8Linear extends Layer {
  readonly kind = 'int8linear';
  readonly kp: number;
  readonly n4: number;
  /** How inputs are quantized. */
  readonly input: Int8InputSpec;
  /** What the layer outputs. */
  readonly output: Int8OutputSpec;
  /** For own-scheme int8 output (fromFloat with output 'int8'). */
  readonly outputScale: number | undefined;
  /** The scale and zero point the last call quantized its input with (dynamic modes: of the last row for per-row). */
  lastInputScale = NaN;
  lastInputZeroPoint = 0;
  private wp = 0;
  private wp16 = 0; // the int16 pair layout for batches ≥ GEMM_MIN_BATCH, built on first such batch
  private gemvRev = 0; // the panel order of the next batch-1 call (gemv_i8_packed's rev), flipped every call
  private accStride = 0;
  private wzp = 0; // i32 per column (effective, after the uint8 flip), 0 when all zero
  private ws = 0; // f32 per column
  private bp = 0;
  private relu = 0;
  private mult = 0; // f32 per column (requantization multipliers)
  private xs = 0; // f32 per row (input scales)
  private xq = 0;
  private xa = 0; // xq interleaved in tiles of 4 rows, each k pair broadcast (gemm_i16_pairs' input)
  private acc = 0;
  private rs = 0;
  private mm = 0;
  private oi = 0; // integer output scratch
  // the int8 × 7-bit path (simd-relaxed builds, weights spanning ≤ 127 per row): weights + off[j] ∈ [0, 127] packed
  // by pack_i7_panel4, z[j] = off[j] + weight zero point, t[j] = Σ_c W'[j][c] − z[j]·k (both n4 int32), int8 inputs
  private wp7 = 0;
  private z7 = 0;
  private t7 = 0;
  private xq8 = 0;
  private rx = 0;
  private q8 = false; // quantizeInput wrote the int8 codes and their row sums (xq8, rx) itself
  private xaReady = false; // quantizeInput wrote the pair kernel's interleaved tiles (xa) itself, not xq
  private useRs = 0; // the rowsum pointer the epilogues subtract with (0 when the kernel corrected already)
  /** Rows of int8 inputs (16-aligned) on the int8 × 7-bit path. */
  private kp16: number;
  private weightInfo!: { q: Int8Array | Uint8Array; type: 'int8' | 'uint8'; zp: number[]; scale: number[]; layout: WeightLayout };

  private constructor(spec: Int8QuantizedSpec) {
    super(spec.inFeatures, spec.outFeatures, spec);
    this.kp = (spec.inFeatures + 7) & ~7;
    this.kp16 = (spec.inFeatures + 15) & ~15;
    this.n4 = (spec.outFeatures + 3) & ~3;
    this.input = spec.input;
    this.output = spec.output;
    this.outputScale = spec.outputScale;
  }

  /** Quantizes float weights per output row (symmetric int8) and builds the layer (own scheme, see notes/infer-api.md). */
  static fromFloat(weights: Float32Array | ArrayLike<number>, outFeatures: number, inFeatures: number, bias?: Float32Array | ArrayLike<number>, options: Int8LinearOptions = {}): Int8Linear {
    const [sn, sk] = checkWeights('Int8Linear', weights, outFeatures, inFeatures, bias, options.layout);
    const relu = fusedRelu('Int8Linear', options.activation);
    checkFinite('weights', weights);
    if (bias) checkFinite('bias', bias);
    const n = outFeatures, k = inFeatures;
    const rr = options.reduceRange ?? false;
    if (typeof rr !== 'boolean') throw new QuantextError('E_OPTION', `Int8Linear: reduceRange must be true or false, got ${String(rr)}`, { option: 'reduceRange' });
    const qmax = rr ? 63 : 127;
    const q = new Int8Array(n * k);
    const scales = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let mx = 0;
      for (let c = 0; c < k; c++) mx = Math.max(mx, Math.abs(f(weights[r * sn + c * sk])));
      const s = mx === 0 ? 1 : f(mx / qmax);
      scales[r] = s;
      for (let c = 0; c < k; c++) q[r * k + c] = Math.max(-qmax, Math.min(qmax, roundEven(f(f(weights[r * sn + c * sk]) / s))));
    }
    const act = options.activations ?? 'dynamic';
    let input: Int8InputSpec;
    if (act === 'dynamic') input = { mode: 'dynamic-int8-per-row' };
    else if (act === 'static') {
      const s = options.inputScale;
      if (typeof s !== 'number' || !(s > 0) || !Number.isFinite(s)) throw new QuantextError('E_OPTION', `Int8Linear: activations 'static' needs a positive inputScale, got ${String(s)}`, { option: 'inputScale' });
      input = { mode: 'static', type: 'int8', scale: s, zeroPoint: 0 };
    } else throw new QuantextError('E_OPTION', `Int8Linear: activations must be 'dynamic' or 'static', got ${String(act)}`, { option: 'activations' });
    const out = options.output ?? 'f32';
    if (out !== 'f32' && out !== 'int8') throw new QuantextError('E_OPTION', `Int8Linear: output must be 'f32' or 'int8', got ${String(out)}`, { option: 'output' });
    if (out === 'int8' && !(typeof options.outputScale === 'number' && options.outputScale > 0 && Number.isFinite(options.outputScale))) {
      throw new QuantextError('E_OPTION', `Int8Linear: output 'int8' needs a positive outputScale`, { option: 'outputScale' });
    }
    return Int8Linear.fromQuantized({
      rt: options.rt,
      maxBatch: options.maxBatch,
      outFeatures,
      inFeatures,
      weights: q,
      layout: 'out-in',
      weightScale: scales,
      input,
      output: { mode: 'f32', bias: bias ? Float32Array.from(bias) : undefined, relu: relu === 1 },
      outputScale: out === 'int8' ? options.outputScale : undefined,
    });
  }

  /** Builds a layer from integer weights exactly as onnxruntime's MatMulInteger / QLinearMatMul see them. */
  static fromQuantized(spec: Int8QuantizedSpec): Int8Linear {
    if (!spec || typeof spec !== 'object') throw new QuantextError('E_OPTION', 'Int8Linear.fromQuantized: spec must be an object');
    const n = checkInt('outFeatures', spec.outFeatures), k = checkInt('inFeatures', spec.inFeatures);
    const w = spec.weights;
    const type = w instanceof Int8Array ? 'int8' : w instanceof Uint8Array ? 'uint8' : undefined;
    if (!type) throw new QuantextError('E_OPTION', 'Int8Linear.fromQuantized: weights must be an Int8Array or a Uint8Array');
    if (w.length !== n * k) throw new QuantextError('E_SHAPE', `Int8Linear: weights has ${w.length} values, expected ${n} × ${k}`);
    const layout = spec.layout ?? 'in-out';
    if (layout !== 'in-out' && layout !== 'out-in') throw new QuantextError('E_OPTION', `Int8Linear: layout must be 'out-in' or 'in-out'`, { option: 'layout' });
    const [lo, hi] = intRange(type);
    const zp = perColumn('weightZeroPoint', spec.weightZeroPoint, n, 0);
    for (const z of zp) if (!Number.isInteger(z) || z < lo || z > hi) throw new QuantextError('E_OPTION', `Int8Linear: weightZeroPoint ${z} is not a ${type} value`, { option: 'weightZeroPoint' });
    const needScale = spec.output?.mode !== 'int32';
    const sc = perColumn('weightScale', spec.weightScale, n, NaN);
    if (needScale) for (const s of sc) if (!(s > 0) || !Number.isFinite(s)) throw new QuantextError('E_OPTION', `Int8Linear: weightScale must be positive finite numbers (got ${s})`, { option: 'weightScale' });
    checkInputSpec(spec.input);
    checkOutputSpec(spec.output, n);
    if (spec.outputScale !== undefined && spec.output.mode !== 'f32') throw new QuantextError('E_OPTION', 'Int8Linear: outputScale goes with output mode f32 (own int8 output)');
    const l = new Int8Linear(spec);
    return l.filledBy(() => {
      l.weightInfo = { q: w.slice(), type, zp, scale: sc, layout };
      const [sn, sk] = layout === 'in-out' ? [1, n] : [k, 1];
      l.wp = l.own(l.n4 * l.kp);
      const eff = zp.map((z) => (type === 'uint8' ? z - 128 : z));
      if (eff.some((z) => z !== 0)) l.wzp = l.own(n * 4);
      l.ws = l.own(n * 4);
      l.mult = l.own(n * 4);
      const o = spec.output;
      if (o.mode === 'f32' && o.bias) l.bp = l.own(n * 4);
      l.relu = o.mode === 'f32' && o.relu ? 1 : 0;
      l.mm = l.own(16);
      const tmp = l.rt.arena.alloc(n * k);
      try {
        const h = heap(l.rt);
        h.u8.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), tmp);
        if (l.wzp) h.i32.set(eff, l.wzp >> 2);
        h.f32.set(needScale ? sc : new Array(n).fill(1), l.ws >> 2);
        if (o.mode === 'f32' && o.bias) h.f32.set(o.bias, l.bp >> 2);
        l.k.pack_i8_panel4(tmp, n, k, sn, sk, type === 'uint8' ? 1 : 0, l.wp);
      } finally {
        l.rt.arena.free(tmp);
      }
      if (l.rt.backend === 'relaxed' && l.rt.int8x7) l.pack7(w, eff);
      const i = spec.input;
      if (i.mode === 'static' && (o.mode === 'uint8' || o.mode === 'int8')) l.fillMult(i.scale);
      l.ensureIo(l.initialBatch, k);
    });
  }

  /**
   * On a simd-relaxed runtime that runs it fast (`rt.int8x7`: not Bun), when every output row's weights span ≤ 127:
   * the int8 × 7-bit layout and its corrections (see assembly/infer/gemm_i7.ts). Otherwise nothing (the int16 kernels run).
   */
  private pack7(w: Int8Array | Uint8Array, effZp: number[]): void {
    const n = this.outFeatures, k = this.inFeatures, layout = this.weightInfo.layout;
    const off = sevenBitOffsets(w, n, k, layout);
    if (!off) return;
    const [sn, sk] = layout === 'in-out' ? [1, n] : [k, 1];
    const flip = w instanceof Uint8Array ? 128 : 0;
    const n4 = this.n4;
    const z = new Int32Array(n4), t = new Int32Array(n4);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += w[j * sn + c * sk] - flip + off[j];
      z[j] = off[j] + effZp[j];
      t[j] = (sum - Math.imul(z[j], k)) | 0;
    }
    this.wp7 = this.own(n4 * this.kp16);
    this.z7 = this.own(n4 * 4);
    this.t7 = this.own(n4 * 4);
    const offp = this.rt.arena.alloc(n * 4), tmp = this.rt.arena.alloc(n * k);
    try {
      const h = heap(this.rt);
      h.u8.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), tmp);
      h.i32.set(off, offp >> 2);
      h.i32.set(z, this.z7 >> 2);
      h.i32.set(t, this.t7 >> 2);
      (this.k as unknown as I7Kernels).pack_i7_panel4(tmp, n, k, sn, sk, flip ? 1 : 0, this.kp16, offp, this.wp7);
    } finally {
      this.rt.arena.free(tmp);
      this.rt.arena.free(offp);
    }
  }

  /**
   * True when this layer runs the int8 × 7-bit relaxed-SIMD kernel (simd-relaxed build where `rt.int8x7`, weights
   * within 7 bits per row).
   */
  get relaxed(): boolean {
    return this.wp7 !== 0;
  }

  /** mult[j] = fround(fround(aScale · bScale[j]) / yScale) (QLinearMatMul). */
  private fillMult(aScale: number): void {
    const o = this.output as { scale: number };
    const h = heap(this.rt).f32, base = this.mult >> 2, ws = this.ws >> 2;
    for (let j = 0; j < this.outFeatures; j++) h[base + j] = f(f(f(aScale) * h[ws + j]) / f(o.scale));
  }

  override reserve(batch: number): void {
    this.xq = this.scratch('xq', batch * this.kp * 2);
    this.acc = this.scratch('acc', batch * ((this.outFeatures + 7) & ~7) * 4);
    if (this.wp7) {
      this.xq8 = this.scratch('xq8', batch * this.kp16);
      this.rx = this.scratch('rx', batch * 4);
    } else if (batch >= GEMM_MIN_BATCH && !this.wp16) {
      // the batched kernel's layout (int16 pairs, panels of 8 outputs), packed once from the stored int8 weights
      const n = this.outFeatures, k = this.inFeatures, wi = this.weightInfo;
      const p = this.own(((n + 7) & ~7) * this.kp * 2);
      const tmp = this.rt.arena.alloc(n * k);
      try {
        heap(this.rt).u8.set(new Uint8Array(wi.q.buffer, wi.q.byteOffset, wi.q.byteLength), tmp);
        const [sn, sk] = wi.layout === 'in-out' ? [1, n] : [k, 1];
        this.k.pack_i16_panel8_pairs(tmp, n, k, this.kp, sn, sk, wi.type === 'uint8' ? 1 : 0, this.wzp, p);
      } finally {
        this.rt.arena.free(tmp);
      }
      this.wp16 = p;
    }
    if (!this.wp7 && batch >= GEMM_MIN_BATCH) this.xa = this.scratch('xa', ((batch + 3) & ~3) * this.kp * 8);
    this.rs = this.scratch('rs', batch * 4);
    this.xs = this.scratch('xs', batch * 4);
    this.oi = this.scratch('oi', batch * this.outFeatures * 4);
  }

  /** The dynamic quantizers refuse non-finite inputs themselves (forwardInto then skips its own pass over x). */
  protected override checksFinite(): boolean {
    return this.input.mode !== 'static';
  }

  /** Float in, float out (output mode f32; own int8 output gives the dequantized codes). */
  run(x: number, y: number, batch: number): void {
    const o = this.output;
    if (o.mode !== 'f32') throw new QuantextError('E_OPTION', `Int8Linear: output mode ${o.mode} gives integers: use forwardInt`);
    this.outputF32(batch, this.quantizeInput(x, batch), y);
    if (this.outputScale !== undefined) {
      // own int8 output: codes into oi (int16 lanes), dequantized back into y so that float consumers see y_q·s
      const n = this.outFeatures, s = this.outputScale;
      this.k.quantize_i16_affine(y, batch, n, n, s, 0, -128, 127, 0, this.oi);
      const h = heap(this.rt);
      const src = this.oi >> 1, dst = y >> 2;
      const i16 = h.i16;
      for (let i = 0; i < batch * n; i++) h.f32[dst + i] = f(i16[src + i] * f(s));
    }
  }

  /**
   * Quantizes x into xq (int16, centred: q − zero point). Returns what turns a centred value back into an int8 code
   * (q − 128 for uint8 inputs, q for int8 ones): the int8 × 7-bit path's input shift.
   */
  private quantizeInput(x: number, batch: number): number {
    const i = this.input, k = this.inFeatures, kp = this.kp;
    // the int8 × 7-bit path quantizes straight to int8 codes and their row sums (no int16 pass)
    const k7 = this.wp7 ? (this.k as unknown as I7Kernels) : undefined;
    this.q8 = !!k7;
    // the batched pair kernel's input is quantized straight into its interleaved tiles (one pass, not two)
    const tiles = this.pairs(batch);
    this.xaReady = tiles;
    if (i.mode === 'dynamic-int8-per-row') {
      const bad = k7 ? k7.quantize_i8_sym_per_row(x, batch, k, this.kp16, this.xq8, this.xs, this.rx)
        : tiles ? this.k.quantize_i16_sym_per_row_rows4(x, batch, k, kp, this.xa, this.xs)
        : this.k.quantize_i16_sym_per_row(x, batch, k, kp, this.xq, this.xs);
      if (bad) throw new QuantextError('E_NAN', 'Int8Linear: x has a NaN or infinite value');
      this.lastInputScale = heap(this.rt).f32[(this.xs >> 2) + batch - 1];
      this.lastInputZeroPoint = 0;
      return 0;
    }
    let scale: number, zp: number, lo: number, hi: number;
    if (i.mode === 'dynamic-uint8') {
      this.k.minmax_f32(x, batch * k, this.mm);
      const h = heap(this.rt).f32;
      const mn = h[this.mm >> 2], mx = h[(this.mm >> 2) + 1];
      if (!Number.isFinite(mn) || !Number.isFinite(mx)) throw new QuantextError('E_NAN', 'Int8Linear: x has a NaN or infinite value');
      ({ scale, zeroPoint: zp } = dynamicQuantizeParams(mn, mx));
      [lo, hi] = [0, 255];
    } else {
      [lo, hi] = intRange(i.type);
      scale = f(i.scale);
      zp = i.zeroPoint;
    }
    this.setInputScale(i.mode === 'static' ? i.scale : scale, zp);
    const add = lo ? zp : zp - 128;
    if (k7) k7.quantize_i8_affine(x, batch, k, this.kp16, scale, zp, lo, hi, zp - add, this.xq8, this.rx);
    else if (tiles) this.k.quantize_i16_affine_rows4(x, batch, k, kp, scale, zp, lo, hi, zp, this.xa);
    else this.k.quantize_i16_affine(x, batch, k, kp, scale, zp, lo, hi, zp, this.xq);
    return add;
  }

  private setInputScale(scale: number, zeroPoint: number): void {
    this.lastInputScale = scale;
    this.lastInputZeroPoint = zeroPoint;
    heap(this.rt).f32[this.xs >> 2] = scale;
    const o = this.output;
    if ((o.mode === 'uint8' || o.mode === 'int8') && this.input.mode !== 'static') this.fillMult(scale);
  }

  /** acc = the int32 products; `add` = quantizeInput's input shift. Sets useRs (the rowsum the epilogues subtract). */
  private accumulate(batch: number, add: number): void {
    if (this.wp7) {
      // int8 codes x' = xq + add and their row sums, then Σ x'·W' corrected to Σ xq·(W − zp) in the kernel
      const k7 = this.k as unknown as I7Kernels;
      if (!this.q8) k7.narrow_i16_i8_per_row(this.xq, batch, this.inFeatures, this.kp, add, this.kp16, this.xq8, this.rx);
      k7.gemm_i8_i7(this.xq8, batch, this.kp16, this.wp7, this.outFeatures, this.rx, this.z7, this.t7, add, this.rt.fusedDotAdd ? 1 : 0, this.acc);
      this.accStride = this.n4;
      this.useRs = 0;
      return;
    }
    if (batch >= GEMM_MIN_BATCH) {
      this.interleave(batch);
      this.k.gemm_i16_pairs(this.xa, batch, this.kp, this.wp16, this.outFeatures, this.acc);
      this.accStride = (this.outFeatures + 7) & ~7;
      this.useRs = 0; // the zero points are folded into the pair layout's weights
      return;
    }
    if (batch === 1) this.k.gemv_i8_packed(this.xq, this.kp, this.wp, this.outFeatures, this.acc, (this.gemvRev ^= 1));
    else this.k.gemm_i8_packed(this.xq, batch, this.kp, this.wp, this.outFeatures, this.acc);
    this.accStride = this.n4;
    if (this.wzp) this.k.rowsum_i16(this.xq, batch, this.kp, this.rs);
    this.useRs = this.wzp ? this.rs : 0;
  }

  /** xa = xq in the pair kernel's interleaved tiles, unless the quantizer wrote them there already. */
  private interleave(batch: number): void {
    if (!this.xaReady) this.k.interleave_i16_rows4(this.xq, batch, this.kp, this.xa);
  }

  /** Whether `batch` rows run the batched pair kernel (not the GEMV, not the relaxed int8 × 7-bit one). */
  private pairs(batch: number): boolean {
    return !this.wp7 && batch >= GEMM_MIN_BATCH;
  }

  /**
   * y = the f32 outputs of the quantized input (`add`: quantizeInput's shift): the pair kernel with the epilogue fused
   * into its tile stores (the same bytes, no int32 pass), or the products then the epilogue.
   */
  private outputF32(batch: number, add: number, y: number): void {
    const perRow = this.input.mode === 'dynamic-int8-per-row' ? 1 : 0;
    if (this.pairs(batch)) {
      this.interleave(batch);
      this.k.gemm_i16_pairs_f32(this.xa, batch, this.kp, this.wp16, this.outFeatures, this.xs, perRow, this.ws, 1, this.bp, this.relu, y);
      return;
    }
    this.accumulate(batch, add);
    this.k.epilogue_i32_f32(this.acc, batch, this.outFeatures, this.accStride, this.useRs, this.wzp, this.xs, perRow, this.ws, 1, this.bp, this.relu, y);
  }

  /**
   * Integer path. x: floats (quantized as the input spec says) or integers (uint8/int8 codes with zero point
   * `inputZeroPoint`, default the static spec's or 0, and scale `inputScale` when the output needs one).
   * Returns Int32Array (output int32), Uint8Array/Int8Array (output uint8/int8, or own int8 output) or Float32Array (f32).
   */
  forwardInt(x: Float32Array | Uint8Array | Int8Array, batch = 1, out?: Int32Array | Uint8Array | Int8Array | Float32Array, inputZeroPoint?: number, inputScale?: number): Int32Array | Uint8Array | Int8Array | Float32Array {
    this.alive();
    checkInt('batch', batch);
    const n = this.outFeatures, k = this.inFeatures;
    if (!x || x.length !== batch * k) throw new QuantextError('E_SHAPE', `Int8Linear: x has ${x?.length} values, expected ${batch} × ${k}`);
    const o = this.output;
    const own8 = this.outputScale !== undefined;
    const want = o.mode === 'int32' ? Int32Array : o.mode === 'uint8' ? Uint8Array : o.mode === 'int8' || own8 ? Int8Array : Float32Array;
    const res = out ?? new want(batch * n);
    if (!(res instanceof want) || res.length < batch * n) throw new QuantextError('E_SHAPE', `Int8Linear: out must be a ${want.name} of ≥ ${batch * n} values`);
    const xp = this.ensureIo(batch, k);
    const h = heap(this.rt);
    let add: number;
    if (x instanceof Float32Array) {
      h.f32.set(x, xp >> 2);
      if (!this.k.all_finite_f32(xp, x.length)) throw new QuantextError('E_NAN', 'Int8Linear: x has a NaN or infinite value');
      add = this.quantizeInput(xp, batch);
    } else if (x instanceof Uint8Array || x instanceof Int8Array) {
      const i = this.input;
      const zp = inputZeroPoint ?? (i.mode === 'static' ? i.zeroPoint : 0);
      const sc = inputScale ?? (i.mode === 'static' ? i.scale : NaN);
      if (o.mode !== 'int32' && !(sc > 0)) throw new QuantextError('E_OPTION', 'Int8Linear.forwardInt: integer input needs inputScale for this output mode', { option: 'inputScale' });
      h.u8.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), xp);
      if (!Number.isInteger(zp) || zp < (x instanceof Uint8Array ? 0 : -128) || zp > (x instanceof Uint8Array ? 255 : 127)) {
        throw new QuantextError('E_OPTION', `Int8Linear.forwardInt: inputZeroPoint ${zp} is not a ${x instanceof Uint8Array ? 'uint8' : 'int8'} value`, { option: 'inputZeroPoint' });
      }
      // the batched pair kernel's input goes straight into its interleaved tiles
      this.xaReady = this.pairs(batch);
      if (this.xaReady) this.k.widen_i8_i16_rows4(xp, batch, k, this.kp, x instanceof Uint8Array ? 1 : 0, zp, this.xa);
      else this.k.widen_i8_i16(xp, batch, k, this.kp, x instanceof Uint8Array ? 1 : 0, zp, this.xq);
      this.setInputScale(sc, zp);
      this.q8 = false;
      add = x instanceof Uint8Array ? zp - 128 : zp;
    } else throw new QuantextError('E_SHAPE', 'Int8Linear.forwardInt: x must be a Float32Array, Uint8Array or Int8Array');
    const hv = heap(this.rt);
    if (o.mode === 'uint8' || o.mode === 'int8') {
      const [lo, hi] = intRange(o.mode);
      if (this.pairs(batch)) {
        // the batched kernel with the requantization fused into its tile stores (the same bytes, no int32 pass)
        this.interleave(batch);
        this.k.gemm_i16_pairs_q8(this.xa, batch, this.kp, this.wp16, n, this.mult, 1, o.zeroPoint, lo, hi, this.oi);
      } else {
        this.accumulate(batch, add);
        this.k.epilogue_i32_requant(this.acc, batch, n, this.accStride, this.useRs, this.wzp, this.mult, 1, o.zeroPoint, lo, hi, this.oi);
      }
      const src = hv.u8.subarray(this.oi, this.oi + batch * n);
      if (res instanceof Int8Array) res.set(new Int8Array(src.buffer, src.byteOffset, src.length));
      else (res as Uint8Array).set(src);
    } else if (o.mode === 'int32') {
      this.accumulate(batch, add);
      this.k.epilogue_i32_i32(this.acc, batch, n, this.accStride, this.useRs, this.wzp, this.oi);
      (res as Int32Array).set(hv.i32.subarray(this.oi >> 2, (this.oi >> 2) + batch * n));
    } else {
      const y = this.ioOutPtr;
      this.outputF32(batch, add, y);
      if (own8) {
        this.k.quantize_i16_affine(y, batch, n, n, this.outputScale!, 0, -128, 127, 0, this.oi);
        const i16 = hv.i16, src = this.oi >> 1;
        for (let i = 0; i < batch * n; i++) (res as Int8Array)[i] = i16[src + i];
      } else (res as Float32Array).set(hv.f32.subarray(y >> 2, (y >> 2) + batch * n));
    }
    return res;
  }

  describe() {
    const wi = this.weightInfo;
    const o = this.output;
    const bias = o.mode === 'f32' ? o.bias : undefined;
    return {
      config: {
        kind: this.kind,
        inFeatures: this.inFeatures,
        outFeatures: this.outFeatures,
        weightType: wi.type,
        layout: wi.layout,
        input: this.input,
        output: o.mode === 'f32' ? { mode: 'f32', relu: !!o.relu, bias: !!bias } : o,
        ...(this.outputScale !== undefined ? { outputScale: this.outputScale } : {}),
      },
      tensors: {
        weight: wi.q, // as given, in `layout`
        weight_zero_point: Int32Array.from(wi.zp),
        weight_scale: Float32Array.from(wi.scale),
        ...(bias ? { bias } : {}),
      },
    };
  }
}

function checkInputSpec(i: Int8InputSpec): void {
  if (!i || typeof i !== 'object') throw new QuantextError('E_OPTION', 'Int8Linear: spec.input is required', { option: 'input' });
  if (i.mode === 'dynamic-uint8' || i.mode === 'dynamic-int8-per-row') return;
  if (i.mode === 'static') {
    const [lo, hi] = intRange(i.type);
    if (!(i.scale > 0) || !Number.isFinite(i.scale)) throw new QuantextError('E_OPTION', `Int8Linear: input scale must be positive, got ${i.scale}`, { option: 'input.scale' });
    if (!Number.isInteger(i.zeroPoint) || i.zeroPoint < lo || i.zeroPoint > hi) throw new QuantextError('E_OPTION', `Int8Linear: input zeroPoint ${i.zeroPoint} is not a ${i.type} value`, { option: 'input.zeroPoint' });
    return;
  }
  throw new QuantextError('E_OPTION', `Int8Linear: input mode must be 'dynamic-uint8', 'dynamic-int8-per-row' or 'static', got ${String((i as { mode: unknown }).mode)}`, { option: 'input.mode' });
}

function checkOutputSpec(o: Int8OutputSpec, n: number): void {
  if (!o || typeof o !== 'object') throw new QuantextError('E_OPTION', 'Int8Linear: spec.output is required', { option: 'output' });
  if (o.mode === 'int32') return;
  if (o.mode === 'f32') {
    if (o.bias !== undefined) {
      if (!(o.bias instanceof Float32Array) || o.bias.length !== n) throw new QuantextError('E_SHAPE', `Int8Linear: bias must be a Float32Array of outFeatures = ${n} values`);
      checkFinite('bias', o.bias);
    }
    return;
  }
  if (o.mode === 'uint8' || o.mode === 'int8') {
    const [lo, hi] = intRange(o.mode);
    if (!(o.scale > 0) || !Number.isFinite(o.scale)) throw new QuantextError('E_OPTION', `Int8Linear: output scale must be positive, got ${o.scale}`, { option: 'output.scale' });
    if (!Number.isInteger(o.zeroPoint) || o.zeroPoint < lo || o.zeroPoint > hi) throw new QuantextError('E_OPTION', `Int8Linear: output zeroPoint ${o.zeroPoint} is not a ${o.mode} value`, { option: 'output.zeroPoint' });
    return;
  }
  throw new QuantextError('E_OPTION', `Int8Linear: output mode must be 'int32', 'f32', 'uint8' or 'int8', got ${String((o as { mode: unknown }).mode)}`, { option: 'output.mode' });
}
