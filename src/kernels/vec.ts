// f32 vector kernels and row scans: dot, cosine, l2, axpy, scale, normalizeRows, matvec, topk.
import { QuantextError } from '../errors.js';
import { WasmArray, state } from './state.js';
import { lenF32, szF32, putF32, back, checkOut, finish, int, len, num, outAt, put, shape, sz, type F32, type I32, type I8, type U16, type U8 } from './args.js';

/** Σ a[i]·b[i] (f32 accumulation, as the SIMD build sums: four lanes, then across). */
export function dot(a: F32, b: F32): number {
  const n = lenF32(a, 'a');
  if (lenF32(b, 'b') !== n) shape(`dot: a has ${n} elements, b ${b.length}`);
  const s = state().begin(szF32(a, n) + szF32(b, n));
  return s.k.dot_f32(putF32(s, a, n), putF32(s, b, n), n);
}

/** ⟨a, b⟩ / (‖a‖·‖b‖), clamped to [−1, 1]; 0 when either vector is zero (or empty). */
export function cosine(a: F32, b: F32): number {
  const n = lenF32(a, 'a');
  if (lenF32(b, 'b') !== n) shape(`cosine: a has ${n} elements, b ${b.length}`);
  const s = state().begin(szF32(a, n) + szF32(b, n));
  const pa = putF32(s, a, n), pb = putF32(s, b, n);
  const d = s.k.norm_l2_f32(pa, n) * s.k.norm_l2_f32(pb, n);
  if (!(d > 0)) return 0;
  const c = s.k.dot_f32(pa, pb, n) / d;
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

/** Euclidean distance ‖a − b‖₂ (squared differences summed in f32, as dot; `squared: true` skips the root). */
export function l2(a: F32, b: F32, squared = false): number {
  const n = lenF32(a, 'a');
  if (lenF32(b, 'b') !== n) shape(`l2: a has ${n} elements, b ${b.length}`);
  const s = state().begin(szF32(a, n) + szF32(b, n));
  const d = s.k.l2sq_f32(putF32(s, a, n), putF32(s, b, n), n);
  return squared ? d : Math.sqrt(d);
}

/** y ← α·x + y (BLAS saxpy), in place; returns y. */
export function axpy<T extends F32>(alpha: number, x: F32, y: T): T {
  num(alpha, 'alpha');
  const n = lenF32(x, 'x');
  if (lenF32(y, 'y') !== n) shape(`axpy: x has ${n} elements, y ${y.length}`);
  const s = state().begin(szF32(x, n) + szF32(y, n));
  const px = putF32(s, x, n), py = putF32(s, y, n);
  s.k.axpy_f32(py, px, alpha, n);
  back(s, y, py, n);
  return y;
}

/** x ← α·x (BLAS sscal), in place; returns x. */
export function scale<T extends F32>(alpha: number, x: T): T {
  num(alpha, 'alpha');
  const n = lenF32(x, 'x');
  const s = state().begin(szF32(x, n));
  const px = putF32(s, x, n);
  s.k.scale_f32(px, alpha, n);
  back(s, x, px, n);
  return x;
}

/** Scales every row of a rows × cols row-major matrix to unit L2 norm, in place (zero rows stay zero); returns it. */
export function normalizeRows<T extends F32>(mat: T, cols: number): T {
  int(cols, 'cols');
  const n = len(mat, 'f32', 'mat');
  const rows = cols ? n / cols : 0;
  if (!Number.isInteger(rows) || (cols === 0 && n !== 0)) shape(`normalizeRows: ${n} values are not rows of ${cols}`, { length: n, cols });
  const s = state().begin(szF32(mat, n));
  const p = putF32(s, mat, n);
  s.k.normalize_f32_per_row(p, rows, cols, cols);
  back(s, mat, p, n);
  return mat;
}

/** Row formats matvec scans. */
export type RowFormat = 'f32' | 'f16' | 'bf16' | 'int8' | 'int4' | 'binary';

export interface MatvecOptions {
  /**
   * How the rows are stored. Default from the table's type: Float32Array 'f32', Uint16Array 'f16', Int8Array
   * 'int8' (a WasmArray's dtype likewise, 'bf16' too); a Uint8Array holds 'int4' (two codes a byte, low nibble first,
   * ⌈cols/2⌉ bytes a row) or 'binary' (sign bits, LSB first, ⌈cols/8⌉ bytes a row) and must say which.
   */
  format?: RowFormat;
  /** Columns (default: the query's length; for 'binary' 8 × its bytes). */
  cols?: number;
  /** int8/int4: per-row scales (rows floats, or one number): the result is then f32, s_r·qscale·(⟨code_r, q⟩ − z_r·Σq) + bias. */
  scales?: Float32Array | number;
  /** int8/int4: per-row zero points (rows integers, or one number); default 0. Needs scales. */
  zeroPoints?: Int32Array | number;
  /** int8/int4: the query's scale (default 1). */
  qscale?: number;
  /** int8/int4 with scales: a constant added to every score (default 0). */
  bias?: number;
}

/**
 * Scores every row of a table against a query: out[r] = ⟨row r, q⟩.
 * - 'f32', 'f16', 'bf16' rows: q is a Float32Array of cols; out f32.
 * - 'int8' rows, 'int4' rows: q is an Int8Array of cols (int4 codes are in −8…7); out is the exact int32 dot
 *   (an Int32Array), or with `scales` the dequantized f32 score.
 * - 'binary' rows: q is packed sign bits too (⌈cols/8⌉ bytes; unused high bits 0 in q and the rows); out f32 is
 *   cols − 2·Hamming = ⟨sign(row), sign(q)⟩ in ±1 arithmetic, so that topk ranks nearest first.
 * `out` (optional) receives the scores; without it a new array is returned.
 */
export function matvec(mat: F32 | U16 | I8 | U8, q: F32 | I8 | U8, opts?: MatvecOptions, out?: F32 | I32): any {
  let fmt = opts?.format;
  if (fmt === undefined) {
    if (mat instanceof Float32Array) fmt = 'f32';
    else if (mat instanceof Uint16Array) fmt = 'f16';
    else if (mat instanceof Int8Array) fmt = 'int8';
    else if (mat instanceof WasmArray && mat.dtype !== 'u8' && mat.dtype !== 'u16') fmt = mat.dtype === 'i8' ? 'int8' : (mat.dtype as RowFormat);
    else throw new QuantextError('E_OPTION', `matvec: say the table's format ({ format: 'int4' | 'binary' | … }) for a ${mat?.constructor?.name}`, { option: 'format' });
  }
  switch (fmt) {
    case 'f32': case 'f16': case 'bf16': return matvecFloat(mat, q as F32, fmt, opts, out as F32);
    case 'int8': case 'int4': return matvecInt(mat as I8 | U8, q as I8, fmt, opts, out);
    case 'binary': return matvecBinary(mat as U8, q as U8, opts, out as F32);
    default: throw new QuantextError('E_OPTION', `matvec: format must be 'f32', 'f16', 'bf16', 'int8', 'int4' or 'binary'; got ${JSON.stringify(fmt)}`, { option: 'format' });
  }
}

function rowsOf(n: number, rowBytes: number, cols: number, what: string): number {
  const rows = rowBytes ? n / rowBytes : 0;
  if (!Number.isInteger(rows) || (rowBytes === 0 && n !== 0)) shape(`matvec: a ${what} table of ${n} entries is not rows of ${cols} columns (${rowBytes} entries a row)`, { length: n, cols });
  return rows;
}

function matvecFloat(mat: unknown, q: F32, fmt: 'f32' | 'f16' | 'bf16', opts: MatvecOptions | undefined, out: F32 | undefined): F32 {
  const cols = len(q, 'f32', 'q');
  if (opts?.cols !== undefined && opts.cols !== cols) shape(`matvec: cols ${opts.cols} but q has ${cols}`);
  const n = fmt === 'f32' ? len(mat, 'f32', 'mat') : len(mat, 'u16', 'mat', fmt);
  const rows = rowsOf(n, cols, cols, fmt);
  checkOut(out, 'f32', rows);
  const eb = fmt === 'f32' ? 4 : 2;
  const s = state().begin(sz(mat, n * eb) + szF32(q, cols) + sz(out ?? 0, rows * 4));
  const pm = put(s, mat as Float32Array, n * eb), pq = putF32(s, q, cols), po = outAt(s, out, rows * 4);
  if (fmt === 'f32') s.k.matvec_f32(pm, rows, cols, cols, pq, po);
  else if (fmt === 'f16') s.k.matvec_f16(pm, rows, cols, pq, po);
  else s.k.matvec_bf16(pm, rows, cols, pq, po);
  return finish(s, po, rows, 'f32', out);
}

function matvecInt(mat: I8 | U8, q: I8, fmt: 'int8' | 'int4', opts: MatvecOptions | undefined, out: unknown): Float32Array | Int32Array | WasmArray {
  const cols = len(q, 'i8', 'q');
  if (opts?.cols !== undefined && opts.cols !== cols) shape(`matvec: cols ${opts.cols} but q has ${cols}`);
  const n = fmt === 'int8' ? len(mat, 'i8', 'mat') : len(mat, 'u8', 'mat');
  const rb = fmt === 'int8' ? cols : (cols + 1) >> 1;
  const rows = rowsOf(n, rb, cols, fmt);
  const scales = opts?.scales, zps = opts?.zeroPoints;
  const scaled = scales !== undefined;
  if (!scaled && (zps !== undefined || opts?.qscale !== undefined || opts?.bias !== undefined)) {
    throw new QuantextError('E_OPTION', 'matvec: zeroPoints, qscale and bias need scales', { option: 'scales' });
  }
  checkOut(out, scaled ? 'f32' : 'i32', rows);
  let ns = 0, nz = 0;
  if (scaled) {
    ns = typeof scales === 'number' ? (num(scales, 'scales'), 1) : scales instanceof Float32Array ? scales.length : -1;
    if (ns !== 1 && ns !== rows) throw new QuantextError('E_SHAPE', `matvec: scales must be a number or a Float32Array of ${rows} (one per row)`, { option: 'scales' });
    if (zps !== undefined) {
      nz = typeof zps === 'number' ? (int(Math.abs(zps), 'zeroPoints'), 1) : zps instanceof Int32Array ? zps.length : -1;
      if (nz !== 1 && nz !== rows) throw new QuantextError('E_SHAPE', `matvec: zeroPoints must be a number or an Int32Array of ${rows} (one per row)`, { option: 'zeroPoints' });
    }
  }
  const s = state().begin(sz(mat, n) + sz(q, cols) + sz(out ?? 0, rows * 4) + (scaled ? 2 * (rows * 4 + 80) : 0));
  const pm = put(s, mat, n), pq = put(s, q, cols), po = outAt(s, out, rows * 4);
  if (!scaled) {
    if (fmt === 'int8') s.k.matvec_i8(pm, rows, cols, cols, pq, po);
    else s.k.matvec_i4(pm, rows, cols, rb, pq, po);
    return finish(s, po, rows, 'i32', out);
  }
  const ps = s.take(ns * 4);
  if (typeof scales === 'number') s.f32[ps >>> 2] = scales;
  else s.f32.set(scales!, ps >>> 2);
  let pz = 0;
  if (nz) {
    pz = s.take(nz * 4);
    if (typeof zps === 'number') s.i32[pz >>> 2] = zps;
    else s.i32.set(zps!, pz >>> 2);
    if (nz !== ns) shape('matvec: scales and zeroPoints must both be per row or both per table');
  }
  const qscale = opts?.qscale === undefined ? 1 : num(opts.qscale, 'qscale');
  const bias = opts?.bias === undefined ? 0 : num(opts.bias, 'bias');
  const per = ns === 1 ? 0 : 1;
  if (fmt === 'int8') s.k.matvec_i8_scaled(pm, rows, cols, cols, 0, pq, qscale, ps, pz, per, bias, po);
  else s.k.matvec_i4_scaled(pm, rows, cols, rb, 0, pq, qscale, ps, pz, per, bias, po);
  return finish(s, po, rows, 'f32', out);
}

function matvecBinary(mat: U8, q: U8, opts: MatvecOptions | undefined, out: F32 | undefined): F32 {
  const nb = len(q, 'u8', 'q');
  const cols = opts?.cols === undefined ? nb * 8 : int(opts.cols, 'cols');
  if (((cols + 7) >> 3) !== nb) shape(`matvec: ${cols} binary columns take ${(cols + 7) >> 3} bytes; q has ${nb}`);
  const n = len(mat, 'u8', 'mat');
  const rows = rowsOf(n, nb, cols, 'binary');
  checkOut(out, 'f32', rows);
  const s = state().begin(sz(mat, n) + sz(q, nb) + sz(out ?? 0, rows * 4));
  const pm = put(s, mat, n), pq = put(s, q, nb), po = outAt(s, out, rows * 4);
  s.k.sign_dot_b1(pm, rows, cols, nb * 8, pq, po);
  return finish(s, po, rows, 'f32', out);
}

/** What topk returns: the `count` best, best first (ties: lower index first). */
export interface TopK<I = Int32Array | WasmArray<'i32'>, V = Float32Array | WasmArray<'f32'>> {
  indices: I;
  values: V;
  /** min(k, number of non-NaN values). */
  count: number;
}

/**
 * The k largest values and their indices, best first (ties: lower index first; NaN never selected), by a bounded
 * heap (no full sort). Without outIndices/outValues the arrays returned hold `count` entries; given ones (≥ k
 * entries, or WasmArrays) are written and returned as they are.
 */
export function topk(values: F32, k: number, outIndices?: I32, outValues?: F32): TopK {
  int(k, 'k');
  const n = len(values, 'f32', 'values');
  checkOut(outIndices, 'i32', k, 'outIndices');
  checkOut(outValues, 'f32', k, 'outValues');
  const kk = Math.min(k, n);
  const s = state().begin(szF32(values, n) + sz(outIndices ?? 0, kk * 4) + sz(outValues ?? 0, kk * 4));
  const pv = putF32(s, values, n), pi = outAt(s, outIndices, kk * 4), po = outAt(s, outValues, kk * 4);
  const count = s.k.topk_f32(pv, n, kk, pi, po);
  return {
    indices: finish(s, pi, count, 'i32', outIndices),
    values: finish(s, po, count, 'f32', outValues),
    count,
  };
}
