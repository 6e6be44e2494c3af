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

/**
 * Runs `fn` on the rows × cols floats at `x` centred on their column mean: writes μ (cols f32) to `muPtr` and
 * passes `fn` a temporary copy of x − μ (freed afterwards). The tables quantized around μ (binary, int8, int4)
 * encode through this.
 */
export function withCentred<T>(rt: Runtime, x: number, rows: number, cols: number, muPtr: number, fn: (xc: number) => T): T {
  const acc = rt.arena.alloc(cols * 8 + 16);
  let xc = 0;
  try {
    rt.kernels.column_means_f32(x, rows, cols, acc, muPtr);
    xc = rt.arena.alloc(rows * cols * 4 + 16);
    rt.kernels.center_rows_f32(x, rows, cols, muPtr, xc);
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
