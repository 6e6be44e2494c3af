/**
 * fastText files as word vectors: a `.bin` / `.ftz` read into a FastTextKeyedVectors (what `loadVectors` returns
 * for them), a FastTextKeyedVectors written as a `.bin` fastText 0.9.2 loads, and the `.vec` text fastText writes
 * beside its models.
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { writeFileViaHost } from '../io/lines.js';
import { registerFastTextReader } from '../vectors/load.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import { defaultArgs, type FastTextArgs } from './args.js';
import { ChunkReader } from './bytes.js';
import { FastTextDictionary } from './dictionary.js';
import { formatVectorLine } from './format.js';
import { parseModel, serializeModel, FASTTEXT_FILE_MAGIC } from './io.js';
import { FastTextKeyedVectors } from './keyed.js';
import type { Matrix } from '../vectors/matrix.js';

const encoder = new TextEncoder();

/** Whether the first bytes are a fastText model's magic number. */
export function isFastTextModel(head: Uint8Array): boolean {
  return head.length >= 4 && ((head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0) === FASTTEXT_FILE_MAGIC >>> 0;
}

/**
 * A `.bin` / `.ftz` model's word vectors: a FastTextKeyedVectors over its words that owns the input matrix (the
 * output matrix is read, checked and freed). Unseen words get vectors from their n-grams.
 */
export async function readFastTextVectors(chunks: AsyncIterable<Uint8Array>, name: string, size: number | undefined, rt: Runtime): Promise<FastTextKeyedVectors> {
  const r = new ChunkReader(chunks, name, size);
  let p;
  try {
    p = await parseModel(r, rt);
  } finally {
    await r.close();
  }
  p.output.dispose();
  const d = p.dict;
  try {
    return new FastTextKeyedVectors(d.words(), p.input, {
      minn: p.args.minn, maxn: p.args.maxn, bucket: p.args.bucket, counts: d.counts.subarray(0, d.nwords),
      pruneIdx: d.pruneIdx, wordBytes: d.bytes.slice(0, d.nwords), ownsInput: true,
    });
  } catch (e) {
    p.input.dispose();
    throw e;
  }
}
registerFastTextReader(readFastTextVectors);

export interface SaveFastTextOptions {
  /** Arguments stored in the file (fastText's defaults for a skip-gram model otherwise; dim, minn, maxn, bucket come from the vectors). */
  args?: Partial<FastTextArgs>;
  /** The output matrix (nwords × dim for ns/softmax, nwords − 1 for hs); zeros when absent (word vectors do not use it). */
  output?: Matrix;
  /** Token count stored in the dictionary (default: the sum of the counts). */
  ntokens?: number;
}

/**
 * The bytes of a fastText `.bin` holding `wv` (an unsupervised model: its words with their counts, its input
 * matrix; a product-quantized input matrix is written quantized, as in a `.ftz`). fastText 0.9.2 loads it:
 * `fasttext print-word-vectors`, `nn`, `analogies` give wv's vectors.
 */
export function fastTextModelBytes(wv: FastTextKeyedVectors, opts: SaveFastTextOptions = {}): Uint8Array[] {
  const quant = wv.input instanceof PQMatrix;
  if (!(wv.input instanceof DenseMatrix) && !quant) {
    throw new QuantextError('E_UNSUPPORTED', `a fastText model file holds a dense (f32) or product-quantized n-gram table; this one is ${wv.input.dtype}: save the vectors with format 'bin' (word2vec binary, the words' vectors only) or 'safetensors'`);
  }
  if (!quant && wv.pruneIdx) {
    throw new QuantextError('E_UNSUPPORTED', 'a pruned n-gram table (from a .ftz made with -cutoff) must stay product-quantized in a fastText model file (fastText refuses a dense one): save the vectors with format \'bin\' (word2vec binary) or \'safetensors\'');
  }
  const args = defaultArgs({ ...opts.args, dim: wv.dim, minn: wv.minn, maxn: wv.maxn, bucket: wv.bucket });
  if (args.model === 'supervised') throw new QuantextError('E_OPTION', 'fastTextModelBytes writes unsupervised models (word vectors); a supervised model is saved with FastTextModel.save');
  const words = [...wv.keys];
  const counts = new Float64Array(words.length);
  if (wv.counts) counts.set(wv.counts);
  const dict = new FastTextDictionary(args, {
    entries: words, bytes: words.map((w) => encoder.encode(w)), counts, nwords: words.length,
    ntokens: opts.ntokens ?? counts.reduce((a, b) => a + b, 0), prunePairs: wv.pruneIdx ? pairsOf(wv.pruneIdx) : null,
  });
  const outRows = args.loss === 'hs' ? Math.max(words.length - 1, 0) : words.length;
  const output = opts.output ?? new DenseMatrix(outRows, wv.dim, { rt: wv.rt, zero: true });
  try {
    if (output.cols !== wv.dim || output.rows < outRows) throw new QuantextError('E_SHAPE', `output matrix ${output.rows}×${output.cols}; expected ${outRows}×${wv.dim}`);
    return serializeModel({ version: 12, args, dict, input: wv.input, output, quantInput: quant, qout: false });
  } finally {
    if (!opts.output) output.dispose();
  }
}

function pairsOf(m: ReadonlyMap<number, number>): Int32Array {
  const out = new Int32Array(m.size * 2);
  let i = 0;
  for (const [k, v] of m) {
    out[i++] = k;
    out[i++] = v;
  }
  return out;
}

/** Writes `wv` as a fastText `.bin` (atomically). See {@link fastTextModelBytes}. */
export function saveFastTextModel(wv: FastTextKeyedVectors, path: string | URL, opts: SaveFastTextOptions = {}): Promise<void> {
  return writeFileViaHost(path, fastTextModelBytes(wv, opts));
}

/**
 * The `.vec` text fastText writes (FastText::saveVectors): a `words dim` header, then `word v1 … vD ` per word
 * with 5 significant digits, a space after every value.
 */
export function* fastTextVecLines(words: readonly string[], vectorOf: (i: number) => ArrayLike<number>, dim: number): Generator<string> {
  yield `${words.length} ${dim}\n`;
  let buf = '';
  for (let i = 0; i < words.length; i++) {
    buf += formatVectorLine(words[i], vectorOf(i)) + '\n';
    if (buf.length > 1 << 16) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** Writes the `.vec` fastText writes beside a model (see {@link fastTextVecLines}), atomically. */
export function saveFastTextVec(wv: { keys: readonly string[]; dim: number; vectorAt(i: number, out?: Float32Array): Float32Array }, path: string | URL): Promise<void> {
  const tmp = new Float32Array(wv.dim);
  return writeFileViaHost(path, fastTextVecLines(wv.keys, (i) => wv.vectorAt(i, tmp), wv.dim));
}
