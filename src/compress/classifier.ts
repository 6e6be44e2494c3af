/**
 * Compressed text classifiers (fastText.zip and smaller): `compressClassifier(source, options)` prunes the input
 * rows as fastText's `quantize -cutoff` does (./cselect.ts), optionally retrains (fastText's `-retrain`), quantizes
 * the input and output tables (f32, f16, int8, int4, binary, PQ), and returns a CompressedClassifier that predicts
 * through the inference layers (EmbeddingBag over the quantized table, then Linear / Int8Linear / BinaryLinear and
 * softmax, all in wasm) and saves to a compact file (./cformat.ts): kept words are stored as their 32-bit fastText
 * hashes (gap-coded), kept n-gram buckets as sorted bucket numbers, the whole deflated. Input 'pq' also writes a
 * `.ftz` that fastText 0.9.2 loads (`toFtz()`), as long as the word strings are known (a model compressed in this
 * process, or saved with `keepWords: true`).
 */
import { QuantextError } from '../errors.js';
import { init, type Runtime } from '../runtime/runtime.js';
import { openByteSource, writeFileViaHost, type ByteSource } from '../io/lines.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { quantizeMatrix, tableFromTensor, tableToTensor, type QuantizedTable } from '../vectors/tables/factory.js';
import { Int8Matrix } from '../vectors/tables/int8.js';
import { Int4Matrix } from '../vectors/tables/int4.js';
import { BinaryMatrix } from '../vectors/tables/binary.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import type { QuantizedTensor } from '../quantize/quantize.js';
import type { PQTensor } from '../quantize/pq.js';
import { errorReport, type ErrorReport } from '../quantize/report.js';
import { EmbeddingBag, bagKernels } from '../infer/embedding.js';
import { heap } from '../infer/kernels.js';
import { WasmOwned } from '../runtime/handle.js';
import { Linear } from '../infer/linear.js';
import { Int8Linear } from '../infer/int8.js';
import { BinaryLinear } from '../infer/binary.js';
import { Softmax, Sigmoid } from '../infer/activations.js';
import type { Layer } from '../infer/layer.js';
import { FastTextModel } from '../fasttext/model.js';
import { FastTextDictionary, fastTextTokens } from '../fasttext/dictionary.js';
import { EOS, computeSubwordsBytes, fnv1a32, wordNgramRows } from '../fasttext/subwords.js';
import { serializeModel } from '../fasttext/io.js';
import type { FastTextArgs } from '../fasttext/args.js';
import type { LabelProbability } from '../fasttext/predictor.js';
import { TextClassifier, type ClassifierData, type TestResult } from '../classify/classifier.js';
import { dataLines } from '../classify/encode.js';
import { Meter } from '../classify/meter.js';
import { rowNorms, selectEmbeddings, pruneSelection } from './cselect.js';
import { decodePayload, decodeSortedU32, encodePayload, encodeSortedU32, packFile, unpackFile, type BlobArray } from './cformat.js';

export type CompressedScheme = 'f32' | 'f16' | 'int8' | 'int4' | 'binary' | 'pq';
const TOKEN_CACHE = 1 << 16;
/** Documents per wasm pass of predictBatch (text → rows → bags → output layer → probabilities). */
const BATCH = 256;
const SCHEMES: readonly CompressedScheme[] = ['f32', 'f16', 'int8', 'int4', 'binary', 'pq'];

export interface CompressClassifierOptions {
  /** Keep the N input rows (words and n-gram buckets) of largest L2 norm, "</s>" first (fastText `quantize -cutoff N`). 0/undefined: keep all. */
  cutoff?: number;
  /** Scheme of the input (embedding) table. Default 'int8'. */
  input?: CompressedScheme;
  /** Scheme of the output matrix. Default 'f32' (fastText's default: `-qout` off). */
  output?: CompressedScheme;
  /** Integer and binary tables: per-row scales / α (default true), else one per tensor (cheaper for tiny dims). */
  perRow?: boolean;
  /** Integer and binary tables: quantize around the column mean (default false: the classifier's rows have none). */
  center?: boolean;
  /** PQ: columns per sub-quantizer (fastText -dsub, default 2). */
  dsub?: number;
  /** PQ: quantize the norms separately (fastText -qnorm). */
  qnorm?: boolean;
  /** fastText -retrain: after the cutoff retrain the pruned model; after quantizing the input retrain the float output over it. Needs `data`. */
  retrain?: boolean;
  data?: ClassifierData;
  /** Retraining epochs (fastText's quantize default 5) and learning rate (0.1), seed, threads. */
  epochs?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  /** Store the kept words as strings too (bigger file; needed for `toFtz()` after `load`). Default false: 32-bit hashes. */
  keepWords?: boolean;
  /** Deflate the file (default true). */
  deflate?: boolean;
  /**
   * A TextClassifier trained with `quantize: { bits }` (QAT) stores its tables losslessly when the scheme matches
   * (int8 ↔ 8 bits, int4 ↔ 4 and 2, binary ↔ 1): default true.
   */
  qat?: boolean;
}

export interface CompressionReport {
  input: TensorReport;
  output: TensorReport;
  /** Bytes of the file, and the parts (before deflate). */
  bytes: { file: number; words: number; ngrams: number; input: number; output: number; header: number };
  rows: { words: number; ngrams: number; total: number; before: number; hashCollisions: number };
}

export interface TensorReport extends ErrorReport {
  scheme: CompressedScheme;
  /** cos(row, quantized row) per row (a row zero in both counts 1). */
  rowCosine: Float32Array;
  minCosine: number;
  /** the table was stored from QAT codes without loss */
  lossless: boolean;
}

const KEYS = ['cutoff', 'input', 'output', 'perRow', 'center', 'dsub', 'qnorm', 'retrain', 'data', 'epochs', 'lr', 'seed', 'threads', 'keepWords', 'deflate', 'qat'];

function opt(cond: boolean, msg: string, option: string): void {
  if (!cond) throw new QuantextError('E_OPTION', `compressClassifier: ${msg}`, { option });
}

/** The f32 rows of a dense matrix, copied in the given row order. */
function rowsOf(m: DenseMatrix, order: ArrayLike<number> | null): Float32Array {
  const n = order ? order.length : m.rows, d = m.cols;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) out.set(m.row(order ? order[i] : i), i * d);
  return out;
}

interface Quantized {
  table: Matrix;
  scheme: CompressedScheme;
  lossless: boolean;
}

