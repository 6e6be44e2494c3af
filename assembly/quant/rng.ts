// Counter-based random numbers: the value for element i depends only on (seed, i), so SIMD, scalar and
// TypeScript agree bit for bit and any order of evaluation reproduces the same stream.
// u(seed, i) = (fmix32(i · 0x9E3779B9 ⊕ seed) >>> 8) · 2⁻²⁴ ∈ [0, 1), fmix32 being murmur3's finalizer.

export const GOLDEN: u32 = 0x9e3779b9;
const M1: u32 = 0x85ebca6b;
const M2: u32 = 0xc2b2ae35;
const INV_2_24: f32 = 5.9604644775390625e-8; // 2^-24

/** murmur3 fmix32: a bijective avalanche of 32 bits. */
// @ts-ignore: decorator
@inline
export function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= M1;
  h ^= h >>> 13;
  h *= M2;
  h ^= h >>> 16;
  return h;
}

/** The 32-bit random word of element `i` of stream `seed`. */
// @ts-ignore: decorator
@inline
export function hash_u32(seed: u32, i: u32): u32 {
  return fmix32((i * GOLDEN) ^ seed);
}

/** A uniform f32 in [0, 1) with 24 random bits (exactly representable). */
// @ts-ignore: decorator
@inline
export function uniform_f32(seed: u32, i: u32): f32 {
  return <f32>(hash_u32(seed, i) >>> 8) * INV_2_24;
}

/** Four lanes of uniform_f32 for counters i, i+1, i+2, i+3. */
// @ts-ignore: decorator
@inline
export function uniform_f32x4(seed: u32, i: u32): v128 {
  let h = i32x4.mul(i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3)), i32x4.splat(GOLDEN));
  h = v128.xor(h, i32x4.splat(seed));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(M1));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(M2));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(h, 8)), f32x4.splat(INV_2_24));
}

/** Exported for tests and for TypeScript code that must reproduce the stream. */
export function rng_uniform_f32(seed: u32, i: u32): f32 {
  return uniform_f32(seed, i);
}
