// Issue 15: the word2vec readers under hostile input — linear time on long records, early rejection of records
// longer than the header allows, decimal-only numbers, conservative text/binary sniffing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Word2VecParser, parseWord2Vec, formatWord2Vec } from '../../src/io/word2vec.js';
import { QuantextError } from '../../src/errors.js';
import { expectError } from '../io/util.js';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Counts the bytes that typed-array copies (set, slice, copyWithin) and byte searches (indexOf) touch while `fn` runs:
 * the parser's work, independent of wall time.
 */
function countWork<T>(fn: () => T): { result?: T; error?: unknown; copied: number; scanned: number } {
  const proto = Uint8Array.prototype;
  const { set, slice, indexOf, copyWithin } = proto;
  let copied = 0, scanned = 0;
  proto.set = function (this: Uint8Array, src: ArrayLike<number>, off?: number) {
    copied += src.length;
    return set.call(this, src, off);
  } as typeof proto.set;
  proto.slice = function (this: Uint8Array, a?: number, b?: number) {
    const r = slice.call(this, a, b);
    copied += r.length;
    return r;
  } as typeof proto.slice;
  proto.copyWithin = function (this: Uint8Array, t: number, a: number, b?: number) {
    copied += (b ?? this.length) - a;
    return copyWithin.call(this, t, a, b);
  } as typeof proto.copyWithin;
  proto.indexOf = function (this: Uint8Array, v: number, from = 0) {
    const r = indexOf.call(this, v, from);
    scanned += (r === -1 ? this.length : r + 1) - from;
    return r;
  } as typeof proto.indexOf;
  try {
    return { result: fn(), copied, scanned };
  } catch (error) {
    return { error, copied, scanned };
  } finally {
    Object.assign(proto, { set, slice, indexOf, copyWithin });
  }
}

function feed(p: Word2VecParser, bytes: Uint8Array, chunk: number): number {
  let pushed = 0;
  for (let i = 0; i < bytes.length; i += chunk) {
    p.push(bytes.subarray(i, i + chunk));
    pushed += Math.min(chunk, bytes.length - i);
  }
  return pushed;
}

describe('long records are read in linear time', () => {
  // 4 MB: one record of 400k values, fed in 4 KiB chunks (1000 pushes). Copying the unfinished record on every push,
  // as the parser did, costs ~2 GB of copies; linear reading touches each byte a few times.
  const dim = 400_000;
  const values = Array.from({ length: dim }, (_, i) => ((i % 97) / 10).toFixed(1));
  const text = enc(`1 ${dim}\nlong ${values.join(' ')}\n`);

  it('a multi-MB text record in small chunks: copies and scans bounded by a few times the input', () => {
    const w = countWork(() => {
      const p = new Word2VecParser();
      feed(p, text, 4096);
      return p.end();
    });
    expect(w.error).toBeUndefined();
    expect(w.result!.words).toEqual(['long']);
    expect(w.result!.vectors[96]).toBe(Math.fround(9.6));
    expect(w.copied).toBeLessThan(6 * text.length);
    expect(w.scanned).toBeLessThan(3 * text.length);
  });

  it('a multi-MB binary record in small chunks: same bound', () => {
    const v = new Float32Array(dim).map((_, i) => i / 7);
    const bin = formatWord2Vec({ words: ['long'], dim, vectors: v }, { binary: true });
    const w = countWork(() => {
      const p = new Word2VecParser();
      feed(p, bin, 4096);
      return p.end();
    });
    expect(w.error).toBeUndefined();
    expect(w.result!.vectors[dim - 1]).toBe(Math.fround((dim - 1) / 7));
    expect(w.copied).toBeLessThan(6 * bin.length);
    expect(w.scanned).toBeLessThan(3 * bin.length);
  });

  it('a header-less (GloVe) first line of several MB in 1 KiB chunks is linear too', () => {
    const glove = enc(`long ${values.join(' ')}\nnext ${values.join(' ')}\n`);
    const w = countWork(() => {
      const p = new Word2VecParser({ noHeader: true });
      feed(p, glove, 1024);
      return p.end();
    });
    expect(w.error).toBeUndefined();
    expect(w.result!.words).toEqual(['long', 'next']);
    expect(w.copied).toBeLessThan(6 * glove.length);
    expect(w.scanned).toBeLessThan(3 * glove.length);
  });

  it('a record longer than a dim-4 header allows is E_FORMAT after a bounded read, not at its end', () => {
    const p = new Word2VecParser({ name: 'long.txt' });
    p.push(enc('1 4\nw '));
    const line = enc('1 '.repeat(4096)); // 8 KiB of values per push
    let pushed = 0;
    let err: unknown;
    try {
      for (let i = 0; i < 1280; i++) { // up to 10 MiB
        p.push(line);
        pushed += line.length;
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantextError);
    expect((err as QuantextError).code).toBe('E_FORMAT');
    expect((err as QuantextError).details).toMatchObject({ line: 2, offset: 4 });
    expect((err as QuantextError).message).toMatch(/long\.txt: line 2: a record of a word and 4 values is at most \d+ bytes/);
    expect(pushed).toBeLessThan(200_000); // rejected within the bound (~66 KB for dim 4), not after 10 MiB
  });

  it('a record that ends at once past the bound is rejected too (one big buffer)', async () => {
    const big = enc(`1 4\nw ${'1 '.repeat(50_000)}\n`);
    const e = await expectError(() => parseWord2Vec(big), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 2 });
  });
});

