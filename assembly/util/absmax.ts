// The symmetric per-row quantizers' first pass (int16 lanes in infer/gemm_i8.ts, int8 codes in infer/gemm_i7.ts).

/**
 * max |x| over the k floats at xr, or NaN when any of them is not finite (NaN or ±∞). SIMD (`simd` and a SIMD build):
 * the maximum of the values' bits with the sign cleared, as integers (i32x4.max_s): for non-negative floats the
 * integer order of the bits is the float order, and every NaN or ∞ has bits ≥ 0x7f800000, above every finite value,
 * so one maximum finds both. Two instructions per vector (and + pmaxsd) against four for a float max with a separate
 * NaN test: a per-row quantization of 32×768 or 128×256 floats spends 2.3–3 µs less here. Four independent chains.
 * The tail, and the scalar path, flag ±∞ and NaN by v − v.
 */
// @ts-ignore: decorator
@inline
export function absMaxFinite(xr: usize, k: i32, simd: bool): f32 {
  let mx: f32 = 0, c = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const msk = i32x4.splat(0x7fffffff);
    let m0 = i32x4.splat(0), m1 = m0, m2 = m0, m3 = m0;
    for (; c + 16 <= k; c += 16) {
      const p = xr + (<usize>c << 2);
      m0 = i32x4.max_s(m0, v128.and(v128.load(p), msk)); m1 = i32x4.max_s(m1, v128.and(v128.load(p, 16), msk));
      m2 = i32x4.max_s(m2, v128.and(v128.load(p, 32), msk)); m3 = i32x4.max_s(m3, v128.and(v128.load(p, 48), msk));
    }
    const mv = i32x4.max_s(i32x4.max_s(m0, m1), i32x4.max_s(m2, m3));
    const mb = max(max(i32x4.extract_lane(mv, 0), i32x4.extract_lane(mv, 1)), max(i32x4.extract_lane(mv, 2), i32x4.extract_lane(mv, 3)));
    mx = reinterpret<f32>(mb); // ∞ or NaN when a value was not finite (theirs are the largest bits)
  }
  let bs: f32 = 0;
  for (; c < k; c++) { const v = load<f32>(xr + (<usize>c << 2)); mx = max(mx, abs(v)); bs += v - v; }
  return bs != 0 || !(mx < Infinity) ? NaN : mx;
}

/**
 * The symmetric per-row scale of the k floats at xr: s = fround(max |x| / 127), 1 for an all-zero row; NaN when a
 * value is not finite. The same for every per-row quantizer (int16 lanes, their interleaved tiles, int8 codes).
 */
// @ts-ignore: decorator
@inline
export function symRowScale(xr: usize, k: i32, simd: bool): f32 {
  const mxs = absMaxFinite(xr, k, simd);
  if (mxs != mxs) return NaN;
  const s: f32 = mxs / 127;
  return s == 0 ? 1 : s;
}
