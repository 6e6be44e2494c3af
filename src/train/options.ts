// Options of Word2Vec and of its train() calls: names and defaults (gensim's, in camelCase), and their validation.
import { check } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';

/** Options of Word2Vec. Names and defaults follow gensim's `Word2Vec` (camelCase). */
export interface Word2VecOptions {
  /** Dimensionality of the vectors (gensim vector_size). Default 100. */
  vectorSize?: number;
  /** Maximum distance between the current and a predicted word. Default 5. */
  window?: number;
  /** Ignore words with a total count below this. Default 5. */
  minCount?: number;
  /** Prune rare words during the vocabulary scan when more distinct words than this are held. Default none. */
  maxVocabSize?: number | null;
  /** Keep at most this many words (raising minCount as needed). Default none. */
  maxFinalVocab?: number | null;
  /** Downsampling threshold for frequent words; 0 disables. Default 1e-3. */
  sample?: number;
  /** Negative samples per positive example; 0 disables negative sampling. Default 5. */
  negative?: number;
  /** Exponent of the unigram distribution negatives are drawn from. Default 0.75. */
  nsExponent?: number;
  /** Hierarchical softmax (1/true) instead of or besides negative sampling. Default 0. */
  hs?: number | boolean;
  /** Skip-gram (1/true) or CBOW (0/false). Default 0 (CBOW), as gensim. */
  sg?: number | boolean;
  /** Initial learning rate. Default 0.025. */
  alpha?: number;
  /** Learning rate at the end of training (linear decay over all epochs). Default 0.0001. */
  minAlpha?: number;
  /** Passes over the corpus. Default 5. */
  epochs?: number;
  /**
   * Worker threads (Hogwild over one shared memory). Default 3, as gensim. 1 is deterministic. More than the host's
   * available parallelism is capped to it (one warning); where threads cannot start, training runs on one.
   */
  workers?: number;
  /** Seed of the initial vectors and of every random draw. Default 1. */
  seed?: number;
  /** Longer sentences are split into pieces of this many tokens (never silently truncated). Default 10000. */
  maxSentenceLength?: number;
  /** CBOW: average the context vectors (1) or sum them (0). Default 1. */
  cbowMean?: number | boolean;
  /** Draw a reduced window per word (word2vec's behaviour). Default true. */
  shrinkWindows?: boolean;
  /** Target tokens per batch handed to the kernel (gensim batch_words). Default 10000. */
  batchWords?: number;
  /**
   * Skip-gram with negative sampling: draw the negatives once per window and update the window as one small
   * block (HogBatch, Ji et al. 2016). Default true: 20–30 % faster at the same analogy and WordSim-353 scores on
   * Brown (docs/architecture.md). false gives word2vec.c's per-pair negatives exactly.
   */
  sharedNegatives?: boolean;
  /** Keep the corpus encoded in memory between epochs: 'auto' does so for corpora up to 20M tokens. */
  cacheCorpus?: 'auto' | boolean;
  /** Tokenizer for string sentences. Default: split on whitespace. */
  tokenizer?: (s: string) => string[];
  /** Runtime to train in (default: the one `init()` made). */
  runtime?: Runtime;
}

export interface TrainProgress {
  /** 0-based epoch in progress, counted in the learning-rate schedule (startEpoch + epochs of this call done) */
  epoch: number;
  /** the epoch this call ends at (startEpoch + its epochs) */
  epochs: number;
  /** 0..1 over this call */
  progress: number;
  alpha: number;
  /** raw corpus tokens per second so far */
  wordsPerSecond: number;
  /** raw corpus tokens processed so far in this train() call */
  words: number;
  /** summed loss of the current epoch so far (float64) */
  loss: number;
  /** set on the call made at the end of an epoch */
  epochEnd?: boolean;
}

