import { describe, it, expect } from 'vitest';
import { rtFor, rng } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { pearson, rankData, spearman } from '../../src/vectors/evaluate.js';
import { QuantextError } from '../../src/errors.js';
import { cos, refPearson, refRanks, refSpearman } from './reference.js';

// Axes: person, royal, child, female, fruit. Male words sit on their concept axis; female words add the
// female axis, so b − a + c lands exactly on the right answer. 'King' (a late case variant) is placed just
// past 'queen', so it wins the search when case matters and is ignored when case is folded.
const S = Math.SQRT1_2;
const WORDS = ['man', 'woman', 'king', 'queen', 'boy', 'girl', 'apple', 'King'];
const VECS = new Float32Array([
  1, 0, 0, 0, 0, // man
  S, 0, 0, S, 0, // woman
  0, 1, 0, 0, 0, // king
  0, S, 0, S, 0, // queen
  0, 0, 1, 0, 0, // boy
  0, 0, S, S, 0, // girl
  0, 0, 0, 0, 1, // apple
  0, 0.717, 0, 0.707, 0, // King
]);

const QUESTIONS = `: family
man woman king queen
man woman boy girl
king queen boy girl
man woman king girl
man woman king unicorn
MAN WOMAN KING QUEEN
man woman

: other
boy girl man woman
woman man queen king
`;

function expectCode(fn: () => unknown, code: string, text?: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(QuantextError);
  expect((err as QuantextError).code).toBe(code);
  if (text) expect((err as Error).message).toContain(text);
}

describe('evaluateWordAnalogies on a hand-counted set', () => {
  it('counts correct, incorrect and OOV per section (case-insensitive default)', async () => {
    using kv = KeyedVectors.fromArrays(WORDS, VECS, 5, { rt: await rtFor('simd') });
    const r = kv.evaluateWordAnalogies(QUESTIONS);
    // family: q1 ✓ (King is QUEEN? no: KING, a question word → skipped, queen next), q2 ✓, q3 ✓, q4 ✗ (queen ≠ girl),
    // q5 OOV, q6 ✓ (upper case folds), 'man woman' invalid; other: both ✓
    expect(r.sections).toEqual([
      { section: 'family', correct: 4, incorrect: 1 },
      { section: 'other', correct: 2, incorrect: 0 },
      { section: 'Total accuracy', correct: 6, incorrect: 1 },
    ]);
    expect(r.total).toEqual({ correct: 6, total: 7, accuracy: 6 / 7 });
    expect(r.score).toBe(6 / 7);
    expect(r.questions).toBe(8);
    expect(r.oov).toEqual({ count: 1, ratio: 12.5 });
  });

  it('case-sensitive: upper-case questions are OOV and the variant King becomes a (wrong) prediction', async () => {
    using kv = KeyedVectors.fromArrays(WORDS, VECS, 5, { rt: await rtFor('scalar') });
    const r = kv.evaluateWordAnalogies(QUESTIONS, { caseInsensitive: false });
    expect(r.sections[0]).toEqual({ section: 'family', correct: 2, incorrect: 2 });
    expect(r.total).toEqual({ correct: 4, total: 6, accuracy: 4 / 6 });
    expect(r.oov).toEqual({ count: 2, ratio: 25 });
    // the variant really is the nearest non-question word
    expect(kv.mostSimilar({ positive: ['woman', 'king'], negative: ['man'], topn: 1 })[0][0]).toBe('King');
  });

  it('dummy4unknown counts OOV questions as incorrect; restrictVocab limits both the known words and the answers', async () => {
    using kv = KeyedVectors.fromArrays(WORDS, VECS, 5, { rt: await rtFor('simd') });
    const d = kv.evaluateWordAnalogies(QUESTIONS, { dummy4unknown: true });
    expect(d.total).toEqual({ correct: 6, total: 8, accuracy: 0.75 });
    expect(d.oov.count).toBe(1);
    // first 4 words: only questions over man/woman/king/queen remain, and each has one candidate left
    const r = kv.evaluateWordAnalogies(QUESTIONS, { restrictVocab: 4 });
    expect(r.total).toEqual({ correct: 3, total: 3, accuracy: 1 });
    expect(r.oov).toEqual({ count: 5, ratio: 62.5 });
  });

  it('accepts UTF-8 bytes and CRLF line ends; rejects questions before a section and empty input', async () => {
    using kv = KeyedVectors.fromArrays(WORDS, VECS, 5, { rt: await rtFor('simd') });
    const crlf = new TextEncoder().encode(QUESTIONS.replace(/\n/g, '\r\n'));
    expect(kv.evaluateWordAnalogies(crlf).total).toEqual(kv.evaluateWordAnalogies(QUESTIONS).total);
    expect(kv.evaluateWordAnalogies(crlf).sections[0].section).toBe('family');
    expectCode(() => kv.evaluateWordAnalogies('man woman king queen\n: s\n', { name: 'q.txt' }), 'E_FORMAT', 'q.txt: line 1');
    expectCode(() => kv.evaluateWordAnalogies(': s\nman woman\n'), 'E_EMPTY');
    expectCode(() => kv.evaluateWordAnalogies(new Uint8Array([0x3a, 0x20, 0xff, 0x0a])), 'E_FORMAT', 'UTF-8');
    expectCode(() => kv.evaluateWordAnalogies(QUESTIONS, { restrictVocab: -3 }), 'E_OPTION', 'restrictVocab');
  });
});

