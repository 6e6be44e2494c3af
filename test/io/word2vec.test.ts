import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import '../../src/io/node.js';
import {
  parseWord2Vec,
  readWord2Vec,
  saveWord2Vec,
  formatWord2Vec,
  encodeWord2Vec,
  formatFloat32,
  Word2VecParser,
} from '../../src/io/word2vec.js';
import { rng } from '../helpers.js';
import {
  UNICODE_WORDS,
  chunked,
  expectError,
  expectModel,
  fixtureBytes,
  randomModel,
  refParseBinary,
  refParseText,
  tempDir,
  row,
} from './util.js';

const enc = (s: string) => new TextEncoder().encode(s);
const asRef = (m: { words: string[]; dim: number; vectors: Float32Array }) => ({
  words: m.words,
  rows: m.words.map((_, i) => row(m.vectors, m.dim, i)),
});

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('formatFloat32', () => {
  it('prints the shortest decimal that reads back to the same float32', () => {
    const r = rng(7);
    const f = new Float32Array(1);
    const bits = new Uint32Array(f.buffer);
    // significant digits of a printed decimal: no sign, exponent, point, leading or trailing zeros
    const significant = (s: string) => s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
    for (let i = 0; i < 40000; i++) {
      // half random bit patterns (every exponent), half embedding-like values (|x| in 1e-16 … 1e8)
      if (i % 2) bits[0] = Math.floor(r() * 2 ** 32);
      else f[0] = (r() * 2 - 1) * 10 ** Math.floor(r() * 24 - 16);
      const x = f[0];
      if (!Number.isFinite(x) || x === 0) continue;
      const s = formatFloat32(x);
      expect(Math.fround(Number(s)), s).toBe(x);
      // the fewest significant digits that round-trip, found by brute force
      let p = 1;
      while (Math.fround(Number(x.toPrecision(p))) !== x) p++;
      expect(significant(s), `${x} printed as ${s}, ${x.toPrecision(p)} is shorter`).toBe(p);
    }
  });

  it('prints simple values plainly and keeps the sign of zero', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(1)).toBe('1');
    expect(formatFloat32(-2.5)).toBe('-2.5');
    expect(formatFloat32(0)).toBe('0');
    expect(formatFloat32(-0)).toBe('-0');
    expect(formatFloat32(Math.fround(3.4028235e38))).toBe('3.4028235e+38');
    expect(formatFloat32(Math.fround(1e-45))).toBe('1e-45');
    expect(formatFloat32(NaN)).toBe('nan');
    expect(formatFloat32(-Infinity)).toBe('-inf');
    expect(formatFloat32(Math.fround(0.123456789), 3)).toBe('0.123');
  });
});

