// f32 matrix·vector: every row (matvec_f32) or a gathered list of rows (matvec_f32_gather, the rerank).
// Units: rows, cols and m count elements; `stride` counts floats (elements) between row starts; idx holds i32 row
// indices; pointers are byte addresses.
import { hsum_f32x4 } from '../util/hsum';
import { dot_f32, dot_f32_scalar } from './dot';
import { touchRows } from '../util/rows';

/**
 * Tables up to this many bytes are read four rows interleaved; larger ones row after row (see matvec_f32).
 * 1 MiB fits the L2 cache of current desktop and server cores.
 */
const MATVEC_INTERLEAVE_MAX_BYTES: u64 = 1 << 20;

/**
 * matvec_f32: out[r] = Σ_c mat[r·stride + c] · q[c] for r < rows. The core of most_similar.
 *
 * SIMD, in blocks of four rows, two loop orders:
 * - small tables (≤ MATVEC_INTERLEAVE_MAX_BYTES): the four rows interleaved, so each load of q serves
 *   four rows (`matvec_block_interleaved`);
 * - larger tables: each row of a block read start to end (`row_dot_f32x4`), so a contiguous table is one
 *   sequential stream through memory.
 * Interleaving reads four addresses `stride` apart in every iteration; once the table is larger than
 * the last-level cache the hardware prefetchers no longer keep up with that pattern. Measured on the
 * project's machine (AMD EPYC, bench/kernels.bench.mjs and a standalone A/B): 100k×100 interleaved
 * 7 GFLOP/s (14 GB/s) vs sequential 16 GFLOP/s; 50k×300 4 vs 11 GFLOP/s; but 1024×100 (in L2)
 * interleaved 27 vs sequential 23 GFLOP/s. The two orders add in different orders; both stay within
 * float32 rounding of `matvec_f32_scalar`; a test of this kernel needs one table above the limit (e.g. 1030×257).
 */
export function matvec_f32(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  if (!ASC_FEATURE_SIMD) { matvec_f32_scalar(mat, rows, cols, stride, q, out); return; }
  const sb = <usize>stride << 2;
  const c4 = cols & ~3;
  let r = 0;
  if (<u64>rows * <u64>sb <= MATVEC_INTERLEAVE_MAX_BYTES) {
    for (; r + 4 <= rows; r += 4) matvec_block_interleaved(mat + <usize>r * sb, sb, cols, c4, q, out + (<usize>r << 2));
  } else for (; r + 4 <= rows; r += 4) {
    const p0 = mat + <usize>r * sb, p1 = p0 + sb, p2 = p1 + sb, p3 = p2 + sb;
    const a0 = row_dot_f32x4(p0, q, c4), a1 = row_dot_f32x4(p1, q, c4);
    const a2 = row_dot_f32x4(p2, q, c4), a3 = row_dot_f32x4(p3, q, c4);
    // transposing horizontal add: lane i of s = Σ lanes of a_i
    const t01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), v128.shuffle<f32>(a0, a1, 1, 3, 5, 7));
    const t23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 2, 4, 6), v128.shuffle<f32>(a2, a3, 1, 3, 5, 7));
    let s = f32x4.add(v128.shuffle<f32>(t01, t23, 0, 2, 4, 6), v128.shuffle<f32>(t01, t23, 1, 3, 5, 7));
    if (c4 < cols) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let c = c4; c < cols; c++) {
        const o = <usize>c << 2;
        const x = load<f32>(q + o);
        s0 += load<f32>(p0 + o) * x; s1 += load<f32>(p1 + o) * x;
        s2 += load<f32>(p2 + o) * x; s3 += load<f32>(p3 + o) * x;
      }
      s = f32x4.add(s, f32x4(s0, s1, s2, s3));
    }
    v128.store(out + (<usize>r << 2), s);
  }
  for (; r < rows; r++) store<f32>(out + (<usize>r << 2), dot_f32(mat + <usize>r * sb, q, cols));
}

/** Four rows from p0 (sb bytes apart), interleaved: each q vector is loaded once for the four rows. */
// @ts-ignore: decorator
@inline
function matvec_block_interleaved(p0: usize, sb: usize, cols: i32, c4: i32, q: usize, ob: usize): void {
  const p1 = p0 + sb, p2 = p1 + sb, p3 = p2 + sb;
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
  store<f32>(ob, s0); store<f32>(ob, s1, 4); store<f32>(ob, s2, 8); store<f32>(ob, s3, 12);
}

/** Lane-wise partial sums of row·q over the first c4 (a multiple of 4) columns. */
// @ts-ignore: decorator
@inline
function row_dot_f32x4(p: usize, q: usize, c4: i32): v128 {
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), d = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= c4; i += 16) {
    const o = <usize>i << 2;
    a = f32x4.add(a, f32x4.mul(v128.load(p + o), v128.load(q + o)));
    b = f32x4.add(b, f32x4.mul(v128.load(p + o, 16), v128.load(q + o, 16)));
    c = f32x4.add(c, f32x4.mul(v128.load(p + o, 32), v128.load(q + o, 32)));
    d = f32x4.add(d, f32x4.mul(v128.load(p + o, 48), v128.load(q + o, 48)));
  }
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    a = f32x4.add(a, f32x4.mul(v128.load(p + o), v128.load(q + o)));
  }
  return f32x4.add(f32x4.add(a, b), f32x4.add(c, d));
}

export function matvec_f32_scalar(mat: usize, rows: i32, cols: i32, stride: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), dot_f32_scalar(mat + <usize>r * sb, q, cols));
}

// ---------------------------------------------------------------- f32 gather (rerank)

/** matvec_f32_gather: out[k] = ⟨mat row idx[k], q⟩ for k < m (rows stride floats apart): exact rescoring of candidates. */
export function matvec_f32_gather(mat: usize, stride: i32, cols: i32, idx: usize, m: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  touchRows(mat, sb, cols << 2, idx, m);
  for (let k = 0; k < m; k++) store<f32>(out + (<usize>k << 2), dot_f32(mat + <usize>load<i32>(idx + (<usize>k << 2)) * sb, q, cols));
}
export function matvec_f32_gather_scalar(mat: usize, stride: i32, cols: i32, idx: usize, m: i32, q: usize, out: usize): void {
  const sb = <usize>stride << 2;
  for (let k = 0; k < m; k++) store<f32>(out + (<usize>k << 2), dot_f32_scalar(mat + <usize>load<i32>(idx + (<usize>k << 2)) * sb, q, cols));
}
