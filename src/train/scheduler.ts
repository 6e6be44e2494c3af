// The batch scheduler and the epoch loop, split as gensim splits them: the job producer (an epoch's batches,
// streamed and encoded or sliced from the cache), the worker loop (one config block per thread, each running
// batches in turn), and the epoch loop (the learning-rate schedule, statistics, progress, abort).
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { WorkerPool } from '../runtime/pool.js';
import type { Corpus } from './corpus.js';
import type { TrainMemory } from './memory.js';
import { Recorder, cacheEncoded, type CachedCorpus } from './corpus-cache.js';
import type { EncodedCorpus } from './vocab.js';
import { cfgBlock } from './w2v-config.js';
import type { TrainOptions } from './options.js';

/** A batch still in JS memory (a streamed epoch): ids and sentence starts (nsent + 1 entries). */
export interface HostBatch {
  kind: 'host';
  tokens: Int32Array;
  offsets: number[];
  /** raw corpus tokens the batch stands for (unknown words included) */
  raw: number;
}
/** A batch already in wasm memory (a slice of the cache). */
export interface WasmBatch {
  kind: 'wasm';
  tokens: number;
  offsets: number;
  nsent: number;
  raw: number;
}
export type Batch = HostBatch | WasmBatch;

// ---------- abort ----------

/** Throws E_ABORTED (the signal's reason as the cause) once `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new QuantextError('E_ABORTED', 'training aborted', undefined, { cause: signal.reason });
}

// let timers, I/O and onProgress consumers run; setTimeout(0) waits ≥ 1 ms in Node, setImmediate does not
const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
const yieldNow = () => new Promise<void>((r) => (g.setImmediate ? g.setImmediate(r) : setTimeout(r, 0)));
/** Milliseconds of work between yields to the event loop (the delay a timer's abort() can see, plus one batch). */
const YIELD_MS = 10;

/**
 * For a pass over the corpus outside the epochs (the vocabulary scan, counting a new corpus's words): call it per
 * sentence. Throws E_ABORTED once the signal fired; every 256 calls, if YIELD_MS passed, returns a promise that yields
 * to the event loop (so that a timer can abort an in-memory pass), else undefined.
 */
export function passTicker(signal: AbortSignal | undefined): () => Promise<void> | undefined {
  let n = 0, last = performance.now();
  return () => {
    throwIfAborted(signal);
    if ((++n & 255) !== 0 || performance.now() - last < YIELD_MS) return undefined;
    return yieldNow().then(() => {
      last = performance.now();
      throwIfAborted(signal);
    });
  };
}

/** The items of `it`, with the abort check (and a yield every YIELD_MS) of passTicker between them. */
async function* ticking<T>(it: AsyncIterable<T> | Iterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const tick = passTicker(signal);
  for await (const x of it) {
    const y = tick();
    if (y) await y;
    yield x;
  }
}

/**
 * `c` with the abort check between its sentences and between the chunks of its bytes: the vocabulary pass, the token
 * count of a new corpus and streamed epochs stop soon after `signal` fires. Without a signal, `c` itself.
 */
export function abortableCorpus(c: Corpus, signal: AbortSignal | undefined): Corpus {
  if (!signal) return c;
  const text = c.text;
  return {
    ...c,
    sentences: () => ticking(c.sentences() as AsyncIterable<string[]>, signal),
    ...(text ? { text: { ...text, chunks: () => ticking(text.chunks(), signal) } } : {}),
  } as Corpus;
}

// ---------- the job producer ----------

/**
 * Cuts a stream of word ids into batches of about `batchWords` ids: unknown words (−1) are dropped, sentences longer
 * than `maxLen` continue as new pieces, and a batch is handed over after a piece once it holds batchWords ids. A
 * batch's `raw` counts the corpus tokens consumed since the previous batch (unknown words included), token by token,
 * so that a sentence never has to be held whole (cacheEncoded cuts the cache by the same rule). With a recorder, the
 * epoch is also recorded (ids, −1 for unknown words). A taken batch's arrays are reused: copy before cutting more.
 */
