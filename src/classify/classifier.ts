/**
 * TextClassifier: fastText's `supervised` model (Joulin et al. 2017) trained in wasm. A line's hidden vector is the
 * mean of its input rows (words, their character n-grams, word n-grams hashed into `bucket` rows); an output matrix
 * scores the labels with softmax, one-vs-all, negative sampling or hierarchical softmax; SGD with the learning rate
 * decaying linearly to 0 over epochs × tokens, Hogwild threads over shared memory. The trained model is a
 * FastTextModel (arguments, dictionary, input and output matrices), so prediction and `.bin` files are shared with
 * models fastText made.
 *
 * ```ts
 * const clf = new TextClassifier({ dim: 50, epochs: 25, wordNgrams: 2, bucket: 200_000 });
 * await clf.train('train.txt');            // fastText format: "__label__spam buy now …" per line
 * clf.predict('cheap meds online', 2);     // [['__label__spam', 0.98], ['__label__ham', 0.02]]
 * await clf.test('test.txt');              // { n, precision, recall, labels: [...] }
 * await clf.save('model.bin');             // fastText 0.9.2 loads it: `fasttext predict model.bin -`
 * ```
 */
import { QuantextError, check } from '../errors.js';
import { init, type Runtime } from '../runtime/runtime.js';
import { disposeSymbol } from '../runtime/handle.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { FastTextModel, type LabelProbability } from '../fasttext/model.js';
import { defaultArgs, type FastTextArgs, type FastTextLoss } from '../fasttext/args.js';
import { openByteSource, forEachCarried, writeFileViaHost, type ByteSource } from '../io/lines.js';
import type { PredictionBlock } from '../fasttext/predictor.js';
import { aliasTable } from '../train/vocab.js';
import { TrainMemory } from '../train/memory.js';
import { startThreads, registerPool, terminatePool, type PoolBox } from '../train/threads.js';
import type { TrainProgress } from '../train/options.js';
import { throwIfAborted } from '../train/scheduler.js';
import { dataLines, internLines, buildDictionary, encodeLines, type ClassifierData, type EncodedLines, type InternedCorpus } from './encode.js';
import { SUP, SUP_CFG_SIZE, SUP_FLAG_FREEZE_INPUT, LOSS_CODE, checkSupLayout, sigmoidTable, logTable, hsPaths } from './kernel.js';
import { Meter, type TestResult } from './meter.js';

export type { ClassifierData, LabelledText } from './encode.js';
export type { TestResult, LabelMetrics } from './meter.js';

export interface TextClassifierOptions {
  /** Size of the hidden vector (fastText -dim). Default 100. */
  dim?: number;
  /** Passes over the data (-epoch). Default 5. */
  epochs?: number;
  /** Initial learning rate (-lr), decaying linearly to 0. Default 0.1. */
  lr?: number;
  /** Longest word n-gram (-wordNgrams). Default 1. */
  wordNgrams?: number;
  /** Shortest character n-gram (-minn). Default 0 (no character n-grams). */
  minn?: number;
  /** Longest character n-gram (-maxn). Default 0. */
  maxn?: number;
  /**
   * Hash buckets for word and character n-grams (-bucket). Default 2,000,000 (bucket × dim × 4 bytes of memory);
   * 0 when wordNgrams ≤ 1 and maxn = 0, as fastText sets it.
   */
  bucket?: number;
  /** Words rarer than this are unknown (-minCount). Default 1. */
  minCount?: number;
  /** Labels rarer than this are dropped (-minCountLabel). Default 0. */
  minCountLabel?: number;
  /** -loss. Default 'softmax'. */
  loss?: FastTextLoss;
  /** Negatives per example for loss 'ns' (-neg). Default 5. */
  neg?: number;
  /** Worker threads (Hogwild over shared memory; -thread). Default 1 (deterministic for a seed). */
  threads?: number;
  /** Seed of the initial weights and of every random draw (-seed). Default 0. */
  seed?: number;
  /** Tokens that start with this are labels (-label). Default '__label__'. */
  labelPrefix?: string;
  /** Leave out empty lines, lines without a label and label-only lines (as fastText does) instead of failing. */
  skipInvalid?: boolean;
  /**
   * Quantization-aware training (straight-through estimator): the forward pass uses the quantized rows Q(w), SGD
   * updates float shadow weights, and each updated row is quantized again at once; after train() the model's
   * matrices hold exactly the quantized values (see {@link TextClassifier.qat}). `output: false` keeps the output
   * matrix float. Bits: 8 and 4 (symmetric per-row int, s = max|w|/(2^(b−1)−1)), 2 (ternary: α·{−1, 0, 1}), 1
   * (binary: α·sign(w), α = mean|w| of the row).
   */
  quantize?: QuantizeOptions;
  /** Runtime to train in (default: the one `init()` made). */
  runtime?: Runtime;
}

export interface QuantizeOptions {
  bits: 1 | 2 | 4 | 8;
  /** Quantize the output matrix too. Default true. */
  output?: boolean;
}

/** One matrix's quantizer after quantization-aware training: row r holds exactly `scales[r] · q` (f32), q integer. */
export interface QatTensor {
  /** f32 scale per row (α of the binary and ternary quantizers) */
  scales: Float32Array;
}

/**
 * The quantizer a quantization-aware classifier was trained with (`clf.qat`): symmetric per-row scales, integer
 * codes q = Math.round(w / scales[r]) in [−qmax, qmax] (bits 1: q = ±1; bits 2: q ∈ {−1, 0, 1}); rows that are all
 * zero have scale 0. So the rows are stored losslessly by an int8 (bits 8), int4 (bits 4 and 2, zero point 0) or
 * binary (bits 1, α per row, not centred) table.
 */
export interface QatInfo {
  bits: 1 | 2 | 4 | 8;
  perRow: true;
  symmetric: true;
  /** largest |q|: 127, 7, 1, 1 */
  qmax: number;
  input: QatTensor;
  /** absent when the output matrix stayed float (`quantize.output: false`) */
  output?: QatTensor;
}

