// Inference kernels (issue 11): f32 and int8 GEMM/GEMV over packed weights, binary XNOR-popcount, CSR sparse,
// activations and LayerNorm. See each file's header for units.
export { pack_f32_panel16, gemm_f32_packed, gemm_f32_packed2, gemm_f32_tiles4, gemv_f32_packed, gemm_f32_packed_scalar } from './gemm_f32';
export {
  pack_i8_panel4, gemm_i8_packed, gemv_i8_packed, gemm_i8_packed_scalar, quantize_i16_sym_per_row, quantize_i16_sym_per_row_scalar,
  quantize_i16_affine, quantize_i16_affine_scalar, quantize_i16_sym_per_row_rows4, quantize_i16_sym_per_row_rows4_scalar, quantize_i16_affine_rows4, quantize_i16_affine_rows4_scalar, widen_i8_i16, widen_i8_i16_scalar, widen_i8_i16_rows4, widen_i8_i16_rows4_scalar, minmax_f32, minmax_f32_scalar, rowsum_i16, epilogue_i32_f32, epilogue_i32_f32_scalar,
  epilogue_i32_i32, epilogue_i32_requant, epilogue_i32_requant_scalar, pack_i16_panel8_pairs, gemm_i16_pairs, gemm_i16_pairs_scalar, gemm_i16_pairs_f32, gemm_i16_pairs_f32_scalar, gemm_i16_pairs_q8, gemm_i16_pairs_q8_scalar,
  interleave_i16_rows4, interleave_i16_rows4_scalar,
} from './gemm_i8';
export { pack_sign_b64_per_row, pack_sign_b64_per_row_scalar, gemm_b1, gemm_b1_scalar } from './binary';
export { pack_i7_panel4, narrow_i16_i8_per_row, narrow_i16_i8_per_row_scalar, gemm_i8_i7, gemm_i8_i7_scalar, relaxed_probe,
  quantize_i8_sym_per_row, quantize_i8_sym_per_row_scalar, quantize_i8_affine, quantize_i8_affine_scalar } from './gemm_i7';
export { csr_gemm_f32, bsr_gemm_f32, bsr_gemm_f32_scalar } from './sparse';
export {
  relu_f32, relu_f32_scalar, all_finite_f32, all_finite_f32_scalar, gelu_f32, gelu_tanh_f32, tanh_f32, logistic_f32,
  softmax_f32_per_row, layer_norm_f32_per_row,
} from './act';
