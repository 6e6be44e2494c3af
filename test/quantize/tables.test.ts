// Quantized tables (src/vectors/tables/): the Matrix interface over fp16, int8, int4, binary and PQ codes,
// checked against plain-TypeScript references built from the same codes, plus search quality and reranking.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32, close } from '../helpers.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { QuantextError } from '../../src/errors.js';
import { DenseMatrix, type Matrix } from '../../src/vectors/matrix.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { quantize, dequantize, trainPQ, dequantizePQ } from '../../src/quantize/index.js';
import {
  quantizeMatrix, tableFromTensor, tableToTensor, rerank, twoStageSearch, BinaryMatrix, Int8Matrix, Int4Matrix, PQMatrix, F16Matrix, type TableScheme,
} from '../../src/vectors/tables/index.js';
import { dot, popcount8, quantRef, roundEven, clamp, f16Ref, f16Value } from './reference.js';
import type { PQTensor } from '../../src/quantize/pq.js';

const f = Math.fround;

/** Rows of a table scored in one call, as a JS array. */
function scores(m: Matrix, q: Float32Array, rowLimit?: number): Float32Array {
  const rt = m.rt;
  const pq = rt.arena.put(q), po = rt.arena.alloc(m.rows * 4 + 16);
  m.scoreRows(pq, po, rowLimit);
  const out = rt.arena.f32(po, rowLimit ?? m.rows).slice();
  rt.arena.free(pq); rt.arena.free(po);
  return out;
}
function norms(m: Matrix): Float32Array {
  const po = m.rt.arena.alloc(m.rows * 4 + 16);
  m.rowNorms(po);
  const out = m.rt.arena.f32(po, m.rows).slice();
  m.rt.arena.free(po);
  return out;
}
const topk = (s: ArrayLike<number>, k: number) => Array.from(s, (v, i) => [v, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map((p) => p[1]);
const decodedRows = (m: Matrix) => { const out = new Float32Array(m.rows * m.cols); for (let i = 0; i < m.rows; i++) m.decodeRow(i, out.subarray(i * m.cols, (i + 1) * m.cols)); return out; };

/** Vectors with cluster structure, like embeddings (near neighbours are well separated from the rest). */
function clustered(rows: number, cols: number, r: () => number, centres = 50): Float32Array {
  const c = randomF32(centres * cols, r, 1);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const k = Math.floor(r() * centres);
    for (let j = 0; j < cols; j++) x[i * cols + j] = c[k * cols + j] + (r() * 2 - 1) * 0.6;
  }
  return x;
}

// ---- independent TypeScript references of the tables (docs/quantization.md §1.2, §1.4, §1.7, §3), written from the
// maths and byte layouts, not from the kernels: quantize, pack, decode and score.

/** Column means μ (f64 sums in row order, rounded to f32), as a centred table stores them. */
function refColumnMeans(x: Float32Array, rows: number, cols: number): Float32Array {
  const mu = new Float32Array(cols);
  for (let j = 0; j < cols; j++) { let s = 0; for (let i = 0; i < rows; i++) s += x[i * cols + j]; mu[j] = f(s / rows); }
  return mu;
}

interface RefAffine { q: Int32Array; packed: Uint8Array; rowBytes: number; scales: Float32Array; zps: Int32Array; mu: Float32Array | null; decoded: Float32Array }

/**
 * A per-row int8/int4 table: x − μ (centred) quantized with s = max|x_r|/qmax (symmetric) or s = (max(hi,0) − min(lo,0))/(qmax − qmin),
 * z = clamp(round(qmin − min(lo,0)/s)) (asymmetric); q = clamp(round(x/s) + z); int4 packed two per byte, element 2k in the low
 * nibble; decoded to μ + s·(q − z).
 */
function refAffine(x: Float32Array, rows: number, cols: number, bits: 4 | 8, symmetric: boolean, center: boolean): RefAffine {
  const qmin = bits === 4 ? -8 : -128, qmax = bits === 4 ? 7 : 127;
  const mu = center ? refColumnMeans(x, rows, cols) : null;
  const xc = mu ? x.map((v, i) => f(v - mu[i % cols])) : x;
  const rowBytes = bits === 4 ? (cols + 1) >> 1 : cols;
  const q = new Int32Array(rows * cols), packed = new Uint8Array(rows * rowBytes), scales = new Float32Array(rows), zps = new Int32Array(rows);
  const decoded = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = xc.subarray(r * cols, (r + 1) * cols);
    let s: number, z = 0;
    if (symmetric) {
      s = f(Math.max(...Array.from(row, Math.abs)) / qmax);
      if (!(s > 0)) s = 1;
    } else {
      const l = Math.min(0, ...row), h = Math.max(0, ...row);
      s = f((h - l) / (qmax - qmin));
      if (!(s > 0)) s = 1;
      else z = clamp(roundEven(qmin - f(l / s)), qmin, qmax);
    }
    scales[r] = s; zps[r] = z;
    for (let j = 0; j < cols; j++) {
      const c = clamp(roundEven(f(row[j] / s)) + z, qmin, qmax);
      q[r * cols + j] = c;
      if (bits === 4) packed[r * rowBytes + (j >> 1)] |= (c & 15) << (4 * (j & 1));
      else packed[r * rowBytes + j] = c & 255;
      decoded[r * cols + j] = mu ? f(f(s * (c - z)) + mu[j]) : f(s * (c - z));
    }
  }
  return { q, packed, rowBytes, scales, zps, mu, decoded };
}

