import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { FastTextKeyedVectors } from '../../src/fasttext/keyed.js';
import { subwordStrings, hashWord } from '../../src/fasttext/subwords.js';
import { randomF32, rng } from '../helpers.js';

// Reference: fastText's getWordVector written out from its definition, n-grams from their strings.
function refVector(words: string[], input: Float32Array, dim: number, word: string, minn: number, maxn: number, bucket: number): Float32Array {
  const rows: number[] = [];
  const i = words.indexOf(word);
  if (i >= 0) rows.push(i);
  if (word !== '</s>') for (const s of subwordStrings(word, minn, maxn)) rows.push(words.length + (hashWord(s) % bucket));
  const out = new Float32Array(dim);
  for (const r of rows) for (let c = 0; c < dim; c++) out[c] += input[r * dim + c];
  if (rows.length) for (let c = 0; c < dim; c++) out[c] *= Math.fround(1 / rows.length);
  return out;
}

describe('FastTextKeyedVectors', () => {
  beforeAll(async () => {
    await init();
  });
  const words = ['the', 'cat', 'sat', 'on', 'mat', '</s>', 'café'];
  const dim = 8, bucket = 50, minn = 2, maxn = 4;
  const make = () => {
    const data = randomF32((words.length + bucket) * dim, rng(7));
    const input = DenseMatrix.from(data, words.length + bucket, dim);
    return { data, wv: new FastTextKeyedVectors(words, input, { minn, maxn, bucket }) };
  };

  it('gives known words the mean of their own and n-gram rows, unseen words the mean of their n-gram rows', () => {
    const { data, wv } = make();
    for (const w of [...words, 'cats', 'mats', 'cafés', 'zzzz', 'x']) {
      expect(Array.from(wv.get(w)), w).toEqual(Array.from(refVector(words, data, dim, w, minn, maxn, bucket)));
    }
    // "</s>" has only its own row
    expect(Array.from(wv.get('</s>'))).toEqual(Array.from(data.subarray(5 * dim, 6 * dim)));
    expect(wv.hasVector('qq')).toBe(true);
    expect(wv.has('qq')).toBe(false);
    wv.dispose();
  });

  it('answers queries with unseen words and keeps the KeyedVectors API over the vocabulary', () => {
    const { data, wv } = make();
    const vecs = words.map((w) => refVector(words, data, dim, w, minn, maxn, bucket));
    const plain = KeyedVectors.fromArrays(words, Float32Array.from(vecs.flatMap((v) => Array.from(v))), dim);
    expect(wv.mostSimilar({ positive: 'cat', topn: 3 })).toEqual(plain.mostSimilar({ positive: 'cat', topn: 3 }));
    expect(wv.mostSimilar('cats', 3)).toEqual(wv.mostSimilar({ positive: 'cats', topn: 3 })); // positional, OOV too
    expect(wv.mostSimilarCosmul(['cats'], 2)).toEqual(wv.mostSimilarCosmul({ positive: ['cats'], topn: 2 }));
    const oov = refVector(words, data, dim, 'cats', minn, maxn, bucket);
    const got = wv.mostSimilar({ positive: 'cats', topn: 3 });
    const want = plain.mostSimilar({ positive: [oov], topn: 3 });
    expect(got.map((x) => x[0])).toEqual(want.map((x) => x[0]));
    for (let k = 0; k < 3; k++) expect(got[k][1]).toBeCloseTo(want[k][1], 6);
    expect(wv.similarity('cats', 'cat')).toBeCloseTo(plain.similarity('cat', 'cat') * 0 + cosine(oov, vecs[1]), 6);
    const short = new FastTextKeyedVectors(words, DenseMatrix.from(data, words.length + bucket, dim), { minn: 5, maxn: 5, bucket });
    expect(Array.from(short.get('x'))).toEqual(new Array(dim).fill(0)); // "<x>" is shorter than minn: zeros, as fastText
    expect(() => short.mostSimilar({ positive: 'x' })).toThrow(/no character n-grams/);
    short.dispose();
    const q = wv.quantize({ scheme: 'int8' });
    expect(q.size).toBe(words.length);
    q.dispose();
    plain.dispose();
    wv.dispose();
  });

  it('recomputes word vectors after the input changes (refresh)', () => {
    const { wv } = make();
    (wv.input as DenseMatrix).data().fill(1);
    wv.refresh();
    expect(Array.from(wv.get('cat'))).toEqual(new Array(dim).fill(1));
    wv.dispose();
  });

  it('refuses an input matrix too small for words + bucket', () => {
    const input = new DenseMatrix(words.length + bucket - 1, dim);
    expect(() => new FastTextKeyedVectors(words, input, { minn, maxn, bucket })).toThrow(/input matrix has/);
    input.dispose();
  });
});

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}
