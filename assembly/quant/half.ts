// IEEE binary16 (fp16) and bfloat16 conversions (docs/quantization.md §1.5).
// f32 → f16: one rounding, to nearest even, with subnormals (multiples of 2⁻²⁴), overflow to ±Inf (from
// 65520 up), ±0 and ±Inf kept, NaN kept as a quiet NaN with its sign and top 9 payload bits.
// The arithmetic is Fabian Giesen's branch-free float_to_half_fast3_rtne ("half.c", public domain), with the
// NaN payload kept; the subnormal branch lets the FPU do the rounding by adding 0.5 (ulp 2⁻²⁴).
// f16 → f32 and bf16 → f32 are exact.
// Units: n counts elements (contiguous; 2 bytes per half, 4 per float); pointers are byte addresses.

const F16_BIG: u32 = 0x47800000; // 65536 = 2^16: at and above it (or Inf/NaN) the result is Inf or NaN
const F16_MIN_NORMAL: u32 = 0x38800000; // 2^-14
const DENORM_MAGIC: u32 = 0x3f000000; // 0.5 = ((127 − 15) + (23 − 10) + 1) << 23
const REBIAS: u32 = 0xc8000fff; // ((15 − 127) << 23) + 0xfff, as u32
const INV_2_24: f32 = 5.9604644775390625e-8;

/** One f32 (as bits) → f16 bits. */
// @ts-ignore: decorator
@inline
export function f32_bits_to_f16(f: u32): u32 {
  const sign = (f >> 16) & 0x8000;
  const a = f & 0x7fffffff;
  let o: u32;
  if (a >= F16_BIG) {
    o = a > 0x7f800000 ? 0x7e00 | ((a >> 13) & 0x3ff) : 0x7c00;
  } else if (a < F16_MIN_NORMAL) {
    o = reinterpret<u32>(reinterpret<f32>(a) + reinterpret<f32>(DENORM_MAGIC)) - DENORM_MAGIC;
  } else {
    o = (a + REBIAS + ((a >> 13) & 1)) >> 13;
  }
  return o | sign;
}

/** One f16 (bits) → f32 bits (exact). */
// @ts-ignore: decorator
@inline
export function f16_bits_to_f32(h: u32): u32 {
  const sign = (h & 0x8000) << 16;
  const e = h & 0x7c00, m = h & 0x3ff;
  if (e == 0x7c00) return sign | 0x7f800000 | (m << 13);
  if (e == 0) return sign | reinterpret<u32>(<f32>m * INV_2_24);
  return sign | (((h & 0x7fff) << 13) + (112 << 23));
}

/** Four f32 lanes → four f16 values in the low 16 bits of i32 lanes. */
// @ts-ignore: decorator
@inline
export function f32x4_to_f16_i32x4(v: v128): v128 {
  const a = v128.and(v, i32x4.splat(0x7fffffff));
  const sign = v128.and(i32x4.shr_u(v, 16), i32x4.splat(0x8000));
  const nanBits = v128.or(i32x4.splat(0x7e00), v128.and(i32x4.shr_u(a, 13), i32x4.splat(0x3ff)));
  const big = v128.bitselect(nanBits, i32x4.splat(0x7c00), i32x4.gt_s(a, i32x4.splat(0x7f800000)));
  const sub = i32x4.sub(f32x4.add(a, i32x4.splat(DENORM_MAGIC)), i32x4.splat(DENORM_MAGIC));
  const odd = v128.and(i32x4.shr_u(a, 13), i32x4.splat(1));
  const norm = i32x4.shr_u(i32x4.add(i32x4.add(a, i32x4.splat(REBIAS)), odd), 13);
  const small = v128.bitselect(sub, norm, i32x4.lt_s(a, i32x4.splat(F16_MIN_NORMAL)));
  return v128.or(v128.bitselect(big, small, i32x4.ge_s(a, i32x4.splat(F16_BIG))), sign);
}