/** The score an int8/int4 table gives: the query quantized symmetrically to int8 (s_q = max|q|/127), then s_r·s_q·(Σ q_c·q̃ − z_r·Σ q̃) + bias. */
function refAffineScores(t: RefAffine, rows: number, cols: number, q: Float32Array, bias: number): Float32Array {
  const qs = f(Math.max(...Array.from(q, Math.abs)) / 127);
  const qq = Array.from(q, (v) => quantRef(v, qs, 0, -127, 127));
  const qsum = qq.reduce((a, b) => a + b, 0);
  return Float32Array.from({ length: rows }, (_, r) => {
    let d = 0;
    for (let j = 0; j < cols; j++) d += t.q[r * cols + j] * qq[j];
    return f(f(f(t.scales[r] * qs) * f(d - t.zps[r] * qsum)) + f(bias));
  });
}

/** A binary table: bits of x − μ (1 for ≥ 0, bit j of byte j/8 in a byte-aligned row), α = mean|x − μ| per row (or over the tensor), decoded to μ ± α. */
function refBinary(x: Float32Array, rows: number, cols: number, perRow: boolean, center: boolean) {
  const mu = center ? refColumnMeans(x, rows, cols) : null;
  const xc = mu ? x.map((v, i) => f(v - mu[i % cols])) : x;
  const rowBytes = (cols + 7) >> 3;
  const bits = new Uint8Array(rows * rowBytes);
  let all = 0;
  const alphas = new Float32Array(perRow ? rows : 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = xc[r * cols + j];
      s += Math.abs(v);
      if (v >= 0) bits[r * rowBytes + (j >> 3)] |= 1 << (j & 7);
    }
    all += s;
    if (perRow) alphas[r] = f(s / cols);
  }
  if (!perRow) alphas[0] = f(all / (rows * cols));
  const decoded = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) {
    const a = alphas[perRow ? r : 0], v = (bits[r * rowBytes + (j >> 3)] >> (j & 7)) & 1 ? a : -a;
    decoded[r * cols + j] = mu ? f(mu[j] + v) : v;
  }
  return { bits, rowBytes, alphas, mu, decoded };
}

/** PQ from its codebook (sub-space m at float m·ksub·dsub, ksub × d_m): each code the nearest centroid (f32 squared distances in index order, ties to the lower), decoded rows, ADC scores. */
function refPQ(t: PQTensor, x: Float32Array | null) {
  const { rows, cols, dsub, ksub, nsub, codebook } = t;
  const centroid = (m: number, c: number) => { const d = Math.min(dsub, cols - m * dsub); return codebook.subarray(m * ksub * dsub + c * d, m * ksub * dsub + (c + 1) * d); };
  let nearest: Uint8Array | null = null;
  if (x) {
    nearest = new Uint8Array(rows * nsub);
    for (let r = 0; r < rows; r++) for (let m = 0; m < nsub; m++) {
      let best = 0, bestD = Infinity;
      for (let c = 0; c < ksub; c++) {
        const cc = centroid(m, c);
        let dd = 0;
        for (let j = 0; j < cc.length; j++) { const e = f(cc[j] - x[r * cols + m * dsub + j]); dd = f(dd + f(e * e)); }
        if (dd < bestD) { bestD = dd; best = c; }
      }
      nearest[r * nsub + m] = best;
    }
  }
  const decoded = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const nrm = t.qnorm ? t.normCodebook[t.normCodes[r]] : 1;
    for (let m = 0; m < nsub; m++) centroid(m, t.codes[r * nsub + m]).forEach((v, j) => { decoded[r * cols + m * dsub + j] = t.qnorm ? f(v * nrm) : v; });
  }
  return { nearest, decoded };
}

/** ⟨row r of a rows×cols array, q⟩ in f64, and Σ|row·q| (the scale of its f32 rounding error). */
function rowDot(a: Float32Array, cols: number, r: number, q: Float32Array): [number, number] {
  let s = 0, abs = 0;
  for (let j = 0; j < cols; j++) { s += a[r * cols + j] * q[j]; abs += Math.abs(a[r * cols + j] * q[j]); }
  return [s, abs];
}

