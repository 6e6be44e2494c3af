/** Signatures of the Word2Vec training kernels in assembly/w2v/. */
export interface W2vKernels {
  w2v_train_batch(cfg: number): void;
  w2v_train_batch_scalar(cfg: number): void;
  w2v_ns_step(cfg: number, h: number, e: number, target: number, alpha: number, simd: number): void;
  w2v_hs_step(cfg: number, h: number, e: number, word: number, alpha: number, simd: number): void;
  w2v_log_table_init(table: number, size: number, maxExp: number): void;
  /** The config block's layout entry i (offsets, size, MAX_CODE_LENGTH, flags; −1 past the end). */
  w2v_cfg_layout(i: number): number;
}