export interface ClassifierTrainOptions {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Minimum milliseconds between onProgress calls. Default 200. */
  progressInterval?: number;
  /**
   * Do not update the input matrix, train the output only (fastText's `quantize -retrain`, which retrains the float
   * output over an input that was quantized: put the dequantized input in the model's input matrix first).
   */
  freezeInput?: boolean;
  /**
   * Pruning masks, rows × dim bytes each (input rows = words + buckets, output rows = labels): 1 keeps a weight, 0
   * prunes it. Pruned weights are set to 0 before training and stay exactly 0 after every update.
   */
  masks?: { input?: Uint8Array; output?: Uint8Array };
  /**
   * Soft labels for distillation: one row of `labels.length` probabilities (in the model's label order) per
   * training example, in the order of the data's lines (lines left out by skipInvalid have no row). The loss is
   * α·CE(hard label) + (1 − α)·T²·CE(softmax(z/T), target row). Loss 'softmax' only.
   */
  targets?: Float32Array;
  /** Temperature T of the soft part (with `targets`). Default 1. */
  temperature?: number;
  /** Weight α of the hard labels (with `targets`), in [0, 1]. Default 0.5. */
  alpha?: number;
  /**
   * Continue the training a checkpoint stopped (a classifier loaded from `toBytes()` / `save()` called inside
   * onProgress with one thread, or this classifier after its train() with one thread was aborted through `signal`,
   * or loaded from what it saved then): the rest of its epochs on the same data, with its learning-rate schedule and
   * random state, so that the result is bit-identical to the uninterrupted seeded single-thread run. Pass the same
   * masks / targets / freezeInput as the interrupted call. E_OPTION without a checkpoint or on other data; any other
   * train() in between makes the checkpoint stale (E_OPTION).
   */
  resume?: boolean;
  /** Epochs of this call (default: the classifier's `epochs` option), e.g. a few epochs of retraining after pruning. */
  epochs?: number;
  /** Initial learning rate of this call, decaying to 0 over its epochs (default: the classifier's `lr` option). */
  lr?: number;
}

const TRAIN_KEYS = ['onProgress', 'signal', 'progressInterval', 'freezeInput', 'masks', 'targets', 'temperature', 'alpha', 'resume', 'epochs', 'lr'];

/** Where a checkpoint stopped (the 64-byte trailer after the `.bin` that toBytes() writes inside onProgress). */
interface Checkpoint {
  /** epoch, and batches of it trained */
  epoch: number;
  batch: number;
  /** epochs of the call, and its learning rate */
  epochs: number;
  lr: number;
  /** tokens trained in the call (the learning-rate clock) */
  done: number;
  /** the one thread's LCG state */
  rng: bigint;
  /** the data: tokens per epoch and lines */
  perEpoch: number;
  nlines: number;
}

const CKPT_SIZE = 64;
const CKPT_MAGIC = 'QTXCKPT1';

function checkpointTrailer(c: Checkpoint): Uint8Array {
  const b = new Uint8Array(CKPT_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, c.epoch, true);
  v.setUint32(4, c.batch, true);
  v.setUint32(8, c.epochs, true);
  v.setUint32(12, c.nlines, true);
  v.setFloat64(16, c.done, true);
  v.setFloat64(24, c.lr, true);
  v.setBigUint64(32, c.rng, true);
  v.setFloat64(40, c.perEpoch, true);
  v.setUint32(48, 1, true); // version
  b.set(new TextEncoder().encode(CKPT_MAGIC), 56);
  return b;
}

/** The checkpoint in the last 64 bytes of `tail`, if they are one. */
function readTrailer(tail: Uint8Array): Checkpoint | undefined {
  if (tail.length < CKPT_SIZE) return undefined;
  const t = tail.subarray(tail.length - CKPT_SIZE);
  if (new TextDecoder().decode(t.subarray(56)) !== CKPT_MAGIC) return undefined;
  const v = new DataView(t.buffer, t.byteOffset, CKPT_SIZE);
  if (v.getUint32(48, true) !== 1) throw new QuantextError('E_FORMAT', `TextClassifier.load: checkpoint version ${v.getUint32(48, true)} is not supported (1)`);
  const c: Checkpoint = {
    epoch: v.getUint32(0, true), batch: v.getUint32(4, true), epochs: v.getUint32(8, true), nlines: v.getUint32(12, true),
    done: v.getFloat64(16, true), lr: v.getFloat64(24, true), rng: v.getBigUint64(32, true), perEpoch: v.getFloat64(40, true),
  };
  if (!(c.epoch < c.epochs && c.epochs >= 1 && c.lr > 0 && Number.isFinite(c.lr) && c.done >= 0 && c.done <= c.perEpoch * c.epochs)) {
    throw new QuantextError('E_FORMAT', 'TextClassifier.load: the checkpoint trailer is inconsistent');
  }
  return c;
}

/** The chunks of `chunks` without their last 64 bytes, which `found` receives when they are a checkpoint trailer. */
async function* withoutTrailer(chunks: AsyncIterable<Uint8Array>, found: (c: Checkpoint) => void): AsyncGenerator<Uint8Array> {
  let held = new Uint8Array(0);
  for await (const c of chunks) {
    const all = new Uint8Array(held.length + c.length);
    all.set(held);
    all.set(c, held.length);
    if (all.length > CKPT_SIZE) yield all.slice(0, all.length - CKPT_SIZE);
    held = all.slice(Math.max(0, all.length - CKPT_SIZE));
  }
  const c = readTrailer(held);
  if (c) found(c);
  else if (held.length) yield held;
}

/** What runEpochs writes into the config blocks besides the corpus. */
interface Extras {
  flags: number;
  maskIn: number;
  maskOut: number;
  targets: number;
  temperature: number;
  alpha: number;
}

export interface ClassifierTrainResult {
  /** examples trained per epoch (lines with labels and input) */
  examples: number;
  /** tokens per epoch as fastText counts them (words, labels, "</s>") */
  tokens: number;
  epochs: number;
  seconds: number;
  /** tokens × epochs / seconds of the SGD passes */
  tokensPerSecond: number;
  /** mean loss per example of the last epoch */
  loss: number;
  /** threads that trained (fewer than asked where the host cannot run them) */
  threads: number;
}

type Resolved = Required<Omit<TextClassifierOptions, 'runtime' | 'quantize'>> & { quantize?: Required<QuantizeOptions> };

const DEFAULTS: Resolved = {
  dim: 100, epochs: 5, lr: 0.1, wordNgrams: 1, minn: 0, maxn: 0, bucket: 2_000_000, minCount: 1, minCountLabel: 0,
  loss: 'softmax', neg: 5, threads: 1, seed: 0, labelPrefix: '__label__', skipInvalid: false,
};
const LOSSES: readonly FastTextLoss[] = ['softmax', 'hs', 'ns', 'ova'];
/** tokens per kernel call (one thread's share of work between two messages) */
const BATCH_TOKENS = 1 << 15;
const YIELD_MS = 50;

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v;
}

