// int8 × 7-bit GEMM/GEMV for Int8Linear layers whose weights fit 7 bits per output row (the simd-relaxed builds).
// Units: m, n, k count elements; kp = 16·⌈k/16⌉ (padded k); n4 = 4·⌈n/4⌉ (the int32 result rows are n4 apart); pointers
// are byte addresses. Activations are int8 (x' ∈ [−128, 127]), rows kp apart, zero padded; weights are stored
// shifted into [0, 127] per output row (W' = W + off), so `i16x8.relaxed_dot_i8x16_i7x16_s` is exact on every
// implementation (x86's pmaddubsw reads the 7-bit operand as unsigned, Arm's sdot as signed: the same for [0, 127])
// and never saturates (|pair sum| ≤ 2·128·127 = 32512). The result is corrected back to Σ (x' − d)·(W' − z) exactly
// (int32 wrap-around cancels): acc = S − z[c]·rx[r] − d·t[c], with rx[r] = Σ_{c<k} x'[r][c] and
// t[c] = Σ_{c<k} W'[c] − z[c]·k precomputed by the layer. Builds without relaxed SIMD run the scalar twin.
// Float inputs reach the kernel through quantize_i8_sym_per_row / quantize_i8_affine (the int16 quantizers' codes, as
// int8, with their row sums in the same pass); integer inputs through widen_i8_i16 and narrow_i16_i8_per_row.
//
// Measured on x64 (AMD Zen 5, AVX-VNNI): engines that lower the fused dot-add to one vpdpbusd (V8 ≥ 12: Chromium, Deno)
// run this kernel at ~200 GOP/s alone; V8 11.3 (Node 20) lowers it to five instructions and the unfused dot to three,
// two of them multiplies in either case (~100 GOP/s), so the loader keeps the unfused ops there. A broadcast layout
// (4 outputs × 4 inputs per vector, splatted activations, 4 × 8 tiles, no horizontal sums) measured slower in both.
import { hsum4_i32x4 } from '../util/hsum';
import { symRowScale } from '../util/absmax';

/**
 * Panel layout: out[p][b][j][t] = W[4p + j][16b + t] + off[4p + j] as bytes (the caller checked that it lies in
 * [0, 127]; zero outside n×k); 4·⌈n/4⌉·kp bytes. `flip` = 1 reads uint8 weights and stores W − 128 + off. No SIMD path.
 */
export function pack_i7_panel4(w: usize, n: i32, k: i32, sn: i32, sk: i32, flip: i32, kp: i32, off: usize, out: usize): void {
  const np = (n + 3) >> 2, nb = kp >> 4;
  let o = out;
  for (let p = 0; p < np; p++) for (let b = 0; b < nb; b++) for (let j = 0; j < 4; j++) for (let t = 0; t < 16; t++) {
    const r = (p << 2) + j, c = (b << 4) + t;
    let v: i32 = 0;
    if (r < n && c < k) {
      v = <i32>load<u8>(w + <usize>r * <usize>sn + <usize>c * <usize>sk);
      v = (flip ? v - 128 : <i32><i8>v) + load<i32>(off + (<usize>r << 2));
    }
    store<u8>(o++, <u8>v);
  }
}

/**
 * narrow_i16_i8_per_row: out[r·kpo + c] = xq[r·kp + c] + add as int8 (the caller guarantees the range) for c < k,
 * 0 for k ≤ c < kpo; rowsum[r] = Σ_{c<k} out[r·kpo + c] (int32).
 */
export function narrow_i16_i8_per_row(xq: usize, m: i32, k: i32, kp: i32, add: i32, kpo: i32, out: usize, rowsum: usize): void {
  if (!ASC_FEATURE_SIMD) { narrow_i16_i8_per_row_scalar(xq, m, k, kp, add, kpo, out, rowsum); return; }
  const av = i16x8.splat(<i16>add);
  for (let r = 0; r < m; r++) {
    const xr = xq + ((<usize>r * <usize>kp) << 1), o = out + <usize>r * <usize>kpo;
    let sv = i32x4.splat(0);
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      const v = i16x8.add(v128.load(xr + (<usize>c << 1)), av);
      sv = i32x4.add(sv, i32x4.extadd_pairwise_i16x8_s(v));
      v128.store64_lane(o + <usize>c, i8x16.narrow_i16x8_s(v, v), 0);
    }
    let s = i32x4.extract_lane(sv, 0) + i32x4.extract_lane(sv, 1) + i32x4.extract_lane(sv, 2) + i32x4.extract_lane(sv, 3);
    for (; c < k; c++) { const v = <i32>load<i16>(xr + (<usize>c << 1)) + add; s += v; store<i8>(o + <usize>c, <i8>v); }
    for (; c < kpo; c++) store<i8>(o + <usize>c, 0);
    store<i32>(rowsum + (<usize>r << 2), s);
  }
}

