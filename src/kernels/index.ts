// quantext/kernels: plain synchronous functions on typed arrays over the wasm kernels, for libraries that have their
// own model code (docs/kernels.md). No side effects and no model code: a bundler keeps only the functions used.
// The runtime entries (node.ts, browser.ts, workerd.ts) register where the wasm files are, then re-export this.
export { QuantextError, type ErrorCode } from '../errors.js';
export { init, createRuntime, backend, simdSupported, type Runtime, type InitOptions, type WasmSource, type WasmSources, type BuildName } from '../runtime/runtime.js';
export { relaxedSupported } from '../runtime/runtime.js';
export { alloc, free, toWasm, useRuntime, WasmArray, type DType, type ViewOf } from './state.js';
export type { F32, I8, U8, I32, U16 } from './args.js';
export { dot, cosine, l2, axpy, scale, normalizeRows, matvec, topk, type MatvecOptions, type RowFormat, type TopK } from './vec.js';
export { quantize, dequantize, hamming, hammingRows, packBits, type Quantized, type Codes, type KernelQuantizeOptions, type KernelPQOptions } from './quant.js';
export { gemm, packB, PackedB, softmax, type GemmOptions } from './nn.js';