function resolve(options: TextClassifierOptions): Resolved {
  check(typeof options === 'object' && options !== null, `TextClassifier: options must be an object, got ${describe(options)}`, { option: 'options' });
  const known = new Set([...Object.keys(DEFAULTS), 'runtime', 'quantize']);
  for (const k of Object.keys(options)) check(known.has(k), `TextClassifier: unknown option '${k}'`, { option: k });
  const o: any = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k !== 'runtime' && k !== 'quantize') o[k] = v;
  if (options.quantize !== undefined) {
    const q: any = options.quantize;
    check(typeof q === 'object' && q !== null, `TextClassifier: quantize must be an object { bits: 1 | 2 | 4 | 8, output?: boolean }, got ${describe(q)}`, { option: 'quantize' });
    for (const k of Object.keys(q)) check(k === 'bits' || k === 'output', `TextClassifier: unknown option 'quantize.${k}'`, { option: `quantize.${k}` });
    check([1, 2, 4, 8].includes(q.bits), `TextClassifier: quantize.bits must be 1, 2, 4 or 8, got ${describe(q.bits)}`, { option: 'quantize.bits', value: q.bits });
    check(q.output === undefined || typeof q.output === 'boolean', `TextClassifier: quantize.output must be a boolean, got ${describe(q.output)}`, { option: 'quantize.output' });
    o.quantize = { bits: q.bits, output: q.output ?? true };
  }
  const int = (k: string, min: number, max: number) =>
    check(Number.isInteger(o[k]) && o[k] >= min && o[k] <= max, `TextClassifier: ${k} must be an integer in [${min}, ${max}], got ${describe(o[k])}`, { option: k, value: o[k] });
  int('dim', 1, 10000);
  int('epochs', 1, 1e6);
  int('wordNgrams', 1, 100);
  int('minn', 0, 100);
  int('maxn', 0, 100);
  int('bucket', 0, 0x7fffffff);
  int('minCount', 1, 2 ** 31 - 1);
  int('minCountLabel', 0, 2 ** 31 - 1);
  int('neg', 1, 1000);
  int('threads', 1, 1024);
  int('seed', 0, 2 ** 32 - 1);
  check(typeof o.lr === 'number' && Number.isFinite(o.lr) && o.lr > 0 && o.lr <= 100, `TextClassifier: lr must be a finite number in (0, 100], got ${describe(o.lr)}`, { option: 'lr', value: o.lr });
  check(LOSSES.includes(o.loss), `TextClassifier: loss must be one of ${LOSSES.join(', ')}, got ${describe(o.loss)}`, { option: 'loss', value: o.loss });
  check(typeof o.labelPrefix === 'string' && o.labelPrefix.length > 0 && !/[ \t\n\v\f\r\0]/.test(o.labelPrefix), `TextClassifier: labelPrefix must be a non-empty string without spaces, got ${describe(o.labelPrefix)}`, { option: 'labelPrefix' });
  check(typeof o.skipInvalid === 'boolean', `TextClassifier: skipInvalid must be a boolean, got ${describe(o.skipInvalid)}`, { option: 'skipInvalid' });
  check(o.maxn === 0 || o.maxn >= o.minn, `TextClassifier: maxn (${o.maxn}) must be ≥ minn (${o.minn}), or 0 for no character n-grams`, { option: 'maxn' });
  if (o.minn > 0 && o.maxn === 0 && options.maxn === undefined) o.maxn = 0;
  // fastText (args.cc): no n-grams at all, no buckets
  if (o.wordNgrams <= 1 && o.maxn === 0) o.bucket = 0;
  check(o.bucket > 0 || (o.wordNgrams <= 1 && o.maxn === 0), 'TextClassifier: bucket must be ≥ 1 with word n-grams (wordNgrams > 1) or character n-grams (maxn > 0)', { option: 'bucket' });
  return o as Resolved;
}

export class TextClassifier {
  readonly opts: Resolved;
  private runtimeOpt?: Runtime;
  private _model?: FastTextModel;
  private mem?: TrainMemory;
  /** fixed wasm tables of the current model (sigmoid, log, negatives, hs paths) */
  private tables?: { sigmoid: number; log: number; neg: number; hsOff: number; hsPaths: number; hsCodes: number };
  private rngStates: bigint[] = [];
  private threadsBox: PoolBox = {};
  /** quantization-aware training: the float shadow weights SGD updates, and the per-row scales (TrainMemory) */
  private qatState?: { shadowIn: DenseMatrix; shadowOut?: DenseMatrix; scalesIn: number; scalesOut: number };
  /** inside onProgress with one thread: the training state toBytes() appends (a checkpoint) */
  private ckpt?: Checkpoint;
  /** the checkpoint a loaded model was saved at, or where an aborted train() stopped, for train({ resume: true }) */
  private resumeFrom?: Checkpoint;
  /** where the last train() stopped when it was aborted with one thread (toBytes() and save() append it) */
  private stopped?: Checkpoint;
  private training = false;
  private disposed = false;

  constructor(options: TextClassifierOptions = {}) {
    this.opts = resolve(options);
    this.runtimeOpt = options.runtime;
    registerPool(this, this.threadsBox);
  }

