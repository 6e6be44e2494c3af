// Plain-TypeScript references (float64, brute force) that the KeyedVectors tests compare with.
// Independent of src/: no wasm, no shared helpers.

export type Row = ArrayLike<number>;

export function norm(v: Row): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

export function cos(a: Row, b: Row): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  const n = norm(a) * norm(b);
  return n > 0 ? s / n : 0;
}

export function rowsOf(data: Float32Array, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length / dim; i++) out.push(data.subarray(i * dim, (i + 1) * dim));
  return out;
}

/** gensim's most_similar by brute force: unit-normalised words, raw vectors, weighted mean, cosine, exclusion. */
export function refMostSimilar(
  words: string[],
  rows: Row[],
  positive: Array<string | Row | [string | Row, number]>,
  negative: Array<string | Row | [string | Row, number]>,
  topn: number,
  restrict = rows.length,
): Array<[string, number]> {
  const dim = rows[0].length;
  const mean = new Float64Array(dim);
  let total = 0;
  const exclude = new Set<number>();
  const add = (item: string | Row | [string | Row, number], sign: number) => {
    let key: string | Row, w = sign;
    if (Array.isArray(item) && item.length === 2 && typeof item[1] === 'number' && typeof item[0] !== 'number') [key, w] = item as [string | Row, number];
    else key = item as string | Row;
    let v: Row;
    if (typeof key === 'string') {
      const i = words.indexOf(key);
      exclude.add(i);
      const n = norm(rows[i]);
      v = Array.from(rows[i], (x) => x / n);
    } else v = key;
    for (let c = 0; c < dim; c++) mean[c] += w * v[c];
    total += Math.abs(w);
  };
  positive.forEach((p) => add(p, 1));
  negative.forEach((p) => add(p, -1));
  for (let c = 0; c < dim; c++) mean[c] /= total;
  const scored: Array<[string, number, number]> = [];
  for (let i = 0; i < Math.min(restrict, rows.length); i++) if (!exclude.has(i)) scored.push([words[i], cos(rows[i], mean), i]);
  scored.sort((a, b) => b[1] - a[1] || a[2] - b[2]);
  return scored.slice(0, topn).map(([w, s]) => [w, s]);
}

/** gensim's most_similar_cosmul (Levy & Goldberg 3CosMul with (1 + cos)/2 and epsilon 1e-6). */
export function refCosmul(words: string[], rows: Row[], positive: string[], negative: string[], topn: number): Array<[string, number]> {
  const exclude = new Set([...positive, ...negative].map((w) => words.indexOf(w)));
  const scored: Array<[string, number, number]> = [];
  for (let i = 0; i < rows.length; i++) {
    if (exclude.has(i)) continue;
    let num = 1, den = 1;
    for (const p of positive) num *= (1 + cos(rows[i], rows[words.indexOf(p)])) / 2;
    for (const n of negative) den *= (1 + cos(rows[i], rows[words.indexOf(n)])) / 2;
    scored.push([words[i], num / (den + 1e-6), i]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[2] - b[2]);
  return scored.slice(0, topn).map(([w, s]) => [w, s]);
}

/** Average ranks by counting (O(n²)): rank = #smaller + (#equal + 1)/2. */
export function refRanks(x: number[]): number[] {
  return x.map((v) => {
    let less = 0, eq = 0;
    for (const u of x) {
      if (u < v) less++;
      else if (u === v) eq++;
    }
    return less + (eq + 1) / 2;
  });
}

/** Pearson by the textbook sums formula (a different evaluation order from src/). */
export function refPearson(x: number[], y: number[]): number {
  const n = x.length;
  let sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
    sxy += x[i] * y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

export const refSpearman = (x: number[], y: number[]) => refPearson(refRanks(x), refRanks(y));

/** Minimal word2vec text-format parser (header `V D`, then `word v1 … vD` per line). */
export function parseWord2VecText(text: string): { words: string[]; data: Float32Array; dim: number } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const [v, d] = lines[0].trim().split(/\s+/).map(Number);
  const words: string[] = [];
  const data = new Float32Array(v * d);
  for (let i = 0; i < v; i++) {
    const parts = lines[1 + i].trimEnd().split(' ');
    if (parts.length !== d + 1) throw new Error(`line ${i + 2}: ${parts.length - 1} values`);
    words.push(parts[0]);
    for (let c = 0; c < d; c++) data[i * d + c] = Number(parts[1 + c]);
  }
  return { words, data, dim: d };
}

/**
 * Compares a ranked result with a reference: scores within `tol`, words equal except where the reference has
 * a near-tie (neighbours within `tol`) that float32 rounding may order either way.
 */
export function expectSameRanking(got: Array<[string, number]>, want: Array<[string, number]>, tol: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} ≠ ${want.length}`;
  for (let j = 0; j < want.length; j++) {
    if (Math.abs(got[j][1] - want[j][1]) > tol) return `score ${j}: ${got[j][1]} vs ${want[j][1]}`;
    const tie = (j > 0 && Math.abs(want[j][1] - want[j - 1][1]) <= tol) || (j + 1 < want.length && Math.abs(want[j][1] - want[j + 1][1]) <= tol);
    if (!tie && got[j][0] !== want[j][0]) return `word ${j}: ${got[j][0]} vs ${want[j][0]}`;
  }
  return undefined;
}
