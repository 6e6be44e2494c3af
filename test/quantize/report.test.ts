// errorReport's saturated share of a centred table counts the values of x − μ beyond the code range (whose codes sit
// at the range's ends), checked against plain-TypeScript counts.
import { describe, expect, it } from 'vitest';
import { BUILDS, rtFor, rng } from '../helpers.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { quantizeMatrix, tableToTensor, type QuantizedTable } from '../../src/vectors/tables/factory.js';
import { errorReport } from '../../src/quantize/report.js';
import type { QuantizedTensor } from '../../src/quantize/quantize.js';

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Codes as integers, row-major (int8 bytes, or int4 nibbles, two's complement). */
function codesOf(t: QuantizedTensor): Int32Array {
  const out = new Int32Array(t.rows * t.cols);
  for (let i = 0; i < t.rows; i++) for (let j = 0; j < t.cols; j++) {
    if (t.bits === 8) out[i * t.cols + j] = t.codes[i * t.rowBytes + j];
    else {
      const b = t.codes[i * t.rowBytes + (j >> 1)];
      out[i * t.cols + j] = ((j & 1 ? b >> 4 : b & 15) << 28) >> 28;
    }
  }
  return out;
}

for (const build of BUILDS) {
  describe(`errorReport saturation, ${build} build`, () => {
    it('centred int8/int4 tables: the share of x − μ beyond the range ± s/2, never more than the codes at the ends', async () => {
      const rt = await rtFor(build);
      const rows = 300, cols = 200, r = rng(21);
      const common = Float32Array.from({ length: cols }, () => gaussian(r));
      const x = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(0.7 * common[i % cols] + 0.3 * gaussian(r)));
      const dense = DenseMatrix.from(x, rows, cols, rt);
      for (const [scheme, calibration] of [['int8', 'minmax'], ['int4', 'minmax'], ['int8', 'percentile'], ['int4', 'percentile']] as const) {
        const t = quantizeMatrix(dense, { scheme, calibration, ...(calibration === 'percentile' ? { percentile: 99 } : {}) }) as QuantizedTable;
        const rec = tableToTensor(t) as QuantizedTensor;
        expect(rec.center, scheme).toBeDefined();
        const mu = rec.center!, codes = codesOf(rec);
        let outside = 0, ends = 0;
        for (let i = 0; i < rows; i++) {
          const s = rec.scales[rec.perRow ? i : 0], z = rec.zeroPoints[rec.perRow ? i : 0];
          const lo = Math.fround(s * (rec.qmin - z) - s / 2), hi = Math.fround(s * (rec.qmax - z) + s / 2);
          for (let j = 0; j < cols; j++) {
            const v = Math.fround(x[i * cols + j] - mu[j]);
            if (v < lo || v > hi) outside++;
            const c = codes[i * cols + j];
            if (c === rec.qmin || c === rec.qmax) ends++;
          }
        }
        const rep = errorReport(x, rec, { rt });
        expect(rep.saturatedFraction, `${scheme} ${calibration}`).toBe(outside / (rows * cols));
        expect(rep.saturatedFraction).toBeLessThanOrEqual(ends / (rows * cols));
        if (calibration === 'minmax') expect(rep.saturatedFraction).toBe(0);
        else expect(outside).toBeGreaterThan(0);
        expect(ends / (rows * cols)).toBeLessThan(0.05); // about one end code per row (0.5 %) with minmax
        t.dispose();
      }
      dense.dispose();
    });
  });
}
