// Horizontal sum of the four lanes of an f32x4.
// @ts-ignore: decorator
@inline
export function hsum_f32x4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline
export function hsum_i32x4(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/** Lanes i of the result = Σ lanes of a_i: four horizontal sums at once. */
// @ts-ignore: decorator
@inline
export function hsum4_i32x4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t01 = i32x4.add(i32x4.shuffle(a0, a1, 0, 2, 4, 6), i32x4.shuffle(a0, a1, 1, 3, 5, 7));
  const t23 = i32x4.add(i32x4.shuffle(a2, a3, 0, 2, 4, 6), i32x4.shuffle(a2, a3, 1, 3, 5, 7));
  return i32x4.add(i32x4.shuffle(t01, t23, 0, 2, 4, 6), i32x4.shuffle(t01, t23, 1, 3, 5, 7));
}
