// FastText embeddings (Bojanowski et al. 2017): Word2Vec's skip-gram and CBOW where a word's input vector is the
// mean of its own row and its character n-gram rows, hashed into `bucket` rows with fastText's FNV-1a. The training
// state reuses Word2Vec's machinery by composition: its vocabulary pass, sampling and negative tables, config block
// (extended by two fields, assembly/ft/train.ts), batch scheduler and worker pool. The vectors live in a
// FastTextKeyedVectors over fastText's input matrix (nwords word rows, then the bucket n-gram rows).
import { QuantextError, check } from '../errors.js';
import { startThreads, registerPool, terminatePool, type PoolBox } from './threads.js';
import { disposeSymbol } from '../runtime/handle.js';
import { init, type Runtime } from '../runtime/runtime.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { FastTextKeyedVectors } from '../fasttext/keyed.js';
import { openCorpus, isIdCorpus, idCorpusEnds, encodeIdCorpus, type CorpusInput, type IdCorpus } from './corpus.js';
import { VocabBuilder, sampleThresholds, aliasTable, huffmanAnyOrder, type CountedVocab, type EncodedCorpus } from './vocab.js';
import { CFG, MAX_CODE_LENGTH, checkConfigLayout, cfgBlock, fillConfig, tablesFinite } from './w2v-config.js';
import { TrainMemory } from './memory.js';
import { CACHE_LIMIT } from './corpus-cache.js';
import { Slots, runEpochs, abortableCorpus, throwIfAborted } from './scheduler.js';
import { resolveOptions, validateTrainOptions, type ResolvedOptions, type Word2VecOptions, type TrainOptions, type TrainResult } from './options.js';
import type { Kernels } from '../runtime/kernels/index.js';
import type { TrainSchedule } from './word2vec.js';
import { encodeModel, decodeModel, readModelBytes, fromSavedOptions, savedVocab, FASTTEXT_MODEL_FORMAT } from './model-file.js';
import { writeFileViaHost } from '../io/lines.js';

/** Options of FastText: Word2Vec's (gensim's names and defaults) plus the character n-grams. */
export interface FastTextOptions extends Word2VecOptions {
  /** Shortest character n-gram (fastText -minn, gensim min_n). Default 3. */
  minN?: number;
  /** Longest character n-gram (fastText -maxn, gensim max_n); 0 = no n-grams (plain Word2Vec vectors). Default 6. */
  maxN?: number;
  /**
   * Hash buckets for the n-grams (fastText -bucket, gensim bucket). Default 2,000,000: the bucket matrix then holds
   * 2M × vectorSize floats (800 MB at 100 dimensions; see {@link FastText.estimateMemory}). Smaller is allowed.
   * With `sharedNegatives` (default true) skip-gram scores a whole window against one hidden vector per center word
   * and updates its n-gram rows once (a minibatch of the window's pairs); false trains exactly as fastText does.
   */
  bucket?: number;
}

export type ResolvedFastTextOptions = ResolvedOptions & { minN: number; maxN: number; bucket: number };

const FT_DEFAULTS = { minN: 3, maxN: 6, bucket: 2_000_000 };

/** FT_* entries of the config block (assembly/ft/train.ts): after Word2Vec's 128 bytes. */
export const FT_CFG = { SUB_OFFSETS: 128, SUB_ROWS: 132 } as const;
export const FT_CFG_SIZE = 144;

/** Compares the FastText config block's own entries with the kernels' (E_WASM on a mismatch). */
export function checkFtConfigLayout(k: Pick<Kernels, 'ft_cfg_layout'>): void {
  if (typeof k.ft_cfg_layout !== 'function') throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext (no ft_cfg_layout)');
  const want = [FT_CFG.SUB_OFFSETS, FT_CFG.SUB_ROWS, FT_CFG_SIZE];
  want.forEach((v, i) => {
    const got = k.ft_cfg_layout(i);
    if (got !== v) throw new QuantextError('E_WASM', `the wasm build does not match this version of quantext: FastText config entry ${i} is ${got} in wasm, ${v} here`);
  });
  if (k.ft_cfg_layout(want.length) !== -1) throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext: its FastText config has more entries');
}

