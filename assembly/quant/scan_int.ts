// int8 and int4 scans over quantized tables (docs/quantization.md §1.8). Each scores every row (or the rows listed
// in `idx`) against one int8 query in a single call; TypeScript then runs topk_f32 on the scores.
//   int8 × int8 → int32:  v128.load8x8_s (sign-extending load) + i32x4.dot_i16x8_s
//   int4 × int8 → int32:  nibbles sign-extended in registers (shl/shr_s), query split into even/odd lanes
// Integer sums are exact, so SIMD and scalar agree bit for bit.
// `idx` = 0 means rows 0..rows-1; otherwise idx (i32[rows]) lists the rows to score and out[k] is row idx[k]
// (the rerank path). Scale and zero-point arrays are indexed by the table row times `ps` (1 per row, 0 per tensor);
// zps = 0 means symmetric (all zero points 0).
// Strides: int8 rows are `stride` bytes apart (= elements, one byte each); int4 rows `strideBytes` bytes apart
// (two elements per byte, every row starts on a byte).
import { hsum_i32x4, hsum4_i32x4 } from '../util/hsum';
import { rowOf, touchRows } from '../util/rows';

// ---------------------------------------------------------------- int8

/** Σ a[i]·b[i] over i8 codes, SIMD part; returns the index it stopped at in `n` via the scalar tail caller. */
// @ts-ignore: decorator
@inline
function dotI8(a: usize, b: usize, n: i32, simd: bool): i32 {
  let s = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(a + <usize>i), v128.load8x8_s(b + <usize>i)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load8x8_s(a + <usize>i, 8), v128.load8x8_s(b + <usize>i, 8)));
    }
    if (i + 8 <= n) {
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(a + <usize>i), v128.load8x8_s(b + <usize>i)));
      i += 8;
    }
    s = hsum_i32x4(i32x4.add(acc0, acc1));
  }
  for (; i < n; i++) s += <i32>load<i8>(a + <usize>i) * <i32>load<i8>(b + <usize>i);
  return s;
}

/** dot_i8: Σ a[i]·b[i] of two i8 vectors with int32 accumulation (exact for n ≤ 131072). */
export function dot_i8(a: usize, b: usize, n: i32): i32 {
  return dotI8(a, b, n, true);
}
export function dot_i8_scalar(a: usize, b: usize, n: i32): i32 {
  return dotI8(a, b, n, false);
}

/** Σ_j q[j] over i8. */
// @ts-ignore: decorator
@inline
function sumI8(q: usize, n: i32): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) s += <i32>load<i8>(q + <usize>i);
  return s;
}

/** The last 16 bytes of a row against the query's last 16 bytes with the lanes before c16 zeroed (tq0, tq1). */
// @ts-ignore: decorator
@inline
function tailI8(acc: v128, p: usize, tq0: v128, tq1: v128): v128 {
  return i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(p), tq0), i32x4.dot_i16x8_s(v128.load8x8_s(p, 8), tq1)));
}

/**
 * Raw int8 dots of rows r..r+3 (from idx when given) with q, as the four lanes of an i32x4.
 * The four rows are read interleaved so that each query load serves four rows. A row tail of cols % 16
 * elements is read as the row's last 16 bytes against a query vector whose first 16 − cols % 16 lanes are
 * zero (tq0/tq1), so nothing is read outside a row and no scalar tail is needed (cols ≥ 16).
 */
// @ts-ignore: decorator
@inline
function dots4I8(mat: usize, sb: usize, idx: usize, r: i32, q: usize, c16: i32, tail: usize, hasTail: bool, tq0: v128, tq1: v128): v128 {
  const p0 = mat + <usize>rowOf(idx, r) * sb, p1 = mat + <usize>rowOf(idx, r + 1) * sb;
  const p2 = mat + <usize>rowOf(idx, r + 2) * sb, p3 = mat + <usize>rowOf(idx, r + 3) * sb;
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  for (let c = 0; c < c16; c += 8) {
    const vq = v128.load8x8_s(q + <usize>c);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(p0 + <usize>c), vq));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(p1 + <usize>c), vq));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(p2 + <usize>c), vq));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(p3 + <usize>c), vq));
  }
  if (hasTail) {
    a0 = tailI8(a0, p0 + tail, tq0, tq1); a1 = tailI8(a1, p1 + tail, tq0, tq1);
    a2 = tailI8(a2, p2 + tail, tq0, tq1); a3 = tailI8(a3, p3 + tail, tq0, tq1);
  }
  return hsum4_i32x4(a0, a1, a2, a3);
}

