/**
 * FastTextKeyedVectors: word vectors with fastText's character n-gram table (gensim's `FastTextKeyedVectors`).
 *
 * It is a {@link KeyedVectors} over the vocabulary — its `matrix` holds each word's fastText vector (the mean of the
 * word's own input row and its n-gram rows, fastText's `getWordVector`), so search, evaluation and quantization
 * work as for any KeyedVectors — plus fastText's input matrix (`input`: the nwords word rows, then the bucket
 * n-gram rows), from which it answers words it has never seen: `get('unseenword')` is the mean of that word's
 * n-gram rows (a zero vector when it has none), exactly as `fasttext print-word-vectors` prints it.
 *
 * ```ts
 * const wv = new FastTextKeyedVectors(words, input, { minn: 3, maxn: 6, bucket: 2_000_000 });
 * wv.get('unseen'); // mean of its n-gram rows
 * wv.mostSimilar({ positive: 'unseen' }); // OOV words work in every query, as in gensim
 * ```
 *
 * Memory: the input matrix (owned unless `ownsInput: false`) plus the words' vectors (nwords × dim floats) plus the
 * subword lists (about 4·(1 + n-grams per word) bytes a word, on the JS heap).
 *
 * After changing `input` in place (training), call `refresh()` to recompute the words' vectors.
 */
import { QuantextError } from '../errors.js';
import { KeyedVectors, asOptions, type CosmulOptions, type Key, type MeanOptions, type MostSimilarOptions, type RowKey, type Similar, type WeightedKey } from '../vectors/keyed.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { Vocab } from '../vectors/vocab.js';
import { saveFormatFor, type SaveFormat, type SaveVectorsOptions } from '../vectors/load.js';
import type { FastTextArgs } from './args.js';
import { saveFastTextModel } from './vectors.js';
import { buildSubwordTable, computeSubwords, type PruneIndex, type SubwordTable } from './subwords.js';

export interface FastTextKeyedVectorsOptions {
  /** Shortest character n-gram (fastText -minn). */
  minn: number;
  /** Longest character n-gram (fastText -maxn); 0 = no n-grams. */
  maxn: number;
  /** Number of hash buckets (fastText -bucket). The input matrix has nwords + bucket rows unless pruned. */
  bucket: number;
  /** Corpus count per word. */
  counts?: ArrayLike<number>;
  /** A pruned model's bucket → row map (fastText's pruneidx, from `fasttext quantize -cutoff`); null = none. */
  pruneIdx?: PruneIndex;
  /**
   * The words' raw bytes when they are not valid UTF-8 (a model file's words): their n-grams are hashed from these
   * bytes, as fastText does, instead of from the UTF-8 encoding of the (decoded) strings.
   */
  wordBytes?: readonly Uint8Array[];
  /** Whether this object owns (and disposes) `input` (default true). */
  ownsInput?: boolean;
}

export interface FastTextSaveOptions extends Omit<SaveVectorsOptions, 'format'> {
  /**
   * 'fasttext': a fastText model file that fastText 0.9.2 loads (`print-word-vectors`, `nn`, …), with the n-gram
   * table, so unseen words keep their vectors — the default for `.bin` and `.ftz` paths (a `.ftz` needs a
   * product-quantized n-gram table, as a fastText `.ftz` has). 'bin': word2vec binary (the words' vectors only, as
   * KeyedVectors writes it); 'txt', 'glove', 'safetensors' as for KeyedVectors (other extensions choose these).
   */
  format?: SaveFormat | 'fasttext';
  /** With 'fasttext': the arguments stored in the file (fastText's skip-gram defaults otherwise; dim, minn, maxn and bucket come from these vectors). */
  args?: Partial<FastTextArgs>;
}

export class FastTextKeyedVectors extends KeyedVectors {
  readonly minn: number;
  readonly maxn: number;
  readonly bucket: number;
  /** fastText's input matrix: nwords word rows, then the n-gram rows. */
  readonly input: Matrix;
  readonly pruneIdx: PruneIndex;
  /** fastText's `words_[i].subwords`: word i's own row, then its n-gram rows. */
  readonly subwords: SubwordTable;
  private readonly ownsInput: boolean;
  private readonly tmp: Float32Array;