class BatchCutter {
  private tok: Int32Array;
  private off: number[] = [0];
  private n = 0;
  private raw = 0;
  private inPiece = 0;
  readonly ready: HostBatch[] = [];
  constructor(private maxLen: number, private batchWords: number, private rec?: Recorder) {
    this.tok = new Int32Array(batchWords + maxLen);
  }
  private take(): void {
    this.ready.push({ kind: 'host', tokens: this.tok.subarray(0, this.n), offsets: this.off, raw: this.raw });
    this.tok = new Int32Array(this.batchWords + this.maxLen);
    this.off = [0];
    this.n = 0;
    this.raw = 0;
  }
  token(id: number): void {
    this.rec?.push(id);
    if (id < 0) {
      this.raw++;
      return;
    }
    if (this.inPiece === this.maxLen) {
      // a long sentence continues as a new piece; a full batch is handed over between pieces
      this.off.push(this.n);
      this.inPiece = 0;
      if (this.n >= this.batchWords) this.take();
    }
    this.tok[this.n++] = id;
    this.inPiece++;
    this.raw++;
  }
  endSentence(): void {
    this.rec?.endSentence();
    if (this.inPiece > 0) this.off.push(this.n);
    this.inPiece = 0;
    if (this.n >= this.batchWords) this.take();
  }
  finish(): void {
    if (this.off.length > 1 || this.raw > 0) this.take();
  }
}

/** One streamed epoch of token arrays as batches (see BatchCutter), words looked up in `index`. */
export async function* streamBatches(c: Corpus, index: Map<string, number>, maxLen: number, batchWords: number, rec?: Recorder): AsyncGenerator<HostBatch> {
  const cut = new BatchCutter(maxLen, batchWords, rec);
  for await (const sent of c.sentences() as AsyncIterable<string[]>) {
    for (const w of sent) cut.token(index.get(w) ?? -1);
    cut.endSentence();
    if (cut.ready.length) yield* cut.ready.splice(0);
  }
  cut.finish();
  yield* cut.ready.splice(0);
}

/**
 * One streamed epoch of a corpus as ids in blocks (the wasm scan of its bytes: a line is never a string), as
 * batches (see BatchCutter). `ends` are the block's sentence ends (indices into its tokens).
 */
export async function* streamIdBatches(blocks: AsyncIterable<{ tokens: Int32Array; ends: Int32Array }>, maxLen: number, batchWords: number, rec?: Recorder): AsyncGenerator<HostBatch> {
  const cut = new BatchCutter(maxLen, batchWords, rec);
  for await (const b of blocks) {
    const t = b.tokens, e = b.ends;
    let k = 0;
    for (let i = 0; i < t.length; i++) {
      while (k < e.length && e[k] === i) {
        cut.endSentence();
        k++;
      }
      cut.token(t[i]);
    }
    while (k < e.length) {
      cut.endSentence();
      k++;
    }
    if (cut.ready.length) yield* cut.ready.splice(0);
  }
  cut.finish();
  yield* cut.ready.splice(0);
}

/** One cached epoch as slices of the cache. */
export function* cachedBatches(c: CachedCorpus): Generator<WasmBatch> {
  for (const b of c.batches) yield { kind: 'wasm', tokens: c.tokens, offsets: c.offsets + b.s0 * 4, nsent: b.n, raw: b.raw };
}

// ---------- the worker loop ----------

/**
 * The training slots: one config block per thread. `run` hands a batch to a free slot's thread (or runs it here
 * when there is no pool) and returns at once; a slot is free again when its batch is done.
 */
export class Slots {
  private free: number[];
  private waiting: ((i: number) => void)[] = [];
  private running = new Set<Promise<void>>();
  private failure: unknown;
  private stage: { tokens: number; offsets: number }[];
  /** statistics since the last takeStats() */
  private stats = { loss: 0, words: 0, pairs: 0 };
  /** words trained by each slot since the slots were made */
  readonly threadWords: number[];
  /** set when a finished batch reported a non-finite loss (training diverged) */
  nonFiniteLoss = false;

