// Quantize / dequantize for every scheme of src/quantize/schemes.ts, Hamming distances and sign-bit packing.
import { QuantextError } from '../errors.js';
import { affineParams } from '../quantize/core.js';
import { isAffine, rowBytes, schemeInfo, TWN_DELTA, type Rounding, type Scheme } from '../quantize/schemes.js';
import type { QuantizedTensor } from '../quantize/quantize.js';
import { trainPQ, dequantizePQ, type PQTensor } from '../quantize/pq.js';
import { WasmArray, state, type State } from './state.js';
import { finish, int, len, num, outAt, put, shape, sz, type F32, type I32, type U8 } from './args.js';

/** Codes of a scheme: Int8Array (int8, unpacked `int` widths), Uint8Array (uint8, packed codes, bits), Uint16Array (fp16/bf16). */
export type Codes = Int8Array | Uint8Array | Uint16Array | WasmArray<'i8'> | WasmArray<'u8'> | WasmArray<'u16'>;

/** A quantized tensor as `quantize()` of the main entry returns it, with the codes possibly in wasm memory. */
export type Quantized = Omit<QuantizedTensor, 'codes'> & { readonly codes: Codes };

export interface KernelQuantizeOptions {
  /** Shape of x as a row-major matrix (default one row). */
  rows?: number;
  cols?: number;
  /** Bit width for scheme 'int' (2…8). */
  bits?: number;
  /** One scale (α) per row instead of one per tensor. */
  perRow?: boolean;
  /** Integer schemes: zero point 0 / symmetric range (default true, false for uint8). */
  symmetric?: boolean;
  /** Integer schemes: 'nearest' (ties to even, default) or 'stochastic' (seeded). */
  rounding?: Rounding;
  seed?: number;
  /** Integer schemes: given scales (and zero points) instead of the min–max ones: one number or one per group. */
  scales?: Float32Array | number;
  zeroPoints?: Int32Array | number;
}

const KNOWN = new Set(['rows', 'cols', 'bits', 'perRow', 'symmetric', 'rounding', 'seed', 'scales', 'zeroPoints']);

/**
 * Quantizes a rows × cols f32 tensor with one of the schemes of `quantize()` (int8, uint8, int4, int2, int,
 * ternary, binary, fp16, bf16) and min–max calibration, in the same layout and arithmetic, so its result decodes
 * with either `dequantize`. Codes go to `out` when given (a typed array or WasmArray of the right type and size).
 * NaN/±Inf in x: E_NAN naming the index; fp16/bf16 overflow: E_TOO_LARGE.
 */
/** Options of `quantize(x, 'pq', …)`: the main entry's `trainPQ` options. */
export interface KernelPQOptions {
  rows?: number;
  cols?: number;
  /** Columns per sub-space (default 2). */
  dsub?: number;
  /** Centroids per sub-space, ≤ 256 (default 256, at most rows). */
  ksub?: number;
  /** k-means iterations (default 25). */
  iters?: number;
  seed?: number;
  /** Quantize row norms separately (fastText -qnorm). */
  qnorm?: boolean;
}
const PQ_KNOWN = new Set(['rows', 'cols', 'dsub', 'ksub', 'iters', 'seed', 'qnorm']);

/**
 * Product quantization (`scheme 'pq'`): trains seeded k-means codebooks on the rows (as the main entry's `trainPQ`,
 * whose result it is) and encodes them. A training step, not a streaming kernel: its k-means scratch is taken from
 * the arena for the call and freed before it returns.
 */
export function quantize(x: F32, scheme: 'pq', opts?: KernelPQOptions): PQTensor;
export function quantize(x: F32, scheme?: Scheme, opts?: KernelQuantizeOptions, out?: Codes): Quantized;
export function quantize(x: F32, scheme: Scheme | 'pq' = 'int8', opts: KernelQuantizeOptions | KernelPQOptions = {}, out?: Codes): Quantized | PQTensor {
  if (scheme === 'pq') return quantizePQ(x, opts as KernelPQOptions, out);
  return quantizeScheme(x, scheme, opts as KernelQuantizeOptions, out);
}

