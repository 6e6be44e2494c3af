// gemm and softmax of quantext/kernels against plain-TS references, in every build.
import { afterAll, describe, expect, it } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, close } from '../helpers.js';
import * as K from '../../src/kernels/index.js';

const f = Math.fround;
afterAll(() => K.useRuntime());

function refGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transB = false, bias?: ArrayLike<number>, relu = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[i * k + t] * (transB ? b[j * k + t] : b[t * n + j]);
    if (bias) s += bias[j];
    c[i * n + j] = relu ? Math.max(0, s) : s;
  }
  return c;
}
function ints(n: number, r: () => number, lo: number, hi: number, T: Int8ArrayConstructor | Uint8ArrayConstructor = Int8Array): Int8Array | Uint8Array {
  const a = new T(n);
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(r() * (hi - lo + 1));
  return a;
}
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!close(got[i], want[i], rel, abs)) throw new Error(`index ${i}: got ${got[i]}, want ${want[i]}`);
}
async function code(p: () => unknown): Promise<string | undefined> {
  try {
    await p();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return undefined;
}

const SHAPES: [number, number, number][] = [[0, 3, 4], [1, 0, 5], [1, 1, 1], [1, 16, 16], [3, 7, 5], [5, 33, 17], [9, 64, 10]];

describe.each(BUILDS)('gemm and softmax on the %s build', (build) => {
  it('f32 gemm: A·B and A·Bᵀ, bias, relu, packed B, out arrays', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(11);
    for (const [m, k, n] of SHAPES) {
      const a = randomF32(m * k, r), b = randomF32(k * n, r), bias = randomF32(n, r);
      expectClose(K.gemm(a, b, m, k, n), refGemm(a, b, m, k, n), 1e-4, 1e-5);
      expectClose(K.gemm(a, b, m, k, n, { transB: true, bias, activation: 'relu' }), refGemm(a, b, m, k, n, true, bias, true), 1e-4, 1e-5);
      using pb = K.packB(b, k, n);
      const out = new Float32Array(m * n);
      expect(K.gemm(a, pb, m, k, n, { bias }, out)).toBe(out);
      expectClose(out, refGemm(a, b, m, k, n, false, bias), 1e-4, 1e-5);
      using ha = K.toWasm(a), hy = K.alloc(m * n);
      K.gemm(ha, pb, m, k, n, undefined, hy);
      expectClose(hy.view, refGemm(a, b, m, k, n), 1e-4, 1e-5);
    }
  });

  it('int8 gemm: exact int32 with zero points, f32 with scales, uint8 operands, f32 A quantized per row', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(12);
    for (const [m, k, n] of SHAPES) {
      const a = ints(m * k, r, -128, 127) as Int8Array, b = ints(k * n, r, -128, 127) as Int8Array;
      const zb = Int32Array.from({ length: n }, () => Math.floor(r() * 11) - 5);
      const want = new Int32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += (a[i * k + t] - 3) * (b[t * n + j] - zb[j]);
        want[i * n + j] = s;
      }
      const got = K.gemm(a, b, m, k, n, { output: 'i32', zeroPointA: 3, zeroPointB: zb });
      expect(got).toBeInstanceOf(Int32Array);
      expect(Array.from(got)).toEqual(Array.from(want));
      // f32 output: fround(f32(acc) · fround(sA·sB[j])) + bias
      const sB = randomF32(n, r).map((v) => Math.abs(v) + 0.01), bias = randomF32(n, r);
      const yf = K.gemm(a, b, m, k, n, { scaleA: 0.02, zeroPointA: 3, scaleB: sB, zeroPointB: zb, bias });
      const wf = Array.from(want, (v, i) => f(f(f(v) * f(f(0.02) * sB[i % n])) + bias[i % n]));
      expect(Array.from(yf)).toEqual(wf);
      // uint8 A and B (ONNX MatMulInteger) with per-tensor zero points, B transposed, packed once
      const au = ints(m * k, r, 0, 255, Uint8Array) as Uint8Array, bu = ints(k * n, r, 0, 255, Uint8Array) as Uint8Array;
      const wu = new Int32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += (au[i * k + t] - 128) * (bu[j * k + t] - 100);
        wu[i * n + j] = s;
      }
      using pu = K.packB(bu, k, n, { transB: true });
      expect(Array.from(K.gemm(au, pu, m, k, n, { output: 'i32', zeroPointA: 128, zeroPointB: 100 }))).toEqual(Array.from(wu));
      expect(Array.from(K.gemm(au, bu, m, k, n, { transB: true, output: 'i32', zeroPointA: 128, zeroPointB: 100 }))).toEqual(Array.from(wu));
      // f32 A: per-row symmetric quantization, then the integer product
      const x = randomF32(m * k, r);
      const yq = K.gemm(x, b, m, k, n);
      const wq = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        let mx = 0;
        for (let t = 0; t < k; t++) mx = Math.max(mx, Math.abs(x[i * k + t]));
        let sx = f(mx / 127);
        if (sx === 0) sx = 1;
        const qx = Array.from(x.subarray(i * k, (i + 1) * k), (v) => Math.max(-127, Math.min(127, Math.round(f(v / sx)))));
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += qx[t] * b[t * n + j];
          wq[i * n + j] = f(f(s) * sx);
        }
      }
      expectClose(yq, wq, 1e-6, 1e-6);
    }
  });

  it('softmax per row (and log-softmax) matches the reference', async () => {
    K.useRuntime(await rtFor(build));
    const r = rng(13);
    for (const [rows, cols] of [[0, 4], [1, 1], [3, 10], [7, 100]]) {
      const x = randomF32(rows * cols, r, 20);
      const want = new Float64Array(rows * cols), lw = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const row = x.subarray(i * cols, (i + 1) * cols);
        const mx = Math.max(...row);
        let s = 0;
        for (const v of row) s += Math.exp(v - mx);
        for (let j = 0; j < cols; j++) {
          want[i * cols + j] = Math.exp(row[j] - mx) / s;
          lw[i * cols + j] = row[j] - mx - Math.log(s);
        }
      }
      expectClose(K.softmax(x, cols), want, 1e-6, 1e-7);
      expectClose(K.softmax(x, cols, undefined, { log: true }), lw, 1e-6, 1e-6);
      const inplace = Float32Array.from(x);
      K.softmax(inplace, cols, inplace);
      expectClose(inplace, want, 1e-6, 1e-7);
    }
  });

  it('rejects bad shapes and options', async () => {
    K.useRuntime(await rtFor(build));
    const a = new Float32Array(6), b = new Float32Array(6);
    expect(await code(() => K.gemm(a, b, 2, 3, 3))).toBe('E_SHAPE');
    expect(await code(() => K.gemm(a, b, 2, 3, 2, { bias: new Float32Array(3) }))).toBe('E_SHAPE');
    expect(await code(() => K.gemm(a, b, 2, 3, 2, { activation: 'gelu' as 'relu' }))).toBe('E_OPTION');
    expect(await code(() => K.gemm(a, b, 2, 3, 2, { output: 'i32' }))).toBe('E_OPTION');
    expect(await code(() => K.gemm(a, b, 2, 3, 2, { transb: true } as object))).toBe('E_OPTION');
    expect(await code(() => K.gemm(a, b, -1, 3, 2))).toBe('E_OPTION');
    expect(await code(() => K.gemm(new Float32Array([NaN, 0, 0]), new Int8Array(6), 1, 3, 2))).toBe('E_NAN');
    expect(await code(() => K.gemm(a, K.packB(b, 2, 3), 2, 3, 2))).toBe('E_SHAPE');
    expect(await code(() => K.softmax(new Float32Array(5), 2))).toBe('E_SHAPE');
  });
});
