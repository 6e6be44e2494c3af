// int8 GEMM/GEMV with int32 accumulation for Int8Linear (and the ONNX integer ops).
// Units: m, n, k count elements; kp = 8·⌈k/8⌉ (padded k); n4 = 4·⌈n/4⌉ (padded n: the int32 accumulator rows are n4
// apart); sn/sk are element strides of W's output and input axes; pointers are byte addresses; a pointer 0 = none.
// Activations are int16 (already centred: q − zero point), rows kp apart, zero padded; weights int8 packed.
import { hsum4_i32x4 } from '../util/hsum';
import { symRowScale } from '../util/absmax';

/**
 * Panel layout: out[p][b][j][t] = W[4p + j][8b + t] as int8 (zero outside n×k); 4·⌈n/4⌉·kp bytes. `flip` = 1 stores
 * W − 128 (uint8 weights as int8: exact, the zero point moves by −128). No SIMD path.
 */
export function pack_i8_panel4(w: usize, n: i32, k: i32, sn: i32, sk: i32, flip: i32, out: usize): void {
  const np = (n + 3) >> 2, nb = (k + 7) >> 3;
  let o = out;
  for (let p = 0; p < np; p++) for (let b = 0; b < nb; b++) for (let j = 0; j < 4; j++) for (let t = 0; t < 8; t++) {
    const r = (p << 2) + j, c = (b << 3) + t;
    let v: i32 = 0;
    if (r < n && c < k) {
      v = <i32>load<u8>(w + <usize>r * <usize>sn + <usize>c * <usize>sk);
      v = flip ? v - 128 : <i32><i8>v;
    }
    store<i8>(o++, <i8>v);
  }
}

/**
 * gemm_i8_packed: acc[r·n4 + c] = Σ_k xq[r·kp + k] · W[c][k] (int32, exact) for r < m, c < n4.
 * SIMD: `v128.load8x8_s` widens 8 weights to i16 in the load, `i32x4.dot_i16x8_s` multiplies and adds pairs.
 * Panels outer (kp·4 bytes, in L1), tiles of 2 rows × 4 outputs (8 accumulators), one row at a time for the rest
 * (4 accumulators, one per output row of the panel, summed horizontally at the end: gemvI8Panel). M = 1: gemvI8Row.
 */
export function gemm_i8_packed(xq: usize, m: i32, kp: i32, wp: usize, n: i32, acc: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_i8_packed_scalar(xq, m, kp, wp, n, acc); return; }
  if (m == 1) { gemvI8Row(xq, kp, wp, n, acc, 0); return; }
  const np = (n + 3) >> 2;
  const xb = <usize>kp << 1, pb = <usize>kp << 2, ab = <usize>np << 4;
  const z = i32x4.splat(0);
  for (let p = 0; p < np; p++) {
    const pw = wp + <usize>p * pb;
    let r = 0;
    for (; r + 2 <= m; r += 2) {
      const x0 = xq + <usize>r * xb, x1 = x0 + xb;
      let a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
      let w = pw;
      for (let o: usize = 0; o < xb; o += 16) {
        const u = v128.load(x0 + o), v = v128.load(x1 + o);
        const w0 = v128.load8x8_s(w), w1 = v128.load8x8_s(w, 8), w2 = v128.load8x8_s(w, 16), w3 = v128.load8x8_s(w, 24);
        w += 32;
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(u, w0)); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(v, w0));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(u, w1)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(v, w1));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(u, w2)); b2 = i32x4.add(b2, i32x4.dot_i16x8_s(v, w2));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(u, w3)); b3 = i32x4.add(b3, i32x4.dot_i16x8_s(v, w3));
      }
      const ar = acc + <usize>r * ab + (<usize>p << 4);
      v128.store(ar, hsum4_i32x4(a0, a1, a2, a3));
      v128.store(ar + ab, hsum4_i32x4(b0, b1, b2, b3));
    }
    for (; r < m; r++) gemvI8Panel(xq + <usize>r * xb, kp, wp, p, acc + <usize>r * ab);
  }
}

/**
 * gemv_i8_packed: gemm_i8_packed for one row (m = 1, the same int32 sums), the panels in order (rev = 0) or from
 * the end (rev = 1). Int8Linear alternates rev call by call at batch 1, as Linear does for its f32 GEMV.
 */
export function gemv_i8_packed(xq: usize, kp: i32, wp: usize, n: i32, acc: usize, rev: i32): void {
  if (!ASC_FEATURE_SIMD) { gemm_i8_packed_scalar(xq, 1, kp, wp, n, acc); return; }
  gemvI8Row(xq, kp, wp, n, acc, rev);
}

/**
 * One row against every panel of 4 outputs: two panels side by side (gemvI8Pairs), an odd last panel alone; rev
 * runs the same steps from the other end. Two weight streams and one load of x for 8 dots: on the Xeon 1.14-1.22×
 * the one-panel loop at 768×768, 768×3072 and 1024×4096 (with the order alternating call by call; alternating
 * alone gained nothing, pairs alone nothing at 768×3072).
 */
function gemvI8Row(xq: usize, kp: i32, wp: usize, n: i32, acc: usize, rev: i32): void {
  const np = (n + 3) >> 2, np2 = np & ~1;
  if (rev && np > np2) gemvI8Panel(xq, kp, wp, np2, acc);
  if (rev) gemvI8Pairs(xq, kp, wp, np2, acc, 1);
  else gemvI8Pairs(xq, kp, wp, np2, acc, 0);
  if (!rev && np > np2) gemvI8Panel(xq, kp, wp, np2, acc);
}

/** a + the dots of the 8 int16 x values u with the 8 int8 weights at w + off (widened in the load), pairwise. */
// @ts-ignore: decorator
@inline
function dotW8(a: v128, u: v128, w: usize, off: usize): v128 {
  return i32x4.add(a, i32x4.dot_i16x8_s(u, v128.load8x8_s(w + off)));
}