  /**
   * A fastText supervised `.bin` (ours or fastText's) as a classifier that predicts and can keep training (its
   * dictionary, labels and arguments are the file's; `options` gives the run settings: lr, epochs, threads, seed).
   * A `.ftz` predicts but cannot train (its matrices are product-quantized).
   */
  static async load(source: ByteSource, options: TextClassifierOptions = {}): Promise<TextClassifier> {
    const rt = options.runtime ?? (await init());
    let ckpt: Checkpoint | undefined;
    let model: FastTextModel;
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const b = source instanceof Uint8Array ? source : new Uint8Array(source);
      ckpt = readTrailer(b.subarray(Math.max(0, b.length - CKPT_SIZE)));
      model = await FastTextModel.load(ckpt ? b.subarray(0, b.length - CKPT_SIZE) : b, { rt });
    } else {
      try {
        model = await FastTextModel.load(source, { rt });
      } catch (e) {
        // a checkpoint (a .bin with the training state after it) read from a file: read it again without the trailer
        if (!(e instanceof QuantextError && e.code === 'E_FORMAT' && /unexpected bytes after the output matrix/.test(e.message) && (typeof source === 'string' || source instanceof URL))) throw e;
        const opened = await openByteSource(source, { chunkSize: 1 << 16 });
        model = await FastTextModel.load(withoutTrailer(opened.chunks, (c) => (ckpt = c)), { rt });
        if (!ckpt) {
          model.dispose();
          throw e;
        }
      }
    }
    if (!model.isSupervised) {
      model.dispose();
      throw new QuantextError('E_UNSUPPORTED', 'TextClassifier.load: this fastText model is unsupervised (skipgram or cbow), not a classifier');
    }
    const a = model.args;
    const c = new TextClassifier({
      ...options, dim: a.dim, wordNgrams: a.wordNgrams, minn: a.minn, maxn: a.maxn, bucket: a.bucket || undefined,
      loss: a.loss, neg: a.neg, minCount: a.minCount, epochs: options.epochs ?? a.epoch, runtime: rt,
    });
    c._model = model;
    c.resumeFrom = ckpt;
    return c;
  }

  /**
   * A classifier over a fastText supervised model already in memory (e.g. from `FastTextModel.load`, or another
   * classifier's `model` after re-wrapping): it predicts and keeps training on the model's dictionary, labels and
   * arguments; `options` gives the run settings (lr, epochs, threads, seed, quantize). The model's ownership moves
   * to the classifier: `clf.dispose()` frees it, and the caller must not dispose it. A quantized (`.ftz`) or
   * unsupervised model is E_UNSUPPORTED (and is left to the caller).
   */
  static fromModel(model: FastTextModel, options: TextClassifierOptions = {}): TextClassifier {
    check(model instanceof FastTextModel, `TextClassifier.fromModel: model must be a FastTextModel, got ${describe(model)}`, { option: 'model' });
    if (!model.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'TextClassifier.fromModel: this fastText model is unsupervised (skipgram or cbow), not a classifier');
    if (model.quantInput || model.qout || !(model.input instanceof DenseMatrix) || !(model.output instanceof DenseMatrix) || model.input.stride !== model.dim || model.output.stride !== model.dim) {
      throw new QuantextError('E_UNSUPPORTED', 'TextClassifier.fromModel: this model is quantized (a .ftz); only a dense (.bin) model can become a TextClassifier that trains. Load it with TextClassifier.load to predict');
    }
    if (model.input.isDisposed || model.output.isDisposed) throw new QuantextError('E_DISPOSED', 'TextClassifier.fromModel: the model was disposed');
    if (options.runtime && options.runtime !== model.rt) throw new QuantextError('E_OPTION', 'TextClassifier.fromModel: options.runtime is not the runtime the model lives in', { option: 'runtime' });
    const a = model.args;
    const c = new TextClassifier({
      ...options, dim: a.dim, wordNgrams: a.wordNgrams, minn: a.minn, maxn: a.maxn, bucket: a.bucket || undefined,
      loss: a.loss, neg: a.neg, minCount: a.minCount, epochs: options.epochs ?? a.epoch, runtime: model.rt,
    });
    c._model = model;
    return c;
  }

  /** The trained (or loaded) model: arguments, dictionary, input and output matrices. Throws before train(). */
  get model(): FastTextModel {
    this.alive();
    if (!this._model) throw new QuantextError('E_EMPTY', 'the classifier has no model yet: call train() or TextClassifier.load() first');
    return this._model;
  }

  get labels(): string[] {
    return this.model.labels;
  }

  /** Whether the classifier has a model (trained, loaded or given), i.e. whether `model` and `labels` can be read. */
  get hasModel(): boolean {
    return !this.disposed && this._model !== undefined;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'TextClassifier was used after dispose()');
  }

  private argsFor(): FastTextArgs {
    const o = this.opts;
    return defaultArgs({
      dim: o.dim, epoch: o.epochs, minCount: o.minCount, neg: o.neg, wordNgrams: o.wordNgrams, loss: o.loss, model: 'supervised',
      bucket: o.bucket, minn: o.minn, maxn: o.maxn, lrUpdateRate: 100, t: 1e-4,
    });
  }

  /**
   * Trains on `data` (a fastText-format file, or lines, or `{ text, labels }` items; several labels per line are
   * allowed). The first call builds the dictionary and the model; later calls (and calls on a loaded model) keep
   * training it on the dictionary it has: unknown words still contribute their n-grams, an unknown label is an
   * error. Each call runs `epochs` epochs with the learning rate decaying from `lr` to 0.
   */
  async train(data: ClassifierData, options: ClassifierTrainOptions = {}): Promise<ClassifierTrainResult> {
    this.alive();
    if (this.training) throw new QuantextError('E_BUSY', 'train() is running on this classifier; await it first');
    check(typeof options === 'object' && options !== null, 'train(): options must be an object', { option: 'options' });
    for (const k of Object.keys(options)) check(TRAIN_KEYS.includes(k), `train(): unknown option '${k}'`, { option: k });
    checkTrainOptions(options, this.opts.loss);
    this.training = true;
    try {
      const rt = this.runtimeOpt ?? (await init());
      checkSupLayout(rt.kernels);
      const first = !this._model;
      const args = first ? this.argsFor() : this._model!.args;
      let interned: InternedCorpus | undefined = await internLines(data, { labelPrefix: this.opts.labelPrefix, skipInvalid: this.opts.skipInvalid, name: 'train' });
      throwIfAborted(options.signal);
      if (first) {
        const dict = buildDictionary(interned!, args, this.opts.minCountLabel);
        const rows = dict.nwords + args.bucket;
        check(rows * args.dim * 4 < 2 ** 32, `TextClassifier: (${dict.nwords} words + ${args.bucket} buckets) × ${args.dim} floats cannot fit wasm32 memory; use a smaller bucket`, { option: 'bucket' });
        const input = new DenseMatrix(rows, args.dim, { rt, zero: false });
        let output: DenseMatrix;
        try {
          // fastText: input uniform in (−1/dim, 1/dim), output zero
          rt.kernels.ft_init_uniform(input.ptr, rows * args.dim, mixSeed(this.opts.seed), 1 / args.dim);
          output = new DenseMatrix(dict.nlabels, args.dim, { rt, zero: true });
        } catch (e) {
          input.dispose();
          throw e;
        }
        this._model = new FastTextModel({ version: 12, args, dict, input, output, quantInput: false, qout: false });
      }
      const model = this._model!;
      if (!(model.input instanceof DenseMatrix) || !(model.output instanceof DenseMatrix) || model.input.stride !== model.dim || model.output.stride !== model.dim) {
        throw new QuantextError('E_UNSUPPORTED', 'TextClassifier.train: this model is quantized (a .ftz); only a .bin model (dense matrices) can keep training');
      }
      if (options.masks?.input) checkMask(options.masks.input, model.input.rows * model.dim, 'masks.input', `${model.input.rows} rows × ${model.dim}`);
      if (options.masks?.output) checkMask(options.masks.output, model.output.rows * model.dim, 'masks.output', `${model.output.rows} labels × ${model.dim}`);
      let enc: EncodedLines | undefined = encodeLines(interned!, model.dict, args, !first, 'train');
      interned = undefined; // the token ids are garbage from here on
      if (options.targets) {
        const want = enc.ntok.length * model.output.rows;
        if (options.targets.length !== want) {
          throw new QuantextError('E_SHAPE', `train(): targets has ${options.targets.length} values; the data has ${enc.ntok.length} lines × ${model.output.rows} labels = ${want}`, { option: 'targets', got: options.targets.length, want });
        }
        const t = options.targets, osz = model.output.rows;
        for (let l = 0; l < enc.ntok.length; l++) {
          let sum = 0;
          for (let i = 0; i < osz; i++) sum += t[l * osz + i];
          if (Math.abs(sum - 1) > 1e-2) throw new QuantextError('E_OPTION', `train(): targets row ${l} (line ${l + 1} of the data) sums to ${sum}, not 1: each row is a probability distribution over the ${osz} labels`, { option: 'targets', row: l });
        }
      }
      const resume = options.resume ? this.resumeFrom : undefined;
      if (options.resume) {
        if (!resume) throw new QuantextError('E_OPTION', 'train({ resume: true }): this classifier has no checkpoint to resume (load one saved with toBytes() or save() inside onProgress, or abort a train() with one thread)', { option: 'resume' });
        if (this.opts.quantize) throw new QuantextError('E_UNSUPPORTED', 'train({ resume: true }): a quantization-aware classifier cannot resume (its float shadow weights are not in the checkpoint)', { option: 'resume' });
      }
      // any training from here on makes an older checkpoint stale (runEpochs records a new one if it is aborted)
      this.resumeFrom = this.stopped = undefined;
      return await this.runEpochs(rt, () => {
        const e = enc!;
        enc = undefined; // and the encoded copy once it is in wasm memory
        return e;
      }, options, resume);
    } finally {
      this.training = false;
    }
  }

  private ensureTables(rt: Runtime, mem: TrainMemory): NonNullable<TextClassifier['tables']> {
    if (this.tables) return this.tables;
    const m = this._model!, a = rt.arena, d = m.dict;
    const sigmoid = mem.alloc(513 * 4);
    a.f32(sigmoid, 513).set(sigmoidTable());
    const log = mem.alloc(513 * 4);
    a.f32(log, 513).set(logTable());
    const labelCounts = d.counts.slice(d.nwords);
    let neg = 0, hsOff = 0, hsPathsPtr = 0, hsCodes = 0;
    if (m.args.loss === 'ns') {
      const t = aliasTable(labelCounts, 0.5);
      neg = mem.alloc(t.length * 4);
      a.u32(neg, t.length).set(t);
    }
    if (m.args.loss === 'hs') {
      const h = hsPaths(labelCounts);
      hsOff = mem.alloc(h.off.length * 4);
      a.i32(hsOff, h.off.length).set(h.off);
      hsPathsPtr = mem.alloc(Math.max(4, h.paths.length * 4));
      a.i32(hsPathsPtr, h.paths.length).set(h.paths);
      hsCodes = mem.alloc(Math.max(4, h.codes.length));
      a.u8(hsCodes, h.codes.length).set(h.codes);
    }
    this.tables = { sigmoid, log, neg, hsOff, hsPaths: hsPathsPtr, hsCodes };
    return this.tables;
  }

  /** Quantization-aware training: the shadow weights (made on the first train() from the model's weights) and Q(shadow) in the model. */
  private prepareQat(rt: Runtime, mem: TrainMemory, masks: ClassifierTrainOptions['masks'], maskIn: number, maskOut: number): void {
    const q = this.opts.quantize;
    if (!q) return;
    const model = this._model!;
    const input = model.input as DenseMatrix, output = model.output as DenseMatrix;
    const dim = model.dim;
    if (!this.qatState) {
      const copy = (m: DenseMatrix) => {
        const c = new DenseMatrix(m.rows, dim, { rt, zero: false });
        rt.arena.f32(c.ptr, m.rows * dim).set(rt.arena.f32(m.ptr, m.rows * dim));
        return c;
      };
      const shadowIn = copy(input);
      let shadowOut: DenseMatrix | undefined;
      try {
        shadowOut = q.output ? copy(output) : undefined;
        const scalesIn = mem.alloc(input.rows * 4 + 16, true);
        const scalesOut = q.output ? mem.alloc(output.rows * 4 + 16, true) : 0;
        this.qatState = { shadowIn, shadowOut, scalesIn, scalesOut };
      } catch (e) {
        shadowIn.dispose();
        shadowOut?.dispose();
        throw e;
      }
    }
    const st = this.qatState;
    const k = rt.kernels;
    if (masks?.input) k.mask_zero(st.shadowIn.ptr, maskIn, input.rows * dim);
    k.qat_quantize_per_row(st.shadowIn.ptr, input.ptr, st.scalesIn, 0, input.rows, dim, q.bits);
    // binary codes of a pruned 0 would be +α: pruned weights are 0 in the quantized matrix too
    if (masks?.input) k.mask_zero(input.ptr, maskIn, input.rows * dim);
    if (st.shadowOut) {
      if (masks?.output) k.mask_zero(st.shadowOut.ptr, maskOut, output.rows * dim);
      k.qat_quantize_per_row(st.shadowOut.ptr, output.ptr, st.scalesOut, 0, output.rows, dim, q.bits);
      if (masks?.output) k.mask_zero(output.ptr, maskOut, output.rows * dim);
    }
  }

  /**
   * The quantizer of a quantization-aware classifier (`quantize` option) after train(): bits, per-row symmetric
   * scales of the input and output matrices (whose rows hold exactly scales[r]·q). Undefined without `quantize`
   * or before the first train().
   */
  get qat(): QatInfo | undefined {
    this.alive();
    const q = this.opts.quantize, st = this.qatState;
    if (!q || !st || !this._model) return undefined;
    const rt = this._model.rt;
    const info: QatInfo = {
      bits: q.bits, perRow: true, symmetric: true, qmax: q.bits <= 2 ? 1 : (1 << (q.bits - 1)) - 1,
      input: { scales: rt.arena.f32(st.scalesIn, this._model.input.rows).slice() },
    };
    if (st.shadowOut) info.output = { scales: rt.arena.f32(st.scalesOut, this._model.output.rows).slice() };
    return info;
  }

  private async runEpochs(rt: Runtime, takeEnc: () => EncodedLines, options: ClassifierTrainOptions, resume?: Checkpoint): Promise<ClassifierTrainResult> {
    this.mem ??= new TrainMemory(rt);
    const mem = this.mem;
    const model = this._model!;
    const t = this.ensureTables(rt, mem);
    let enc: EncodedLines | undefined = takeEnc();
    const nlines = enc.ntok.length;
    const ntok = enc.ntok;
    const epochs = resume?.epochs ?? options.epochs ?? this.opts.epochs;
    const lr = resume?.lr ?? options.lr ?? this.opts.lr;
    // the main thread trains too: n threads are n − 1 workers and this one (a worker thread costs ~10 MB of RSS)
    const threads = await startThreads(rt, 'TextClassifier', this.opts.threads, this.threadsBox, true);
    const pool = threads > 1 ? this.threadsBox.pool : undefined;
    // the encoded corpus, in wasm memory once
    const owned: number[] = [];
    const put = (arr: Int32Array): number => {
      const p = mem.alloc(Math.max(4, arr.length * 4));
      owned.push(p);
      rt.arena.i32(p, arr.length).set(arr);
      return p;
    };
    const cfgs: number[] = [];
    const running = new Set<Promise<void>>();
    let failure: unknown;
    try {
      const rowsPtr = put(enc.rows), rowOffPtr = put(enc.rowOff), labelsPtr = put(enc.labels), labOffPtr = put(enc.labOff), ntokPtr = put(enc.ntok);
      enc = undefined;
      const osz = model.output.rows, dim = model.dim;
      const input = model.input as DenseMatrix, output = model.output as DenseMatrix;
      const putBytes = (arr: Uint8Array | Float32Array): number => {
        const p = mem.alloc(Math.max(8, arr.byteLength));
        owned.push(p);
        rt.arena.u8(p, arr.byteLength).set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
        return p;
      };
      const maskIn = options.masks?.input ? putBytes(options.masks.input) : 0;
      const maskOut = options.masks?.output ? putBytes(options.masks.output) : 0;
      const targets = options.targets ? putBytes(options.targets) : 0;
      if (maskIn) rt.kernels.mask_zero(input.ptr, maskIn, input.rows * dim);
      if (maskOut) rt.kernels.mask_zero(output.ptr, maskOut, osz * dim);
      this.prepareQat(rt, mem, options.masks, maskIn, maskOut);
      const qs = this.qatState;
      const ex: Extras = {
        flags: options.freezeInput ? SUP_FLAG_FREEZE_INPUT : 0, maskIn, maskOut, targets,
        temperature: options.temperature ?? 1, alpha: options.alpha ?? 0.5,
      };
      for (let s = 0; s < threads; s++) {
        const cfg = mem.alloc(SUP_CFG_SIZE, true);
        cfgs.push(cfg);
        const scratch = mem.alloc((2 * dim + 2 * osz) * 4 + 16);
        owned.push(scratch);
        const i32 = (off: number, v: number) => (rt.arena.i32(cfg + off, 1)[0] = v);
        i32(SUP.INPUT, input.ptr);
        i32(SUP.OUTPUT, output.ptr);
        i32(SUP.DIM, dim);
        i32(SUP.OSZ, osz);
        i32(SUP.LOSS, LOSS_CODE[model.args.loss]);
        i32(SUP.NEG, model.args.neg);
        i32(SUP.ROWS, rowsPtr);
        i32(SUP.ROW_OFF, rowOffPtr);
        i32(SUP.LABELS, labelsPtr);
        i32(SUP.LAB_OFF, labOffPtr);
        i32(SUP.NTOK, ntokPtr);
        i32(SUP.NEG_TABLE, t.neg);
        i32(SUP.HS_PATHS, t.hsPaths);
        i32(SUP.HS_CODES, t.hsCodes);
        i32(SUP.HS_OFF, t.hsOff);
        i32(SUP.SIGMOID, t.sigmoid);
        i32(SUP.LOG, t.log);
        i32(SUP.SCRATCH, scratch);
        i32(SUP.FLAGS, ex.flags);
        i32(SUP.MASK_IN, ex.maskIn);
        i32(SUP.MASK_OUT, ex.maskOut);
        i32(SUP.TARGETS, ex.targets);
        rt.arena.f32(cfg + SUP.TEMP, 1)[0] = ex.temperature;
        rt.arena.f32(cfg + SUP.KD_ALPHA, 1)[0] = ex.alpha;
        if (qs) {
          i32(SUP.SHADOW_IN, qs.shadowIn.ptr);
          i32(SUP.SHADOW_OUT, qs.shadowOut?.ptr ?? 0);
          i32(SUP.QSCALE_IN, qs.scalesIn);
          i32(SUP.QSCALE_OUT, qs.scalesOut);
          i32(SUP.QBITS, this.opts.quantize!.bits);
        }
        // each thread's LCG stream: from the seed and the thread, continued across train() calls
        const st = (s === 0 ? resume?.rng : undefined) ?? this.rngStates[s] ?? ((BigInt(this.opts.seed) * 0x9e3779b97f4a7c15n + BigInt(s) * 0x632be59bd9b4e019n + 1n) & 0xffffffffffffffffn);
        const u = rt.arena.u32(cfg + SUP.RNG, 2);
        u[0] = Number(st & 0xffffffffn);
        u[1] = Number(st >> 32n);
      }
      // batches of whole lines, about BATCH_TOKENS tokens each
      const cuts: number[] = [0];
      const cutTok: number[] = [];
      let acc = 0;
      for (let l = 0; l < nlines; l++) {
        acc += ntok[l];
        if (acc >= BATCH_TOKENS || l === nlines - 1) {
          cuts.push(l + 1);
          cutTok.push(acc);
          acc = 0;
        }
      }
      const perEpoch = ntok.reduce((s, v) => s + v, 0);
      const total = Math.max(1, perEpoch * epochs);
      if (resume && (resume.perEpoch !== perEpoch || resume.nlines !== nlines)) {
        throw new QuantextError('E_OPTION', `train({ resume: true }): the checkpoint was trained on other data (${resume.nlines} lines, ${resume.perEpoch} tokens per epoch; this data has ${nlines} lines, ${perEpoch} tokens)`, { option: 'resume' });
      }
      // a checkpoint can be taken between batches when one thread trains (the kernel is idle then)
      const savable = !pool && !this.opts.quantize;
      const progress = (p: TrainProgress, epoch: number, batch: number) => {
        if (savable && epoch < epochs) {
          const u = rt.arena.u32(cfgs[0] + SUP.RNG, 2);
          this.ckpt = { epoch, batch, epochs, lr, done, rng: (BigInt(u[1]) << 32n) | BigInt(u[0]), perEpoch, nlines };
        }
        try {
          options.onProgress!(p);
        } finally {
          this.ckpt = undefined;
        }
      };
      // slot 0 is this thread's; with a pool, `free` holds the idle workers' slots (1 … threads − 1)
      const free = pool ? cfgs.map((_, i) => i).slice(1).reverse() : [0];
      let mainRan = false;
      const waiting: ((i: number) => void)[] = [];
      const release = (i: number) => {
        const w = waiting.shift();
        if (w) w(i);
        else free.push(i);
      };
      const acquire = (): Promise<number> => (free.length ? Promise.resolve(free.pop()!) : new Promise((r) => waiting.push(r)));
      const stats = () => {
        let loss = 0, ex = 0;
        for (const cfg of cfgs) {
          const f = rt.arena.f64(cfg + SUP.LOSS_SUM, 3);
          loss += f[0];
          ex += f[1];
          f[0] = f[1] = f[2] = 0;
        }
        return { loss, ex };
      };
      const t0 = performance.now();
      let lastYield = t0, lastReport = 0;
      const interval = options.progressInterval ?? 200;
      let done = resume?.done ?? 0;
      let lastLoss = 0, lastEx = 0;
      for (let epoch = resume?.epoch ?? 0; epoch < epochs; epoch++) {
        for (let b = resume && epoch === resume.epoch ? resume.batch : 0; b + 1 < cuts.length; b++) {
          let slot: number;
          if (pool) {
            // after a batch on this thread, let the workers' finished batches land first (their messages need the
            // event loop); then an idle worker takes the batch, else this thread runs it
            if (mainRan && running.size) await Promise.race(running);
            mainRan = false;
            slot = free.length ? free.pop()! : 0;
          } else slot = await acquire();
          if (failure) throw failure;
          if (this.disposed) throw new QuantextError('E_DISPOSED', 'the classifier was disposed during train()');
          if (options.signal?.aborted && savable) {
            // one thread, between batches: the state here is a checkpoint (train({ resume: true }) continues it, and
            // toBytes() / save() append it)
            const u = rt.arena.u32(cfgs[0] + SUP.RNG, 2);
            this.stopped = this.resumeFrom = { epoch, batch: b, epochs, lr, done, rng: (BigInt(u[1]) << 32n) | BigInt(u[0]), perEpoch, nlines };
          }
          throwIfAborted(options.signal);
          const cfg = cfgs[slot];
          const a0 = lr * (1 - done / total), a1 = lr * (1 - (done + cutTok[b]) / total);
          const i32 = rt.arena.i32(cfg, SUP_CFG_SIZE / 4);
          i32[SUP.LINE0 / 4] = cuts[b];
          i32[SUP.LINE1 / 4] = cuts[b + 1];
          const f32 = rt.arena.f32(cfg, SUP_CFG_SIZE / 4);
          f32[SUP.ALPHA0 / 4] = a0;
          f32[SUP.ALPHA1 / 4] = Math.max(0, a1);
          done += cutTok[b];
          if (!pool) {
            rt.kernels.sup_train_batch(cfg);
            release(slot);
          } else if (slot === 0) {
            rt.kernels.sup_train_batch(cfg);
            mainRan = true;
          } else {
            const p: Promise<void> = pool.call(slot - 1, 'sup_train_batch', [cfg]).then(
              () => {
                running.delete(p);
                release(slot);
              },
              (e) => {
                running.delete(p);
                failure ??= e;
                release(slot);
              },
            );
            running.add(p);
          }
          const now = performance.now();
          if (options.onProgress && now - lastReport >= interval) {
            lastReport = now;
            const sec = (now - t0) / 1000;
            progress({ epoch, epochs, progress: done / total, alpha: Math.max(0, a1), wordsPerSecond: sec > 0 ? done / sec : 0, words: done, loss: lastEx ? lastLoss / lastEx : 0 }, epoch, b + 1);
          }
          if (now - lastYield > YIELD_MS) {
            await new Promise((r) => setTimeout(r, 0));
            lastYield = performance.now();
          }
        }
        await Promise.all(running);
        if (failure) throw failure;
        const s = stats();
        lastLoss = s.loss;
        lastEx = s.ex;
        if (!Number.isFinite(s.loss) || !weightsFinite(rt, output.ptr, osz * dim)) {
          throw new QuantextError('E_DIVERGED', `training diverged in epoch ${epoch + 1}: the loss or the output weights became non-finite with lr = ${lr}. Train a new classifier with a smaller lr (e.g. ${Number((lr / 10).toPrecision(2))}; the default is 0.1)`, { option: 'lr', lr, epoch });
        }
        if (options.onProgress) progress({ epoch, epochs, progress: done / total, alpha: Math.max(0, lr * (1 - done / total)), wordsPerSecond: done / Math.max(1e-9, (performance.now() - t0) / 1000), words: done, loss: s.ex ? s.loss / s.ex : 0, epochEnd: true }, epoch + 1, 0);
      }
      const seconds = (performance.now() - t0) / 1000;
      // with several threads (Hogwild) a row's quantized values may mix two updates: quantize every row once more
      // (with one thread this rewrites the same bits)
      if (pool) this.prepareQat(rt, mem, options.masks, maskIn, maskOut);
      for (let s = 0; s < cfgs.length; s++) {
        const u = rt.arena.u32(cfgs[s] + SUP.RNG, 2);
        this.rngStates[s] = (BigInt(u[1]) << 32n) | BigInt(u[0]);
      }
      if (lastEx === 0 && !resume) throw new QuantextError('E_EMPTY', 'nothing was trained: no line has both a known label and input');
      return { examples: lastEx, tokens: perEpoch, epochs, seconds, tokensPerSecond: (perEpoch * epochs) / Math.max(seconds, 1e-9), loss: lastEx ? lastLoss / lastEx : 0, threads };
    } finally {
      await Promise.allSettled([...running]);
      for (const p of owned) mem.free(p);
      for (const c of cfgs) mem.free(c);
    }
  }

  /**
   * The `k` most likely labels of one line of text with their probabilities, best first (as fastText's
   * `predict-prob`); labels below `threshold` are left out; k = −1 gives every label.
   */
  predict(text: string, k = 1, threshold = 0): LabelProbability[] {
    return this.model.predict(text, k, threshold);
  }

  /** {@link predict} for each text. */
  predictBatch(texts: readonly string[], k = 1, threshold = 0): LabelProbability[][] {
    const m = this.model;
    check(Array.isArray(texts), 'predictBatch: texts must be an array of strings', { option: 'texts' });
    return m.predictBatch(texts, k, threshold);
  }

  /**
   * fastText's `test` (and `test-label`): precision and recall at `k` over the lines of `data` that have a label
   * the model knows and some input, and the same per label. Lines are read as fastText reads a test file.
   */
  async test(data: ClassifierData, k = 1, threshold = 0): Promise<TestResult> {
    const m = this.model;
    check(Number.isInteger(k) && (k >= 1 || k === -1), `test: k must be a positive integer or -1 (all labels); got ${describe(k)}`, { option: 'k' });
    check(typeof threshold === 'number' && !Number.isNaN(threshold), `test: threshold must be a number; got ${describe(threshold)}`, { option: 'threshold' });
    return testModel(m, data, k, threshold, this.opts.labelPrefix);
  }

  /**
   * Writes the model as a fastText `.bin` (fastText 0.9.2 loads it), atomically. Inside onProgress with one thread,
   * and after a train() with one thread was aborted (until the next train()), it writes a checkpoint: the `.bin`
   * followed by 64 bytes of training state (fastText ignores them), which `TextClassifier.load` +
   * `train(data, { resume: true })` continue from. `clf.model.save(path)` writes the plain `.bin` always.
   */
  async save(path: string | URL): Promise<void> {
    if (this.ckpt ?? this.stopped) await writeFileViaHost(path, this.toBytes());
    else await this.model.save(path);
  }

  /** The `.bin` file's bytes (a checkpoint inside onProgress or after an abort, with one thread: see {@link save}). */
  toBytes(): Uint8Array {
    const bin = this.model.toBytes();
    const c = this.ckpt ?? this.stopped;
    if (!c) return bin;
    const out = new Uint8Array(bin.length + CKPT_SIZE);
    out.set(bin);
    out.set(checkpointTrailer(c), bin.length);
    return out;
  }

  /** Frees the model, the training memory and the worker threads. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    terminatePool(this, this.threadsBox);
    this._model?.dispose();
    this.qatState?.shadowIn.dispose();
    this.qatState?.shadowOut?.dispose();
    this.mem?.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/** A 32-bit seed spread over all its bits (murmur3's finalizer), so that nearby seeds start xorshift32 far apart. */
