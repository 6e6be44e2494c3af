/**
 * Writing the word2vec formats (layout in ./layout.ts): text with shortest round-trip decimals, or binary float32,
 * as byte chunks ({@link encodeWord2Vec}), one buffer ({@link formatWord2Vec}) or an atomically written file
 * ({@link saveWord2Vec}).
 */
import { QuantextError } from '../../errors.js';
import { DEFAULT_CHUNK_SIZE, writeFileViaHost } from '../lines.js';
import { formatFloat32 } from '../format-float.js';
import { LITTLE_ENDIAN, NL, SP, preview, type WordVectors } from './layout.js';

/** Options of {@link encodeWord2Vec}, {@link formatWord2Vec} and {@link saveWord2Vec}. */
export interface WriteWord2VecOptions {
  /** Write binary float32 records (default false: text, as gensim). */
  binary?: boolean;
  /** Write the `"<count> <dim>"` header (default true; `false` gives GloVe text; binary files always have one). */
  writeHeader?: boolean;
  /** Binary only: write `\n` after each vector, as word2vec C does (default true; gensim 4 writes none). */
  binaryNewline?: boolean;
  /**
   * Text only: significant digits per value. Default: the fewest digits that read back to the identical float32
   * (at most 9), so text files round-trip exactly.
   */
  precision?: number;
  /** Write NaN/±Infinity (as `nan`, `inf`, `-inf` in text) instead of failing with `E_NAN` (default false). */
  allowNonFinite?: boolean;
  /** Approximate bytes per yielded chunk (default 1 MiB). */
  chunkSize?: number;
}

/** Checks what a writer needs: consistent shapes, storable words, finite values. */
function checkWritable(v: WordVectors, allowNonFinite: boolean): void {
  const { words, dim, vectors } = v;
  if (!Number.isSafeInteger(dim) || dim < 1) throw new QuantextError('E_SHAPE', `dim must be a positive integer, got ${dim}`, { dim });
  if (vectors.length !== words.length * dim) {
    throw new QuantextError('E_SHAPE', `${words.length} words × dim ${dim} needs ${words.length * dim} floats, got ${vectors.length}`, {
      words: words.length,
      dim,
      floats: vectors.length,
    });
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (typeof w !== 'string' || w.length === 0 || /[ \t\n\r\v\f]/.test(w)) {
      throw new QuantextError('E_FORMAT', `word ${i} (${preview(String(w))}) is empty or contains whitespace, which the word2vec format cannot store`, {
        index: i,
      });
    }
  }
  if (!allowNonFinite) {
    for (let i = 0; i < vectors.length; i++) {
      const x = vectors[i];
      if (x - x !== 0) {
        const row = Math.floor(i / dim);
        throw new QuantextError('E_NAN', `vector ${row} (${preview(words[row])}) has the non-finite value ${x} at position ${i % dim} (allowNonFinite writes it)`, {
          index: row,
          column: i % dim,
        });
      }
    }
  }
}

/**
 * Encodes vectors in the word2vec format as a sequence of byte chunks (about `chunkSize` bytes each), for
 * streaming to a file or network. Shapes, words and (unless `allowNonFinite`) values are checked before the
 * first chunk: `E_SHAPE`, `E_FORMAT` (an empty word or one with whitespace), `E_NAN`.
 */
export function encodeWord2Vec(v: WordVectors, options: WriteWord2VecOptions = {}): Iterable<Uint8Array> {
  const { binary = false, writeHeader = true, binaryNewline = true, precision, allowNonFinite = false, chunkSize = DEFAULT_CHUNK_SIZE } = options;
  if (binary && !writeHeader) throw new QuantextError('E_OPTION', 'binary word2vec files always have a header (writeHeader: false is for text)', { option: 'writeHeader' });
  if (precision !== undefined && !(Number.isInteger(precision) && precision >= 1 && precision <= 17)) {
    throw new QuantextError('E_OPTION', `precision must be an integer in 1..17, got ${precision}`, { option: 'precision' });
  }
  if (!(Number.isSafeInteger(chunkSize) && chunkSize >= 1)) throw new QuantextError('E_OPTION', `chunkSize must be a positive integer, got ${chunkSize}`, { option: 'chunkSize' });
  checkWritable(v, allowNonFinite);
  return binary ? binaryChunks(v, binaryNewline, chunkSize) : textChunks(v, writeHeader, precision, chunkSize);
}

function* textChunks(v: WordVectors, writeHeader: boolean, precision: number | undefined, chunkSize: number): Generator<Uint8Array> {
  const { words, dim, vectors } = v;
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let chars = 0;
  if (writeHeader) {
    const h = `${words.length} ${dim}\n`;
    parts.push(h);
    chars += h.length;
  }
  const values = new Array<string>(dim);
  for (let r = 0; r < words.length; r++) {
    const off = r * dim;
    for (let k = 0; k < dim; k++) values[k] = formatFloat32(vectors[off + k], precision);
    const line = `${words[r]} ${values.join(' ')}\n`;
    parts.push(line);
    chars += line.length;
    if (chars >= chunkSize) {
      yield encoder.encode(parts.join(''));
      parts.length = 0;
      chars = 0;
    }
  }
  if (parts.length > 0) yield encoder.encode(parts.join(''));
}

function* binaryChunks(v: WordVectors, newline: boolean, chunkSize: number): Generator<Uint8Array> {
  const { words, dim, vectors } = v;
  const encoder = new TextEncoder();
  const rowBytes = 4 * dim;
  const src = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  let out = new Uint8Array(Math.max(chunkSize, 64));
  let n = encoder.encodeInto(`${words.length} ${dim}\n`, out).written;
  for (let r = 0; r < words.length; r++) {
    const word = encoder.encode(words[r]);
    const need = word.length + 1 + rowBytes + (newline ? 1 : 0);
    if (n + need > out.length) {
      if (n > 0) yield out.subarray(0, n);
      out = new Uint8Array(Math.max(chunkSize, need));
      n = 0;
    }
    out.set(word, n);
    n += word.length;
    out[n++] = SP;
    if (LITTLE_ENDIAN) {
      out.set(src.subarray(r * rowBytes, (r + 1) * rowBytes), n);
    } else {
      const view = new DataView(out.buffer, out.byteOffset + n, rowBytes);
      for (let k = 0; k < dim; k++) view.setFloat32(4 * k, vectors[r * dim + k], true);
    }
    n += rowBytes;
    if (newline) out[n++] = NL;
  }
  if (n > 0) yield out.subarray(0, n);
}

/** Encodes vectors in the word2vec format into one buffer (see {@link encodeWord2Vec}). */
export function formatWord2Vec(v: WordVectors, options: WriteWord2VecOptions = {}): Uint8Array {
  const chunks = [...encodeWord2Vec(v, options)];
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let n = 0;
  for (const c of chunks) {
    out.set(c, n);
    n += c.length;
  }
  return out;
}

/**
 * Saves vectors to `path` in the word2vec format (gensim's `save_word2vec_format`), text by default or binary
 * with `binary: true`. The file is written atomically (a temporary file in the same folder, fsync, rename): if
 * anything fails midway, the previous file at `path` is left as it was. Needs a file system (Node, Deno, Bun);
 * elsewhere use {@link formatWord2Vec}.
 */
export async function saveWord2Vec(path: string | URL, v: WordVectors, options: WriteWord2VecOptions = {}): Promise<void> {
  await writeFileViaHost(path, encodeWord2Vec(v, options));
}