  constructor(
    private rt: Runtime,
    private mem: TrainMemory,
    private cfgs: number[],
    private pool: WorkerPool | undefined,
    private capacity: number,
    /** the batch kernel the slots run (Word2Vec's, or another with the same config-block calling convention) */
    private kernel: 'w2v_train_batch' | 'ft_train_batch' = 'w2v_train_batch',
  ) {
    this.free = cfgs.map((_, i) => i);
    this.stage = cfgs.map(() => ({ tokens: 0, offsets: 0 }));
    this.threadWords = cfgs.map(() => 0);
    for (const cfg of cfgs) cfgBlock.takeStats(rt, cfg);
  }

  acquire(): Promise<number> {
    return this.free.length ? Promise.resolve(this.free.pop()!) : new Promise((r) => this.waiting.push(r));
  }

  private releaseSlot(i: number): void {
    const w = this.waiting.shift();
    if (w) w(i);
    else this.free.push(i);
  }

  private collect(slot: number): void {
    const s = cfgBlock.takeStats(this.rt, this.cfgs[slot]);
    // a batch whose loss is ±Infinity or NaN: the weights overflowed (the kernel's loss is finite for finite weights)
    if (!Number.isFinite(s.loss)) this.nonFiniteLoss = true;
    this.stats.loss += s.loss;
    this.stats.words += s.words;
    this.stats.pairs += s.pairs;
    this.threadWords[slot] += s.words;
  }

  /** Runs `b` on `slot` (acquired first) with the learning rate going from alpha0 to alpha1 across it. */
  run(slot: number, b: Batch, alpha0: number, alpha1: number): void {
    const cfg = this.cfgs[slot];
    let tokens: number, offsets: number, nsent: number;
    if (b.kind === 'host') {
      const st = this.stage[slot];
      if (!st.tokens) {
        st.tokens = this.mem.alloc(this.capacity * 4);
        st.offsets = this.mem.alloc((this.capacity + 1) * 4);
      }
      this.rt.arena.i32(st.tokens, b.tokens.length).set(b.tokens);
      this.rt.arena.i32(st.offsets, b.offsets.length).set(b.offsets);
      tokens = st.tokens;
      offsets = st.offsets;
      nsent = b.offsets.length - 1;
    } else {
      ({ tokens, offsets, nsent } = b);
    }
    cfgBlock.setBatch(this.rt, cfg, tokens, offsets, nsent, alpha0, alpha1);
    if (!this.pool) {
      this.rt.kernels[this.kernel](cfg);
      this.collect(slot);
      this.releaseSlot(slot);
      return;
    }
    const p = this.pool.call(slot, this.kernel, [cfg]).then(
      () => {
        this.collect(slot);
        this.releaseSlot(slot);
        this.running.delete(p);
      },
      (e) => {
        this.failure ??= e;
        this.releaseSlot(slot);
        this.running.delete(p);
      },
    );
    this.running.add(p);
  }

  /** Throws the first failure of a thread. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for every running batch; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.check();
  }

  /** Waits for every running batch, ignoring failures (cleanup). */
  settle(): Promise<unknown> {
    return Promise.allSettled(this.running);
  }

  /** Loss summed since the last takeStats() (the epoch so far). */
  get loss(): number {
    return this.stats.loss;
  }

  takeStats(): { loss: number; words: number; pairs: number } {
    const s = this.stats;
    this.stats = { loss: 0, words: 0, pairs: 0 };
    return s;
  }

  /** Frees the staging buffers (streamed batches); the config blocks belong to the caller. */
  freeStaging(): void {
    for (const st of this.stage) {
      if (st.tokens) {
        this.mem.free(st.tokens);
        this.mem.free(st.offsets);
        st.tokens = st.offsets = 0;
      }
    }
  }
}

// ---------- the epoch loop ----------

