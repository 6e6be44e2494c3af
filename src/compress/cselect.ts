/**
 * fastText's `quantize -cutoff N` row selection (src/fasttext.cc selectEmbeddings, src/dictionary.cc prune):
 *
 * - the L2 norm of every input row (words, then n-gram buckets), as `DenseMatrix::l2NormRow` computes it (each
 *   square in float32, summed in float64, the square root stored as float32);
 * - the rows sorted by decreasing norm, "</s>" always first; the first N kept;
 * - `prune`: the kept words in increasing id order become the new words 0…w−1; the kept n-gram buckets, in the
 *   order of the selection (decreasing norm), become rows w + j, and `pruneidx[bucket] = j` maps a bucket index to
 *   its compressed n-gram number (n-grams whose bucket is not listed are dropped at prediction).
 */
import { QuantextError } from '../errors.js';

/** fastText's per-row norms of a rows×dim float matrix (float32 squares, float64 sum, float32 result). */
export function rowNorms(x: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) {
      const v = x[r * dim + c];
      s += Math.fround(v * v);
    }
    if (Number.isNaN(s)) throw new QuantextError('E_NAN', `cutoff: input row ${r} holds NaN (fastText: "Encountered NaN.")`, { row: r });
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * selectEmbeddings: the `cutoff` rows of largest norm, "</s>" (row `eosId`, −1 if the model has none) first. Ties
 * (which fastText's unstable std::sort leaves in an unspecified order) go to the lower row.
 */
export function selectEmbeddings(norms: Float32Array, eosId: number, cutoff: number): Int32Array {
  if (!(Number.isInteger(cutoff) && cutoff >= 1)) throw new QuantextError('E_OPTION', `cutoff must be a positive integer, got ${String(cutoff)}`, { option: 'cutoff' });
  const idx = Array.from({ length: norms.length }, (_, i) => i);
  idx.sort((a, b) => {
    if (a === eosId) return b === eosId ? 0 : -1;
    if (b === eosId) return 1;
    return norms[b] - norms[a] || a - b;
  });
  return Int32Array.from(idx.slice(0, Math.min(cutoff, idx.length)));
}

export interface PrunedSelection {
  /** Old row of each new row: the kept words in increasing id order, then the kept buckets in selection order. */
  rows: Int32Array;
  /** Number of kept words (new nwords). */
  nwords: number;
  /** pruneidx as fastText builds it: bucket index (old row − old nwords) → n-gram number j (row nwords + j). */
  pruneidx: Map<number, number>;
}

/** Dictionary::prune over a selection of rows of a model with `nwords` words. */
export function pruneSelection(idx: ArrayLike<number>, nwords: number): PrunedSelection {
  const words: number[] = [];
  const ngrams: number[] = [];
  for (let i = 0; i < idx.length; i++) (idx[i] < nwords ? words : ngrams).push(idx[i]);
  words.sort((a, b) => a - b);
  const pruneidx = new Map<number, number>();
  ngrams.forEach((r, j) => pruneidx.set(r - nwords, j));
  return { rows: Int32Array.from([...words, ...ngrams]), nwords: words.length, pruneidx };
}