/** Panels (0, 1), (2, 3) … (np2 − 2, np2 − 1) of one row, upwards or (rev) downwards: acc[4p ..] = their 4 sums each. */
function gemvI8Pairs(xq: usize, kp: i32, wp: usize, np2: i32, acc: usize, rev: i32): void {
  const xb = <usize>kp << 1, pb = <usize>kp << 2;
  const z = i32x4.splat(0);
  for (let i = 0; i < np2; i += 2) {
    const p = rev ? np2 - 2 - i : i;
    let w = wp + <usize>p * pb, v = w + pb;
    let a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
    for (let o: usize = 0; o < xb; o += 16) {
      const u = v128.load(xq + o);
      a0 = dotW8(a0, u, w, 0); a1 = dotW8(a1, u, w, 8); a2 = dotW8(a2, u, w, 16); a3 = dotW8(a3, u, w, 24);
      b0 = dotW8(b0, u, v, 0); b1 = dotW8(b1, u, v, 8); b2 = dotW8(b2, u, v, 16); b3 = dotW8(b3, u, v, 24);
      w += 32; v += 32;
    }
    const ap = acc + (<usize>p << 4);
    v128.store(ap, hsum4_i32x4(a0, a1, a2, a3));
    v128.store(ap, hsum4_i32x4(b0, b1, b2, b3), 16);
  }
}

/** Panel p of one row (xq: the row) alone: acc[4p .. 4p + 4) (acc: the row's sums). */
function gemvI8Panel(xq: usize, kp: i32, wp: usize, p: i32, acc: usize): void {
  const xb = <usize>kp << 1;
  const z = i32x4.splat(0);
  let a0 = z, a1 = z, a2 = z, a3 = z;
  let w = wp + <usize>p * (<usize>kp << 2);
  for (let o: usize = 0; o < xb; o += 16) {
    const u = v128.load(xq + o);
    a0 = dotW8(a0, u, w, 0); a1 = dotW8(a1, u, w, 8); a2 = dotW8(a2, u, w, 16); a3 = dotW8(a3, u, w, 24);
    w += 32;
  }
  v128.store(acc + (<usize>p << 4), hsum4_i32x4(a0, a1, a2, a3));
}

export function gemm_i8_packed_scalar(xq: usize, m: i32, kp: i32, wp: usize, n: i32, acc: usize): void {
  const np = (n + 3) >> 2, nb = kp >> 3;
  for (let r = 0; r < m; r++) {
    const xr = xq + ((<usize>r * <usize>kp) << 1);
    for (let c = 0; c < (np << 2); c++) {
      const pw = wp + <usize>(c >> 2) * (<usize>kp << 2) + (<usize>(c & 3) << 3);
      let s: i32 = 0;
      for (let b = 0; b < nb; b++) {
        const wb = pw + (<usize>b << 5), xbp = xr + (<usize>b << 4);
        for (let t = 0; t < 8; t++) s += <i32>load<i16>(xbp + (<usize>t << 1)) * <i32>load<i8>(wb + <usize>t);
      }
      store<i32>(acc + ((<usize>r * <usize>(np << 2) + <usize>c) << 2), s);
    }
  }
}

/**
 * quantize_i16_sym_per_row: per row r, s = fround(max|x| / 127) (1 when the row is all zero), xq = clamp(roundEven(fround(x / s)),
 * −127, 127) as int16 (row stride kp, zero padded), scales[r] = s. Returns 1 if any value is not finite (then
 * nothing is meaningful), else 0. x rows are k floats apart.
 */
export function quantize_i16_sym_per_row(x: usize, m: i32, k: i32, kp: i32, xq: usize, scales: usize): i32 {
  return symPerRow(x, m, k, kp, xq, scales, ASC_FEATURE_SIMD, false);
}

export function quantize_i16_sym_per_row_scalar(x: usize, m: i32, k: i32, kp: i32, xq: usize, scales: usize): i32 {
  return symPerRow(x, m, k, kp, xq, scales, false, false);
}

/**
 * The per-row symmetric quantizers' body: scales[r], then row r's codes into out, row-major (rows kp apart; `tiles`
 * false) or into its slot of interleave_i16_rows4's layout (`tiles` true: the _rows4 forms). 1 on a non-finite value.
 */
// @ts-ignore: decorator
@inline
function symPerRow(x: usize, m: i32, k: i32, kp: i32, out: usize, scales: usize, simd: bool, tiles: bool): i32 {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2);
    const s = symRowScale(xr, k, simd);
    if (s != s) return 1;
    store<f32>(scales + (<usize>r << 2), s);
    rowOut(xr, k, kp, s, 0, -127, 127, 0, out, r, simd, tiles);
  }
  if (tiles) zeroTailRows(m, kp, out);
  return 0;
}

/** Row r's codes into out as symPerRow places them (row-major or its tile slot). */
// @ts-ignore: decorator
@inline
function rowOut(xr: usize, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize, r: i32, simd: bool, tiles: bool): void {
  if (tiles) quantize_row_bcast(xr, k, kp, scale, zp, lo, hi, sub, tileSlot(out, r, kp), simd);
  else if (ASC_FEATURE_SIMD && simd) quantize_row_i16(xr, k, kp, scale, zp, lo, hi, sub, out + ((<usize>r * <usize>kp) << 1));
  else quantize_row_i16_scalar(xr, k, kp, scale, zp, lo, hi, sub, out + ((<usize>r * <usize>kp) << 1));
}

/** The affine quantizers' body (one scale and zero point for every row), placed as symPerRow places codes. */
// @ts-ignore: decorator
@inline
function affineBody(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize, simd: bool, tiles: bool): void {
  for (let r = 0; r < m; r++) rowOut(x + ((<usize>r * <usize>k) << 2), k, kp, scale, zp, lo, hi, sub, out, r, simd, tiles);
  if (tiles) zeroTailRows(m, kp, out);
}

/** One row: xq[c] = clamp(roundEven(fround(x[c] / scale)) + zp, lo, hi) − sub for c < k; 0 for k ≤ c < kp. */
// @ts-ignore: decorator
@inline
function quantize_row_i16(xr: usize, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize): void {
  // clamp x/scale to [lo − zp, hi − zp] in float (bounds are integers, so clamping before rounding = after), then round
  // half to even by adding 1.5·2²³ (the FPU's rounding) and reading the integer from the bits — MLAS's trick, exact for
  // finite inputs and cheaper than nearest + trunc_sat (a long sequence on x64). Non-finite inputs are rejected
  // before (the layers check); the scalar twin computes the same integers the plain way. pmin/pmax (one minps/maxps
  // each) instead of min/max (NaN- and ±0-exact: seven instructions each on x64): for finite x the clamp differs at
  // most in the sign of a zero, which rounds to the same integer.
  const sv = f32x4.splat(scale), lov = f32x4.splat(<f32>(lo - zp)), hiv = f32x4.splat(<f32>(hi - zp)), off = i32x4.splat(zp - sub - 0x4b400000);
  let c = 0;
  for (; c + 8 <= k; c += 8) v128.store(out + (<usize>c << 1), codes8(xr + (<usize>c << 2), sv, lov, hiv, off));
  for (; c < k; c++) store<i16>(out + (<usize>c << 1), <i16>q1(load<f32>(xr + (<usize>c << 2)), scale, zp, lo, hi, sub));
  for (; c < kp; c++) store<i16>(out + (<usize>c << 1), 0);
}

