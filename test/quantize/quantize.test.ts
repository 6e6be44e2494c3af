// The public quantizers (src/quantize/) against plain-TypeScript references with exact integer codes.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { QuantextError } from '../../src/errors.js';
import {
  quantize, dequantize, uniformQuantize, errorReport, toFloat16, fromFloat16, trainPQ, dequantizePQ, type QuantizedTensor,
} from '../../src/quantize/index.js';
import { roundEven, clamp, quantRef, dequantRef, f16Ref, bf16Ref } from './reference.js';

const f = Math.fround;
const EXAMPLE = new Float32Array([0.5, -1.27, 0, 0.3175, 1.0, -0.635]);

/** Independent reference of min–max calibration + affine quantization, returning unpacked codes. */
function refAffine(x: Float32Array, rows: number, cols: number, o: { qmin: number; qmax: number; perRow: boolean; symmetric: boolean; unsigned?: boolean }) {
  const groups = o.perRow ? rows : 1, size = o.perRow ? cols : rows * cols;
  const scales = new Float32Array(groups), zps = new Int32Array(groups), codes = new Int32Array(rows * cols);
  for (let g = 0; g < groups; g++) {
    const v = x.subarray(g * size, (g + 1) * size);
    let lo = Infinity, hi = -Infinity;
    for (const t of v) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
    let s: number, z: number;
    if (o.symmetric) {
      const a = Math.max(Math.abs(lo), Math.abs(hi));
      s = f(a / (o.unsigned ? 127 : o.qmax)); z = o.unsigned ? 128 : 0;
      if (!(s > 0)) s = 1;
    } else {
      const l = Math.min(lo, 0), h = Math.max(hi, 0);
      s = f((h - l) / (o.qmax - o.qmin));
      if (!(s > 0)) { s = 1; z = clamp(0, o.qmin, o.qmax); } else z = clamp(roundEven(o.qmin - f(l / s)), o.qmin, o.qmax);
    }
    scales[g] = s; zps[g] = z;
    for (let i = 0; i < size; i++) codes[g * size + i] = quantRef(v[i], s, z, o.qmin, o.qmax);
  }
  return { scales, zps, codes };
}

/** Unpacks stored codes (per docs/quantization.md §3) into one integer per value. */
function unpackCodes(q: QuantizedTensor): Int32Array {
  const out = new Int32Array(q.rows * q.cols);
  const bits = q.scheme === 'ternary' ? 2 : q.bits;
  const per = q.scheme === 'int4' || q.scheme === 'int2' || q.scheme === 'ternary' || (q.scheme === 'int' && (bits === 4 || bits === 2)) ? 8 / bits : 1;
  for (let i = 0; i < q.rows; i++) for (let j = 0; j < q.cols; j++) {
    if (per === 1) out[i * q.cols + j] = q.codes[i * q.cols + j];
    else {
      const b = q.codes[i * q.rowBytes + Math.floor(j / per)];
      const v = (b >> (bits * (j % per))) & ((1 << bits) - 1);
      out[i * q.cols + j] = (v << (32 - bits)) >> (32 - bits);
    }
  }
  return out;
}