function quantizePQ(x: F32, opts: KernelPQOptions, out: unknown): PQTensor {
  if (opts === null || typeof opts !== 'object') throw new QuantextError('E_OPTION', 'quantize: options must be an object');
  for (const key of Object.keys(opts)) if (!PQ_KNOWN.has(key)) throw new QuantextError('E_OPTION', `quantize: unknown option '${key}' for scheme 'pq'`, { option: key });
  if (out !== undefined) throw new QuantextError('E_OPTION', "quantize: scheme 'pq' returns its codes and codebook; it takes no out", { option: 'out' });
  const n = len(x, 'f32', 'x');
  const data = x instanceof Float32Array ? x : (x as WasmArray<'f32'>).view;
  let rows = opts.rows, cols = opts.cols;
  if (rows === undefined && cols === undefined) { rows = 1; cols = n; }
  else if (rows === undefined) rows = cols ? n / cols : 0;
  else if (cols === undefined) cols = rows ? n / rows : 0;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows! * cols! !== n) shape(`quantize: ${n} values are not ${opts.rows ?? '?'}×${opts.cols ?? '?'}`, { length: n });
  const s = state();
  return trainPQ(data, rows!, cols!, { dsub: opts.dsub, ksub: opts.ksub, iters: opts.iters, seed: opts.seed, qnorm: opts.qnorm, rt: s.rt });
}