describe('evaluateWordPairs and the correlations', () => {
  it('rankData gives average ranks for ties (scipy method "average")', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    expect(Array.from(rankData(x))).toEqual(refRanks(x));
    expect(Array.from(rankData([2, 2, 2]))).toEqual([2, 2, 2]);
    expect(Array.from(rankData([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]);
  });

  it('pearson and spearman match independent references, with ties', () => {
    const r = rng(5);
    for (let t = 0; t < 20; t++) {
      const n = 5 + Math.floor(r() * 60);
      const x = Array.from({ length: n }, () => Math.round(r() * 8) / 2); // many ties
      const y = x.map((v) => v + (r() - 0.5) * 6);
      if (t % 2) for (let i = 0; i < n; i += 3) y[i] = 0; // ties in y too
      expect(pearson(x, y)).toBeCloseTo(refPearson(x, y), 10);
      expect(spearman(x, y)).toBeCloseTo(refSpearman(x, y), 10);
    }
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(pearson([1], [2])).toBeNaN(); // undefined, as scipy
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
  });

  it('scores pairs by cosine, skips comments, invalid lines and OOV pairs, and reports the OOV ratio in percent', async () => {
    const r = rng(9);
    const words = ['tiger', 'cat', 'book', 'paper', 'computer', 'keyboard', 'car', 'train', 'plane'];
    const data = new Float32Array(words.length * 6).map(() => r() * 2 - 1);
    using kv = KeyedVectors.fromArrays(words, data, 6, { rt: await rtFor('simd') });
    const text = [
      '# a header', '# word1\tword2\tscore',
      'tiger\tcat\t7.35', 'tiger\ttiger\t10.00', 'book\tpaper\t7.46', 'computer\tkeyboard\t7.62',
      'plane\tcar\t5.77', 'train\tcar\t6.31', 'Tiger\tCAR\t5.77', 'stock\tjaguar\t0.92',
      'cat\tbook', 'cat\tbook\tmany', 'cat\tbook\t1\t2', '',
    ].join('\n');
    const got = kv.evaluateWordPairs(text);
    const pairs = [['tiger', 'cat', 7.35], ['tiger', 'tiger', 10], ['book', 'paper', 7.46], ['computer', 'keyboard', 7.62],
      ['plane', 'car', 5.77], ['train', 'car', 6.31], ['tiger', 'car', 5.77]] as const;
    const row = (w: string) => data.subarray(words.indexOf(w) * 6, words.indexOf(w) * 6 + 6);
    const gold = pairs.map((p) => p[2]), model = pairs.map((p) => cos(row(p[0]), row(p[1])));
    expect(got.pairs).toBe(7);
    expect(got.oov).toBe(1);
    expect(got.oovRatio).toBeCloseTo(100 / 8, 12);
    expect(got.pearson).toBeCloseTo(refPearson(gold, model), 6);
    expect(got.spearman).toBeCloseTo(refSpearman(gold, model), 6);

    const dummy = kv.evaluateWordPairs(text, { dummy4unknown: true });
    expect(dummy.pairs).toBe(8);
    expect(dummy.spearman).toBeCloseTo(refSpearman([...gold, 0.92], [...model, 0]), 6);
    expect(dummy.oovRatio).toBeCloseTo(100 / 8, 12);

    const cs = kv.evaluateWordPairs(text, { caseInsensitive: false });
    expect(cs.oov).toBe(2); // Tiger/CAR no longer match
    const comma = kv.evaluateWordPairs('tiger,cat,1\nbook,paper,2\ncar,train,3\n', { delimiter: ',' });
    expect(comma.pairs).toBe(3);
    expectCode(() => kv.evaluateWordPairs('wordsim353.tsv'), 'E_IO', 'wordsim353.tsv'); // a path (no line break): missing
    expectCode(() => kv.evaluateWordPairs('x\ty\t1\n'), 'E_EMPTY');
  });
});
