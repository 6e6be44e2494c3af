// Binary (1 bit per element) codes: Hamming distances and ±1 dots, Hamming top-k, the layouts binary tables use
// (byte-aligned rows ↔ contiguous bits, blocks of 16 rows) and exact ⟨α·sign(x), q⟩ scores through byte LUTs
// (docs/quantization.md §1.8). Popcounts are exact, so SIMD and scalar agree bit for bit.
// Strides: rows are `strideBits` bits apart (= elements: one bit each); a multiple of 8 gives byte-aligned rows of
// `nbytes` bytes, any other value rows packed at bit offsets. The layout conversions name theirs in bytes.
import { hsum_i32x4, hsum4_i32x4 } from '../util/hsum';
import { selectNearestU8, selectNearestU16 } from '../vec/topk_int';

// ---------------------------------------------------------------- binary

/** popcount(a ⊕ b) over nbytes bytes. */
// @ts-ignore: decorator
@inline
function hammingRow(a: usize, b: usize, nbytes: i32, simd: bool): i32 {
  let h = 0;
  let j = 0;
  if (simd) {
    if (ASC_FEATURE_SIMD) {
      while (j + 16 <= nbytes) {
        // per-byte counts (≤ 8 each) summed for up to 31 vectors stay below 256
        let acc = i8x16.splat(0);
        const end = min(nbytes, j + 16 * 31);
        for (; j + 16 <= end; j += 16) {
          acc = i8x16.add(acc, i8x16.popcnt(v128.xor(v128.load(a + <usize>j), v128.load(b + <usize>j))));
        }
        h += hsum_i32x4(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc)));
      }
    }
    for (; j + 8 <= nbytes; j += 8) h += <i32>popcnt<u64>(load<u64>(a + <usize>j) ^ load<u64>(b + <usize>j));
    if (j + 4 <= nbytes) { h += popcnt<u32>(load<u32>(a + <usize>j) ^ load<u32>(b + <usize>j)); j += 4; }
  }
  for (; j < nbytes; j++) h += popcnt<u32>(<u32>(load<u8>(a + <usize>j) ^ load<u8>(b + <usize>j)));
  return h;
}

// Binary rows may start at any bit: row r of a table with a stride of strideBits bits begins at bit r·strideBits of
// the code string (bit k in bit k % 8 of byte ⌊k/8⌋), so that rows of cols bits take exactly cols bits (32× fewer
// than f32 for any cols). Byte-aligned strides (strideBits % 8 = 0) take the byte paths; others read each row
// through the helpers below. Every reader stays inside the codes plus their 16 bytes of slack.

/** Byte j of the row that starts at bit o of mat (bits o+8j … o+8j+7); reads 2 bytes. */
// @ts-ignore: decorator
@inline
function rowByteAt(mat: usize, o: usize, j: i32): u32 {
  const k = o + (<usize>j << 3);
  return (<u32>load<u16>(mat + (k >> 3)) >> <u32>(k & 7)) & 0xFF;
}

/** Hamming distance of the rowBits-bit row at bit o to the byte-aligned query q, byte by byte. */
// @ts-ignore: decorator
@inline
function hammingBitsRow(mat: usize, o: usize, rowBits: i32, q: usize): i32 {
  const full = rowBits >> 3, rem = rowBits & 7;
  let h = 0;
  for (let j = 0; j < full; j++) h += popcnt<u32>(rowByteAt(mat, o, j) ^ <u32>load<u8>(q + <usize>j));
  if (rem) h += popcnt<u32>((rowByteAt(mat, o, full) ^ <u32>load<u8>(q + <usize>full)) & ((1 << rem) - 1));
  return <i32>h;
}

/**
 * Hamming distance of the row at bit o (at most 121 bits, so that it lies within the 16 bytes from its first byte)
 * to the query words q0, q1 under the masks m0, m1: two 64-bit loads funnel-shifted to the row's first bit.
 */
// @ts-ignore: decorator
@inline
function hammingWordsAt(mat: usize, o: usize, q0: u64, q1: u64, m0: u64, m1: u64): i32 {
  const p = mat + (o >> 3), sh = <u64>(o & 7);
  const w0 = load<u64>(p), w1 = load<u64>(p, 8);
  const lo = sh ? (w0 >> sh) | (w1 << (64 - sh)) : w0;
  return <i32>(popcnt<u64>((lo ^ q0) & m0) + popcnt<u64>(((w1 >> sh) ^ q1) & m1));
}

