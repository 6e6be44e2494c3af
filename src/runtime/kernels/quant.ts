/**
 * Signatures of the quantization and quantized-search kernels in assembly/quant/ (maths and byte layouts in
 * docs/quantization.md). Pointers are byte addresses in linear memory; `zps`, `idx`, `normCodes` may be 0
 * (absent). `ps` is the element stride of a per-row parameter array (scales, zero points, α, bounds): 1 per row, 0 per
 * tensor. Row strides count elements (`stride`: f32 floats or int8 bytes) unless their name gives the unit
 * (`strideBytes` for packed int4 rows, `strideBits` for binary rows). Every kernel with a SIMD path has a `_scalar` twin
 * with the same signature (the same code with the SIMD path off); kernels without one are scalar in every build.
 */
export interface QuantKernels {
  // ---- affine quantize / dequantize (affine.ts)
  quantize_affine_i8(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_i8_scalar(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_u8(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_u8_scalar(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_i8_per_row(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_i8_per_row_scalar(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_u8_per_row(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_u8_per_row_scalar(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, out: number): void;
  quantize_affine_i8_stochastic(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_i8_stochastic_scalar(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_u8_stochastic(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_u8_stochastic_scalar(x: number, n: number, scale: number, zp: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_i8_stochastic_per_row(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_i8_stochastic_per_row_scalar(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_u8_stochastic_per_row(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  quantize_affine_u8_stochastic_per_row_scalar(x: number, rows: number, cols: number, scales: number, zps: number, qmin: number, qmax: number, seed: number, counter: number, out: number): void;
  dequantize_affine_i8(q: number, n: number, scale: number, zp: number, out: number): void;
  dequantize_affine_i8_scalar(q: number, n: number, scale: number, zp: number, out: number): void;
  dequantize_affine_u8(q: number, n: number, scale: number, zp: number, out: number): void;
  dequantize_affine_u8_scalar(q: number, n: number, scale: number, zp: number, out: number): void;
  dequantize_affine_i8_per_row(q: number, rows: number, cols: number, scales: number, zps: number, out: number): void;
  dequantize_affine_i8_per_row_scalar(q: number, rows: number, cols: number, scales: number, zps: number, out: number): void;
  dequantize_affine_u8_per_row(q: number, rows: number, cols: number, scales: number, zps: number, out: number): void;
  dequantize_affine_u8_per_row_scalar(q: number, rows: number, cols: number, scales: number, zps: number, out: number): void;
  /** out[i] = clamp(round(x[i] / step), lmin, lmax) · step (in place allowed). */
  uniform_quantize_f32(x: number, n: number, step: number, lmin: number, lmax: number, out: number): void;
  uniform_quantize_f32_scalar(x: number, n: number, step: number, lmin: number, lmax: number, out: number): void;

  // ---- reductions, validation, error sums (reduce.ts)
  /** Index of the first NaN/±Inf, or -1. */
  find_nonfinite_f32(x: number, n: number): number;
  find_nonfinite_f32_scalar(x: number, n: number): number;
  /** Replaces NaN/±Inf by 0; returns how many. */
  zero_nonfinite_f32(x: number, n: number): number;
  minmax_f32_per_row(x: number, rows: number, cols: number, outMin: number, outMax: number): void;
  minmax_f32_per_row_scalar(x: number, rows: number, cols: number, outMin: number, outMax: number): void;
  absmax_f32_per_row(x: number, rows: number, cols: number, out: number): void;
  absmax_f32_per_row_scalar(x: number, rows: number, cols: number, out: number): void;
  /** out[r] = mean |x_r| (f64 sum in index order). */
  absmean_f32_per_row(x: number, rows: number, cols: number, out: number): void;
  /** TWN: Δ_r = factor·mean|x_r|, α_r = mean of |x| over |x| > Δ_r. */
  twn_per_row(x: number, rows: number, cols: number, factor: number, outDelta: number, outAlpha: number): void;
  quantize_ternary_per_row(x: number, rows: number, cols: number, deltas: number, out: number): void;
  count_outside_per_row(x: number, rows: number, cols: number, lo: number, hi: number, ps: number): number;
  /** Writes f64 [Σ(x−y)², Σx², max|x−y|, Σ_rows cos, Σy²] to out. */
  error_stats_f32(x: number, y: number, rows: number, cols: number, out: number): void;
  error_stats_f32_scalar(x: number, y: number, rows: number, cols: number, out: number): void;
  quant_error_i8_per_row(x: number, rows: number, cols: number, scales: number, zps: number, ps: number, qmin: number, qmax: number, out: number): void;
  quant_error_i8_per_row_scalar(x: number, rows: number, cols: number, scales: number, zps: number, ps: number, qmin: number, qmax: number, out: number): void;
  /** out[j] = column mean (f64 sums in row order; acc: f64[cols] scratch). */
  column_means_f32(x: number, rows: number, cols: number, acc: number, out: number): void;
  /** out[r, j] = x[r, j] − mu[j]; out may be x. */
  center_f32(x: number, rows: number, cols: number, mu: number, out: number): void;
  center_f32_scalar(x: number, rows: number, cols: number, mu: number, out: number): void;

  // ---- packing (pack.ts)
  pack_i4(src: number, rows: number, cols: number, dst: number): void;
  pack_i4_scalar(src: number, rows: number, cols: number, dst: number): void;
  unpack_i4(src: number, rows: number, cols: number, dst: number): void;
  unpack_i4_scalar(src: number, rows: number, cols: number, dst: number): void;
  pack_i2(src: number, rows: number, cols: number, dst: number): void;
  pack_i2_scalar(src: number, rows: number, cols: number, dst: number): void;
  unpack_i2(src: number, rows: number, cols: number, dst: number): void;
  unpack_i2_scalar(src: number, rows: number, cols: number, dst: number): void;
  pack_b1_f32(x: number, rows: number, cols: number, dst: number): void;
  pack_b1_f32_scalar(x: number, rows: number, cols: number, dst: number): void;
  dequantize_b1_per_row(bits: number, rows: number, cols: number, alphas: number, ps: number, out: number): void;

  // ---- fp16 / bf16 (half.ts)
  f32_to_f16(src: number, n: number, dst: number): void;
  f32_to_f16_scalar(src: number, n: number, dst: number): void;
  f16_to_f32(src: number, n: number, dst: number): void;
  f16_to_f32_scalar(src: number, n: number, dst: number): void;
  f32_to_bf16(src: number, n: number, dst: number): void;
  f32_to_bf16_scalar(src: number, n: number, dst: number): void;
  bf16_to_f32(src: number, n: number, dst: number): void;
  bf16_to_f32_scalar(src: number, n: number, dst: number): void;

  // ---- int8 / int4 scans (scan_int.ts)
  dot_i8(a: number, b: number, n: number): number;
  dot_i8_scalar(a: number, b: number, n: number): number;
  matvec_i8(mat: number, rows: number, cols: number, stride: number, q: number, out: number): void;
  matvec_i8_scalar(mat: number, rows: number, cols: number, stride: number, q: number, out: number): void;
  matvec_i8_scaled(mat: number, rows: number, cols: number, stride: number, idx: number, q: number, qscale: number, scales: number, zps: number, ps: number, bias: number, out: number): void;
  matvec_i8_scaled_scalar(mat: number, rows: number, cols: number, stride: number, idx: number, q: number, qscale: number, scales: number, zps: number, ps: number, bias: number, out: number): void;
  norm_l2_i8_per_row(mat: number, rows: number, cols: number, stride: number, scales: number, zps: number, ps: number, out: number): void;
  norm_l2_i8_per_row_scalar(mat: number, rows: number, cols: number, stride: number, scales: number, zps: number, ps: number, out: number): void;
  matvec_i4(mat: number, rows: number, cols: number, strideBytes: number, q: number, out: number): void;
  matvec_i4_scalar(mat: number, rows: number, cols: number, strideBytes: number, q: number, out: number): void;
  matvec_i4_scaled(mat: number, rows: number, cols: number, strideBytes: number, idx: number, q: number, qscale: number, scales: number, zps: number, ps: number, bias: number, out: number): void;
  matvec_i4_scaled_scalar(mat: number, rows: number, cols: number, strideBytes: number, idx: number, q: number, qscale: number, scales: number, zps: number, ps: number, bias: number, out: number): void;
  norm_l2_i4_per_row(mat: number, rows: number, cols: number, strideBytes: number, scales: number, zps: number, ps: number, out: number): void;

  // ---- binary codes: Hamming, layouts, LUT scores (binary.ts)
  hamming_b1(mat: number, rows: number, nbytes: number, strideBits: number, q: number, out: number): void;
  hamming_b1_scalar(mat: number, rows: number, nbytes: number, strideBits: number, q: number, out: number): void;
  sign_dot_b1(mat: number, rows: number, cols: number, strideBits: number, q: number, out: number): void;
  sign_dot_b1_scalar(mat: number, rows: number, cols: number, strideBits: number, q: number, out: number): void;
  b1_lut_f32(q: number, cols: number, lut: number): void;
  score_b1_lut(mat: number, rows: number, nbytes: number, strideBits: number, lut: number, qsum: number, alphas: number, ps: number, bias: number, out: number): void;
  /** k nearest rows by Hamming distance (ties: lower index): a sampled threshold, exact counts, branch-free listing, counting sort; rows strideBits apart; dist u16[rows], cand i32[rows + 64], hist i32[4·(8·nbytes+1)] scratch. */
  hamming_topk_b1(mat: number, rows: number, nbytes: number, strideBits: number, q: number, k: number, dist: number, cand: number, hist: number, outIdx: number): number;
  hamming_topk_b1_scalar(mat: number, rows: number, nbytes: number, strideBits: number, q: number, k: number, dist: number, cand: number, hist: number, outIdx: number): number;
  /** Byte-aligned binary rows → one contiguous bit string (row r at bits r·cols …); dst ⌈rows·cols/8⌉ + 1 bytes. */
  b1_bytes_to_bits(src: number, rows: number, cols: number, srcStrideBytes: number, dst: number): void;
  /** Contiguous bit rows → byte-aligned rows (unused high bits 0). */
  b1_bits_to_bytes(src: number, rows: number, cols: number, dst: number, dstStrideBytes: number): void;
  /** Binary codes in blocks of 16 rows (byte j of row 16b+l at b·16·nbytes + 16j + l); ⌈rows/16⌉·16·nbytes bytes. */
  b1_block16(mat: number, rows: number, nbytes: number, strideBits: number, out: number): void;
  /** hamming_topk_b1 over b1_block16 codes (nbytes ≤ 31); qsplat: 16·nbytes bytes; dist: u8[⌈rows/16⌉·16]; cand i32[rows + 64]. */
  hamming_topk_b1_blocked(blk: number, rows: number, nbytes: number, q: number, k: number, qsplat: number, dist: number, cand: number, hist: number, outIdx: number): number;
  hamming_topk_b1_blocked_scalar(blk: number, rows: number, nbytes: number, q: number, k: number, qsplat: number, dist: number, cand: number, hist: number, outIdx: number): number;

  // ---- fp16 / bf16 scans (scan_half.ts)
  matvec_f16(mat: number, rows: number, cols: number, q: number, out: number): void;
  matvec_f16_scalar(mat: number, rows: number, cols: number, q: number, out: number): void;
  matvec_bf16(mat: number, rows: number, cols: number, q: number, out: number): void;
  matvec_bf16_scalar(mat: number, rows: number, cols: number, q: number, out: number): void;
  /** bf: 0 for fp16, 1 for bf16. */
  norm_l2_half_per_row(mat: number, rows: number, cols: number, bf: number, out: number): void;

  // ---- product quantization (pq.ts)
  /** init 1: k-means++ seeding, 0: random distinct points (fastText). */
  pq_transpose(cent: number, cols: number, dsub: number, ksub: number, centT: number): void;
  pq_kmeans_f32(x: number, n: number, d: number, xstride: number, k: number, iters: number, seed: number, init: number, cent: number, centT: number, assign: number, counts: number): void;
  pq_kmeans_f32_scalar(x: number, n: number, d: number, xstride: number, k: number, iters: number, seed: number, init: number, cent: number, centT: number, assign: number, counts: number): void;
  pq_encode_f32(x: number, rows: number, cols: number, xstride: number, dsub: number, ksub: number, centT: number, codes: number): void;
  pq_encode_f32_scalar(x: number, rows: number, cols: number, xstride: number, dsub: number, ksub: number, centT: number, codes: number): void;
  /** metric 0: inner product, 1: squared L2. */
  pq_adc_f32(q: number, cols: number, dsub: number, ksub: number, cent: number, metric: number, table: number): void;
  pq_scan(codes: number, rows: number, nsub: number, ksub: number, table: number, normCodes: number, normTable: number, out: number): void;
  pq_centroid_sqnorms(cent: number, cols: number, dsub: number, ksub: number, table: number): void;
  pq_norm_l2_per_row(codes: number, rows: number, nsub: number, ksub: number, sq: number, normCodes: number, normTable: number, out: number): void;
  pq_decode_f32(codes: number, rows: number, cols: number, dsub: number, ksub: number, cent: number, normCodes: number, normTable: number, out: number): void;

  // ---- random numbers and constants
  /** u(seed, i) ∈ [0, 1): the stream stochastic rounding and k-means draw from. */
  rng_uniform_f32(seed: number, i: number): number;
  pq_ksub(): number;
  pq_niter(): number;
  pq_max_points_per_cluster(): number;
  twn_delta(): number;

  // ---- gathers over a list of row indices idx (i32[m]) (gather.ts)
  /** dst row k = src row idx[k] (rowBytes bytes each; packed in dst). */
  copy_gather(src: number, rowBytes: number, idx: number, m: number, dst: number): void;
  /** score_b1_lut for the rows idx[k], out[k]. */
  score_b1_lut_gather(mat: number, idx: number, m: number, nbytes: number, strideBits: number, lut: number, qsum: number, alphas: number, ps: number, bias: number, out: number): void;
}
