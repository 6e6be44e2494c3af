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
import { AffineTable, type Int8Layout } from './affine.js';

export class Int4Matrix extends AffineTable {
  readonly dtype = 'int4' as const;

  constructor(rows: number, cols: number, layout: Int8Layout, rt?: Runtime, center = false) {
    // ⌈cols/2⌉ bytes per row; 32 bytes of zeroed slack after the quantized query, as the int4 kernel was written for
    super(rows, cols, layout, (cols + 1) >> 1, { matvec: 'matvec_i4_scaled', norms: 'norm_l2_i4_per_row', querySlack: 32 }, rt, center);
  }

  /** @internal quantizes rows × cols floats at `x` (wasm) with resolved int4 options. */
  static quantize(rt: Runtime, x: number, o: ResolvedOptions, center = false): Int4Matrix {
    const m = new Int4Matrix(o.rows, o.cols, { perRow: o.perRow, symmetric: o.symmetric }, rt, center);
    return m.filledBy(() => m.encodeFrom(rt, x, (src) => {
      const { scales, zeroPoints } = calibrate(rt, src, o);
      encodeAffine(rt, src, o, scales, zeroPoints, m.codesPtr);
      m.setParams(scales, zeroPoints);
    }));
  }

  /** A table from stored int4 codes (packed, ⌈cols/2⌉ bytes per row). */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): Int4Matrix {
    if (q.scheme !== 'int4' && !(q.scheme === 'int' && q.bits === 4)) throw new QuantextError('E_OPTION', `Int4Matrix needs int4 codes; got ${q.scheme}`);
    const m = new Int4Matrix(q.rows, q.cols, { perRow: q.perRow, symmetric: q.symmetric }, rt, Boolean(q.center));
    return m.fillFrom(q, () => {
      m.rt.arena.u8(m.codesPtr, q.codes.length).set(q.codes as Uint8Array);
      return q.zeroPoints;
    });
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const [s, z] = this.rowParams(i);
    const b = this.rt.arena.u8(this.codesPtr + i * this.rowBytes, this.rowBytes);
    for (let j = 0; j < this.cols; j++) {
      const nib = j & 1 ? b[j >> 1] >> 4 : b[j >> 1] & 15;
      out[j] = s * (((nib << 28) >> 28) - z);
    }
    return this.addCenter(out);
  }

  toQuantized(): QuantizedTensor {
    return this.tensor('int4', 4, -8, 7, this.rt.arena.u8(this.codesPtr, this.rows * this.rowBytes).slice());
  }
}
