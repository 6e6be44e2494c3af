import { QuantextError } from '../errors.js';
import { init, type Runtime } from '../runtime/runtime.js';
import { readWord2Vec, saveWord2Vec, type WordVectors } from '../io/word2vec.js';
import { readGloVe, saveGloVe } from '../io/glove.js';
import { openByteSource, writeFileViaHost, type ByteSource } from '../io/lines.js';
import { readSafetensors, saveTable, tensorsToRecord } from '../io/safetensors.js';
import type { QuantizedTensor } from '../quantize/quantize.js';
import type { PQTensor } from '../quantize/pq.js';
import { KeyedVectors } from './keyed.js';
import { DenseMatrix, type Matrix } from './matrix.js';
import { tableFromTensor } from './tables/factory.js';
import { FASTTEXT_MAGIC } from '../io/sniff.js';

/**
 * File formats for word vectors. 'auto' sniffs: safetensors (quantext tables, dense or quantized), a fastText model
 * (`.bin` / `.ftz`: its words' vectors, and unseen words' from their n-grams), else word2vec binary or text with a
 * `V D` header (fastText's `.vec` is one), else GloVe text (no header).
 */
/** src/fasttext/vectors.ts's reader of fastText .bin / .ftz files (it registers itself when it loads). */
type FastTextReader = (chunks: AsyncIterable<Uint8Array>, name: string, size: number | undefined, rt: Runtime) => Promise<KeyedVectors>;
let fastTextReader: FastTextReader | undefined;
// Not a static import: FastTextKeyedVectors extends KeyedVectors, which imports this file, so importing src/fasttext
// here would evaluate that class before its base. Every package entry loads src/fasttext/vectors.ts (src/api.ts
// exports from it), which calls registerFastTextReader; a module imported on its own (tests, the CLI) falls back to
// a dynamic import by a computed name, which bundlers leave alone: an analysable import() made them add a second
// chunk and a preload helper, 3 KB gzipped of each runtime entry.
const FASTTEXT_VECTORS = '../fasttext/vectors.js';

/** Called by src/fasttext/vectors.ts when it loads. */
export function registerFastTextReader(read: FastTextReader): void {
  fastTextReader = read;
}

export type VectorFormat = 'auto' | 'word2vec' | 'word2vec-binary' | 'word2vec-text' | 'glove' | 'safetensors' | 'fasttext';

export interface LoadVectorsOptions {
  format?: VectorFormat;
  /**
   * Read only the first `limit` vectors (the most frequent ones in files written by word2vec, gensim and quantext).
   * For safetensors tables the rows past `limit` are dropped before the table is built (it stays quantized).
   */
  limit?: number;
  /** The runtime to load into (default: the default runtime, initialized on first use). */
  rt?: Runtime;
}

/**
 * Reads word vectors into a KeyedVectors: word2vec (text or binary) and GloVe are streamed; safetensors tables keep
 * their dtype. Initializes the default runtime when needed (no `init()` call required).
 */
export async function loadVectors(source: ByteSource, opts: LoadVectorsOptions = {}): Promise<KeyedVectors> {
  const format = opts.format ?? 'auto';
  // every option is checked before the source is opened: a rejected call must not leave a file open
  if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 0)) {
    throw new QuantextError('E_OPTION', `limit must be a non-negative integer; got ${String(opts.limit)}`, { option: 'limit' });
  }
  const rt = opts.rt ?? (await init());
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
    case 'fasttext':
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
      // a fastText .bin / .ftz: a FastTextKeyedVectors (limit does not apply: the n-gram table needs every word row)
      // (imported when needed: src/fasttext extends KeyedVectors, which imports this file)
      if (format === 'fasttext' || (format === 'auto' && head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) === FASTTEXT_MAGIC)) {
        const read = fastTextReader ?? (await import(/* @vite-ignore */ FASTTEXT_VECTORS)).readFastTextVectors as FastTextReader;
        return read(chunks, opened.name, opened.size, rt);
      }
      if (format === 'safetensors' || isSafetensors(head)) {
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
        let matrix: Matrix | undefined;
        try {
          const c = readSafetensors(bytes);
          const vocab = c.metadata.vocab;
          if (vocab === undefined) throw new QuantextError('E_FORMAT', `${opened.name}: the safetensors file has no 'vocab' metadata, so it holds no word vectors`);
          let rec = tensorsToRecord(c);
          let words = parseVocab(vocab, rec.rows, opened.name);
          if (opts.limit !== undefined && opts.limit < rec.rows) {
            rec = firstRows(rec, opts.limit);
            words = words.slice(0, opts.limit);
          }
          matrix = rec.scheme === 'f32'
            ? DenseMatrix.from((rec as { data: Float32Array }).data, rec.rows, rec.cols, rt)
            : tableFromTensor(rec as QuantizedTensor | PQTensor, rt);
          return new KeyedVectors(words, matrix);
        } catch (e) {
          matrix?.dispose();
          if (e instanceof QuantextError && e.code !== 'E_FORMAT' && e.code !== 'E_NAN' && e.code !== 'E_TRUNCATED') {
            throw new QuantextError('E_FORMAT', `${opened.name}: ${e.message}`, e.details, { cause: e });
          }
          throw e;
        }
      }
      // word2vec binary or text with a `V D` header; without a header, GloVe text
      try {
        wv = await readWord2Vec(chunks, { limit: opts.limit, name: opened.name, sizeHint: opened.size, noHeader: 'auto' });
      } finally {
        await chunks.return(undefined); // closes the file whatever happened (a no-op after a full read)
      }
      break;
    }
    default:
      throw new QuantextError('E_OPTION', `unknown vector format '${format as string}' (auto, word2vec, word2vec-binary, word2vec-text, glove, safetensors, fasttext)`);
  }
  return KeyedVectors.fromArrays(wv.words, wv.vectors, wv.dim, { rt });
}

