// Affine quantization (docs/quantization.md §1.2):
//   quantize    q = clamp(round(x / s) + z, qmin, qmax)     round = ties to even (f32.nearest)
//   dequantize  x̂ = s · (q − z)
// and stochastic rounding (§1.3): q = clamp(floor(x / s + u) + z, qmin, qmax), u from rng.ts.
// Every operation is one f32 op in the order written, so SIMD, scalar and a TypeScript reference
// (Math.fround(x / s)) give identical codes. `qmin`/`qmax` select the scheme: int8 [-128,127],
// int4 [-8,7] (codes packed afterwards by pack.ts), int2 [-2,1], uint8 [0,255]...
// A scale that is not > 0 (zero row, NaN) writes clamp(z) everywhere: never a division by zero.
// NaN inputs become qmin (pmax/pmin order), never a trap; TypeScript rejects them before calling.
// Units: n, rows and cols count elements; rows are contiguous (row r at element r·cols of x and of the codes);
// per-row kernels read scales[r] and zps[r] (zps = 0: all zero points 0); pointers are byte addresses.
import { uniform_f32, uniform_f32x4 } from './rng';

/** clamp to [lo, hi] with NaN → lo, then to an integer (lo, hi are integers in f32). */
// @ts-ignore: decorator
@inline
function clampToCode(v: f32, lo: f32, hi: f32): i32 {
  v = lo < v ? v : lo;
  v = v < hi ? v : hi;
  return <i32>v;
}

// @ts-ignore: decorator
@inline
function clampInt(v: i32, lo: i32, hi: i32): i32 {
  return v < lo ? lo : v > hi ? hi : v;
}

// @ts-ignore: decorator
@inline
function fillCodes<T>(out: usize, n: i32, code: i32): void {
  for (let i = 0; i < n; i++) store<T>(out + <usize>i, <T>code);
}

/** Four f32 lanes → clamped i32 codes (SIMD twin of clampToCode). */
// @ts-ignore: decorator
@inline
function toCodes(v: v128, vlo: v128, vhi: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(f32x4.pmin(vhi, f32x4.pmax(vlo, v)));
}

/** 16 i32 codes in four vectors → 16 bytes (saturating narrows; the values already fit). */
// @ts-ignore: decorator
@inline
function narrow16<T>(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i16x8.narrow_i32x4_s(a, b), cd = i16x8.narrow_i32x4_s(c, d);
  return isSigned<T>() ? i8x16.narrow_i16x8_s(ab, cd) : i8x16.narrow_i16x8_u(ab, cd);
}

// ---------------------------------------------------------------- round to nearest

// @ts-ignore: decorator
@inline
function quantizeScalar<T>(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize, start: i32): void {
  const z = <f32>zp, lo = <f32>qmin, hi = <f32>qmax;
  for (let i = start; i < n; i++) {
    const v = nearest<f32>(load<f32>(x + (<usize>i << 2)) / scale) + z;
    store<T>(out + <usize>i, <T>clampToCode(v, lo, hi));
  }
}

// @ts-ignore: decorator
@inline
function quantizeSpan<T>(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize, simd: bool): void {
  if (!(scale > 0)) { fillCodes<T>(out, n, clampInt(zp, qmin, qmax)); return; }
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vs = f32x4.splat(scale), vz = f32x4.splat(<f32>zp);
    const vlo = f32x4.splat(<f32>qmin), vhi = f32x4.splat(<f32>qmax);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const a = toCodes(f32x4.add(f32x4.nearest(f32x4.div(v128.load(p), vs)), vz), vlo, vhi);
      const b = toCodes(f32x4.add(f32x4.nearest(f32x4.div(v128.load(p, 16), vs)), vz), vlo, vhi);
      const c = toCodes(f32x4.add(f32x4.nearest(f32x4.div(v128.load(p, 32), vs)), vz), vlo, vhi);
      const d = toCodes(f32x4.add(f32x4.nearest(f32x4.div(v128.load(p, 48), vs)), vz), vlo, vhi);
      v128.store(out + <usize>i, narrow16<T>(a, b, c, d));
    }
  }
  quantizeScalar<T>(x, n, scale, zp, qmin, qmax, out, i);
}

// one compiled copy per code type, shared by the kernels and their _scalar twins (smaller builds; one call per row)
function quantizeRows<T>(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, out: usize, simd: bool): void {
  for (let r = 0; r < rows; r++) {
    const zp = zps ? load<i32>(zps + (<usize>r << 2)) : 0;
    quantizeSpan<T>(x + ((<usize>r * <usize>cols) << 2), cols, load<f32>(scales + (<usize>r << 2)), zp, qmin, qmax, out + <usize>r * <usize>cols, simd);
  }
}

/** quantize_affine_i8: out[i] = clamp(round(x[i] / scale) + zp, qmin, qmax) as i8, n elements. */
export function quantize_affine_i8(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize): void {
  quantizeSpan<i8>(x, n, scale, zp, qmin, qmax, out, true);
}
export function quantize_affine_i8_scalar(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize): void {
  quantizeSpan<i8>(x, n, scale, zp, qmin, qmax, out, false);
}
/** quantize_affine_u8: the same with u8 codes (qmin ≥ 0). */
export function quantize_affine_u8(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize): void {
  quantizeSpan<u8>(x, n, scale, zp, qmin, qmax, out, true);
}
export function quantize_affine_u8_scalar(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, out: usize): void {
  quantizeSpan<u8>(x, n, scale, zp, qmin, qmax, out, false);
}