export interface EpochPlan {
  corpus: Corpus;
  index: Map<string, number>;
  /** this call's epochs, and where they sit in the learning-rate schedule */
  epochs: number;
  startEpoch: number;
  totalEpochs: number;
  /** raw tokens of one epoch (the schedule decays over corpusWords × totalEpochs) */
  corpusWords: number;
  alpha: number;
  minAlpha: number;
  maxSentenceLength: number;
  batchWords: number;
  /** cache the corpus: an encoded copy (from the vocabulary pass, or given as ids), or record the first epoch */
  cache: boolean;
  encoded?: EncodedCorpus;
  /** a corpus read as bytes: one epoch's ids in blocks (the wasm scan; streamed epochs use it instead of `corpus`) */
  ids?: () => AsyncIterable<{ tokens: Int32Array; ends: Int32Array }>;
  options: TrainOptions;
  /** checked between batches: the model was disposed */
  stopped: () => boolean;
  /**
   * False when the weights hold NaN or ±Infinity: `full` scans every table (at the end of each epoch), otherwise a
   * few rows that nearly every batch updates (after each batch).
   */
  weightsFinite?: (full: boolean) => boolean;
  /**
   * Resuming in the middle of an epoch (a checkpoint saved mid-epoch, or after an abort): the first `batches`
   * batches of this call's first epoch were trained already; `words` is the raw tokens they cover (checked).
   */
  skip?: { batches: number; words: number };
  /** Where the call stands (updated as batches are handed out): epoch of this call, batches and raw tokens in it. */
  position?: { epoch: number; batches: number; raw: number };
  /**
   * Called around each onProgress call with `open` true before it and false after it: between the two, the kernels
   * are idle (an epoch's end; with one thread, any batch boundary), so the model may be saved as a checkpoint.
   */
  checkpoint?: (open: boolean, epochEnd: boolean) => void;
}

/** The error of a training run whose loss or weights became non-finite. */
export function divergedError(alpha: number, epoch: number, what: string): QuantextError {
  const smaller = Number((alpha / 10).toPrecision(2));
  return new QuantextError(
    'E_DIVERGED',
    `training diverged in epoch ${epoch + 1}: the ${what} became non-finite (NaN or Infinity) with the learning rate alpha = ${alpha}. ` +
      `Train a new model with a smaller alpha (e.g. ${smaller}; the default is 0.025)`,
    { option: 'alpha', alpha, epoch },
  );
}

export interface EpochsDone {
  rawDone: number;
  effective: number;
  epochLoss: number[];
  lastPairs: number;
}

