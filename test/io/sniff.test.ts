// Files that are not word vectors fail with E_FORMAT naming what they look like (src/io/sniff.ts), never with a
// header "found" message quoting binary bytes. Fixtures in test/fixtures/io (see its README): a fastText model
// .bin, a gensim Word2Vec model.save() pickle, a numpy .npy, w2v.txt gzipped and zipped, 2 KiB of random bytes.
import { describe, it, expect } from 'vitest';
import '../../src/io/node.js';
import { QuantextError } from '../../src/errors.js';
import { parseWord2Vec, readWord2Vec, Word2VecParser } from '../../src/io/word2vec.js';
import { parseGloVe, readGloVe } from '../../src/io/glove.js';
import { FASTTEXT_MAGIC, looksBinary, sniffNonVectors } from '../../src/io/sniff.js';
import { fixture, fixtureBytes } from './util.js';

function caught(f: () => unknown): QuantextError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    return e as QuantextError;
  }
  throw new Error('expected a QuantextError');
}

async function caughtAsync(p: Promise<unknown>): Promise<QuantextError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    return e as QuantextError;
  }
  throw new Error('expected a QuantextError');
}

/** No binary bytes quoted: no U+FFFD, no control characters. */
function expectReadable(message: string): void {
  expect(message).not.toMatch(/\uFFFD/);
  // eslint-disable-next-line no-control-regex
  expect(message).not.toMatch(/[\x00-\x08\x0e-\x1f\x7f]/);
}

const CASES: [file: string, kind: string, message: RegExp][] = [
  ['ft0.bin', 'fasttext-model', /fastText model \.bin \(magic 793712314, version 12\); it is not a word2vec file: read it with loadVectors/],
  ['gensim-model.pkl', 'gensim-model', /Python pickle: a gensim Word2Vec model\.save\(\).*save_word2vec_format/],
  ['vectors.npy', 'npy', /numpy \.npy array/],
  ['w2v.txt.gz', 'gzip', /gzip-compressed; decompress it first/],
  ['w2v.zip', 'zip', /zip archive \(first entry "w2v\.txt"\); extract/],
  ['random.bin', 'binary', /binary data that is not word2vec binary \(it starts with bytes ed bf 88 46 5f 03 ad ed …/],
];

describe('files that are not word vectors', () => {
  it.each(CASES)('%s: E_FORMAT naming a %s, from every reader', async (file, kind, message) => {
    const bytes = fixtureBytes(file);
    const checks: QuantextError[] = [
      await caughtAsync(readWord2Vec(fixture(file))),
      await caughtAsync(readWord2Vec(fixture(file), { noHeader: 'auto' })), // what loadVectors uses
      await caughtAsync(readWord2Vec(fixture(file), { binary: true })),
      await caughtAsync(readGloVe(fixture(file))),
      caught(() => parseWord2Vec(bytes)),
      caught(() => parseGloVe(bytes)),
    ];
    for (const e of checks) {
      expect(e.code).toBe('E_FORMAT');
      expect(e.details?.looksLike).toBe(kind);
      expect(e.message).toMatch(message);
      expectReadable(e.message);
    }
    expect(checks[0].message.startsWith(`${fixture(file)}: `)).toBe(true); // names the file
  });

  it('the signature is found however the input is chunked (one byte at a time)', () => {
    for (const [file, kind] of CASES) {
      const bytes = fixtureBytes(file);
      const e = caught(() => {
        const p = new Word2VecParser({ noHeader: 'auto' });
        for (let i = 0; i < bytes.length; i++) p.push(bytes.subarray(i, i + 1));
        p.end();
      });
      expect(e.details?.looksLike, file).toBe(kind);
    }
  });

  it('the fastText magic is the int32 fastText writes first (checked against the fixture written by fasttext 0.9.2)', () => {
    const b = fixtureBytes('ft0.bin');
    expect(new DataView(b.buffer, b.byteOffset).getInt32(0, true)).toBe(FASTTEXT_MAGIC);
    expect(new DataView(b.buffer, b.byteOffset).getInt32(4, true)).toBe(12); // fastText 0.9's file format version
  });

  it('signatures of other containers, and a safetensors file given to the word2vec reader', () => {
    const head = (...b: number[]) => new Uint8Array([...b, ...new Array(64).fill(0x41)]);
    expect(sniffNonVectors(head(0x42, 0x5a, 0x68, 0x39))?.kind).toBe('bzip2');
    expect(sniffNonVectors(head(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00))?.kind).toBe('xz');
    expect(sniffNonVectors(head(0x28, 0xb5, 0x2f, 0xfd))?.kind).toBe('zstd');
    expect(sniffNonVectors(head(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a))?.kind).toBe('hdf5');
    expect(sniffNonVectors(head(0x80, 0x02, 0x7d))?.kind).toBe('pickle');
    const json = new TextEncoder().encode('{"__metadata__":{}}');
    const st = new Uint8Array(8 + json.length);
    new DataView(st.buffer).setBigUint64(0, BigInt(json.length), true);
    st.set(json, 8);
    const e = caught(() => parseWord2Vec(st));
    expect(e.details?.looksLike).toBe('safetensors');
    expect(e.message).toMatch(/safetensors file.*loadVectors/);
  });

  it('word vectors files are not mistaken for anything: every reference fixture still loads', () => {
    for (const f of ['w2v.bin', 'w2v.txt', 'gensim.bin', 'gensim.txt', 'ft0.vec', 'ft_b100.vec']) {
      const b = fixtureBytes(f);
      expect(sniffNonVectors(b), f).toBeUndefined();
      expect(parseWord2Vec(b, { noHeader: 'auto' }).words.length, f).toBe(46);
    }
  });

  it('a text file with a stray control byte in a word still reads (header-less, and with a header)', () => {
    const glove = 'a\x01b 1 2\nc 3 4\nd 5 6\n' + Array.from({ length: 20 }, (_, i) => `w${i} ${i} ${i + 1}`).join('\n') + '\n';
    expect(looksBinary(new TextEncoder().encode(glove))).toBe(false);
    expect(parseGloVe(glove).words.slice(0, 2)).toEqual(['a\x01b', 'c']);
    expect(parseWord2Vec(glove, { noHeader: 'auto' }).words.length).toBe(23);
    expect(parseWord2Vec(`23 2\n${glove}`).words.length).toBe(23);
  });

  it('text that is not vectors (a corpus) says so when read with the header detected', () => {
    const e = caught(() => parseWord2Vec('in the beginning god created the heaven\nand the earth\n', { noHeader: 'auto' }));
    expect(e.code).toBe('E_FORMAT');
    expect(e.message).toMatch(/is not a number: "the" \(not word vectors\? a word2vec file starts with a header/);
    const strict = caught(() => parseWord2Vec('in the beginning god created the heaven\n'));
    expect(strict.message).toMatch(/expected a header "<count> <dim>", found "in the beginning/);
  });
});
