/**
 * What the affine integer tables (int8, int4) share: `x̂ = s_g · (q − z_g)` with one scale (and, when asymmetric, one
 * zero point) per row or per tensor, codes packed `rowBytes` per row, and search by quantizing the query once to int8
 * and scoring every row in one kernel call with int32 accumulation. The two tables differ only in how codes are
 * packed, which kernels read them, and how they are encoded and decoded.
 *
 * Centred tables (`center: true`, the default of quantizeMatrix) quantize x − μ around the column mean μ (robust: a trimmed mean when a column has far outliers, see withCentred) and decode to
 * `x̂ = μ + s_g · (q − z_g)`. Word vectors share a large common direction (on Brown skip-gram vectors the mean
 * cosine of two random words is 0.8): without centring each row's range, and so its rounding step, is spent on it.
 * Scores add ⟨μ, q⟩ (one f32 dot per query, passed to the kernel as a bias); μ costs cols floats.
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { QuantTable, checkCenter, checkIntCols, withCentred } from './base.js';

export interface Int8Layout {
  perRow: boolean;
  symmetric: boolean;
}

/** The kernels an affine table scores and measures its rows with (same signatures for int8 and int4). */
interface AffineKernels {
  matvec: 'matvec_i8_scaled' | 'matvec_i4_scaled';
  norms: 'norm_l2_i8_per_row' | 'norm_l2_i4_per_row';
  /** Bytes of zeroed slack after the quantized query (the kernels read whole vectors). */
  querySlack: number;
}

export abstract class AffineTable extends QuantTable {
  readonly perRow: boolean;
  readonly symmetric: boolean;
  /** Bytes of codes per row. */
  readonly rowBytes: number;
  /** rows × rowBytes codes. */
  readonly codesPtr: number;
  /** f32 scales: rows (perRow) or 1. */
  readonly scalesPtr: number;
  /** i32 zero points like scales, or 0 when symmetric. */
  readonly zpsPtr: number;
  /** f32 μ (cols) of a centred table, else 0. */
  readonly centerPtr: number;
  protected readonly groups: number;
  private readonly k: AffineKernels;

  protected constructor(rows: number, cols: number, layout: Int8Layout, rowBytes: number, kernels: AffineKernels, rt?: Runtime, center = false) {
    super(rows, cols, rt);
    checkIntCols(cols, new.target.name);
    this.perRow = layout.perRow;
    this.symmetric = layout.symmetric;
    this.groups = layout.perRow ? rows : 1;
    this.rowBytes = rowBytes;
    this.k = kernels;
    try {
      this.codesPtr = this.own(rows * rowBytes + 16, true);
      this.scalesPtr = this.own(this.groups * 4 + 16, true);
      this.zpsPtr = layout.symmetric ? 0 : this.own(this.groups * 4 + 16, true);
      this.centerPtr = center ? this.own(cols * 4 + 16, true) : 0;
    } catch (e) {
      this.dispose(); // E_OOM part-way: free what was allocated
      throw e;
    }
  }

  get centered(): boolean {
    return this.centerPtr !== 0;
  }

  get bytes(): number {
    return this.rows * this.rowBytes + this.groups * 4 + (this.zpsPtr ? this.groups * 4 : 0) + (this.centerPtr ? this.cols * 4 : 0);
  }

  /** Encodes rows × cols floats at `x` (or x − μ, writing μ, when the table is centred) with `encode`. */
  protected encodeFrom(rt: Runtime, x: number, encode: (src: number) => void): void {
    if (this.centerPtr) withCentred(rt, x, this.rows, this.cols, this.centerPtr, encode);
    else encode(x);
  }

  /**
   * Fills this new table from a stored record: checks the record's lengths against the table's (E_SHAPE), lets
   * `writeCodes` copy the codes into codesPtr and return the zero points to keep, then stores scales, zero points and
   * the centre (all checked). On any error the table is disposed and the error rethrown.
   */
  protected fillFrom<T extends AffineTable>(this: T, q: QuantizedTensor, writeCodes: () => Int32Array): T {
    return this.filledBy(() => {
      if (q.codes.length !== this.rows * this.rowBytes || q.scales.length !== this.groups || q.zeroPoints.length !== this.groups) {
        throw new QuantextError('E_SHAPE', `${this.constructor.name}: ${q.codes.length} code bytes, ${q.scales.length} scales for ${q.rows}×${q.cols}${q.perRow ? ' per row' : ''}`);
      }
      const zps = writeCodes();
      this.checkDecodable(q.scales, zps, q.center);
      this.setParams(q.scales, zps);
      if (q.center) this.setCenter(q.center);
    });
  }

  /**
   * Checks stored parameters against the codes they decode (on load): every zero point inside the code range (else
   * the int32 scores of the kernels overflow, and mostSimilar and similarity disagree), and every decoded value
   * μ + s·(q − z) a finite float32 (a finite scale large enough to overflow decodes to ±Infinity, and NaN with μ).
   */
  protected checkDecodable(scales: Float32Array, zeroPoints: Int32Array, center: Float32Array | undefined): void {
    const [lo, hi] = this.dtype === 'int4' ? [-8, 7] : [-128, 127];
    let mu = 0;
    if (center) for (let j = 0; j < center.length; j++) mu = Math.max(mu, Math.abs(center[j]));
    for (let g = 0; g < scales.length; g++) {
      const z = this.symmetric ? 0 : zeroPoints[g];
      if (!this.symmetric && !(Number.isInteger(z) && z >= lo && z <= hi)) {
        throw new QuantextError('E_FORMAT', `${this.constructor.name}: zero point ${z} of group ${g} is outside the code range [${lo}, ${hi}]`, { index: g });
      }
      const s = scales[g];
      const extreme = Math.fround(Math.fround(s * Math.max(hi - z, z - lo)) + mu);
      if (Number.isFinite(s) && !Number.isFinite(extreme)) {
        throw new QuantextError('E_FORMAT', `${this.constructor.name}: scale ${s} of group ${g} decodes codes beyond the float32 range`, { index: g });
      }
    }
  }

