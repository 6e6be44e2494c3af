// Word-vector compression search (`quantext compress VECTORS`): schemes and bits (fp16, int8, int4, binary, PQ at
// 4/2/1 bits per value), fewer dimensions (a PCA projection) and vocabulary cuts (the N most frequent words), each
// candidate measured by its size as saved (safetensors), the word-pair Spearman ρ, analogy accuracy and the time of
// one nearest-neighbour query; see search.ts for the search itself and report.ts for what is written.
import { QuantextError } from '../errors.js';
import { KeyedVectors } from '../vectors/keyed.js';
import { tableToTensor, type QuantizedTable, type TableScheme } from '../vectors/tables/factory.js';
import { saveTable } from '../io/safetensors.js';
import { errorReport } from '../quantize/report.js';
import { paretoSearch, type CandidateGenerator, type CandidateSpec, type Measurement, type ParetoSearchResult } from './search.js';

/** A principal-component projection: rows are projected as (x − mean)·basis (basis: dim × k, column-major by component). */
export interface Pca {
  mean: Float64Array;
  /** dim × dim, component c in column c (row-major storage: basis[i·dim + c]), by decreasing variance. */
  basis: Float64Array;
  /** Variance along each component, decreasing. */
  variance: Float64Array;
  dim: number;
}

/**
 * PCA of row-major `x` (rows × dim): covariance in f64 over at most `maxRows` rows (the first ones: the most frequent
 * words of a vectors file), then a cyclic Jacobi eigen-decomposition. dim ≤ 1024.
 */
export function pca(x: Float32Array, rows: number, dim: number, maxRows = 20000): Pca {
  if (x.length !== rows * dim) throw new QuantextError('E_SHAPE', `pca: ${x.length} values for ${rows} × ${dim}`);
  if (dim > 1024) throw new QuantextError('E_OPTION', `pca: dim ${dim} > 1024`);
  const n = Math.min(rows, maxRows);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let c = 0; c < dim; c++) mean[c] += x[r * dim + c];
  for (let c = 0; c < dim; c++) mean[c] /= Math.max(1, n);
  const a = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < dim; c++) row[c] = x[r * dim + c] - mean[c];
    for (let i = 0; i < dim; i++) {
      const v = row[i];
      if (v === 0) continue;
      const o = i * dim;
      for (let j = i; j < dim; j++) a[o + j] += v * row[j];
    }
  }
  for (let i = 0; i < dim; i++) for (let j = i; j < dim; j++) a[j * dim + i] = a[i * dim + j] /= Math.max(1, n - 1);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;
  // cyclic Jacobi: rotate away each off-diagonal element until they are negligible
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < dim; i++) {
      diag += a[i * dim + i] ** 2;
      for (let j = i + 1; j < dim; j++) off += a[i * dim + j] ** 2;
    }
    if (off <= 1e-22 * diag || off === 0) break;
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p], akq = a[k * dim + q];
          a[k * dim + p] = cs * akp - sn * akq;
          a[k * dim + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k], aqk = a[q * dim + k];
          a[p * dim + k] = cs * apk - sn * aqk;
          a[q * dim + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const vkp = v[k * dim + p], vkq = v[k * dim + q];
          v[k * dim + p] = cs * vkp - sn * vkq;
          v[k * dim + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: dim }, (_, i) => i).sort((i, j) => a[j * dim + j] - a[i * dim + i]);
  const basis = new Float64Array(dim * dim);
  const variance = new Float64Array(dim);
  order.forEach((src, c) => {
    variance[c] = a[src * dim + src];
    for (let k = 0; k < dim; k++) basis[k * dim + c] = v[k * dim + src];
  });
  return { mean, basis, variance, dim };
}