/** The masks of a row's first and second 64 bits (rowBits ≤ 128). */
// @ts-ignore: decorator
@inline
function wordMask0(rowBits: i32): u64 {
  return rowBits >= 64 ? <u64>-1 : (<u64>1 << <u64>rowBits) - 1;
}
// @ts-ignore: decorator
@inline
function wordMask1(rowBits: i32): u64 {
  return rowBits >= 128 ? <u64>-1 : rowBits <= 64 ? 0 : (<u64>1 << <u64>(rowBits - 64)) - 1;
}

/** hammingAll for rows at bit offsets (strideBits % 8 ≠ 0): rowBits = the stride (contiguous rows) or the row's bytes. */
function hammingAllBits(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, cols: i32, score: bool, out: usize): void {
  const rowBits = min(strideBits, nbytes << 3);
  const words = rowBits <= 121;
  const m0 = wordMask0(rowBits), m1 = wordMask1(rowBits);
  const q0 = words ? load<u64>(q) & m0 : 0, q1 = words ? load<u64>(q, 8) & m1 : 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>strideBits;
    const h = words ? hammingWordsAt(mat, o, q0, q1, m0, m1) : hammingBitsRow(mat, o, rowBits, q);
    if (score) store<f32>(out + (<usize>r << 2), <f32>(cols - 2 * h));
    else store<i32>(out + (<usize>r << 2), h);
  }
}

/**
 * Hamming distances (or ±1 dots cols − 2H) of every row against q. Rows of at most 16 bytes (binary codes of up to
 * 128 dimensions) take a SIMD path: four rows per step, each row one 16-byte load masked to its nbytes bytes,
 * xor, i8x16.popcnt, pairwise widening adds and one transposing horizontal sum for the four. That path loads
 * 16 bytes from every row start and from q: the tables keep 16 bytes of slack after their codes.
 */
// one compiled copy shared by the SIMD kernel and its _scalar (the flag is a runtime argument): smaller builds
function hammingAll(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, cols: i32, score: bool, out: usize, simd: bool): void {
  let r = 0;
  if ((strideBits & 7) != 0) {
    hammingAllBits(mat, rows, nbytes, strideBits, q, cols, score, out);
    return;
  }
  const sb = <usize>(strideBits >> 3);
  if (ASC_FEATURE_SIMD && simd && nbytes <= 16) {
    const mask = i8x16.lt_s(i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), i8x16.splat(<i8>nbytes));
    const qv = v128.and(v128.load(q), mask);
    const vcols = f32x4.splat(<f32>cols), two = f32x4.splat(2);
    for (; r + 4 <= rows; r += 4) {
      const p0 = mat + <usize>r * sb;
      const c0 = i8x16.popcnt(v128.and(v128.xor(v128.load(p0), qv), mask));
      const c1 = i8x16.popcnt(v128.and(v128.xor(v128.load(p0 + sb), qv), mask));
      const c2 = i8x16.popcnt(v128.and(v128.xor(v128.load(p0 + 2 * sb), qv), mask));
      const c3 = i8x16.popcnt(v128.and(v128.xor(v128.load(p0 + 3 * sb), qv), mask));
      const h = hsum4_i32x4(
        i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c0)), i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c1)),
        i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c2)), i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c3)));
      const o = out + (<usize>r << 2);
      if (score) v128.store(o, f32x4.sub(vcols, f32x4.mul(two, f32x4.convert_i32x4_s(h))));
      else v128.store(o, h);
    }
  }
  for (; r < rows; r++) {
    const h = hammingRow(mat + <usize>r * sb, q, nbytes, simd);
    if (score) store<f32>(out + (<usize>r << 2), <f32>(cols - 2 * h));
    else store<i32>(out + (<usize>r << 2), h);
  }
}

/**
 * hamming_b1: out[r] (i32) = popcount(row r ⊕ q) over the row's bits; rows are strideBits bits apart (a multiple of 8:
 * nbytes bytes per row; otherwise min(strideBits, 8·nbytes) bits per row, e.g. contiguous rows of cols bits).
 */
export function hamming_b1(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, nbytes, strideBits, q, 0, false, out, true);
}
export function hamming_b1_scalar(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, nbytes, strideBits, q, 0, false, out, false);
}

/**
 * sign_dot_b1: out[r] (f32) = cols − 2·popcount(row r ⊕ q) = ⟨sign(x_r), sign(q)⟩ in ±1 arithmetic,
 * so that topk_f32 on it ranks by smallest Hamming distance. Unused bits must be 0 in both.
 */
