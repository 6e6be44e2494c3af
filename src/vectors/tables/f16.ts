/**
 * F16Matrix: IEEE fp16 (or bfloat16 with `format: 'bf16'`) values, round to nearest even
 * (docs/quantization.md §1.5). 2× smaller than f32; search converts on the fly (matvec_f16 / matvec_bf16).
 * The table never holds Inf or NaN: quantization rejects values beyond the format's range, loading rejects
 * non-finite codes.
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { encodeHalf } from '../../quantize/core.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { QuantTable } from './base.js';

export class F16Matrix extends QuantTable {
  readonly dtype: 'f16' | 'bf16';
  readonly codesPtr: number;
  private readonly bf: boolean;

  constructor(rows: number, cols: number, format: 'f16' | 'bf16' = 'f16', rt?: Runtime) {
    super(rows, cols, rt);
    if (format !== 'f16' && format !== 'bf16') throw new QuantextError('E_OPTION', `format must be 'f16' or 'bf16'; got ${String(format)}`, { option: 'format' });
    this.dtype = format;
    this.bf = format === 'bf16';
    this.codesPtr = this.own(rows * cols * 2 + 16, true);
  }

  /** @internal converts rows × cols finite floats at `x` (wasm). @throws E_TOO_LARGE beyond the range. */
  static quantize(rt: Runtime, x: number, rows: number, cols: number, format: 'f16' | 'bf16'): F16Matrix {
    const m = new F16Matrix(rows, cols, format, rt);
    return m.filledBy(() => encodeHalf(rt, x, rows * cols, format === 'bf16', m.codesPtr));
  }

  /** A table from stored fp16/bf16 bit patterns. @throws E_NAN when a code is Inf or NaN. */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): F16Matrix {
    if (q.scheme !== 'fp16' && q.scheme !== 'bf16') throw new QuantextError('E_OPTION', `F16Matrix needs fp16 or bf16 codes; got ${q.scheme}`);
    const m = new F16Matrix(q.rows, q.cols, q.scheme === 'bf16' ? 'bf16' : 'f16', rt);
    const n = q.rows * q.cols;
    return m.filledBy(() => {
      if (q.codes.length !== n) throw new QuantextError('E_SHAPE', `F16Matrix: ${q.codes.length} codes for ${q.rows}×${q.cols}`);
      m.rt.arena.u16(m.codesPtr, n).set(q.codes as Uint16Array);
      const tmp = m.rt.arena.alloc(n * 4);
      try {
        (m.bf ? m.rt.kernels.bf16_to_f32 : m.rt.kernels.f16_to_f32)(m.codesPtr, n, tmp);
        const bad = m.rt.kernels.find_nonfinite_f32(tmp, n);
        if (bad >= 0) throw new QuantextError('E_NAN', `F16Matrix: code ${bad} (row ${Math.floor(bad / q.cols)}) is Inf or NaN`, { index: bad });
      } finally {
        m.rt.arena.free(tmp);
      }
    });
  }

  get bytes(): number {
    return this.rows * this.cols * 2;
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const tmp = this.scratchPtr('row', this.cols * 4);
    (this.bf ? this.rt.kernels.bf16_to_f32 : this.rt.kernels.f16_to_f32)(this.codesPtr + i * this.cols * 2, this.cols, tmp);
    out.set(this.rt.arena.f32(tmp, this.cols));
    return out;
  }

  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    this.scan(this.codesPtr, n, this.cols, qPtr, outPtr);
  }

  /** Scores of the listed rows: their halves gathered next to each other (copy_gather), then one matvec_f16/bf16. */
  scoreSubset(qPtr: number, idxPtr: number, m: number, outPtr: number): void {
    this.alive();
    if (m <= 0) return;
    const rb = this.cols * 2;
    const buf = this.scratchPtr('subset', m * rb + 16);
    this.rt.kernels.copy_gather(this.codesPtr, rb, idxPtr, m, buf);
    this.scan(buf, m, this.cols, qPtr, outPtr);
  }

  /** The scoring kernel of this format: matvec_f16 or matvec_bf16 (mat, rows, cols, q, out). */
  private get scan(): (mat: number, rows: number, cols: number, q: number, out: number) => void {
    return this.bf ? this.rt.kernels.matvec_bf16 : this.rt.kernels.matvec_f16;
  }

  rowNorms(outPtr: number): void {
    this.alive();
    this.rt.kernels.norm_l2_half_per_row(this.codesPtr, this.rows, this.cols, this.bf ? 1 : 0, outPtr);
  }

  toQuantized(): QuantizedTensor {
    this.alive();
    return {
      scheme: this.bf ? 'bf16' : 'fp16', bits: 16, rows: this.rows, cols: this.cols, qmin: 0, qmax: 0, perRow: false,
      symmetric: true, rounding: 'nearest', calibration: 'minmax',
      codes: this.rt.arena.u16(this.codesPtr, this.rows * this.cols).slice(), rowBytes: this.cols * 2,
      scales: new Float32Array(0), zeroPoints: new Int32Array(0),
    };
  }
}