function mixSeed(seed: number): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

/** The train() options that need no model: types, ranges, and the soft labels' values. */
function checkTrainOptions(o: ClassifierTrainOptions, loss: FastTextLoss): void {
  check(o.freezeInput === undefined || typeof o.freezeInput === 'boolean', `train(): freezeInput must be a boolean, got ${describe(o.freezeInput)}`, { option: 'freezeInput' });
  check(o.resume === undefined || typeof o.resume === 'boolean', `train(): resume must be a boolean, got ${describe(o.resume)}`, { option: 'resume' });
  check(o.epochs === undefined || (Number.isInteger(o.epochs) && o.epochs >= 1 && o.epochs <= 1e6), `train(): epochs must be an integer in [1, 1000000], got ${describe(o.epochs)}`, { option: 'epochs', value: o.epochs });
  check(o.lr === undefined || (typeof o.lr === 'number' && Number.isFinite(o.lr) && o.lr > 0 && o.lr <= 100), `train(): lr must be a finite number in (0, 100], got ${describe(o.lr)}`, { option: 'lr', value: o.lr });
  if (o.masks !== undefined) {
    check(typeof o.masks === 'object' && o.masks !== null, `train(): masks must be an object { input?: Uint8Array, output?: Uint8Array }, got ${describe(o.masks)}`, { option: 'masks' });
    for (const k of Object.keys(o.masks)) check(k === 'input' || k === 'output', `train(): unknown option 'masks.${k}'`, { option: `masks.${k}` });
  }
  if (o.targets === undefined) {
    check(o.temperature === undefined && o.alpha === undefined, 'train(): temperature and alpha weight the soft labels: pass targets with them', { option: o.temperature !== undefined ? 'temperature' : 'alpha' });
    return;
  }
  check(o.targets instanceof Float32Array, `train(): targets must be a Float32Array (one row of label probabilities per line), got ${describe(o.targets)}`, { option: 'targets' });
  check(loss === 'softmax', `train(): targets (distillation) need loss 'softmax'; this classifier has loss '${loss}'`, { option: 'targets', loss });
  const T = o.temperature ?? 1, a = o.alpha ?? 0.5;
  check(typeof T === 'number' && Number.isFinite(T) && T > 0 && T <= 1000, `train(): temperature must be a finite number in (0, 1000], got ${describe(T)}`, { option: 'temperature', value: T });
  check(typeof a === 'number' && a >= 0 && a <= 1, `train(): alpha must be a number in [0, 1], got ${describe(a)}`, { option: 'alpha', value: a });
  const t = o.targets;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i])) throw new QuantextError('E_NAN', `train(): targets has the non-finite value ${t[i]} at index ${i}`, { option: 'targets', index: i });
    if (t[i] < 0 || t[i] > 1) throw new QuantextError('E_OPTION', `train(): targets are probabilities in [0, 1]; index ${i} is ${t[i]}`, { option: 'targets', index: i });
  }
}