/** Four f16 values (low 16 bits of i32 lanes, zero-extended) → four f32 lanes. */
// @ts-ignore: decorator
@inline
export function f16_i32x4_to_f32x4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const e = v128.and(h, i32x4.splat(0x7c00));
  const m = v128.and(h, i32x4.splat(0x3ff));
  const norm = i32x4.add(i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13), i32x4.splat(112 << 23));
  const infnan = v128.or(i32x4.splat(0x7f800000), i32x4.shl(m, 13));
  const sub = f32x4.mul(f32x4.convert_i32x4_s(m), f32x4.splat(INV_2_24));
  const r = v128.bitselect(infnan, v128.bitselect(sub, norm, i32x4.eq(e, i32x4.splat(0))), i32x4.eq(e, i32x4.splat(0x7c00)));
  return v128.or(r, sign);
}

/** One f32 (bits) → bf16 bits, round to nearest even; NaN → quiet NaN with sign and top payload. */
// @ts-ignore: decorator
@inline
export function f32_bits_to_bf16(f: u32): u32 {
  if ((f & 0x7fffffff) > 0x7f800000) return (f >> 16) | 0x40;
  return (f + 0x7fff + ((f >> 16) & 1)) >> 16;
}

// @ts-ignore: decorator
@inline
export function f32x4_to_bf16_i32x4(v: v128): v128 {
  const isNaN = i32x4.gt_s(v128.and(v, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000));
  const nanBits = v128.or(i32x4.shr_u(v, 16), i32x4.splat(0x40));
  const odd = v128.and(i32x4.shr_u(v, 16), i32x4.splat(1));
  const rounded = i32x4.shr_u(i32x4.add(i32x4.add(v, i32x4.splat(0x7fff)), odd), 16);
  return v128.bitselect(nanBits, rounded, isNaN);
}

// ---------------------------------------------------------------- array kernels

/** f32_to_f16: dst[i] (u16) = fp16(src[i]), round to nearest even. */
export function f32_to_f16(src: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const p = src + (<usize>i << 2);
      const a = f32x4_to_f16_i32x4(v128.load(p)), b = f32x4_to_f16_i32x4(v128.load(p, 16));
      v128.store(dst + (<usize>i << 1), i16x8.narrow_i32x4_u(a, b));
    }
  }
  for (; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>f32_bits_to_f16(load<u32>(src + (<usize>i << 2))));
}
export function f32_to_f16_scalar(src: usize, n: i32, dst: usize): void {
  for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>f32_bits_to_f16(load<u32>(src + (<usize>i << 2))));
}

/** f16_to_f32: dst[i] = f32(src[i]), exact. */
export function f16_to_f32(src: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const p = src + (<usize>i << 1), o = dst + (<usize>i << 2);
      v128.store(o, f16_i32x4_to_f32x4(v128.load16x4_u(p)));
      v128.store(o, f16_i32x4_to_f32x4(v128.load16x4_u(p, 8)), 16);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), f16_bits_to_f32(<u32>load<u16>(src + (<usize>i << 1))));
}
export function f16_to_f32_scalar(src: usize, n: i32, dst: usize): void {
  for (let i = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), f16_bits_to_f32(<u32>load<u16>(src + (<usize>i << 1))));
}

/** f32_to_bf16: dst[i] (u16) = bf16(src[i]), round to nearest even. */
export function f32_to_bf16(src: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const p = src + (<usize>i << 2);
      const a = f32x4_to_bf16_i32x4(v128.load(p)), b = f32x4_to_bf16_i32x4(v128.load(p, 16));
      v128.store(dst + (<usize>i << 1), i16x8.narrow_i32x4_u(a, b));
    }
  }
  for (; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>f32_bits_to_bf16(load<u32>(src + (<usize>i << 2))));
}
export function f32_to_bf16_scalar(src: usize, n: i32, dst: usize): void {
  for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>f32_bits_to_bf16(load<u32>(src + (<usize>i << 2))));
}

/** bf16_to_f32: dst[i] = bits << 16, exact. */
export function bf16_to_f32(src: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const p = src + (<usize>i << 1), o = dst + (<usize>i << 2);
      v128.store(o, i32x4.shl(v128.load16x4_u(p), 16));
      v128.store(o, i32x4.shl(v128.load16x4_u(p, 8), 16), 16);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}
export function bf16_to_f32_scalar(src: usize, n: i32, dst: usize): void {
  for (let i = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}
