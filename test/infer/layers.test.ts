// Issue 11: the inference layers against plain TypeScript references, on the SIMD and scalar builds.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rtFor, rng, randomF32, errorCode } from '../helpers.js';
import {
  Linear, Int8Linear, BinaryLinear, SparseLinear, Sequential, ReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax, LayerNorm,
  EmbeddingBag, dynamicQuantizeLinear, quantizeLinear, dequantizeLinear, QuantextError, DenseMatrix,
} from '../../src/index.node.js';
import { f, linearRef, intMatmulRef, int8LinearRef, roundEvenRef } from './ref.js';

const dir = mkdtempSync(join(tmpdir(), 'qt-infer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const code = errorCode;

for (const build of ['simd', 'scalar'] as const) {
  describe(`inference layers (${build})`, () => {
    it('Linear equals the naive product (batch 1 and larger, odd sizes, both layouts, relu)', async () => {
      const rt = await rtFor(build);
      const r = rng(1);
      for (const [m, k, n] of [[1, 1, 1], [1, 13, 7], [8, 33, 9], [17, 64, 65], [3, 5, 2]]) {
        const w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(m * k, r);
        using l = Linear.fromFloat(w, n, k, b, { rt, activation: 'relu' });
        const y = l.forward(x, m);
        const want = linearRef(x, m, k, w, n, b, true);
        for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - want[i])).toBeLessThan(1e-5 * k);
        // in-out layout (ONNX MatMul B) gives the same layer
        const wt = new Float32Array(k * n);
        for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) wt[c * n + j] = w[j * k + c];
        using l2 = Linear.fromFloat(wt, n, k, b, { rt, layout: 'in-out', activation: 'relu' });
        expect(l2.forward(x, m)).toEqual(y);
        expect(l.weights()).toEqual(w);
      }
    });

    it('Linear at batch 1 gives the same bits call after call (the GEMV alternates its panel order), as the rows of a 2-row batch (below a 4-row tile: the same GEMV)', async () => {
      const rt = await rtFor(build);
      const r = rng(2);
      const k = 37, n = 53, w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(2 * k, r);
      using l = Linear.fromFloat(w, n, k, b, { rt });
      const batch = l.forward(x, 2); // 2 rows: the GEMV's forward order, row by row
      const want = linearRef(x, 2, k, w, n, b, false);
      for (let i = 0; i < 2 * n; i++) expect(Math.abs(batch[i] - want[i])).toBeLessThan(1e-5 * k);
      for (let call = 0; call < 3; call++) {
        expect(l.forward(x.subarray(0, k), 1), `call ${call}`).toEqual(batch.subarray(0, n));
        expect(l.forward(x.subarray(k), 1), `call ${call}, row 2`).toEqual(batch.subarray(n));
      }
    });

    it('Int8Linear at batch 1 is bit-exact to the integer reference call after call (its GEMV alternates the panel order; odd and even panel counts)', async () => {
      const rt = await rtFor(build);
      const r = rng(3);
      for (const [k, n] of [[37, 53], [64, 40], [131, 9]]) {
        const w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(k, r);
        using l = Int8Linear.fromFloat(w, n, k, b, { rt, maxBatch: 1 });
        const want = int8LinearRef(x, 1, k, w, n, b, false);
        for (let call = 0; call < 4; call++) expect(l.forward(x, 1), `${k}×${n} call ${call}`).toEqual(want);
      }
    });

    it('Int8Linear (dynamic and static) is bit-exact to the integer reference, saturation included', async () => {
      const rt = await rtFor(build);
      const r = rng(2);
      for (const [m, k, n] of [[1, 1, 1], [1, 19, 7], [8, 64, 12], [9, 33, 5]]) {
        const w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(m * k, r, 3);
        x[0] = 50; // an outlier: under the static scale below it saturates at 127
        w[1 % w.length] = -4;
        for (const relu of [false, true]) {
          using d = Int8Linear.fromFloat(w, n, k, b, { rt, activation: relu ? 'relu' : 'none' });
          expect(d.forward(x, m)).toEqual(int8LinearRef(x, m, k, w, n, b, relu));
          using s = Int8Linear.fromFloat(w, n, k, b, { rt, activations: 'static', inputScale: 0.02, activation: relu ? 'relu' : 'none' });
          expect(s.forward(x, m)).toEqual(int8LinearRef(x, m, k, w, n, b, relu, 0.02));
        }
        // int8 output: codes of the f32 result, saturated
        using o = Int8Linear.fromFloat(w, n, k, b, { rt, output: 'int8', outputScale: 0.01 });
        const yf = int8LinearRef(x, m, k, w, n, b);
        const want = Int8Array.from(yf, (v) => Math.max(-128, Math.min(127, roundEvenRef(f(v / f(0.01))))));
        expect(o.forwardInt(x, m)).toEqual(want);
        expect(Array.from(want).some((v) => v === 127 || v === -128)).toBe(true);
      }
    });

    it('Int8Linear.fromQuantized: MatMulInteger with uint8 weights and per-column zero points is exact', async () => {
      const rt = await rtFor(build);
      const r = rng(3);
      for (const [m, k, n] of [[1, 5, 3], [7, 40, 9], [9, 40, 9], [2, 255, 6]]) {
        const b = Uint8Array.from({ length: k * n }, () => (r() < 0.1 ? 255 : Math.floor(r() * 256))); // in-out (ONNX B)
        const bz = Array.from({ length: n }, () => Math.floor(r() * 256));
        const a = Uint8Array.from({ length: m * k }, () => (r() < 0.1 ? 0 : Math.floor(r() * 256)));
        const az = 77;
        using l = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: b, weightZeroPoint: bz, input: { mode: 'static', type: 'uint8', scale: 1, zeroPoint: az }, output: { mode: 'int32' } });
        const bo = new Int32Array(n * k);
        for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) bo[j * k + c] = b[c * n + j];
        expect(l.forwardInt(a, m)).toEqual(intMatmulRef(a, m, k, az, bo, n, bz));
        // int8 weights with one zero point, int8 input
        const b8 = Int8Array.from(b, (v) => v - 128), a8 = Int8Array.from(a, (v) => v - 128);
        using l8 = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: b8, weightZeroPoint: -3, input: { mode: 'dynamic-uint8' }, output: { mode: 'int32' } });
        const bo8 = Int32Array.from(bo, (v) => v - 128);
        expect(l8.forwardInt(a8, m, undefined, 5)).toEqual(intMatmulRef(a8, m, k, 5, bo8, n, new Array(n).fill(-3)));
      }
    });

    it('DynamicQuantizeLinear + MatMulInteger (f32 output) and QLinearMatMul (uint8/int8 output) follow the ONNX formulas', async () => {
      const rt = await rtFor(build);
      const r = rng(4);
      const m = 9, k = 21, n = 10;
      const x = randomF32(m * k, r, 2);
      x[4] = -3.3;
      const b = Int8Array.from({ length: k * n }, () => Math.floor(r() * 256) - 128);
      const bs = Float32Array.from({ length: n }, () => f(0.001 + r() * 0.01));
      const bias = randomF32(n, r);
      // the dynamic quantizer
      const dq = dynamicQuantizeLinear(x);
      let mn = 0, mx = 0;
      for (const v of x) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
      const scale = f(f(f(mx) - f(mn)) / 255);
      expect(dq.scale).toBe(scale);
      expect(dq.zeroPoint).toBe(roundEvenRef(Math.max(0, Math.min(255, f(0 - f(f(mn) / scale))))));
      expect(dq.data).toEqual(Uint8Array.from(x, (v) => Math.max(0, Math.min(255, roundEvenRef(f(v / scale)) + dq.zeroPoint))));
      const bo = new Int32Array(n * k);
      for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) bo[j * k + c] = b[c * n + j];
      const acc = intMatmulRef(dq.data, m, k, dq.zeroPoint, bo, n, new Array(n).fill(0));
      using l = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: b, weightScale: bs, input: { mode: 'dynamic-uint8' }, output: { mode: 'f32', bias } });
      const want = Float32Array.from(acc, (v, i) => f(f(v * f(scale * bs[i % n])) + bias[i % n]));
      expect(l.forward(x, m)).toEqual(want);
      expect(l.lastInputScale).toBe(scale);
      // QLinearMatMul: static uint8 input, uint8 output with saturation
      for (const [ot, yz] of [['uint8', 100], ['int8', -5]] as const) {
        const ys = 0.002;
        using q = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: b, weightScale: bs, input: { mode: 'static', type: 'uint8', scale, zeroPoint: dq.zeroPoint }, output: { mode: ot, scale: ys, zeroPoint: yz } });
        const [lo, hi] = ot === 'uint8' ? [0, 255] : [-128, 127];
        const wantQ = Array.from(acc, (v, i) => {
          const mult = f(f(f(scale) * bs[i % n]) / f(ys));
          const c = Math.min(Math.max(f(v * mult), lo - yz), hi - yz);
          return roundEvenRef(c) + yz;
        });
        const got = q.forwardInt(dq.data, m);
        expect(Array.from(got)).toEqual(wantQ);
        expect(wantQ.some((v) => v === lo || v === hi)).toBe(true);
        // float input quantized by the layer's own QuantizeLinear gives the same codes
        expect(Array.from(q.forwardInt(x, m))).toEqual(wantQ);
      }
      // uint8 weights with per-column zero points, batches on both kernels (GEMV below 8 rows, fused pairs from 8)
      for (const mm of [1, 9, 33]) {
        const xm = randomF32(mm * k, r, 2);
        const bu = Uint8Array.from({ length: k * n }, () => Math.floor(r() * 256));
        const bz = Array.from({ length: n }, () => Math.floor(r() * 256));
        const dqm = dynamicQuantizeLinear(xm);
        const bou = new Int32Array(n * k);
        for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) bou[j * k + c] = bu[c * n + j];
        const accm = intMatmulRef(dqm.data, mm, k, dqm.zeroPoint, bou, n, bz);
        using lz = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: bu, weightZeroPoint: bz, weightScale: bs, input: { mode: 'dynamic-uint8' }, output: { mode: 'f32', bias, relu: true } });
        const wantZ = Float32Array.from(accm, (v, i) => Math.max(0, f(f(v * f(dqm.scale * bs[i % n])) + bias[i % n])));
        expect(lz.forward(xm, mm), `dql uint8 weights, batch ${mm}`).toEqual(wantZ);
        const ys = 0.01, yz = 128;
        using qz = Int8Linear.fromQuantized({ rt, outFeatures: n, inFeatures: k, weights: bu, weightZeroPoint: bz, weightScale: bs, input: { mode: 'static', type: 'uint8', scale: dqm.scale, zeroPoint: dqm.zeroPoint }, output: { mode: 'uint8', scale: ys, zeroPoint: yz } });
        const wantQz = Array.from(accm, (v, i) => roundEvenRef(Math.min(Math.max(f(v * f(f(f(dqm.scale) * bs[i % n]) / f(ys))), -yz), 255 - yz)) + yz);
        expect(Array.from(qz.forwardInt(dqm.data, mm)), `qlinear uint8 weights, batch ${mm}`).toEqual(wantQz);
        expect(wantQz.some((v) => v === 0 || v === 255)).toBe(true);
      }
      expect(quantizeLinear(Float32Array.from([2.5, -2.5, 300]), 1, 0, 'int8')).toEqual(Int8Array.from([2, -2, 127]));
      expect(dequantizeLinear(Uint8Array.from([0, 10, 255]), 0.5, 10)).toEqual(Float32Array.from([-5, 0, 122.5]));
    });

    it('BinaryLinear equals the float product on ±1 data, and XNOR-Net scaling otherwise', async () => {
      const rt = await rtFor(build);
      const r = rng(5);
      for (const [m, k, n] of [[1, 1, 1], [1, 64, 3], [5, 65, 7], [9, 200, 33], [4, 128, 4]]) {
        const w = Float32Array.from({ length: n * k }, () => (r() < 0.5 ? -1 : 1));
        const x = Float32Array.from({ length: m * k }, () => (r() < 0.5 ? -1 : 1));
        const b = randomF32(n, r);
        using bl = BinaryLinear.fromFloat(w, n, k, b, { rt });
        expect(bl.forward(x, m)).toEqual(Float32Array.from(linearRef(x, m, k, w, n, b)));
        // general data: α·β·(agreements − disagreements)
        const w2 = randomF32(n * k, r), x2 = randomF32(m * k, r);
        using b2 = BinaryLinear.fromFloat(w2, n, k, undefined, { rt });
        const y = b2.forward(x2, m);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let a = 0, be = 0, d = 0;
          for (let c = 0; c < k; c++) {
            a += Math.abs(f(w2[j * k + c]));
            be += Math.abs(x2[i * k + c]);
            d += (w2[j * k + c] >= 0 ? 1 : -1) * (x2[i * k + c] >= 0 ? 1 : -1);
          }
          expect(y[i * n + j]).toBeCloseTo((a / k) * (be / k) * d, 4);
        }
      }
    });

    it('SparseLinear equals the dense layer with the same mask, in CSR and dense form', async () => {
      const rt = await rtFor(build);
      const r = rng(6);
      for (const [m, k, n] of [[1, 40, 9], [6, 31, 17]]) {
        const w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(m * k, r);
        const mask = Uint8Array.from({ length: n * k }, () => (r() < 0.2 ? 1 : 0));
        const wm = Float32Array.from(w, (v, i) => (mask[i] ? v : 0));
        using dense = Linear.fromFloat(wm, n, k, b, { rt });
        const want = dense.forward(x, m);
        for (const format of ['csr', 'bsr', 'dense', 'auto'] as const) {
          using s = SparseLinear.fromFloat(w, n, k, b, { rt, mask, format });
          const y = s.forward(x, m);
          if (s.format === 'dense') expect(y).toEqual(want);
          else for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(want[i], 5);
          expect(s.nnz).toBe(mask.reduce((a, v) => a + v, 0));
          expect(s.weights()).toEqual(wm);
          if (format === 'auto') expect(s.timings!.csr).toBeGreaterThan(0);
          if (format === 'auto') expect(s.timings!.bsr).toBeGreaterThan(0);
        }
      }
    });

    it('SparseLinear in 8×1 blocks (bsr) equals a TypeScript reference bit for bit, in its order of summation', async () => {
      const rt = await rtFor(build);
      const r = rng(61);
      // reference: per output, tiles of 4 rows sum the kept blocks in order; other rows add groups of four blocks
      // summed pairwise, ((v0 + v1) + (v2 + v3)), then the last 0–3 blocks in order (the kernel's documented order),
      // then bias, then ReLU
      const ref = (wm: Float32Array, n: number, k: number, x: Float32Array, m: number, b: Float32Array | undefined, relu: boolean) => {
        const y = new Float32Array(m * n), f = Math.fround;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          const p = j >> 3, cols: number[] = [];
          for (let c = 0; c < k; c++) for (let t = p * 8; t < Math.min(n, p * 8 + 8); t++) if (wm[t * k + c] !== 0) { cols.push(c); break; }
          const v = cols.map((c) => f(x[i * k + c] * wm[j * k + c]));
          let s = 0, e = 0;
          if (i >= (m & ~3)) for (; e + 4 <= v.length; e += 4) s = f(s + f(f(v[e] + v[e + 1]) + f(v[e + 2] + v[e + 3])));
          for (; e < v.length; e++) s = f(s + v[e]);
          if (b) s = f(s + b[j]);
          y[i * n + j] = relu && !(s > 0) ? 0 : s;
        }
        return y;
      };
      for (const [m, k, n, density, relu] of [[1, 40, 9, 0.2, false], [6, 31, 17, 0.1, true], [9, 64, 24, 0.5, false], [4, 5, 3, 0.4, true], [2, 12, 8, 0, false]] as const) {
        const w = randomF32(n * k, r), b = randomF32(n, r), x = randomF32(m * k, r);
        const mask = Uint8Array.from({ length: n * k }, () => (r() < density ? 1 : 0));
        const wm = Float32Array.from(w, (v, i) => (mask[i] ? v : 0));
        for (const bias of [b, undefined]) {
          using s = SparseLinear.fromFloat(w, n, k, bias, { rt, mask, format: 'bsr', activation: relu ? 'relu' : 'none' });
          expect(s.format).toBe('bsr');
          expect(s.forward(x, m)).toEqual(ref(wm, n, k, x, m, bias, relu));
          expect(s.weights()).toEqual(wm);
          expect(s.bias()).toEqual(bias);
        }
      }
      // blockDensity: the fraction of 8×1 blocks (8 outputs of one input) holding a kept weight
      const n = 16, k = 4, w = new Float32Array(n * k);
      w[0 * k + 1] = 1; w[7 * k + 1] = 2; w[9 * k + 3] = 3; // blocks (panel 0, col 1) and (panel 1, col 3)
      using s = SparseLinear.fromFloat(w, n, k, undefined, { rt, format: 'bsr' });
      expect(s.blockDensity).toBe(2 / 8);
      expect(s.nnz).toBe(3);
      // the form survives a Sequential round trip
      const xs = randomF32(2 * k, r);
      using seq = new Sequential([SparseLinear.fromFloat(w, n, k, randomF32(n, r), { rt, format: 'bsr' })]);
      using back = Sequential.fromBytes(seq.toBytes(), { rt });
      expect((back.layers[0] as SparseLinear).format).toBe('bsr');
      expect(back.forward(xs, 2)).toEqual(seq.forward(xs, 2));
    });

    it('activations and LayerNorm match float64 references', async () => {
      const rt = await rtFor(build);
      const r = rng(7);
      const m = 3, k = 11;
      const x = randomF32(m * k, r, 4);
      const erf = (z: number) => {
        // high-precision series / continued fraction via Math functions: use the identity with a 1e-12 quadrature
        let s = 0;
        const N = 2000, h = z / N;
        for (let i = 0; i <= N; i++) s += (i === 0 || i === N ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
        return (2 / Math.sqrt(Math.PI)) * (s * h) / 3;
      };
      const cases: [import('../../src/index.node.js').Layer, (v: number) => number][] = [
        [new ReLU(0, { rt }), (v) => Math.max(v, 0)],
        [new GELU(k, { rt }), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
        [new GELU(0, { rt, approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
        [new Tanh(0, { rt }), Math.tanh],
        [new Sigmoid(0, { rt }), (v) => 1 / (1 + Math.exp(-v))],
      ];
      for (const [l, fn] of cases) {
        const y = l.forward(x, m);
        for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - fn(x[i])), `${l.kind} ${x[i]}`).toBeLessThan(2e-7 * Math.max(1, Math.abs(fn(x[i]))));
        l.dispose();
      }
      using sm = new Softmax(0, { rt });
      using lsm = new LogSoftmax(k, { rt });
      const g = randomF32(k, r), be = randomF32(k, r);
      using ln = LayerNorm.fromFloat(g, be, { rt, eps: 1e-5 });
      const ys = sm.forward(x, m), yl = lsm.forward(x, m), yn = ln.forward(x, m);
      for (let i = 0; i < m; i++) {
        const row = Array.from(x.subarray(i * k, (i + 1) * k));
        const mxv = Math.max(...row), se = row.reduce((a, v) => a + Math.exp(v - mxv), 0);
        const mu = row.reduce((a, v) => a + v, 0) / k, va = row.reduce((a, v) => a + (v - mu) ** 2, 0) / k;
        for (let c = 0; c < k; c++) {
          expect(ys[i * k + c]).toBeCloseTo(Math.exp(row[c] - mxv) / se, 6);
          expect(yl[i * k + c]).toBeCloseTo(row[c] - mxv - Math.log(se), 5);
          expect(yn[i * k + c]).toBeCloseTo(((row[c] - mu) / Math.sqrt(va + 1e-5)) * g[c] + be[c], 5);
        }
      }
    });

    it('EmbeddingBag: mean / sum / weighted bags over f32 and quantized tables', async () => {
      const rt = await rtFor(build);
      const r = rng(8);
      const rows = 20, d = 6;
      const data = randomF32(rows * d, r);
      using t = DenseMatrix.from(data, rows, d, rt);
      const idx = [1, 4, 4, 19, 0, 7], off = [0, 3, 3, 5];
      const bagRows = [[1, 4, 4], [], [19, 0], [7]];
      const sumOf = (rs: number[], ws?: number[]) => Array.from({ length: d }, (_, c) => rs.reduce((a, row, i) => a + (ws ? ws[i] : 1) * data[row * d + c], 0));
      const mean = new EmbeddingBag(t).forward(idx, off);
      const sum = new EmbeddingBag(t, { mode: 'sum' }).forward(idx, off);
      const pw = [0.5, 2, -1, 1, 3, 0.25];
      const wsum = new EmbeddingBag(t, { mode: 'sum' }).forward(idx, off, pw);
      let o = 0;
      bagRows.forEach((rs, b) => {
        const s = sumOf(rs), ws = sumOf(rs, pw.slice(o, o + rs.length));
        o += rs.length;
        for (let c = 0; c < d; c++) {
          expect(sum[b * d + c]).toBeCloseTo(s[c], 5);
          expect(mean[b * d + c]).toBeCloseTo(rs.length ? s[c] / rs.length : 0, 5);
          expect(wsum[b * d + c]).toBeCloseTo(ws[c], 5);
        }
      });
      expect(code(() => new EmbeddingBag(t).forward([20]))).toBe('E_SHAPE');
      expect(code(() => new EmbeddingBag(t).forward([1], undefined, [1]))).toBe('E_OPTION');
    });

    it('bad shapes, NaN input and bad options are QuantextErrors', async () => {
      const rt = await rtFor(build);
      expect(code(() => Linear.fromFloat(new Float32Array(5), 2, 3, undefined, { rt }))).toBe('E_SHAPE');
      expect(code(() => Linear.fromFloat(new Float32Array(6), 2, 3, new Float32Array(3), { rt }))).toBe('E_SHAPE');
      expect(code(() => Linear.fromFloat(Float32Array.from([1, NaN, 0, 0, 0, 0]), 2, 3, undefined, { rt }))).toBe('E_NAN');
      expect(code(() => Int8Linear.fromFloat(new Float32Array(6), 2, 3, undefined, { rt, activations: 'static' }))).toBe('E_OPTION');
      using l = Linear.fromFloat(new Float32Array(6), 2, 3, undefined, { rt });
      expect(code(() => l.forward(new Float32Array(4)))).toBe('E_SHAPE');
      expect(code(() => l.forward(new Float32Array(6), 3))).toBe('E_SHAPE');
      expect(code(() => l.forward(new Float32Array(3), 0))).toBe('E_SHAPE');
      expect(code(() => l.forwardInto(new Float32Array(3), new Float32Array(1)))).toBe('E_SHAPE');
      expect(code(() => l.forward(Float32Array.from([1, Infinity, 0])))).toBe('E_NAN');
      using q = Int8Linear.fromFloat(new Float32Array(6), 2, 3, undefined, { rt });
      expect(code(() => q.forward(Float32Array.from([1, NaN, 0])))).toBe('E_NAN');
      expect(code(() => new Sequential([Linear.fromFloat(new Float32Array(6), 2, 3, undefined, { rt }), Linear.fromFloat(new Float32Array(6), 2, 3, undefined, { rt })]))).toBe('E_SHAPE');
      l.dispose();
      expect(code(() => l.forward(new Float32Array(3)))).toBe('E_DISPOSED');
    });
  });
}