/** Rows `x` (rows × p.dim) projected on the first `k` components: rows × k. */
export function pcaProject(p: Pca, x: Float32Array, rows: number, k: number): Float32Array {
  const d = p.dim;
  if (!(k >= 1 && k <= d)) throw new QuantextError('E_OPTION', `pcaProject: k must be in [1, ${d}], got ${k}`);
  const out = new Float32Array(rows * k);
  const row = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) row[c] = x[r * d + c] - p.mean[c];
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += row[i] * p.basis[i * d + c];
      out[r * k + c] = s;
    }
  }
  return out;
}

/** 'f32' (no quantization) or a table scheme; PQ with `dsub` columns per sub-vector (8/dsub bits per value). */
export type VectorScheme = 'f32' | 'fp16' | 'int8' | 'int4' | 'binary' | 'pq';

export interface VectorCandidate {
  scheme: VectorScheme;
  /** Bits per stored value (16, 8, 4, 1; PQ 8/dsub), scales and codebooks aside. */
  bits: number;
  dsub?: number;
  /** Dimensions kept (PCA when fewer than the source's). */
  dims: number;
  /** The most frequent `vocab` words are kept. */
  vocab: number;
}

export interface CompressVectorsOptions {
  /**
   * Word pairs with human scores (contents; a path is read as given): the quality is their Spearman ρ over the pairs
   * the source vectors know, a pair a candidate lost to a vocabulary cut scoring 0.
   */
  pairs?: string | Uint8Array;
  /** Analogy questions (questions-words format), reported; the quality when no pairs are given. */
  analogies?: string | Uint8Array;
  /** Bytes; the kept candidate is the most accurate at or under it (default 100 kB). */
  targetSize?: number;
  /** ms (default 5 min). */
  budgetMs?: number;
  /** Only the first N words count in the evaluations (default 30000), as `quantext eval`. */
  restrict?: number;
  /** Dimensions to try (default dim, dim/2, dim/4, dim/8 down to 2). */
  dims?: number[];
  /** Vocabulary sizes to try (default size, size/2, size/4, size/8, size/16, not below 8 words). */
  vocab?: number[];
  /** Schemes to try (default all). */
  schemes?: VectorScheme[];
  /** Nearest-neighbour queries timed per candidate (default 50). */
  latencyQueries?: number;
  /** Size of a candidate's saved bytes (default their length; the CLI writes a temp file and stats it). */
  sizeOf?: (bytes: Uint8Array) => Promise<number> | number;
  now?: () => number;
  onCandidate?: (m: { name: string; size: number; quality: number }, done: number) => void;
}

export interface CompressVectorsResult extends ParetoSearchResult<VectorCandidate> {
  /** The saved bytes (safetensors) of `best`; undefined when no candidate fits the target. */
  bestBytes?: Uint8Array;
  /** The uncompressed source measured the same way (f32, all dims and words). */
  reference?: { size: number; quality: number; metrics: Record<string, number> };
  quality: 'spearman' | 'analogy';
  targetSize: number;
}

const SCHEME_BITS: Record<Exclude<VectorScheme, 'pq'>, number> = { f32: 32, fp16: 16, int8: 8, int4: 4, binary: 1 };
const name = (c: VectorCandidate) => `${c.scheme === 'pq' ? `pq${c.dsub}` : c.scheme} d${c.dims} v${c.vocab}`;

/** Halvings of n down to `min` (n itself first). */
function halvings(n: number, min: number): number[] {
  const out = [n];
  for (let v = Math.floor(n / 2); v >= min; v = Math.floor(v / 2)) out.push(v);
  return out;
}

/**
 * Searches schemes × dims × vocabulary cuts for `kv` (read as float; a quantized table is decoded first) and returns
 * the measured candidates, the Pareto front (size on disk against the pair Spearman ρ, or the analogy accuracy when
 * no pairs are given), and the most accurate candidate under the target with its saved bytes.
 * Out-of-vocabulary pairs and questions count (similarity 0, wrong), so a vocabulary cut pays for the words it drops.
 */
