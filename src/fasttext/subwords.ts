/**
 * fastText's hashing and character n-grams, exactly as fastText 0.9.2's src/dictionary.cc computes them.
 *
 * API (for the trainer and the model files):
 * - `fnv1a32(bytes, start?, end?)` → uint32: `Dictionary::hash` — FNV-1a 32-bit over UTF-8 bytes, each byte
 *   SIGN-EXTENDED (`h ^= uint32_t(int8_t(b))`), so bytes ≥ 0x80 flip the top 24 bits too.
 * - `hashWord(word: string)` → uint32: fnv1a32 of the word's UTF-8 bytes.
 * - `computeSubwords(word, minn, maxn, bucket, nwords = 0, pruneIdx = null)` → Int32Array: the n-gram rows of a
 *   word, in fastText's order: for every character start i of "<word>" (characters are UTF-8 sequences, a byte
 *   10xxxxxx continues one), the n-grams of n = minn…maxn characters starting there; the 1-character n-grams "<"
 *   and ">" are skipped, the whole "<word>" is kept when it is short enough; each row is `nwords + fnv1a32 %
 *   bucket` (pass nwords = 0 for the bare bucket index). The word itself is NOT in the list (fastText's
 *   `initNgrams` puts the word's own row first: see `buildSubwordTable`). "</s>" has no n-grams. `pruneIdx`
 *   (a `.ftz`'s pruned bucket map, bucket index → compressed index) drops the n-grams it does not list.
 * - `computeSubwordsBytes(wordBytes, …, out: number[])`: the same over the word's UTF-8 bytes (no brackets), appending to
 *   `out` (no allocation but the n-gram byte spans; for hot loops).
 * - `buildSubwordTable(words, minn, maxn, bucket, pruneIdx?)` → `{ offsets, rows }`: fastText's `words_[i].subwords`
 *   for every word i, CSR: rows[offsets[i] .. offsets[i+1]) = [i, nwords + h₁, …] (nwords = words.length).
 *   With maxn = 0 (fastText's supervised default) every list is just [i].
 * - `wordNgramRows(hashes, n, bucket, nwords, out, pruneIdx?)`: fastText's `addWordNgrams` — word n-grams (2…n
 *   consecutive words) hashed from the words' fnv1a32 values with 64-bit arithmetic `h = h·116049371 + hⱼ`
 *   (each hash sign-extended to 64 bits), row `nwords + h % bucket`.
 * - `EOS = '</s>'`, `BOW = '<'`, `EOW = '>'`.
 *
 * `FastTextKeyedVectors` (./keyed.ts) holds the word rows and the n-gram table and answers unseen words.
 */

export const EOS = '</s>';
export const BOW = '<';
export const EOW = '>';

const BOW_BYTE = 0x3c;
const EOW_BYTE = 0x3e;
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;

const encoder = new TextEncoder();

/**
 * fastText's `Dictionary::hash` over bytes[start, end): FNV-1a 32-bit with each byte sign-extended to int8 then
 * to uint32 (as fastText's released models were built with a signed `char`). Returns a uint32.
 */
export function fnv1a32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    h ^= (bytes[i] << 24) >> 24; // int8 sign extension; the xor works on the 32 bits as fastText's uint32
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** fnv1a32 of a string's UTF-8 bytes (fastText's hash of a token). */
export function hashWord(word: string): number {
  return fnv1a32(encoder.encode(word));
}

/** A `.ftz`'s pruned n-gram map (bucket index → compressed row), or null when the model is not pruned. */
export type PruneIndex = ReadonlyMap<number, number> | null;

/**
 * fastText's `pushHash`: appends `nwords + id` (id mapped through the prune map when there is one; dropped when it
 * is not listed). A negative id is dropped as fastText does.
 */
function pushHash(out: number[], id: number, nwords: number, prune: PruneIndex): void {
  if (id < 0) return;
  if (prune) {
    const j = prune.get(id);
    if (j === undefined) return;
    id = j;
  }
  out.push(nwords + id);
}

/**
 * The n-gram rows of the UTF-8 word `w` (without brackets), appended to `out`: fastText's `computeSubwords` on
 * "<w>". "</s>" (fastText's end of sentence) gets none. Returns `out`.
 */
export function computeSubwordsBytes(
  w: Uint8Array,
  minn: number,
  maxn: number,
  bucket: number,
  nwords: number,
  out: number[],
  pruneIdx: PruneIndex = null,
): number[] {
  if (maxn <= 0 || bucket <= 0 || isEos(w)) return out;
  if (pruneIdx && pruneIdx.size === 0) return out;
  const len = w.length + 2;
  // byte k of "<w>"
  const at = (k: number): number => (k === 0 ? BOW_BYTE : k === len - 1 ? EOW_BYTE : w[k - 1]);
  for (let i = 0; i < len; i++) {
    if ((at(i) & 0xc0) === 0x80) continue;
    let h = FNV_OFFSET;
    for (let j = i, n = 1; j < len && n <= maxn; n++) {
      h = Math.imul(h ^ ((at(j++) << 24) >> 24), FNV_PRIME);
      while (j < len && (at(j) & 0xc0) === 0x80) h = Math.imul(h ^ ((at(j++) << 24) >> 24), FNV_PRIME);
      if (n >= minn && !(n === 1 && (i === 0 || j === len))) {
        pushHash(out, (h >>> 0) % bucket, nwords, pruneIdx);
      }
    }
  }
  return out;
}

function isEos(w: Uint8Array): boolean {
  return w.length === 4 && w[0] === 0x3c && w[1] === 0x2f && w[2] === 0x73 && w[3] === 0x3e;
}

