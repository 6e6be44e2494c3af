/** Signatures of the quantization and quantized-search kernels in assembly/quant/. */
export interface QuantKernels {}
