// Magnitude pruning (src/compress/prune.ts). Known answers: plain-TS references of the textbook rules (|w| < t; the
// k smallest |w| with ties by index, over one tensor or a concatenated pool), a least-squares linear layer whose true
// weights are sparse (pruning it to that sparsity recovers the support), pruned SparseLinear / Sequential equal to
// dense forwards with the masked weights, pruned and cut word-vector tables against references; bad options and
// NaN weights are typed errors naming the option.
import { describe, it, expect, beforeAll } from 'vitest';
import '../../src/index.node.js';
import { init, type Runtime } from '../../src/runtime/runtime.js';
import { QuantextError } from '../../src/errors.js';
import { Linear, SparseLinear, Sequential, ReLU } from '../../src/infer/index.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import {
  magnitudeMask, pruneTensors, applyMask, pruneLinear, pruneSequential, pruneVectors, pruneVocab, sparsitySchedule,
} from '../../src/compress/prune.js';
import { rng, randomF32, rtFor } from '../helpers.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await init();
});

/** Reference: prune exactly k = round(s·n) of a pool, smallest |w| first, ties by pool position. */
function refSparsity(pool: Float32Array[], s: number): Uint8Array[] {
  const items: [number, number, number][] = [];
  pool.forEach((w, t) => w.forEach((v, i) => items.push([Math.abs(v), t, i])));
  items.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const k = Math.round(s * items.length);
  const masks = pool.map((w) => new Uint8Array(w.length).fill(1));
  for (let j = 0; j < k; j++) masks[items[j][1]][items[j][2]] = 0;
  return masks;
}

const zerosOf = (m: Uint8Array) => m.reduce((a, v) => a + (v ? 0 : 1), 0);

function code(fn: () => unknown): { code: string; option?: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    return { code: (e as QuantextError).code, option: (e as QuantextError).details?.option };
  }
  throw new Error('did not throw');
}

