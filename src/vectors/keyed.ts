/**
 * Word vectors and similarity queries, independent of how the vectors were trained (gensim's `KeyedVectors`).
 *
 * A KeyedVectors is a {@link Vocab} (word ↔ row index) plus a {@link Matrix} (the rows). Every computation goes
 * through the Matrix interface, so a quantized table (f16, int8, int4, binary, PQ) answers the same queries as the
 * float32 one: `kv.withMatrix(quantizedTable)` is how a quantized copy is made.
 *
 * Memory (see `estimateMemory()`):
 * - the table itself (`matrix.bytes`);
 * - cosine norms: ONE float32 per row (1/‖row‖), computed lazily on the first query by `matrix.rowNorms`.
 *   gensim 3's `init_sims` kept a second, normalised copy of the whole matrix (doubling memory); we never do:
 *   a search computes ⟨row, q⟩ with the table as stored and multiplies by the inverse norms;
 * - scratch, allocated once and reused by every query: the query (dim floats), the scores (rows floats), the
 *   top-k buffers, and for `mostSimilarCosmul` one rows-long buffer per query key plus one;
 * - the vocabulary on the JS heap.
 *
 * A search is one `matrix.scoreRows` kernel call (⟨row, q⟩ for every row), one `mul_f32` (× 1/‖row‖) and one
 * `topk_f32` (partial selection): no per-row JavaScript.
 *
 * Zero rows have cosine 0 with everything (gensim divides by a zero norm and gets NaN).
 */
import { quantizeMatrix, type QuantizeMatrixOptions } from './tables/factory.js';
import { QuantextError, checkFinite } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import { evaluateWordAnalogies, evaluateWordPairs, type AnalogyOptions, type AnalogyResult, type TextSource, type WordPairsOptions, type WordPairsResult } from './evaluate.js';
import { DenseMatrix, type Matrix } from './matrix.js';
import { Vocab } from './vocab.js';
import { loadVectors, saveVectors, type LoadVectorsOptions, type SaveVectorsOptions } from './load.js';
import type { ByteSource } from '../io/lines.js';

/** A vector given directly instead of a word. */
export type VectorLike = Float32Array | Float64Array | readonly number[];
/**
 * A word, a row index (an integer, as gensim's integer keys: row `i` whatever its word) or a vector. An array of
 * numbers is always a vector.
 */
export type Key = string | number | VectorLike;
/** A key naming a row: a word or a row index. */
export type RowKey = string | number;
/** A key with an explicit weight (gensim's `(key, weight)` tuples), replacing the default +1 / −1. */
export type WeightedKey = Key | readonly [Key, number];
/** One result of a similarity search: the word and its score. */
export type Similar = [word: string, score: number];

/** An approximate-nearest-neighbour index that can stand in for the exact search (gensim's `indexer`). */
export interface SimilarityIndexer {
  /** The `topn` nearest words to the unit-length `query`. Query words are NOT removed (as in gensim). */
  mostSimilar(query: Float32Array, topn: number): Similar[];
}

export interface MostSimilarOptions {
  /** Words or vectors that pull toward the result: one key, or a list of keys or `[key, weight]` pairs. */
  positive?: WeightedKey | readonly WeightedKey[];
  /** Words or vectors that push away from the result (default weight −1). */
  negative?: WeightedKey | readonly WeightedKey[];
  /** How many results (default 10). 0 gives []. */
  topn?: number;
  /** Search only the first `restrictVocab` rows (the most frequent words when the vocabulary is sorted). */
  restrictVocab?: number;
  /** Answer with this index instead of the exact search. */
  indexer?: SimilarityIndexer;
}

export interface CosmulOptions {
  positive?: Key | readonly Key[];
  negative?: Key | readonly Key[];
  topn?: number;
  /** Search only the first `restrictVocab` rows (gensim 4.2 accepts this option but ignores it; we apply it). */
  restrictVocab?: number;
}

export interface MeanOptions {
  /** One weight per key (default all 1). */
  weights?: ArrayLike<number>;
  /** Unit-normalise each word's vector before averaging (default true). Vectors given directly are used as is. */
  preNormalize?: boolean;
  /** Unit-normalise the mean (default false). */
  postNormalize?: boolean;
  /** Skip unknown words (default true); when false they throw E_OOV. */
  ignoreMissing?: boolean;
}

export interface KeyedVectorsOptions {
  /** Corpus frequency of each word, one per row (gensim's `count` vector attribute). */
  counts?: ArrayLike<number>;
  /**
   * Whether this object owns `matrix` and disposes it in `dispose()` (default true). Pass false to borrow a
   * table that lives longer than the KeyedVectors (a trainer's weights, a table shared by several views).
   */
  ownsMatrix?: boolean;
}

/** Bytes held per component (see the class documentation). */
export interface KeyedVectorsMemory {
  /** The table (`matrix.bytes`). */
  vectors: number;
  /** The inverse norms: 4 bytes per row once any similarity query has run. */
  norms: number;
  /** Words, lookup map and counts on the JS heap (an estimate). */
  vocab: number;
  /** Query, scores and top-k buffers in wasm memory, allocated on the first query (cosmul adds 4·(keys + 1) bytes per row). */
  scratch: number;
  total: number;
}

/** Result of {@link KeyedVectors.nearest}: row indices and their cosines, best first. */
export interface Nearest {
  indices: Int32Array;
  scores: Float32Array;
}

const MIN_TOPK = 64;

export class KeyedVectors extends WasmOwned {
  private _matrix: Matrix;
  private _vocab: Vocab;
  private _counts?: Float64Array;
  private _ownsMatrix: boolean;
  /** The decoded copy `vectors` returns, until the table changes. */
  private vectorsCache?: Float32Array;

  // wasm buffers (addresses in this.rt's memory), allocated on first use; 0 = not yet
  private invNormsPtr = 0;
  private normsValid = false;
  /**
   * Rows whose norm is outside [NORM_SAFE_LO, NORM_SAFE_HI] (components below ~1e-28 or above ~1e35): the float32
   * score × inverse norm of the kernels loses accuracy there, so their cosines are recomputed in float64 after each
   * scan. Found by fillNorms; almost always empty.
   */
  private extremeRows: number[] = [];
  private queryPtr = 0;
  private scoresPtr = 0;
  private cosmulPtr = 0; // (keys + 1)·rows floats: each key's cosines, then the 3CosMul scores
  private cosmulBytes = 0;
  private topkIdxPtr = 0;
  private topkValPtr = 0;
  private topkCap = 0;
  // JS scratch of dim entries, reused by every query
  private readonly rowTmp: Float32Array;
  private readonly mean64: Float64Array;

