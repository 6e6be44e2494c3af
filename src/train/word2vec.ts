import { QuantextError, check } from '../errors.js';
import { startThreads, registerPool, terminatePool, type PoolBox } from './threads.js';
import { disposeSymbol } from '../runtime/handle.js';
import { init, type Runtime } from '../runtime/runtime.js';
import type { WorkerPool } from '../runtime/pool.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { KeyedVectors } from '../vectors/keyed.js';
import { openCorpus, isIdCorpus, idCorpusEnds, encodeIdCorpus, type CorpusInput, type IdCorpus } from './corpus.js';
import { VocabBuilder, TextScanner, sampleThresholds, aliasTable, huffmanAnyOrder, type CountedVocab, type EncodedCorpus } from './vocab.js';
import { CFG, CFG_SIZE, MAX_CODE_LENGTH, scratchBytes, checkConfigLayout, cfgBlock, fillConfig, tablesFinite } from './w2v-config.js';
import { TrainMemory } from './memory.js';
import { CACHE_LIMIT } from './corpus-cache.js';
import { Slots, runEpochs, abortableCorpus, throwIfAborted } from './scheduler.js';
import { resolveOptions, validateRuntime, validateTrainOptions, learningRateWarning, type ResolvedOptions, type Word2VecOptions, type TrainOptions, type TrainResult } from './options.js';
import { encodeModel, decodeModel, readModelBytes, fromSavedOptions, savedVocab, type ModelRecord } from './model-file.js';
import { writeFileViaHost } from '../io/lines.js';
import { BinaryMatrix } from '../vectors/tables/binary.js';
import { Int2Matrix } from '../vectors/tables/int2.js';
import type { Matrix } from '../vectors/matrix.js';

export type { Word2VecOptions, TrainOptions, TrainProgress, TrainResult } from './options.js';
export { resetTrainWarnings } from './threads.js';


// ends the threads of a model that was dropped without dispose() (its wasm memory has its own safety net)

/** Where the learning-rate schedule of the last train() calls stands: `done` of `total` epochs. */
export interface TrainSchedule {
  done: number;
  total: number;
  /**
   * A checkpoint inside epoch `done` (saved from onProgress between batches, or after an abort): the batches of that
   * epoch already trained, and the raw corpus tokens they cover. `train(corpus, { resume: true })` skips them.
   */
  batch?: number;
  words?: number;
}

/**
 * Quantization-aware training (Word2Bits, Lam 2018): `new Word2Vec({ ..., quantize: { bits: 1 | 2 } })`.
 * The float weights are kept ("shadow" weights); every read of an input or output row in the forward and backward
 * pass sees Q(row), and the gradients update the float rows (straight-through estimator). Q is Word2Bits':
 * 1 bit ±1/3 (+ for x ≥ 0), 2 bits sign(x)·(|x| ≤ 1/2 ? 1/4 : 3/4). The vectors (`wv`) are Q(syn0 + syn1neg),
 * as Word2Bits writes them (Q(syn0) with hierarchical softmax only): a BinaryMatrix (α = 1/3) for 1 bit, an
 * Int2Matrix (1/4 + 1/2·q, q ∈ [−2, 1]) for 2 bits. The float tables start as in float training (word2vec.c's
 * syn0, zero output rows), not uniform in [−0.5, 0.5) as Word2Bits' do: on Brown (1M tokens, skip-gram dim 100,
 * 5 epochs, 2 threads) the large initial weights barely move at α = 0.025 and the vectors stay mostly random
 * (WordSim-353 / analogy: 1 bit 0.17 / 0.4 % from Word2Bits' start against 0.25 / 0.9 % from word2vec's; 2 bits
 * 0.11 / 1.5 % against 0.26 / 2.5 %; one run each, bench/qat.bench.mjs). The shadow weights are not clipped (neither
 * are Word2Bits'); the quantizer saturates at ±1/3 and ±3/4. Otherwise this is Word2Bits' update line by line
 * (word2bits.cpp: Q on every read of both tables, g·Q(w) to the input error, g·h to the float output row, output
 * Q(u + v)); Word2Bits itself trains CBOW only (mean of the quantized context rows; the kernel does that too with
 * `sg: 0, cbowMean: 1`), at α = 0.05, with an optional L2 term (`-reg`, default 0) not offered here. On Brown
 * (skip-gram, dim 100, seed 1) neither α = 0.05, 10 epochs, nor a quantizer scaled by 0.25–2 closed the analogy gap
 * to float vectors (1 bit stays about 2.5 points below float, 2 bits about 1). What does close it is the level
 * following the dim (`level`, L = 2.5/√dim, which keeps ⟨Q(u), Q(v)⟩'s scale): at dim 300, 1-bit vectors match
 * float's analogy accuracy on Brown (1 thread, seeds 1–3: WordSim-353 0.291, analogy 3.53 % against float's 0.248,
 * 3.44 %; 2 bits 0.330, 3.79 %; bench/qat.bench.mjs). At dim 100 (L = 1/4) 1 bit still loses about 2.2 points.
 */