/** The query's last 16 bytes with lanes [0, 16 − cols % 16) zeroed, as two i16x8 halves (cols ≥ 16). */
// @ts-ignore: decorator
@inline
function tailQuery(q: usize, cols: i32): v128 {
  const keepFrom = i8x16.splat(<i8>(15 - (cols & 15)));
  const lanes = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return v128.and(v128.load(q + <usize>(cols - 16)), i8x16.gt_s(lanes, keepFrom));
}

// @ts-ignore: decorator
@inline
function scales4(scales: usize, idx: usize, ps: i32, r: i32): v128 {
  if (!idx && ps == 1) return v128.load(scales + (<usize>r << 2));
  return f32x4(load<f32>(scales + ((<usize>(rowOf(idx, r) * ps)) << 2)), load<f32>(scales + ((<usize>(rowOf(idx, r + 1) * ps)) << 2)),
    load<f32>(scales + ((<usize>(rowOf(idx, r + 2) * ps)) << 2)), load<f32>(scales + ((<usize>(rowOf(idx, r + 3) * ps)) << 2)));
}
// @ts-ignore: decorator
@inline
function zps4(zps: usize, idx: usize, ps: i32, r: i32): v128 {
  if (!idx && ps == 1) return v128.load(zps + (<usize>r << 2));
  return i32x4(load<i32>(zps + ((<usize>(rowOf(idx, r) * ps)) << 2)), load<i32>(zps + ((<usize>(rowOf(idx, r + 1) * ps)) << 2)),
    load<i32>(zps + ((<usize>(rowOf(idx, r + 2) * ps)) << 2)), load<i32>(zps + ((<usize>(rowOf(idx, r + 3) * ps)) << 2)));
}

/** out = the i32 dot d (raw), or f32 (s_row · qscale) · (d − z_row · qsum) + bias: one row's score, as the SIMD paths compute it. */
// @ts-ignore: decorator
@inline
function storeScore(o: usize, d: i32, row: i32, raw: bool, qscale: f32, scales: usize, zps: usize, ps: i32, qsum: i32, bias: f32): void {
  if (raw) {
    store<i32>(o, d);
    return;
  }
  const b = (<usize>(row * ps)) << 2;
  const z = zps ? load<i32>(zps + b) : 0;
  store<f32>(o, (load<f32>(scales + b) * qscale) * <f32>(d - z * qsum) + bias);
}

/**
 * The int8 scoring loop. raw: out[k] = i32 dot; otherwise out[k] = f32 (s_row · qscale) · (dot − z_row · qsum)
 * with s_row = scales[row·ps], z_row = zps[row·ps] (zps = 0: 0). The SIMD path computes four rows per step
 * and rescales them as one f32x4 with the same f32 operations as the scalar path.
 */
