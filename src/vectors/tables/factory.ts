/**
 * quantizeMatrix: any Matrix (normally a DenseMatrix of f32 rows) → a quantized table implementing the same
 * interface, so KeyedVectors, search and inference use it unchanged:
 *
 * @example
 * const t = quantizeMatrix(kv.matrix, { scheme: 'int8' });          // per-row symmetric int8
 * const q = kv.withMatrix(t);                                      // same API, 4× smaller
 * quantizeMatrix(kv.matrix, { scheme: 'pq', dsub: 2, qnorm: true }); // fastText-style PQ
 *
 * Everything runs in wasm on the source's memory (no copy when the source is a contiguous DenseMatrix and
 * `nan` is 'error'). Also: `tableFromTensor` / `tableToTensor` convert between tables and the plain
 * QuantizedTensor / PQTensor records that files store.
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { checkFiniteAt } from '../../quantize/core.js';
import { resolvePQ, type PQTensor } from '../../quantize/pq.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { resolveOptions, type Calibration, type NanPolicy, type Rounding } from '../../quantize/schemes.js';
import { DenseMatrix, type Matrix } from '../matrix.js';
import { BinaryMatrix } from './binary.js';
import { F16Matrix } from './f16.js';
import { Int4Matrix } from './int4.js';
import { Int8Matrix } from './int8.js';
import { PQMatrix } from './pq.js';
import { Int2Matrix } from './int2.js';

/** The table schemes. 'uint8' makes an Int8Matrix (asymmetric, re-centred codes). */
export type TableScheme = 'fp16' | 'bf16' | 'int8' | 'uint8' | 'int4' | 'binary' | 'pq';
export const TABLE_SCHEMES: readonly TableScheme[] = Object.freeze(['fp16', 'bf16', 'int8', 'uint8', 'int4', 'binary', 'pq']);

export interface QuantizeMatrixOptions {
  scheme: TableScheme;
  /** Per-row scales / α (default true: word vectors differ a lot in norm). */
  perRow?: boolean;
  /** Integer schemes: symmetric (default, zero point 0) or asymmetric. */
  symmetric?: boolean;
  /**
   * int8, uint8, int4 and binary: quantize x − μ around the column mean μ (a trimmed mean when a column has far outliers) and add it back on decoding (default
   * true; see AffineTable and BinaryMatrix). Costs cols floats; halves the rounding step on word vectors.
   */
  center?: boolean;
  calibration?: Calibration;
  percentile?: number;
  rounding?: Rounding;
  seed?: number;
  /** NaN/±Inf in the source: 'error' (default, E_NAN names the first flat index) or 'zero'. */
  nan?: NanPolicy;
  /** PQ: columns per sub-space (default 2), centroids (≤ 256), k-means iterations, norm quantization, sample size. */
  dsub?: number;
  ksub?: number;
  iters?: number;
  qnorm?: boolean;
  maxPointsPerCluster?: number;
  init?: 'kmeans++' | 'random';
}

export type QuantizedTable = F16Matrix | Int8Matrix | Int4Matrix | BinaryMatrix | PQMatrix | Int2Matrix;

/** Runs `fn` over a contiguous, finite rows×cols f32 copy (or the source itself when that is already one). */
function withContiguous<T>(src: Matrix, nan: NanPolicy, fn: (x: number) => T): T {
  const rt = src.rt;
  const { rows, cols } = src;
  if (src instanceof DenseMatrix && src.stride === cols && nan === 'error') {
    checkFiniteAt(rt, src.ptr, rows * cols, 'error', 'quantizeMatrix');
    return fn(src.ptr);
  }
  const x = rt.arena.alloc(rows * cols * 4 + 16);
  try {
    const row = new Float32Array(cols);
    for (let i = 0; i < rows; i++) {
      if (src instanceof DenseMatrix) rt.arena.f32(x + i * cols * 4, cols).set(src.row(i));
      else rt.arena.f32(x + i * cols * 4, cols).set(src.decodeRow(i, row));
    }
    checkFiniteAt(rt, x, rows * cols, nan, 'quantizeMatrix');
    return fn(x);
  } finally {
    rt.arena.free(x);
  }
}

/**
 * Quantizes a table into a new Matrix of the chosen scheme, in the source's runtime. The source is unchanged
 * and still owned by the caller.
 * @throws E_OPTION (scheme, options), E_NAN (first non-finite flat index, unless nan: 'zero'), E_TOO_LARGE
 *   (fp16 overflow; more than 65536 columns for int8/int4), E_EMPTY (PQ of an empty table).
 */
