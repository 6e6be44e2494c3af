/**
 * safetensors (https://github.com/huggingface/safetensors), read and written over bytes: no file system here,
 * so this module runs in every runtime. Layout (docs/formats.md):
 *
 *   [8 bytes: N, u64 little-endian][N bytes: JSON header, UTF-8, space-padded to a multiple of 8][data]
 *   header = { "<name>": { "dtype": "F32", "shape": [r, c], "data_offsets": [begin, end] }, …,
 *              "__metadata__": { "<key>": "<string value>", … } }
 *
 * Offsets are relative to the start of the data. The writer packs tensors back to back (no holes, as the
 * reference implementation requires), ordered by element size then name so that every tensor starts aligned
 * to its element size. Values are little-endian.
 *
 * On top: `saveTable` / `loadTable` store one quantized table (codes, scales, zero points, codebooks as
 * tensors of their own; scheme and shape in the metadata; optionally the vocabulary as a JSON array).
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { QuantizedTensor } from '../quantize/quantize.js';
import type { PQTensor } from '../quantize/pq.js';
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { QuantTable } from '../vectors/tables/base.js';
import { tableFromTensor, tableToTensor, type QuantizedTable } from '../vectors/tables/factory.js';

/** The safetensors dtypes and their element sizes. */
export const DTYPE_SIZES = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, I16: 2, F16: 2, BF16: 2, U32: 4, I32: 4, F32: 4, U64: 8, I64: 8, F64: 8,
} as const);
export type SafetensorsDType = keyof typeof DTYPE_SIZES;

/** A tensor: its dtype, shape and raw little-endian bytes. */
export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: Uint8Array;
}

export interface SafetensorsContent {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(): void {
  if (!LITTLE_ENDIAN) throw new QuantextError('E_UNSUPPORTED', 'safetensors: big-endian hosts are not supported');
}

/** A tensor from a typed array (its bytes are shared, not copied). */
export function safeTensor(dtype: SafetensorsDType, shape: readonly number[], data: ArrayBufferView): SafetensorsTensor {
  return { dtype, shape: [...shape], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function elements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Serializes tensors and string metadata into one safetensors buffer.
 * @throws E_OPTION for an unknown dtype, a bad shape, data whose length disagrees with the shape, a
 *   non-string metadata value or a reserved name.
 */
export function writeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata: Record<string, string> = {}): Uint8Array {
  checkHost();
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (name === '__metadata__') throw new QuantextError('E_OPTION', `safetensors: '__metadata__' is not a tensor name`);
    if (!(t.dtype in DTYPE_SIZES)) throw new QuantextError('E_OPTION', `safetensors: tensor '${name}' has unknown dtype ${JSON.stringify(t.dtype)}`, { tensor: name });
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new QuantextError('E_OPTION', `safetensors: tensor '${name}' has an invalid shape ${JSON.stringify(t.shape)}`, { tensor: name });
    }
    const want = elements(t.shape) * DTYPE_SIZES[t.dtype];
    if (t.data.byteLength !== want) throw new QuantextError('E_OPTION', `safetensors: tensor '${name}' ${t.dtype}${JSON.stringify(t.shape)} needs ${want} bytes, got ${t.data.byteLength}`, { tensor: name });
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new QuantextError('E_OPTION', `safetensors: metadata '${k}' must be a string (got ${typeof v})`, { key: k });
  }
  // larger elements first, then by name: every offset is a multiple of its element size
  names.sort((a, b) => DTYPE_SIZES[tensors[b].dtype] - DTYPE_SIZES[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true);
  dv.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const name of names) {
    out.set(tensors[name].data, p);
    p += tensors[name].data.byteLength;
  }
  return out;
}

/**
 * Parses a safetensors buffer. SafetensorsTensor data are views into `bytes` (not copies).
 * @throws E_TRUNCATED (file shorter than its header or offsets say), E_FORMAT (bad JSON, dtype, shape, offsets
 *   or metadata; the message names the tensor and the byte offset), E_TOO_LARGE (header over MAX_HEADER_BYTES).
 */
