// Search kernels over quantized tables (docs/quantization.md §1.8). Each scores every row (or the rows listed
// in `idx`) against one query in a single call; TypeScript then runs topk_f32 on the scores.
//   int8 × int8 → int32:  v128.load8x8_s (sign-extending load) + i32x4.dot_i16x8_s
//   int4 × int8 → int32:  nibbles sign-extended in registers (shl/shr_s), query split into even/odd lanes
//   binary:               Hamming distance with i8x16.popcnt / i64.popcnt; exact ⟨α·sign(x), q⟩ via byte LUTs
//   f16 / bf16 × f32:     converted on the fly, f32 dot
// Integer sums are exact, so SIMD and scalar agree bit for bit for int8/int4/binary; f16 sums agree to rounding.
// `idx` = 0 means rows 0..rows-1; otherwise idx (i32[rows]) lists the rows to score and out[k] is row idx[k]
// (the rerank path). Scale and zero-point arrays are indexed by the table row times `ps` (1 per row, 0 per tensor);
// zps = 0 means symmetric (all zero points 0).
import { hsum_f32x4, hsum_i32x4 } from '../util/hsum';
import { dot_f32, dot_f32_ref } from '../vec/dot';
import { f16_bits_to_f32 } from './half';

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
export function dot_i8_ref(a: usize, b: usize, n: i32): i32 {
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

// @ts-ignore: decorator
@inline
function rowOf(idx: usize, r: i32): i32 {
  return idx ? load<i32>(idx + (<usize>r << 2)) : r;
}

/** Lanes i of the result = Σ lanes of a_i: four horizontal sums at once. */
// @ts-ignore: decorator
@inline
function hsum4_i32x4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t01 = i32x4.add(i32x4.shuffle(a0, a1, 0, 2, 4, 6), i32x4.shuffle(a0, a1, 1, 3, 5, 7));
  const t23 = i32x4.add(i32x4.shuffle(a2, a3, 0, 2, 4, 6), i32x4.shuffle(a2, a3, 1, 3, 5, 7));
  return i32x4.add(i32x4.shuffle(t01, t23, 0, 2, 4, 6), i32x4.shuffle(t01, t23, 1, 3, 5, 7));
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
// one compiled copy shared by the raw and scaled kernels and their _ref twins (flags are runtime arguments)
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

/** Reads one byte of every cache line of the listed rows, in a loop of independent loads. */
let touched: i32 = 0;
function touchRows(mat: usize, sb: usize, rowBytes: i32, idx: usize, n: i32): void {
  if (rowBytes <= 0) return;
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const p = mat + <usize>load<i32>(idx + (<usize>j << 2)) * sb;
    for (let o = 0; o < rowBytes; o += 64) acc += <i32>load<u8>(p + <usize>o);
    acc += <i32>load<u8>(p + <usize>(rowBytes - 1));
  }
  touched = acc;
}

/** matvec_i8: out[r] (i32) = Σ_c mat[r·stride + c] · q[c], i8 table and i8 query, int32 accumulation. */
export function matvec_i8(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  matvecI8(mat, rows, cols, stride, 0, q, true, 0, 0, 0, 0, 0, out, true);
}
export function matvec_i8_ref(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
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
export function matvec_i8_scaled_ref(mat: usize, rows: i32, cols: i32, stride: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
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

/** row_norms_i8: out[r] = s_r · sqrt(Σ_c (code[r, c] − z_r)²): the L2 norm of each dequantized row. */
export function row_norms_i8(mat: usize, rows: i32, cols: i32, stride: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const z = zps ? load<i32>(zps + b) : 0;
    store<f32>(out + (<usize>r << 2), load<f32>(scales + b) * <f32>Math.sqrt(<f64>sqnormI8(mat + <usize>r * <usize>stride, cols, z, true)));
  }
}
export function row_norms_i8_ref(mat: usize, rows: i32, cols: i32, stride: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
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
 * copy shared by the raw and scaled kernels and their _ref twins (flags are runtime arguments).
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
export function matvec_i4_ref(mat: usize, rows: i32, cols: i32, strideBytes: i32, q: usize, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, 0, q, true, 0, 0, 0, 0, 0, out, false);
}

/** matvec_i4_scaled: as matvec_i8_scaled, over a packed int4 table and an int8 query. */
export function matvec_i4_scaled(mat: usize, rows: i32, cols: i32, strideBytes: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, idx, q, false, qscale, scales, zps, ps, bias, out, true);
}
export function matvec_i4_scaled_ref(mat: usize, rows: i32, cols: i32, strideBytes: i32, idx: usize, q: usize, qscale: f32, scales: usize, zps: usize, ps: i32, bias: f32, out: usize): void {
  matvecI4(mat, rows, cols, strideBytes, idx, q, false, qscale, scales, zps, ps, bias, out, false);
}

