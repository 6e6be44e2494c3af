/**
 * What quantization costs and buys, for any tensor and scheme (docs/quantization.md §1.9).
 *
 * @example
 * errorReport(x, quantize(x, { scheme: 'int8', perRow: true, rows, cols }))
 * // → { mse: 5.2e-6, sqnrDb: 50.3, maxAbsError: 0.005, meanCosine: 0.99999, saturatedFraction: 0,
 * //     bytesBefore: 400000, bytesAfter: 104000 }
 */
import { QuantextError } from '../errors.js';
import { runtime, type Runtime } from '../runtime/runtime.js';
import { dequantizePQ, type PQTensor } from './pq.js';
import { dequantize, type QuantizedTensor } from './quantize.js';
import { F16_MAX, isAffine } from './schemes.js';

export interface ErrorReport {
  /** Mean squared error Σ(x − x̂)² / n. */
  mse: number;
  /** 10·log10(Σx² / Σ(x − x̂)²); Infinity when the reconstruction is exact. */
  sqnrDb: number;
  maxAbsError: number;
  /** Mean over rows of cos(x_r, x̂_r) (a row zero in both counts 1, zero in one of them 0). */
  meanCosine: number;
  /**
   * Fraction of values outside the representable range ± half a step (clipped by calibration, so their codes sit at
   * the range's ends). For a table quantized around a centre μ the range is that of x − μ, which is what the codes
   * hold. 0 with minmax calibration.
   */
  saturatedFraction: number;
  /** 4 bytes per float. */
  bytesBefore: number;
  /** Codes plus scales, zero points (when asymmetric), codebooks. */
  bytesAfter: number;
}

/**
 * Bytes a quantized tensor occupies as a table holds it. Binary codes count their bits, ⌈rows·cols/8⌉ bytes (a
 * BinaryMatrix packs rows contiguously; a record pads each row to whole bytes for other readers).
 */
export function storedBytes(q: QuantizedTensor | PQTensor): number {
  if (q.scheme === 'pq') {
    const p = q as PQTensor;
    return p.codes.byteLength + p.codebook.byteLength + (p.qnorm ? p.normCodes.byteLength + p.normCodebook.byteLength : 0);
  }
  const t = q as QuantizedTensor;
  const zp = isAffine(t.scheme) && !t.symmetric ? t.zeroPoints.byteLength : 0;
  const codes = t.scheme === 'binary' ? Math.ceil((t.rows * t.cols) / 8) : t.codes.byteLength;
  return codes + t.scales.byteLength + zp + (t.center?.byteLength ?? 0);
}

/**
 * Compares `original` (rows × cols as in `q`) with the reconstruction of `q` and reports the error metrics and
 * the sizes. All sums run in f64 in wasm (error_stats_f32).
 * @throws E_SHAPE when the lengths disagree.
 */
export function errorReport(original: Float32Array | ArrayLike<number>, q: QuantizedTensor | PQTensor, opts: { rt?: Runtime } = {}): ErrorReport {
  const rt = opts.rt ?? runtime();
  const rows = q.rows, cols = q.cols, n = rows * cols;
  if (original.length !== n) throw new QuantextError('E_SHAPE', `errorReport: ${original.length} values for a ${rows}×${cols} quantized tensor`);
  const recon = q.scheme === 'pq' ? dequantizePQ(q as PQTensor, { rt }) : dequantize(q as QuantizedTensor, { rt });
  const [px, py, ps] = rt.arena.allocAll([n * 4, n * 4, 40]);
  let saturated = 0;
  try {
    rt.arena.f32(px, n).set(original);
    rt.arena.f32(py, n).set(recon);
    rt.kernels.error_stats_f32(px, py, rows, cols, ps);
    saturated = countSaturated(rt, px, q);
    const [se, sx, mx, cs] = rt.arena.f64(ps, 4);
    return {
      mse: n ? se / n : 0,
      sqnrDb: se === 0 ? Infinity : 10 * Math.log10(sx / se),
      maxAbsError: mx,
      meanCosine: rows ? cs / rows : 1,
      saturatedFraction: n ? saturated / n : 0,
      bytesBefore: n * 4,
      bytesAfter: storedBytes(q),
    };
  } finally {
    rt.arena.free(px);
    rt.arena.free(py);
    rt.arena.free(ps);
  }
}

/**
 * Values beyond the representable range ± half a step: clipped, not rounded (count_outside_per_row). A centred tensor
 * (codes of x − μ) is compared with x − μ.
 */
function countSaturated(rt: Runtime, x: number, q: QuantizedTensor | PQTensor): number {
  if (q.scheme === 'pq' || q.scheme === 'binary') return 0;
  const t = q as QuantizedTensor;
  const n = t.rows * t.cols;
  if (n === 0) return 0;
  if (t.center) {
    if (t.center.length !== t.cols) throw new QuantextError('E_SHAPE', `errorReport: a centre of ${t.center.length} values for ${t.cols} columns`);
    const [pmu, pc] = rt.arena.allocAll([t.center.byteLength, n * 4 + 16]);
    try {
      rt.arena.f32(pmu, t.center.length).set(t.center);
      rt.kernels.center_f32(x, t.rows, t.cols, pmu, pc);
      return countOutside(rt, pc, t);
    } finally {
      rt.arena.free(pc);
      rt.arena.free(pmu);
    }
  }
  return countOutside(rt, x, t);
}

function countOutside(rt: Runtime, x: number, t: QuantizedTensor): number {
  let lo: Float32Array, hi: Float32Array;
  if (t.scheme === 'fp16' || t.scheme === 'bf16') {
    if (t.scheme === 'bf16') return 0; // bf16 has the f32 range; overflow is rejected at quantization
    lo = new Float32Array([-F16_MAX]);
    hi = new Float32Array([F16_MAX]);
  } else {
    const g = t.scales.length;
    lo = new Float32Array(g);
    hi = new Float32Array(g);
    for (let i = 0; i < g; i++) {
      const s = t.scales[i], z = t.zeroPoints[i];
      lo[i] = s * (t.qmin - z) - s / 2;
      hi[i] = s * (t.qmax - z) + s / 2;
    }
  }
  const pl = rt.arena.put(lo), ph = rt.arena.put(hi);
  try {
    return rt.kernels.count_outside_per_row(x, t.rows, t.cols, pl, ph, t.perRow ? 1 : 0);
  } finally {
    rt.arena.free(pl);
    rt.arena.free(ph);
  }
}