/** The 8 codes of the floats at p as int16 lanes (quantize_row_i16's SIMD step; sv, lov, hiv, off as set up there). */
// @ts-ignore: decorator
@inline
function codes8(p: usize, sv: v128, lov: v128, hiv: v128, off: v128): v128 {
  const magic = f32x4.splat(12582912.0);
  const a = f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p), sv), lov), hiv);
  const b = f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p, 16), sv), lov), hiv);
  return i16x8.narrow_i32x4_s(i32x4.add(f32x4.add(a, magic), off), i32x4.add(f32x4.add(b, magic), off));
}

// @ts-ignore: decorator
@inline
function q1(v: f32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32): i32 {
  const f = nearest<f32>(v / scale);
  // trunc_sat semantics: NaN → 0, beyond i32 range saturates (the SIMD path's i32x4.trunc_sat_f32x4_s)
  let i: i32 = f != f ? 0 : f >= 2147483648.0 ? i32.MAX_VALUE : f <= -2147483648.0 ? i32.MIN_VALUE : <i32>f;
  i = i + zp; // the SIMD path wraps identically (i32x4.add)
  return min(max(i, lo), hi) - sub;
}

function quantize_row_i16_scalar(xr: usize, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize): void {
  let c = 0;
  for (; c < k; c++) store<i16>(out + (<usize>c << 1), <i16>q1(load<f32>(xr + (<usize>c << 2)), scale, zp, lo, hi, sub));
  for (; c < kp; c++) store<i16>(out + (<usize>c << 1), 0);
}

/**
 * quantize_i16_affine: QuantizeLinear with one scale and zero point for all m rows, centred:
 * xq[r·kp + c] = clamp(roundEven(fround(x / scale)) + zp, lo, hi) − sub (int16; padded with 0). x rows k floats apart.
 * (sub = zp gives the centred a − a_zp that MatMulInteger multiplies.)
 */
export function quantize_i16_affine(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, xq: usize): void {
  affineBody(x, m, k, kp, scale, zp, lo, hi, sub, xq, ASC_FEATURE_SIMD, false);
}

export function quantize_i16_affine_scalar(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, xq: usize): void {
  affineBody(x, m, k, kp, scale, zp, lo, hi, sub, xq, false, false);
}

/**
 * One row's codes (quantize_row_i16's) written into its slot of interleave_i16_rows4's layout: the pair (c, c + 1)
 * broadcast to the 16 bytes at o + 32·c (o = the row's slot in its tile), 0 for the pairs past k up to kp.
 */
// @ts-ignore: decorator
@inline
function quantize_row_bcast(xr: usize, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, o: usize, simd: bool): void {
  let c = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const sv = f32x4.splat(scale), lov = f32x4.splat(<f32>(lo - zp)), hiv = f32x4.splat(<f32>(hi - zp)), off = i32x4.splat(zp - sub - 0x4b400000);
    for (; c + 8 <= k; c += 8) storePairs4(o + (<usize>c << 5), codes8(xr + (<usize>c << 2), sv, lov, hiv, off));
  }
  for (; c < kp; c += 2) {
    const q0 = c < k ? q1(load<f32>(xr + (<usize>c << 2)), scale, zp, lo, hi, sub) : 0;
    const q2 = c + 1 < k ? q1(load<f32>(xr + (<usize>c << 2), 4), scale, zp, lo, hi, sub) : 0;
    storePair(o + (<usize>c << 5), q0, q2);
  }
}

/** The 4 pairs of 8 int16 codes h, each broadcast to its 16 bytes of a tile slot (pairs 64 bytes apart from p). */
// @ts-ignore: decorator
@inline
function storePairs4(p: usize, h: v128): void {
  v128.store(p, i32x4.shuffle(h, h, 0, 0, 0, 0));
  v128.store(p, i32x4.shuffle(h, h, 1, 1, 1, 1), 64);
  v128.store(p, i32x4.shuffle(h, h, 2, 2, 2, 2), 128);
  v128.store(p, i32x4.shuffle(h, h, 3, 3, 3, 3), 192);
}

/** One pair (a, b) of int16 codes broadcast to the 16 bytes at p. */
// @ts-ignore: decorator
@inline
function storePair(p: usize, a: i32, b: i32): void {
  const v = (a & 0xffff) | (b << 16);
  store<i32>(p, v); store<i32>(p, v, 4); store<i32>(p, v, 8); store<i32>(p, v, 12);
}

/** Row r's slot in interleave_i16_rows4's layout at xa: its tile (32·kp bytes each), then 16 bytes per row. */
// @ts-ignore: decorator
@inline
function tileSlot(xa: usize, r: i32, kp: i32): usize {
  return xa + <usize>(r >> 2) * (<usize>kp << 5) + (<usize>(r & 3) << 4);
}

/** Zeroes the slots of rows m .. 4⌈m/4⌉ − 1 of the last tile (interleave_i16_rows4 has zero rows there). */
function zeroTailRows(m: i32, kp: i32, xa: usize): void {
  for (let r = m; r & 3; r++) {
    const o = tileSlot(xa, r, kp);
    for (let c = 0; c < kp; c += 2) { const p = o + (<usize>c << 5); store<i64>(p, 0); store<i64>(p, 0, 8); }
  }
}

/**
 * quantize_i16_sym_per_row_rows4: quantize_i16_sym_per_row (the same codes and scales, 1 for a non-finite value)
 * written straight into interleave_i16_rows4's layout for the batched pair kernel: one pass instead of two
 * (quantize, then interleave), 1.8–2.4 µs less at 32×768 and 128×256 on a Xeon.
 */
