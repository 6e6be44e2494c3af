// The k smallest of n small integer distances (u8 or u16: Hamming distances), nearest first, ties by lower row
// index, without a heap: a sampled threshold, exact counts, branch-free listing and a stable counting sort. The
// selection behind hamming_topk_b1 (assembly/quant/binary.ts); topk_f32 (topk.ts) is the f32 heap selection.
// Units: rows and k count elements (distances); `dist` holds one u8 or u16 per row; pointers are byte addresses.
import { hsum_i32x4 } from '../util/hsum';
import { rowOf } from '../util/rows';

// @ts-ignore: decorator
@inline
function bump(h: usize): void {
  store<i32>(h, load<i32>(h) + 1);
}

/**
 * The k smallest of rows integer distances (dist: u8 when `small`, else u16; values < nb1), nearest first, ties by
 * lower row index, into outIdx; returns k (≤ rows, > 0). cand: i32[rows + 64] of scratch, hist: i32[4·nb1].
 *
 * 1. Tables of ≥ 4096 rows and k < rows/8: a threshold t0 from every 32nd distance, under which comfortably more
 *    than k rows should fall (1.25× the expected count plus three standard deviations); the rows at or under it
 *    listed in row order (SIMD: compares and bitmasks, 64 rows per step, the set lanes written out through a table
 *    of their positions: no branch per row or candidate); a histogram of the candidates gives the exact threshold t
 *    (count(d < t) = below < k ≤ count(d ≤ t)) as long as at least k rows were listed.
 * 2. Otherwise (small tables, large k, or a sample that misled): t and below from exact counts (SIMD: a search
 *    over thresholds, each probe one pass of compares) or an exact histogram of every distance (scalar); then the
 *    rows under t and the first k − below rows at t are listed.
 * 3. The k rows kept (every row under t, the first k − below at t, in row order), sorted by distance with a
 *    stable counting sort into outIdx.
 */
// @ts-ignore: decorator
@inline
function selectNearest(dist: usize, small: bool, rows: i32, nb1: i32, k: i32, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  const hb = <usize>nb1 << 2; // bytes of one partial histogram
  let t = -1, below = 0, m = 0, p0 = nb1 >> 1;
  if (rows >= 4096 && k < (rows >> 3)) {
    memory.fill(hist, 0, hb);
    let ns = 0;
    for (let r = 0; r < rows; r += 32) {
      bump(hist + (<usize>distAt(dist, small, r) << 2));
      ns++;
    }
    const expect = <f64>k * <f64>ns / <f64>rows;
    const big = ASC_FEATURE_SIMD && simd && expect >= 32; // the sample's quantile is close: exact counts from there
    const want = big ? <i32>Math.ceil(expect) : <i32>Math.ceil(1.25 * expect + 3 * Math.sqrt(expect)) + 2;
    let t0 = nb1 - 1, c = 0;
    for (let u = 0; u < nb1; u++) {
      c += load<i32>(hist + (<usize>u << 2));
      if (c >= want) { t0 = u; break; }
    }
    if (big) p0 = t0;
    else m = listRows(dist, small, rows, 0, t0, cand, 0, rows, simd);
    if (m >= k) {
      // the candidates hold every row at or under t0 ≥ t, so their histogram gives t and below
      const tb = histThreshold(dist, small, cand, m, nb1, k, hist);
      t = <i32>(tb >> 32);
      below = <i32>tb;
      // keep every candidate under t and the first k − below at t, in place (n ≤ j); branch-free, since about
      // half are kept, unpredictably
      let atT = k - below, n = 0;
      for (let j = 0; j < m; j++) {
        const row = load<i32>(cand + (<usize>j << 2));
        const d = distAt(dist, small, row);
        const eq = <i32>(d == t);
        const take = <i32>(d < t) | (eq & <i32>(atT > 0));
        store<i32>(cand + (<usize>n << 2), row);
        n += take;
        atT -= eq & take;
      }
    }
  }
  if (m < k) {
    below = 0;
    if (ASC_FEATURE_SIMD && simd) {
      // exact counts, count(d ≤ lo) = cLo < k ≤ count(d ≤ hi): steps doubling away from p0 until the answer
      // is passed, then bisection. Each probe p ∈ (lo, hi] counts d ≤ p and d < p, so a probe at the answer ends it.
      let lo = -1, hi = nb1 - 1, cLo = 0, step = 1, dir = 0, p = p0;
      while (hi > lo + 1) {
        const counts = countAtMost(dist, small, rows, p, simd);
        const le = <i32>(counts >> 32), lt = <i32>counts;
        if (le < k) { lo = p; cLo = le; if (dir < 0) step = 0; dir = 1; }
        else if (lt >= k) { hi = p - 1; if (dir > 0) step = 0; dir = -1; }
        else { lo = p - 1; cLo = lt; hi = p; break; }
        if (step == 0) p = (lo + hi + 1) >> 1;
        else {
          p = dir > 0 ? min(hi, p + step) : max(lo + 1, p - step);
          step = min(step << 1, nb1);
        }
      }
      t = hi;
      below = cLo;
    } else { // an exact histogram of every distance
      const tb = histThreshold(dist, small, 0, rows, nb1, k, hist);
      t = <i32>(tb >> 32);
      below = <i32>tb;
    }
    // the rows under t, then the first k − below at t
    m = t > 0 ? listRows(dist, small, rows, 0, t - 1, cand, 0, rows, simd) : 0;
    listRows(dist, small, rows, t, t, cand, m, k, simd);
  }
  // stable counting sort of cand[0, k) by distance (all ≤ t)
  memory.fill(hist, 0, <usize>(t + 1) << 2);
  for (let j = 0; j < k; j++) bump(hist + (<usize>distAt(dist, small, load<i32>(cand + (<usize>j << 2))) << 2));
  let first = 0;
  for (let u = 0; u <= t; u++) {
    const o = hist + (<usize>u << 2);
    const c = load<i32>(o);
    store<i32>(o, first);
    first += c;
  }
  for (let j = 0; j < k; j++) {
    const row = load<i32>(cand + (<usize>j << 2));
    const h = hist + (<usize>distAt(dist, small, row) << 2);
    const pos = load<i32>(h);
    store<i32>(h, pos + 1);
    store<i32>(outIdx + (<usize>pos << 2), row);
  }
  return k;
}

