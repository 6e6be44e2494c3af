/** Signatures of the FastText training kernels in assembly/ft/. */
export interface FtKernels {
  /** One batch of sentences described by a FastText config block (Word2Vec's block + FT_SUB_OFFSETS, FT_SUB_ROWS). */
  ft_train_batch(cfg: number): void;
  ft_train_batch_scalar(cfg: number): void;
  /** f32[n] at p ← uniform in [−scale, scale) from the xorshift32 stream seeded with `seed`. */
  ft_init_uniform(p: number, n: number, seed: number, scale: number): void;
  /** The FastText config block's own layout entry i (FT_SUB_OFFSETS, FT_SUB_ROWS, FT_CFG_SIZE; −1 past the end). */
  ft_cfg_layout(i: number): number;
  /** Row i of dst ← mean of the src rows listed at rows[offsets[i] … offsets[i+1]) (fastText's word vectors). */
  ft_mean_rows_gather(src: number, srcStride: number, rows: number, offsets: number, n: number, dim: number, dst: number, dstStride: number): void;
  ft_mean_rows_gather_scalar(src: number, srcStride: number, rows: number, offsets: number, n: number, dim: number, dst: number, dstStride: number): void;
}
