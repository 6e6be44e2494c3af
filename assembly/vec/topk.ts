// Top-k of contiguous f32 scores by a bounded heap. Units: n and k count elements; pointers are byte addresses.

/**
 * topk_f32: the k largest of vals[0..n) by partial selection (a size-k min-heap, O(n log k)), not a full sort.
 * Once the heap is full, SIMD builds compare 16 values at a time with its worst and skip blocks with none better:
 * on 100k scores most blocks (a top-10 of 100k: 10–17 µs against ~95 µs for the scalar heap, bench/RESULTS.md).
 * Writes indices to outIdx (i32) and values to outVal (f32), best first; ties keep the lower index first.
 * NaN values are never selected. Returns how many were written (min(k, n, non-NaN count)).
 * outIdx/outVal must hold k entries; they double as the heap, so nothing is allocated.
 * topk_f32_scalar is the same heap without the SIMD block skip (the scalar build's path); the tests check both against
 * a full sort in TypeScript.
 */
export function topk_f32(vals: usize, n: i32, k: i32, outIdx: usize, outVal: usize): i32 {
  return topk(vals, n, k, outIdx, outVal, true);
}
export function topk_f32_scalar(vals: usize, n: i32, k: i32, outIdx: usize, outVal: usize): i32 {
  return topk(vals, n, k, outIdx, outVal, false);
}

// one compiled copy shared by topk_f32 and its _scalar twin (the flag is a runtime argument)
function topk(vals: usize, n: i32, k: i32, outIdx: usize, outVal: usize, simd: bool): i32 {
  if (k <= 0) return 0;
  let size = 0, i = 0;
  // fill the heap with the first k non-NaN values
  for (; i < n && size < k; i++) {
    const v = load<f32>(vals + (<usize>i << 2));
    if (v != v) continue; // NaN
    // sift up
    let j = size++;
    while (j > 0) {
      const p = (j - 1) >> 1;
      const pv = load<f32>(outVal + (<usize>p << 2));
      const pi = load<i32>(outIdx + (<usize>p << 2));
      if (!worse(v, i, pv, pi)) break;
      store<f32>(outVal + (<usize>j << 2), pv);
      store<i32>(outIdx + (<usize>j << 2), pi);
      j = p;
    }
    store<f32>(outVal + (<usize>j << 2), v);
    store<i32>(outIdx + (<usize>j << 2), i);
  }
  // the rest: only a value above the heap's worst enters (an equal one comes later, so ranks lower; NaN never
  // compares above). SIMD: 16 values against the worst at once, and the scalar path only for a block that has one.
  if (ASC_FEATURE_SIMD && simd) {
    for (; i + 16 <= n; i += 16) {
      const t = f32x4.splat(load<f32>(outVal));
      const p = vals + (<usize>i << 2);
      const any = v128.or(v128.or(f32x4.gt(v128.load(p), t), f32x4.gt(v128.load(p, 16), t)), v128.or(f32x4.gt(v128.load(p, 32), t), f32x4.gt(v128.load(p, 48), t)));
      if (!v128.any_true(any)) continue;
      for (let j = i; j < i + 16; j++) {
        const v = load<f32>(vals + (<usize>j << 2));
        if (v > load<f32>(outVal)) siftDown(outIdx, outVal, size, v, j);
      }
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(vals + (<usize>i << 2));
    if (v > load<f32>(outVal)) siftDown(outIdx, outVal, size, v, i);
  }
  // heap sort in place: repeatedly move the worst to the end → best first
  for (let end = size - 1; end > 0; end--) {
    const wv = load<f32>(outVal), wi = load<i32>(outIdx);
    const lv = load<f32>(outVal + (<usize>end << 2)), li = load<i32>(outIdx + (<usize>end << 2));
    siftDown(outIdx, outVal, end, lv, li);
    store<f32>(outVal + (<usize>end << 2), wv);
    store<i32>(outIdx + (<usize>end << 2), wi);
  }
  return size;
}

/** True when (va, ia) ranks below (vb, ib): smaller value, or equal value and larger index. */
// @ts-ignore: decorator
@inline
function worse(va: f32, ia: i32, vb: f32, ib: i32): bool {
  return va < vb || (va == vb && ia > ib);
}

// @ts-ignore: decorator
@inline
function siftDown(outIdx: usize, outVal: usize, size: i32, v: f32, i: i32): void {
  let j = 0;
  while (true) {
    const l = 2 * j + 1;
    if (l >= size) break;
    let c = l;
    let cv = load<f32>(outVal + (<usize>l << 2)), ci = load<i32>(outIdx + (<usize>l << 2));
    const r = l + 1;
    if (r < size) {
      const rv = load<f32>(outVal + (<usize>r << 2)), ri = load<i32>(outIdx + (<usize>r << 2));
      if (worse(rv, ri, cv, ci)) { c = r; cv = rv; ci = ri; }
    }
    if (!worse(cv, ci, v, i)) break;
    store<f32>(outVal + (<usize>j << 2), cv);
    store<i32>(outIdx + (<usize>j << 2), ci);
    j = c;
  }
  store<f32>(outVal + (<usize>j << 2), v);
  store<i32>(outIdx + (<usize>j << 2), i);
}