export function readSafetensors(bytes: Uint8Array, opts: { maxHeaderBytes?: number } = {}): SafetensorsContent {
  checkHost();
  if (bytes.byteLength < 8) throw new QuantextError('E_TRUNCATED', `safetensors: ${bytes.byteLength} bytes, shorter than the 8-byte header length`, { offset: 0 });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  const max = opts.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (n > max) throw new QuantextError('E_TOO_LARGE', `safetensors: header of ${n} bytes exceeds the limit of ${max}`, { offset: 0 });
  if (8 + n > bytes.byteLength) throw new QuantextError('E_TRUNCATED', `safetensors: header of ${n} bytes but the file has ${bytes.byteLength - 8} after the length`, { offset: 8 });
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new QuantextError('E_FORMAT', `safetensors: the header (bytes 8…${8 + n}) is not valid UTF-8 JSON: ${(e as Error).message}`, { offset: 8 }, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new QuantextError('E_FORMAT', 'safetensors: the header is not a JSON object', { offset: 8 });
  const base = 8 + n;
  const dataLen = bytes.byteLength - base;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, SafetensorsTensor> = {};
  const spans: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new QuantextError('E_FORMAT', 'safetensors: __metadata__ is not an object', { offset: 8 });
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw new QuantextError('E_FORMAT', `safetensors: metadata '${k}' is not a string`, { key: k });
        metadata[k] = s;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') throw new QuantextError('E_FORMAT', `safetensors: entry '${name}' is not an object`, { tensor: name });
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_SIZES)) throw new QuantextError('E_FORMAT', `safetensors: tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}`, { tensor: name });
    const dtype = e.dtype as SafetensorsDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new QuantextError('E_FORMAT', `safetensors: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`, { tensor: name });
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) {
      throw new QuantextError('E_FORMAT', `safetensors: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`, { tensor: name });
    }
    const [b, end] = off as number[];
    const want = elements(e.shape as number[]) * DTYPE_SIZES[dtype];
    if (end - b !== want) throw new QuantextError('E_FORMAT', `safetensors: tensor '${name}' ${dtype}${JSON.stringify(e.shape)} needs ${want} bytes, its offsets span ${end - b}`, { tensor: name, offset: base + b });
    if (end > dataLen) throw new QuantextError('E_TRUNCATED', `safetensors: tensor '${name}' ends at byte ${base + end}, the file has ${bytes.byteLength}`, { tensor: name, offset: base + end });
    spans.push([b, end, name]);
    tensors[name] = { dtype, shape: e.shape as number[], data: bytes.subarray(base + b, base + end) };
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) {
      throw new QuantextError('E_FORMAT', `safetensors: tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap at byte ${base + spans[i][0]}`, { offset: base + spans[i][0] });
    }
  }
  return { tensors, metadata };
}

/** An aligned typed-array copy of a tensor's data (F32, F16/BF16 as Uint16, I8, U8, I32 …). */
export function safeTensorArray(t: SafetensorsTensor): Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array {
  const buf = t.data.slice().buffer;
  switch (t.dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return new Float64Array(buf);
    case 'I8': return new Int8Array(buf);
    case 'I16': return new Int16Array(buf);
    case 'F16': case 'BF16': case 'U16': return new Uint16Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'U32': return new Uint32Array(buf);
    case 'I64': return new BigInt64Array(buf);
    case 'U64': return new BigUint64Array(buf);
    default: return new Uint8Array(buf);
  }
}

// ---------------------------------------------------------------- quantized tables

/** The value of metadata key 'format' in files written by saveTable. */
export const TABLE_FORMAT = 'quantext.table';
export const TABLE_FORMAT_VERSION = '1';