export interface Word2VecQuantizeOptions {
  bits: 1 | 2;
  /**
   * The quantizer's level L (a positive number; default Word2Bits' own, 1/3 for 1 bit and 1/4 for 2 bits):
   * 1 bit Q(x) = ±L; 2 bits sign(x)·(|x| ≤ 2L ? L : 3L). A dot product of two quantized rows is then up to dim·L²
   * (1 bit), so Word2Bits' 1/3, set for its dims, saturates the sigmoid sooner the larger the dim; L = 2.5/√dim keeps
   * the scale of the scores across dims (it is Word2Bits' 1/4 at dim 100). On Brown (skip-gram, dim 300, 5 epochs)
   * it brought 1-bit analogy accuracy from 0.9 % (L = 1/3) to about float's (bench/qat.bench.mjs, `--level auto`).
   */
  level?: number;
}

/** Checks the `quantize` option (E_OPTION naming it). */
export function validateW2vQuantize(q: unknown, where = 'Word2Vec'): Word2VecQuantizeOptions | undefined {
  if (q === undefined || q === null) return undefined;
  const bits = (q as Word2VecQuantizeOptions)?.bits;
  check(typeof q === 'object' && !Array.isArray(q) && (bits === 1 || bits === 2), `${where}: quantize must be { bits: 1 } or { bits: 2 }, got ${JSON.stringify(q)}`, { option: 'quantize' });
  for (const k of Object.keys(q as object)) check(k === 'bits' || k === 'level', `${where}: unknown quantize option '${k}'`, { option: 'quantize' });
  const level = (q as Word2VecQuantizeOptions).level;
  if (level === undefined) return { bits };
  check(typeof level === 'number' && Number.isFinite(level) && level > 0 && Math.fround(level) > 0 && Math.fround(level) < 1e30,
    `${where}: quantize.level must be a positive finite number, got ${JSON.stringify(level)}`, { option: 'quantize.level' });
  return { bits, level };
}

/** Options of {@link Word2Vec.buildVocab}. */
export interface BuildVocabOptions {
  /** Add the corpus's new words to the existing vocabulary (gensim's build_vocab(update=True)). */
  update?: boolean;
}

/**
 * Word2Vec (Mikolov et al. 2013): skip-gram or CBOW with negative sampling and/or hierarchical softmax.
 * The trainer owns the training state; the vectors it produces live in `wv` (a KeyedVectors), as in gensim.
 * The model takes its wasm memory on first use (`buildVocab`, `train`, `load` initialize quantext if needed).
 *
 * ```ts
 * const model = new Word2Vec({ vectorSize: 100, window: 5, minCount: 1, workers: 4 });
 * await model.train(['the quick brown fox', 'the lazy dog']);
 * model.wv.get('the'); // Float32Array(100)
 * ```
 */
export class Word2Vec {
  readonly opts: ResolvedOptions;
  /** Quantization-aware training (see {@link Word2VecQuantizeOptions}); undefined for float training. */
  readonly quantize?: Word2VecQuantizeOptions;
  vocab?: CountedVocab;
  /** Loss of each epoch of the last train() call. */
  epochLoss: number[] = [];
  private runtimeOpt?: Runtime;
  private mem?: TrainMemory;
  private syn0?: DenseMatrix;
  private syn1negPtr = 0;
  private syn1Ptr = 0;
  /** the tables prepareTables() made (released when the vocabulary changes) */
  private tablePtrs: number[] = [];
  private tablesReady = false;
  private cfgMain = 0;
  private _wv?: KeyedVectors;
  private rng = 0n;
  private sched: TrainSchedule = { done: 0, total: 0 };
  private training = false;
  /** inside an onProgress call at a batch boundary where the kernels are idle: toBytes() may save a checkpoint */
  private savable = false;
  private disposeRequested = false;
  private disposed = false;
  /** the model's worker pool, held in a box so that a model never disposed still has its threads ended when collected */
  private threadsBox: PoolBox = {};
  private get pool(): WorkerPool | undefined {
    return this.threadsBox.pool;
  }
  private set pool(p: WorkerPool | undefined) {
    this.threadsBox.pool = p;
  }
  /** The corpus the vocabulary was built from (its token count drives the learning-rate schedule). */
  private vocabCorpus?: CorpusInput;
  /** The corpus as recorded by buildVocab(), used by the next train() on the same corpus object. */
  private pre?: { corpus: CorpusInput; encoded: EncodedCorpus };

