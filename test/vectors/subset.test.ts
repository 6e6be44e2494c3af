// Gathered scoring (Matrix.scoreSubset) for every table class, and the one cascade behind rerank/twoStageSearch and
// QuantizedIndexer: scores equal the table's own scan at those rows, with no per-row decoding in JavaScript.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { DenseMatrix, type Matrix } from '../../src/vectors/matrix.js';
import { quantizeMatrix, type TableScheme } from '../../src/vectors/tables/factory.js';
import { QuantTable } from '../../src/vectors/tables/base.js';
import { rerank, twoStageSearch } from '../../src/vectors/tables/rerank.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { QuantizedIndexer } from '../../src/vectors/indexer.js';

const SCHEMES: TableScheme[] = ['fp16', 'bf16', 'int8', 'uint8', 'int4', 'binary', 'pq'];

afterEach(() => vi.restoreAllMocks());

for (const build of BUILDS) {
  describe(`scoreSubset, ${build} build`, () => {
    it('every table scores a candidate list in wasm, equal to scoreRows at those rows, without decoding rows', async () => {
      const rt = await rtFor(build);
      const rows = 300, cols = 37; // odd width: binary rows start mid-byte, int4 rows have a half byte
      const x = randomF32(rows * cols, rng(7));
      const dense = DenseMatrix.from(x, rows, cols, rt);
      const tables: Matrix[] = [dense, ...SCHEMES.map((scheme) => quantizeMatrix(dense, scheme === 'pq' ? { scheme, dsub: 1, ksub: 16, qnorm: true } : { scheme }))];
      const ids = Int32Array.from([299, 0, 5, 5, 17, 150, 3, 298, 1]);
      const q = randomF32(cols, rng(8));
      const decodes = vi.spyOn(QuantTable.prototype, 'dotRow');
      const pi = rt.arena.put(ids), pq = rt.arena.put(q), po = rt.arena.alloc(ids.length * 4), pall = rt.arena.alloc(rows * 4);
      for (const t of tables) {
        const decodeSpy = vi.spyOn(t, 'decodeRow');
        t.scoreRows(pq, pall);
        t.scoreSubset(pq, pi, ids.length, po);
        expect(decodeSpy).not.toHaveBeenCalled();
        const all = rt.arena.f32(pall, rows).slice(), got = rt.arena.f32(po, ids.length).slice(); // copies: decodeRow may allocate
        ids.forEach((r, k) => {
          if (t.dtype === 'f32' || t.dtype === 'f16' || t.dtype === 'bf16') expect(got[k], `${t.dtype} row ${r}`).toBeCloseTo(all[r], 5);
          else expect(got[k], `${t.dtype} row ${r}`).toBe(all[r]); // same integer/LUT/ADC sums in the same order
          // and, for tables that score the f32 query as given (int8/int4 quantize it to int8), the inner product with
          // the decoded row (plain TypeScript)
          if (t.dtype === 'int8' || t.dtype === 'int4') return;
          const d = t.decodeRow(r);
          let s = 0;
          for (let j = 0; j < cols; j++) s += d[j] * q[j];
          expect(got[k]).toBeCloseTo(s, 4);
        });
        decodeSpy.mockRestore();
      }
      expect(decodes).not.toHaveBeenCalled();
      // n = 0 writes nothing
      rt.arena.f32(po, 1)[0] = 42;
      for (const t of tables) t.scoreSubset(pq, pi, 0, po);
      expect(rt.arena.f32(po, 1)[0]).toBe(42);
      for (const p of [pi, pq, po, pall]) rt.arena.free(p);
      for (const t of tables) t.dispose();
    });

    it('rerank and twoStageSearch run through the cascade over any fine table: exact top-k of the candidates', async () => {
      const rt = await rtFor(build);
      const rows = 400, cols = 24;
      const x = randomF32(rows * cols, rng(11));
      const dense = DenseMatrix.from(x, rows, cols, rt);
      const q = x.slice(3 * cols, 4 * cols);
      const cands = [1, 3, 399, 200, 57, 3, 10];
      for (const scheme of SCHEMES) {
        const t = quantizeMatrix(dense, scheme === 'pq' ? { scheme, dsub: 2, ksub: 16 } : { scheme });
        const spy = vi.spyOn(t, 'decodeRow');
        const got = rerank(t, q, cands, 4);
        expect(spy).not.toHaveBeenCalled();
        // reference: the table's full scan at the candidates, sorted in plain TypeScript (ties: first listed)
        const pq = rt.arena.put(q), pall = rt.arena.alloc(rows * 4);
        t.scoreRows(pq, pall);
        const all = rt.arena.f32(pall, rows).slice();
        rt.arena.free(pq);
        rt.arena.free(pall);
        const ref = cands.map((c, i) => ({ c, s: all[c], i })).sort((a, b) => b.s - a.s || a.i - b.i).slice(0, 4);
        expect(Array.from(got.indices), scheme).toEqual(ref.map((r) => r.c));
        got.scores.forEach((v, i) => expect(v, scheme).toBeCloseTo(ref[i].s, 5));
        const ts = twoStageSearch(t, dense, q, { k: 5, candidates: 40 });
        expect(ts.indices[0], scheme).toBe(3); // the query row itself, rescored exactly
        t.dispose();
      }
      dense.dispose();
    });

    it('QuantizedIndexer rescoring with PQ and binary refine stages makes no per-row decode', async () => {
      const rt = await rtFor(build);
      const rows = 500, cols = 16;
      const x = randomF32(rows * cols, rng(12));
      const kv = KeyedVectors.fromArrays(Array.from({ length: rows }, (_, i) => `w${i}`), x, cols, { rt });
      const ix = new QuantizedIndexer(kv, { coarse: 'int8', candidates: 100, refine: ['pq', 'binary', 'f32'], quantize: { ksub: 16 } });
      const spies = ix.tables.map((t) => vi.spyOn(t, 'decodeRow'));
      const r = ix.search(x.subarray(7 * cols, 8 * cols), 5);
      expect(r.indices[0]).toBe(7);
      expect(r.scores[0]).toBeCloseTo(1, 5);
      for (const s of spies) expect(s).not.toHaveBeenCalled();
      ix.dispose();
      kv.dispose();
    });
  });
}
