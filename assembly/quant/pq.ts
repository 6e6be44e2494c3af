// Product quantization, as fastText's ProductQuantizer does it (docs/quantization.md §1.7).
// A vector of `cols` floats is split into nsub = ⌈cols/dsub⌉ sub-vectors; sub-space m covers columns
// [m·dsub, m·dsub + d_m) with d_m = min(dsub, cols − m·dsub). Each sub-space has ksub (≤ 256) centroids.
// Codebook layout `cent` (fastText's): sub-space m starts at float m·ksub·dsub and holds ksub × d_m, row-major.
// The SIMD nearest-centroid search reads a transposed copy `centT` (same offsets, d_m × ksub) so that four
// centroids are compared per instruction; pq_transpose makes it. Distances are squared L2, summed over
// j in index order in every build, and ties go to the lower centroid, so SIMD and scalar pick the same codes.
// Units: rows, cols, n, d, dsub, ksub and nsub count elements; input rows are `xstride` floats (elements) apart;
// codes are contiguous, nsub bytes per row; pointers are byte addresses.
import { uniform_f32 } from './rng';
import { PQ_EPS, PQ_PLUSPLUS_PER_CENTROID } from './constants';

// @ts-ignore: decorator
@inline
function subDim(cols: i32, dsub: i32, m: i32): i32 {
  return min(dsub, cols - m * dsub);
}

/** pq_transpose: centT = per-sub-space transpose of cent (ksub × d_m → d_m × ksub). */
export function pq_transpose(cent: usize, cols: i32, dsub: i32, ksub: i32, centT: usize): void {
  const nsub = (cols + dsub - 1) / dsub;
  for (let m = 0; m < nsub; m++) {
    const d = subDim(cols, dsub, m);
    const base = (<usize>m * <usize>ksub * <usize>dsub) << 2;
    transposeBlock(cent + base, ksub, d, centT + base);
  }
}

// @ts-ignore: decorator
@inline
function transposeBlock(c: usize, k: i32, d: i32, cT: usize): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < d; j++) store<f32>(cT + ((<usize>j * <usize>k + <usize>i) << 2), load<f32>(c + ((<usize>i * <usize>d + <usize>j) << 2)));
  }
}

/** Scalar nearest-centroid search over centroids [from, k): updates (best, bestD) passed as the start. */
// @ts-ignore: decorator
@inline
function nearestTail(x: usize, d: i32, k: i32, cT: usize, from: i32, best: i32, bestD: f32): i32 {
  for (let c = from; c < k; c++) {
    let dist: f32 = 0;
    for (let j = 0; j < d; j++) {
      const diff = load<f32>(cT + ((<usize>j * <usize>k + <usize>c) << 2)) - load<f32>(x + (<usize>j << 2));
      dist += diff * diff;
    }
    if (dist < bestD) { bestD = dist; best = c; }
  }
  return best;
}

/** Squared distances of x to centroids c..c+3 (lanes), dimensions summed in index order. D = d for d ≤ 4. */
// @ts-ignore: decorator
@inline
function dist4(cT: usize, kb: usize, c: i32, D: i32, d: i32, x: usize, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const p = cT + (<usize>c << 2);
  let t = f32x4.sub(v128.load(p), x0);
  let acc = f32x4.mul(t, t);
  if (D >= 2) { t = f32x4.sub(v128.load(p + kb), x1); acc = f32x4.add(acc, f32x4.mul(t, t)); }
  if (D >= 3) { t = f32x4.sub(v128.load(p + 2 * kb), x2); acc = f32x4.add(acc, f32x4.mul(t, t)); }
  if (D >= 4) { t = f32x4.sub(v128.load(p + 3 * kb), x3); acc = f32x4.add(acc, f32x4.mul(t, t)); }
  if (D > 4) {
    for (let j = 4; j < d; j++) {
      t = f32x4.sub(v128.load(p + <usize>j * kb), f32x4.splat(load<f32>(x + (<usize>j << 2))));
      acc = f32x4.add(acc, f32x4.mul(t, t));
    }
  }
  return acc;
}

