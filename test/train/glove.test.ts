// GloVe against plain TypeScript references: cooccur.c's counts (exactly), glove.c's AdaGrad step (float tolerance),
// then the trainer: loss goes down, a planted structure is learned, bad options, empty corpora and divergence are
// typed errors, one worker is deterministic, two workers train over shared memory.
import { describe, it, expect, beforeAll } from 'vitest';
import { rtFor, rng, BUILDS } from '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { TrainMemory } from '../../src/train/memory.js';
import { CooccurrenceCounter, type CooccurOptions } from '../../src/train/glove/cooccur.js';
import { GloVe } from '../../src/train/glove/glove.js';
import { QuantextError } from '../../src/errors.js';

// ---------- references ----------

/** cooccur.c in plain TypeScript: unknown words (< 0) dropped first, windows inside a sentence, f64 sums in corpus order. */
function refCooccur(sentences: number[][], o: CooccurOptions): Map<string, number> {
  const X = new Map<string, number>();
  const add = (i: number, j: number, x: number) => X.set(`${i},${j}`, (X.get(`${i},${j}`) ?? 0) + x);
  for (const s of sentences) {
    const ids = s.filter((w) => w >= 0);
    for (let j = 0; j < ids.length; j++) {
      for (let k = j - 1; k >= Math.max(0, j - o.window); k--) {
        const x = o.distanceWeighting ? 1 / (j - k) : 1;
        add(ids[k], ids[j], x);
        if (o.symmetric) add(ids[j], ids[k], x);
      }
    }
  }
  return X;
}

function sortedTriples(X: Map<string, number>) {
  const cells = [...X.entries()].map(([k, v]) => [...k.split(',').map(Number), v] as [number, number, number]);
  cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { rows: Int32Array.from(cells, (c) => c[0]), cols: Int32Array.from(cells, (c) => c[1]), values: Float64Array.from(cells, (c) => c[2]) };
}

interface Params { W: Float64Array; C: Float64Array; b: Float64Array; bc: Float64Array }

/** glove.c's glove_thread for one record, in f64 (real = double there). Returns the cost term or NaN when skipped. */
function refStep(p: Params, g: Params, d: number, i: number, j: number, logx: number, fx: number, eta: number, clip: number): number {
  let diff = 0;
  for (let k = 0; k < d; k++) diff += p.W[i * d + k] * p.C[j * d + k];
  diff += p.b[i] + p.bc[j] - logx;
  let fdiff = fx * diff;
  if (!Number.isFinite(diff) || !Number.isFinite(fdiff)) return NaN;
  const cost = 0.5 * fdiff * diff;
  const u1 = new Float64Array(d), u2 = new Float64Array(d);
  let s1 = 0, s2 = 0;
  for (let k = 0; k < d; k++) {
    const t1 = Math.min(Math.max(fdiff * p.C[j * d + k], -clip), clip) * eta;
    const t2 = Math.min(Math.max(fdiff * p.W[i * d + k], -clip), clip) * eta;
    u1[k] = t1 / Math.sqrt(g.W[i * d + k]);
    u2[k] = t2 / Math.sqrt(g.C[j * d + k]);
    s1 += u1[k];
    s2 += u2[k];
    g.W[i * d + k] += t1 * t1;
    g.C[j * d + k] += t2 * t2;
  }
  if (Number.isFinite(s1) && Number.isFinite(s2)) {
    for (let k = 0; k < d; k++) {
      p.W[i * d + k] -= u1[k];
      p.C[j * d + k] -= u2[k];
    }
  }
  p.b[i] -= fdiff / Math.sqrt(g.b[i]);
  p.bc[j] -= fdiff / Math.sqrt(g.bc[j]);
  fdiff *= fdiff;
  g.b[i] += fdiff;
  g.bc[j] += fdiff;
  return cost;
}