export function sign_dot_b1(mat: usize, rows: i32, cols: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, (cols + 7) >> 3, strideBits, q, cols, true, out, true);
}
export function sign_dot_b1_scalar(mat: usize, rows: i32, cols: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, (cols + 7) >> 3, strideBits, q, cols, true, out, false);
}

/**
 * hamming_topk_b1: the k rows nearest to q in Hamming distance, nearest first, ties by lower row index (the order
 * topk_f32 gives on sign_dot_b1 scores), without a heap. Distances are integers in [0, 8·nbytes] (u16: nbytes ≤ 8191).
 *
 * 1. One pass over every row for its distance (into `dist`, u16[rows]).
 * 2. The selection (selectNearest): a threshold from every 32nd distance, made exact by a histogram of the rows
 *    listed under it (small k) or by counting passes (large k, or when the sample misleads); the rows under the
 *    threshold and the first ones at it, listed without branches per row (`cand`: i32[rows + 64] of scratch;
 *    `hist`: i32[4·(8·nbytes + 1)]), and a stable counting sort of those k by distance.
 *
 * Rows of at most 16 bytes take two 64-bit popcounts each (reading 16 bytes from every row start: the tables keep
 * 16 bytes of slack after their codes); longer rows go through hammingRow. The _scalar twin computes every distance
 * byte by byte and selects with scalar code, so both return the same rows. Writes the rows to outIdx (i32[k]) and
 * returns how many (min(k, rows)); dist keeps every distance.
 */
export function hamming_topk_b1(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, k: i32, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopK(mat, rows, nbytes, strideBits, q, k, dist, cand, hist, outIdx, true);
}
export function hamming_topk_b1_scalar(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, k: i32, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopK(mat, rows, nbytes, strideBits, q, k, dist, cand, hist, outIdx, false);
}

/** dist[r] (u16) = Hamming distance of row r (≤ 16 bytes) to the query words q0, q1 under the masks m0, m1. */
function hammingDists16(mat: usize, rows: i32, sb: usize, q0: u64, q1: u64, m0: u64, m1: u64, dist: usize): void {
  if (m0 == <u64>-1) { // rows of 8–16 bytes
    for (let r = 0; r < rows; r++) {
      const p = mat + <usize>r * sb;
      store<u16>(dist + (<usize>r << 1), <i32>(popcnt<u64>(load<u64>(p) ^ q0) + popcnt<u64>((load<u64>(p, 8) ^ q1) & m1)));
    }
  } else { // rows of 1–7 bytes
    for (let r = 0; r < rows; r++) store<u16>(dist + (<usize>r << 1), <i32>popcnt<u64>((load<u64>(mat + <usize>r * sb) ^ q0) & m0));
  }
}

// one compiled copy shared by the SIMD kernel and its _scalar (the flag is a runtime argument): smaller builds
function hammingTopK(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, k: i32, dist: usize, cand: usize, hist: usize, outIdx: usize, fast: bool): i32 {
  if (k > rows) k = rows;
  if (k <= 0) return 0;
  const sb = <usize>(strideBits >> 3);
  // 1. every distance (u16)
  if ((strideBits & 7) != 0) { // rows at bit offsets (see rowByteAt)
    const rowBits = min(strideBits, nbytes << 3);
    if (fast && rowBits <= 121) {
      const m0 = wordMask0(rowBits), m1 = wordMask1(rowBits);
      const q0 = load<u64>(q) & m0, q1 = load<u64>(q, 8) & m1;
      for (let r = 0; r < rows; r++) store<u16>(dist + (<usize>r << 1), hammingWordsAt(mat, <usize>r * <usize>strideBits, q0, q1, m0, m1));
    } else {
      for (let r = 0; r < rows; r++) store<u16>(dist + (<usize>r << 1), hammingBitsRow(mat, <usize>r * <usize>strideBits, rowBits, q));
    }
  } else if (fast && nbytes <= 16) {
    const m0: u64 = nbytes >= 8 ? <u64>-1 : (<u64>1 << (<u64>nbytes << 3)) - 1;
    const m1: u64 = nbytes >= 16 ? <u64>-1 : nbytes <= 8 ? 0 : (<u64>1 << (<u64>(nbytes - 8) << 3)) - 1;
    hammingDists16(mat, rows, sb, load<u64>(q) & m0, load<u64>(q, 8) & m1, m0, m1, dist);
  } else {
    for (let r = 0; r < rows; r++) store<u16>(dist + (<usize>r << 1), hammingRow(mat + <usize>r * sb, q, nbytes, fast));
  }
  return selectNearestU16(dist, rows, (nbytes << 3) + 1, k, cand, hist, outIdx, fast);
}

