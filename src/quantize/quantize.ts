/**
 * The public quantizers over plain arrays: `quantize`, `dequantize`, `uniformQuantize`, `toFloat16`/`fromFloat16`.
 * Data is copied into the runtime's memory, processed by the kernels of assembly/quant/ and copied back out,
 * so the results are ordinary typed arrays that outlive the call (and serialize as they are).
 *
 * @example
 * const q = quantize(new Float32Array([0.5, -1.27, 0, 0.3175, 1.0, -0.635]), { scheme: 'int8' });
 * // q.codes → Int8Array [50, -127, 0, 32, 100, -64], q.scales → [0.0099999998], q.zeroPoints → [0]
 * dequantize(q); // Float32Array [0.5, -1.27, 0, 0.32, 1, -0.64]
 */
import { QuantextError } from '../errors.js';
import { runtime, type Runtime } from '../runtime/runtime.js';
import { calibrate, checkFiniteAt, decodeAffine, encodeAffine, encodeBinary, encodeHalf, encodeTernary } from './core.js';
import { isAffine, resolveOptions, rowBytes, schemeInfo, type Calibration, type QuantizeOptions, type Rounding, type Scheme } from './schemes.js';

/** A quantized tensor: plain typed arrays plus everything needed to decode them (docs/quantization.md §3). */
export interface QuantizedTensor {
  readonly scheme: Scheme;
  /** Bits per code (1 binary, 2 int2/ternary, 4, 8, 16 for fp16/bf16, or the `int` width). */
  readonly bits: number;
  readonly rows: number;
  readonly cols: number;
  /** Code range [qmin, qmax] (0/0 for fp16/bf16, 0/1 for binary bits). */
  readonly qmin: number;
  readonly qmax: number;
  readonly perRow: boolean;
  readonly symmetric: boolean;
  readonly rounding: Rounding;
  readonly calibration: Calibration;
  /**
   * The stored codes, rows one after another: Int8Array for int8 and unpacked `int` widths, Uint8Array for uint8
   * and for packed codes (int4, int2, ternary, binary bits), Uint16Array of bit patterns for fp16/bf16.
   */
  readonly codes: Int8Array | Uint8Array | Uint16Array;
  /** Bytes of codes per row (⌈cols/2⌉ for int4, ⌈cols/4⌉ int2/ternary, ⌈cols/8⌉ binary, 2·cols fp16). */
  readonly rowBytes: number;
  /** One scale per row (perRow) or one per tensor; α for binary/ternary; empty for fp16/bf16. */
  readonly scales: Float32Array;
  /** Zero points, as long as `scales` (all 0 when symmetric, or 128 for symmetric uint8). */
  readonly zeroPoints: Int32Array;
  /** Integer and binary tables: the centre μ (cols floats) of a table quantized around its column mean; x̂ = μ + decoded. */
  readonly center?: Float32Array;
}

function resolveRt(rt?: Runtime): Runtime {
  return rt ?? runtime();
}

/**
 * Quantizes a float tensor (see {@link QuantizeOptions}). The tensor is a `rows × cols` row-major matrix
 * (default one row). Integer schemes use `real = scale·(q − zeroPoint)` with per-tensor or per-row parameters;
 * binary stores sign bits and α = mean|x|; ternary TWN codes with α; fp16/bf16 round to nearest even.
 * @throws E_NAN naming the first NaN/±Inf (unless `nan: 'zero'`), E_OPTION for a bad option, E_SHAPE for a bad
 *   shape, E_TOO_LARGE for finite values outside the fp16/bf16 range.
 */
