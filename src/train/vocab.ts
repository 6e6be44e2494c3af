import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Corpus } from './corpus.js';

/** Counted vocabulary, sorted by descending count (ties keep first-seen order), as gensim's sorted_vocab=1. */
export interface CountedVocab {
  words: string[];
  counts: Float64Array;
  index: Map<string, number>;
  /** Raw corpus tokens seen in the scan (all words, before minCount). */
  totalWords: number;
  /** Sentences seen in the scan. */
  totalSentences: number;
  /** Tokens of kept words (Σ counts). */
  retainedWords: number;
}

export interface VocabOptions {
  minCount: number;
  /** Prune rare words while scanning whenever more than this many distinct words are held (gensim's max_vocab_size). */
  maxVocabSize?: number | null;
  /** Keep at most this many words after counting (gensim's max_final_vocab): raises the effective minCount. */
  maxFinalVocab?: number | null;
}

/** The corpus as word ids, kept from the vocabulary pass so that training need not read and tokenize it again. */
export interface EncodedCorpus {
  /** Final word ids, −1 for words that did not make the vocabulary. */
  tokens: Int32Array;
  /** End offset (exclusive) in `tokens` of each sentence. */
  ends: Int32Array;
  /**
   * When set, `tokens` holds the vocabulary pass's slots (first-seen order), and remap[slot] is the final id (−1:
   * not in the vocabulary); the corpus cache applies it in wasm (VocabBuilder's `deferRemap`).
   */
  remap?: Int32Array;
}

/**
 * Counts words as sentences stream by. With `encodeLimit` > 0 it also records the corpus as ids (one Map lookup
 * per token serves both), until the corpus exceeds that many tokens; then it drops the record and only counts.
 */
export class VocabBuilder {
  private index = new Map<string, number>(); // word → slot (first-seen order)
  private words: string[] = [];
  private cnt = new Float64Array(1024);
  private minReduce = 1;
  private tok: Int32Array | undefined;
  private ntok = 0;
  private ends: Int32Array | undefined;
  private nsent = 0;
  totalWords = 0;
  totalSentences = 0;
  /** `index` lags behind `words` (after a wasm scan): rebuilt on first need */
  private indexStale = false;
  constructor(private opts: VocabOptions & { encodeLimit?: number; runtime?: Runtime; deferRemap?: boolean }) {
    if ((opts.encodeLimit ?? 0) > 0 && !opts.maxVocabSize) {
      this.tok = new Int32Array(1 << 16);
      this.ends = new Int32Array(1 << 12);
    }
  }

  private freshIndex(): Map<string, number> {
    if (this.indexStale) {
      this.index.clear();
      for (let i = 0; i < this.words.length; i++) this.index.set(this.words[i], i);
      this.indexStale = false;
    }
    return this.index;
  }

  add(tokens: readonly string[]): void {
    const index = this.freshIndex();
    let tok = this.tok;
    if (tok && this.ntok + tokens.length > (this.opts.encodeLimit ?? 0)) {
      tok = this.tok = this.ends = undefined; // too large to keep: count only
    } else if (tok && this.ntok + tokens.length > tok.length) {
      const cap = Math.min(this.opts.encodeLimit ?? 0, Math.max(tok.length * 2, this.ntok + tokens.length));
      const t = new Int32Array(cap);
      t.set(tok.subarray(0, this.ntok));
      tok = this.tok = t;
    }
    for (const w of tokens) {
      let id = index.get(w);
      if (id === undefined) {
        id = this.words.length;
        index.set(w, id);
        this.words.push(w);
        if (id === this.cnt.length) {
          const c = new Float64Array(this.cnt.length * 2);
          c.set(this.cnt);
          this.cnt = c;
        }
      }
      this.cnt[id]++;
      if (tok) tok[this.ntok++] = id;
    }
    if (this.ends) {
      if (this.nsent === this.ends.length) {
        const e = new Int32Array(this.ends.length * 2);
        e.set(this.ends);
        this.ends = e;
      }
      this.ends[this.nsent++] = this.ntok;
    }
    this.totalWords += tokens.length;
    this.totalSentences++;
    const max = this.opts.maxVocabSize;
    if (max && index.size > max) this.prune();
  }