export function quantize_i16_sym_per_row_rows4(x: usize, m: i32, k: i32, kp: i32, xa: usize, scales: usize): i32 {
  return symPerRow(x, m, k, kp, xa, scales, ASC_FEATURE_SIMD, true);
}

export function quantize_i16_sym_per_row_rows4_scalar(x: usize, m: i32, k: i32, kp: i32, xa: usize, scales: usize): i32 {
  return symPerRow(x, m, k, kp, xa, scales, false, true);
}

/** quantize_i16_affine_rows4: quantize_i16_affine's codes written straight into interleave_i16_rows4's layout. */
export function quantize_i16_affine_rows4(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, xa: usize): void {
  affineBody(x, m, k, kp, scale, zp, lo, hi, sub, xa, ASC_FEATURE_SIMD, true);
}

export function quantize_i16_affine_rows4_scalar(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, xa: usize): void {
  affineBody(x, m, k, kp, scale, zp, lo, hi, sub, xa, false, true);
}

/** widen_i8_i16: integer inputs (int8, or uint8 with `unsigned` = 1) → centred int16 rows: xq = v − sub, rows kp apart, padded 0. */
export function widen_i8_i16(x: usize, m: i32, k: i32, kp: i32, unsigned: i32, sub: i32, xq: usize): void {
  if (!ASC_FEATURE_SIMD) { widen_i8_i16_scalar(x, m, k, kp, unsigned, sub, xq); return; }
  const sv = i16x8.splat(<i16>sub);
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>k, o = xq + ((<usize>r * <usize>kp) << 1);
    let c = 0;
    for (; c + 8 <= k; c += 8) v128.store(o + (<usize>c << 1), i16x8.sub(unsigned ? v128.load8x8_u(xr + c) : v128.load8x8_s(xr + c), sv));
    for (; c < k; c++) store<i16>(o + (<usize>c << 1), <i16>widen1(xr + c, unsigned, sub));
    for (; c < kp; c++) store<i16>(o + (<usize>c << 1), 0);
  }
}

/** One integer input at p, centred: (uint8 if `unsigned`, else int8) − sub. */
// @ts-ignore: decorator
@inline
function widen1(p: usize, unsigned: i32, sub: i32): i32 {
  return (unsigned ? <i32>load<u8>(p) : <i32>load<i8>(p)) - sub;
}

/** widen_i8_i16's values written straight into interleave_i16_rows4's layout (xa), as the quantizers' _rows4 forms. */
export function widen_i8_i16_rows4(x: usize, m: i32, k: i32, kp: i32, unsigned: i32, sub: i32, xa: usize): void {
  widenRows4(x, m, k, kp, unsigned, sub, xa, ASC_FEATURE_SIMD);
}

export function widen_i8_i16_rows4_scalar(x: usize, m: i32, k: i32, kp: i32, unsigned: i32, sub: i32, xa: usize): void {
  widenRows4(x, m, k, kp, unsigned, sub, xa, false);
}

// @ts-ignore: decorator
@inline
function widenRows4(x: usize, m: i32, k: i32, kp: i32, unsigned: i32, sub: i32, xa: usize, simd: bool): void {
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>k, o = tileSlot(xa, r, kp);
    let c = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const sv = i16x8.splat(<i16>sub);
      for (; c + 8 <= k; c += 8) {
        storePairs4(o + (<usize>c << 5), i16x8.sub(unsigned ? v128.load8x8_u(xr + c) : v128.load8x8_s(xr + c), sv));
      }
    }
    for (; c < kp; c += 2) {
      storePair(o + (<usize>c << 5), c < k ? widen1(xr + c, unsigned, sub) : 0, c + 1 < k ? widen1(xr + c + 1, unsigned, sub) : 0);
    }
  }
  zeroTailRows(m, kp, xa);
}

export function widen_i8_i16_scalar(x: usize, m: i32, k: i32, kp: i32, unsigned: i32, sub: i32, xq: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * <usize>k, o = xq + ((<usize>r * <usize>kp) << 1);
    let c = 0;
    for (; c < k; c++) store<i16>(o + (<usize>c << 1), <i16>widen1(xr + c, unsigned, sub));
    for (; c < kp; c++) store<i16>(o + (<usize>c << 1), 0);
  }
}

/** minmax_f32: out[0] = min, out[1] = max over n floats (both NaN if any is NaN): DynamicQuantizeLinear's range. */
export function minmax_f32(x: usize, n: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) { minmax_f32_scalar(x, n, out); return; }
  // four independent chains of each (one chain waited on minps/maxps latency: a value a cycle)
  let lo = f32x4.splat(Infinity), hi = f32x4.splat(-Infinity), lo2 = lo, hi2 = hi, lo3 = lo, hi3 = hi, lo4 = lo, hi4 = hi;
  let bad = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const v = v128.load(p), u = v128.load(p, 16), t = v128.load(p, 32), w = v128.load(p, 48);
    lo = f32x4.pmin(v, lo); hi = f32x4.pmax(v, hi);
    lo2 = f32x4.pmin(u, lo2); hi2 = f32x4.pmax(u, hi2);
    lo3 = f32x4.pmin(t, lo3); hi3 = f32x4.pmax(t, hi3);
    lo4 = f32x4.pmin(w, lo4); hi4 = f32x4.pmax(w, hi4);
    bad = v128.or(bad, v128.or(v128.or(f32x4.ne(v, v), f32x4.ne(u, u)), v128.or(f32x4.ne(t, t), f32x4.ne(w, w))));
  }
  lo = f32x4.pmin(f32x4.pmin(lo, lo2), f32x4.pmin(lo3, lo4)); hi = f32x4.pmax(f32x4.pmax(hi, hi2), f32x4.pmax(hi3, hi4));
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    lo = f32x4.pmin(v, lo); hi = f32x4.pmax(v, hi);
    bad = v128.or(bad, f32x4.ne(v, v));
  }
  let l = min(min(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let h = max(max(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), max(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  let nan = v128.any_true(bad);
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) nan = true;
    l = min(l, v); h = max(h, v);
  }
  store<f32>(out, nan ? NaN : l);
  store<f32>(out, nan ? NaN : h, 4);
}

export function minmax_f32_scalar(x: usize, n: i32, out: usize): void {
  let lo: f32 = Infinity, hi: f32 = -Infinity, nan = false;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) nan = true;
    lo = min(lo, v); hi = max(hi, v);
  }
  store<f32>(out, nan ? NaN : lo);
  store<f32>(out, nan ? NaN : hi, 4);
}

