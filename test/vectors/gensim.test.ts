// KeyedVectors against gensim 4.2 itself: test/fixtures/vectors/gensim-expected.json was made by
// test/fixtures/vectors/make_expected.py (run it with Debian's /usr/bin/python3 and python3-gensim).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { BUILDS, rtFor } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { expectSameRanking, parseWord2VecText } from './reference.js';

const dir = new URL('../fixtures/vectors/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const expected = JSON.parse(read('gensim-expected.json'));

type Sims = Array<[string, number]>;
const TOL = 2e-6; // float32 sums in a different order than BLAS

async function load(name: string, build: (typeof BUILDS)[number]): Promise<KeyedVectors> {
  const { words, data, dim } = parseWord2VecText(read(name));
  return KeyedVectors.fromArrays(words, data, dim, { rt: await rtFor(build) });
}

const shared = new URL('../../../shared/data/formats/gensim.txt', import.meta.url);
it.skipIf(!existsSync(shared))('tiny-gensim.txt is an exact copy of ../shared/data/formats/gensim.txt', () => {
  expect(read('tiny-gensim.txt')).toBe(readFileSync(shared, 'utf8'));
});

describe.each(BUILDS)('matches gensim 4.2, %s build', (build) => {
  let tiny: KeyedVectors, synth: KeyedVectors;
  beforeAll(async () => {
    tiny = await load('tiny-gensim.txt', build);
    synth = await load('synth.txt', build);
  });
  afterAll(() => {
    tiny.dispose();
    synth.dispose();
  });

  it('gensim-made vectors (formats/gensim.txt): most_similar, cosmul, similarity, doesnt_match, distances', () => {
    const e = expected.tiny;
    for (const [word, want] of Object.entries(e.mostSimilar) as Array<[string, Sims]>) {
      expect(expectSameRanking(tiny.similarByWord(word, 5), want, TOL), word).toBeUndefined();
    }
    expect(expectSameRanking(tiny.mostSimilar({ positive: ['god', 'earth'], negative: ['man'], topn: 5 }), e.analogy, TOL)).toBeUndefined();
    expect(expectSameRanking(tiny.mostSimilar({ positive: ['god'], topn: 5, restrictVocab: 20 }), e.restricted, TOL)).toBeUndefined();
    expect(expectSameRanking(tiny.mostSimilarCosmul({ positive: ['god', 'earth'], negative: ['man'], topn: 5 }), e.cosmul, TOL)).toBeUndefined();
    expect(expectSameRanking(tiny.mostSimilarCosmul({ positive: ['lord', 'days'], topn: 5 }), e.cosmulPositive, TOL)).toBeUndefined();
    for (const [a, b, s] of e.similarity) expect(tiny.similarity(a, b)).toBeCloseTo(s, 6);
    for (const [words, odd] of e.doesntMatch) expect(tiny.doesntMatch(words)).toBe(odd);
    Array.from(tiny.distances('god', ['earth', 'man', 'god'])).forEach((d, i) => expect(d).toBeCloseTo(e.distances[i], 6));
  });

  it('synthetic vectors: analogies by words, by vector, mixed, weighted, restricted; cosmul', () => {
    const e = expected.synth;
    expect(expectSameRanking(synth.mostSimilar({ positive: ['germany', 'paris'], negative: ['france'] }), e.mostSimilar, TOL)).toBeUndefined();
    expect(expectSameRanking(synth.similarByVector(e.byVector.vector, 8), e.byVector.result, TOL)).toBeUndefined();
    expect(expectSameRanking(synth.mostSimilar({ positive: ['rome', e.mixed.vector], negative: ['italy'], topn: 8 }), e.mixed.result, TOL)).toBeUndefined();
    expect(expectSameRanking(synth.mostSimilar({ positive: [['king', 2], 'woman'], negative: [['man', -0.5]], topn: 8 }), e.weighted, TOL)).toBeUndefined();
    expect(expectSameRanking(synth.mostSimilar({ positive: ['king'], topn: 8, restrictVocab: 60 }), e.restricted, TOL)).toBeUndefined();
    expect(expectSameRanking(synth.mostSimilarCosmul({ positive: ['germany', 'paris'], negative: ['france'] }), e.cosmul, TOL)).toBeUndefined();
  });

  it('evaluate_word_analogies: the same sections, counts, score and OOV, under every option', () => {
    const text = read('synth-questions.txt');
    for (const g of expected.synth.analogies) {
      const o = g.options;
      const r = synth.evaluateWordAnalogies(text, { restrictVocab: o.restrict_vocab, caseInsensitive: o.case_insensitive, dummy4unknown: o.dummy4unknown });
      expect(r.sections, JSON.stringify(o)).toEqual(g.sections);
      expect(r.score).toBeCloseTo(g.score, 12);
      expect(r.oov.count).toBe(g.oov);
    }
  });

  it('evaluate_word_pairs: Pearson, Spearman and OOV ratio, on synthetic pairs and on WordSim-353 lines', () => {
    for (const [file, cases] of [['synth-pairs.tsv', expected.synth.pairs], ['wordsim353-sample.tsv', expected.synth.wordsim]] as const) {
      const text = read(file);
      for (const g of cases) {
        const o = g.options;
        const r = synth.evaluateWordPairs(text, { restrictVocab: o.restrict_vocab, caseInsensitive: o.case_insensitive, dummy4unknown: o.dummy4unknown });
        expect(r.pearson, `${file} ${JSON.stringify(o)}`).toBeCloseTo(g.pearson, 5);
        expect(r.spearman, `${file} ${JSON.stringify(o)}`).toBeCloseTo(g.spearman, 5);
        expect(r.oovRatio).toBeCloseTo(g.oovRatio, 10);
      }
    }
  });
});
