/**
 * fastText's model files, `.bin` and `.ftz` (version 12; 11 is read too), byte for byte as fastText 0.9.2 writes
 * them (src/fasttext.cc saveModel / loadModel):
 *
 *   int32 magic 793712314, int32 version
 *   args: int32 dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate; float64 t
 *   dictionary: int32 size, nwords, nlabels; int64 ntokens, pruneidx_size;
 *               size × (NUL-terminated word, int64 count, int8 type (0 word, 1 label));
 *               pruneidx_size × (int32 bucket index, int32 row)
 *   bool quant_input; the input matrix; bool qout; the output matrix, where
 *   a dense matrix is int64 rows, int64 cols, rows·cols float32, and
 *   a quantized one is bool qnorm, int64 rows, int64 cols, int32 codesize, codesize code bytes, a product quantizer
 *   (int32 dim, nsubq, dsub, lastdsub, dim·256 float32 centroids), and with qnorm rows norm codes and a second
 *   quantizer (dim 1). The output is quantized only when the input is and qout is set.
 *
 * Sizes are checked against the file size and wasm32's 4 GiB before anything is allocated (E_FORMAT); the matrices
 * are copied from the file's chunks straight into wasm memory.
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import { ARGS_BYTES, LOSS_CODES, LOSS_NAMES, MODEL_CODES, MODEL_NAMES, type FastTextArgs } from './args.js';
import { ByteWriter, ChunkReader } from './bytes.js';
import { FastTextDictionary, checkDictionary } from './dictionary.js';

export const FASTTEXT_FILE_MAGIC = 793712314;
export const FASTTEXT_FILE_VERSION = 12;
/** Largest wasm32 memory. */
const WASM32_BYTES = 4 * 1024 * 1024 * 1024;
const KSUB = 256;

export interface ParsedModel {
  version: number;
  args: FastTextArgs;
  dict: FastTextDictionary;
  input: Matrix;
  output: Matrix;
  quantInput: boolean;
  qout: boolean;
}

const decoder = new TextDecoder();

/** Reads a model from its chunks. On failure, every table allocated so far is freed. */
export async function parseModel(r: ChunkReader, rt: Runtime): Promise<ParsedModel> {
  const owned: Matrix[] = [];
  try {
    const at0 = r.offset;
    const magic = await r.i32('the magic number');
    if (magic !== FASTTEXT_FILE_MAGIC) r.fail(`not a fastText model: magic ${magic >>> 0}, expected ${FASTTEXT_FILE_MAGIC}`, at0);
    const version = await r.i32('the version');
    if (version > FASTTEXT_FILE_VERSION || version < 11) r.fail(`fastText model version ${version} is not supported (11 or 12)`, at0 + 4);
    const args = await readArgs(r);
    if (version === 11 && args.model === 'supervised') args.maxn = 0;
    const dict = await readDictionary(r, args);
    const quantInput = (await r.u8v('the quantized-input flag')) !== 0;
    const input = quantInput ? await readQuant(r, rt, 'the input matrix') : await readDense(r, rt, 'the input matrix');
    owned.push(input);
    if (!quantInput && dict.prunePairs) r.fail('a dense input matrix with a pruned dictionary (fastText refuses such a file: see its issue #332)');
    const qout = (await r.u8v('the quantized-output flag')) !== 0;
    const output = quantInput && qout ? await readQuant(r, rt, 'the output matrix') : await readDense(r, rt, 'the output matrix');
    owned.push(output);
    if (input.cols !== args.dim || output.cols !== args.dim) r.fail(`matrix widths ${input.cols} and ${output.cols} differ from dim ${args.dim}`);
    const pp = dict.prunePairs;
    const ngramRows = pp ? 0 : args.maxn > 0 || args.wordNgrams > 1 ? args.bucket : 0; // pruned: each row is checked below
    if (input.rows < dict.nwords + ngramRows) r.fail(`the input matrix has ${input.rows} rows; ${dict.nwords} words and ${ngramRows} n-gram rows need ${dict.nwords + ngramRows}`);
    if (pp) for (let i = 1; i < pp.length; i += 2) if (pp[i] < 0 || dict.nwords + pp[i] >= input.rows) r.fail(`pruned n-gram row ${pp[i]} is outside the input matrix`);
    const outRows = args.model === 'supervised' ? (args.loss === 'hs' ? Math.max(dict.nlabels - 1, 0) : dict.nlabels) : args.loss === 'hs' ? Math.max(dict.nwords - 1, 0) : dict.nwords;
    if (output.rows < outRows) r.fail(`the output matrix has ${output.rows} rows; ${outRows} are needed`);
    if (!(await r.atEnd())) r.fail('unexpected bytes after the output matrix');
    return { version, args, dict, input, output, quantInput, qout };
  } catch (e) {
    for (const m of owned) m.dispose();
    throw e;
  }
}

