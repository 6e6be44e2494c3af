// GloVe (Pennington, Socher & Manning 2014) as the Stanford tool trains it: cooccur.c's weighted counts, glove.c's
// AdaGrad on f(X)·(wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log X)², W + W̃ as the vectors (glove.c's -model 2). The counting and every
// epoch run in wasm (assembly/glove/); epochs are Hogwild over shared memory where the runtime has threads.
import { QuantextError, check } from '../../errors.js';
import { startThreads, registerPool, terminatePool, type PoolBox } from '../threads.js';
import { disposeSymbol } from '../../runtime/handle.js';
import { init, type Runtime } from '../../runtime/runtime.js';
import { DenseMatrix } from '../../vectors/matrix.js';
import { KeyedVectors } from '../../vectors/keyed.js';
import { openCorpus, isIdCorpus, idCorpusEnds, type CorpusInput, type IdCorpus } from '../corpus.js';
import { VocabBuilder, type CountedVocab, type EncodedCorpus } from '../vocab.js';
import { TrainMemory } from '../memory.js';
import { CACHE_LIMIT } from '../corpus-cache.js';
import type { TrainProgress } from '../options.js';
import { CooccurrenceCounter } from './cooccur.js';
import { encodeGloVe, decodeGloVe, recordsHash, type GloVeSchedule, type CooccurState } from './checkpoint.js';
import { readModelBytes, fromSavedOptions, savedVocab } from '../model-file.js';
import { writeFileViaHost } from '../../io/lines.js';

export type { GloVeSchedule } from './checkpoint.js';

/** Options of GloVe. Names follow the task's API; defaults are the Stanford tool's unless noted. */
export interface GloVeOptions {
  /** Dimensionality of the vectors. Default 100 (as Word2Vec here; glove.c's default is 50). */
  vectorSize?: number;
  /** Context words on each side (only to the left when not symmetric). Default 15 (cooccur.c). */
  window?: number;
  /** Pairs counted at least this often get full weight: f(x) = min(1, (x/xMax)^alpha). Default 100. */
  xMax?: number;
  /** Exponent of the weighting function. Default 0.75. */
  alpha?: number;
  /** Passes over the co-occurrence matrix. Default 25 (glove.c's -iter). */
  epochs?: number;
  /** Ignore words with a total count below this. Default 5 (the Stanford demo's vocab_count -min-count). */
  minCount?: number;
  /** Keep at most this many words, the most frequent (vocab_count's -max-vocab). Default none. */
  maxFinalVocab?: number | null;
  /** Count left and right context (true) or only the left (false), as cooccur.c's -symmetric. Default true. */
  symmetric?: boolean;
  /** Weight a co-occurrence by 1/distance (true) or 1 (false), as cooccur.c's -distance-weighting. Default true. */
  distanceWeighting?: boolean;
  /** AdaGrad's initial learning rate (glove.c's -eta). Default 0.05. */
  learningRate?: number;
  /** Each gradient component is clipped to [−gradClip, gradClip] (glove.c's -grad-clip). Default 100. */
  gradClip?: number;
  /** Worker threads (Hogwild over shared memory, as glove.c's threads). Default 3. 1 is deterministic. */
  workers?: number;
  /** Seed of the initial vectors and of the shuffles. Default 1. */
  seed?: number;
  /**
   * Co-occurrence records per kernel call (default 262,144): between calls training checks abort, reports progress
   * and, with one thread, may save a checkpoint (as Word2Vec's batchWords).
   */
  batchPairs?: number;
  /** Tokenizer for string sentences. Default: split on whitespace. */
  tokenizer?: (s: string) => string[];
  /** Runtime to train in (default: the one `init()` made). */
  runtime?: Runtime;
}

/** Options of {@link GloVe.train}. */
export interface GloVeTrainOptions {
  onProgress?: (p: TrainProgress) => void;
  /** Aborts training between chunks with QuantextError E_ABORTED. */
  signal?: AbortSignal;
  /** Override the epoch count for this call (with `resume`: how many of the epochs left to train). */
  epochs?: number;
  /** Minimum milliseconds between onProgress calls (end-of-epoch calls always happen). Default 200. */
  progressInterval?: number;
  /**
   * Continue the epochs an earlier call left unfinished (`model.schedule`, saved with the model: after an abort, or a
   * checkpoint saved from onProgress), on the same corpus: the result is the uninterrupted run's (one thread).
   */
  resume?: boolean;
}

