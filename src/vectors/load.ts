import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { readWord2Vec, saveWord2Vec, type WordVectors } from '../io/word2vec.js';
import { readGloVe, saveGloVe } from '../io/glove.js';
import type { ByteSource } from '../io/lines.js';
import { KeyedVectors } from './keyed.js';

/** File formats for word vectors. 'auto' sniffs: word2vec binary or text (with a `V D` header), else GloVe text. */
export type VectorFormat = 'auto' | 'word2vec' | 'word2vec-binary' | 'word2vec-text' | 'glove';

export interface LoadVectorsOptions {
  format?: VectorFormat;
  /** Read only the first `limit` vectors (the most frequent ones in files written by word2vec, gensim and quantext). */
  limit?: number;
  rt?: Runtime;
}

/** Reads word2vec (text or binary) or GloVe vectors into a KeyedVectors (streamed; see src/io/). */
export async function loadVectors(source: ByteSource, opts: LoadVectorsOptions = {}): Promise<KeyedVectors> {
  const format = opts.format ?? 'auto';
  const name = typeof source === 'string' ? source : source instanceof URL ? source.href : undefined;
  let wv: WordVectors;
  switch (format) {
    case 'glove':
      wv = await readGloVe(source, { limit: opts.limit, name });
      break;
    case 'word2vec-binary':
    case 'word2vec-text':
      wv = await readWord2Vec(source, { limit: opts.limit, binary: format === 'word2vec-binary', name });
      break;
    case 'word2vec':
      wv = await readWord2Vec(source, { limit: opts.limit, name });
      break;
    case 'auto':
      // word2vec binary or text with a `V D` header; without a header, GloVe text
      wv = await readWord2Vec(source, { limit: opts.limit, name, noHeader: 'auto' });
      break;
    default:
      throw new QuantextError('E_OPTION', `unknown vector format '${format as string}' (auto, word2vec, word2vec-binary, word2vec-text, glove)`);
  }
  return KeyedVectors.fromArrays(wv.words, wv.vectors, wv.dim, { rt: opts.rt });
}

export interface SaveVectorsOptions {
  /** 'bin' (word2vec binary, default), 'txt' (word2vec text) or 'glove' (text without header). */
  format?: 'bin' | 'txt' | 'glove';
}

/** Writes vectors atomically (temp file, then rename): a failed save never destroys an existing file. */
export async function saveVectors(kv: KeyedVectors, path: string | URL, opts: SaveVectorsOptions = {}): Promise<void> {
  const format = opts.format ?? 'bin';
  const v: WordVectors = { words: [...kv.keys], dim: kv.dim, vectors: kv.vectors };
  if (format === 'glove') return saveGloVe(path, v);
  if (format !== 'bin' && format !== 'txt') throw new QuantextError('E_OPTION', `unknown save format '${format as string}' (bin, txt, glove)`);
  return saveWord2Vec(path, v, { binary: format === 'bin' });
}
