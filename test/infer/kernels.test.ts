// Issue 11: the inference kernels (SIMD and `_scalar` twins, every build) against plain TypeScript references.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { inferKernels } from '../../src/infer/kernels.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { f, linearRef, intMatmulRef, gemvF32OrderRef } from './ref.js';

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 7, 5], [1, 64, 8], [1, 40, 53], [1, 19, 48], [2, 3, 9], [3, 13, 17], [4, 8, 8], [5, 17, 33], [9, 64, 10], [1, 300, 37], [13, 31, 23], [4, 1, 3], [8, 2, 16], [6, 3, 40], [8, 37, 20], [12, 20, 17]];

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
          const wp = rt.arena.alloc(Math.ceil(n / 16) * 16 * kk * 4); // the layout's definition: panels of 16 outputs
          const yp = rt.arena.alloc(m * n * 4);
          // the interleaved row tiles' scratch, with a guard word after it that the kernel must leave alone
          const xiBytes = (m & ~3) * kk * 4, xi = rt.arena.alloc(xiBytes + 4);
          rt.arena.i32(xi + xiBytes, 1)[0] = 0x5a5a5a5a;
          k.pack_f32_panel16(wpT, n, kk, kk, 1, wp);
          (twin ? k.gemm_f32_packed_scalar : k.gemm_f32_packed)(xp, m, kk, wp, n, bp, relu, yp);
          const y = rt.arena.f32(yp, m * n).slice();
          const want = linearRef(x, m, kk, w, n, b, relu === 1);
          for (let i = 0; i < m * n; i++) expect(Math.abs(y[i] - want[i]), `${m}×${kk}×${n} [${i}]`).toBeLessThan(1e-5 * (kk + 1));
          if (!twin) {
            // the 2-step tiles (odd k: a last single step) give the same bits
            rt.arena.f32(yp, m * n).fill(NaN);
            k.gemm_f32_packed2(xp, m, kk, wp, n, bp, relu, yp);
            expect(Array.from(rt.arena.f32(yp, m * n)), `${m}×${kk}×${n} packed2`).toEqual(Array.from(y));
            // and so do the tiles interleaved first (k % 4 ≠ 0: the interleaving's scalar tail)
            rt.arena.f32(yp, m * n).fill(NaN);
            k.gemm_f32_tiles4(xp, m, kk, wp, n, bp, relu, yp, xi);
            expect(Array.from(rt.arena.f32(yp, m * n)), `${m}×${kk}×${n} tiles4`).toEqual(Array.from(y));
            expect(rt.arena.i32(xi + xiBytes, 1)[0], `${m}×${kk}×${n}: nothing written past the scratch`).toBe(0x5a5a5a5a);
          }
          if (!twin && m === 1) {
            // the GEMV in either panel order gives gemm_f32_packed's bits (and the scalar twin's sums)
            for (const rev of [0, 1]) {
              rt.arena.f32(yp, n).fill(NaN);
              k.gemv_f32_packed(xp, kk, wp, n, bp, relu, yp, rev);
              expect(Array.from(rt.arena.f32(yp, n)), `${kk}×${n} gemv rev ${rev}`).toEqual(Array.from(y));
            }
          }
          for (const p of [xp, wpT, bp, wp, yp, xi]) rt.arena.free(p);
        }
      });

      if (!twin) it('gemv_f32_packed (SIMD: two panels side by side, an odd one alone) sums in its documented order, bit for bit, both panel orders', async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const r = rng(17);
        // n: one panel (≤ 8 and > 8 outputs), full pairs, a partial or odd last panel; k ≥ 128 with k·n ≥ 32768 (n 240,
        // 257, 300) takes the paired loop, then one full panel (240), one 1-output panel (257) or a partial one (300)
        // alone (k % 4 ≠ 0: the pairs' separate last-k pass)
        for (const n of [1, 5, 9, 16, 21, 30, 32, 40, 53, 80, 100, 240, 257, 300]) for (const kk of [1, 3, 4, 7, 16, 19, 67, 128, 131, 258]) for (const relu of [0, 1]) {
          const x = randomF32(kk, r), w = randomF32(n * kk, r), b = randomF32(n, r);
          const xp = put(rt, x), wpT = put(rt, w), bp = put(rt, b);
          const wp = rt.arena.alloc(Math.ceil(n / 16) * 16 * kk * 4), yp = rt.arena.alloc(n * 4 + 4);
          k.pack_f32_panel16(wpT, n, kk, kk, 1, wp);
          const simd = !build.startsWith('scalar');
          const want = gemvF32OrderRef(x, kk, w, n, b, relu === 1, simd);
          const wantNoBias = gemvF32OrderRef(x, kk, w, n, undefined, relu === 1, simd);
          for (const rev of [0, 1]) {
            rt.arena.f32(yp, n + 1).fill(NaN);
            rt.arena.i32(yp + n * 4, 1)[0] = 0x5a5a5a5a;
            k.gemv_f32_packed(xp, kk, wp, n, bp, relu, yp, rev);
            expect(Array.from(rt.arena.f32(yp, n)), `1×${kk}×${n} relu ${relu} rev ${rev}`).toEqual(Array.from(want));
            expect(rt.arena.i32(yp + n * 4, 1)[0], `1×${kk}×${n}: nothing written past y`).toBe(0x5a5a5a5a);
            k.gemv_f32_packed(xp, kk, wp, n, 0, relu, yp, rev);
            expect(Array.from(rt.arena.f32(yp, n)), `1×${kk}×${n} no bias rev ${rev}`).toEqual(Array.from(wantNoBias));
          }
          for (const p of [xp, wpT, bp, wp, yp]) rt.arena.free(p);
        }
      });

      if (!twin) it('the runtime runs the interleaved f32 tiles on V8 ≤ 11 (Node 20), the 2-step ones on newer V8', async () => {
        const rt = await rtFor(build);
        expect(rt.f32Gemm).toBe(parseInt(process.versions.v8) < 12 ? 'tiles4' : 'steps2');
      });

      it(`gemm_i8_packed${twin} is exact in int32, incl. extreme values (−128 weights, ±255 activations)`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const r = rng(12);
        for (const [m, kk, n] of [...SHAPES, [3, 1000, 6] as [number, number, number], [8, 40, 9] as [number, number, number], [11, 24, 16] as [number, number, number]]) {
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
          if (!twin) {
            // each row alone through the batch-1 GEMV (two panels side by side, an odd one alone), in either panel
            // order: the same sums, and nothing written past the row's n4 sums
            const acc1 = rt.arena.alloc(n4 * 4 + 4);
            for (let i = 0; i < m; i++) for (const rev of [0, 1]) {
              rt.arena.i32(acc1, n4 + 1).fill(0x5a5a5a5a);
              k.gemv_i8_packed(xq + i * kp * 2, kp, wp, n, acc1, rev);
              const g1 = rt.arena.i32(acc1, n4 + 1);
              for (let j = 0; j < n; j++) if (g1[j] !== want[i * n + j]) expect(g1[j], `gemv ${m}×${kk}×${n} [${i},${j}] rev ${rev}`).toBe(want[i * n + j]);
              expect(g1[n4], `gemv ${m}×${kk}×${n}: nothing past n4`).toBe(0x5a5a5a5a);
            }
            rt.arena.free(acc1);
          }
          // the batched pair layout gives the same sums
          const n8 = (n + 7) & ~7;
          const wp2 = rt.arena.alloc(n8 * kp * 2), acc2 = rt.arena.alloc((m + 3) * n8 * 4);
          const xa = rt.arena.alloc(((m + 3) & ~3) * kp * 8);
          k.pack_i16_panel8_pairs(bt, n, kk, kp, kk, 1, 0, 0, wp2);
          (twin ? k.interleave_i16_rows4_scalar : k.interleave_i16_rows4)(xq, m, kp, xa);
          // the interleaved layout, read back against its definition: per tile t, k pair c/2 and row q of the tile, the
          // pair (x[c], x[c+1]) four times (rows past m are zero)
          const xav = new Int16Array(rt.arena.u16(xa, ((m + 3) & ~3) * kp * 4).slice().buffer);
          for (let t = 0; t < (m + 3) >> 2; t++) for (let c = 0; c < kp; c++) for (let q = 0; q < 4; q++) for (let l = 0; l < 4; l++) {
            const row = 4 * t + q, want = row < m ? ap[row * kp + c] : 0, at = t * 16 * kp + (c >> 1) * 32 + q * 8 + l * 2 + (c & 1);
            if (xav[at] !== want) expect(xav[at], `interleave ${m}×${kp} [${row},${c}] lane ${l}`).toBe(want);
          }
          rt.arena.i32(acc2, (m + 3) * n8).fill(0x5a5a5a5a);
          (twin ? k.gemm_i16_pairs_scalar : k.gemm_i16_pairs)(xa, m, kp, wp2, n, acc2);
          const got2 = rt.arena.i32(acc2, m * n8).slice();
          // nothing is written past row m (a partial tile of 4 rows stores only its rows)
          expect(rt.arena.i32(acc2 + m * n8 * 4, 3 * n8).every((v) => v === 0x5a5a5a5a), `pairs ${m}×${kk}×${n}: rows past m untouched`).toBe(true);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(got2[i * n8 + j], `pairs ${m}×${kk}×${n} [${i},${j}]`).toBe(want[i * n + j]);
          for (const p of [xq, bt, wp, acc, wp2, acc2, xa]) rt.arena.free(p);
        }
      });

      it(`gemm_i16_pairs_f32${twin} / gemm_i16_pairs_q8${twin}: zero points folded into the pairs, epilogues fused, the bytes of the separate passes`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const r = rng(17);
        for (const [m, kk, n] of [[1, 1, 1], [3, 13, 17], [4, 8, 8], [5, 17, 33], [9, 64, 10], [8, 40, 9], [13, 31, 23], [32, 96, 24]] as [number, number, number][]) {
          const kp = (kk + 7) & ~7, n8 = (n + 7) & ~7, mt = (m + 3) & ~3;
          const a = Int16Array.from({ length: m * kp }, (_, i) => (i % kp < kk ? (r() < 0.1 ? 255 : Math.floor(r() * 511) - 255) : 0));
          const b = Uint8Array.from({ length: n * kk }, () => (r() < 0.1 ? 255 : Math.floor(r() * 256))); // uint8, out-in
          const zpEff = Int32Array.from({ length: n }, () => Math.floor(r() * 256) - 128); // zero point − 128 (after the flip)
          const xs = Float32Array.from({ length: m }, () => f(0.001 + r() * 0.01));
          const ws = Float32Array.from({ length: n }, () => f(0.001 + r() * 0.01));
          const bias = randomF32(n, r);
          const mult = Float32Array.from({ length: n }, () => f(r() * 0.002));
          const xq = put(rt, a), bt = put(rt, b), zp = put(rt, zpEff), xsp = put(rt, xs), wsp = put(rt, ws), bp = put(rt, bias), mp = put(rt, mult);
          const wp = rt.arena.alloc(n8 * kp * 2), xa = rt.arena.alloc(mt * kp * 8), acc = rt.arena.alloc(m * n8 * 4), rs = rt.arena.alloc(m * 4);
          const y1 = rt.arena.alloc(m * n * 4), y2 = rt.arena.alloc(m * n * 4 + 16), q1 = rt.arena.alloc(m * n), q2 = rt.arena.alloc(m * n + 16);
          (twin ? k.interleave_i16_rows4_scalar : k.interleave_i16_rows4)(xq, m, kp, xa);
          // the separate passes: plain pairs, row sums times zero points, then the epilogues
          k.pack_i16_panel8_pairs(bt, n, kk, kp, kk, 1, 1, 0, wp);
          (twin ? k.gemm_i16_pairs_scalar : k.gemm_i16_pairs)(xa, m, kp, wp, n, acc);
          k.rowsum_i16(xq, m, kp, rs);
          const bo = Int32Array.from({ length: n * kk }, (_, i) => b[i] - 128);
          const want = intMatmulRef(Array.from({ length: m * kk }, (_, i) => a[Math.floor(i / kk) * kp + (i % kk)]), m, kk, 0, bo, n, Array.from(zpEff));
          for (const relu of [0, 1]) {
            k.epilogue_i32_f32(acc, m, n, n8, rs, zp, xsp, 1, wsp, 1, bp, relu, y1);
            for (const [lo, hi, yz] of [[0, 255, 100], [-128, 127, -5]]) {
              k.epilogue_i32_requant(acc, m, n, n8, rs, zp, mp, 1, yz, lo, hi, q1);
              // fused: the zero points in the packed weights, no row sums
              k.pack_i16_panel8_pairs(bt, n, kk, kp, kk, 1, 1, zp, wp);
              rt.arena.u8(y2, m * n * 4 + 16).fill(0xa5);
              rt.arena.u8(q2, m * n + 16).fill(0xa5);
              (twin ? k.gemm_i16_pairs_f32_scalar : k.gemm_i16_pairs_f32)(xa, m, kp, wp, n, xsp, 1, wsp, 1, bp, relu, y2);
              (twin ? k.gemm_i16_pairs_q8_scalar : k.gemm_i16_pairs_q8)(xa, m, kp, wp, n, mp, 1, yz, lo, hi, q2);
              (twin ? k.gemm_i16_pairs_scalar : k.gemm_i16_pairs)(xa, m, kp, wp, n, acc);
              const got = rt.arena.i32(acc, m * n8);
              for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (got[i * n8 + j] !== want[i * n + j]) expect(got[i * n8 + j], `folded zp ${m}×${kk}×${n} [${i},${j}]`).toBe(want[i * n + j]);
              expect(rt.arena.u8(y2, m * n * 4).slice(), `f32 ${m}×${kk}×${n} relu ${relu}`).toEqual(rt.arena.u8(y1, m * n * 4).slice());
              expect(rt.arena.u8(q2, m * n).slice(), `q8 ${m}×${kk}×${n} [${lo}, ${hi}]`).toEqual(rt.arena.u8(q1, m * n).slice());
              // nothing written past the outputs
              expect(rt.arena.u8(y2 + m * n * 4, 16).every((v) => v === 0xa5)).toBe(true);
              expect(rt.arena.u8(q2 + m * n, 16).every((v) => v === 0xa5)).toBe(true);
              k.pack_i16_panel8_pairs(bt, n, kk, kp, kk, 1, 1, 0, wp);
              (twin ? k.gemm_i16_pairs_scalar : k.gemm_i16_pairs)(xa, m, kp, wp, n, acc);
            }
          }
          // the codes cover both ends (saturation is exercised)
          const codes = rt.arena.u8(q1, m * n);
          if (m * n > 100) expect(codes.some((v) => v === 127) && codes.some((v) => v === 128)).toBe(true);
          for (const p of [xq, bt, zp, xsp, wsp, bp, mp, wp, xa, acc, rs, y1, y2, q1, q2]) rt.arena.free(p);
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

    it('quantize_i16_sym_per_row (+ twin) scales rows by max |x| / 127 and reports NaN and ±∞ wherever they are', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const r = rng(21);
      const fr = Math.fround;
      for (const kk of [5, 16, 37, 64]) {
        const m = 5, kp = (kk + 7) & ~7;
        const x = Float32Array.from({ length: m * kk }, () => fr((r() - 0.5) * 6));
        x.fill(0, kk, 2 * kk); // row 1 all zero: scale 1
        x.fill(-0, 2 * kk, 3 * kk - 1); x[3 * kk - 1] = -1e-40; // row 2: −0 and a denormal, its |max|
        x[3 * kk + (kk >> 1)] = -9.5; // row 3: the largest magnitude negative, inside the SIMD blocks when kk ≥ 16
        const xp = put(rt, x), q = rt.arena.alloc(m * kp * 2), sp = rt.arena.alloc(m * 4), xa = rt.arena.alloc(8 * kp * 8);
        const want = Array.from({ length: m }, (_, i) => { let mx = 0; for (let c = 0; c < kk; c++) mx = Math.max(mx, Math.abs(x[i * kk + c])); return mx === 0 ? 1 : fr(mx / 127); });
        for (const fn of [k.quantize_i16_sym_per_row, k.quantize_i16_sym_per_row_scalar]) {
          expect(fn(xp, m, kk, kp, q, sp)).toBe(0);
          expect(Array.from(rt.arena.f32(sp, m)), `k ${kk}`).toEqual(want);
        }
        for (const at of [0, kk >> 1, kk - 1, 4 * kk + 3]) for (const bad of [NaN, Infinity, -Infinity]) {
          const keep = x[at];
          rt.arena.f32(xp, m * kk)[at] = bad;
          for (const fn of [k.quantize_i16_sym_per_row, k.quantize_i16_sym_per_row_scalar]) expect(fn(xp, m, kk, kp, q, sp), `k ${kk}: ${bad} at ${at}`).toBe(1);
          for (const fn of [k.quantize_i16_sym_per_row_rows4, k.quantize_i16_sym_per_row_rows4_scalar]) expect(fn(xp, m, kk, kp, xa, sp), `rows4, k ${kk}: ${bad} at ${at}`).toBe(1);
          rt.arena.f32(xp, m * kk)[at] = keep;
        }
        for (const p of [xp, q, sp, xa]) rt.arena.free(p);
      }
    });

    it('quantize_i16_{sym_per_row,affine}_rows4 and widen_i8_i16_rows4 (+ twins) write what quantizing (widening) then interleave_i16_rows4 write', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const r = rng(22);
      for (const [m, kk] of [[1, 3], [3, 8], [4, 16], [5, 21], [8, 40], [9, 7], [13, 64]]) {
        const kp = (kk + 7) & ~7, xaBytes = ((m + 3) & ~3) * kp * 8;
        const x = Float32Array.from({ length: m * kk }, () => Math.fround((r() - 0.5) * 10));
        x[0] = 2.5; // a tie
        const xp = put(rt, x), xq = rt.arena.alloc(m * kp * 2), want = rt.arena.alloc(xaBytes), got = rt.arena.alloc(xaBytes + 4);
        const s1 = rt.arena.alloc(m * 4), s2 = rt.arena.alloc(m * 4);
        const same = (what: string) => {
          expect(Array.from(rt.arena.i32(got, xaBytes / 4)), `${what} ${m}×${kk}`).toEqual(Array.from(rt.arena.i32(want, xaBytes / 4)));
          expect(rt.arena.i32(got + xaBytes, 1)[0], `${what} ${m}×${kk}: nothing past the tiles`).toBe(0x5a5a5a5a);
        };
        for (const twin of [false, true]) {
          const garbage = () => { rt.arena.i32(got, xaBytes / 4 + 1).fill(0x5a5a5a5a); };
          k.quantize_i16_sym_per_row(xp, m, kk, kp, xq, s1);
          k.interleave_i16_rows4(xq, m, kp, want);
          garbage();
          expect((twin ? k.quantize_i16_sym_per_row_rows4_scalar : k.quantize_i16_sym_per_row_rows4)(xp, m, kk, kp, got, s2)).toBe(0);
          same(`sym${twin ? ' scalar' : ''}`);
          expect(Array.from(rt.arena.f32(s2, m))).toEqual(Array.from(rt.arena.f32(s1, m)));
          for (const [sc, zp, lo, hi] of [[0.05, 0, -128, 127], [0.03, 37, 0, 255], [0.01, 128, 0, 255]]) {
            k.quantize_i16_affine(xp, m, kk, kp, sc, zp, lo, hi, zp, xq);
            k.interleave_i16_rows4(xq, m, kp, want);
            garbage();
            (twin ? k.quantize_i16_affine_rows4_scalar : k.quantize_i16_affine_rows4)(xp, m, kk, kp, sc, zp, lo, hi, zp, got);
            same(`affine ${sc} ${zp}${twin ? ' scalar' : ''}`);
          }
          // integer inputs (forwardInt): uint8 and int8 codes, centred by their zero point
          const codes = Uint8Array.from({ length: m * kk }, () => Math.floor(r() * 256));
          codes[0] = 255; codes[m * kk - 1] = 0;
          const cp = put(rt, codes);
          for (const [unsigned, zp] of [[1, 128], [1, 3], [0, -7], [0, 0]]) {
            k.widen_i8_i16(cp, m, kk, kp, unsigned, zp, xq);
            k.interleave_i16_rows4(xq, m, kp, want);
            garbage();
            (twin ? k.widen_i8_i16_rows4_scalar : k.widen_i8_i16_rows4)(cp, m, kk, kp, unsigned, zp, got);
            same(`widen ${unsigned ? 'uint8' : 'int8'} ${zp}${twin ? ' scalar' : ''}`);
          }
          rt.arena.free(cp);
        }
        for (const p of [xp, xq, want, got, s1, s2]) rt.arena.free(p);
      }
    });

    it('epilogue_i32_f32 and its twin give the formula of notes/infer-api.md exactly (zero points, steps, bias, relu)', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const r = rng(13);
      const fr = Math.fround;
      for (const [m, n] of [[1, 1], [2, 7], [3, 12], [5, 33]]) {
        const n4 = ((n + 3) & ~3) + 4; // a wider accumulator stride than n
        const acc = Int32Array.from({ length: m * n4 }, () => Math.floor(r() * 2e6) - 1e6);
        const rs = Int32Array.from({ length: m }, () => Math.floor(r() * 4000) - 2000);
        const wz = Int32Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
        const xs = Float32Array.from({ length: m }, () => r() * 0.01), ws = Float32Array.from({ length: n }, () => r() * 0.01);
        const bias = randomF32(n, r);
        const ptrs = [acc, rs, wz, xs, ws, bias].map((a) => put(rt, a));
        const [ap, rp, zp, xp, wp, bp] = ptrs;
        const yp = rt.arena.alloc(m * n * 4);
        for (const [withZ, xStep, wStep, withB, relu] of [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1, 0, 1, 1, 0], [0, 1, 0, 0, 1]]) {
          const want = new Float32Array(m * n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let c = acc[i * n4 + j];
            if (withZ) c -= rs[i] * wz[j];
            let v = fr(fr(c) * fr(xs[xStep ? i : 0] * ws[wStep ? j : 0]));
            if (withB) v = fr(v + bias[j]);
            if (relu && !(v > 0)) v = 0;
            want[i * n + j] = v;
          }
          for (const fn of [k.epilogue_i32_f32, k.epilogue_i32_f32_scalar]) {
            fn(ap, m, n, n4, withZ ? rp : 0, withZ ? zp : 0, xp, xStep, wp, wStep, withB ? bp : 0, relu, yp);
            expect(rt.arena.f32(yp, m * n).slice()).toEqual(want);
          }
        }
        for (const p of [...ptrs, yp]) rt.arena.free(p);
      }
    });

    it('epilogue_i32_requant (QLinearMatMul) and widen_i8_i16 equal their twins and the integer formulas', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const r = rng(14);
      const fr = Math.fround;
      const re = (v: number) => { const fl = Math.floor(v), d = v - fl; return d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1; };
      for (const [m, n] of [[1, 3], [2, 8], [3, 21]]) {
        const n4 = (n + 7) & ~7;
        const acc = Int32Array.from({ length: m * n4 }, () => Math.floor(r() * 60000) - 30000);
        acc[0] = 2 ** 30; // far beyond the output range: saturates
        const rs = Int32Array.from({ length: m }, () => Math.floor(r() * 400) - 200);
        const wz = Int32Array.from({ length: n }, () => Math.floor(r() * 20) - 10);
        const mult = Float32Array.from({ length: n }, () => fr(r() * 0.01));
        mult[0] = 0.5; // with acc even/odd: exact .5 ties
        const ptrs = [acc, rs, wz, mult].map((a) => put(rt, a));
        const [ap, rp, zp, mp] = ptrs;
        const op = rt.arena.alloc(m * n + 16);
        for (const [yz, lo, hi] of [[100, 0, 255], [-7, -128, 127]]) for (const [withZ, step] of [[1, 1], [0, 0]]) {
          const want = new Array(m * n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let c = acc[i * n4 + j];
            if (withZ) c -= rs[i] * wz[j];
            const v = Math.min(Math.max(fr(c * mult[step ? j : 0]), lo - yz), hi - yz);
            want[i * n + j] = re(v) + yz;
          }
          for (const fn of [k.epilogue_i32_requant, k.epilogue_i32_requant_scalar]) {
            fn(ap, m, n, n4, withZ ? rp : 0, withZ ? zp : 0, mp, step, yz, lo, hi, op);
            const got = lo < 0 ? Array.from(rt.arena.i8(op, m * n)) : Array.from(rt.arena.u8(op, m * n));
            expect(got).toEqual(want);
          }
        }
        for (const p of [...ptrs, op]) rt.arena.free(p);
      }
      const x = Uint8Array.from({ length: 2 * 19 }, () => Math.floor(r() * 256));
      const xp = put(rt, x), q = rt.arena.alloc(2 * 24 * 2);
      for (const [uns, sub] of [[1, 77], [0, -3]]) for (const fn of [k.widen_i8_i16, k.widen_i8_i16_scalar]) {
        fn(xp, 2, 19, 24, uns, sub, q);
        const got = Array.from(rt.arena.u16(q, 48), (v) => (v << 16) >> 16);
        const want = [];
        for (let i = 0; i < 2; i++) for (let c = 0; c < 24; c++) want.push(c < 19 ? (uns ? x[i * 19 + c] : (x[i * 19 + c] << 24) >> 24) - sub : 0);
        expect(got).toEqual(want);
      }
      rt.arena.free(xp);
      rt.arena.free(q);
    });

    it('minmax_f32 and its twin: the range of x, NaN when any value is NaN', async () => {
      const rt = await rtFor(build);
      const k = inferKernels(rt);
      const r = rng(15);
      for (const n of [1, 3, 4, 9, 33, 100]) {
        const x = randomF32(n, r, 5);
        const xp = put(rt, x), op = rt.arena.alloc(8);
        for (const fn of [k.minmax_f32, k.minmax_f32_scalar]) {
          fn(xp, n, op);
          expect(Array.from(rt.arena.f32(op, 2))).toEqual([Math.min(...x), Math.max(...x)]);
          for (const at of [0, n - 1, n >> 1]) {
            rt.arena.f32(xp, n)[at] = NaN;
            fn(xp, n, op);
            expect(Array.from(rt.arena.f32(op, 2))).toEqual([NaN, NaN]);
            rt.arena.f32(xp, n)[at] = x[at];
          }
        }
        rt.arena.free(xp);
        rt.arena.free(op);
      }
    });

    for (const twin of ['', '_scalar'] as const) {
      it(`pack_sign_b64_per_row${twin} / gemm_b1${twin}: the XNOR-Net formula bit for bit (odd words, k across the 31-step widening, n not a multiple of 4 or 6, bias, relu)`, async () => {
        const rt = await rtFor(build);
        const k = inferKernels(rt);
        const pack = twin ? k.pack_sign_b64_per_row_scalar : k.pack_sign_b64_per_row;
        const gemm = twin ? k.gemm_b1_scalar : k.gemm_b1;
        const r = rng(13);
        const shapes: [number, number, number, boolean][] = [[1, 1, 1, false], [1, 64, 6, false], [1, 65, 7, false], [2, 127, 12, false], [1, 128, 13, false],
          [5, 200, 33, false], [1, 768, 24, false], [3, 4100, 11, false], [6, 3969, 18, false], [1, 192, 5, false], [2, 4100, 7, true], [1, 8000, 6, true]];
        for (const [m, kk, n, disagree] of shapes) for (const relu of [0, 1]) {
          const words = (kk + 63) >> 6;
          const x = randomF32(m * kk, r), w = randomF32(n * kk, r), b = randomF32(n, r), alpha = randomF32(n, r);
          if (disagree) { // every sign differs: 8 counts per byte lane per step, the most the u8 accumulators see
            for (let i = 0; i < x.length; i++) x[i] = Math.abs(x[i]);
            for (let i = 0; i < w.length; i++) w[i] = -Math.abs(w[i]) - 1e-3;
          }
          x[0] = -0; // −0 counts as ≥ 0, like +0
          // reference: bits and β
          const wbits = new Uint8Array(n * words * 8);
          for (let j = 0; j < n; j++) for (let c = 0; c < kk; c++) if (w[j * kk + c] >= 0) wbits[j * words * 8 + (c >> 3)] |= 1 << (c & 7);
          const beta = new Float32Array(m);
          const xs = new Uint8Array(m * kk), wantBits = new Uint8Array(m * words * 8);
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let c = 0; c < kk; c++) {
              s += Math.abs(x[i * kk + c]);
              xs[i * kk + c] = x[i * kk + c] >= 0 ? 1 : 0;
              if (xs[i * kk + c]) wantBits[i * words * 8 + (c >> 3)] |= 1 << (c & 7);
            }
            beta[i] = s / kk;
          }
          const xp = put(rt, x), wp = put(rt, wbits), ap = put(rt, alpha), bp = put(rt, b);
          const xb = rt.arena.alloc(m * words * 8), betp = rt.arena.alloc(m * 4), yp = rt.arena.alloc(m * n * 4);
          pack(xp, m, kk, words, xb, betp);
          expect(rt.arena.u8(xb, m * words * 8).slice(), `${m}×${kk} bits`).toEqual(wantBits);
          expect(rt.arena.f32(betp, m).slice()).toEqual(beta);
          for (const withBias of [false, true]) {
            gemm(xb, m, words, kk, wp, n, ap, betp, withBias ? bp : 0, relu, yp);
            const want = new Float32Array(m * n);
            for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
              let d = 0;
              for (let c = 0; c < kk; c++) d += xs[i * kk + c] === (w[j * kk + c] >= 0 ? 1 : 0) ? 1 : -1;
              let v = f(f(alpha[j] * beta[i]) * d);
              if (withBias) v = f(v + b[j]);
              if (relu && !(v > 0)) v = 0;
              want[i * n + j] = v;
            }
            expect(rt.arena.f32(yp, m * n).slice(), `${m}×${kk}×${n} relu ${relu} bias ${withBias}`).toEqual(want);
          }
          for (const p of [xp, wp, ap, bp, xb, betp, yp]) rt.arena.free(p);
        }
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
