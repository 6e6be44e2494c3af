import { BUILD_RELAXED, BUILD_SCALAR, BUILD_SIMD } from './constants';
import { hsum_i32x4 } from './hsum';

/** Which build this is (0 scalar, 1 simd, 2 simd with relaxed SIMD). The loader reports it as backend(). */
export function build_kind(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return BUILD_RELAXED;
  if (ASC_FEATURE_SIMD) return BUILD_SIMD;
  return BUILD_SCALAR;
}

/** First byte past static data: the TypeScript allocator starts here. */
export function heap_base(): usize {
  return __heap_base;
}

/**
 * A computation whose result the loader checks before trusting this build (older Safari
 * validates SIMD modules but miscomputes some ops). Exercises f32x4 mul/add, i16x8 dot,
 * i8x16 popcnt and lane extraction. Both builds must return PROBE_EXPECTED = 2844.
 */
export function probe(): i32 {
  if (ASC_FEATURE_SIMD) {
    const a = f32x4(1.5, -2.0, 3.25, 4.0);
    const b = f32x4(2.0, 0.5, -4.0, 8.0);
    const p = f32x4.add(f32x4.mul(a, b), f32x4.splat(1.0)); // 4, 0, -12, 33
    const s = i32(f32x4.extract_lane(p, 0) + f32x4.extract_lane(p, 1) + f32x4.extract_lane(p, 2) + f32x4.extract_lane(p, 3)); // 25
    const x = i16x8(1, -2, 3, -4, 5, -6, 7, -8);
    const y = i16x8(100, 200, 300, 400, 500, 600, 700, 800);
    const d = hsum_i32x4(i32x4.dot_i16x8_s(x, y)); // -3600
    const c = i8x16(-1, 0, 1, 3, 7, 15, 31, 63, 127, -128, 2, 4, 8, 16, 32, 64);
    const pc = i8x16.popcnt(c);
    const pcs = hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(pc)));
    return s * 256 + d + pcs + 1;
  } else {
    // the same numbers without SIMD (no arrays: kernels never allocate)
    const s = i32((1.5 * 2.0 + 1.0) + (-2.0 * 0.5 + 1.0) + (3.25 * -4.0 + 1.0) + (4.0 * 8.0 + 1.0));
    let d = 0;
    for (let i = 0; i < 8; i++) d += (i & 1 ? -(i + 1) : i + 1) * (i + 1) * 100;
    const pcs = 8 + 0 + popcnt<i32>(1) + popcnt<i32>(3) + popcnt<i32>(7) + popcnt<i32>(15) + popcnt<i32>(31) +
      popcnt<i32>(63) + popcnt<i32>(127) + popcnt<i32>(0x80) + popcnt<i32>(2) + popcnt<i32>(4) + popcnt<i32>(8) +
      popcnt<i32>(16) + popcnt<i32>(32) + popcnt<i32>(64);
    return s * 256 + d + pcs + 1;
  }
}