/** int8 / int4 / binary tables from QAT codes: exact, or undefined when the codes do not fit the scheme. */
function qatTable(x: Float32Array, rows: number, dim: number, scales: Float32Array, bits: number, scheme: CompressedScheme, rt: Runtime): QuantizedTable | undefined {
  const q = new Int8Array(rows * dim);
  for (let i = 0; i < q.length; i++) {
    const s = scales[Math.floor(i / dim)];
    q[i] = s === 0 ? 0 : Math.round(x[i] / s);
  }
  let t: QuantizedTable | undefined;
  const base = { rows, cols: dim, perRow: true, symmetric: true, rounding: 'nearest', calibration: 'minmax', scales: scales.slice(), zeroPoints: new Int32Array(rows) } as const;
  if (scheme === 'int8' && bits === 8) t = Int8Matrix.fromQuantized({ ...base, scheme: 'int8', bits: 8, qmin: -128, qmax: 127, codes: q, rowBytes: dim }, rt);
  else if (scheme === 'int4' && (bits === 4 || bits === 2)) {
    const rb = (dim + 1) >> 1;
    const codes = new Uint8Array(rows * rb);
    for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) codes[r * rb + (c >> 1)] |= (q[r * dim + c] & 15) << ((c & 1) * 4);
    t = Int4Matrix.fromQuantized({ ...base, scheme: 'int4', bits: 4, qmin: -8, qmax: 7, codes, rowBytes: rb }, rt);
  } else if (scheme === 'binary' && bits === 1) {
    for (let i = 0; i < q.length; i++) if (q[i] === 0 && scales[Math.floor(i / dim)] !== 0) return undefined; // pruned weights: not ±α
    const rb = (dim + 7) >> 3;
    const codes = new Uint8Array(rows * rb);
    for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) if (q[r * dim + c] > 0 || scales[r] === 0) codes[r * rb + (c >> 3)] |= 1 << (c & 7);
    t = BinaryMatrix.fromQuantized({ ...base, scheme: 'binary', bits: 1, qmin: 0, qmax: 1, codes, rowBytes: rb }, rt);
  }
  if (!t) return undefined;
  const row = new Float32Array(dim);
  for (let r = 0; r < rows; r++) {
    t.decodeRow(r, row);
    for (let c = 0; c < dim; c++) {
      if (!Object.is(row[c], x[r * dim + c]) && row[c] !== x[r * dim + c]) {
        t.dispose();
        return undefined;
      }
    }
  }
  return t;
}

function quantizeTable(x: Float32Array, rows: number, dim: number, scheme: CompressedScheme, o: CompressClassifierOptions, rt: Runtime, qat?: { scales: Float32Array; bits: number }): Quantized {
  if (qat && o.qat !== false) {
    const t = qatTable(x, rows, dim, qat.scales, qat.bits, scheme, rt);
    if (t) return { table: t, scheme, lossless: true };
  }
  const src = DenseMatrix.from(x, rows, dim, rt);
  if (scheme === 'f32') return { table: src, scheme, lossless: true };
  try {
    const perRow = o.perRow ?? true;
    const t =
      scheme === 'pq'
        ? quantizeMatrix(src, { scheme: 'pq', dsub: o.dsub ?? 2, qnorm: o.qnorm ?? false, seed: o.seed ?? 1234 })
        : scheme === 'f16'
          ? quantizeMatrix(src, { scheme: 'fp16' })
          : quantizeMatrix(src, { scheme, perRow, center: o.center ?? false });
    return { table: t, scheme, lossless: false };
  } finally {
    src.dispose();
  }
}

function decodeAll(t: Matrix): Float32Array {
  const out = new Float32Array(t.rows * t.cols);
  const row = new Float32Array(t.cols);
  for (let r = 0; r < t.rows; r++) out.set(t.decodeRow(r, row), r * t.cols);
  return out;
}