  /**
   * @param words one unique word per row of `matrix`, in row order.
   * @param matrix the vectors; any {@link Matrix} (dense or quantized).
   * @throws E_OPTION for duplicate words, E_SHAPE when `words.length !== matrix.rows` or counts disagree.
   */
  constructor(words: readonly string[] | Vocab, matrix: Matrix, opts: KeyedVectorsOptions = {}) {
    super(matrix.rt);
    const vocab = words instanceof Vocab ? words : new Vocab(words);
    if (vocab.size !== matrix.rows) {
      throw new QuantextError('E_SHAPE', `KeyedVectors: ${vocab.size} words for a matrix of ${matrix.rows} rows`, { words: vocab.size, rows: matrix.rows });
    }
    if (opts.counts !== undefined) {
      if (opts.counts.length !== vocab.size) {
        throw new QuantextError('E_SHAPE', `KeyedVectors: ${opts.counts.length} counts for ${vocab.size} words`, { counts: opts.counts.length });
      }
      checkFinite(opts.counts, 'KeyedVectors counts');
      this._counts = Float64Array.from(opts.counts);
    }
    this._vocab = vocab;
    this._matrix = matrix;
    this._ownsMatrix = opts.ownsMatrix ?? true;
    this.rowTmp = new Float32Array(matrix.cols);
    this.mean64 = new Float64Array(matrix.cols);
  }

  /**
   * Copies row-major `vectors` (words.length × dim floats) into a new dense float32 table.
   * @throws E_SHAPE when the sizes disagree, E_NAN for a non-finite value.
   */
  static fromArrays(words: readonly string[], vectors: ArrayLike<number>, dim: number, opts: { rt?: Runtime; counts?: ArrayLike<number> } = {}): KeyedVectors {
    if (!Number.isInteger(dim) || dim <= 0) throw new QuantextError('E_OPTION', `KeyedVectors.fromArrays: dim must be a positive integer, got ${dim}`);
    if (vectors.length !== words.length * dim) {
      throw new QuantextError('E_SHAPE', `KeyedVectors.fromArrays: ${vectors.length} values for ${words.length} words × ${dim}`);
    }
    checkFinite(vectors, 'KeyedVectors.fromArrays vectors');
    const vocab = new Vocab(words); // validate before allocating
    const m = DenseMatrix.from(vectors, words.length, dim, opts.rt);
    try {
      return new KeyedVectors(vocab, m, { counts: opts.counts });
    } catch (e) {
      m.dispose();
      throw e;
    }
  }

  /**
   * The same vocabulary over another table with the same number of rows (a quantized copy, a reduced
   * dimension…). The new object owns `matrix` unless `ownsMatrix: false`; this object is unchanged.
   */
  withMatrix(matrix: Matrix, opts: { ownsMatrix?: boolean } = {}): KeyedVectors {
    this.alive();
    return new KeyedVectors(this.vocab, matrix, { counts: this.counts, ownsMatrix: opts.ownsMatrix });
  }
  /**
   * A quantized copy: the same vocabulary over a quantized table (fp16, bf16, int8, uint8, int4, binary or PQ; see
   * docs/quantization.md). It answers `get`, `mostSimilar`, `similarity` and the evaluations like this one, from the
   * smaller table; this KeyedVectors is left as it is.
   *
   * ```ts
   * const q = kv.quantize({ scheme: 'int8' }); // per-row scales by default
   * q.matrix.bytes; // ≈ kv.matrix.bytes / 4
   * ```
   */
  quantize(opts: QuantizeMatrixOptions): KeyedVectors {
    this.alive();
    return this.withMatrix(quantizeMatrix(this.matrix, opts), { ownsMatrix: true });
  }


  /** The row table. Owned (disposed with this object) unless constructed with `ownsMatrix: false`. Replaced (not changed) by addVectors. */
  get matrix(): Matrix {
    return this._matrix;
  }

  /** word ↔ index. Immutable and shared with `withMatrix` copies; addVectors gives this object a new one. */
  get vocab(): Vocab {
    return this._vocab;
  }

  /** Corpus frequency per row, when known. */
  get counts(): Float64Array | undefined {
    return this._counts;
  }

  /** Whether `dispose()` disposes the table. */
  get ownsMatrix(): boolean {
    return this._ownsMatrix;
  }

  /**
   * Reads word vectors from a file (gensim's `KeyedVectors.load_word2vec_format` / `load`): the same as
   * {@link loadVectors} — word2vec binary or text, GloVe, or a quantext safetensors table (kept quantized).
   */
  static load(source: ByteSource, opts: LoadVectorsOptions = {}): Promise<KeyedVectors> {
    return loadVectors(source, opts);
  }

  /** Writes these vectors to `path`, the format chosen from its extension unless given (see {@link saveVectors}). */
  save(path: string | URL, opts: SaveVectorsOptions = {}): Promise<void> {
    this.alive();
    return saveVectors(this, path, opts);
  }

  // ---------------------------------------------------------------- lookup

  /** Number of words (rows). */
  get size(): number {
    return this.vocab.size;
  }

  /** Vector dimension. */
  get dim(): number {
    return this.matrix.cols;
  }

  /**
   * word → index (gensim's `key_to_index`): the vocabulary's own map, read-only, no copy. A new map after addVectors.
   */
  get keyToIndex(): ReadonlyMap<string, number> {
    return this.vocab.keyToIndex;
  }

  /** index → word (gensim's `index_to_key`), frozen. */
  get keys(): readonly string[] {
    return this.vocab.words;
  }

  /** Alias of `keys`, gensim's name. */
  get indexToKey(): readonly string[] {
    return this.vocab.words;
  }

  has(word: string): boolean {
    return this.vocab.has(word);
  }

  /** Row of `word`, or −1 when unknown. */
  indexOf(word: string): number {
    return this.vocab.indexOf(word);
  }

  /** Row of `word`; throws E_OOV naming the word when unknown. */
  getIndex(word: string): number {
    return this.vocab.getIndex(word);
  }