/** row_norms_i4: out[r] = s_r · sqrt(Σ_c (code[r, c] − z_r)²) for a packed int4 table. */
export function row_norms_i4(mat: usize, rows: i32, cols: i32, strideBytes: i32, scales: usize, zps: usize, ps: i32, out: usize): void {
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
// one compiled copy shared by the SIMD kernel and its _ref (the flag is a runtime argument): smaller builds
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
export function hamming_b1_ref(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, nbytes, strideBits, q, 0, false, out, false);
}

/**
 * sign_dot_b1: out[r] (f32) = cols − 2·popcount(row r ⊕ q) = ⟨sign(x_r), sign(q)⟩ in ±1 arithmetic,
 * so that topk_f32 on it ranks by smallest Hamming distance. Unused bits must be 0 in both.
 */
export function sign_dot_b1(mat: usize, rows: i32, cols: i32, strideBits: i32, q: usize, out: usize): void {
  hammingAll(mat, rows, (cols + 7) >> 3, strideBits, q, cols, true, out, true);
}
export function sign_dot_b1_ref(mat: usize, rows: i32, cols: i32, strideBits: i32, q: usize, out: usize): void {
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
 * 16 bytes of slack after their codes); longer rows go through hammingRow. The _ref twin computes every distance
 * byte by byte and selects with scalar code, so both return the same rows. Writes the rows to outIdx (i32[k]) and
 * returns how many (min(k, rows)); dist keeps every distance.
 */
export function hamming_topk_b1(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, k: i32, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopK(mat, rows, nbytes, strideBits, q, k, dist, cand, hist, outIdx, true);
}
export function hamming_topk_b1_ref(mat: usize, rows: i32, nbytes: i32, strideBits: i32, q: usize, k: i32, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopK(mat, rows, nbytes, strideBits, q, k, dist, cand, hist, outIdx, false);
}

