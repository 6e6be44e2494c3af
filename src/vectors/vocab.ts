import { QuantextError } from '../errors.js';

/**
 * An immutable word ↔ index map: the key side of KeyedVectors (gensim's `index_to_key` / `key_to_index`).
 *
 * Index i is row i of the vector table. Words are unique; the order is the caller's (normally descending
 * frequency, which is what `restrictVocab` in searches and evaluations assumes). The object never changes
 * after construction, so several KeyedVectors (for example an f32 table and its quantized copy) share one.
 */
export class Vocab {
  /** index → word, frozen. */
  readonly words: readonly string[];
  private readonly index: Map<string, number>;

  /**
   * @param words one entry per row, unique. The array is copied.
   * @throws E_OPTION for a duplicate or non-string word (the message names it and both indices).
   */
  constructor(words: readonly string[]) {
    if (!Array.isArray(words)) throw new QuantextError('E_OPTION', 'Vocab: words must be an array of strings');
    const copy = words.slice();
    const index = new Map<string, number>();
    for (let i = 0; i < copy.length; i++) {
      const w = copy[i];
      if (typeof w !== 'string') {
        throw new QuantextError('E_OPTION', `Vocab: word ${i} is a ${typeof w}, not a string`, { index: i });
      }
      const prev = index.get(w);
      if (prev !== undefined) {
        throw new QuantextError('E_OPTION', `Vocab: duplicate word '${w}' at indices ${prev} and ${i}`, { word: w, first: prev, index: i });
      }
      index.set(w, i);
    }
    this.words = Object.freeze(copy);
    this.index = index;
  }

  /** word → index (gensim's `key_to_index`): the lookup map itself, read-only (the vocabulary never changes). */
  get keyToIndex(): ReadonlyMap<string, number> {
    return this.index;
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The word's index, or −1 when it is not in the vocabulary (gensim's `get_index(key, default=-1)`). */
  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The word's index; throws E_OOV naming the word when it is unknown (gensim's `get_index(key)`). */
  getIndex(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) throw new QuantextError('E_OOV', `word '${word}' is not in the vocabulary`, { word });
    return i;
  }

  /** The word at `index`; throws E_OPTION when the index is out of range. */
  wordAt(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.words.length) {
      throw new QuantextError('E_OPTION', `index ${index} is out of range [0, ${this.words.length})`, { index });
    }
    return this.words[index];
  }

  /**
   * The lookup table the evaluations use: the first `limit` words, keyed by their upper-case form when
   * `caseInsensitive`, each key mapped to its LOWEST index (gensim builds `{k.upper(): i for k in reversed(...)}`,
   * so among case variants the first, normally the most frequent, wins).
   */
  evaluationIndex(limit: number, caseInsensitive: boolean): Map<string, number> {
    const n = Math.min(limit, this.words.length);
    const m = new Map<string, number>();
    for (let i = n - 1; i >= 0; i--) m.set(caseInsensitive ? this.words[i].toUpperCase() : this.words[i], i);
    return m;
  }

  /**
   * Approximate JS-heap bytes of the words and the map (engines do not expose exact sizes): two bytes per
   * UTF-16 code unit plus ~24 bytes of string header, ~40 bytes per hash-map entry and 8 per array slot.
   */
  estimateBytes(): number {
    let chars = 0;
    for (const w of this.words) chars += w.length;
    return chars * 2 + this.words.length * (24 + 40 + 8);
  }
}
