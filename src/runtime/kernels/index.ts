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

/** Bytes of the f32 GEMM's scratch for m rows of k inputs: its full tiles of 4 rows, interleaved by k (0 below 4 rows). */
export function f32TileScratchBytes(m: number, k: number): number {
  return (m & ~3) * k * 4;
}
