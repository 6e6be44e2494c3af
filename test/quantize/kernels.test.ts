// The quantization kernels (assembly/quant/) against plain-TypeScript references, in every build.
// Integer codes must match exactly; float sums within rounding.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, close } from '../helpers.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import {
  roundEven, clamp, quantRef, dequantRef, stochasticRef, uniformRef, f16Ref, f16Value, bf16Ref, f32bits, bitsf32, dot, popcount8,
} from './reference.js';

const f = Math.fround;
const LENGTHS = [0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257];

/** Copies `data` into wasm memory at an unaligned offset; returns the pointer. */
function put(rt: Runtime, data: ArrayBufferView, off = 0): number {
  const p = rt.arena.alloc(data.byteLength + 32) + off;
  rt.arena.u8(p, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return p;
}
function alloc(rt: Runtime, bytes: number, off = 0): number {
  return rt.arena.alloc(bytes + 32, true) + off;
}
const free = (rt: Runtime, ...ps: number[]) => ps.forEach((p) => rt.arena.free(p - (p % 16)));

/** Values that stress rounding: exact ties after division, near-ties, out of range, ±0. */
function trickyValues(n: number, r: () => number, scale: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 5;
    if (k === 0) x[i] = f((Math.floor(r() * 300) - 150 + 0.5) * scale); // ties (…, −0.5, 0.5, 1.5, …)·s
    else if (k === 1) x[i] = f((r() * 400 - 200) * scale); // beyond ±127·s: saturates
    else if (k === 2) x[i] = i % 2 ? -0 : 0;
    else x[i] = f((r() * 2 - 1) * 127 * scale);
  }
  return x;
}

/**
 * f32 → f16 cases, computed once for all builds: every finite half value, the midpoints between neighbours
 * (ties), midpoint ± 1 ulp of f32, subnormal/overflow boundaries and random f32 bit patterns; with the
 * arithmetic reference's encodings.
 */
let f16CasesMemo: { x: Float32Array; want: Uint16Array } | undefined;
function f16Cases() {
  if (f16CasesMemo) return f16CasesMemo;
  const vals: number[] = [];
  for (let h = 0; h < 0x7c00; h++) {
    const v = f16Value(h), w = f16Value(h + 1);
    const mid = (v + w) / 2; // exact in f32: halves have ≤ 11 significant bits
    const midBits = f32bits(mid);
    vals.push(v, -v, mid, -mid, bitsf32(midBits + 1), bitsf32(midBits - 1));
  }
  vals.push(65504, 65519.99609375, 65520, 65536, 1e10, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0000001, 2 ** -26, 3 * 2 ** -26, Infinity, -Infinity, 0, -0);
  const r = rng(20);
  for (let i = 0; i < 20000; i++) {
    const b = (Math.floor(r() * 2 ** 32)) >>> 0;
    if (((b >>> 23) & 0xff) !== 0xff) vals.push(bitsf32(b));
  }
  const x = new Float32Array(vals);
  f16CasesMemo = { x, want: Uint16Array.from(x, f16Ref) };
  return f16CasesMemo;
}