/**
 * SIMD nearest centroid for a fixed small dimension D (1…4, or 5 meaning "d > 4"): the point's coordinates are
 * splatted once, eight centroids are compared per step in two independent chains, and the per-lane minima
 * are merged at the end with the lowest index winning ties (so the result equals the scalar search).
 */
// @ts-ignore: decorator
@inline
function nearestSimd(x: usize, D: i32, d: i32, k: i32, cT: usize): i32 {
  const kb = <usize>k << 2;
  const x0 = f32x4.splat(load<f32>(x));
  const x1 = D >= 2 ? f32x4.splat(load<f32>(x, 4)) : x0;
  const x2 = D >= 3 ? f32x4.splat(load<f32>(x, 8)) : x0;
  const x3 = D >= 4 ? f32x4.splat(load<f32>(x, 12)) : x0;
  let bA = f32x4.splat(Infinity), iA = i32x4.splat(0), bB = f32x4.splat(Infinity), iB = i32x4.splat(0);
  let cur = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4), eight = i32x4.splat(8);
  let c = 0;
  for (; c + 8 <= k; c += 8) {
    const dA = dist4(cT, kb, c, D, d, x, x0, x1, x2, x3), dB = dist4(cT, kb, c + 4, D, d, x, x0, x1, x2, x3);
    const ltA = f32x4.lt(dA, bA), ltB = f32x4.lt(dB, bB);
    bA = v128.bitselect(dA, bA, ltA); iA = v128.bitselect(cur, iA, ltA);
    bB = v128.bitselect(dB, bB, ltB); iB = v128.bitselect(i32x4.add(cur, four), iB, ltB);
    cur = i32x4.add(cur, eight);
  }
  if (c + 4 <= k) {
    const dA = dist4(cT, kb, c, D, d, x, x0, x1, x2, x3);
    const ltA = f32x4.lt(dA, bA);
    bA = v128.bitselect(dA, bA, ltA); iA = v128.bitselect(cur, iA, ltA);
    c += 4;
  }
  // merge the two chains lane-wise (lower index on ties), then the four lanes
  const takeB = v128.or(f32x4.lt(bB, bA), v128.and(f32x4.eq(bB, bA), i32x4.lt_s(iB, iA)));
  bA = v128.bitselect(bB, bA, takeB);
  iA = v128.bitselect(iB, iA, takeB);
  let best = 0;
  let bestD: f32 = Infinity;
  for (let l = 0; l < 4; l++) {
    const v = f32x4.extract_lane(bA, 0), i = i32x4.extract_lane(iA, 0);
    if (v < bestD || (v == bestD && i < best)) { bestD = v; best = i; }
    bA = i32x4.shuffle(bA, bA, 1, 2, 3, 0);
    iA = i32x4.shuffle(iA, iA, 1, 2, 3, 0);
  }
  return nearestTail(x, d, k, cT, c, best, bestD);
}

/**
 * Index of the centroid nearest to x (d floats) among k, from the transposed block cT (d × k).
 * SIMD: four centroids per lane group, specialised for d = 1…4; the scalar search is the reference.
 */
// one compiled copy (with its five specialisations) for k-means and encoding and their _scalar twins: a call per
// point costs little next to the k centroid distances, and the builds stay small
function nearest4(x: usize, d: i32, k: i32, cT: usize, simd: bool): i32 {
  if (ASC_FEATURE_SIMD && simd && k >= 4) {
    if (d == 1) return nearestSimd(x, 1, 1, k, cT);
    if (d == 2) return nearestSimd(x, 2, 2, k, cT);
    if (d == 3) return nearestSimd(x, 3, 3, k, cT);
    if (d == 4) return nearestSimd(x, 4, 4, k, cT);
    return nearestSimd(x, 5, d, k, cT);
  }
  return nearestTail(x, d, k, cT, 0, 0, Infinity);
}

// @ts-ignore: decorator
@inline
function copyPoint(p: usize, d: i32, dst: usize): void {
  for (let j = 0; j < d; j++) store<f32>(dst + (<usize>j << 2), load<f32>(p + (<usize>j << 2)));
}