describe.each(BUILDS)('quantized tables, %s build', (build) => {
  it('int4, int8, binary and PQ tables equal independent TypeScript references: codes, parameters, decoded rows, scores, norms', async () => {
    const rt = await rtFor(build);
    const rows = 41, cols = 53; // odd cols: a half-used int4 byte, 5 unused bits per binary row, a short last PQ sub-space
    const x = randomF32(rows * cols, rng(70), 2);
    for (let i = 0; i < rows * cols; i++) x[i] = f(x[i] + 0.3 * Math.sin(i % cols)); // a common direction for the centre
    for (let j = 0; j < cols; j++) x[9 * cols + j] = 0; // a zero row
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const q = randomF32(cols, rng(71));
    const pm = rt.arena.alloc(cols * 4 + 16), pq = rt.arena.put(q);
    const biasOf = (mu: Float32Array | null) => { if (!mu) return 0; rt.arena.f32(pm, cols).set(mu); return rt.kernels.dot_f32(pm, pq, cols); };
    // int4 / int8, symmetric and not, centred and not
    for (const [scheme, bits] of [['int4', 4], ['int8', 8]] as const) for (const symmetric of [true, false]) for (const center of [false, true]) {
      const what = `${scheme} symmetric=${symmetric} center=${center}`;
      const t = quantizeMatrix(dense, { scheme, symmetric, center }) as Int8Matrix | Int4Matrix;
      const ref = refAffine(x, rows, cols, bits, symmetric, center);
      const rec = t.toQuantized();
      expect(Array.from(rec.codes as Uint8Array, (v) => v & 255), what).toEqual(Array.from(ref.packed));
      expect(Array.from(rec.scales), what).toEqual(Array.from(ref.scales));
      expect(Array.from(rec.zeroPoints), what).toEqual(Array.from(ref.zps));
      expect(Array.from(decodedRows(t)), what).toEqual(Array.from(ref.decoded));
      expect(Array.from(scores(t, q)), what).toEqual(Array.from(refAffineScores(ref, rows, cols, q, biasOf(ref.mu))));
      const nr = norms(t);
      for (let r = 0; r < rows; r++) expect(close(nr[r], Math.sqrt(rowDot(ref.decoded, cols, r, ref.decoded.subarray(r * cols, (r + 1) * cols))[0]), 1e-6, 1e-6), what).toBe(true);
      t.dispose();
    }
    // binary, per row and per tensor, centred and not: the stored (byte-aligned) bits, α, decoded rows, exact LUT scores
    for (const perRow of [true, false]) for (const center of [false, true]) {
      const what = `binary perRow=${perRow} center=${center}`;
      const t = quantizeMatrix(dense, { scheme: 'binary', perRow, center }) as BinaryMatrix;
      const ref = refBinary(x, rows, cols, perRow, center);
      const rec = t.toQuantized();
      expect(Array.from(rec.codes as Uint8Array), what).toEqual(Array.from(ref.bits));
      expect(Array.from(rec.scales), what).toEqual(Array.from(ref.alphas));
      expect(Array.from(decodedRows(t)), what).toEqual(Array.from(ref.decoded));
      const s = scores(t, q), nr = norms(t), bias = biasOf(ref.mu);
      for (let r = 0; r < rows; r++) {
        // α·⟨sign, q⟩ + ⟨μ, q⟩ in f64 (the kernel sums f32 lookups)
        const a = ref.alphas[perRow ? r : 0];
        let sq = 0, abs = 0;
        for (let j = 0; j < cols; j++) { sq += ((ref.bits[r * ref.rowBytes + (j >> 3)] >> (j & 7)) & 1 ? a : -a) * q[j]; abs += Math.abs(a * q[j]); }
        expect(Math.abs(s[r] - (sq + bias)), `${what} row ${r}`).toBeLessThanOrEqual(4e-6 * (abs + Math.abs(bias)) + 1e-6);
        const row = ref.decoded.subarray(r * cols, (r + 1) * cols);
        expect(close(nr[r], Math.sqrt(rowDot(ref.decoded, cols, r, row)[0]), 1e-5, 1e-6), what).toBe(true);
      }
      t.dispose();
    }
    // PQ: every code the nearest centroid of its sub-vector (qnorm: of the unit row), rows decoded from the codebook, ADC scores
    for (const o of [{ dsub: 3, ksub: 16 }, { dsub: 4, ksub: 8 }, { dsub: 2, ksub: 16, qnorm: true }, { dsub: 5, ksub: 41 }]) {
      const what = `pq ${JSON.stringify(o)}`;
      const t = quantizeMatrix(dense, { scheme: 'pq', iters: 4, ...o }) as PQMatrix;
      const rec = t.toPQ();
      expect(rec.nsub, what).toBe(Math.ceil(cols / o.dsub));
      const unit = o.qnorm ? x.map((v, i) => { const r = Math.floor(i / cols); const n = Math.sqrt(rowDot(x, cols, r, x.subarray(r * cols, (r + 1) * cols))[0]); return n > 0 ? f(v / n) : 0; }) : x;
      const ref = refPQ(rec, unit);
      expect(Array.from(rec.codes), what).toEqual(Array.from(ref.nearest!));
      expect(Array.from(decodedRows(t)), what).toEqual(Array.from(ref.decoded));
      const s = scores(t, q), nr = norms(t);
      for (let r = 0; r < rows; r++) {
        const [d, abs] = rowDot(ref.decoded, cols, r, q);
        expect(Math.abs(s[r] - d), `${what} row ${r}`).toBeLessThanOrEqual(4e-6 * abs + 1e-6);
        expect(close(nr[r], Math.sqrt(rowDot(ref.decoded, cols, r, ref.decoded.subarray(r * cols, (r + 1) * cols))[0]), 1e-5, 1e-6), what).toBe(true);
      }
      t.dispose();
    }
    rt.arena.free(pm); rt.arena.free(pq);
    dense.dispose();
  });

  it('decodeRow equals quantize()→dequantize() with the same options, for every scheme', async () => {
    const rt = await rtFor(build);
    const rows = 37, cols = 45;
    const x = randomF32(rows * cols, rng(51), 2);
    for (let j = 0; j < cols; j++) x[5 * cols + j] = 0; // a zero row
    const dense = DenseMatrix.from(x, rows, cols, rt);
    for (const [scheme, qscheme, symmetric] of [['int8', 'int8', true], ['int8', 'int8', false], ['int4', 'int4', true], ['int4', 'int4', false],
      ['uint8', 'uint8', false], ['binary', 'binary', true], ['fp16', 'fp16', true], ['bf16', 'bf16', true]] as const) {
      const t = scheme === 'binary' ? quantizeMatrix(dense, { scheme, center: false })
        : scheme.startsWith('f') || scheme === 'bf16' ? quantizeMatrix(dense, { scheme }) : quantizeMatrix(dense, { scheme, symmetric, center: false });
      const want = dequantize(quantize(x, { scheme: qscheme, rows, cols, perRow: true, symmetric, rt }), { rt });
      expect(Array.from(decodedRows(t))).toEqual(Array.from(want));
      // and the row methods agree with the decoded rows
      const q = randomF32(cols, rng(52));
      const row7 = want.subarray(7 * cols, 8 * cols);
      expect(close(t.dotRow(7, q), dot(row7, q), 1e-6, 1e-6)).toBe(true);
      const acc = new Float32Array(cols).fill(1);
      t.addRowTo(7, acc, 0.5);
      for (let j = 0; j < cols; j++) expect(acc[j]).toBe(f(1 + f(0.5 * row7[j])));
      t.dispose();
    }
    const pq = quantizeMatrix(dense, { scheme: 'pq', dsub: 4, ksub: 16, iters: 5, seed: 9 });
    const pqt = trainPQ(x, rows, cols, { dsub: 4, ksub: 16, iters: 5, seed: 9, rt });
    expect(Array.from(decodedRows(pq))).toEqual(Array.from(dequantizePQ(pqt, { rt })));
    pq.dispose();
    dense.dispose();
  });

  it('scoreRows of int8/int4 equals the integer reference exactly (query quantized per call)', async () => {
    const rt = await rtFor(build);
    const rows = 23, cols = 70;
    const x = randomF32(rows * cols, rng(53), 3);
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const q = randomF32(cols, rng(54));
    const qa = Math.max(...Array.from(q, Math.abs)), qs = f(qa / 127);
    const qq = Array.from(q, (v) => quantRef(v, qs, 0, -127, 127));
    for (const [scheme, symmetric] of [['int8', true], ['int8', false], ['int4', true], ['int4', false], ['uint8', false]] as const) {
      for (const perRow of [true, false]) {
        const t = quantizeMatrix(dense, { scheme, symmetric, perRow, center: false }) as Int8Matrix | Int4Matrix;
        const tq = t.toQuantized();
        const s = scores(t, q);
        const codes = scheme === 'int4' ? Array.from({ length: rows * cols }, (_, i) => {
          const b = tq.codes[Math.floor(i / cols) * tq.rowBytes + ((i % cols) >> 1)];
          return ((((i % cols) & 1 ? b >> 4 : b & 15) << 28) >> 28);
        }) : Array.from(tq.codes);
        const qsum = qq.reduce((a, b) => a + b, 0);
        for (let r = 0; r < rows; r++) {
          const g = perRow ? r : 0;
          const d = dot(codes.slice(r * cols, (r + 1) * cols), qq);
          const want = f(f(tq.scales[g] * qs) * f(d - tq.zeroPoints[g] * qsum));
          expect(s[r]).toBe(want);
        }
        // rowLimit scores a prefix only
        expect(Array.from(scores(t, q, 5))).toEqual(Array.from(s.subarray(0, 5)));
        // and the scores approximate ⟨decoded row, q⟩
        const dec = decodedRows(t);
        for (let r = 0; r < rows; r++) expect(Math.abs(s[r] - dot(dec.subarray(r * cols, (r + 1) * cols), q))).toBeLessThan(0.05 * Math.sqrt(cols));
        t.dispose();
      }
    }
    dense.dispose();
  });

  it('scoreRows of binary (exact LUT), PQ (ADC) and fp16 match ⟨decoded row, q⟩; rowNorms match ‖decoded row‖', async () => {
    const rt = await rtFor(build);
    const rows = 41, cols = 53;
    const x = randomF32(rows * cols, rng(55), 2);
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const q = randomF32(cols, rng(56));
    const tables: [string, Matrix][] = [
      ['binary', quantizeMatrix(dense, { scheme: 'binary' })], ['binary/tensor', quantizeMatrix(dense, { scheme: 'binary', perRow: false })],
      ['pq', quantizeMatrix(dense, { scheme: 'pq', dsub: 3, ksub: 16, iters: 4 })], ['pq/qnorm', quantizeMatrix(dense, { scheme: 'pq', dsub: 5, ksub: 8, qnorm: true, iters: 4 })],
      ['fp16', quantizeMatrix(dense, { scheme: 'fp16' })], ['bf16', quantizeMatrix(dense, { scheme: 'bf16' })],
      ['int8', quantizeMatrix(dense, { scheme: 'int8' })], ['int4', quantizeMatrix(dense, { scheme: 'int4', symmetric: false })], ['f32', dense],
    ];
    for (const [name, t] of tables) {
      const dec = decodedRows(t);
      const s = scores(t, q), nr = norms(t);
      for (let r = 0; r < rows; r++) {
        const row = dec.subarray(r * cols, (r + 1) * cols);
        let abs = 0;
        for (let j = 0; j < cols; j++) abs += Math.abs(row[j] * q[j]);
        if (!name.startsWith('int')) expect(Math.abs(s[r] - dot(row, q)), name).toBeLessThanOrEqual(1e-5 * abs + 1e-6);
        expect(close(nr[r], Math.sqrt(dot(row, row)), 1e-5, 1e-6), name).toBe(true);
      }
      if (t !== dense) t.dispose();
    }
    dense.dispose();
  });

  it('bytes: int8 4×, int4 8×, binary 32× smaller in the codes, plus the scales', async () => {
    const rt = await rtFor(build);
    const rows = 100, cols = 96;
    const dense = DenseMatrix.from(randomF32(rows * cols, rng(57)), rows, cols, rt);
    const want: Record<string, number> = {
      int8: rows * cols + rows * 4 + cols * 4 /* μ */, int4: rows * cols / 2 + rows * 4 + cols * 4, binary: rows * cols / 8 + rows * 4 + cols * 4, fp16: rows * cols * 2,
      pq: rows * cols / 2 + 256 * 0 + 100 * cols * 4,
    };
    for (const scheme of ['int8', 'int4', 'binary', 'fp16'] as TableScheme[]) {
      const t = quantizeMatrix(dense, { scheme });
      expect(t.bytes).toBe(want[scheme]);
      t.dispose();
    }
    expect(dense.bytes / (rows * cols)).toBe(4);
    const plain = quantizeMatrix(dense, { scheme: 'binary', center: false });
    expect(dense.bytes / plain.bytes).toBeCloseTo(4 * 8 / (1 + 32 / cols), 9); // 32× in the codes, α per row
    plain.dispose();
    const asym = quantizeMatrix(dense, { scheme: 'int8', symmetric: false, center: false });
    expect(asym.bytes).toBe(rows * cols + rows * 8);
    asym.dispose();
    const pq = quantizeMatrix(dense, { scheme: 'pq', iters: 2 }); // ksub = min(256, rows) = 100
    expect(pq.bytes).toBe(want.pq);
    pq.dispose();
    dense.dispose();
  });

  it('int8/int4 search recall@10 against f32 on clustered synthetic vectors equals the reference tables\' (0.985 / ≥ 0.8)', async () => {
    const rt = await rtFor(build);
    const r = rng(58);
    const rows = 3000, cols = 64;
    const x = clustered(rows, cols, r);
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const t8 = quantizeMatrix(dense, { scheme: 'int8' }), t4 = quantizeMatrix(dense, { scheme: 'int4' });
    // the independent references of the same centred per-row tables: their recall is what the tables must reach
    const ref8 = refAffine(x, rows, cols, 8, true, true), ref4 = refAffine(x, rows, cols, 4, true, true);
    const pm = rt.arena.put(ref8.mu!);
    let hit8 = 0, hit4 = 0, ref8Hit = 0, ref4Hit = 0, total = 0;
    for (let qi = 0; qi < 20; qi++) {
      const q = x.slice(qi * 97 * cols, qi * 97 * cols + cols);
      const truth = new Set(topk(scores(dense, q), 10));
      const hits = (s: ArrayLike<number>) => topk(s, 10).filter((i) => truth.has(i)).length;
      hit8 += hits(scores(t8, q));
      hit4 += hits(scores(t4, q));
      const pq = rt.arena.put(q), bias = rt.kernels.dot_f32(pm, pq, cols);
      rt.arena.free(pq);
      ref8Hit += hits(refAffineScores(ref8, rows, cols, q, bias));
      ref4Hit += hits(refAffineScores(ref4, rows, cols, q, bias));
      total += 10;
    }
    rt.arena.free(pm);
    expect(hit8).toBe(ref8Hit);
    expect(hit4).toBe(ref4Hit);
    expect(hit8 / total).toBeGreaterThanOrEqual(0.985); // near-ties inside clusters (bench/: real vectors)
    expect(hit4 / total).toBeGreaterThanOrEqual(0.8);
    t8.dispose(); t4.dispose(); dense.dispose();
  });

  it('searchHamming equals a brute-force Hamming top-k; packed and float queries agree', async () => {
    const rt = await rtFor(build);
    const rows = 500, cols = 77;
    const x = randomF32(rows * cols, rng(59));
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const b = quantizeMatrix(dense, { scheme: 'binary', center: false }) as BinaryMatrix;
    const codes = b.toQuantized().codes as Uint8Array;
    const q = randomF32(cols, rng(60));
    const qb = new Uint8Array(b.rowBytes);
    for (let j = 0; j < cols; j++) if (q[j] >= 0) qb[j >> 3] |= 1 << (j & 7);
    const dist = Array.from({ length: rows }, (_, i) => { let h = 0; for (let k = 0; k < b.rowBytes; k++) h += popcount8(codes[i * b.rowBytes + k] ^ qb[k]); return h; });
    const want = Array.from(dist, (d, i) => [d, i]).sort((a, c) => a[0] - c[0] || a[1] - c[1]).slice(0, 25);
    const got = b.searchHamming(q, 25);
    expect(Array.from(got.indices)).toEqual(want.map((p) => p[1]));
    expect(Array.from(got.distances)).toEqual(want.map((p) => p[0]));
    expect(Array.from(b.searchHamming(qb, 25).indices)).toEqual(Array.from(got.indices));
    expect(b.searchHamming(q, 5, { rowLimit: 40 }).indices.every((i) => i < 40)).toBe(true);
    expect(() => b.searchHamming(new Uint8Array(3), 5)).toThrowError(QuantextError);
    b.dispose(); dense.dispose();
  });

  it('a centred binary table binarizes x − μ (column mean) and decodes to μ + α·sign; its Hamming query is centred too', async () => {
    const rt = await rtFor(build);
    const rows = 120, cols = 37;
    const x = randomF32(rows * cols, rng(66));
    for (let i = 0; i < rows * cols; i++) x[i] += 0.8; // a common direction, as word vectors have
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const b = quantizeMatrix(dense, { scheme: 'binary' }) as BinaryMatrix;
    expect(b.centered).toBe(true);
    expect(b.bytes).toBe(Math.ceil((rows * cols) / 8) + rows * 4 + cols * 4); // contiguous bits: 37 per row, not 40
    const mu = new Float32Array(cols);
    for (let j = 0; j < cols; j++) { let s = 0; for (let i = 0; i < rows; i++) s += x[i * cols + j]; mu[j] = f(s / rows); }
    const rec = b.toQuantized();
    expect(Array.from(rec.center!)).toEqual(Array.from(mu));
    for (let i = 0; i < rows; i++) {
      const c = Array.from(x.subarray(i * cols, (i + 1) * cols), (v, j) => f(v - mu[j]));
      expect(rec.scales[i]).toBe(f(c.reduce((s, v) => s + Math.abs(v), 0) / cols));
      const row = b.decodeRow(i);
      for (let j = 0; j < cols; j++) expect(row[j]).toBe(f(mu[j] + (c[j] >= 0 ? rec.scales[i] : -rec.scales[i])));
    }
    expect(Array.from(dequantize(rec, { rt }))).toEqual(Array.from(decodedRows(b)));
    // centred sign bits carry information: the uncentred ones are nearly all 1
    const plain = quantizeMatrix(dense, { scheme: 'binary', center: false }) as BinaryMatrix;
    const ones = (t: BinaryMatrix) => Array.from(t.toQuantized().codes as Uint8Array).reduce((s, v) => s + popcount8(v), 0) / (rows * cols);
    expect(ones(plain)).toBeGreaterThan(0.85);
    expect(Math.abs(ones(b) - 0.5)).toBeLessThan(0.1);
    // Hamming search takes the bits of q − μ
    const q = x.slice(3 * cols, 4 * cols);
    const qb = new Uint8Array(b.rowBytes);
    for (let j = 0; j < cols; j++) if (f(q[j] - mu[j]) >= 0) qb[j >> 3] |= 1 << (j & 7);
    expect(Array.from(b.searchHamming(q, 15).indices)).toEqual(Array.from(b.searchHamming(qb, 15).indices));
    expect(b.searchHamming(q, 1).distances[0]).toBe(0);
    expect(b.searchHamming(q, 1).indices[0]).toBe(3);
    b.dispose(); plain.dispose(); dense.dispose();
  });

  it('centred int8/int4 tables quantize x − μ, decode to μ + s·(q − z), and add ⟨μ, q⟩ to their integer scores', async () => {
    const rt = await rtFor(build);
    const rows = 60, cols = 45;
    const x = randomF32(rows * cols, rng(67));
    for (let i = 0; i < rows * cols; i++) x[i] = f(x[i] * 0.3 + 0.7); // a large common direction, as word vectors have
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const mu = new Float32Array(cols);
    for (let j = 0; j < cols; j++) { let s = 0; for (let i = 0; i < rows; i++) s += x[i * cols + j]; mu[j] = f(s / rows); }
    const xc = x.map((v, i) => v - mu[i % cols]);
    const q = randomF32(cols, rng(68));
    const qs = f(Math.max(...Array.from(q, Math.abs)) / 127);
    const qq = Array.from(q, (v) => quantRef(v, qs, 0, -127, 127));
    const qsum = qq.reduce((a, b) => a + b, 0);
    for (const [scheme, symmetric] of [['int8', true], ['int8', false], ['uint8', false], ['int4', true], ['int4', false]] as const) {
      const t = quantizeMatrix(dense, { scheme, symmetric }) as Int8Matrix | Int4Matrix; // centred by default
      expect(t.centered, scheme).toBe(true);
      const rec = t.toQuantized();
      expect(Array.from(rec.center!)).toEqual(Array.from(mu));
      // codes and parameters: exactly those of the uncentred quantizer applied to x − μ
      const ref = quantize(xc, { scheme, rows, cols, perRow: true, symmetric, rt });
      const want = dequantize(ref, { rt }).map((v, i) => v + mu[i % cols]);
      expect(Array.from(decodedRows(t)), scheme).toEqual(Array.from(want));
      expect(Array.from(dequantize(rec, { rt }))).toEqual(Array.from(want));
      // scores: the integer reference plus the bias ⟨μ, q⟩ (dot_f32, the kernel the table calls)
      const pm = rt.arena.put(mu), pq = rt.arena.put(q);
      const bias = rt.kernels.dot_f32(pm, pq, cols);
      rt.arena.free(pm); rt.arena.free(pq);
      const codes = scheme === 'int4' ? Array.from({ length: rows * cols }, (_, i) => {
        const b = rec.codes[Math.floor(i / cols) * rec.rowBytes + ((i % cols) >> 1)];
        return ((((i % cols) & 1 ? b >> 4 : b & 15) << 28) >> 28);
      }) : Array.from(rec.codes);
      const s = scores(t, q), nr = norms(t);
      for (let r = 0; r < rows; r++) {
        const d = dot(codes.slice(r * cols, (r + 1) * cols), qq);
        expect(s[r]).toBe(f(f(f(rec.scales[r] * qs) * f(d - rec.zeroPoints[r] * qsum)) + f(bias)));
        const row = want.subarray(r * cols, (r + 1) * cols);
        expect(close(nr[r], Math.sqrt(dot(row, row)), 1e-6, 1e-6)).toBe(true);
      }
      // a centred table loses less: its error is below the uncentred one's
      const plain = quantizeMatrix(dense, { scheme, symmetric, center: false });
      const err = (m: Matrix) => { const dd = decodedRows(m); let e = 0; for (let i = 0; i < dd.length; i++) e += (dd[i] - x[i]) ** 2; return e; };
      expect(err(t), scheme).toBeLessThan(0.5 * err(plain));
      // round trip through the stored record keeps the centre and the scores
      const back = tableFromTensor(rec, rt);
      expect(Array.from(scores(back, q))).toEqual(Array.from(s));
      t.dispose(); plain.dispose(); back.dispose();
    }
    dense.dispose();
  });

  it('rerank rescores candidates exactly; twoStageSearch (binary → f32/int8) finds the true neighbours', async () => {
    const rt = await rtFor(build);
    const r = rng(61);
    const rows = 2000, cols = 64;
    const x = clustered(rows, cols, r, 40);
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const bin = quantizeMatrix(dense, { scheme: 'binary' }), i8 = quantizeMatrix(dense, { scheme: 'int8' }), i4 = quantizeMatrix(dense, { scheme: 'int4' });
    const q = x.slice(11 * cols, 12 * cols);
    const cands = [5, 11, 1999, 0, 700, 11];
    const rr = rerank(dense, q, cands, 4);
    const want = cands.map((c) => [dot(x.subarray(c * cols, (c + 1) * cols), q), c]).sort((a, b) => b[0] - a[0]).slice(0, 4);
    expect(Array.from(rr.indices)).toEqual(want.map((p) => p[1]));
    rr.scores.forEach((s, i) => expect(close(s, want[i][0], 1e-5)).toBe(true));
    // quantized fine tables use their gathering scorers: same scores as scoreRows at those rows
    for (const t of [i8, i4, bin]) {
      const all = scores(t, q);
      const got = rerank(t, q, cands, 6);
      expect(new Set(got.indices)).toEqual(new Set(cands));
      // int8/int4 gather with the same kernel (identical bits); binary decodes rows (float64 sums)
      got.indices.forEach((c, i) => (t === bin ? expect(close(got.scores[i], all[c], 1e-5)).toBe(true) : expect(got.scores[i]).toBe(all[c])));
    }
    expect(() => rerank(dense, q, [rows], 1)).toThrowError(/candidate/);
    // two-stage: binary Hamming top-100, reranked by f32, against the exact top 10
    let hits = 0;
    for (let qi = 0; qi < 10; qi++) {
      const qq = x.slice(qi * 150 * cols, qi * 150 * cols + cols);
      const truth = new Set(topk(scores(dense, qq), 10));
      for (const [coarse, fine, mode] of [[bin, dense, 'hamming'], [bin, i8, 'lut']] as const) {
        const res = twoStageSearch(coarse, fine, qq, { k: 10, candidates: 100, coarse: mode });
        if (fine === dense) hits += Array.from(res.indices).filter((i) => truth.has(i)).length;
        expect(res.indices.length).toBe(10);
      }
    }
    expect(hits / 100).toBeGreaterThanOrEqual(0.95);
    for (const t of [bin, i8, i4]) t.dispose();
    dense.dispose();
  });

  it('tables round-trip through their stored records (tableToTensor → tableFromTensor) with identical scores', async () => {
    const rt = await rtFor(build);
    const rows = 30, cols = 19;
    const dense = DenseMatrix.from(randomF32(rows * cols, rng(62)), rows, cols, rt);
    const q = randomF32(cols, rng(63));
    for (const o of [{ scheme: 'int8' }, { scheme: 'int8', symmetric: false }, { scheme: 'uint8' }, { scheme: 'int4' }, { scheme: 'binary' }, { scheme: 'fp16' }, { scheme: 'bf16' },
      { scheme: 'pq', dsub: 3, ksub: 8, iters: 3 }, { scheme: 'pq', dsub: 2, ksub: 8, iters: 3, qnorm: true }] as const) {
      const t = quantizeMatrix(dense, o);
      const t2 = tableFromTensor(tableToTensor(t), rt);
      expect(t2.constructor).toBe(t.constructor);
      expect(t2.bytes).toBe(t.bytes);
      expect(Array.from(scores(t2, q))).toEqual(Array.from(scores(t, q)));
      t.dispose(); t2.dispose();
    }
    // uint8 records load into an int8 table with re-centred codes: identical reals
    const u = quantize(dense.data().slice(), { scheme: 'uint8', rows, cols, perRow: true, rt });
    const tu = tableFromTensor(u, rt);
    expect(Array.from(decodedRows(tu))).toEqual(Array.from(dequantize(u, { rt })));
    tu.dispose();
    dense.dispose();
  });

  it('rejects bad input: NaN names the flat index, nan: "zero" copies, bad options and shapes, use after dispose', async () => {
    const rt = await rtFor(build);
    const x = randomF32(40, rng(64));
    x[13] = NaN;
    const dense = DenseMatrix.from(x, 4, 10, rt);
    for (const scheme of ['int8', 'binary', 'pq', 'fp16'] as const) {
      try { quantizeMatrix(dense, { scheme }); expect.unreachable(); } catch (e) {
        expect((e as QuantextError).code).toBe('E_NAN');
        expect((e as QuantextError).details?.index).toBe(13);
      }
    }
    const t = quantizeMatrix(dense, { scheme: 'int8', nan: 'zero', center: false });
    expect(Number.isNaN(dense.data()[13])).toBe(true); // the source is not modified
    expect(t.decodeRow(1)[3]).toBe(0);
    expect(() => quantizeMatrix(dense, { scheme: 'int3' as never })).toThrowError(/scheme/);
    expect(() => quantizeMatrix(dense, { scheme: 'int8', dsub: 2 })).toThrowError(/dsub/);
    expect(() => quantizeMatrix(dense, { scheme: 'fp16', center: true })).toThrowError(/center/);
    // binary tables address bits with 32-bit offsets: 2^32 bits or more is refused before allocating
    expect(() => new BinaryMatrix(2 ** 25, 128, true, rt)).toThrowError(/2\^32/);
    expect(() => quantizeMatrix(dense, { scheme: 'int8', center: 1 as never })).toThrowError(/center/);
    expect(() => t.decodeRow(4)).toThrowError(/out of range/);
    expect(() => t.decodeRow(0, new Float32Array(3))).toThrowError(QuantextError);
    t.dispose();
    expect(() => t.decodeRow(0)).toThrowError(/dispose/);
    expect(() => tableFromTensor({ ...quantize(new Float32Array(8), { scheme: 'int8', rt }), codes: new Int8Array(7) }, rt)).toThrowError(QuantextError);
    const h = quantize(new Float32Array([1, 2]), { scheme: 'fp16', rt });
    expect(() => tableFromTensor({ ...h, codes: new Uint16Array([0x3c00, 0x7c00]) }, rt)).toThrowError(/Inf or NaN/);
    // a table that fails while it is filled from a bad record keeps no wasm memory (every scheme's factory)
    const i8 = quantize(new Float32Array(8), { scheme: 'int8', rt }), i4 = quantize(new Float32Array(8), { scheme: 'int4', rt });
    const b1 = quantize(new Float32Array(8), { scheme: 'binary', rt });
    const used = rt.arena.used;
    for (const [bad, msg] of [
      [{ ...i8, codes: new Int8Array(7) }, /code bytes/], [{ ...i4, scales: new Float32Array(3) }, /scales/],
      [{ ...h, codes: new Uint16Array([0x3c00, 0x7c00]) }, /Inf or NaN/], [{ ...h, codes: new Uint16Array(3) }, /codes for/],
      [{ ...b1, scales: new Float32Array([NaN]) }, /not a finite/], [{ ...b1, codes: new Uint8Array(9) }, /code bytes/],
    ] as const) {
      expect(() => tableFromTensor(bad, rt)).toThrowError(msg);
      expect(rt.arena.used, String(msg)).toBe(used);
    }
    dense.dispose();
  });

  it('KeyedVectors works unchanged over every quantized table (kv.withMatrix(quantizeMatrix(kv.matrix, …)))', async () => {
    const rt = await rtFor(build);
    const r = rng(65);
    const rows = 400, cols = 32;
    const x = clustered(rows, cols, r, 20);
    const words = Array.from({ length: rows }, (_, i) => `w${i}`);
    const kv = KeyedVectors.fromArrays(words, x, cols, { rt });
    const truth = kv.similarByWord('w7', 10).map((p) => p[0]);
    const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    const rowOf = (a: Float32Array, i: number) => a.subarray(i * cols, (i + 1) * cols);
    for (const o of [{ scheme: 'int8' }, { scheme: 'fp16' }, { scheme: 'int4' }, { scheme: 'binary' }, { scheme: 'pq', dsub: 2, iters: 5 }] as const) {
      const t = quantizeMatrix(kv.matrix, o);
      // the independent reference of the same table's decoded rows (PQ: from its trained codebook)
      const dec = o.scheme === 'int8' ? refAffine(x, rows, cols, 8, true, true).decoded : o.scheme === 'int4' ? refAffine(x, rows, cols, 4, true, true).decoded
        : o.scheme === 'binary' ? refBinary(x, rows, cols, true, true).decoded : o.scheme === 'pq' ? refPQ((t as PQMatrix).toPQ(), null).decoded
          : x.map((v) => f16Value(f16Ref(v)));
      const qkv = kv.withMatrix(t);
      // similarity: the cosine of the two reference rows
      expect(Math.abs(qkv.similarity('w1', 'w2') - cosine(rowOf(dec, 1), rowOf(dec, 2))), o.scheme).toBeLessThan(1e-6);
      // neighbours: as many of the f32 top 10 as an exact cosine ranking of the reference rows finds
      const refTop = Array.from({ length: rows }, (_, i) => [cosine(rowOf(dec, 7), rowOf(dec, i)), i]).filter((p) => p[1] !== 7)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 10).map((p) => `w${p[1]}`);
      const got = qkv.similarByWord('w7', 10).map((p) => p[0]);
      const overlap = (w: string[]) => w.filter((v) => truth.includes(v)).length;
      expect(overlap(got), o.scheme).toBeGreaterThanOrEqual(overlap(refTop));
      expect(overlap(got), o.scheme).toBeGreaterThanOrEqual(o.scheme === 'binary' ? 8 : 10); // what the references give here
      qkv.dispose();
    }
    kv.dispose();
  });
});