function quantizeScheme(x: F32, scheme: Scheme, opts: KernelQuantizeOptions, out?: Codes): Quantized {
  if (opts === null || typeof opts !== 'object') throw new QuantextError('E_OPTION', 'quantize: options must be an object');
  for (const key of Object.keys(opts)) if (!KNOWN.has(key)) throw new QuantextError('E_OPTION', `quantize: unknown option '${key}'`, { option: key });
  const info = schemeInfo(scheme, opts.bits);
  const n = len(x, 'f32', 'x');
  let rows = opts.rows === undefined ? undefined : int(opts.rows, 'rows');
  let cols = opts.cols === undefined ? undefined : int(opts.cols, 'cols');
  if (rows === undefined && cols === undefined) { rows = 1; cols = n; }
  else if (rows === undefined) rows = cols ? n / cols : 0;
  else if (cols === undefined) cols = rows ? n / rows : 0;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows! * cols! !== n) shape(`quantize: ${n} values are not ${opts.rows ?? '?'}×${opts.cols ?? '?'}`, { length: n });
  const R = rows!, C = cols!;
  const half = info.perByte === 0;
  const perRow = !!opts.perRow && !half;
  const affine = isAffine(info.scheme);
  const symmetric = opts.symmetric ?? !info.unsigned;
  const rounding = opts.rounding ?? 'nearest';
  if (rounding !== 'nearest' && rounding !== 'stochastic') throw new QuantextError('E_OPTION', `rounding must be 'nearest' or 'stochastic'`, { option: 'rounding' });
  if (!affine && (rounding !== 'nearest' || opts.scales !== undefined || opts.zeroPoints !== undefined || opts.symmetric === false)) {
    throw new QuantextError('E_OPTION', `scheme '${scheme}': rounding, scales, zeroPoints and symmetric apply to the integer schemes`, { option: 'scheme' });
  }
  const seed = opts.seed === undefined ? 0 : int(opts.seed, 'seed');
  const rb = rowBytes(info, C);
  const codeLen = half ? n : R * rb;
  const codeType = half ? 'u16' : info.perByte === 1 && !info.unsigned ? 'i8' : 'u8';
  if (out !== undefined) {
    const m = len(out, codeType, 'out', codeType === 'u16' ? 'f16' : undefined, codeType === 'u16' ? 'bf16' : undefined);
    if (m < codeLen) shape(`quantize: out holds ${m} codes; ${codeLen} are needed`);
  }
  const groups = half ? 0 : perRow ? R : n ? 1 : 0;
  const size = perRow ? C : n;
  const codeBytes = half ? n * 2 : codeLen;
  const s = state().begin(sz(x, n * 4) + sz(out ?? 0, codeBytes) + need2(n) + 4 * need2(groups * 4 + 16));
  const px = put(s, x, n * 4), pc = outAt(s, out, codeBytes);
  const bad = s.k.find_nonfinite_f32(px, n);
  if (bad >= 0) {
    const v = s.f32[(px >>> 2) + bad];
    throw new QuantextError('E_NAN', `quantize: non-finite value ${v} at index ${bad}`, { index: bad, value: v });
  }
  const scales = new Float32Array(groups), zeroPoints = new Int32Array(groups);
  const k = s.k;
  if (half) {
    const pa = s.take(16);
    k.absmax_f32_per_row(px, n ? 1 : 0, n, pa);
    const bf = info.scheme === 'bf16';
    const limit = bf ? 3.3961514e38 : 65520;
    if (n && s.f32[pa >>> 2] >= limit) throw new QuantextError('E_TOO_LARGE', `quantize: a value of magnitude ${s.f32[pa >>> 2]} is outside the ${info.scheme} range`, { value: s.f32[pa >>> 2] });
    if (bf) k.f32_to_bf16(px, n, pc);
    else k.f32_to_f16(px, n, pc);
  } else if (info.scheme === 'binary') {
    const pa = s.take(groups * 4);
    k.pack_b1_f32(px, R, C, pc);
    k.absmean_f32_per_row(px, groups, size, pa);
    scales.set(s.f32.subarray(pa >>> 2, (pa >>> 2) + groups));
  } else if (info.scheme === 'ternary') {
    const pd = s.take(groups * 4), pa = s.take(groups * 4), pt = s.take(n);
    k.twn_per_row(px, groups, size, TWN_DELTA, pd, pa);
    k.quantize_ternary_per_row(px, groups, size, pd, pt);
    k.pack_i2(pt, R, C, pc);
    scales.set(s.f32.subarray(pa >>> 2, (pa >>> 2) + groups));
  } else {
    const ps = s.take(groups * 4), pz = s.take(groups * 4);
    if (opts.scales !== undefined) {
      fillParam(scales, opts.scales, 'scales', true);
      if (opts.zeroPoints !== undefined) fillParam(zeroPoints, opts.zeroPoints, 'zeroPoints', false);
      else if (info.unsigned && symmetric) zeroPoints.fill(128);
    } else {
      if (opts.zeroPoints !== undefined) throw new QuantextError('E_OPTION', 'quantize: zeroPoints need scales', { option: 'zeroPoints' });
      k.minmax_f32_per_row(px, groups, size, ps, pz);
      const lo = s.f32.subarray(ps >>> 2, (ps >>> 2) + groups), hi = s.f32.subarray(pz >>> 2, (pz >>> 2) + groups);
      for (let g = 0; g < groups; g++) {
        const p = affineParams(info, symmetric, lo[g], hi[g]);
        scales[g] = p.scale;
        zeroPoints[g] = p.zeroPoint;
      }
    }
    s.f32.set(scales, ps >>> 2);
    s.i32.set(zeroPoints, pz >>> 2);
    const packed = info.perByte > 1;
    const pt = packed ? s.take(n) : pc;
    const u = info.unsigned;
    if (perRow) {
      if (rounding === 'stochastic') (u ? k.quantize_affine_u8_stochastic_per_row : k.quantize_affine_i8_stochastic_per_row)(px, R, C, ps, pz, info.qmin, info.qmax, seed | 0, 0, pt);
      else (u ? k.quantize_affine_u8_per_row : k.quantize_affine_i8_per_row)(px, R, C, ps, pz, info.qmin, info.qmax, pt);
    } else if (n > 0) {
      if (rounding === 'stochastic') (u ? k.quantize_affine_u8_stochastic : k.quantize_affine_i8_stochastic)(px, n, scales[0], zeroPoints[0], info.qmin, info.qmax, seed | 0, 0, pt);
      else (u ? k.quantize_affine_u8 : k.quantize_affine_i8)(px, n, scales[0], zeroPoints[0], info.qmin, info.qmax, pt);
    }
    if (info.perByte === 2) k.pack_i4(pt, R, C, pc);
    else if (info.perByte === 4) k.pack_i2(pt, R, C, pc);
  }
  const codes = finish(s, pc, codeLen, codeType, out);
  return {
    scheme: info.scheme, bits: info.bits, rows: R, cols: C, qmin: info.qmin, qmax: info.qmax, perRow, symmetric,
    rounding, calibration: 'minmax', codes, rowBytes: rb, scales, zeroPoints,
  };
}