export interface SaveTableOptions {
  /** Words, one per row: stored as a JSON array under metadata 'vocab' (or keep them in a sidecar file). */
  vocab?: readonly string[];
  /** Base name of the tensors (default 'vectors'). */
  name?: string;
  /** Extra metadata (string values; keys must not collide with the table's own). */
  metadata?: Record<string, string>;
}

/** The tensors and metadata of one table record (see docs/formats.md for the names). */
export function recordToTensors(rec: QuantizedTensor | PQTensor | { scheme: 'f32'; rows: number; cols: number; data: Float32Array }, name = 'vectors'): SafetensorsContent {
  const t: Record<string, SafetensorsTensor> = {};
  const md: Record<string, string> = { format: TABLE_FORMAT, format_version: TABLE_FORMAT_VERSION, scheme: rec.scheme, rows: String(rec.rows), cols: String(rec.cols) };
  const { rows, cols } = rec;
  switch (rec.scheme) {
    case 'f32':
      t[name] = safeTensor('F32', [rows, cols], (rec as { data: Float32Array }).data);
      break;
    case 'pq': {
      const p = rec as PQTensor;
      md.dsub = String(p.dsub);
      md.ksub = String(p.ksub);
      md.nsub = String(p.nsub);
      md.qnorm = String(p.qnorm);
      t[name] = safeTensor('U8', [rows, p.nsub], p.codes);
      t[`${name}.codebook`] = cols % p.dsub === 0 ? safeTensor('F32', [p.nsub, p.ksub, p.dsub], p.codebook) : safeTensor('F32', [p.ksub * cols], p.codebook);
      if (p.qnorm) {
        t[`${name}.norm_codes`] = safeTensor('U8', [rows], p.normCodes);
        t[`${name}.norm_codebook`] = safeTensor('F32', [p.normCodebook.length], p.normCodebook);
      }
      break;
    }
    default: {
      const q = rec as QuantizedTensor;
      md.bits = String(q.bits);
      md.per_row = String(q.perRow);
      md.symmetric = String(q.symmetric);
      if (q.scheme === 'fp16' || q.scheme === 'bf16') {
        t[name] = safeTensor(q.scheme === 'fp16' ? 'F16' : 'BF16', [rows, cols], q.codes);
        break;
      }
      const perByte = q.scheme === 'binary' ? 8 : q.bits === 4 ? 2 : q.bits === 2 ? 4 : 1;
      md.packing =
        perByte === 8 ? 'bits: element 8k+j in bit j of byte k, 1 for x >= 0'
        : perByte === 2 ? "int4: element 2k in the low nibble, 2k+1 in the high nibble, two's complement"
        : perByte === 4 ? "int2: element 4k+j in bits 2j..2j+1, two's complement" : 'none';
      t[name] = safeTensor(perByte > 1 || q.scheme === 'uint8' ? 'U8' : 'I8', [rows, q.rowBytes], q.codes);
      const groups = q.scales.length;
      t[`${name}.scales`] = safeTensor('F32', [groups], q.scales);
      if (!q.symmetric || q.scheme === 'uint8') t[`${name}.zero_points`] = safeTensor('I32', [groups], q.zeroPoints);
      if (q.center) {
        md.center = 'true';
        t[`${name}.center`] = safeTensor('F32', [cols], q.center);
      }
    }
  }
  return { tensors: t, metadata: md };
}