async function readArgs(r: ChunkReader): Promise<FastTextArgs> {
  await r.need(ARGS_BYTES, 'the arguments');
  const at = r.offset;
  const v: number[] = [];
  for (let i = 0; i < 12; i++) v.push(await r.i32('the arguments'));
  const t = await r.f64('the arguments');
  const [dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate] = v;
  if (!(loss >= 1 && loss <= 4)) r.fail(`unknown loss ${loss}`, at + 24);
  if (!(model >= 1 && model <= 3)) r.fail(`unknown model ${model}`, at + 28);
  if (!(dim >= 1 && dim <= 1 << 20)) r.fail(`dim ${dim} is out of range`, at);
  if (bucket < 0 || minn < 0 || maxn < 0 || wordNgrams < 0) r.fail(`negative bucket, minn, maxn or wordNgrams (${bucket}, ${minn}, ${maxn}, ${wordNgrams})`, at + 20);
  return { dim, ws, epoch, minCount, neg, wordNgrams, loss: LOSS_NAMES[loss - 1], model: MODEL_NAMES[model - 1], bucket, minn, maxn, lrUpdateRate, t };
}

async function readDictionary(r: ChunkReader, args: FastTextArgs): Promise<FastTextDictionary> {
  const at = r.offset;
  const size = await r.i32('the dictionary header');
  const nwords = await r.i32('the dictionary header');
  const nlabels = await r.i32('the dictionary header');
  const ntokens = await r.i64('the dictionary header');
  const pruneSize = await r.i64('the dictionary header');
  checkDictionary(size, nwords, nlabels, r.name, at);
  // each entry takes at least 10 bytes (NUL, count, type); each prune pair 8
  if (size * 10 > r.remaining) r.fail(`the dictionary claims ${size} entries, more than the ${r.remaining} bytes left can hold`, at);
  if (!(pruneSize >= -1) || !Number.isFinite(pruneSize) || pruneSize * 8 > r.remaining) r.fail(`invalid pruned n-gram count ${pruneSize}`, at + 20);
  await r.prefetch(size * 10 + Math.max(pruneSize, 0) * 8, 'the dictionary');
  // Entries are parsed in place from the reader's buffer (one await per refill, not per field), their bytes kept
  // back to back in one pool: no string or array per entry.
  const counts = new Float64Array(size);
  const offsets = new Int32Array(size + 1);
  let pool = new Uint8Array(Math.max(64, Math.min(size * 8, Number.isFinite(r.remaining) ? r.remaining : size * 8)));
  let used = 0;
  const MAX_WORD = 1 << 20;
  for (let i = 0; i < size; ) {
    const { buf, pos } = r.window();
    let p = pos;
    while (i < size) {
      const end = buf.indexOf(0, p);
      if (end < 0 || end + 10 > buf.length) break;
      const n = end - p;
      if (n > MAX_WORD) r.fail(`dictionary entry ${i} is longer than ${MAX_WORD} bytes`, r.offset + (p - pos));
      if (used + n > pool.length) {
        const bigger = new Uint8Array(Math.max(pool.length * 2, used + n));
        bigger.set(pool.subarray(0, used));
        pool = bigger;
      }
      for (let k = 0; k < n; k++) pool[used + k] = buf[p + k]; // no view object per entry
      used += n;
      offsets[i + 1] = used;
      const q = end + 1;
      const lo = (buf[q] | (buf[q + 1] << 8) | (buf[q + 2] << 16) | (buf[q + 3] << 24)) >>> 0;
      const hi = buf[q + 4] | (buf[q + 5] << 8) | (buf[q + 6] << 16) | (buf[q + 7] << 24);
      counts[i] = hi >= 0x200000 || hi < -0x200000 ? (hi < 0 ? -Infinity : Infinity) : hi * 4294967296 + lo;
      // fastText counts occurrences (≥ 1), and its Huffman tree takes 1e15 as "no node yet": a count outside
      // [1, 1e15) would link the tree into a cycle (hs prediction would recurse forever)
      if (!(counts[i] >= 1 && counts[i] < 1e15)) {
        r.skip(q - pos);
        r.fail(`dictionary entry ${i} ('${decoder.decode(pool.subarray(offsets[i], used))}') has count ${counts[i]}; fastText's counts lie in [1, 1e15)`);
      }
      const type = buf[q + 8];
      if (type !== (i < nwords ? 0 : 1)) {
        r.skip(p - pos);
        r.fail(`dictionary entry ${i} ('${decoder.decode(pool.subarray(offsets[i], used))}') has type ${type}; words come first (type 0), then labels (type 1)`);
      }
      p = q + 9;
      i++;
    }
    r.skip(p - pos);
    if (i < size) {
      if (r.buffered > MAX_WORD + 10) r.fail(`dictionary entry ${i} is longer than ${MAX_WORD} bytes (no NUL terminator)`);
      await r.need(r.buffered + 1, `dictionary entry ${i}`);
    }
  }
  let prunePairs: Int32Array | null = null;
  if (pruneSize >= 0) {
    prunePairs = new Int32Array(pruneSize * 2);
    const u = new Uint8Array(prunePairs.buffer);
    await r.copy(pruneSize * 8, 'the pruned n-gram map', (b, o) => u.set(b, o));
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) for (let i = 0; i < prunePairs.length; i++) prunePairs[i] = swap32(prunePairs[i]);
  }
  return new FastTextDictionary(args, { pool: used === pool.length ? pool : pool.slice(0, used), offsets, counts, nwords, ntokens, prunePairs });
}

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** Refuses sizes that cannot fit wasm32 or the rest of the file, before allocating. */
async function checkSize(r: ChunkReader, bytes: number, what: string, at: number): Promise<void> {
  if (!Number.isFinite(bytes) || bytes < 0) r.fail(`${what} has an invalid size`, at);
  if (bytes >= WASM32_BYTES) {
    throw new QuantextError('E_FORMAT', `${r.name}: ${what} needs ${bytes} bytes, more than wasm32 memory (4 GiB) can hold (at byte ${at})`, { file: r.name, offset: at, bytes });
  }
  if (bytes > r.remaining) r.fail(`${what} needs ${bytes} bytes but only ${r.remaining} remain: the header disagrees with the file size (truncated?)`, at);
  await r.prefetch(bytes, what);
}