export function quantize(tensor: Float32Array | ArrayLike<number>, opts: QuantizeOptions = {}): QuantizedTensor {
  const o = resolveOptions(tensor.length, opts);
  const rt = resolveRt(opts.rt);
  const { rows, cols, info } = o;
  const n = rows * cols;
  const rb = rowBytes(info, cols);
  const x = rt.arena.alloc(n * 4);
  let codes = 0; // allocated inside the try: an E_OOM there must not leak x
  try {
    codes = rt.arena.alloc(rows * rb + 16);
    rt.arena.f32(x, n).set(tensor);
    checkFiniteAt(rt, x, n, o.nan, 'quantize');
    let scales: Float32Array = new Float32Array(0), zeroPoints: Int32Array = new Int32Array(0);
    if (isAffine(info.scheme)) {
      ({ scales, zeroPoints } = calibrate(rt, x, o));
      encodeAffine(rt, x, o, scales, zeroPoints, codes);
    } else if (info.scheme === 'ternary') {
      scales = encodeTernary(rt, x, o, codes);
      zeroPoints = new Int32Array(scales.length);
    } else if (info.scheme === 'binary') {
      scales = encodeBinary(rt, x, o, codes);
      zeroPoints = new Int32Array(scales.length);
    } else {
      encodeHalf(rt, x, n, info.scheme === 'bf16', codes);
    }
    const bytes = rows * rb;
    const out =
      info.perByte === 0 ? rt.arena.u16(codes, n).slice()
      : info.perByte === 1 && !info.unsigned ? rt.arena.i8(codes, bytes).slice()
      : rt.arena.u8(codes, bytes).slice();
    return {
      scheme: info.scheme, bits: info.bits, rows, cols, qmin: info.qmin, qmax: info.qmax,
      perRow: o.perRow && info.perByte !== 0, symmetric: o.symmetric, rounding: o.rounding, calibration: o.calibration,
      codes: out, rowBytes: rb, scales, zeroPoints,
    };
  } finally {
    rt.arena.free(x);
    rt.arena.free(codes);
  }
}

/** Checks that a QuantizedTensor's arrays agree with its shape (it may come from a file). */
export function validateQuantized(q: QuantizedTensor): void {
  const info = schemeInfo(q.scheme, q.scheme === 'int' ? q.bits : undefined);
  const rb = rowBytes(info, q.cols);
  const want = info.perByte === 0 ? q.rows * q.cols : q.rows * rb;
  if (q.codes.length !== want) throw new QuantextError('E_SHAPE', `${q.scheme} codes: ${q.codes.length} entries for ${q.rows}×${q.cols} (expected ${want})`);
  const groups = info.perByte === 0 ? 0 : q.perRow ? q.rows : q.rows * q.cols ? 1 : 0;
  if (info.perByte !== 0 && (q.scales.length !== groups || q.zeroPoints.length !== groups)) {
    throw new QuantextError('E_SHAPE', `${q.scheme}: ${q.scales.length} scales and ${q.zeroPoints.length} zero points for ${groups} group(s)`);
  }
  if (q.center !== undefined && (q.scheme === 'fp16' || q.scheme === 'bf16' || q.center.length !== q.cols)) {
    throw new QuantextError('E_SHAPE', `a centre applies to integer and binary tensors and holds cols (${q.cols}) floats; got ${q.center.length} for ${q.scheme}`);
  }
}

/** Reconstructs floats from any QuantizedTensor: `scale·(q − zeroPoint)`, ±α, or the fp16/bf16 value. */
export function dequantize(q: QuantizedTensor, opts: { rt?: Runtime } = {}): Float32Array {
  validateQuantized(q);
  const rt = resolveRt(opts.rt);
  const info = schemeInfo(q.scheme, q.scheme === 'int' ? q.bits : undefined);
  const n = q.rows * q.cols;
  const [out, codes] = rt.arena.allocAll([n * 4, q.codes.byteLength + 16]);
  try {
    rt.arena.u8(codes, q.codes.byteLength).set(new Uint8Array(q.codes.buffer, q.codes.byteOffset, q.codes.byteLength));
    if (info.scheme === 'fp16') rt.kernels.f16_to_f32(codes, n, out);
    else if (info.scheme === 'bf16') rt.kernels.bf16_to_f32(codes, n, out);
    else if (info.scheme === 'binary') {
      const pa = rt.arena.alloc(Math.max(q.scales.length, 1) * 4);
      rt.arena.f32(pa, q.scales.length).set(q.scales);
      rt.kernels.dequantize_b1_per_row(codes, q.rows, q.cols, pa, q.perRow ? 1 : 0, out);
      rt.arena.free(pa);
    } else {
      decodeAffine(rt, codes, q.rows, q.cols, info, q.scales, q.zeroPoints, q.perRow, out);
    }
    if (q.center) {
      // a tensor quantized around its column mean μ: x̂ = μ + decoded, i.e. subtract −μ from every row
      const pm = rt.arena.put(q.center.map((v) => -v));
      rt.kernels.center_f32(out, q.rows, q.cols, pm, out);
      rt.arena.free(pm);
    }
    return rt.arena.f32(out, n).slice();
  } finally {
    rt.arena.free(out);
    rt.arena.free(codes);
  }
}

