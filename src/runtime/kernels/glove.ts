/**
 * Signatures of the GloVe kernels in assembly/glove/ (pointers are byte addresses; counts are elements). The
 * co-occurrence table has 1 << logCap slots of 16 bytes (u32 i, u32 j, f64 x; i = 0xFFFFFFFF marks an empty slot);
 * training records are 16 bytes (u32 i, u32 j, f32 log x, f32 f(x)).
 */
export interface GloveKernels {
  /**
   * cooccur.c's weighted count over ids[from, to) (words ≥ 0, −2 = sentence break; ids before `from` are context
   * only). flags: 1 symmetric, 2 weight 1/distance. Stops before a word that could take the table past `limit`
   * entries and returns where it stopped (`to` when done); the entry count is the i32 at `state`.
   */
  glove_cooccur(table: number, logCap: number, state: number, ids: number, from: number, to: number, window: number, flags: number, limit: number): number;
  /** Moves every cell of a table of oldCap slots into an empty table of 1 << logCap slots. */
  glove_rehash(old: number, oldCap: number, table: number, logCap: number): void;
  /** Packs a table of `cap` slots into training records in place (f = 1 above xMax, else (x/xMax)^alpha); returns how many. */
  glove_compact(table: number, cap: number, logXMax: number, alpha: number): number;
  /** Fisher–Yates shuffle of n 16-byte records with the u64 xorshift64* state at `rng` (advanced). */
  glove_shuffle(recs: number, n: number, rng: number): void;
  /**
   * One AdaGrad pass of glove.c over n records. params/grads: f32 blocks W[V·dim], W̃[V·dim], b[V], b̃[V];
   * scratch f32[2·dim]; adds the cost to the f64 at out and the non-finite updates skipped to the f64 at out + 8.
   */
  glove_train(recs: number, n: number, params: number, grads: number, vocab: number, dim: number, eta: number, clip: number, scratch: number, out: number): void;
  glove_train_scalar(recs: number, n: number, params: number, grads: number, vocab: number, dim: number, eta: number, clip: number, scratch: number, out: number): void;
}
