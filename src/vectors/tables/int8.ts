/**
 * Int8Matrix: one signed byte per value, `x̂ = s_r · (q − z_r)` with per-row (default) or per-tensor scales and,
 * when asymmetric, zero points (docs/quantization.md §1.2, §3). 4× smaller than f32 plus 4 bytes per row.
 *
 * Search quantizes the query once per call (symmetric, s_q = max|q|/127) into the table's scratch and scores every
 * row with int32 accumulation in one kernel call (matvec_i8_scaled): out[r] = s_r·s_q·(Σ c_rj q̃_j − z_r Σ q̃_j).
 * uint8 tables are stored as int8 with z − 128: the same reals, re-centred codes. Centred tables (the default of
 * quantizeMatrix) quantize x − μ and add ⟨μ, q⟩ to every score (see AffineTable).
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { calibrate, encodeAffine } from '../../quantize/core.js';
import type { ResolvedOptions } from '../../quantize/schemes.js';
import { schemeInfo } from '../../quantize/schemes.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { AffineTable, type Int8Layout } from './affine.js';

export type { Int8Layout };

export class Int8Matrix extends AffineTable {
  readonly dtype = 'int8' as const;

  /** An uninitialised table; use {@link Int8Matrix.quantize} or {@link Int8Matrix.fromQuantized}. */
  constructor(rows: number, cols: number, layout: Int8Layout, rt?: Runtime, center = false) {
    super(rows, cols, layout, cols, { matvec: 'matvec_i8_scaled', norms: 'norm_l2_i8_per_row', querySlack: 16 }, rt, center);
  }

  /**
   * Quantizes rows × cols floats at `x` (wasm, contiguous, finite) with resolved options of scheme int8 or uint8.
   * @internal used by quantizeMatrix.
   */
  static quantize(rt: Runtime, x: number, o: ResolvedOptions, center = false): Int8Matrix {
    const uint = o.info.unsigned;
    const m = new Int8Matrix(o.rows, o.cols, { perRow: o.perRow, symmetric: o.symmetric && !uint }, rt, center);
    return m.filledBy(() => m.encodeFrom(rt, x, (src) => {
      const { scales, zeroPoints } = calibrate(rt, src, o);
      if (uint) {
        // re-centre the codes: clamp(round(x/s) + z, 0, 255) − 128 = clamp(round(x/s) + (z − 128), −128, 127)
        for (let g = 0; g < zeroPoints.length; g++) zeroPoints[g] -= 128;
        encodeAffine(rt, src, { ...o, info: schemeInfo('int8') }, scales, zeroPoints, m.codesPtr);
      } else {
        encodeAffine(rt, src, o, scales, zeroPoints, m.codesPtr);
      }
      m.setParams(scales, zeroPoints);
    }));
  }

  /** A table from stored int8 or uint8 codes (e.g. read from safetensors). */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): Int8Matrix {
    if (q.scheme !== 'int8' && q.scheme !== 'uint8') throw new QuantextError('E_OPTION', `Int8Matrix needs int8 or uint8 codes; got ${q.scheme}`);
    const uint = q.scheme === 'uint8';
    const m = new Int8Matrix(q.rows, q.cols, { perRow: q.perRow, symmetric: q.symmetric && !uint }, rt, Boolean(q.center));
    return m.fillFrom(q, () => {
      const codes = m.rt.arena.i8(m.codesPtr, q.codes.length);
      if (!uint) {
        codes.set(q.codes as Int8Array);
        return q.zeroPoints;
      }
      // stored re-centred: q − 128 as int8 (a format conversion on load)
      const u = q.codes as Uint8Array;
      for (let i = 0; i < u.length; i++) codes[i] = u[i] - 128;
      return q.zeroPoints.map((z) => z - 128);
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

  /** The stored codes and parameters as a plain QuantizedTensor (scheme int8), e.g. to save. */
  toQuantized(): QuantizedTensor {
    return this.tensor('int8', 8, -128, 127, this.rt.arena.i8(this.codesPtr, this.rows * this.cols).slice());
  }
}