// one compiled copy shared by the raw and scaled kernels and their _scalar twins (flags are runtime arguments)
function matvecI8(mat: usize, rows: i32, cols: i32, stride: i32, idx: usize, q: usize, raw: bool, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize, simd: bool): void {
  const sb = <usize>stride;
  const qsum = !raw && zps ? sumI8(q, cols) : 0;
  if (idx) touchRows(mat, sb, cols, idx, rows);
  let r = 0;
  if (ASC_FEATURE_SIMD && simd && cols >= 16) {
    const c16 = cols & ~15;
    const hasTail = c16 < cols;
    const tq = tailQuery(q, cols);
    const tq0 = i16x8.extend_low_i8x16_s(tq), tq1 = i16x8.extend_high_i8x16_s(tq);
    const tail = <usize>(cols - 16);
    const vqs = f32x4.splat(qscale), vqsum = i32x4.splat(qsum), vbias = f32x4.splat(bias);
    for (; r + 4 <= rows; r += 4) {
      let d = dots4I8(mat, sb, idx, r, q, c16, tail, hasTail, tq0, tq1);
      const o = out + (<usize>r << 2);
      if (raw) { v128.store(o, d); continue; }
      if (zps) d = i32x4.sub(d, i32x4.mul(zps4(zps, idx, ps, r), vqsum));
      v128.store(o, f32x4.add(f32x4.mul(f32x4.mul(scales4(scales, idx, ps, r), vqs), f32x4.convert_i32x4_s(d)), vbias));
    }
  }
  for (; r < rows; r++) {
    const row = rowOf(idx, r);
    storeScore(out + (<usize>r << 2), dotI8(mat + <usize>row * sb, q, cols, simd), row, raw, qscale, scales, zps, ps, qsum, bias);
  }
}

/** matvec_i8: out[r] (i32) = Σ_c mat[r·stride + c] · q[c], i8 table and i8 query, int32 accumulation. */
export function matvec_i8(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  matvecI8(mat, rows, cols, stride, 0, q, true, 0, 0, 0, 0, 0, out, true);
}
export function matvec_i8_scalar(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  matvecI8(mat, rows, cols, stride, 0, q, true, 0, 0, 0, 0, 0, out, false);
}

/**
 * matvec_i8_scaled: out[k] (f32) = (s_r · qscale) · (Σ_c code[r, c] · q[c] − z_r · Σ_c q[c]) + bias for r = idx ? idx[k] : k,
 * which is ⟨s_r·(code_r − z_r), qscale·q⟩ + bias: the dot of the dequantized row with the dequantized query, plus a
 * constant (⟨μ, q⟩ for a table quantized around its column mean μ).
 * `q` is the query quantized to i8 (symmetric, scale qscale). Rows may be `stride` bytes apart (≥ cols).
 */
export function matvec_i8_scaled(mat: usize, rows: i32, cols: i32, stride: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI8(mat, rows, cols, stride, idx, q, false, qscale, scales, zps, ps, bias, out, true);
}
export function matvec_i8_scaled_scalar(mat: usize, rows: i32, cols: i32, stride: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI8(mat, rows, cols, stride, idx, q, false, qscale, scales, zps, ps, bias, out, false);
}

/** Σ_j (code − z)² of one i8 row, exact in i64. */
// @ts-ignore: decorator
@inline
function sqnormI8(p: usize, cols: i32, z: i32, simd: bool): i64 {
  let s: i64 = 0;
  let c = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vz = i16x8.splat(<i16>z);
    while (c + 8 <= cols) {
      // flush the i32 lanes every 4096 chunks: 4096 · 2 · 255² < 2^31
      let acc = i32x4.splat(0);
      const end = min(cols, c + 8 * 4096);
      for (; c + 8 <= end; c += 8) {
        const d = i16x8.sub(v128.load8x8_s(p + <usize>c), vz);
        acc = i32x4.add(acc, i32x4.dot_i16x8_s(d, d));
      }
      s += <i64>hsum_i32x4(acc);
    }
  }
  for (; c < cols; c++) {
    const d = <i64>(<i32>load<i8>(p + <usize>c) - z);
    s += d * d;
  }
  return s;
}

/** norm_l2_i8_per_row: out[r] = s_r · sqrt(Σ_c (code[r, c] − z_r)²): the L2 norm of each dequantized row. */
export function norm_l2_i8_per_row(mat: usize, rows: i32, cols: i32, stride: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const z = zps ? load<i32>(zps + b) : 0;
    store<f32>(out + (<usize>r << 2), load<f32>(scales + b) * <f32>Math.sqrt(<f64>sqnormI8(mat + <usize>r * <usize>stride, cols, z, true)));
  }
}
export function norm_l2_i8_per_row_scalar(mat: usize, rows: i32, cols: i32, stride: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const z = zps ? load<i32>(zps + b) : 0;
    store<f32>(out + (<usize>r << 2), load<f32>(scales + b) * <f32>Math.sqrt(<f64>sqnormI8(mat + <usize>r * <usize>stride, cols, z, false)));
  }
}