  /**
   * Counts a whole corpus. With a runtime, a corpus tokenized by the default tokenizer (a file, strings) is counted in
   * wasm from its UTF-8 bytes (see {@link TextScanner}); otherwise (a custom tokenizer, token arrays, or words already
   * added) sentence by sentence in JavaScript, with the same result.
   */
  async addCorpus(c: Corpus): Promise<void> {
    const rt = this.opts.runtime;
    if (!rt || !c.text || this.words.length > 0 || this.totalSentences > 0) {
      for await (const s of c.sentences() as AsyncIterable<string[]>) this.add(s);
      return;
    }
    const sc = new TextScanner(rt, { record: !!this.tok, encodeLimit: this.opts.encodeLimit, prune: this.opts.maxVocabSize });
    try {
      await sc.scan(c.text);
      const { words, counts } = sc.vocabulary();
      this.words = words;
      this.cnt = new Float64Array(Math.max(1, counts.length));
      this.cnt.set(counts);
      this.indexStale = true; // a Map of every raw word is made only if something needs it
      this.totalWords = sc.tokens;
      this.totalSentences = sc.sentences;
      const r = sc.recorded();
      if (this.tok && r) {
        this.tok = r.tokens;
        this.ntok = r.tokens.length;
        this.ends = r.ends;
        this.nsent = r.ends.length;
      } else this.tok = this.ends = undefined;
      if (this.opts.maxVocabSize) this.minReduce = sc.pruneLevel;
    } finally {
      sc.dispose();
    }
  }

  /**
   * Counts a corpus given as ids into `words` (negative ids are unknown words: counted as raw tokens only).
   * Nothing is recorded: an id corpus is its own encoded copy.
   */
  addIds(ids: Int32Array, words: readonly string[], sentences: number): void {
    const n = words.length;
    const cnt = new Float64Array(n);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= n) throw new QuantextError('E_FORMAT', `id corpus: ids[${i}] = ${id} is beyond its ${n} words`, { index: i });
      if (id >= 0) cnt[id]++;
    }
    this.tok = this.ends = undefined;
    this.freshIndex();
    for (let i = 0; i < n; i++) {
      if (cnt[i] === 0) continue;
      const w = words[i];
      let id = this.index.get(w);
      if (id === undefined) {
        id = this.words.length;
        this.index.set(w, id);
        this.words.push(w);
        if (id >= this.cnt.length) {
          const c = new Float64Array(Math.max(this.cnt.length * 2, id + 1));
          c.set(this.cnt);
          this.cnt = c;
        }
      }
      this.cnt[id] += cnt[i];
    }
    this.totalWords += ids.length;
    this.totalSentences += sentences;
  }

  /** gensim's prune_vocab: drop words with count ≤ minReduce, then raise minReduce. */
  private prune(): void {
    this.freshIndex();
    const words: string[] = [];
    const cnt = new Float64Array(this.cnt.length);
    this.index.clear();
    for (let i = 0; i < this.words.length; i++) {
      if (this.cnt[i] <= this.minReduce) continue;
      this.index.set(this.words[i], words.length);
      cnt[words.length] = this.cnt[i];
      words.push(this.words[i]);
    }
    this.words = words;
    this.cnt = cnt;
    this.minReduce++;
  }

  /** Every word counted so far with its count, in first-seen order (before minCount): what an update merges. */
  counted(): { words: string[]; counts: Float64Array } {
    return { words: this.words.slice(), counts: this.cnt.slice(0, this.words.length) };
  }

  /** The final vocabulary, and the corpus re-coded to its ids when it was recorded. */
  finish(): CountedVocab & { encoded?: EncodedCorpus } {
    let minCount = this.opts.minCount;
    const n = this.words.length;
    if (this.opts.maxFinalVocab && n > this.opts.maxFinalVocab) {
      const sorted = Array.from(this.cnt.subarray(0, n)).sort((a, b) => b - a);
      minCount = Math.max(minCount, sorted[this.opts.maxFinalVocab] + 1);
    }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (this.cnt[i] >= minCount) kept.push(i);
    if (kept.length === 0) {
      if (this.totalWords === 0) throw new QuantextError('E_EMPTY', 'the corpus is empty: no tokens to build a vocabulary from');
      let maxCount = 0;
      for (let i = 0; i < n; i++) maxCount = Math.max(maxCount, this.cnt[i]);
      throw new QuantextError('E_EMPTY', `no word occurs at least minCount=${minCount} times (the most frequent occurs ${maxCount} times); lower minCount`, {
        minCount,
        maxCount,
      });
    }
    // stable sort by descending count keeps first-seen order among ties (gensim's sorted_vocab)
    kept.sort((a, b) => this.cnt[b] - this.cnt[a] || a - b);
    const words = kept.map((i) => this.words[i]);
    const counts = Float64Array.from(kept, (i) => this.cnt[i]);
    const index = new Map<string, number>();
    words.forEach((w, i) => index.set(w, i));
    let retained = 0;
    for (const c of counts) retained += c;
    const vocab: CountedVocab & { encoded?: EncodedCorpus } = {
      words, counts, index, totalWords: this.totalWords, totalSentences: this.totalSentences, retainedWords: retained,
    };
    if (this.tok && this.ends) {
      const remap = new Int32Array(n).fill(-1);
      kept.forEach((slot, id) => (remap[slot] = id));
      const tokens = this.tok.subarray(0, this.ntok);
      if (this.opts.deferRemap) vocab.encoded = { tokens, ends: this.ends.subarray(0, this.nsent), remap };
      else {
        for (let i = 0; i < tokens.length; i++) tokens[i] = remap[tokens[i]];
        vocab.encoded = { tokens, ends: this.ends.subarray(0, this.nsent) };
      }
      this.tok = this.ends = undefined;
    }
    return vocab;
  }
}

