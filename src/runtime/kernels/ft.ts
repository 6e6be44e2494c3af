/** Signatures of the FastText training kernels in assembly/ft/. */
export interface FtKernels {
  /** One batch of sentences described by a FastText config block (Word2Vec's block + FT_SUB_OFFSETS, FT_SUB_ROWS). */
  ft_train_batch(cfg: number): void;
  ft_train_batch_scalar(cfg: number): void;
  /** f32[n] at p ← uniform in [−scale, scale) from the xorshift32 stream seeded with `seed`. */
  ft_init_uniform(p: number, n: number, seed: number, scale: number): void;
  /** The FastText config block's own layout entry i (FT_SUB_OFFSETS, FT_SUB_ROWS, FT_CFG_SIZE; −1 past the end). */
  ft_cfg_layout(i: number): number;
  /** fastText supervised training: lines [LINE0, LINE1) of the encoded corpus in the config block at `cfg` (assembly/ft/supervised.ts). */
  sup_train_batch(cfg: number): void;
  sup_train_batch_scalar(cfg: number): void;
  /** The supervised config block's layout entry i (field offsets, then its size; −1 past the end). */
  sup_cfg_layout(i: number): number;
  /** Rows [r0, r1) of a rows×dim f32 matrix at src quantized (QAT: bits 1, 2, 4, 8) into dst as exact s·q, s per row into scales. */
  qat_quantize_per_row(src: number, dst: number, scales: number, r0: number, r1: number, dim: number, bits: number): void;
  /** f32[n] at p: entries whose mask byte is 0 set to 0. */
  mask_zero(p: number, mask: number, n: number): void;
  /** Row i of dst ← mean of the src rows listed at rows[offsets[i] … offsets[i+1]) (fastText's word vectors). */
  ft_mean_rows_gather(src: number, srcStride: number, rows: number, offsets: number, n: number, dim: number, dst: number, dstStride: number): void;
  ft_mean_rows_gather_scalar(src: number, srcStride: number, rows: number, offsets: number, n: number, dim: number, dst: number, dstStride: number): void;
}

/** Signatures of the fastText prediction kernels in assembly/ft/predict.ts (state block: src/fasttext/predictor.ts). */
export interface FtPredictKernels {
  /** Predicts the lines of src[state.pos .. len); returns how many lines were done (state.pos moves on). */
  ft_predict_batch(st: number, src: number, len: number): number;
  ft_predict_batch_scalar(st: number, src: number, len: number): number;
  /** The lookup of entries 0 … n−1 of the state's pool: with recs 0, the bytes their records need; with recs, writes them there and fills the (zeroed) table. */
  ft_dict_build(st: number, n: number, recs: number): number;
  ft_pq_decode(codes: number, nsub: number, dsub: number, codebook: number, normCodes: number, normCodebook: number, rows: number, dim: number, out: number): void;
  /** Bytes of the state block. */
  ft_predict_state_size(): number;
}
// merged into FtKernels, so Kernels (./index.ts) has them
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FtKernels extends FtPredictKernels {}