/** A pruning mask: the matrix's size, bytes 0 or 1. */
function checkMask(m: unknown, n: number, name: string, what: string): void {
  check(m instanceof Uint8Array, `train(): ${name} must be a Uint8Array, got ${describe(m)}`, { option: name });
  if (m.length !== n) throw new QuantextError('E_SHAPE', `train(): ${name} has ${m.length} bytes; the matrix has ${what} = ${n} weights`, { option: name, got: m.length, want: n });
  for (let i = 0; i < n; i++) if (m[i] > 1) throw new QuantextError('E_OPTION', `train(): ${name} holds 1 (keep) or 0 (prune); byte ${i} is ${m[i]}`, { option: name, index: i });
}

function weightsFinite(rt: Runtime, ptr: number, n: number): boolean {
  const a = rt.arena.f32(ptr, n);
  for (let i = 0; i < n; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/**
 * fastText's FastText::test over a model (ours or fastText's). A file (or bytes) is predicted in wasm in blocks of
 * lines (FastTextPredictor.predictBytes with the lines' gold labels: no JavaScript per token); lines given as an
 * iterable are predicted line by line.
 */
export async function testModel(m: FastTextModel, data: ClassifierData, k: number, threshold: number, labelPrefix = '__label__'): Promise<TestResult> {
  if (!m.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'test: this fastText model is unsupervised (skipgram or cbow); only supervised models are tested');
  const meter = new Meter(m.labels);
  const d = m.dict;
  if ((typeof data === 'string' || data instanceof URL || data instanceof Uint8Array) && labelPrefix === '__label__') {
    const logBlock = (b: PredictionBlock) => {
      const go = b.goldOffsets!, g = b.gold!;
      for (let i = 0; i < b.docs; i++) {
        if (go[i + 1] === go[i]) continue; // no known label: fastText skips the line
        const preds = b.labels.subarray(b.offsets[i], b.offsets[i + 1]);
        // no prediction at threshold ≤ 0 means no input rows (a last line of labels only): fastText skips it too
        if (preds.length === 0 && threshold <= 0) continue;
        meter.log(g.subarray(go[i], go[i + 1]), preds);
      }
    };
    const opened = await openByteSource(data as ByteSource);
    const rest = await forEachCarried(opened.chunks, (buf) => {
      const b = m.predictBytes(buf, { k, threshold, gold: true });
      logBlock(b);
      return b.consumed;
    });
    if (rest.length) logBlock(m.predictBytes(rest, { k, threshold, gold: true, final: true }));
    return meter.result();
  }
  const rowsBuf: number[] = [];
  const gold: number[] = [];
  for await (const l of dataLines(data, labelPrefix, 'test')) {
    gold.length = 0;
    for (const t of l.tokens) {
      const id = d.getId(t);
      if (id >= d.nwords) gold.push(id - d.nwords);
    }
    if (gold.length === 0) continue;
    rowsBuf.length = 0;
    if (d.lineRows(l.tokens, l.eos, rowsBuf).length === 0) continue;
    const preds = m.predictTokens(l.tokens, k, threshold, l.eos);
    meter.log(gold, preds.map(([lab]) => d.getId(lab) - d.nwords));
  }
  return meter.result();
}
