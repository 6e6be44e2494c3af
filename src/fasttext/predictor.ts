/**
 * FastTextPredictor: fastText supervised prediction as one wasm path (assembly/ft/predict.ts), from the UTF-8 bytes
 * of lines to the k best labels of each, with no JavaScript per token: tokenizing as fastText's readWord, the
 * dictionary lookup in an open-addressing table in wasm memory (fastText's hash), character n-grams and word
 * n-grams hashed in wasm, the mean of the input rows (dense or product-quantized, with or without qnorm), the output
 * layer (dense or quantized), softmax / hs / ns / ova with fastText's float32 arithmetic and its heap's tie order.
 * The TypeScript port (./predict.ts) computes the same numbers one token at a time and stays as the reference.
 *
 * ```ts
 * const p = new FastTextPredictor({ args, dict, input, output }); // a FastTextModel's parts, or a classifier's
 * p.predict('free money now', 2);           // [['__label__spam', 0.99…], ['__label__ham', 0.00…]]
 * p.predictBatch(texts, 1);                 // one wasm call per batch of lines
 * p.predictBytes(utf8, { k: 1, final });    // a stream of '\n'-separated lines, as `fasttext predict` reads a file
 * p.dispose();
 * ```
 *
 * The predictor reads the matrices by address at every call (so they may be trained in place between calls) and
 * does not own them. It copies what it needs of the dictionary (the entries' bytes, the prune map, the label tree):
 * build a new predictor after the dictionary changes.
 */
import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import { LOSS_CODES, type FastTextArgs } from './args.js';
import type { FastTextDictionary } from './dictionary.js';
import { buildHsTree, expf, sigmoidTableF32 } from './predict.js';

// the state block of assembly/ft/predict.ts (PS_*), byte offsets
const PS_TABLE = 0, PS_TABLE_MASK = 4, PS_RECS = 8, PS_OFFS = 12, PS_POOL = 20, PS_NWORDS = 24, PS_NLABELS = 28;
const PS_PRUNE = 32, PS_PRUNE_MASK = 36, PS_PRUNED = 40, PS_DIM = 44, PS_BUCKET = 48, PS_MINN = 52, PS_MAXN = 56, PS_NGRAMS = 60;
const PS_LOSS = 64, PS_FLAGS = 68, PS_PREFIX = 72, PS_PREFIX_LEN = 76, PS_IN = 80, PS_OUT = 108, PS_OSZ = 136;
const PS_HS_LEFT = 140, PS_HS_RIGHT = 144, PS_SIGMOID = 148, PS_HIDDEN = 152, PS_SCORES = 156, PS_WHASH = 160, PS_WHASH_CAP = 164;
const PS_HEAP_S = 168, PS_HEAP_L = 172, PS_K = 176, PS_THRESHOLD = 180, PS_OUT_OFFS = 184, PS_OUT_LABELS = 188, PS_OUT_SCORES = 192;
const PS_MAX_DOCS = 196, PS_GOLD_OFFS = 200, PS_GOLD = 204, PS_GOLD_CAP = 208, PS_POS = 212, PS_TOKS = 216;
const PS_ROWS = 224, PS_ROWS_CAP = 228;
/** Tokens per lookup block (the kernel's TOK_CAP), 16 bytes each. */
const TOK_CAP = 256;
const PS_SIZE = 240;
/** Rows queued per line before they are summed. */
const ROWS_CAP = 4096;
/** A product-quantized input matrix up to this size in float32 is decoded once (see the constructor). */
const PQ_DECODE_MAX_BYTES = 8 << 20;
const PF_SKIP_REST = 1, PF_GOLD = 2;
/** Lines per kernel call at most, and predictions (lines × k) per call at most. */
const MAX_DOCS = 4096;
const MAX_PREDS = 1 << 18;
/** Text bytes per kernel call when the caller hands more (whole lines are cut at a newline). */
const TEXT_CHUNK = 1 << 20;

const encoder = new TextEncoder();
let encoded = new Uint8Array(0);
/** Whether this host's encodeInto writes into shared memory (Node: yes; browsers refuse); undefined until tried. */
let sharedEncodeOk: boolean | undefined;

