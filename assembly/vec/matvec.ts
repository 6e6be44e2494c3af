import { hsum_f32x4 } from '../util/hsum';
import { dot_f32, dot_f32_ref } from './dot';

/**
 * matvec_f32: out[r] = Σ_c mat[r·stride + c] · q[c] for r < rows. The core of most_similar.
 * SIMD: four rows per step share each load of q; rows with cols % 4 != 0 finish with a scalar tail.
 */
export function matvec_f32(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  if (!ASC_FEATURE_SIMD) { matvec_f32_ref(mat, rows, cols, stride, q, out); return; }
  const sb = <usize>stride << 2;
  const c4 = cols & ~3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const p0 = mat + <usize>r * sb, p1 = p0 + sb, p2 = p1 + sb, p3 = p2 + sb;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      const vq = v128.load(q + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(p0 + o), vq));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(p1 + o), vq));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(p2 + o), vq));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(p3 + o), vq));
    }
    let s0 = hsum_f32x4(a0), s1 = hsum_f32x4(a1), s2 = hsum_f32x4(a2), s3 = hsum_f32x4(a3);
    for (let c = c4; c < cols; c++) {
      const o = <usize>c << 2;
      const x = load<f32>(q + o);
      s0 += load<f32>(p0 + o) * x; s1 += load<f32>(p1 + o) * x;
      s2 += load<f32>(p2 + o) * x; s3 += load<f32>(p3 + o) * x;
    }
    const ob = out + (<usize>r << 2);
    store<f32>(ob, s0); store<f32>(ob, s1, 4); store<f32>(ob, s2, 8); store<f32>(ob, s3, 12);
  }
  for (; r < rows; r++) store<f32>(out + (<usize>r << 2), dot_f32(mat + <usize>r * sb, q, cols));
}

export function matvec_f32_ref(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), dot_f32_ref(mat + <usize>r * sb, q, cols));
}