// @ts-ignore: decorator
@inline
function sqdist(a: usize, b: usize, d: i32): f32 {
  let s: f32 = 0;
  for (let j = 0; j < d; j++) {
    const t = load<f32>(a + (<usize>j << 2)) - load<f32>(b + (<usize>j << 2));
    s += t * t;
  }
  return s;
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007) on an evenly strided subset of at most
 * PQ_PLUSPLUS_PER_CENTROID · k points (point j of the subset is x[⌊j·n/m⌋]): the first centroid is a uniform
 * random subset point, each next one a subset point drawn with probability ∝ its squared distance to the
 * nearest centroid chosen so far. Uses `dist` (m f32, the `assign` buffer) as scratch and the uniforms at
 * counters 0..k-1. When every subset point coincides with a chosen centroid, a uniform one is taken (the
 * duplicate is split later like an empty cluster). One pass per centroid updates the distances and their sum;
 * the draw scans until the running sum passes the target.
 */
function initPlusPlus(x: usize, n: i32, d: i32, xs: usize, k: i32, seed: u32, cent: usize, dist: usize): void {
  const m = <i32>min(<i64>n, <i64>k * <i64>PQ_PLUSPLUS_PER_CENTROID);
  let first = <i32>(uniform_f32(seed, 0) * <f32>m);
  if (first >= m) first = m - 1;
  copyPoint(x + subsetPoint(first, n, m) * xs, d, cent);
  let total: f64 = 0;
  for (let i = 0; i < m; i++) {
    const v = sqdist(x + subsetPoint(i, n, m) * xs, cent, d);
    store<f32>(dist + (<usize>i << 2), v);
    total += <f64>v;
  }
  for (let c = 1; c < k; c++) {
    const u = <f64>uniform_f32(seed, <u32>c);
    let pick = -1;
    if (total > 0) {
      const target = u * total;
      let cum: f64 = 0;
      for (let i = 0; i < m; i++) {
        const w = <f64>load<f32>(dist + (<usize>i << 2));
        cum += w;
        if (w > 0) pick = i; // the last positive one, should rounding leave cum ≤ target at the end
        if (cum > target && w > 0) break;
      }
    }
    if (pick < 0) { pick = <i32>(u * <f64>m); if (pick >= m) pick = m - 1; }
    const cc = cent + ((<usize>c * <usize>d) << 2);
    copyPoint(x + subsetPoint(pick, n, m) * xs, d, cc);
    total = 0;
    for (let i = 0; i < m; i++) {
      const o = dist + (<usize>i << 2);
      let w = load<f32>(o);
      const v = sqdist(x + subsetPoint(i, n, m) * xs, cc, d);
      if (v < w) { w = v; store<f32>(o, v); }
      total += <f64>w;
    }
  }
}

/** Index in 0..n-1 of point j of an evenly strided subset of m points. */
// @ts-ignore: decorator
@inline
function subsetPoint(j: i32, n: i32, m: i32): usize {
  return <usize>((<i64>j * <i64>n) / <i64>m);
}

