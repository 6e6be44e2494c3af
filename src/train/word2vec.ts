import { QuantextError, check } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import { runtime, init, type Runtime } from '../runtime/runtime.js';
import { env } from '../runtime/env.js';
import { WorkerPool, hasWorkerFactory } from '../runtime/pool.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { KeyedVectors } from '../vectors/keyed.js';
import { openCorpus, type CorpusInput } from './corpus.js';
import { VocabBuilder, sampleThresholds, aliasTable, huffman, type CountedVocab, type EncodedCorpus } from './vocab.js';
import { CFG, CFG_SIZE, FLAG, MAX_CODE_LENGTH, scratchBytes } from './w2v-config.js';

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
  /** Worker threads (Hogwild over one shared memory). Default 3, as gensim. 1 is deterministic. */
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
  epoch: number; // 0-based epoch in progress
  epochs: number;
  /** 0..1 over the whole training */
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
const CACHE_LIMIT = 20_000_000;

let warnedSingleThread = false;

/**
 * Word2Vec (Mikolov et al. 2013): skip-gram or CBOW with negative sampling and/or hierarchical softmax.
 * The trainer owns the training state; the vectors it produces live in `wv` (a KeyedVectors), as in gensim.
 *
 * ```ts
 * await init();
 * const model = new Word2Vec({ vectorSize: 100, window: 5, minCount: 1, workers: 4 });
 * await model.train(['the quick brown fox', 'the lazy dog']);
 * model.wv.get('the'); // Float32Array(100)
 * ```
 */
export class Word2Vec extends WasmOwned {
  readonly opts: Required<Omit<Word2VecOptions, 'runtime' | 'tokenizer' | 'maxVocabSize' | 'maxFinalVocab'>> &
    Pick<Word2VecOptions, 'tokenizer' | 'maxVocabSize' | 'maxFinalVocab'>;
  vocab?: CountedVocab;
  private syn0?: DenseMatrix;
  private syn1negPtr = 0;
  private syn1Ptr = 0;
  private tablesReady = false;
  private cfgMain = 0;
  private _wv?: KeyedVectors;
  private rng = 0n;
  /** Loss of each epoch of the last train() call. */
  epochLoss: number[] = [];
  private training = false;
  private disposeRequested = false;
  /** The corpus the vocabulary was built from (its token count drives the learning-rate schedule). */
  private vocabCorpus?: CorpusInput;
  /** The corpus as recorded by buildVocab(), used by the next train() on the same corpus object. */
  private pre?: { corpus: CorpusInput; encoded: EncodedCorpus };

  constructor(options: Word2VecOptions = {}) {
    super(options.runtime ?? runtime());
    const o = { ...DEFAULTS, ...stripUndefined(options) } as any;
    delete o.runtime;
    this.opts = o;
    validate(o);
    this.rng = BigInt(o.seed >>> 0);
  }

  /** Trains a new model: `await Word2Vec.fit(corpus, options)` (init, vocabulary and training in one call). */
  static async fit(corpus: CorpusInput, options: Word2VecOptions = {}, train: TrainOptions = {}): Promise<Word2Vec> {
    if (!options.runtime) await init();
    const m = new Word2Vec(options);
    await m.train(corpus, train);
    return m;
  }

  /** The trained vectors. Throws before buildVocab(). */
  get wv(): KeyedVectors {
    this.alive();
    if (!this._wv) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: call buildVocab() or train() first');
    return this._wv;
  }

  /** One pass over the corpus to count words; allocates and initialises the vectors. */
  async buildVocab(corpus: CorpusInput): Promise<CountedVocab> {
    this.alive();
    if (this.vocab) throw new QuantextError('E_OPTION', 'buildVocab() was already called on this model (updating a vocabulary is not supported)');
    const c = openCorpus(corpus, this.opts.tokenizer);
    const vb = new VocabBuilder({
      minCount: this.opts.minCount, maxVocabSize: this.opts.maxVocabSize, maxFinalVocab: this.opts.maxFinalVocab,
      // record the corpus as ids while counting, so that training reads and tokenizes it only once
      encodeLimit: this.opts.cacheCorpus === false ? 0 : CACHE_LIMIT,
    });
    for await (const s of c.sentences() as AsyncIterable<string[]>) vb.add(s);
    const { encoded, ...vocab } = vb.finish();
    this.vocab = vocab;
    this.vocabCorpus = corpus;
    if (encoded) this.pre = { corpus, encoded };
    this.allocate();
    return this.vocab;
  }

