/**
 * A fastText model read from (or written to) a `.bin` / `.ftz` file: its arguments, dictionary, input and output
 * matrices, word vectors as fastText computes them (unseen words included), and supervised prediction.
 *
 * ```ts
 * const model = await FastTextModel.load('lid.176.ftz');
 * model.predict('bonjour le monde', 2); // [['__label__fr', 0.97…], …], as `fasttext predict-prob`
 * model.getWordVector('bonjour');       // as `fasttext print-word-vectors`
 * model.wv;                             // a FastTextKeyedVectors over the words (search, evaluation, quantization)
 * await model.save('copy.bin');         // a file fastText 0.9.2 loads
 * ```
 *
 * Memory: the matrices as stored in the file (a `.ftz` stays product-quantized) plus the dictionary's strings and
 * subword lists. `wv` adds nwords × dim floats for the words' vectors, on first use.
 *
 * Prediction runs in wasm end to end (FastTextPredictor, ./predictor.ts: bytes in, labels out, no JavaScript per
 * token); `predictTokens` keeps the plain TypeScript port (./predict.ts) as the independent reference.
 */
import { QuantextError } from '../errors.js';
import { init, type Runtime } from '../runtime/runtime.js';
import { openByteSource, positionalFile, writeFileViaHost, type ByteSource } from '../io/lines.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import type { FastTextArgs } from './args.js';
import { ChunkReader } from './bytes.js';
import { FastTextDictionary, fastTextTokens } from './dictionary.js';
import { parseModel, serializeModel, type ParsedModel } from './io.js';
import { FastTextKeyedVectors, meanOfRows } from './keyed.js';
import { buildHsTree, expf, predictRows, RowOps, type HsTree, type PredictState } from './predict.js';
import { FastTextPredictor, type LabelProbability, type PredictionBlock, type PredictBytesOptions } from './predictor.js';
import { computeSubwords } from './subwords.js';

export interface LoadFastTextOptions {
  rt?: Runtime;
}

export type { LabelProbability };

const LOAD_CHUNK = 1 << 16;

export class FastTextModel {
  readonly args: FastTextArgs;
  readonly dict: FastTextDictionary;
  readonly input: Matrix;
  readonly output: Matrix;
  /** The input matrix is product-quantized (a `.ftz`). */
  readonly quantInput: boolean;
  /** The output matrix is product-quantized too. */
  readonly qout: boolean;
  /** The version the file had (11 or 12; saving writes 12). */
  readonly version: number;
  private _wv?: FastTextKeyedVectors;
  private tree?: HsTree;
  private inOps: RowOps;
  private outOps: RowOps;
  private state: PredictState;
  private disposed = false;
  /** dim floats of wasm memory for the hidden vector (allocated on the first prediction). */
  private scratch?: DenseMatrix;
  private rowsBuf: number[] = [];
  private _predictor?: FastTextPredictor;

  constructor(p: ParsedModel) {
    this.args = p.args;
    this.dict = p.dict;
    this.input = p.input;
    this.output = p.output;
    this.quantInput = p.quantInput;
    this.qout = p.qout;
    this.version = p.version;
    this.inOps = new RowOps(p.input);
    this.outOps = new RowOps(p.output);
    const osz = p.args.model === 'supervised' ? p.dict.nlabels : p.dict.nwords;
    this.state = { hidden: new Float32Array(p.args.dim), output: new Float32Array(osz) };
  }

  /** Reads a `.bin` or `.ftz` model (streamed: the matrices go straight into wasm memory). */
  static async load(source: ByteSource, opts: LoadFastTextOptions = {}): Promise<FastTextModel> {
    const rt = opts.rt ?? (await init());
    // 64 KiB reads: the matrices are copied into wasm memory chunk by chunk, and chunks this small are recycled by
    // the allocator instead of each leaving a freed megabyte behind in the process (1 MiB reads cost +70 % RSS).
    // A path on a host with positional reads: the matrices are read straight into wasm memory (no chunk between).
    const file = positionalFile(source);
    let r: ChunkReader;
    if (file) r = ChunkReader.fromFile(file, file.name, LOAD_CHUNK);
    else {
      const opened = await openByteSource(source, { chunkSize: LOAD_CHUNK });
      r = new ChunkReader(opened.chunks, opened.name, opened.size);
    }
    try {
      return new FastTextModel(await parseModel(r, rt));
    } finally {
      await r.close();
    }
  }

