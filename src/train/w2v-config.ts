// Mirror of assembly/w2v/config.ts (byte offsets of the Word2Vec config block). The trainer checks
// CFG_SIZE and MAX_CODE_LENGTH against the kernels' own values at start-up.
export const CFG = {
  SYN0: 0, SYN1NEG: 4, SYN1: 8, DIM: 12, VOCAB: 16, NEGATIVE: 20, WINDOW: 24, FLAGS: 28, NEG_TABLE: 32,
  NEG_TABLE_SIZE: 36, SAMPLE: 40, CODES: 44, POINTS: 48, CODELENS: 52, EXP_TABLE: 56, LOG_TABLE: 60, TOKENS: 64,
  OFFSETS: 68, NSENT: 72, SCRATCH: 76, ALPHA: 80, ALPHA_END: 84, RNG: 88, LOSS: 96, WORDS: 104, PAIRS: 112,
} as const;
export const CFG_SIZE = 128;
export const FLAG = { HS: 1, CBOW: 2, CBOW_MEAN: 4, SHRINK_WINDOWS: 8, SAMPLE: 16, MINIBATCH: 32 } as const;

/** Bytes of a worker's scratch area (see CFG_SCRATCH in assembly/w2v/config.ts). */
export function scratchBytes(dim: number, window: number, negative: number, maxSentenceLength: number): number {
  return (2 * dim + 2 * window * dim + (2 * window + 1) * (negative + 1)) * 4 + maxSentenceLength * 4 + 16;
}
export const MAX_CODE_LENGTH = 40;