// ---------------------------------------------------------------- binary codes: byte-aligned rows ↔ contiguous bits

/**
 * b1_bytes_to_bits: binary codes with byte-aligned rows (⌈cols/8⌉ bytes used per row, rows srcStrideBytes apart) →
 * one contiguous bit string, row r at bits r·cols … r·cols + cols − 1 (⌈rows·cols/8⌉ bytes; dst needs 1 byte of
 * slack). Bits past cols in a row's last source byte are dropped. Scalar: a format conversion, run once per table.
 */
export function b1_bytes_to_bits(src: usize, rows: i32, cols: i32, srcStrideBytes: i32, dst: usize): void {
  const nb = (cols + 7) >> 3, rem = cols & 7;
  memory.fill(dst, 0, ((<usize>rows * <usize>cols + 7) >> 3) + 1);
  for (let r = 0; r < rows; r++) {
    const p = src + <usize>r * <usize>srcStrideBytes;
    const o = <usize>r * <usize>cols;
    for (let j = 0; j < nb; j++) {
      let v = <u32>load<u8>(p + <usize>j);
      if (rem && j == nb - 1) v &= (1 << rem) - 1;
      const k = o + (<usize>j << 3), a = dst + (k >> 3);
      store<u16>(a, <u16>(<u32>load<u16>(a) | (v << <u32>(k & 7))));
    }
  }
}

/** b1_bits_to_bytes: the inverse of b1_bytes_to_bits; unused high bits of each row's last byte are 0. */
export function b1_bits_to_bytes(src: usize, rows: i32, cols: i32, dst: usize, dstStrideBytes: i32): void {
  const nb = (cols + 7) >> 3, rem = cols & 7;
  for (let r = 0; r < rows; r++) {
    const p = dst + <usize>r * <usize>dstStrideBytes;
    const o = <usize>r * <usize>cols;
    for (let j = 0; j < nb; j++) {
      const v = rowByteAt(src, o, j);
      store<u8>(p + <usize>j, <u8>(rem && j == nb - 1 ? v & ((1 << rem) - 1) : v));
    }
  }
}

// ---------------------------------------------------------------- binary codes in blocks of 16 rows

/**
 * b1_block16: copies row-major binary codes (nbytes per row, rows strideBits bits apart) into blocks of 16 rows, byte j
 * of the block's row l at block·16·nbytes + 16·j + l, so that one v128 load holds byte j of 16 rows. The last
 * block's missing rows are zero. Writes ⌈rows/16⌉·16·nbytes bytes.
 */
export function b1_block16(mat: usize, rows: i32, nbytes: i32, strideBits: i32, out: usize): void {
  if (rows <= 0) return;
  const blocks = (rows + 15) >> 4;
  memory.fill(out + (<usize>(blocks - 1) * (<usize>nbytes << 4)), 0, <usize>nbytes << 4);
  const rowBits = min(strideBits, nbytes << 3), rem = rowBits & 7;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>strideBits;
    const dst = out + <usize>(r >> 4) * (<usize>nbytes << 4) + <usize>(r & 15);
    if ((strideBits & 7) == 0) {
      for (let j = 0; j < nbytes; j++) store<u8>(dst + (<usize>j << 4), load<u8>(mat + (o >> 3) + <usize>j));
    } else {
      // a row at a bit offset: its bytes, the last one cut to the row's bits (the next row's follow in the string)
      for (let j = 0; j < nbytes; j++) {
        const v = rowByteAt(mat, o, j);
        store<u8>(dst + (<usize>j << 4), <u8>(rem && j == (rowBits >> 3) ? v & ((1 << rem) - 1) : v));
      }
    }
  }
}

/**
 * hamming_topk_b1_blocked: hamming_topk_b1 over codes in blocks of 16 rows (b1_block16), nbytes ≤ 31 (distances
 * ≤ 248 fit a byte). Per block: for each code byte, xor with the query byte splatted to 16 lanes (written to
 * `qsplat`, 16·nbytes bytes), i8x16.popcnt and add: sixteen distances per v128, no horizontal sums (2× fewer
 * instructions per row than two i64.popcnt). `dist`: u8[⌈rows/16⌉·16]. Same result as hamming_topk_b1;
 * the _scalar twin computes each distance byte by byte from the same layout.
 */