const A = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'];
const B = ['engine', 'wheel', 'brake', 'clutch', 'piston', 'gear', 'axle', 'tyre'];
/** Two topics: each word of a sentence is from its topic, or with probability 0.15 from the other (GloVe fits only the
 * non-zero counts, so the structure must be in how large they are, not in which are zero). */
function plantedCorpus(seed: number, n = 1500): string[][] {
  const r = rng(seed);
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const [topic, other] = r() < 0.5 ? [A, B] : [B, A];
    out.push(Array.from({ length: 8 }, () => (r() < 0.15 ? other : topic)[Math.floor(r() * 8)]));
  }
  return out;
}
function cos(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
}
/** Mean within-topic cosine minus mean cross-topic cosine. */
function separation(m: GloVe): number {
  let within = 0, nw = 0, cross = 0, nc = 0;
  for (const x of [...A, ...B]) for (const y of [...A, ...B]) {
    if (x >= y) continue;
    const c = cos(m.wv.get(x), m.wv.get(y));
    if (A.includes(x) === A.includes(y)) { within += c; nw++; } else { cross += c; nc++; }
  }
  return within / nw - cross / nc;
}

async function code(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    return (e as QuantextError).code;
  }
  return undefined;
}

beforeAll(async () => {
  await init();
});

// ---------- co-occurrence counts ----------

describe('GloVe co-occurrence counts (cooccur.c)', () => {
  const tiny = [[0, 1, 2, 0, 3], [2, -1, 2, 1], [4], [], [3, 3, 0, -1, -1, 1, 4, 2, 0]];
  const variants: CooccurOptions[] = [
    { window: 2, symmetric: true, distanceWeighting: true },
    { window: 3, symmetric: false, distanceWeighting: true },
    { window: 15, symmetric: true, distanceWeighting: false },
    { window: 1, symmetric: false, distanceWeighting: false },
  ];
  for (const build of BUILDS) {
    for (const o of variants) {
      it(`${build}: a tiny corpus, window ${o.window}, ${o.symmetric ? 'symmetric' : 'left only'}, ${o.distanceWeighting ? '1/d' : 'unweighted'}: exactly the reference`, async () => {
        const rt = await rtFor(build);
        const mem = new TrainMemory(rt);
        const c = new CooccurrenceCounter(mem, o);
        for (const s of tiny) c.add(s);
        const t = c.triples();
        expect(t).toEqual(sortedTriples(refCooccur(tiny, o)));
        expect(c.size).toBe(t.rows.length);
        c.dispose();
        mem.dispose();
      });
    }
  }

  it('a word next to itself counts twice when symmetric, once when not (both roles land in one cell)', async () => {
    const mem = new TrainMemory(await rtFor('simd'));
    for (const symmetric of [true, false]) {
      const c = new CooccurrenceCounter(mem, { window: 5, symmetric, distanceWeighting: true });
      c.add([7, 7]);
      expect(c.triples()).toEqual({ rows: Int32Array.of(7), cols: Int32Array.of(7), values: Float64Array.of(symmetric ? 2 : 1) });
      c.dispose();
    }
    mem.dispose();
  });

  it('a table that grows (2^16 → 2^18 slots) and a sentence longer than a staged batch: exactly the reference', async () => {
    const r = rng(5);
    // one 300,000-word sentence (longer than the 2^18 ids staged per call: windows cross the batch boundary) over 400
    // words, plus short sentences with unknown words: ~100 k distinct pairs, past the first table's 45,875-entry limit
    const long = Array.from({ length: 300_000 }, () => Math.floor(r() ** 2 * 400));
    const short = Array.from({ length: 2000 }, () => Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 450) - 30));
    const sentences = [short.slice(0, 1000), [long], short.slice(1000)].flat();
    const o = { window: 4, symmetric: true, distanceWeighting: true };
    const mem = new TrainMemory(await rtFor('simd'));
    const c = new CooccurrenceCounter(mem, o);
    for (const s of sentences) c.add(s);
    const t = c.triples();
    const ref = refCooccur(sentences, o);
    expect(t.rows.length).toBe(ref.size);
    expect(t.rows.length).toBeGreaterThan(91_750); // past the second table's limit too
    expect(c.bytes).toBe(2 ** 18 * 16);
    let mismatches = 0;
    for (let k = 0; k < t.rows.length; k++) if (ref.get(`${t.rows[k]},${t.cols[k]}`) !== t.values[k]) mismatches++;
    expect(mismatches).toBe(0);
    c.dispose();
    mem.dispose();
  });

  it('compaction packs (i, j, log x, f(x)) with f = min(1, (x/xMax)^alpha), as glove.c weighs', async () => {
    const rt = await rtFor('simd');
    const mem = new TrainMemory(rt);
    const c = new CooccurrenceCounter(mem, { window: 10, symmetric: true, distanceWeighting: false });
    // pair (0, 1) occurs 2·120 times (above xMax = 100), (0, 2) 2·3 times
    for (let i = 0; i < 120; i++) c.add([0, 1]);
    for (let i = 0; i < 3; i++) c.add([2, 0]);
    const { ptr, n } = c.compact(100, 0.75);
    expect(n).toBe(4);
    const u = rt.arena.u32(ptr, n * 4), f = rt.arena.f32(ptr, n * 4);
    const got = Array.from({ length: n }, (_, k) => [u[4 * k], u[4 * k + 1], f[4 * k + 2], f[4 * k + 3]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const x = (i: number, j: number) => ((i === 0 && j === 1) || (i === 1 && j === 0) ? 120 : 3);
    for (const [i, j, lx, fx] of got) {
      expect(lx).toBeCloseTo(Math.log(x(i, j)), 6);
      expect(fx).toBeCloseTo(Math.min(1, (x(i, j) / 100) ** 0.75), 6);
    }
    expect(got.map((g) => [g[0], g[1]])).toEqual([[0, 1], [0, 2], [1, 0], [2, 0]]);
    mem.free(ptr);
    c.dispose();
    mem.dispose();
  });
});