/** The words stored in a table's 'vocab' metadata: a JSON array of `rows` strings. */
function parseVocab(json: string, rows: number, name: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new QuantextError('E_FORMAT', `${name}: metadata 'vocab' is not JSON: ${(e as Error).message}`, { key: 'vocab' });
  }
  if (!Array.isArray(v) || v.length !== rows || !v.every((w) => typeof w === 'string')) {
    throw new QuantextError('E_FORMAT', `${name}: metadata 'vocab' must be a JSON array of ${rows} strings`, { key: 'vocab' });
  }
  return v as string[];
}

type TableRecord = ReturnType<typeof tensorsToRecord>;

/** The first n rows of a stored table record (codes, per-row scales and zero points, norm codes; shared parts kept). */
function firstRows(rec: TableRecord, n: number): TableRecord {
  if (rec.scheme === 'f32') {
    const r = rec as { scheme: 'f32'; rows: number; cols: number; data: Float32Array };
    return { ...r, rows: n, data: r.data.subarray(0, n * r.cols) };
  }
  if (rec.scheme === 'pq') {
    const p = rec as PQTensor;
    return { ...p, rows: n, codes: p.codes.subarray(0, n * p.nsub), normCodes: p.qnorm ? p.normCodes.subarray(0, n) : p.normCodes };
  }
  const q = rec as QuantizedTensor;
  const groups = q.perRow ? n : q.scales.length;
  return {
    ...q, rows: n, codes: q.codes.subarray(0, (n * q.rowBytes) / q.codes.BYTES_PER_ELEMENT) as typeof q.codes,
    scales: q.scales.subarray(0, groups), zeroPoints: q.zeroPoints.subarray(0, groups),
  };
}

/** safetensors: an 8-byte little-endian header length, then a JSON header starting with '{'. */
function isSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  // word2vec headers are ASCII digits and a space: a plausible safetensors length has zero high bytes
  return head[5] === 0 && head[6] === 0 && head[7] === 0;
}

export type SaveFormat = 'bin' | 'txt' | 'glove' | 'safetensors';

export interface SaveVectorsOptions {
  /**
   * 'bin' (word2vec binary), 'txt' (word2vec text), 'glove' (text without header), or 'safetensors' (the table as
   * stored, quantized or not, with the vocabulary in the metadata; see docs/formats.md). Default: from the file's
   * extension — `.bin` → 'bin', `.txt` / `.vec` → 'txt', `.safetensors` → 'safetensors'; any other → 'bin'.
   * GloVe files are usually `.txt` too, so 'glove' must be asked for.
   */
  format?: SaveFormat;
}

/** The format a path's extension names (see SaveVectorsOptions.format). */
export function saveFormatFor(path: string | URL): SaveFormat {
  const p = (typeof path === 'string' ? path : path.pathname).toLowerCase();
  const ext = p.slice(p.lastIndexOf('.') + 1);
  if (p.lastIndexOf('.') <= Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))) return 'bin';
  switch (ext) {
    case 'txt':
    case 'vec':
      return 'txt';
    case 'safetensors':
      return 'safetensors';
    default:
      return 'bin';
  }
}

/**
 * Writes vectors atomically (temp file, then rename): a failed save never destroys an existing file. The format
 * follows the extension unless `format` is given; only safetensors keeps a quantized table quantized (the word2vec
 * and GloVe formats hold the decoded float32 rows).
 */
export async function saveVectors(kv: KeyedVectors, path: string | URL, opts: SaveVectorsOptions = {}): Promise<void> {
  const format = opts.format ?? saveFormatFor(path);
  if (format === 'safetensors') return writeFileViaHost(path, saveTable(kv.matrix, { vocab: [...kv.keys] }));
  if (format !== 'bin' && format !== 'txt' && format !== 'glove') throw new QuantextError('E_OPTION', `unknown save format '${format as string}' (bin, txt, glove, safetensors)`);
  const v: WordVectors = { words: [...kv.keys], dim: kv.dim, vectors: kv.vectors };
  if (format === 'glove') return saveGloVe(path, v);
  return saveWord2Vec(path, v, { binary: format === 'bin' });
}