// @ts-ignore: decorator
@inline
function bump(h: usize): void {
  store<i32>(h, load<i32>(h) + 1);
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

// one compiled copy shared by the SIMD kernel and its _ref (the flag is a runtime argument): smaller builds
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
function selectNearestU8(dist: usize, rows: i32, nb1: i32, k: i32, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  return selectNearest(dist, true, rows, nb1, k, cand, hist, outIdx, simd);
}
function selectNearestU16(dist: usize, rows: i32, nb1: i32, k: i32, cand: usize, hist: usize, outIdx: usize, simd: bool): i32 {
  return selectNearest(dist, false, rows, nb1, k, cand, hist, outIdx, simd);
}

// @ts-ignore: decorator
@inline
function distAt(dist: usize, small: bool, r: i32): i32 {
  return small ? <i32>load<u8>(dist + <usize>r) : <i32>load<u16>(dist + (<usize>r << 1));
}

// ---------------------------------------------------------------- binary codes: byte-aligned rows ↔ contiguous bits

/**
 * b1_rows_to_bits: binary codes with byte-aligned rows (⌈cols/8⌉ bytes used per row, rows srcStrideBytes apart) →
 * one contiguous bit string, row r at bits r·cols … r·cols + cols − 1 (⌈rows·cols/8⌉ bytes; dst needs 1 byte of
 * slack). Bits past cols in a row's last source byte are dropped. Scalar: a format conversion, run once per table.
 */
export function b1_rows_to_bits(src: usize, rows: i32, cols: i32, srcStrideBytes: i32, dst: usize): void {
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

/** b1_bits_to_rows: the inverse of b1_rows_to_bits; unused high bits of each row's last byte are 0. */
export function b1_bits_to_rows(src: usize, rows: i32, cols: i32, dst: usize, dstStrideBytes: i32): void {
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
 * the _ref twin computes each distance byte by byte from the same layout.
 */
export function hamming_topk_b1_blocked(blk: usize, rows: i32, nbytes: i32, q: usize, k: i32, qsplat: usize, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopKBlocked(blk, rows, nbytes, q, k, qsplat, dist, cand, hist, outIdx, true);
}
export function hamming_topk_b1_blocked_ref(blk: usize, rows: i32, nbytes: i32, q: usize, k: i32, qsplat: usize, dist: usize, cand: usize, hist: usize, outIdx: usize): i32 {
  return hammingTopKBlocked(blk, rows, nbytes, q, k, qsplat, dist, cand, hist, outIdx, false);
}

// one compiled copy shared by the SIMD kernel and its _ref (the flag is a runtime argument): smaller builds
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
 * around its mean μ). α_r = alphas[r·as]; rows strideBits bits apart (any stride). Four rows at a time; rows of at
 * most 121 bits shift their bytes out of two funnel-shifted 64-bit words, longer rows read each byte through
 * rowByteAt. The bits past a row's end in its last byte (the next row's, or zero) get no weight: b1_lut_f32 sums
 * only k < cols. Each row's sum runs in byte order, so the result equals the _ref bit for bit.
 */
export function score_b1_lut(mat: usize, rows: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, as: i32, bias: f32, out: usize): void {
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
      storeLut4(out, r, alphas, as, qsum, bias, s0, s1, s2, s3);
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
    storeLut4(out, r, alphas, as, qsum, bias, s0, s1, s2, s3);
  }
  scoreB1LutRows(mat, r, rows, nbytes, strideBits, lut, qsum, alphas, as, bias, out);
}
export function score_b1_lut_ref(mat: usize, rows: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, as: i32, bias: f32, out: usize): void {
  scoreB1LutRows(mat, 0, rows, nbytes, strideBits, lut, qsum, alphas, as, bias, out);
}

/** The scores of four rows r..r+3 from their lookup sums (as score_b1_lut, row by row). */
// @ts-ignore: decorator
@inline
function storeLut4(out: usize, r: i32, alphas: usize, as: i32, qsum: f32, bias: f32, s0: f32, s1: f32, s2: f32, s3: f32): void {
  const o = out + (<usize>r << 2);
  store<f32>(o, load<f32>(alphas + (<usize>(r * as) << 2)) * (2 * s0 - qsum) + bias);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 1) * as) << 2)) * (2 * s1 - qsum) + bias, 4);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 2) * as) << 2)) * (2 * s2 - qsum) + bias, 8);
  store<f32>(o, load<f32>(alphas + (<usize>((r + 3) * as) << 2)) * (2 * s3 - qsum) + bias, 12);
}

/** score_b1_lut for rows [from, rows), one at a time, bytes through rowByteAt: the reference, and the tail. */
function scoreB1LutRows(mat: usize, from: i32, rows: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, as: i32, bias: f32, out: usize): void {
  for (let r = from; r < rows; r++) {
    const o = <usize>r * <usize>strideBits;
    let s: f32 = 0;
    for (let b = 0; b < nbytes; b++) s += load<f32>(lut + ((<usize>b << 8) << 2) + (<usize>rowByteAt(mat, o, b) << 2));
    store<f32>(out + (<usize>r << 2), load<f32>(alphas + (<usize>(r * as) << 2)) * (2 * s - qsum) + bias);
  }
}