  /**
   * @param words the vocabulary (rows 0 … nwords−1 of `input`).
   * @param input fastText's input matrix (nwords + n-gram rows) × dim, dense or quantized.
   * @throws E_OPTION for bad minn/maxn/bucket, E_SHAPE when `input` has fewer than nwords (+ bucket when not
   *   pruned) rows.
   */
  constructor(words: readonly string[] | Vocab, input: Matrix, opts: FastTextKeyedVectorsOptions) {
    const vocab = words instanceof Vocab ? words : new Vocab(words);
    checkNgramOptions(opts, vocab.size, input.rows);
    const prune = opts.pruneIdx ?? null;
    const table = buildSubwordTable(opts.wordBytes ?? vocab.words, opts.minn, opts.maxn, opts.bucket, prune, vocab.size);
    const m = new DenseMatrix(vocab.size, input.cols, { rt: input.rt, zero: false });
    try {
      fillWordVectors(input, table, m);
      super(vocab, m, { counts: opts.counts });
    } catch (e) {
      m.dispose();
      throw e;
    }
    this.minn = opts.minn;
    this.maxn = opts.maxn;
    this.bucket = opts.bucket;
    this.input = input;
    this.pruneIdx = prune;
    this.subwords = table;
    this.ownsInput = opts.ownsInput ?? true;
    this.tmp = new Float32Array(input.cols);
  }

  /** Recomputes every word's vector from `input` (after `input` was changed in place, e.g. by training). */
  refresh(): void {
    this.alive();
    fillWordVectors(this.input, this.subwords, this.matrix as DenseMatrix);
    this.invalidateNorms();
  }

  /** The input rows fastText averages for `word`: [its row, n-gram rows] when known, else its n-gram rows. */
  subwordRows(word: string): Int32Array {
    const i = this.indexOf(word);
    if (i >= 0) return this.subwords.rows.slice(this.subwords.offsets[i], this.subwords.offsets[i + 1]);
    return computeSubwords(word, this.minn, this.maxn, this.bucket, this.size, this.pruneIdx);
  }

  /**
   * fastText's `getWordVector`: the mean of the word's rows (its own and its n-grams' when known, only its n-grams'
   * when not); a zero vector for an unknown word without n-grams.
   */
  wordVector(word: string, out = new Float32Array(this.dim)): Float32Array {
    this.alive();
    const i = this.indexOf(word);
    if (i >= 0) return this.vectorAt(i, out);
    return meanOfRows(this.input, this.subwordRows(word), out);
  }

  /** Whether `word` has a vector: a known word, or one with at least one n-gram row. */
  hasVector(word: string): boolean {
    return this.has(word) || this.subwordRows(word).length > 0;
  }

  /**
   * A copy of a word's vector (unseen words included: the mean of their n-gram rows, zeros when they have none) or
   * of row `index`; with `norm: true`, scaled to unit length.
   */
  override get(word: RowKey, opts: { norm?: boolean } = {}): Float32Array {
    if (typeof word !== 'string' || this.has(word)) return super.get(word, opts);
    const v = this.wordVector(word);
    if (opts.norm) unit(v);
    return v;
  }

  override mostSimilar(positive: WeightedKey | readonly WeightedKey[], topn?: number): Similar[];
  override mostSimilar(opts: MostSimilarOptions): Similar[];
  override mostSimilar(arg: MostSimilarOptions | WeightedKey | readonly WeightedKey[], n?: number): Similar[] {
    const opts = asOptions<MostSimilarOptions>('mostSimilar', arg, n);
    return super.mostSimilar({ ...opts, positive: this.mapKeys(opts.positive), negative: this.mapKeys(opts.negative) });
  }

  override mostSimilarCosmul(positive: WeightedKey | readonly WeightedKey[], topn?: number): Similar[];
  override mostSimilarCosmul(opts: CosmulOptions): Similar[];
  override mostSimilarCosmul(arg: CosmulOptions | WeightedKey | readonly WeightedKey[], n?: number): Similar[] {
    const opts = asOptions<CosmulOptions>('mostSimilarCosmul', arg, n);
    return super.mostSimilarCosmul({
      ...opts,
      positive: this.mapKeys(opts.positive) as Key | Key[] | undefined,
      negative: this.mapKeys(opts.negative) as Key | Key[] | undefined,
    });
  }

  override similarity(w1: RowKey, w2: RowKey): number {
    if ((typeof w1 !== 'string' || this.has(w1)) && (typeof w2 !== 'string' || this.has(w2))) return super.similarity(w1, w2);
    return cos(this.get(w1), this.get(w2));
  }

  override distance(w1: RowKey, w2: RowKey): number {
    return 1 - this.similarity(w1, w2);
  }