export function narrow_i16_i8_per_row_scalar(xq: usize, m: i32, k: i32, kp: i32, add: i32, kpo: i32, out: usize, rowsum: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = xq + ((<usize>r * <usize>kp) << 1), o = out + <usize>r * <usize>kpo;
    let s: i32 = 0, c = 0;
    for (; c < k; c++) { const v = <i32>load<i16>(xr + (<usize>c << 1)) + add; s += v; store<i8>(o + <usize>c, <i8>v); }
    for (; c < kpo; c++) store<i8>(o + <usize>c, 0);
    store<i32>(rowsum + (<usize>r << 2), s);
  }
}

// One input value as the int8 code: clamp(roundEven(fround(v / scale)) + zp, lo, hi) − sub, as the int16 quantizers
// of gemm_i8.ts compute it (trunc_sat semantics for the float → int step).
// @ts-ignore: decorator
@inline
function q8(v: f32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32): i32 {
  const f = nearest<f32>(v / scale);
  let i: i32 = f != f ? 0 : f >= 2147483648.0 ? i32.MAX_VALUE : f <= -2147483648.0 ? i32.MIN_VALUE : <i32>f;
  i = i + zp;
  return min(max(i, lo), hi) - sub;
}

// One row of int8 codes (q8 for c < k, 0 up to kp); returns their sum. SIMD: clamp in float (integer bounds, so
// clamping before rounding = after; pmin/pmax are exact for the finite values the callers guarantee), round half to
// even with 1.5·2²³ and read the integer from the bits, exactly as the int16 quantizers do.
// (one body for both paths, compiled once: `simd` is a run-time argument)
function quantize_row_i8(xr: usize, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize, simd: bool): i32 {
  let c = 0, s: i32 = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const sv = f32x4.splat(scale), lov = f32x4.splat(<f32>(lo - zp)), hiv = f32x4.splat(<f32>(hi - zp));
    const magic = f32x4.splat(12582912.0), off = i32x4.splat(zp - sub - 0x4b400000);
    let sum = i32x4.splat(0);
    for (; c + 16 <= k; c += 16) {
      const p = xr + (<usize>c << 2);
      const a = i32x4.add(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p), sv), lov), hiv), magic), off);
      const b = i32x4.add(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p, 16), sv), lov), hiv), magic), off);
      const e = i32x4.add(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p, 32), sv), lov), hiv), magic), off);
      const g = i32x4.add(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.div(v128.load(p, 48), sv), lov), hiv), magic), off);
      sum = i32x4.add(sum, i32x4.add(i32x4.add(a, b), i32x4.add(e, g)));
      v128.store(out + <usize>c, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(e, g)));
    }
    s = i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3);
  }
  for (; c < k; c++) { const v = q8(load<f32>(xr + (<usize>c << 2)), scale, zp, lo, hi, sub); s += v; store<i8>(out + <usize>c, <i8>v); }
  for (; c < kp; c++) store<i8>(out + <usize>c, 0);
  return s;
}

function quantize_i8_sym_body(x: usize, m: i32, k: i32, kp: i32, out: usize, scales: usize, rowsum: usize, simd: bool): i32 {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2);
    const s = symRowScale(xr, k, simd);
    if (s != s) return 1;
    store<f32>(scales + (<usize>r << 2), s);
    store<i32>(rowsum + (<usize>r << 2), quantize_row_i8(xr, k, kp, s, 0, -127, 127, 0, out + <usize>r * <usize>kp, simd));
  }
  return 0;
}

/**
 * quantize_i8_sym_per_row: quantize_i16_sym_per_row's codes as int8, for the int8 × 7-bit kernel: per row r,
 * s = fround(max|x| / 127) (1 for an all-zero row) into scales[r], out[r·kp + c] = clamp(roundEven(fround(x / s)), −127,
 * 127) (zero padded to kp), rowsum[r] = Σ of the row's codes. Returns 1 if any value is not finite, else 0.
 */
export function quantize_i8_sym_per_row(x: usize, m: i32, k: i32, kp: i32, out: usize, scales: usize, rowsum: usize): i32 {
  return quantize_i8_sym_body(x, m, k, kp, out, scales, rowsum, ASC_FEATURE_SIMD);
}

export function quantize_i8_sym_per_row_scalar(x: usize, m: i32, k: i32, kp: i32, out: usize, scales: usize, rowsum: usize): i32 {
  return quantize_i8_sym_body(x, m, k, kp, out, scales, rowsum, false);
}

/**
 * quantize_i8_affine: one scale and zero point for all m rows: out[r·kp + c] = clamp(roundEven(fround(x / scale)) + zp,
 * lo, hi) − sub as int8 (the caller picks sub so that it fits: 128 for uint8 ranges), zero padded to kp;
 * rowsum[r] = Σ of the row's codes. x must be finite (the layers check).
 */
