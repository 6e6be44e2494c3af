// Squared Euclidean distance of two contiguous f32 vectors. Units: n counts elements (floats); pointers are byte addresses.
import { hsum_f32x4 } from '../util/hsum';

/**
 * l2sq_f32: Σ (a[i] − b[i])² over n contiguous f32 (the kernels API's `l2` takes its square root).
 * SIMD: two f32x4 accumulators (8 floats per step), then a scalar tail. Pointers need no alignment.
 */
export function l2sq_f32(a: usize, b: usize, n: i32): f32 {
  if (!ASC_FEATURE_SIMD) return l2sq_f32_scalar(a, b, n);
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const d0 = f32x4.sub(v128.load(a + o), v128.load(b + o));
    const d1 = f32x4.sub(v128.load(a + o, 16), v128.load(b + o, 16));
    acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
    acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
  }
  let s = hsum_f32x4(f32x4.add(acc0, acc1));
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    s += d * d;
  }
  return s;
}

/** l2sq_f32 with the SIMD path off. */
export function l2sq_f32_scalar(a: usize, b: usize, n: i32): f32 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    s += d * d;
  }
  return s;
}