  /** Bytes of wasm memory the model needs (vectors, output weights, tables), like gensim's estimate_memory(). */
  estimateMemory(vocabSize = this.vocab?.words.length ?? 0): Record<string, number> {
    const d = this.opts.vectorSize;
    const r: Record<string, number> = {
      vectors: vocabSize * d * 4,
      syn1neg: this.opts.negative > 0 ? vocabSize * d * 4 : 0,
      syn1: this.opts.hs ? Math.max(0, vocabSize - 1) * d * 4 : 0,
      negTable: this.opts.negative > 0 ? vocabSize * 8 : 0,
      huffman: this.opts.hs ? vocabSize * MAX_CODE_LENGTH * 5 + vocabSize : 0,
      sample: vocabSize * 4,
    };
    r.total = Object.values(r).reduce((a, b) => a + b, 0);
    return r;
  }

  private allocate(): void {
    const rt = this.rt;
    const k = rt.kernels;
    if (k.w2v_cfg_size() !== CFG_SIZE || k.w2v_max_code_length() !== MAX_CODE_LENGTH) {
      throw new QuantextError('E_WASM', 'the wasm build does not match this version of quantext (config layout differs)');
    }
    const V = this.vocab!.words.length;
    const d = this.opts.vectorSize;
    this.syn0 = new DenseMatrix(V, d, { rt, zero: false });
    // word2vec.c's initialisation: uniform in [−0.5, 0.5)/dim, from the seeded RNG
    const data = this.syn0.data();
    let s = (this.opts.seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < data.length; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      data[i] = (s / 4294967296 - 0.5) / d;
    }
    if (this.opts.negative > 0) this.syn1negPtr = this.own(V * d * 4, true);
    if (this.opts.hs && V > 1) this.syn1Ptr = this.own((V - 1) * d * 4, true);
    this._wv = new KeyedVectors(this.vocab!.words, this.syn0, { counts: this.vocab!.counts, ownsMatrix: false });
  }

  /** Fills the tables the kernel reads (once per vocabulary). */
  private prepareTables(): void {
    if (this.tablesReady) return;
    const rt = this.rt, k = rt.kernels, a = rt.arena, o = this.opts, v = this.vocab!;
    const V = v.words.length;
    // the Huffman tree can fail (E_TOO_LARGE): build it before allocating anything
    const h = o.hs ? huffman(v.counts, MAX_CODE_LENGTH) : undefined;
    const cfg = (this.cfgMain = this.newCfg());
    const sample = sampleThresholds(v, o.sample);
    const samplePtr = this.own(V * 4);
    a.u32(samplePtr, V).set(sample);
    let tablePtr = 0, tableSize = 0;
    if (o.negative > 0) {
      tableSize = V;
      const t = aliasTable(v.counts, o.nsExponent);
      tablePtr = this.own(V * 8);
      a.u32(tablePtr, V * 2).set(t);
    }
    let codesPtr = 0, pointsPtr = 0, lensPtr = 0;
    if (h) {
      codesPtr = this.own(h.codes.length);
      a.u8(codesPtr, h.codes.length).set(h.codes);
      pointsPtr = this.own(h.points.length * 4);
      a.i32(pointsPtr, h.points.length).set(h.points);
      lensPtr = this.own(h.lengths.length);
      a.u8(lensPtr, h.lengths.length).set(h.lengths);
    }
    const n = k.exp_table_size();
    const logPtr = this.own(n * 4);
    k.w2v_log_table_init(logPtr, n, k.max_exp());
    this.sharedFields = {
      [CFG.SYN0]: this.syn0!.ptr, [CFG.SYN1NEG]: this.syn1negPtr, [CFG.SYN1]: this.syn1Ptr, [CFG.NEG_TABLE]: tablePtr,
      [CFG.NEG_TABLE_SIZE]: tableSize, [CFG.SAMPLE]: samplePtr, [CFG.CODES]: codesPtr, [CFG.POINTS]: pointsPtr,
      [CFG.CODELENS]: lensPtr, [CFG.EXP_TABLE]: rt.sigmoidTable(), [CFG.LOG_TABLE]: logPtr,
    };
    this.fillCfg(cfg);
    this.tablesReady = true;
  }