function need2(bytes: number): number {
  return ((bytes + 15) & ~15) + 64;
}

function fillParam(dst: Float32Array | Int32Array, v: Float32Array | Int32Array | number, what: string, positive: boolean): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || (positive ? !(v > 0) : !Number.isInteger(v))) throw new QuantextError('E_OPTION', `quantize: ${what} must be ${positive ? 'positive finite' : 'integer'}; got ${v}`, { option: what });
    dst.fill(v);
    return;
  }
  if (!(v instanceof (positive ? Float32Array : Int32Array))) throw new QuantextError('E_OPTION', `quantize: ${what} must be a number or a ${positive ? 'Float32Array' : 'Int32Array'}`, { option: what });
  if (v.length !== dst.length) shape(`quantize: ${v.length} ${what} for ${dst.length} group(s)`);
  dst.set(v);
}

/**
 * Floats from a quantized tensor (from this quantize or the main entry's): scale·(q − zeroPoint), ±α, the
 * fp16/bf16 value, plus the centre μ when the tensor has one. Written to `out` when given.
 */
export function dequantize(q: Quantized | PQTensor, out?: F32): F32 {
  if (q === null || typeof q !== 'object') throw new QuantextError('E_OPTION', 'dequantize takes the object quantize() returned');
  if (q.scheme === 'pq') {
    const v = dequantizePQ(q as PQTensor, { rt: state().rt });
    if (out === undefined) return v;
    const mo = len(out, 'f32', 'out');
    if (mo < v.length) shape(`dequantize: out holds ${mo} floats; ${v.length} are needed`);
    (out instanceof Float32Array ? out : (out as WasmArray<'f32'>).view).set(v);
    return out;
  }
  const info = schemeInfo(q.scheme, q.scheme === 'int' ? q.bits : undefined);
  const R = int(q.rows, 'rows'), C = int(q.cols, 'cols');
  const n = R * C;
  const half = info.perByte === 0;
  const rb = rowBytes(info, C);
  const codeType = half ? 'u16' : info.perByte === 1 && !info.unsigned ? 'i8' : 'u8';
  const m = len(q.codes, codeType, 'codes', codeType === 'u16' ? 'f16' : undefined, codeType === 'u16' ? 'bf16' : undefined);
  const codeLen = half ? n : R * rb;
  if (m !== codeLen) shape(`dequantize: ${q.scheme} codes hold ${m} entries for ${R}×${C} (expected ${codeLen})`);
  const groups = half ? 0 : q.perRow ? R : n ? 1 : 0;
  if (!half && (!(q.scales instanceof Float32Array) || q.scales.length !== groups || (!(q.zeroPoints instanceof Int32Array) || q.zeroPoints.length !== groups))) {
    shape(`dequantize: ${q.scheme} needs ${groups} scale(s) and zero point(s) in a Float32Array and an Int32Array`);
  }
  if (q.center !== undefined && (!(q.center instanceof Float32Array) || q.center.length !== C || half)) shape(`dequantize: a centre holds cols (${C}) floats`);
  if (out !== undefined) {
    const mo = len(out, 'f32', 'out');
    if (mo < n) shape(`dequantize: out holds ${mo} floats; ${n} are needed`);
  }
  const codeBytes = half ? n * 2 : codeLen;
  const s = state().begin(sz(q.codes, codeBytes) + sz(out ?? 0, n * 4) + need2(n) + 2 * need2(groups * 4) + need2(C * 4));
  const pc = put(s, q.codes, codeBytes), po = outAt(s, out, n * 4);
  const k = s.k;
  if (info.scheme === 'fp16') k.f16_to_f32(pc, n, po);
  else if (info.scheme === 'bf16') k.bf16_to_f32(pc, n, po);
  else if (n > 0) {
    const ps = s.take(groups * 4);
    s.f32.set(q.scales, ps >>> 2);
    if (info.scheme === 'binary') k.dequantize_b1_per_row(pc, R, C, ps, q.perRow ? 1 : 0, po);
    else decode(s, pc, R, C, info.perByte, info.unsigned, ps, q.zeroPoints, q.perRow, po);
    if (q.center) {
      const pm = s.take(C * 4);
      s.f32.set(q.center, pm >>> 2);
      k.scale_f32(pm, -1, C);
      k.center_f32(po, R, C, pm, po);
    }
  }
  return finish(s, po, n, 'f32', out);
}