function tensorReport(x: Float32Array, t: Matrix, q: Quantized): TensorReport {
  const d = t.cols, rows = t.rows;
  const y = decodeAll(t);
  const rec = q.scheme === 'f32' ? undefined : tableToTensor(t as QuantizedTable);
  const base: ErrorReport = rec ? errorReport(x, rec, { rt: t.rt }) : { mse: 0, sqnrDb: Infinity, maxAbsError: 0, meanCosine: 1, saturatedFraction: 0, bytesBefore: x.length * 4, bytesAfter: x.length * 4 };
  const cos = new Float32Array(rows);
  let min = 1;
  for (let r = 0; r < rows; r++) {
    let ab = 0, aa = 0, bb = 0;
    for (let c = 0; c < d; c++) {
      const a = x[r * d + c], b = y[r * d + c];
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    cos[r] = aa === 0 && bb === 0 ? 1 : aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
    min = Math.min(min, cos[r]);
  }
  return { ...base, scheme: q.scheme, rowCosine: cos, minCosine: min, lossless: q.lossless };
}

/** Sort permutation of uint32 keys. */
function sortedBy(keys: Uint32Array | Int32Array): Int32Array {
  return Int32Array.from(Array.from({ length: keys.length }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b));
}

/**
 * Compresses a trained classifier (see the file header). The source stays the caller's (it is copied).
 * @throws E_OPTION (options), E_UNSUPPORTED (an unsupervised, hs-loss or already quantized source).
 */
export async function compressClassifier(source: TextClassifier | FastTextModel, options: CompressClassifierOptions = {}): Promise<CompressedClassifier> {
  opt(typeof options === 'object' && options !== null, 'options must be an object', 'options');
  for (const k of Object.keys(options)) opt(KEYS.includes(k), `unknown option '${k}'`, k);
  const o = options;
  const clf = source instanceof TextClassifier ? source : undefined;
  const model = (clf ? clf.model : source) as FastTextModel;
  opt(model instanceof FastTextModel, 'source must be a TextClassifier or a FastTextModel', 'source');
  if (!model.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'compressClassifier: the model is unsupervised (skipgram/cbow), not a classifier');
  if (model.args.loss === 'hs') throw new QuantextError('E_UNSUPPORTED', "compressClassifier: loss 'hs' is not supported (softmax, ns and ova are)");
  if (!(model.input instanceof DenseMatrix) || !(model.output instanceof DenseMatrix)) throw new QuantextError('E_UNSUPPORTED', 'compressClassifier: the model is already quantized (a .ftz); compress the .bin it came from');
  const inScheme = o.input ?? 'int8', outScheme = o.output ?? 'f32';
  opt(SCHEMES.includes(inScheme), `input must be one of ${SCHEMES.join(', ')}, got ${String(inScheme)}`, 'input');
  opt(SCHEMES.includes(outScheme), `output must be one of ${SCHEMES.join(', ')}, got ${String(outScheme)}`, 'output');
  opt(o.cutoff === undefined || (Number.isInteger(o.cutoff) && o.cutoff >= 0), `cutoff must be a non-negative integer, got ${String(o.cutoff)}`, 'cutoff');
  opt(o.dsub === undefined || (Number.isInteger(o.dsub) && o.dsub >= 1 && o.dsub <= model.dim), `dsub must be an integer in [1, dim], got ${String(o.dsub)}`, 'dsub');
  for (const b of ['perRow', 'center', 'qnorm', 'retrain', 'keepWords', 'deflate', 'qat'] as const) opt(o[b] === undefined || typeof o[b] === 'boolean', `${b} must be a boolean`, b);
  opt(!o.retrain || o.data !== undefined, 'retrain needs data (the training lines)', 'data');
  opt(o.epochs === undefined || (Number.isInteger(o.epochs) && o.epochs >= 1), 'epochs must be a positive integer', 'epochs');
  opt(o.lr === undefined || (typeof o.lr === 'number' && o.lr > 0 && Number.isFinite(o.lr)), 'lr must be a positive number', 'lr');
  const rt = model.rt;
  const a = model.args, dim = model.dim, d = model.dict;
  const labelPrefix = '__label__';

  // 1. cutoff: fastText's selection and prune
  const fullIn = model.input;
  let order: Int32Array | null = null;
  let nwords = d.nwords;
  let pruneidx: Map<number, number> | null = null;
  const rowsBefore = fullIn.rows;
  if (o.cutoff && o.cutoff < fullIn.rows) {
    const norms = rowNorms(fullIn.data().subarray(0, fullIn.rows * dim), fullIn.rows, dim);
    const eos = d.getId(EOS);
    const sel = pruneSelection(selectEmbeddings(norms, eos >= 0 && eos < d.nwords ? eos : -1, o.cutoff), d.nwords);
    order = sel.rows;
    nwords = sel.nwords;
    pruneidx = sel.pruneidx;
  }
  let keptWordIds = order ? Array.from(order.subarray(0, nwords)) : Array.from({ length: d.nwords }, (_, i) => i);
  const allWords = d.entries;
  // words are stored as 32-bit hashes: of two kept words with the same hash the more frequent (lower id) keeps the
  // row, the other is dropped (its tokens then read that row, as a hashed feature would)
  const enc = new TextEncoder();
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const id of keptWordIds) {
    const h = fnv1a32(enc.encode(allWords[id]));
    if (seen.has(h)) dup.add(id);
    seen.add(h);
  }
  if (dup.size) {
    const base = order ?? Int32Array.from({ length: fullIn.rows }, (_, i) => i);
    order = base.filter((r) => !(r < d.nwords && dup.has(r)));
    keptWordIds = keptWordIds.filter((id) => !dup.has(id));
    nwords = keptWordIds.length;
  }
  const words = keptWordIds.map((i) => allWords[i] as string);
  const labels = model.labels;
  let inputX = rowsOf(fullIn, order);
  let outputX = rowsOf(model.output, null);
  const nIn = inputX.length / dim;
  const qatInfo = clf?.qat;

  // 2. retrain (fastText -retrain): the pruned dense model, then the output over the quantized input
  const prunePairs = (): Int32Array | null => {
    if (!pruneidx) return null;
    const p = new Int32Array(pruneidx.size * 2);
    let i = 0;
    for (const [b, j] of pruneidx) {
      p[i++] = b;
      p[i++] = j;
    }
    return p;
  };
  const counts = new Float64Array(words.length + labels.length);
  keptWordIds.forEach((id, i) => (counts[i] = d.counts[id]));
  for (let l = 0; l < labels.length; l++) counts[words.length + l] = d.counts[d.nwords + l];
  const dictOf = (pp: Int32Array | null, ws: string[], cs: Float64Array) => new FastTextDictionary(a, { entries: [...ws, ...labels], counts: cs, nwords: ws.length, ntokens: d.ntokens, prunePairs: pp });
  let trainer: TextClassifier | undefined;
  const trainOpts = { epochs: o.epochs ?? 5, lr: o.lr ?? 0.1, seed: o.seed ?? 0, threads: o.threads ?? 1 };
  let inQ: Quantized | undefined;
  try {
    if (o.retrain) {
      const m = new FastTextModel({ version: 12, args: { ...a }, dict: dictOf(prunePairs(), words, counts), input: DenseMatrix.from(inputX, nIn, dim, rt), output: DenseMatrix.from(outputX, labels.length, dim, rt), quantInput: false, qout: false });
      trainer = TextClassifier.fromModel(m, trainOpts);
      if (order) {
        await trainer.train(o.data!);
        inputX = rowsOf(trainer.model.input as DenseMatrix, null);
        outputX = rowsOf(trainer.model.output as DenseMatrix, null);
      }
    }
    const qin = qatInfo ? { scales: order ? Float32Array.from(order, (r) => qatInfo.input.scales[r]) : qatInfo.input.scales, bits: qatInfo.bits } : undefined;
    inQ = quantizeTable(inputX, nIn, dim, inScheme, o, rt, o.retrain && order ? undefined : qin);
    if (trainer && inScheme !== 'f32') {
      const deq = decodeAll(inQ.table); // before the view: decoding may allocate
      (trainer.model.input as DenseMatrix).data().set(deq);
      await trainer.train(o.data!, { freezeInput: true });
      outputX = rowsOf(trainer.model.output as DenseMatrix, null);
    }
  } catch (e) {
    inQ?.table.dispose();
    throw e;
  } finally {
    trainer?.dispose();
  }
  const qout = qatInfo?.output && !o.retrain ? { scales: qatInfo.output.scales, bits: qatInfo.bits } : undefined;
  const outQ = quantizeTable(outputX, labels.length, dim, outScheme, o, rt, qout);

  // 3. the stored order: words by hash, n-gram rows by bucket
  const hashes = Uint32Array.from(words, (w) => fnv1a32(enc.encode(w)));
  const wperm = sortedBy(hashes);
  let buckets: Int32Array | null = null;
  let nperm: Int32Array | null = null;
  if (pruneidx) {
    const bs = new Int32Array(pruneidx.size);
    for (const [b, j] of pruneidx) bs[j] = b;
    nperm = sortedBy(bs);
    buckets = Int32Array.from(nperm, (j) => bs[j]);
  }
  const perm = new Int32Array(nIn);
  for (let i = 0; i < nwords; i++) perm[i] = wperm[i];
  for (let j = nwords; j < nIn; j++) perm[j] = nperm ? nwords + nperm[j - nwords] : j;
  const identity = perm.every((v, i) => v === i);
  const inTable = identity ? inQ.table : permuteTable(inQ, perm, rt, o);
  const floatIn = identity ? inputX : permuteRows(inputX, perm, dim);
  const parts: Parts = {
    args: { dim, wordNgrams: a.wordNgrams, bucket: a.bucket, minn: a.minn, maxn: a.maxn, loss: a.loss },
    labels,
    hashes: Uint32Array.from(wperm, (i) => hashes[i]),
    words: Array.from(wperm, (i) => words[i]),
    counts: Float64Array.from([...Array.from(wperm, (i) => counts[i]), ...counts.subarray(words.length)]),
    buckets,
    input: inTable,
    output: outQ.table,
    inScheme,
    outScheme,
    ftArgs: { ...a },
    ntokens: d.ntokens,
  };
  const c = await CompressedClassifier.build(parts, rt, { keepWords: o.keepWords ?? false, deflate: o.deflate ?? true });
  c.reportData = {
    input: tensorReport(floatIn, inTable, { ...inQ, table: inTable }),
    output: tensorReport(outputX, outQ.table, outQ),
    rows: { words: nwords, ngrams: nIn - nwords, total: nIn, before: rowsBefore, hashCollisions: dup.size },
  };
  return c;
}