  /** Corpus count of `word` (undefined when no counts were given); E_OOV when unknown. */
  getCount(word: RowKey): number | undefined {
    const i = this.rowOf(word);
    return this.counts ? this.counts[i] : undefined;
  }

  /**
   * The row of a key: a word's index, or a row index as given (gensim's `get_index`).
   * @throws E_OOV for an unknown word or a row index out of range, E_OPTION for a number that is not an integer.
   */
  rowOf(key: RowKey): number {
    if (typeof key === 'string') return this.vocab.getIndex(key);
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new QuantextError('E_OPTION', `a key is a word or an integer row index; got ${typeof key === 'number' ? key : typeof key}`);
    }
    if (key < 0 || key >= this.size) throw new QuantextError('E_OOV', `row ${key} is not in the vocabulary (${this.size} rows)`, { row: key });
    return key;
  }

  /** Whether a key names a row: a known word, or an integer row index in range (gensim's `has_index_for`). */
  hasKey(key: RowKey): boolean {
    return typeof key === 'string' ? this.vocab.has(key) : Number.isInteger(key) && key >= 0 && key < this.size;
  }

  /**
   * A copy of a word's (or row index's) vector, decoded to float32; with `norm: true`, scaled to unit length.
   * @throws E_OOV when the key is unknown.
   */
  get(word: RowKey, opts: { norm?: boolean } = {}): Float32Array {
    const i = this.rowOf(word);
    return opts.norm ? this.unitVector(i) : this.vectorAt(i);
  }

  /** A copy of row `index`, decoded to float32. */
  vectorAt(index: number, out?: Float32Array): Float32Array {
    this.alive();
    return this.matrix.decodeRow(index, out ?? new Float32Array(this.dim));
  }

  /** Row `index` divided by its norm (a zero row stays zero), into `out` or a new array. */
  unitVector(index: number, out?: Float32Array): Float32Array {
    this.alive();
    const v = this.matrix.decodeRow(index, out ?? new Float32Array(this.dim));
    const inv = this.rt.arena.f32(this.fillNorms() + index * 4, 1)[0];
    if (this.extremeRows.length && this.extremeRows.includes(index)) {
      // 1/‖row‖ may not be a float32 (or not an accurate one): divide in float64
      const nrm = norm64(v);
      if (nrm > 0) for (let c = 0; c < v.length; c++) v[c] = v[c] / nrm;
      return v;
    }
    for (let c = 0; c < v.length; c++) v[c] *= inv;
    return v;
  }

  /**
   * All rows decoded into one row-major Float32Array (size × dim; row i at `[i·dim, (i+1)·dim)`). Made on the first
   * access and cached: later accesses return the SAME array at no cost (so `kv.vectors` in a loop is cheap), until
   * the table changes — addVectors, or `invalidateNorms()` after an in-place change (training calls it). It is a
   * copy on the JS heap: writing into it does not change the table. It costs `4·size·dim` bytes on top of the table
   * — for a quantized table, more than the table itself; `releaseVectors()` drops it. Prefer `get`, `vectorAt` or the
   * searches when you need a few rows.
   */
  get vectors(): Float32Array {
    this.alive();
    if (this.vectorsCache) return this.vectorsCache;
    const n = this.size, d = this.dim, m = this.matrix;
    const out = new Float32Array(n * d);
    if (m instanceof DenseMatrix && m.stride === d) out.set(m.data());
    else for (let i = 0; i < n; i++) m.decodeRow(i, out.subarray(i * d, (i + 1) * d));
    return (this.vectorsCache = out);
  }

  /** Drops the cached decoded copy that `vectors` keeps (the next access decodes again). */
  releaseVectors(): void {
    this.vectorsCache = undefined;
  }

  /**
   * The weighted mean of words and/or vectors (gensim's `get_mean_vector`): Σ wᵢ·vᵢ / Σ |wᵢ|, with each word's
   * vector unit-normalised first when `preNormalize` (vectors given directly are used as they are).
   * @throws E_EMPTY for no keys, E_SHAPE when weights and keys differ in length, E_OOV for an unknown word
   * with `ignoreMissing: false`, E_NAN for a non-finite vector.
   */
  getMean(keys: readonly Key[], opts: MeanOptions = {}): Float32Array {
    this.alive();
    if (keys.length === 0) throw new QuantextError('E_EMPTY', 'getMean: cannot compute the mean of no keys');
    const w = opts.weights;
    if (w !== undefined && w.length !== keys.length) {
      throw new QuantextError('E_SHAPE', `getMean: ${w.length} weights for ${keys.length} keys`);
    }
    const terms: Term[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if ((typeof k === 'string' || typeof k === 'number') && !this.hasKey(k)) {
        if (opts.ignoreMissing ?? true) continue;
        throw new QuantextError('E_OOV', `getMean: ${typeof k === 'string' ? `word '${k}'` : `row ${k}`} is not in the vocabulary`, { word: String(k) });
      }
      terms.push({ key: this.checkKey(k, 'getMean'), weight: w ? w[i] : 1 });
    }
    const mean = this.weightedMean(terms, opts.preNormalize ?? true, opts.postNormalize ?? false);
    return Float32Array.from(mean);
  }

  // ---------------------------------------------------------------- similarity

  /**
   * The `topn` words most similar to the mean of `positive` minus `negative` (gensim's `most_similar`, 3CosAdd).
   *
   * Each word is unit-normalised; vectors given directly are used as they are (as gensim does); the weighted mean
   * (weights +1 / −1 unless given as `[key, weight]`) is unit-normalised; every row (or the first
   * `restrictVocab`) is ranked by cosine with it; the query words themselves are left out of the results.
   *
   * `mostSimilar('king', 5)` is `mostSimilar({ positive: 'king', topn: 5 })`, as gensim's positional
   * `most_similar('king', topn=5)`.
   *
   * @returns `[word, cosine]` pairs, best first.
   * @throws E_OPTION without any positive or negative key, or for a bad `topn`/`restrictVocab`;
   * E_OOV naming an unknown word; E_SHAPE for a vector of the wrong length; E_NAN for a non-finite vector.
   */
  mostSimilar(positive: WeightedKey | readonly WeightedKey[], topn?: number): Similar[];
  mostSimilar(opts: MostSimilarOptions): Similar[];
  mostSimilar(arg: MostSimilarOptions | WeightedKey | readonly WeightedKey[], n?: number): Similar[] {
    const opts = asOptions<MostSimilarOptions>('mostSimilar', arg, n);
    this.alive();
    const topn = checkTopn(opts.topn);
    const limit = this.limit(opts.restrictVocab);
    const terms = [...this.terms(opts.positive, 1, 'positive'), ...this.terms(opts.negative, -1, 'negative')];
    if (terms.length === 0) throw new QuantextError('E_OPTION', 'mostSimilar: give at least one positive or negative word or vector');
    if (topn === 0) return [];
    const mean = this.weightedMean(terms, true, true);
    checkFinite(mean, 'mostSimilar query');
    if (opts.indexer) return opts.indexer.mostSimilar(Float32Array.from(mean), topn);
    const exclude = new Set<number>();
    for (const t of terms) if (isRowKey(t.key)) exclude.add(this.rowOf(t.key));
    return this.toSimilar(this.nearest(mean, topn, { restrictVocab: limit, exclude }));
  }

  /** The `topn` words nearest to `word` (gensim's `similar_by_word` / `similar_by_key`). */
  similarByWord(word: RowKey, topn = 10, restrictVocab?: number): Similar[] {
    return this.mostSimilar({ positive: word, topn, restrictVocab });
  }

  /** The `topn` words nearest to `vector` by cosine (gensim's `similar_by_vector`). No word is excluded. */
  similarByVector(vector: VectorLike, topn = 10, restrictVocab?: number): Similar[] {
    return this.mostSimilar({ positive: [vector], topn, restrictVocab });
  }

  /**
   * 3CosMul (Levy & Goldberg 2014, eq. 4), gensim's `most_similar_cosmul`: with cosines shifted to [0, 1] as
   * c' = (1 + cos)/2, the score of a row is Π c'(row, p) / (Π c'(row, n) + 1e-6). Words are unit-normalised,
   * vectors used as given; the query words are left out of the results.
   *
   * One `scoreRows` + `mul_f32` per query key, one `cosmul_f32` kernel pass over all rows and one `topk_f32`. Uses
   * a scratch of (keys + 1)·rows floats, allocated on the first call and grown for more keys.
   * `mostSimilarCosmul(['woman', 'king'], 5)` is `mostSimilarCosmul({ positive: ['woman', 'king'], topn: 5 })`.
   * @throws E_OPTION without a positive key; E_OOV, E_SHAPE, E_NAN as `mostSimilar`.
   */
  mostSimilarCosmul(positive: WeightedKey | readonly WeightedKey[], topn?: number): Similar[];
  mostSimilarCosmul(opts: CosmulOptions): Similar[];
  mostSimilarCosmul(arg: CosmulOptions | WeightedKey | readonly WeightedKey[], n?: number): Similar[] {
    const opts = asOptions<CosmulOptions>('mostSimilarCosmul', arg, n);
    this.alive();
    const topn = checkTopn(opts.topn);
    const limit = this.limit(opts.restrictVocab);
    const pos = this.terms(opts.positive, 1, 'positive');
    const neg = this.terms(opts.negative, -1, 'negative');
    for (const t of [...pos, ...neg]) {
      if (t.weight !== 1 && t.weight !== -1) throw new QuantextError('E_OPTION', 'mostSimilarCosmul: [key, weight] pairs are not supported');
    }
    if (pos.length === 0) throw new QuantextError('E_OPTION', 'mostSimilarCosmul: give at least one positive word or vector');
    if (topn === 0) return [];
    const exclude = new Set<number>();
    for (const t of [...pos, ...neg]) if (isRowKey(t.key)) exclude.add(this.rowOf(t.key));

    // one cosine array per key (n = limit floats apart, positive keys first) and the result: then one cosmul_f32 pass
    const nk = pos.length + neg.length;
    this.ensureScratch(Math.min(topn, limit) + exclude.size);
    const need = (nk + 1) * limit * 4;
    if (need > this.cosmulBytes) {
      // forgotten before the new allocation: after an E_OOM no freed buffer is used again
      if (this.cosmulPtr) this.release(this.cosmulPtr);
      this.cosmulPtr = this.cosmulBytes = 0;
      this.cosmulPtr = this.own(need);
      this.cosmulBytes = need;
    }
    [...pos, ...neg].forEach((t, j) => {
      this.termVector(t.key, this.mean64, true);
      this.scoreQuery(this.mean64, limit, this.cosmulPtr + j * limit * 4);
    });
    const outPtr = this.cosmulPtr + nk * limit * 4;
    // with no negative key the denominator is 1 (gensim: the product over an empty list is 1.0) + 1e-6
    this.rt.kernels.cosmul_f32(this.cosmulPtr, limit, pos.length, neg.length, outPtr);
    return this.toSimilar(this.selectTop(outPtr, limit, Math.min(topn, limit), exclude));
  }

  /** Cosine similarity of two words or rows (0 when either vector is zero), in [−1, 1]. @throws E_OOV. */
  similarity(w1: RowKey, w2: RowKey): number {
    this.alive();
    const a = this.vectorAt(this.rowOf(w1));
    const b = this.vectorAt(this.rowOf(w2), this.rowTmp);
    return cosine(a, b);
  }

  /**
   * Cosine similarity of the means of two lists of keys (gensim's `n_similarity`): each mean is taken over the
   * vectors as stored (not unit-normalised first; unknown words skipped), then both are unit-normalised.
   * @throws E_EMPTY when a list is empty (gensim: ZeroDivisionError), E_OOV/E_SHAPE/E_NAN as getMean.
   */
  nSimilarity(ws1: readonly Key[], ws2: readonly Key[]): number {
    this.alive();
    if (ws1.length === 0 || ws2.length === 0) throw new QuantextError('E_EMPTY', 'nSimilarity: at least one of the lists is empty');
    const a = this.getMean(ws1, { preNormalize: false });
    const b = this.getMean(ws2, { preNormalize: false });
    return cosine(a, b);
  }

  /**
   * The keys closer to `key1` than `key2` is (gensim's `closer_than`): every word whose cosine distance to key1 is
   * strictly smaller than key2's, in row order, key1 itself left out.
   * @throws E_OOV for an unknown key.
   */
  closerThan(key1: RowKey, key2: RowKey): string[] {
    this.alive();
    const i1 = this.rowOf(key1), i2 = this.rowOf(key2);
    const d = this.distances(i1);
    const out: string[] = [];
    for (let i = 0; i < d.length; i++) if (d[i] < d[i2] && i !== i1) out.push(this.vocab.words[i]);
    return out;
  }

  /** Alias of {@link closerThan} (gensim's deprecated `words_closer_than`). */
  wordsCloserThan(word1: RowKey, word2: RowKey): string[] {
    return this.closerThan(word1, word2);
  }

  /** The rank of key2 among the neighbours of key1: 1 + the number of keys closer (gensim's `rank`). @throws E_OOV. */
  rank(key1: RowKey, key2: RowKey): number {
    return this.closerThan(key1, key2).length + 1;
  }

  /**
   * The key of `keys` most similar to `key` (gensim's `most_similar_to_given`; the first one on ties).
   * @throws E_EMPTY for an empty list, E_OOV for an unknown key.
   */
  mostSimilarToGiven<K extends RowKey>(key: RowKey, keys: readonly K[]): K {
    this.alive();
    if (keys.length === 0) throw new QuantextError('E_EMPTY', 'mostSimilarToGiven: the list of keys is empty');
    let best = 0, bestSim = -Infinity;
    for (let i = 0; i < keys.length; i++) {
      const s = this.similarity(key, keys[i]);
      if (s > bestSim) {
        best = i;
        bestSim = s;
      }
    }
    return keys[best];
  }

  /**
   * Appends keys and their vectors (gensim's `add_vectors`): words not yet present get new rows at the end (count 0
   * when counts are kept); words already present keep their vector unless `replace: true`. The table is replaced by
   * a new dense f32 one holding all rows (owned by this object; the old one is disposed if it was owned); norms,
   * `vectors` and scratch are recomputed on next use. `withMatrix` copies made earlier keep the old rows.
   * @param vectors keys.length × dim values, row-major (or one array per key).
   * @throws E_SHAPE for a wrong number of values, E_NAN for a non-finite one, E_OPTION for a duplicate new word or a
   *   row-index key, E_UNSUPPORTED for a quantized table (add to the f32 vectors, then quantize).
   */
  addVectors(keys: readonly string[], vectors: ArrayLike<number> | readonly ArrayLike<number>[], opts: { replace?: boolean } = {}): void {
    this.alive();
    const d = this.dim;
    const flat = new Float32Array(keys.length * d);
    if (vectors.length === keys.length && keys.length > 0 && typeof (vectors as ArrayLike<unknown>)[0] === 'object') {
      (vectors as readonly ArrayLike<number>[]).forEach((v, i) => {
        if (v.length !== d) throw new QuantextError('E_SHAPE', `addVectors: vector ${i} has ${v.length} values, expected ${d}`);
        flat.set(v, i * d);
      });
    } else {
      if (vectors.length !== keys.length * d) throw new QuantextError('E_SHAPE', `addVectors: ${vectors.length} values for ${keys.length} keys × ${d}`);
      flat.set(vectors as ArrayLike<number>);
    }
    checkFinite(flat, 'addVectors vectors');
    const m = this.matrix;
    if (!(m instanceof DenseMatrix)) {
      throw new QuantextError('E_UNSUPPORTED', `addVectors: the table is ${m.dtype}; add vectors to the f32 vectors, then quantize`);
    }
    const fresh: number[] = [], replaced: number[] = [];
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (typeof k !== 'string') throw new QuantextError('E_OPTION', `addVectors: key ${i} is a ${typeof k}; new keys are words`);
      if (this.vocab.has(k)) replaced.push(i);
      else {
        if (seen.has(k)) throw new QuantextError('E_OPTION', `addVectors: word '${k}' is listed twice`, { word: k });
        seen.add(k);
        fresh.push(i);
      }
    });
    const rows = this.size, total = rows + fresh.length;
    if (fresh.length > 0) {
      const words = [...this.vocab.words, ...fresh.map((i) => keys[i])];
      const vocab = new Vocab(words);
      const next = new DenseMatrix(total, d, { rt: this.rt, zero: false });
      // views derived after the allocation
      const dst = next.data();
      for (let r = 0; r < rows; r++) dst.set(m.row(r), r * d);
      fresh.forEach((i, j) => dst.set(flat.subarray(i * d, (i + 1) * d), (rows + j) * d));
      if (this._ownsMatrix) m.dispose();
      this._matrix = next;
      this._ownsMatrix = true;
      this._vocab = vocab;
      if (this._counts) {
        const c = new Float64Array(total);
        c.set(this._counts);
        this._counts = c;
      }
      // buffers sized by the row count
      for (const p of [this.invNormsPtr, this.scoresPtr, this.cosmulPtr]) if (p) this.release(p);
      this.invNormsPtr = this.scoresPtr = this.cosmulPtr = this.cosmulBytes = 0;
    }
    if (opts.replace) {
      const dm = this.matrix as DenseMatrix;
      for (const i of replaced) dm.row(this.vocab.getIndex(keys[i])).set(flat.subarray(i * d, (i + 1) * d));
    }
    this.invalidateNorms();
  }

  /** 1 − cosine similarity. @throws E_OOV. */
  distance(w1: RowKey, w2: RowKey): number {
    return 1 - this.similarity(w1, w2);
  }

  /**
   * 1 − cosine between a word or vector and each of `otherWords`, or, when `otherWords` is empty, every row
   * (including the word itself), as gensim's `distances`.
   * @throws E_OOV, E_SHAPE, E_NAN.
   */
  distances(wordOrVector: Key, otherWords: readonly RowKey[] = []): Float32Array {
    this.alive();
    const q = new Float64Array(this.dim);
    this.termVector(this.checkKey(wordOrVector, 'distances'), q, false);
    if (otherWords.length > 0) {
      const out = new Float32Array(otherWords.length);
      for (let i = 0; i < otherWords.length; i++) out[i] = 1 - cosine(q, this.vectorAt(this.rowOf(otherWords[i]), this.rowTmp));
      return out;
    }
    normalize(q);
    this.scoreQuery(q, this.size);
    const out = this.rt.arena.f32(this.scoresPtr, this.size).slice();
    for (let i = 0; i < out.length; i++) out[i] = 1 - Math.max(-1, Math.min(1, out[i]));
    return out;
  }

  /**
   * The word that fits least with the others (gensim's `doesnt_match`): the one with the lowest cosine to the
   * normalised mean of the unit vectors. Unknown words are ignored, as gensim does (it logs a warning).
   * @throws E_EMPTY when no word is known.
   */
  doesntMatch(words: readonly string[]): string {
    this.alive();
    const used = words.filter((w) => this.vocab.has(w));
    if (used.length === 0) throw new QuantextError('E_EMPTY', `doesntMatch: none of the words is in the vocabulary (${words.slice(0, 5).join(', ')})`);
    const vecs = used.map((w) => this.unitVector(this.vocab.getIndex(w)));
    const mean = new Float64Array(this.dim);
    for (const v of vecs) for (let c = 0; c < v.length; c++) mean[c] += v[c];
    normalize(mean);
    // gensim sorts (cosine, word) pairs descending and returns the last: the lowest cosine, ties → smaller word
    let worst = -1, worstCos = Infinity;
    for (let i = 0; i < used.length; i++) {
      let s = 0;
      for (let c = 0; c < mean.length; c++) s += vecs[i][c] * mean[c];
      s = Math.fround(s);
      if (s < worstCos || (s === worstCos && used[i] < used[worst])) {
        worst = i;
        worstCos = s;
      }
    }
    return used[worst];
  }

  /**
   * The low-level search every query above ends in: the `k` rows with the highest cosine to `query`, best first,
   * skipping the rows in `exclude`, among the first `restrictVocab` rows. One `scoreRows`, one `mul_f32` and one
   * `topk_f32` kernel call; the scratch buffers are reused, so a query allocates only its small result.
   * @throws E_SHAPE for a query of the wrong length, E_NAN for a non-finite one.
   */
  nearest(query: ArrayLike<number>, k: number, opts: { restrictVocab?: number; exclude?: ReadonlySet<number> } = {}): Nearest {
    this.alive();
    const limit = this.limit(opts.restrictVocab);
    const kk = checkTopn(k);
    if (query.length !== this.dim) throw new QuantextError('E_SHAPE', `nearest: query has ${query.length} values, expected ${this.dim}`);
    const q = this.mean64; // reused: a query allocates nothing but its result
    if (query !== q) for (let c = 0; c < q.length; c++) q[c] = query[c];
    checkFinite(q, 'nearest query');
    normalize(q);
    const exclude = opts.exclude ?? EMPTY_SET;
    // topn beyond the rows searched returns them all (scratch is sized by what can be returned)
    const k2 = Math.min(kk, limit);
    this.ensureScratch(k2 + exclude.size);
    this.scoreQuery(q, limit);
    return this.selectTop(this.scoresPtr, limit, k2, exclude, true);
  }

  // ---------------------------------------------------------------- evaluation

  /**
   * Analogy accuracy (gensim 4's `evaluate_word_analogies`, the `compute-accuracy` of word2vec C) on a questions
   * file (`: section` lines, then `a b c d` lines): its path (a string without a line break, or a `file:` URL; read
   * through the registered file system, as gensim does) or its contents (a string with line breaks, or bytes), which
   * is what browsers and Workers pass. @see evaluateWordAnalogies and TextSource in evaluate.ts.
   */
  evaluateWordAnalogies(source: TextSource, opts: AnalogyOptions = {}): AnalogyResult {
    this.alive();
    return evaluateWordAnalogies(this, source, opts);
  }

  /**
   * Correlation with human similarity judgements (gensim's `evaluate_word_pairs`) on a pairs file
   * (`word1<TAB>word2<TAB>score` lines, `#` comments), by path or contents as `evaluateWordAnalogies`.
   * @see evaluateWordPairs in evaluate.ts.
   */
  evaluateWordPairs(source: TextSource, opts: WordPairsOptions = {}): WordPairsResult {
    this.alive();
    return evaluateWordPairs(this, source, opts);
  }

  // ---------------------------------------------------------------- norms, memory, lifetime

  /**
   * Makes sure the inverse row norms (1/‖row‖, 0 for a zero row) exist and returns their wasm address. They are
   * computed once, by one `matrix.rowNorms` call; `force` recomputes them (after the table was modified, e.g. by
   * further training).
   */
  fillNorms(force = false): number {
    this.alive();
    if (!this.invNormsPtr) this.invNormsPtr = this.own(this.size * 4);
    if (this.normsValid && !force) return this.invNormsPtr;
    this.matrix.rowNorms(this.invNormsPtr);
    const n = this.rt.arena.f32(this.invNormsPtr, this.size);
    const extreme: number[] = [];
    for (let i = 0; i < n.length; i++) {
      const x = n[i];
      if (x >= NORM_SAFE_LO && x <= NORM_SAFE_HI) n[i] = 1 / x;
      else if (x === 0) n[i] = 0;
      else extreme.push(i);
    }
    if (extreme.length) {
      // the inverse of the exact norm, as close as a float32 gets (the largest float32 for a row of subnormals)
      const row = new Float32Array(this.dim);
      for (const i of extreme) this.rt.arena.f32(this.invNormsPtr + i * 4, 1)[0] = Math.min(F32_MAX, 1 / norm64(this.matrix.decodeRow(i, row)));
    }
    this.extremeRows = extreme;
    this.normsValid = true;
    return this.invNormsPtr;
  }

  /** Marks the norms stale so that the next query recomputes them (call after modifying the table in place). */
  invalidateNorms(): void {
    this.normsValid = false;
    this.vectorsCache = undefined;
  }

  /** Bytes held by the table, the norms, the vocabulary and the scratch buffers (see the class documentation). */
  estimateMemory(): KeyedVectorsMemory {
    const rows = this.size;
    const vectors = this.matrix.bytes;
    const norms = rows * 4;
    const vocab = this.vocab.estimateBytes() + (this.counts ? this.counts.byteLength : 0);
    const scratch = (this.dim + rows) * 4 + Math.max(this.topkCap, MIN_TOPK) * 8 + this.cosmulBytes;
    return { vectors, norms, vocab, scratch, total: vectors + norms + vocab + scratch };
  }

  /** Frees the norms and scratch buffers, and the table too when this object owns it. Safe to call twice. */
  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.vectorsCache = undefined;
    if (this._ownsMatrix) this._matrix.dispose();
  }

  // ---------------------------------------------------------------- internals

  /** Allocates the query and scores buffers and a top-k buffer of at least `k` entries. */
  private ensureScratch(k: number): void {
    this.fillNorms();
    if (!this.queryPtr) this.queryPtr = this.own(this.dim * 4);
    if (!this.scoresPtr) this.scoresPtr = this.own(this.size * 4);
    if (k > this.topkCap) {
      // forgotten before the new allocations: after an E_OOM no freed buffer is used again
      if (this.topkIdxPtr) this.release(this.topkIdxPtr);
      if (this.topkValPtr) this.release(this.topkValPtr);
      this.topkIdxPtr = this.topkValPtr = this.topkCap = 0;
      const cap = Math.max(MIN_TOPK, k);
      this.topkIdxPtr = this.own(cap * 4);
      this.topkValPtr = this.own(cap * 4);
      this.topkCap = cap;
    }
  }

  /** out[r] = ⟨row r, q⟩ / ‖row r‖ for r < limit (into the scores scratch by default): one scoreRows, one mul_f32. Cosines when q is unit. */
  private scoreQuery(q: ArrayLike<number>, limit: number, outPtr = 0): void {
    this.ensureScratch(0);
    const out = outPtr || this.scoresPtr;
    this.rt.arena.f32(this.queryPtr, this.dim).set(q);
    this.matrix.scoreRows(this.queryPtr, out, limit);
    this.rt.kernels.mul_f32(out, this.invNormsPtr, limit);
    if (this.extremeRows.length) this.rescoreExtreme(q, limit, out);
  }

  /** The cosines of the extreme rows (see extremeRows) with the unit query `q`, in float64. */
  private rescoreExtreme(q: ArrayLike<number>, limit: number, outPtr: number): void {
    for (const i of this.extremeRows) {
      if (i >= limit) continue;
      this.rt.arena.f32(outPtr + i * 4, 1)[0] = cosine(q, this.vectorAt(i, this.rowTmp));
    }
  }

  /**
   * The best `k` of vals[0..limit) not in `exclude`: one topk_f32 for k + |exclude|, then the filter. `cosines`: clamp
   * the scores to [−1, 1] (a quantized table's score and norm are rounded separately, so their ratio can pass 1).
   */
  private selectTop(valsPtr: number, limit: number, k: number, exclude: ReadonlySet<number>, cosines = false): Nearest {
    const want = Math.min(k + exclude.size, limit);
    this.ensureScratch(want);
    const got = this.rt.kernels.topk_f32(valsPtr, limit, want, this.topkIdxPtr, this.topkValPtr);
    const idx = this.rt.arena.i32(this.topkIdxPtr, got), val = this.rt.arena.f32(this.topkValPtr, got);
    const n = Math.min(k, got);
    const indices = new Int32Array(n), scores = new Float32Array(n);
    let m = 0;
    for (let j = 0; j < got && m < n; j++) {
      if (exclude.has(idx[j])) continue;
      indices[m] = idx[j];
      scores[m++] = cosines ? Math.max(-1, Math.min(1, val[j])) : val[j];
    }
    return m === n ? { indices, scores } : { indices: indices.slice(0, m), scores: scores.slice(0, m) };
  }

  private toSimilar(r: Nearest): Similar[] {
    const out: Similar[] = new Array(r.indices.length);
    for (let j = 0; j < r.indices.length; j++) out[j] = [this.vocab.words[r.indices[j]], r.scores[j]];
    return out;
  }

  /** Rows searched: all, or the first `restrictVocab`. */
  private limit(restrictVocab: number | undefined): number {
    if (restrictVocab === undefined || restrictVocab === null) return this.size;
    if (!Number.isInteger(restrictVocab) || restrictVocab < 1) {
      throw new QuantextError('E_OPTION', `restrictVocab must be a positive integer, got ${restrictVocab}`, { option: 'restrictVocab' });
    }
    return Math.min(restrictVocab, this.size);
  }

  /** Normalises a positive/negative argument to a list of weighted terms (gensim's `_ensure_list` + weights). */
  private terms(arg: WeightedKey | readonly WeightedKey[] | undefined, sign: number, what: string): Term[] {
    if (arg === undefined || arg === null) return [];
    if (typeof arg === 'string' || typeof arg === 'number' || isVector(arg)) return [{ key: this.checkKey(arg as Key, what), weight: sign }];
    if (!Array.isArray(arg)) throw new QuantextError('E_OPTION', `${what}: expected a word, a vector or a list of them`, { option: what });
    const out: Term[] = [];
    for (const item of arg as readonly WeightedKey[]) {
      if (isWeighted(item)) {
        const [key, weight] = item;
        if (!Number.isFinite(weight)) throw new QuantextError('E_NAN', `${what}: weight ${weight} is not finite`, { option: what });
        out.push({ key: this.checkKey(key, what), weight });
      } else {
        out.push({ key: this.checkKey(item as Key, what), weight: sign });
      }
    }
    return out;
  }

  /** Validates one key: a known word, or a finite vector of `dim` values. */
  private checkKey(key: Key, what: string): Key {
    if (typeof key === 'string') {
      if (!this.vocab.has(key)) throw new QuantextError('E_OOV', `${what}: word '${key}' is not in the vocabulary`, { word: key });
      return key;
    }
    if (typeof key === 'number') {
      if (!Number.isInteger(key)) throw new QuantextError('E_OPTION', `${what}: a number key is a row index; ${key} is not an integer`, { option: what });
      if (key < 0 || key >= this.size) throw new QuantextError('E_OOV', `${what}: row ${key} is not in the vocabulary (${this.size} rows)`, { row: key });
      return key;
    }
    if (!isVector(key)) {
      throw new QuantextError('E_OPTION', `${what}: unsupported key ${String(key)} (pass words, row indices, or vectors as Float32Array / number[])`, { option: what });
    }
    if (key.length !== this.dim) {
      const hint = Array.isArray(key) && key.every(Number.isInteger) ? ' (an array of numbers is a vector; give row indices alone, e.g. `negative: 7`, or among words)' : '';
      throw new QuantextError('E_SHAPE', `${what}: vector has ${key.length} values, expected ${this.dim}${hint}`);
    }
    checkFinite(key, `${what} vector`);
    return key;
  }

  /** Writes a term's vector into out (float64): a word's row (unit when `unit`), or the given vector as is. */
  private termVector(key: Key, out: Float64Array, unit: boolean): void {
    if (isRowKey(key)) {
      const v = unit ? this.unitVector(this.rowOf(key), this.rowTmp) : this.vectorAt(this.rowOf(key), this.rowTmp);
      for (let c = 0; c < out.length; c++) out[c] = v[c];
    } else {
      for (let c = 0; c < out.length; c++) out[c] = key[c];
    }
  }

  /** Σ wᵢ·vᵢ / Σ|wᵢ| into this.mean64 (float64), optionally unit-normalised (gensim's get_mean_vector). */
  private weightedMean(terms: readonly Term[], preNormalize: boolean, postNormalize: boolean): Float64Array {
    const mean = this.mean64.fill(0);
    let total = 0;
    for (const t of terms) {
      if (isRowKey(t.key)) {
        const v = preNormalize ? this.unitVector(this.rowOf(t.key), this.rowTmp) : this.vectorAt(this.rowOf(t.key), this.rowTmp);
        for (let c = 0; c < mean.length; c++) mean[c] += t.weight * v[c];
      } else {
        for (let c = 0; c < mean.length; c++) mean[c] += t.weight * t.key[c];
      }
      total += Math.abs(t.weight);
    }
    if (total > 0) for (let c = 0; c < mean.length; c++) mean[c] /= total;
    if (postNormalize) normalize(mean);
    return mean;
  }
}

