/** Signatures of the Word2Vec training kernels in assembly/w2v/. */
export interface W2vKernels {
  w2v_train_batch(cfg: number): void;
  /** The scalar builds only (a SIMD build traps): the whole-batch oracle. */
  w2v_train_batch_scalar(cfg: number): void;
  w2v_ns_step(cfg: number, h: number, e: number, target: number, alpha: number, simd: number): void;
  w2v_hs_step(cfg: number, h: number, e: number, word: number, alpha: number, simd: number): void;
  w2v_log_table_init(table: number, size: number, maxExp: number): void;
  /** The config block's layout entry i (offsets, size, MAX_CODE_LENGTH, flags; −1 past the end). */
  w2v_cfg_layout(i: number): number;
  /** Compacts, remaps, splits and cuts an encoded corpus into batches (see assembly/w2v/train.ts). */
  w2v_cache_corpus(src: number, n: number, ends: number, nends: number, remap: number, maxLen: number, batchWords: number, dst: number, offsets: number, batches: number, out: number): void;
  /** word2vec.c-style initial input vectors from a seeded xorshift32 stream. */
  w2v_init_rows(ptr: number, n: number, start: number, seed: number, dim: number): void;
}
