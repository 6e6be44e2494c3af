// The symmetric per-row quantizers' first pass (int16 lanes in infer/gemm_i8.ts, int8 codes in infer/gemm_i7.ts).

/**
 * max |x| over the k floats at xr, or NaN when any of them is not finite (NaN or ±∞). SIMD (`simd` and a SIMD build):
 * four independent chains of pmax (one instruction each; NaN is caught by `ne`, ±∞ by the maximum): one dependent
 * chain made this pass as slow as the quantizing one. The tail, and the scalar path, flag ±∞ and NaN by v − v.
 */
// @ts-ignore: decorator
@inline
export function absMaxFinite(xr: usize, k: i32, simd: bool): f32 {
  let mx: f32 = 0, c = 0, bad = false;
  if (ASC_FEATURE_SIMD && simd) {
    let m0 = f32x4.splat(0), m1 = m0, m2 = m0, m3 = m0, nan = i32x4.splat(0);
    for (; c + 16 <= k; c += 16) {
      const p = xr + (<usize>c << 2);
      const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32), g = v128.load(p, 48);
      m0 = f32x4.pmax(m0, f32x4.abs(a)); m1 = f32x4.pmax(m1, f32x4.abs(b));
      m2 = f32x4.pmax(m2, f32x4.abs(e)); m3 = f32x4.pmax(m3, f32x4.abs(g));
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(a, a), f32x4.ne(b, b)), v128.or(f32x4.ne(e, e), f32x4.ne(g, g))));
    }
    const mv = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    mx = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    bad = v128.any_true(nan);
  }
  let bs: f32 = 0;
  for (; c < k; c++) { const v = load<f32>(xr + (<usize>c << 2)); mx = max(mx, abs(v)); bs += v - v; }
  return bad || bs != 0 || mx == Infinity ? NaN : mx;
}