/**
 * quantize_affine_i8_per_row: per-row (per-channel) quantization of a rows×cols f32 matrix into rows×cols i8.
 * Row r uses scales[r] (f32) and zps[r] (i32; pass 0 for an all-zero, symmetric scheme).
 */
export function quantize_affine_i8_per_row(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, out: usize): void {
  quantizeRows<i8>(x, rows, cols, scales, zps, qmin, qmax, out, true);
}
export function quantize_affine_i8_per_row_scalar(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, out: usize): void {
  quantizeRows<i8>(x, rows, cols, scales, zps, qmin, qmax, out, false);
}
export function quantize_affine_u8_per_row(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, out: usize): void {
  quantizeRows<u8>(x, rows, cols, scales, zps, qmin, qmax, out, true);
}
export function quantize_affine_u8_per_row_scalar(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, out: usize): void {
  quantizeRows<u8>(x, rows, cols, scales, zps, qmin, qmax, out, false);
}

// ---------------------------------------------------------------- stochastic rounding

// one compiled copy per code type, shared by the span and row kernels and their _scalar twins (smaller builds)
function stochasticSpan<T>(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize, simd: bool): void {
  if (!(scale > 0)) { fillCodes<T>(out, n, clampInt(zp, qmin, qmax)); return; }
  const z = <f32>zp, lo = <f32>qmin, hi = <f32>qmax;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vs = f32x4.splat(scale), vz = f32x4.splat(z), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const c0 = counter + <u32>i;
      const a = toCodes(f32x4.add(f32x4.floor(f32x4.add(f32x4.div(v128.load(p), vs), uniform_f32x4(seed, c0))), vz), vlo, vhi);
      const b = toCodes(f32x4.add(f32x4.floor(f32x4.add(f32x4.div(v128.load(p, 16), vs), uniform_f32x4(seed, c0 + 4))), vz), vlo, vhi);
      const c = toCodes(f32x4.add(f32x4.floor(f32x4.add(f32x4.div(v128.load(p, 32), vs), uniform_f32x4(seed, c0 + 8))), vz), vlo, vhi);
      const d = toCodes(f32x4.add(f32x4.floor(f32x4.add(f32x4.div(v128.load(p, 48), vs), uniform_f32x4(seed, c0 + 12))), vz), vlo, vhi);
      v128.store(out + <usize>i, narrow16<T>(a, b, c, d));
    }
  }
  for (; i < n; i++) {
    const v = floor<f32>(load<f32>(x + (<usize>i << 2)) / scale + uniform_f32(seed, counter + <u32>i)) + z;
    store<T>(out + <usize>i, <T>clampToCode(v, lo, hi));
  }
}

// @ts-ignore: decorator
@inline
function stochasticRows<T>(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize, simd: bool): void {
  for (let r = 0; r < rows; r++) {
    const zp = zps ? load<i32>(zps + (<usize>r << 2)) : 0;
    const off = <usize>r * <usize>cols;
    stochasticSpan<T>(x + (off << 2), cols, load<f32>(scales + (<usize>r << 2)), zp, qmin, qmax, seed, counter + <u32>off, out + off, simd);
  }
}

/**
 * quantize_affine_i8_stochastic: q = clamp(floor(x / scale + u_i) + zp, qmin, qmax), u_i = uniform(seed, counter + i).
 * Unbiased inside the range: E[q] = x / scale + zp. Pass counter = elements already drawn to continue a stream.
 */
export function quantize_affine_i8_stochastic(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticSpan<i8>(x, n, scale, zp, qmin, qmax, seed, counter, out, true);
}
export function quantize_affine_i8_stochastic_scalar(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticSpan<i8>(x, n, scale, zp, qmin, qmax, seed, counter, out, false);
}
export function quantize_affine_u8_stochastic(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticSpan<u8>(x, n, scale, zp, qmin, qmax, seed, counter, out, true);
}
export function quantize_affine_u8_stochastic_scalar(x: usize, n: i32, scale: f32, zp: i32, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticSpan<u8>(x, n, scale, zp, qmin, qmax, seed, counter, out, false);
}
/** Per-row stochastic rounding; element (r, c) draws u at counter + r·cols + c. */
export function quantize_affine_i8_stochastic_per_row(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticRows<i8>(x, rows, cols, scales, zps, qmin, qmax, seed, counter, out, true);
}
export function quantize_affine_i8_stochastic_per_row_scalar(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticRows<i8>(x, rows, cols, scales, zps, qmin, qmax, seed, counter, out, false);
}
export function quantize_affine_u8_stochastic_per_row(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticRows<u8>(x, rows, cols, scales, zps, qmin, qmax, seed, counter, out, true);
}
export function quantize_affine_u8_stochastic_per_row_scalar(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, qmin: i32, qmax: i32, seed: u32, counter: u32, out: usize): void {
  stochasticRows<u8>(x, rows, cols, scales, zps, qmin, qmax, seed, counter, out, false);
}