// ---------- the AdaGrad step ----------

describe("GloVe's AdaGrad step (glove.c)", () => {
  for (const build of BUILDS) {
    for (const kernel of ['glove_train', 'glove_train_scalar'] as const) {
      it(`${build} ${kernel}: three records (one clipped, one above xMax, one reusing a row) equal the f64 reference`, async () => {
        const rt = await rtFor(build);
        const mem = new TrainMemory(rt);
        const V = 3, d = 7, n = 2 * V * d + 2 * V;
        const r = rng(11);
        const p0 = Float64Array.from({ length: n }, () => Math.fround((r() - 0.5) * 0.8));
        const g0 = Float64Array.from({ length: n }, () => Math.fround(1 + r() * 3));
        const split = (a: Float64Array): Params => ({ W: a.slice(0, V * d), C: a.slice(V * d, 2 * V * d), b: a.slice(2 * V * d, 2 * V * d + V), bc: a.slice(2 * V * d + V) });
        const P = split(p0), G = split(g0);
        // (i, j, log x, f): a record with a large residual (log x = 9: clipped at 0.5), f = 1, and row 1 twice
        const recs: [number, number, number, number][] = [[1, 2, 9, 0.4], [0, 1, Math.fround(Math.log(3)), 1], [1, 1, -0.5, 0.2]];
        const eta = 0.05, clip = 0.5;
        const params = mem.alloc(n * 4), grads = mem.alloc(n * 4), rp = mem.alloc(recs.length * 16), scratch = mem.alloc(2 * d * 4), out = mem.alloc(16, true);
        rt.arena.f32(params, n).set(p0);
        rt.arena.f32(grads, n).set(g0);
        recs.forEach(([i, j, lx, fx], k) => {
          rt.arena.u32(rp + 16 * k, 2).set([i, j]);
          rt.arena.f32(rp + 16 * k + 8, 2).set([lx, fx]);
        });
        let cost = 0, clipped = false;
        for (const [i, j, lx, fx] of recs) {
          let diff = -lx + P.b[i] + P.bc[j];
          for (let k = 0; k < d; k++) diff += P.W[i * d + k] * P.C[j * d + k];
          for (let k = 0; k < d; k++) if (Math.abs(fx * diff * P.C[j * d + k]) > clip) clipped = true;
          cost += refStep(P, G, d, i, j, Math.fround(lx), Math.fround(fx), eta, clip);
        }
        expect(clipped).toBe(true); // the clipping path is exercised
        rt.kernels[kernel](rp, recs.length, params, grads, V, d, eta, clip, scratch, out);
        const gotP = rt.arena.f32(params, n), gotG = rt.arena.f32(grads, n);
        const wantP = [...P.W, ...P.C, ...P.b, ...P.bc], wantG = [...G.W, ...G.C, ...G.b, ...G.bc];
        for (let k = 0; k < n; k++) {
          expect(Math.abs(gotP[k] - wantP[k])).toBeLessThan(2e-6 * Math.max(1, Math.abs(wantP[k])));
          expect(Math.abs(gotG[k] - wantG[k])).toBeLessThan(2e-6 * Math.max(1, Math.abs(wantG[k])));
        }
        // parameters moved, and by the reference's amounts (not just stayed put)
        expect(wantP.some((v, k) => Math.abs(v - p0[k]) > 1e-3)).toBe(true);
        const o = rt.arena.f64(out, 2);
        expect(o[0]).toBeCloseTo(cost, 5);
        expect(o[1]).toBe(0);
        mem.dispose();
      });
    }
  }

  it('a non-finite residual skips the record and is counted', async () => {
    const rt = await rtFor('simd');
    const mem = new TrainMemory(rt);
    const V = 2, d = 4, n = 2 * V * d + 2 * V;
    const params = mem.alloc(n * 4), grads = mem.alloc(n * 4), rp = mem.alloc(16), scratch = mem.alloc(2 * d * 4), out = mem.alloc(16, true);
    rt.arena.f32(params, n).fill(0.1);
    rt.arena.f32(params, 1)[0] = Infinity;
    rt.arena.f32(grads, n).fill(1);
    rt.arena.u32(rp, 2).set([0, 1]);
    rt.arena.f32(rp + 8, 2).set([1, 1]);
    rt.kernels.glove_train(rp, 1, params, grads, V, d, 0.05, 100, scratch, out);
    expect(rt.arena.f64(out + 8, 1)[0]).toBe(1);
    expect(Array.from(rt.arena.f32(grads, n))).toEqual(new Array(n).fill(1));
    mem.dispose();
  });

  it('the shuffle is a seeded permutation of the 16-byte records', async () => {
    const rt = await rtFor('scalar');
    const mem = new TrainMemory(rt);
    const n = 1000, recs = mem.alloc(n * 16), st = mem.alloc(8);
    const perm = (seed: bigint) => {
      const u = rt.arena.u32(recs, n * 4);
      for (let k = 0; k < n; k++) u.set([k, k + 1, k + 2, k + 3], 4 * k);
      new BigUint64Array(rt.arena.memory.buffer, st, 1)[0] = seed;
      rt.kernels.glove_shuffle(recs, n, st);
      const v = rt.arena.u32(recs, n * 4);
      for (let k = 0; k < n; k++) expect([v[4 * k + 1], v[4 * k + 2], v[4 * k + 3]]).toEqual([v[4 * k] + 1, v[4 * k] + 2, v[4 * k] + 3]);
      return Array.from({ length: n }, (_, k) => v[4 * k]);
    };
    const a = perm(12345n), b = perm(12345n), c = perm(999n);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, k) => k));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.filter((x, k) => x === k).length).toBeLessThan(10); // moved, not left in place
    mem.dispose();
  });
});

