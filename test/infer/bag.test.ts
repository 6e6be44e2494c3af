// Issue 13: EmbeddingBag's one-call bag kernels (assembly/infer/bag.ts) against a plain TypeScript reference (each
// table's own decodeRow, rows added in index order in float32, the weighted sum in float64 then rounded, the mean
// × float64 1/size), bit for bit, for every table scheme, odd dims, empty bags and weights, on all four builds and
// the kernels' _scalar twins.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, errorCode } from '../helpers.js';
import { EmbeddingBag, DenseMatrix, QuantextError, type Matrix } from '../../src/index.node.js';
import { quantizeMatrix } from '../../src/vectors/tables/factory.js';
import { Int2Matrix } from '../../src/vectors/tables/int2.js';
import { bagKernelFor } from '../../src/infer/embedding.js';
import { heap } from '../../src/infer/kernels.js';
import type { Runtime } from '../../src/runtime/runtime.js';

function refBags(t: Matrix, idx: number[], off: number[] | undefined, mode: 'mean' | 'sum', w?: number[]): Float32Array {
  const d = t.cols, bags = off ? off.length : 1;
  const out = new Float32Array(bags * d);
  const row = new Float32Array(d);
  for (let b = 0; b < bags; b++) {
    const s = off ? off[b] : 0, e = off && b + 1 < bags ? off[b + 1] : idx.length;
    const o = out.subarray(b * d, (b + 1) * d);
    for (let i = s; i < e; i++) {
      t.decodeRow(idx[i], row);
      for (let c = 0; c < d; c++) o[c] = Math.fround(o[c] + (w ? w[i] : 1) * row[c]);
    }
    if (mode === 'mean' && e > s) for (let c = 0; c < d; c++) o[c] = Math.fround(o[c] * (1 / (e - s)));
  }
  return out;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function tables(rt: Runtime, rows: number, d: number, seed: number): [string, Matrix][] {
  const r = rng(seed);
  const x = randomF32(rows * d, r, 2);
  for (let i = 0; i < d; i++) x[3 * d + i] += 1.5; // a column mean for the centred tables
  const src = DenseMatrix.from(x, rows, d, rt);
  const out: [string, Matrix][] = [['f32', DenseMatrix.from(x, rows, d, rt)]];
  out.push(['fp16', quantizeMatrix(src, { scheme: 'fp16' })]);
  out.push(['bf16', quantizeMatrix(src, { scheme: 'bf16' })]);
  out.push(['int8 per row', quantizeMatrix(src, { scheme: 'int8', perRow: true, center: false })]);
  out.push(['int8 per tensor centred', quantizeMatrix(src, { scheme: 'int8', perRow: false, center: true })]);
  out.push(['uint8', quantizeMatrix(src, { scheme: 'uint8' })]);
  out.push(['int4 per row', quantizeMatrix(src, { scheme: 'int4', perRow: true, center: false })]);
  out.push(['int4 centred', quantizeMatrix(src, { scheme: 'int4', center: true })]);
  out.push(['binary per row', quantizeMatrix(src, { scheme: 'binary', perRow: true, center: false })]);
  out.push(['binary per tensor centred', quantizeMatrix(src, { scheme: 'binary', perRow: false, center: true })]);
  out.push(['pq', quantizeMatrix(src, { scheme: 'pq', dsub: Math.min(3, d), qnorm: false, seed: 3 } as never)]);
  out.push(['pq qnorm', quantizeMatrix(src, { scheme: 'pq', dsub: Math.min(2, d), qnorm: true, seed: 3 } as never)]);
  const q = new Int8Array(rows * d).map((_, i) => ((i * 7) % 4) - 2);
  out.push(['int2', Int2Matrix.fromQuantized({ scheme: 'int2', bits: 2, rows, cols: d, qmin: -2, qmax: 1, perRow: false, symmetric: true, rounding: 'nearest', calibration: 'minmax', codes: packInt2(q, rows, d), rowBytes: (d + 3) >> 2, scales: Float32Array.of(0.5), zeroPoints: new Int32Array(1) } as never, rt)]);
  src.dispose();
  return out;
}

function packInt2(q: Int8Array, rows: number, d: number): Uint8Array {
  const rb = (d + 3) >> 2, out = new Uint8Array(rows * rb);
  for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) out[r * rb + (c >> 2)] |= (q[r * d + c] & 3) << ((c & 3) * 2);
  return out;
}