/**
 * Keep thresholds for frequent-word subsampling (word2vec.c / gensim): a word with count c is kept with
 * probability p = (√(c / t) + 1)·t / c, where t = sample · retainedWords, capped at 1. Returned as u32
 * thresholds: the kernel keeps the word when a 32-bit random draw is below the threshold.
 */
export function sampleThresholds(vocab: CountedVocab, sample: number): Uint32Array {
  const out = new Uint32Array(vocab.words.length);
  const t = sample * vocab.retainedWords;
  for (let i = 0; i < out.length; i++) {
    const c = vocab.counts[i];
    const p = sample > 0 ? (Math.sqrt(c / t) + 1) * (t / c) : 1;
    out[i] = p >= 1 ? 0xffffffff : Math.floor(p * 4294967296);
  }
  return out;
}

export interface Huffman {
  /** u8[vocab·maxLen] codes (0/1), row per word */
  codes: Uint8Array;
  /** i32[vocab·maxLen] inner-node indices into syn1 (0..vocab−2) */
  points: Int32Array;
  /** u8[vocab] code lengths */
  lengths: Uint8Array;
}

/** The Huffman tree of word2vec.c's CreateBinaryTree (counts sorted descending). */
export function huffman(counts: Float64Array, maxLen: number): Huffman {
  const n = counts.length;
  const codes = new Uint8Array(n * maxLen);
  const points = new Int32Array(n * maxLen);
  const lengths = new Uint8Array(n);
  if (n === 1) {
    // one word: no inner nodes, nothing for hierarchical softmax to learn
    return { codes, points, lengths };
  }
  const count = new Float64Array(n * 2 + 1);
  const binary = new Uint8Array(n * 2 + 1);
  const parent = new Int32Array(n * 2 + 1);
  for (let a = 0; a < n; a++) count[a] = counts[a];
  for (let a = n; a < n * 2; a++) count[a] = 1e300;
  let pos1 = n - 1, pos2 = n;
  for (let a = 0; a < n - 1; a++) {
    let min1i: number, min2i: number;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min1i = pos1--;
    else min1i = pos2++;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min2i = pos1--;
    else min2i = pos2++;
    count[n + a] = count[min1i] + count[min2i];
    parent[min1i] = n + a;
    parent[min2i] = n + a;
    binary[min2i] = 1;
  }
  const code = new Uint8Array(maxLen), point = new Int32Array(maxLen);
  for (let a = 0; a < n; a++) {
    let b = a, i = 0;
    for (;;) {
      if (i >= maxLen) throw new QuantextError('E_TOO_LARGE', `Huffman code longer than ${maxLen} (vocabulary too skewed)`);
      code[i] = binary[b];
      point[i] = b;
      i++;
      b = parent[b];
      if (b === n * 2 - 2) break;
    }
    lengths[a] = i;
    // word2vec.c: code[i − b − 1] = code[b]; point[i − b] = point[b] − vocab_size (b ≥ 1); point[0] = vocab_size − 2
    for (let k = 0; k < i; k++) {
      codes[a * maxLen + i - k - 1] = code[k];
      if (k > 0) points[a * maxLen + i - k] = point[k] - n;
    }
    points[a * maxLen] = n - 2;
  }
  return { codes, points, lengths };
}