function need(md: Record<string, string>, key: string): string {
  const v = md[key];
  if (v === undefined) throw new QuantextError('E_FORMAT', `safetensors table: metadata '${key}' is missing`, { key });
  return v;
}
/** A metadata number: decimal digits only (no sign, spaces, `0x`, exponent), a safe integer, ≤ `max`. */
function intMeta(md: Record<string, string>, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const s = need(md, key);
  const v = /^[0-9]{1,16}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new QuantextError('E_FORMAT', `safetensors table: metadata '${key}' = ${JSON.stringify(s)} is not a decimal integer in [${min}, ${max}]`, { key, value: s });
  }
  return v;
}
/** A metadata flag: exactly 'true' or 'false' (absent = `dflt` when given). */
function boolMeta(md: Record<string, string>, key: string, dflt?: boolean): boolean {
  const s = md[key];
  if (s === undefined && dflt !== undefined) return dflt;
  if (s !== 'true' && s !== 'false') throw new QuantextError('E_FORMAT', `safetensors table: metadata '${key}' = ${JSON.stringify(s)} is not 'true' or 'false'`, { key, value: s });
  return s === 'true';
}
function getTensor(c: SafetensorsContent, name: string, dtypes: SafetensorsDType[], shape: number[]): SafetensorsTensor {
  const t = c.tensors[name];
  if (!t) throw new QuantextError('E_FORMAT', `safetensors table: tensor '${name}' is missing`, { tensor: name });
  if (!dtypes.includes(t.dtype)) throw new QuantextError('E_FORMAT', `safetensors table: tensor '${name}' is ${t.dtype}, expected ${dtypes.join(' or ')}`, { tensor: name });
  if (elements(t.shape) !== elements(shape)) throw new QuantextError('E_FORMAT', `safetensors table: tensor '${name}' has shape ${JSON.stringify(t.shape)}, expected ${elements(shape)} elements (${JSON.stringify(shape)})`, { tensor: name });
  return t;
}
/** A float tensor that must hold finite values only (E_NAN naming the tensor and the first bad index). */
function finiteF32(c: SafetensorsContent, name: string, shape: number[]): Float32Array {
  const a = safeTensorArray(getTensor(c, name, ['F32'], shape)) as Float32Array;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new QuantextError('E_NAN', `safetensors table: tensor '${name}' holds ${a[i]} at index ${i}`, { tensor: name, index: i, value: a[i] });
  }
  return a;
}

/**
 * Columns a table may declare beyond what its data hold: every stored scheme spends at least one bit per column
 * per row, so more than 8 columns per stored byte cannot be justified, except in a small empty table. This bounds
 * the per-column scratch (a row buffer, the query) that loading reserves.
 */
const MAX_EMPTY_TABLE_COLS = 65536;