/**
 * `encoder.encodeInto(s, view).written`, also when `view` is in shared memory (a cross-origin-isolated page's -mt
 * runtime), where browsers refuse a shared destination: there `s` is encoded into a JS buffer and copied.
 */
function encodeInto(s: string, view: Uint8Array): number {
  const shared = typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer;
  if (!shared || sharedEncodeOk) return encoder.encodeInto(s, view).written;
  if (sharedEncodeOk === undefined) {
    try {
      const n = encoder.encodeInto(s, view).written;
      sharedEncodeOk = true;
      return n;
    } catch {
      sharedEncodeOk = false;
    }
  }
  if (encoded.length < view.length) encoded = new Uint8Array(Math.max(view.length, 2 * encoded.length));
  const n = encoder.encodeInto(s, encoded.subarray(0, view.length)).written;
  view.set(encoded.subarray(0, n));
  return n;
}

/** One prediction: the label and its probability (as `fasttext predict-prob` prints it). */
export type LabelProbability = [label: string, probability: number];

/** What a predictor reads: a supervised fastText model's parts (FastTextModel has them; so does a TextClassifier). */
export interface PredictorParts {
  args: FastTextArgs;
  dict: FastTextDictionary;
  input: Matrix;
  output: Matrix;
}

export interface PredictorOptions {
  /** Tokens starting with this that are not in the dictionary are labels and are ignored (fastText's -label). */
  labelPrefix?: string;
  /** Use the kernels' scalar twin (tests). */
  scalar?: boolean;
  /**
   * A product-quantized input matrix whose float32 form takes at most this many bytes is decoded once and summed as
   * plain rows (the same bits, faster); larger ones are summed from their codes. Default 8 MiB; 0: never decode.
   */
  pqDecodeMaxBytes?: number;
}

export interface PredictBytesOptions {
  k?: number;
  threshold?: number;
  /** No bytes follow: a last line without a newline is predicted (without "</s>"). Otherwise only whole lines are. */
  final?: boolean;
  /** Also return each line's known labels (fastText's getLine labels; for `test`). */
  gold?: boolean;
}

/** Predictions of a run of lines. */
export interface PredictionBlock {
  /** Lines predicted. */
  docs: number;
  /** Bytes of the input consumed (predictBytes): the lines predicted, newlines included. */
  consumed: number;
  /** docs + 1 entries: line d's predictions are [offsets[d], offsets[d+1]), best first. */
  offsets: Int32Array;
  /** Label index (0 … nlabels − 1, dictionary order: `dict.getLabel(i)`). */
  labels: Int32Array;
  /** The probability, as `fasttext predict-prob` prints it (exp of fastText's log score, in float32). */
  probs: Float32Array;
  /** With `gold`: docs + 1 offsets into `gold`. */
  goldOffsets?: Int32Array;
  /** With `gold`: the label indices written on each line, in line order. */
  gold?: Int32Array;
}

/** A growable block of wasm memory owned by the predictor. */
interface Buf {
  ptr: number;
  bytes: number;
}

export class FastTextPredictor extends WasmOwned {
  readonly args: FastTextArgs;
  readonly dict: FastTextDictionary;
  readonly input: Matrix;
  readonly output: Matrix;
  readonly nlabels: number;
  private readonly st: number;
  private readonly osz: number;
  private readonly tableBytes: number;
  private readonly scalar: boolean;
  /** A small product-quantized input matrix decoded to float32 rows (0: summed from its codes). */
  private readonly decoded: number = 0;
  private labelNames?: string[];
  /**
   * Whole-memory views, re-derived whenever they no longer cover the arena's heap (see {@link heap}): reading
   * `memory.buffer` costs ~0.2 µs on shared memory, which a view per field per call paid a dozen times per text.
   */
  private h8 = new Uint8Array(0);
  private h32 = new Int32Array(0);
  private hf32 = new Float32Array(0);
  private readonly bufs: Record<'text' | 'whash' | 'offs' | 'labels' | 'scores' | 'goldOffs' | 'gold', Buf> = {
    text: { ptr: 0, bytes: 0 }, whash: { ptr: 0, bytes: 0 }, offs: { ptr: 0, bytes: 0 }, labels: { ptr: 0, bytes: 0 },
    scores: { ptr: 0, bytes: 0 }, goldOffs: { ptr: 0, bytes: 0 }, gold: { ptr: 0, bytes: 0 },
  };

