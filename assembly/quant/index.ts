// Quantization and quantized-search kernels (issue 4; maths and layouts in docs/quantization.md). Re-exports only.
export {
  quantize_affine_i8, quantize_affine_i8_scalar, quantize_affine_u8, quantize_affine_u8_scalar,
  quantize_affine_i8_per_row, quantize_affine_i8_per_row_scalar, quantize_affine_u8_per_row, quantize_affine_u8_per_row_scalar,
  quantize_affine_i8_stochastic, quantize_affine_i8_stochastic_scalar, quantize_affine_u8_stochastic, quantize_affine_u8_stochastic_scalar,
  quantize_affine_i8_stochastic_per_row, quantize_affine_i8_stochastic_per_row_scalar, quantize_affine_u8_stochastic_per_row, quantize_affine_u8_stochastic_per_row_scalar,
  dequantize_affine_i8, dequantize_affine_i8_scalar, dequantize_affine_u8, dequantize_affine_u8_scalar,
  dequantize_affine_i8_per_row, dequantize_affine_i8_per_row_scalar, dequantize_affine_u8_per_row, dequantize_affine_u8_per_row_scalar,
  uniform_quantize_f32, uniform_quantize_f32_scalar,
} from './affine';
export {
  find_nonfinite_f32, find_nonfinite_f32_scalar, zero_nonfinite_f32,
  minmax_f32_per_row, minmax_f32_per_row_scalar, absmax_f32_per_row, absmax_f32_per_row_scalar, absmean_f32_per_row,
  twn_per_row, quantize_ternary_per_row, count_outside_per_row, error_stats_f32, error_stats_f32_scalar,
  quant_error_i8_per_row, quant_error_i8_per_row_scalar, column_means_f32, center_f32, center_f32_scalar,
} from './reduce';
export {
  pack_i4, pack_i4_scalar, unpack_i4, unpack_i4_scalar, pack_i2, pack_i2_scalar, unpack_i2, unpack_i2_scalar,
  pack_b1_f32, pack_b1_f32_scalar, dequantize_b1_per_row,
} from './pack';
export {
  f32_to_f16, f32_to_f16_scalar, f16_to_f32, f16_to_f32_scalar, f32_to_bf16, f32_to_bf16_scalar, bf16_to_f32, bf16_to_f32_scalar,
} from './half';
export {
  dot_i8, dot_i8_scalar, matvec_i8, matvec_i8_scalar, matvec_i8_scaled, matvec_i8_scaled_scalar, norm_l2_i8_per_row, norm_l2_i8_per_row_scalar,
  matvec_i4, matvec_i4_scalar, matvec_i4_scaled, matvec_i4_scaled_scalar, norm_l2_i4_per_row,
} from './scan_int';
export {
  hamming_b1, hamming_b1_scalar, sign_dot_b1, sign_dot_b1_scalar, hamming_topk_b1, hamming_topk_b1_scalar, b1_block16, b1_bytes_to_bits, b1_bits_to_bytes, hamming_topk_b1_blocked, hamming_topk_b1_blocked_scalar, b1_lut_f32, score_b1_lut,
} from './binary';
export {
  matvec_f16, matvec_f16_scalar, matvec_bf16, matvec_bf16_scalar, norm_l2_half_per_row,
} from './scan_half';
export {
  pq_transpose, pq_kmeans_f32, pq_kmeans_f32_scalar, pq_encode_f32, pq_encode_f32_scalar, pq_adc_f32,
  pq_scan, pq_centroid_sqnorms, pq_norm_l2_per_row, pq_decode_f32,
} from './pq';
export { copy_gather, score_b1_lut_gather } from './gather';
export { rng_uniform_f32 } from './rng';
export { pq_ksub, pq_niter, pq_max_points_per_cluster, twn_delta } from './consts_export';
