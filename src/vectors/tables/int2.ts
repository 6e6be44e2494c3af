/**
 * Int2Matrix: 2-bit codes, `x̂ = μ + s_g · (q − z_g)` with q ∈ [−2, 1] (two's complement), stored four per byte
 * (element 4k+j in bits 2j..2j+1 of byte k, the safetensors `int2` layout) — 16× smaller than f32 plus the scales
 * and, when centred, μ. Word2Vec's 2-bit quantization-aware training (Word2Bits) produces exactly such a table:
 * levels {−3/4, −1/4, 1/4, 3/4} = 1/4 + 1/2·q.
 *
 * Search reuses the int8 kernels: the codes are kept one per byte in wasm memory (`searchBytes`, like the binary
 * table's block copy), and a query is scored as an Int8Matrix would score it (an int8-quantized query, int32
 * accumulation, ⟨μ, q⟩ added). `bytes` counts the stored (packed) size.
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { AffineTable, type Int8Layout } from './affine.js';

export class Int2Matrix extends AffineTable {
  readonly dtype = 'int2' as const;

  /** An uninitialised table; use {@link Int2Matrix.fromCodes} or {@link Int2Matrix.fromQuantized}. */
  constructor(rows: number, cols: number, layout: Int8Layout, rt?: Runtime, center = false) {
    super(rows, cols, layout, cols, { matvec: 'matvec_i8_scaled', norms: 'norm_l2_i8_per_row', querySlack: 16 }, rt, center);
  }

  /** Bytes of a packed row: ⌈cols/4⌉. */
  get packedRowBytes(): number {
    return (this.cols + 3) >> 2;
  }

  /** Stored bytes: the packed codes, the scales (and zero points), μ. */
  override get bytes(): number {
    return this.rows * this.packedRowBytes + this.groups * 4 + (this.zpsPtr ? this.groups * 4 : 0) + (this.centerPtr ? this.cols * 4 : 0);
  }

  /** Bytes of the unpacked codes kept for search (one per value). */
  get searchBytes(): number {
    return this.rows * this.cols;
  }

  /**
   * A symmetric table from codes q ∈ [−2, 1] (rows × cols, one per entry), one scale per row or per tensor, and an
   * optional centre μ (cols floats).
   */
  static fromCodes(codes: Int8Array, rows: number, cols: number, scales: Float32Array, center?: Float32Array, rt?: Runtime): Int2Matrix {
    const perRow = scales.length === rows && rows !== 1;
    return Int2Matrix.fromQuantized({
      scheme: 'int2', bits: 2, rows, cols, qmin: -2, qmax: 1, perRow, symmetric: true, rounding: 'nearest', calibration: 'minmax',
      codes: packInt2(codes, rows, cols), rowBytes: (cols + 3) >> 2, scales, zeroPoints: new Int32Array(scales.length),
      ...(center ? { center } : {}),
    }, rt);
  }

  /** A table from stored int2 codes (packed, ⌈cols/4⌉ bytes per row; e.g. read from safetensors). */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): Int2Matrix {
    if (q.scheme !== 'int2' && !(q.scheme === 'int' && q.bits === 2)) throw new QuantextError('E_OPTION', `Int2Matrix needs int2 codes; got ${q.scheme}`);
    const rb = (q.cols + 3) >> 2;
    if (q.codes.length !== q.rows * rb) throw new QuantextError('E_SHAPE', `Int2Matrix: ${q.codes.length} code bytes for ${q.rows}×${q.cols} (${rb} per row)`);
    const unpacked = unpackInt2(q.codes as Uint8Array, q.rows, q.cols);
    const m = new Int2Matrix(q.rows, q.cols, { perRow: q.perRow, symmetric: q.symmetric }, rt, Boolean(q.center));
    return m.fillFrom({ ...q, codes: unpacked }, () => {
      m.rt.arena.i8(m.codesPtr, unpacked.length).set(unpacked);
      return q.zeroPoints;
    });
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const [s, z] = this.rowParams(i);
    const c = this.rt.arena.i8(this.codesPtr + i * this.cols, this.cols);
    for (let j = 0; j < this.cols; j++) out[j] = s * (c[j] - z);
    return this.addCenter(out);
  }

  /** The stored codes and parameters as a plain QuantizedTensor (scheme int2, packed), e.g. to save. */
  toQuantized(): QuantizedTensor {
    const t = this.tensor('int8', 8, -128, 127, this.rt.arena.i8(this.codesPtr, this.rows * this.cols).slice());
    return { ...t, scheme: 'int2', bits: 2, qmin: -2, qmax: 1, codes: packInt2(t.codes as Int8Array, this.rows, this.cols), rowBytes: this.packedRowBytes };
  }
}

/** rows × cols codes in [−2, 1] → ⌈cols/4⌉ bytes per row (element 4k+j in bits 2j..2j+1 of byte k). */
export function packInt2(codes: Int8Array, rows: number, cols: number): Uint8Array {
  const rb = (cols + 3) >> 2;
  const out = new Uint8Array(rows * rb);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const q = codes[r * cols + j];
      if (q < -2 || q > 1) throw new QuantextError('E_OPTION', `int2 code ${q} at row ${r}, column ${j} is outside [−2, 1]`);
      out[r * rb + (j >> 2)] |= (q & 3) << ((j & 3) * 2);
    }
  }
  return out;
}

/** The inverse of {@link packInt2}: one sign-extended code per entry. */
export function unpackInt2(packed: Uint8Array, rows: number, cols: number): Int8Array {
  const rb = (cols + 3) >> 2;
  const out = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] = (((packed[r * rb + (j >> 2)] >> ((j & 3) * 2)) & 3) << 30) >> 30;
  }
  return out;
}