// ---------------------------------------------------------------- f16 / bf16 tables

// @ts-ignore: decorator
@inline
function dotHalfRow(p: usize, q: usize, cols: i32, bf: bool, simd: bool): f32 {
  let s: f32 = 0;
  let c = 0;
  if (ASC_FEATURE_SIMD && simd) {
    let acc = f32x4.splat(0);
    for (; c + 8 <= cols; c += 8) acc = accHalf8(acc, v128.load(p + (<usize>c << 1)), v128.load(q + (<usize>c << 2)), v128.load(q + (<usize>c << 2), 16), bf);
    s = hsum_f32x4(acc);
  }
  for (; c < cols; c++) {
    const h = <u32>load<u16>(p + (<usize>c << 1));
    const x = reinterpret<f32>(bf ? h << 16 : f16_bits_to_f32(h));
    s += x * load<f32>(q + (<usize>c << 2));
  }
  return s;
}

/**
 * Halves in the top 16 bits of i32 lanes → f32: bf16 as is; fp16 by shifting exponent and mantissa into place
 * (an arithmetic shift by 3 keeps the sign in bit 31; the and clears its copies in bits 30–28) and multiplying by
 * 2^112 (exact, subnormals included). Finite fp16 only, as F16Matrix holds.
 */
// @ts-ignore: decorator
@inline
function widenHalf(t: v128, bf: bool): v128 {
  if (bf) return t;
  return f32x4.mul(v128.and(i32x4.shr_s(t, 3), i32x4.splat(0x8fffffff)), f32x4.splat(5.192296858534828e33));
}

/** a + ⟨8 halves h, the query lanes qa (first 4) and qb (last 4)⟩, lane-wise: each half zipped into the top of a lane. */
// @ts-ignore: decorator
@inline
function accHalf8(a: v128, h: v128, qa: v128, qb: v128, bf: bool): v128 {
  const z = i16x8.splat(0);
  const lo = widenHalf(i16x8.shuffle(z, h, 0, 8, 1, 9, 2, 10, 3, 11), bf);
  const hi = widenHalf(i16x8.shuffle(z, h, 4, 12, 5, 13, 6, 14, 7, 15), bf);
  return f32x4.add(a, f32x4.add(f32x4.mul(lo, qa), f32x4.mul(hi, qb)));
}

/** Lanes i of the result = Σ lanes of a_i (f32). */
// @ts-ignore: decorator
@inline
function hsum4F32(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t01 = f32x4.add(i32x4.shuffle(a0, a1, 0, 2, 4, 6), i32x4.shuffle(a0, a1, 1, 3, 5, 7));
  const t23 = f32x4.add(i32x4.shuffle(a2, a3, 0, 2, 4, 6), i32x4.shuffle(a2, a3, 1, 3, 5, 7));
  return f32x4.add(i32x4.shuffle(t01, t23, 0, 2, 4, 6), i32x4.shuffle(t01, t23, 1, 3, 5, 7));
}

/**
 * The half-precision scan: SIMD builds score four rows per step, so each query load serves four rows, reading eight
 * halves of a row per v128 load; a row tail of cols % 8 values is read as the row's last eight halves against the
 * query's last eight values with the lanes already counted zeroed (cols ≥ 8). Other rows, and the _ref twins,
 * go through dotHalfRow. One compiled copy for fp16 and bf16.
 */