describe('magnitude masks', () => {
  it('threshold prunes exactly |w| < t (plain-TS reference), including ±0 and weights equal to t', () => {
    const r = rng(1);
    const w = randomF32(5000, r);
    w[3] = 0.25; w[4] = -0.25; w[5] = -0; w[6] = 0;
    for (const t of [0, 0.25, 0.5, 0.999]) {
      const m = magnitudeMask(w, { threshold: t });
      const want = Uint8Array.from(w, (v) => (Math.abs(v) < t ? 0 : 1));
      expect(m).toEqual(want);
    }
    expect(magnitudeMask(w, { threshold: 0.25 })[3]).toBe(1); // |w| = t is kept
  });

  it('sparsity prunes exactly round(s·n) weights, the smallest first, ties by index', () => {
    expect(magnitudeMask(Float32Array.of(1, 1, 1, 1, 0.5, 2), { sparsity: 0.5 })).toEqual(Uint8Array.of(0, 0, 1, 1, 0, 1));
    expect(magnitudeMask(Float32Array.of(-3, 2, -1, 0), { sparsity: 0.5 })).toEqual(Uint8Array.of(1, 1, 0, 0));
    const r = rng(2);
    // many ties: values on a coarse grid, both signs
    const w = Float32Array.from({ length: 3001 }, () => (Math.floor(r() * 21) - 10) / 8);
    for (const s of [0, 0.1, 0.333, 0.5, 0.9, 0.999]) {
      const m = magnitudeMask(w, { sparsity: s });
      expect(m).toEqual(refSparsity([w], s)[0]);
      expect(zerosOf(m)).toBe(Math.round(s * w.length));
    }
    // continuous values, wide exponent range (the radix selection's two passes)
    const v = Float32Array.from({ length: 4000 }, () => (r() - 0.5) * 10 ** (r() * 12 - 6));
    for (const s of [0.25, 0.75]) expect(magnitudeMask(v, { sparsity: s })).toEqual(refSparsity([v], s)[0]);
  });

  it('global scope uses one threshold over all tensors, per-layer prunes each to the sparsity', () => {
    const r = rng(3);
    const big = randomF32(1000, r, 1), small = randomF32(500, r, 0.01);
    const g = pruneTensors({ big, small }, { sparsity: 0.3, scope: 'global' });
    const [gb, gs] = refSparsity([big, small], 0.3);
    expect(g.masks.big).toEqual(gb);
    expect(g.masks.small).toEqual(gs);
    // 450 of 1500 pruned: all 500 small weights are below every big one except the 0.01-scale tail of big
    expect(g.sparsity.small).toBeGreaterThan(0.85);
    expect(g.sparsity.big).toBeLessThan(0.02);
    expect(g.overall).toBeCloseTo(0.3, 12);
    const p = pruneTensors({ big, small }, { sparsity: 0.3 }); // default per-layer
    expect(p.masks.big).toEqual(refSparsity([big], 0.3)[0]);
    expect(p.masks.small).toEqual(refSparsity([small], 0.3)[0]);
    expect(p.sparsity).toEqual({ big: 0.3, small: 0.3 });
    // with a threshold the scopes agree
    const t1 = pruneTensors({ big, small }, { threshold: 0.005, scope: 'global' }), t2 = pruneTensors({ big, small }, { threshold: 0.005 });
    expect(t1.masks).toEqual(t2.masks);
  });

  it('prior masks stay pruned and count towards the target', () => {
    const w = Float32Array.of(5, 4, 3, 2, 1, 6, 7, 8);
    const prior = Uint8Array.of(0, 1, 1, 1, 1, 1, 1, 1); // the largest-but-two weight already pruned
    const r = pruneTensors({ w }, { sparsity: 0.25, masks: { w: prior } });
    expect(r.masks.w).toEqual(Uint8Array.of(0, 1, 1, 1, 0, 1, 1, 1)); // 2 pruned: the prior one and |1|
    expect(r.sparsity.w).toBe(0.25);
  });

  it('applyMask zeroes the pruned weights in place', () => {
    const w = Float32Array.of(1, -2, 3);
    expect(applyMask(w, Uint8Array.of(1, 0, 1))).toBe(w);
    expect(Array.from(w)).toEqual([1, 0, 3]);
    expect(code(() => applyMask(w, new Uint8Array(2))).code).toBe('E_SHAPE');
  });

  it('bad options are typed errors naming the option', () => {
    const w = Float32Array.of(1, 2, 3, 4);
    expect(code(() => magnitudeMask(w, {}))).toEqual({ code: 'E_OPTION', option: 'sparsity' });
    expect(code(() => magnitudeMask(w, { threshold: 1, sparsity: 0.5 }))).toEqual({ code: 'E_OPTION', option: 'threshold' });
    for (const s of [1, 1.5, -0.1, NaN, '0.5' as unknown as number]) expect(code(() => magnitudeMask(w, { sparsity: s }))).toEqual({ code: 'E_OPTION', option: 'sparsity' });
    for (const t of [-1, NaN, Infinity]) expect(code(() => magnitudeMask(w, { threshold: t }))).toEqual({ code: 'E_OPTION', option: 'threshold' });
    expect(code(() => pruneTensors({ w }, { sparsity: 0.5, scope: 'layer' as 'global' }))).toEqual({ code: 'E_OPTION', option: 'scope' });
    expect(code(() => pruneTensors({ w }, { sparsity: 0.5, sparse: 1 } as never))).toEqual({ code: 'E_OPTION', option: 'sparse' });
    expect(code(() => pruneTensors({ w, v: [1, 2] as never }, { sparsity: 0.5 }))).toEqual({ code: 'E_OPTION', option: 'v' });
    expect(code(() => pruneTensors({ w }, { sparsity: 0.5, masks: { w: new Uint8Array(3) } }))).toEqual({ code: 'E_SHAPE', option: 'masks.w' });
    expect(code(() => pruneTensors({}, { sparsity: 0.5 })).code).toBe('E_EMPTY');
    const bad = Float32Array.of(1, NaN, 3);
    expect(code(() => pruneTensors({ layer1: bad }, { sparsity: 0.5 }))).toEqual({ code: 'E_NAN', option: 'layer1' });
    expect(code(() => magnitudeMask(Float32Array.of(1, Infinity), { threshold: 0.5 }))).toEqual({ code: 'E_NAN', option: 'w' });
  });

  it('the cubic schedule is Zhu & Gupta’s s·(1 − (1 − t/n)³), the linear one s·t/n, both ending at s', () => {
    const c = sparsitySchedule(4, 0.8, 'cubic');
    expect(c.map((v) => +v.toFixed(6))).toEqual([0.8 * (1 - 0.75 ** 3), 0.8 * (1 - 0.5 ** 3), 0.8 * (1 - 0.25 ** 3), 0.8].map((v) => +v.toFixed(6)));
    expect(sparsitySchedule(4, 0.8, 'linear').map((v) => +v.toFixed(6))).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(code(() => sparsitySchedule(0, 0.5))).toEqual({ code: 'E_OPTION', option: 'steps' });
    expect(code(() => sparsitySchedule(2, 0.5, 'exp' as 'linear'))).toEqual({ code: 'E_OPTION', option: 'ramp' });
  });
});