function decode(s: State, pc: number, R: number, C: number, perByte: number, unsigned: boolean, ps: number, zps: Int32Array, perRow: boolean, po: number): void {
  const k = s.k, n = R * C;
  let pt = pc;
  if (perByte > 1) {
    pt = s.take(n);
    if (perByte === 2) k.unpack_i4(pc, R, C, pt);
    else k.unpack_i2(pc, R, C, pt);
  }
  const pz = s.take(zps.length * 4);
  s.i32.set(zps, pz >>> 2);
  if (perRow) (unsigned ? k.dequantize_affine_u8_per_row : k.dequantize_affine_i8_per_row)(pt, R, C, ps, pz, po);
  else (unsigned ? k.dequantize_affine_u8 : k.dequantize_affine_i8)(pt, n, s.f32[ps >>> 2], zps[0], po);
}

/** Hamming distance between two equally long bit strings (bytes): popcount(a ⊕ b). */
export function hamming(a: U8, b: U8): number {
  const n = len(a, 'u8', 'a');
  if (len(b, 'u8', 'b') !== n) shape(`hamming: a has ${n} bytes, b ${b.length}`);
  const s = state().begin(sz(a, n) + sz(b, n) + 16 + 64);
  const pa = put(s, a, n), pb = put(s, b, n), po = s.take(4);
  s.k.hamming_b1(pa, 1, n, n * 8, pb, po);
  return s.i32[po >>> 2];
}

/** Hamming distance of every row of `codes` (rows of q's length in bytes) to q; an Int32Array (or `out`). */
export function hammingRows(codes: U8, q: U8, out?: I32): Int32Array | WasmArray<'i32'> {
  const nb = len(q, 'u8', 'q');
  const n = len(codes, 'u8', 'codes');
  const rows = nb ? n / nb : 0;
  if (!Number.isInteger(rows) || (nb === 0 && n !== 0)) shape(`hammingRows: ${n} bytes are not rows of ${nb}`);
  if (out !== undefined && len(out, 'i32', 'out') < rows) shape(`hammingRows: out holds ${out.length}; ${rows} are needed`);
  const s = state().begin(sz(codes, n) + sz(q, nb) + sz(out ?? 0, rows * 4));
  const pm = put(s, codes, n), pq = put(s, q, nb), po = outAt(s, out, rows * 4);
  s.k.hamming_b1(pm, rows, nb, nb * 8, pq, po);
  return finish(s, po, rows, 'i32', out);
}

/**
 * Sign bits of a rows × cols f32 matrix (1 for x ≥ 0, LSB first, ⌈cols/8⌉ bytes a row, unused high bits 0): the
 * binary codes `matvec` ({ format: 'binary' }), `hamming` and `quantize(…, 'binary')` use. cols defaults to x's length.
 */
export function packBits(x: F32, cols?: number, out?: U8): Uint8Array | WasmArray<'u8'> {
  const n = len(x, 'f32', 'x');
  const C = cols === undefined ? n : int(cols, 'cols');
  const rows = C ? n / C : 0;
  if (!Number.isInteger(rows) || (C === 0 && n !== 0)) shape(`packBits: ${n} values are not rows of ${C}`);
  const rb = (C + 7) >> 3, nb = rows * rb;
  if (out !== undefined && len(out, 'u8', 'out') < nb) shape(`packBits: out holds ${out.length} bytes; ${nb} are needed`);
  const s = state().begin(sz(x, n * 4) + sz(out ?? 0, nb));
  const px = put(s, x, n * 4), po = outAt(s, out, nb);
  s.k.pack_b1_f32(px, rows, C, po);
  return finish(s, po, nb, 'u8', out);
}

export { num };