/** Bytes of a FastText worker's scratch area: neu1, neu1e (dim floats each), then the sentence's ids. */
export function ftScratchBytes(dim: number, maxSentenceLength: number): number {
  return 2 * dim * 4 + maxSentenceLength * 4 + 16;
}

/** Validates the n-gram options (E_OPTION naming the option). */
function resolveFtOptions(options: FastTextOptions): ResolvedFastTextOptions {
  const { minN, maxN, bucket, ...w2v } = options;
  const ft = { minN: minN ?? FT_DEFAULTS.minN, maxN: maxN ?? FT_DEFAULTS.maxN, bucket: bucket ?? FT_DEFAULTS.bucket };
  const int = (name: keyof typeof ft, min: number, max: number) =>
    check(Number.isInteger(ft[name]) && ft[name] >= min && ft[name] <= max, `FastText: ${name} must be an integer in [${min}, ${max}], got ${ft[name]}`, { option: name });
  int('minN', 1, 100);
  int('maxN', 0, 100);
  int('bucket', 0, 0x7fffffff);
  check(ft.maxN === 0 || ft.maxN >= ft.minN, `FastText: maxN (${ft.maxN}) must be ≥ minN (${ft.minN}), or 0 for no n-grams`, { option: 'maxN' });
  check(ft.maxN === 0 || ft.bucket >= 1, 'FastText: bucket must be ≥ 1 when maxN > 0', { option: 'bucket' });
  check(!('quantize' in w2v), 'FastText: quantize (quantization-aware training) is a Word2Vec option; FastText trains float vectors: quantize them after training (model.wv.quantize(...))', { option: 'quantize' });
  const o = resolveOptions(w2v, 'FastText') as ResolvedFastTextOptions;
  const inputBytes = ft.bucket * o.vectorSize * 4;
  check(inputBytes < 2 ** 32, `FastText: bucket × vectorSize × 4 = ${inputBytes} bytes cannot fit wasm32 memory (4 GiB); use a smaller bucket`, { option: 'bucket' });
  return Object.assign(o, ft);
}

/** What {@link FastText.estimateMemory} counts. */
export interface FastTextMemoryEstimate {
  /** the word rows of the input matrix (vocab × dim floats) */
  vectors: number;
  /** the n-gram bucket rows (bucket × dim floats): usually most of the total */
  ngrams: number;
  /** the words' final vectors (mean of each bag), the KeyedVectors matrix */
  wordVectors: number;
  syn1neg: number;
  syn1: number;
  /** sampling, negative and Huffman tables */
  tables: number;
  /** the words' bag lists (CSR, in wasm memory) */
  subwords: number;
  total: number;
  [k: string]: number;
}



/**
 * FastText embeddings: skip-gram or CBOW over each word's row and its character n-gram rows, with negative sampling
 * and/or hierarchical softmax, trained in wasm (multi-threaded over shared memory as Word2Vec). `wv` is a
 * FastTextKeyedVectors: `wv.get('unseenword')` is the mean of its n-gram rows.
 *
 * ```ts
 * const model = new FastText({ vectorSize: 100, minCount: 1, minN: 3, maxN: 6, bucket: 200_000, sg: 1 });
 * await model.train(sentences);
 * model.wv.get('unseenword'); // Float32Array(100)
 * ```
 */
export class FastText {
  readonly opts: ResolvedFastTextOptions;
  vocab?: CountedVocab;
  epochLoss: number[] = [];
  private runtimeOpt?: Runtime;
  private mem?: TrainMemory;
  private input?: DenseMatrix;
  private syn1negPtr = 0;
  private syn1Ptr = 0;
  private tablePtrs: number[] = [];
  private tablesReady = false;
  private cfgMain = 0;
  private sharedFields: Record<number, number> = {};
  private _wv?: FastTextKeyedVectors;
  private rng = 0n;
  private sched: TrainSchedule = { done: 0, total: 0 };
  /** raw tokens of one epoch of the corpus the schedule runs over (saved with a checkpoint, checked on resume) */
  private schedWords?: number;
  private training = false;
  /** inside an onProgress call at a batch boundary where the kernels are idle: toBytes() may save a checkpoint */
  private savable = false;
  private disposeRequested = false;
  private disposed = false;
  private threadsBox: PoolBox = {};
  private vocabCorpus?: CorpusInput;
  private pre?: { corpus: CorpusInput; encoded: EncodedCorpus };