describe('pruned inference layers', () => {
  it('a least-squares layer whose true weights are sparse: pruning to that sparsity recovers the support', async () => {
    const r = rng(4);
    const n = 6, k = 20, m = 400;
    const wTrue = new Float32Array(n * k);
    const support = new Set<number>();
    while (support.size < 24) support.add(Math.floor(r() * n * k)); // 80 % zeros
    for (const i of support) wTrue[i] = (r() < 0.5 ? -1 : 1) * (0.5 + r());
    const x = randomF32(m * k, r);
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += x[i * k + c] * wTrue[j * k + c];
      y[i * n + j] = s + (r() - 0.5) * 0.1; // noise
    }
    // fit a dense layer by gradient descent on the squared error (plain TS): every weight ends nonzero
    const w = new Float64Array(n * k);
    for (let it = 0; it < 400; it++) {
      const g = new Float64Array(n * k);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += x[i * k + c] * w[j * k + c];
        const e = s - y[i * n + j];
        for (let c = 0; c < k; c++) g[j * k + c] += (e * x[i * k + c]) / m;
      }
      for (let i = 0; i < w.length; i++) w[i] -= 1.0 * g[i];
    }
    using dense = Linear.fromFloat(Float32Array.from(w), n, k, undefined, { rt });
    expect(dense.weights().every((v) => v !== 0)).toBe(true);
    const { layer, mask, sparsity } = pruneLinear(dense, { sparsity: 0.8 });
    using sl = layer;
    expect(sparsity).toBe(0.8);
    for (let i = 0; i < n * k; i++) expect(mask[i]).toBe(support.has(i) ? 1 : 0);
    expect(sl.nnz).toBe(24);
    // the pruned layer predicts the noiseless outputs better than chance by far
    const yp = sl.forward(x.subarray(0, 10 * k), 10);
    for (let i = 0; i < 10; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += x[i * k + c] * wTrue[j * k + c];
      expect(Math.abs(yp[i * n + j] - s)).toBeLessThan(0.05);
    }
  });

  for (const build of ['simd', 'scalar'] as const) {
    it(`pruneSequential: SparseLinear layers equal the dense forward with the masked weights (${build}, csr and dense)`, async () => {
      const brt = await rtFor(build);
      const r = rng(5);
      const k = 24, h = 32, n = 5, batch = 3;
      const w1 = randomF32(h * k, r), b1 = randomF32(h, r), w2 = randomF32(n * h, r, 0.1), b2 = randomF32(n, r);
      using model = new Sequential([
        Linear.fromFloat(w1, h, k, b1, { rt: brt }), new ReLU(h, { rt: brt }), Linear.fromFloat(w2, n, h, b2, { rt: brt }),
      ]);
      const x = randomF32(batch * k, r);
      const ref = (m1: Uint8Array, m2: Uint8Array) => {
        const hid = new Float64Array(batch * h), out = new Float64Array(batch * n);
        for (let i = 0; i < batch; i++) for (let j = 0; j < h; j++) {
          let s = b1[j];
          for (let c = 0; c < k; c++) s += x[i * k + c] * (m1[j * k + c] ? w1[j * k + c] : 0);
          hid[i * h + j] = Math.max(0, s);
        }
        for (let i = 0; i < batch; i++) for (let j = 0; j < n; j++) {
          let s = b2[j];
          for (let c = 0; c < h; c++) s += hid[i * h + c] * (m2[j * h + c] ? w2[j * h + c] : 0);
          out[i * n + j] = s;
        }
        return out;
      };
      for (const format of ['csr', 'dense'] as const) {
        for (const [opts, scope] of [[{ sparsity: 0.9 }, 'per-layer'], [{ sparsity: 0.6 }, 'global'], [{ threshold: 0.3 }, 'per-layer']] as const) {
          const res = pruneSequential(model, { ...opts, scope, format });
          using pruned = res.model;
          const m1 = res.masks['layers.0.weight'], m2 = res.masks['layers.2.weight'];
          expect(Object.keys(res.masks)).toEqual(['layers.0.weight', 'layers.2.weight']);
          if (scope === 'global') expect(res.masks).toEqual(Object.fromEntries(Object.entries(pruneTensors({ 'layers.0.weight': w1, 'layers.2.weight': w2 }, { sparsity: 0.6, scope: 'global' }).masks)));
          else if ('sparsity' in opts) {
            expect(m1).toEqual(refSparsity([w1], 0.9)[0]);
            expect(res.sparsity['layers.2.weight']).toBe(Math.round(0.9 * n * h) / (n * h));
          } else expect(m1).toEqual(Uint8Array.from(w1, (v) => (Math.abs(v) < 0.3 ? 0 : 1)));
          expect(pruned.layers[0]).toBeInstanceOf(SparseLinear);
          expect(pruned.layers[1]).toBeInstanceOf(ReLU);
          expect((pruned.layers[0] as SparseLinear).format).toBe(format);
          expect((pruned.layers[0] as SparseLinear).nnz).toBe(m1.length - zerosOf(m1));
          const y = pruned.forward(x, batch), want = ref(m1, m2);
          for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(want[i], 4);
        }
      }
      // the global scope prunes the small-weight layer harder
      const g = pruneSequential(model, { sparsity: 0.6, scope: 'global' });
      g.model.dispose();
      expect(g.sparsity['layers.2.weight']).toBeGreaterThan(g.sparsity['layers.0.weight']);
      // the source model is unchanged, and a pruned model prunes again from its zeros
      expect(model.layers[0]).toBeInstanceOf(Linear);
      const once = pruneSequential(model, { sparsity: 0.5, layers: [0] });
      using m1 = once.model;
      expect(m1.layers[2]).toBeInstanceOf(Linear);
      const twice = pruneSequential(m1, { sparsity: 0.75, layers: [0] });
      twice.model.dispose();
      for (let i = 0; i < w1.length; i++) if (!once.masks['layers.0.weight'][i]) expect(twice.masks['layers.0.weight'][i]).toBe(0);
      expect(twice.sparsity['layers.0.weight']).toBe(0.75);
      expect(code(() => pruneSequential(model, { sparsity: 0.5, layers: [1] }))).toEqual({ code: 'E_OPTION', option: 'layers' });
      expect(code(() => pruneSequential(model, { sparsity: 0.5, format: 'coo' as 'csr' }))).toEqual({ code: 'E_OPTION', option: 'format' });
    });
  }

  it('block pruning: whole [outputs, inputs] blocks by the RMS of their weights (TS reference), BSR time follows the blocks kept', async () => {
    const r = rng(12);
    const n = 20, k = 9; // partial blocks at both edges for [8, 2]
    const w = randomF32(n * k, r);
    // reference: score = RMS of each block's weights; prune round(s·blocks) lowest (ties by block index) or RMS < t
    const refBlocks = (br: number, bc: number, rule: { sparsity?: number; threshold?: number }) => {
      const nr = Math.ceil(n / br), nc = Math.ceil(k / bc), sc: [number, number][] = [];
      for (let R = 0; R < nr; R++) for (let C = 0; C < nc; C++) {
        let ss = 0, cnt = 0;
        for (let i = R * br; i < Math.min(n, R * br + br); i++) for (let c = C * bc; c < Math.min(k, C * bc + bc); c++) { ss += w[i * k + c] ** 2; cnt++; }
        sc.push([Math.fround(Math.sqrt(ss / cnt)), R * nc + C]);
      }
      const keep = new Uint8Array(nr * nc).fill(1);
      if (rule.threshold !== undefined) for (const [v, b] of sc) { if (v < rule.threshold) keep[b] = 0; }
      else [...sc].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, Math.round(rule.sparsity! * sc.length)).forEach(([, b]) => { keep[b] = 0; });
      return Uint8Array.from({ length: n * k }, (_, i) => keep[Math.floor(Math.floor(i / k) / br) * nc + Math.floor((i % k) / bc)]);
    };
    using lin = Linear.fromFloat(w, n, k, undefined, { rt });
    for (const [block, rule] of [[[8, 1], { sparsity: 0.5 }], [[8, 2], { sparsity: 0.7 }], [[2, 3], { threshold: 0.5 }], [[1, 1], { sparsity: 0.4 }]] as const) {
      const res = pruneLinear(lin, { ...rule, block, format: 'bsr' });
      using sl = res.layer;
      const want = refBlocks(block[0], block[1], rule);
      expect(res.mask).toEqual(want);
      expect(res.sparsity).toBe(zerosOf(want) / want.length);
      expect(sl.format).toBe('bsr');
      expect(sl.weights()).toEqual(Float32Array.from(w, (v, i) => (want[i] ? v : 0)));
    }
    // 8×1 blocks aligned with the BSR panels: the fraction of blocks kept is exactly 1 − s when n is a multiple of 8
    const w8 = randomF32(32 * 40, r);
    using l8 = Linear.fromFloat(w8, 32, 40, undefined, { rt });
    const b8 = pruneLinear(l8, { sparsity: 0.75, block: [8, 1] });
    using s8 = b8.layer;
    expect(s8.blockDensity).toBe(0.25);
    expect(b8.sparsity).toBe(0.75);
    const x = randomF32(3 * 40, r), y = s8.forward(x, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 32; j++) {
      let t = 0;
      for (let c = 0; c < 40; c++) t += b8.mask[j * 40 + c] ? x[i * 40 + c] * w8[j * 40 + c] : 0;
      expect(y[i * 32 + j]).toBeCloseTo(t, 4);
    }
    // the same blocks through pruneSequential, and a pruned SparseLinear keeps its zeros when pruned again in blocks
    using model = new Sequential([Linear.fromFloat(w8, 32, 40, undefined, { rt })]);
    const sq = pruneSequential(model, { sparsity: 0.75, block: [8, 1], format: 'bsr' });
    using sm = sq.model;
    expect(sq.masks['layers.0.weight']).toEqual(b8.mask);
    const again = pruneLinear(s8, { sparsity: 0.875, block: [8, 1] });
    again.layer.dispose();
    for (let i = 0; i < b8.mask.length; i++) if (!b8.mask[i]) expect(again.mask[i]).toBe(0);
    expect(again.sparsity).toBe(0.875);
    for (const bad of [[0, 1], [8], [2.5, 1], 'x']) expect(code(() => pruneLinear(lin, { sparsity: 0.5, block: bad as unknown as [number, number] }))).toEqual({ code: 'E_OPTION', option: 'block' });
    expect(code(() => pruneLinear(lin, { sparsity: 0.5, format: 'coo' as 'csr' }))).toEqual({ code: 'E_OPTION', option: 'format' });
  });
});