// not inlined: pq_kmeans_f32 and its scalar twin share this one copy (the SIMD choice is a branch per point)
function kmeans(x: usize, n: i32, d: i32, xstride: i32, k: i32, iters: i32, seed: u32, init: i32, cent: usize, centT: usize, assign: usize, counts: usize, simd: bool): void {
  if (n <= 0 || k <= 0 || d <= 0) return;
  const xs = <usize>xstride << 2;
  let ctr: u32 = 0;
  if (init == 1) {
    initPlusPlus(x, n, d, xs, k, seed, cent, assign);
    ctr = <u32>k;
  } else {
    // fastText: the first k entries of a seeded shuffle of 0..n-1 (partial Fisher–Yates)
    for (let i = 0; i < n; i++) store<i32>(assign + (<usize>i << 2), i);
    for (let i = 0; i < k; i++) {
      const src = i < n ? i : i % n;
      if (i < n) {
        let j = i + <i32>(uniform_f32(seed, ctr++) * <f32>(n - i));
        if (j >= n) j = n - 1;
        const t = load<i32>(assign + (<usize>j << 2));
        store<i32>(assign + (<usize>j << 2), load<i32>(assign + (<usize>i << 2)));
        store<i32>(assign + (<usize>i << 2), t);
      }
      copyPoint(x + <usize>load<i32>(assign + (<usize>src << 2)) * xs, d, cent + ((<usize>i * <usize>d) << 2));
    }
  }
  for (let it = 0; it < iters; it++) {
    // E-step: nearest centroid of every point
    transposeBlock(cent, k, d, centT);
    for (let i = 0; i < n; i++) store<i32>(assign + (<usize>i << 2), nearest4(x + <usize>i * xs, d, k, centT, simd));
    // M-step: centroids = means of their points
    memory.fill(cent, 0, (<usize>k * <usize>d) << 2);
    memory.fill(counts, 0, <usize>k << 2);
    for (let i = 0; i < n; i++) {
      const a = load<i32>(assign + (<usize>i << 2));
      const c = cent + ((<usize>a * <usize>d) << 2);
      const p = x + <usize>i * xs;
      for (let j = 0; j < d; j++) store<f32>(c + (<usize>j << 2), load<f32>(c + (<usize>j << 2)) + load<f32>(p + (<usize>j << 2)));
      store<i32>(counts + (<usize>a << 2), load<i32>(counts + (<usize>a << 2)) + 1);
    }
    for (let c = 0; c < k; c++) {
      const z = load<i32>(counts + (<usize>c << 2));
      if (z != 0) {
        const fz = <f32>z;
        for (let j = 0; j < d; j++) {
          const o = cent + ((<usize>c * <usize>d + <usize>j) << 2);
          store<f32>(o, load<f32>(o) / fz);
        }
      }
    }
    // empty clusters: split a cluster chosen with probability growing with its size (fastText MStep)
    for (let c = 0; c < k; c++) {
      if (load<i32>(counts + (<usize>c << 2)) != 0) continue;
      let m = 0;
      let steps = 0;
      const limit = 8 * k;
      while (<f32>(uniform_f32(seed, ctr++)) * <f32>(n - k) >= <f32>(load<i32>(counts + (<usize>m << 2)) - 1)) {
        m = (m + 1) % k;
        if (++steps >= limit) {
          // never loop forever (fastText can, when every cluster has ≤ 1 point): take the largest
          m = 0;
          for (let t = 1; t < k; t++) if (load<i32>(counts + (<usize>t << 2)) > load<i32>(counts + (<usize>m << 2))) m = t;
          break;
        }
      }
      const cm = cent + ((<usize>m * <usize>d) << 2), ck = cent + ((<usize>c * <usize>d) << 2);
      for (let j = 0; j < d; j++) {
        const sign: f32 = <f32>((j % 2) * 2 - 1);
        const v = load<f32>(cm + (<usize>j << 2));
        store<f32>(ck + (<usize>j << 2), v + sign * PQ_EPS);
        store<f32>(cm + (<usize>j << 2), v - sign * PQ_EPS);
      }
      const half = load<i32>(counts + (<usize>m << 2)) / 2;
      store<i32>(counts + (<usize>c << 2), half);
      store<i32>(counts + (<usize>m << 2), load<i32>(counts + (<usize>m << 2)) - half);
    }
  }
  // final assignment against the final centroids, and centT in sync with cent
  transposeBlock(cent, k, d, centT);
  for (let i = 0; i < n; i++) store<i32>(assign + (<usize>i << 2), nearest4(x + <usize>i * xs, d, k, centT, simd));
}

/**
 * pq_kmeans_f32: seeded k-means (squared L2) of n points of d floats, point i at x + i·xstride floats.
 * init 1: k-means++ seeding; init 0: k distinct random points (fastText). Writes k centroids to cent (k × d),
 * their transpose to centT (d × k), each point's centroid to assign (i32[n]), and uses counts (i32[k]) as
 * scratch. Empty clusters are split off a large one with a ±PQ_EPS perturbation (fastText). Needs n ≥ k.
 */