/**
 * The threshold t of the k smallest among n distances (rows idx[0…n), or 0…n when idx = 0): count(d < t) = below <
 * k ≤ count(d ≤ t), from a histogram (four partial ones, so that consecutive increments do not wait on each other;
 * hist: i32[4·nb1]). Returns t << 32 | below.
 */
function histThreshold(dist: usize, small: bool, idx: usize, n: i32, nb1: i32, k: i32, hist: usize): i64 {
  const hb = <usize>nb1 << 2;
  memory.fill(hist, 0, hb << 2);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    bump(hist + (<usize>distAt(dist, small, rowOf(idx, j)) << 2));
    bump(hist + hb + (<usize>distAt(dist, small, rowOf(idx, j + 1)) << 2));
    bump(hist + 2 * hb + (<usize>distAt(dist, small, rowOf(idx, j + 2)) << 2));
    bump(hist + 3 * hb + (<usize>distAt(dist, small, rowOf(idx, j + 3)) << 2));
  }
  for (; j < n; j++) bump(hist + (<usize>distAt(dist, small, rowOf(idx, j)) << 2));
  let t = 0, below = 0;
  for (; t < nb1; t++) {
    const o = hist + (<usize>t << 2);
    const c = load<i32>(o) + load<i32>(o + hb) + load<i32>(o + 2 * hb) + load<i32>(o + 3 * hb);
    if (below + c >= k) break;
    below += c;
  }
  return (<i64>t << 32) | <i64>below;
}

