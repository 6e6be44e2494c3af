// Re-exports only. Every kernel takes pointers (usize, byte addresses), lengths and strides (i32) and scalars, and
// never allocates. Lengths count elements; row strides count elements unless the parameter names its unit
// (strideBytes, strideBits); each file's header says which. Names (scripts/dev/rename-kernels.mjs): `_scalar` = the
// same code with the SIMD path off (every kernel with a SIMD path has one; the tests compare both with independent
// TypeScript references; kernels without a SIMD path have none); `_per_row` = per-row parameters or per-row results;
// `_gather` = reads a list of row indices; layouts are named by their words (b1_bytes_to_bits, b1_block16).
export { build_kind, heap_base, probe } from './util/build';
export { dot_f32, dot_f32_scalar } from './vec/dot';
export { axpy_f32, axpy_f32_scalar, scale_f32, scale_f32_scalar, mul_f32, mul_f32_scalar, mul_f32_gather } from './vec/axpy';
export { norm_l2_f32, norm_l2_f32_scalar, norm_l2_f32_per_row, norm_l2_f32_per_row_scalar, normalize_f32_per_row, normalize_f32_per_row_scalar } from './vec/norm';
export { matvec_f32, matvec_f32_scalar, matvec_f32_gather, matvec_f32_gather_scalar } from './vec/matvec';
export { topk_f32, topk_f32_scalar } from './vec/topk';
export { cosmul_f32 } from './vec/cosmul';
export { sigmoid_f32, sigmoid_table_init, sigmoid_table_f32, exp_table_size, max_exp } from './vec/sigmoid';
export { argmax_f32, argmax_f32_scalar } from './vec/argmax';
export * from './quant/index';
export * from './w2v/index';
export { text_scan, text_token, text_rehash, text_state_size } from './text/vocab';
export * from './ft/index';
export * from './glove/index';
export * from './infer/index';
export { l2sq_f32, l2sq_f32_scalar } from './vec/l2';
export { bag_f32_gather, bag_f32_gather_scalar, bag_f16_gather, bag_f16_gather_scalar, bag_int_gather, bag_int_gather_scalar, bag_b1_gather, bag_b1_gather_scalar, bag_pq_gather, bag_pq_gather_scalar, bag_text_rows } from './infer/bag';