/** The table record stored in a parsed file (the inverse of recordToTensors). */
export function tensorsToRecord(c: SafetensorsContent, name = 'vectors'): QuantizedTensor | PQTensor | { scheme: 'f32'; rows: number; cols: number; data: Float32Array } {
  const md = c.metadata;
  if (md.format !== TABLE_FORMAT) throw new QuantextError('E_FORMAT', `safetensors: metadata 'format' is ${JSON.stringify(md.format)}, not '${TABLE_FORMAT}' (not a quantext table)`, { key: 'format' });
  const scheme = need(md, 'scheme');
  let dataBytes = 0;
  for (const t of Object.values(c.tensors)) dataBytes += t.data.byteLength;
  const rows = intMeta(md, 'rows'), cols = intMeta(md, 'cols', 1, Math.max(MAX_EMPTY_TABLE_COLS, 8 * dataBytes));
  if (scheme === 'f32') return { scheme: 'f32', rows, cols, data: finiteF32(c, name, [rows, cols]) };
  if (scheme === 'pq') {
    const dsub = intMeta(md, 'dsub', 1, cols), ksub = intMeta(md, 'ksub', 1, 256), nsub = intMeta(md, 'nsub', 1, cols);
    const qnorm = boolMeta(md, 'qnorm');
    if (nsub !== Math.ceil(cols / dsub)) throw new QuantextError('E_FORMAT', `safetensors table: pq nsub ${nsub} ≠ ⌈${cols}/${dsub}⌉`, { key: 'nsub' });
    const codes = safeTensorArray(getTensor(c, name, ['U8'], [rows, nsub])) as Uint8Array;
    const codebook = finiteF32(c, `${name}.codebook`, [ksub * cols]);
    let normCodes: Uint8Array = new Uint8Array(0), normCodebook: Float32Array = new Float32Array(0);
    if (qnorm) {
      normCodes = safeTensorArray(getTensor(c, `${name}.norm_codes`, ['U8'], [rows])) as Uint8Array;
      const nb = c.tensors[`${name}.norm_codebook`];
      const nk = nb ? elements(nb.shape) : 0;
      if (nk < 1 || nk > 256) throw new QuantextError('E_FORMAT', `safetensors table: the norm codebook has ${nk} centroids, not 1…256`, { tensor: `${name}.norm_codebook` });
      normCodebook = finiteF32(c, `${name}.norm_codebook`, [nk]);
    }
    return { scheme: 'pq', rows, cols, dsub, ksub, nsub, codebook, codes, qnorm, normCodebook, normCodes };
  }
  const known = ['int8', 'uint8', 'int4', 'int2', 'int', 'ternary', 'binary', 'fp16', 'bf16'];
  if (!known.includes(scheme)) throw new QuantextError('E_FORMAT', `safetensors table: unknown scheme ${JSON.stringify(scheme)}`, { key: 'scheme' });
  const bits = intMeta(md, 'bits', 1, 16);
  const want = scheme === 'int8' || scheme === 'uint8' ? 8 : scheme === 'int4' ? 4 : scheme === 'int2' ? 2 : scheme === 'binary' ? 1 : scheme === 'fp16' || scheme === 'bf16' ? 16 : 0;
  if (want && bits !== want) throw new QuantextError('E_FORMAT', `safetensors table: scheme ${scheme} has ${want} bits, metadata 'bits' says ${bits}`, { key: 'bits' });
  if (!want && bits > 8) throw new QuantextError('E_FORMAT', `safetensors table: scheme ${scheme} with ${bits} bits`, { key: 'bits' });
  const perRow = boolMeta(md, 'per_row'), symmetric = boolMeta(md, 'symmetric');
  if (scheme === 'fp16' || scheme === 'bf16') {
    const codes = safeTensorArray(getTensor(c, name, [scheme === 'fp16' ? 'F16' : 'BF16'], [rows, cols])) as Uint16Array;
    return { scheme, bits: 16, rows, cols, qmin: 0, qmax: 0, perRow: false, symmetric: true, rounding: 'nearest', calibration: 'minmax', codes, rowBytes: cols * 2, scales: new Float32Array(0), zeroPoints: new Int32Array(0) };
  }
  const perByte = scheme === 'binary' ? 8 : bits === 4 ? 2 : bits === 2 ? 4 : 1;
  const rowBytes = Math.ceil(cols / perByte);
  const unpackedSigned = perByte === 1 && scheme !== 'uint8';
  const codesT = getTensor(c, name, unpackedSigned ? ['I8'] : ['U8'], [rows, rowBytes]);
  const groups = perRow ? rows : rows * cols ? 1 : 0;
  const scales = finiteF32(c, `${name}.scales`, [groups]);
  const zeroPoints = c.tensors[`${name}.zero_points`] ? (safeTensorArray(getTensor(c, `${name}.zero_points`, ['I32'], [groups])) as Int32Array) : new Int32Array(groups);
  const qmax = scheme === 'binary' ? 1 : scheme === 'uint8' ? 255 : scheme === 'ternary' ? 1 : 2 ** (bits - 1) - 1;
  const qmin = scheme === 'binary' || scheme === 'uint8' ? 0 : scheme === 'ternary' ? -1 : -(2 ** (bits - 1));
  if (scheme !== 'binary') {
    for (let g = 0; g < groups; g++) {
      // a zero point outside the codes' range decodes to values no quantizer writes, and overflows the int32 scores
      if (zeroPoints[g] < qmin || zeroPoints[g] > qmax) {
        throw new QuantextError('E_FORMAT', `safetensors table: zero point ${zeroPoints[g]} of group ${g} is outside the ${scheme} code range [${qmin}, ${qmax}]`, { tensor: `${name}.zero_points`, index: g });
      }
    }
  }
  const center = boolMeta(md, 'center', false) ? finiteF32(c, `${name}.center`, [cols]) : undefined;
  return {
    scheme: scheme as QuantizedTensor['scheme'], bits, rows, cols, qmin, qmax, perRow, symmetric, rounding: 'nearest', calibration: 'minmax',
    codes: safeTensorArray(codesT) as Int8Array | Uint8Array, rowBytes, scales, zeroPoints, ...(center ? { center } : {}),
  };
}