interface Term {
  key: Key;
  weight: number;
}

const EMPTY_SET: ReadonlySet<number> = new Set<number>();

/**
 * The options object of mostSimilar / mostSimilarCosmul, or the positional form (positive keys, then topn) turned
 * into one; a second argument after an options object is its topn. An options object is a plain object: not an
 * array, a typed array, a string or a number (those are keys).
 */
export function asOptions<O extends { positive?: unknown; topn?: number }>(fn: string, arg: unknown, topn: number | undefined): O {
  const isOpts = typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !ArrayBuffer.isView(arg);
  if (isOpts) {
    if (topn === undefined) return arg as O;
    // mostSimilar({ positive: ['a'] }, 7): the second argument is topn (it was silently ignored before)
    if ((arg as O).topn !== undefined) throw new QuantextError('E_OPTION', `${fn}: topn given twice (in the options object and as the second argument)`, { option: 'topn' });
    return { ...(arg as O), topn };
  }
  if (arg === undefined || arg === null) throw new QuantextError('E_OPTION', `${fn}: give a word, a vector, a list of them, or an options object { positive, negative, topn }`);
  return { positive: arg, topn } as O;
}

function isRowKey(k: Key): k is RowKey {
  return typeof k === 'string' || typeof k === 'number';
}

function isVector(x: unknown): x is VectorLike {
  if (x instanceof Float32Array || x instanceof Float64Array) return true;
  if (!Array.isArray(x) || x.length === 0) return false;
  for (let i = 0; i < x.length; i++) if (typeof x[i] !== 'number') return false;
  return true;
}