async function readDense(r: ChunkReader, rt: Runtime, what: string): Promise<DenseMatrix> {
  const at = r.offset;
  const rows = await r.i64(what);
  const cols = await r.i64(what);
  if (!(rows >= 0 && cols >= 0 && cols <= 1 << 20)) r.fail(`${what} has an invalid shape ${rows}×${cols}`, at);
  const n = rows * cols * 4;
  await checkSize(r, n, what, at);
  const m = new DenseMatrix(rows, cols, { rt, zero: false });
  try {
    await r.copyInto(n, what, (o, len) => m.rt.arena.u8(m.ptr + o, len));
    const bad = rows * cols > 0 ? rt.kernels.find_nonfinite_f32(m.ptr, rows * cols) : -1;
    if (bad >= 0) r.fail(`${what}: value ${bad} (row ${Math.floor(bad / cols)}) is NaN or infinite (did the training that wrote it diverge?)`, at + 16 + bad * 4);
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m;
}

async function readPQHeader(r: ChunkReader, what: string): Promise<{ dim: number; nsubq: number; dsub: number; lastdsub: number; at: number }> {
  const at = r.offset;
  const dim = await r.i32(what);
  const nsubq = await r.i32(what);
  const dsub = await r.i32(what);
  const lastdsub = await r.i32(what);
  const expectLast = dsub > 0 ? dim % dsub || dsub : 0;
  if (!(dim >= 1 && dsub >= 1 && nsubq === Math.ceil(dim / dsub) && lastdsub === expectLast)) {
    r.fail(`${what}: inconsistent product quantizer (dim ${dim}, ${nsubq} sub-quantizers, dsub ${dsub}, last ${lastdsub})`, at);
  }
  await checkSize(r, dim * KSUB * 4, `${what}'s centroids`, at);
  return { dim, nsubq, dsub, lastdsub, at };
}

async function readFloats(r: ChunkReader, n: number, what: string): Promise<Float32Array> {
  const out = new Float32Array(n);
  const u = new Uint8Array(out.buffer);
  const at = r.offset;
  await r.copy(n * 4, what, (b, o) => u.set(b, o));
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i])) r.fail(`${what}: value ${i} is NaN or infinite`, at + i * 4);
  return out;
}