  constructor(options: Word2VecOptions & { quantize?: Word2VecQuantizeOptions } = {}) {
    check(typeof options === 'object' && options !== null && !Array.isArray(options), `Word2Vec: options must be an object, got ${options === null ? 'null' : typeof options}`, { option: 'options' });
    if (options.runtime !== undefined) validateRuntime(options.runtime);
    this.runtimeOpt = options.runtime;
    const { quantize, ...rest } = options;
    this.quantize = validateW2vQuantize(quantize);
    if (this.quantize) {
      // QAT trains skip-gram pair by pair (word2vec.c's order, as Word2Bits): no shared negatives
      check(rest.sharedNegatives !== true, 'Word2Vec: sharedNegatives cannot be combined with quantize (quantization-aware training draws negatives per pair)', { option: 'sharedNegatives' });
      rest.sharedNegatives = false;
    }
    this.opts = resolveOptions(rest);
    const warning = learningRateWarning(this.opts);
    if (warning) console.warn(warning);
    this.rng = BigInt(this.opts.seed >>> 0);
    registerPool(this, this.threadsBox);
  }

  /** Trains a new model: `await Word2Vec.fit(corpus, options)` (init, vocabulary and training in one call). */
  static async fit(corpus: CorpusInput, options: Word2VecOptions & { quantize?: Word2VecQuantizeOptions } = {}, train: TrainOptions = {}): Promise<Word2Vec> {
    const m = new Word2Vec(options);
    try {
      await m.train(corpus, train);
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  /** The runtime the model trains in (initialized on first use). */
  get rt(): Runtime {
    this.alive();
    if (!this.mem) throw new QuantextError('E_NOT_INITIALIZED', 'the model has no memory yet: call buildVocab(), train() or Word2Vec.load() first');
    return this.mem.rt;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Where the learning-rate schedule stands: `done` of `total` epochs (saved with the model; see TrainOptions.resume). */
  get schedule(): TrainSchedule {
    return { ...this.sched };
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'Word2Vec was used after dispose()');
  }

  /** The model's memory, made on first use: in the runtime given as an option, else the default (init() if needed). */
  private async memory(): Promise<TrainMemory> {
    this.alive();
    if (!this.mem) {
      const rt = this.runtimeOpt ?? (await init());
      this.alive();
      if (!this.mem) {
        checkConfigLayout(rt.kernels);
        this.mem = new TrainMemory(rt);
      }
    }
    return this.mem;
  }

  /** The trained vectors. Throws before buildVocab(). */
  get wv(): KeyedVectors {
    this.alive();
    if (!this._wv) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: call buildVocab() or train() first');
    return this._wv;
  }

  /**
   * One pass over the corpus to count words; allocates and initialises the vectors. With `{ update: true }`, adds
   * the corpus's new words (those reaching minCount in it) to the vocabulary of a model already built or trained,
   * adds the counts of known words, and grows the tables: new input vectors drawn as the first ones were, new
   * output rows zero (gensim's build_vocab(update=True)).
   */
  async buildVocab(corpus: CorpusInput | IdCorpus, options: BuildVocabOptions = {}): Promise<CountedVocab> {
    check(typeof options === 'object' && options !== null, 'buildVocab(): options must be an object', { option: 'options' });
    check(options.update === undefined || typeof options.update === 'boolean', `buildVocab(): update must be true or false, got ${String(options.update)}`, { option: 'update' });
    const mem = await this.memory();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is running on this model; await it first');
    this.training = true; // no train() while the vocabulary changes
    try {
      return await this.scanVocab(mem, corpus, options);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose();
    }
  }

  private async scanVocab(mem: TrainMemory, corpus: CorpusInput | IdCorpus, options: BuildVocabOptions, signal?: AbortSignal): Promise<CountedVocab> {
    if (this.vocab && !options.update) {
      throw new QuantextError('E_OPTION', 'buildVocab() was already called on this model: pass { update: true } to add new words');
    }
    if (!this.vocab && options.update) throw new QuantextError('E_OPTION', 'buildVocab({ update: true }) needs a vocabulary: call buildVocab() first');
    const vb = new VocabBuilder({
      minCount: this.opts.minCount, maxVocabSize: this.opts.maxVocabSize, maxFinalVocab: this.opts.maxFinalVocab,
      // record the corpus as ids while counting, so that training reads and tokenizes it only once
      encodeLimit: this.opts.cacheCorpus === false || options.update ? 0 : CACHE_LIMIT,
      runtime: mem.rt,
      deferRemap: true, // the corpus cache maps the slots in wasm
    });
    if (isIdCorpus(corpus)) {
      if (!corpus.words) throw new QuantextError('E_OPTION', 'buildVocab() of an id corpus needs its words: { ids, words }');
      vb.addIds(corpus.ids, corpus.words, idCorpusEnds(corpus).length);
    } else {
      await vb.addCorpus(abortableCorpus(openCorpus(corpus, this.opts.tokenizer), signal));
    }
    this.vocabCorpus = corpus as CorpusInput;
    if (options.update) {
      this.pre = undefined; // a recorded corpus has −1 for words that are now known
      if (vb.totalWords === 0) throw new QuantextError('E_EMPTY', 'the corpus is empty: no tokens to add to the vocabulary');
      this.grow(mem, vb.counted(), vb.totalWords, vb.totalSentences);
      return this.vocab!;
    }
    const { encoded, ...found } = vb.finish();
    this.pre = encoded ? { corpus: corpus as CorpusInput, encoded } : undefined;
    this.vocab = found;
    try {
      this.allocate(mem);
    } catch (e) {
      // E_OOM: no half-built model (a vocabulary without its tables)
      this.vocab = this.pre = this.vocabCorpus = undefined;
      throw e;
    }
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

  /** word2vec.c's initialisation: uniform in [−0.5, 0.5)/dim from one seeded stream over the whole table. */
  private initRows(rt: Runtime, ptr: number, rows: number, fromRow: number): void {
    const d = this.opts.vectorSize;
    // s ^= s << 13; s ^= s >>> 17; s ^= s << 5 (u32), value (s/2³² − 0.5)/d from element fromRow·d on (w2v_init_rows)
    rt.kernels.w2v_init_rows(ptr, rows * d, fromRow * d, (this.opts.seed ^ 0x9e3779b9) >>> 0, d);
  }

  /** Allocates the model's tables for its vocabulary: all of them or (E_OOM) none. */
  private allocate(mem: TrainMemory, weights?: ModelRecord): void {
    const rt = mem.rt;
    const V = this.vocab!.words.length;
    const d = this.opts.vectorSize;
    const { syn0, syn1neg, syn1 } = this.allocTables(mem, V);
    this.syn0 = syn0;
    this.syn1negPtr = syn1neg;
    this.syn1Ptr = syn1;
    if (weights) this.syn0.data().set(weights.syn0);
    else this.initRows(rt, this.syn0.ptr, V, 0);
    if (syn1neg && weights?.syn1neg) rt.arena.f32(syn1neg, V * d).set(weights.syn1neg);
    if (syn1 && weights?.syn1) rt.arena.f32(syn1, (V - 1) * d).set(weights.syn1);
    this._wv = this.makeWv();
  }

  /** The vectors: syn0 itself, or (QAT) the quantized table of Q(syn0 + syn1neg). */
  private makeWv(): KeyedVectors {
    const words = this.vocab!.words, counts = this.vocab!.counts;
    if (!this.quantize) return new KeyedVectors(words, this.syn0!, { counts, ownsMatrix: false });
    return new KeyedVectors(words, this.quantizedTable(), { counts, ownsMatrix: true });
  }

  /**
   * Word2Bits' output: Q(syn0 + syn1neg) (Q(syn0) without negative sampling) as a BinaryMatrix (α = 1/3, bit 1 for
   * x ≥ 0) or an Int2Matrix (μ = 1/4, s = 1/2, q = 2·Q − 1/2 ∈ [−2, 1]).
   */
  private quantizedTable(): Matrix {
    const rt = this.mem!.rt, V = this.vocab!.words.length, d = this.opts.vectorSize, bits = this.quantize!.bits;
    // the kernel's level (f32), Word2Bits' by default
    const L = Math.fround(this.quantize!.level ?? (bits === 1 ? 1 / 3 : 0.25));
    const sum = Float32Array.from(this.syn0!.data());
    if (this.syn1negPtr) {
      const s1 = rt.arena.f32(this.syn1negPtr, V * d);
      for (let i = 0; i < sum.length; i++) sum[i] = Math.fround(sum[i] + s1[i]);
    }
    if (bits === 1) {
      const rb = (d + 7) >> 3, codes = new Uint8Array(V * rb);
      for (let r = 0; r < V; r++) for (let j = 0; j < d; j++) if (!(sum[r * d + j] < 0)) codes[r * rb + (j >> 3)] |= 1 << (j & 7);
      return BinaryMatrix.fromQuantized({
        scheme: 'binary', bits: 1, rows: V, cols: d, qmin: 0, qmax: 1, perRow: false, symmetric: true, rounding: 'nearest',
        calibration: 'minmax', codes, rowBytes: rb, scales: Float32Array.of(L), zeroPoints: new Int32Array(1),
      }, rt);
    }
    const q = new Int8Array(V * d);
    for (let i = 0; i < q.length; i++) {
      const x = sum[i], big = !(Math.abs(x) <= 2 * L);
      q[i] = x < 0 ? (big ? -2 : -1) : big ? 1 : 0;
    }
    return Int2Matrix.fromCodes(q, V, d, Float32Array.of(2 * L), new Float32Array(d).fill(L), rt);
  }

  /** The input vectors (uninitialised) and zeroed output tables of V words: all of them, or (E_OOM) none. */
  private allocTables(mem: TrainMemory, V: number): { syn0: DenseMatrix; syn1neg: number; syn1: number } {
    const d = this.opts.vectorSize;
    const syn0 = new DenseMatrix(V, d, { rt: mem.rt, zero: false });
    let syn1neg = 0;
    try {
      if (this.opts.negative > 0) syn1neg = mem.alloc(V * d * 4, true);
      const syn1 = this.opts.hs && V > 1 ? mem.alloc((V - 1) * d * 4, true) : 0;
      return { syn0, syn1neg, syn1 };
    } catch (e) {
      if (syn1neg) mem.free(syn1neg);
      syn0.dispose();
      throw e;
    }
  }

  /**
   * buildVocab({ update: true }), as gensim 4's prepare_vocab(update=True): every known word's count grows by its
   * count in the new corpus; new words reaching minCount there are appended in first-seen order; then every table grows.
   */
  private grow(mem: TrainMemory, raw: { words: string[]; counts: Float64Array }, totalWords: number, totalSentences: number): void {
    const old = this.vocab!;
    const rt = mem.rt, a = rt.arena, d = this.opts.vectorSize;
    const words = old.words.slice();
    const counts: number[] = Array.from(old.counts);
    const index = new Map(old.index);
    for (let i = 0; i < raw.words.length; i++) {
      const w = raw.words[i];
      const j = index.get(w);
      if (j !== undefined) counts[j] += raw.counts[i];
      else if (raw.counts[i] >= this.opts.minCount) {
        index.set(w, words.length);
        words.push(w);
        counts.push(raw.counts[i]);
      }
    }
    let retained = 0;
    for (const c of counts) retained += c;
    const V0 = old.words.length, V = words.length;
    // the new tables first (E_OOM leaves the model as it was), then the switch
    const grown = V === V0 ? undefined : this.allocTables(mem, V);
    this.vocab = { words, counts: Float64Array.from(counts), index, totalWords, totalSentences, retainedWords: retained };
    // the tables the kernel reads are rebuilt for the new vocabulary
    this.releaseTables(mem);
    if (!grown) {
      this._wv?.dispose();
      this._wv = this.makeWv();
      return;
    }
    this.initRows(rt, grown.syn0.ptr, V, V0);
    grown.syn0.data().set(this.syn0!.data());
    this._wv?.dispose();
    this.syn0!.dispose();
    this.syn0 = grown.syn0;
    if (grown.syn1neg) {
      a.f32(grown.syn1neg, V0 * d).set(a.f32(this.syn1negPtr, V0 * d));
      mem.free(this.syn1negPtr);
      this.syn1negPtr = grown.syn1neg;
    }
    if (grown.syn1) {
      if (this.syn1Ptr) {
        a.f32(grown.syn1, (V0 - 1) * d).set(a.f32(this.syn1Ptr, (V0 - 1) * d));
        mem.free(this.syn1Ptr);
      }
      this.syn1Ptr = grown.syn1;
    }
    this._wv = this.makeWv();
  }

  private releaseTables(mem: TrainMemory): void {
    for (const p of this.tablePtrs) mem.free(p);
    this.tablePtrs = [];
    this.tablesReady = false;
    this.cfgMain = 0;
  }

  /** Fills the tables the kernel reads (once per vocabulary). */
  private prepareTables(mem: TrainMemory): void {
    if (this.tablesReady) return;
    try {
      this.fillTables(mem);
    } catch (e) {
      this.releaseTables(mem); // E_OOM part-way: nothing kept
      throw e;
    }
  }

  private fillTables(mem: TrainMemory): void {
    const rt = mem.rt, k = rt.kernels, a = rt.arena, o = this.opts, v = this.vocab!;
    const V = v.words.length;
    // the Huffman tree can fail (E_TOO_LARGE): build it before allocating anything
    const h = o.hs ? huffmanAnyOrder(v.counts, MAX_CODE_LENGTH) : undefined;
    const own = (bytes: number, zero = false) => {
      const p = mem.alloc(bytes, zero);
      this.tablePtrs.push(p);
      return p;
    };
    const sample = sampleThresholds(v, o.sample);
    const samplePtr = own(V * 4);
    a.u32(samplePtr, V).set(sample);
    let tablePtr = 0, tableSize = 0;
    if (o.negative > 0) {
      tableSize = V;
      const t = aliasTable(v.counts, o.nsExponent);
      tablePtr = own(V * 8);
      a.u32(tablePtr, V * 2).set(t);
    }
    let codesPtr = 0, pointsPtr = 0, lensPtr = 0;
    if (h) {
      codesPtr = own(h.codes.length);
      a.u8(codesPtr, h.codes.length).set(h.codes);
      pointsPtr = own(h.points.length * 4);
      a.i32(pointsPtr, h.points.length).set(h.points);
      lensPtr = own(h.lengths.length);
      a.u8(lensPtr, h.lengths.length).set(h.lengths);
    }
    const n = k.exp_table_size();
    const logPtr = own(n * 4);
    k.w2v_log_table_init(logPtr, n, k.max_exp());
    this.sharedFields = {
      [CFG.SYN0]: this.syn0!.ptr, [CFG.SYN1NEG]: this.syn1negPtr, [CFG.SYN1]: this.syn1Ptr, [CFG.NEG_TABLE]: tablePtr,
      [CFG.NEG_TABLE_SIZE]: tableSize, [CFG.SAMPLE]: samplePtr, [CFG.CODES]: codesPtr, [CFG.POINTS]: pointsPtr,
      [CFG.CODELENS]: lensPtr, [CFG.EXP_TABLE]: rt.sigmoidTable(), [CFG.LOG_TABLE]: logPtr,
    };
    const cfg = this.newCfg(mem, own);
    this.fillCfg(rt, cfg);
    this.cfgMain = cfg;
    this.tablesReady = true;
  }

  private sharedFields: Record<number, number> = {};

  /** A config block with its scratch area. */
  private newCfg(mem: TrainMemory, own: (bytes: number, zero?: boolean) => number = (b, z) => mem.alloc(b, z)): number {
    const o = this.opts;
    const cfg = own(CFG_SIZE, true);
    const scratch = own(scratchBytes(o.vectorSize, o.window, o.negative, o.maxSentenceLength));
    cfgBlock.setU32(mem.rt, cfg, CFG.SCRATCH, scratch);
    return cfg;
  }

  private fillCfg(rt: Runtime, cfg: number): void {
    fillConfig(rt, cfg, this.sharedFields, this.opts, this.vocab!.words.length, this.quantize?.bits ?? 0, this.quantize?.level ?? 0);
  }

  /**
   * How many threads this call runs: `workers`, capped at the host's available parallelism, and 1 where threads
   * cannot run or start (each with one warning per process). Starts the model's pool, or reuses it.
   */
  private threads(rt: Runtime): Promise<number> {
    return startThreads(rt, 'Word2Vec', this.opts.workers, this.threadsBox);
  }

  /**
   * Trains on `corpus` (building the vocabulary first if needed). Linear learning-rate decay over all epochs,
   * per-epoch float64 loss and words/s reported to `onProgress`. Resolves with a summary.
   */
  async train(corpus: CorpusInput | IdCorpus, options: TrainOptions = {}): Promise<TrainResult> {
    this.alive();
    validateTrainOptions(options);
    if (this.training) throw new QuantextError('E_BUSY', 'train() is already running on this model; await it first');
    this.training = true;
    const hadTables = this.tablesReady;
    try {
      return await this.trainOnce(corpus, options);
    } catch (e) {
      // a failed call keeps no memory it took: the kernel's tables are rebuilt by the next call
      if (!hadTables && this.mem && !this.mem.isDisposed) this.releaseTables(this.mem);
      throw e;
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose(); // dispose() during training is carried out once the kernels stopped
    }
  }

  private async trainOnce(corpus: CorpusInput | IdCorpus, options: TrainOptions): Promise<TrainResult> {
    throwIfAborted(options.signal);
    const mem = await this.memory();
    if (!this.vocab) await this.scanVocab(mem, corpus, {}, options.signal);
    const o = this.opts, v = this.vocab!, rt = mem.rt;
    // where this call sits in the learning-rate schedule
    let startEpoch = options.startEpoch ?? 0;
    let epochs = options.epochs ?? o.epochs;
    let totalEpochs = options.totalEpochs;
    let skip: { batches: number; words: number } | undefined;
    if (options.resume) {
      check(this.sched.done < this.sched.total, `resume: the model's schedule is finished (${this.sched.done} of ${this.sched.total} epochs)`, { option: 'resume' });
      startEpoch = options.startEpoch ?? this.sched.done;
      // a checkpoint inside an epoch: that epoch's first batches are skipped
      if (this.sched.batch && startEpoch === this.sched.done) skip = { batches: this.sched.batch, words: this.sched.words ?? 0 };
      totalEpochs ??= this.sched.total;
      epochs = options.epochs ?? totalEpochs - startEpoch;
    }
    totalEpochs ??= startEpoch + epochs;
    check(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000, `epochs must be an integer in [1, 100000], got ${epochs}`, { option: 'epochs' });
    check(Number.isInteger(startEpoch) && startEpoch >= 0, `startEpoch must be a non-negative integer, got ${startEpoch}`, { option: 'startEpoch' });
    check(Number.isInteger(totalEpochs) && totalEpochs >= startEpoch + epochs && totalEpochs <= 1e7,
      `totalEpochs must be an integer ≥ startEpoch + epochs (${startEpoch + epochs}), got ${totalEpochs}`, { option: 'totalEpochs' });
    this.prepareTables(mem);

    // the corpus: ids (given or recorded while building the vocabulary) or sentences to stream
    let encoded: EncodedCorpus | undefined;
    let corpusWords: number;
    const c = isIdCorpus(corpus) ? undefined : abortableCorpus(openCorpus(corpus, o.tokenizer), options.signal);
    // a corpus of text (a path, strings) is streamed as bytes through a wasm lookup of the vocabulary
    let scanner: TextScanner | undefined;
    const ids = () => (scanner ??= TextScanner.lookup(rt, v.words)).ids(c!.text!);
    try {
      if (isIdCorpus(corpus)) {
        encoded = encodeIdCorpus(corpus, this.vocab!.index, this.vocab!.words.length);
        corpusWords = corpus.ids.length;
      } else {
        if (this.pre && this.pre.corpus === corpus) encoded = this.pre.encoded;
        // the learning rate decays over this corpus's tokens: count them when it is not the vocabulary's corpus
        corpusWords = v.totalWords;
        if (corpus !== this.vocabCorpus) {
          if (options.totalWords !== undefined) {
            check(Number.isInteger(options.totalWords) && options.totalWords > 0, `totalWords must be a positive integer, got ${options.totalWords}`, { option: 'totalWords' });
            corpusWords = options.totalWords;
          } else {
            corpusWords = 0;
            if (c!.text) for await (const b of ids()) corpusWords += b.tokens.length;
            else for await (const sent of c!.sentences() as AsyncIterable<string[]>) corpusWords += sent.length;
          }
        }
      }
      this.pre = undefined;
      const cache = !!encoded || o.cacheCorpus === true || (o.cacheCorpus === 'auto' && (c!.inMemory || corpusWords <= CACHE_LIMIT));

      const threads = await this.threads(rt);
      this.alive();
      const cfgs: number[] = [this.cfgMain];
      // the other threads' config blocks and scratch, freed when the call ends (also after an E_OOM part-way)
      const extra: number[] = [];
      const ownExtra = (bytes: number, zero?: boolean) => {
        const p = mem.alloc(bytes, zero);
        extra.push(p);
        return p;
      };
      let slots: Slots;
      let rngSet = false;
      const position = { epoch: 0, batches: 0, raw: 0 };
      // where the schedule stands after this call's first `epoch` epochs and `batches` batches of the next
      // (`position` counts a resumed call's skipped batches too)
      const at = (epoch: number, batches: number, raw: number): TrainSchedule =>
        batches > 0 ? { done: startEpoch + epoch, total: totalEpochs!, batch: batches, words: raw } : { done: startEpoch + epoch, total: totalEpochs! };
      const t0 = performance.now();
      let done;
      try {
      for (let i = 1; i < threads; i++) {
        const cfg = this.newCfg(mem, ownExtra);
        this.fillCfg(rt, cfg);
        cfgs.push(cfg);
      }
      // each thread gets its own RNG stream; thread 0 continues the model's stream (determinism with 1 worker)
      cfgBlock.setRng(rt, cfgs[0], this.rng);
      rngSet = true;
      for (let i = 1; i < cfgs.length; i++) cfgBlock.setRng(rt, cfgs[i], this.rng + BigInt(i) * 0x9e3779b97f4a7c15n);
      slots = new Slots(rt, mem, cfgs, threads > 1 ? this.pool : undefined, o.batchWords + o.maxSentenceLength);
        done = await runEpochs(
          {
            corpus: c!, index: v.index, epochs, startEpoch, totalEpochs, corpusWords, alpha: o.alpha, minAlpha: o.minAlpha,
            maxSentenceLength: o.maxSentenceLength, batchWords: o.batchWords, cache, encoded, options, ids: c?.text ? ids : undefined,
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
        for (const p of extra) mem.free(p);
        if (this.quantize && this._wv) {
          // the quantized vectors of the weights as they now are
          this._wv.dispose();
          this._wv = this.makeWv();
        } else this._wv?.invalidateNorms?.();
      }
      this.epochLoss = done.epochLoss;
      const seconds = (performance.now() - t0) / 1000;
      return {
        words: done.rawDone, effectiveWords: done.effective, seconds, wordsPerSecond: done.rawDone / seconds, epochs, threads,
        threadWords: slots.threadWords.slice(), epochLoss: this.epochLoss,
        loss: done.lastPairs > 0 ? this.epochLoss[this.epochLoss.length - 1] / done.lastPairs : 0,
      };
    } finally {
      scanner?.dispose();
    }
  }

  private weightsFinite(rt: Runtime, full: boolean): boolean {
    const V = this.vocab!.words.length;
    return tablesFinite(rt.kernels, this.opts.vectorSize, [[this.syn0!.ptr, V], [this.syn1negPtr, V], [this.syn1Ptr, V - 1]], full);
  }

  /**
   * The whole model as bytes: vocabulary with counts, the input vectors and both output tables, the options, the RNG
   * state and the learning-rate schedule, so that training continues after {@link Word2Vec.load}.
   * The container is safetensors (see {@link encodeModel}).
   */
  toBytes(): Uint8Array {
    this.alive();
    if (!this.vocab || !this.mem) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: nothing to save');
    if (this.training && !this.savable) {
      throw new QuantextError('E_BUSY', 'train() is running on this model; await it first, or save from onProgress (a checkpoint: at an epoch end, or between batches with one thread)');
    }
    const a = this.mem.rt.arena, V = this.vocab.words.length, d = this.opts.vectorSize;
    const { tokenizer, ...opts } = this.opts;
    return encodeModel({
      options: this.quantize ? { ...opts, quantize: this.quantize } : opts, words: this.vocab.words, counts: this.vocab.counts, totalWords: this.vocab.totalWords,
      totalSentences: this.vocab.totalSentences, rng: this.rng, schedule: this.sched,
      syn0: this.syn0!.data(),
      syn1neg: this.syn1negPtr ? a.f32(this.syn1negPtr, V * d) : undefined,
      syn1: this.syn1Ptr ? a.f32(this.syn1Ptr, (V - 1) * d) : undefined,
    });
  }

  /** Saves the whole model (atomic write: a temporary file, then rename). Load it with {@link Word2Vec.load}. */
  async save(path: string | URL): Promise<void> {
    await writeFileViaHost(path, this.toBytes());
  }

  /**
   * Loads a model saved by {@link Word2Vec.save} (a path, a file: URL or the bytes) to use or to train further.
   * `options` may set what is not saved: `runtime`, `tokenizer`, `workers`. A damaged or foreign file is E_FORMAT.
   */
  static async load(source: string | URL | Uint8Array, options: Pick<Word2VecOptions, 'runtime' | 'tokenizer' | 'workers'> = {}): Promise<Word2Vec> {
    const name = source instanceof Uint8Array ? '<bytes>' : String(source);
    const rec = decodeModel(source instanceof Uint8Array ? source : await readModelBytes(source), name);
    const m = fromSavedOptions('Word2Vec', name, rec.options, options, (o) => new Word2Vec(o as Word2VecOptions & { quantize?: Word2VecQuantizeOptions }));
    try {
      const mem = await m.memory();
      m.vocab = savedVocab(rec);
      m.allocate(mem, rec);
      m.rng = rec.rng;
      m.sched = rec.schedule;
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.training) {
      this.disposeRequested = true; // train() stops at its next batch boundary and then disposes
      return;
    }
    this.disposed = true;
    terminatePool(this, this.threadsBox);
    this._wv?.dispose();
    this.syn0?.dispose();
    this.mem?.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