export function pq_kmeans_f32(x: usize, n: i32, d: i32, xstride: i32, k: i32, iters: i32, seed: u32, init: i32, cent: usize, centT: usize, assign: usize, counts: usize): void {
  kmeans(x, n, d, xstride, k, iters, seed, init, cent, centT, assign, counts, true);
}
export function pq_kmeans_f32_scalar(x: usize, n: i32, d: i32, xstride: i32, k: i32, iters: i32, seed: u32, init: i32, cent: usize, centT: usize, assign: usize, counts: usize): void {
  kmeans(x, n, d, xstride, k, iters, seed, init, cent, centT, assign, counts, false);
}

// @ts-ignore: decorator
@inline
function encode(x: usize, rows: i32, cols: i32, xstride: i32, dsub: i32, ksub: i32, centT: usize, codes: usize, simd: bool): void {
  const nsub = (cols + dsub - 1) / dsub;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>xstride) << 2);
    for (let m = 0; m < nsub; m++) {
      const d = subDim(cols, dsub, m);
      const c = nearest4(p + ((<usize>m * <usize>dsub) << 2), d, ksub, centT + ((<usize>m * <usize>ksub * <usize>dsub) << 2), simd);
      store<u8>(codes + <usize>r * <usize>nsub + <usize>m, <u8>c);
    }
  }
}

/** pq_encode_f32: codes[r·nsub + m] = nearest centroid of row r's sub-vector m (rows xstride floats apart). */
export function pq_encode_f32(x: usize, rows: i32, cols: i32, xstride: i32, dsub: i32, ksub: i32, centT: usize, codes: usize): void {
  encode(x, rows, cols, xstride, dsub, ksub, centT, codes, true);
}
export function pq_encode_f32_scalar(x: usize, rows: i32, cols: i32, xstride: i32, dsub: i32, ksub: i32, centT: usize, codes: usize): void {
  encode(x, rows, cols, xstride, dsub, ksub, centT, codes, false);
}

/**
 * pq_adc_f32: the per-query table of asymmetric distance computation, table[m·ksub + c] =
 * ⟨q_m, centroid_m,c⟩ (metric 0, inner product) or ‖q_m − centroid_m,c‖² (metric 1, squared L2).
 */
export function pq_adc_f32(q: usize, cols: i32, dsub: i32, ksub: i32, cent: usize, metric: i32, table: usize): void {
  const nsub = (cols + dsub - 1) / dsub;
  for (let m = 0; m < nsub; m++) {
    const d = subDim(cols, dsub, m);
    const qm = q + ((<usize>m * <usize>dsub) << 2);
    const cb = cent + ((<usize>m * <usize>ksub * <usize>dsub) << 2);
    const tb = table + ((<usize>m * <usize>ksub) << 2);
    for (let c = 0; c < ksub; c++) {
      const cc = cb + ((<usize>c * <usize>d) << 2);
      let s: f32 = 0;
      for (let j = 0; j < d; j++) {
        const a = load<f32>(qm + (<usize>j << 2)), b = load<f32>(cc + (<usize>j << 2));
        if (metric == 0) s += a * b;
        else { const t = a - b; s += t * t; }
      }
      store<f32>(tb + (<usize>c << 2), s);
    }
  }
}

/**
 * pq_scan: out[r] = Σ_m table[m·ksub + codes[r·nsub + m]], times normTable[normCodes[r]] when normCodes ≠ 0
 * (qnorm). Four rows at a time to overlap the lookups; each row sums in sub-space order. No SIMD path, so no
 * scalar twin: the tests compare it with a TypeScript reference.
 */