  private sharedFields: Record<number, number> = {};

  private newCfg(): number {
    const d = this.opts.vectorSize;
    const cfg = this.own(CFG_SIZE, true);
    const scratch = this.own(scratchBytes(d, this.opts.window, this.opts.negative, this.opts.maxSentenceLength));
    this.rt.arena.u32(cfg + CFG.SCRATCH, 1)[0] = scratch;
    return cfg;
  }

  private fillCfg(cfg: number): void {
    const a = this.rt.arena, o = this.opts;
    for (const [off, val] of Object.entries(this.sharedFields)) a.u32(cfg + Number(off), 1)[0] = val;
    const i32 = (off: number, v: number) => (a.i32(cfg + off, 1)[0] = v);
    i32(CFG.DIM, o.vectorSize);
    i32(CFG.VOCAB, this.vocab!.words.length);
    i32(CFG.NEGATIVE, o.negative);
    i32(CFG.WINDOW, o.window);
    i32(CFG.FLAGS, (o.hs ? FLAG.HS : 0) | (o.sg ? 0 : FLAG.CBOW) | (o.cbowMean ? FLAG.CBOW_MEAN : 0) |
      (o.shrinkWindows ? FLAG.SHRINK_WINDOWS : 0) | (o.sample > 0 ? FLAG.SAMPLE : 0) | (o.sharedNegatives ? FLAG.MINIBATCH : 0));
  }

  private setRng(cfg: number, state: bigint): void {
    new BigUint64Array(this.rt.memory.buffer, cfg + CFG.RNG, 1)[0] = state;
  }
  private getRng(cfg: number): bigint {
    return new BigUint64Array(this.rt.memory.buffer, cfg + CFG.RNG, 1)[0];
  }
  private takeStats(cfg: number): { loss: number; words: number; pairs: number } {
    const f = this.rt.arena.f64(cfg + CFG.LOSS, 3);
    const r = { loss: f[0], words: f[1], pairs: f[2] };
    f.fill(0);
    return r;
  }

  /**
   * Trains on `corpus` (building the vocabulary first if needed). Linear learning-rate decay over all epochs,
   * per-epoch float64 loss and words/s reported to `onProgress`. Resolves with a summary.
   */
  async train(corpus: CorpusInput, options: TrainOptions = {}): Promise<TrainResult> {
    this.alive();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is already running on this model; await it first');
    this.training = true;
    try {
      return await this.trainOnce(corpus, options);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose(); // dispose() during training is carried out once the kernels stopped
    }
  }

