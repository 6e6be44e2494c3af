// Default (centred) quantization of a table with one outlier row: the centre is robust, the other rows keep their
// directions, and no reported cosine exceeds 1.
import { describe, expect, it } from 'vitest';
import { BUILDS, rtFor, rng } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { QuantizedIndexer } from '../../src/vectors/indexer.js';
import type { TableScheme } from '../../src/vectors/tables/factory.js';

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function cos(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

for (const build of BUILDS) {
  describe(`one outlier row, ${build} build`, () => {
    it('centred int8/int4/binary keep the Gaussian rows (mean cosine to the originals) and never report a cosine > 1', async () => {
      const rt = await rtFor(build);
      const rows = 800, dim = 32, r = rng(3);
      const data = Float32Array.from({ length: rows * dim }, () => gaussian(r));
      const OUT = 17;
      for (let j = 0; j < dim; j++) data[OUT * dim + j] *= 1e6;
      const words = Array.from({ length: rows }, (_, i) => `w${i}`);
      const kv = KeyedVectors.fromArrays(words, data, dim, { rt });
      for (const [scheme, floor] of [['int8', 0.99], ['int4', 0.95], ['binary', 0.75]] as [TableScheme, number][]) {
        const q = kv.quantize({ scheme });
        let c = 0;
        for (let i = 0; i < rows; i++) if (i !== OUT) c += cos(data.subarray(i * dim, (i + 1) * dim), q.vectorAt(i));
        expect(c / (rows - 1), scheme).toBeGreaterThan(floor);
        expect(cos(data.subarray(OUT * dim, (OUT + 1) * dim), q.vectorAt(OUT)), scheme).toBeGreaterThan(floor);
        for (const w of ['w0', 'w17', 'w5', 'w400']) {
          for (const [, s] of q.mostSimilar({ positive: [w], topn: 20 })) expect(Math.abs(s), scheme).toBeLessThanOrEqual(1);
          for (const [, s] of q.similarByVector(q.get(w), 5)) expect(Math.abs(s), scheme).toBeLessThanOrEqual(1);
          expect(Math.abs(q.similarity(w, w))).toBeLessThanOrEqual(1);
          for (const d of q.distances(w)) expect(d).toBeGreaterThanOrEqual(0);
        }
        const ix = new QuantizedIndexer(q, { coarse: scheme, refine: ['f32'], candidates: 50 });
        for (const s of ix.search(q.get('w17'), 10).scores) expect(Math.abs(s)).toBeLessThanOrEqual(1);
        ix.dispose();
        q.dispose();
      }
      kv.dispose();
    });
  });
}
