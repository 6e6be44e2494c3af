// Options of Word2Vec and of its train() calls: names and defaults (gensim's, in camelCase), and their validation.
import { QuantextError, check } from '../errors.js';
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
  /**
   * Initial learning rate. Default 0.025. Values ≥ 1 (ALPHA_WARN) warn once: they make word2vec diverge, and a
   * training run whose loss or vectors become non-finite stops with E_DIVERGED naming the rate.
   */
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
  /**
   * Aborts training with QuantextError E_ABORTED (the signal's reason as `cause`): checked before each batch starts
   * and during the corpus passes, so train() settles within about one batch (batchWords) of work after the abort.
   * The model stays usable: the batches done are kept, and `model.schedule` records where training stopped (saved
   * with the model), so that `train(corpus, { resume: true })` continues from the next batch.
   */
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
export function resolveOptions(options: Word2VecOptions, who = 'Word2Vec'): ResolvedOptions {
  const o = { ...DEFAULTS, ...stripUndefined(options) } as any;
  delete o.runtime;
  validate(o, who);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: any = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) r[k] = v;
  return r;
}

/** Learning rates at or above this are certain to diverge on real corpora (one warning; the default is 0.025). */
export const ALPHA_WARN = 1;

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}' (a string)` : typeof v === 'function' ? 'a function' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}

/** Validators by kind; each throws E_OPTION naming `where: name` and what was given. */
function validators(o: any, where: string) {
  const fail = (name: string, want: string): never => {
    throw new QuantextError('E_OPTION', `${where}: ${name} must be ${want}, got ${describe(o[name])}`, { option: name, value: o[name] });
  };
  return {
    int(name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
      if (!(Number.isInteger(o[name]) && o[name] >= min && o[name] <= max)) fail(name, `an integer in [${min}, ${max}]`);
    },
    num(name: string, min: number, max: number): void {
      if (!(typeof o[name] === 'number' && Number.isFinite(o[name]) && o[name] >= min && o[name] <= max)) fail(name, `a finite number in [${min}, ${max}]`);
    },
    bool(name: string): void {
      if (typeof o[name] !== 'boolean') fail(name, 'true or false');
    },
    flag(name: string): void {
      if (!(o[name] === 0 || o[name] === 1 || o[name] === true || o[name] === false)) fail(name, '0/1 or a boolean');
    },
    fn(name: string): void {
      if (typeof o[name] !== 'function') fail(name, 'a function');
    },
  };
}

export function validate(o: any, who = 'Word2Vec'): void {
  const { int, num, bool, flag, fn } = validators(o, who);
  int('vectorSize', 1, 10000);
  int('window', 1, 1000);
  int('minCount', 1);
  int('negative', 0, 1000);
  int('epochs', 1, 100000);
  int('workers', 1, 1024);
  int('maxSentenceLength', 1, 1e7);
  int('batchWords', 1, 1e8);
  // the model's random streams are seeded from 32 bits: a larger seed would silently alias a smaller one
  int('seed', 0, 2 ** 32 - 1);
  num('sample', 0, 1);
  num('alpha', 0, 10);
  num('minAlpha', 0, 10);
  num('nsExponent', -10, 10);
  for (const b of ['hs', 'sg', 'cbowMean']) flag(b);
  bool('shrinkWindows');
  bool('sharedNegatives');
  check(o.cacheCorpus === 'auto' || typeof o.cacheCorpus === 'boolean', `${who}: cacheCorpus must be 'auto', true or false, got ${describe(o.cacheCorpus)}`, { option: 'cacheCorpus', value: o.cacheCorpus });
  if (o.tokenizer !== undefined) fn('tokenizer');
  check(o.negative > 0 || o.hs, `${who}: negative=0 with hs=0 trains nothing; enable negative sampling or hierarchical softmax`, { option: 'negative' });
  if (o.maxVocabSize != null) int('maxVocabSize', 1);
  if (o.maxFinalVocab != null) int('maxFinalVocab', 1);
  const known = new Set([...Object.keys(DEFAULTS), 'tokenizer', 'maxVocabSize', 'maxFinalVocab']);
  for (const k of Object.keys(o)) check(known.has(k), `${who}: unknown option '${k}'`, { option: k });
}

/** Checks the `runtime` option: a Runtime from init() or createRuntime(). */
export function validateRuntime(rt: unknown): void {
  const r = rt as Partial<Runtime> | null;
  check(
    typeof r === 'object' && r !== null && typeof r.arena === 'object' && r.arena !== null && typeof r.kernels === 'object' && r.kernels !== null,
    `Word2Vec: runtime must be a Runtime (from init() or createRuntime()), got ${describe(rt)}`,
    { option: 'runtime' },
  );
}

/**
 * A warning (console.warn, once per model) for learning rates that are valid numbers but certain to diverge:
 * alpha or minAlpha ≥ ALPHA_WARN. Returns the message, or undefined.
 */
export function learningRateWarning(o: ResolvedOptions): string | undefined {
  const bad = (['alpha', 'minAlpha'] as const).filter((k) => o[k] >= ALPHA_WARN);
  if (!bad.length) return undefined;
  return `quantext: Word2Vec ${bad.map((k) => `${k} = ${o[k]}`).join(', ')}: learning rates ≥ ${ALPHA_WARN} make word2vec diverge (the vectors become NaN and train() fails with E_DIVERGED); the default alpha is 0.025 (skip-gram) and 0.05 is common for CBOW`;
}

const TRAIN_KEYS = new Set(['onProgress', 'signal', 'epochs', 'totalEpochs', 'startEpoch', 'resume', 'progressInterval', 'totalWords']);

/** Validates the options of one train() call (types and ranges; their combination is checked where it is resolved). */
export function validateTrainOptions(options: unknown): void {
  check(typeof options === 'object' && options !== null && !Array.isArray(options), `train(): options must be an object, got ${describe(options)}`, { option: 'options' });
  const o = options as any;
  const { int, num, bool, fn } = validators(o, 'train()');
  for (const k of Object.keys(o)) check(TRAIN_KEYS.has(k), `train(): unknown option '${k}'`, { option: k });
  const has = (k: string) => o[k] !== undefined;
  if (has('onProgress')) fn('onProgress');
  if (has('signal')) {
    const s = o.signal;
    check(typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function',
      `train(): signal must be an AbortSignal, got ${describe(s)}`, { option: 'signal' });
  }
  if (has('epochs')) int('epochs', 1, 100000);
  if (has('startEpoch')) int('startEpoch', 0, 1e7);
  if (has('totalEpochs')) int('totalEpochs', 1, 1e7);
  if (has('totalWords')) int('totalWords', 1);
  if (has('resume')) bool('resume');
  if (has('progressInterval')) num('progressInterval', 0, 2 ** 31 - 1);
}
