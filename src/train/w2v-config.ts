// The Word2Vec config block: one struct of pointers, sizes and state per worker (gensim's Word2VecConfig), mirrored
// from assembly/w2v/config.ts. `checkConfigLayout` compares every entry against the kernels' own at start-up.
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Kernels } from '../runtime/kernels/index.js';

/** Byte offsets of the config block's fields, in declaration order (the order of `w2v_cfg_layout`). */
export const CFG = {
  SYN0: 0, SYN1NEG: 4, SYN1: 8, DIM: 12, VOCAB: 16, NEGATIVE: 20, WINDOW: 24, FLAGS: 28, NEG_TABLE: 32,
  NEG_TABLE_SIZE: 36, SAMPLE: 40, CODES: 44, POINTS: 48, CODELENS: 52, EXP_TABLE: 56, LOG_TABLE: 60, TOKENS: 64,
  OFFSETS: 68, NSENT: 72, SCRATCH: 76, ALPHA: 80, ALPHA_END: 84, RNG: 88, LOSS: 96, WORDS: 104, PAIRS: 112, QLEVEL: 120,
} as const;
export const CFG_SIZE = 128;
export const FLAG = { HS: 1, CBOW: 2, CBOW_MEAN: 4, SHRINK_WINDOWS: 8, SAMPLE: 16, MINIBATCH: 32, QUANT1: 64, QUANT2: 128 } as const;
export const MAX_CODE_LENGTH = 40;

/** The mirrored layout as (name, value) entries in `w2v_cfg_layout` order. */
export interface ConfigLayout {
  fields: Record<string, number>;
  size: number;
  maxCodeLength: number;
  flags: Record<string, number>;
}
export const LAYOUT: ConfigLayout = { fields: CFG, size: CFG_SIZE, maxCodeLength: MAX_CODE_LENGTH, flags: FLAG };

/**
 * Compares the TypeScript mirror with the kernels' layout entry by entry (each field offset, the block size,
 * MAX_CODE_LENGTH and each flag bit). A mismatch is E_WASM naming the first entry that differs.
 */
export function checkConfigLayout(k: Pick<Kernels, 'w2v_cfg_layout'>, layout: ConfigLayout = LAYOUT): void {
  const entries: [string, number][] = [
    ...Object.entries(layout.fields).map(([n, v]) => [`field ${n}`, v] as [string, number]),
    ['CFG_SIZE', layout.size],
    ['MAX_CODE_LENGTH', layout.maxCodeLength],
    ...Object.entries(layout.flags).map(([n, v]) => [`flag ${n}`, v] as [string, number]),
  ];
  if (typeof k.w2v_cfg_layout !== 'function') {
    throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext (no w2v_cfg_layout)');
  }
  entries.forEach(([name, v], i) => {
    const got = k.w2v_cfg_layout(i);
    if (got !== v) {
      throw new QuantextError('E_WASM', `the wasm build does not match this version of quantext: Word2Vec config ${name} is ${got} in wasm, ${v} here`, { entry: name, wasm: got, ts: v });
    }
  });
  const extra = k.w2v_cfg_layout(entries.length);
  if (extra !== -1) throw new QuantextError('E_WASM', `the wasm build does not match this version of quantext: its Word2Vec config has more entries than the ${entries.length} known here`);
}

/** Bytes of a worker's scratch area (see CFG_SCRATCH in assembly/w2v/config.ts). */
export function scratchBytes(dim: number, window: number, negative: number, maxSentenceLength: number): number {
  return (2 * dim + 2 * window * dim + (2 * window + 1) * (negative + 1) + 2 * window) * 4 + maxSentenceLength * 4 + 16;
}

