import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { DenseMatrix, type Matrix } from '../../src/vectors/matrix.js';
import { Vocab } from '../../src/vectors/vocab.js';
import { QuantextError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { cos, expectSameRanking, norm, refCosmul, refMostSimilar, rowsOf } from './reference.js';

/** Expects `fn` to throw a QuantextError with `code` whose message contains `text`. */
function expectCode(fn: () => unknown, code: string, text?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    expect((e as QuantextError).code).toBe(code);
    if (text) expect((e as Error).message).toContain(text);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

// A hand-made space: royal, male, female, fruit, misc axes
const HAND_WORDS = ['man', 'woman', 'king', 'queen', 'prince', 'apple', 'pear', 'boy', 'girl'];
const HAND = new Float32Array([
  0, 1, 0, 0, 0.2, // man
  0, 0, 1, 0, 0.2, // woman
  1, 1, 0, 0, 0.1, // king
  1, 0, 1, 0, 0.1, // queen
  0.9, 1, 0, 0, 0.4, // prince
  0, 0, 0, 1, 0, // apple
  0, 0, 0, 1, 0.3, // pear
  0, 1, 0, 0, 0.9, // boy
  0, 0, 1, 0, 0.9, // girl
]);

function randomKv(rt: Runtime, n: number, dim: number, seed: number) {
  const data = randomF32(n * dim, rng(seed));
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  return { words, data, rows: rowsOf(data, dim), kv: KeyedVectors.fromArrays(words, data, dim, { rt }) };
}

describe.each(BUILDS)('KeyedVectors, %s build', (build) => {
  it('king − man + woman = queen on a hand-made space, with the query words left out', async () => {
    const rt = await rtFor(build);
    using kv = KeyedVectors.fromArrays(HAND_WORDS, HAND, 5, { rt });
    const r = kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 3 });
    expect(r[0][0]).toBe('queen');
    expect(r.map((x) => x[0])).not.toContain('king');
    expect(r.map((x) => x[0])).not.toContain('man');
    const want = refMostSimilar(HAND_WORDS, rowsOf(HAND, 5), ['king', 'woman'], ['man'], 3);
    expect(expectSameRanking(r, want, 1e-6)).toBeUndefined();
    expect(kv.mostSimilarCosmul({ positive: ['king', 'woman'], negative: ['man'], topn: 1 })[0][0]).toBe('queen');
    expect(kv.similarByWord('apple', 1)[0][0]).toBe('pear');
    expect(kv.doesntMatch(['man', 'boy', 'king', 'apple'])).toBe('apple');
  });

  it('mostSimilar matches a float64 brute-force reference on random vectors (words, vectors, weights, restrictVocab)', async () => {
    const rt = await rtFor(build);
    const { words, rows, kv } = randomKv(rt, 700, 37, 11);
    using _ = kv;
    const r = rng(12);
    for (let t = 0; t < 12; t++) {
      const pick = () => words[Math.floor(r() * words.length)];
      const pos = [pick(), pick()], neg = t % 3 === 0 ? [] : [pick()];
      if (new Set([...pos, ...neg]).size < pos.length + neg.length) continue;
      const topn = 1 + (t % 7) * 3;
      const restrict = t % 4 === 1 ? 300 : undefined;
      const got = kv.mostSimilar({ positive: pos, negative: neg, topn, restrictVocab: restrict });
      const want = refMostSimilar(words, rows, pos, neg, topn, restrict);
      expect(expectSameRanking(got, want, 2e-6)).toBeUndefined();
      if (restrict) for (const [w] of got) expect(kv.indexOf(w)).toBeLessThan(restrict);
    }
    // a raw vector (used as is, not normalised, like gensim), a weighted word, and a single string
    const v = randomF32(37, r, 3);
    const got = kv.mostSimilar({ positive: [v, ['w5', 2.5]], negative: [['w9', -0.5]], topn: 10 });
    expect(expectSameRanking(got, refMostSimilar(words, rows, [v, ['w5', 2.5]], [['w9', -0.5]], 10), 2e-6)).toBeUndefined();
    expect(kv.mostSimilar({ positive: 'w3', topn: 4 })).toEqual(kv.mostSimilar({ positive: ['w3'], topn: 4 }));
    // similarByVector excludes nothing: a row's own vector finds the row first, with cosine 1
    const own = kv.similarByVector(kv.get('w42'), 3);
    expect(own[0][0]).toBe('w42');
    expect(own[0][1]).toBeCloseTo(1, 5);
    expect(kv.mostSimilar({ positive: ['w1'], topn: 0 })).toEqual([]);
    // topn beyond the vocabulary returns everything except the query words
    expect(kv.mostSimilar({ positive: ['w1'], topn: 5000 })).toHaveLength(699);
  });

  it('mostSimilarCosmul matches the reference formula', async () => {
    const rt = await rtFor(build);
    const { words, rows, kv } = randomKv(rt, 500, 24, 21);
    using _ = kv;
    for (const [pos, neg] of [[['w1', 'w2'], ['w3']], [['w10'], []], [['w4', 'w5', 'w6'], ['w7', 'w8']]] as const) {
      const got = kv.mostSimilarCosmul({ positive: [...pos], negative: [...neg], topn: 12 });
      expect(expectSameRanking(got, refCosmul(words, rows, [...pos], [...neg], 12), 1e-5)).toBeUndefined();
    }
    const restricted = kv.mostSimilarCosmul({ positive: ['w1', 'w2'], negative: ['w3'], topn: 5, restrictVocab: 50 });
    for (const [w] of restricted) expect(kv.indexOf(w)).toBeLessThan(50);
  });

  it('the positional form (gensim\'s most_similar(\'w1\', topn=5)) answers as the options object; topn given twice is E_OPTION', async () => {
    const rt = await rtFor(build);
    const { words, rows, kv } = randomKv(rt, 300, 16, 31);
    using _ = kv;
    expect(expectSameRanking(kv.mostSimilar('w1', 5), refMostSimilar(words, rows, ['w1'], [], 5), 2e-6)).toBeUndefined();
    expect(kv.mostSimilar('w1')).toHaveLength(10); // gensim's default topn
    expect(expectSameRanking(kv.mostSimilar(['w1', 'w2'], 7), refMostSimilar(words, rows, ['w1', 'w2'], [], 7), 2e-6)).toBeUndefined();
    const v = kv.get('w3');
    expect(kv.mostSimilar(v, 3)[0][0]).toBe('w3'); // a vector excludes nothing
    expect(kv.mostSimilar(7, 4)).toEqual(kv.mostSimilar({ positive: 7, topn: 4 })); // a row index
    expect(expectSameRanking(kv.mostSimilarCosmul(['w1', 'w2'], 6), refCosmul(words, rows, ['w1', 'w2'], [], 6), 1e-5)).toBeUndefined();
    expect(kv.mostSimilar({ positive: 'w1' }, 5)).toEqual(kv.mostSimilar('w1', 5)); // topn as the second argument
    expect(() => kv.mostSimilar({ positive: 'w1', topn: 3 }, 5)).toThrow(expect.objectContaining({ code: 'E_OPTION', message: expect.stringMatching(/topn given twice/) }));
    expect(() => kv.mostSimilar(undefined as never)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => kv.mostSimilar('nope', 3)).toThrow(expect.objectContaining({ code: 'E_OOV' }));
  });

  it('lookup: get, has, indexOf / getIndex, keys, vectors, getMean, similarity, distance(s)', async () => {
    const rt = await rtFor(build);
    const { words, data, rows, kv } = randomKv(rt, 50, 7, 31);
    using _ = kv;
    expect(kv.size).toBe(50);
    expect(kv.dim).toBe(7);
    expect(kv.keys).toEqual(words);
    expect(kv.indexToKey).toBe(kv.keys);
    expect(kv.has('w3')).toBe(true);
    expect(kv.has('nope')).toBe(false);
    expect(kv.indexOf('w3')).toBe(3);
    expect(kv.indexOf('nope')).toBe(-1);
    expect(kv.getIndex('w49')).toBe(49);
    expectCode(() => kv.getIndex('nope'), 'E_OOV', "'nope'");
    expectCode(() => kv.get('nope'), 'E_OOV', "'nope'");
    const g = kv.get('w3');
    expect(Array.from(g)).toEqual(Array.from(rows[3]));
    g[0] = 99; // a copy
    expect(kv.get('w3')[0]).toBe(rows[3][0]);
    const u = kv.get('w3', { norm: true });
    expect(norm(u)).toBeCloseTo(1, 6);
    expect(Array.from(kv.vectors)).toEqual(Array.from(data));
    expect(kv.similarity('w1', 'w2')).toBeCloseTo(cos(rows[1], rows[2]), 6);
    expect(kv.distance('w1', 'w2')).toBeCloseTo(1 - cos(rows[1], rows[2]), 6);
    const d = kv.distances('w4', ['w5', 'w4']);
    expect(d[0]).toBeCloseTo(1 - cos(rows[4], rows[5]), 6);
    expect(d[1]).toBeCloseTo(0, 6);
    const all = kv.distances('w4');
    expect(all).toHaveLength(50);
    for (let i = 0; i < 50; i++) expect(all[i]).toBeCloseTo(1 - cos(rows[4], rows[i]), 5);
    // getMean: of unit vectors by default; weights; raw vectors as given; unknown words skipped
    const m = kv.getMean(['w1', 'w2', 'missing'], { weights: [1, 3, 1] });
    for (let c = 0; c < 7; c++) expect(m[c]).toBeCloseTo((rows[1][c] / norm(rows[1]) + 3 * rows[2][c] / norm(rows[2])) / 4, 6);
    const raw = kv.getMean(['w1', rows[2]], { preNormalize: false, postNormalize: true });
    const sum = Array.from(rows[1], (x, c) => x + rows[2][c]);
    for (let c = 0; c < 7; c++) expect(raw[c]).toBeCloseTo(sum[c] / norm(sum), 6);
    expectCode(() => kv.getMean(['missing'], { ignoreMissing: false }), 'E_OOV', 'missing');
    expectCode(() => kv.getMean([]), 'E_EMPTY');
  });

  it('bad input: unknown words, wrong shapes, NaN, empty queries, bad options, duplicates', async () => {
    const rt = await rtFor(build);
    using kv = KeyedVectors.fromArrays(HAND_WORDS, HAND, 5, { rt });
    expectCode(() => kv.mostSimilar({ positive: ['king', 'unicorn'] }), 'E_OOV', "'unicorn'");
    expectCode(() => kv.mostSimilarCosmul({ positive: ['king'], negative: ['unicorn'] }), 'E_OOV', "'unicorn'");
    expectCode(() => kv.similarity('king', 'unicorn'), 'E_OOV', "'unicorn'");
    expectCode(() => kv.mostSimilar({ positive: [] }), 'E_OPTION');
    expectCode(() => kv.mostSimilar({}), 'E_OPTION');
    expectCode(() => kv.mostSimilarCosmul({ negative: ['king'] }), 'E_OPTION');
    expectCode(() => kv.mostSimilar({ positive: [new Float32Array(4)] }), 'E_SHAPE');
    expectCode(() => kv.mostSimilar({ positive: [new Float32Array([1, NaN, 0, 0, 0])] }), 'E_NAN');
    expectCode(() => kv.similarByVector([1, 0, Infinity, 0, 0]), 'E_NAN');
    expectCode(() => kv.mostSimilar({ positive: [['king', NaN]] }), 'E_NAN');
    expectCode(() => kv.mostSimilar({ positive: ['king'], topn: -1 }), 'E_OPTION', 'topn');
    expectCode(() => kv.mostSimilar({ positive: ['king'], topn: 2.5 }), 'E_OPTION', 'topn');
    expectCode(() => kv.mostSimilar({ positive: ['king'], restrictVocab: 0 }), 'E_OPTION', 'restrictVocab');
    // a number is a row index (gensim's integer keys): it must be an integer in range
    expectCode(() => kv.mostSimilar({ positive: ['king', 2.5] }), 'E_OPTION', 'integer');
    expectCode(() => kv.mostSimilar({ positive: ['king', kv.size] }), 'E_OOV', `row ${kv.size}`);
    expectCode(() => kv.mostSimilar({ positive: [3] }), 'E_SHAPE'); // a number[] is one vector
    expectCode(() => kv.doesntMatch(['x', 'y']), 'E_EMPTY');
    expectCode(() => KeyedVectors.fromArrays(['a', 'b', 'a'], new Float32Array(6), 2, { rt }), 'E_OPTION', "duplicate word 'a'");
    expectCode(() => KeyedVectors.fromArrays(['a', 'b'], new Float32Array(5), 2, { rt }), 'E_SHAPE');
    expectCode(() => KeyedVectors.fromArrays(['a'], new Float32Array([1, NaN]), 2, { rt }), 'E_NAN');
    const m = new DenseMatrix(3, 2, { rt });
    expectCode(() => new KeyedVectors(['a', 'b'], m), 'E_SHAPE');
    expectCode(() => new KeyedVectors(['a', 'b', 'c'], m, { counts: [1, 2] }), 'E_SHAPE');
    m.dispose();
  });

  it('zero rows score 0 and never produce NaN', async () => {
    const rt = await rtFor(build);
    const data = new Float32Array([1, 0, 0, 0, 0, 1, 0.5, 0.5]);
    using kv = KeyedVectors.fromArrays(['a', 'zero', 'b', 'c'], data, 2, { rt });
    const r = kv.mostSimilar({ positive: ['a'], topn: 3 });
    expect(r.map((x) => x[0])).toEqual(['c', 'zero', 'b']);
    expect(r[1][1]).toBe(0);
    expect(kv.similarity('a', 'zero')).toBe(0);
    expect(kv.get('zero', { norm: true })).toEqual(new Float32Array(2));
  });

  it('search is one scoreRows per query over any Matrix, with no per-row decoding', async () => {
    const rt = await rtFor(build);
    const inner = DenseMatrix.from(randomF32(300 * 16, rng(41)), 300, 16, rt);
    const calls = { scoreRows: 0, rowNorms: 0, decodeRow: 0 };
    // a table that is not a DenseMatrix (as a quantized table would be): KeyedVectors sees only the interface
    const counting: Matrix = {
      rows: inner.rows, cols: inner.cols, dtype: 'int8', bytes: inner.bytes, rt,
      dotRow: (i, q) => inner.dotRow(i, q),
      addRowTo: (i, out, s) => inner.addRowTo(i, out, s),
      decodeRow: (i, out) => (calls.decodeRow++, inner.decodeRow(i, out)),
      scoreRows: (q, out, lim) => (calls.scoreRows++, inner.scoreRows(q, out, lim)),
      rowNorms: (out) => (calls.rowNorms++, inner.rowNorms(out)),
      scoreSubset: (q, idx, n, out) => inner.scoreSubset(q, idx, n, out),
      dispose: () => inner.dispose(),
    };
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const kv = new KeyedVectors(words, counting);
    const want = refMostSimilar(words, rowsOf(inner.data().slice(), 16), ['w1', 'w2'], ['w3'], 10);
    for (let t = 0; t < 5; t++) {
      const got = kv.mostSimilar({ positive: ['w1', 'w2'], negative: ['w3'], topn: 10 });
      expect(expectSameRanking(got, want, 2e-6)).toBeUndefined();
    }
    expect(calls).toEqual({ scoreRows: 5, rowNorms: 1, decodeRow: 15 });
    kv.invalidateNorms();
    kv.similarByWord('w7', 3);
    expect(calls.rowNorms).toBe(2);
    kv.dispose();
    expect(inner.isDisposed).toBe(true); // owned by default
  });

  it('memory: norms and scratch once, freed by dispose(); borrowed matrices survive; withMatrix shares the vocab', async () => {
    const rt = await rtFor(build);
    const m = DenseMatrix.from(randomF32(1000 * 32, rng(51)), 1000, 32, rt);
    const words = Array.from({ length: 1000 }, (_, i) => `w${i}`);
    const before = rt.arena.used;
    const kv = new KeyedVectors(words, m, { ownsMatrix: false, counts: words.map((_, i) => 1000 - i) });
    expect(rt.arena.used).toBe(before); // nothing until the first query
    kv.mostSimilar({ positive: ['w1'] });
    const afterOne = rt.arena.used;
    for (let t = 0; t < 20; t++) kv.mostSimilar({ positive: ['w1', 'w2'], negative: ['w9'] });
    kv.evaluateWordPairs('w1\tw2\t1\nw3\tw4\t2\nw5\tw6\t3\n');
    expect(rt.arena.used).toBe(afterOne); // scratch reused
    // norms (4/row) + scores (4/row) + query + top-k: no second copy of the matrix
    expect(afterOne - before).toBeLessThan(2 * 1000 * 4 + 32 * 4 + 1024);
    const mem = kv.estimateMemory();
    expect(mem.vectors).toBe(1000 * 32 * 4);
    expect(mem.norms).toBe(1000 * 4);
    expect(mem.scratch).toBeGreaterThanOrEqual(1000 * 4 + 32 * 4);
    expect(mem.vocab).toBeGreaterThan(1000 * 8);
    expect(mem.total).toBe(mem.vectors + mem.norms + mem.vocab + mem.scratch);
    expect(kv.getCount('w2')).toBe(998);

    const copy = kv.withMatrix(DenseMatrix.from(m.data().slice(), 1000, 32, rt));
    expect(copy.vocab).toBe(kv.vocab);
    expect(copy.counts).toEqual(kv.counts);
    expect(copy.mostSimilar({ positive: ['w5'] })).toEqual(kv.mostSimilar({ positive: ['w5'] }));
    expectCode(() => kv.withMatrix(new DenseMatrix(3, 32, { rt })), 'E_SHAPE');

    kv.dispose();
    kv.dispose(); // twice is fine
    expect(m.isDisposed).toBe(false); // borrowed
    expect(rt.arena.used).toBeGreaterThan(before); // the copy still holds its table
    expectCode(() => kv.mostSimilar({ positive: ['w1'] }), 'E_DISPOSED');
    copy[Symbol.dispose]();
    m.dispose();
    expect(rt.arena.used).toBeLessThan(before);
  });

  it('Vocab: word ↔ index, the evaluation index keeps the first case variant', () => {
    const v = new Vocab(['Paris', 'the', 'paris', 'PARIS', 'x']);
    expect(v.size).toBe(5);
    expect(v.wordAt(2)).toBe('paris');
    expectCode(() => v.wordAt(5), 'E_OPTION');
    const ci = v.evaluationIndex(300000, true);
    expect(ci.get('PARIS')).toBe(0);
    expect(ci.size).toBe(3);
    const cs = v.evaluationIndex(3, false);
    expect([...cs.entries()].sort()).toEqual([['Paris', 0], ['paris', 2], ['the', 1]]);
    expectCode(() => new Vocab(['a', 'b', 'a']), 'E_OPTION', 'indices 0 and 2');
  });
});