function matvecHalf(mat: usize, rows: i32, cols: i32, q: usize, out: usize, bf: bool, simd: bool): void {
  const rb = <usize>cols << 1;
  let r = 0;
  if (ASC_FEATURE_SIMD && simd && cols >= 8) {
    const c8 = cols & ~7, hasTail = c8 < cols;
    const tail = <usize>(cols - 8);
    const drop = i32x4.splat(8 - (cols & 7)); // tail lanes below this were counted in the main loop
    const tq0 = v128.and(v128.load(q + (tail << 2)), i32x4.ge_s(i32x4(0, 1, 2, 3), drop));
    const tq1 = v128.and(v128.load(q + (tail << 2), 16), i32x4.ge_s(i32x4(4, 5, 6, 7), drop));
    for (; r + 4 <= rows; r += 4) {
      const p0 = mat + <usize>r * rb, p1 = p0 + rb, p2 = p1 + rb, p3 = p2 + rb;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let c = 0; c < c8; c += 8) {
        const o = <usize>c << 1, qp = q + (<usize>c << 2);
        const qa = v128.load(qp), qb = v128.load(qp, 16);
        a0 = accHalf8(a0, v128.load(p0 + o), qa, qb, bf);
        a1 = accHalf8(a1, v128.load(p1 + o), qa, qb, bf);
        a2 = accHalf8(a2, v128.load(p2 + o), qa, qb, bf);
        a3 = accHalf8(a3, v128.load(p3 + o), qa, qb, bf);
      }
      if (hasTail) {
        const o = tail << 1;
        a0 = accHalf8(a0, v128.load(p0 + o), tq0, tq1, bf);
        a1 = accHalf8(a1, v128.load(p1 + o), tq0, tq1, bf);
        a2 = accHalf8(a2, v128.load(p2 + o), tq0, tq1, bf);
        a3 = accHalf8(a3, v128.load(p3 + o), tq0, tq1, bf);
      }
      v128.store(out + (<usize>r << 2), hsum4F32(a0, a1, a2, a3));
    }
  }
  for (; r < rows; r++) store<f32>(out + (<usize>r << 2), dotHalfRow(mat + <usize>r * rb, q, cols, bf, simd));
}

/** matvec_f16: out[r] = Σ_c f32(mat[r, c]) · q[c] for an fp16 table (rows × cols u16, contiguous, finite values). */
export function matvec_f16(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, false, true);
}
export function matvec_f16_ref(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, false, false);
}
/** matvec_bf16: the same for a bf16 table. */
export function matvec_bf16(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, true, true);
}
export function matvec_bf16_ref(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, true, false);
}

/** row_norms_half: out[r] = ‖decoded row r‖₂ of an fp16 (bf = 0) or bf16 (bf = 1) table; f64 sums. */
export function row_norms_half(mat: usize, rows: i32, cols: i32, bf: bool, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const p = mat + ((<usize>r * <usize>cols) << 1);
    let s: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const h = <u32>load<u16>(p + (<usize>c << 1));
      const x = <f64>reinterpret<f32>(bf ? h << 16 : f16_bits_to_f32(h));
      s += x * x;
    }
    store<f32>(out + (<usize>r << 2), <f32>Math.sqrt(s));
  }
}

// ---------------------------------------------------------------- f32 gather (rerank)

/** matvec_f32_rows: out[k] = ⟨mat row idx[k], q⟩ for k < m (rows stride floats apart): exact rescoring of candidates. */
export function matvec_f32_rows(mat: usize, stride: i32, cols: i32, idx: usize, m: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  touchRows(mat, sb, cols << 2, idx, m);
  for (let k = 0; k < m; k++) store<f32>(out + (<usize>k << 2), dot_f32(mat + <usize>load<i32>(idx + (<usize>k << 2)) * sb, q, cols));
}
export function matvec_f32_rows_ref(mat: usize, stride: i32, cols: i32, idx: usize, m: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  for (let k = 0; k < m; k++) store<f32>(out + (<usize>k << 2), dot_f32_ref(mat + <usize>load<i32>(idx + (<usize>k << 2)) * sb, q, cols));
}
