/**
 * The word2vec vector formats of the original C tool and gensim (`load_word2vec_format` / `save_word2vec_format`):
 * what reader (./read.ts) and writer (./write.ts) share.
 *
 * Layout
 * ------
 * Header `"<count> <dim>\n"` (ASCII), then `count` records:
 *
 * - text:   `word v1 v2 … vD\n`: values in decimal, separated by spaces (tabs, `\r` and trailing spaces are tolerated);
 * - binary: `word ` then D float32 little-endian values (4·D bytes), optionally followed by `\n`. word2vec C
 *   writes the `\n`, gensim 4 does not; the reader accepts both (newlines before a word are skipped, as
 *   gensim's `lstrip('\n')` and word2vec C's reader do).
 *
 * GloVe and fastText `.vec` files are the text layout; GloVe has no header (`noHeader: true` or `'auto'`, or see
 * ../glove.ts).
 */

/** A vocabulary and its vectors: row `i` of `vectors` (`dim` floats, row-major) belongs to `words[i]`. */
export interface WordVectors {
  /** Words in file order. */
  words: string[];
  /** Number of values per vector. */
  dim: number;
  /** `words.length · dim` floats, row-major. */
  vectors: Float32Array;
}

/** How to treat bytes that are not valid UTF-8 in a word (gensim's `unicode_errors`). */
export type UnicodeErrors = 'replace' | 'strict';

export const NL = 0x0a;
export const SP = 0x20;
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A word or token for an error message: JSON-quoted, cut after `max` characters. */
export function preview(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