/** count(d ≤ t) << 32 | count(d < t) over the distances, in one pass. */
function countAtMost(dist: usize, small: bool, rows: i32, t: i32, simd: bool): i64 {
  let le = 0, lt = 0, r = 0;
  if (ASC_FEATURE_SIMD && simd) {
    if (small) {
      // per-lane counts in u8 lanes (masks are −1: subtracting counts), widened every 255 steps
      const vt = i8x16.splat(<i8>t);
      while (r + 16 <= rows) {
        let a = i8x16.splat(0), b = i8x16.splat(0);
        const end = min(rows & ~15, r + 16 * 255);
        for (; r < end; r += 16) {
          const v = v128.load(dist + <usize>r);
          a = i8x16.sub(a, i8x16.le_u(v, vt));
          b = i8x16.sub(b, i8x16.lt_u(v, vt));
        }
        le += hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(a)));
        lt += hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(b)));
      }
    } else {
      const vt = i16x8.splat(<i16>t);
      while (r + 8 <= rows) {
        let a = i16x8.splat(0), b = i16x8.splat(0);
        const end = min(rows & ~7, r + 8 * 65535);
        for (; r < end; r += 8) {
          const v = v128.load(dist + (<usize>r << 1));
          a = i16x8.sub(a, i16x8.le_u(v, vt));
          b = i16x8.sub(b, i16x8.lt_u(v, vt));
        }
        le += hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(a));
        lt += hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(b));
      }
    }
  }
  for (; r < rows; r++) {
    const d = distAt(dist, small, r);
    le += <i32>(d <= t);
    lt += <i32>(d < t);
  }
  return (<i64>le << 32) | <i64>lt;
}

/**
 * Byte value v → the positions of its set bits, one per byte of a u64 (the first popcnt(v) bytes used, the rest 0):
 * branch-free compaction. Constant data in the module's data segment, not filled at run time: in the shared-memory
 * builds every instance (each worker) re-applies the segment when it is instantiated, which rewrites the same bytes;
 * a table filled on first use would be zeroed under a running search. Generated by:
 * for v in 0…255: bytes = [k for k in 0…7 if v & (1 << k)] padded with 0, little-endian.
 */