/**
 * The Huffman tree for counts in any order (a vocabulary grown by buildVocab({ update: true }) is no longer sorted):
 * built over the counts sorted descending, rows returned in the given order.
 */
export function huffmanAnyOrder(counts: Float64Array, maxLen: number): Huffman {
  const n = counts.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (counts[i] > counts[i - 1]) sorted = false;
  if (sorted) return huffman(counts, maxLen);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const h = huffman(Float64Array.from(order, (i) => counts[i]), maxLen);
  const out: Huffman = { codes: new Uint8Array(n * maxLen), points: new Int32Array(n * maxLen), lengths: new Uint8Array(n) };
  order.forEach((word, r) => {
    out.codes.set(h.codes.subarray(r * maxLen, (r + 1) * maxLen), word * maxLen);
    out.points.set(h.points.subarray(r * maxLen, (r + 1) * maxLen), word * maxLen);
    out.lengths[word] = h.lengths[r];
  });
  return out;
}

/**
 * Walker's alias table for drawing negatives from count^power (Vose's construction), interleaved as
 * (u32 threshold, i32 alias) pairs: draw a uniform slot i and a uniform u32 r; the sample is i when
 * r < threshold[i], else alias[i]. Exact up to the 32-bit thresholds, O(1) per draw, 8 bytes per word:
 * small enough to stay in cache, unlike word2vec.c's 1e8-entry table.
 */
