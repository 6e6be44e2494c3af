import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { QuantizedIndexer } from '../../src/vectors/indexer.js';
import { quantizeMatrix } from '../../src/vectors/tables/factory.js';
import { rerank } from '../../src/vectors/tables/rerank.js';
import type { BinaryMatrix } from '../../src/vectors/tables/binary.js';
import { QuantextError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';

/** Clustered vectors with a shared offset (as word vectors have), rows of varying norm. */
function clustered(rt: Runtime, n: number, dim: number, seed: number) {
  const r = rng(seed);
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[Math.floor(r() * centres.length)], scale = 0.5 + r() * 2;
    for (let j = 0; j < dim; j++) data[i * dim + j] = scale * (0.6 + c[j] + (r() * 2 - 1) * 0.5);
  }
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  return { data, words, kv: KeyedVectors.fromArrays(words, data, dim, { rt }) };
}

/** Exact cosine top-k in plain TypeScript (f64), ties by lower index. */
function exactTop(data: Float32Array, dim: number, q: ArrayLike<number>, k: number): { idx: number[]; cos: number[] } {
  const n = data.length / dim;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += q[j] * q[j];
  const s = Array.from({ length: n }, (_, i) => {
    let d = 0, rn = 0;
    for (let j = 0; j < dim; j++) { d += data[i * dim + j] * q[j]; rn += data[i * dim + j] ** 2; }
    return d / Math.sqrt(rn * qn);
  });
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a] || a - b).slice(0, k);
  return { idx, cos: idx.map((i) => s[i]) };
}