  get rt(): Runtime {
    return this.input.rt;
  }

  get dim(): number {
    return this.args.dim;
  }

  get isSupervised(): boolean {
    return this.args.model === 'supervised';
  }

  /** The words (no labels), in dictionary order. */
  get words(): string[] {
    return this.dict.words();
  }

  /** The labels of a supervised model. */
  get labels(): string[] {
    return this.dict.labels();
  }

  /**
   * fastText's `getWordVector`: the mean of a known word's own row and n-gram rows, of an unseen word's n-gram rows
   * (zeros when it has none).
   */
  getWordVector(word: string, out = new Float32Array(this.dim)): Float32Array {
    this.alive();
    const id = this.dict.getId(word);
    let rows: ArrayLike<number>;
    if (id >= 0 && id < this.dict.nwords) {
      const t = this.dict.subwords;
      rows = t.rows.subarray(t.offsets[id], t.offsets[id + 1]);
    } else if (id >= this.dict.nwords) {
      // a label: fastText asserts (it has no subword list); its n-grams as for an unseen word
      rows = computeSubwords(word, this.args.minn, this.args.maxn, this.args.bucket, this.dict.nwords, this.dict.pruneIdx);
    } else {
      rows = computeSubwords(word, this.args.minn, this.args.maxn, this.args.bucket, this.dict.nwords, this.dict.pruneIdx);
    }
    return meanOfRows(this.input, rows, out);
  }

  /**
   * The words' vectors as a FastTextKeyedVectors (made on first use; it shares this model's input matrix, so it
   * lives as long as the model: dispose the model, not it).
   */
  get wv(): FastTextKeyedVectors {
    this.alive();
    if (!this._wv) {
      this._wv = new FastTextKeyedVectors(this.words, this.input, {
        minn: this.args.minn,
        maxn: this.args.maxn,
        bucket: this.args.bucket,
        counts: this.dict.counts.subarray(0, this.dict.nwords),
        pruneIdx: this.dict.pruneIdx,
        wordBytes: this.dict.bytes.slice(0, this.dict.nwords),
        ownsInput: false,
      });
    }
    return this._wv;
  }

  /**
   * The `k` most likely labels of a text with their probabilities, best first, as fastText's Python `predict` (the
   * text is one line: "</s>" follows its words). Labels below `threshold` are left out. `k` −1 = every label.
   * Runs in wasm (see {@link predictor}).
   * @throws E_UNSUPPORTED for an unsupervised model, E_OPTION for k = 0 or < −1, or a text with a newline.
   */
  predict(text: string, k = 1, threshold = 0): LabelProbability[] {
    if (typeof text !== 'string') throw new QuantextError('E_OPTION', 'predict: the text must be a string');
    return this.predictor.predict(text, k, threshold);
  }

  /** {@link predict} for many texts (one line each), with a few wasm calls for the whole batch. */
  predictBatch(texts: readonly string[], k = 1, threshold = 0): LabelProbability[][] {
    return this.predictor.predictBatch(texts, k, threshold);
  }

  /** Predictions for '\n'-separated UTF-8 lines, as `fasttext predict` reads a file (see FastTextPredictor.predictBytes). */
  predictBytes(utf8: Uint8Array, opts: PredictBytesOptions = {}): PredictionBlock {
    return this.predictor.predictBytes(utf8, opts);
  }