const code = errorCode;

for (const build of BUILDS) {
  describe(`EmbeddingBag bag kernels (${build})`, () => {
    it('every table scheme, odd dims, empty bags, repeats, weights: the reference to the bit, in one kernel call', async () => {
      const rt = await rtFor(build);
      const rows = 37;
      for (const d of [1, 3, 5, 8, 13]) {
        const r = rng(100 + d);
        const idx = Array.from({ length: 23 }, () => Math.floor(r() * rows));
        idx[4] = idx[3];
        const off = [0, 5, 5, 6, 14, 23 - 0]; // bags of 5, 0, 1, 8, 9 and an empty last one
        off[5] = 23;
        const w = idx.map(() => (r() - 0.5) * 3);
        w[2] = 1 / 3;
        for (const [name, t] of tables(rt, rows, d, d)) {
          const kernel = bagKernelFor(t);
          expect(kernel, name).toBeDefined();
          const addRow = (t.addRowTo = ((orig) => {
            const f = (...a: Parameters<typeof orig>) => {
              f.calls++;
              return orig.apply(t, a);
            };
            f.calls = 0;
            return f;
          })(t.addRowTo));
          for (const mode of ['mean', 'sum'] as const) {
            const bag = new EmbeddingBag(t, { mode });
            expect(bits(bag.forward(idx, off)), `${name} d ${d} ${mode}`).toEqual(bits(refBags(t, idx, off, mode)));
            expect(bits(bag.forward(idx)), `${name} d ${d} ${mode} one bag`).toEqual(bits(refBags(t, idx, undefined, mode)));
            expect(bits(bag.forward([], [0])), `${name} empty`).toEqual(bits(new Float32Array(d)));
            if (mode === 'sum') expect(bits(bag.forward(idx, off, w)), `${name} d ${d} weighted`).toEqual(bits(refBags(t, idx, off, mode, w)));
            bag.dispose();
          }
          expect(addRow.calls, `${name}: no row added from JavaScript`).toBe(0);
          // the _scalar twin gives the same bits
          const scalar = bagKernelFor(t, true)!;
          const n = idx.length, nb = off.length;
          const p = rt.arena.alloc(4 * (n + nb) + 8 * n + 4 * d + 16 + 4 * nb * d + 64);
          const wp = p + ((4 * (n + nb) + 7) & ~7), tmp = wp + 8 * n, out = tmp + 4 * d + 16;
          for (const [mean, ws] of [[1, 0], [0, 1]] as const) {
            const h = heap(rt);
            h.i32.set(idx, p >> 2);
            h.i32.set(off, (p >> 2) + n);
            new Float64Array(h.buf, wp, n).set(w);
            scalar(p, p + 4 * n, nb, n, ws ? wp : 0, mean, tmp, out);
            const got = heap(rt).f32.slice(out >> 2, (out >> 2) + nb * d);
            expect(bits(got), `${name} d ${d} scalar twin`).toEqual(bits(refBags(t, idx, off, mean ? 'mean' : 'sum', ws ? w : undefined)));
          }
          rt.arena.free(p);
          t.dispose();
        }
      }
    });

    it('bad weights are E_NAN, bad indices E_SHAPE, a disposed table E_DISPOSED', async () => {
      const rt = await rtFor(build);
      const t = DenseMatrix.from(randomF32(12, rng(2)), 4, 3, rt);
      const bag = new EmbeddingBag(t, { mode: 'sum' });
      expect(code(() => bag.forward([0, 1], undefined, [1, NaN]))).toBe('E_NAN');
      expect(code(() => bag.forward([0, 4]))).toBe('E_SHAPE');
      expect(code(() => bag.forward([0, 1.5]))).toBe('E_SHAPE');
      t.dispose();
      expect(code(() => bag.forward([0]))).toBe('E_DISPOSED');
      bag.dispose();
      expect(code(() => bag.forward([0]))).toBe('E_DISPOSED');
    });
  });
}