// ---------------------------------------------------------------- dequantize

// @ts-ignore: decorator
@inline
function dequantizeSpan<T>(q: usize, n: i32, scale: f32, zp: i32, out: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vs = f32x4.splat(scale), vz = i32x4.splat(zp);
    for (; i + 16 <= n; i += 16) {
      const c = v128.load(q + <usize>i);
      const lo = isSigned<T>() ? i16x8.extend_low_i8x16_s(c) : i16x8.extend_low_i8x16_u(c);
      const hi = isSigned<T>() ? i16x8.extend_high_i8x16_s(c) : i16x8.extend_high_i8x16_u(c);
      const o = out + (<usize>i << 2);
      v128.store(o, f32x4.mul(vs, f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(lo), vz))));
      v128.store(o, f32x4.mul(vs, f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(lo), vz))), 16);
      v128.store(o, f32x4.mul(vs, f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(hi), vz))), 32);
      v128.store(o, f32x4.mul(vs, f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(hi), vz))), 48);
    }
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), scale * <f32>(<i32>load<T>(q + <usize>i) - zp));
  }
}

// @ts-ignore: decorator
@inline
function dequantizeRows<T>(q: usize, rows: i32, cols: i32, scales: usize, zps: usize, out: usize, simd: bool): void {
  for (let r = 0; r < rows; r++) {
    const zp = zps ? load<i32>(zps + (<usize>r << 2)) : 0;
    const off = <usize>r * <usize>cols;
    dequantizeSpan<T>(q + off, cols, load<f32>(scales + (<usize>r << 2)), zp, out + (off << 2), simd);
  }
}

/** dequantize_affine_i8: out[i] = scale · (q[i] − zp) for i8 codes. */
export function dequantize_affine_i8(q: usize, n: i32, scale: f32, zp: i32, out: usize): void {
  dequantizeSpan<i8>(q, n, scale, zp, out, true);
}
export function dequantize_affine_i8_scalar(q: usize, n: i32, scale: f32, zp: i32, out: usize): void {
  dequantizeSpan<i8>(q, n, scale, zp, out, false);
}
export function dequantize_affine_u8(q: usize, n: i32, scale: f32, zp: i32, out: usize): void {
  dequantizeSpan<u8>(q, n, scale, zp, out, true);
}
export function dequantize_affine_u8_scalar(q: usize, n: i32, scale: f32, zp: i32, out: usize): void {
  dequantizeSpan<u8>(q, n, scale, zp, out, false);
}
/** dequantize_affine_i8_per_row: row r uses scales[r] and zps[r] (zps = 0: all zero points 0). */
export function dequantize_affine_i8_per_row(q: usize, rows: i32, cols: i32, scales: usize, zps: usize, out: usize): void {
  dequantizeRows<i8>(q, rows, cols, scales, zps, out, true);
}
export function dequantize_affine_i8_per_row_scalar(q: usize, rows: i32, cols: i32, scales: usize, zps: usize, out: usize): void {
  dequantizeRows<i8>(q, rows, cols, scales, zps, out, false);
}
export function dequantize_affine_u8_per_row(q: usize, rows: i32, cols: i32, scales: usize, zps: usize, out: usize): void {
  dequantizeRows<u8>(q, rows, cols, scales, zps, out, true);
}
export function dequantize_affine_u8_per_row_scalar(q: usize, rows: i32, cols: i32, scales: usize, zps: usize, out: usize): void {
  dequantizeRows<u8>(q, rows, cols, scales, zps, out, false);
}

// ---------------------------------------------------------------- uniform quantizer (textbook)

// @ts-ignore: decorator
@inline
function uniformSpan(x: usize, n: i32, step: f32, lmin: f32, lmax: f32, out: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vs = f32x4.splat(step), vlo = f32x4.splat(lmin), vhi = f32x4.splat(lmax);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const l = f32x4.pmin(vhi, f32x4.pmax(vlo, f32x4.nearest(f32x4.div(v128.load(x + o), vs))));
      v128.store(out + o, f32x4.mul(l, vs));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let l = nearest<f32>(load<f32>(x + o) / step);
    l = lmin < l ? l : lmin;
    l = l < lmax ? l : lmax;
    store<f32>(out + o, l * step);
  }
}

/**
 * uniform_quantize_f32: out[i] = clamp(round(x[i] / step), lmin, lmax) · step, the textbook Q(x) = round(x/L)·L
 * with the level clamped (lmin/lmax are integer-valued floats). In place when out = x.
 */
export function uniform_quantize_f32(x: usize, n: i32, step: f32, lmin: f32, lmax: f32, out: usize): void {
  uniformSpan(x, n, step, lmin, lmax, out, true);
}
export function uniform_quantize_f32_scalar(x: usize, n: i32, step: f32, lmin: f32, lmax: f32, out: usize): void {
  uniformSpan(x, n, step, lmin, lmax, out, false);
}
