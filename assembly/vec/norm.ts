// L2 norms and normalisation of f32 rows. Units: n and cols count elements; `stride` counts floats (elements)
// between row starts; pointers are byte addresses.
import { dot_f32, dot_f32_scalar } from './dot';

/** norm_l2_f32: sqrt(Σ x[i]²). */
export function norm_l2_f32(x: usize, n: i32): f32 {
  return Mathf.sqrt(dot_f32(x, x, n));
}

export function norm_l2_f32_scalar(x: usize, n: i32): f32 {
  return Mathf.sqrt(dot_f32_scalar(x, x, n));
}

/**
 * norm_l2_f32_per_row: out[r] = ‖row r‖₂ for `rows` rows of `cols` floats, `stride` floats apart.
 * With `inverse` set, out[r] = 1/‖row r‖ (0 for a zero row), which is what cosine search multiplies by.
 */
export function norm_l2_f32_per_row(mat: usize, rows: i32, cols: i32, stride: i32, out: usize, inverse: bool): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const nrm = Mathf.sqrt(dot_f32(p, p, cols));
    store<f32>(out + (<usize>r << 2), inverse ? (nrm > 0 ? <f32>1.0 / nrm : 0) : nrm);
  }
}

export function norm_l2_f32_per_row_scalar(mat: usize, rows: i32, cols: i32, stride: i32, out: usize, inverse: bool): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const nrm = Mathf.sqrt(dot_f32_scalar(p, p, cols));
    store<f32>(out + (<usize>r << 2), inverse ? (nrm > 0 ? <f32>1.0 / nrm : 0) : nrm);
  }
}

/** normalize_f32_per_row: scale every row to unit L2 norm in place (zero rows stay zero). */
export function normalize_f32_per_row(mat: usize, rows: i32, cols: i32, stride: i32): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const nrm = Mathf.sqrt(dot_f32(p, p, cols));
    if (nrm > 0) {
      const inv: f32 = <f32>1.0 / nrm;
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
}

export function normalize_f32_per_row_scalar(mat: usize, rows: i32, cols: i32, stride: i32): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    const p = mat + <usize>r * sb;
    const nrm = Mathf.sqrt(dot_f32_scalar(p, p, cols));
    if (nrm > 0) {
      const inv: f32 = <f32>1.0 / nrm;
      for (let i = 0; i < cols; i++) {
        const o = p + (<usize>i << 2);
        store<f32>(o, load<f32>(o) * inv);
      }
    }
  }
}