/** rowsum_i16: out[r] = Σ_c xq[r·kp + c] (int32) — the activation sums that weight zero points multiply. No SIMD path. */
export function rowsum_i16(xq: usize, m: i32, kp: i32, out: usize): void {
  for (let r = 0; r < m; r++) {
    let s: i32 = 0;
    const xr = xq + ((<usize>r * <usize>kp) << 1);
    for (let c = 0; c < kp; c++) s += <i32>load<i16>(xr + (<usize>c << 1));
    store<i32>(out + (<usize>r << 2), s);
  }
}

/** epilogue_i32_f32's step for one output j of a row with input scale sx (every path uses it: the same bytes). */
// @ts-ignore: decorator
@inline
function epiOne(c: i32, sx: f32, ws: usize, wsStep: i32, bias: usize, relu: i32, j: i32): f32 {
  const mult: f32 = sx * load<f32>(ws + (<usize>(j * wsStep) << 2));
  let v: f32 = <f32>c * mult;
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  if (relu && !(v > 0)) v = 0;
  return v;
}

/** epilogue_i32_requant's step for one output j: clamp(roundEven(c · mult[j·multStep]) + zp) with flo/fhi = lo/hi − zp. */
// @ts-ignore: decorator
@inline
function requantOne(c: i32, mult: usize, multStep: i32, j: i32, flo: f32, fhi: f32, zp: i32): u8 {
  let v: f32 = <f32>c * load<f32>(mult + (<usize>(j * multStep) << 2));
  v = min(max(v, flo), fhi);
  return <u8>(<i32>nearest<f32>(v) + zp);
}

/**
 * epilogue_i32_f32: c = acc[r·n4 + j] − rowsum[r]·wzp[j] (rowsum 0 = no correction);
 * y[r·n + j] = fround(f32(c) · fround(xs[r·xsStep] · ws[j·wsStep])) (+ bias[j]) (ReLU if relu).
 * Steps are 0 (one value) or 1 (per row / per column). SIMD and scalar give identical bytes (the same IEEE operations per element).
 */
export function epilogue_i32_f32(acc: usize, m: i32, n: i32, n4: i32, rowsum: usize, wzp: usize, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, y: usize): void {
  if (!ASC_FEATURE_SIMD) { epilogue_i32_f32_scalar(acc, m, n, n4, rowsum, wzp, xs, xsStep, ws, wsStep, bias, relu, y); return; }
  const n4f = n & ~3;
  const zero = f32x4.splat(0);
  for (let r = 0; r < m; r++) {
    const a = acc + ((<usize>r * <usize>n4) << 2), yr = y + ((<usize>r * <usize>n) << 2);
    const rs = rowsum ? load<i32>(rowsum + (<usize>r << 2)) : 0;
    const sx = load<f32>(xs + (<usize>(r * xsStep) << 2));
    const rsv = i32x4.splat(rs), sxv = f32x4.splat(sx);
    const ws0 = f32x4.splat(load<f32>(ws));
    let j = 0;
    for (; j < n4f; j += 4) {
      const o = <usize>j << 2;
      let c = v128.load(a + o);
      if (rowsum) c = i32x4.sub(c, i32x4.mul(rsv, v128.load(wzp + o)));
      const mult = f32x4.mul(sxv, wsStep ? v128.load(ws + o) : ws0);
      let v = f32x4.mul(f32x4.convert_i32x4_s(c), mult);
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      if (relu) v = v128.and(v, f32x4.gt(v, zero)); // NaN and −0 → +0, as the scalar `!(v > 0)`
      v128.store(yr + o, v);
    }
    for (; j < n; j++) {
      let c = load<i32>(a + (<usize>j << 2));
      if (rowsum) c -= rs * load<i32>(wzp + (<usize>j << 2));
      store<f32>(yr + (<usize>j << 2), epiOne(c, sx, ws, wsStep, bias, relu, j));
    }
  }
}

export function epilogue_i32_f32_scalar(acc: usize, m: i32, n: i32, n4: i32, rowsum: usize, wzp: usize, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, y: usize): void {
  for (let r = 0; r < m; r++) {
    const a = acc + ((<usize>r * <usize>n4) << 2), yr = y + ((<usize>r * <usize>n) << 2);
    const rs = rowsum ? load<i32>(rowsum + (<usize>r << 2)) : 0;
    const sx = load<f32>(xs + (<usize>(r * xsStep) << 2));
    for (let j = 0; j < n; j++) {
      let c = load<i32>(a + (<usize>j << 2));
      if (rowsum) c -= rs * load<i32>(wzp + (<usize>j << 2));
      store<f32>(yr + (<usize>j << 2), epiOne(c, sx, ws, wsStep, bias, relu, j));
    }
  }
}

/** epilogue_i32_i32: out[r·n + j] = acc[r·n4 + j] − rowsum[r]·wzp[j] (MatMulInteger's result). No SIMD path. */
export function epilogue_i32_i32(acc: usize, m: i32, n: i32, n4: i32, rowsum: usize, wzp: usize, out: usize): void {
  for (let r = 0; r < m; r++) {
    const rs = rowsum ? load<i32>(rowsum + (<usize>r << 2)) : 0;
    for (let j = 0; j < n; j++) {
      let c = load<i32>(acc + ((<usize>r * <usize>n4 + <usize>j) << 2));
      if (rowsum) c -= rs * load<i32>(wzp + (<usize>j << 2));
      store<i32>(out + ((<usize>r * <usize>n + <usize>j) << 2), c);
    }
  }
}

/**
 * epilogue_i32_requant (QLinearMatMul): c as above; v = clamp(f32(c) · mult[j·multStep], lo − zp, hi − zp);
 * out[r·n + j] = roundEven(v) + zp as a byte (int8 or uint8 by lo/hi). SIMD and scalar give identical bytes.
 */
