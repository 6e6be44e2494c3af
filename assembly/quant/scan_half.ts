// Scans over half-precision (fp16 / bf16) tables: rows converted to f32 on the fly, f32 dot with an f32 query
// (docs/quantization.md §1.8). SIMD and scalar sums agree to rounding.
// Strides: rows are contiguous (cols halves, 2·cols bytes apart).
import { hsum_f32x4 } from '../util/hsum';
import { f16_bits_to_f32 } from './half';

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
 * query's last eight values with the lanes already counted zeroed (cols ≥ 8). Other rows, and the _scalar twins,
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
export function matvec_f16_scalar(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, false, false);
}
/** matvec_bf16: the same for a bf16 table. */
export function matvec_bf16(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, true, true);
}
export function matvec_bf16_scalar(mat: usize, rows: i32, cols: i32, q: usize, out: usize): void {
  matvecHalf(mat, rows, cols, q, out, true, false);
}

/** norm_l2_half_per_row: out[r] = ‖decoded row r‖₂ of an fp16 (bf = 0) or bf16 (bf = 1) table; f64 sums. */
export function norm_l2_half_per_row(mat: usize, rows: i32, cols: i32, bf: bool, out: usize): void {
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

