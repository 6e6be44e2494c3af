// Signatures of the inference kernels in assembly/infer/ (pointers are byte addresses in linear memory; 0 = none).
import type { Runtime } from '../runtime/runtime.js';

export interface InferKernels {
  pack_f32_panel16(w: number, n: number, k: number, sn: number, sk: number, out: number): void;
  gemm_f32_packed(x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number): void;
  gemm_f32_packed_scalar(x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number): void;
  /** gemm_f32_packed with 2 k steps per tile iteration (the same bits); the runtime's f32Gemm says which to call. */
  gemm_f32_packed2(x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number): void;
  /** gemm_f32_packed with the row tiles interleaved first into xi (f32TileScratchBytes(m, k) bytes; 0 when m < 4): the same bits. */
  gemm_f32_tiles4(x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number, xi: number): void;
  /** One row over the panels in order (rev 0) or reversed (rev 1): the same bits as gemm_f32_packed with m = 1. */
  gemv_f32_packed(x: number, k: number, wp: number, n: number, bias: number, relu: number, y: number, rev: number): void;
  pack_i8_panel4(w: number, n: number, k: number, sn: number, sk: number, flip: number, out: number): void;
  gemm_i8_packed(xq: number, m: number, kp: number, wp: number, n: number, acc: number): void;
  /** gemm_i8_packed for one row, its panels in order (rev 0) or from the end (rev 1): the same int32 sums. */
  gemv_i8_packed(xq: number, kp: number, wp: number, n: number, acc: number, rev: number): void;
  pack_i16_panel8_pairs(w: number, n: number, k: number, kp: number, sn: number, sk: number, flip: number, zp: number, out: number): void;
  gemm_i16_pairs(xq: number, m: number, kp: number, wp: number, n: number, acc: number): void;
  gemm_i16_pairs_scalar(xq: number, m: number, kp: number, wp: number, n: number, acc: number): void;
  gemm_i16_pairs_f32(xa: number, m: number, kp: number, wp: number, n: number, xs: number, xsStep: number, ws: number, wsStep: number, bias: number, relu: number, y: number): void;
  gemm_i16_pairs_q8(xa: number, m: number, kp: number, wp: number, n: number, mult: number, multStep: number, zp: number, lo: number, hi: number, out: number): void;
  gemm_i16_pairs_q8_scalar(xa: number, m: number, kp: number, wp: number, n: number, mult: number, multStep: number, zp: number, lo: number, hi: number, out: number): void;
  gemm_i16_pairs_f32_scalar(xa: number, m: number, kp: number, wp: number, n: number, xs: number, xsStep: number, ws: number, wsStep: number, bias: number, relu: number, y: number): void;
  interleave_i16_rows4(xq: number, m: number, kp: number, out: number): void;
  /** quantize_i16_sym_per_row's codes written into interleave_i16_rows4's layout (xa); 1 on a non-finite value. */
  quantize_i16_sym_per_row_rows4(x: number, m: number, k: number, kp: number, xa: number, scales: number): number;
  quantize_i16_sym_per_row_rows4_scalar(x: number, m: number, k: number, kp: number, xa: number, scales: number): number;
  /** quantize_i16_affine's codes written into interleave_i16_rows4's layout (xa). */
  quantize_i16_affine_rows4(x: number, m: number, k: number, kp: number, scale: number, zp: number, lo: number, hi: number, sub: number, xa: number): void;
  quantize_i16_affine_rows4_scalar(x: number, m: number, k: number, kp: number, scale: number, zp: number, lo: number, hi: number, sub: number, xa: number): void;
  interleave_i16_rows4_scalar(xq: number, m: number, kp: number, out: number): void;
  gemm_i8_packed_scalar(xq: number, m: number, kp: number, wp: number, n: number, acc: number): void;
  quantize_i16_sym_per_row(x: number, m: number, k: number, kp: number, xq: number, scales: number): number;
  quantize_i16_sym_per_row_scalar(x: number, m: number, k: number, kp: number, xq: number, scales: number): number;
  quantize_i16_affine(x: number, m: number, k: number, kp: number, scale: number, zp: number, lo: number, hi: number, sub: number, xq: number): void;
  quantize_i16_affine_scalar(x: number, m: number, k: number, kp: number, scale: number, zp: number, lo: number, hi: number, sub: number, xq: number): void;
  widen_i8_i16(x: number, m: number, k: number, kp: number, unsigned: number, sub: number, xq: number): void;
  widen_i8_i16_scalar(x: number, m: number, k: number, kp: number, unsigned: number, sub: number, xq: number): void;
  /** widen_i8_i16's values written into interleave_i16_rows4's layout (xa). */
  widen_i8_i16_rows4(x: number, m: number, k: number, kp: number, unsigned: number, sub: number, xa: number): void;
  widen_i8_i16_rows4_scalar(x: number, m: number, k: number, kp: number, unsigned: number, sub: number, xa: number): void;
  epilogue_i32_requant_scalar(acc: number, m: number, n: number, n4: number, rowsum: number, wzp: number, mult: number, multStep: number, zp: number, lo: number, hi: number, out: number): void;
  minmax_f32(x: number, n: number, out: number): void;
  minmax_f32_scalar(x: number, n: number, out: number): void;
  rowsum_i16(xq: number, m: number, kp: number, out: number): void;
  epilogue_i32_f32(acc: number, m: number, n: number, n4: number, rowsum: number, wzp: number, xs: number, xsStep: number, ws: number, wsStep: number, bias: number, relu: number, y: number): void;
  epilogue_i32_f32_scalar(acc: number, m: number, n: number, n4: number, rowsum: number, wzp: number, xs: number, xsStep: number, ws: number, wsStep: number, bias: number, relu: number, y: number): void;
  epilogue_i32_i32(acc: number, m: number, n: number, n4: number, rowsum: number, wzp: number, out: number): void;
  epilogue_i32_requant(acc: number, m: number, n: number, n4: number, rowsum: number, wzp: number, mult: number, multStep: number, zp: number, lo: number, hi: number, out: number): void;
  pack_sign_b64_per_row(x: number, m: number, k: number, words: number, bits: number, beta: number): void;
  gemm_b1(xbits: number, m: number, words: number, k: number, wbits: number, n: number, alpha: number, beta: number, bias: number, relu: number, y: number): void;
  pack_sign_b64_per_row_scalar(x: number, m: number, k: number, words: number, bits: number, beta: number): void;
  gemm_b1_scalar(xbits: number, m: number, words: number, k: number, wbits: number, n: number, alpha: number, beta: number, bias: number, relu: number, y: number): void;
  csr_gemm_f32(indptr: number, indices: number, vals: number, n: number, x: number, m: number, k: number, bias: number, relu: number, y: number): void;
  bsr_gemm_f32(x: number, m: number, k: number, bptr: number, bidx: number, bw: number, n: number, bias: number, relu: number, y: number): void;
  bsr_gemm_f32_scalar(x: number, m: number, k: number, bptr: number, bidx: number, bw: number, n: number, bias: number, relu: number, y: number): void;
  relu_f32(x: number, n: number, y: number): void;
  relu_f32_scalar(x: number, n: number, y: number): void;
  all_finite_f32(x: number, n: number): number;
  all_finite_f32_scalar(x: number, n: number): number;
  gelu_f32(x: number, n: number, y: number): void;
  gelu_tanh_f32(x: number, n: number, y: number): void;
  tanh_f32(x: number, n: number, y: number): void;
  logistic_f32(x: number, n: number, y: number): void;
  softmax_f32_per_row(x: number, m: number, k: number, log: number, y: number): void;
  layer_norm_f32_per_row(x: number, m: number, k: number, gamma: number, beta: number, eps: number, y: number): void;
}

/** The inference kernels of a runtime (every build has them). */
export function inferKernels(rt: Runtime): InferKernels {
  return rt.kernels as unknown as InferKernels;
}

interface HeapViews { buf: ArrayBufferLike; f32: Float32Array; u8: Uint8Array; i8: Int8Array; i32: Int32Array; i16: Int16Array }
const heaps = new WeakMap<Runtime, HeapViews>();

/**
 * Whole-memory views of a runtime, re-derived only when memory.buffer changed (after a growth, or every allocation
 * in the detach test mode), so that a steady-state forward call creates no typed array over the whole heap.
 * Use at once; never keep across a call that can allocate.
 */
export function heap(rt: Runtime): HeapViews {
  const buf = rt.memory.buffer;
  let h = heaps.get(rt);
  if (!h || h.buf !== buf) {
    h = { buf, f32: new Float32Array(buf), u8: new Uint8Array(buf), i8: new Int8Array(buf), i32: new Int32Array(buf), i16: new Int16Array(buf) };
    heaps.set(rt, h);
  }
  return h;
}