export function epilogue_i32_requant(acc: usize, m: i32, n: i32, n4: i32, rowsum: usize, wzp: usize, mult: usize, multStep: i32, zp: i32, lo: i32, hi: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) { epilogue_i32_requant_scalar(acc, m, n, n4, rowsum, wzp, mult, multStep, zp, lo, hi, out); return; }
  const flo = <f32>(lo - zp), fhi = <f32>(hi - zp);
  const lov = f32x4.splat(flo), hiv = f32x4.splat(fhi), magic = f32x4.splat(12582912.0), off = i32x4.splat(zp - 0x4b400000);
  const m0 = f32x4.splat(load<f32>(mult));
  const n8 = n & ~7;
  for (let r = 0; r < m; r++) {
    const a = acc + ((<usize>r * <usize>n4) << 2), or = out + <usize>r * <usize>n;
    const rs = rowsum ? load<i32>(rowsum + (<usize>r << 2)) : 0;
    const rsv = i32x4.splat(rs);
    let j = 0;
    for (; j < n8; j += 8) {
      const o = <usize>j << 2;
      let c0 = v128.load(a + o), c1 = v128.load(a + o, 16);
      if (rowsum) { c0 = i32x4.sub(c0, i32x4.mul(rsv, v128.load(wzp + o))); c1 = i32x4.sub(c1, i32x4.mul(rsv, v128.load(wzp + o, 16))); }
      let v0 = f32x4.mul(f32x4.convert_i32x4_s(c0), multStep ? v128.load(mult + o) : m0);
      let v1 = f32x4.mul(f32x4.convert_i32x4_s(c1), multStep ? v128.load(mult + o, 16) : m0);
      // clamp to [lo − zp, hi − zp] (integers), round half to even with the 1.5·2²³ trick, add zp: in [lo, hi]
      v0 = f32x4.pmin(f32x4.pmax(v0, lov), hiv);
      v1 = f32x4.pmin(f32x4.pmax(v1, lov), hiv);
      const i0 = i32x4.add(f32x4.add(v0, magic), off), i1 = i32x4.add(f32x4.add(v1, magic), off);
      const h = i16x8.narrow_i32x4_s(i0, i1);
      const b = lo < 0 ? i8x16.narrow_i16x8_s(h, h) : i8x16.narrow_i16x8_u(h, h);
      v128.store64_lane(or + <usize>j, b, 0);
    }
    for (; j < n; j++) {
      let c = load<i32>(a + (<usize>j << 2));
      if (rowsum) c -= rs * load<i32>(wzp + (<usize>j << 2));
      store<u8>(or + <usize>j, requantOne(c, mult, multStep, j, flo, fhi, zp));
    }
  }
}

export function epilogue_i32_requant_scalar(acc: usize, m: i32, n: i32, n4: i32, rowsum: usize, wzp: usize, mult: usize, multStep: i32, zp: i32, lo: i32, hi: i32, out: usize): void {
  const flo = <f32>(lo - zp), fhi = <f32>(hi - zp);
  for (let r = 0; r < m; r++) {
    const rs = rowsum ? load<i32>(rowsum + (<usize>r << 2)) : 0;
    for (let j = 0; j < n; j++) {
      let c = load<i32>(acc + ((<usize>r * <usize>n4 + <usize>j) << 2));
      if (rowsum) c -= rs * load<i32>(wzp + (<usize>j << 2));
      store<u8>(out + <usize>r * <usize>n + <usize>j, requantOne(c, mult, multStep, j, flo, fhi, zp));
    }
  }
}

/**
 * Pair layout for the batched kernel: int8 W widened to int16, panels of 8 outputs, k in pairs:
 * out[p][kk/2][j][kk&1] = W[8p + j][kk] − zp[8p + j] (zero outside n×k); 8·⌈n/8⌉·kp int16 (kp even). `flip` as
 * pack_i8_panel4; zp (0: none) holds one int32 per output, the zero point after the flip (the layers' wzp). With the
 * zero points folded into the weights (|W − zp| ≤ 255 fits int16, and Σ x·(W − zp) = Σ x·W − zp·Σ x exactly in int32
 * arithmetic), the batched kernel needs no activation row sums. No SIMD path.
 */
export function pack_i16_panel8_pairs(w: usize, n: i32, k: i32, kp: i32, sn: i32, sk: i32, flip: i32, zp: usize, out: usize): void {
  const np = (n + 7) >> 3;
  let o = out;
  for (let p = 0; p < np; p++) for (let c2 = 0; c2 < kp; c2 += 2) for (let j = 0; j < 8; j++) for (let t = 0; t < 2; t++) {
    const r = (p << 3) + j, c = c2 + t;
    let v: i32 = 0;
    if (r < n && c < k) {
      v = <i32>load<u8>(w + <usize>r * <usize>sn + <usize>c * <usize>sk);
      v = flip ? v - 128 : <i32><i8>v;
      if (zp) v -= load<i32>(zp + (<usize>r << 2));
    }
    store<i16>(o, <i16>v);
    o += 2;
  }
}

/**
 * interleave_i16_rows4: row-major int16 rows (kp apart, kp a multiple of 8) → tiles of 4 rows by k pair, each row's
 * pair broadcast to a whole vector, the layout gemm_i16_pairs reads: out[t][k/2][r][0..3] = the 32-bit pair
 * (xq[(4t + r)·kp + k], xq[(4t + r)·kp + k + 1]) four times, for r < 4, rows ≥ m zero; ⌈m/4⌉ tiles of 32·kp bytes.
 * Broadcast here once per call, so that the GEMM's inner loop reads each row's pair with a plain v128.load at a
 * constant offset instead of a load32_splat: the same speed in Node 20's V8, 9 % faster in Deno's newer V8 and 13 %
 * in Bun's JavaScriptCore (the compact layout, 8·kp bytes a tile, needed a broadcast per row per k pair).
 */
export function interleave_i16_rows4(xq: usize, m: i32, kp: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) { interleave_i16_rows4_scalar(xq, m, kp, out); return; }
  const xb = <usize>kp << 1;
  const z = i32x4.splat(0);
  let o = out;
  for (let r = 0; r < m; r += 4) {
    const x0 = xq + <usize>r * xb, x1 = x0 + xb, x2 = x1 + xb, x3 = x2 + xb;
    const n1 = r + 1 < m, n2 = r + 2 < m, n3 = r + 3 < m;
    for (let c: usize = 0; c < xb; c += 4) {
      v128.store(o, v128.load32_splat(x0 + c));
      v128.store(o, n1 ? v128.load32_splat(x1 + c) : z, 16);
      v128.store(o, n2 ? v128.load32_splat(x2 + c) : z, 32);
      v128.store(o, n3 ? v128.load32_splat(x3 + c) : z, 48);
      o += 64;
    }
  }
}