const SET_BITS: usize = memory.data<u64>([
  0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000100,
  0x0000000000000002, 0x0000000000000200, 0x0000000000000201, 0x0000000000020100,
  0x0000000000000003, 0x0000000000000300, 0x0000000000000301, 0x0000000000030100,
  0x0000000000000302, 0x0000000000030200, 0x0000000000030201, 0x0000000003020100,
  0x0000000000000004, 0x0000000000000400, 0x0000000000000401, 0x0000000000040100,
  0x0000000000000402, 0x0000000000040200, 0x0000000000040201, 0x0000000004020100,
  0x0000000000000403, 0x0000000000040300, 0x0000000000040301, 0x0000000004030100,
  0x0000000000040302, 0x0000000004030200, 0x0000000004030201, 0x0000000403020100,
  0x0000000000000005, 0x0000000000000500, 0x0000000000000501, 0x0000000000050100,
  0x0000000000000502, 0x0000000000050200, 0x0000000000050201, 0x0000000005020100,
  0x0000000000000503, 0x0000000000050300, 0x0000000000050301, 0x0000000005030100,
  0x0000000000050302, 0x0000000005030200, 0x0000000005030201, 0x0000000503020100,
  0x0000000000000504, 0x0000000000050400, 0x0000000000050401, 0x0000000005040100,
  0x0000000000050402, 0x0000000005040200, 0x0000000005040201, 0x0000000504020100,
  0x0000000000050403, 0x0000000005040300, 0x0000000005040301, 0x0000000504030100,
  0x0000000005040302, 0x0000000504030200, 0x0000000504030201, 0x0000050403020100,
  0x0000000000000006, 0x0000000000000600, 0x0000000000000601, 0x0000000000060100,
  0x0000000000000602, 0x0000000000060200, 0x0000000000060201, 0x0000000006020100,
  0x0000000000000603, 0x0000000000060300, 0x0000000000060301, 0x0000000006030100,
  0x0000000000060302, 0x0000000006030200, 0x0000000006030201, 0x0000000603020100,
  0x0000000000000604, 0x0000000000060400, 0x0000000000060401, 0x0000000006040100,
  0x0000000000060402, 0x0000000006040200, 0x0000000006040201, 0x0000000604020100,
  0x0000000000060403, 0x0000000006040300, 0x0000000006040301, 0x0000000604030100,
  0x0000000006040302, 0x0000000604030200, 0x0000000604030201, 0x0000060403020100,
  0x0000000000000605, 0x0000000000060500, 0x0000000000060501, 0x0000000006050100,
  0x0000000000060502, 0x0000000006050200, 0x0000000006050201, 0x0000000605020100,
  0x0000000000060503, 0x0000000006050300, 0x0000000006050301, 0x0000000605030100,
  0x0000000006050302, 0x0000000605030200, 0x0000000605030201, 0x0000060503020100,
  0x0000000000060504, 0x0000000006050400, 0x0000000006050401, 0x0000000605040100,
  0x0000000006050402, 0x0000000605040200, 0x0000000605040201, 0x0000060504020100,
  0x0000000006050403, 0x0000000605040300, 0x0000000605040301, 0x0000060504030100,
  0x0000000605040302, 0x0000060504030200, 0x0000060504030201, 0x0006050403020100,
  0x0000000000000007, 0x0000000000000700, 0x0000000000000701, 0x0000000000070100,
  0x0000000000000702, 0x0000000000070200, 0x0000000000070201, 0x0000000007020100,
  0x0000000000000703, 0x0000000000070300, 0x0000000000070301, 0x0000000007030100,
  0x0000000000070302, 0x0000000007030200, 0x0000000007030201, 0x0000000703020100,
  0x0000000000000704, 0x0000000000070400, 0x0000000000070401, 0x0000000007040100,
  0x0000000000070402, 0x0000000007040200, 0x0000000007040201, 0x0000000704020100,
  0x0000000000070403, 0x0000000007040300, 0x0000000007040301, 0x0000000704030100,
  0x0000000007040302, 0x0000000704030200, 0x0000000704030201, 0x0000070403020100,
  0x0000000000000705, 0x0000000000070500, 0x0000000000070501, 0x0000000007050100,
  0x0000000000070502, 0x0000000007050200, 0x0000000007050201, 0x0000000705020100,
  0x0000000000070503, 0x0000000007050300, 0x0000000007050301, 0x0000000705030100,
  0x0000000007050302, 0x0000000705030200, 0x0000000705030201, 0x0000070503020100,
  0x0000000000070504, 0x0000000007050400, 0x0000000007050401, 0x0000000705040100,
  0x0000000007050402, 0x0000000705040200, 0x0000000705040201, 0x0000070504020100,
  0x0000000007050403, 0x0000000705040300, 0x0000000705040301, 0x0000070504030100,
  0x0000000705040302, 0x0000070504030200, 0x0000070504030201, 0x0007050403020100,
  0x0000000000000706, 0x0000000000070600, 0x0000000000070601, 0x0000000007060100,
  0x0000000000070602, 0x0000000007060200, 0x0000000007060201, 0x0000000706020100,
  0x0000000000070603, 0x0000000007060300, 0x0000000007060301, 0x0000000706030100,
  0x0000000007060302, 0x0000000706030200, 0x0000000706030201, 0x0000070603020100,
  0x0000000000070604, 0x0000000007060400, 0x0000000007060401, 0x0000000706040100,
  0x0000000007060402, 0x0000000706040200, 0x0000000706040201, 0x0000070604020100,
  0x0000000007060403, 0x0000000706040300, 0x0000000706040301, 0x0000070604030100,
  0x0000000706040302, 0x0000070604030200, 0x0000070604030201, 0x0007060403020100,
  0x0000000000070605, 0x0000000007060500, 0x0000000007060501, 0x0000000706050100,
  0x0000000007060502, 0x0000000706050200, 0x0000000706050201, 0x0000070605020100,
  0x0000000007060503, 0x0000000706050300, 0x0000000706050301, 0x0000070605030100,
  0x0000000706050302, 0x0000070605030200, 0x0000070605030201, 0x0007060503020100,
  0x0000000007060504, 0x0000000706050400, 0x0000000706050401, 0x0000070605040100,
  0x0000000706050402, 0x0000070605040200, 0x0000070605040201, 0x0007060504020100,
  0x0000000706050403, 0x0000070605040300, 0x0000070605040301, 0x0007060504030100,
  0x0000070605040302, 0x0007060504030200, 0x0007060504030201, 0x0706050403020100,
], 16);

/** Writes row + (positions of the set bits of `bits`, ≤ 8 of them) at cand[m…] (8 lanes written); returns the new m. */
// @ts-ignore: decorator
@inline
function emit8(bits: i32, row: i32, cand: usize, m: i32): i32 {
  const w = v128.load8x8_u(SET_BITS + (<usize>bits << 3));
  const vr = i32x4.splat(row), o = cand + (<usize>m << 2);
  v128.store(o, i32x4.add(i32x4.extend_low_i16x8_u(w), vr));
  v128.store(o, i32x4.add(i32x4.extend_high_i16x8_u(w), vr), 16);
  return m + <i32>popcnt<i32>(bits);
}

