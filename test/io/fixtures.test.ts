// The reference files written by word2vec C, gensim and fastText (copies in test/fixtures/io, see its README).
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/io/node.js';
import { parseWord2Vec, readWord2Vec } from '../../src/io/word2vec.js';
import { expectModel, fixture, fixtureBytes, refParseBinary, refParseText, row, SHARED_FORMATS } from './util.js';

const FILES = ['w2v.bin', 'w2v.txt', 'gensim.bin', 'gensim.txt', 'ft0.vec', 'ft_b100.vec'];
const text = (name: string) => new TextDecoder().decode(fixtureBytes(name));

describe('reference fixtures', () => {
  it.each(FILES)('%s loads with the vocabulary size and dimension of its header, and matches an independent reader', async (name) => {
    const bytes = fixtureBytes(name);
    const [count, dim] = new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(10))).split(' ').map(Number);
    const got = await readWord2Vec(fixture(name)); // format detected
    expect(got.words.length).toBe(count);
    expect(got.dim).toBe(dim);
    expect(got.vectors.length).toBe(count * dim);
    const binary = name.endsWith('.bin');
    expectModel(got, binary ? refParseBinary(bytes) : refParseText(text(name)));
    expectModel(await readWord2Vec(fixture(name), { binary }), binary ? refParseBinary(bytes) : refParseText(text(name)));
  });

  it('word2vec C writes a newline after each binary vector and gensim 4 writes none; both read the same', () => {
    const w2v = fixtureBytes('w2v.bin');
    const gensim = fixtureBytes('gensim.bin');
    const a = parseWord2Vec(w2v);
    const b = parseWord2Vec(gensim);
    // the gensim files are the word2vec C model re-saved by gensim: 46 records, 46 bytes apart
    expect(w2v.length - gensim.length).toBe(46);
    expect(b.words).toEqual(a.words);
    expect(b.vectors).toEqual(a.vectors);
  });

  it('binary and text files of the same model agree (word2vec C %lf text: 6 decimals; gensim text: exact)', () => {
    const bin = parseWord2Vec(fixtureBytes('w2v.bin'));
    const txt = parseWord2Vec(fixtureBytes('w2v.txt'));
    expect(txt.words).toEqual(bin.words);
    let maxErr = 0;
    for (let i = 0; i < bin.vectors.length; i++) maxErr = Math.max(maxErr, Math.abs(bin.vectors[i] - txt.vectors[i]));
    expect(maxErr).toBeGreaterThan(0); // 6 decimals do lose something…
    expect(maxErr).toBeLessThanOrEqual(5e-7 + 1e-7); // …half a unit in the 6th decimal, plus float32 rounding
    const gtxt = parseWord2Vec(fixtureBytes('gensim.txt'));
    expect(gtxt.words).toEqual(bin.words);
    expect(gtxt.vectors).toEqual(bin.vectors); // gensim prints repr(float32): exact
  });

  it('fastText .vec files are word2vec text with the same vocabulary as the word2vec C model', () => {
    const w2vWords = parseWord2Vec(fixtureBytes('w2v.txt')).words;
    const firstRows: Record<string, number[]> = {
      'ft0.vec': [-0.1961, 0.2175, -0.15241, -0.051273],
      'ft_b100.vec': [-0.015012, 0.048094, -0.028049, -0.0132],
    };
    for (const [name, first] of Object.entries(firstRows)) {
      const ft = parseWord2Vec(fixtureBytes(name));
      expect(ft.dim).toBe(4);
      expect([...ft.words].sort()).toEqual([...w2vWords].sort());
      expect(ft.words[0]).toBe('and'); // fastText orders by count and does not put '</s>' first
      // fastText prints 5 significant digits: the first row, copied from the file by hand
      expect(row(ft.vectors, 4, 0)).toEqual(first.map(Math.fround));
    }
  });

  it.skipIf(!existsSync(SHARED_FORMATS))('the copies equal shared/data/formats (when it sits beside the clone)', () => {
    for (const name of [...FILES, 'ft0.bin']) expect(fixtureBytes(name)).toEqual(new Uint8Array(readFileSync(join(SHARED_FORMATS, name))));
  });
});
