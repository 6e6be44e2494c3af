// quantext/kernels against plain-TypeScript references, in every build (SIMD and scalar, plain and shared memory):
// random shapes, zero lengths, typed arrays at unaligned byte offsets, and the zero-copy WasmArray forms.
import { afterAll, describe, expect, it } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, close } from '../helpers.js';
import * as K from '../../src/kernels/index.js';
import { quantize as mainQuantize, dequantize as mainDequantize } from '../../src/quantize/quantize.js';
import { trainPQ } from '../../src/quantize/pq.js';

const f = Math.fround;

// ---- references ----
function refDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function refNorm(a: ArrayLike<number>): number {
  return Math.sqrt(refDot(a, a));
}
function refHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function refToHalf(x: number): number {
  // nearest fp16 by search over the 2^16 patterns would be slow; round through the exact value instead
  const a = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (e < -14) {
    const m = roundEven(a / 2 ** -24);
    return sign | m;
  }
  let m = roundEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) { m = 0; e++; }
  return sign | ((e + 15) << 10) | m;
}
function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function packBitsRef(x: ArrayLike<number>, rows: number, cols: number): Uint8Array {
  const rb = (cols + 7) >> 3, out = new Uint8Array(rows * rb);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (x[r * cols + c] >= 0) out[r * rb + (c >> 3)] |= 1 << (c & 7);
  return out;
}
function popcount(v: number): number {
  let c = 0;
  for (; v; v &= v - 1) c++;
  return c;
}
function randomI8(n: number, r: () => number, lo = -128, hi = 127): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(r() * (hi - lo + 1));
  return a;
}
/** An Int8Array / Uint8Array copy at an odd byte offset of its buffer. */
function oddI8(a: Int8Array): Int8Array {
  const b = new Int8Array(new ArrayBuffer(a.length + 3), 3, a.length);
  b.set(a);
  return b;
}
function oddU8(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(new ArrayBuffer(a.length + 5), 5, a.length);
  b.set(a);
  return b;
}
/** A Float32Array at a byte offset that is not a multiple of 16. */
function offF32(a: Float32Array): Float32Array {
  const b = new Float32Array(new ArrayBuffer((a.length + 1) * 4), 4, a.length);
  b.set(a);
  return b;
}
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-5, abs = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!close(got[i], want[i], rel, abs)) throw new Error(`index ${i}: got ${got[i]}, want ${want[i]}`);
  }
}
async function code(p: () => unknown): Promise<string | undefined> {
  try {
    await p();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return undefined;
}

afterAll(() => K.useRuntime());

const SIZES = [0, 1, 3, 15, 16, 17, 100, 257];

describe.each(BUILDS)('kernels API on the %s build', (build) => {
  it('dot, cosine, l2 match the references (typed arrays at any offset, and WasmArrays)', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(1);
    for (const n of SIZES) {
      const a = randomF32(n, r), b = randomF32(n, r);
      const ao = offF32(a);
      expect(close(K.dot(ao, b), refDot(a, b), 1e-5, 1e-5)).toBe(true);
      const c = K.cosine(a, b);
      const want = n ? refDot(a, b) / (refNorm(a) * refNorm(b)) : 0;
      expect(close(c, want, 1e-5, 1e-6)).toBe(true);
      let d = 0;
      for (let i = 0; i < n; i++) d += (a[i] - b[i]) ** 2;
      expect(close(K.l2(a, b), Math.sqrt(d), 1e-5, 1e-6)).toBe(true);
      expect(close(K.l2(a, b, true), d, 1e-5, 1e-6)).toBe(true);
      using ha = K.toWasm(a), hb = K.toWasm(b);
      expect(K.dot(ha, hb)).toBe(K.dot(a, b));
      expect(K.dot(ha, b)).toBe(K.dot(a, b));
    }
    expect(K.cosine(new Float32Array(4), new Float32Array([1, 2, 3, 4]))).toBe(0);
  });

  it('axpy, scale and normalizeRows work in place on typed arrays and WasmArrays', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(2);
    for (const n of SIZES) {
      const x = randomF32(n, r), y = randomF32(n, r);
      const want = Float32Array.from(y, (v, i) => f(v + f(0.75 * x[i])));
      const yo = offF32(y);
      expect(K.axpy(0.75, x, yo)).toBe(yo);
      expectClose(yo, want, 1e-6, 1e-6);
      using hy = K.toWasm(y);
      K.axpy(0.75, x, hy);
      expectClose(hy.view, want, 1e-6, 1e-6);
      const s = Float32Array.from(x);
      K.scale(-2.5, s);
      expectClose(s, Float32Array.from(x, (v) => f(-2.5 * v)), 0, 0);
    }
    for (const [rows, cols] of [[0, 5], [1, 1], [7, 13], [33, 100], [4, 0]]) {
      const m = randomF32(rows * cols, r);
      if (rows > 2) m.fill(0, cols, 2 * cols); // a zero row stays zero
      const want = new Float32Array(m);
      for (let i = 0; i < rows; i++) {
        const row = want.subarray(i * cols, (i + 1) * cols), nrm = refNorm(row);
        if (nrm > 0) for (let j = 0; j < cols; j++) row[j] /= nrm;
      }
      expectClose(K.normalizeRows(m, cols), want, 1e-5, 1e-6);
    }
  });

  it('matvec over f32, f16, bf16, int8, int4 and binary rows matches the references', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(3);
    for (const [rows, cols] of [[0, 8], [1, 1], [5, 3], [17, 33], [40, 100], [3, 0]]) {
      const m = randomF32(rows * cols, r), q = randomF32(cols, r);
      const want = new Float64Array(rows);
      for (let i = 0; i < rows; i++) want[i] = refDot(m.subarray(i * cols, (i + 1) * cols), q);
      if (cols === 0) continue; // rows cannot be inferred from an empty query
      expectClose(K.matvec(m, q), want, 1e-5, 1e-5);
      // f16: the reference decodes the same bit patterns
      const h = Uint16Array.from(m, refToHalf);
      const hw = new Float64Array(rows);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) hw[i] += refHalf(h[i * cols + j]) * q[j];
      expectClose(K.matvec(h, q), hw, 1e-5, 1e-5);
      using hh = K.toWasm(h, 'f16');
      expectClose(K.matvec(hh, q), hw, 1e-5, 1e-5);
      // bf16: the top 16 bits (truncate for the reference; the kernel reads whatever bits it gets)
      const bf = Uint16Array.from(new Uint32Array(m.buffer.slice(0)), (u) => u >>> 16);
      const bw = new Float64Array(rows);
      const tmp = new Float32Array(1), tu = new Uint32Array(tmp.buffer);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) { tu[0] = bf[i * cols + j] << 16; bw[i] += tmp[0] * q[j]; }
      expectClose(K.matvec(bf, q, { format: 'bf16' }), bw, 1e-5, 1e-5);
      // int8: exact int32 dots, and the scaled form
      const m8 = randomI8(rows * cols, r), q8 = randomI8(cols, r);
      const d8 = new Int32Array(rows);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d8[i] += m8[i * cols + j] * q8[j];
      expect(Array.from(K.matvec(oddI8(m8), oddI8(q8)))).toEqual(Array.from(d8));
      const sc = randomF32(rows, r).map((v) => Math.abs(v) + 0.01), zp = Int32Array.from({ length: rows }, () => Math.floor(r() * 9) - 4);
      let qsum = 0;
      for (let j = 0; j < cols; j++) qsum += q8[j];
      const sw = Array.from(d8, (d, i) => sc[i] * 0.5 * (d - zp[i] * qsum) + 0.25);
      expectClose(K.matvec(m8, q8, { scales: sc, zeroPoints: zp, qscale: 0.5, bias: 0.25 }), sw, 1e-5, 1e-4);
      // int4: codes −8…7 packed low nibble first
      const c4 = randomI8(rows * cols, r, -8, 7), q4 = randomI8(cols, r);
      const rb = (cols + 1) >> 1, p4 = new Uint8Array(rows * rb);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) p4[i * rb + (j >> 1)] |= (c4[i * cols + j] & 15) << ((j & 1) * 4);
      const d4 = new Int32Array(rows);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d4[i] += c4[i * cols + j] * q4[j];
      expect(Array.from(K.matvec(oddU8(p4), q4, { format: 'int4' }))).toEqual(Array.from(d4));
      using h4 = K.toWasm(p4), hq4 = K.toWasm(q4), o4 = K.alloc(rows, 'i32');
      expect(K.matvec(h4, hq4, { format: 'int4' }, o4)).toBe(o4);
      expect(Array.from(o4.view)).toEqual(Array.from(d4));
      // binary: ±1 dots = cols − 2·Hamming
      const bm = packBitsRef(m, rows, cols), bq = packBitsRef(q, 1, cols);
      const bwant = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        let h2 = 0;
        for (let j = 0; j < cols; j++) if ((m[i * cols + j] >= 0) !== (q[j] >= 0)) h2++;
        bwant[i] = cols - 2 * h2;
      }
      expect(Array.from(K.matvec(oddU8(bm), bq, { format: 'binary', cols }))).toEqual(Array.from(bwant));
    }
  });

  it('topk returns the k largest, best first, ties by lower index, NaN never', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(4);
    for (const n of [0, 1, 10, 100, 1000]) {
      for (const k of [0, 1, 5, 2000]) {
        const v = randomF32(n, r).map((x) => Math.round(x * 20) / 20); // ties
        if (n > 3) v[2] = NaN;
        const order = Array.from(v.keys()).filter((i) => !Number.isNaN(v[i])).sort((a, b) => v[b] - v[a] || a - b).slice(0, k);
        const t = K.topk(v, k);
        expect(t.count).toBe(order.length);
        expect(Array.from(t.indices)).toEqual(order);
        expect(Array.from(t.values)).toEqual(order.map((i) => v[i]));
        if (k <= n && k > 0) {
          using hv = K.toWasm(v), hi = K.alloc(k, 'i32'), ho = K.alloc(k);
          const z = K.topk(hv, k, hi, ho);
          expect(z.indices).toBe(hi);
          expect(Array.from(hi.view.subarray(0, z.count))).toEqual(order);
        }
      }
    }
  });

  it('hamming, hammingRows and packBits match the references', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(5);
    for (const [rows, cols] of [[0, 9], [1, 1], [3, 7], [9, 64], [20, 129], [2, 1000]]) {
      const x = randomF32(rows * cols, r);
      const want = packBitsRef(x, rows, cols);
      expect(Array.from(K.packBits(x, cols))).toEqual(Array.from(want));
      const rb = (cols + 7) >> 3;
      const q = packBitsRef(randomF32(cols, r), 1, cols);
      const hw = Array.from({ length: rows }, (_, i) => {
        let h = 0;
        for (let j = 0; j < rb; j++) h += popcount(want[i * rb + j] ^ q[j]);
        return h;
      });
      expect(Array.from(K.hammingRows(oddU8(want), q))).toEqual(hw);
      if (rows) expect(K.hamming(oddU8(want.subarray(0, rb)), q)).toBe(hw[0]);
    }
    expect(K.hamming(new Uint8Array(0), new Uint8Array(0))).toBe(0);
  });

  it('quantize and dequantize give the main entry\'s codes for every scheme, and exact int8 by the formula', async () => {
    const rt = await rtFor(build);
    K.useRuntime(rt);
    const r = rng(6);
    for (const [rows, cols] of [[1, 0], [1, 1], [3, 7], [8, 33]]) {
      const x = randomF32(rows * cols, r, 3);
      for (const scheme of ['int8', 'uint8', 'int4', 'int2', 'ternary', 'binary', 'fp16', 'bf16'] as const) {
        for (const perRow of [false, true]) {
          const q = K.quantize(offF32(x), scheme, { rows, cols, perRow });
          const m = mainQuantize(x, { scheme, rows, cols, perRow, rt });
          expect(Array.from(q.codes as ArrayLike<number>)).toEqual(Array.from(m.codes));
          expect(Array.from(q.scales)).toEqual(Array.from(m.scales));
          expect(Array.from(q.zeroPoints)).toEqual(Array.from(m.zeroPoints));
          expect(Array.from(K.dequantize(q) as Float32Array)).toEqual(Array.from(mainDequantize(m, { rt })));
        }
      }
      const q3 = K.quantize(x, 'int', { bits: 3, rows, cols, rounding: 'stochastic', seed: 7 });
      const m3 = mainQuantize(x, { scheme: 'int', bits: 3, rows, cols, rounding: 'stochastic', seed: 7, rt });
      expect(Array.from(q3.codes as Int8Array)).toEqual(Array.from(m3.codes));
    }
    // int8 symmetric per tensor by the formula: s = max|x| / 127, q = roundEven(x / s)
    const x = randomF32(50, r, 2);
    const q = K.quantize(x);
    let a = 0;
    for (const v of x) a = Math.max(a, Math.abs(v));
    const s = f(a / 127);
    expect(q.scales[0]).toBe(s);
    expect(Array.from(q.codes as Int8Array)).toEqual(Array.from(x, (v) => Math.max(-128, Math.min(127, roundEven(f(v / s))))));
    // given scales, codes into a WasmArray
    using out = K.alloc(50, 'i8');
    const g = K.quantize(x, 'int8', { scales: 0.05 }, out);
    expect(g.codes).toBe(out);
    expect(Array.from(out.view)).toEqual(Array.from(x, (v) => Math.max(-128, Math.min(127, roundEven(f(v / f(0.05)))))));
    expectClose(K.dequantize(g) as Float32Array, Array.from(out.view, (c) => f(c * f(0.05))), 0, 1e-7);
  });

  it("quantize(x, 'pq') is the main entry's trainPQ (codes and codebooks), and dequantize rebuilds the rows from them", async () => {
    const rt = await rtFor(build);
    K.useRuntime(rt);
    const r = rng(8);
    const rows = 40, cols = 6;
    const x = randomF32(rows * cols, r, 2);
    for (const qnorm of [false, true]) {
      const q = K.quantize(offF32(x), 'pq', { rows, cols, dsub: 2, ksub: 8, seed: 3, qnorm });
      const m = trainPQ(x, rows, cols, { dsub: 2, ksub: 8, seed: 3, qnorm, rt });
      expect(Array.from(q.codes)).toEqual(Array.from(m.codes));
      expect(Array.from(q.codebook)).toEqual(Array.from(m.codebook));
      expect(Array.from(q.normCodes)).toEqual(Array.from(m.normCodes));
      // reference decode: row i = concatenation of its sub-spaces' centroids (times its norm centroid with qnorm)
      const want = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const nrm = qnorm ? q.normCodebook[q.normCodes[i]] : 1;
        for (let sub = 0; sub < q.nsub; sub++) {
          const d = Math.min(q.dsub, cols - sub * q.dsub), c = q.codes[i * q.nsub + sub];
          for (let j = 0; j < d; j++) want[i * cols + sub * q.dsub + j] = f(q.codebook[q.ksub * sub * q.dsub + c * d + j] * nrm);
        }
      }
      expectClose(K.dequantize(q) as Float32Array, Array.from(want), 0, 1e-6);
      using out = K.alloc(rows * cols, 'f32');
      expect(K.dequantize(q, out)).toBe(out);
      expectClose(out.view, Array.from(want), 0, 1e-6);
    }
    expect(() => K.quantize(x, 'pq', { rows, cols, bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => K.quantize(x, 'pq', { rows: 7 })).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
  });

  it('rejects bad input with QuantextError codes', async () => {
    K.useRuntime(await rtFor(build));
    const a = new Float32Array(4);
    expect(await code(() => K.dot(a, new Float32Array(5)))).toBe('E_SHAPE');
    expect(await code(() => K.dot(a, [1, 2, 3, 4] as unknown as Float32Array))).toBe('E_OPTION');
    expect(await code(() => K.dot(a, new Float64Array(4) as unknown as Float32Array))).toBe('E_OPTION');
    expect(await code(() => K.normalizeRows(new Float32Array(5), 2))).toBe('E_SHAPE');
    expect(await code(() => K.matvec(new Float32Array(7), new Float32Array(2)))).toBe('E_SHAPE');
    expect(await code(() => K.matvec(new Uint8Array(8), new Int8Array(2)))).toBe('E_OPTION');
    expect(await code(() => K.matvec(new Float32Array(8), new Float32Array(2), undefined, new Float32Array(3)))).toBe('E_SHAPE');
    expect(await code(() => K.matvec(new Int8Array(8), new Int8Array(2), { scales: new Float32Array(3) }))).toBe('E_SHAPE');
    expect(await code(() => K.topk(a, -1))).toBe('E_OPTION');
    expect(await code(() => K.axpy(NaN, a, a))).toBe('E_OPTION');
    expect(await code(() => K.quantize(new Float32Array([1, NaN])))).toBe('E_NAN');
    expect(await code(() => K.quantize(new Float32Array([1e6]), 'fp16'))).toBe('E_TOO_LARGE');
    expect(await code(() => K.quantize(a, 'int8', { rows: 3 }))).toBe('E_SHAPE');
    expect(await code(() => K.quantize(a, 'nope' as 'int8'))).toBe('E_OPTION');
    expect(await code(() => K.quantize(a, 'int8', { colz: 4 } as object))).toBe('E_OPTION');
    expect(await code(() => K.hamming(new Uint8Array(2), new Uint8Array(3)))).toBe('E_SHAPE');
    expect(await code(() => K.alloc(-1))).toBe('E_OPTION');
    expect(await code(() => K.alloc(4, 'f8' as 'f32'))).toBe('E_OPTION');
    const h = K.alloc(4, 'i8');
    expect(await code(() => K.dot(h as unknown as Float32Array, a))).toBe('E_OPTION'); // wrong dtype
    K.free(h);
    const g = K.alloc(4);
    g.dispose();
    expect(await code(() => K.dot(g, a))).toBe('E_DISPOSED');
    expect(await code(() => g.view)).toBe('E_DISPOSED');
    const other = await rtFor(build === 'simd' ? 'scalar' : 'simd');
    const foreign = new K.WasmArray(4, 'f32', other);
    expect(await code(() => K.dot(foreign, a))).toBe('E_OPTION');
    foreign.dispose();
  });

  it('allocates nothing per call once the scratch has grown, and WasmArray views follow memory growth', async () => {
    const rt = await rtFor(build);
    K.useRuntime(rt);
    const r = rng(7);
    const m = randomF32(64 * 32, r), q = randomF32(32, r), out = new Float32Array(64);
    K.matvec(m, q, undefined, out);
    K.topk(out, 5);
    const blocks = rt.arena.liveBlocks, top = rt.arena.heapTop;
    for (let i = 0; i < 50; i++) {
      K.matvec(m, q, undefined, out);
      K.topk(out, 5);
      K.dot(q, q);
    }
    expect(rt.arena.liveBlocks).toBe(blocks);
    expect(rt.arena.heapTop).toBe(top);
    // a view read after growth is over the new memory, with the same contents
    const h = K.toWasm(q);
    const before = h.view;
    const big = rt.arena.alloc(rt.memory.buffer.byteLength); // forces memory.grow
    expect(Array.from(h.view)).toEqual(Array.from(q));
    if (!build.endsWith('-mt')) expect(before.length).toBe(0); // the old view was detached
    expect(K.dot(h, q)).toBe(K.dot(q, q));
    h.view[0] = 42;
    expect(h.toArray()[0]).toBe(42);
    rt.arena.free(big);
    h.dispose();
  });
});