export function interleave_i16_rows4_scalar(xq: usize, m: i32, kp: i32, out: usize): void {
  const mt = (m + 3) >> 2;
  let o = out;
  for (let t = 0; t < mt; t++) for (let c = 0; c < kp; c += 2) for (let r = 0; r < 4; r++) {
    const row = (t << 2) + r;
    const v = row < m ? load<i32>(xq + ((<usize>row * <usize>kp + <usize>c) << 1)) : 0;
    store<i32>(o, v); store<i32>(o, v, 4); store<i32>(o, v, 8); store<i32>(o, v, 12);
    o += 16;
  }
}

/**
 * gemm_i16_pairs: acc[r·n8 + c] = Σ_k xq[r][k]·W[c][k] (int32, exact) for r < m, over the pair layout, n8 = 8·⌈n/8⌉;
 * xa = the activations interleaved by interleave_i16_rows4. Broadcast form: a 32-bit splat of (x[k], x[k+1]) against
 * 4 outputs' (w[k], w[k+1]) pairs gives 8 multiply-adds per i32x4.dot_i16x8_s; 4 rows × 8 outputs tiles
 * (8 accumulators). The rows of a tile come interleaved and already broadcast, so the four rows' vectors are one
 * pointer plus constant offsets: the inner loop holds two pointers (no address arithmetic per row).
 */
export function gemm_i16_pairs(xa: usize, m: i32, kp: i32, wp: usize, n: i32, acc: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_i16_pairs_scalar(xa, m, kp, wp, n, acc); return; }
  pairsBody(xa, m, kp, wp, n, acc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/**
 * gemm_i16_pairs_f32: gemm_i16_pairs with epilogue_i32_f32 (no row sums: the zero points are in the packed weights)
 * fused into the tile stores, y[r·n + j] (rows n apart, no int32 pass through memory):
 * y = fround(f32(acc) · fround(xs[r·xsStep] · ws[j·wsStep])) (+ bias[j]) (ReLU if relu), the same IEEE operations per
 * element as epilogue_i32_f32, so the same bytes.
 */
export function gemm_i16_pairs_f32(xa: usize, m: i32, kp: i32, wp: usize, n: i32, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, y: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_i16_pairs_f32_scalar(xa, m, kp, wp, n, xs, xsStep, ws, wsStep, bias, relu, y); return; }
  pairsBody(xa, m, kp, wp, n, 0, 1, xs, xsStep, ws, wsStep, bias, relu, 0, 0, 0, y);
}

/**
 * gemm_i16_pairs_q8: gemm_i16_pairs with epilogue_i32_requant (no row sums) fused into the tile stores:
 * out[r·n + j] = clamp(roundEven(f32(acc) · mult[j·multStep]) + zp, lo, hi) as 8 bits, the same operations as
 * epilogue_i32_requant, so the same bytes.
 */
export function gemm_i16_pairs_q8(xa: usize, m: i32, kp: i32, wp: usize, n: i32, mult: usize, multStep: i32, zp: i32, lo: i32, hi: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_i16_pairs_q8_scalar(xa, m, kp, wp, n, mult, multStep, zp, lo, hi, out); return; }
  pairsBody(xa, m, kp, wp, n, 0, 2, 0, 0, mult, multStep, 0, 0, zp, lo, hi, out);
}

/**
 * The tiles of gemm_i16_pairs (mode 0: int32 sums → acc), gemm_i16_pairs_f32 (mode 1: the f32 epilogue → y) and
 * gemm_i16_pairs_q8 (mode 2: requantized 8-bit codes → y; ws/wsStep are mult/multStep). One copy of the loop for the
 * three (the wasm stays small); the tile stores branch on `mode` but call nothing: a call there made V8 keep the
 * loop's values in stack slots (25 % slower), and unrolling the k loop made it hoist twice the loads and spill.
 */
function pairsBody(xa: usize, m: i32, kp: i32, wp: usize, n: i32, acc: usize, mode: i32, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, zp: i32, lo: i32, hi: i32, y: usize): void {
  const np = (n + 7) >> 3, mt = (m + 3) >> 2;
  const tb = <usize>kp << 5, pb = <usize>kp << 4, ab = <usize>np << 5;
  const z = i32x4.splat(0);
  for (let p = 0; p < np; p++) {
    const pw = wp + <usize>p * pb;
    for (let t = 0; t < mt; t++) {
      let x = xa + <usize>t * tb;
      const xe = x + tb;
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      let w = pw;
      while (x < xe) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let a = v128.load(x);
        c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, w0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, w1));
        a = v128.load(x, 16);
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, w0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, w1));
        a = v128.load(x, 32);
        c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, w0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, w1));
        a = v128.load(x, 48);
        c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, w0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, w1));
        w += 32;
        x += 64;
      }
      // the tile's rows out, each with its own registers (selecting row q's sums by q in a loop compiled to a chain
      // of branches per row: ~2 % of the layer at 128×256×256)
      const r0 = t << 2;
      pairsOut(c00, c01, r0, p, n, ab, acc, mode, xs, xsStep, ws, wsStep, bias, relu, zp, lo, hi, y);
      if (r0 + 1 < m) pairsOut(c10, c11, r0 + 1, p, n, ab, acc, mode, xs, xsStep, ws, wsStep, bias, relu, zp, lo, hi, y);
      if (r0 + 2 < m) pairsOut(c20, c21, r0 + 2, p, n, ab, acc, mode, xs, xsStep, ws, wsStep, bias, relu, zp, lo, hi, y);
      if (r0 + 3 < m) pairsOut(c30, c31, r0 + 3, p, n, ab, acc, mode, xs, xsStep, ws, wsStep, bias, relu, zp, lo, hi, y);
    }
  }
}

/** Row r's 8 sums of panel p out in pairsBody's mode (0: int32 into acc, rows ab bytes apart; 1: f32; 2: 8-bit). */
// @ts-ignore: decorator
@inline
function pairsOut(c0: v128, c1: v128, r: i32, p: i32, n: i32, ab: usize, acc: usize, mode: i32, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, zp: i32, lo: i32, hi: i32, y: usize): void {
  if (mode == 1) pairsEpi(c0, c1, r, p, n, xs, xsStep, ws, wsStep, bias, relu, y);
  else if (mode == 2) pairsReq(c0, c1, r, p, n, ws, wsStep, zp, lo, hi, y);
  else {
    const a0 = acc + <usize>r * ab + (<usize>p << 5);
    v128.store(a0, c0); v128.store(a0, c1, 16);
  }
}