export interface TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  /** Aborts training between batches with QuantextError E_ABORTED. */
  signal?: AbortSignal;
  /** Override the epoch count for this call. */
  epochs?: number;
  /**
   * The learning rate decays from alpha to minAlpha over this many epochs (default: this call's epochs). With
   * `startEpoch`, a call trains a part of a longer schedule: `train(c, { epochs: 2, totalEpochs: 5 })` then
   * `train(c, { startEpoch: 2, epochs: 3, totalEpochs: 5 })` equals `train(c, { epochs: 5 })`.
   */
  totalEpochs?: number;
  /** The epoch of the schedule this call starts at (default 0). */
  startEpoch?: number;
  /**
   * Continue the schedule an earlier call left unfinished (`model.schedule`, saved with the model): starts at
   * its next epoch and trains the epochs left, unless `epochs` says how many.
   */
  resume?: boolean;
  /** Minimum milliseconds between onProgress calls (end-of-epoch calls always happen). Default 200. */
  progressInterval?: number;
  /**
   * Raw tokens in `corpus` when it is not the corpus the vocabulary was built from (gensim's total_words): the
   * learning rate decays over them. Without it, such a corpus is counted in one extra pass.
   */
  totalWords?: number;
}

export interface TrainResult {
  /** raw corpus tokens × epochs */
  words: number;
  /** tokens kept after subsampling, over all epochs */
  effectiveWords: number;
  seconds: number;
  wordsPerSecond: number;
  epochs: number;
  threads: number;
  /** tokens each thread trained (after subsampling), over all epochs: every entry > 0 when every thread worked */
  threadWords: number[];
  /** loss of each epoch (float64 sums) */
  epochLoss: number[];
  /** loss of the last epoch divided by its training examples */
  loss: number;
}

const DEFAULTS = {
  vectorSize: 100, window: 5, minCount: 5, maxVocabSize: null, maxFinalVocab: null, sample: 1e-3, negative: 5, nsExponent: 0.75,
  hs: 0, sg: 0, alpha: 0.025, minAlpha: 0.0001, epochs: 5, workers: 3, seed: 1, maxSentenceLength: 10000, cbowMean: 1,
  shrinkWindows: true, batchWords: 10000, cacheCorpus: 'auto' as 'auto' | boolean, sharedNegatives: true,
};

/** The options a model runs with: every default filled in. */
export type ResolvedOptions = Required<Omit<Word2VecOptions, 'runtime' | 'tokenizer' | 'maxVocabSize' | 'maxFinalVocab'>> &
  Pick<Word2VecOptions, 'tokenizer' | 'maxVocabSize' | 'maxFinalVocab'>;

/** Fills in the defaults and validates (E_OPTION naming the option). */
export function resolveOptions(options: Word2VecOptions): ResolvedOptions {
  const o = { ...DEFAULTS, ...stripUndefined(options) } as any;
  delete o.runtime;
  validate(o);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: any = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) r[k] = v;
  return r;
}

export function validate(o: any): void {
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
    check(Number.isInteger(o[name]) && o[name] >= min && o[name] <= max, `Word2Vec: ${name} must be an integer in [${min}, ${max}], got ${o[name]}`, { option: name });
  const num = (name: string, min: number, max: number) =>
    check(typeof o[name] === 'number' && Number.isFinite(o[name]) && o[name] >= min && o[name] <= max, `Word2Vec: ${name} must be a number in [${min}, ${max}], got ${o[name]}`, { option: name });
  int('vectorSize', 1, 10000);
  int('window', 1, 1000);
  int('minCount', 1);
  int('negative', 0, 1000);
  int('epochs', 1, 100000);
  int('workers', 1, 1024);
  int('maxSentenceLength', 1, 1e7);
  int('batchWords', 1, 1e8);
  check(Number.isInteger(o.seed), `Word2Vec: seed must be an integer, got ${o.seed}`, { option: 'seed' });
  num('sample', 0, 1);
  num('alpha', 0, 10);
  num('minAlpha', 0, 10);
  num('nsExponent', -10, 10);
  for (const b of ['hs', 'sg', 'cbowMean']) {
    check(o[b] === 0 || o[b] === 1 || o[b] === true || o[b] === false, `Word2Vec: ${b} must be 0/1 or a boolean, got ${o[b]}`, { option: b });
  }
  check(o.negative > 0 || o.hs, 'Word2Vec: negative=0 with hs=0 trains nothing; enable negative sampling or hierarchical softmax', { option: 'negative' });
  if (o.maxVocabSize != null) int('maxVocabSize', 1);
  if (o.maxFinalVocab != null) int('maxFinalVocab', 1);
  const known = new Set([...Object.keys(DEFAULTS), 'tokenizer', 'maxVocabSize', 'maxFinalVocab']);
  for (const k of Object.keys(o)) check(known.has(k), `Word2Vec: unknown option '${k}'`, { option: k });
}