describe.each(BUILDS)('quant kernels, %s build', (build) => {
  it('rounding primitives in the references behave as documented (ties to even)', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5].map(roundEven)).toEqual([0, 2, 2, -0, -2, -2, 4]);
  });

  it('quantize_affine_i8/u8 (+_scalar): exact codes for ties, saturation and every tail length', async () => {
    const rt = await rtFor(build);
    const r = rng(11);
    for (const n of LENGTHS) for (const off of [0, 3]) {
      const s = f(0.01 + r() * 0.1);
      const x = trickyValues(n, r, s);
      const px = put(rt, x, off * 4), pq = alloc(rt, n, off);
      for (const [fn, z, qmin, qmax] of [
        ['quantize_affine_i8', 0, -128, 127], ['quantize_affine_i8_scalar', 0, -128, 127],
        ['quantize_affine_i8', -5, -128, 127], ['quantize_affine_i8', 0, -8, 7], ['quantize_affine_i8_scalar', 1, -8, 7],
        ['quantize_affine_i8', 0, -2, 1],
        ['quantize_affine_u8', 128, 0, 255], ['quantize_affine_u8_scalar', 37, 0, 255], ['quantize_affine_u8', 3, 0, 15],
      ] as const) {
        rt.kernels[fn](px, n, s, z, qmin, qmax, pq);
        const got = fn.includes('u8') ? rt.arena.u8(pq, n) : rt.arena.i8(pq, n);
        for (let i = 0; i < n; i++) {
          const want = quantRef(x[i], s, z, qmin, qmax);
          if (got[i] !== want) expect({ fn, i, x: x[i], got: got[i] }).toEqual({ fn, i, x: x[i], got: want });
        }
      }
      free(rt, px, pq);
    }
  });

  it('ties go to even, values saturate at −128/127 and −8/7', async () => {
    const rt = await rtFor(build);
    const x = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.5, -127.5, -128.5, 1000, -1000, 7.5, -8.5, 6.5, -7.5,
      0.49999997, 0.50000006]);
    const px = put(rt, x), pq = alloc(rt, x.length);
    rt.kernels.quantize_affine_i8(px, x.length, 1, 0, -128, 127, pq);
    expect(Array.from(rt.arena.i8(pq, x.length))).toEqual([0, 2, 2, 0, -2, -2, 126, 127, -128, -128, 127, -128, 8, -8, 6, -8, 0, 1]);
    rt.kernels.quantize_affine_i8(px, x.length, 1, 0, -8, 7, pq);
    expect(Array.from(rt.arena.i8(pq, x.length))).toEqual([0, 2, 2, 0, -2, -2, 7, 7, -8, -8, 7, -8, 7, -8, 6, -8, 0, 1]);
    // scale 0 (an all-zero row) writes the zero point instead of dividing by zero
    rt.kernels.quantize_affine_i8(px, x.length, 0, 3, -128, 127, pq);
    expect(Array.from(rt.arena.i8(pq, x.length))).toEqual(new Array(x.length).fill(3));
    free(rt, px, pq);
  });

  it('NaN input never traps: it becomes qmin in every build', async () => {
    const rt = await rtFor(build);
    const x = new Float32Array(20).fill(NaN);
    const px = put(rt, x), pq = alloc(rt, 20);
    for (const fn of ['quantize_affine_i8', 'quantize_affine_i8_scalar'] as const) {
      rt.kernels[fn](px, 20, 0.5, 0, -128, 127, pq);
      expect(Array.from(rt.arena.i8(pq, 20))).toEqual(new Array(20).fill(-128));
    }
    free(rt, px, pq);
  });

  it('quantize/dequantize per row (+_scalar) with per-row scales, zero points and a zero-scale row', async () => {
    const rt = await rtFor(build);
    const r = rng(12);
    for (const [rows, cols] of [[1, 1], [3, 17], [5, 64], [4, 100], [2, 0]]) {
      const x = randomF32(rows * cols, r, 3);
      const scales = new Float32Array(rows).map(() => f(0.005 + r() * 0.05));
      const zps = new Int32Array(rows).map(() => Math.floor(r() * 20) - 10);
      if (rows > 2) scales[1] = 0;
      const px = put(rt, x), ps = put(rt, scales), pz = put(rt, zps), pq = alloc(rt, rows * cols), po = alloc(rt, rows * cols * 4);
      for (const sfx of ['', '_scalar'] as const) {
        for (const withZ of [true, false]) {
          rt.kernels[`quantize_affine_i8_per_row${sfx}`](px, rows, cols, ps, withZ ? pz : 0, -128, 127, pq);
          const q = rt.arena.i8(pq, rows * cols).slice();
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
            expect(q[i * cols + j]).toBe(quantRef(x[i * cols + j], scales[i], withZ ? zps[i] : 0, -128, 127));
          }
          rt.kernels[`dequantize_affine_i8_per_row${sfx}`](pq, rows, cols, ps, withZ ? pz : 0, po);
          const y = rt.arena.f32(po, rows * cols);
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
            expect(y[i * cols + j]).toBe(dequantRef(q[i * cols + j], scales[i], withZ ? zps[i] : 0));
          }
        }
        rt.kernels[`quantize_affine_u8_per_row${sfx}`](px, rows, cols, ps, pz, 0, 255, pq);
        const u = rt.arena.u8(pq, rows * cols).slice();
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(u[i * cols + j]).toBe(quantRef(x[i * cols + j], scales[i], zps[i], 0, 255));
        rt.kernels[`dequantize_affine_u8_per_row${sfx}`](pq, rows, cols, ps, pz, po);
        const y = rt.arena.f32(po, rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(y[i * cols + j]).toBe(dequantRef(u[i * cols + j], scales[i], zps[i]));
      }
      free(rt, px, ps, pz, pq, po);
    }
  });

  it('dequantize_affine_i8/u8 (+_scalar) per tensor: exact at every length', async () => {
    const rt = await rtFor(build);
    const r = rng(13);
    for (const n of LENGTHS) {
      const q = new Int8Array(n).map(() => Math.floor(r() * 256) - 128);
      const pq = put(rt, q, 1), po = alloc(rt, n * 4, 4);
      for (const fn of ['dequantize_affine_i8', 'dequantize_affine_i8_scalar', 'dequantize_affine_u8', 'dequantize_affine_u8_scalar'] as const) {
        rt.kernels[fn](pq, n, 0.0123, 7, po);
        const y = rt.arena.f32(po, n);
        const u = fn.includes('u8');
        for (let i = 0; i < n; i++) expect(y[i]).toBe(dequantRef(u ? q[i] & 255 : q[i], f(0.0123), 7));
      }
      free(rt, pq, po);
    }
  });

  it('stochastic rounding (+_scalar, per tensor and per row) reproduces the seeded reference and is unbiased', async () => {
    const rt = await rtFor(build);
    const r = rng(14);
    for (const n of [1, 15, 16, 33, 100]) {
      const x = randomF32(n, r, 2);
      const px = put(rt, x), pq = alloc(rt, n);
      for (const fn of ['quantize_affine_i8_stochastic', 'quantize_affine_i8_stochastic_scalar'] as const) {
        rt.kernels[fn](px, n, 0.03, 2, -128, 127, 1234, 99, pq);
        const got = rt.arena.i8(pq, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBe(stochasticRef(x[i], f(0.03), 2, -128, 127, 1234, 99 + i));
      }
      for (const fn of ['quantize_affine_u8_stochastic', 'quantize_affine_u8_stochastic_scalar'] as const) {
        rt.kernels[fn](px, n, 0.03, 100, 0, 255, 77, 0, pq);
        const got = rt.arena.u8(pq, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBe(stochasticRef(x[i], f(0.03), 100, 0, 255, 77, i));
      }
      free(rt, px, pq);
    }
    // per row: element (r, c) draws at counter + r·cols + c
    const rows = 3, cols = 21, x = randomF32(rows * cols, r);
    const sc = new Float32Array([0.01, 0.02, 0.05]), zp = new Int32Array([0, -3, 4]);
    const px = put(rt, x), ps = put(rt, sc), pz = put(rt, zp), pq = alloc(rt, rows * cols);
    for (const fn of ['quantize_affine_i8_stochastic_per_row', 'quantize_affine_i8_stochastic_per_row_scalar'] as const) {
      rt.kernels[fn](px, rows, cols, ps, pz, -128, 127, 5, 10, pq);
      const got = rt.arena.i8(pq, rows * cols);
      for (let i = 0; i < rows * cols; i++) expect(got[i]).toBe(stochasticRef(x[i], sc[Math.floor(i / cols)], zp[Math.floor(i / cols)], -128, 127, 5, 10 + i));
    }
    free(rt, px, ps, pz, pq);
    // unbiased: the mean code of a constant 0.3·s over 20000 draws is 0.3 (±4σ, σ = sqrt(0.21/20000))
    const m = 20000;
    const pc = put(rt, new Float32Array(m).fill(f(0.3 * 0.5))), pc2 = alloc(rt, m);
    rt.kernels.quantize_affine_i8_stochastic(pc, m, 0.5, 0, -128, 127, 42, 0, pc2);
    const codes = rt.arena.i8(pc2, m);
    let sum = 0, ones = 0;
    for (let i = 0; i < m; i++) { sum += codes[i]; if (codes[i] === 1) ones++; }
    expect(ones + (m - ones)).toBe(m);
    expect(codes.every((c) => c === 0 || c === 1)).toBe(true);
    expect(Math.abs(sum / m - 0.3)).toBeLessThan(4 * Math.sqrt(0.21 / m));
    free(rt, pc, pc2);
  });

  it('stochastic rounding per row (+_scalar): every code is ⌊x/s + z⌋ or ⌈x/s + z⌉, unbiased over many seeds', async () => {
    const rt = await rtFor(build);
    const r = rng(31);
    // three rows with their own scale and zero point; values off the grid, on the grid (always exact) and near it;
    // 37 columns: two SIMD blocks of 16 and a scalar tail
    const rows = 3, cols = 37, seeds = 3000;
    const sc = new Float32Array([0.05, 0.0125, 0.5]), zp = new Int32Array([0, -7, 11]);
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      const s = sc[i];
      x[i * cols + j] = j % 9 === 4 ? f(Math.round(r() * 40 - 20) * s) : j % 9 === 7 ? f((Math.round(r() * 40 - 20) + 0.999) * s) : f((r() * 40 - 20) * s);
    }
    const px = put(rt, x), ps = put(rt, sc), pz = put(rt, zp), pq = alloc(rt, rows * cols);
    for (const [fn, qmin, qmax] of [['quantize_affine_i8_stochastic_per_row', -128, 127], ['quantize_affine_i8_stochastic_per_row_scalar', -128, 127],
      ['quantize_affine_u8_stochastic_per_row', 0, 255], ['quantize_affine_u8_stochastic_per_row_scalar', 0, 255]] as const) {
      const u = fn.startsWith('quantize_affine_u8'), zs = u ? zp.map((z) => z + 100) : zp;
      rt.arena.i32(pz, rows).set(zs);
      const sum = new Float64Array(rows * cols);
      for (let seed = 0; seed < seeds; seed++) {
        rt.kernels[fn](px, rows, cols, ps, pz, qmin, qmax, (seed * 2654435761) | 0, seed * 1000, pq);
        const got = u ? rt.arena.u8(pq, rows * cols) : rt.arena.i8(pq, rows * cols);
        for (let i = 0; i < rows * cols; i++) {
          const v = f(x[i] / sc[Math.floor(i / cols)]) + zs[Math.floor(i / cols)];
          const c = got[i];
          if (c !== Math.floor(v) && c !== Math.ceil(v)) expect.fail(`${fn} seed ${seed} element ${i}: code ${c} for ${v}`);
          sum[i] += c;
        }
      }
      for (let i = 0; i < rows * cols; i++) {
        const v = f(x[i] / sc[Math.floor(i / cols)]) + zs[Math.floor(i / cols)];
        const p = v - Math.floor(v); // P(ceil)
        const sd = Math.sqrt((p * (1 - p)) / seeds);
        if (p === 0) expect(sum[i] / seeds, `${fn} element ${i} on the grid`).toBe(v);
        else expect(Math.abs(sum[i] / seeds - v), `${fn} element ${i}: mean code against ${v}`).toBeLessThanOrEqual(4.5 * sd + 1e-9);
      }
    }
    free(rt, px, ps, pz, pq);
  });

  it('uniform_quantize_f32 (+_scalar): clamp(round(x/step), lmin, lmax)·step, ties to even, in place, NaN → lmin·step', async () => {
    const rt = await rtFor(build);
    const r = rng(32);
    const ref = (v: number, step: number, lmin: number, lmax: number) => f(clamp(roundEven(f(v / step)), lmin, lmax) * step);
    for (const n of LENGTHS) {
      const step = f(0.01 + r() * 0.2);
      const x = trickyValues(n, r, step);
      if (n > 5) x[5] = NaN;
      for (const [fn, lmin, lmax] of [['uniform_quantize_f32', -128, 127], ['uniform_quantize_f32_scalar', -128, 127], ['uniform_quantize_f32', -8, 7], ['uniform_quantize_f32_scalar', -2, 1]] as const) {
        const px = put(rt, x, 4), po = alloc(rt, n * 4, 8);
        rt.kernels[fn](px, n, step, lmin, lmax, po);
        const got = rt.arena.f32(po, n);
        for (let i = 0; i < n; i++) expect(got[i], `${fn} n=${n} i=${i} x=${x[i]}`).toBe(Number.isNaN(x[i]) ? f(lmin * step) : ref(x[i], step, lmin, lmax));
        // in place (out = x)
        rt.kernels[fn](px, n, step, lmin, lmax, px);
        expect(Array.from(rt.arena.f32(px, n)), fn).toEqual(Array.from(got));
        free(rt, px, po);
      }
    }
  });

  it('rng_uniform_f32 is the documented counter-based stream', async () => {
    const rt = await rtFor(build);
    for (const [s, i] of [[0, 0], [1, 0], [0, 1], [42, 12345], [0xffffffff, 0x7fffffff]]) {
      expect(rt.kernels.rng_uniform_f32(s | 0, i | 0)).toBe(uniformRef(s >>> 0, i >>> 0));
    }
  });

  it('find_nonfinite_f32 (+_scalar) and zero_nonfinite_f32', async () => {
    const rt = await rtFor(build);
    for (const n of [0, 1, 5, 16, 17, 70]) for (const bad of [-1, 0, 3, 15, 16, 40, 69]) {
      if (bad >= n) continue;
      for (const v of [NaN, Infinity, -Infinity]) {
        const x = new Float32Array(n).fill(1.5);
        if (bad >= 0) { x[bad] = v; if (bad + 2 < n) x[bad + 2] = NaN; }
        const px = put(rt, x);
        expect(rt.kernels.find_nonfinite_f32(px, n)).toBe(bad);
        expect(rt.kernels.find_nonfinite_f32_scalar(px, n)).toBe(bad);
        const cnt = rt.kernels.zero_nonfinite_f32(px, n);
        expect(cnt).toBe(bad < 0 ? 0 : bad + 2 < n ? 2 : 1);
        expect(rt.kernels.find_nonfinite_f32(px, n)).toBe(-1);
        free(rt, px);
      }
    }
    const x = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, 1e-45]);
    const px = put(rt, x);
    expect(rt.kernels.find_nonfinite_f32(px, 3)).toBe(-1);
    free(rt, px);
  });

  it('minmax, absmax, absmean, twn reductions per row', async () => {
    const rt = await rtFor(build);
    const r = rng(15);
    for (const [rows, cols] of [[1, 1], [3, 7], [4, 8], [2, 33], [5, 100]]) {
      const x = randomF32(rows * cols, r, 4);
      const px = put(rt, x), a = alloc(rt, rows * 4), b = alloc(rt, rows * 4);
      for (const sfx of ['', '_scalar'] as const) {
        rt.kernels[`minmax_f32_per_row${sfx}`](px, rows, cols, a, b);
        for (let i = 0; i < rows; i++) {
          const row = Array.from(x.subarray(i * cols, (i + 1) * cols));
          expect(rt.arena.f32(a, rows)[i]).toBe(Math.min(...row));
          expect(rt.arena.f32(b, rows)[i]).toBe(Math.max(...row));
        }
        rt.kernels[`absmax_f32_per_row${sfx}`](px, rows, cols, a);
        for (let i = 0; i < rows; i++) expect(rt.arena.f32(a, rows)[i]).toBe(Math.max(...Array.from(x.subarray(i * cols, (i + 1) * cols), Math.abs)));
      }
      rt.kernels.absmean_f32_per_row(px, rows, cols, a);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.abs(x[i * cols + j]);
        expect(rt.arena.f32(a, rows)[i]).toBe(f(s / cols));
      }
      rt.kernels.twn_per_row(px, rows, cols, 0.7, a, b);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.abs(x[i * cols + j]);
        const delta = f(f(0.7) * f(s / cols));
        let t = 0, k = 0;
        for (let j = 0; j < cols; j++) if (Math.abs(x[i * cols + j]) > delta) { t += Math.abs(x[i * cols + j]); k++; }
        expect(rt.arena.f32(a, rows)[i]).toBe(delta);
        expect(rt.arena.f32(b, rows)[i]).toBe(k ? f(t / k) : 0);
      }
      const pt = alloc(rt, rows * cols);
      rt.kernels.quantize_ternary_per_row(px, rows, cols, a, pt);
      const t = rt.arena.i8(pt, rows * cols);
      const d = rt.arena.f32(a, rows);
      for (let i = 0; i < rows * cols; i++) {
        const dd = d[Math.floor(i / cols)];
        expect(t[i]).toBe(x[i] > dd ? 1 : x[i] < -dd ? -1 : 0);
      }
      free(rt, px, a, b, pt);
    }
  });

  it('count_outside_per_row and error_stats_f32 (+_scalar) match float64 references', async () => {
    const rt = await rtFor(build);
    const r = rng(16);
    const rows = 6, cols = 37;
    const x = randomF32(rows * cols, r, 2), y = randomF32(rows * cols, r, 2);
    for (let j = 0; j < cols; j++) { x[2 * cols + j] = 0; y[2 * cols + j] = 0; x[4 * cols + j] = 0; }
    const lo = new Float32Array(rows).map(() => -1 - r()), hi = new Float32Array(rows).map(() => 1 + r());
    const px = put(rt, x), py = put(rt, y), pl = put(rt, lo), ph = put(rt, hi), po = alloc(rt, 40);
    let want = 0, want0 = 0;
    for (let i = 0; i < rows * cols; i++) {
      const k = Math.floor(i / cols);
      if (x[i] < lo[k] || x[i] > hi[k]) want++;
      if (x[i] < lo[0] || x[i] > hi[0]) want0++;
    }
    expect(rt.kernels.count_outside_per_row(px, rows, cols, pl, ph, 1)).toBe(want);
    expect(rt.kernels.count_outside_per_row(px, rows, cols, pl, ph, 0)).toBe(want0);
    let se = 0, sx = 0, sy = 0, mx = 0, cs = 0;
    for (let i = 0; i < rows; i++) {
      let xy = 0, x2 = 0, y2 = 0;
      for (let j = 0; j < cols; j++) {
        const a = x[i * cols + j], b = y[i * cols + j];
        se += (a - b) ** 2; sx += a * a; sy += b * b; mx = Math.max(mx, Math.abs(a - b));
        xy += a * b; x2 += a * a; y2 += b * b;
      }
      cs += x2 === 0 && y2 === 0 ? 1 : x2 > 0 && y2 > 0 ? xy / Math.sqrt(x2 * y2) : 0;
    }
    for (const fn of ['error_stats_f32', 'error_stats_f32_scalar'] as const) {
      rt.arena.f64(po, 5).fill(-1);
      rt.kernels[fn](px, py, rows, cols, po);
      const got = rt.arena.f64(po, 5);
      expect(close(got[0], se, 1e-12), fn).toBe(true);
      expect(close(got[1], sx, 1e-12), fn).toBe(true);
      expect(got[2], fn).toBe(mx);
      expect(close(got[3], cs, 1e-12), fn).toBe(true);
      expect(close(got[4], sy, 1e-12), fn).toBe(true);
    }
    free(rt, px, py, pl, ph, po);
  });

  it('quant_error_i8_per_row (+_scalar) equals the squared error of quantize→dequantize', async () => {
    const rt = await rtFor(build);
    const r = rng(17);
    const rows = 5, cols = 43;
    const x = randomF32(rows * cols, r, 2);
    const sc = new Float32Array([0.01, 0.02, 0, 0.005, 0.1]), zp = new Int32Array([0, 3, 2, -7, 0]);
    const px = put(rt, x), ps = put(rt, sc), pz = put(rt, zp), po = alloc(rt, rows * 4);
    for (const fn of ['quant_error_i8_per_row', 'quant_error_i8_per_row_scalar'] as const) for (const [pstride, withZ] of [[1, true], [0, false], [1, false]] as const) {
      rt.kernels[fn](px, rows, cols, ps, withZ ? pz : 0, pstride, -128, 127, po);
      for (let i = 0; i < rows; i++) {
        const s = sc[i * pstride], z = withZ ? zp[i * pstride] : 0;
        let e = 0;
        for (let j = 0; j < cols; j++) {
          const v = x[i * cols + j];
          e += (v - dequantRef(quantRef(v, s, z, -128, 127), s, z)) ** 2;
        }
        expect(close(rt.arena.f32(po, rows)[i], e, 1e-5, 1e-9)).toBe(true);
      }
    }
    free(rt, px, ps, pz, po);
  });

  it('pack/unpack int4 and int2 (+_scalar): documented nibble order, sign extension, odd tails', async () => {
    const rt = await rtFor(build);
    const r = rng(18);
    // the worked example of docs/quantization.md
    const ex = new Int8Array([3, -7, 0, 2, 6, -4]);
    const pe = put(rt, ex), pp = alloc(rt, 3);
    rt.kernels.pack_i4(pe, 1, 6, pp);
    expect(Array.from(rt.arena.u8(pp, 3))).toEqual([0x93, 0x20, 0xc6]);
    free(rt, pe, pp);
    for (const [rows, cols] of [[1, 1], [2, 3], [3, 31], [2, 32], [3, 33], [2, 64], [3, 65], [2, 100], [1, 129]]) {
      for (const [bits, rb] of [[4, (cols + 1) >> 1], [2, (cols + 3) >> 2]] as const) {
        const lo = -(1 << (bits - 1)), span = 1 << bits;
        const codes = new Int8Array(rows * cols).map(() => lo + Math.floor(r() * span));
        const pc = put(rt, codes), pk = alloc(rt, rows * rb), pu = alloc(rt, rows * cols);
        const want = new Uint8Array(rows * rb);
        const per = 8 / bits;
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
          want[i * rb + Math.floor(j / per)] |= (codes[i * cols + j] & (span - 1)) << (bits * (j % per));
        }
        for (const sfx of ['', '_scalar'] as const) {
          rt.arena.u8(pk, rows * rb).fill(0xee);
          rt.kernels[`pack_i${bits}${sfx}`](pc, rows, cols, pk);
          expect(Array.from(rt.arena.u8(pk, rows * rb))).toEqual(Array.from(want));
          rt.kernels[`unpack_i${bits}${sfx}`](pk, rows, cols, pu);
          expect(Array.from(rt.arena.i8(pu, rows * cols))).toEqual(Array.from(codes));
        }
        free(rt, pc, pk, pu);
      }
    }
  });

  it('pack_b1_f32 (+_scalar): bit j of byte k is element 8k+j, 1 for x ≥ 0 (also −0); dequantize_b1_per_row', async () => {
    const rt = await rtFor(build);
    const r = rng(19);
    const ex = new Float32Array([0.5, -1.27, 0, 0.3175, 1.0, -0.635]);
    const pe = put(rt, ex), pb = alloc(rt, 1);
    rt.kernels.pack_b1_f32(pe, 1, 6, pb);
    expect(rt.arena.u8(pb, 1)[0]).toBe(0x1d);
    free(rt, pe, pb);
    for (const [rows, cols] of [[1, 1], [2, 7], [3, 8], [2, 15], [3, 16], [2, 17], [4, 100], [2, 130]]) {
      const x = randomF32(rows * cols, r);
      x[0] = -0;
      const rb = (cols + 7) >> 3;
      const want = new Uint8Array(rows * rb);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (x[i * cols + j] >= 0) want[i * rb + (j >> 3)] |= 1 << (j & 7);
      const px = put(rt, x), pk = alloc(rt, rows * rb), po = alloc(rt, rows * cols * 4);
      for (const fn of ['pack_b1_f32', 'pack_b1_f32_scalar'] as const) {
        rt.arena.u8(pk, rows * rb).fill(0xff);
        rt.kernels[fn](px, rows, cols, pk);
        expect(Array.from(rt.arena.u8(pk, rows * rb))).toEqual(Array.from(want));
      }
      const al = new Float32Array(rows).map((_, i) => i + 0.5);
      const pa = put(rt, al);
      rt.kernels.dequantize_b1_per_row(pk, rows, cols, pa, 1, po);
      const y = rt.arena.f32(po, rows * cols);
      for (let i = 0; i < rows * cols; i++) expect(y[i]).toBe(x[i] >= 0 ? al[Math.floor(i / cols)] : -al[Math.floor(i / cols)]);
      free(rt, px, pk, po, pa);
    }
  });

  it('f32 → f16 (+_scalar) matches the arithmetic reference on every half, every tie and random bit patterns', async () => {
    const rt = await rtFor(build);
    const { x, want } = f16Cases();
    const n = x.length;
    const px = put(rt, x), ph = alloc(rt, n * 2), pb = alloc(rt, n * 4);
    for (const fn of ['f32_to_f16', 'f32_to_f16_scalar'] as const) {
      rt.kernels[fn](px, n, ph);
      const h = rt.arena.u16(ph, n);
      for (let i = 0; i < n; i++) {
        if (h[i] !== want[i]) expect({ fn, x: x[i], h: h[i].toString(16) }).toEqual({ fn, x: x[i], h: want[i].toString(16) });
      }
    }
    // f16 → f32 is exact for all 65536 patterns (NaNs stay NaN with payload)
    const all = new Uint16Array(65536).map((_, i) => i);
    const pa = put(rt, all), pf = alloc(rt, 65536 * 4), pr = alloc(rt, 65536 * 2);
    for (const fn of ['f16_to_f32', 'f16_to_f32_scalar'] as const) {
      rt.kernels[fn](pa, 65536, pf);
      const y = rt.arena.f32(pf, 65536), yb = rt.arena.u32(pf, 65536);
      for (let i = 0; i < 65536; i++) {
        const v = f16Value(i);
        if (Number.isNaN(v)) expect(yb[i]).toBe((((i & 0x8000) << 16) | 0x7f800000 | ((i & 0x3ff) << 13)) >>> 0);
        else if (!Object.is(y[i], v)) expect({ i, y: y[i] }).toEqual({ i, y: v });
      }
      // and back: the round trip is the identity (quiet NaNs included)
      rt.kernels.f32_to_f16(pf, 65536, pr);
      const back = rt.arena.u16(pr, 65536);
      let bad = -1;
      for (let i = 0; i < 65536 && bad < 0; i++) {
        const isNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
        if (back[i] !== (isNaN ? i | 0x200 : i)) bad = i;
      }
      expect(bad).toBe(-1);
    }
    free(rt, px, ph, pb, pa, pf, pr);
  });

  it('f32 → bf16 (+_scalar) rounds to nearest even; bf16 → f32 is exact; NaN payloads stay NaN', async () => {
    const rt = await rtFor(build);
    const r = rng(21);
    const bits: number[] = [0x3dcccccd, 0x3f808000, 0x3f818000, 0x3f807fff, 0x7f7fffff, 0xff7fffff, 0x00008000, 0x00018000, 0x7f800000, 0x80000000, 0x7fc00001, 0xffa00000, 0x7f800001];
    for (let i = 0; i < 30000; i++) bits.push(Math.floor(r() * 2 ** 32) >>> 0);
    const n = bits.length;
    const src = new Uint32Array(bits);
    const px = put(rt, src), ph = alloc(rt, n * 2), pf = alloc(rt, n * 4);
    for (const fn of ['f32_to_bf16', 'f32_to_bf16_scalar'] as const) {
      rt.kernels[fn](px, n, ph);
      const h = rt.arena.u16(ph, n);
      for (let i = 0; i < n; i++) {
        const b = src[i];
        const isNaN = (b & 0x7fffffff) > 0x7f800000;
        const want = isNaN ? ((b >>> 16) | 0x40) & 0xffff : bf16Ref(bitsf32(b));
        if (h[i] !== want) expect({ fn, b: b.toString(16), h: h[i].toString(16) }).toEqual({ fn, b: b.toString(16), h: want.toString(16) });
      }
      expect(h[0]).toBe(0x3dcd);
      expect(h[1]).toBe(0x3f80); // tie → even
      expect(h[2]).toBe(0x3f82); // tie → even (up)
      expect(h[4]).toBe(0x7f80); // max float rounds to Inf
    }
    for (const fn of ['bf16_to_f32', 'bf16_to_f32_scalar'] as const) {
      rt.kernels[fn](ph, n, pf);
      const y = rt.arena.u32(pf, n), h = rt.arena.u16(ph, n);
      let bad = -1;
      for (let i = 0; i < n && bad < 0; i++) if (y[i] !== (h[i] << 16) >>> 0) bad = i;
      expect(bad).toBe(-1);
    }
    free(rt, px, ph, pf);
  });

  it('dot_i8 and matvec_i8 (+_scalar): exact int32 sums, extremes included', async () => {
    const rt = await rtFor(build);
    const r = rng(22);
    for (const n of LENGTHS) {
      const a = new Int8Array(n).map(() => Math.floor(r() * 256) - 128), b = new Int8Array(n).map(() => Math.floor(r() * 256) - 128);
      const pa = put(rt, a, 1), pb = put(rt, b, 3);
      expect(rt.kernels.dot_i8(pa, pb, n)).toBe(dot(a, b));
      expect(rt.kernels.dot_i8_scalar(pa, pb, n)).toBe(dot(a, b));
      free(rt, pa, pb);
    }
    const big = new Int8Array(4096).fill(-128);
    const pb = put(rt, big);
    expect(rt.kernels.dot_i8(pb, pb, 4096)).toBe(4096 * 16384);
    free(rt, pb);
    for (const [rows, cols, pad] of [[0, 5, 0], [1, 1, 0], [3, 8, 0], [5, 17, 3], [9, 100, 0], [13, 300, 5]]) {
      const stride = cols + pad;
      const m = new Int8Array(rows * stride).map(() => Math.floor(r() * 256) - 128), q = new Int8Array(cols).map(() => Math.floor(r() * 255) - 127);
      const pm = put(rt, m), pq = put(rt, q), po = alloc(rt, rows * 4);
      for (const fn of ['matvec_i8', 'matvec_i8_scalar'] as const) {
        rt.kernels[fn](pm, rows, cols, stride, pq, po);
        const got = rt.arena.i32(po, rows);
        for (let i = 0; i < rows; i++) expect(got[i]).toBe(dot(m.subarray(i * stride, i * stride + cols), q));
      }
      free(rt, pm, pq, po);
    }
  });

  /** ⟨s_r(c_r − z_r), qs·q⟩ in float64 from integer parts: the reference the scaled kernels must meet exactly. */
  const scaledRef = (dotv: number, qsum: number, s: number, qs: number, z: number) => f(f(s * qs) * f(dotv - z * qsum));

  it('matvec_i8_scaled and matvec_i4_scaled (+_scalar): per-row/per-tensor scales, zero points, gathered rows', async () => {
    const rt = await rtFor(build);
    const r = rng(23);
    for (const [rows, cols] of [[1, 1], [4, 31], [7, 32], [9, 100], [6, 65], [5, 200]]) {
      const codes = new Int8Array(rows * cols).map(() => Math.floor(r() * 256) - 128);
      const c4 = codes.map((c) => clamp(c >> 4, -8, 7));
      const q = new Int8Array(cols).map(() => Math.floor(r() * 255) - 127);
      const sc = new Float32Array(rows).map(() => f(0.001 + r() * 0.01)), zp = new Int32Array(rows).map(() => Math.floor(r() * 9) - 4);
      const idx = new Int32Array([rows - 1, 0, Math.floor(rows / 2), rows - 1, 0]);
      const rb = (cols + 1) >> 1;
      const pm = put(rt, codes), pc = put(rt, c4), p4 = alloc(rt, rows * rb), pq = put(rt, q), ps = put(rt, sc), pz = put(rt, zp), pi = put(rt, idx), po = alloc(rt, rows * 4 + 32);
      rt.kernels.pack_i4(pc, rows, cols, p4);
      const qsum = q.reduce((a, b) => a + b, 0);
      for (const [kind, table] of [['i8', codes], ['i4', c4]] as const) for (const sfx of ['', '_scalar'] as const) {
        const run = (gather: boolean, zps: number, pstride: number, bias = 0) => {
          const n = gather ? idx.length : rows;
          if (kind === 'i8') rt.kernels[`matvec_i8_scaled${sfx}`](pm, n, cols, cols, gather ? pi : 0, pq, 0.02, ps, zps, pstride, bias, po);
          else rt.kernels[`matvec_i4_scaled${sfx}`](p4, n, cols, rb, gather ? pi : 0, pq, 0.02, ps, zps, pstride, bias, po);
          const got = rt.arena.f32(po, n);
          for (let k = 0; k < n; k++) {
            const row = gather ? idx[k] : k;
            const d = dot(table.subarray(row * cols, (row + 1) * cols), q);
            const want = f(scaledRef(d, qsum, sc[row * pstride], f(0.02), zps ? zp[row * pstride] : 0) + f(bias));
            if (got[k] !== want) expect({ kind, sfx, gather, k, got: got[k] }).toEqual({ kind, sfx, gather, k, got: want });
          }
        };
        run(false, pz, 1); run(false, 0, 1); run(false, 0, 0); run(true, pz, 1); run(true, 0, 0);
        run(false, pz, 1, 0.375); run(true, 0, 1, -1.25); // a bias (⟨μ, q⟩ of a centred table) is added to every score
      }
      // raw int4 dots and the dequantized-row norms
      for (const fn of ['matvec_i4', 'matvec_i4_scalar'] as const) {
        rt.kernels[fn](p4, rows, cols, rb, pq, po);
        for (let i = 0; i < rows; i++) expect(rt.arena.i32(po, rows)[i]).toBe(dot(c4.subarray(i * cols, (i + 1) * cols), q));
      }
      for (const [fn, p, stride, tab] of [['norm_l2_i8_per_row', pm, cols, codes], ['norm_l2_i8_per_row_scalar', pm, cols, codes], ['norm_l2_i4_per_row', p4, rb, c4]] as const) {
        rt.kernels[fn](p, rows, cols, stride, ps, pz, 1, po);
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += (tab[i * cols + j] - zp[i]) ** 2;
          expect(rt.arena.f32(po, rows)[i]).toBe(f(sc[i] * f(Math.sqrt(s))));
        }
      }
      free(rt, pm, pc, p4, pq, ps, pz, pi, po);
    }
  });

  it('hamming_topk_b1 and its 16-row block twin (+_scalar) on large tables: the estimated threshold, and its fallback when the sample misleads', async () => {
    const rt = await rtFor(build);
    const r = rng(31);
    const popcount8 = (v: number) => { let c = 0; for (; v; v &= v - 1) c++; return c; };
    for (const [rows, cols, periodic] of [[20000, 100, false], [9000, 64, false], [5003, 40, false], [6000, 200, false], [4100, 300, false], [8192, 100, true], [16384, 100, true]] as const) {
      const nb = (cols + 7) >> 3;
      const pm = alloc(rt, rows * nb), pqb = alloc(rt, nb);
      const codes = rt.arena.u8(pm, rows * nb), qb = rt.arena.u8(pqb, nb);
      for (let b = 0; b < nb; b++) qb[b] = Math.floor(r() * 256);
      if (cols & 7) qb[nb - 1] &= (1 << (cols & 7)) - 1;
      for (let i = 0; i < rows; i++) for (let b = 0; b < nb; b++) {
        // periodic: every 32nd row (the rows the threshold estimate samples) equals the query, the rest are far
        let v = periodic ? (i % 32 === 0 ? qb[b] : ~qb[b] & 255) : Math.floor(r() * 256);
        if (b === nb - 1 && cols & 7) v &= (1 << (cols & 7)) - 1;
        codes[i * nb + b] = v;
      }
      const mb = codes.slice(), qv = qb.slice();
      const hw = (i: number) => { let h = 0; for (let b = 0; b < nb; b++) h += popcount8(mb[i * nb + b] ^ qv[b]); return h; };
      const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => hw(a) - hw(b) || a - b);
      const dist = alloc(rt, rows * 2), cand = alloc(rt, (rows + 64) * 4), hist = alloc(rt, 4 * (nb * 8 + 1) * 4), ti = alloc(rt, rows * 4);
      // periodic: 900 or 2000 > rows/32 rows at distance 0 are wanted, so the sampled estimate (all at 0) falls short
      for (const k of periodic ? [1, 900, 2000] : [1, 10, 100, 1000, Math.floor(rows / 8) - 1]) for (const fn of ['hamming_topk_b1', 'hamming_topk_b1_scalar'] as const) {
        const got = rt.kernels[fn](pm, rows, nb, nb * 8, pqb, k, dist, cand, hist, ti);
        expect(got).toBe(k);
        expect(Array.from(rt.arena.i32(ti, got))).toEqual(order.slice(0, k));
      }
      // the same selection over the 16-row block layout (rows of ≤ 31 bytes)
      if (nb <= 31) {
        const blocks = Math.ceil(rows / 16);
        const blk = alloc(rt, blocks * 16 * nb), qs = alloc(rt, 16 * nb), d8 = alloc(rt, blocks * 16);
        rt.kernels.b1_block16(pm, rows, nb, nb * 8, blk);
        const bl = rt.arena.u8(blk, blocks * 16 * nb);
        for (const i of [0, 1, 15, 16, rows - 1]) for (let b = 0; b < nb; b++) expect(bl[Math.floor(i / 16) * 16 * nb + 16 * b + (i % 16)]).toBe(mb[i * nb + b]);
        for (const k of periodic ? [1, 900, 2000] : [1, 10, 1000, Math.floor(rows / 8) - 1]) for (const fn of ['hamming_topk_b1_blocked', 'hamming_topk_b1_blocked_scalar'] as const) {
          const got = rt.kernels[fn](blk, rows, nb, pqb, k, qs, d8, cand, hist, ti);
          expect(got).toBe(k);
          expect(Array.from(rt.arena.i32(ti, got)), `${fn} k=${k}`).toEqual(order.slice(0, k));
          expect(Array.from(rt.arena.u8(d8, rows).subarray(0, 50))).toEqual(Array.from({ length: 50 }, (_, i) => hw(i)));
        }
        free(rt, blk, qs, d8);
      }
      // the same rows as one contiguous bit string (row i at bit i·cols): same selections
      if (cols % 8) {
        const pc = alloc(rt, Math.ceil((rows * cols) / 8) + 16);
        rt.kernels.b1_bytes_to_bits(pm, rows, cols, nb, pc);
        for (const k of periodic ? [900] : [10, 1000]) for (const fn of ['hamming_topk_b1', 'hamming_topk_b1_scalar'] as const) {
          const got = rt.kernels[fn](pc, rows, nb, cols, pqb, k, dist, cand, hist, ti);
          expect(Array.from(rt.arena.i32(ti, got)), `${fn} bits k=${k}`).toEqual(order.slice(0, k));
        }
        if (nb <= 31) {
          const blk = alloc(rt, Math.ceil(rows / 16) * 16 * nb), qs = alloc(rt, 16 * nb), d8 = alloc(rt, Math.ceil(rows / 16) * 16);
          rt.kernels.b1_block16(pc, rows, nb, cols, blk);
          const got = rt.kernels.hamming_topk_b1_blocked(blk, rows, nb, pqb, 100, qs, d8, cand, hist, ti);
          expect(Array.from(rt.arena.i32(ti, got))).toEqual(order.slice(0, 100));
          free(rt, blk, qs, d8);
        }
        free(rt, pc);
      }
      free(rt, pm, pqb, dist, cand, hist, ti);
    }
  });

  it('Hamming top-k (+_scalar, row and block layouts) on mid-size tables: every k, distances at 0, at the maximum and ≥ 128, no write past the scratch, and correct after another instance starts on the same memory', async () => {
    const rt = await rtFor(build);
    const r = rng(33);
    const popcount8 = (v: number) => { let c = 0; for (; v; v &= v - 1) c++; return c; };
    const GUARD = 64;
    // an exact-size buffer followed by GUARD bytes of 0xAB
    const guarded = (bytes: number) => { const p = rt.arena.alloc(bytes + GUARD); rt.arena.u8(p + bytes, GUARD).fill(0xab); return p; };
    const intact = (p: number, bytes: number) => rt.arena.u8(p + bytes, GUARD).every((b) => b === 0xab);
    const cases: [rows: number, nb: number, layout: 'random' | 'same' | 'opposite' | 'two'][] = [
      [100, 8, 'random'], [1000, 13, 'random'], [4095, 31, 'random'], [5000, 13, 'random'], [4097, 2, 'random'],
      [300, 13, 'same'], [300, 31, 'opposite'], [5000, 31, 'two'],
    ];
    const check = async (rows: number, nb: number, layout: string, ks: number[]) => {
      const pm = alloc(rt, rows * nb), pqb = alloc(rt, nb);
      const qb = Uint8Array.from({ length: nb }, () => Math.floor(r() * 256));
      rt.arena.u8(pqb, nb).set(qb);
      const codes = rt.arena.u8(pm, rows * nb);
      for (let i = 0; i < rows; i++) for (let b = 0; b < nb; b++) {
        const v = layout === 'same' ? qb[b] : layout === 'opposite' ? ~qb[b] & 255 : layout === 'two' ? (i % 3 ? qb[b] : ~qb[b] & 255) : Math.floor(r() * 256);
        codes[i * nb + b] = v;
      }
      const mb = codes.slice();
      const hw = Array.from({ length: rows }, (_, i) => { let h = 0; for (let b = 0; b < nb; b++) h += popcount8(mb[i * nb + b] ^ qb[b]); return h; });
      const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => hw[a] - hw[b] || a - b);
      const blocks = Math.ceil(rows / 16);
      const blk = alloc(rt, blocks * 16 * nb), qs = alloc(rt, 16 * nb);
      rt.kernels.b1_block16(pm, rows, nb, nb * 8, blk);
      for (const k of ks) {
        const dist = guarded(rows * 2), d8 = guarded(blocks * 16), cand = guarded((rows + 64) * 4), hist = guarded(4 * (nb * 8 + 1) * 4), ti = guarded(k * 4);
        const at = `${rows}×${nb} ${layout} k=${k}`;
        for (const fn of ['hamming_topk_b1', 'hamming_topk_b1_scalar'] as const) {
          expect(rt.kernels[fn](pm, rows, nb, nb * 8, pqb, k, dist, cand, hist, ti)).toBe(k);
          expect(Array.from(rt.arena.i32(ti, k)), `${fn} ${at}`).toEqual(order.slice(0, k));
        }
        for (const fn of ['hamming_topk_b1_blocked', 'hamming_topk_b1_blocked_scalar'] as const) {
          expect(rt.kernels[fn](blk, rows, nb, pqb, k, qs, d8, cand, hist, ti)).toBe(k);
          expect(Array.from(rt.arena.i32(ti, k)), `${fn} ${at}`).toEqual(order.slice(0, k));
        }
        for (const [p, bytes] of [[dist, rows * 2], [d8, blocks * 16], [cand, (rows + 64) * 4], [hist, 4 * (nb * 8 + 1) * 4], [ti, k * 4]] as const) {
          expect(intact(p, bytes), `guard after a buffer of ${bytes} bytes, ${at}`).toBe(true);
          rt.arena.free(p);
        }
      }
      free(rt, pm, pqb, blk, qs);
    };
    for (const [rows, nb, layout] of cases) await check(rows, nb, layout, [...new Set([1, Math.floor(rows / 8) - 1, Math.floor(rows / 8), Math.floor(rows / 2), rows - 1, rows])].filter((k) => k > 0));
    if (build.endsWith('-mt')) {
      // a worker instantiates the module on the shared memory, which re-applies its data segments: the SIMD listing's
      // constant table must still be right afterwards (a table filled at first use would be zeroed)
      await WebAssembly.instantiate(rt.module, { env: { memory: rt.memory } });
      await check(5000, 13, 'random', [50, 700]);
    }
  });

  it('hamming_b1, sign_dot_b1, top-k (+_scalar) and the exact binary LUT score (TS reference, identical bits), on byte-aligned rows and on contiguous bits', async () => {
    const rt = await rtFor(build);
    const r = rng(24);
    for (const [rows, cols, pad] of [[1, 1, 0], [3, 7, 1], [5, 64, 0], [6, 100, 3], [40, 100, 0], [33, 121, 1], [17, 122, 0], [20, 13, 0], [4, 129, 0], [3, 300, 2], [2, 4100, 0]]) {
      const nb = (cols + 7) >> 3, stride = nb + pad;
      const x = randomF32(rows * cols, r), qv = randomF32(cols, r);
      const px = put(rt, x), pbits = alloc(rt, rows * nb), pm = alloc(rt, rows * stride), pqv = put(rt, qv), pqb = alloc(rt, nb);
      rt.kernels.pack_b1_f32_scalar(px, rows, cols, pbits);
      for (let i = 0; i < rows; i++) rt.arena.u8(pm + i * stride, nb).set(rt.arena.u8(pbits + i * nb, nb));
      rt.kernels.pack_b1_f32_scalar(pqv, 1, cols, pqb);
      const mb = rt.arena.u8(pm, rows * stride).slice(), qb = rt.arena.u8(pqb, nb).slice();
      // the same rows as one contiguous bit string (row i at bit i·cols), packed here and by b1_bytes_to_bits
      const bitsWant = new Uint8Array(Math.ceil((rows * cols) / 8));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (x[i * cols + j] >= 0) bitsWant[(i * cols + j) >> 3] |= 1 << ((i * cols + j) & 7);
      const pc = alloc(rt, bitsWant.length + 16);
      rt.kernels.b1_bytes_to_bits(pm, rows, cols, stride, pc);
      expect(Array.from(rt.arena.u8(pc, bitsWant.length))).toEqual(Array.from(bitsWant));
      const back = alloc(rt, rows * stride);
      rt.arena.u8(back, rows * stride).fill(0xff);
      rt.kernels.b1_bits_to_bytes(pc, rows, cols, back, stride);
      for (let i = 0; i < rows; i++) expect(Array.from(rt.arena.u8(back + i * stride, nb))).toEqual(Array.from(mb.subarray(i * stride, i * stride + nb)));
      const po = alloc(rt, rows * 4);
      const hw = (i: number) => { let h = 0; for (let b = 0; b < nb; b++) h += popcount8(mb[i * stride + b] ^ qb[b]); return h; };
      const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => hw(a) - hw(b) || a - b);
      const dist = alloc(rt, rows * 2), cand = alloc(rt, (rows + 64) * 4), hist = alloc(rt, 4 * (nb * 8 + 1) * 4), ti = alloc(rt, (rows + 1) * 4);
      const lut = alloc(rt, nb * 256 * 4), al = new Float32Array(rows).map(() => f(0.1 + r())), pa = put(rt, al);
      rt.kernels.b1_lut_f32(pqv, cols, lut);
      const lutTS = new Float32Array(nb * 256);
      for (let b = 0; b < nb; b++) for (let v = 1; v < 256; v++) {
        const k = 8 * b + Math.log2(v & -v);
        lutTS[b * 256 + v] = f(lutTS[b * 256 + (v & (v - 1))] + (k < cols ? qv[k] : 0));
      }
      expect(Array.from(rt.arena.f32(lut, nb * 256))).toEqual(Array.from(lutTS));
      const qsum = f(qv.reduce((a, b) => a + b, 0));
      for (const [layout, pt, sbits] of [['rows', pm, stride * 8], ['bits', pc, cols]] as const) {
        const at = `${layout} ${rows}×${cols}`;
        for (const fn of ['hamming_b1', 'hamming_b1_scalar'] as const) {
          rt.kernels[fn](pt, rows, nb, sbits, pqb, po);
          expect(Array.from(rt.arena.i32(po, rows)), `${fn} ${at}`).toEqual(Array.from({ length: rows }, (_, i) => hw(i)));
        }
        for (const fn of ['sign_dot_b1', 'sign_dot_b1_scalar'] as const) {
          rt.kernels[fn](pt, rows, cols, sbits, pqb, po);
          for (let i = 0; i < rows; i++) {
            let s = 0;
            for (let j = 0; j < cols; j++) s += (x[i * cols + j] >= 0 ? 1 : -1) * (qv[j] >= 0 ? 1 : -1);
            expect(rt.arena.f32(po, rows)[i], `${fn} ${at}`).toBe(s);
          }
        }
        // top-k by histogram selection: nearest first, ties by lower index, for every k
        for (const k of [0, 1, 2, rows - 1, rows, rows + 3]) for (const fn of ['hamming_topk_b1', 'hamming_topk_b1_scalar'] as const) {
          const got = rt.kernels[fn](pt, rows, nb, sbits, pqb, k, dist, cand, hist, ti);
          expect(got).toBe(Math.max(0, Math.min(k, rows)));
          expect(Array.from(rt.arena.i32(ti, got)), `${fn} ${at}`).toEqual(order.slice(0, got));
          if (got) expect(Array.from(rt.arena.u16(dist, rows))).toEqual(Array.from({ length: rows }, (_, i) => hw(i)));
        }
        if (nb <= 31) {
          const blocks = Math.ceil(rows / 16);
          const blk = alloc(rt, blocks * 16 * nb), qs = alloc(rt, 16 * nb), d8 = alloc(rt, blocks * 16);
          rt.kernels.b1_block16(pt, rows, nb, sbits, blk);
          for (const k of [0, 1, 2, rows - 1, rows, rows + 3]) for (const fn of ['hamming_topk_b1_blocked', 'hamming_topk_b1_blocked_scalar'] as const) {
            const got = rt.kernels[fn](blk, rows, nb, pqb, k, qs, d8, cand, hist, ti);
            expect(got).toBe(Math.max(0, Math.min(k, rows)));
            expect(Array.from(rt.arena.i32(ti, got)), `${fn} ${at}`).toEqual(order.slice(0, got));
          }
          free(rt, blk, qs, d8);
        }
        for (const fn of ['score_b1_lut'] as const) for (const as of [1, 0]) {
          rt.kernels[fn](pt, rows, nb, sbits, lut, qsum, pa, as, as ? 0 : 0.25, po);
          for (let i = 0; i < rows; i++) {
            const a = al[i * as];
            let want = 0;
            for (let j = 0; j < cols; j++) want += (x[i * cols + j] >= 0 ? a : -a) * qv[j];
            if (!as) want += 0.25;
            const tol = 1e-5 * a * qv.reduce((s, v) => s + Math.abs(v), 0) + 1e-6;
            expect(Math.abs(rt.arena.f32(po, rows)[i] - want), `${fn} ${at}`).toBeLessThanOrEqual(tol);
          }
        }
        // the documented order (lut[v] = lut[v without its lowest bit] + q[8b + that bit], each row's lookups summed in
        // f32 in byte order, then α·(2s − qsum) + bias): identical bits for the four-row loops and the tail
        rt.kernels.score_b1_lut(pt, rows, nb, sbits, lut, qsum, pa, 1, 0.5, po);
        const s1 = rt.arena.f32(po, rows);
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let b = 0; b < nb; b++) {
            let byte = 0;
            for (let k = 0; k < 8 && 8 * b + k < cols; k++) if (x[i * cols + 8 * b + k] >= 0) byte |= 1 << k;
            s = f(s + lutTS[b * 256 + byte]);
          }
          expect(s1[i], `score_b1_lut ${at} row ${i}`).toBe(f(f(al[i] * f(2 * s - qsum)) + 0.5));
        }
      }
      free(rt, px, pbits, pm, pc, back, pqv, pqb, po, dist, cand, hist, ti, lut, pa);
    }
  });

  it('matvec_f16/bf16 (+_scalar), norm_l2_half_per_row and the f32 gather (rerank) kernel', async () => {
    const rt = await rtFor(build);
    const r = rng(25);
    // rows not a multiple of 4 and cols not a multiple of 8 (the SIMD scan's remainder rows and masked tail), and
    // values that are fp16 subnormals, ±0 and the largest half
    for (const [rows, cols] of [[1, 1], [3, 7], [4, 8], [5, 17], [9, 100], [7, 9], [8, 15], [6, 16], [13, 101]]) {
      const x = randomF32(rows * cols, r, 3), q = randomF32(cols, r);
      const special = [3e-6, -5e-8, 6e-5, -0, 0, 65504, -65504, 1e-7];
      for (let i = 0; i < x.length; i += 3) x[i] = special[(i / 3) % special.length];
      const px = put(rt, x), ph = alloc(rt, rows * cols * 2), pq = put(rt, q), po = alloc(rt, rows * 4), pd = alloc(rt, rows * cols * 4);
      for (const bf of [0, 1]) {
        rt.kernels[bf ? 'f32_to_bf16' : 'f32_to_f16'](px, rows * cols, ph);
        rt.kernels[bf ? 'bf16_to_f32' : 'f16_to_f32'](ph, rows * cols, pd);
        const dec = rt.arena.f32(pd, rows * cols).slice();
        for (const fn of bf ? (['matvec_bf16', 'matvec_bf16_scalar'] as const) : (['matvec_f16', 'matvec_f16_scalar'] as const)) {
          rt.kernels[fn](ph, rows, cols, pq, po);
          for (let i = 0; i < rows; i++) {
            const row = dec.subarray(i * cols, (i + 1) * cols);
            let abs = 0;
            for (let j = 0; j < cols; j++) abs += Math.abs(row[j] * q[j]);
            expect(Math.abs(rt.arena.f32(po, rows)[i] - dot(row, q))).toBeLessThanOrEqual(4e-7 * abs * 4 + 1e-7);
          }
        }
        rt.kernels.norm_l2_half_per_row(ph, rows, cols, bf, po);
        for (let i = 0; i < rows; i++) {
          const row = dec.subarray(i * cols, (i + 1) * cols);
          expect(rt.arena.f32(po, rows)[i]).toBe(f(Math.sqrt(dot(row, row))));
        }
      }
      const idx = new Int32Array([rows - 1, 0, rows - 1]);
      const pi = put(rt, idx);
      for (const fn of ['matvec_f32_gather', 'matvec_f32_gather_scalar'] as const) {
        rt.kernels[fn](px, cols, cols, pi, 3, pq, po);
        for (let k = 0; k < 3; k++) expect(close(rt.arena.f32(po, 3)[k], dot(x.subarray(idx[k] * cols, (idx[k] + 1) * cols), q), 1e-5)).toBe(true);
      }
      free(rt, px, ph, pq, po, pd, pi);
    }
  });

  it('PQ: k-means SIMD equals _scalar bit for bit, assignments are nearest, encode/ADC/scan/norms/decode agree', async () => {
    const rt = await rtFor(build);
    const r = rng(26);
    const rows = 600, cols = 10, dsub = 4, ksub = 16; // last sub-space has 2 columns
    const nsub = Math.ceil(cols / dsub);
    const x = randomF32(rows * cols, r);
    const px = put(rt, x);
    const cent = alloc(rt, ksub * cols * 4), centT = alloc(rt, ksub * cols * 4), assign = alloc(rt, rows * 4), counts = alloc(rt, ksub * 4);
    const cent2 = alloc(rt, ksub * cols * 4);
    for (let m = 0; m < nsub; m++) {
      const d = Math.min(dsub, cols - m * dsub), off = m * ksub * dsub * 4;
      rt.kernels.pq_kmeans_f32_scalar(px + m * dsub * 4, rows, d, cols, ksub, 8, 7 + m, m & 1, cent2 + off, centT + off, assign, counts);
      rt.kernels.pq_kmeans_f32(px + m * dsub * 4, rows, d, cols, ksub, 8, 7 + m, m & 1, cent + off, centT + off, assign, counts);
      const a = rt.arena.i32(assign, rows).slice();
      const c = rt.arena.f32(cent + off, ksub * d).slice();
      expect(Array.from(c)).toEqual(Array.from(rt.arena.f32(cent2 + off, ksub * d)));
      // every point is assigned to its nearest final centroid (squared L2 in f32, ties to the lower index)
      for (let i = 0; i < rows; i++) {
        let best = -1, bd = Infinity;
        for (let k = 0; k < ksub; k++) {
          let s = 0;
          for (let j = 0; j < d; j++) s = f(s + f(f(c[k * d + j] - x[i * cols + m * dsub + j]) ** 2));
          if (s < bd) { bd = s; best = k; }
        }
        expect(a[i]).toBe(best);
      }
    }
    // encode against the transposed codebook
    const codes = alloc(rt, rows * nsub), codes2 = alloc(rt, rows * nsub);
    rt.kernels.pq_transpose(cent, cols, dsub, ksub, centT);
    rt.kernels.pq_encode_f32(px, rows, cols, cols, dsub, ksub, centT, codes);
    rt.kernels.pq_encode_f32_scalar(px, rows, cols, cols, dsub, ksub, centT, codes2);
    const cd = rt.arena.u8(codes, rows * nsub).slice();
    expect(Array.from(cd)).toEqual(Array.from(rt.arena.u8(codes2, rows * nsub)));
    const cb = rt.arena.f32(cent, ksub * cols).slice();
    const centroid = (m: number, k: number) => { const d = Math.min(dsub, cols - m * dsub); return cb.subarray(m * ksub * dsub + k * d, m * ksub * dsub + (k + 1) * d); };
    // decode, ADC inner product, scan with and without qnorm, norms
    const q = randomF32(cols, r);
    const pq = put(rt, q), table = alloc(rt, nsub * ksub * 4), out = alloc(rt, rows * 4), dec = alloc(rt, rows * cols * 4);
    const normCodes = new Uint8Array(rows).map(() => Math.floor(r() * 256)), normTab = new Float32Array(256).map(() => f(0.5 + r()));
    const pnc = put(rt, normCodes), pnt = put(rt, normTab);
    rt.kernels.pq_decode_f32(codes, rows, cols, dsub, ksub, cent, 0, 0, dec);
    const decoded = rt.arena.f32(dec, rows * cols).slice();
    for (let i = 0; i < rows; i++) for (let m = 0; m < nsub; m++) {
      const c = centroid(m, cd[i * nsub + m]);
      for (let j = 0; j < c.length; j++) expect(decoded[i * cols + m * dsub + j]).toBe(c[j]);
    }
    for (const metric of [0, 1]) {
      rt.kernels.pq_adc_f32(pq, cols, dsub, ksub, cent, metric, table);
      const t = rt.arena.f32(table, nsub * ksub);
      for (let m = 0; m < nsub; m++) for (let k = 0; k < ksub; k++) {
        const c = centroid(m, k);
        let s = 0;
        for (let j = 0; j < c.length; j++) s += metric ? (q[m * dsub + j] - c[j]) ** 2 : q[m * dsub + j] * c[j];
        expect(close(t[m * ksub + k], s, 1e-5, 1e-7)).toBe(true);
      }
    }
    rt.kernels.pq_adc_f32(pq, cols, dsub, ksub, cent, 0, table);
    for (const withNorm of [false, true]) {
      rt.kernels.pq_scan(codes, rows, nsub, ksub, table, withNorm ? pnc : 0, pnt, out);
      const got = rt.arena.f32(out, rows).slice();
      // the table lookups summed in f32 in sub-space order, as documented: identical bits (four rows at a time and the tail)
      const tab = rt.arena.f32(table, nsub * ksub);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let m = 0; m < nsub; m++) s = f(s + tab[m * ksub + cd[i * nsub + m]]);
        expect(got[i]).toBe(withNorm ? f(s * normTab[normCodes[i]]) : s);
        const want = dot(decoded.subarray(i * cols, (i + 1) * cols), q) * (withNorm ? normTab[normCodes[i]] : 1);
        expect(close(got[i], want, 1e-5, 1e-6)).toBe(true);
      }
    }
    const sq = alloc(rt, nsub * ksub * 4);
    rt.kernels.pq_centroid_sqnorms(cent, cols, dsub, ksub, sq);
    rt.kernels.pq_norm_l2_per_row(codes, rows, nsub, ksub, sq, pnc, pnt, out);
    for (let i = 0; i < rows; i++) {
      const row = decoded.subarray(i * cols, (i + 1) * cols);
      expect(close(rt.arena.f32(out, rows)[i], Math.sqrt(dot(row, row)) * normTab[normCodes[i]], 1e-5)).toBe(true);
    }
    free(rt, px, cent, centT, assign, counts, cent2, codes, codes2, pq, table, out, dec, pnc, pnt, sq);
  });

  it('PQ encode (+_scalar) finds the nearest centroid for every sub-space width and centroid count', async () => {
    const rt = await rtFor(build);
    const r = rng(27);
    for (const [cols, dsub, ksub] of [[7, 1, 13], [8, 2, 5], [9, 3, 12], [12, 4, 9], [10, 5, 20], [14, 7, 3], [6, 6, 256]]) {
      const rows = 60, nsub = Math.ceil(cols / dsub);
      const x = randomF32(rows * cols, r), cb = randomF32(ksub * cols, r);
      const px = put(rt, x), pc = put(rt, cb), pT = alloc(rt, ksub * cols * 4), c1 = alloc(rt, rows * nsub), c2 = alloc(rt, rows * nsub);
      rt.kernels.pq_transpose(pc, cols, dsub, ksub, pT);
      rt.kernels.pq_encode_f32(px, rows, cols, cols, dsub, ksub, pT, c1);
      rt.kernels.pq_encode_f32_scalar(px, rows, cols, cols, dsub, ksub, pT, c2);
      const got = rt.arena.u8(c1, rows * nsub).slice();
      expect(Array.from(got)).toEqual(Array.from(rt.arena.u8(c2, rows * nsub)));
      for (let i = 0; i < rows; i++) for (let m = 0; m < nsub; m++) {
        const d = Math.min(dsub, cols - m * dsub);
        let best = -1, bd = Infinity;
        for (let k = 0; k < ksub; k++) {
          let s = 0;
          for (let j = 0; j < d; j++) s = f(s + f(f(cb[m * ksub * dsub + k * d + j] - x[i * cols + m * dsub + j]) ** 2));
          if (s < bd) { bd = s; best = k; }
        }
        expect(got[i * nsub + m]).toBe(best);
      }
      free(rt, px, pc, pT, c1, c2);
    }
  });

  it('k-means never hangs and fills every cluster when points are duplicated', async () => {
    const rt = await rtFor(build);
    // 300 points but only 3 distinct values and k = 16: empty clusters must be split, not loop forever
    const n = 300, k = 16;
    const x = new Float32Array(n).map((_, i) => i % 3);
    const px = put(rt, x), c = alloc(rt, k * 4), cT = alloc(rt, k * 4), a = alloc(rt, n * 4), cnt = alloc(rt, k * 4);
    for (const init of [0, 1]) {
      rt.kernels.pq_kmeans_f32(px, n, 1, 1, k, 25, 1, init, c, cT, a, cnt);
      const cents = Array.from(rt.arena.f32(c, k));
      for (const v of [0, 1, 2]) expect(cents.some((cv) => Math.abs(cv - v) < 1e-5)).toBe(true);
      expect(cents.every(Number.isFinite)).toBe(true);
      // every point is assigned to a centroid equal to it (within the split perturbation)
      const as = rt.arena.i32(a, n);
      for (let i = 0; i < n; i++) expect(Math.abs(cents[as[i]] - x[i])).toBeLessThan(1e-5);
    }
    free(rt, px, c, cT, a, cnt);
  });

  it('column_means_f32 (f64 sums) and center_f32 (+_scalar)', async () => {
    const rt = await rtFor(build);
    const rows = 37, cols = 11;
    const x = randomF32(rows * cols, rng(28), 3);
    const px = put(rt, x), acc = alloc(rt, cols * 8), mu = alloc(rt, cols * 4), out = alloc(rt, rows * cols * 4);
    rt.kernels.column_means_f32(px, rows, cols, acc, mu);
    const m = rt.arena.f32(mu, cols).slice();
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + j];
      expect(m[j]).toBe(f(s / rows));
    }
    for (const fn of ['center_f32', 'center_f32_scalar'] as const) {
      rt.arena.f32(out, rows * cols).fill(0);
      rt.kernels[fn](px, rows, cols, mu, out);
      const c = rt.arena.f32(out, rows * cols);
      for (let i = 0; i < rows * cols; i++) expect(c[i], fn).toBe(f(x[i] - m[i % cols]));
    }
    free(rt, px, acc, mu, out);
  });

  it('exports the documented constants', async () => {
    const rt = await rtFor(build);
    expect(rt.kernels.pq_ksub()).toBe(256);
    expect(rt.kernels.pq_niter()).toBe(25);
    expect(rt.kernels.pq_max_points_per_cluster()).toBe(256);
    expect(rt.kernels.twn_delta()).toBe(f(0.7));
  });
});
