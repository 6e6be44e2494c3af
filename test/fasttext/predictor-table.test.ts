// The wasm predictor's word lookup (assembly/ft/predict.ts): an open-addressing table of (hash, record) slots, each
// record holding an entry's bytes and its input rows (the word's row, its character n-grams' rows), built once, and
// looked up a block of tokens at a time. Checked against the TypeScript port (FastTextModel.predictTokens, whose
// dictionary is a JS Map of strings, so it knows nothing of hashes) on a model made here: words whose fastText hashes
// are equal (one known and one unknown; two known), a word written twice in the dictionary (the last one wins, as in
// fastText's load), words of 1 … 24 bytes sharing prefixes (the 8-byte comparison's tails), unknown words, labels,
// a written "</s>", empty lines, and lines longer than a lookup block (256 tokens); with and without subwords and
// word n-grams, in small and large tables (a dictionary over 8192 entries takes 2 slots per entry instead of 4).
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextDictionary, fastTextTokens } from '../../src/fasttext/dictionary.js';
import { FastTextPredictor, type PredictionBlock } from '../../src/fasttext/predictor.js';
import { defaultArgs, type FastTextArgs } from '../../src/fasttext/args.js';
import { hashWord } from '../../src/fasttext/subwords.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { rng } from '../helpers.js';

// pairs of different words with equal fastText hashes (FNV-1a 32), found by a search over random lowercase words
const SAME_HASH: [string, string][] = [['nifjjwhhhg', 'yoiqwsev'], ['ziufijxa', 'ksmbuf'], ['vhwqux', 'yzuivik']];

function model(words: string[], labels: string[], over: Partial<FastTextArgs>, seed: number): FastTextModel {
  const args = defaultArgs({ model: 'supervised', loss: 'softmax', dim: 12, minCount: 1, ...over });
  const entries = [...words, ...labels];
  const dict = new FastTextDictionary(args, { entries, counts: Float64Array.from(entries, (_, i) => entries.length - i), nwords: words.length, ntokens: 1000, prunePairs: null });
  const r = rng(seed);
  const inRows = words.length + (args.maxn > 0 || args.wordNgrams > 1 ? args.bucket : 0);
  const input = DenseMatrix.from(Float32Array.from({ length: inRows * args.dim }, () => r() * 2 - 1), inRows, args.dim);
  const output = DenseMatrix.from(Float32Array.from({ length: labels.length * args.dim }, () => r() * 2 - 1), labels.length, args.dim);
  return new FastTextModel({ version: 12, args, dict, input, output, quantInput: false, qout: false });
}

function docOf(m: FastTextModel, b: PredictionBlock, d: number): [string, number][] {
  const out: [string, number][] = [];
  for (let j = b.offsets[d]; j < b.offsets[d + 1]; j++) out.push([m.labels[b.labels[j]], b.probs[j]]);
  return out;
}

/** The port's answer for each line of `text` (as fastText reads a stream: "</s>" after each newline-ended line, a written "</s>" ends a line). */
function reference(m: FastTextModel, text: string, k: number): [string, number][][] {
  const out: [string, number][][] = [];
  const ls = text.split('\n');
  const last = ls.pop()!;
  const lines = ls.map((l) => ({ l, eos: true }));
  if (last.length) lines.push({ l: last, eos: false });
  for (const { l, eos } of lines) {
    let toks = fastTextTokens(l);
    // a written "</s>" ends the line there; the rest is a line of its own (what predictBytes does without skipping)
    for (;;) {
      const i = toks.indexOf('</s>');
      if (i < 0) break;
      out.push(m.predictTokens(toks.slice(0, i), k, 0, true));
      toks = toks.slice(i + 1);
    }
    out.push(m.predictTokens(toks, k, 0, eos));
  }
  return out;
}

describe('FastTextPredictor word lookup (hash and record table)', () => {
  beforeAll(async () => {
    await init();
  });

  it('the colliding pairs do collide (and are different words)', () => {
    for (const [a, b] of SAME_HASH) {
      expect(a).not.toBe(b);
      expect(hashWord(a)).toBe(hashWord(b));
    }
  });

  const r = rng(3);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const randomWord = (n: number) => Array.from({ length: n }, () => letters[Math.floor(r() * 26)]).join('');
  const prefix = 'abcdefghijklmnopqrstuvwx';
  // known: the first of pair 0, both of pairs 1 and 2, prefixes of 1…24 bytes (every other), a repeated word, UTF-8
  const known = [SAME_HASH[0][0], ...SAME_HASH[1], ...SAME_HASH[2], ...[1, 3, 5, 7, 8, 9, 15, 16, 17, 24].map((n) => prefix.slice(0, n)), 'city', 'jury', 'déjà', 'city', '</s>'];
  const unknown = [SAME_HASH[0][1], ...[2, 4, 6, 10, 23].map((n) => prefix.slice(0, n)), 'abcdefgX', 'abcdefghijklmnoX', 'jur', 'juryy', 'déj', 'xyz'];
  const labels = ['__label__a', '__label__b', '__label__c', '__label__d'];

  function text(lines: number): string {
    const vocab = [...known.filter((w) => w !== '</s>'), ...unknown, '__label__b', '__label__zz'];
    const out: string[] = ['', known.join(' '), unknown.join(' '), SAME_HASH.flat().join(' '), `${known[0]} </s> ${unknown[0]} city`, '   ', '\t', ''];
    for (let i = 0; i < lines; i++) {
      const n = i % 7 === 0 ? 300 + Math.floor(r() * 400) : Math.floor(r() * 40);
      const ws: string[] = [];
      for (let j = 0; j < n; j++) ws.push(r() < 0.8 ? vocab[Math.floor(r() * vocab.length)] : randomWord(1 + Math.floor(r() * 12)));
      out.push(ws.join(r() < 0.5 ? ' ' : ' \t '));
    }
    return out.join('\n') + '\nlast line without newline ' + SAME_HASH[0][1];
  }

  for (const [name, over, filler] of [
    ['words only, small table', { minn: 0, maxn: 0, bucket: 0 }, 0],
    ['subwords and word bigrams, small table', { minn: 2, maxn: 4, bucket: 97, wordNgrams: 2 }, 0],
    ['subwords, a large table (9000 more words)', { minn: 3, maxn: 5, bucket: 211 }, 9000],
  ] as const) {
    it(`${name}: the same predictions as the port, line by line`, () => {
      const words = [...known];
      for (let i = 0; i < filler; i++) words.push(`f${i}${randomWord(3)}`);
      const m = model(words, labels, over, 11);
      const t = text(60);
      const want = reference(m, t, -1);
      const scalar = new FastTextPredictor(m, { scalar: true });
      for (const p of [m.predictor, scalar]) {
        const b = p.predictBytes(new TextEncoder().encode(t), { k: -1, final: true });
        expect(b.docs).toBe(want.length);
        for (let d = 0; d < b.docs; d++) expect(docOf(m, b, d), `line ${d}`).toEqual(want[d]);
      }
      scalar.dispose();
      // one text at a time: a known word vs its unknown twin of the same hash give different answers
      const [a, b] = SAME_HASH[0];
      expect(m.predict(`${a} ${a} ${a}`, -1)).toEqual(m.predictTokens([a, a, a], -1, 0, true));
      expect(m.predict(`${b} ${b} ${b}`, -1)).toEqual(m.predictTokens([b, b, b], -1, 0, true));
      expect(m.predict(`${a} ${a} ${a}`, -1)).not.toEqual(m.predict(`${b} ${b} ${b}`, -1));
      m.dispose();
    });
  }
});
