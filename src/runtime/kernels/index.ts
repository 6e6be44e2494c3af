import type { VecKernels } from './vec.js';
import type { QuantKernels } from './quant.js';
import type { W2vKernels } from './w2v.js';
import type { TextKernels } from './text.js';
import type { FtKernels } from './ft.js';
import type { GloveKernels } from './glove.js';

/** Exports every build has besides the kernels. */
export interface CoreExports {
  memory?: WebAssembly.Memory;
  build_kind(): number;
  heap_base(): number;
  probe(): number;
}

/** All exports of a quantext wasm module. One interface per kernel family, in this folder. */
export type Kernels = CoreExports & VecKernels & QuantKernels & W2vKernels & TextKernels & FtKernels & GloveKernels;

/** What probe() returns when the build computes correctly (see assembly/util/build.ts). */
export const PROBE_EXPECTED = 2844;

/** Outputs per panel of pack_f32_panel16 (the f32 GEMM's weight layout). */
export const F32_PANEL = 16;

/** Bytes of pack_f32_panel16's layout of n outputs × k inputs (the last panel padded with zero outputs). */
export function f32PanelBytes(n: number, k: number): number {
  return Math.ceil(n / F32_PANEL) * F32_PANEL * k * 4;
}

/** Bytes of gemm_f32_tiles4's scratch for m rows of k inputs: its full tiles of 4 rows, interleaved by k (0 below 4 rows). */
export function f32TileScratchBytes(m: number, k: number): number {
  return (m & ~3) * k * 4;
}

type F32GemmEntry = (x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number) => void;

/**
 * Y = X·Wᵀ + bias (+ ReLU) over pack_f32_panel16's layout through the entry the runtime picked (rt.f32Gemm; the three
 * give the same bits). xi: gemm_f32_tiles4's scratch, f32TileScratchBytes(m, k) bytes (ignored by the others).
 */
export function gemmF32(rt: { f32Gemm: 'tiles4' | 'steps1' | 'steps2'; kernels: unknown }, x: number, m: number, k: number, wp: number, n: number, bias: number, relu: number, y: number, xi: number): void {
  const ks = rt.kernels as { gemm_f32_tiles4: (...a: [...Parameters<F32GemmEntry>, number]) => void; gemm_f32_packed2: F32GemmEntry; gemm_f32_packed: F32GemmEntry };
  const g = rt.f32Gemm;
  if (g === 'tiles4') ks.gemm_f32_tiles4(x, m, k, wp, n, bias, relu, y, xi);
  else if (g === 'steps2') ks.gemm_f32_packed2(x, m, k, wp, n, bias, relu, y);
  else ks.gemm_f32_packed(x, m, k, wp, n, bias, relu, y);
}
