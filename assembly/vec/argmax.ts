// Index of the maximum of contiguous f32. Units: n counts elements; pointers are byte addresses.
/**
 * argmax_f32: index of the first maximum of x[0..n), or −1 when n ≤ 0 or every value is NaN.
 * SIMD: a lane-wise max pass, then a scan for the first index that holds it.
 */
export function argmax_f32(x: usize, n: i32): i32 {
  if (!ASC_FEATURE_SIMD || n < 8) return argmax_f32_scalar(x, n);
  // lane-wise max with NaN treated as −∞ (pmax keeps the first operand on NaN comparisons)
  let vm = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    vm = f32x4.pmax(vm, v);
  }
  let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > m) m = v;
  }
  if (m == -Infinity) return argmax_f32_scalar(x, n); // all −∞ or NaN: let the oracle decide
  for (let j = 0; j < n; j++) if (load<f32>(x + (<usize>j << 2)) == m) return j;
  return -1;
}

export function argmax_f32_scalar(x: usize, n: i32): i32 {
  let bi = -1;
  let bv: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) continue;
    if (bi < 0 || v > bv) { bi = i; bv = v; }
  }
  return bi;
}