// ---------------------------------------------------------------- int4 (packed, two per byte, low nibble first)

// @ts-ignore: decorator
@inline
function nibble(p: usize, c: i32): i32 {
  const b = <i32>load<u8>(p + <usize>(c >> 1));
  return (((c & 1) ? b >> 4 : b) << 28) >> 28;
}

/** Scalar Σ_c nibble(p, c) · q[c] over [from, cols). */
// @ts-ignore: decorator
@inline
function dotI4Tail(p: usize, q: usize, from: i32, cols: i32): i32 {
  let s = 0;
  for (let c = from; c < cols; c++) s += nibble(p, c) * <i32>load<i8>(q + <usize>c);
  return s;
}

/**
 * One 32-element block (16 bytes) of a packed int4 row against the query's even (qe) and odd (qo) lanes,
 * i16-extended. The nibbles are unpacked in 16-bit lanes (zero-extend the bytes, then shl + shr_s by constant
 * counts), which x64 does natively; 8-bit lane shifts have no x64 instruction and cost several each.
 */
// @ts-ignore: decorator
@inline
function blockI4(acc: v128, pb: usize, qel: v128, qeh: v128, qol: v128, qoh: v128): v128 {
  const b = v128.load(pb);
  const wl = i16x8.extend_low_i8x16_u(b), wh = i16x8.extend_high_i8x16_u(b);
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.shr_s(i16x8.shl(wl, 12), 12), qel));
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.shr_s(i16x8.shl(wh, 12), 12), qeh));
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.shr_s(i16x8.shl(wl, 8), 12), qol));
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.shr_s(i16x8.shl(wh, 8), 12), qoh));
}

/**
 * The int4 scoring loop (raw i32 dots or rescaled f32 scores, as matvecI8), 32 elements per SIMD step. One compiled
 * copy shared by the raw and scaled kernels and their _scalar twins (flags are runtime arguments).
 */
