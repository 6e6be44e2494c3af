import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, close } from '../helpers.js';

const LENGTHS = [0, 1, 3, 4, 15, 16, 17, 100, 1000];
const OFFSETS = [0, 4, 8, 12]; // byte offsets from a 16-byte boundary: unaligned pointers

// plain TypeScript references (independent of the wasm code), accumulated in float64
const refDot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const absDot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]); return s; };

describe.each(BUILDS)('vector kernels, %s build', (build) => {
  it('reports the right backend', async () => {
    const rt = await rtFor(build);
    expect(rt.backend).toBe(build.startsWith('simd') ? 'simd' : 'scalar');
    expect(rt.shared).toBe(build.endsWith('-mt'));
  });

  it('dot_f32 and its _scalar match a float64 reference at every length and offset', async () => {
    const rt = await rtFor(build);
    const r = rng(1);
    for (const n of LENGTHS) for (const off of OFFSETS) {
      const a = randomF32(n, r), b = randomF32(n, r);
      const pa = rt.arena.alloc(n * 4 + 16) + off, pb = rt.arena.alloc(n * 4 + 16) + off;
      rt.arena.f32(pa, n).set(a); rt.arena.f32(pb, n).set(b);
      const want = refDot(a, b), tol = 1e-6 * absDot(a, b) + 1e-7;
      expect(Math.abs(rt.kernels.dot_f32(pa, pb, n) - want)).toBeLessThanOrEqual(tol * 4);
      expect(Math.abs(rt.kernels.dot_f32_scalar(pa, pb, n) - want)).toBeLessThanOrEqual(tol * 4);
      rt.arena.free(pa - off); rt.arena.free(pb - off);
    }
  });

  it('axpy, scale and mul match the reference exactly (no reassociation)', async () => {
    const rt = await rtFor(build);
    const r = rng(2);
    for (const n of LENGTHS) for (const off of [0, 4]) {
      const x = randomF32(n, r), y = randomF32(n, r), alpha = Math.fround(r() * 3 - 1.5);
      const px = rt.arena.alloc(n * 4 + 16) + off, py = rt.arena.alloc(n * 4 + 16) + off;
      for (const fn of ['axpy_f32', 'axpy_f32_scalar'] as const) {
        rt.arena.f32(px, n).set(x); rt.arena.f32(py, n).set(y);
        rt.kernels[fn](py, px, alpha, n);
        const got = rt.arena.f32(py, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBe(Math.fround(y[i] + Math.fround(alpha * x[i])));
      }
      for (const fn of ['scale_f32', 'scale_f32_scalar'] as const) {
        rt.arena.f32(px, n).set(x);
        rt.kernels[fn](px, alpha, n);
        const got = rt.arena.f32(px, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBe(Math.fround(alpha * x[i]));
      }
      for (const fn of ['mul_f32', 'mul_f32_scalar'] as const) {
        rt.arena.f32(px, n).set(x); rt.arena.f32(py, n).set(y);
        rt.kernels[fn](px, py, n);
        const got = rt.arena.f32(px, n);
        for (let i = 0; i < n; i++) expect(got[i]).toBe(Math.fround(x[i] * y[i]));
      }
      rt.arena.free(px - off); rt.arena.free(py - off);
    }
  });

  it('mul_f32_gather: x[k] *= y[idx[k]] for k < m, exactly, with repeated and unordered indices; nothing past m', async () => {
    const rt = await rtFor(build);
    const r = rng(7);
    for (const [m, ny] of [[0, 5], [1, 1], [3, 10], [17, 40], [1000, 64]]) {
      const x = randomF32(m + 4, r, 3), y = randomF32(ny, r, 2);
      // indices in any order, repeats allowed, and the first and last row of y
      const idx = Int32Array.from({ length: m }, (_, k) => (k === 0 ? ny - 1 : k === 1 ? 0 : Math.floor(r() * ny)));
      const px = rt.arena.put(x), pi = rt.arena.put(idx.length ? idx : new Int32Array(1)), py = rt.arena.put(y);
      rt.kernels.mul_f32_gather(px, pi, m, py);
      const got = rt.arena.f32(px, m + 4);
      for (let k = 0; k < m + 4; k++) expect(got[k], `k=${k}`).toBe(k < m ? Math.fround(x[k] * y[idx[k]]) : x[k]);
      expect(Array.from(rt.arena.f32(py, ny))).toEqual(Array.from(y)); // y is read only
      rt.arena.free(px); rt.arena.free(pi); rt.arena.free(py);
    }
  });

  it('norms: norm_l2, row_norms (plain and inverse), normalize_rows with a stride and a zero row', async () => {
    const rt = await rtFor(build);
    const r = rng(3);
    for (const cols of [1, 3, 4, 17, 100]) {
      const rows = 7, stride = cols + 3;
      const m = randomF32(rows * stride, r);
      for (let c = 0; c < cols; c++) m[2 * stride + c] = 0; // a zero row
      const pm = rt.arena.put(m), pout = rt.arena.alloc(rows * 4);
      const want = Array.from({ length: rows }, (_, i) => Math.sqrt(refDot(m.subarray(i * stride, i * stride + cols), m.subarray(i * stride, i * stride + cols))));
      expect(close(rt.kernels.norm_l2_f32(pm, cols), want[0], 1e-5)).toBe(true);
      expect(close(rt.kernels.norm_l2_f32_scalar(pm, cols), want[0], 1e-5)).toBe(true);
      for (const fn of ['norm_l2_f32_per_row', 'norm_l2_f32_per_row_scalar'] as const) {
        rt.kernels[fn](pm, rows, cols, stride, pout, 0);
        rt.arena.f32(pout, rows).forEach((v, i) => expect(close(v, want[i], 1e-5)).toBe(true));
        rt.kernels[fn](pm, rows, cols, stride, pout, 1);
        rt.arena.f32(pout, rows).forEach((v, i) => expect(close(v, want[i] ? 1 / want[i] : 0, 1e-5)).toBe(true));
      }
      for (const fn of ['normalize_f32_per_row', 'normalize_f32_per_row_scalar'] as const) {
        rt.arena.f32(pm, m.length).set(m);
        rt.kernels[fn](pm, rows, cols, stride);
        const got = rt.arena.f32(pm, m.length);
        for (let i = 0; i < rows; i++) for (let c = 0; c < stride; c++) {
          const o = i * stride + c;
          if (c >= cols) expect(got[o]).toBe(m[o]); // padding untouched
          else if (i === 2) expect(got[o]).toBe(0);
          else expect(close(got[o], m[o] / want[i], 1e-5)).toBe(true);
        }
      }
      rt.arena.free(pm); rt.arena.free(pout);
    }
  });

  it('matvec_f32 matches row-by-row float64 dots for many shapes and strides', async () => {
    const rt = await rtFor(build);
    const r = rng(4);
    // the last two exceed 1 MiB: matvec_f32 then reads rows one after another (prefetch-friendly) instead of four at once
    for (const [rows, cols, pad] of [[0, 5, 0], [1, 1, 0], [3, 4, 0], [5, 17, 3], [9, 100, 0], [64, 300, 4], [13, 16, 1], [1030, 257, 3], [20001, 17, 0]]) {
      const stride = cols + pad;
      const m = randomF32(rows * stride, r), q = randomF32(cols, r);
      const pm = rt.arena.put(m), pq = rt.arena.put(q), po = rt.arena.alloc(rows * 4 + 16);
      for (const fn of ['matvec_f32', 'matvec_f32_scalar'] as const) {
        rt.kernels[fn](pm, rows, cols, stride, pq, po);
        const got = rt.arena.f32(po, rows);
        for (let i = 0; i < rows; i++) {
          const row = m.subarray(i * stride, i * stride + cols);
          expect(Math.abs(got[i] - refDot(row, q))).toBeLessThanOrEqual(1e-6 * absDot(row, q) * 4 + 1e-7);
        }
      }
      rt.arena.free(pm); rt.arena.free(pq); rt.arena.free(po);
    }
  });

  it('topk_f32 (+_scalar, the heap without the SIMD block skip) equals a full sort in TypeScript (ties by lower index, NaN skipped)', async () => {
    const rt = await rtFor(build);
    const r = rng(5);
    // large n: the SIMD path (16 values against the heap's worst) with NaN, ±Infinity and ties past the first k,
    // and rising values (every block enters the heap)
    for (const [n, k, rising] of [[0, 3], [1, 1], [5, 10], [17, 4], [1000, 10], [1000, 1], [300, 300], [50, 0], [5003, 37], [4099, 1], [2000, 25, 1]]) {
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = rising ? i / 8 : Math.round(r() * 40) / 4; // many ties
      if (n > 3) v[3] = NaN;
      if (n > 1000) for (let i = 100; i < n; i += 97) v[i] = i % 3 ? NaN : i % 2 ? Infinity : -Infinity;
      const pv = rt.arena.put(v), pi = rt.arena.alloc(Math.max(k, 1) * 4), pw = rt.arena.alloc(Math.max(k, 1) * 4);
      const idx = [...Array(n).keys()].filter((i) => !Number.isNaN(v[i])).sort((a, b) => v[b] - v[a] || a - b).slice(0, k);
      for (const fn of ['topk_f32', 'topk_f32_scalar'] as const) {
        const m = rt.kernels[fn](pv, n, k, pi, pw);
        expect(m).toBe(idx.length);
        expect(Array.from(rt.arena.i32(pi, m))).toEqual(idx);
        expect(Array.from(rt.arena.f32(pw, m))).toEqual(idx.map((i) => v[i]));
      }
      rt.arena.free(pv); rt.arena.free(pi); rt.arena.free(pw);
    }
  });

  it('sigmoid: exact within 1e-6 of Math, and the word2vec table within its step', async () => {
    const rt = await rtFor(build);
    const xs = new Float32Array([-100, -8, -6, -5.999, -1, -0.5, 0, 0.25, 1, 3, 5.99, 6, 7, 100]);
    const px = rt.arena.put(xs), po = rt.arena.alloc(xs.length * 4);
    rt.kernels.sigmoid_f32(px, po, xs.length);
    rt.arena.f32(po, xs.length).forEach((y, i) => expect(Math.abs(y - 1 / (1 + Math.exp(-xs[i])))).toBeLessThan(1e-6));
    const table = rt.sigmoidTable();
    expect(rt.kernels.exp_table_size()).toBe(1000);
    expect(rt.kernels.max_exp()).toBe(6);
    rt.kernels.sigmoid_table_f32(table, 1000, 6, px, po, xs.length);
    rt.arena.f32(po, xs.length).forEach((y, i) => {
      const x = xs[i];
      if (x >= 6) expect(y).toBe(1);
      else if (x <= -6) expect(y).toBe(0);
      else {
        // word2vec's table: index floor((x+6)·1000/12), value σ at the left edge of the bin
        const j = Math.floor((x + 6) * (1000 / 12));
        expect(Math.abs(y - 1 / (1 + Math.exp(-((j / 1000) * 2 - 1) * 6)))).toBeLessThan(1e-6);
        expect(Math.abs(y - 1 / (1 + Math.exp(-x)))).toBeLessThan(0.012 * 0.25 + 1e-6);
      }
    });
    rt.arena.free(px); rt.arena.free(po);
  });

  it('argmax_f32 finds the first maximum, skips NaN, and returns -1 when empty', async () => {
    const rt = await rtFor(build);
    const r = rng(6);
    const cases: Float32Array[] = [new Float32Array(0), new Float32Array([NaN, NaN]), new Float32Array([-Infinity, -Infinity]),
      new Float32Array([1, 5, 5, 2]), new Float32Array([NaN, 3, 9, 9, 1, 1, 1, 1, 1, 9])];
    for (const n of [1, 3, 7, 8, 9, 33, 1000]) cases.push(randomF32(n, r));
    for (const v of cases) {
      let want = -1;
      for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]) && (want < 0 || v[i] > v[want])) want = i;
      const pv = rt.arena.put(v.length ? v : new Float32Array(1));
      expect(rt.kernels.argmax_f32(pv, v.length)).toBe(want);
      expect(rt.kernels.argmax_f32_scalar(pv, v.length)).toBe(want);
      rt.arena.free(pv);
    }
  });
});