function permuteRows(x: Float32Array, perm: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(perm.length * dim);
  for (let i = 0; i < perm.length; i++) out.set(x.subarray(perm[i] * dim, perm[i] * dim + dim), i * dim);
  return out;
}

/** The table with its rows in a new order (codes moved, never re-quantized: PQ codebooks and scales are kept). */
function permuteTable(q: Quantized, perm: Int32Array, rt: Runtime, o: CompressClassifierOptions): Matrix {
  const t = q.table;
  try {
    if (t instanceof DenseMatrix) return DenseMatrix.from(permuteRows(rowsOf(t, null), perm, t.cols), t.rows, t.cols, rt);
    const rec = tableToTensor(t as QuantizedTable);
    if (rec.scheme === 'pq') {
      const p = rec as PQTensor;
      const codes = new Uint8Array(p.codes.length);
      for (let i = 0; i < perm.length; i++) codes.set(p.codes.subarray(perm[i] * p.nsub, (perm[i] + 1) * p.nsub), i * p.nsub);
      const normCodes = p.qnorm ? Uint8Array.from(perm, (r) => p.normCodes[r]) : p.normCodes;
      return tableFromTensor({ ...p, codes, normCodes }, rt);
    }
    const r = rec as QuantizedTensor;
    const rb = r.rowBytes;
    const C = r.codes.constructor as new (n: number) => Int8Array | Uint8Array | Uint16Array;
    const codes = new C(r.codes.length);
    const per = r.scheme === 'fp16' || r.scheme === 'bf16' ? rb / 2 : rb;
    for (let i = 0; i < perm.length; i++) codes.set(r.codes.subarray(perm[i] * per, (perm[i] + 1) * per) as never, i * per);
    const scales = r.perRow ? Float32Array.from(perm, (k) => r.scales[k]) : r.scales;
    const zeroPoints = r.perRow && r.zeroPoints.length === r.rows ? Int32Array.from(perm, (k) => r.zeroPoints[k]) : r.zeroPoints;
    void o;
    return tableFromTensor({ ...r, codes, scales, zeroPoints }, rt);
  } finally {
    t.dispose();
  }
}

interface Parts {
  args: { dim: number; wordNgrams: number; bucket: number; minn: number; maxn: number; loss: string };
  labels: string[];
  /** kept words' fastText hashes, increasing; word i is input row i */
  hashes: Uint32Array;
  words?: string[];
  counts?: Float64Array;
  /** kept n-gram buckets, increasing; bucket j is input row nwords + j (null: every bucket, row nwords + bucket) */
  buckets: Int32Array | null;
  input: Matrix;
  output: Matrix;
  inScheme: CompressedScheme;
  outScheme: CompressedScheme;
  ftArgs?: FastTextArgs;
  ntokens?: number;
}

/** The blobs and fields of a table. */
function tableBlobs(prefix: string, t: Matrix, scheme: CompressedScheme, blobs: Record<string, BlobArray>): Record<string, unknown> {
  if (scheme === 'f32') {
    blobs[`${prefix}.data`] = rowsOf(t as DenseMatrix, null);
    return { scheme, rows: t.rows, cols: t.cols };
  }
  const rec = tableToTensor(t as QuantizedTable);
  const meta: Record<string, unknown> = { scheme };
  for (const [k, v] of Object.entries(rec)) {
    if (ArrayBuffer.isView(v)) {
      let arr = v as BlobArray;
      if (k === 'codes' && rec.scheme === 'binary') arr = packBits(v as Uint8Array, rec.rows, rec.cols, (rec as QuantizedTensor).rowBytes);
      if (k === 'zeroPoints' && (arr as Int32Array).every((z) => z === 0)) {
        meta.zeroPointsZero = arr.length;
        continue;
      }
      blobs[`${prefix}.${k}`] = arr;
    } else if (k !== 'scheme') meta[k] = v;
  }
  return meta;
}

/** Binary rows padded to bytes → one bit string (rows·cols bits). */
function packBits(codes: Uint8Array, rows: number, cols: number, rb: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((rows * cols) / 8));
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (codes[r * rb + (c >> 3)] & (1 << (c & 7))) out[(r * cols + c) >> 3] |= 1 << ((r * cols + c) & 7);
  return out;
}

function unpackBits(bits: Uint8Array, rows: number, cols: number): Uint8Array {
  const rb = (cols + 7) >> 3;
  const out = new Uint8Array(rows * rb);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (bits[(r * cols + c) >> 3] & (1 << ((r * cols + c) & 7))) out[r * rb + (c >> 3)] |= 1 << (c & 7);
  return out;
}

