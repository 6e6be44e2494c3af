import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import '../../src/io/node.js';
import { parseGloVe, readGloVe, saveGloVe, formatGloVe, encodeGloVe } from '../../src/io/glove.js';
import { chunked, expectError, expectModel, randomModel, refParseText, row, tempDir } from './util.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

// The first lines of Stanford's glove.6B.50d.txt layout (values shortened): word, then space-separated values.
const GLOVE = 'the 0.418 0.24968 -0.41242\n, 0.013441 0.23682 -0.16899\nof 0.70853 0.57088 -0.4716\n';

describe('GloVe text', () => {
  it('infers the dimension from the first line and reads every line', () => {
    const got = parseGloVe(GLOVE);
    expect(got.dim).toBe(3);
    expectModel(got, refParseText(GLOVE, false));
    expect(row(got.vectors, 3, 1)).toEqual([0.013441, 0.23682, -0.16899].map(Math.fround));
  });

  it('round-trips through a file exactly, with unicode words, and limit stops early', async () => {
    const m = randomModel(40, 5, 11);
    const path = join(tmp.dir, 'vectors.txt');
    await saveGloVe(path, m);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0].split(' ').length).toBe(6); // no header line
    const ref = refParseText(text, false); // an independent reader sees the same model
    expect(ref.words).toEqual(m.words);
    expect(ref.rows.flat()).toEqual(Array.from(m.vectors));
    const got = await readGloVe(path);
    expectModel(got, { words: m.words, rows: m.words.map((_, i) => row(m.vectors, 5, i)) });
    const some = await readGloVe(path, { limit: 7, chunkSize: 8 });
    expect(some.words).toEqual(m.words.slice(0, 7));
    expect(Array.from(some.vectors)).toEqual(Array.from(m.vectors.subarray(0, 35)));
    expect(new TextDecoder().decode(formatGloVe(m))).toBe(text);
    // in chunks of at least 64 characters (a whole number of lines each) that join to the same file
    const chunks = [...encodeGloVe(m, { chunkSize: 64 })].map((c) => new TextDecoder().decode(c));
    expect(chunks.join('')).toBe(text);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(64);
      expect(c.endsWith('\n')).toBe(true);
      expect(c.slice(0, c.lastIndexOf('\n', c.length - 2) + 1).length).toBeLessThan(64); // it stopped at the line that crossed 64
    }
  });

  it('reads the same from 1-byte chunks, with CRLF and no final newline', async () => {
    const crlf = GLOVE.replace(/\n/g, '\r\n').slice(0, -2);
    const got = await readGloVe(chunked(new TextEncoder().encode(crlf), [1]));
    expectModel(got, refParseText(GLOVE, false));
  });

  it('every line must have the dimension of the first: E_FORMAT naming the line', async () => {
    const e = await expectError(() => parseGloVe('a 1 2 3\nb 1 2 3\nc 1 2\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 3, expected: 3, found: 2 });
    expect(e.message).toContain('line 3');
  });

  it('a file with a word2vec header is not GloVe: the header reads as a 1-value line, and the message says why', async () => {
    const e = await expectError(() => parseGloVe('2 3\na 1 2 3\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 2, expected: 1, found: 3 });
    expect(e.message).toContain('word2vec header');
  });

  it('empty input is E_EMPTY; a missing file is E_IO; non-finite values are E_NAN', async () => {
    await expectError(() => parseGloVe(''), 'E_EMPTY');
    await expectError(() => parseGloVe('\n\n'), 'E_EMPTY');
    await expectError(() => readGloVe(join(tmp.dir, 'missing.txt')), 'E_IO');
    const path = join(tmp.dir, 'nan.txt');
    await writeFile(path, 'a 1 2\nb NaN 2\n');
    const e = await expectError(() => readGloVe(path), 'E_NAN');
    expect(e.message).toContain(path);
    expect(e.message).toContain('line 2');
  });
});