export type UniformOptions = { step: number; rt?: Runtime } | { bits: number; range: number; rt?: Runtime };

/**
 * The textbook uniform quantizer Q(x) = round(x / L) · L (ties to even), returned as floats.
 * With `{ bits, range }`: L = range / (2^(bits−1) − 1) and the level is clamped to [−2^(bits−1), 2^(bits−1) − 1],
 * so `{ bits: 8, range: max|x| }` equals symmetric int8 followed by dequantization.
 * @example uniformQuantize([0.26, -0.74, 1.25], { step: 0.5 }) // → [0.5, -0.5, 1]
 */
export function uniformQuantize(x: Float32Array | ArrayLike<number>, opts: UniformOptions): Float32Array {
  const rt = resolveRt(opts.rt);
  let step: number, qmin: number, qmax: number;
  if ('step' in opts) {
    step = Math.fround(opts.step);
    if (!(step > 0) || !Number.isFinite(step)) throw new QuantextError('E_OPTION', `step must be a positive finite number; got ${opts.step}`, { option: 'step' });
    qmin = -Infinity; // no clamp: levels are integer-valued floats
    qmax = Infinity;
  } else {
    const { bits, range } = opts as { bits: number; range: number };
    if (!Number.isInteger(bits) || bits < 2 || bits > 24) throw new QuantextError('E_OPTION', `bits must be an integer in 2…24; got ${bits}`, { option: 'bits' });
    if (!(range > 0) || !Number.isFinite(range)) throw new QuantextError('E_OPTION', `range must be a positive finite number; got ${range}`, { option: 'range' });
    qmax = 2 ** (bits - 1) - 1;
    qmin = -(2 ** (bits - 1));
    step = Math.fround(range / qmax);
  }
  const n = x.length;
  const p = rt.arena.alloc(n * 4);
  try {
    rt.arena.f32(p, n).set(x);
    checkFiniteAt(rt, p, n, 'error', 'uniformQuantize');
    rt.kernels.uniform_quantize_f32(p, n, step, qmin, qmax, p);
    const out = rt.arena.f32(p, n).slice();
    return out;
  } finally {
    rt.arena.free(p);
  }
}

/** fp16 bit patterns of x (round to nearest even). @throws E_NAN, E_TOO_LARGE (|x| ≥ 65520). */
export function toFloat16(x: Float32Array | ArrayLike<number>, opts: { rt?: Runtime; bf16?: boolean } = {}): Uint16Array {
  const q = quantize(x, { scheme: opts.bf16 ? 'bf16' : 'fp16', rt: opts.rt });
  return q.codes as Uint16Array;
}

/** Floats from fp16 (or bf16 with `bf16: true`) bit patterns, exactly. */
export function fromFloat16(h: Uint16Array, opts: { rt?: Runtime; bf16?: boolean } = {}): Float32Array {
  const rt = resolveRt(opts.rt);
  const n = h.length;
  const [ph, pf] = rt.arena.allocAll([n * 2, n * 4]);
  try {
    rt.arena.u16(ph, n).set(h);
    if (opts.bf16) rt.kernels.bf16_to_f32(ph, n, pf);
    else rt.kernels.f16_to_f32(ph, n, pf);
    return rt.arena.f32(pf, n).slice();
  } finally {
    rt.arena.free(ph);
    rt.arena.free(pf);
  }
}