/** Lane t (< 7) of the 8 sums c0 | c1. */
// @ts-ignore: decorator
@inline
function lane8(c0: v128, c1: v128, t: i32): i32 {
  switch (t) {
    case 0: return i32x4.extract_lane(c0, 0);
    case 1: return i32x4.extract_lane(c0, 1);
    case 2: return i32x4.extract_lane(c0, 2);
    case 3: return i32x4.extract_lane(c0, 3);
    case 4: return i32x4.extract_lane(c1, 0);
    case 5: return i32x4.extract_lane(c1, 1);
    default: return i32x4.extract_lane(c1, 2);
  }
}

/** Row r's sums of panel p requantized (epilogue_i32_requant's operations) into out[r·n + 8p ..]. */
// @ts-ignore: decorator
@inline
function pairsReq(c0: v128, c1: v128, r: i32, p: i32, n: i32, mult: usize, multStep: i32, zp: i32, lo: i32, hi: i32, out: usize): void {
  const j0 = p << 3;
  const or = out + <usize>r * <usize>n;
  const flo = <f32>(lo - zp), fhi = <f32>(hi - zp);
  if (j0 + 8 <= n) {
    const o = <usize>j0 << 2;
    const m0 = multStep ? v128.load(mult + o) : f32x4.splat(load<f32>(mult)), m1 = multStep ? v128.load(mult + o, 16) : m0;
    const lov = f32x4.splat(flo), hiv = f32x4.splat(fhi), magic = f32x4.splat(12582912.0), off = i32x4.splat(zp - 0x4b400000);
    const v0 = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.convert_i32x4_s(c0), m0), lov), hiv);
    const v1 = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.convert_i32x4_s(c1), m1), lov), hiv);
    const h = i16x8.narrow_i32x4_s(i32x4.add(f32x4.add(v0, magic), off), i32x4.add(f32x4.add(v1, magic), off));
    v128.store64_lane(or + <usize>j0, lo < 0 ? i8x16.narrow_i16x8_s(h, h) : i8x16.narrow_i16x8_u(h, h), 0);
    return;
  }
  for (let j = j0; j < n; j++) store<u8>(or + <usize>j, requantOne(lane8(c0, c1, j - j0), mult, multStep, j, flo, fhi, zp));
}

/** Row r's sums of panel p (c0: outputs 8p..8p+3, c1: 8p+4..8p+7) through epilogue_i32_f32's operations into y. */
// @ts-ignore: decorator
@inline
function pairsEpi(c0: v128, c1: v128, r: i32, p: i32, n: i32, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, y: usize): void {
  const j0 = p << 3;
  const sx = load<f32>(xs + (<usize>(r * xsStep) << 2));
  const yr = y + ((<usize>r * <usize>n) << 2);
  if (j0 + 8 <= n) {
    const sxv = f32x4.splat(sx), o = <usize>j0 << 2;
    let m0: v128, m1: v128;
    if (wsStep) { m0 = f32x4.mul(sxv, v128.load(ws + o)); m1 = f32x4.mul(sxv, v128.load(ws + o, 16)); }
    else m1 = m0 = f32x4.mul(sxv, f32x4.splat(load<f32>(ws)));
    let v0 = f32x4.mul(f32x4.convert_i32x4_s(c0), m0), v1 = f32x4.mul(f32x4.convert_i32x4_s(c1), m1);
    if (bias) { v0 = f32x4.add(v0, v128.load(bias + o)); v1 = f32x4.add(v1, v128.load(bias + o, 16)); }
    if (relu) { const zf = f32x4.splat(0); v0 = v128.and(v0, f32x4.gt(v0, zf)); v1 = v128.and(v1, f32x4.gt(v1, zf)); }
    v128.store(yr + o, v0); v128.store(yr + o, v1, 16);
    return;
  }
  for (let j = j0; j < n; j++) store<f32>(yr + (<usize>j << 2), epiOne(lane8(c0, c1, j - j0), sx, ws, wsStep, bias, relu, j));
}

/** Σ_k x[r][k]·W[j][k] over the interleaved activations xa and the pair layout wp: the scalar twins' dot. */
// @ts-ignore: decorator
@inline
function pairDot(xa: usize, r: i32, kp: i32, wp: usize, j: i32): i32 {
  const xr = tileSlot(xa, r, kp);
  const pw = wp + <usize>(j >> 3) * (<usize>kp << 4) + (<usize>(j & 7) << 2);
  let s: i32 = 0;
  for (let k2 = 0; k2 < kp; k2 += 2) {
    const wk = pw + (<usize>k2 << 4), xk = xr + (<usize>k2 << 5);
    s += <i32>load<i16>(xk) * <i32>load<i16>(wk) + <i32>load<i16>(xk, 2) * <i32>load<i16>(wk, 2);
  }
  return s;
}

export function gemm_i16_pairs_scalar(xa: usize, m: i32, kp: i32, wp: usize, n: i32, acc: usize): void {
  const n8 = (n + 7) & ~7;
  for (let r = 0; r < m; r++) for (let c = 0; c < n8; c++) store<i32>(acc + ((<usize>r * <usize>n8 + <usize>c) << 2), pairDot(xa, r, kp, wp, c));
}

export function gemm_i16_pairs_f32_scalar(xa: usize, m: i32, kp: i32, wp: usize, n: i32, xs: usize, xsStep: i32, ws: usize, wsStep: i32, bias: usize, relu: i32, y: usize): void {
  for (let r = 0; r < m; r++) {
    const sx = load<f32>(xs + (<usize>(r * xsStep) << 2));
    for (let j = 0; j < n; j++) store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), epiOne(pairDot(xa, r, kp, wp, j), sx, ws, wsStep, bias, relu, j));
  }
}

export function gemm_i16_pairs_q8_scalar(xa: usize, m: i32, kp: i32, wp: usize, n: i32, mult: usize, multStep: i32, zp: i32, lo: i32, hi: i32, out: usize): void {
  const flo = <f32>(lo - zp), fhi = <f32>(hi - zp);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) store<u8>(out + <usize>r * <usize>n + <usize>j, requantOne(pairDot(xa, r, kp, wp, j), mult, multStep, j, flo, fhi, zp));
}