export function quantize_i8_affine(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize, rowsum: usize): void {
  for (let r = 0; r < m; r++) {
    store<i32>(rowsum + (<usize>r << 2), quantize_row_i8(x + ((<usize>r * <usize>k) << 2), k, kp, scale, zp, lo, hi, sub, out + <usize>r * <usize>kp, ASC_FEATURE_SIMD));
  }
}

export function quantize_i8_affine_scalar(x: usize, m: i32, k: i32, kp: i32, scale: f32, zp: i32, lo: i32, hi: i32, sub: i32, out: usize, rowsum: usize): void {
  for (let r = 0; r < m; r++) {
    store<i32>(rowsum + (<usize>r << 2), quantize_row_i8(x + ((<usize>r * <usize>k) << 2), k, kp, scale, zp, lo, hi, sub, out + <usize>r * <usize>kp, false));
  }
}

// acc + Σ pairs of a·b: the fused relaxed dot-add where the runtime computes it right (one vpdpbusd with AVX-VNNI),
// else the equivalent i16 dot, pairwise widening and add (Node 20's fused op ignores acc in its baseline compiler).
// @ts-ignore: decorator
@inline
function dadd(acc: v128, a: v128, b: v128, fused: bool): v128 {
  if (fused) return i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, acc);
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(a, b)));
}

// dadd with the pairwise widening as a dot with `ones` (i16 lanes of 1) held in a register: V8 11 reads the constant of
// extadd_pairwise from memory at every use (a load and a move per dot). The 2-row tile has no register to spare for it,
// so the unfused path runs one row at a time: on V8 11.3 (Node 20, where it runs) 1 × 4 tiles with `ones` in a
// register ran 111 / 110 / 113 GOP/s at 32×768×768 / 128×256×256 / 1×768×768 against 101 / 96 / 86 for 2 × 4 tiles.
// @ts-ignore: decorator
@inline
function dadd1(acc: v128, a: v128, b: v128, fused: bool, ones: v128): v128 {
  if (fused) return i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, acc);
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(a, b), ones));
}

// @ts-ignore: decorator
@inline
function gemm_i8_i7_body(xq: usize, m: i32, kp: i32, wp: usize, n: i32, rx: usize, z: usize, t: usize, d: i32, acc: usize, fused: bool, one: i32): void {
  const ones = i16x8.splat(<i16>one);
  const np = (n + 3) >> 2;
  const xb = <usize>kp, pb = <usize>kp << 2, ab = <usize>np << 4;
  const zero = i32x4.splat(0);
  // the corrections are read at the stores, not held in registers across the k loop (x64 has 16 vector registers:
  // 8 accumulators, 4 weight and 2 input vectors are live there; two more spilled, halving the fused loop's speed)
  for (let p = 0; p < np; p++) {
    const pw = wp + <usize>p * pb;
    const zp = z + (<usize>p << 4), tp = t + (<usize>p << 4);
    let r = 0;
    // 2 × 4 tiles with the fused op (one vpdpbusd each where engines lower it so: x64 V8 ≥ 12), else one row at a time
    if (fused) for (; r + 2 <= m; r += 2) {
      const x0 = xq + <usize>r * xb, x1 = x0 + xb;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
      let w = pw;
      for (let o: usize = 0; o < xb; o += 16) {
        const u = v128.load(x0 + o), v = v128.load(x1 + o);
        const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
        w += 64;
        a0 = dadd(a0, u, w0, fused); b0 = dadd(b0, v, w0, fused);
        a1 = dadd(a1, u, w1, fused); b1 = dadd(b1, v, w1, fused);
        a2 = dadd(a2, u, w2, fused); b2 = dadd(b2, v, w2, fused);
        a3 = dadd(a3, u, w3, fused); b3 = dadd(b3, v, w3, fused);
      }
      const ar = acc + <usize>r * ab + (<usize>p << 4);
      const zv = v128.load(zp), tv = i32x4.mul(v128.load(tp), i32x4.splat(d));
      const r0 = i32x4.splat(load<i32>(rx + (<usize>r << 2))), r1 = i32x4.splat(load<i32>(rx + (<usize>r << 2), 4));
      v128.store(ar, i32x4.sub(i32x4.sub(hsum4_i32x4(a0, a1, a2, a3), i32x4.mul(zv, r0)), tv));
      v128.store(ar + ab, i32x4.sub(i32x4.sub(hsum4_i32x4(b0, b1, b2, b3), i32x4.mul(zv, r1)), tv));
    }
    for (; r < m; r++) {
      const x0 = xq + <usize>r * xb;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      let w = pw;
      for (let o: usize = 0; o < xb; o += 16) {
        const u = v128.load(x0 + o);
        a0 = dadd1(a0, u, v128.load(w), fused, ones);
        a1 = dadd1(a1, u, v128.load(w, 16), fused, ones);
        a2 = dadd1(a2, u, v128.load(w, 32), fused, ones);
        a3 = dadd1(a3, u, v128.load(w, 48), fused, ones);
        w += 64;
      }
      const zv = v128.load(zp), tv = i32x4.mul(v128.load(tp), i32x4.splat(d));
      const r0 = i32x4.splat(load<i32>(rx + (<usize>r << 2)));
      v128.store(acc + <usize>r * ab + (<usize>p << 4), i32x4.sub(i32x4.sub(hsum4_i32x4(a0, a1, a2, a3), i32x4.mul(zv, r0)), tv));
    }
  }
}

