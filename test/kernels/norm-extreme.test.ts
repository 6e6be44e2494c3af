// Issue 15: L2 norms and normalisation stay correct over the whole float32 range (rows near 1e20 overflowed the
// float32 sum of squares, rows near 1e-20 underflowed it), in every build and both the SIMD and `_scalar` kernels.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng } from '../helpers.js';
import type { Runtime } from '../../src/runtime/runtime.js';

const F32_MAX = 3.4028234663852886e38;

/** ‖x‖ in float64 (a float32's square never overflows or underflows a float64). */
function refNorm(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

/** Rows of `n` values: random in ±1 scaled by each scale, plus rows that mix magnitudes. */
function extremeRows(n: number): { name: string; x: Float32Array }[] {
  const r = rng(n + 1);
  const rows: { name: string; x: Float32Array }[] = [];
  for (const scale of [1, 1e20, -1e20, 1e-20, 1e30, 1e-30, 1e-35, 1e37, 1e38, 1e-40, 1e-44]) {
    rows.push({ name: `scale ${scale}`, x: Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale) });
  }
  const mixed = Float32Array.from({ length: n }, () => r() * 2 - 1);
  mixed[n >> 1] = 1e20;
  rows.push({ name: 'one 1e20 among ±1', x: mixed });
  const tinyMix = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1e-20 : 3e-25));
  rows.push({ name: '1e-20 and 3e-25', x: tinyMix });
  rows.push({ name: 'all float32 max', x: new Float32Array(n).fill(F32_MAX) });
  rows.push({ name: 'zero', x: new Float32Array(n) });
  return rows;
}

/** |got − want| within `rel` of want, with ±Infinity equal to itself (a norm beyond float32's range). */
function near(got: number, want: number, rel = 2e-6): boolean {
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= rel * Math.abs(want) + 1e-45;
}

function put(rt: Runtime, rows: Float32Array[], n: number, stride: number): number {
  const p = rt.arena.alloc(rows.length * stride * 4 + 4, true);
  for (let i = 0; i < rows.length; i++) rt.arena.f32(p + i * stride * 4, n).set(rows[i]);
  return p;
}

describe.each(BUILDS)('norm kernels over the whole float32 range, %s build', (build) => {
  for (const n of [1, 3, 4, 16, 17, 100]) {
    it(`n = ${n}: norm_l2_f32, norm_l2_f32_per_row (norms and inverses), normalize_f32_per_row and their _scalar twins`, async () => {
      const rt = await rtFor(build);
      const k = rt.kernels;
      const rows = extremeRows(n);
      const stride = n + 3; // rows not packed
      const p = put(rt, rows.map((r) => r.x), n, stride);
      const out = rt.arena.alloc(rows.length * 4);
      const bad: string[] = [];
      for (const [name, per, single] of [
        ['SIMD', k.norm_l2_f32_per_row, k.norm_l2_f32],
        ['scalar', k.norm_l2_f32_per_row_scalar, k.norm_l2_f32_scalar],
      ] as const) {
        per(p, rows.length, n, stride, out, 0);
        const norms = Array.from(rt.arena.f32(out, rows.length));
        per(p, rows.length, n, stride, out, 1);
        const inv = Array.from(rt.arena.f32(out, rows.length));
        rows.forEach((row, i) => {
          const want = Math.fround(refNorm(row.x));
          const one = single(p + i * stride * 4, n);
          if (!near(norms[i], want)) bad.push(`${name} per_row ${row.name}: ${norms[i]} ≠ ${want}`);
          if (!near(one, want)) bad.push(`${name} single ${row.name}: ${one} ≠ ${want}`);
          // 1/‖x‖, 0 for a zero row, the largest float32 where 1/‖x‖ exceeds it (a row of subnormals)
          const wantInv = want === 0 ? 0 : Math.min(F32_MAX, Math.fround(1 / refNorm(row.x)));
          if (!near(inv[i], wantInv, 4e-6)) bad.push(`${name} inverse ${row.name}: ${inv[i]} ≠ ${wantInv}`);
        });
      }
      for (const [name, normalize] of [['SIMD', k.normalize_f32_per_row], ['scalar', k.normalize_f32_per_row_scalar]] as const) {
        const q = put(rt, rows.map((r) => r.x), n, stride);
        normalize(q, rows.length, n, stride);
        rows.forEach((row, i) => {
          const got = rt.arena.f32(q + i * stride * 4, n);
          const nr = refNorm(row.x);
          for (let c = 0; c < n; c++) {
            const want = nr === 0 ? 0 : row.x[c] / nr;
            // components of a unit vector: within 4 ulp of 1 absolute, relative for the larger ones
            if (!(Math.abs(got[c] - want) <= 4e-7 * Math.max(Math.abs(want), 1e-3))) {
              bad.push(`${name} normalize ${row.name}[${c}]: ${got[c]} ≠ ${want}`);
              break;
            }
          }
          // the gap between rows (stride padding) is untouched
          if (n + 3 <= stride && i + 1 < rows.length) {
            const gap = rt.arena.f32(q + i * stride * 4 + n * 4, stride - n);
            if (gap.some((v) => v !== 0)) bad.push(`${name} normalize wrote past row ${row.name}`);
          }
        });
        rt.arena.free(q);
      }
      rt.arena.free(p);
      rt.arena.free(out);
      expect(bad).toEqual([]);
    });
  }
});
