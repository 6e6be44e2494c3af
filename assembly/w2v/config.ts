// The Word2Vec config block: TypeScript fills it (src/train/w2v-config.ts mirrors these offsets), the kernels read it.
// This is gensim's Word2VecConfig idea: one struct of pointers, sizes and state per worker, so kernels are
// re-entrant across threads. All offsets are in bytes; pointers are u32 addresses in linear memory.

export const CFG_SYN0: i32 = 0; // f32[vocab·dim] input vectors
export const CFG_SYN1NEG: i32 = 4; // f32[vocab·dim] output vectors for negative sampling
export const CFG_SYN1: i32 = 8; // f32[(vocab−1)·dim] inner-node vectors for hierarchical softmax
export const CFG_DIM: i32 = 12;
export const CFG_VOCAB: i32 = 16;
export const CFG_NEGATIVE: i32 = 20;
export const CFG_WINDOW: i32 = 24;
export const CFG_FLAGS: i32 = 28; // FLAG_* bits
export const CFG_NEG_TABLE: i32 = 32; // (u32 threshold, i32 alias)[vocab]: Walker alias table of unigram^0.75
export const CFG_NEG_TABLE_SIZE: i32 = 36; // entries in the alias table (= vocab size)
export const CFG_SAMPLE: i32 = 40; // u32[vocab] keep thresholds (keep when rand32 < thr)
export const CFG_CODES: i32 = 44; // u8[vocab·MAX_CODE_LENGTH] Huffman codes
export const CFG_POINTS: i32 = 48; // i32[vocab·MAX_CODE_LENGTH] Huffman inner-node indices
export const CFG_CODELENS: i32 = 52; // u8[vocab]
export const CFG_EXP_TABLE: i32 = 56; // f32[EXP_TABLE_SIZE] σ table
export const CFG_LOG_TABLE: i32 = 60; // f32[EXP_TABLE_SIZE] −log σ table
export const CFG_TOKENS: i32 = 64; // i32[] word ids of the batch (−1 = skip)
export const CFG_OFFSETS: i32 = 68; // i32[nsent+1] sentence starts in tokens
export const CFG_NSENT: i32 = 72;
export const CFG_SCRATCH: i32 = 76; // f32 neu1[dim], neu1e[dim], E[2·window·dim], G[(2·window+1)·(negative+1)], then i32 ids[maxSentence]
export const CFG_ALPHA: i32 = 80; // f32 learning rate for this batch
export const CFG_ALPHA_END: i32 = 84; // f32 learning rate at the end of this batch (linear within the batch)
export const CFG_RNG: i32 = 88; // u64 LCG state (word2vec.c's next_random)
export const CFG_LOSS: i32 = 96; // f64 accumulated loss (added to, never reset by kernels)
export const CFG_WORDS: i32 = 104; // f64 words kept after subsampling (added to)
export const CFG_PAIRS: i32 = 112; // f64 training examples (added to)
export const CFG_QLEVEL: i32 = 120; // f32 quantization-aware training: the quantizer's level L (0: Word2Bits' 1/3 or 1/4)
export const CFG_SIZE: i32 = 128;

export const FLAG_HS: i32 = 1;
export const FLAG_CBOW: i32 = 2;
export const FLAG_CBOW_MEAN: i32 = 4;
export const FLAG_SHRINK_WINDOWS: i32 = 8;
export const FLAG_SAMPLE: i32 = 16;
/** Skip-gram + negative sampling: share the negatives across a window (HogBatch). */
export const FLAG_MINIBATCH: i32 = 32;
/** Quantization-aware training (Word2Bits, Lam 2018): every read of a syn0/syn1neg/syn1 row in the forward and
 * backward pass sees Q(row) (1 bit: ±1/3; 2 bits: ±1/4 for |x| ≤ 1/2, else ±3/4); updates go to the float rows. */
export const FLAG_QUANT1: i32 = 64;
export const FLAG_QUANT2: i32 = 128;

/** Longest Huffman code (word2vec.c MAX_CODE_LENGTH). */
export const MAX_CODE_LENGTH: i32 = 40;