describe('text values are decimal numbers only', () => {
  it.each(['0x10', '0b101', '0o17', 'Infinity1', '1_0', '1e', '.', '+', '--1', '1.2.3', '0x1p3', ' '])('%j is E_FORMAT naming the line and column', async (tok) => {
    if (tok.trim() === '') return;
    const e = await expectError(() => parseWord2Vec(`2 2\na 1 2\nb 3 ${tok}\n`), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 3, column: 2 });
  });

  it('decimal forms strtof reads are accepted: signs, leading/trailing dots, exponents', () => {
    const toks = ['+1', '-0', '.5', '5.', '1e3', '1E+3', '-2.5e-3', '007', '1.e2'];
    const got = parseWord2Vec(`1 ${toks.length}\nw ${toks.join(' ')}\n`);
    expect(Array.from(got.vectors)).toEqual(toks.map((t) => Math.fround(Number(t))));
  });

  it('a finite decimal beyond the float32 range is E_FORMAT (out of range) with the line; allowNonFinite reads ±Infinity', async () => {
    for (const tok of ['1e39', '-3.5e38', '1e999']) {
      const e = await expectError(() => parseWord2Vec(`1 2\nw 1 ${tok}\n`), 'E_FORMAT');
      expect(e.details).toMatchObject({ line: 2, column: 2 });
      expect(e.message).toContain('out of the float32 range');
    }
    expect(Array.from(parseWord2Vec('1 2\nw 1e39 -1e39\n', { allowNonFinite: true }).vectors)).toEqual([Infinity, -Infinity]);
    // underflow is not an error: strtof returns 0 or a subnormal
    expect(Array.from(parseWord2Vec('1 2\nw 1e-50 1e-40\n').vectors)).toEqual([0, Math.fround(1e-40)]);
  });
});

describe('format sniffing is conservative', () => {
  it('a text file whose first record has a non-numeric value fails as text (not read as binary garbage), naming both', async () => {
    const text = '2 2\nw0 .4 x\nw1 0.5 0.6\n';
    const e = await expectError(() => parseWord2Vec(text), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 2, column: 2 });
    expect(e.message).toContain('nor is it word2vec binary');
    // the case: the first value has a non-numeric byte
    const e2 = await expectError(() => parseWord2Vec('2 2\nw0 0.1 .4a\nw1 0.5 0.6\n'), 'E_FORMAT');
    expect(e2.message).toMatch(/line 2.*nor is it word2vec binary/);
  });

  it('a binary file whose float bytes are not text is binary; when that fails too, the message says both', async () => {
    const ok = formatWord2Vec({ words: ['a', 'b'], dim: 2, vectors: new Float32Array([0.1, -0.2, 0.3, 0.4]) }, { binary: true });
    expect(parseWord2Vec(ok).words).toEqual(['a', 'b']);
    const cut = ok.subarray(0, ok.length - 3);
    const e = await expectError(() => parseWord2Vec(cut), 'E_TRUNCATED');
    expect(e.details).toMatchObject({ index: 1 });
    // a first record that is neither: binary bytes, and then a bad binary record
    const bad = new Uint8Array([...enc('2 1\na '), 0, 0, 0x80, 0x7f, ...enc('\n'), ...enc('b '), 0, 0, 0x80, 0x3f]);
    const e2 = await expectError(() => parseWord2Vec(bad), 'E_NAN');
    expect(e2.message).toContain('read as text it fails too');
  });

  it('printable float bytes that would parse as binary are not taken for binary unless asked', async () => {
    // 0x41414141 = 12.07…: all printable; read as text this fails (both named); binary: true reads it
    const bytes = new Uint8Array([...enc('1 1\nw '), 0x41, 0x41, 0x41, 0x41]);
    const e = await expectError(() => parseWord2Vec(bytes), 'E_FORMAT');
    expect(e.message).toContain('nor is it word2vec binary');
    expect(parseWord2Vec(bytes, { binary: true }).vectors[0]).toBeCloseTo(12.078, 2);
  });
});