function isWeighted(x: unknown): x is readonly [Key, number] {
  return Array.isArray(x) && x.length === 2 && typeof x[1] === 'number' && (typeof x[0] === 'string' || isVector(x[0]));
}

function checkTopn(topn: number | undefined): number {
  const k = topn ?? 10;
  if (!Number.isInteger(k) || k < 0) throw new QuantextError('E_OPTION', `topn must be a non-negative integer, got ${topn}`, { option: 'topn' });
  return k;
}

/** Kernel norms in this range give float32 cosines as exact as any (see `extremeRows`): 2^-90 … 2^116. */
const NORM_SAFE_LO = 2 ** -90;
const NORM_SAFE_HI = 2 ** 116;
const F32_MAX = 3.4028234663852886e38;
/** Sums of squares beyond this range may have overflowed or lost precision in float64: rescale first. */
const SQ_LO = 1e-280, SQ_HI = 1e280;

/** The largest |v[c]| (NaN if any is NaN). */
function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let c = 0; c < v.length; c++) {
    const x = Math.abs(v[c]);
    if (!(x <= m)) m = x;
  }
  return m;
}

/** ‖v‖ in float64, exact over the whole float64 range (values are scaled by their largest magnitude when needed). */
function norm64(v: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < v.length; c++) s += v[c] * v[c];
  if (s >= SQ_LO && s <= SQ_HI) return Math.sqrt(s);
  const m = maxAbs(v);
  if (!(m > 0 && m < Infinity)) return m;
  s = 0;
  for (let c = 0; c < v.length; c++) s += (v[c] / m) ** 2;
  return m * Math.sqrt(s);
}