  /** Stores a centre read from a file (checked: cols finite floats). */
  protected setCenter(center: Float32Array): void {
    checkCenter(center, this.cols, this.constructor.name);
    this.rt.arena.f32(this.centerPtr, this.cols).set(center);
  }

  /** Adds μ to a decoded row (centred tables). */
  protected addCenter(out: Float32Array): Float32Array {
    if (this.centerPtr) {
      const mu = this.rt.arena.f32(this.centerPtr, this.cols);
      for (let j = 0; j < this.cols; j++) out[j] += mu[j];
    }
    return out;
  }

  /** ⟨μ, q⟩ for the f32 query at qPtr (0 when not centred). */
  private bias(qPtr: number): number {
    return this.centerPtr ? this.rt.kernels.dot_f32(this.centerPtr, qPtr, this.cols) : 0;
  }

  /** Checks and stores the scales (positive, finite) and zero points. */
  protected setParams(scales: Float32Array, zeroPoints: Int32Array): void {
    for (let g = 0; g < scales.length; g++) {
      if (!(scales[g] > 0) || !Number.isFinite(scales[g])) {
        throw new QuantextError('E_FORMAT', `${this.constructor.name}: scale ${scales[g]} of group ${g} is not a positive finite number`, { index: g });
      }
    }
    this.rt.arena.f32(this.scalesPtr, this.groups).set(scales);
    if (this.zpsPtr) this.rt.arena.i32(this.zpsPtr, this.groups).set(zeroPoints);
  }

  /** [scale, zero point] of row i. */
  protected rowParams(i: number): [number, number] {
    const g = this.perRow ? i : 0;
    return [this.rt.arena.f32(this.scalesPtr + g * 4, 1)[0], this.zpsPtr ? this.rt.arena.i32(this.zpsPtr + g * 4, 1)[0] : 0];
  }

  /**
   * Quantizes the f32 query at qPtr to symmetric int8 (s_q = max|q| / 127) into this table's scratch;
   * returns [q̃ pointer, s_q].
   */
  private quantizeQuery(qPtr: number): [number, number] {
    const k = this.rt.kernels;
    const qb = this.scratchPtr('query', this.cols + this.k.querySlack);
    const tmp = this.scratchPtr('absmax', 4);
    k.absmax_f32_per_row(qPtr, 1, this.cols, tmp);
    const a = this.rt.arena.f32(tmp, 1)[0];
    if (!Number.isFinite(a)) throw new QuantextError('E_NAN', 'scoreRows: the query has a non-finite value');
    const qs = a > 0 ? Math.fround(a / 127) : 1;
    k.quantize_affine_i8(qPtr, this.cols, qs, 0, -127, 127, qb);
    return [qb, qs];
  }

  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    const [qb, qs] = this.quantizeQuery(qPtr);
    this.rt.kernels[this.k.matvec](this.codesPtr, n, this.cols, this.rowBytes, 0, qb, qs, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, this.bias(qPtr), outPtr);
  }

  scoreSubset(qPtr: number, idxPtr: number, m: number, outPtr: number): void {
    this.alive();
    if (m <= 0) return;
    const [qb, qs] = this.quantizeQuery(qPtr);
    this.rt.kernels[this.k.matvec](this.codesPtr, m, this.cols, this.rowBytes, idxPtr, qb, qs, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, this.bias(qPtr), outPtr);
  }

  /** ‖decoded row‖ for every row: one kernel call, or (centred) ‖μ + s(q − z)‖ from each decoded row, in f64. */
  rowNorms(outPtr: number): void {
    this.alive();
    if (!this.centerPtr) {
      this.rt.kernels[this.k.norms](this.codesPtr, this.rows, this.cols, this.rowBytes, this.scalesPtr, this.zpsPtr, this.perRow ? 1 : 0, outPtr);
      return;
    }
    const norms = new Float32Array(this.rows), row = new Float32Array(this.cols);
    for (let r = 0; r < this.rows; r++) {
      this.decodeRow(r, row);
      let s = 0;
      for (let j = 0; j < this.cols; j++) s += row[j] * row[j];
      norms[r] = Math.sqrt(s);
    }
    this.rt.arena.f32(outPtr, this.rows).set(norms);
  }

  /** The stored codes and parameters as a plain QuantizedTensor, e.g. to save. */
  protected tensor(scheme: 'int8' | 'int4', bits: number, qmin: number, qmax: number, codes: Int8Array | Uint8Array): QuantizedTensor {
    this.alive();
    const a = this.rt.arena;
    return {
      scheme, bits, rows: this.rows, cols: this.cols, qmin, qmax, perRow: this.perRow,
      symmetric: this.symmetric, rounding: 'nearest', calibration: 'minmax', codes, rowBytes: this.rowBytes,
      scales: a.f32(this.scalesPtr, this.groups).slice(),
      zeroPoints: this.zpsPtr ? a.i32(this.zpsPtr, this.groups).slice() : new Int32Array(this.groups),
      ...(this.centerPtr ? { center: a.f32(this.centerPtr, this.cols).slice() } : {}),
    };
  }
}
