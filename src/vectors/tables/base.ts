/**
 * What every quantized table shares: shape, row checks, lazily allocated scratch, and the row methods of the
 * Matrix interface written once over `decodeRow`. Subclasses store codes in wasm memory (owned, freed by
 * dispose()) and implement the batched methods with one kernel call each.
 */
import { QuantextError } from '../../errors.js';
import { WasmOwned } from '../../runtime/handle.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { DType, Matrix } from '../matrix.js';

/** Bytes of slack after every code buffer, so that a SIMD load at a row's end stays inside the allocation. */
export const SLACK = 16;

/** Largest `cols` the int8/int4 kernels accumulate exactly in int32 (127·128·2·cols < 2^31). */
export const MAX_INT_COLS = 65536;

export abstract class QuantTable extends WasmOwned implements Matrix {
  readonly rows: number;
  readonly cols: number;
  abstract readonly dtype: DType;
  private scratch = new Map<string, { ptr: number; bytes: number }>();
  private rowBuf: Float32Array;

  constructor(rows: number, cols: number, rt?: Runtime) {
    super(rt);
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new QuantextError('E_SHAPE', `${new.target.name}: invalid shape ${rows}×${cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.rowBuf = new Float32Array(cols);
  }

  /** Bytes of stored data (codes, scales, zero points, codebooks); scratch and slack are not counted. */
  abstract get bytes(): number;
  abstract decodeRow(i: number, out?: Float32Array): Float32Array;
  abstract scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void;
  abstract rowNorms(outPtr: number): void;

  /** out[k] = ⟨row idx[k], q⟩ (see Matrix.scoreSubset): every table scores a candidate list in wasm. */
  abstract scoreSubset(qPtr: number, idxPtr: number, n: number, outPtr: number): void;

  dotRow(i: number, query: ArrayLike<number>): number {
    const row = this.decodeRow(i, this.rowBuf);
    let s = 0;
    for (let c = 0; c < this.cols; c++) s += row[c] * query[c];
    return s;
  }

  addRowTo(i: number, out: Float32Array, scale = 1): void {
    const row = this.decodeRow(i, this.rowBuf);
    for (let c = 0; c < this.cols; c++) out[c] += scale * row[c];
  }

  /** Every row decoded into a new Float32Array (rows × cols). */
  decodeAll(): Float32Array {
    const out = new Float32Array(this.rows * this.cols);
    for (let i = 0; i < this.rows; i++) this.decodeRow(i, out.subarray(i * this.cols, (i + 1) * this.cols));
    return out;
  }

  protected checkRow(i: number): void {
    this.alive();
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new QuantextError('E_OPTION', `row ${i} out of range [0, ${this.rows})`, { row: i });
  }

  protected checkOut(out: Float32Array): void {
    if (out.length < this.cols) throw new QuantextError('E_SHAPE', `decodeRow: output has ${out.length} entries, need ${this.cols}`);
  }

  /** The number of rows a batched call covers. */
  protected limit(rowLimit: number | undefined): number {
    this.alive();
    if (rowLimit === undefined) return this.rows;
    if (!Number.isInteger(rowLimit) || rowLimit < 0) throw new QuantextError('E_OPTION', `rowLimit must be a non-negative integer; got ${rowLimit}`, { option: 'rowLimit' });
    return Math.min(rowLimit, this.rows);
  }

  /** A scratch buffer of at least `bytes`, owned by this table and reused across calls. */
  protected scratchPtr(name: string, bytes: number): number {
    const s = this.scratch.get(name);
    if (s && s.bytes >= bytes) return s.ptr;
    if (s) this.release(s.ptr);
    const ptr = this.own(bytes + SLACK, true);
    this.scratch.set(name, { ptr, bytes });
    return ptr;
  }

  /** Copies a typed array into a new owned allocation (with SLACK bytes of zeroed slack). */
  protected ownCopy(src: ArrayBufferView): number {
    const ptr = this.own(src.byteLength + SLACK, true);
    this.rt.arena.u8(ptr, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return ptr;
  }
}

/** Checks a row-major f32 table's shape against the int kernels' exactness limit. */
export function checkIntCols(cols: number, what: string): void {
  if (cols > MAX_INT_COLS) throw new QuantextError('E_TOO_LARGE', `${what}: ${cols} columns; the integer kernels accumulate exactly up to ${MAX_INT_COLS}`, { cols });
}

/** Values farther than this many robust standard deviations (1.4826·MAD) from a column's median are not averaged into its centre. */
export const CENTRE_TRIM = 8;
/** Rows sampled (evenly spaced) to estimate each column's median and MAD. */
const CENTRE_SAMPLE = 2048;

/**
 * Makes the column means at muPtr robust: a trimmed mean that leaves out, per column, the values farther than
 * CENTRE_TRIM robust standard deviations from the column's median (median and MAD estimated on up to 2048 evenly
 * spaced rows). Columns with no such value keep their mean exactly. One outlier row (×1e6 among Gaussian rows)
 * would otherwise drag μ far from every other row, so that x − μ of every row is dominated by −μ and its rounding
 * step by |μ| (the mean cosine of int8 rows fell to 0.19). Reads x through one view and allocates nothing.
 */
function robustCentre(rt: Runtime, x: number, rows: number, cols: number, muPtr: number): void {
  if (rows < 3 || cols === 0) return;
  const xs = rt.arena.f32(x, rows * cols);
  const ns = Math.min(rows, CENTRE_SAMPLE), step = rows / ns;
  const lo = new Float64Array(cols), hi = new Float64Array(cols), med = new Float64Array(cols);
  const col = new Float64Array(ns), dev = new Float64Array(ns);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < ns; i++) col[i] = xs[Math.floor(i * step) * cols + j];
    col.sort();
    const m = median(col);
    for (let i = 0; i < ns; i++) dev[i] = Math.abs(col[i] - m);
    dev.sort();
    const sigma = 1.4826 * median(dev);
    med[j] = m;
    lo[j] = m - CENTRE_TRIM * sigma;
    hi[j] = m + CENTRE_TRIM * sigma;
  }
  const sum = new Float64Array(cols), cnt = new Float64Array(cols);
  let trimmed = 0;
  for (let r = 0, o = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++, o++) {
      const v = xs[o];
      if (v < lo[j] || v > hi[j]) trimmed++;
      else {
        sum[j] += v;
        cnt[j]++;
      }
    }
  }
  if (trimmed === 0) return;
  const mu = rt.arena.f32(muPtr, cols);
  for (let j = 0; j < cols; j++) if (cnt[j] < rows) mu[j] = cnt[j] > 0 ? sum[j] / cnt[j] : med[j];
}

/** The median of sorted values. */
function median(sorted: Float64Array): number {
  const n = sorted.length, h = n >> 1;
  return n & 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/**
 * Runs `fn` on the rows × cols floats at `x` centred on their robust column mean (see robustCentre: the column mean
 * unless a column has far outliers): writes μ (cols f32) to `muPtr` and
 * passes `fn` a temporary copy of x − μ (freed afterwards). The tables quantized around μ (binary, int8, int4)
 * encode through this.
 */
export function withCentred<T>(rt: Runtime, x: number, rows: number, cols: number, muPtr: number, fn: (xc: number) => T): T {
  const acc = rt.arena.alloc(cols * 8 + 16);
  let xc = 0;
  try {
    rt.kernels.column_means_f32(x, rows, cols, acc, muPtr);
    robustCentre(rt, x, rows, cols, muPtr);
    xc = rt.arena.alloc(rows * cols * 4 + 16);
    rt.kernels.center_f32(x, rows, cols, muPtr, xc);
    return fn(xc);
  } finally {
    if (xc) rt.arena.free(xc);
    rt.arena.free(acc);
  }
}

/** Checks a stored centre (cols finite floats). */
export function checkCenter(center: Float32Array, cols: number, what: string): void {
  if (center.length !== cols || !center.every(Number.isFinite)) {
    throw new QuantextError('E_FORMAT', `${what}: the centre must hold ${cols} finite floats`);
  }
}