/**
 * The n-gram rows of `word`: fastText's `computeSubwords` on "<word>" (see the file header). With nwords = 0 the
 * values are bucket indices (hash % bucket); with the vocabulary size they are rows of fastText's input matrix.
 */
export function computeSubwords(
  word: string | Uint8Array,
  minn: number,
  maxn: number,
  bucket: number,
  nwords = 0,
  pruneIdx: PruneIndex = null,
): Int32Array {
  const bytes = typeof word === 'string' ? encoder.encode(word) : word;
  return Int32Array.from(computeSubwordsBytes(bytes, minn, maxn, bucket, nwords, [], pruneIdx));
}

/**
 * The n-grams themselves (strings, in the order of computeSubwords), as `fasttext print-ngrams` lists them; no
 * prune map.
 */
export function subwordStrings(word: string, minn: number, maxn: number): string[] {
  if (maxn <= 0 || word === EOS) return [];
  const chars = Array.from(BOW + word + EOW); // code points = UTF-8 sequences
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    let s = '';
    for (let j = i, n = 1; j < chars.length && n <= maxn; n++) {
      s += chars[j++];
      if (n >= minn && !(n === 1 && (i === 0 || j === chars.length))) out.push(s);
    }
  }
  return out;
}

/** Every word's fastText subword list (its own row first), CSR. */
export interface SubwordTable {
  /** words + 1 entries: word i's rows are rows[offsets[i] .. offsets[i+1]). */
  offsets: Int32Array;
  rows: Int32Array;
}

/**
 * fastText's `Dictionary::initNgrams` for a whole vocabulary: word i's list is [i, then its n-gram rows
 * nwords + (hash % bucket)], nwords = words.length unless given (a supervised model's labels come after its
 * words; pass its word count and the words only).
 */
export function buildSubwordTable(
  words: readonly (string | Uint8Array)[],
  minn: number,
  maxn: number,
  bucket: number,
  pruneIdx: PruneIndex = null,
  nwords = words.length,
): SubwordTable {
  const offsets = new Int32Array(words.length + 1);
  let rows = new Int32Array(Math.max(16, words.length * 4));
  let n = 0;
  const tmp: number[] = [];
  for (let i = 0; i < words.length; i++) {
    tmp.length = 0;
    tmp.push(i);
    const w = words[i];
    computeSubwordsBytes(typeof w === 'string' ? encoder.encode(w) : w, minn, maxn, bucket, nwords, tmp, pruneIdx);
    if (n + tmp.length > rows.length) {
      const bigger = new Int32Array(Math.max(rows.length * 2, n + tmp.length));
      bigger.set(rows.subarray(0, n));
      rows = bigger;
    }
    for (let k = 0; k < tmp.length; k++) rows[n++] = tmp[k];
    offsets[i + 1] = n;
  }
  return { offsets, rows: rows.slice(0, n) };
}

const K_LO = 116049371 & 0xffff;
const K_HI = 116049371 >>> 16;

/**
 * fastText's `Dictionary::addWordNgrams`: for each position i, the hashes of the word n-grams i…j (j < i + n),
 * `h = hashes[i]; h = h·116049371 + hashes[j]` in uint64 (each int32 hash sign-extended), row
 * `nwords + h % bucket` (through the prune map when given), appended to `out`. `hashes` are the words' fnv1a32
 * values (as int32 or uint32: only the low 32 bits and their sign matter). 64-bit arithmetic in two uint32 halves.
 */
export function wordNgramRows(
  hashes: ArrayLike<number>,
  n: number,
  bucket: number,
  nwords: number,
  out: number[],
  pruneIdx: PruneIndex = null,
): number[] {
  if (bucket <= 0 || n <= 1) return out;
  if (pruneIdx && pruneIdx.size === 0) return out;
  const len = hashes.length;
  // (hi·2^32 + lo) mod bucket: with bucket ≤ 2^21, (hi mod bucket)·(2^32 mod bucket) + lo < 2^53 is exact
  const small = bucket <= 1 << 21;
  const m32 = 4294967296 % bucket;
  for (let i = 0; i < len; i++) {
    const h0 = hashes[i] | 0;
    let lo = h0 >>> 0;
    let hi = h0 < 0 ? 0xffffffff : 0;
    for (let j = i + 1; j < len && j < i + n; j++) {
      // (hi, lo) · K mod 2^64, K = 116049371 < 2^27: the low word by Math.imul, the carry from 16-bit halves of lo
      const newLo = Math.imul(lo, 116049371) >>> 0;
      const carry = Math.floor(((lo >>> 16) * 116049371 + Math.floor(((lo & 0xffff) * 116049371) / 65536)) / 65536);
      const newHi = (Math.imul(hi, K_LO) + Math.imul(hi, K_HI) * 65536 + carry) >>> 0; // mod 2^32
      // + hashes[j] sign-extended to 64 bits
      const hj = hashes[j] | 0;
      let sumLo = newLo + (hj >>> 0);
      let c = 0;
      if (sumLo >= 4294967296) {
        sumLo -= 4294967296;
        c = 1;
      }
      hi = (newHi + (hj < 0 ? 0xffffffff : 0) + c) >>> 0;
      lo = sumLo;
      let r: number;
      if (small) r = ((hi % bucket) * m32 + lo) % bucket;
      else {
        // two 16-bit shifts keep every value exact for any bucket < 2^31
        r = hi % bucket;
        r = (r * 65536 + (lo >>> 16)) % bucket;
        r = (r * 65536 + (lo & 0xffff)) % bucket;
      }
      pushHash(out, r, nwords, pruneIdx);
    }
  }
  return out;
}