async function readQuant(r: ChunkReader, rt: Runtime, what: string): Promise<PQMatrix> {
  const at = r.offset;
  const qnorm = (await r.u8v(what)) !== 0;
  const rows = await r.i64(what);
  const cols = await r.i64(what);
  const codesize = await r.i32(what);
  if (!(rows >= 0 && cols >= 1 && cols <= 1 << 20)) r.fail(`${what} has an invalid shape ${rows}×${cols}`, at);
  await checkSize(r, codesize, `${what}'s codes`, at);
  const codes = new Uint8Array(codesize);
  await r.copy(codesize, `${what}'s codes`, (b, o) => codes.set(b, o));
  const pq = await readPQHeader(r, `${what}'s quantizer`);
  if (pq.dim !== cols || codesize !== rows * pq.nsubq) r.fail(`${what}: ${codesize} code bytes for ${rows} rows × ${pq.nsubq} sub-quantizers of a ${pq.dim}-dimensional quantizer (cols ${cols})`, pq.at);
  const codebook = await readFloats(r, pq.dim * KSUB, `${what}'s centroids`);
  let normCodes: Uint8Array = new Uint8Array(0), normCodebook: Float32Array = new Float32Array(0);
  if (qnorm) {
    await checkSize(r, rows, `${what}'s norm codes`, r.offset);
    normCodes = new Uint8Array(rows);
    await r.copy(rows, `${what}'s norm codes`, (b, o) => normCodes.set(b, o));
    const npq = await readPQHeader(r, `${what}'s norm quantizer`);
    if (npq.dim !== 1 || npq.dsub !== 1) r.fail(`${what}: the norm quantizer must be 1-dimensional`, npq.at);
    normCodebook = await readFloats(r, KSUB, `${what}'s norm centroids`);
  }
  return PQMatrix.fromPQ({ scheme: 'pq', rows, cols, dsub: pq.dsub, ksub: KSUB, nsub: pq.nsubq, codebook, codes, qnorm, normCodebook, normCodes }, rt);
}

// ---------------------------------------------------------------- writing

/** The bytes of a model file (as fastText 0.9.2's saveModel writes them), in chunks. */
export function serializeModel(m: ParsedModel): Uint8Array[] {
  const w = new ByteWriter();
  w.i32(FASTTEXT_FILE_MAGIC);
  w.i32(FASTTEXT_FILE_VERSION);
  const a = m.args;
  for (const v of [a.dim, a.ws, a.epoch, a.minCount, a.neg, a.wordNgrams, LOSS_CODES[a.loss], MODEL_CODES[a.model], a.bucket, a.minn, a.maxn, a.lrUpdateRate]) w.i32(v);
  w.f64(a.t);
  const d = m.dict;
  w.i32(d.size);
  w.i32(d.nwords);
  w.i32(d.nlabels);
  w.i64(d.ntokens);
  w.i64(d.prunePairs ? d.prunePairs.length / 2 : -1);
  for (let i = 0; i < d.size; i++) {
    w.bytes(d.bytes[i]);
    w.u8(0);
    w.i64(d.counts[i]);
    w.u8(i < d.nwords ? 0 : 1);
  }
  if (d.prunePairs) for (const v of d.prunePairs) w.i32(v);
  w.u8(m.quantInput ? 1 : 0);
  writeMatrix(w, m.input);
  w.u8(m.qout ? 1 : 0);
  writeMatrix(w, m.output);
  return w.finish();
}

function writeMatrix(w: ByteWriter, m: Matrix): void {
  if (m instanceof PQMatrix) {
    if (m.ksub !== KSUB) throw new QuantextError('E_UNSUPPORTED', `a fastText quantized matrix has 256 centroids per sub-quantizer; this one has ${m.ksub}`);
    const a = m.rt.arena;
    w.u8(m.qnorm ? 1 : 0);
    w.i64(m.rows);
    w.i64(m.cols);
    w.i32(m.rows * m.nsub);
    w.bytes(a.u8(m.codesPtr, m.rows * m.nsub));
    writePQ(w, m.cols, m.dsub, a.f32(m.codebookPtr, KSUB * m.cols));
    if (m.qnorm) {
      w.bytes(a.u8(m.normCodesPtr, m.rows));
      writePQ(w, 1, 1, a.f32(m.normCodebookPtr, KSUB));
    }
    return;
  }
  if (!(m instanceof DenseMatrix)) throw new QuantextError('E_UNSUPPORTED', `a fastText model holds dense or product-quantized matrices, not ${m.dtype}`);
  w.i64(m.rows);
  w.i64(m.cols);
  if (m.stride === m.cols) w.bytes(m.rt.arena.u8(m.ptr, m.rows * m.cols * 4));
  else for (let i = 0; i < m.rows; i++) w.bytes(m.rt.arena.u8(m.rowPtr(i), m.cols * 4));
}

function writePQ(w: ByteWriter, dim: number, dsub: number, centroids: Float32Array): void {
  w.i32(dim);
  w.i32(Math.ceil(dim / dsub));
  w.i32(dsub);
  w.i32(dim % dsub || dsub);
  w.bytes(new Uint8Array(centroids.buffer, centroids.byteOffset, centroids.byteLength));
}
