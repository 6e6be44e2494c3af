/**
 * GloVe text vectors (Stanford `glove` tool, `vectors.txt`): one `word v1 … vD` line per word and no header.
 * The dimension is taken from the first line and every other line must have the same number of values.
 * This is the word2vec text layout without its header, so these functions are the word2vec ones with
 * `noHeader` (reading) and `writeHeader: false` (writing); see ./word2vec/read.ts and ./word2vec/write.ts for the options and errors.
 */
import {
  encodeWord2Vec,
  formatWord2Vec,
  parseWord2Vec,
  readWord2Vec,
  saveWord2Vec,
  type ParseWord2VecOptions,
  type ReadWord2VecOptions,
  type WordVectors,
  type WriteWord2VecOptions,
} from './word2vec.js';
import type { ByteSource } from './lines.js';

/** Options of {@link parseGloVe}: the word2vec reading options without `binary` and `noHeader`. */
export type ParseGloVeOptions = Omit<ParseWord2VecOptions, 'binary' | 'noHeader'>;
/** Options of {@link readGloVe}. */
export type ReadGloVeOptions = Omit<ReadWord2VecOptions, 'binary' | 'noHeader'>;
/** Options of {@link encodeGloVe}, {@link formatGloVe} and {@link saveGloVe}. */
export type WriteGloVeOptions = Pick<WriteWord2VecOptions, 'precision' | 'allowNonFinite' | 'chunkSize'>;

/** Parses GloVe text held in memory (`string` = the file's content). */
export function parseGloVe(data: Uint8Array | ArrayBuffer | string, options: ParseGloVeOptions = {}): WordVectors {
  return parseWord2Vec(data, { ...options, binary: false, noHeader: true });
}

/**
 * Reads a GloVe text file from a path, URL, stream, blob or bytes, streamed; reading stops once `limit` vectors
 * are in (gensim: `load_word2vec_format(path, no_header=True)`).
 */
export function readGloVe(source: ByteSource, options: ReadGloVeOptions = {}): Promise<WordVectors> {
  return readWord2Vec(source, { ...options, binary: false, noHeader: true });
}

/** Encodes vectors as GloVe text, in byte chunks (word2vec text without the header). */
export function encodeGloVe(v: WordVectors, options: WriteGloVeOptions = {}): Iterable<Uint8Array> {
  return encodeWord2Vec(v, { ...options, binary: false, writeHeader: false });
}

/** Encodes vectors as GloVe text into one buffer. */
export function formatGloVe(v: WordVectors, options: WriteGloVeOptions = {}): Uint8Array {
  return formatWord2Vec(v, { ...options, binary: false, writeHeader: false });
}

/** Saves vectors as GloVe text to `path`, atomically (see `saveWord2Vec`). */
export function saveGloVe(path: string | URL, v: WordVectors, options: WriteGloVeOptions = {}): Promise<void> {
  return saveWord2Vec(path, v, { ...options, binary: false, writeHeader: false });
}
