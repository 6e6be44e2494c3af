/**
 * The TypeScript side of assembly/ft/supervised.ts: the config block's offsets (checked against the kernels' own
 * layout at start-up), fastText's sigmoid and log tables, and the hierarchical-softmax paths of the labels.
 */
import { QuantextError } from '../errors.js';
import type { Kernels } from '../runtime/kernels/index.js';

/** Byte offsets of the supervised config block (mirrors SUP_* in assembly/ft/supervised.ts). */
export const SUP = {
  INPUT: 0, OUTPUT: 4, DIM: 8, OSZ: 12, LOSS: 16, NEG: 20, ROWS: 24, ROW_OFF: 28, LABELS: 32, LAB_OFF: 36, LINE0: 40,
  LINE1: 44, NTOK: 48, NEG_TABLE: 52, HS_PATHS: 56, HS_CODES: 60, HS_OFF: 64, SIGMOID: 68, LOG: 72, SCRATCH: 76,
  ALPHA0: 80, ALPHA1: 84, RNG: 88, LOSS_SUM: 96, EXAMPLES: 104, TOKENS: 112, FLAGS: 120, MASK_IN: 124, MASK_OUT: 128,
  TARGETS: 132, TEMP: 136, KD_ALPHA: 140, SHADOW_IN: 144, SHADOW_OUT: 148, QSCALE_IN: 152, QSCALE_OUT: 156, QBITS: 160,
} as const;
export const SUP_CFG_SIZE = 168;
/** SUP.FLAGS bit: the input matrix is frozen. */
export const SUP_FLAG_FREEZE_INPUT = 1;

/** Compares the layout with the kernels' `sup_cfg_layout` (E_WASM naming the field on a mismatch). */
export function checkSupLayout(k: Pick<Kernels, 'sup_cfg_layout'>): void {
  if (typeof k.sup_cfg_layout !== 'function') throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext (no sup_cfg_layout)');
  const want = [...Object.values(SUP), SUP_CFG_SIZE];
  const names = [...Object.keys(SUP), 'SIZE'];
  want.forEach((v, i) => {
    const got = k.sup_cfg_layout(i);
    if (got !== v) throw new QuantextError('E_WASM', `the wasm build does not match this version of quantext: supervised config field ${names[i]} is at ${got} in wasm, ${v} here`);
  });
  if (k.sup_cfg_layout(want.length) !== -1) throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext: its supervised config has more fields');
}

/** fastText's loss codes (loss_name): hs 1, ns 2, softmax 3, ova 4. */
export const LOSS_CODE = { hs: 1, ns: 2, softmax: 3, ova: 4 } as const;

const f = Math.fround;

/** fastText's Loss::t_sigmoid_ (513 floats): 1 / (1 + exp(−x)) at x = i·16/512 − 8. */
export function sigmoidTable(): Float32Array {
  const t = new Float32Array(513);
  for (let i = 0; i <= 512; i++) {
    const x = f(f((i * 16) / 512) - 8);
    t[i] = 1 / (1 + f(Math.exp(-x)));
  }
  return t;
}

/** fastText's Loss::t_log_ (513 floats): log((i + 1e-5) / 512). */
export function logTable(): Float32Array {
  const t = new Float32Array(513);
  for (let i = 0; i <= 512; i++) t[i] = Math.log((i + 1e-5) / 512);
  return t;
}

/** Every label's path to the root of fastText's Huffman tree (CSR): inner nodes minus osz, and their codes. */
export interface HsPaths {
  off: Int32Array;
  paths: Int32Array;
  codes: Uint8Array;
}

/**
 * fastText's HierarchicalSoftmaxLoss::buildTree over the label counts (labels sorted by count, most frequent first,
 * as the dictionary keeps them): a node's right child has code 1 ("binary"); paths go from the leaf up.
 */
export function hsPaths(counts: ArrayLike<number>): HsPaths {
  const osz = counts.length;
  const n = Math.max(2 * osz - 1, 0);
  const parent = new Int32Array(n).fill(-1);
  const binary = new Uint8Array(n);
  const count = new Float64Array(n).fill(1e15);
  for (let i = 0; i < osz; i++) count[i] = counts[i];
  let leaf = osz - 1, node = osz;
  for (let i = osz; i < n; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) mini[j] = leaf >= 0 && count[leaf] < count[node] ? leaf-- : node++;
    count[i] = count[mini[0]] + count[mini[1]];
    parent[mini[0]] = i;
    parent[mini[1]] = i;
    binary[mini[1]] = 1;
  }
  const off = new Int32Array(osz + 1);
  const paths: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < osz; i++) {
    for (let j = i; parent[j] !== -1; j = parent[j]) {
      paths.push(parent[j] - osz);
      codes.push(binary[j]);
    }
    off[i + 1] = paths.length;
  }
  return { off, paths: Int32Array.from(paths), codes: Uint8Array.from(codes) };
}