function tableFrom(prefix: string, meta: Record<string, unknown>, blobs: Record<string, BlobArray>, blobAt: Record<string, number>, rt: Runtime, name: string, shape: [number, number]): Matrix {
  const bad = (msg: string, at = 4): never => {
    throw new QuantextError('E_FORMAT', `${name}: ${prefix}: ${msg} (at byte ${at})`, { file: name, offset: at });
  };
  if (typeof meta !== 'object' || meta === null) bad('missing table description');
  const scheme = meta.scheme as CompressedScheme;
  if (!SCHEMES.includes(scheme)) bad(`unknown scheme ${JSON.stringify(meta.scheme)}`);
  const rows = meta.rows as number, cols = meta.cols as number;
  if (!(Number.isSafeInteger(rows) && rows >= 0 && Number.isSafeInteger(cols) && cols >= 1 && cols <= 1 << 16)) bad(`invalid shape ${String(rows)}×${String(cols)}`);
  // checked before anything is allocated
  if (rows !== shape[0] || cols !== shape[1]) bad(`the table is ${rows}×${cols}; the model needs ${shape[0]}×${shape[1]}`);
  if (scheme === 'f32') {
    const x = blobs[`${prefix}.data`];
    if (!(x instanceof Float32Array) || x.length !== rows * cols) bad(`the f32 data must be ${rows}×${cols} floats`, blobAt[`${prefix}.data`] ?? 4);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) bad(`value ${i} is not finite`, blobAt[`${prefix}.data`] + 4 * i);
    return DenseMatrix.from(x, rows, cols, rt);
  }
  const rec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (k !== 'zeroPointsZero') rec[k] = v;
  rec.scheme = meta.scheme === 'f16' ? 'fp16' : meta.scheme;
  for (const [k, v] of Object.entries(blobs)) if (k.startsWith(prefix + '.')) rec[k.slice(prefix.length + 1)] = v;
  if (typeof meta.zeroPointsZero === 'number') rec.zeroPoints = new Int32Array(meta.zeroPointsZero);
  // the field types a table record needs
  const want: Record<string, string[]> = {
    pq: ['codebook:Float32Array', 'codes:Uint8Array', 'normCodebook:Float32Array', 'normCodes:Uint8Array'],
    fp16: ['codes:Uint16Array', 'scales:Float32Array', 'zeroPoints:Int32Array'],
    int8: ['codes:Int8Array', 'scales:Float32Array', 'zeroPoints:Int32Array'],
    int4: ['codes:Uint8Array', 'scales:Float32Array', 'zeroPoints:Int32Array'],
    binary: ['codes:Uint8Array', 'scales:Float32Array', 'zeroPoints:Int32Array'],
  };
  const key = rec.scheme as string;
  for (const f of want[key === 'uint8' ? 'int4' : key] ?? []) {
    const [k, type] = f.split(':');
    if ((rec[k] as object)?.constructor?.name !== type) bad(`field '${k}' must be a ${type}`, blobAt[`${prefix}.${k}`] ?? 4);
  }
  const codeLen = key === 'int8' || key === 'uint8' || key === 'fp16' || key === 'bf16' ? rows * cols : key === 'int4' ? rows * ((cols + 1) >> 1) : -1;
  if (codeLen >= 0 && (rec.codes as ArrayLike<number>).length !== codeLen) bad(`${(rec.codes as ArrayLike<number>).length} codes for a ${rows}×${cols} ${key} table (${codeLen} expected)`, blobAt[`${prefix}.codes`]);
  if (rec.center !== undefined && !(rec.center instanceof Float32Array)) bad("field 'center' must be a Float32Array", blobAt[`${prefix}.center`] ?? 4);
  if (key === 'binary') {
    const bits = rec.codes as Uint8Array;
    if (bits.length !== Math.ceil((rows * cols) / 8)) bad(`${bits.length} bytes of bits for ${rows}×${cols}`, blobAt[`${prefix}.codes`]);
    rec.codes = unpackBits(bits, rows, cols);
  }
  if (key === 'pq') {
    const p = rec as unknown as PQTensor;
    if (!(Number.isInteger(p.dsub) && p.dsub >= 1 && Number.isInteger(p.ksub) && p.ksub >= 1 && p.ksub <= 256 && p.nsub === Math.ceil(cols / p.dsub))) bad(`inconsistent product quantizer (dsub ${p.dsub}, ksub ${p.ksub}, nsub ${p.nsub})`);
    if (p.codes.length !== rows * p.nsub || p.codebook.length !== p.ksub * cols) bad('PQ codes or codebook have the wrong length', blobAt[`${prefix}.codes`]);
    for (let i = 0; i < p.codes.length; i++) if (p.codes[i] >= p.ksub) bad(`PQ code ${p.codes[i]} ≥ ksub ${p.ksub}`, blobAt[`${prefix}.codes`] + i);
    if (p.qnorm && (p.normCodes.length !== rows || p.normCodebook.length < 1)) bad('PQ norm codes have the wrong length', blobAt[`${prefix}.normCodes`] ?? 4);
    if (p.qnorm) for (let i = 0; i < p.normCodes.length; i++) if (p.normCodes[i] >= p.normCodebook.length) bad(`PQ norm code ${p.normCodes[i]} outside its codebook`, blobAt[`${prefix}.normCodes`] + i);
  }
  for (const k of ['codebook', 'normCodebook', 'scales', 'center']) {
    const v = rec[k] as Float32Array | undefined;
    if (v) for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) bad(`${k}[${i}] is not finite`, (blobAt[`${prefix}.${k}`] ?? 4) + 4 * i);
  }
  try {
    return tableFromTensor(rec as unknown as QuantizedTensor | PQTensor, rt);
  } catch (e) {
    if (e instanceof QuantextError) throw new QuantextError('E_FORMAT', `${name}: ${prefix}: ${e.message} (at byte ${blobAt[`${prefix}.codes`] ?? 4})`, { file: name, offset: blobAt[`${prefix}.codes`] ?? 4 });
    throw e;
  }
}

/**
 * What prediction keeps in wasm memory: the kept words' hashes in an open-addressing table (u32 pairs [hash, row + 1],
 * 0 = empty, probed from hash & mask), the kept n-gram buckets (sorted i32), and grown-on-demand scratch for a batch
 * (UTF-8 text, its offsets, token hashes, rows, bag offsets, hidden vectors, logits, probabilities).
 */
class PredictState extends WasmOwned {
  readonly tab: number;
  readonly mask: number;
  readonly buckets: number;
  readonly nb: number;
  private bufs = new Map<string, [number, number]>();
  /** UTF-8 bytes of a batch, encoded here first (TextEncoder.encodeInto does not write shared memory everywhere) */
  bytes = new Uint8Array(1 << 12);

  constructor(hashes: Uint32Array, buckets: Int32Array | null, rt: Runtime) {
    super(rt);
    let cap = 2;
    while (cap < 2 * hashes.length) cap *= 2;
    this.mask = cap - 1;
    this.nb = buckets ? buckets.length : -1;
    this.tab = this.own(cap * 8, true);
    this.buckets = buckets && buckets.length ? this.own(buckets.length * 4) : 0;
    const h = heap(rt);
    for (let i = 0; i < hashes.length; i++) {
      let j = hashes[i] & this.mask;
      while (h.i32[(this.tab >> 2) + 2 * j + 1] !== 0) j = (j + 1) & this.mask;
      h.i32[(this.tab >> 2) + 2 * j] = hashes[i] | 0;
      h.i32[(this.tab >> 2) + 2 * j + 1] = i + 1;
    }
    if (this.buckets) h.i32.set(buckets!, this.buckets >> 2);
  }

  /** A scratch block of ≥ bytes by name (grown here: call every buf() of a pass before taking views). */
  buf(name: string, bytes: number): number {
    const e = this.bufs.get(name);
    if (e && e[1] >= bytes) return e[0];
    if (e) this.release(e[0]);
    const n = Math.max(64, bytes, e ? 2 * e[1] : 0);
    const ptr = this.own(n);
    this.bufs.set(name, [ptr, n]);
    return ptr;
  }
}

/**
 * A compressed fastText-style classifier (see {@link compressClassifier}): predicts as the source model does over
 * its kept rows, with quantized tables, through the inference layers.
 */
export class CompressedClassifier {
  readonly labels: string[];
  readonly dim: number;
  readonly inputScheme: CompressedScheme;
  readonly outputScheme: CompressedScheme;
  /** @internal */
  reportData?: Omit<CompressionReport, 'bytes'>;
  private readonly p: Parts;
  private readonly rt: Runtime;
  private readonly wordRow: Map<number, number>;
  private readonly pruneIdx: Map<number, number> | null;
  private readonly bag: EmbeddingBag;
  private readonly linear: Layer;
  private readonly act: Layer;
  private file!: Uint8Array;
  private sizes!: CompressionReport['bytes'];
  private disposed = false;
  private readonly enc = new TextEncoder();
  private readonly rowsBuf: number[] = [];
  private readonly hashBuf: number[] = [];
  private readonly hidden: Float32Array;
  private readonly ws: PredictState;
  /** token → its hash and input rows (null: a label), so that a repeated token is neither encoded nor hashed again */
  private readonly tokenCache = new Map<string, { h: number; rows: number[] } | null>();
  private readonly logits: Float32Array;