  private async trainOnce(corpus: CorpusInput, options: TrainOptions): Promise<TrainResult> {
    if (!this.vocab) await this.buildVocab(corpus);
    this.prepareTables();
    const o = this.opts, v = this.vocab!, rt = this.rt, a = rt.arena, k = rt.kernels;
    const epochs = options.epochs ?? o.epochs;
    check(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000, `epochs must be an integer in [1, 100000], got ${epochs}`, { option: 'epochs' });
    const c = openCorpus(corpus, o.tokenizer);
    // the learning rate decays over this corpus's tokens: count them when it is not the vocabulary's corpus
    let corpusWords = v.totalWords;
    if (corpus !== this.vocabCorpus) {
      if (options.totalWords !== undefined) {
        check(Number.isInteger(options.totalWords) && options.totalWords > 0, `totalWords must be a positive integer, got ${options.totalWords}`, { option: 'totalWords' });
        corpusWords = options.totalWords;
      } else {
        corpusWords = 0;
        for await (const sent of c.sentences() as AsyncIterable<string[]>) corpusWords += sent.length;
      }
    }
    const cache = o.cacheCorpus === true || (o.cacheCorpus === 'auto' && (c.inMemory || corpusWords <= CACHE_LIMIT));

    // threads
    let threads = Math.max(1, Math.floor(o.workers));
    if (threads > 1 && !(rt.shared && hasWorkerFactory() && env.canThread)) {
      if (!warnedSingleThread) {
        warnedSingleThread = true;
        console.warn(`quantext: Word2Vec runs single-threaded here (workers: ${threads} requested, but ${
          !rt.shared ? 'the runtime has no shared memory (browsers need cross-origin isolation: COOP same-origin + COEP require-corp)' : 'this host has no worker threads'
        })`);
      }
      threads = 1;
    }
    let pool: WorkerPool | undefined;
    const cfgs: number[] = [this.cfgMain];
    if (threads > 1) {
      pool = await WorkerPool.create(rt, threads);
      for (let i = 1; i < threads; i++) {
        const cfg = this.newCfg();
        this.fillCfg(cfg);
        cfgs.push(cfg);
      }
    }
    // each worker gets its own RNG stream; worker 0 continues the model's stream (determinism with 1 worker)
    this.setRng(cfgs[0], this.rng);
    for (let i = 1; i < cfgs.length; i++) this.setRng(cfgs[i], this.rng + BigInt(i) * 0x9e3779b97f4a7c15n);
    for (const cfg of cfgs) this.takeStats(cfg);

    const totalRaw = Math.max(1, corpusWords) * epochs;
    const t0 = performance.now();
    let lastReport = 0;
    let rawDone = 0;
    let effective = 0;
    this.epochLoss = [];
    let lastPairs = 0;
    const interval = options.progressInterval ?? 200;
    const alphaAt = (raw: number) => o.alpha - (o.alpha - o.minAlpha) * Math.min(1, raw / totalRaw);

    // the encoded corpus, in wasm memory, when cached
    let cached: CachedCorpus | undefined;
    if (cache && this.pre && this.pre.corpus === corpus) cached = this.cacheEncoded(this.pre.encoded);
    this.pre = undefined;
    // per-slot staging buffers (streaming)
    const cap = o.batchWords + o.maxSentenceLength;
    const stage = cfgs.map(() => ({ tokens: 0, offsets: 0 }));

    const free: number[] = cfgs.map((_, i) => i);
    const waiting: ((i: number) => void)[] = [];
    const running = new Set<Promise<void>>();
    let epochStats = { loss: 0, words: 0, pairs: 0 };
    let failure: unknown;
    const acquire = (): Promise<number> => (free.length ? Promise.resolve(free.pop()!) : new Promise((r) => waiting.push(r)));
    const release = (i: number) => {
      const w = waiting.shift();
      if (w) w(i);
      else free.push(i);
    };
    const collect = (slot: number) => {
      const s = this.takeStats(cfgs[slot]);
      epochStats.loss += s.loss;
      epochStats.words += s.words;
      epochStats.pairs += s.pairs;
    };
    const run = async (slot: number, tokens: number, offsets: number, nsent: number, raw: number) => {
      const cfg = cfgs[slot];
      const i32 = a.i32(cfg, CFG_SIZE / 4), f32 = a.f32(cfg, CFG_SIZE / 4);
      i32[CFG.TOKENS / 4] = tokens;
      i32[CFG.OFFSETS / 4] = offsets;
      i32[CFG.NSENT / 4] = nsent;
      f32[CFG.ALPHA / 4] = alphaAt(rawDone);
      f32[CFG.ALPHA_END / 4] = alphaAt(rawDone + raw);
      rawDone += raw;
      if (!pool) {
        k.w2v_train_batch(cfg);
        collect(slot);
        release(slot);
        return;
      }
      const p = pool.call(slot, 'w2v_train_batch', [cfg]).then(
        () => {
          collect(slot);
          release(slot);
          running.delete(p);
        },
        (e) => {
          failure = e;
          release(slot);
          running.delete(p);
        },
      );
      running.add(p);
    };
    const report = (epoch: number, epochEnd = false) => {
      const now = performance.now();
      if (!options.onProgress || (!epochEnd && now - lastReport < interval)) return;
      lastReport = now;
      const sec = (now - t0) / 1000;
      options.onProgress({
        epoch, epochs, progress: Math.min(1, rawDone / totalRaw), alpha: alphaAt(rawDone), wordsPerSecond: sec > 0 ? rawDone / sec : 0,
        words: rawDone, loss: epochStats.loss, epochEnd: epochEnd || undefined,
      });
    };
    // let timers, I/O and onProgress consumers run between batches; setTimeout(0) waits ≥ 1 ms in Node, setImmediate does not
    const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
    const yieldNow = () => new Promise<void>((r) => (g.setImmediate ? g.setImmediate(r) : setTimeout(r, 0)));
    let lastYield = performance.now();
    const pace = async (epoch: number) => {
      if (failure) throw failure;
      if (this.disposeRequested) throw new QuantextError('E_DISPOSED', 'the model was disposed during train()');
      if (options.signal?.aborted) throw new QuantextError('E_ABORTED', 'training aborted');
      report(epoch);
      if (performance.now() - lastYield > 50) {
        await yieldNow();
        lastYield = performance.now();
      }
    };

    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        epochStats = { loss: 0, words: 0, pairs: 0 };
        if (cached) {
          for (const b of cached.batches) {
            const slot = await acquire();
            await run(slot, cached.tokens, cached.offsets + b.s0 * 4, b.n, b.raw);
            await pace(epoch);
          }
        } else {
          // encode the corpus batch by batch; when caching, also record it (ids, −1 for unknown words) for later epochs
          const rec = cache ? new Recorder() : undefined;
          let tok = new Int32Array(cap), off: number[] = [0], n = 0, raw = 0;
          const flush = async () => {
            if (off.length === 1 && raw === 0) return;
            const slot = await acquire();
            const st = stage[slot];
            if (!st.tokens) {
              st.tokens = this.own(cap * 4);
              st.offsets = this.own((cap + 1) * 4);
            }
            a.i32(st.tokens, n).set(tok.subarray(0, n));
            a.i32(st.offsets, off.length).set(off);
            await run(slot, st.tokens, st.offsets, off.length - 1, raw);
            await pace(epoch);
            off = [0];
            n = 0;
            raw = 0;
          };
          for await (const sent of c.sentences() as AsyncIterable<string[]>) {
            raw += sent.length;
            let inSent = 0;
            for (const w of sent) {
              const id = v.index.get(w);
              rec?.push(id ?? -1);
              if (id === undefined) continue;
              if (inSent === o.maxSentenceLength) {
                // a long sentence continues as a new piece; a full batch is handed over between pieces
                off.push(n);
                inSent = 0;
                if (n >= o.batchWords) await flush();
              }
              tok[n++] = id;
              inSent++;
            }
            rec?.endSentence();
            if (inSent > 0) off.push(n);
            if (n >= o.batchWords) await flush();
          }
          await flush();
          await Promise.all(running);
          if (rec) {
            // move the encoded corpus into wasm memory once; later epochs hand out slices of it
            for (const st of stage) {
              if (st.tokens) {
                this.release(st.tokens);
                this.release(st.offsets);
                st.tokens = st.offsets = 0;
              }
            }
            cached = this.cacheEncoded(rec.finish());
          }
        }
        await Promise.all(running);
        if (failure) throw failure;
        this.epochLoss.push(epochStats.loss);
        lastPairs = epochStats.pairs;
        effective += epochStats.words;
        report(epoch, true);
      }
      if (rawDone === 0 || effective === 0) {
        throw new QuantextError('E_EMPTY', 'nothing was trained: the corpus has no words of the vocabulary');
      }
    } finally {
      await Promise.allSettled(running);
      pool?.terminate();
      this.rng = this.getRng(cfgs[0]);
      if (cached) {
        this.release(cached.tokens);
        this.release(cached.offsets);
      }
      for (const st of stage) if (st.tokens) {
        this.release(st.tokens);
        this.release(st.offsets);
      }
      for (let i = 1; i < cfgs.length; i++) {
        this.release(a.u32(cfgs[i] + CFG.SCRATCH, 1)[0]);
        this.release(cfgs[i]);
      }
      this._wv?.invalidateNorms?.();
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      words: rawDone, effectiveWords: effective, seconds, wordsPerSecond: rawDone / seconds, epochs, threads,
      epochLoss: this.epochLoss, loss: lastPairs > 0 ? this.epochLoss[this.epochLoss.length - 1] / lastPairs : 0,
    };
  }

  /**
   * Copies an encoded corpus into wasm memory, compacted (unknown words dropped) and with sentences longer than
   * maxSentenceLength split, and cuts it into batches of about batchWords tokens.
   */
  private cacheEncoded(enc: EncodedCorpus): CachedCorpus {
    const o = this.opts, a = this.rt.arena, maxLen = o.maxSentenceLength;
    const src = enc.tokens;
    let kept = 0, pieces = 0, s0 = 0;
    for (const e of enc.ends) {
      let k = 0;
      for (let i = s0; i < e; i++) if (src[i] >= 0) k++;
      kept += k;
      pieces += Math.ceil(k / maxLen);
      s0 = e;
    }
    const tokens = this.own(Math.max(16, kept * 4));
    const offsets = this.own((pieces + 1) * 4);
    const T = a.i32(tokens, kept), O = a.i32(offsets, pieces + 1);
    const batches: CachedCorpus['batches'] = [];
    let n = 0, p = 0, bStart = 0, bTok = 0, bRaw = 0;
    // the same cuts as the streaming path: after a piece once a batch holds batchWords tokens
    const cut = () => {
      batches.push({ s0: bStart, n: p - bStart, raw: bRaw });
      bStart = p;
      bTok = n;
      bRaw = 0;
    };
    s0 = 0;
    for (const e of enc.ends) {
      bRaw += e - s0;
      let inPiece = 0;
      for (let i = s0; i < e; i++) {
        const id = src[i];
        if (id < 0) continue;
        if (inPiece === maxLen) {
          inPiece = 0;
          if (n - bTok >= o.batchWords) cut();
        }
        if (inPiece === 0) O[p++] = n;
        T[n++] = id;
        inPiece++;
      }
      s0 = e;
      if (n - bTok >= o.batchWords) cut();
    }
    O[p] = n;
    if (p > bStart || bRaw > 0) batches.push({ s0: bStart, n: p - bStart, raw: bRaw });
    return { tokens, offsets, nsent: p, batches };
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.training) {
      this.disposeRequested = true; // train() stops at its next batch boundary and then disposes
      return;
    }
    this._wv?.dispose();
    this.syn0?.dispose();
    super.dispose();
  }
}

interface CachedCorpus {
  /** wasm addresses of the compacted ids and of the sentence starts (nsent + 1 entries) */
  tokens: number;
  offsets: number;
  nsent: number;
  /** batches as (first sentence, sentence count, raw corpus tokens they stand for) */
  batches: { s0: number; n: number; raw: number }[];
}

/** Records a streamed epoch as ids (−1 for unknown words) and sentence ends, in growable typed arrays. */
class Recorder {
  private t = new Int32Array(1 << 16);
  private n = 0;
  private e = new Int32Array(1 << 12);
  private ns = 0;
  push(id: number): void {
    if (this.n === this.t.length) {
      const t = new Int32Array(this.t.length * 2);
      t.set(this.t);
      this.t = t;
    }
    this.t[this.n++] = id;
  }
  endSentence(): void {
    if (this.ns === this.e.length) {
      const e = new Int32Array(this.e.length * 2);
      e.set(this.e);
      this.e = e;
    }
    this.e[this.ns++] = this.n;
  }
  finish(): EncodedCorpus {
    return { tokens: this.t.subarray(0, this.n), ends: this.e.subarray(0, this.ns) };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: any = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) r[k] = v;
  return r;
}

function validate(o: any): void {
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