  /** The wasm predictor over this model (made on first use, disposed with the model). */
  get predictor(): FastTextPredictor {
    this.alive();
    if (!this.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'predict: this is an unsupervised fastText model (skipgram or cbow); only supervised models predict labels');
    this._predictor ??= new FastTextPredictor(this);
    return this._predictor;
  }

  /**
   * Predictions for the tokens of one line: `eos` says whether the line ended with a newline (fastText then reads
   * "</s>" as a last token; the last line of a file without a final newline has none). This is the plain
   * TypeScript port of fastText's prediction (./predict.ts), one token at a time: the reference the wasm path
   * ({@link predict}) is tested against.
   */
  predictTokens(tokens: readonly string[], k = 1, threshold = 0, eos = true): LabelProbability[] {
    this.alive();
    if (!this.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'predict: this is an unsupervised fastText model (skipgram or cbow); only supervised models predict labels');
    if (!Number.isInteger(k) || k === 0 || k < -1) throw new QuantextError('E_OPTION', `predict: k must be a positive integer or -1 (all labels); got ${k}`, { option: 'k' });
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new QuantextError('E_OPTION', `predict: threshold must be a number; got ${threshold}`, { option: 'threshold' });
    const kk = k === -1 ? this.output.rows : k;
    this.rowsBuf.length = 0;
    const rows = this.dict.lineRows(tokens, eos, this.rowsBuf);
    if (this.args.loss === 'hs' && !this.tree) this.tree = buildHsTree(this.dict.counts.subarray(this.dict.nwords));
    this.scratch ??= new DenseMatrix(1, this.dim, { rt: this.rt });
    const preds = predictRows(rows, kk, Math.fround(threshold), this.inOps, this.outOps, this.args.loss, this.tree, this.state, this.scratch.ptr);
    for (const [s] of preds) {
      if (Number.isNaN(s)) throw new QuantextError('E_NAN', 'predict: the scores are NaN: the model holds values so large that float32 arithmetic overflows (fastText would print nan)');
    }
    return preds.map(([s, i]) => [this.dict.getLabel(i), expf(s)]);
  }

  /**
   * What this model holds: the matrices in wasm memory (as stored in the file: a `.ftz` stays quantized), the
   * dictionary on the JS heap (the vocabulary's bytes, offsets, counts, prune map, and whatever was made on demand:
   * strings, the word map, subword lists — `words`, `wv`, `getWordVector` and the TypeScript `predictTokens` make
   * them; the wasm predictor does not), and the wasm predictor's tables once it exists (its own copy of the
   * vocabulary's bytes and a hash table). Loading a `.ftz` holds at most its file size plus the vocabulary's bytes,
   * a `.bin` at most 1.2× its file size (test/fasttext/memory.test.ts; RSS in the predict bench).
   */
  estimateMemory(): { matrices: number; dictionary: number; vocabulary: number; predictor: number; total: number } {
    const matrices = this.input.bytes + this.output.bytes;
    const d = this.dict.bytesHeld;
    const dictionary = d.vocabulary + d.tables + d.onDemand;
    const predictor = this._predictor ? this._predictor.bytes : 0;
    return { matrices, dictionary, vocabulary: d.vocabulary, predictor, total: matrices + dictionary + predictor };
  }

  /** Writes the model as fastText 0.9.2 does (a `.bin`, or a `.ftz` when quantized), atomically. */
  async save(path: string | URL): Promise<void> {
    this.alive();
    await writeFileViaHost(path, serializeModel(this));
  }

  /** The file's bytes. */
  toBytes(): Uint8Array {
    const parts = serializeModel(this);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Frees the matrices (and `wv`). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this._wv?.dispose();
    this._predictor?.dispose();
    this.scratch?.dispose();
    this.input.dispose();
    this.output.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'this FastTextModel was disposed');
  }
}

/** Reads a fastText `.bin` / `.ftz` model (see {@link FastTextModel.load}). */
export function loadFastText(source: ByteSource, opts: LoadFastTextOptions = {}): Promise<FastTextModel> {
  return FastTextModel.load(source, opts);
}