/**
 * Appends the rows with lo ≤ d ≤ hi, in row order, to cand from position m until it holds `upTo` (or every such
 * row); returns the new count. SIMD: 64 (u16: 32) rows per step, skipped at once when none is listed; writes up to
 * 63 lanes past the count (cand has 64 of slack). One compiled copy for both distance widths.
 */
function listRows(dist: usize, small: bool, rows: i32, lo: i32, hi: i32, cand: usize, m: i32, upTo: i32, simd: bool): i32 {
  let r = 0;
  if (ASC_FEATURE_SIMD && simd) {
    if (small) {
      const vl = i8x16.splat(<i8>lo), vh = i8x16.splat(<i8>hi);
      for (; r + 64 <= rows && m < upTo; r += 64) {
        const p = dist + <usize>r;
        const b0 = i8x16.bitmask(inRangeU8(v128.load(p), vl, vh)), b1 = i8x16.bitmask(inRangeU8(v128.load(p, 16), vl, vh));
        const b2 = i8x16.bitmask(inRangeU8(v128.load(p, 32), vl, vh)), b3 = i8x16.bitmask(inRangeU8(v128.load(p, 48), vl, vh));
        if ((b0 | b1 | b2 | b3) == 0) continue;
        m = emit8(b0 & 255, r, cand, m); m = emit8(b0 >> 8, r + 8, cand, m);
        m = emit8(b1 & 255, r + 16, cand, m); m = emit8(b1 >> 8, r + 24, cand, m);
        m = emit8(b2 & 255, r + 32, cand, m); m = emit8(b2 >> 8, r + 40, cand, m);
        m = emit8(b3 & 255, r + 48, cand, m); m = emit8(b3 >> 8, r + 56, cand, m);
      }
    } else {
      const vl = i16x8.splat(<i16>lo), vh = i16x8.splat(<i16>hi);
      for (; r + 32 <= rows && m < upTo; r += 32) {
        const p = dist + (<usize>r << 1);
        const b0 = i16x8.bitmask(inRangeU16(v128.load(p), vl, vh)), b1 = i16x8.bitmask(inRangeU16(v128.load(p, 16), vl, vh));
        const b2 = i16x8.bitmask(inRangeU16(v128.load(p, 32), vl, vh)), b3 = i16x8.bitmask(inRangeU16(v128.load(p, 48), vl, vh));
        if ((b0 | b1 | b2 | b3) == 0) continue;
        m = emit8(b0, r, cand, m); m = emit8(b1, r + 8, cand, m);
        m = emit8(b2, r + 16, cand, m); m = emit8(b3, r + 24, cand, m);
      }
    }
  }
  for (; r < rows && m < upTo; r++) {
    store<i32>(cand + (<usize>m << 2), r);
    const d = distAt(dist, small, r);
    m += <i32>(d >= lo) & <i32>(d <= hi);
  }
  return min(m, upTo);
}

// @ts-ignore: decorator
@inline
function inRangeU8(v: v128, lo: v128, hi: v128): v128 {
  return v128.and(i8x16.ge_u(v, lo), i8x16.le_u(v, hi));
}
// @ts-ignore: decorator
@inline
function inRangeU16(v: v128, lo: v128, hi: v128): v128 {
  return v128.and(i16x8.ge_u(v, lo), i16x8.le_u(v, hi));
}

/** selectNearest over u8 / u16 distances: one compiled copy each (called once per query; keeps the builds small). */
export function selectNearestU8(dist: usize, rows: i32, nb1: i32, k: i32, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  return selectNearest(dist, true, rows, nb1, k, cand, hist, outIdx, simd);
}
export function selectNearestU16(dist: usize, rows: i32, nb1: i32, k: i32, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  return selectNearest(dist, false, rows, nb1, k, cand, hist, outIdx, simd);
}

// @ts-ignore: decorator
@inline
function distAt(dist: usize, small: bool, r: i32): i32 {
  return small ? <i32>load<u8>(dist + <usize>r) : <i32>load<u16>(dist + (<usize>r << 1));
}

