import { describe, expect, it } from 'vitest';
import { buildSubwordTable, computeSubwords, fnv1a32, hashWord, subwordStrings, wordNgramRows } from '../../src/fasttext/subwords.js';

// Independent references: gensim 4.2's ft_hash_bytes (the same sign-extended FNV-1a) and compute_ngrams_bytes, run as
//   from gensim.models.fasttext_inner import ft_hash_bytes, compute_ngrams_bytes
//   ft_hash_bytes(w.encode()); [ft_hash_bytes(x) % 100 for x in compute_ngrams_bytes(w, 3, 6)]
const GENSIM: [string, number, number[]][] = [
  ['hello', 1335831723, [80, 64, 8, 5, 42, 10, 23, 87, 44, 65, 81, 42, 12, 90]],
  ['café', 1970454601, [47, 31, 39, 87, 61, 1, 85, 62, 12, 97]],
  ['naïve', 3440832043, [90, 92, 90, 1, 46, 4, 43, 87, 32, 7, 31, 70, 48, 54]],
  ['日本語', 308035559, [87, 81, 9, 59, 23, 55]],
  ['a', 3826002220, [0]],
  ['Ünïcödé', 2271170546, [34, 36, 57, 72, 50, 79, 58, 98, 76, 89, 23, 19, 13, 83, 39, 19, 93, 49, 29, 68, 42, 23]],
];

/** FNV-1a with UNSIGNED bytes: what a "correct" FNV gives; fastText's differs for bytes ≥ 0x80. */
function fnvUnsigned(b: Uint8Array): number {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h >>> 0;
}

describe('fastText hashing', () => {
  it('hashes words as fastText (sign-extended bytes), non-ASCII included', () => {
    for (const [w, h] of GENSIM) expect(hashWord(w), w).toBe(h);
    // the sign extension matters exactly for non-ASCII bytes
    const cafe = new TextEncoder().encode('café');
    expect(fnv1a32(cafe)).not.toBe(fnvUnsigned(cafe));
    expect(fnv1a32(new TextEncoder().encode('hello'))).toBe(fnvUnsigned(new TextEncoder().encode('hello')));
  });

  it('computes the character n-grams of <word> (same multiset as gensim; fastText order)', () => {
    for (const [w, , ngrams] of GENSIM) {
      const got = Array.from(computeSubwords(w, 3, 6, 100));
      expect([...got].sort((a, b) => a - b), w).toEqual([...ngrams].sort((a, b) => a - b));
    }
    // fastText's order: by start character, then by length; the whole "<word>" included; "<" and ">" alone never
    expect(subwordStrings('ab', 1, 4)).toEqual(['<a', '<ab', '<ab>', 'a', 'ab', 'ab>', 'b', 'b>']);
    expect(subwordStrings('é', 1, 2)).toEqual(['<é', 'é', 'é>']);
    const rows = computeSubwords('ab', 1, 4, 1000, 7);
    expect(Array.from(rows)).toEqual(subwordStrings('ab', 1, 4).map((s) => 7 + (hashWord(s) % 1000)));
    expect(computeSubwords('</s>', 3, 6, 100).length).toBe(0);
    expect(computeSubwords('hello', 3, 0, 100).length).toBe(0);
  });

  it('applies a prune map (dropping unlisted n-grams) and builds the vocabulary table', () => {
    const all = Array.from(computeSubwords('hello', 3, 6, 100));
    const prune = new Map([[all[0], 0], [all[3], 1]]);
    expect(Array.from(computeSubwords('hello', 3, 6, 100, 5, prune))).toEqual([5, 6]);
    expect(computeSubwords('hello', 3, 6, 100, 5, new Map()).length).toBe(0);
    const t = buildSubwordTable(['hello', '</s>', 'a'], 3, 6, 100);
    expect(Array.from(t.offsets)).toEqual([0, 15, 16, 18]);
    expect(Array.from(t.rows.subarray(0, 15))).toEqual([0, ...all.map((r) => r + 3)]);
    expect(Array.from(t.rows.subarray(15))).toEqual([1, 2, 3 + hashWord('<a>') % 100]);
  });

  it('hashes word n-grams with fastText 64-bit arithmetic (BigInt reference)', () => {
    const ref = (hashes: number[], n: number, bucket: number, nwords: number): number[] => {
      const out: number[] = [];
      const M = (1n << 64n) - 1n;
      const s64 = (x: number) => BigInt.asUintN(64, BigInt(x | 0)); // int32 → uint64 (sign-extended)
      for (let i = 0; i < hashes.length; i++) {
        let h = s64(hashes[i]);
        for (let j = i + 1; j < hashes.length && j < i + n; j++) {
          h = (h * 116049371n + s64(hashes[j])) & M;
          out.push(nwords + Number(h % BigInt(bucket)));
        }
      }
      return out;
    };
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 200; t++) {
      const hashes = Array.from({ length: 1 + (rnd() % 8) }, () => rnd() | 0);
      const bucket = [1, 100, 2000000, 2147483647, 65537, 2097152, 2097153][t % 7];
      const n = 2 + (t % 4);
      expect(wordNgramRows(hashes, n, bucket, 11, []), `case ${t}`).toEqual(ref(hashes, n, bucket, 11));
    }
    expect(wordNgramRows([1, 2, 3], 1, 100, 0, [])).toEqual([]);
  });
});

describe("fastText's tokenizer", () => {
  it('splits on space, \\t, \\n, \\v, \\f, \\r and NUL only', async () => {
    const { fastTextTokens } = await import('../../src/fasttext/dictionary.js');
    expect(fastTextTokens('  a\tb\u000bc\u000cd\re\0f  ')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(fastTextTokens('x\u00a0y')).toEqual(['x\u00a0y']); // a no-break space is part of a word, as in fastText
    expect(fastTextTokens('')).toEqual([]);
    expect(fastTextTokens('   ')).toEqual([]);
  });
});