  /**
   * @throws E_UNSUPPORTED for an unsupervised model or a matrix that is neither dense nor fastText-quantized (256
   *   centroids); E_SHAPE when the matrices do not fit the dictionary and dim; E_DISPOSED for a disposed matrix.
   */
  constructor(parts: PredictorParts, opts: PredictorOptions = {}) {
    super(parts.input.rt);
    const { args, dict, input, output } = parts;
    this.args = args;
    this.dict = dict;
    this.input = input;
    this.output = output;
    this.scalar = !!opts.scalar;
    if (args.model !== 'supervised') throw new QuantextError('E_UNSUPPORTED', 'predict: this is an unsupervised fastText model (skipgram or cbow); only supervised models predict labels');
    if (output.rt !== input.rt) throw new QuantextError('E_OPTION', 'FastTextPredictor: the input and output matrices live in different runtimes');
    checkParts(parts);
    const nwords = dict.nwords, n = dict.size;
    this.nlabels = dict.nlabels;
    this.osz = dict.nlabels;
    const a = this.rt.arena;
    const { pool, offsets } = dict.pooled();
    // slots: ≥ 2 per entry (≥ 4 while that stays ≤ 256 KiB), 8 bytes each
    const cap = pow2AtLeast(Math.max(16, n <= 8192 ? 4 * n : 2 * n));
    const prune = dict.prunePairs;
    const pcap = prune ? pow2AtLeast(Math.max(16, prune.length)) : 0;
    const prefix = encoder.encode(opts.labelPrefix ?? '__label__');
    const tree = args.loss === 'hs' ? buildHsTree(dict.counts.subarray(nwords)) : undefined;
    try {
      this.st = this.own(PS_SIZE, true);
      const table = this.own(cap * 8, true);
      const offs = this.own(n * 4 + 4), poolPtr = this.own(pool.length + 4);
      const prunePtr = prune ? this.own(pcap * 8, true) : 0;
      const prefixPtr = this.own(prefix.length + 4);
      const left = tree ? this.own(tree.left.length * 4 + 4) : 0, right = tree ? this.own(tree.right.length * 4 + 4) : 0;
      const sig = args.loss === 'ns' || args.loss === 'ova' ? this.own(513 * 4) : 0;
      const hidden = this.own(args.dim * 4 + 16);
      const scores = this.own(this.osz * 4 + 4);
      const heapS = this.own((this.osz + 2) * 4), heapL = this.own((this.osz + 2) * 4);
      const rows = this.own(ROWS_CAP * 4), toks = this.own(TOK_CAP * 16);
      // no allocation below (until the records): views stay valid
      a.u8(poolPtr, pool.length).set(pool);
      a.u32(offs, n + 1).set(offsets.subarray(0, n + 1));
      if (prune && prunePtr) {
        const t = a.u32(prunePtr, pcap * 2), mask = pcap - 1;
        for (let j = 0; j < prune.length; j += 2) {
          const k = prune[j], v = prune[j + 1]; // a repeated bucket: the last pair wins, as in fastText's load
          let i = (Math.imul(k, 2654435761 | 0) >>> 0) & mask;
          while (t[2 * i] !== 0 && t[2 * i] !== k + 1) i = (i + 1) & mask;
          t[2 * i] = k + 1;
          t[2 * i + 1] = v;
        }
      }
      a.u8(prefixPtr, prefix.length).set(prefix);
      if (tree) {
        a.i32(left, tree.left.length).set(tree.left);
        a.i32(right, tree.right.length).set(tree.right);
      }
      if (sig) a.f32(sig, 513).set(sigmoidTableF32());
      const s = a.i32(this.st, PS_SIZE / 4);
      const set = (off: number, v: number) => (s[off >> 2] = v);
      set(PS_TABLE, table);
      set(PS_TABLE_MASK, cap - 1);
      set(PS_OFFS, offs);
      set(PS_POOL, poolPtr);
      set(PS_NWORDS, nwords);
      set(PS_NLABELS, dict.nlabels);
      set(PS_PRUNE, prunePtr);
      set(PS_PRUNE_MASK, pcap ? pcap - 1 : 0);
      set(PS_PRUNED, prune ? prune.length / 2 : -1);
      set(PS_DIM, args.dim);
      set(PS_BUCKET, args.bucket);
      set(PS_MINN, args.minn);
      set(PS_MAXN, args.maxn);
      set(PS_NGRAMS, args.wordNgrams);
      set(PS_LOSS, LOSS_CODES[args.loss]);
      set(PS_PREFIX, prefixPtr);
      set(PS_PREFIX_LEN, prefix.length);
      set(PS_OSZ, this.osz);
      set(PS_HS_LEFT, left);
      set(PS_HS_RIGHT, right);
      set(PS_SIGMOID, sig);
      set(PS_HIDDEN, hidden);
      set(PS_SCORES, scores);
      set(PS_HEAP_S, heapS);
      set(PS_HEAP_L, heapL);
      set(PS_ROWS, rows);
      set(PS_ROWS_CAP, ROWS_CAP);
      set(PS_TOKS, toks);
      // the records: sized by a first pass, written by a second; the pool and offsets are then dropped
      const recBytes = this.rt.kernels.ft_dict_build(this.st, n, 0);
      const recs = this.own(recBytes + 16);
      this.rt.arena.i32(this.st, PS_SIZE / 4)[PS_RECS >> 2] = recs;
      this.rt.kernels.ft_dict_build(this.st, n, recs);
      this.release(offs);
      this.release(poolPtr);
      // A small quantized input matrix (a .ftz's pruned rows) decoded once to float32: plain rows are summed with
      // fewer loads than centroids (a bigram .ftz predicted ~5 % faster per document) and give the same bits
      // (ft_pq_decode stores the very products the quantized sum adds). Larger ones (no cutoff) are summed from
      // their codes, as fastText does.
      let decodedBytes = 0;
      if (input instanceof PQMatrix && input.rows * args.dim * 4 <= (opts.pqDecodeMaxBytes ?? PQ_DECODE_MAX_BYTES)) {
        decodedBytes = input.rows * args.dim * 4 + 16;
        this.decoded = this.own(decodedBytes);
        this.rt.kernels.ft_pq_decode(input.codesPtr, input.nsub, input.dsub, input.codebookPtr, input.qnorm ? input.normCodesPtr : 0, input.qnorm ? input.normCodebookPtr : 0, input.rows, args.dim, this.decoded);
      }
      this.tableBytes = decodedBytes + PS_SIZE + cap * 8 + recBytes + 16 + pcap * 8 + prefix.length + 4 + (tree ? tree.left.length * 8 + 8 : 0) +
        (sig ? 513 * 4 : 0) + args.dim * 4 + 16 + this.osz * 4 + 4 + (this.osz + 2) * 8 + ROWS_CAP * 4 + TOK_CAP * 16;
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Bytes of wasm memory this predictor holds (its tables and scratch; not the model's matrices). */
  get bytes(): number {
    let n = this.tableBytes;
    for (const b of Object.values(this.bufs)) n += b.bytes;
    return n;
  }

  /** The labels, in dictionary order. */
  get labels(): string[] {
    this.labelNames ??= this.dict.labels();
    return this.labelNames;
  }

  /**
   * The `k` most likely labels of one line of text with their probabilities, best first (fastText's Python
   * `predict`: "</s>" follows the words; a "</s>" written in the text ends it). Labels below `threshold` are left
   * out; k −1 = every label.
   * @throws E_OPTION for a text with a newline, k = 0 or < −1, a threshold that is not a number.
   */
  predict(text: string, k = 1, threshold = 0): LabelProbability[] {
    if (typeof text !== 'string') throw new QuantextError('E_OPTION', `predict: text must be a string, got ${typeof text}`, { index: 0 });
    const kk = this.checkK(k, threshold);
    // one text, one kernel call: its UTF-8 bytes and a newline straight into wasm memory, the one line's k best read
    // back from the output block (no batch bookkeeping, no view per field)
    const cap = text.length * 3 + 1;
    const src = this.ensure('text', cap + 16);
    const whash = this.args.wordNgrams > 1 ? this.ensure('whash', (cap >> 1) * 4 + 16) : 0;
    const offs = this.ensure('offs', 8);
    const labels = this.ensure('labels', kk * 4);
    const scores = this.ensure('scores', kk * 4);
    // no allocation below
    const h8 = this.heap();
    let len = encodeInto(text, h8.subarray(src, src + cap));
    h8[src + len++] = 10;
    this.setup(whash, whash ? (len >> 1) + 4 : 0, kk, threshold, offs, labels, scores, 0, 0, 0, PF_SKIP_REST, 1);
    const n = this.scalar ? this.rt.kernels.ft_predict_batch_scalar(this.st, src, len) : this.rt.kernels.ft_predict_batch(this.st, src, len);
    const h32 = this.h32;
    // the line ended before the newline added here: the text had one (the kernel stops at the first)
    if (n !== 1 || h32[(this.st + PS_POS) >> 2] < len) {
      throw new QuantextError('E_OPTION', 'predict: text 0 has a newline; a text must be one line (predict each line separately, or use predictBytes)', { index: 0 });
    }
    const np = h32[(offs >> 2) + 1];
    const names = this.labels, hf32 = this.hf32;
    const out: LabelProbability[] = new Array(np);
    for (let j = 0; j < np; j++) {
      const sc = hf32[(scores >> 2) + j];
      if (sc !== sc) throw nanError();
      out[j] = [names[h32[(labels >> 2) + j]], expf(sc)];
    }
    return out;
  }

  /** {@link predict} for many texts, a few wasm calls for the whole batch. */
  predictBatch(texts: readonly string[], k = 1, threshold = 0): LabelProbability[][] {
    const b = this.predictIds(texts, k, threshold);
    const names = this.labels;
    const out: LabelProbability[][] = new Array(b.docs);
    for (let d = 0; d < b.docs; d++) {
      const row: LabelProbability[] = [];
      for (let j = b.offsets[d]; j < b.offsets[d + 1]; j++) row.push([names[b.labels[j]], b.probs[j]]);
      out[d] = row;
    }
    return out;
  }

  /** {@link predictBatch} with label indices (dictionary order) instead of strings. */
  predictIds(texts: readonly string[], k = 1, threshold = 0): PredictionBlock {
    const kk = this.checkK(k, threshold);
    if (!Array.isArray(texts)) throw new QuantextError('E_OPTION', 'predictBatch: texts must be an array of strings');
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      if (typeof t !== 'string') throw new QuantextError('E_OPTION', `predictBatch: text ${i} is not a string`, { index: i });
      if (t.includes('\n')) throw new QuantextError('E_OPTION', `predict: text ${i} has a newline; a text must be one line (predict each line separately, or use predictBytes)`, { index: i });
    }
    const acc = new BlockBuilder(false);
    let i = 0;
    while (i < texts.length) {
      // encode as many texts as fit one chunk (at least one), each followed by a newline
      let budget = 0, j = i;
      while (j < texts.length && (j === i || budget + texts[j].length * 3 + 1 <= TEXT_CHUNK)) budget += texts[j++].length * 3 + 1;
      const text = this.ensure('text', budget + 16);
      let len = 0;
      const h8 = this.heap();
      for (let t = i; t < j; t++) {
        len += encodeInto(texts[t], h8.subarray(text + len, text + budget));
        h8[text + len++] = 10;
      }
      this.run(text, len, kk, threshold, PF_SKIP_REST, j - i, acc);
      i = j;
    }
    return acc.finish(0);
  }

  /**
   * Predictions for a stream of '\n'-separated UTF-8 lines, read as `fasttext predict` reads a file: a line ended by
   * a newline gets "</s>", a literal "</s>" ends a line early (the rest of it is predicted as a line of its own).
   * Without `final`, only the bytes up to the last newline are consumed (`consumed` says how many): hand the rest
   * back with the next bytes.
   */
  predictBytes(utf8: Uint8Array, opts: PredictBytesOptions = {}): PredictionBlock {
    const kk = this.checkK(opts.k ?? 1, opts.threshold ?? 0);
    const threshold = opts.threshold ?? 0;
    let end = utf8.length;
    if (!opts.final) end = utf8.lastIndexOf(10) + 1;
    const acc = new BlockBuilder(!!opts.gold);
    let at = 0;
    while (at < end) {
      let stop = end;
      if (stop - at > TEXT_CHUNK) {
        const nl = utf8.lastIndexOf(10, at + TEXT_CHUNK - 1);
        stop = nl >= at ? nl + 1 : utf8.indexOf(10, at + TEXT_CHUNK) + 1 || end;
      }
      const len = stop - at;
      const text = this.ensure('text', len + 16);
      this.rt.arena.u8(text, len).set(utf8.subarray(at, stop));
      this.run(text, len, kk, threshold, opts.gold ? PF_GOLD : 0, Infinity, acc);
      at = stop;
    }
    return acc.finish(end);
  }

  /**
   * {@link predictBytes} over bytes already in wasm memory at [ptr, ptr + len) (read there by the caller: no copy),
   * e.g. a block of the runtime's arena; the kernel may read up to 16 bytes past them.
   */
  predictAt(ptr: number, len: number, opts: PredictBytesOptions = {}): PredictionBlock {
    const kk = this.checkK(opts.k ?? 1, opts.threshold ?? 0);
    const end = opts.final ? len : this.heap().subarray(ptr, ptr + len).lastIndexOf(10) + 1;
    const acc = new BlockBuilder(!!opts.gold);
    if (end > 0) this.run(ptr, end, kk, opts.threshold ?? 0, opts.gold ? PF_GOLD : 0, Infinity, acc);
    return acc.finish(end);
  }

  /** Runs the kernel over text[0, len) until every line is done (or `docs` lines), appending to `acc`. */
  private run(text: number, len: number, k: number, threshold: number, flags: number, docs: number, acc: BlockBuilder): void {
    const kern = this.rt.kernels;
    const gold = (flags & PF_GOLD) !== 0;
    const maxDocs = Math.max(1, Math.min(MAX_DOCS, Math.floor(MAX_PREDS / k)));
    const whash = this.args.wordNgrams > 1 ? this.ensure('whash', (len >> 1) * 4 + 16) : 0;
    const offs = this.ensure('offs', (maxDocs + 1) * 4);
    const labels = this.ensure('labels', maxDocs * k * 4);
    const scores = this.ensure('scores', maxDocs * k * 4);
    const goldOffs = gold ? this.ensure('goldOffs', (maxDocs + 1) * 4) : 0;
    const goldBuf = gold ? this.ensure('gold', (len >> 1) * 4 + 16) : 0;
    // no allocation below
    this.setup(whash, whash ? (len >> 1) + 4 : 0, k, threshold, offs, labels, scores, goldOffs, goldBuf, gold ? (len >> 1) + 4 : 0, flags, 0);
    const a = this.rt.arena;
    let left = docs;
    while (left > 0) {
      this.h32[(this.st + PS_MAX_DOCS) >> 2] = Math.min(maxDocs, left);
      const n = this.scalar ? kern.ft_predict_batch_scalar(this.st, text, len) : kern.ft_predict_batch(this.st, text, len);
      if (n === 0) break;
      left -= n;
      const o = a.i32(offs, n + 1);
      const np = o[n];
      acc.add(n, o, a.i32(labels, np), a.f32(scores, np), gold ? a.i32(goldOffs, n + 1) : undefined, gold ? a.i32(goldBuf, a.i32(goldOffs, n + 1)[n]) : undefined);
      this.heap();
      if (this.h32[(this.st + PS_POS) >> 2] >= len) break;
    }
  }

  /** Whole-memory views that cover every block the arena has handed out (re-derived after a growth or a detach). */
  private heap(): Uint8Array {
    // a detached buffer's views have length 0; a shared memory's old buffer stays valid but ends at its old size
    if (this.h8.length < this.rt.arena.heapTop) {
      const b = this.rt.memory.buffer;
      this.h8 = new Uint8Array(b);
      this.h32 = new Int32Array(b, 0, b.byteLength >> 2);
      this.hf32 = new Float32Array(b, 0, b.byteLength >> 2);
    }
    return this.h8;
  }

  /** Writes a call's fields of the state block, and the matrices' descriptors (their addresses: fresh at every call). */
  private setup(whash: number, whashCap: number, k: number, threshold: number, offs: number, labels: number, scores: number, goldOffs: number, gold: number, goldCap: number, flags: number, maxDocs: number): void {
    this.alive();
    this.heap();
    const s = this.h32, b = this.st >> 2;
    s[b + (PS_WHASH >> 2)] = whash;
    s[b + (PS_WHASH_CAP >> 2)] = whashCap;
    s[b + (PS_K >> 2)] = k;
    this.hf32[b + (PS_THRESHOLD >> 2)] = threshold;
    s[b + (PS_OUT_OFFS >> 2)] = offs;
    s[b + (PS_OUT_LABELS >> 2)] = labels;
    s[b + (PS_OUT_SCORES >> 2)] = scores;
    s[b + (PS_GOLD_OFFS >> 2)] = goldOffs;
    s[b + (PS_GOLD >> 2)] = gold;
    s[b + (PS_GOLD_CAP >> 2)] = goldCap;
    s[b + (PS_FLAGS >> 2)] = flags;
    s[b + (PS_POS >> 2)] = 0;
    s[b + (PS_MAX_DOCS >> 2)] = maxDocs;
    writeMatrix(s, b + (PS_IN >> 2), this.input, this.decoded);
    writeMatrix(s, b + (PS_OUT >> 2), this.output);
  }

  private checkK(k: number, threshold: number): number {
    this.alive();
    if (!Number.isInteger(k) || k === 0 || k < -1) throw new QuantextError('E_OPTION', `predict: k must be a positive integer or -1 (all labels); got ${k}`, { option: 'k' });
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new QuantextError('E_OPTION', `predict: threshold must be a number; got ${threshold}`, { option: 'threshold' });
    return Math.max(1, k === -1 ? this.osz : Math.min(k, this.osz));
  }

  /** A scratch block of at least `bytes`, reallocated (contents dropped) when too small. */
  private ensure(name: keyof FastTextPredictor['bufs'], bytes: number): number {
    const b = this.bufs[name];
    if (b.bytes >= bytes) return b.ptr;
    const size = Math.max(bytes, Math.min(b.bytes * 2, bytes * 2), 256);
    if (b.ptr) this.release(b.ptr);
    b.ptr = 0;
    b.bytes = 0;
    b.ptr = this.own(size);
    b.bytes = size;
    return b.ptr;
  }
}

function nanError(): QuantextError {
  return new QuantextError('E_NAN', 'predict: the scores are NaN: the model holds values so large that float32 arithmetic overflows (fastText would print nan)');
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** A matrix's descriptor (M_* fields); `decoded`: the predictor's float32 copy of a quantized matrix (dense rows). */
function writeMatrix(s: Int32Array, at: number, m: Matrix, decoded = 0): void {
  if ((m as unknown as { isDisposed?: boolean }).isDisposed) throw new QuantextError('E_DISPOSED', 'FastTextPredictor: its model\'s matrices were disposed');
  s.fill(0, at, at + 7);
  if (decoded) {
    s[at] = 0;
    s[at + 1] = decoded;
    s[at + 2] = m.cols;
  } else if (m instanceof DenseMatrix) {
    s[at] = 0;
    s[at + 1] = m.ptr;
    s[at + 2] = m.stride;
  } else if (m instanceof PQMatrix) {
    s[at] = 1;
    s[at + 1] = m.codesPtr;
    s[at + 2] = m.nsub;
    s[at + 3] = m.dsub;
    s[at + 4] = m.codebookPtr;
    s[at + 5] = m.qnorm ? m.normCodesPtr : 0;
    s[at + 6] = m.qnorm ? m.normCodebookPtr : 0;
  }
}

function checkMatrix(m: Matrix, what: string): void {
  if (m instanceof DenseMatrix) return;
  if (m instanceof PQMatrix) {
    if (m.ksub !== 256) throw new QuantextError('E_UNSUPPORTED', `predict: the ${what} matrix is product-quantized with ${m.ksub} centroids per sub-quantizer; fastText's have 256`);
    return;
  }
  throw new QuantextError('E_UNSUPPORTED', `predict: the ${what} matrix is ${m.dtype}; fastText models hold dense (f32) or product-quantized matrices`);
}

function checkParts({ args, dict, input, output }: PredictorParts): void {
  checkMatrix(input, 'input');
  checkMatrix(output, 'output');
  if (input.cols !== args.dim || output.cols !== args.dim) throw new QuantextError('E_SHAPE', `predict: matrix widths ${input.cols} and ${output.cols} differ from dim ${args.dim}`);
  const pp = dict.prunePairs;
  const ngramRows = pp ? 0 : args.maxn > 0 || args.wordNgrams > 1 ? args.bucket : 0;
  if (input.rows < dict.nwords + ngramRows) throw new QuantextError('E_SHAPE', `predict: the input matrix has ${input.rows} rows; ${dict.nwords} words and ${ngramRows} n-gram rows need ${dict.nwords + ngramRows}`);
  const outRows = args.loss === 'hs' ? Math.max(dict.nlabels - 1, 0) : dict.nlabels;
  if (output.rows < outRows) throw new QuantextError('E_SHAPE', `predict: the output matrix has ${output.rows} rows; ${dict.nlabels} labels need ${outRows}`);
  if (pp) for (let i = 1; i < pp.length; i += 2) if (!(pp[i] >= 0 && dict.nwords + pp[i] < input.rows)) throw new QuantextError('E_SHAPE', `predict: pruned n-gram row ${pp[i]} is outside the input matrix`);
  if (!(args.bucket >= 0 && args.minn >= 0 && args.maxn >= 0 && args.wordNgrams >= 0)) throw new QuantextError('E_OPTION', 'predict: bucket, minn, maxn and wordNgrams must be ≥ 0');
}

/** Collects the kernel's per-call outputs into one block (copies). */
class BlockBuilder {
  private docs = 0;
  private offsets: number[] = [0];
  private labels: Int32Array[] = [];
  private scores: Float32Array[] = [];
  private npred = 0;
  private goldOffsets: number[] = [0];
  private gold: Int32Array[] = [];
  private ngold = 0;

  constructor(private readonly withGold: boolean) {}

  add(n: number, offs: Int32Array, labels: Int32Array, scores: Float32Array, goldOffs?: Int32Array, gold?: Int32Array): void {
    for (let d = 1; d <= n; d++) this.offsets.push(this.npred + offs[d]);
    this.labels.push(labels.slice());
    this.scores.push(scores.slice());
    this.npred += labels.length;
    if (this.withGold && goldOffs && gold) {
      for (let d = 1; d <= n; d++) this.goldOffsets.push(this.ngold + goldOffs[d]);
      this.gold.push(gold.slice());
      this.ngold += gold.length;
    }
    this.docs += n;
  }

  finish(consumed: number): PredictionBlock {
    const labels = concatI32(this.labels, this.npred);
    const scores = this.scores.length === 1 ? this.scores[0] : concatF32(this.scores, this.npred);
    const probs = new Float32Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      if (Number.isNaN(scores[i])) throw nanError();
      probs[i] = expf(scores[i]);
    }
    const b: PredictionBlock = { docs: this.docs, consumed, offsets: Int32Array.from(this.offsets), labels, probs };
    if (this.withGold) {
      b.goldOffsets = Int32Array.from(this.goldOffsets);
      b.gold = concatI32(this.gold, this.ngold);
    }
    return b;
  }
}

function concatI32(parts: Int32Array[], n: number): Int32Array {
  if (parts.length === 1) return parts[0];
  const out = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function concatF32(parts: Float32Array[], n: number): Float32Array {
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