  override getMean(keys: readonly Key[], opts: MeanOptions = {}): Float32Array {
    const pre = opts.preNormalize ?? true;
    return super.getMean(keys.map((k) => (typeof k === 'string' && !this.has(k) && this.hasVector(k) ? this.get(k, { norm: pre }) : k)), opts);
  }

  /**
   * Writes these vectors. A `.bin` (or `.ftz`) path gets a fastText model file, n-gram table included, which
   * fastText 0.9.2 and {@link FastTextModel.load} read; `format: 'bin'` writes word2vec binary instead (the words'
   * vectors only). Other extensions choose as for KeyedVectors (`.txt` / `.vec` text, `.safetensors`).
   * @throws E_OPTION for a `.ftz` of a dense n-gram table (fastText's .ftz is product-quantized: save a `.bin`), or
   *   E_UNSUPPORTED for an n-gram table a fastText file cannot hold (neither dense nor product-quantized), naming
   *   the formats that can.
   */
  override async save(path: string | URL, opts: FastTextSaveOptions = {}): Promise<void> {
    this.alive();
    const p = (typeof path === 'string' ? path : path.pathname).toLowerCase();
    const ext = p.lastIndexOf('.') > Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) ? p.slice(p.lastIndexOf('.') + 1) : '';
    const format = opts.format ?? (ext === 'bin' || ext === 'ftz' ? 'fasttext' : saveFormatFor(path));
    if (format === 'fasttext') {
      if (ext === 'ftz' && this.input.dtype !== 'pq') {
        throw new QuantextError('E_OPTION', `${String(path)}: a .ftz is a product-quantized fastText model and this n-gram table is ${this.input.dtype}: save it as .bin (a fastText model), or pass format 'bin' for word2vec binary`, { option: 'format' });
      }
      return saveFastTextModel(this, path, { args: opts.args });
    }
    const { args: _args, ...rest } = opts;
    return super.save(path, { ...rest, format });
  }

  /** Frees the word vectors, the scratch, and `input` when owned. */
  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    if (this.ownsInput) this.input.dispose();
  }

  override estimateMemory() {
    const m = super.estimateMemory();
    const extra = (this.ownsInput ? this.input.bytes : 0) + this.subwords.rows.byteLength + this.subwords.offsets.byteLength;
    return { ...m, vectors: m.vectors + extra, total: m.total + extra };
  }

  /** Unseen words (with n-grams) → their unit vectors, as gensim's FastTextKeyedVectors does in its queries. */
  private mapKeys(arg: WeightedKey | readonly WeightedKey[] | undefined): WeightedKey | WeightedKey[] | undefined {
    if (arg === undefined || arg === null) return arg;
    const one = (k: WeightedKey): WeightedKey => {
      if (typeof k === 'string') return this.has(k) ? k : this.oovKey(k);
      if (Array.isArray(k) && k.length === 2 && typeof k[0] === 'string' && typeof k[1] === 'number' && !this.has(k[0])) {
        return [this.oovKey(k[0]), k[1]];
      }
      return k;
    };
    if (typeof arg === 'string' || typeof arg === 'number' || !Array.isArray(arg)) return one(arg as WeightedKey);
    return (arg as WeightedKey[]).map(one);
  }

  private oovKey(word: string): Float32Array {
    const rows = this.subwordRows(word);
    if (rows.length === 0) throw new QuantextError('E_OOV', `word '${word}' is not in the vocabulary and has no character n-grams`, { word });
    return this.get(word, { norm: true });
  }
}

function checkNgramOptions(o: FastTextKeyedVectorsOptions, nwords: number, rows: number): void {
  const int = (name: string, v: unknown, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 0x7fffffff) {
      throw new QuantextError('E_OPTION', `FastTextKeyedVectors: ${name} must be an integer ≥ ${min}; got ${String(v)}`, { option: name });
    }
  };
  int('minn', o.minn, 0);
  int('maxn', o.maxn, 0);
  int('bucket', o.bucket, 0);
  if (o.maxn > 0 && o.bucket === 0) throw new QuantextError('E_OPTION', 'FastTextKeyedVectors: maxn > 0 needs bucket > 0', { option: 'bucket' });
  const need = nwords + (o.pruneIdx ? o.pruneIdx.size : o.maxn > 0 ? o.bucket : 0);
  if (rows < need) {
    throw new QuantextError('E_SHAPE', `FastTextKeyedVectors: the input matrix has ${rows} rows; ${nwords} words and their n-grams need ${need}`, { rows, need });
  }
  if (o.wordBytes && o.wordBytes.length !== nwords) throw new QuantextError('E_SHAPE', `FastTextKeyedVectors: ${o.wordBytes.length} wordBytes for ${nwords} words`);
}