export function quantizeMatrix(src: Matrix, opts: QuantizeMatrixOptions): QuantizedTable {
  if (!opts || !TABLE_SCHEMES.includes(opts.scheme)) {
    throw new QuantextError('E_OPTION', `scheme must be one of ${TABLE_SCHEMES.join(', ')}; got ${JSON.stringify(opts?.scheme)}`, { option: 'scheme' });
  }
  const rt = src.rt;
  const { rows, cols } = src;
  const nan = opts.nan ?? 'error';
  if (opts.center !== undefined && !['int8', 'uint8', 'int4', 'binary'].includes(opts.scheme)) {
    throw new QuantextError('E_OPTION', `option 'center' applies to schemes int8, uint8, int4 and binary, not '${opts.scheme}'`, { option: 'center' });
  }
  if (opts.center !== undefined && typeof opts.center !== 'boolean') {
    throw new QuantextError('E_OPTION', `option 'center' must be true or false; got ${JSON.stringify(opts.center)}`, { option: 'center' });
  }
  if (opts.scheme === 'pq') {
    const s = resolvePQ(rows, cols, opts);
    return withContiguous(src, nan, (x) => PQMatrix.quantize(rt, x, rows, cols, s));
  }
  if (opts.scheme === 'fp16' || opts.scheme === 'bf16') {
    const fmt = opts.scheme === 'bf16' ? 'bf16' : 'f16';
    return withContiguous(src, nan, (x) => F16Matrix.quantize(rt, x, rows, cols, fmt));
  }
  const { scheme, perRow = true, symmetric, calibration, percentile, rounding, seed, center } = opts;
  for (const k of ['dsub', 'ksub', 'iters', 'qnorm', 'maxPointsPerCluster', 'init'] as const) {
    if (opts[k] !== undefined) throw new QuantextError('E_OPTION', `option '${k}' applies to scheme 'pq', not '${scheme}'`, { option: k });
  }
  const o = resolveOptions(rows * cols, { scheme, perRow, rows, cols, symmetric, calibration, percentile, rounding, seed, nan });
  return withContiguous(src, nan, (x) => {
    switch (scheme) {
      case 'int8':
      case 'uint8': return Int8Matrix.quantize(rt, x, o, center ?? true);
      case 'int4': return Int4Matrix.quantize(rt, x, o, center ?? true);
      default: return BinaryMatrix.quantize(rt, x, o, center ?? true);
    }
  });
}

/** A table from a stored record (fp16/bf16, int8/uint8, int4, binary, pq). */
export function tableFromTensor(t: QuantizedTensor | PQTensor, rt?: Runtime): QuantizedTable {
  switch (t.scheme) {
    case 'pq': return PQMatrix.fromPQ(t as PQTensor, rt);
    case 'fp16':
    case 'bf16': return F16Matrix.fromQuantized(t as QuantizedTensor, rt);
    case 'int8':
    case 'uint8': return Int8Matrix.fromQuantized(t as QuantizedTensor, rt);
    case 'int4': return Int4Matrix.fromQuantized(t as QuantizedTensor, rt);
    case 'binary': return BinaryMatrix.fromQuantized(t as QuantizedTensor, rt);
    case 'int2': return Int2Matrix.fromQuantized(t as QuantizedTensor, rt);
    case 'int':
      if ((t as QuantizedTensor).bits === 2) return Int2Matrix.fromQuantized(t as QuantizedTensor, rt);
      if ((t as QuantizedTensor).bits === 4) return Int4Matrix.fromQuantized(t as QuantizedTensor, rt);
      if ((t as QuantizedTensor).bits === 8) return Int8Matrix.fromQuantized({ ...(t as QuantizedTensor), scheme: 'int8' }, rt);
  }
  throw new QuantextError('E_UNSUPPORTED', `no table type stores scheme '${t.scheme}'${t.scheme === 'int' ? ` with ${(t as QuantizedTensor).bits} bits` : ''}; dequantize() it instead`);
}

/** The stored record of a quantized table (what safetensors writes). */
export function tableToTensor(m: QuantizedTable): QuantizedTensor | PQTensor {
  return m instanceof PQMatrix ? m.toPQ() : m.toQuantized();
}