/** Runs the epochs of `plan` on `slots` (gensim's _train_epoch, once per epoch). */
export async function runEpochs(plan: EpochPlan, mem: TrainMemory, slots: Slots): Promise<EpochsDone> {
  const { options, epochs, corpusWords } = plan;
  const totalRaw = Math.max(1, corpusWords) * plan.totalEpochs;
  // a call resumed mid-epoch starts after the batches it skips: the schedule continues from their last token
  const skipWords = plan.skip?.batches ? plan.skip.words : 0;
  const rawBefore = plan.startEpoch * corpusWords + skipWords;
  const callRaw = Math.max(1, Math.max(1, corpusWords) * epochs - skipWords);
  const alphaAt = (raw: number) => plan.alpha - (plan.alpha - plan.minAlpha) * Math.min(1, (rawBefore + raw) / totalRaw);
  const t0 = performance.now();
  const interval = options.progressInterval ?? 200;
  let lastReport = 0;
  let rawDone = 0;
  let effective = 0;
  let lastPairs = 0;
  let epochLossNow = 0;
  const epochLoss: number[] = [];

  const report = (epoch: number, epochEnd = false) => {
    const now = performance.now();
    if (!options.onProgress || (!epochEnd && now - lastReport < interval)) return;
    lastReport = now;
    const sec = (now - t0) / 1000;
    plan.checkpoint?.(true, epochEnd);
    try {
      options.onProgress({
        epoch: plan.startEpoch + epoch, epochs: plan.startEpoch + epochs, progress: Math.min(1, rawDone / callRaw), alpha: alphaAt(rawDone),
        wordsPerSecond: sec > 0 ? rawDone / sec : 0, words: rawDone, loss: epochEnd ? epochLossNow : slots.loss, epochEnd: epochEnd || undefined,
      });
    } finally {
      plan.checkpoint?.(false, epochEnd);
    }
  };
  // let timers, I/O and onProgress consumers run between batches
  let lastYield = performance.now();
  const diverged = (epoch: number, full: boolean) => {
    if (slots.nonFiniteLoss) throw divergedError(plan.alpha, plan.startEpoch + epoch, 'loss');
    if (plan.weightsFinite && !plan.weightsFinite(full)) throw divergedError(plan.alpha, plan.startEpoch + epoch, 'vectors');
  };
  const stop = () => {
    if (plan.stopped()) throw new QuantextError('E_DISPOSED', 'the model was disposed during train()');
    throwIfAborted(options.signal);
  };
  const pace = async (epoch: number) => {
    slots.check();
    stop();
    diverged(epoch, false);
    report(epoch);
    if (performance.now() - lastYield > YIELD_MS) {
      await yieldNow();
      lastYield = performance.now();
    }
  };

  let cached: CachedCorpus | undefined;
  try {
    if (plan.cache && plan.encoded) cached = cacheEncoded(mem, plan.encoded, plan.maxSentenceLength, plan.batchWords);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rec = plan.cache && !cached ? new Recorder() : undefined;
      const batches = cached
        ? cachedBatches(cached)
        : plan.ids
          ? streamIdBatches(plan.ids(), plan.maxSentenceLength, plan.batchWords, rec)
          : streamBatches(plan.corpus, plan.index, plan.maxSentenceLength, plan.batchWords, rec);
      const pos = plan.position ?? { epoch: 0, batches: 0, raw: 0 };
      pos.epoch = epoch;
      pos.batches = 0;
      pos.raw = 0;
      let skip = epoch === 0 ? (plan.skip?.batches ?? 0) : 0;
      let skipped = 0;
      for await (const b of batches) {
        if (skip > 0) {
          // trained before the checkpoint: only counted (a streamed epoch still records it for the cache)
          skip--;
          skipped += b.raw;
          pos.batches++;
          pos.raw += b.raw;
          if (skip === 0 && skipped !== skipWords) {
            throw new QuantextError('E_OPTION', `resume: the checkpoint's ${plan.skip!.batches} batches covered ${skipWords} tokens, this corpus's first ${plan.skip!.batches} cover ${skipped}: is it the corpus the model was trained on?`, { option: 'resume' });
          }
          continue;
        }
        const slot = await slots.acquire();
        stop(); // an abort while waiting for a free thread starts no further batch
        slots.run(slot, b, alphaAt(rawDone), alphaAt(rawDone + b.raw));
        rawDone += b.raw;
        pos.batches++;
        pos.raw += b.raw;
        await pace(epoch);
      }
      if (skip > 0) {
        throw new QuantextError('E_OPTION', `resume: the checkpoint is ${plan.skip!.batches} batches into an epoch, this corpus has only ${pos.batches}: is it the corpus the model was trained on?`, { option: 'resume' });
      }
      await slots.drain();
      // a whole epoch's weights are checked before its loss is reported: never a finite loss for NaN vectors
      diverged(epoch, true);
      if (rec) {
        // move the recorded corpus into wasm memory once; later epochs hand out slices of it
        slots.freeStaging();
        cached = cacheEncoded(mem, rec.finish(), plan.maxSentenceLength, plan.batchWords);
      }
      const s = slots.takeStats();
      epochLossNow = s.loss;
      epochLoss.push(s.loss);
      lastPairs = s.pairs;
      effective += s.words;
      report(epoch, true);
    }
  } finally {
    await slots.settle();
    slots.freeStaging();
    if (cached) {
      mem.free(cached.tokens);
      mem.free(cached.offsets);
    }
  }
  if (!skipWords && (rawDone === 0 || effective === 0)) throw new QuantextError('E_EMPTY', 'nothing was trained: the corpus has no words of the vocabulary');
  return { rawDone, effective, epochLoss, lastPairs };
}
