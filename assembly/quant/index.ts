// Quantization and quantized-search kernels (issue 4; maths and layouts in docs/quantization.md). Re-exports only.
export {
  quantize_affine_i8, quantize_affine_i8_ref, quantize_affine_u8, quantize_affine_u8_ref,
  quantize_affine_i8_rows, quantize_affine_i8_rows_ref, quantize_affine_u8_rows, quantize_affine_u8_rows_ref,
  quantize_affine_i8_stochastic, quantize_affine_i8_stochastic_ref, quantize_affine_u8_stochastic, quantize_affine_u8_stochastic_ref,
  quantize_affine_i8_stochastic_rows, quantize_affine_i8_stochastic_rows_ref, quantize_affine_u8_stochastic_rows, quantize_affine_u8_stochastic_rows_ref,
  dequantize_affine_i8, dequantize_affine_i8_ref, dequantize_affine_u8, dequantize_affine_u8_ref,
  dequantize_affine_i8_rows, dequantize_affine_i8_rows_ref, dequantize_affine_u8_rows, dequantize_affine_u8_rows_ref,
  uniform_quantize_f32, uniform_quantize_f32_ref,
} from './affine';
export {
  find_nonfinite_f32, find_nonfinite_f32_ref, zero_nonfinite_f32,
  minmax_f32_rows, minmax_f32_rows_ref, absmax_f32_rows, absmax_f32_rows_ref, absmean_f32_rows,
  twn_rows, quantize_ternary_rows, count_outside_rows, error_stats_f32, error_stats_f32_ref,
  quant_error_rows_i8, quant_error_rows_i8_ref, column_means_f32, center_rows_f32, center_rows_f32_ref,
} from './reduce';
export {
  pack_i4, pack_i4_ref, unpack_i4, unpack_i4_ref, pack_i2, pack_i2_ref, unpack_i2, unpack_i2_ref,
  pack_b1_rows, pack_b1_rows_ref, dequantize_b1_rows,
} from './pack';
export {
  f32_to_f16, f32_to_f16_ref, f16_to_f32, f16_to_f32_ref, f32_to_bf16, f32_to_bf16_ref, bf16_to_f32, bf16_to_f32_ref,
} from './half';
export {
  dot_i8, dot_i8_ref, matvec_i8, matvec_i8_ref, matvec_i8_scaled, matvec_i8_scaled_ref, row_norms_i8, row_norms_i8_ref,
  matvec_i4, matvec_i4_ref, matvec_i4_scaled, matvec_i4_scaled_ref, row_norms_i4,
} from './scan_int';
export {
  hamming_b1, hamming_b1_ref, sign_dot_b1, sign_dot_b1_ref, hamming_topk_b1, hamming_topk_b1_ref, b1_block16, b1_rows_to_bits, b1_bits_to_rows, hamming_topk_b1_blocked, hamming_topk_b1_blocked_ref, b1_lut_f32, score_b1_lut,
} from './binary';
export {
  matvec_f16, matvec_f16_ref, matvec_bf16, matvec_bf16_ref, row_norms_half,
} from './scan_half';
export {
  pq_transpose, pq_kmeans_f32, pq_kmeans_f32_ref, pq_encode_f32, pq_encode_f32_ref, pq_adc_f32,
  pq_scan, pq_centroid_sqnorms, pq_row_norms, pq_decode_rows,
} from './pq';
export { copy_gather, score_b1_lut_gather } from './gather';
export { rng_uniform_f32 } from './rng';
export { pq_ksub, pq_niter, pq_max_points_per_cluster, twn_delta } from './consts_export';
