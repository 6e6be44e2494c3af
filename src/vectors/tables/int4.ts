/**
 * Int4Matrix: two signed 4-bit codes per byte (element 2k in the low nibble, docs/quantization.md §3),
 * `x̂ = s_r · (q − z_r)`, q ∈ [−8, 7]. 8× smaller than f32 plus the scales.
 * Search scores an int8-quantized query against the nibbles, unpacked in registers (matvec_i4_scaled).
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { calibrate, encodeAffine } from '../../quantize/core.js';
import type { ResolvedOptions } from '../../quantize/schemes.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { QuantTable, checkIntCols } from './base.js';
import type { Int8Layout } from './int8.js';

export class Int4Matrix extends QuantTable {
  readonly dtype = 'int4' as const;
  readonly perRow: boolean;
  readonly symmetric: boolean;
  /** Bytes per row of packed codes: ⌈cols/2⌉. */
  readonly rowBytes: number;
  readonly codesPtr: number;
  readonly scalesPtr: number;
  readonly zpsPtr: number;
  private readonly groups: number;

  constructor(rows: number, cols: number, layout: Int8Layout, rt?: Runtime) {
    super(rows, cols, rt);
    checkIntCols(cols, 'Int4Matrix');
    this.perRow = layout.perRow;
    this.symmetric = layout.symmetric;
    this.groups = layout.perRow ? rows : 1;
    this.rowBytes = (cols + 1) >> 1;
    this.codesPtr = this.own(rows * this.rowBytes + 16, true);
    this.scalesPtr = this.own(this.groups * 4 + 16, true);
    this.zpsPtr = layout.symmetric ? 0 : this.own(this.groups * 4 + 16, true);
  }

  /** @internal quantizes rows × cols floats at `x` (wasm) with resolved int4 options. */
  static quantize(rt: Runtime, x: number, o: ResolvedOptions): Int4Matrix {
    const m = new Int4Matrix(o.rows, o.cols, { perRow: o.perRow, symmetric: o.symmetric }, rt);
    try {
      const { scales, zeroPoints } = calibrate(rt, x, o);
      encodeAffine(rt, x, o, scales, zeroPoints, m.codesPtr);
      m.setParams(scales, zeroPoints);
      return m;
    } catch (e) {
      m.dispose();
      throw e;
    }
  }

  /** A table from stored int4 codes (packed, ⌈cols/2⌉ bytes per row). */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): Int4Matrix {
    if (q.scheme !== 'int4' && !(q.scheme === 'int' && q.bits === 4)) throw new QuantextError('E_OPTION', `Int4Matrix needs int4 codes; got ${q.scheme}`);
    const m = new Int4Matrix(q.rows, q.cols, { perRow: q.perRow, symmetric: q.symmetric }, rt);
    if (q.codes.length !== q.rows * m.rowBytes || q.scales.length !== m.groups || q.zeroPoints.length !== m.groups) {
      m.dispose();
      throw new QuantextError('E_SHAPE', `Int4Matrix: ${q.codes.length} code bytes, ${q.scales.length} scales for ${q.rows}×${q.cols}`);
    }
    try {
      m.rt.arena.u8(m.codesPtr, q.codes.length).set(q.codes as Uint8Array);
      m.setParams(q.scales, q.zeroPoints);
      return m;
    } catch (e) {
      m.dispose();
      throw e;
    }
  }

  private setParams(scales: Float32Array, zeroPoints: Int32Array): void {
    for (let g = 0; g < scales.length; g++) {
      if (!(scales[g] > 0) || !Number.isFinite(scales[g])) throw new QuantextError('E_FORMAT', `Int4Matrix: scale ${scales[g]} of group ${g} is not a positive finite number`, { index: g });
    }
    this.rt.arena.f32(this.scalesPtr, this.groups).set(scales);
    if (this.zpsPtr) this.rt.arena.i32(this.zpsPtr, this.groups).set(zeroPoints);
  }

  get bytes(): number {
    return this.rows * this.rowBytes + this.groups * 4 + (this.zpsPtr ? this.groups * 4 : 0);
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const g = this.perRow ? i : 0;
    const s = this.rt.arena.f32(this.scalesPtr + g * 4, 1)[0];
    const z = this.zpsPtr ? this.rt.arena.i32(this.zpsPtr + g * 4, 1)[0] : 0;
    const b = this.rt.arena.u8(this.codesPtr + i * this.rowBytes, this.rowBytes);
    for (let j = 0; j < this.cols; j++) {
      const nib = j & 1 ? b[j >> 1] >> 4 : b[j >> 1] & 15;
      out[j] = s * (((nib << 28) >> 28) - z);
    }
    return out;
  }

  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    const [qb, qs] = this.quantizeQueryI8(qPtr, 32);
    this.rt.kernels.matvec_i4_scaled(this.codesPtr, n, this.cols, this.rowBytes, 0, qb, qs, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, outPtr);
  }

  override scoreSubset(qPtr: number, idxPtr: number, m: number, outPtr: number): void {
    this.alive();
    const [qb, qs] = this.quantizeQueryI8(qPtr, 32);
    this.rt.kernels.matvec_i4_scaled(this.codesPtr, m, this.cols, this.rowBytes, idxPtr, qb, qs, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, outPtr);
  }

  rowNorms(outPtr: number): void {
    this.alive();
    this.rt.kernels.row_norms_i4(this.codesPtr, this.rows, this.cols, this.rowBytes, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, outPtr);
  }

  toQuantized(): QuantizedTensor {
    this.alive();
    const a = this.rt.arena;
    return {
      scheme: 'int4', bits: 4, rows: this.rows, cols: this.cols, qmin: -8, qmax: 7, perRow: this.perRow,
      symmetric: this.symmetric, rounding: 'nearest', calibration: 'minmax',
      codes: a.u8(this.codesPtr, this.rows * this.rowBytes).slice(), rowBytes: this.rowBytes,
      scales: a.f32(this.scalesPtr, this.groups).slice(),
      zeroPoints: this.zpsPtr ? a.i32(this.zpsPtr, this.groups).slice() : new Int32Array(this.groups),
    };
  }
}
