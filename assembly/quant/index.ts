// Quantization kernels (issue 4). Re-exports only.
export const QUANT_PLACEHOLDER: i32 = 0;
