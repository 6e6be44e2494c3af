import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { readWord2Vec, saveWord2Vec, type WordVectors } from '../io/word2vec.js';
import { readGloVe, saveGloVe } from '../io/glove.js';
import { openByteSource, writeFileViaHost, type ByteSource } from '../io/lines.js';
import { loadTable, saveTable } from '../io/safetensors.js';
import { KeyedVectors } from './keyed.js';

/**
 * File formats for word vectors. 'auto' sniffs: safetensors (quantext tables, dense or quantized), else word2vec
 * binary or text with a `V D` header, else GloVe text (no header).
 */
export type VectorFormat = 'auto' | 'word2vec' | 'word2vec-binary' | 'word2vec-text' | 'glove' | 'safetensors';

export interface LoadVectorsOptions {
  format?: VectorFormat;
  /** Read only the first `limit` vectors (the most frequent ones in files written by word2vec, gensim and quantext). */
  limit?: number;
  rt?: Runtime;
}

/** Reads word vectors into a KeyedVectors: word2vec (text or binary) and GloVe are streamed; safetensors tables keep their dtype. */
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
    case 'safetensors':
    case 'auto': {
      // open once (a stream may be readable only once), look at the first bytes, then hand the chunks on
      const opened = await openByteSource(source, { name });
      const it = opened.chunks[Symbol.asyncIterator]();
      const first = await it.next();
      const head = first.done ? new Uint8Array(0) : first.value;
      const chunks = (async function* () {
        try {
          if (!first.done) yield head;
          for (;;) {
            const r = await it.next();
            if (r.done) return;
            yield r.value;
          }
        } finally {
          await it.return?.(); // a reader that stops early (limit) closes the file
        }
      })();
      if (format === 'safetensors' || isSafetensors(head)) {
        if (opts.limit !== undefined) {
          await it.return?.(); // close the file
          throw new QuantextError('E_UNSUPPORTED', `${opened.name}: 'limit' is not supported for safetensors tables`);
        }
        const parts: Uint8Array[] = [];
        let n = 0;
        for await (const c of chunks) {
          parts.push(c);
          n += c.length;
        }
        const bytes = new Uint8Array(n);
        let o = 0;
        for (const p of parts) {
          bytes.set(p, o);
          o += p.length;
        }
        const t = loadTable(bytes, { rt: opts.rt });
        try {
          if (!t.vocab) throw new QuantextError('E_FORMAT', `${opened.name}: the safetensors file has no 'vocab' metadata, so it holds no word vectors`);
          return new KeyedVectors(t.vocab, t.matrix);
        } catch (e) {
          t.matrix.dispose();
          if (e instanceof QuantextError && e.code !== 'E_FORMAT') {
            throw new QuantextError('E_FORMAT', `${opened.name}: ${e.message}`, e.details, { cause: e });
          }
          throw e;
        }
      }
      // word2vec binary or text with a `V D` header; without a header, GloVe text
      wv = await readWord2Vec(chunks, { limit: opts.limit, name: opened.name, sizeHint: opened.size, noHeader: 'auto' });
      break;
    }
    default:
      throw new QuantextError('E_OPTION', `unknown vector format '${format as string}' (auto, word2vec, word2vec-binary, word2vec-text, glove, safetensors)`);
  }
  return KeyedVectors.fromArrays(wv.words, wv.vectors, wv.dim, { rt: opts.rt });
}

/** safetensors: an 8-byte little-endian header length, then a JSON header starting with '{'. */
function isSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  // word2vec headers are ASCII digits and a space: a plausible safetensors length has zero high bytes
  return head[5] === 0 && head[6] === 0 && head[7] === 0;
}

export interface SaveVectorsOptions {
  /**
   * 'bin' (word2vec binary, default), 'txt' (word2vec text), 'glove' (text without header), or 'safetensors'
   * (the table as stored, quantized or not, with the vocabulary in the metadata; see docs/formats.md).
   */
  format?: 'bin' | 'txt' | 'glove' | 'safetensors';
}

/** Writes vectors atomically (temp file, then rename): a failed save never destroys an existing file. */
export async function saveVectors(kv: KeyedVectors, path: string | URL, opts: SaveVectorsOptions = {}): Promise<void> {
  const format = opts.format ?? 'bin';
  if (format === 'safetensors') return writeFileViaHost(path, saveTable(kv.matrix, { vocab: [...kv.keys] }));
  const v: WordVectors = { words: [...kv.keys], dim: kv.dim, vectors: kv.vectors };
  if (format === 'glove') return saveGloVe(path, v);
  if (format !== 'bin' && format !== 'txt') throw new QuantextError('E_OPTION', `unknown save format '${format as string}' (bin, txt, glove, safetensors)`);
  return saveWord2Vec(path, v, { binary: format === 'bin' });
}
