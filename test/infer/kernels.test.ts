// Issue 11: the inference kernels (SIMD and `_scalar` twins, every build) against plain TypeScript references.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { inferKernels } from '../../src/infer/kernels.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { linearRef, intMatmulRef } from './ref.js';

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 7, 5], [1, 64, 8], [2, 3, 9], [3, 13, 17], [4, 8, 8], [5, 17, 33], [9, 64, 10], [1, 300, 37], [13, 31, 23]];

function put(rt: Runtime, a: ArrayBufferView): number {
  return rt.arena.put(a);
}

for (const build of BUILDS) {
  describe(`infer kernels (${build})`, () => {
    for (const twin of ['', '_scalar'] as const) {
      it(`gemm_f32_packed${twin} equals the naive product for odd shapes, with bias and relu`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const r = rng(11);
        for (const [m, kk, n] of SHAPES) for (const relu of [0, 1]) {
          const x = randomF32(m * kk, r), w = randomF32(n * kk, r), b = randomF32(n, r);
          const xp = put(rt, x), wpT = put(rt, w), bp = put(rt, b);
          const wp = rt.arena.alloc(((n + 7) >> 3) * 8 * kk * 4);
          const yp = rt.arena.alloc(m * n * 4);
          k.pack_f32_panel8(wpT, n, kk, kk, 1, wp);
          (twin ? k.gemm_f32_packed_scalar : k.gemm_f32_packed)(xp, m, kk, wp, n, bp, relu, yp);
          const y = rt.arena.f32(yp, m * n).slice();
          const want = linearRef(x, m, kk, w, n, b, relu === 1);
          for (let i = 0; i < m * n; i++) expect(Math.abs(y[i] - want[i]), `${m}×${kk}×${n} [${i}]`).toBeLessThan(1e-5 * (kk + 1));
          for (const p of [xp, wpT, bp, wp, yp]) rt.arena.free(p);
        }
      });

      it(`gemm_i8_packed${twin} is exact in int32, incl. extreme values (−128 weights, ±255 activations)`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const r = rng(12);
        for (const [m, kk, n] of [...SHAPES, [3, 1000, 6] as [number, number, number]]) {
          const kp = (kk + 7) & ~7, n4 = (n + 3) & ~3;
          const a = Int16Array.from({ length: m * kk }, () => (r() < 0.2 ? (r() < 0.5 ? -255 : 255) : Math.floor(r() * 511) - 255));
          const b = Int8Array.from({ length: n * kk }, () => (r() < 0.2 ? -128 : Math.floor(r() * 256) - 128));
          const ap = new Int16Array(m * kp);
          for (let i = 0; i < m; i++) ap.set(a.subarray(i * kk, (i + 1) * kk), i * kp);
          const xq = put(rt, ap), bt = put(rt, b);
          const wp = rt.arena.alloc(n4 * kp), acc = rt.arena.alloc(m * n4 * 4);
          k.pack_i8_panel4(bt, n, kk, kk, 1, 0, wp);
          (twin ? k.gemm_i8_packed_scalar : k.gemm_i8_packed)(xq, m, kp, wp, n, acc);
          const got = rt.arena.i32(acc, m * n4).slice();
          const want = intMatmulRef(a, m, kk, 0, b, n, new Array(n).fill(0));
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(got[i * n4 + j], `${m}×${kk}×${n} [${i},${j}]`).toBe(want[i * n + j]);
          for (const p of [xq, bt, wp, acc]) rt.arena.free(p);
        }
      });

      it(`quantize_i16_affine${twin} is QuantizeLinear (round half to even, saturation, centring)`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const x = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1000, -1000, 0.49999997, 3.7, -3.7, 0, 127.5, -128.5, 7]);
        const xp = put(rt, x), q = rt.arena.alloc(16 * 2);
        for (const [zp, lo, hi] of [[0, -128, 127], [3, 0, 255], [128, 0, 255]]) {
          (twin ? k.quantize_i16_affine_scalar : k.quantize_i16_affine)(xp, 1, x.length, 16, 1, zp, lo, hi, zp, q);
          const got = Array.from(rt.arena.u16(q, 16), (v) => (v << 16) >> 16);
          const want = [...Array.from(x, (v) => {
            const fl = Math.floor(v), d = v - fl;
            const re = d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
            return Math.min(hi, Math.max(lo, re + zp)) - zp;
          }), 0];
          expect(got).toEqual(want);
        }
        rt.arena.free(xp);
        rt.arena.free(q);
      });
    }

    it('relu_f32 / all_finite_f32 and their twins', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const x = Float32Array.from([1, -2, 0, 3.5, -0, 7, -1e-30, 9, 2]);
      const xp = put(rt, x), yp = rt.arena.alloc(x.length * 4);
      for (const fn of [k.relu_f32, k.relu_f32_scalar]) {
        fn(xp, x.length, yp);
        expect(Array.from(rt.arena.f32(yp, x.length))).toEqual(Array.from(x, (v) => (v > 0 ? v : 0)));
      }
      for (const fn of [k.all_finite_f32, k.all_finite_f32_scalar]) {
        expect(fn(xp, x.length)).toBe(1);
        for (const bad of [NaN, Infinity, -Infinity]) {
          rt.arena.f32(xp, x.length)[8] = bad;
          expect(fn(xp, x.length)).toBe(0);
          rt.arena.f32(xp, x.length)[8] = 2;
        }
      }
      rt.arena.free(xp);
      rt.arena.free(yp);
    });
  });
}