/** What {@link GloVe.train} did. */
export interface GloVeTrainResult {
  /** corpus tokens × epochs (the figure Word2Vec's words/s is computed from) */
  words: number;
  /** distinct co-occurring pairs (non-zero cells of X) */
  pairs: number;
  /** whole call: counting (when done in this call) plus the epochs */
  seconds: number;
  /** seconds spent counting co-occurrences (0 when they were counted by an earlier call) */
  cooccurSeconds: number;
  /** words / seconds */
  wordsPerSecond: number;
  epochs: number;
  threads: number;
  /** glove.c's cost (½ Σ f·diff²) of each epoch */
  epochLoss: number[];
  /** the last epoch's cost divided by the pairs (what glove.c prints) */
  loss: number;
}

type Resolved = Required<Omit<GloVeOptions, 'runtime' | 'tokenizer' | 'maxFinalVocab'>> & Pick<GloVeOptions, 'tokenizer' | 'maxFinalVocab'>;

const DEFAULTS = {
  vectorSize: 100, window: 15, xMax: 100, alpha: 0.75, epochs: 25, minCount: 5, maxFinalVocab: null, symmetric: true,
  distanceWeighting: true, learningRate: 0.05, gradClip: 100, workers: 3, seed: 1, batchPairs: 1 << 18,
};

function resolve(options: GloVeOptions): Resolved {
  const o: any = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  delete o.runtime;
  const known = new Set([...Object.keys(DEFAULTS), 'tokenizer']);
  for (const k of Object.keys(o)) check(known.has(k), `GloVe: unknown option '${k}'`, { option: k });
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
    check(Number.isInteger(o[name]) && o[name] >= min && o[name] <= max, `GloVe: ${name} must be an integer in [${min}, ${max}], got ${o[name]}`, { option: name });
  const pos = (name: string, max = Number.MAX_VALUE) =>
    check(typeof o[name] === 'number' && Number.isFinite(o[name]) && o[name] > 0 && o[name] <= max, `GloVe: ${name} must be a finite number > 0${max < Number.MAX_VALUE ? ` and ≤ ${max}` : ''}, got ${o[name]}`, { option: name });
  int('vectorSize', 1, 10000);
  int('window', 1, 1000);
  int('epochs', 1, 100000);
  int('minCount', 1);
  int('workers', 1, 1024);
  int('batchPairs', 1, 1 << 30);
  check(Number.isInteger(o.seed), `GloVe: seed must be an integer, got ${o.seed}`, { option: 'seed' });
  if (o.maxFinalVocab != null) int('maxFinalVocab', 1);
  pos('xMax');
  pos('alpha', 100);
  pos('learningRate');
  pos('gradClip');
  for (const b of ['symmetric', 'distanceWeighting']) check(typeof o[b] === 'boolean', `GloVe: ${b} must be a boolean, got ${o[b]}`, { option: b });
  check(o.tokenizer === undefined || typeof o.tokenizer === 'function', 'GloVe: tokenizer must be a function', { option: 'tokenizer' });
  return o;
}




/**
 * GloVe word vectors, trained as the Stanford tool (glove.c, cooccur.c, shuffle.c) trains them, in wasm.
 *
 * ```ts
 * const model = await GloVe.fit('corpus.txt', { vectorSize: 100, window: 10, epochs: 15 });
 * model.wv.mostSimilar('king');
 * ```
 */
export class GloVe {
  readonly opts: Resolved;
  vocab?: CountedVocab;
  /** Cost of each epoch of the last train() call (glove.c's, summed over pairs). */
  epochLoss: number[] = [];
  private runtimeOpt?: Runtime;
  private mem?: TrainMemory;
  /** f32 W[V·d], W̃[V·d], b[V], b̃[V] */
  private params = 0;
  /** the same layout: AdaGrad's squared-gradient sums (start at 1, as glove.c) */
  private grads = 0;
  private recs = 0;
  private nrecs = 0;
  private recsCorpus?: CorpusInput | IdCorpus;
  private recsHash = 0;
  private corpusTokens = 0;
  private pre?: { corpus: CorpusInput | IdCorpus; encoded: EncodedCorpus };
  private vectors?: DenseMatrix;
  private _wv?: KeyedVectors;
  private rng = 0n;
  /** where the epochs stand (see GloVeSchedule); `partial`: the cost and skipped updates of epoch `done` so far */
  private sched: GloVeSchedule = { done: 0, total: 0 };
  private partial = { cost: 0, bad: 0 };
  /** the records' fingerprint before any shuffle, the shuffle stream when they were counted, shuffles applied since */
  private co?: CooccurState;
  /** the records in memory are in the order `co` describes (false after load(): they are counted again) */
  private recsLive = false;
  private savable = false;
  private training = false;
  private disposeRequested = false;
  private disposed = false;
  private threadsBox: PoolBox = {};