/** Scales v to unit L2 length in place (a zero vector stays zero, as gensim's `unitvec`), over the whole float64 range. */
function normalize(v: Float64Array): void {
  let s = 0;
  for (let c = 0; c < v.length; c++) s += v[c] * v[c];
  if (!(s >= SQ_LO && s <= SQ_HI)) {
    // the squares overflowed or underflowed: scale by the largest magnitude first (exact: a division)
    const m = maxAbs(v);
    if (!(m > 0 && m < Infinity)) return;
    s = 0;
    for (let c = 0; c < v.length; c++) s += (v[c] /= m) * v[c];
  }
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < v.length; c++) v[c] *= inv;
  }
}

/** Cosine in float64; 0 when either vector is zero. Exact over the whole float64 range (rescaled when needed). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let c = 0; c < a.length; c++) {
    ab += a[c] * b[c];
    aa += a[c] * a[c];
    bb += b[c] * b[c];
  }
  if (!(aa >= SQ_LO && aa <= SQ_HI && bb >= SQ_LO && bb <= SQ_HI)) {
    // beyond the range where the squares are exact (components outside ~1e±140, e.g. float64 query vectors):
    // the cosine of the vectors scaled by their largest magnitudes is the same
    const ma = maxAbs(a), mb = maxAbs(b);
    if (!(ma > 0 && mb > 0)) return 0;
    if (!(ma < Infinity && mb < Infinity)) return NaN;
    ab = aa = bb = 0;
    for (let c = 0; c < a.length; c++) {
      const x = a[c] / ma, y = b[c] / mb;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
  }
  // clamped: rounding (or a table whose decoded rows are far from their stored norms) never reports |cos| > 1
  return aa > 0 && bb > 0 ? Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb))) : 0;
}