export function hamming_topk_b1_blocked(blk: usize, rows: i32, nbytes: i32, q: usize, k: i32, qsplat: usize, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopKBlocked(blk, rows, nbytes, q, k, qsplat, dist, cand, hist, outIdx, true);
}
export function hamming_topk_b1_blocked_scalar(blk: usize, rows: i32, nbytes: i32, q: usize, k: i32, qsplat: usize, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopKBlocked(blk, rows, nbytes, q, k, qsplat, dist, cand, hist, outIdx, false);
}

// one compiled copy shared by the SIMD kernel and its _scalar (the flag is a runtime argument): smaller builds
function hammingTopKBlocked(blk: usize, rows: i32, nbytes: i32, q: usize, k: i32, qsplat: usize, dist: usize, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  if (k > rows) k = rows;
  if (k <= 0) return 0;
  const blocks = (rows + 15) >> 4;
  const bs = <usize>nbytes << 4;
  if (ASC_FEATURE_SIMD && simd) {
    for (let j = 0; j < nbytes; j++) v128.store(qsplat + (<usize>j << 4), i8x16.splat(load<u8>(q + <usize>j)));
    const nb2 = nbytes & ~1;
    let p = blk;
    for (let b = 0; b < blocks; b++) {
      let a = i8x16.splat(0), c = i8x16.splat(0);
      let j = 0;
      for (; j < nb2; j += 2) {
        const o = <usize>j << 4;
        a = i8x16.add(a, i8x16.popcnt(v128.xor(v128.load(p + o), v128.load(qsplat + o))));
        c = i8x16.add(c, i8x16.popcnt(v128.xor(v128.load(p + o, 16), v128.load(qsplat + o, 16))));
      }
      if (j < nbytes) a = i8x16.add(a, i8x16.popcnt(v128.xor(v128.load(p + (<usize>j << 4)), v128.load(qsplat + (<usize>j << 4)))));
      v128.store(dist + (<usize>b << 4), i8x16.add(a, c));
      p += bs;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const base = blk + <usize>(r >> 4) * bs + <usize>(r & 15);
      let h = 0;
      for (let j = 0; j < nbytes; j++) h += popcnt<u32>(<u32>(load<u8>(base + (<usize>j << 4)) ^ load<u8>(q + <usize>j)));
      store<u8>(dist + <usize>r, <u8>h);
    }
  }
  return selectNearestU8(dist, rows, (nbytes << 3) + 1, k, cand, hist, outIdx, simd);
}

/**
 * b1_lut_f32: per-byte lookup tables of an f32 query for exact binary scoring: for byte b and value v,
 * lut[b·256 + v] = Σ_{k: bit k of v set, 8b+k < cols} q[8b + k]. ⌈cols/8⌉·256 floats.
 * Built incrementally, lut[v] = lut[v & (v − 1)] + q[8b + ctz(v)]: 255 additions per byte.
 */
export function b1_lut_f32(q: usize, cols: i32, lut: usize): void {
  const nb = (cols + 7) >> 3;
  for (let b = 0; b < nb; b++) {
    const t = lut + ((<usize>b << 8) << 2);
    store<f32>(t, 0);
    for (let v = 1; v < 256; v++) {
      const k = (b << 3) + ctz<i32>(v);
      const x: f32 = k < cols ? load<f32>(q + (<usize>k << 2)) : 0;
      store<f32>(t + (<usize>v << 2), load<f32>(t + (<usize>(v & (v - 1)) << 2)) + x);
    }
  }
}

/**
 * score_b1_lut: out[r] = α_r · (2 · Σ_b lut[b][byte_b(row r)] − qsum) + bias, with qsum = Σ_j q[j]: exactly
 * ⟨α_r · sign(x_r), q⟩ for the decoded binary row (sign 0 ↔ −1), plus a constant (⟨μ, q⟩ for a table binarized
 * around its mean μ). α_r = alphas[r·ps]; rows strideBits bits apart (any stride). Four rows at a time; rows of at
 * most 121 bits shift their bytes out of two funnel-shifted 64-bit words, longer rows read each byte through
 * rowByteAt. The bits past a row's end in its last byte (the next row's, or zero) get no weight: b1_lut_f32 sums
 * only k < cols. Each row's sum runs in byte order. No SIMD path, so no scalar twin: the tests compare it with a
 * TypeScript reference that sums in the same order (identical bits).
 */