  constructor(options: GloVeOptions = {}) {
    this.runtimeOpt = options.runtime;
    this.opts = resolve(options);
    // xorshift64* state: never 0
    this.rng = (BigInt(this.opts.seed >>> 0) * 0x9e3779b97f4a7c15n + 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn || 1n;
    registerPool(this, this.threadsBox);
  }

  /** Trains a new model in one call: vocabulary, co-occurrences, epochs. */
  static async fit(corpus: CorpusInput | IdCorpus, options: GloVeOptions = {}, train: GloVeTrainOptions = {}): Promise<GloVe> {
    const m = new GloVe(options);
    try {
      await m.train(corpus, train);
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The runtime the model trains in. */
  get rt(): Runtime {
    this.alive();
    if (!this.mem) throw new QuantextError('E_NOT_INITIALIZED', 'the model has no memory yet: call buildVocab() or train() first');
    return this.mem.rt;
  }

  /** The vectors W + W̃ (glove.c's -model 2). Throws before buildVocab(). */
  get wv(): KeyedVectors {
    this.alive();
    if (!this._wv) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: call buildVocab() or train() first');
    return this._wv;
  }

  /** Where the epochs stand: `done` of `total`, and `batch` records into epoch `done` for a checkpoint inside it. */
  get schedule(): GloVeSchedule {
    return { ...this.sched };
  }

  /** Distinct co-occurring pairs counted (0 before the count). */
  get pairs(): number {
    return this.nrecs;
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'GloVe was used after dispose()');
  }

  private async memory(): Promise<TrainMemory> {
    this.alive();
    if (!this.mem) {
      const rt = this.runtimeOpt ?? (await init());
      this.alive();
      this.mem ??= new TrainMemory(rt);
    }
    return this.mem;
  }

  /** Bytes of wasm memory the model needs: parameters, AdaGrad sums, vectors, and the co-occurrence records once counted. */
  estimateMemory(vocabSize = this.vocab?.words.length ?? 0, pairs = this.nrecs): Record<string, number> {
    const d = this.opts.vectorSize;
    const r: Record<string, number> = {
      params: (2 * vocabSize * d + 2 * vocabSize) * 4,
      gradsq: (2 * vocabSize * d + 2 * vocabSize) * 4,
      vectors: vocabSize * d * 4,
      // 16 bytes a record; counting holds them in a hash table at most 70 % full, doubled while it grows
      cooccurrences: pairs * 16,
    };
    r.total = Object.values(r).reduce((a, b) => a + b, 0);
    return r;
  }

  /** One pass over the corpus to count words (vocab_count); allocates and initialises the parameters. */
  async buildVocab(corpus: CorpusInput | IdCorpus): Promise<CountedVocab> {
    const mem = await this.memory();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is running on this model; await it first');
    if (this.vocab) throw new QuantextError('E_OPTION', 'buildVocab() was already called on this model');
    this.training = true;
    try {
      return await this.scanVocab(mem, corpus);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose();
    }
  }

  private async scanVocab(mem: TrainMemory, corpus: CorpusInput | IdCorpus): Promise<CountedVocab> {
    const vb = new VocabBuilder({ minCount: this.opts.minCount, maxFinalVocab: this.opts.maxFinalVocab, encodeLimit: CACHE_LIMIT });
    if (isIdCorpus(corpus)) {
      if (!corpus.words) throw new QuantextError('E_OPTION', 'buildVocab() of an id corpus needs its words: { ids, words }');
      vb.addIds(corpus.ids, corpus.words, idCorpusEnds(corpus).length);
    } else {
      const c = openCorpus(corpus, this.opts.tokenizer);
      for await (const s of c.sentences() as AsyncIterable<string[]>) vb.add(s);
    }
    const { encoded, ...found } = vb.finish();
    this.pre = encoded ? { corpus, encoded } : undefined;
    this.vocab = found;
    this.allocate(mem);
    return found;
  }

  private allocate(mem: TrainMemory): void {
    const V = this.vocab!.words.length, d = this.opts.vectorSize;
    const n = 2 * V * d + 2 * V;
    this.params = mem.alloc(n * 4);
    this.grads = mem.alloc(n * 4);
    const a = mem.rt.arena;
    // glove.c: every parameter uniform in [−0.5, 0.5)/dim, every squared-gradient sum 1
    const p = a.f32(this.params, n);
    let s = (this.opts.seed ^ 0x9e3779b9) >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      p[i] = (s / 4294967296 - 0.5) / d;
    }
    a.f32(this.grads, n).fill(1);
    this.vectors = new DenseMatrix(V, d, { rt: mem.rt, zero: false });
    this.updateVectors();
    this._wv = new KeyedVectors(this.vocab!.words, this.vectors, { counts: this.vocab!.counts, ownsMatrix: false });
  }

  /** vectors = W + W̃ */
  private updateVectors(): void {
    const rt = this.mem!.rt, V = this.vocab!.words.length, d = this.opts.vectorSize;
    const m = this.vectors!;
    rt.arena.f32(m.ptr, V * d).set(rt.arena.f32(this.params, V * d));
    rt.kernels.axpy_f32(m.ptr, this.params + V * d * 4, 1, V * d);
    this._wv?.invalidateNorms?.();
  }

  /** Counts the co-occurrences of `corpus` in wasm (one pass) and keeps them as training records. */
  private async count(mem: TrainMemory, corpus: CorpusInput | IdCorpus): Promise<void> {
    const v = this.vocab!, o = this.opts;
    if (this.recs) {
      mem.free(this.recs);
      this.recs = this.nrecs = 0;
    }
    const counter = new CooccurrenceCounter(mem, { window: o.window, symmetric: o.symmetric, distanceWeighting: o.distanceWeighting });
    let raw = 0;
    try {
      if (this.pre && this.pre.corpus === corpus) {
        const { tokens, ends } = this.pre.encoded;
        let s = 0;
        for (let k = 0; k < ends.length; k++) {
          counter.add(tokens, s, ends[k]);
          s = ends[k];
        }
        raw = tokens.length;
      } else if (isIdCorpus(corpus)) {
        const ids = this.idsInVocab(corpus);
        const ends = idCorpusEnds(corpus);
        let s = 0;
        for (let k = 0; k < ends.length; k++) {
          counter.add(ids, s, ends[k]);
          s = ends[k];
        }
        raw = ids.length;
      } else {
        const index = v.index;
        const buf: number[] = [];
        for await (const sent of openCorpus(corpus, o.tokenizer).sentences() as AsyncIterable<string[]>) {
          buf.length = 0;
          for (const w of sent) buf.push(index.get(w) ?? -1);
          counter.add(buf);
          raw += sent.length;
          this.alive();
        }
      }
      this.pre = undefined;
      counter.finish();
      if (counter.size === 0) {
        throw new QuantextError('E_EMPTY', 'the corpus has no co-occurring pair of known words (every sentence has at most one): nothing to train');
      }
      const { ptr, n } = counter.compact(o.xMax, o.alpha);
      this.recs = ptr;
      this.nrecs = n;
      this.recsCorpus = corpus;
      this.corpusTokens = raw;
      this.recsHash = recordsHash(mem.rt.arena.u32(ptr, n * 4));
    } finally {
      counter.dispose();
    }
  }

  /** An id corpus in the model's ids (through its `words` when given). */
  private idsInVocab(c: IdCorpus): Int32Array {
    const v = this.vocab!, V = v.words.length;
    if (!c.words) {
      for (let i = 0; i < c.ids.length; i++) {
        if (c.ids[i] >= V) throw new QuantextError('E_FORMAT', `id corpus: ids[${i}] = ${c.ids[i]} is beyond the model's ${V} words`, { index: i });
      }
      return c.ids;
    }
    const map = Int32Array.from(c.words, (w) => v.index.get(w) ?? -1);
    return Int32Array.from(c.ids, (id, i) => {
      if (id >= map.length) throw new QuantextError('E_FORMAT', `id corpus: ids[${i}] = ${id} is beyond its ${map.length} words`, { index: i });
      return id < 0 ? -1 : map[id];
    });
  }

  private threads(rt: Runtime): Promise<number> {
    return startThreads(rt, 'GloVe', this.opts.workers, this.threadsBox);
  }


  /**
   * Trains on `corpus`: builds the vocabulary if needed, counts the co-occurrences (once per corpus: a later call
   * on the same corpus object trains further on the same counts), then runs the epochs, each over a fresh seeded
   * shuffle of the pairs. A non-finite update (divergence) stops training with E_NAN.
   */
  async train(corpus: CorpusInput | IdCorpus, options: GloVeTrainOptions = {}): Promise<GloVeTrainResult> {
    this.alive();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is already running on this model; await it first');
    this.training = true;
    try {
      return await this.trainOnce(corpus, options);
    } finally {
      this.training = false;
      if (this.disposeRequested) this.dispose();
    }
  }

  private async trainOnce(corpus: CorpusInput | IdCorpus, options: GloVeTrainOptions): Promise<GloVeTrainResult> {
    check(typeof options === 'object' && options !== null, 'train(): options must be an object', { option: 'options' });
    check(options.resume === undefined || typeof options.resume === 'boolean', `train(): resume must be true or false, got ${String(options.resume)}`, { option: 'resume' });
    const resume = options.resume === true;
    let epochs: number, startEpoch = 0, total: number;
    if (resume) {
      check(this.sched.done < this.sched.total, `resume: the model's schedule is finished (${this.sched.done} of ${this.sched.total} epochs)`, { option: 'resume' });
      startEpoch = this.sched.done;
      total = this.sched.total;
      epochs = options.epochs ?? total - startEpoch;
      check(Number.isInteger(epochs) && epochs >= 1 && startEpoch + epochs <= total, `resume: epochs must be an integer in [1, ${total - startEpoch}] (the epochs left), got ${epochs}`, { option: 'epochs' });
    } else {
      epochs = options.epochs ?? this.opts.epochs;
      check(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000, `epochs must be an integer in [1, 100000], got ${epochs}`, { option: 'epochs' });
      total = epochs;
    }
    const t0 = performance.now();
    const mem = await this.memory();
    if (!this.vocab) await this.scanVocab(mem, corpus);
    let cooccurSeconds = 0;
    if (!this.recs || this.recsCorpus !== corpus || (resume && !this.recsLive)) {
      const tc = performance.now();
      const want = this.co;
      this.recsLive = false;
      await this.count(mem, corpus);
      cooccurSeconds = (performance.now() - tc) / 1000;
      if (resume) this.replay(mem, want);
      else this.co = { pairs: this.nrecs, tokens: this.corpusTokens, hash: this.recsHash, rng0: this.rng, shuffles: 0 };
      this.recsLive = true;
    }
    const rt = mem.rt, k = rt.kernels, a = rt.arena, o = this.opts;
    const V = this.vocab!.words.length, d = o.vectorSize, n = this.nrecs;
    const threads = await this.threads(rt);
    this.alive();
    const pool = threads > 1 ? this.threadsBox.pool : undefined;
    // per thread: f32 scratch[2·d], then f64 [cost, non-finite]
    const per = 2 * d * 4 + 16;
    const blk = mem.alloc(per * threads + 16);
    const rngPtr = blk + per * threads;
    const outOf = (t: number) => blk + t * per + 2 * d * 4;
    const fn = 'glove_train';
    const chunk = o.batchPairs;
    const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
    const yieldNow = () => new Promise<void>((r) => (g.setImmediate ? g.setImmediate(r) : setTimeout(r, 0)));
    const interval = options.progressInterval ?? 200;
    let lastReport = 0;
    const tTrain = performance.now();
    const epochLoss: number[] = [];
    const sums = () => {
      let cost = 0, bad = 0;
      for (let t = 0; t < threads; t++) {
        const r = a.f64(outOf(t), 2);
        cost += r[0];
        bad += r[1];
      }
      return { cost, bad };
    };
    let next = 0;
    try {
      for (let e = 0; e < epochs; e++) {
        const ge = startEpoch + e;
        for (let t = 0; t < threads; t++) a.f64(outOf(t), 2).fill(0);
        if (e === 0 && resume && this.sched.batch !== undefined) {
          // a checkpoint inside this epoch: its shuffle is done and its first records trained
          next = this.sched.batch;
          a.f64(outOf(0), 2).set([this.partial.cost, this.partial.bad]);
        } else {
          new BigUint64Array(a.memory.buffer, rngPtr, 1)[0] = this.rng;
          k.glove_shuffle(this.recs, n, rngPtr);
          this.rng = new BigUint64Array(a.memory.buffer, rngPtr, 1)[0];
          this.co!.shuffles++;
          next = 0;
        }
        this.sched = { done: ge, total, batch: next };
        const report = (done: number, end: boolean) => {
          const now = performance.now();
          if (!options.onProgress || (!end && now - lastReport < interval)) return;
          lastReport = now;
          const progress = (e + done / n) / epochs;
          const sec = (now - tTrain) / 1000;
          const { cost, bad } = sums();
          // the kernels are idle at an epoch's end, and between chunks with one thread: the state is whole
          if (end || !pool) {
            this.sched = end ? { done: ge + 1, total } : { done: ge, total, batch: done };
            this.partial = end ? { cost: 0, bad: 0 } : { cost, bad };
            this.savable = true;
          }
          try {
            options.onProgress({
              epoch: ge, epochs: startEpoch + epochs, progress, alpha: o.learningRate, words: Math.round(progress * epochs * this.corpusTokens),
              wordsPerSecond: sec > 0 ? (progress * epochs * this.corpusTokens) / sec : 0, loss: cost, epochEnd: end || undefined,
            });
          } finally {
            this.savable = false;
          }
        };
        const stop = () => {
          if (this.disposeRequested) throw new QuantextError('E_DISPOSED', 'the model was disposed during train()');
          if (options.signal?.aborted) throw new QuantextError('E_ABORTED', 'training aborted', undefined, { cause: options.signal.reason });
        };
        // between chunks: stop, report, let timers run, and stop before the next chunk if that aborted
        const pace = async () => {
          stop();
          report(next, false);
          await yieldNow();
          stop();
        };
        await pace();
        if (!pool) {
          while (next < n) {
            const m = Math.min(chunk, n - next);
            k[fn](this.recs + next * 16, m, this.params, this.grads, V, d, o.learningRate, o.gradClip, blk, outOf(0));
            next += m;
            if (next < n) await pace();
          }
        } else {
          // Hogwild: each thread takes the next chunk of the shuffled records when it is free
          let failure: unknown;
          let handed = next;
          const runThread = async (t: number) => {
            while (handed < n && failure === undefined) {
              const m = Math.min(chunk, n - handed);
              const at = handed;
              handed += m;
              await pool.call(t, fn, [this.recs + at * 16, m, this.params, this.grads, V, d, o.learningRate, o.gradClip, blk + t * per, outOf(t)]);
              if (this.disposeRequested || options.signal?.aborted) break;
              report(handed, false);
            }
          };
          await Promise.all(Array.from({ length: threads }, (_, t) => runThread(t).catch((err) => (failure ??= err))));
          next = handed; // every chunk handed out has finished
          if (failure !== undefined) throw failure;
          if (next < n) await pace(); // stopped early: says why
        }
        const { cost: loss, bad } = sums();
        epochLoss.push(loss);
        if (bad > 0 || !Number.isFinite(loss)) {
          throw new QuantextError('E_NAN', `GloVe diverged in epoch ${ge + 1}: ${bad} updates were not finite (cost ${loss}); lower learningRate or gradClip`, { epoch: ge + 1, nonFinite: bad });
        }
        this.sched = { done: ge + 1, total };
        this.partial = { cost: 0, bad: 0 };
        report(n, true);
      }
    } catch (e) {
      // stopped inside an epoch: the schedule records the records done there, so that { resume: true } continues
      if (this.sched.batch !== undefined) {
        this.sched = { ...this.sched, batch: next };
        this.partial = sums();
      }
      throw e;
    } finally {
      mem.free(blk);
      this.epochLoss = epochLoss;
      if (!this.disposeRequested) this.updateVectors(); // the model stays usable after an abort
    }
    const bad = k.find_nonfinite_f32(this.vectors!.ptr, V * d);
    if (bad >= 0) throw new QuantextError('E_NAN', `GloVe: the trained vectors hold a non-finite value (row ${Math.floor(bad / d)})`, { index: bad });
    const seconds = (performance.now() - t0) / 1000;
    const words = this.corpusTokens * epochs;
    return {
      words, pairs: n, seconds, cooccurSeconds, wordsPerSecond: words / seconds, epochs, threads, epochLoss,
      loss: epochLoss[epochLoss.length - 1] / n,
    };
  }

  /**
   * Resuming on freshly counted records: they must be the checkpoint's (the same fingerprint), then the checkpoint's
   * shuffles are replayed from the stream's state at counting, which must end where the model's stream stands.
   */
  private replay(mem: TrainMemory, want: CooccurState | undefined): void {
    const fail = (why: string) => {
      this.recsCorpus = undefined; // counted again by the next call
      return new QuantextError('E_OPTION', `resume: ${why}: is it the corpus the model was trained on?`, { option: 'resume' });
    };
    if (!want) throw fail('the model has no co-occurrence counts to continue from');
    if (want.pairs !== this.nrecs || want.tokens !== this.corpusTokens || want.hash !== this.recsHash) {
      throw fail(`this corpus gives ${this.nrecs} co-occurring pairs over ${this.corpusTokens} tokens (fingerprint ${this.recsHash.toString(16)}), the checkpoint's ${want.pairs} over ${want.tokens} (${want.hash.toString(16)})`);
    }
    const a = mem.rt.arena, p = mem.alloc(8);
    try {
      new BigUint64Array(a.memory.buffer, p, 1)[0] = want.rng0;
      for (let i = 0; i < want.shuffles; i++) mem.rt.kernels.glove_shuffle(this.recs, this.nrecs, p);
      const r = new BigUint64Array(a.memory.buffer, p, 1)[0];
      if (r !== this.rng) throw fail('replaying the checkpoint\'s shuffles does not reach its random state');
    } finally {
      mem.free(p);
    }
    this.co = { ...want };
  }

  /**
   * The whole training state as bytes: vocabulary with counts, W, W̃ and the biases, AdaGrad's squared-gradient
   * sums, the options, the shuffle stream, the schedule and the co-occurrence records' fingerprint (the records are
   * counted again on resume). Callable between train() calls, from onProgress at an epoch end (or between chunks with
   * one thread), and after an abort.
   */
  toBytes(): Uint8Array {
    this.alive();
    if (!this.vocab || !this.mem) throw new QuantextError('E_EMPTY', 'the model has no vocabulary yet: nothing to save');
    if (this.training && !this.savable) {
      throw new QuantextError('E_BUSY', 'train() is running on this model; await it first, or save from onProgress (a checkpoint: at an epoch end, or between chunks with one thread)');
    }
    const a = this.mem.rt.arena, V = this.vocab.words.length, n = 2 * V * this.opts.vectorSize + 2 * V;
    const { tokenizer, ...opts } = this.opts;
    return encodeGloVe({
      options: opts, words: this.vocab.words, counts: this.vocab.counts, totalWords: this.vocab.totalWords,
      totalSentences: this.vocab.totalSentences, rng: this.rng, schedule: this.sched, partial: this.partial, cooccur: this.co,
      params: a.f32(this.params, n), gradsq: a.f32(this.grads, n),
    });
  }

  /** Saves the training state (atomic write: a temporary file, then rename). Load it with {@link GloVe.load}. */
  async save(path: string | URL): Promise<void> {
    await writeFileViaHost(path, this.toBytes());
  }

  /**
   * Loads a model saved by {@link GloVe.save} (a path, a file: URL or the bytes) to use or to train further
   * (`train(corpus, { resume: true })` continues an unfinished schedule on the same corpus). `options` may set what
   * is not saved: `runtime`, `tokenizer`, `workers`. A damaged or foreign file is E_FORMAT.
   */
  static async load(source: string | URL | Uint8Array, options: Pick<GloVeOptions, 'runtime' | 'tokenizer' | 'workers'> = {}): Promise<GloVe> {
    const name = source instanceof Uint8Array ? '<bytes>' : String(source);
    const rec = decodeGloVe(source instanceof Uint8Array ? source : await readModelBytes(source), name);
    const m = fromSavedOptions('GloVe', name, rec.options, options, (o) => new GloVe(o as GloVeOptions));
    try {
      const mem = await m.memory();
      m.vocab = savedVocab(rec);
      m.allocate(mem);
      const a = mem.rt.arena;
      a.f32(m.params, rec.params.length).set(rec.params);
      a.f32(m.grads, rec.gradsq.length).set(rec.gradsq);
      m.updateVectors();
      m.rng = rec.rng;
      m.sched = rec.schedule;
      m.partial = rec.partial;
      m.co = rec.cooccur;
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
    this.vectors?.dispose();
    this.mem?.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