export function pq_scan(codes: usize, rows: i32, nsub: i32, ksub: i32, table: usize, normCodes: usize, normTable: usize, out: usize): void {
  const ns = <usize>nsub;
  const kb = <usize>ksub << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const c0 = codes + <usize>r * ns, c1 = c0 + ns, c2 = c1 + ns, c3 = c2 + ns;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let t = table;
    for (let m: usize = 0; m < ns; m++) {
      s0 += load<f32>(t + (<usize>load<u8>(c0 + m) << 2));
      s1 += load<f32>(t + (<usize>load<u8>(c1 + m) << 2));
      s2 += load<f32>(t + (<usize>load<u8>(c2 + m) << 2));
      s3 += load<f32>(t + (<usize>load<u8>(c3 + m) << 2));
      t += kb;
    }
    if (normCodes) {
      s0 *= load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r) << 2));
      s1 *= load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r + 1) << 2));
      s2 *= load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r + 2) << 2));
      s3 *= load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r + 3) << 2));
    }
    const o = out + (<usize>r << 2);
    store<f32>(o, s0); store<f32>(o, s1, 4); store<f32>(o, s2, 8); store<f32>(o, s3, 12);
  }
  for (; r < rows; r++) store<f32>(out + (<usize>r << 2), scanRow(codes + <usize>r * ns, nsub, ksub, table, normCodes, normTable, r));
}

// @ts-ignore: decorator
@inline
function scanRow(c: usize, nsub: i32, ksub: i32, table: usize, normCodes: usize, normTable: usize, r: i32): f32 {
  let s: f32 = 0;
  for (let m = 0; m < nsub; m++) s += load<f32>(table + ((<usize>m * <usize>ksub + <usize>load<u8>(c + <usize>m)) << 2));
  if (normCodes) s *= load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r) << 2));
  return s;
}

/** pq_centroid_sqnorms: table[m·ksub + c] = ‖centroid_m,c‖² (feeds pq_norm_l2_per_row). */
export function pq_centroid_sqnorms(cent: usize, cols: i32, dsub: i32, ksub: i32, table: usize): void {
  const nsub = (cols + dsub - 1) / dsub;
  for (let m = 0; m < nsub; m++) {
    const d = subDim(cols, dsub, m);
    const cb = cent + ((<usize>m * <usize>ksub * <usize>dsub) << 2);
    for (let c = 0; c < ksub; c++) {
      let s: f32 = 0;
      for (let j = 0; j < d; j++) { const v = load<f32>(cb + ((<usize>c * <usize>d + <usize>j) << 2)); s += v * v; }
      store<f32>(table + ((<usize>m * <usize>ksub + <usize>c) << 2), s);
    }
  }
}

/** pq_norm_l2_per_row: out[r] = ‖decoded row r‖ = sqrt(Σ_m sq[m][code]) · |norm| (sq from pq_centroid_sqnorms). */
export function pq_norm_l2_per_row(codes: usize, rows: i32, nsub: i32, ksub: i32, sq: usize, normCodes: usize, normTable: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = scanRow(codes + <usize>r * <usize>nsub, nsub, ksub, sq, 0, 0, r);
    let v = Mathf.sqrt(s);
    if (normCodes) v *= abs<f32>(load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r) << 2)));
    store<f32>(out + (<usize>r << 2), v);
  }
}

/** pq_decode_f32: out (rows × cols f32) = concatenated centroids, times the row's norm with qnorm. */
export function pq_decode_f32(codes: usize, rows: i32, cols: i32, dsub: i32, ksub: i32, cent: usize, normCodes: usize, normTable: usize, out: usize): void {
  const nsub = (cols + dsub - 1) / dsub;
  for (let r = 0; r < rows; r++) {
    const nrm: f32 = normCodes ? load<f32>(normTable + (<usize>load<u8>(normCodes + <usize>r) << 2)) : 1;
    const o = out + ((<usize>r * <usize>cols) << 2);
    for (let m = 0; m < nsub; m++) {
      const d = subDim(cols, dsub, m);
      const c = <usize>load<u8>(codes + <usize>r * <usize>nsub + <usize>m);
      const src = cent + ((<usize>m * <usize>ksub * <usize>dsub + c * <usize>d) << 2);
      for (let j = 0; j < d; j++) {
        const v = load<f32>(src + (<usize>j << 2));
        store<f32>(o + ((<usize>(m * dsub + j)) << 2), normCodes ? v * nrm : v);
      }
    }
  }
}