/**
 * gemm_i8_i7: acc[r·n4 + c] = Σ_{k} x'[r][k]·W'[c][k] − z[c]·rx[r] − d·t[c] (int32, exact) for r < m, c < n4, over
 * the pack_i7_panel4 layout; z and t hold n4 int32 (zero past n). `fused` = 1 uses the fused relaxed dot-add (only
 * where the loader's probe found it right). Fused: tiles of 2 rows × 4 outputs (8 accumulators), one row at a time for the
 * rest; unfused: one row × 4 outputs at a time.
 * Without relaxed SIMD in the build this is the scalar twin.
 */
export function gemm_i8_i7(xq: usize, m: i32, kp: i32, wp: usize, n: i32, rx: usize, z: usize, t: usize, d: i32, fused: i32, acc: usize): void {
  if (!ASC_FEATURE_RELAXED_SIMD) { gemm_i8_i7_scalar(xq, m, kp, wp, n, rx, z, t, d, acc); return; }
  if (fused) gemm_i8_i7_body(xq, m, kp, wp, n, rx, z, t, d, acc, true, 0);
  else gemm_i8_i7_body(xq, m, kp, wp, n, rx, z, t, d, acc, false, 1 - fused);
}

export function gemm_i8_i7_scalar(xq: usize, m: i32, kp: i32, wp: usize, n: i32, rx: usize, z: usize, t: usize, d: i32, acc: usize): void {
  const np = (n + 3) >> 2, nb = kp >> 4, n4 = np << 2;
  for (let r = 0; r < m; r++) {
    const xr = xq + <usize>r * <usize>kp;
    const rs = load<i32>(rx + (<usize>r << 2));
    for (let c = 0; c < n4; c++) {
      const pw = wp + <usize>(c >> 2) * (<usize>kp << 2) + (<usize>(c & 3) << 4);
      let s: i32 = 0;
      for (let b = 0; b < nb; b++) {
        const wb = pw + (<usize>b << 6), xbp = xr + (<usize>b << 4);
        for (let i = 0; i < 16; i++) s += <i32>load<i8>(xbp + <usize>i) * <i32>load<u8>(wb + <usize>i);
      }
      s = s - load<i32>(z + (<usize>c << 2)) * rs - d * load<i32>(t + (<usize>c << 2));
      store<i32>(acc + ((<usize>r * <usize>n4 + <usize>c) << 2), s);
    }
  }
}

/**
 * relaxed_probe(one): the relaxed ops this build's kernels use, on fixed operands (multiplied by `one`, which the
 * loader passes as 1, so that no optimizer folds them): bit 0 set when the i16 dot + pairwise widening + add is right,
 * bit 1 when the fused dot-add is right. 0 in builds without relaxed SIMD.
 */
export function relaxed_probe(one: i32): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  const o = i32x4.splat(one);
  const a = i32x4.mul(i8x16(-128, 127, -1, 1, 100, -100, 0, 5, -128, -128, 127, 127, -7, 3, 64, -64), o);
  const b = i32x4.mul(i8x16(127, 127, 0, 1, 2, 3, 127, 0, 127, 127, 127, 127, 9, 8, 7, 6), o);
  const acc = i32x4.mul(i32x4(1000, -2000, 3000, -4000), o);
  // lane i: acc[i] + Σ_{t<4} a[4i + t]·b[4i + t]
  const want = i32x4(1000 + (-128 * 127 + 127 * 127) + (-1 * 0 + 1 * 1), -2000 + (100 * 2 + -100 * 3) + (0 * 127 + 5 * 0),
    3000 + (-128 * 127 + -128 * 127) + (127 * 127 + 127 * 127), -4000 + (-7 * 9 + 3 * 8) + (64 * 7 + -64 * 6));
  const s = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(a, b)));
  const f = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, acc);
  return (i32x4.all_true(i32x4.eq(s, want)) ? 1 : 0) | (i32x4.all_true(i32x4.eq(f, want)) ? 2 : 0);
}