  private constructor(p: Parts, rt: Runtime) {
    this.p = p;
    this.rt = rt;
    this.labels = p.labels;
    this.dim = p.args.dim;
    this.inputScheme = p.inScheme;
    this.outputScheme = p.outScheme;
    this.wordRow = new Map();
    p.hashes.forEach((h, i) => this.wordRow.set(h, i));
    this.pruneIdx = p.buckets ? new Map(Array.from(p.buckets, (b, j) => [b, j])) : null;
    this.bag = new EmbeddingBag(p.input, { mode: 'mean' });
    this.ws = new PredictState(p.hashes, p.buckets, rt);
    this.hidden = new Float32Array(4 * p.args.dim);
    this.logits = new Float32Array(4 * p.labels.length);
    const n = p.labels.length, k = p.args.dim;
    const w = decodeAll(p.output);
    const layers: Layer[] = [];
    try {
      this.linear = p.outScheme === 'int8' ? Int8Linear.fromFloat(w, n, k, undefined, { rt }) : p.outScheme === 'binary' ? BinaryLinear.fromFloat(w, n, k, undefined, { rt }) : Linear.fromFloat(w, n, k, undefined, { rt });
      layers.push(this.linear);
      this.act = p.args.loss === 'softmax' ? new Softmax(n, { rt }) : new Sigmoid(n, { rt });
    } catch (e) {
      for (const l of layers) l.dispose();
      this.ws.dispose();
      this.bag.dispose();
      throw e;
    }
  }

  /** @internal */
  static async build(p: Parts, rt: Runtime, o: { keepWords: boolean; deflate: boolean }): Promise<CompressedClassifier> {
    let c: CompressedClassifier;
    try {
      c = new CompressedClassifier(p, rt);
    } catch (e) {
      p.input.dispose();
      p.output.dispose();
      throw e;
    }
    try {
      const blobs: Record<string, BlobArray> = {};
      const wordsBytes = encodeSortedU32(p.hashes);
      blobs['words'] = wordsBytes;
      if (p.buckets) blobs['buckets'] = encodeSortedU32(Uint32Array.from(p.buckets));
      const meta: Record<string, unknown> = { format: 'quantext.compressed-classifier', args: p.args, labels: p.labels, nwords: p.hashes.length, nbuckets: p.buckets ? p.buckets.length : -1 };
      if (o.keepWords && p.words) {
        meta.words = p.words;
        if (p.ftArgs) meta.ftArgs = p.ftArgs;
        meta.ntokens = p.ntokens ?? 0;
        if (p.counts) blobs['counts'] = Float32Array.from(p.counts);
      }
      const nb = Object.keys(blobs).length;
      meta.input = tableBlobs('input', p.input, p.inScheme, blobs);
      const nin = Object.keys(blobs).length;
      meta.output = tableBlobs('output', p.output, p.outScheme, blobs);
      const payload = encodePayload(meta, blobs);
      c.file = await packFile(payload, o.deflate);
      const size = (names: string[]) => names.reduce((s, k) => s + blobs[k].byteLength, 0);
      const names = Object.keys(blobs);
      void nb;
      c.sizes = {
        file: c.file.length,
        words: wordsBytes.length,
        ngrams: blobs['buckets']?.byteLength ?? 0,
        input: size(names.filter((k) => k.startsWith('input.'))),
        output: size(names.filter((k) => k.startsWith('output.'))),
        header: payload.length - size(names),
      };
      void nin;
    } catch (e) {
      c.dispose();
      throw e;
    }
    return c;
  }

  /** Reads a file written by {@link save} / {@link toBytes}. @throws E_FORMAT (with the byte offset) for a malformed file. */
  static async load(source: ByteSource, opts: { rt?: Runtime } = {}): Promise<CompressedClassifier> {
    const rt = opts.rt ?? (await init());
    const opened = await openByteSource(source);
    const name = opened.name ?? 'compressed classifier';
    const parts: Uint8Array[] = [];
    for await (const ch of opened.chunks) parts.push(ch);
    const file = new Uint8Array(parts.reduce((n, q) => n + q.length, 0));
    let off = 0;
    for (const q of parts) {
      file.set(q, off);
      off += q.length;
    }
    const payload = await unpackFile(file, name);
    const { meta, blobs, blobAt } = decodePayload(payload, name);
    const bad = (msg: string, at = 4): never => {
      throw new QuantextError('E_FORMAT', `${name}: ${msg} (at byte ${at})`, { file: name, offset: at });
    };
    if (meta.format !== 'quantext.compressed-classifier') bad('not a compressed classifier payload');
    const a = meta.args as Parts['args'];
    const int = (v: unknown, min: number, max = 2 ** 31 - 1) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
    if (typeof a !== 'object' || a === null || !int(a.dim, 1, 1 << 16) || !int(a.wordNgrams, 0, 1000) || !int(a.bucket, 0) || !int(a.minn, 0, 1000) || !int(a.maxn, 0, 1000) || !['softmax', 'ns', 'ova'].includes(a.loss)) bad(`invalid args ${JSON.stringify(a)}`);
    const labels = meta.labels as string[];
    if (!Array.isArray(labels) || labels.length < 1 || !labels.every((l) => typeof l === 'string')) bad('labels must be a non-empty list of strings');
    if (!int(meta.nwords, 0) || !(meta.nbuckets === -1 || int(meta.nbuckets, 0))) bad('invalid word or bucket count');
    const nwords = meta.nwords as number, nb = meta.nbuckets as number;
    if (!(blobs.words instanceof Uint8Array)) bad('missing words');
    const hashes = decodeSortedU32(blobs.words as Uint8Array, nwords, blobAt.words, 'words', name);
    let buckets: Int32Array | null = null;
    if (nb >= 0) {
      if (!(blobs.buckets instanceof Uint8Array)) bad('missing buckets');
      const b = decodeSortedU32(blobs.buckets as Uint8Array, nb, blobAt.buckets, 'buckets', name);
      if (nb > 0 && b[nb - 1] >= a.bucket) bad(`bucket ${b[nb - 1]} ≥ bucket count ${a.bucket}`, blobAt.buckets);
      buckets = Int32Array.from(b);
    }
    let words: string[] | undefined;
    if (meta.words !== undefined) {
      if (!Array.isArray(meta.words) || meta.words.length !== nwords || !meta.words.every((w) => typeof w === 'string')) bad('words must be a list of nwords strings');
      words = meta.words as string[];
    }
    const nrows = nwords + (buckets ? buckets.length : a.maxn > 0 || a.wordNgrams > 1 ? a.bucket : 0);
    let input: Matrix | undefined, output: Matrix | undefined;
    try {
      input = tableFrom('input', meta.input as Record<string, unknown>, blobs, blobAt, rt, name, [nrows, a.dim]);
      if (input.rows !== nrows || input.cols !== a.dim) bad(`the input table is ${input.rows}×${input.cols}; ${nwords} words and ${nrows - nwords} n-gram rows of dim ${a.dim} need ${nrows}×${a.dim}`);
      output = tableFrom('output', meta.output as Record<string, unknown>, blobs, blobAt, rt, name, [labels.length, a.dim]);
      if (output.rows !== labels.length || output.cols !== a.dim) bad(`the output table is ${output.rows}×${output.cols}; ${labels.length} labels × dim ${a.dim} expected`);
    } catch (e) {
      input?.dispose();
      output?.dispose();
      throw e;
    }
    const counts = blobs.counts instanceof Float32Array ? Float64Array.from(blobs.counts) : undefined;
    const p: Parts = {
      args: a, labels: labels as string[], hashes, words, counts, buckets, input, output,
      inScheme: (meta.input as { scheme: CompressedScheme }).scheme, outScheme: (meta.output as { scheme: CompressedScheme }).scheme,
      ftArgs: meta.ftArgs as FastTextArgs | undefined,
      ntokens: Number.isSafeInteger(meta.ntokens) && (meta.ntokens as number) >= 0 ? (meta.ntokens as number) : 0,
    };
    let c: CompressedClassifier;
    try {
      c = new CompressedClassifier(p, rt);
    } catch (e) {
      input.dispose();
      output.dispose();
      throw e;
    }
    c.file = file;
    c.sizes = { file: file.length, words: blobs.words.byteLength, ngrams: blobs.buckets?.byteLength ?? 0, input: 0, output: 0, header: 0 };
    return c;
  }

