// mostSimilarCosmul in wasm: one cosmul_f32 pass over all rows (gensim's 3CosMul), checked against plain TypeScript.
import { describe, expect, it } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { expectSameRanking, refCosmul, rowsOf } from './reference.js';

for (const build of BUILDS) {
  describe(`cosmul, ${build} build`, () => {
    it('cosmul_f32 = Π(1+c_p)/2 / (Π(1+c_q)/2 + 1e-6) per row (f32), any numbers of positive and negative keys', async () => {
      const rt = await rtFor(build);
      const n = 103, r = rng(5);
      for (const [np, nn] of [[1, 0], [2, 1], [3, 2], [1, 3]]) {
        const sims = Float32Array.from({ length: (np + nn) * n }, () => r() * 2 - 1);
        const ps = rt.arena.put(sims), po = rt.arena.alloc(n * 4);
        rt.kernels.cosmul_f32(ps, n, np, nn, po);
        const got = rt.arena.f32(po, n).slice();
        for (let i = 0; i < n; i++) {
          let num = 1, den = 1;
          for (let j = 0; j < np; j++) num = Math.fround(num * Math.fround((1 + sims[j * n + i]) / 2));
          for (let j = np; j < np + nn; j++) den = Math.fround(den * Math.fround((1 + sims[j * n + i]) / 2));
          expect(got[i]).toBeCloseTo(num / (den + 1e-6), 4);
        }
        rt.arena.free(ps);
        rt.arena.free(po);
      }
    });

    it('mostSimilarCosmul with three positive and two negative keys, and restrictVocab, matches the reference', async () => {
      const rt = await rtFor(build);
      const n = 400, dim = 12;
      const data = randomF32(n * dim, rng(9));
      const words = Array.from({ length: n }, (_, i) => `w${i}`);
      const kv = KeyedVectors.fromArrays(words, data, dim, { rt });
      const rows = rowsOf(data, dim);
      const pos = ['w1', 'w7', 'w30'], neg = ['w2', 'w99'];
      expect(expectSameRanking(kv.mostSimilarCosmul({ positive: pos, negative: neg, topn: 15 }), refCosmul(words, rows, pos, neg, 15), 1e-5)).toBeUndefined();
      // a second call with fewer keys reuses the scratch
      expect(expectSameRanking(kv.mostSimilarCosmul({ positive: ['w5'], topn: 5 }), refCosmul(words, rows, ['w5'], [], 5), 1e-5)).toBeUndefined();
      const restricted = kv.mostSimilarCosmul({ positive: pos, negative: neg, topn: 5, restrictVocab: 100 });
      expect(expectSameRanking(restricted, refCosmul(words.slice(0, 100), rows.slice(0, 100), pos, neg, 5), 1e-5)).toBeUndefined();
      kv.dispose();
    });
  });
}