describe('word2vec round trips', () => {
  const model = randomModel(60, 7, 3);

  it.each([
    ['text', { binary: false }],
    ['binary with a newline after each vector (word2vec C)', { binary: true, binaryNewline: true }],
    ['binary without newlines (gensim 4)', { binary: true, binaryNewline: false }],
  ] as const)('%s: unicode words and extreme values come back identical, through a file', async (_, opts) => {
    const path = join(tmp.dir, `rt-${opts.binary}-${'binaryNewline' in opts ? opts.binaryNewline : 'x'}.w2v`);
    await saveWord2Vec(path, model, opts);
    const bytes = new Uint8Array(await readFile(path));
    // the bytes follow the layout, checked by an independent reader
    const ref = opts.binary ? refParseBinary(bytes) : refParseText(new TextDecoder().decode(bytes));
    expectModel({ ...model }, ref);
    if (opts.binary) {
      expect(bytes.length).toBe(
        enc(`60 7\n`).length + model.words.reduce((s, w) => s + enc(w).length + 1 + 28 + (opts.binaryNewline ? 1 : 0), 0),
      );
    }
    // auto-detected, and with the format given
    const got = await readWord2Vec(path);
    expectModel(got, asRef(model));
    expect(got.dim).toBe(7);
    expectModel(await readWord2Vec(path, { binary: opts.binary }), asRef(model));
    expectModel(parseWord2Vec(bytes), asRef(model));
  });

  it('every chunking of the input parses the same as one buffer (1-byte chunks, odd sizes, 1 MiB)', async () => {
    for (const binary of [false, true]) {
      const bytes = formatWord2Vec(model, { binary });
      const whole = parseWord2Vec(bytes);
      for (const sizes of [[1], [2, 3, 5], [7, 1, 4096], [1 << 20]]) {
        const got = await readWord2Vec(chunked(bytes, sizes));
        expectModel(got, asRef(whole));
      }
    }
  });

  it('limit reads the first N vectors and stops pulling input', async () => {
    const big = randomModel(2000, 16, 4);
    for (const binary of [false, true]) {
      const bytes = formatWord2Vec(big, { binary });
      for (const limit of [0, 1, 5, 2000, 5000]) {
        const got = parseWord2Vec(bytes, { limit });
        const n = Math.min(limit, 2000);
        expect(got.words).toEqual(big.words.slice(0, n));
        expect(Array.from(got.vectors)).toEqual(Array.from(big.vectors.subarray(0, n * 16)));
        expect(got.dim).toBe(16);
      }
      // a source that counts what it hands out: with limit 3, only the first 64-byte chunks are pulled
      let pulled = 0;
      let closed = false;
      async function* source() {
        try {
          for (const c of chunked(bytes, [64])) {
            pulled++;
            yield c;
          }
        } finally {
          closed = true;
        }
      }
      const got = await readWord2Vec(source(), { limit: 3 });
      expect(got.words).toEqual(big.words.slice(0, 3));
      expect(pulled).toBeLessThan(binary ? 6 : 20);
      expect(closed).toBe(true);
    }
  });

  it('limit on a file stops reading early (a huge declared count is not a problem)', async () => {
    const path = join(tmp.dir, 'limit.txt');
    const m = randomModel(50, 3, 5);
    await saveWord2Vec(path, m);
    const got = await readWord2Vec(path, { limit: 2, chunkSize: 16 });
    expect(got.words).toEqual(m.words.slice(0, 2));
  });

  it('parses in-memory text given as a string or an ArrayBuffer', () => {
    const text = '2 3\nhello 1 2 3\nwörld -1.5 0.25 1e-3\n';
    const want = { words: ['hello', 'wörld'], rows: [[1, 2, 3], [-1.5, 0.25, Math.fround(1e-3)]] };
    expectModel(parseWord2Vec(text), want);
    expectModel(parseWord2Vec(enc(text).buffer as ArrayBuffer), want);
  });

  it('tolerates CRLF, tabs, trailing spaces, blank lines and a UTF-8 BOM in text', () => {
    const text = '\ufeff2 2\r\nfoo\t1 2 \r\n\r\nbar 3   4\r\n\n';
    expectModel(parseWord2Vec(text), { words: ['foo', 'bar'], rows: [[1, 2], [3, 4]] });
  });

  it('a text model with noHeader infers the dimension (GloVe layout)', () => {
    const text = 'a 1 2 3\nb 4 5 6\n';
    const got = parseWord2Vec(text, { noHeader: true });
    expect(got.dim).toBe(3);
    expectModel(got, { words: ['a', 'b'], rows: [[1, 2, 3], [4, 5, 6]] });
  });

  it("noHeader: 'auto' reads word2vec text, binary and header-less text, from a one-shot stream", async () => {
    const m = randomModel(30, 4, 9);
    for (const [bytes, label] of [
      [formatWord2Vec(m), 'text'],
      [formatWord2Vec(m, { binary: true }), 'binary'],
      [formatWord2Vec(m, { writeHeader: false }), 'no header'],
      [new TextEncoder().encode('\n' + new TextDecoder().decode(formatWord2Vec(m, { writeHeader: false }))), 'blank first line'],
    ] as const) {
      async function* once() {
        yield* chunked(bytes, [3]);
      }
      const got = await readWord2Vec(once(), { noHeader: 'auto' });
      expect(got.words, label).toEqual(m.words);
      expect(got.vectors, label).toEqual(m.vectors);
    }
    expect(parseWord2Vec('a 1 2\nb 3 4\n', { noHeader: 'auto', limit: 1 }).words).toEqual(['a']);
    // without 'auto', the missing header is reported with a stable reason
    const e = await expectError(() => parseWord2Vec('a 1 2\nb 3 4\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 1, reason: 'no-header' });
    await expectError(() => parseWord2Vec('1 2\n', { noHeader: 'maybe' as never }), 'E_OPTION');
  });

  it('writes a header-less text file with writeHeader: false, and text values at a given precision', () => {
    const m = { words: ['x', 'y'], dim: 2, vectors: new Float32Array([0.123456, 1, -2, 1e-7]) };
    expect(new TextDecoder().decode(formatWord2Vec(m, { writeHeader: false, precision: 3 }))).toBe('x 0.123 1\ny -2 1e-7\n');
    expect(new TextDecoder().decode(formatWord2Vec(m))).toBe('2 2\nx 0.123456 1\ny -2 1e-7\n');
  });

  it('encodeWord2Vec yields chunks near chunkSize whose concatenation is the file', () => {
    const m = randomModel(300, 8, 6);
    for (const binary of [false, true]) {
      const chunks = [...encodeWord2Vec(m, { binary, chunkSize: 512 })];
      expect(chunks.length).toBeGreaterThan(3);
      // every chunk but the last is near chunkSize: text fills to at least 512 characters and stops after that line;
      // binary fills a 512-byte buffer until the next record does not fit
      const text = new TextDecoder().decode(formatWord2Vec(m, { binary: false }));
      const longestLine = Math.max(...text.split('\n').map((l) => l.length + 1));
      const longestRecord = Math.max(...m.words.map((w) => enc(w).length + 1 + 4 * 8 + 1));
      for (const c of chunks.slice(0, -1)) {
        if (binary) {
          expect(c.length).toBeLessThanOrEqual(512);
          expect(c.length).toBeGreaterThan(512 - longestRecord);
        } else {
          const chars = new TextDecoder().decode(c).length;
          expect(chars).toBeGreaterThanOrEqual(512);
          expect(chars).toBeLessThan(512 + longestLine);
        }
      }
      const joined = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
      let n = 0;
      for (const c of chunks) {
        joined.set(c, n);
        n += c.length;
      }
      expect(joined).toEqual(formatWord2Vec(m, { binary }));
    }
  });

  it('duplicate words: keep the first (gensim) or fail', () => {
    const text = '3 1\na 1\nb 2\na 3\n';
    expectModel(parseWord2Vec(text), { words: ['a', 'b'], rows: [[1], [2]] });
    return expectError(() => parseWord2Vec(text, { duplicates: 'error' }), 'E_FORMAT').then((e) => expect(e.message).toContain('line 4'));
  });

  it('invalid UTF-8 in words is replaced by U+FFFD, or fails with unicodeErrors: strict', async () => {
    // word2vec C truncates long words at a byte count, which can cut a multi-byte character
    const bytes = new Uint8Array([...enc('1 2\nab'), 0xc3, ...enc(' 1 2\n')]);
    expect(parseWord2Vec(bytes).words).toEqual(['ab\ufffd']);
    const bin = new Uint8Array([...enc('1 1\nx'), 0xe6, 0x97, 0x20, 0, 0, 0x80, 0x3f, 0x0a]);
    const got = parseWord2Vec(bin);
    expect(got.words).toEqual(['x\ufffd']);
    expect(Array.from(got.vectors)).toEqual([1]);
    const e = await expectError(() => parseWord2Vec(bytes, { unicodeErrors: 'strict' }), 'E_FORMAT');
    expect(e.message).toContain('line 2');
  });

  it('the Word2VecParser can be driven by hand and does not keep the caller\'s chunk', () => {
    const bytes = formatWord2Vec(model, { binary: true });
    const p = new Word2VecParser({ name: 'manual' });
    const scratch = new Uint8Array(10);
    for (let i = 0; i < bytes.length; i += 10) {
      const n = Math.min(10, bytes.length - i);
      scratch.set(bytes.subarray(i, i + n));
      expect(p.push(scratch.subarray(0, n))).toBe(false);
      scratch.fill(0xff); // reuse the buffer: the parser must have copied what it needs
    }
    expectModel(p.end(), asRef(model));
  });
});

describe('word2vec errors', () => {
  it('an empty file is E_EMPTY', async () => {
    for (const s of ['', '   \n\n', '\ufeff']) await expectError(() => parseWord2Vec(s), 'E_EMPTY');
    await expectError(() => parseWord2Vec('\n \n', { noHeader: true }), 'E_EMPTY');
    const path = join(tmp.dir, 'empty.bin');
    await writeFile(path, '');
    const e = await expectError(() => readWord2Vec(path), 'E_EMPTY');
    expect(e.message).toContain(path);
  });

  it('a malformed header is E_FORMAT on line 1 (with a hint for header-less files)', async () => {
    for (const s of ['abc def\n', '3\nx 1 2 3\n', '3 4 5\n', '-1 4\n', '2 0\n', '\nfoo 1 2\n']) {
      const e = await expectError(() => parseWord2Vec(s), 'E_FORMAT');
      expect(e.message).toMatch(/line 1/);
    }
    const e = await expectError(() => parseWord2Vec('the 0.1 0.2 0.3\nof 1 2 3\n'), 'E_FORMAT');
    expect(e.message).toContain('noHeader');
    // a binary file that is not one: no header line at all
    const junk = new Uint8Array(10000).fill(0x41);
    await expectError(() => parseWord2Vec(junk), 'E_FORMAT');
  });

  it('a wrong number of values or a non-number is E_FORMAT naming the line', async () => {
    let e = await expectError(() => parseWord2Vec('2 3\na 1 2 3\nb 1 2\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 3, expected: 3, found: 2 });
    e = await expectError(() => parseWord2Vec('2 3\na 1 2 3\nb 1 2 3 4\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 3, found: 4 });
    e = await expectError(() => parseWord2Vec('2 3\na 1 2 3\nb 1 x2 3\n'), 'E_FORMAT');
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('"x2"');
    e = await expectError(() => parseWord2Vec('a 1 2\nb 1,5 2\n', { noHeader: true }), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 2, column: 1 });
    // the same file read as text although it is binary
    await expectError(() => parseWord2Vec(fixtureBytes('w2v.bin'), { binary: false }), 'E_FORMAT');
  });

  it('fewer records than the header declares is E_TRUNCATED; more is E_FORMAT', async () => {
    let e = await expectError(() => parseWord2Vec('3 2\na 1 2\nb 3 4\n', { name: 'short.txt' }), 'E_TRUNCATED');
    expect(e.message).toContain('short.txt');
    expect(e.details).toMatchObject({ index: 2, declared: 3 });
    e = await expectError(() => parseWord2Vec('1 2\na 1 2\nb 3 4\n'), 'E_FORMAT');
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('header');
    await expectError(() => parseWord2Vec(formatWord2Vec({ words: ['a', 'b'], dim: 1, vectors: new Float32Array([1, 2]) }, { binary: true }).subarray(0, 13)), 'E_TRUNCATED');
    // more binary records than declared
    const two = formatWord2Vec({ words: ['a', 'b'], dim: 1, vectors: new Float32Array([1, 2]) }, { binary: true });
    two[0] = '1'.charCodeAt(0);
    await expectError(() => parseWord2Vec(two), 'E_FORMAT');
    // but limit never looks past what it needs
    expect(parseWord2Vec('3 2\na 1 2\nb 3 4\n', { limit: 2 }).words).toEqual(['a', 'b']);
  });

  it('a binary file cut at any byte is E_TRUNCATED naming the vector index and byte offset', async () => {
    const bytes = fixtureBytes('w2v.bin');
    const ref = refParseBinary(bytes);
    const headerEnd = bytes.indexOf(10) + 1;
    for (let len = headerEnd; len < bytes.length - 1; len++) {
      const e = await expectError(() => parseWord2Vec(bytes.subarray(0, len), { name: 'w2v.bin' }), 'E_TRUNCATED');
      const complete = ref.recordEnds.filter((end) => end <= len).length;
      expect(e.details?.index, `cut at ${len}`).toBe(complete);
      expect(e.details?.file).toBe('w2v.bin');
      expect(typeof e.details?.offset).toBe('number');
      expect(e.message).toMatch(/w2v\.bin: .*vector \d+.*byte offset \d+/);
    }
    // a cut right after the last float (only the optional newline missing) is a complete file
    expect(parseWord2Vec(bytes.subarray(0, bytes.length - 1)).words.length).toBe(46);
  });

  it('a truncated file read from disk names the path', async () => {
    const path = join(tmp.dir, 'cut.bin');
    const bytes = fixtureBytes('w2v.bin');
    await writeFile(path, bytes.subarray(0, 500));
    const e = await expectError(() => readWord2Vec(path, { chunkSize: 64 }), 'E_TRUNCATED');
    expect(e.message).toContain(path);
    expect(e.details).toMatchObject({ file: path });
  });

  it('NaN and Infinity are E_NAN unless allowNonFinite', async () => {
    for (const tok of ['nan', 'NaN', 'inf', '-Infinity']) {
      const text = `1 2\nw 1 ${tok}\n`;
      const e = await expectError(() => parseWord2Vec(text), 'E_NAN');
      expect(e.details).toMatchObject({ line: 2, column: 2 });
    }
    const got = parseWord2Vec('2 2\nw 1 nan\nv -inf 1e39\n', { allowNonFinite: true });
    expect(Number.isNaN(got.vectors[1])).toBe(true);
    expect(got.vectors[2]).toBe(-Infinity);
    expect(got.vectors[3]).toBe(Infinity);
    const bin = formatWord2Vec({ words: ['a', 'b'], dim: 2, vectors: new Float32Array([1, 2, 3, NaN]) }, { binary: true, allowNonFinite: true });
    const e = await expectError(() => parseWord2Vec(bin), 'E_NAN');
    expect(e.details).toMatchObject({ index: 1, column: 2 });
    expect(Number.isNaN(parseWord2Vec(bin, { allowNonFinite: true }).vectors[3])).toBe(true);
  });

  it('a missing file or a folder is E_IO', async () => {
    const missing = join(tmp.dir, 'nope', 'vectors.bin');
    const e = await expectError(() => readWord2Vec(missing), 'E_IO');
    expect(e.message).toContain(missing);
    expect(e.message).toContain('ENOENT');
    const folder = join(tmp.dir, 'a-folder');
    await mkdir(folder, { recursive: true });
    await expectError(() => readWord2Vec(folder), 'E_IO');
  });

  it('bad options and unwritable models fail before writing anything', async () => {
    await expectError(() => parseWord2Vec('1 1\na 1\n', { limit: -1 }), 'E_OPTION');
    await expectError(() => parseWord2Vec('1 1\na 1\n', { noHeader: true, binary: true }), 'E_OPTION');
    const ok = { words: ['a'], dim: 2, vectors: new Float32Array(2) };
    await expectError(() => formatWord2Vec(ok, { binary: true, writeHeader: false }), 'E_OPTION');
    await expectError(() => formatWord2Vec({ ...ok, vectors: new Float32Array(3) }), 'E_SHAPE');
    await expectError(() => formatWord2Vec({ ...ok, words: ['a b'] }), 'E_FORMAT');
    await expectError(() => formatWord2Vec({ ...ok, words: [''] }), 'E_FORMAT');
    await expectError(() => formatWord2Vec({ ...ok, vectors: new Float32Array([0, Infinity]) }), 'E_NAN');
    const path = join(tmp.dir, 'kept.txt');
    await writeFile(path, 'old');
    await expectError(() => saveWord2Vec(path, { ...ok, vectors: new Float32Array([NaN, 0]) }), 'E_NAN');
    expect(await readFile(path, 'utf8')).toBe('old');
  });

  it('unicode words survive every chunking', async () => {
    const m = { words: UNICODE_WORDS, dim: 1, vectors: new Float32Array(UNICODE_WORDS.map((_, i) => i)) };
    for (const binary of [false, true]) {
      const got = await readWord2Vec(chunked(formatWord2Vec(m, { binary }), [1]));
      expect(got.words).toEqual(UNICODE_WORDS);
    }
  });
});