  constructor(options: FastTextOptions = {}) {
    this.runtimeOpt = options.runtime;
    this.opts = resolveFtOptions(options);
    this.rng = BigInt(this.opts.seed >>> 0);
    registerPool(this, this.threadsBox);
  }

  /** Trains a new model: `await FastText.fit(corpus, options)`. */
  static async fit(corpus: CorpusInput | IdCorpus, options: FastTextOptions = {}, train: TrainOptions = {}): Promise<FastText> {
    const m = new FastText(options);
    try {
      await m.train(corpus, train);
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  /**
   * Bytes of wasm memory a model with these options needs for `vocabSize` words, before anything is allocated
   * (gensim's estimate_memory): the bucket matrix (bucket × vectorSize × 4 bytes) dominates. Throws E_OPTION for
   * bad options. `subwordsPerWord` is the mean bag size assumed (default 20).
   */
  static estimateMemory(options: FastTextOptions = {}, vocabSize = 0, subwordsPerWord = 20): FastTextMemoryEstimate {
    const o = resolveFtOptions(options);
    const V = vocabSize, d = o.vectorSize;
    const ngramRows = o.maxN > 0 ? o.bucket : 0;
    const r: FastTextMemoryEstimate = {
      vectors: V * d * 4,
      ngrams: ngramRows * d * 4,
      wordVectors: V * d * 4,
      syn1neg: o.negative > 0 ? V * d * 4 : 0,
      syn1: o.hs ? Math.max(0, V - 1) * d * 4 : 0,
      tables: V * 4 + (o.negative > 0 ? V * 8 : 0) + (o.hs ? V * MAX_CODE_LENGTH * 5 + V : 0),
      subwords: (V + 1) * 4 + V * (o.maxN > 0 ? subwordsPerWord : 1) * 4,
      total: 0,
    };
    r.total = r.vectors + r.ngrams + r.wordVectors + r.syn1neg + r.syn1 + r.tables + r.subwords;
    return r;
  }

  /** {@link FastText.estimateMemory} for this model's options (and its vocabulary once built). */
  estimateMemory(vocabSize = this.vocab?.words.length ?? 0): FastTextMemoryEstimate {
    const { tokenizer, ...o } = this.opts;
    const mean = this._wv ? this._wv.subwords.rows.length / Math.max(1, this._wv.size) : 20;
    return FastText.estimateMemory(o, vocabSize, mean);
  }

  get rt(): Runtime {
    this.alive();
    if (!this.mem) throw new QuantextError('E_NOT_INITIALIZED', 'the model has no memory yet: call buildVocab() or train() first');
    return this.mem.rt;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Where the learning-rate schedule stands: `done` of `total` epochs, and for a checkpoint inside epoch `done` the
   * batches trained and the raw tokens they cover (saved with the model; see TrainOptions.resume).
   */
  get schedule(): TrainSchedule {
    return { ...this.sched };
  }

  /** The vectors: words (mean of each word's bag) and the n-gram table. Throws before buildVocab(). */
  get wv(): FastTextKeyedVectors {
    this.alive();
    if (!this._wv) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: call buildVocab() or train() first');
    return this._wv;
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'FastText was used after dispose()');
  }

  private async memory(): Promise<TrainMemory> {
    this.alive();
    if (!this.mem) {
      const rt = this.runtimeOpt ?? (await init());
      this.alive();
      if (!this.mem) {
        checkConfigLayout(rt.kernels);
        checkFtConfigLayout(rt.kernels);
        this.mem = new TrainMemory(rt);
      }
    }
    return this.mem;
  }

  /** One pass over the corpus to count words; allocates and initialises the input matrix and the output rows. */
  async buildVocab(corpus: CorpusInput | IdCorpus): Promise<CountedVocab> {
    this.alive();
    const mem = await this.memory();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is running on this model; await it first');
    this.training = true;
    try {
      return await this.scanVocab(mem, corpus);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose();
    }
  }

  private async scanVocab(mem: TrainMemory, corpus: CorpusInput | IdCorpus, signal?: AbortSignal): Promise<CountedVocab> {
    if (this.vocab) throw new QuantextError('E_OPTION', 'buildVocab() was already called on this model');
    const vb = new VocabBuilder({
      minCount: this.opts.minCount, maxVocabSize: this.opts.maxVocabSize, maxFinalVocab: this.opts.maxFinalVocab,
      encodeLimit: this.opts.cacheCorpus === false ? 0 : CACHE_LIMIT,
      runtime: mem.rt, // a file or strings with the default tokenizer are counted in wasm (TextScanner)
      deferRemap: true, // the corpus cache maps the slots in wasm
    });
    if (isIdCorpus(corpus)) {
      if (!corpus.words) throw new QuantextError('E_OPTION', 'buildVocab() of an id corpus needs its words: { ids, words }');
      vb.addIds(corpus.ids, corpus.words, idCorpusEnds(corpus).length);
    } else {
      await vb.addCorpus(abortableCorpus(openCorpus(corpus, this.opts.tokenizer), signal));
    }
    this.vocabCorpus = corpus as CorpusInput;
    const { encoded, ...found } = vb.finish();
    this.pre = encoded ? { corpus: corpus as CorpusInput, encoded } : undefined;
    if (found.words.length === 0) throw new QuantextError('E_EMPTY', `no word reaches minCount ${this.opts.minCount}: the vocabulary is empty`);
    this.vocab = found;
    this.allocate(mem);
    return this.vocab;
  }

  /** Allocates the input matrix and output rows: initialised as fastText does, or (a loaded model) the saved ones. */
  private allocate(mem: TrainMemory, weights?: { syn0: Float32Array; syn1neg?: Float32Array; syn1?: Float32Array }): void {
    const rt = mem.rt, o = this.opts;
    const V = this.vocab!.words.length, d = o.vectorSize;
    const ngramRows = o.maxN > 0 ? o.bucket : 0;
    check((V + ngramRows) * d * 4 < 2 ** 32, `FastText: (${V} words + ${ngramRows} buckets) × ${d} floats cannot fit wasm32 memory; use a smaller bucket`, { option: 'bucket' });
    this.input = new DenseMatrix(V + ngramRows, d, { rt, zero: false });
    // fastText: uniform(−1/dim, 1/dim) over the whole input matrix; output rows zero
    if (weights) this.input.data().set(weights.syn0);
    else rt.kernels.ft_init_uniform(this.input.ptr, (V + ngramRows) * d, (o.seed ^ 0x9e3779b9) >>> 0, 1 / d);
    if (o.negative > 0) this.syn1negPtr = mem.alloc(V * d * 4, true);
    if (o.hs && V > 1) this.syn1Ptr = mem.alloc((V - 1) * d * 4, true);
    if (this.syn1negPtr && weights?.syn1neg) rt.arena.f32(this.syn1negPtr, V * d).set(weights.syn1neg);
    if (this.syn1Ptr && weights?.syn1) rt.arena.f32(this.syn1Ptr, (V - 1) * d).set(weights.syn1);
    this._wv = new FastTextKeyedVectors(this.vocab!.words, this.input, {
      minn: o.minN, maxn: o.maxN, bucket: o.maxN > 0 ? o.bucket : 0, counts: this.vocab!.counts, ownsInput: false,
    });
  }

  private own(mem: TrainMemory, bytes: number, zero = false): number {
    const p = mem.alloc(bytes, zero);
    this.tablePtrs.push(p);
    return p;
  }

  private prepareTables(mem: TrainMemory): void {
    if (this.tablesReady) return;
    const rt = mem.rt, k = rt.kernels, a = rt.arena, o = this.opts, v = this.vocab!;
    const V = v.words.length;
    const h = o.hs ? huffmanAnyOrder(v.counts, MAX_CODE_LENGTH) : undefined;
    const samplePtr = this.own(mem, V * 4);
    a.u32(samplePtr, V).set(sampleThresholds(v, o.sample));
    let tablePtr = 0, tableSize = 0;
    if (o.negative > 0) {
      tableSize = V;
      const t = aliasTable(v.counts, o.nsExponent);
      tablePtr = this.own(mem, V * 8);
      a.u32(tablePtr, V * 2).set(t);
    }
    let codesPtr = 0, pointsPtr = 0, lensPtr = 0;
    if (h) {
      codesPtr = this.own(mem, h.codes.length);
      a.u8(codesPtr, h.codes.length).set(h.codes);
      pointsPtr = this.own(mem, h.points.length * 4);
      a.i32(pointsPtr, h.points.length).set(h.points);
      lensPtr = this.own(mem, h.lengths.length);
      a.u8(lensPtr, h.lengths.length).set(h.lengths);
    }
    const n = k.exp_table_size();
    const logPtr = this.own(mem, n * 4);
    k.w2v_log_table_init(logPtr, n, k.max_exp());
    // the bags (CSR): word i's rows, its own first, then its n-gram rows
    const sw = this._wv!.subwords;
    const offPtr = this.own(mem, sw.offsets.length * 4);
    a.i32(offPtr, sw.offsets.length).set(sw.offsets);
    const rowsPtr = this.own(mem, Math.max(4, sw.rows.length * 4));
    a.i32(rowsPtr, sw.rows.length).set(sw.rows);
    this.sharedFields = {
      [CFG.SYN0]: this.input!.ptr, [CFG.SYN1NEG]: this.syn1negPtr, [CFG.SYN1]: this.syn1Ptr, [CFG.NEG_TABLE]: tablePtr,
      [CFG.NEG_TABLE_SIZE]: tableSize, [CFG.SAMPLE]: samplePtr, [CFG.CODES]: codesPtr, [CFG.POINTS]: pointsPtr,
      [CFG.CODELENS]: lensPtr, [CFG.EXP_TABLE]: rt.sigmoidTable(), [CFG.LOG_TABLE]: logPtr,
      [FT_CFG.SUB_OFFSETS]: offPtr, [FT_CFG.SUB_ROWS]: rowsPtr,
    };
    const cfg = this.newCfg(mem, true);
    this.fillCfg(rt, cfg);
    this.cfgMain = cfg;
    this.tablesReady = true;
  }

  private newCfg(mem: TrainMemory, owned = false): number {
    const o = this.opts;
    const alloc = (b: number, z = false) => (owned ? this.own(mem, b, z) : mem.alloc(b, z));
    const cfg = alloc(FT_CFG_SIZE, true);
    const scratch = alloc(ftScratchBytes(o.vectorSize, o.maxSentenceLength));
    cfgBlock.setU32(mem.rt, cfg, CFG.SCRATCH, scratch);
    return cfg;
  }

  private fillCfg(rt: Runtime, cfg: number): void {
    fillConfig(rt, cfg, this.sharedFields, this.opts, this.vocab!.words.length);
  }


  private threads(rt: Runtime): Promise<number> {
    return startThreads(rt, 'FastText', this.opts.workers, this.threadsBox);
  }

  /**
   * Trains on `corpus` (building the vocabulary first if needed), with Word2Vec's schedule and TrainOptions; then
   * recomputes the words' vectors (`wv`). Resolves with a summary.
   */
  async train(corpus: CorpusInput | IdCorpus, options: TrainOptions = {}): Promise<TrainResult> {
    this.alive();
    validateTrainOptions(options);
    if (this.training) throw new QuantextError('E_BUSY', 'train() is already running on this model; await it first');
    this.training = true;
    try {
      return await this.trainOnce(corpus, options);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose();
    }
  }

  private async trainOnce(corpus: CorpusInput | IdCorpus, options: TrainOptions): Promise<TrainResult> {
    throwIfAborted(options.signal);
    const mem = await this.memory();
    if (!this.vocab) await this.scanVocab(mem, corpus, options.signal);
    const o = this.opts, v = this.vocab!, rt = mem.rt;
    let startEpoch = options.startEpoch ?? 0;
    let epochs = options.epochs ?? o.epochs;
    let totalEpochs = options.totalEpochs;
    let skip: { batches: number; words: number } | undefined;
    if (options.resume) {
      check(this.sched.done < this.sched.total, `resume: the model's schedule is finished (${this.sched.done} of ${this.sched.total} epochs)`, { option: 'resume' });
      // resuming continues the saved schedule: another total or start would not give the uninterrupted run
      check(options.totalEpochs === undefined || options.totalEpochs === this.sched.total,
        `resume: totalEpochs ${options.totalEpochs} differs from the checkpoint's schedule of ${this.sched.total} epochs`, { option: 'totalEpochs' });
      check(options.startEpoch === undefined || options.startEpoch === this.sched.done,
        `resume: startEpoch ${options.startEpoch} differs from the checkpoint, which stands in epoch ${this.sched.done}`, { option: 'startEpoch' });
      startEpoch = this.sched.done;
      // a checkpoint inside an epoch: that epoch's first batches are skipped
      if (this.sched.batch) skip = { batches: this.sched.batch, words: this.sched.words ?? 0 };
      totalEpochs = this.sched.total;
      epochs = options.epochs ?? totalEpochs - startEpoch;
    }
    totalEpochs ??= startEpoch + epochs;
    check(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000, `epochs must be an integer in [1, 100000], got ${epochs}`, { option: 'epochs' });
    check(Number.isInteger(startEpoch) && startEpoch >= 0, `startEpoch must be a non-negative integer, got ${startEpoch}`, { option: 'startEpoch' });
    check(Number.isInteger(totalEpochs) && totalEpochs >= startEpoch + epochs && totalEpochs <= 1e7,
      `totalEpochs must be an integer ≥ startEpoch + epochs (${startEpoch + epochs}), got ${totalEpochs}`, { option: 'totalEpochs' });

    let encoded: EncodedCorpus | undefined;
    let corpusWords: number;
    const c = isIdCorpus(corpus) ? undefined : abortableCorpus(openCorpus(corpus, o.tokenizer), options.signal);
    if (isIdCorpus(corpus)) {
      encoded = encodeIdCorpus(corpus, this.vocab!.index, this.vocab!.words.length);
      corpusWords = corpus.ids.length;
    } else {
      if (this.pre && this.pre.corpus === corpus) encoded = this.pre.encoded;
      corpusWords = v.totalWords;
      if (corpus !== this.vocabCorpus) {
        if (options.totalWords !== undefined) {
          check(Number.isInteger(options.totalWords) && options.totalWords > 0, `totalWords must be a positive integer, got ${options.totalWords}`, { option: 'totalWords' });
          corpusWords = options.totalWords;
        } else {
          corpusWords = 0;
          for await (const sent of c!.sentences() as AsyncIterable<string[]>) corpusWords += sent.length;
        }
      }
    }
    // the schedule decays over the tokens of the corpus it started on: another corpus cannot continue it
    if (options.resume && this.schedWords !== undefined && corpusWords !== this.schedWords) {
      throw new QuantextError('E_OPTION', `resume: the checkpoint's schedule runs over a corpus of ${this.schedWords} tokens, this corpus has ${corpusWords}: is it the corpus the model was trained on?`, { option: 'resume' });
    }
    this.pre = undefined;
    const cache = !!encoded || o.cacheCorpus === true || (o.cacheCorpus === 'auto' && (c!.inMemory || corpusWords <= CACHE_LIMIT));
    this.prepareTables(mem);

    const threads = await this.threads(rt);
    this.alive();
    const cfgs: number[] = [this.cfgMain];
    const position = { epoch: 0, batches: 0, raw: 0 };
    // where the schedule stands after this call's first `epoch` epochs and `batches` batches of the next
    const at = (epoch: number, batches: number, raw: number): TrainSchedule =>
      batches > 0 ? { done: startEpoch + epoch, total: totalEpochs!, batch: batches, words: raw } : { done: startEpoch + epoch, total: totalEpochs! };
    const t0 = performance.now();
    let done;
    let slots: Slots | undefined;
    let rngSet = false;
    try {
      for (let i = 1; i < threads; i++) {
        const cfg = this.newCfg(mem);
        cfgs.push(cfg);
        this.fillCfg(rt, cfg);
      }
      cfgBlock.setRng(rt, cfgs[0], this.rng);
      rngSet = true;
      for (let i = 1; i < cfgs.length; i++) cfgBlock.setRng(rt, cfgs[i], this.rng + BigInt(i) * 0x9e3779b97f4a7c15n);
      slots = new Slots(rt, mem, cfgs, threads > 1 ? this.threadsBox.pool : undefined, o.batchWords + o.maxSentenceLength, 'ft_train_batch');
      this.schedWords = corpusWords;
      done = await runEpochs(
        {
          corpus: c!, index: v.index, epochs, startEpoch, totalEpochs, corpusWords, alpha: o.alpha, minAlpha: o.minAlpha,
          maxSentenceLength: o.maxSentenceLength, batchWords: o.batchWords, cache, encoded, options,
          stopped: () => this.disposeRequested,
          weightsFinite: (full) => this.weightsFinite(rt, full),
          skip,
          position,
          checkpoint: (open, epochEnd) => {
            if (!open) {
              this.savable = false;
              return;
            }
            // the kernels are idle at an epoch's end, and between batches with one thread: the state is whole
            if (!epochEnd && threads > 1) return;
            this.rng = cfgBlock.getRng(rt, cfgs[0]);
            this.sched = epochEnd ? at(position.epoch + 1, 0, 0) : at(position.epoch, position.batches, position.raw);
            this.savable = true;
          },
        },
        mem,
        slots,
      );
      this.sched = { done: startEpoch + epochs, total: totalEpochs };
    } catch (e) {
      // aborted: the schedule records where training stopped, so that { resume: true } continues from there
      if (e instanceof QuantextError && e.code === 'E_ABORTED' && (position.epoch > 0 || position.batches > 0)) {
        this.sched = at(position.epoch, position.batches, position.raw);
      }
      throw e;
    } finally {
      this.savable = false;
      if (rngSet) this.rng = cfgBlock.getRng(rt, cfgs[0]);
      for (let i = 1; i < cfgs.length; i++) {
        mem.free(cfgBlock.getU32(rt, cfgs[i], CFG.SCRATCH));
        mem.free(cfgs[i]);
      }
      if (!this.disposeRequested) this._wv?.refresh();
    }
    this.epochLoss = done.epochLoss;
    const seconds = (performance.now() - t0) / 1000;
    return {
      words: done.rawDone, effectiveWords: done.effective, seconds, wordsPerSecond: done.rawDone / seconds, epochs, threads,
      threadWords: slots.threadWords.slice(), epochLoss: this.epochLoss,
      loss: done.lastPairs > 0 ? this.epochLoss[this.epochLoss.length - 1] / done.lastPairs : 0,
    };
  }

  private weightsFinite(rt: Runtime, full: boolean): boolean {
    const V = this.vocab!.words.length;
    return tablesFinite(rt.kernels, this.opts.vectorSize, [[this.input!.ptr, this.input!.rows], [this.syn1negPtr, V], [this.syn1Ptr, V - 1]], full);
  }

  /**
   * The whole training state as bytes: vocabulary with counts, fastText's input matrix (the word rows and every
   * n-gram row), both output tables, the options, the RNG state and the learning-rate schedule, so that training
   * continues after {@link FastText.load} exactly as it would have. Callable between train() calls, from onProgress
   * at an epoch end (or between batches with one thread), and after an abort. Container: safetensors (model-file.ts).
   */
  toBytes(): Uint8Array {
    this.alive();
    if (!this.vocab || !this.mem) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: nothing to save');
    if (this.training && !this.savable) {
      throw new QuantextError('E_BUSY', 'train() is running on this model; await it first, or save from onProgress (a checkpoint: at an epoch end, or between batches with one thread)');
    }
    const a = this.mem.rt.arena, V = this.vocab.words.length, d = this.opts.vectorSize;
    const { tokenizer, ...opts } = this.opts;
    const schedule = this.schedWords === undefined ? this.sched : { ...this.sched, corpusWords: this.schedWords };
    return encodeModel({
      options: opts, words: this.vocab.words, counts: this.vocab.counts, totalWords: this.vocab.totalWords,
      totalSentences: this.vocab.totalSentences, rng: this.rng, schedule,
      syn0: this.input!.data(),
      syn1neg: this.syn1negPtr ? a.f32(this.syn1negPtr, V * d) : undefined,
      syn1: this.syn1Ptr ? a.f32(this.syn1Ptr, (V - 1) * d) : undefined,
    }, FASTTEXT_MODEL_FORMAT);
  }

  /** Saves the training state (atomic write: a temporary file, then rename). Load it with {@link FastText.load}. */
  async save(path: string | URL): Promise<void> {
    await writeFileViaHost(path, this.toBytes());
  }

  /**
   * Loads a model saved by {@link FastText.save} (a path, a file: URL or the bytes) to use or to train further
   * (`train(corpus, { resume: true })` continues an unfinished schedule). `options` may set what is not saved:
   * `runtime`, `tokenizer`, `workers`. A damaged or foreign file is E_FORMAT.
   */
  static async load(source: string | URL | Uint8Array, options: Pick<FastTextOptions, 'runtime' | 'tokenizer' | 'workers'> = {}): Promise<FastText> {
    const name = source instanceof Uint8Array ? '<bytes>' : String(source);
    const bytes = source instanceof Uint8Array ? source : await readModelBytes(source);
    const rec = decodeModel(bytes, name, FASTTEXT_MODEL_FORMAT);
    const m = fromSavedOptions('FastText', name, rec.options, options, (o) => new FastText(o as FastTextOptions));
    try {
      const mem = await m.memory();
      m.vocab = savedVocab(rec);
      m.allocate(mem, rec);
      m.rng = rec.rng;
      const { corpusWords, ...sched } = rec.schedule;
      m.sched = sched;
      m.schedWords = corpusWords;
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.training) {
      this.disposeRequested = true;
      return;
    }
    this.disposed = true;
    terminatePool(this, this.threadsBox);
    this._wv?.dispose();
    this.input?.dispose();
    this.mem?.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/**
 * The n-gram rows a vocabulary uses (every row in some word's bag: the rows training touched), as fastText's
 * pruned models keep them: a new FastTextKeyedVectors whose input matrix holds the nwords word rows then only those
 * n-gram rows, with `pruneIdx` mapping bucket → kept row (an unseen word's n-grams outside it are dropped, as
 * fastText does for a pruned model). Word vectors are unchanged; the caller owns (disposes) the result.
 */
export function pruneNgrams(wv: FastTextKeyedVectors): FastTextKeyedVectors {
  if (wv.pruneIdx) throw new QuantextError('E_OPTION', 'pruneNgrams: these vectors are already pruned');
  const V = wv.size, d = wv.dim, sw = wv.subwords;
  const keep = new Map<number, number>();
  const order: number[] = [];
  for (let k = 0; k < sw.rows.length; k++) {
    const r = sw.rows[k];
    if (r < V) continue;
    const b = r - V;
    if (!keep.has(b)) {
      keep.set(b, order.length);
      order.push(b);
    }
  }
  const src = wv.input as DenseMatrix;
  if (!(src instanceof DenseMatrix)) throw new QuantextError('E_OPTION', 'pruneNgrams needs a dense input matrix');
  const out = new DenseMatrix(V + order.length, d, { rt: src.rt, zero: false });
  try {
    const a = src.rt.arena;
    const dst = a.f32(out.ptr, (V + order.length) * d);
    const s = a.f32(src.ptr, src.rows * src.stride);
    for (let i = 0; i < V; i++) dst.set(s.subarray(i * src.stride, i * src.stride + d), i * d);
    for (let j = 0; j < order.length; j++) {
      const r = (V + order[j]) * src.stride;
      dst.set(s.subarray(r, r + d), (V + j) * d);
    }
    return new FastTextKeyedVectors(wv.vocab, out, {
      minn: wv.minn, maxn: wv.maxn, bucket: wv.bucket, pruneIdx: keep, counts: wv.counts, ownsInput: true,
    });
  } catch (e) {
    out.dispose();
    throw e;
  }
}