export function score_b1_lut(mat: usize, rows: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, ps: i32, bias: f32, out: usize): void {
  const st = <usize>strideBits;
  let r = 0;
  if (strideBits <= 121 && nbytes <= 16) {
    for (; r + 4 <= rows; r += 4) {
      const o0 = <usize>r * st, o1 = o0 + st, o2 = o1 + st, o3 = o2 + st;
      const p0 = mat + (o0 >> 3), p1 = mat + (o1 >> 3), p2 = mat + (o2 >> 3), p3 = mat + (o3 >> 3);
      const h0 = <u64>(o0 & 7), h1 = <u64>(o1 & 7), h2 = <u64>(o2 & 7), h3 = <u64>(o3 & 7);
      const a0 = load<u64>(p0), b0 = load<u64>(p0, 8), a1 = load<u64>(p1), b1 = load<u64>(p1, 8);
      const a2 = load<u64>(p2), b2 = load<u64>(p2, 8), a3 = load<u64>(p3), b3 = load<u64>(p3, 8);
      let l0 = h0 ? (a0 >> h0) | (b0 << (64 - h0)) : a0, l1 = h1 ? (a1 >> h1) | (b1 << (64 - h1)) : a1;
      let l2 = h2 ? (a2 >> h2) | (b2 << (64 - h2)) : a2, l3 = h3 ? (a3 >> h3) | (b3 << (64 - h3)) : a3;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let b = 0; b < nbytes; b++) {
        if (b == 8) { l0 = b0 >> h0; l1 = b1 >> h1; l2 = b2 >> h2; l3 = b3 >> h3; }
        const t = lut + ((<usize>b << 8) << 2);
        s0 += load<f32>(t + (<usize>(l0 & 0xFF) << 2));
        s1 += load<f32>(t + (<usize>(l1 & 0xFF) << 2));
        s2 += load<f32>(t + (<usize>(l2 & 0xFF) << 2));
        s3 += load<f32>(t + (<usize>(l3 & 0xFF) << 2));
        l0 >>= 8; l1 >>= 8; l2 >>= 8; l3 >>= 8;
      }
      storeLut4(out, r, alphas, ps, qsum, bias, s0, s1, s2, s3);
    }
  }
  for (; r + 4 <= rows; r += 4) {
    const o0 = <usize>r * st, o1 = o0 + st, o2 = o1 + st, o3 = o2 + st;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let b = 0; b < nbytes; b++) {
      const t = lut + ((<usize>b << 8) << 2);
      s0 += load<f32>(t + (<usize>rowByteAt(mat, o0, b) << 2));
      s1 += load<f32>(t + (<usize>rowByteAt(mat, o1, b) << 2));
      s2 += load<f32>(t + (<usize>rowByteAt(mat, o2, b) << 2));
      s3 += load<f32>(t + (<usize>rowByteAt(mat, o3, b) << 2));
    }
    storeLut4(out, r, alphas, ps, qsum, bias, s0, s1, s2, s3);
  }
  scoreB1LutRows(mat, r, rows, nbytes, strideBits, lut, qsum, alphas, ps, bias, out);
}

/** The scores of four rows r..r+3 from their lookup sums (as score_b1_lut, row by row). */
// @ts-ignore: decorator
@inline
function storeLut4(out: usize, r: i32, alphas: usize, ps: i32, qsum: f32, bias: f32, s0: f32, s1: f32, s2: f32, s3: f32): void {
  const o = out + (<usize>r << 2);
  store<f32>(o, load<f32>(alphas + (<usize>(r * ps) << 2)) * (2 * s0 - qsum) + bias);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 1) * ps) << 2)) * (2 * s1 - qsum) + bias, 4);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 2) * ps) << 2)) * (2 * s2 - qsum) + bias, 8);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 3) * ps) << 2)) * (2 * s3 - qsum) + bias, 12);
}

/** score_b1_lut for rows [from, rows), one at a time, bytes through rowByteAt: the tail. */
function scoreB1LutRows(mat: usize, from: i32, rows: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, ps: i32, bias: f32, out: usize): void {
  for (let r = from; r < rows; r++) {
    const o = <usize>r * <usize>strideBits;
    let s: f32 = 0;
    for (let b = 0; b < nbytes; b++) s += load<f32>(lut + ((<usize>b << 8) << 2) + (<usize>rowByteAt(mat, o, b) << 2));
    store<f32>(out + (<usize>r << 2), load<f32>(alphas + (<usize>(r * ps) << 2)) * (2 * s - qsum) + bias);
  }
}