export async function compressVectors(kv: KeyedVectors, opts: CompressVectorsOptions): Promise<CompressVectorsResult> {
  if (opts.pairs === undefined && opts.analogies === undefined) {
    throw new QuantextError('E_OPTION', 'compressVectors: pass pairs and/or analogies to evaluate the candidates (--eval-pairs / --eval-analogies)', { option: '--eval-pairs' });
  }
  const size = kv.size, dim = kv.dim;
  if (size < 2) throw new QuantextError('E_SHAPE', `compressVectors: ${size} words; need at least 2`);
  const target = opts.targetSize ?? 100_000;
  const restrict = opts.restrict ?? 30000;
  const nq = Math.min(opts.latencyQueries ?? 50, size);
  const words = [...kv.keys];
  const counts = kv.counts;
  // most frequent first: by the counts when the file has them, else in file order (word2vec/fastText/GloVe sort by frequency)
  const order = counts ? Array.from({ length: size }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b) : undefined;
  const src = kv.vectors;
  const sorted = order ? new Float32Array(size * dim) : src;
  if (order) order.forEach((r, i) => sorted.set(src.subarray(r * dim, (r + 1) * dim), i * dim));
  const sortedWords = order ? order.map((i) => words[i]) : words;

  const dimsList = (opts.dims ?? halvings(dim, Math.min(2, dim))).filter((d) => d >= 1 && d <= dim);
  const vocabList = (opts.vocab ?? halvings(size, Math.min(8, size)).slice(0, 5)).filter((v) => v >= 2 && v <= size);
  const schemes = opts.schemes ?? ['f32', 'fp16', 'int8', 'int4', 'binary', 'pq'];
  for (const [flag, list] of [['dims', dimsList], ['vocab', vocabList], ['schemes', schemes]] as const) {
    if (!list.length) throw new QuantextError('E_OPTION', `compressVectors: no ${flag} to try`, { option: flag });
  }
  const variants = (d: number): VectorCandidate[] =>
    schemes.flatMap((s): VectorCandidate[] =>
      s === 'pq' ? [2, 4, 8].filter((ds) => d % ds === 0 && d / ds >= 1).map((ds) => ({ scheme: 'pq', dsub: ds, bits: 8 / ds, dims: d, vocab: 0 })) : [{ scheme: s, bits: SCHEME_BITS[s], dims: d, vocab: 0 }],
    );
  const spec = (c: VectorCandidate): CandidateSpec<VectorCandidate> => ({ name: name(c), params: c });
  // three families, interleaved: every scheme on the full table; fewer dims; fewer words (× fewer dims)
  const generators: CandidateGenerator<VectorCandidate>[] = [
    { name: 'scheme', candidates: () => variants(dim).map((c) => spec({ ...c, vocab: size })) },
    { name: 'pca', candidates: () => dimsList.filter((d) => d < dim).flatMap((d) => variants(d).map((c) => spec({ ...c, vocab: size }))) },
    { name: 'vocab', candidates: () => vocabList.filter((v) => v < size).flatMap((v) => dimsList.flatMap((d) => variants(d).map((c) => spec({ ...c, vocab: v })))) },
  ];

  let basis: Pca | undefined;
  const projected = new Map<number, Float32Array>();
  const table = (d: number): Float32Array => {
    if (d === dim) return sorted;
    let p = projected.get(d);
    if (!p) {
      basis ??= pca(sorted, size, dim);
      projected.set(d, (p = pcaProject(basis, sorted, size, d)));
    }
    return p;
  };
  const evaluate = (q: KeyedVectors): Record<string, number> => {
    const m: Record<string, number> = {};
    const r = Math.min(restrict, q.size);
    if (opts.pairs !== undefined) {
      const p = q.evaluateWordPairs(pairsText!, { restrictVocab: r, dummy4unknown: true });
      m.spearman = p.spearman;
      m.pearson = p.pearson;
      m.pairsOov = p.oovRatio;
    }
    if (opts.analogies !== undefined) {
      const a = q.evaluateWordAnalogies(analogiesText!, { restrictVocab: r, dummy4unknown: true });
      m.analogy = a.total.accuracy;
    }
    const n = Math.min(nq, q.size), k = Math.min(10, q.size - 1);
    q.nearest(q.vectorAt(0), k, { exclude: new Set([0]) }); // warm-up (first call compiles, fills norms)
    const t0 = performance.now();
    for (let i = 0; i < n; i++) q.nearest(q.vectorAt(i), k, { exclude: new Set([i]) });
    m.latencyMs = (performance.now() - t0) / n;
    return m;
  };
  // the evaluation sets narrowed to what the source knows: its score is then the usual one (`quantext eval`), and a
  // candidate that cut a word the source had scores that pair 0 / that question wrong (dummy4unknown)
  const known = kv.vocab.evaluationIndex(Math.min(restrict, size), true);
  const keep = (src: string | Uint8Array | undefined, line: (f: string[]) => boolean, sep: RegExp | string) => {
    if (src === undefined) return undefined;
    const text = typeof src === 'string' && !/[\r\n]/.test(src) ? undefined : typeof src === 'string' ? src : new TextDecoder().decode(src);
    if (text === undefined) return src; // a path: evaluated as it is
    return text.split(/\r\n|\r|\n/).filter((l) => line(l.trim().split(sep))).join('\n');
  };
  const pairsText = keep(opts.pairs, (f) => f.length !== 3 || f[0].startsWith('#') || (known.has(f[0].toUpperCase()) && known.has(f[1].toUpperCase())), '\t');
  const analogiesText = keep(opts.analogies, (f) => f[0].startsWith(':') || f.length !== 4 || f.every((w) => known.has(w.toUpperCase())), /\s+/);
  const quality = opts.pairs !== undefined ? 'spearman' : 'analogy';
  let bestBytes: Uint8Array | undefined;
  let kept: { quality: number; size: number } | undefined;

  const measure = async (s: CandidateSpec<VectorCandidate>): Promise<Measurement> => {
    const c = s.params;
    const full = table(c.dims);
    const base = KeyedVectors.fromArrays(sortedWords.slice(0, c.vocab), full.subarray(0, c.vocab * c.dims), c.dims, { rt: kv.rt });
    let q: KeyedVectors = base;
    try {
      const metrics: Record<string, number> = {};
      if (c.scheme !== 'f32') {
        const scheme: TableScheme = c.scheme;
        q = base.quantize(c.scheme === 'pq' ? { scheme, dsub: c.dsub, qnorm: true, seed: 1234 } : { scheme });
        const e = errorReport(base.vectors, tableToTensor(q.matrix as QuantizedTable));
        metrics.sqnrDb = e.sqnrDb;
        metrics.saturated = e.saturatedFraction;
        metrics.rowCosine = e.meanCosine;
      }
      const bytes = saveTable(q.matrix, { vocab: sortedWords.slice(0, c.vocab) });
      const onDisk = opts.sizeOf ? await opts.sizeOf(bytes) : bytes.byteLength;
      Object.assign(metrics, evaluate(q));
      const qual = metrics[quality];
      if (onDisk <= target && Number.isFinite(qual) && (!kept || qual > kept.quality || (qual === kept.quality && onDisk < kept.size))) {
        kept = { quality: qual, size: onDisk };
        bestBytes = bytes;
      }
      return { size: onDisk, quality: qual, latencyMs: metrics.latencyMs, metrics };
    } finally {
      if (q !== base) q.dispose();
      base.dispose();
    }
  };
  const result = await paretoSearch<VectorCandidate>({ generators, measure, budgetMs: opts.budgetMs ?? 300_000, targetSize: target, now: opts.now, onCandidate: opts.onCandidate });
  const ref = result.candidates.find((m) => m.params.scheme === 'f32' && m.params.dims === dim && m.params.vocab === size);
  return {
    ...result,
    bestBytes: result.best ? bestBytes : undefined,
    reference: ref && { size: ref.size, quality: ref.quality, metrics: ref.metrics ?? {} },
    quality,
    targetSize: target,
  };
}
