// gensim parity for KeyedVectors (the first-hour API): nSimilarity, rank, closerThan, mostSimilarToGiven, addVectors,
// keyToIndex and integer row keys against gensim 4.2's answers (test/fixtures/vectors/make_expected.py → 'parity');
// kv.vectors cached; topn beyond the vocabulary.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { QuantizedIndexer } from '../../src/vectors/indexer.js';
import { QuantextError } from '../../src/errors.js';
import { expectSameRanking, parseWord2VecText } from './reference.js';

const dir = new URL('../fixtures/vectors/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const P = JSON.parse(read('gensim-expected.json')).parity;
const TOL = 2e-6;

function code(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof QuantextError ? e.code : String(e); }
  return undefined;
}

describe.each(BUILDS)('gensim parity, %s build', (build) => {
  let kv: KeyedVectors;
  const load = async () => {
    const { words, data, dim } = parseWord2VecText(read('synth.txt'));
    return KeyedVectors.fromArrays(words, data, dim, { rt: await rtFor(build) });
  };
  beforeAll(async () => { kv = await load(); });
  afterAll(() => kv.dispose());

  it('nSimilarity, rank, closerThan / wordsCloserThan, mostSimilarToGiven', () => {
    for (const [a, b, s] of P.nSimilarity) expect(kv.nSimilarity(a, b)).toBeCloseTo(s, 6);
    for (const [a, b, r] of P.rank) expect(kv.rank(a, b), `${a} ${b}`).toBe(r);
    for (const [a, b, words] of P.closerThan) {
      expect(kv.closerThan(a, b)).toEqual(words);
      expect(kv.wordsCloserThan(a, b)).toEqual(words);
    }
    for (const [k, ks, want] of P.mostSimilarToGiven) expect(kv.mostSimilarToGiven(k, ks)).toBe(want);
    expect(code(() => kv.nSimilarity([], ['king']))).toBe('E_EMPTY');
    expect(code(() => kv.mostSimilarToGiven('king', []))).toBe('E_EMPTY');
    expect(code(() => kv.rank('king', 'unknownword'))).toBe('E_OOV');
  });

  it('keyToIndex (the vocabulary map itself) and integer row keys in queries', () => {
    for (const [w, i] of Object.entries(P.keyToIndex)) expect(kv.keyToIndex.get(w)).toBe(i);
    expect(kv.keyToIndex.size).toBe(200);
    expect(kv.keyToIndex).toBe(kv.keyToIndex); // no copy
    const e = P.intKeys;
    for (const [a, b, s] of e.similarity) expect(kv.similarity(a, b)).toBeCloseTo(s, 6);
    // gensim's positive=[5, 'king'], negative=[7]: a plain number[] is a vector here, so the lone row goes alone
    expect(expectSameRanking(kv.mostSimilar({ positive: [5, 'king'], negative: 7, topn: 6 }), e.mostSimilar, TOL)).toBeUndefined();
    expect(code(() => kv.mostSimilar({ positive: ['king'], negative: [7] }))).toBe('E_SHAPE');
    expect(expectSameRanking(kv.similarByWord(12, 4), e.byKey, TOL)).toBeUndefined();
    Array.from(kv.distances(3, [10, 'paris', 3])).forEach((d, i) => expect(d).toBeCloseTo(e.distances[i], 6));
    expect(Array.from(kv.get(4))).toEqual(Array.from(kv.get(kv.keys[4])));
    expect(kv.rowOf('paris')).toBe(P.keyToIndex.paris);
    expect(code(() => kv.get(200))).toBe('E_OOV');
    expect(code(() => kv.get(1.5))).toBe('E_OPTION');
    // 3CosMul takes row keys too (gensim 4.2's most_similar_cosmul mistakes an int for a vector and fails)
    const byRow = kv.mostSimilarCosmul({ positive: [5, 'king'], negative: 7, topn: 6 });
    expect(byRow).toEqual(kv.mostSimilarCosmul({ positive: [kv.keys[5], 'king'], negative: [kv.keys[7]], topn: 6 }));
  });

  it('addVectors appends new keys (existing ones kept, or replaced with replace: true), as gensim', async () => {
    const kv2 = await load();
    const a = P.addVectors;
    const before = kv2.matrix;
    const cached = kv2.vectors;
    kv2.addVectors(a.keys1, a.vectors1.flat());
    expect(before.isDisposed).toBe(true); // owned: replaced
    expect(kv2.size).toBe(a.step1.size);
    for (const [k, i] of Object.entries(a.step1.index)) expect(kv2.getIndex(k)).toBe(i);
    expect(kv2.keyToIndex.get('zzz_new2')).toBe(a.step1.index.zzz_new2);
    Array.from(kv2.get('paris')).forEach((v, i) => expect(v).toBe(Math.fround(a.step1.paris[i]))); // kept
    expect(kv2.vectors).not.toBe(cached);
    expect(kv2.vectors.length).toBe(a.step1.size * 16);
    expect(expectSameRanking(kv2.similarByWord('zzz_new1', 5), a.step1.mostSimilar, TOL)).toBeUndefined();
    expect(expectSameRanking(kv2.mostSimilar({ positive: ['zzz_new2'], topn: 5 }), a.step1.byNew, TOL)).toBeUndefined();
    kv2.addVectors(a.keys2, a.vectors2, { replace: true }); // one array per key
    expect(kv2.size).toBe(a.step2.size);
    for (const [k, i] of Object.entries(a.step2.index)) expect(kv2.getIndex(k)).toBe(i);
    Array.from(kv2.get('paris')).forEach((v, i) => expect(v).toBe(Math.fround(a.step2.paris[i]))); // replaced
    expect(expectSameRanking(kv2.similarByWord('paris', 5), a.step2.mostSimilar, TOL)).toBeUndefined();
    expect(code(() => kv2.addVectors(['x1'], [1, 2]))).toBe('E_SHAPE');
    expect(code(() => kv2.addVectors(['x1', 'x1'], new Float32Array(32)))).toBe('E_OPTION');
    expect(code(() => kv2.addVectors(['x1'], new Float32Array(16).fill(NaN)))).toBe('E_NAN');
    const q = kv2.quantize({ scheme: 'int8' });
    expect(code(() => q.addVectors(['x1'], new Float32Array(16)))).toBe('E_UNSUPPORTED');
    q.dispose();
    kv2.dispose();
  });

  it('kv.vectors is decoded once and cached: 10k accesses are one decode, the same array, until the table changes', async () => {
    const rt = await rtFor(build);
    const n = 300, dim = 8;
    const base = KeyedVectors.fromArrays(Array.from({ length: n }, (_, i) => `w${i}`), randomF32(n * dim, rng(4)), dim, { rt });
    const q = base.quantize({ scheme: 'int8' });
    const decodes = vi.spyOn(q.matrix, 'decodeRow');
    const first = q.vectors;
    let s = 0;
    for (let i = 0; i < 10000; i++) s += q.vectors[(i * 7) % (n * dim)];
    expect(Number.isFinite(s)).toBe(true);
    expect(decodes).toHaveBeenCalledTimes(n); // one pass over the rows, not 10k
    expect(q.vectors).toBe(first);
    expect(first.subarray(5 * dim, 6 * dim)).toEqual(q.vectorAt(5));
    q.invalidateNorms(); // the table changed in place (as training does): a fresh decode
    expect(q.vectors).not.toBe(first);
    q.releaseVectors();
    q.vectors;
    expect(decodes).toHaveBeenCalledTimes(3 * n + 1); // + the vectorAt above
    // a dense table: copied without decoding row by row, cached the same way
    const d = base.vectors;
    expect(base.vectors).toBe(d);
    expect(d.subarray(7 * dim, 8 * dim)).toEqual(base.get('w7'));
    q.dispose();
    base.dispose();
  });

  it('topn beyond the vocabulary returns everything (no huge allocation)', async () => {
    const rt = await rtFor(build);
    const n = 50, dim = 8;
    const small = KeyedVectors.fromArrays(Array.from({ length: n }, (_, i) => `w${i}`), randomF32(n * dim, rng(6)), dim, { rt });
    const used = rt.arena.used;
    const big = 2 ** 31 - 1;
    expect(small.mostSimilar({ positive: ['w1'], topn: big }).length).toBe(n - 1);
    expect(small.similarByVector(small.get('w1'), 1e9).length).toBe(n);
    expect(small.similarByWord('w1', big, 10).length).toBe(9);
    expect(small.mostSimilarCosmul({ positive: ['w1', 'w2'], negative: ['w3'], topn: big }).length).toBe(n - 3);
    expect(small.nearest(small.get('w2'), big).indices.length).toBe(n);
    const ix = new QuantizedIndexer(small, { coarse: 'int8', candidates: 10 });
    expect(small.mostSimilar({ positive: ['w1'], topn: big, indexer: ix }).length).toBe(n);
    expect(ix.search(small.get('w3'), big).indices.length).toBe(n);
    ix.dispose();
    expect(rt.arena.used - used).toBeLessThan(64 * 1024); // scratch sized by the rows, not by topn
    small.dispose();
  });
});
