import { QuantextError } from '../errors.js';

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
  constructor(private opts: VocabOptions & { encodeLimit?: number }) {
    if ((opts.encodeLimit ?? 0) > 0 && !opts.maxVocabSize) {
      this.tok = new Int32Array(1 << 16);
      this.ends = new Int32Array(1 << 12);
    }
  }

  add(tokens: readonly string[]): void {
    const index = this.index;
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
      for (let i = 0; i < tokens.length; i++) tokens[i] = remap[tokens[i]];
      vocab.encoded = { tokens, ends: this.ends.subarray(0, this.nsent) };
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
