/**
 * The wasm-level steps shared by `quantize()` (JS arrays in and out) and the quantized tables (which keep their
 * codes in wasm memory): validation, calibration, encoding and decoding of a row-major rows×cols f32 tensor
 * that already lives in linear memory. Every per-element loop runs in a kernel; TypeScript only loops over
 * groups (rows) to turn ranges into scales and zero points. Maths: docs/quantization.md §1.
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { F16_MAX, MSE_CANDIDATES, MSE_MIN_RATIO, TWN_DELTA, type ResolvedOptions, type SchemeInfo, type NanPolicy } from './schemes.js';

const f = Math.fround;

/** Round half to even (IEEE roundTiesToEven). */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * NaN/±Inf check of n floats at ptr, in wasm. 'error': throws E_NAN naming the first bad index;
 * 'zero': replaces them by 0 in place (the caller's own copy) and returns how many.
 */
export function checkFiniteAt(rt: Runtime, ptr: number, n: number, policy: NanPolicy, what: string): number {
  const i = rt.kernels.find_nonfinite_f32(ptr, n);
  if (i < 0) return 0;
  if (policy === 'zero') return rt.kernels.zero_nonfinite_f32(ptr, n);
  const v = rt.arena.f32(ptr + i * 4, 1)[0];
  throw new QuantextError('E_NAN', `${what}: non-finite value ${v} at index ${i} (pass nan: 'zero' to quantize NaN/Inf as 0)`, { index: i, value: v });
}

/** Scale and zero point of one group from its clipping range [lo, hi] (§1.2). */
export function affineParams(info: SchemeInfo, symmetric: boolean, lo: number, hi: number): { scale: number; zeroPoint: number } {
  if (symmetric) {
    const a = Math.max(Math.abs(lo), Math.abs(hi));
    const half = info.unsigned ? 127 : info.qmax;
    const z = info.unsigned ? 128 : 0;
    const s = f(a / half);
    return s > 0 ? { scale: s, zeroPoint: z } : { scale: 1, zeroPoint: z };
  }
  const l = Math.min(lo, 0), h = Math.max(hi, 0);
  const s = f((h - l) / (info.qmax - info.qmin));
  if (!(s > 0) || !Number.isFinite(s)) return { scale: 1, zeroPoint: clampInt(0, info.qmin, info.qmax) };
  return { scale: s, zeroPoint: clampInt(roundEven(info.qmin - f(l / s)), info.qmin, info.qmax) };
}

/** Groups of a tensor: per row (rows × cols) or one group over all n = rows·cols values (1 × n). */
export function groupShape(o: ResolvedOptions): { groups: number; size: number } {
  return o.perRow ? { groups: o.rows, size: o.cols } : { groups: o.rows * o.cols ? 1 : 0, size: o.rows * o.cols };
}

/** Linear-interpolated percentile (numpy 'linear') of a sorted array. */
function percentileSorted(a: Float32Array, p: number): number {
  if (a.length === 0) return 0;
  const pos = (p / 100) * (a.length - 1);
  const i = Math.floor(pos), t = pos - i;
  return i + 1 < a.length ? a[i] + t * (a[i + 1] - a[i]) : a[i];
}

/** The clipping ranges of every group by min–max or percentile. */
function ranges(rt: Runtime, x: number, o: ResolvedOptions): { lo: Float32Array; hi: Float32Array } {
  const { groups, size } = groupShape(o);
  const lo = new Float32Array(groups), hi = new Float32Array(groups);
  if (o.calibration === 'percentile') {
    for (let g = 0; g < groups; g++) {
      const v = rt.arena.f32(x + g * size * 4, size).slice();
      if (o.symmetric) {
        for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
        v.sort();
        hi[g] = percentileSorted(v, o.percentile);
        lo[g] = -hi[g];
      } else {
        v.sort();
        lo[g] = percentileSorted(v, 100 - o.percentile);
        hi[g] = percentileSorted(v, o.percentile);
      }
    }
    return { lo, hi };
  }
  const [pl, ph] = rt.arena.allocAll([groups * 4, groups * 4]);
  try {
    rt.kernels.minmax_f32_per_row(x, groups, size, pl, ph);
    lo.set(rt.arena.f32(pl, groups));
    hi.set(rt.arena.f32(ph, groups));
  } finally {
    rt.arena.free(pl);
    rt.arena.free(ph);
  }
  return { lo, hi };
}

/** Per-group scales and zero points for an integer scheme, by the chosen calibration. */
export function calibrate(rt: Runtime, x: number, o: ResolvedOptions): { scales: Float32Array; zeroPoints: Int32Array } {
  const { groups } = groupShape(o);
  const { lo, hi } = ranges(rt, x, o);
  const scales = new Float32Array(groups), zeroPoints = new Int32Array(groups);
  const fill = (ratio: number, s: Float32Array, z: Int32Array) => {
    for (let g = 0; g < groups; g++) {
      const p = affineParams(o.info, o.symmetric, lo[g] * ratio, hi[g] * ratio);
      s[g] = p.scale;
      z[g] = p.zeroPoint;
    }
  };
  fill(1, scales, zeroPoints);
  if (o.calibration !== 'mse' || groups === 0) return { scales, zeroPoints };

  // MSE-optimal clipping: try MSE_CANDIDATES ratios, keep the best per group. Per row: one kernel pass per
  // candidate over the table. Per tensor: the same kernel over the tensor's rows with one shared scale (ps = 0).
  const rows = o.rows, cols = o.cols;
  const perRow = o.perRow;
  const best = new Float64Array(groups).fill(Infinity);
  const [ps, pz, pe] = rt.arena.allocAll([groups * 4, groups * 4, Math.max(rows, 1) * 4]);
  const s = new Float32Array(groups), z = new Int32Array(groups);
  try {
    for (let c = 0; c < MSE_CANDIDATES; c++) {
      const ratio = 1 - (c * (1 - MSE_MIN_RATIO)) / (MSE_CANDIDATES - 1);
      fill(ratio, s, z);
      rt.arena.f32(ps, groups).set(s);
      rt.arena.i32(pz, groups).set(z);
      rt.kernels.quant_error_i8_per_row(x, rows, cols, ps, pz, perRow ? 1 : 0, o.info.qmin, o.info.qmax, pe);
      const err = rt.arena.f32(pe, rows);
      if (perRow) {
        for (let g = 0; g < groups; g++) if (err[g] < best[g]) { best[g] = err[g]; scales[g] = s[g]; zeroPoints[g] = z[g]; }
      } else {
        let e = 0;
        for (let r = 0; r < rows; r++) e += err[r];
        if (e < best[0]) { best[0] = e; scales[0] = s[0]; zeroPoints[0] = z[0]; }
      }
    }
  } finally {
    rt.arena.free(ps);
    rt.arena.free(pz);
    rt.arena.free(pe);
  }
  return { scales, zeroPoints };
}

/**
 * Integer codes of x (rows×cols at `x`) with the given per-group scales/zero points, written to `codes` in the
 * scheme's storage layout (one byte per code, or packed two/four per byte row by row).
 */
export function encodeAffine(rt: Runtime, x: number, o: ResolvedOptions, scales: Float32Array, zeroPoints: Int32Array, codes: number): void {
  const { rows, cols, info } = o;
  const n = rows * cols;
  const k = rt.kernels;
  const packed = info.perByte > 1;
  const [t, ps, pz] = rt.arena.allocAll([packed ? n : undefined, Math.max(scales.length, 1) * 4, Math.max(zeroPoints.length, 1) * 4]);
  const tmp = packed ? t : codes;
  try {
    rt.arena.f32(ps, scales.length).set(scales);
    rt.arena.i32(pz, zeroPoints.length).set(zeroPoints);
    const u = info.unsigned;
    if (o.perRow) {
      if (o.rounding === 'stochastic') {
        (u ? k.quantize_affine_u8_stochastic_per_row : k.quantize_affine_i8_stochastic_per_row)(x, rows, cols, ps, pz, info.qmin, info.qmax, o.seed | 0, 0, tmp);
      } else {
        (u ? k.quantize_affine_u8_per_row : k.quantize_affine_i8_per_row)(x, rows, cols, ps, pz, info.qmin, info.qmax, tmp);
      }
    } else if (n > 0) {
      if (o.rounding === 'stochastic') {
        (u ? k.quantize_affine_u8_stochastic : k.quantize_affine_i8_stochastic)(x, n, scales[0], zeroPoints[0], info.qmin, info.qmax, o.seed | 0, 0, tmp);
      } else {
        (u ? k.quantize_affine_u8 : k.quantize_affine_i8)(x, n, scales[0], zeroPoints[0], info.qmin, info.qmax, tmp);
      }
    }
    if (info.perByte === 2) k.pack_i4(tmp, rows, cols, codes);
    else if (info.perByte === 4) k.pack_i2(tmp, rows, cols, codes);
  } finally {
    if (packed) rt.arena.free(tmp);
    rt.arena.free(ps);
    rt.arena.free(pz);
  }
}

/** Ternary (TWN) codes packed as int2 into `codes`; returns the per-group α (the scales). */
export function encodeTernary(rt: Runtime, x: number, o: ResolvedOptions, codes: number): Float32Array {
  const { rows, cols } = o;
  const { groups, size } = groupShape(o);
  const n = rows * cols;
  const [pd, pa, tmp] = rt.arena.allocAll([Math.max(groups, 1) * 4, Math.max(groups, 1) * 4, n]);
  try {
    rt.kernels.twn_per_row(x, groups, size, TWN_DELTA, pd, pa);
    rt.kernels.quantize_ternary_per_row(x, groups, size, pd, tmp);
    rt.kernels.pack_i2(tmp, rows, cols, codes);
    return rt.arena.f32(pa, groups).slice();
  } finally {
    rt.arena.free(pd);
    rt.arena.free(pa);
    rt.arena.free(tmp);
  }
}

/** Sign bits into `codes` (⌈cols/8⌉ bytes per row); returns α = mean|x| per group (XNOR-Net). */
export function encodeBinary(rt: Runtime, x: number, o: ResolvedOptions, codes: number): Float32Array {
  const { groups, size } = groupShape(o);
  const pa = rt.arena.alloc(Math.max(groups, 1) * 4);
  try {
    rt.kernels.pack_b1_f32(x, o.rows, o.cols, codes);
    rt.kernels.absmean_f32_per_row(x, groups, size, pa);
    return rt.arena.f32(pa, groups).slice();
  } finally {
    rt.arena.free(pa);
  }
}

/**
 * fp16/bf16 bit patterns into `codes`. A finite value that would round to ±Inf (|x| ≥ 65520 for fp16) throws
 * E_TOO_LARGE naming its index: storing Inf for a finite input is never what a caller wants.
 */
export function encodeHalf(rt: Runtime, x: number, n: number, bf: boolean, codes: number): void {
  const pa = rt.arena.alloc(4);
  try {
    rt.kernels.absmax_f32_per_row(x, n ? 1 : 0, n, pa);
    const limit = bf ? 3.3961514e38 : 65520; // the smallest magnitudes that round to Inf
    if (n && rt.arena.f32(pa, 1)[0] >= limit) {
      const v = rt.arena.f32(x, n);
      let i = 0;
      while (Math.abs(v[i]) < limit) i++;
      throw new QuantextError('E_TOO_LARGE', `value ${v[i]} at index ${i} is outside the ${bf ? 'bf16' : 'fp16'} range (±${bf ? '3.39e38' : F16_MAX}): it would become Inf`, { index: i, value: v[i] });
    }
  } finally {
    rt.arena.free(pa);
  }
  if (bf) rt.kernels.f32_to_bf16(x, n, codes);
  else rt.kernels.f32_to_f16(x, n, codes);
}

/** Stored codes of an integer scheme (packed or not) → f32 values at `out` (rows×cols). */
export function decodeAffine(rt: Runtime, codes: number, rows: number, cols: number, info: SchemeInfo, scales: Float32Array, zeroPoints: Int32Array, perRow: boolean, out: number): void {
  const n = rows * cols;
  if (n === 0) return;
  const k = rt.kernels;
  const packed = info.perByte > 1;
  const [t, ps, pz] = rt.arena.allocAll([packed ? n : undefined, scales.length * 4, zeroPoints.length * 4]);
  const tmp = packed ? t : codes;
  try {
    if (info.perByte === 2) k.unpack_i4(codes, rows, cols, tmp);
    else if (info.perByte === 4) k.unpack_i2(codes, rows, cols, tmp);
    rt.arena.f32(ps, scales.length).set(scales);
    rt.arena.i32(pz, zeroPoints.length).set(zeroPoints);
    if (perRow) (info.unsigned ? k.dequantize_affine_u8_per_row : k.dequantize_affine_i8_per_row)(tmp, rows, cols, ps, pz, out);
    else (info.unsigned ? k.dequantize_affine_u8 : k.dequantize_affine_i8)(tmp, n, scales[0], zeroPoints[0], out);
  } finally {
    if (packed) rt.arena.free(tmp);
    rt.arena.free(ps);
    rt.arena.free(pz);
  }
}