/** out = mean of input's rows (fastText's float arithmetic: float sums in order, then × float(1/n)); zeros for none. */
export function meanOfRows(input: Matrix, rows: ArrayLike<number>, out: Float32Array): Float32Array {
  out.fill(0);
  if (rows.length === 0) return out;
  for (let k = 0; k < rows.length; k++) input.addRowTo(rows[k], out);
  const inv = Math.fround(1 / rows.length);
  let finite = true;
  for (let c = 0; c < out.length; c++) finite = Number.isFinite((out[c] *= inv)) && finite;
  if (!finite) meanInF64(input, rows, out);
  return out;
}

/**
 * The mean again in float64 when the float32 sum overflowed (rows near ±3.4e38: fastText's own sum gives ±inf
 * there). The mean of finite float32 values is finite, so vectors stay finite over the whole float32 range; values
 * whose float32 sum does not overflow are untouched (and equal fastText's).
 */
function meanInF64(input: Matrix, rows: ArrayLike<number>, out: Float32Array): void {
  const acc = new Float64Array(out.length);
  for (let k = 0; k < rows.length; k++) {
    const r = input.decodeRow(rows[k]);
    for (let c = 0; c < out.length; c++) acc[c] += r[c] / rows.length;
  }
  for (let c = 0; c < out.length; c++) if (!Number.isFinite(out[c])) out[c] = acc[c];
}

/** Rows of `out` whose float32 sums overflowed (see meanInF64), found by a wasm scan and recomputed in float64. */
function fixOverflowedRows(input: DenseMatrix, t: SubwordTable, out: DenseMatrix, n: number): void {
  const d = input.cols, rt = out.rt, k = rt.kernels, os = out.stride;
  const fix = (i: number): void => {
    const row = rt.arena.f32(out.ptr + i * os * 4, d).slice();
    meanInF64(input, t.rows.subarray(t.offsets[i], t.offsets[i + 1]), row); // a dense decodeRow allocates no wasm memory
    rt.arena.f32(out.ptr + i * os * 4, d).set(row);
  };
  if (os === d) {
    for (let base = 0; base < n * d; ) {
      const j = k.find_nonfinite_f32(out.ptr + base * 4, n * d - base);
      if (j < 0) break;
      const i = Math.floor((base + j) / d);
      fix(i);
      base = (i + 1) * d;
    }
  } else {
    for (let i = 0; i < n; i++) if (k.find_nonfinite_f32(out.ptr + i * os * 4, d) >= 0) fix(i);
  }
}

/** Every word's fastText vector into `out` (nwords × dim). */
function fillWordVectors(input: Matrix, t: SubwordTable, out: DenseMatrix): void {
  const d = input.cols, n = t.offsets.length - 1;
  if (input instanceof DenseMatrix) {
    // one wasm call (ft_mean_rows_gather: float sums in list order, × float(1/n)), no JS per element
    const rt = input.rt, ar = rt.arena;
    const [rowsPtr, offPtr] = ar.allocAll([Math.max(16, t.rows.length * 4), (n + 1) * 4]);
    try {
      ar.i32(rowsPtr, t.rows.length).set(t.rows);
      ar.i32(offPtr, n + 1).set(t.offsets.subarray(0, n + 1));
      rt.kernels.ft_mean_rows_gather(input.ptr, input.stride, rowsPtr, offPtr, n, d, out.ptr, out.stride);
      fixOverflowedRows(input, t, out, n);
    } finally {
      ar.free(rowsPtr);
      ar.free(offPtr);
    }
    return;
  }
  const rowsOut = new Float32Array(n * d);
  for (let i = 0; i < n; i++) meanOfRows(input, t.rows.subarray(t.offsets[i], t.offsets[i + 1]), rowsOut.subarray(i * d, (i + 1) * d));
  const dst = out.data();
  for (let i = 0; i < n; i++) dst.set(rowsOut.subarray(i * d, (i + 1) * d), i * out.stride);
}

function unit(v: Float32Array): void {
  let s = 0;
  for (let c = 0; c < v.length; c++) s += v[c] * v[c];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < v.length; c++) v[c] *= inv;
  }
}

function cos(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let c = 0; c < a.length; c++) {
    ab += a[c] * b[c];
    aa += a[c] * a[c];
    bb += b[c] * b[c];
  }
  return aa > 0 && bb > 0 ? Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb))) : 0;
}