describe('pruned word-vector tables', () => {
  const words = Array.from({ length: 60 }, (_, i) => `w${i}`);

  it('pruneVectors: pruned entries are 0 and similarities are those of the masked vectors', () => {
    const r = rng(7);
    const vecs = randomF32(60 * 16, r);
    using kv = KeyedVectors.fromArrays(words, vecs, 16, { counts: words.map((_, i) => 100 - i) });
    const res = pruneVectors(kv, { sparsity: 0.7 });
    using pk = res.kv;
    expect(res.mask).toEqual(refSparsity([vecs], 0.7)[0]);
    expect(res.sparsity).toBe(Math.round(0.7 * 960) / 960);
    const masked = Float32Array.from(vecs, (v, i) => (res.mask[i] ? v : 0));
    expect(pk.vectors).toEqual(masked);
    expect(Array.from(pk.counts!)).toEqual(Array.from(kv.counts!));
    const cos = (a: number, b: number) => {
      let d = 0, na = 0, nb = 0;
      for (let c = 0; c < 16; c++) { const x = masked[a * 16 + c], y = masked[b * 16 + c]; d += x * y; na += x * x; nb += y * y; }
      return na && nb ? d / Math.sqrt(na * nb) : 0; // a row pruned to all zeros has cosine 0 (gensim)
    };
    expect(pk.similarity('w3', 'w9')).toBeCloseTo(cos(3, 9), 5);
    const top = pk.mostSimilar({ positive: ['w0'], topn: 1 })[0];
    let best = -1, bi = -1;
    for (let j = 1; j < 60; j++) if (cos(0, j) > best) { best = cos(0, j); bi = j; }
    expect(top[0]).toBe(`w${bi}`);
    // the source is unchanged
    expect(kv.get('w3')).toEqual(vecs.subarray(48, 64));
    // per row: every row pruned to the same count
    const pr = pruneVectors(kv, { sparsity: 0.5, scope: 'per-row' });
    using prk = pr.kv;
    for (let row = 0; row < 60; row++) expect(pr.mask.subarray(row * 16, row * 16 + 16)).toEqual(refSparsity([vecs.subarray(row * 16, row * 16 + 16)], 0.5)[0]);
    // a symmetric int8 copy keeps the pruned entries 0
    using q = prk.quantize({ scheme: 'int8', center: false });
    const row0 = q.get('w0');
    for (let c = 0; c < 16; c++) if (!pr.mask[c]) expect(row0[c]).toBe(0);
    expect(code(() => pruneVectors(kv, { sparsity: 0.5, scope: 'rows' as 'global' }))).toEqual({ code: 'E_OPTION', option: 'scope' });
  });

  it('pruneVocab keeps the rows of largest norm (fastText -cutoff) or count, in order, with the remap', () => {
    const r = rng(8);
    const vecs = randomF32(60 * 8, r);
    for (let c = 0; c < 8; c++) vecs[5 * 8 + c] = vecs[6 * 8 + c] = 0.5; // a tie: rows 5 and 6 have equal norms
    const counts = words.map((_, i) => (i * 37) % 61);
    using kv = KeyedVectors.fromArrays(words, vecs, 8, { counts });
    const norm2 = (i: number) => { let s = 0; for (let c = 0; c < 8; c++) s += vecs[i * 8 + c] ** 2; return s; };
    for (const keep of [1, 10, 59, 100]) {
      const res = pruneVocab(kv, { keep });
      using out = res.kv;
      const want = Array.from({ length: 60 }, (_, i) => i).sort((a, b) => norm2(b) - norm2(a) || a - b).slice(0, keep).sort((a, b) => a - b);
      expect(Array.from(res.kept)).toEqual(want);
      expect(out.keys).toEqual(want.map((i) => `w${i}`));
      for (let i = 0; i < 60; i++) expect(res.remap[i]).toBe(want.indexOf(i));
      for (const [ni, oi] of want.entries()) {
        expect(out.vectorAt(ni)).toEqual(vecs.subarray(oi * 8, oi * 8 + 8));
        expect(out.getCount(`w${oi}`)).toBe(counts[oi]);
      }
    }
    // rows 5 and 6 tie: the lower index wins the last place
    const byNorm = Array.from({ length: 60 }, (_, i) => i).sort((a, b) => norm2(b) - norm2(a) || a - b);
    const at = byNorm.indexOf(5);
    const tie = pruneVocab(kv, { keep: at + 1 });
    tie.kv.dispose();
    expect(tie.remap[5]).toBeGreaterThanOrEqual(0);
    expect(tie.remap[6]).toBe(-1);
    const bc = pruneVocab(kv, { keep: 7, by: 'count' });
    bc.kv.dispose();
    expect(Array.from(bc.kept)).toEqual(Array.from({ length: 60 }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b).slice(0, 7).sort((a, b) => a - b));
    const mc = pruneVocab(kv, { minCount: 30 });
    mc.kv.dispose();
    expect(Array.from(mc.kept)).toEqual(Array.from({ length: 60 }, (_, i) => i).filter((i) => counts[i] >= 30));
    // quantized tables are cut too (rows decoded)
    using qk = kv.quantize({ scheme: 'int8' });
    const qr = pruneVocab(qk, { keep: 10 });
    qr.kv.dispose();
    expect(qr.kept.length).toBe(10);
    expect(code(() => pruneVocab(kv, {}))).toEqual({ code: 'E_OPTION', option: 'keep' });
    expect(code(() => pruneVocab(kv, { keep: 3, minCount: 2 }))).toEqual({ code: 'E_OPTION', option: 'minCount' });
    expect(code(() => pruneVocab(kv, { keep: 0 }))).toEqual({ code: 'E_OPTION', option: 'keep' });
    expect(code(() => pruneVocab(kv, { keep: 2, by: 'size' as 'norm' }))).toEqual({ code: 'E_OPTION', option: 'by' });
    expect(code(() => pruneVocab(kv, { minCount: 1000 })).code).toBe('E_EMPTY');
    using nc = KeyedVectors.fromArrays(['a', 'b'], [1, 2, 3, 4], 2);
    expect(code(() => pruneVocab(nc, { keep: 1, by: 'count' }))).toEqual({ code: 'E_OPTION', option: 'by' });
  });
});