  private alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', 'this CompressedClassifier was disposed');
  }

  /** Bytes of the file on disk. */
  get byteLength(): number {
    return this.file.length;
  }

  /** Input rows of the kept words and n-grams. */
  get rows(): { words: number; ngrams: number } {
    return { words: this.p.hashes.length, ngrams: this.p.input.rows - this.p.hashes.length };
  }

  /** fastText's getLine for one line of text: the input rows (words as kept, "</s>" at the end, n-grams through the prune map). */
  lineRows(tokens: readonly string[], eos = true): number[] {
    const out = this.rowsBuf, hashes = this.hashBuf, a = this.p.args, nw = this.p.hashes.length;
    out.length = 0;
    hashes.length = 0;
    const add = (t: string) => {
      let e = this.tokenCache.get(t);
      if (e === undefined) {
        const b = this.enc.encode(t);
        const h = fnv1a32(b);
        const row = this.wordRow.get(h);
        if (row === undefined && t.startsWith('__label__')) e = null;
        else {
          const rows: number[] = row !== undefined ? [row] : [];
          if (a.maxn > 0 && t !== EOS) computeSubwordsBytes(b, a.minn, a.maxn, a.bucket, nw, rows, this.pruneIdx);
          e = { h: h | 0, rows };
        }
        if (this.tokenCache.size >= TOKEN_CACHE) this.tokenCache.clear();
        this.tokenCache.set(t, e);
      }
      if (e === null) return;
      for (let i = 0; i < e.rows.length; i++) out.push(e.rows[i]);
      hashes.push(e.h);
    };
    let ended = false;
    for (const t of tokens) {
      add(t);
      if (t === EOS) {
        ended = true;
        break;
      }
    }
    if (eos && !ended) add(EOS);
    wordNgramRows(hashes, a.wordNgrams, a.bucket, nw, out, this.pruneIdx);
    return out;
  }

  /** Label probabilities of rows (empty when there are none: fastText predicts nothing then). */
  private scores(rows: number[]): Float32Array | undefined {
    if (rows.length === 0) return undefined;
    // the hidden vector is row 0 of a batch of 4 (rows 1-3 zero): the f32 GEMM's 4-row tile sums each output over
    // the inputs in order, as its scalar twin does, so SIMD and scalar builds give the same bits (its 1-row path
    // splits the sum in two)
    const n = this.labels.length;
    this.bag.forwardInto(rows, undefined, this.hidden);
    this.linear.forwardInto(this.hidden, this.logits, 4);
    return this.act.forward(this.logits.subarray(0, n));
  }

  private top(p: Float32Array | undefined, k: number, threshold: number): LabelProbability[] {
    if (!p) return [];
    if (k === 1) {
      // the first of the sort below: the largest probability, the lowest label on ties
      let b = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
      return p[b] >= threshold ? [[this.labels[b], p[b]]] : [];
    }
    const idx = Array.from({ length: p.length }, (_, i) => i).sort((x, y) => p[y] - p[x] || x - y);
    const out: LabelProbability[] = [];
    for (const i of idx.slice(0, k === -1 ? p.length : k)) if (p[i] >= threshold) out.push([this.labels[i], p[i]]);
    return out;
  }

  private checkK(k: number, threshold: number): void {
    if (!Number.isInteger(k) || k === 0 || k < -1) throw new QuantextError('E_OPTION', `predict: k must be a positive integer or -1 (all labels); got ${k}`, { option: 'k' });
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new QuantextError('E_OPTION', `predict: threshold must be a number; got ${threshold}`, { option: 'threshold' });
  }

  /** The k most likely labels of one line of text with their probabilities, best first (as TextClassifier.predict). */
  predict(text: string, k = 1, threshold = 0): LabelProbability[] {
    this.alive();
    if (typeof text !== 'string') throw new QuantextError('E_OPTION', 'predict: the text must be a string');
    this.checkK(k, threshold);
    const out: LabelProbability[][] = [];
    this.predictPass([text], 0, 1, k, threshold, out);
    return out[0];
  }

  /**
   * predict for many texts: up to 256 texts a pass, each pass one wasm call per stage for all its texts (tokens
   * hashed and looked up, n-gram rows, the bags of every table scheme, the output layer, softmax / sigmoid). The
   * same results as predict on each text.
   */
  predictBatch(texts: readonly string[], k = 1, threshold = 0): LabelProbability[][] {
    this.alive();
    if (!Array.isArray(texts)) throw new QuantextError('E_OPTION', 'predictBatch: texts must be an array of strings', { option: 'texts' });
    for (let i = 0; i < texts.length; i++) if (typeof texts[i] !== 'string') throw new QuantextError('E_OPTION', `predictBatch: text ${i} is not a string`, { option: 'texts', index: i });
    this.checkK(k, threshold);
    const out: LabelProbability[][] = [];
    for (let s = 0; s < texts.length; s += BATCH) this.predictPass(texts, s, Math.min(BATCH, texts.length - s), k, threshold, out);
    return out;
  }

  /** texts[s, s + m) → out: UTF-8 into wasm, bag_text_rows, the bags, the output layer and activation over the batch. */
  private predictPass(texts: readonly string[], s: number, m: number, k: number, threshold: number, out: LabelProbability[][]): void {
    const ws = this.ws, rt = this.rt, a = this.p.args, d = a.dim, n = this.labels.length;
    let cap = 0, longest = 0;
    for (let i = 0; i < m; i++) {
      const len = 3 * texts[s + i].length;
      cap += len;
      longest = Math.max(longest, len);
    }
    if (ws.bytes.length < cap) ws.bytes = new Uint8Array(Math.max(cap, 2 * ws.bytes.length));
    const toffs = new Uint32Array(m + 1);
    let off = 0;
    for (let i = 0; i < m; i++) {
      toffs[i] = off;
      off += this.enc.encodeInto(texts[s + i], ws.bytes.subarray(off)).written!;
    }
    toffs[m] = off;
    // the GEMM's 4-row tile sums each output over the inputs in order, as its scalar twin does: the batch is padded
    // to whole tiles (zero rows), so that every row gives the bits of today's one-document batch of 4
    const bp = (m + 3) & ~3;
    // every allocation of the pass first, then the views
    const textPtr = ws.buf('text', off + 16), toffPtr = ws.buf('toffs', 4 * (m + 1)), roffPtr = ws.buf('roffs', 4 * (m + 1));
    const hashPtr = ws.buf('hashes', 4 * (Math.ceil((longest + 1) / 2) + 2));
    let rcap = Math.max(256, 2 * off); // grown and run again when a text has more rows (character n-grams)
    let rowPtr = ws.buf('rows', 4 * rcap);
    const hid = ws.buf('hidden', 4 * bp * d), logits = ws.buf('logits', 4 * bp * n), probs = ws.buf('probs', 4 * bp * n);
    this.linear.reserve(bp, d);
    this.act.reserve(bp, n);
    let h = heap(rt);
    h.u8.set(ws.bytes.subarray(0, off), textPtr);
    h.u8.set(new Uint8Array(toffs.buffer), toffPtr);
    const kern = bagKernels(rt);
    const rowsOf = () => kern.bag_text_rows(textPtr, toffPtr, m, ws.tab, ws.mask, this.p.hashes.length, ws.buckets, ws.nb, a.bucket, a.minn, a.maxn, a.wordNgrams, hashPtr, rowPtr, rcap, roffPtr);
    let nr = rowsOf();
    if (nr > rcap) {
      rcap = nr;
      rowPtr = ws.buf('rows', 4 * rcap); // text and offsets stay where they are (other buffers)
      nr = rowsOf();
    }
    this.bag.forwardPtr(rowPtr, nr, roffPtr, m, hid);
    h = heap(rt);
    h.f32.fill(0, (hid >> 2) + m * d, (hid >> 2) + bp * d);
    this.linear.run(hid, logits, bp, d);
    this.act.run(logits, probs, m, n);
    h = heap(rt);
    const roffs = h.i32.subarray(roffPtr >> 2, (roffPtr >> 2) + m + 1);
    const pv = h.f32.subarray(probs >> 2, (probs >> 2) + m * n);
    for (let i = 0; i < m; i++) out.push(roffs[i + 1] > roffs[i] ? this.top(pv.subarray(i * n, (i + 1) * n), k, threshold) : []);
  }

  /** fastText's `test`: precision and recall at k over the labelled lines of `data` (as TextClassifier.test). */
  async test(data: ClassifierData, k = 1, threshold = 0): Promise<TestResult> {
    this.alive();
    this.checkK(k, threshold);
    const meter = new Meter(this.labels);
    const li = new Map(this.labels.map((l, i) => [l, i]));
    const gold: number[] = [];
    for await (const l of dataLines(data, '__label__', 'test')) {
      gold.length = 0;
      for (const t of l.tokens) {
        const g = li.get(t);
        if (g !== undefined) gold.push(g);
      }
      if (gold.length === 0) continue;
      const rows = this.lineRows(l.tokens, l.eos);
      if (rows.length === 0) continue;
      const preds = this.top(this.scores(rows), k, threshold);
      meter.log(gold, preds.map(([lab]) => li.get(lab)!));
    }
    return meter.result();
  }

  /** What compression cost: per tensor SQNR, saturation, per-row cosine vs the float rows; bytes. Only on a model made by compressClassifier in this process (a loaded file has no float model to compare with). */
  report(): CompressionReport {
    this.alive();
    if (!this.reportData) throw new QuantextError('E_UNSUPPORTED', 'report(): a loaded compressed classifier has no float model to compare with; call report() on the result of compressClassifier');
    return { ...this.reportData, bytes: this.sizes };
  }

  /** The file's bytes (made when the model was compressed or loaded). */
  toBytes(): Uint8Array {
    this.alive();
    return this.file.slice();
  }

  /** Writes the file atomically. */
  async save(path: string | URL): Promise<void> {
    this.alive();
    await writeFileViaHost(path, this.file);
  }

  /**
   * A `.ftz` that fastText 0.9.2 loads (input 'pq' with 256 centroids per sub-quantizer, output 'f32' or 'pq'
   * with 256 centroids). Needs the word strings (see `keepWords`).
   */
  toFtz(): Uint8Array {
    this.alive();
    const p = this.p;
    if (p.inScheme !== 'pq' || (p.outScheme !== 'f32' && p.outScheme !== 'pq')) throw new QuantextError('E_UNSUPPORTED', `toFtz(): a .ftz holds a product-quantized input and a float or product-quantized output; this model has ${p.inScheme} / ${p.outScheme}`);
    if (!p.words || !p.ftArgs) throw new QuantextError('E_UNSUPPORTED', 'toFtz(): the word strings are not known (compress with keepWords: true to save them in the file)');
    const nw = p.words.length;
    const counts = p.counts ?? new Float64Array(nw + p.labels.length).fill(1);
    let pp: Int32Array | null = null;
    if (p.buckets) {
      pp = new Int32Array(p.buckets.length * 2);
      p.buckets.forEach((b, j) => {
        pp![2 * j] = b;
        pp![2 * j + 1] = j;
      });
    }
    const dict = new FastTextDictionary(p.ftArgs, { entries: [...p.words, ...p.labels], counts, nwords: nw, ntokens: this.p.ntokens ?? 0, prunePairs: pp });
    const parts = serializeModel({ version: 12, args: p.ftArgs, dict, input: p.input, output: p.output, quantInput: true, qout: p.outScheme === 'pq' });
    const out = new Uint8Array(parts.reduce((n, q) => n + q.length, 0));
    let o = 0;
    for (const q of parts) {
      out.set(q, o);
      o += q.length;
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.linear?.dispose();
    this.act?.dispose();
    this.ws?.dispose();
    this.bag?.dispose();
    this.p.input.dispose();
    this.p.output.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export { rowNorms, selectEmbeddings, pruneSelection } from './cselect.js';
