import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';

/** The storage type of a table. */
export type DType = 'f32' | 'f16' | 'bf16' | 'int8' | 'uint8' | 'int4' | 'int2' | 'ternary' | 'binary' | 'pq';

/**
 * One interface over every table of row vectors, dense or quantized (fastText's Matrix / QuantMatrix).
 * Search, KeyedVectors and inference use only this, so they never branch on dtype.
 *
 * Row methods take and fill plain Float32Arrays. The batched methods work on wasm addresses in the
 * matrix's own runtime, so that a search makes one kernel call for all rows and copies nothing.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: DType;
  /** Bytes of storage this table holds (codes plus scales, zero points, codebooks). */
  readonly bytes: number;
  readonly rt: Runtime;

  /** ⟨row i, query⟩ (query has `cols` entries). */
  dotRow(i: number, query: ArrayLike<number>): number;
  /** out += scale · row i. */
  addRowTo(i: number, out: Float32Array, scale?: number): void;
  /** Writes row i, dequantized, into out (or a new array) and returns it. */
  decodeRow(i: number, out?: Float32Array): Float32Array;

  /**
   * Batched: out[r] = ⟨row r, q⟩ for r < rowLimit (default all rows), one kernel call.
   * `qPtr` is an f32 query of `cols` floats and `outPtr` room for rowLimit f32, both in `rt`'s memory.
   */
  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void;
  /** Batched: out[r] = ‖row r‖₂ (of the dequantized row) for every row, into `outPtr` (rows f32). */
  rowNorms(outPtr: number): void;
  /**
   * Gathered: out[k] = ⟨row idx[k], q⟩ for k < n, where `idxPtr` lists n i32 row indices (any order, repeats
   * allowed) — the rescoring step of a cascade. A fixed number of kernel calls whatever n (a gathering kernel, or a
   * gather of the rows' codes and the table's own scan); no per-row JavaScript. The indices are not checked: they
   * must be rows of this table (`rerank` checks user-given candidates). Scores equal `scoreRows` at those rows.
   */
  scoreSubset(qPtr: number, idxPtr: number, n: number, outPtr: number): void;

  dispose(): void;
}

/** A dense float32 table in wasm memory, row-major with `stride` floats between row starts (≥ cols). */
export class DenseMatrix extends WasmOwned implements Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
  readonly dtype = 'f32' as const;
  /** Address of element (0, 0). */
  readonly ptr: number;

  constructor(rows: number, cols: number, opts: { rt?: Runtime; stride?: number; zero?: boolean } = {}) {
    super(opts.rt);
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new QuantextError('E_SHAPE', `DenseMatrix: invalid shape ${rows}×${cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.stride = opts.stride ?? cols;
    if (this.stride < cols) throw new QuantextError('E_SHAPE', `DenseMatrix: stride ${this.stride} < cols ${cols}`);
    this.ptr = this.own(rows * this.stride * 4, opts.zero ?? true);
  }

  /** Copies a row-major Float32Array (rows·cols) into a new dense matrix. */
  static from(data: ArrayLike<number>, rows: number, cols: number, rt?: Runtime): DenseMatrix {
    if (data.length !== rows * cols) throw new QuantextError('E_SHAPE', `DenseMatrix.from: ${data.length} values for ${rows}×${cols}`);
    const m = new DenseMatrix(rows, cols, { rt, zero: false });
    m.data().set(data);
    return m;
  }

  get bytes(): number {
    return this.rows * this.cols * 4;
  }

  /** A fresh view over all rows·stride floats. Do not keep it across a call that can grow memory. */
  data(): Float32Array {
    this.alive();
    return this.rt.arena.f32(this.ptr, this.rows * this.stride);
  }

  /** A fresh view of row i. */
  row(i: number): Float32Array {
    this.checkRow(i);
    return this.rt.arena.f32(this.rowPtr(i), this.cols);
  }

  rowPtr(i: number): number {
    return this.ptr + i * this.stride * 4;
  }

  dotRow(i: number, query: ArrayLike<number>): number {
    this.checkRow(i);
    const row = this.rt.arena.f32(this.rowPtr(i), this.cols);
    let s = 0;
    for (let c = 0; c < this.cols; c++) s += row[c] * query[c];
    return s;
  }

  addRowTo(i: number, out: Float32Array, scale = 1): void {
    this.checkRow(i);
    const row = this.rt.arena.f32(this.rowPtr(i), this.cols);
    for (let c = 0; c < this.cols; c++) out[c] += scale * row[c];
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    out.set(this.rt.arena.f32(this.rowPtr(i), this.cols));
    return out;
  }

  scoreRows(qPtr: number, outPtr: number, rowLimit = this.rows): void {
    this.alive();
    this.rt.kernels.matvec_f32(this.ptr, Math.min(rowLimit, this.rows), this.cols, this.stride, qPtr, outPtr);
  }

  scoreSubset(qPtr: number, idxPtr: number, n: number, outPtr: number): void {
    this.alive();
    this.rt.kernels.matvec_f32_gather(this.ptr, this.stride, this.cols, idxPtr, n, qPtr, outPtr);
  }

  rowNorms(outPtr: number): void {
    this.alive();
    this.rt.kernels.norm_l2_f32_per_row(this.ptr, this.rows, this.cols, this.stride, outPtr, 0);
  }

  private checkRow(i: number): void {
    this.alive();
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new QuantextError('E_OPTION', `row ${i} out of range [0, ${this.rows})`);
  }
}