/** Reading and writing one config block in wasm memory (views derived at each use). */
export const cfgBlock = {
  setU32(rt: Runtime, cfg: number, field: number, v: number): void {
    rt.arena.u32(cfg + field, 1)[0] = v;
  },
  getU32(rt: Runtime, cfg: number, field: number): number {
    return rt.arena.u32(cfg + field, 1)[0];
  },
  setRng(rt: Runtime, cfg: number, state: bigint): void {
    new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0] = state;
  },
  getRng(rt: Runtime, cfg: number): bigint {
    return new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0];
  },
  /** The statistics the kernel added up (loss, words kept, examples), reset to zero. */
  takeStats(rt: Runtime, cfg: number): { loss: number; words: number; pairs: number } {
    const f = rt.arena.f64(cfg + CFG.LOSS, 3);
    const r = { loss: f[0], words: f[1], pairs: f[2] };
    f.fill(0);
    return r;
  },
  /** Points the block at a batch and sets its learning rates. */
  setBatch(rt: Runtime, cfg: number, tokens: number, offsets: number, nsent: number, alpha0: number, alpha1: number): void {
    const i32 = rt.arena.i32(cfg, CFG_SIZE / 4), f32 = rt.arena.f32(cfg, CFG_SIZE / 4);
    i32[CFG.TOKENS / 4] = tokens;
    i32[CFG.OFFSETS / 4] = offsets;
    i32[CFG.NSENT / 4] = nsent;
    f32[CFG.ALPHA / 4] = alpha0;
    f32[CFG.ALPHA_END / 4] = alpha1;
  },
};

/**
 * Writes a model's fields into a config block (Word2Vec's and FastText's kernels share the layout): the fields every
 * thread shares (table addresses), then the sizes and the flags from the options.
 */
export function fillConfig(
  rt: Runtime,
  cfg: number,
  shared: Record<number, number>,
  o: { vectorSize: number; negative: number; window: number; hs: number | boolean; sg: number | boolean; cbowMean: number | boolean; shrinkWindows: boolean; sample: number; sharedNegatives: boolean },
  vocabSize: number,
  /** Word2Vec's quantization-aware training: 1 or 2 bits (FLAG.QUANT1 / QUANT2), 0 or undefined for none. */
  quantBits = 0,
  /** Its quantizer level L (CFG.QLEVEL); 0 or undefined for Word2Bits' own (1/3 for 1 bit, 1/4 for 2 bits). */
  quantLevel = 0,
): void {
  const a = rt.arena;
  for (const [off, val] of Object.entries(shared)) a.u32(cfg + Number(off), 1)[0] = val;
  const i32 = (off: number, v: number) => (a.i32(cfg + off, 1)[0] = v);
  i32(CFG.DIM, o.vectorSize);
  i32(CFG.VOCAB, vocabSize);
  i32(CFG.NEGATIVE, o.negative);
  i32(CFG.WINDOW, o.window);
  i32(CFG.FLAGS, (o.hs ? FLAG.HS : 0) | (o.sg ? 0 : FLAG.CBOW) | (o.cbowMean ? FLAG.CBOW_MEAN : 0) |
    (o.shrinkWindows ? FLAG.SHRINK_WINDOWS : 0) | (o.sample > 0 ? FLAG.SAMPLE : 0) | (o.sharedNegatives ? FLAG.MINIBATCH : 0) |
    (quantBits === 1 ? FLAG.QUANT1 : quantBits === 2 ? FLAG.QUANT2 : 0));
  a.f32(cfg + CFG.QLEVEL, 1)[0] = quantLevel;
}

/**
 * False when a weight table holds NaN or ±Infinity (the trainers' divergence check): `full` scans every row of every
 * table (epoch ends); otherwise the first and last rows of each, after every batch. Tables are [pointer, rows] of
 * `dim` floats a row; a null pointer or no rows is skipped.
 */
export function tablesFinite(k: Kernels, dim: number, tables: readonly (readonly [number, number])[], full: boolean): boolean {
  for (const [ptr, rows] of tables) {
    if (!ptr || rows <= 0) continue;
    if (full) {
      if (k.find_nonfinite_f32(ptr, rows * dim) >= 0) return false;
    } else if (k.find_nonfinite_f32(ptr, dim) >= 0 || k.find_nonfinite_f32(ptr + (rows - 1) * dim * 4, dim) >= 0) return false;
  }
  return true;
}