function expectCode(fn: () => unknown, code: string): void {
  try { fn(); } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    expect((e as QuantextError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe.each(BUILDS)('QuantizedIndexer, %s build', (build) => {
  it('with every row a candidate, binary → f32 is the exact cosine search; kv.mostSimilar takes it as indexer', async () => {
    const rt = await rtFor(build);
    const dim = 24, n = 700;
    const { data, kv } = clustered(rt, n, dim, 81);
    const ix = new QuantizedIndexer(kv, { coarse: 'binary', candidates: n });
    for (const qi of [0, 13, 399]) {
      const q = data.subarray(qi * dim, (qi + 1) * dim);
      const got = ix.search(q, 10), want = exactTop(data, dim, q, 10);
      expect(Array.from(got.indices)).toEqual(want.idx);
      for (let j = 0; j < 10; j++) expect(got.scores[j]).toBeCloseTo(want.cos[j], 5);
    }
    // gensim's indexer protocol: the query word itself comes first (not removed), cosine 1
    const sim = kv.mostSimilar({ positive: ['w13'], topn: 5, indexer: ix });
    expect(sim[0][0]).toBe('w13');
    expect(sim[0][1]).toBeCloseTo(1, 5);
    expect(sim.map(([w]) => w)).toEqual(exactTop(data, dim, data.subarray(13 * dim, 14 * dim), 5).idx.map((i) => `w${i}`));
    // the binary table it built and its search copy (16-row blocks, SIMD builds); kv's own table is not counted
    const b = ix.tables[0] as BinaryMatrix;
    expect(b.searchBytes).toBe(build.startsWith('simd') ? Math.ceil(n / 16) * 16 * b.rowBytes : 0);
    expect(ix.bytes).toBe(b.bytes + b.searchBytes);
    ix.dispose();
    kv.dispose();
  });

  it('a narrow cascade (Hamming → int8 → f32) finds most true neighbours; each stage is what its table says', async () => {
    const rt = await rtFor(build);
    const dim = 32, n = 3000;
    const { data, kv } = clustered(rt, n, dim, 82);
    const ix = new QuantizedIndexer(kv, { coarse: 'binary', candidates: 300, refine: ['int8', 'f32'], keep: 30 });
    const r = rng(83);
    let hit = 0;
    const queries = Array.from({ length: 40 }, () => Math.floor(r() * n));
    for (const qi of queries) {
      const q = data.subarray(qi * dim, (qi + 1) * dim);
      const got = ix.search(q, 10), want = new Set(exactTop(data, dim, q, 10).idx);
      for (const i of got.indices) if (want.has(i)) hit++;
      // the final scores are exact f32 cosines of the rows returned, best first
      for (let j = 0; j < got.indices.length; j++) {
        const row = data.subarray(got.indices[j] * dim, (got.indices[j] + 1) * dim);
        expect(got.scores[j]).toBeCloseTo(exactTop(row, dim, q, 1).cos[0], 5);
        if (j) expect(got.scores[j]).toBeLessThanOrEqual(got.scores[j - 1]);
      }
    }
    expect(hit / (queries.length * 10)).toBeGreaterThan(0.8);
    // an int8 table as coarse stage and no refine: the table's own cosine ranking (as a quantized KeyedVectors answers)
    const q8 = kv.quantize({ scheme: 'int8' });
    const i8 = new QuantizedIndexer(kv, { coarse: q8.matrix, refine: [] });
    const q = data.subarray(5 * dim, 6 * dim);
    const a = i8.search(q, 8), b = q8.nearest(q, 8);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    for (let j = 0; j < 8; j++) expect(a.scores[j]).toBeCloseTo(b.scores[j], 6);
    // Hamming alone: rows in Hamming order, scored with the binary table's decoded rows
    const hb = new QuantizedIndexer(kv, { coarse: 'binary', refine: [] });
    const bin = hb.tables[0] as BinaryMatrix;
    const h = hb.search(q, 5);
    // the indexer scales the query to unit length (in f64, stored as f32) before taking its centred sign bits
    let qq = 0;
    for (let j = 0; j < dim; j++) qq += q[j] * q[j];
    const unitQ = Float32Array.from(q, (v) => v * (1 / Math.sqrt(qq)));
    const byHamming = (bin as BinaryMatrix).searchHamming(unitQ, 5).indices;
    expect(Array.from(h.indices)).toEqual(Array.from(byHamming));
    for (let j = 0; j < 5; j++) {
      const row = bin.decodeRow(h.indices[j]);
      expect(h.scores[j]).toBeCloseTo(exactTop(row, dim, q, 1).cos[0], 5);
    }
    for (const x of [ix, i8, hb, q8]) x.dispose();
    kv.dispose();
  });

  it('int8 → fp16: no f32 table at search time; the fp16 table scores a candidate list as its decoded rows do', async () => {
    const rt = await rtFor(build);
    const dim = 24, n = 800;
    const { data, kv } = clustered(rt, n, dim, 84);
    const ix = new QuantizedIndexer(kv, { coarse: 'int8', candidates: 40, refine: ['fp16'] });
    const h = ix.tables[1];
    expect(h.dtype).toBe('f16');
    const r = rng(85);
    let hit = 0;
    for (let t = 0; t < 20; t++) {
      const qi = Math.floor(r() * n), q = data.subarray(qi * dim, (qi + 1) * dim);
      const got = ix.search(q, 10), want = new Set(exactTop(data, dim, q, 10).idx);
      for (const i of got.indices) if (want.has(i)) hit++;
      // the scores are the cosines of the fp16 rows (decoded in plain TypeScript from their halves)
      for (let j = 0; j < got.indices.length; j++) expect(got.scores[j]).toBeCloseTo(exactTop(h.decodeRow(got.indices[j]), dim, q, 1).cos[0], 5);
    }
    expect(hit / 200).toBeGreaterThan(0.97);
    // scoreSubset (rows gathered, one kernel call) = dotRow row by row, repeated and unordered indices included
    const ids = Int32Array.from([799, 0, 5, 5, 17, 400, 3]), q = Float32Array.from({ length: dim }, () => r() * 2 - 1);
    const pi = rt.arena.put(ids), pq = rt.arena.put(q), po = rt.arena.alloc(ids.length * 4);
    h.scoreSubset(pq, pi, ids.length, po);
    const out = rt.arena.f32(po, ids.length);
    ids.forEach((i, k) => expect(out[k]).toBeCloseTo(h.dotRow(i, q), 5));
    // bf16 the same way; m = 0 writes nothing
    const bf = quantizeMatrix(kv.matrix as DenseMatrix, { scheme: 'bf16' });
    bf.scoreSubset(pq, pi, ids.length, po);
    ids.forEach((i, k) => expect(rt.arena.f32(po, ids.length)[k]).toBeCloseTo(bf.dotRow(i, q), 4));
    rt.arena.f32(po, 1)[0] = 42;
    bf.scoreSubset(pq, pi, 0, po);
    expect(rt.arena.f32(po, 1)[0]).toBe(42);
    bf.dispose();
    // scoreSubset is the low-level gathered call (indices unchecked); rerank checks user-given candidates
    expectCode(() => rerank(h, q, [0, n], 1), 'E_OPTION');
    for (const p of [pi, pq, po]) rt.arena.free(p);
    ix.dispose();
    kv.dispose();
  });

  it('keeps k > candidates rows; reads a strided dense table; passes each built table only the options it takes', async () => {
    const rt = await rtFor(build);
    const dim = 20, n = 500;
    const { data, words, kv } = clustered(rt, n, dim, 86);
    // k larger than candidates: the coarse stage keeps k rows (the buffers grow), the f32 stage ranks them exactly
    const ix = new QuantizedIndexer(kv, { coarse: 'binary', candidates: 5 });
    const q = data.subarray(7 * dim, 8 * dim);
    const big = ix.search(q, 60);
    expect(big.indices.length).toBe(60);
    expect(new Set(big.indices).size).toBe(60);
    for (let j = 0; j < 60; j++) {
      const row = data.subarray(big.indices[j] * dim, (big.indices[j] + 1) * dim);
      expect(big.scores[j]).toBeCloseTo(exactTop(row, dim, q, 1).cos[0], 5);
      if (j) expect(big.scores[j]).toBeLessThanOrEqual(big.scores[j - 1]);
    }
    expect(ix.search(q, 3).indices[0]).toBe(7);
    expect(kv.mostSimilar({ positive: ['w7'], topn: 80, indexer: ix }).length).toBe(80);
    ix.dispose();
    // a dense table with a row stride wider than its columns
    const stride = dim + 3;
    const strided = new DenseMatrix(n, dim, { rt, stride });
    for (let r = 0; r < n; r++) strided.data().set(data.subarray(r * dim, (r + 1) * dim), r * stride);
    const skv = new KeyedVectors(words, strided);
    const six = new QuantizedIndexer(skv, { coarse: 'int8', candidates: n, refine: ['f32'] });
    expect(Array.from(six.search(q, 10).indices)).toEqual(exactTop(data, dim, q, 10).idx);
    six.dispose();
    skv.dispose();
    // shared quantize options go to the schemes that take them (center: not fp16's)
    const mixed = new QuantizedIndexer(kv, { coarse: 'binary', refine: ['fp16', 'f32'], quantize: { center: false } });
    expect((mixed.tables[0] as BinaryMatrix).centered).toBe(false);
    expect(mixed.search(q, 1).indices[0]).toBe(7);
    mixed.dispose();
    // a binary table scored exactly (coarseMode 'scores') ranks by the cosines of its decoded rows
    const sc = new QuantizedIndexer(kv, { coarse: 'binary', coarseMode: 'scores', refine: [] });
    const bin = sc.tables[0] as BinaryMatrix;
    const got = sc.search(q, 5);
    const dec = Array.from({ length: n }, (_, r) => exactTop(bin.decodeRow(r), dim, q, 1).cos[0]);
    const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => dec[b] - dec[a] || a - b).slice(0, 5);
    expect(Array.from(got.indices)).toEqual(want);
    sc.dispose();
    kv.dispose();
  });

  it('edge cases: no rows, fewer rows than candidates under every coarse scheme, a zero query (cosines 0, no NaN)', async () => {
    const rt = await rtFor(build);
    const kv0 = KeyedVectors.fromArrays([], new Float32Array(0), 8, { rt });
    const ix0 = new QuantizedIndexer(kv0, { refine: ['int8', 'f32'] });
    expect(ix0.search(new Float32Array(8).fill(1), 5).indices.length).toBe(0);
    ix0.dispose();
    kv0.dispose();
    const kv = KeyedVectors.fromArrays(['a', 'b', 'c'], new Float32Array([1, 0, 0, 1, 1, 1]), 2, { rt });
    for (const coarse of ['binary', 'int8', 'int4', 'fp16', 'pq', 'f32'] as const) {
      const ix = new QuantizedIndexer(kv, { coarse, candidates: 2, refine: ['f32'] });
      const r = ix.search([1, 0], 10);
      expect(Array.from(r.indices).sort(), coarse).toEqual([0, 1, 2]);
      expect(r.indices[0], coarse).toBe(0); // a = (1, 0) itself
      expect(r.scores[0], coarse).toBeCloseTo(1, 6);
      ix.dispose();
    }
    const ix = new QuantizedIndexer(kv, { candidates: 3 });
    const z = ix.search([0, 0], 2);
    expect(Array.from(z.scores)).toEqual([0, 0]);
    ix.dispose();
    kv.dispose();
  });

  it('uses tables passed in without disposing them; rejects bad options, bad queries and a disposed KeyedVectors', async () => {
    const rt = await rtFor(build);
    const dim = 16, n = 200;
    const { data, kv } = clustered(rt, n, dim, 84);
    const mine = quantizeMatrix(kv.matrix, { scheme: 'int4' });
    const ix = new QuantizedIndexer(kv, { coarse: mine, candidates: 50 });
    expect(ix.bytes).toBe(0);
    expect(ix.search(data.subarray(0, dim), 3).indices[0]).toBe(0);
    expect(ix.search(data.subarray(0, dim), 0).indices.length).toBe(0);
    ix.dispose();
    expect(mine.isDisposed).toBe(false);
    expect(kv.matrix.isDisposed).toBe(false);
    const built = new QuantizedIndexer(kv, { refine: ['int8'] });
    const tables = built.tables;
    built.dispose();
    expect(tables.every((t) => t.isDisposed)).toBe(true);
    expectCode(() => new QuantizedIndexer(kv, { candidates: 0 }), 'E_OPTION');
    expectCode(() => new QuantizedIndexer(kv, { keep: 1.5 }), 'E_OPTION');
    expectCode(() => new QuantizedIndexer(kv, { refine: ['int3' as never] }), 'E_OPTION');
    expectCode(() => new QuantizedIndexer(kv, { coarseMode: 'fast' as never }), 'E_OPTION');
    const other = clustered(rt, n + 1, dim, 85);
    expectCode(() => new QuantizedIndexer(kv, { coarse: other.kv.matrix }), 'E_SHAPE');
    const ok = new QuantizedIndexer(kv);
    expectCode(() => ok.search(new Float32Array(dim - 1)), 'E_SHAPE');
    expectCode(() => ok.search(new Float32Array(dim).fill(NaN)), 'E_NAN');
    expectCode(() => ok.search(data.subarray(0, dim), -1), 'E_OPTION');
    kv.dispose();
    expectCode(() => ok.search(data.subarray(0, dim)), 'E_DISPOSED');
    ok.dispose();
    mine.dispose();
    other.kv.dispose();
  });
});

describe('QuantizedIndexer on plain memory whose buffer detaches at every allocation', () => {
  it('builds from a 3000×64 table with coarse int8 (kept a view across an allocation before the fix)', async () => {
    const { createRuntime } = await import('../../src/runtime/runtime.js');
    const rt = await createRuntime(undefined, { shared: false });
    rt.arena.detachOnAlloc = true; // as QUANTEXT_DETACH=1 does for the whole suite
    const { data, kv } = clustered(rt, 3000, 64, 11);
    const ix = new QuantizedIndexer(kv, { coarse: 'int8', candidates: 200, refine: ['f32'] });
    const q = data.subarray(5 * 64, 6 * 64);
    const got = ix.search(q, 10);
    const want = exactTop(data, 64, q, 10);
    expect(got.indices[0]).toBe(5);
    const hits = want.idx.filter((i) => Array.from(got.indices).includes(i)).length;
    expect(hits).toBeGreaterThanOrEqual(9);
    ix.dispose();
    kv.dispose();
  });
});
