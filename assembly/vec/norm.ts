// L2 norms and normalisation of f32 rows. Units: n and cols count elements; `stride` counts floats (elements)
// between row starts; pointers are byte addresses.
//
// Range: the fast path sums squares in f32 (dot_f32), which overflows for components beyond ~1e19 and loses
// precision (subnormal squares) below ~1e-15. A row whose f32 sum of squares is not in [TINY, f32 max] (or is NaN)
// is summed again in f64, where a float32's square can neither overflow nor underflow (as BLAS snrm2 scales): the
// norms are then correct over the whole float32 range, and rows of ordinary magnitude pay one comparison.
import { dot_f32, dot_f32_scalar } from './dot';

/** Below this f32 sum of squares (2^-100) subnormal squares could cost accuracy: recompute in f64. */
const TINY: f32 = 7.888609052210118e-31;

/** Whether an f32 sum of squares is accurate as it is (the fast path). */
// @ts-ignore: decorator
@inline
function fast(s: f32): bool {
  return s >= TINY && s <= f32.MAX_VALUE;
}

/** sqrt(Σ x[i]²) summed in f64 (never overflows or underflows for f32 input): the slow path, shared by every kernel. */
function norm_f64(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return Math.sqrt(s);
}

/** ‖x‖ from its f32 sum of squares `s`, recomputed in f64 when `s` overflowed or nearly underflowed. */
// @ts-ignore: decorator
@inline
function norm_from(x: usize, n: i32, s: f32): f64 {
  return fast(s) ? <f64>Mathf.sqrt(s) : norm_f64(x, n);
}

/** out = ‖x‖ (or 1/‖x‖ with `inverse`: 0 for a zero row, at most f32 max for a row of subnormals). */
// @ts-ignore: decorator
@inline
function store_norm(out: usize, nrm: f64, inverse: bool): void {
  store<f32>(out, <f32>(inverse ? (nrm > 0 ? Math.min(1.0 / nrm, <f64>f32.MAX_VALUE) : 0) : nrm));
}

/** Divides x[0..n) by nrm in f64 (the slow path of normalisation: 1/nrm may not be a float32). */
function scale_f64(x: usize, n: i32, nrm: f64): void {
  for (let i = 0; i < n; i++) {
    const o = x + (<usize>i << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) / nrm));
  }
}

/** norm_l2_f32: sqrt(Σ x[i]²). */
export function norm_l2_f32(x: usize, n: i32): f32 {
  return <f32>norm_from(x, n, dot_f32(x, x, n));
}

export function norm_l2_f32_scalar(x: usize, n: i32): f32 {
  return <f32>norm_from(x, n, dot_f32_scalar(x, x, n));
}

/**
 * norm_l2_f32_per_row: out[r] = ‖row r‖₂ for `rows` rows of `cols` floats, `stride` floats apart.
 * With `inverse` set, out[r] = 1/‖row r‖ (0 for a zero row), which is what cosine search multiplies by.
 */
export function norm_l2_f32_per_row(mat: usize, rows: i32, cols: i32, stride: i32, out: usize, inverse: bool): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    store_norm(out + (<usize>r << 2), norm_from(p, cols, dot_f32(p, p, cols)), inverse);
  }
}

export function norm_l2_f32_per_row_scalar(mat: usize, rows: i32, cols: i32, stride: i32, out: usize, inverse: bool): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    store_norm(out + (<usize>r << 2), norm_from(p, cols, dot_f32_scalar(p, p, cols)), inverse);
  }
}

/** normalize_f32_per_row: scale every row to unit L2 norm in place (zero rows stay zero). */
export function normalize_f32_per_row(mat: usize, rows: i32, cols: i32, stride: i32): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const s = dot_f32(p, p, cols);
    if (!fast(s)) {
      const nrm = norm_f64(p, cols);
      if (nrm > 0) scale_f64(p, cols, nrm);
      continue;
    }
    const inv: f32 = <f32>1.0 / Mathf.sqrt(s);
    if (ASC_FEATURE_SIMD) {
      const vi = f32x4.splat(inv);
      let i = 0;
      for (; i + 4 <= cols; i += 4) {
        const o = p + (<usize>i << 2);
        v128.store(o, f32x4.mul(v128.load(o), vi));
      }
      for (; i < cols; i++) {
        const o = p + (<usize>i << 2);
        store<f32>(o, load<f32>(o) * inv);
      }
    } else {
      for (let i = 0; i < cols; i++) {
        const o = p + (<usize>i << 2);
        store<f32>(o, load<f32>(o) * inv);
      }
    }
  }
}

export function normalize_f32_per_row_scalar(mat: usize, rows: i32, cols: i32, stride: i32): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const s = dot_f32_scalar(p, p, cols);
    if (!fast(s)) {
      const nrm = norm_f64(p, cols);
      if (nrm > 0) scale_f64(p, cols, nrm);
      continue;
    }
    const inv: f32 = <f32>1.0 / Mathf.sqrt(s);
    for (let i = 0; i < cols; i++) {
      const o = p + (<usize>i << 2);
      store<f32>(o, load<f32>(o) * inv);
    }
  }
}