// ---------- the trainer ----------

describe('GloVe', () => {
  it('the loss goes down over the epochs, and wv holds W + W̃ for every word', async () => {
    const m = new GloVe({ vectorSize: 16, window: 5, minCount: 1, epochs: 12, workers: 1 });
    const res = await m.train(plantedCorpus(1, 600));
    const L = res.epochLoss;
    expect(L.length).toBe(12);
    // stochastic (each epoch a new order; glove.c's biases step at rate ~1): down overall, not at every epoch
    expect(L[11]).toBeLessThan(L[0] / 5);
    expect(L[8] + L[9] + L[10] + L[11]).toBeLessThan(L[1] + L[2] + L[3] + L[4]);
    const V = 16, d = 16;
    const row = m.wv.keyToIndex.get('pear')!;
    const pear = m.wv.get('pear');
    const p = m.rt.arena.f32((m as any).params, 2 * V * d);
    for (let k = 0; k < d; k++) expect(pear[k]).toBe(Math.fround(p[row * d + k] + p[V * d + row * d + k]));
    expect(res.pairs).toBe(256); // 16 words: every ordered pair co-occurs
    expect(res.words).toBe(600 * 8 * 12);
    expect(m.wv.size).toBe(16);
    expect(m.wv.dim).toBe(16);
    expect(res.loss).toBeCloseTo(L[11] / res.pairs, 12);
    m.dispose();
  });

  it('separates a planted structure (two topics), with one thread and with two over shared memory', async () => {
    const one = new GloVe({ vectorSize: 16, window: 5, minCount: 1, epochs: 30, workers: 1 });
    await one.train(plantedCorpus(2));
    expect(separation(one)).toBeGreaterThan(0.5);
    for (const w of A) expect(A).toContain(one.wv.mostSimilar({ positive: [w], topn: 1 })[0][0]);
    one.dispose();
    const two = new GloVe({ vectorSize: 16, window: 5, minCount: 1, epochs: 30, workers: 2, runtime: await rtFor('simd-mt') });
    const res = await two.train(plantedCorpus(2, 40_000));
    expect(res.threads).toBe(2);
    expect(separation(two)).toBeGreaterThan(0.5);
    two.dispose();
  });

  it('is deterministic with one worker and a seed; another seed gives other vectors', async () => {
    const run = async (seed: number) => {
      const m = new GloVe({ vectorSize: 8, window: 3, minCount: 1, epochs: 3, workers: 1, seed });
      await m.train(plantedCorpus(3, 300));
      const v = Array.from(m.wv.get('apple'));
      m.dispose();
      return v;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('bad options are E_OPTION naming the option', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ xMax: 0 }, 'xMax'], [{ xMax: NaN }, 'xMax'], [{ alpha: -0.75 }, 'alpha'], [{ learningRate: 0 }, 'learningRate'],
      [{ learningRate: Infinity }, 'learningRate'], [{ gradClip: -1 }, 'gradClip'], [{ window: 0 }, 'window'], [{ vectorSize: 1.5 }, 'vectorSize'],
      [{ epochs: 0 }, 'epochs'], [{ minCount: 0 }, 'minCount'], [{ workers: 0 }, 'workers'], [{ symmetric: 1 }, 'symmetric'],
      [{ seed: 0.5 }, 'seed'], [{ negative: 5 }, 'negative'], [{ maxFinalVocab: -3 }, 'maxFinalVocab'],
    ];
    for (const [o, name] of bad) {
      let err: unknown;
      try {
        new GloVe(o as any);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(o)).toBeInstanceOf(QuantextError);
      expect((err as QuantextError).code).toBe('E_OPTION');
      expect((err as QuantextError).details?.option).toBe(name);
    }
    const m = new GloVe({ minCount: 1 });
    expect(await code(m.train(['a b c'], { epochs: 0 }))).toBe('E_OPTION');
    m.dispose();
  });

  it('an empty corpus, or one with no co-occurring pair, is E_EMPTY', async () => {
    for (const corpus of [[], [''], ['   ']]) {
      const m = new GloVe({ minCount: 1 });
      expect(await code(m.train(corpus))).toBe('E_EMPTY');
      m.dispose();
    }
    const m = new GloVe({ minCount: 1 });
    expect(await code(m.train(['a', 'b', 'a']))).toBe('E_EMPTY');
    m.dispose();
    const rare = new GloVe({ minCount: 5 });
    expect(await code(rare.train(['a b c']))).toBe('E_EMPTY');
    rare.dispose();
  });

  it('divergence is E_NAN, not vectors full of NaN', async () => {
    const m = new GloVe({ vectorSize: 8, window: 5, minCount: 1, epochs: 20, workers: 1, learningRate: 1e30, gradClip: 1e30 });
    expect(await code(m.train(plantedCorpus(4, 300)))).toBe('E_NAN');
    m.dispose();
  });

  it('trains further on the same counts, honours abort and dispose, and frees its memory', async () => {
    await init();
    const rt = (await import('../../src/runtime/runtime.js')).runtime();
    const before = rt.arena.used;
    const corpus = plantedCorpus(5, 500);
    const m = new GloVe({ vectorSize: 8, window: 4, minCount: 1, epochs: 2, workers: 1 });
    const r1 = await m.train(corpus);
    expect(r1.cooccurSeconds).toBeGreaterThan(0);
    const r2 = await m.train(corpus);
    expect(r2.cooccurSeconds).toBe(0);
    expect(r2.epochLoss[0]).toBeLessThan(r1.epochLoss[0]);
    const ac = new AbortController();
    ac.abort();
    expect(await code(m.train(corpus, { signal: ac.signal }))).toBe('E_ABORTED');
    m.dispose();
    expect(rt.arena.used).toBe(before);
    expect(await code(() => m.wv)).toBe('E_DISPOSED');
  });
});