/**
 * One table (dense f32 or quantized) as a safetensors file, optionally with its vocabulary.
 * @example
 * const bytes = saveTable(quantizeMatrix(kv.matrix, { scheme: 'int8' }), { vocab: kv.keys });
 */
export function saveTable(m: Matrix, opts: SaveTableOptions = {}): Uint8Array {
  const name = opts.name ?? 'vectors';
  let rec;
  if (m instanceof DenseMatrix) {
    const data = new Float32Array(m.rows * m.cols);
    for (let i = 0; i < m.rows; i++) data.set(m.row(i), i * m.cols);
    rec = { scheme: 'f32' as const, rows: m.rows, cols: m.cols, data };
  } else if (m instanceof QuantTable) {
    rec = tableToTensor(m as QuantizedTable);
  } else {
    throw new QuantextError('E_UNSUPPORTED', `saveTable: cannot store a ${m.constructor?.name ?? 'Matrix'} (dense f32 and the quantized tables only)`);
  }
  const c = recordToTensors(rec, name);
  if (opts.vocab) {
    if (opts.vocab.length !== m.rows) throw new QuantextError('E_SHAPE', `saveTable: ${opts.vocab.length} words for ${m.rows} rows`);
    c.metadata.vocab = JSON.stringify(opts.vocab);
  }
  for (const [k, v] of Object.entries(opts.metadata ?? {})) {
    if (k in c.metadata) throw new QuantextError('E_OPTION', `saveTable: metadata key '${k}' is reserved`, { key: k });
    c.metadata[k] = v;
  }
  return writeSafetensors(c.tensors, c.metadata);
}

export interface LoadedTable {
  matrix: Matrix;
  /** The words, when the file has metadata 'vocab'. */
  vocab?: string[];
  metadata: Record<string, string>;
}

/** Reads a file written by saveTable into a table of the same scheme in `rt`'s memory. */
export function loadTable(bytes: Uint8Array, opts: { rt?: Runtime; name?: string } = {}): LoadedTable {
  const c = readSafetensors(bytes);
  const rec = tensorsToRecord(c, opts.name ?? 'vectors');
  const matrix = rec.scheme === 'f32'
    ? DenseMatrix.from((rec as { data: Float32Array }).data, rec.rows, rec.cols, opts.rt)
    : tableFromTensor(rec as QuantizedTensor | PQTensor, opts.rt);
  let vocab: string[] | undefined;
  if (c.metadata.vocab !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(c.metadata.vocab);
    } catch (e) {
      matrix.dispose();
      throw new QuantextError('E_FORMAT', `safetensors table: metadata 'vocab' is not JSON: ${(e as Error).message}`, { key: 'vocab' });
    }
    if (!Array.isArray(v) || v.length !== rec.rows || !v.every((w) => typeof w === 'string')) {
      matrix.dispose();
      throw new QuantextError('E_FORMAT', `safetensors table: metadata 'vocab' must be a JSON array of ${rec.rows} strings`, { key: 'vocab' });
    }
    const seen = new Set<string>();
    for (let i = 0; i < v.length; i++) {
      if (seen.has(v[i] as string)) {
        matrix.dispose();
        throw new QuantextError('E_FORMAT', `safetensors table: metadata 'vocab' holds ${JSON.stringify(v[i])} twice (row ${i})`, { key: 'vocab', index: i });
      }
      seen.add(v[i] as string);
    }
    vocab = v as string[];
  }
  return { matrix, vocab, metadata: c.metadata };
}