describe.each(BUILDS)('quantize API, %s build', (build) => {
  it('reproduces the worked example of docs/quantization.md', async () => {
    const rt = await rtFor(build);
    const q8 = quantize(EXAMPLE, { scheme: 'int8', rt });
    expect(Array.from(q8.codes)).toEqual([50, -127, 0, 32, 100, -64]);
    expect(q8.scales[0]).toBe(f(0.01));
    expect(Array.from(dequantize(q8, { rt }))).toEqual([0.5, -1.27, 0, 0.32, 1, -0.64].map(f));
    const rep = errorReport(EXAMPLE, q8, { rt });
    expect(rep.maxAbsError).toBeCloseTo(0.005, 6);
    expect(rep.sqnrDb).toBeCloseTo(50.32, 1);
    expect(rep.bytesBefore).toBe(24);
    expect(rep.bytesAfter).toBe(6 + 4);
    const u8 = quantize(EXAMPLE, { scheme: 'uint8', rt });
    expect(u8.symmetric).toBe(false);
    expect(u8.zeroPoints[0]).toBe(143);
    expect(Array.from(u8.codes)).toEqual([199, 0, 143, 179, 255, 72]);
    expect(dequantize(u8, { rt })[2]).toBe(0);
    expect(errorReport(EXAMPLE, u8, { rt }).bytesAfter).toBe(6 + 4 + 4);
    const q4 = quantize(EXAMPLE, { scheme: 'int4', rt });
    expect(Array.from(q4.codes)).toEqual([0x93, 0x20, 0xc6]);
    expect(q4.rowBytes).toBe(3);
    const b = quantize(EXAMPLE, { scheme: 'binary', rt });
    expect(Array.from(b.codes)).toEqual([0x1d]);
    expect(b.scales[0]).toBe(f((0.5 + 1.27 + 0 + 0.3175 + 1 + 0.635) / 6));
  });

  it('every integer scheme matches the reference codes exactly (per tensor / per row, sym / asym)', async () => {
    const rt = await rtFor(build);
    const r = rng(31);
    for (const [rows, cols] of [[1, 1], [3, 5], [7, 33], [4, 100]]) {
      const x = randomF32(rows * cols, r, 2);
      for (let j = 0; j < cols; j++) x[j] += 0.7; // a shifted row: asymmetric ranges differ from symmetric ones
      for (const [scheme, bits, qmin, qmax] of [['int8', 8, -128, 127], ['uint8', 8, 0, 255], ['int4', 4, -8, 7], ['int2', 2, -2, 1],
        ['int', 3, -4, 3], ['int', 6, -32, 31], ['int', 4, -8, 7]] as const) {
        for (const perRow of [false, true]) for (const symmetric of [true, false]) {
          const q = quantize(x, { scheme, bits: scheme === 'int' ? bits : undefined, rows, cols, perRow, symmetric, rt });
          const want = refAffine(x, rows, cols, { qmin, qmax, perRow, symmetric, unsigned: scheme === 'uint8' });
          expect(Array.from(q.scales)).toEqual(Array.from(want.scales));
          expect(Array.from(q.zeroPoints)).toEqual(Array.from(want.zps));
          expect(Array.from(unpackCodes(q))).toEqual(Array.from(want.codes));
          // dequantize: s·(q − z) exactly
          const y = dequantize(q, { rt });
          for (let i = 0; i < rows * cols; i++) {
            const g = perRow ? Math.floor(i / cols) : 0;
            expect(y[i]).toBe(dequantRef(want.codes[i], want.scales[g], want.zps[g]));
          }
          // round trip: in-range values come back within half a step
          const rep = errorReport(x, q, { rt });
          expect(rep.maxAbsError).toBeLessThanOrEqual(Math.max(...want.scales) / 2 * (1 + 1e-6));
          expect(rep.saturatedFraction).toBe(0);
        }
      }
    }
  });

  it('round trip is idempotent: quantizing the dequantized tensor gives the same codes', async () => {
    const rt = await rtFor(build);
    const x = randomF32(40 * 17, rng(32), 3);
    for (const scheme of ['int8', 'int4', 'uint8'] as const) {
      const q = quantize(x, { scheme, rows: 40, cols: 17, perRow: true, rt });
      const q2 = quantize(dequantize(q, { rt }), { scheme, rows: 40, cols: 17, perRow: true, rt });
      expect(Array.from(q2.codes)).toEqual(Array.from(q.codes));
    }
  });

  it('ties go to even and saturation clamps at −128/127 and −8/7', async () => {
    const rt = await rtFor(build);
    // absmax 127 → scale exactly 1
    const x = new Float32Array([127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5]);
    expect(Array.from(quantize(x, { rt }).codes)).toEqual([127, 0, 2, 2, 0, -2, -2, 126]);
    // percentile calibration clips the outliers: they saturate at the code bounds
    const r = rng(33);
    const y = randomF32(2000, r, 1);
    y[5] = 50; y[77] = -60;
    const q8 = quantize(y, { calibration: 'percentile', percentile: 99.5, rt });
    expect(q8.codes[5]).toBe(127);
    expect(q8.codes[77]).toBe(-128);
    const q4 = quantize(y, { scheme: 'int4', calibration: 'percentile', percentile: 99.5, rt });
    expect(unpackCodes(q4)[5]).toBe(7);
    expect(unpackCodes(q4)[77]).toBe(-8);
    // the saturated fraction counts exactly the values beyond the representable range ± s/2
    const s = q8.scales[0];
    const outside = Array.from(y).filter((v) => v < s * -128.5 || v > s * 127.5).length;
    expect(outside).toBeGreaterThan(0);
    expect(errorReport(y, q8, { rt }).saturatedFraction).toBe(outside / y.length);
  });

  it('percentile calibration equals a numpy-style linear percentile', async () => {
    const rt = await rtFor(build);
    const y = randomF32(1001, rng(34), 2);
    const sorted = Array.from(y, Math.abs).sort((a, b) => a - b);
    const pos = 0.99 * 1000;
    const want = sorted[Math.floor(pos)] + (pos - Math.floor(pos)) * (sorted[Math.floor(pos) + 1] - sorted[Math.floor(pos)]);
    const q = quantize(y, { calibration: 'percentile', percentile: 99, rt });
    expect(q.scales[0]).toBe(f(f(want) / 127));
    const qa = quantize(y, { calibration: 'percentile', percentile: 99, symmetric: false, rt });
    const s2 = Array.from(y).sort((a, b) => a - b);
    const lo = s2[Math.floor(0.01 * 1000)] + (0.01 * 1000 - Math.floor(0.01 * 1000)) * (s2[Math.floor(0.01 * 1000) + 1] - s2[Math.floor(0.01 * 1000)]);
    const hi = s2[Math.floor(pos)] + (pos - Math.floor(pos)) * (s2[Math.floor(pos) + 1] - s2[Math.floor(pos)]);
    expect(qa.scales[0]).toBe(f((f(hi) - Math.min(f(lo), 0)) / 255));
  });

  it('MSE calibration picks the grid clipping with the least error (per row and per tensor)', async () => {
    const rt = await rtFor(build);
    const r = rng(35);
    const rows = 6, cols = 200;
    // heavy tails: Laplace-like values with a few outliers, where clipping helps
    const x = new Float32Array(rows * cols).map(() => { const u = r() - 0.5; return f(-Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * 0.3); });
    for (let i = 0; i < rows; i++) x[i * cols + 3] = 8;
    for (const perRow of [true, false]) {
      const opts = { scheme: 'int4' as const, rows, cols, perRow, rt };
      const qm = quantize(x, { ...opts, calibration: 'mse' });
      const q0 = quantize(x, opts);
      expect(errorReport(x, qm, { rt }).mse).toBeLessThan(errorReport(x, q0, { rt }).mse);
      // the chosen scale is on the grid and within rounding of the grid's best (float64 brute force)
      const groups = perRow ? rows : 1, size = perRow ? cols : rows * cols;
      for (let g = 0; g < groups; g++) {
        const v = x.subarray(g * size, (g + 1) * size);
        const a = Math.max(...Array.from(v, Math.abs));
        let bestErr = Infinity;
        const errs: number[] = [];
        for (let c = 0; c < 64; c++) {
          const s = f(a * (1 - (c * 0.8) / 63) / 7);
          let e = 0;
          for (const t of v) e += (t - dequantRef(quantRef(t, s, 0, -8, 7), s, 0)) ** 2;
          errs.push(e);
          bestErr = Math.min(bestErr, e);
        }
        const s = qm.scales[g];
        let e = 0;
        for (const t of v) e += (t - dequantRef(quantRef(t, s, 0, -8, 7), s, 0)) ** 2;
        expect(e).toBeLessThanOrEqual(bestErr * (1 + 1e-4));
      }
    }
  });

  it('a zero row gets scale 1 and zero codes: no NaN anywhere', async () => {
    const rt = await rtFor(build);
    const x = randomF32(4 * 9, rng(36));
    for (let j = 0; j < 9; j++) x[9 + j] = 0;
    for (const scheme of ['int8', 'uint8', 'int4', 'binary', 'ternary'] as const) for (const symmetric of scheme === 'binary' || scheme === 'ternary' ? [true] : [true, false]) {
      const q = quantize(x, { scheme, rows: 4, cols: 9, perRow: true, symmetric, rt });
      const y = dequantize(q, { rt });
      for (let j = 0; j < 9; j++) expect(y[9 + j] === 0 || (scheme === 'binary' && Math.abs(y[9 + j]) === 0)).toBe(true);
      expect(Array.from(y).every(Number.isFinite)).toBe(true);
      const rep = errorReport(x, q, { rt });
      expect(Number.isFinite(rep.mse) && Number.isFinite(rep.meanCosine)).toBe(true);
      if (scheme !== 'binary' && scheme !== 'ternary') expect(q.scales[1]).toBe(1);
    }
  });

  it('stochastic rounding is seeded, takes floor or ceil, and is unbiased on average', async () => {
    const rt = await rtFor(build);
    const r = rng(37);
    const x = randomF32(64, r, 1);
    x[0] = 1; // absmax 1 → s = 1/127
    const a = quantize(x, { rounding: 'stochastic', seed: 5, rt }), b = quantize(x, { rounding: 'stochastic', seed: 5, rt });
    expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
    const s = a.scales[0];
    const mean = new Float64Array(64);
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const q = quantize(x, { rounding: 'stochastic', seed: t, rt });
      for (let i = 0; i < 64; i++) {
        const v = f(x[i] / s);
        expect(q.codes[i] === Math.floor(v) || q.codes[i] === Math.ceil(v)).toBe(true);
        mean[i] += q.codes[i] / trials;
      }
    }
    // E[q] = x/s: the mean over 400 draws is within 4σ (σ ≤ 0.5/√400 = 0.025)
    for (let i = 0; i < 64; i++) expect(Math.abs(mean[i] - f(x[i] / s))).toBeLessThan(0.1);
    // nearest rounding is biased on this value, stochastic is not
    const c = new Float32Array(1000).fill(f(0.3 / 127));
    c[0] = 1;
    const sr = quantize(c, { rounding: 'stochastic', seed: 9, rt });
    const m = Array.from(sr.codes).slice(1).reduce((p, v) => p + v, 0) / 999;
    expect(Math.abs(m - 0.3)).toBeLessThan(4 * Math.sqrt(0.21 / 999));
    expect(quantize(c, { rt }).codes[1]).toBe(0);
  });

  it('ternary (TWN) and binary follow their definitions', async () => {
    const rt = await rtFor(build);
    const rows = 5, cols = 23;
    const x = randomF32(rows * cols, rng(38), 2);
    const t = quantize(x, { scheme: 'ternary', rows, cols, perRow: true, rt });
    const codes = unpackCodes(t);
    for (let i = 0; i < rows; i++) {
      const v = x.subarray(i * cols, (i + 1) * cols);
      const mean = Array.from(v).reduce((s, a) => s + Math.abs(a), 0) / cols;
      const delta = f(f(0.7) * f(mean));
      const big = Array.from(v).filter((a) => Math.abs(a) > delta);
      expect(t.scales[i]).toBe(f(big.reduce((s, a) => s + Math.abs(a), 0) / big.length));
      for (let j = 0; j < cols; j++) expect(codes[i * cols + j]).toBe(v[j] > delta ? 1 : v[j] < -delta ? -1 : 0);
    }
    const b = quantize(x, { scheme: 'binary', rows, cols, perRow: true, rt });
    const y = dequantize(b, { rt });
    for (let i = 0; i < rows * cols; i++) expect(y[i]).toBe(x[i] >= 0 ? b.scales[Math.floor(i / cols)] : -b.scales[Math.floor(i / cols)]);
    expect(b.codes.length).toBe(rows * 3);
  });

  it('fp16 and bf16 round to nearest even; fp16 overflow is an error naming the index', async () => {
    const rt = await rtFor(build);
    const x = randomF32(500, rng(39), 1000);
    x[0] = 65504; x[1] = 65519.99; x[2] = 2 ** -25; x[3] = 3 * 2 ** -25; x[4] = -0;
    const h = toFloat16(x, { rt });
    for (let i = 0; i < x.length; i++) expect(h[i]).toBe(f16Ref(x[i]));
    const back = fromFloat16(h, { rt });
    expect(back[0]).toBe(65504);
    expect(back[1]).toBe(65504);
    expect(Object.is(back[4], -0)).toBe(true);
    const qb = quantize(x, { scheme: 'bf16', rt });
    for (let i = 0; i < x.length; i++) expect(qb.codes[i]).toBe(bf16Ref(x[i]));
    expect(Array.from(dequantize(qb, { rt }))).toEqual(Array.from(fromFloat16(qb.codes as Uint16Array, { rt, bf16: true })));
    x[7] = -70000;
    try {
      quantize(x, { scheme: 'fp16', rt });
      expect.unreachable();
    } catch (e) {
      expect((e as QuantextError).code).toBe('E_TOO_LARGE');
      expect((e as QuantextError).message).toContain('index 7');
    }
    const rep = errorReport(x.map((v, i) => (i === 7 ? 1 : v)), quantize(x.map((v, i) => (i === 7 ? 1 : v)), { scheme: 'fp16', rt }), { rt });
    expect(rep.bytesAfter).toBe(1000);
    expect(rep.sqnrDb).toBeGreaterThan(60);
  });

  it('NaN/Inf: E_NAN names the first bad index; nan: "zero" quantizes them as 0', async () => {
    const rt = await rtFor(build);
    const x = randomF32(100, rng(40));
    x[42] = NaN; x[60] = Infinity;
    for (const scheme of ['int8', 'int4', 'binary', 'fp16', 'ternary'] as const) {
      try {
        quantize(x, { scheme, rt });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(QuantextError);
        expect((e as QuantextError).code).toBe('E_NAN');
        expect((e as QuantextError).details?.index).toBe(42);
        expect((e as QuantextError).message).toContain('index 42');
      }
    }
    expect(() => trainPQ(x, 10, 10, { ksub: 4, rt })).toThrowError(/index 42/);
    expect(() => uniformQuantize(x, { step: 0.1, rt })).toThrowError(/index 42/);
    const q = quantize(x, { nan: 'zero', rt });
    expect(q.codes[42]).toBe(0);
    expect(q.codes[60]).toBe(0);
    const clean = x.map((v) => (Number.isFinite(v) ? v : 0));
    expect(Array.from(q.codes)).toEqual(Array.from(quantize(clean, { rt }).codes));
  });

  it('uniformQuantize is round(x/L)·L, and with bits/range equals symmetric int8 dequantized', async () => {
    const rt = await rtFor(build);
    expect(Array.from(uniformQuantize([0.26, -0.74, 1.25, 0.75, -0.25], { step: 0.5, rt }))).toEqual([0.5, -0.5, 1, 1, -0]);
    const x = randomF32(300, rng(41), 4);
    const a = Math.max(...Array.from(x, Math.abs));
    expect(Array.from(uniformQuantize(x, { bits: 8, range: a, rt }), (v) => v + 0)).toEqual(Array.from(dequantize(quantize(x, { rt }), { rt })));
    const u = uniformQuantize(x, { step: 0.37, rt });
    for (let i = 0; i < x.length; i++) expect(u[i]).toBe(f(roundEven(f(x[i] / f(0.37))) * f(0.37)));
    // bits/range clamps the level
    expect(Array.from(uniformQuantize([10, -10, 0.4], { bits: 2, range: 1, rt }))).toEqual([1, -2, 0]);
    expect(() => uniformQuantize(x, { step: 0, rt })).toThrowError(/step/);
  });

  it('errorReport equals float64 references (mse, SQNR, max error, mean cosine, bytes)', async () => {
    const rt = await rtFor(build);
    const rows = 8, cols = 31;
    const x = randomF32(rows * cols, rng(42), 2);
    for (let j = 0; j < cols; j++) x[3 * cols + j] = 0;
    const q = quantize(x, { scheme: 'int4', rows, cols, perRow: true, rt });
    const y = dequantize(q, { rt });
    let se = 0, sx = 0, mx = 0, cs = 0;
    for (let i = 0; i < rows; i++) {
      let xy = 0, xx = 0, yy = 0;
      for (let j = 0; j < cols; j++) {
        const a = x[i * cols + j], b = y[i * cols + j];
        se += (a - b) ** 2; sx += a * a; mx = Math.max(mx, Math.abs(a - b)); xy += a * b; xx += a * a; yy += b * b;
      }
      cs += xx === 0 && yy === 0 ? 1 : xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
    }
    const rep = errorReport(x, q, { rt });
    expect(rep.mse).toBeCloseTo(se / (rows * cols), 12);
    expect(rep.sqnrDb).toBeCloseTo(10 * Math.log10(sx / se), 9);
    expect(rep.maxAbsError).toBe(mx);
    expect(rep.meanCosine).toBeCloseTo(cs / rows, 12);
    expect(rep.bytesBefore).toBe(rows * cols * 4);
    expect(rep.bytesAfter).toBe(rows * 16 + rows * 4);
    // binary codes count their bits (as a BinaryMatrix holds them), not the record's rows padded to whole bytes
    const b = quantize(x, { scheme: 'binary', rows, cols, perRow: true, rt });
    expect(b.codes.length).toBe(rows * 4);
    expect(errorReport(x, b, { rt }).bytesAfter).toBe(Math.ceil((rows * cols) / 8) + rows * 4);
    expect(() => errorReport(x.subarray(1), q, { rt })).toThrowError(QuantextError);
  });

  it('rejects bad options with E_OPTION / E_SHAPE naming the option', async () => {
    const rt = await rtFor(build);
    const x = new Float32Array(12);
    const code = (fn: () => unknown) => { try { fn(); } catch (e) { return [(e as QuantextError).code, (e as QuantextError).details?.option]; } return null; };
    expect(code(() => quantize(x, { scheme: 'int3' as never, rt }))).toEqual(['E_OPTION', 'scheme']);
    expect(code(() => quantize(x, { scheme: 'int8', bits: 4, rt }))).toEqual(['E_OPTION', 'bits']);
    expect(code(() => quantize(x, { scheme: 'int', bits: 9, rt }))).toEqual(['E_OPTION', 'bits']);
    expect(code(() => quantize(x, { perRow: true, rt }))).toEqual(['E_OPTION', 'perRow']);
    expect(code(() => quantize(x, { rows: 5, rt }))?.[0]).toBe('E_SHAPE');
    expect(code(() => quantize(x, { rounding: 'up' as never, rt }))).toEqual(['E_OPTION', 'rounding']);
    expect(code(() => quantize(x, { calibration: 'kl' as never, rt }))).toEqual(['E_OPTION', 'calibration']);
    expect(code(() => quantize(x, { percentile: 30, rt }))).toEqual(['E_OPTION', 'percentile']);
    expect(code(() => quantize(x, { scheme: 'binary', rounding: 'stochastic', rt }))).toEqual(['E_OPTION', 'rounding']);
    expect(code(() => quantize(x, { colz: 3, rt } as never))).toEqual(['E_OPTION', 'colz']);
    expect(code(() => trainPQ(x, 3, 4, { dsub: 5, rt }))).toEqual(['E_OPTION', 'dsub']);
    expect(code(() => trainPQ(new Float32Array(0), 0, 4, { rt }))?.[0]).toBe('E_EMPTY');
  });

  it('PQ k-means recovers planted clusters, encodes, decodes; qnorm quantizes the norms', async () => {
    const rt = await rtFor(build);
    const r = rng(43);
    // 8 cluster centres in each of two 2-d sub-spaces; rows pick a centre per sub-space and add small noise
    const cols = 4, rows = 800, k = 8;
    const centres = [randomF32(k * 2, r, 5), randomF32(k * 2, r, 5)];
    const label = new Int32Array(rows * 2);
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let m = 0; m < 2; m++) {
      const c = i < 16 ? i % k : Math.floor(r() * k); // every centre is used
      label[i * 2 + m] = c;
      for (let j = 0; j < 2; j++) x[i * cols + m * 2 + j] = centres[m][c * 2 + j] + (r() - 0.5) * 0.01;
    }
    const pq = trainPQ(x, rows, cols, { dsub: 2, ksub: k, iters: 20, seed: 3, rt });
    expect(pq.nsub).toBe(2);
    expect(pq.codes.length).toBe(rows * 2);
    for (let m = 0; m < 2; m++) {
      // the code partition equals the planted partition (a bijection between labels and codes)
      const map = new Map<number, number>();
      for (let i = 0; i < rows; i++) {
        const l = label[i * 2 + m], c = pq.codes[i * 2 + m];
        if (!map.has(l)) map.set(l, c);
        expect(map.get(l)).toBe(c);
      }
      expect(new Set(map.values()).size).toBe(k);
    }
    const y = dequantizePQ(pq, { rt });
    for (let i = 0; i < rows * cols; i++) expect(Math.abs(y[i] - x[i])).toBeLessThan(0.02);
    const rep = errorReport(x, pq, { rt });
    expect(rep.meanCosine).toBeGreaterThan(0.999);
    expect(rep.bytesAfter).toBe(rows * 2 + k * cols * 4);
    // deterministic for a seed
    expect(Array.from(trainPQ(x, rows, cols, { dsub: 2, ksub: k, iters: 20, seed: 3, rt }).codebook)).toEqual(Array.from(pq.codebook));
    // qnorm: unit rows are PQ-coded, norms separately; decoded norms are close to the real ones
    const pn = trainPQ(x, rows, cols, { dsub: 2, ksub: 64, iters: 10, seed: 1, qnorm: true, rt });
    expect(pn.normCodes.length).toBe(rows);
    const yn = dequantizePQ(pn, { rt });
    for (let i = 0; i < rows; i++) {
      let a = 0, b = 0;
      for (let j = 0; j < cols; j++) { a += x[i * cols + j] ** 2; b += yn[i * cols + j] ** 2; }
      expect(Math.abs(Math.sqrt(a) - Math.sqrt(b)) / Math.sqrt(a)).toBeLessThan(0.1);
    }
    // fewer rows than ksub: ksub shrinks to the row count
    expect(trainPQ(x.subarray(0, 40), 10, 4, { rt }).ksub).toBe(10);
  });

  it('PQ samples at most ksub·maxPointsPerCluster training rows and still encodes every row', async () => {
    const rt = await rtFor(build);
    const rows = 300, cols = 6;
    const x = randomF32(rows * cols, rng(44));
    const pq = trainPQ(x, rows, cols, { dsub: 3, ksub: 4, maxPointsPerCluster: 10, iters: 5, seed: 2, rt });
    expect(pq.codes.length).toBe(rows * 2);
    // every code is the nearest centroid of its sub-vector
    for (let i = 0; i < rows; i++) for (let m = 0; m < 2; m++) {
      let best = -1, bd = Infinity;
      for (let c = 0; c < 4; c++) {
        let d = 0;
        for (let j = 0; j < 3; j++) d = f(d + f(f(pq.codebook[m * 4 * 3 + c * 3 + j] - x[i * cols + m * 3 + j]) ** 2));
        if (d < bd) { bd = d; best = c; }
      }
      expect(pq.codes[i * 2 + m]).toBe(best);
    }
  });
});