// ---------- the command line ----------

describe('quantext train --algorithm glove', () => {
  it('trains GloVe, saves the vectors, and refuses a bad --x-max or --algorithm', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'quantext-glove-'));
    try {
      writeFileSync(join(dir, 'c.txt'), plantedCorpus(6, 400).map((s) => s.join(' ')).join('\n') + '\n');
      const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', join(dir, 'c.txt'), ...args], { encoding: 'utf8', timeout: 60_000 });
      const ok = run('--algorithm', 'glove', '--dim', '8', '--window', '4', '--epochs', '3', '--min-count', '1', '--x-max', '10', '--threads', '1', '--out', join(dir, 'v.txt'), '--json');
      expect(ok.status, ok.stderr).toBe(0);
      const summary = JSON.parse(ok.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ vocabSize: 16, epochs: 3, threads: 1, words: 400 * 8 * 3 });
      const lines = readFileSync(join(dir, 'v.txt'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('16 8');
      expect(lines.length).toBe(17);
      // without --epochs / --window GloVe takes its own defaults (25, 15), not Word2Vec's (5, 5)
      const dflt = run('--algorithm', 'glove', '--dim', '8', '--min-count', '1', '--threads', '1', '--json');
      expect(dflt.status, dflt.stderr).toBe(0);
      expect(JSON.parse(dflt.stdout.trim().split('\n').pop()!)).toMatchObject({ epochs: 25, words: 400 * 8 * 25 });
      const w2v = run('--dim', '8', '--min-count', '1', '--threads', '1', '--json');
      expect(w2v.status, w2v.stderr).toBe(0);
      expect(JSON.parse(w2v.stdout.trim().split('\n').pop()!)).toMatchObject({ epochs: 5 });
      const bad = run('--algorithm', 'glove', '--x-max', '0');
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/--x-max must be a positive number/);
      const unknown = run('--algorithm', 'word3vec');
      expect(unknown.status).not.toBe(0);
      expect(unknown.stderr).toMatch(/--algorithm must be one of word2vec, fasttext, glove/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