export function aliasTable(counts: Float64Array, power = 0.75): Uint32Array {
  const n = counts.length;
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += (p[i] = Math.pow(counts[i], power));
  for (let i = 0; i < n; i++) p[i] = (p[i] * n) / total;
  const out = new Uint32Array(n * 2);
  const small: number[] = [], large: number[] = [];
  for (let i = 0; i < n; i++) (p[i] < 1 ? small : large).push(i);
  while (small.length && large.length) {
    const s = small.pop()!, l = large.pop()!;
    out[2 * s] = Math.min(0xffffffff, Math.floor(p[s] * 4294967296));
    out[2 * s + 1] = l;
    p[l] = p[l] + p[s] - 1;
    (p[l] < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) {
    out[2 * i] = 0xffffffff; // always itself (numerical leftovers)
    out[2 * i + 1] = i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The vocabulary pass in wasm (assembly/text/vocab.ts): UTF-8 bytes in, a hashed open-addressing dictionary in wasm
// memory, word ids out. The corpus never becomes a JS string per token: a word's string is made once, at the end.

/** Status codes of text_scan / text_token. */
const TEXT = { DONE: 0, FULL: 1, GROW: 2, PRUNE: 3, INVALID: 4, TOO_LONG: 5 } as const;
const TEXT_ADD = 1, TEXT_COUNT = 2, TEXT_RECORD = 4;
/** Byte offsets of the scan state's fields (mirrors assembly/text/vocab.ts). */
const ST = {
  TABLE: 0, TABLE_CAP: 4, HASHES: 8, OFFS: 12, LENS: 16, COUNTS: 20, WORD_CAP: 24, WORDS: 28, POOL: 32, POOL_CAP: 36,
  POOL_USED: 40, OUT: 44, OUT_CAP: 48, NOUT: 52, ENDS: 56, ENDS_CAP: 60, NENDS: 64, FLAGS: 68, SEP: 72, POS: 76,
  PRUNE: 80, TOK_END: 84, TOKENS: 88, SENTENCES: 96, MAX_TOKEN: 104, TOK_START: 108, SIZE: 112,
} as const;

/** A token longer than this many bytes is refused (E_TOO_LARGE): no corpus has such words, and it bounds memory. */
export const MAX_TOKEN_BYTES = 1 << 24;
/** Separator that ends a sentence: '\n' in files; 0xFF (never in UTF-8) between the strings of an array. */
export const SEP_LINE = 10, SEP_STRING = 0xff;

/** One piece of a text corpus for the wasm pass: UTF-8 bytes, or a sentence that is already a token array. */
export type TextChunk = Uint8Array | readonly string[];

/** A corpus as bytes: `chunks()` makes a fresh pass; `sep` ends sentences; `lines` applies the line reader's rules. */
export interface TextSource {
  chunks(): AsyncIterable<TextChunk> | Iterable<TextChunk>;
  sep: number;
  /** a file: a last line without '\n' counts only when it has bytes besides a BOM and a final '\r' (as readLines) */
  lines: boolean;
  name: string;
}

const utf8 = new TextDecoder('utf-8');
const enc = new TextEncoder();

/**
 * The wasm dictionary and the scan that feeds it. Grows its tables from TypeScript when the kernel asks (the
 * kernel never allocates). `record` keeps the corpus as word ids (first-seen slots) up to `encodeLimit` tokens.
 */
export class TextScanner extends WasmOwned {
  private st: number;
  private inPtr = 0;
  private inCap = 0;
  private scratch = 0;
  private scratchCap = 0;
  private rec?: { t: Int32Array; n: number; e: Int32Array; ne: number };
  /** ids(): the blocks waiting to be taken */
  private queue?: { tokens: Int32Array; ends: Int32Array }[];
  private encodeLimit: number;
  private minReduce = 1;
  /** words that may contain '\n' (from token arrays): the pool cannot be decoded in one piece */
  private exactWords = false;
  /** gensim's prune level reached (max_vocab_size) */
  get pruneLevel(): number {
    return this.minReduce;
  }
  /** bytes of the source before the input buffer's start (for error offsets) */
  private base = 0;
  private name = '';
  /** token arrays met in a byte pass: their words are looked up as given */
  constructor(rt: Runtime, opts: { record?: boolean; encodeLimit?: number; prune?: number | null; add?: boolean } = {}) {
    super(rt);
    const k = rt.kernels;
    if (k.text_state_size() !== ST.SIZE) throw new QuantextError('E_WASM', `text_state_size() is ${k.text_state_size()}, expected ${ST.SIZE}: rebuild the wasm`);
    this.st = this.own(ST.SIZE, true);
    this.encodeLimit = opts.encodeLimit ?? 0;
    const record = !!opts.record && this.encodeLimit > 0;
    this.setU32(ST.FLAGS, (opts.add === false ? 0 : TEXT_ADD | TEXT_COUNT) | (record ? TEXT_RECORD : 0));
    this.setU32(ST.PRUNE, opts.prune ?? 0);
    this.setU32(ST.MAX_TOKEN, MAX_TOKEN_BYTES);
    this.table(1 << 14);
    this.words(1 << 12);
    this.pool(1 << 16);
    if (record) {
      this.rec = { t: new Int32Array(1 << 16), n: 0, e: new Int32Array(1 << 12), ne: 0 };
      this.setU32(ST.OUT, this.own(4 * 65536));
      this.setU32(ST.OUT_CAP, 65536);
      this.setU32(ST.ENDS, this.own(4 * 8192));
      this.setU32(ST.ENDS_CAP, 8192);
    }
  }

  private u32(off: number): number {
    return this.rt.arena.u32(this.st + off, 1)[0];
  }
  private setU32(off: number, v: number): void {
    this.rt.arena.u32(this.st + off, 1)[0] = v;
  }
  private f64(off: number): number {
    return this.rt.arena.f64(this.st + off, 1)[0];
  }

  get nwords(): number {
    return this.u32(ST.WORDS);
  }
  get tokens(): number {
    return this.f64(ST.TOKENS);
  }
  get sentences(): number {
    return this.f64(ST.SENTENCES);
  }

  /** A new zeroed table of `cap` slots, filled from the stored hashes. */
  private table(cap: number): void {
    const old = this.u32(ST.TABLE);
    const t = this.own(cap * 4, true);
    if (old) this.release(old);
    this.setU32(ST.TABLE, t);
    this.setU32(ST.TABLE_CAP, cap);
    this.rt.kernels.text_rehash(this.st);
  }

  /** Per-word arrays with room for `cap` words (contents kept). */
  private words(cap: number): void {
    const a = this.rt.arena, n = this.u32(ST.WORDS);
    for (const [off, size] of [[ST.HASHES, 4], [ST.OFFS, 4], [ST.LENS, 4], [ST.COUNTS, 8]] as const) {
      const old = this.u32(off);
      const p = this.own(cap * size);
      if (old) {
        a.u8(p, n * size).set(a.u8(old, n * size));
        this.release(old);
      }
      this.setU32(off, p);
    }
    this.setU32(ST.WORD_CAP, cap);
  }

  private pool(cap: number): void {
    const a = this.rt.arena, used = this.u32(ST.POOL_USED), old = this.u32(ST.POOL);
    const p = this.own(cap);
    if (old) {
      a.u8(p, used).set(a.u8(old, used));
      this.release(old);
    }
    this.setU32(ST.POOL, p);
    this.setU32(ST.POOL_CAP, cap);
  }

  /** The kernel asked for room: grow whichever table is full (each at least doubles). */
  private grow(need: number): void {
    const n = this.u32(ST.WORDS);
    if (n >= this.u32(ST.WORD_CAP)) this.words(this.u32(ST.WORD_CAP) * 2);
    if ((n + 1) * 4 > this.u32(ST.TABLE_CAP) * 3) this.table(this.u32(ST.TABLE_CAP) * 2);
    const used = this.u32(ST.POOL_USED), cap = this.u32(ST.POOL_CAP);
    if (used + need + 1 > cap) this.pool(Math.max(cap * 2, used + need + 1));
  }

  /** The ids and sentence ends written so far move to the record (or the record is dropped past encodeLimit). */
  private flush(): void {
    const r = this.rec;
    const nout = this.u32(ST.NOUT), nends = this.u32(ST.NENDS);
    const a = this.rt.arena;
    if (this.queue) {
      if (nout > 0 || nends > 0) this.queue.push({ tokens: a.i32(this.u32(ST.OUT), nout).slice(), ends: a.i32(this.u32(ST.ENDS), nends).slice() });
    } else if (!r) return;
    else if (r.n + nout > this.encodeLimit) {
      this.rec = undefined; // too large to keep: count only
      this.setU32(ST.FLAGS, this.u32(ST.FLAGS) & ~TEXT_RECORD);
    } else {
      if (r.n + nout > r.t.length) {
        const t = new Int32Array(Math.min(this.encodeLimit, Math.max(r.t.length * 2, r.n + nout)));
        t.set(r.t.subarray(0, r.n));
        r.t = t;
      }
      r.t.set(a.i32(this.u32(ST.OUT), nout), r.n);
      if (r.ne + nends > r.e.length) {
        const e = new Int32Array(Math.max(r.e.length * 2, r.ne + nends));
        e.set(r.e.subarray(0, r.ne));
        r.e = e;
      }
      const ends = a.i32(this.u32(ST.ENDS), nends);
      for (let i = 0; i < nends; i++) r.e[r.ne + i] = r.n + ends[i];
      r.n += nout;
      r.ne += nends;
    }
    this.setU32(ST.NOUT, 0);
    this.setU32(ST.NENDS, 0);
  }

  /** gensim's prune_vocab: keep the words counted more than minReduce (in first-seen order), then raise minReduce. */
  private prune(): void {
    const a = this.rt.arena, n = this.u32(ST.WORDS);
    const counts = a.f64(this.u32(ST.COUNTS), n).slice();
    const offs = a.u32(this.u32(ST.OFFS), n).slice(), lens = a.u32(this.u32(ST.LENS), n).slice();
    const pool = a.u8(this.u32(ST.POOL), this.u32(ST.POOL_USED)).slice();
    this.setU32(ST.WORDS, 0);
    this.setU32(ST.POOL_USED, 0);
    a.u32(this.u32(ST.TABLE), this.u32(ST.TABLE_CAP)).fill(0);
    const flags = this.u32(ST.FLAGS), tokens = this.f64(ST.TOKENS);
    this.setU32(ST.FLAGS, TEXT_ADD);
    for (let i = 0, id = 0; i < n; i++) {
      if (counts[i] <= this.minReduce) continue;
      this.insertBytes(pool.subarray(offs[i], offs[i] + lens[i]));
      a.f64(this.u32(ST.COUNTS) + id++ * 8, 1)[0] = counts[i];
    }
    a.f64(this.st + ST.TOKENS, 1)[0] = tokens;
    this.setU32(ST.FLAGS, flags);
    this.minReduce++;
  }

  /** Bytes into the scratch buffer (grown as needed); returns its address. */
  private toScratch(bytes: Uint8Array): number {
    if (bytes.length > this.scratchCap) {
      if (this.scratch) this.release(this.scratch);
      this.scratchCap = Math.max(256, bytes.length * 2);
      this.scratch = this.own(this.scratchCap);
    }
    this.rt.arena.u8(this.scratch, bytes.length).set(bytes);
    return this.scratch;
  }

  /** One token as given (no splitting), handled as the flags say; returns its id (−1: unknown in lookup mode). */
  private insertBytes(bytes: Uint8Array): number {
    for (;;) {
      const p = this.toScratch(bytes);
      const before = this.u32(ST.NOUT);
      const s = this.rt.kernels.text_token(this.st, p, bytes.length);
      if (s === TEXT.DONE) {
        if (this.u32(ST.FLAGS) & TEXT_RECORD) return this.rt.arena.i32(this.u32(ST.OUT) + before * 4, 1)[0];
        return -2; // id not needed
      }
      if (s === TEXT.FULL) this.flush();
      else this.grow(bytes.length);
    }
  }

  /** The input buffer with room for `n` bytes after the first `keep` (which are kept). */
  private input(keep: number, n: number): number {
    if (keep + n > this.inCap) {
      const cap = Math.max(keep + n, this.inCap * 2, 1 << 16);
      const p = this.own(cap);
      if (this.inPtr) {
        this.rt.arena.u8(p, keep).set(this.rt.arena.u8(this.inPtr, keep));
        this.release(this.inPtr);
      }
      this.inPtr = p;
      this.inCap = cap;
    }
    return this.inPtr;
  }

  /** Scans the input buffer's first `len` bytes; returns where an unfinished token starts (len when none). */
  private run(len: number, final: boolean): number {
    const k = this.rt.kernels;
    this.setU32(ST.POS, 0);
    for (;;) {
      const s = k.text_scan(this.st, this.inPtr, len, final ? 1 : 0);
      if (s === TEXT.DONE) return this.u32(ST.POS);
      if (s === TEXT.FULL) this.flush();
      else if (s === TEXT.GROW) this.grow(len);
      else if (s === TEXT.PRUNE) this.prune();
      else if (s === TEXT.INVALID) {
        // not valid UTF-8: the token as TextDecoder decodes it (U+FFFD replacements), as the line reader would
        const a = this.u32(ST.POS), b = this.u32(ST.TOK_END);
        const word = utf8.decode(this.rt.arena.u8(this.inPtr + a, b - a).slice());
        this.insertBytes(enc.encode(word));
        this.setU32(ST.POS, b);
      } else {
        const at = this.base + this.u32(ST.TOK_START);
        throw new QuantextError('E_TOO_LARGE', `${this.name}: a token longer than ${MAX_TOKEN_BYTES} bytes (no whitespace) starts at byte ${at}: is this a text corpus?`, { offset: at, file: this.name });
      }
    }
  }

  /** Ends a sentence (a token array's, or a file's last line without '\n'). */
  private endSentence(sep: number): void {
    this.input(0, 1);
    this.rt.arena.u8(this.inPtr, 1)[0] = sep;
    this.run(1, true);
  }

  /** Scans a whole text source once (counting, recording as constructed). */
  async scan(src: TextSource): Promise<void> {
    for await (const _ of this.pass(src)) {
      /* counted and recorded as it goes */
    }
  }

  /**
   * A lookup-only scanner over `words` (word i has id i): `ids(src)` turns a corpus's bytes into blocks of ids (−1 for
   * unknown words) with their sentence ends, for streamed epochs and token counts.
   */
  static lookup(rt: Runtime, words: readonly string[]): TextScanner {
    const sc = new TextScanner(rt, { add: true });
    try {
      sc.setU32(ST.FLAGS, TEXT_ADD);
      for (const w of words) sc.insertBytes(enc.encode(w));
      sc.setU32(ST.FLAGS, TEXT_RECORD);
      sc.setU32(ST.OUT, sc.own(4 * 65536));
      sc.setU32(ST.OUT_CAP, 65536);
      sc.setU32(ST.ENDS, sc.own(4 * 8192));
      sc.setU32(ST.ENDS_CAP, 8192);
    } catch (e) {
      sc.dispose();
      throw e;
    }
    return sc;
  }

  /** The corpus as blocks of ids and sentence ends (indices into the block's ids), each a fresh copy. */
  async *ids(src: TextSource): AsyncGenerator<{ tokens: Int32Array; ends: Int32Array }> {
    this.queue = [];
    this.setU32(ST.NOUT, 0);
    this.setU32(ST.NENDS, 0);
    for await (const _ of this.pass(src)) {
      while (this.queue.length) yield this.queue.shift()!;
    }
    while (this.queue.length) yield this.queue.shift()!;
  }

  /** One pass over the source; yields after each piece of input so that a consumer can take the queued ids. */
  private async *pass(src: TextSource): AsyncGenerator<void> {
    this.setU32(ST.SEP, src.sep);
    this.name = src.name;
    this.base = 0;
    let carry = 0;
    // the line reader's last-line rule: bytes after the last '\n', the stream's first bytes (BOM) and last byte
    let tail = 0, sawNl = false, first: number[] = [], last = -1;
    const CHUNK = 1 << 20;
    for await (const chunk of src.chunks() as AsyncIterable<TextChunk>) {
      if (!(chunk instanceof Uint8Array)) {
        // a token array: its words as given
        if (carry > 0) {
          this.run(carry, true);
          carry = 0;
        }
        for (const w of chunk) {
          if (typeof w !== 'string') throw new QuantextError('E_FORMAT', `corpus: a sentence must be a string or an array of strings, got an array holding ${typeof w}`);
          this.insertBytes(enc.encode(w));
          if (w.includes('\n')) this.exactWords = true;
        }
        this.endSentence(src.sep);
        yield;
        continue;
      }
      if (src.lines && chunk.length > 0) {
        for (let i = 0; first.length < 3 && i < chunk.length; i++) first.push(chunk[i]);
        const nl = chunk.lastIndexOf(10);
        if (nl >= 0) {
          sawNl = true;
          tail = chunk.length - 1 - nl;
        } else tail += chunk.length;
        last = chunk[chunk.length - 1];
      }
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(CHUNK, chunk.length - off);
        const p = this.input(carry, n);
        this.rt.arena.u8(p + carry, n).set(chunk.subarray(off, off + n));
        off += n;
        const len = carry + n;
        const pos = this.run(len, false);
        carry = len - pos;
        if (carry > 0 && pos > 0) this.rt.arena.u8(this.inPtr, len).copyWithin(0, pos, len);
        this.base += pos;
        if (this.queue) this.flush();
        yield;
      }
    }
    if (carry > 0) this.run(carry, true);
    if (src.lines) {
      const bom = !sawNl && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
      if (tail - bom - (last === 13 && tail > bom ? 1 : 0) > 0) this.endSentence(src.sep);
    }
    this.flush();
  }

  /** The words in slot order (their strings made once each) with their counts. */
  vocabulary(): { words: string[]; counts: Float64Array } {
    const a = this.rt.arena, n = this.u32(ST.WORDS);
    const counts = a.f64(this.u32(ST.COUNTS), n).slice();
    let words: string[];
    if (!this.exactWords) {
      // every word is followed by '\n' in the pool and none contains one: one decode, one split
      words = n === 0 ? [] : utf8.decode(a.u8(this.u32(ST.POOL), this.u32(ST.POOL_USED)).slice()).split('\n');
      words.length = n;
    } else {
      const offs = a.u32(this.u32(ST.OFFS), n).slice(), lens = a.u32(this.u32(ST.LENS), n).slice();
      const pool = a.u8(this.u32(ST.POOL), this.u32(ST.POOL_USED)).slice();
      words = Array.from({ length: n }, (_, i) => utf8.decode(pool.subarray(offs[i], offs[i] + lens[i])));
    }
    return { words, counts };
  }

  /** The recorded corpus (slot ids, sentence ends), or undefined when it was not recorded or was too large. */
  recorded(): { tokens: Int32Array; ends: Int32Array } | undefined {
    const r = this.rec;
    return r && { tokens: r.t.subarray(0, r.n), ends: r.e.subarray(0, r.ne) };
  }
}