function matvecI4(mat: usize, rows: i32, cols: i32, strideBytes: i32, idx: usize, q: usize, raw: bool, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize, simd: bool): void {
  const sb = <usize>strideBytes;
  const c32 = cols & ~31;
  const qsum = !raw && zps ? sumI8(q, cols) : 0;
  if (idx) touchRows(mat, sb, (cols + 1) >> 1, idx, rows);
  let r = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vqs = f32x4.splat(qscale), vqsum = i32x4.splat(qsum), vbias = f32x4.splat(bias);
    // the last, partial block (cols % 32 elements) runs as a whole block against query lanes zeroed from cols on:
    // the 16 code bytes it reads past a row's end (the next row, or the table's slack) are multiplied by 0
    const hasTail = c32 < cols;
    let tel = i16x8.splat(0), teh = i16x8.splat(0), tol = i16x8.splat(0), toh = i16x8.splat(0);
    if (hasTail) {
      const lanes = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), left = i8x16.splat(<i8>(cols - c32));
      const qa = v128.and(v128.load(q + <usize>c32), i8x16.lt_s(lanes, left));
      const qb = v128.and(v128.load(q + <usize>c32, 16), i8x16.lt_s(i8x16.add(lanes, i8x16.splat(16)), left));
      const qe = i8x16.shuffle(qa, qb, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      const qo = i8x16.shuffle(qa, qb, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      tel = i16x8.extend_low_i8x16_s(qe); teh = i16x8.extend_high_i8x16_s(qe);
      tol = i16x8.extend_low_i8x16_s(qo); toh = i16x8.extend_high_i8x16_s(qo);
    }
    const tb = <usize>(c32 >> 1);
    for (; r + 4 <= rows; r += 4) {
      const p0 = mat + <usize>rowOf(idx, r) * sb, p1 = mat + <usize>rowOf(idx, r + 1) * sb;
      const p2 = mat + <usize>rowOf(idx, r + 2) * sb, p3 = mat + <usize>rowOf(idx, r + 3) * sb;
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      for (let c = 0; c < c32; c += 32) {
        const qa = v128.load(q + <usize>c), qb = v128.load(q + <usize>c, 16);
        const qe = i8x16.shuffle(qa, qb, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const qo = i8x16.shuffle(qa, qb, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        const qel = i16x8.extend_low_i8x16_s(qe), qeh = i16x8.extend_high_i8x16_s(qe);
        const qol = i16x8.extend_low_i8x16_s(qo), qoh = i16x8.extend_high_i8x16_s(qo);
        const o = <usize>(c >> 1);
        a0 = blockI4(a0, p0 + o, qel, qeh, qol, qoh);
        a1 = blockI4(a1, p1 + o, qel, qeh, qol, qoh);
        a2 = blockI4(a2, p2 + o, qel, qeh, qol, qoh);
        a3 = blockI4(a3, p3 + o, qel, qeh, qol, qoh);
      }
      if (hasTail) {
        a0 = blockI4(a0, p0 + tb, tel, teh, tol, toh);
        a1 = blockI4(a1, p1 + tb, tel, teh, tol, toh);
        a2 = blockI4(a2, p2 + tb, tel, teh, tol, toh);
        a3 = blockI4(a3, p3 + tb, tel, teh, tol, toh);
      }
      let d = hsum4_i32x4(a0, a1, a2, a3);
      const ob = out + (<usize>r << 2);
      if (raw) { v128.store(ob, d); continue; }
      if (zps) d = i32x4.sub(d, i32x4.mul(zps4(zps, idx, ps, r), vqsum));
      v128.store(ob, f32x4.add(f32x4.mul(f32x4.mul(scales4(scales, idx, ps, r), vqs), f32x4.convert_i32x4_s(d)), vbias));
    }
  }
  for (; r < rows; r++) {
    const row = rowOf(idx, r);
    storeScore(out + (<usize>r << 2), dotI4Tail(mat + <usize>row * sb, q, 0, cols), row, raw, qscale, scales, zps, ps, qsum, bias);
  }
}

/**
 * matvec_i4: out[r] (i32) = Σ_c code[r, c] · q[c], packed int4 table (strideBytes ≥ ⌈cols/2⌉ per row), i8 query.
 * The SIMD path reads whole 16-byte blocks: 16 bytes past the start of a row's last block (tables keep 16 bytes of
 * slack) and up to 32 bytes of q from ⌊cols/32⌋·32 (the query needs 32 readable bytes of slack; their values are
 * ignored).
 */
export function matvec_i4(mat: usize, rows: i32, cols: i32, strideBytes: i32, q: usize, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, 0, q, true, 0, 0, 0, 0, 0, out, true);
}
export function matvec_i4_scalar(mat: usize, rows: i32, cols: i32, strideBytes: i32, q: usize, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, 0, q, true, 0, 0, 0, 0, 0, out, false);
}

/** matvec_i4_scaled: as matvec_i8_scaled, over a packed int4 table and an int8 query. */
export function matvec_i4_scaled(mat: usize, rows: i32, cols: i32, strideBytes: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, idx, q, false, qscale, scales, zps, ps, bias, out, true);
}
export function matvec_i4_scaled_scalar(mat: usize, rows: i32, cols: i32, strideBytes: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, idx, q, false, qscale, scales, zps, ps, bias, out, false);
}

/** norm_l2_i4_per_row: out[r] = s_r · sqrt(Σ_c (code[r, c] − z_r)²) for a packed int4 table. */
export function norm_l2_i4_per_row(mat: usize, rows: i32, cols: i32, strideBytes: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const z = zps ? load<i32>(zps + b) : 0;
    const p = mat + <usize>r * <usize>strideBytes;
    let s: i64 = 0;
    for (let c = 0; c < cols; c++) {
      const d = <i64>(nibble(p, c) - z);
      s += d * d;
    }
    store<f32>(out + (<usize>r << 2), load<f32>(scales + b) * <f32>Math.sqrt(<f64>s));
  }
}
