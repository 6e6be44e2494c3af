// Gathering kernels: work on a list of row indices (i32 idx[m]) instead of every row, so that a rerank of
// candidates makes one call. Gathers are scalar in every build (each row is a separate load stream), so none of
// these has a SIMD body or a `_scalar` twin.

/**
 * copy_gather: dst row k = src row idx[k] for k < m, rows rowBytes bytes apart in src and packed in dst. Lets a
 * table whose scan kernel reads contiguous rows (fp16/bf16, PQ codes) score a candidate list: gather, then scan.
 */
export function copy_gather(src: usize, rowBytes: i32, idx: usize, m: i32, dst: usize): void {
  const rb = <usize>rowBytes;
  for (let k = 0; k < m; k++) {
    memory.copy(dst + <usize>k * rb, src + <usize>load<i32>(idx + (<usize>k << 2)) * rb, rb);
  }
}

/**
 * score_b1_lut_gather: out[k] = α_r·(2·Σ_b lut[b][byte_b(row r)] − qsum) + bias for r = idx[k], k < m: the binary
 * LUT score of score_b1_lut (same sums in the same byte order, so equal to it bit for bit) for listed rows.
 */
export function score_b1_lut_gather(mat: usize, idx: usize, m: i32, nbytes: i32, strideBits: i32, lut: usize, qsum: f32, alphas: usize, ps: i32, bias: f32, out: usize): void {
  for (let k = 0; k < m; k++) {
    const r = load<i32>(idx + (<usize>k << 2));
    const o = <usize>r * <usize>strideBits;
    let s: f32 = 0;
    for (let b = 0; b < nbytes; b++) {
      const bit = o + (<usize>b << 3);
      const byte = (<u32>load<u16>(mat + (bit >> 3)) >> <u32>(bit & 7)) & 0xFF;
      s += load<f32>(lut + ((<usize>b << 8) << 2) + (<usize>byte << 2));
    }
    store<f32>(out + (<usize>k << 2), load<f32>(alphas + (<usize>(r * ps) << 2)) * (2 * s - qsum) + bias);
  }
}
