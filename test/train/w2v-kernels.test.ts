import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { CFG, CFG_SIZE, FLAG, MAX_CODE_LENGTH, scratchBytes } from '../../src/train/w2v-config.js';
import { huffman, huffmanAnyOrder, aliasTable, sampleThresholds, VocabBuilder } from '../../src/train/vocab.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { trainBatchReference, type RefBatch } from './reference.js';
import { checkConfigLayout, LAYOUT } from '../../src/train/w2v-config.js';
import { Word2Vec } from '../../src/train/word2vec.js';

const MASK = (1n << 64n) - 1n;
const lcg = (s: bigint) => (s * 25214903917n + 11n) & MASK;

/** Plain-TS oracle of word2vec.c's gradient with the σ table: returns [g, −log σ(correct logit)]. */
function gradRef(f: number, label: number, alpha: number, expT: Float32Array, logT: Float32Array): [number, number] {
  const IDX = Math.fround(1000 / 6 / 2);
  const idx = (x: number) => Math.trunc(Math.fround(Math.fround(x + 6) * IDX));
  const sig = f >= 6 ? 1 : f <= -6 ? 0 : expT[idx(f)];
  const sf = label > 0.5 ? f : -f;
  const nll = sf >= 6 ? 0 : sf <= -6 ? -sf : logT[idx(sf)];
  return [Math.fround(Math.fround(label - sig) * alpha), nll];
}

function setup(rt: Runtime, dim: number, V: number, negative: number) {
  const a = rt.arena, k = rt.kernels;
  const cfg = a.alloc(CFG_SIZE, true);
  const counts = new Float64Array(V).map((_, i) => 100 / (i + 1));
  const tableSize = V;
  const table = a.put(aliasTable(counts));
  const logT = a.alloc(4000);
  k.w2v_log_table_init(logT, 1000, 6);
  const syn1neg = a.put(randomF32(V * dim, rng(11), 0.5));
  const u32 = (o: number, v: number) => (a.u32(cfg + o, 1)[0] = v);
  u32(CFG.SYN1NEG, syn1neg); u32(CFG.DIM, dim); u32(CFG.VOCAB, V); u32(CFG.NEGATIVE, negative);
  u32(CFG.NEG_TABLE, table); u32(CFG.NEG_TABLE_SIZE, tableSize); u32(CFG.EXP_TABLE, rt.sigmoidTable()); u32(CFG.LOG_TABLE, logT);
  return { cfg, table, tableSize, syn1neg, logT, counts };
}

describe.each(BUILDS)('word2vec kernels, %s build', (build) => {
  it('negative-sampling step matches a TypeScript reference (gradients, updates, RNG, loss)', async () => {
    const rt = await rtFor(build);
    const a = rt.arena, k = rt.kernels;
    for (const dim of [1, 4, 7, 100]) {
      const V = 9, negative = 5;
      const s = setup(rt, dim, V, negative);
      const expT = a.f32(rt.sigmoidTable(), 1000).slice(), logT = a.f32(s.logT, 1000).slice();
      const tableJs = a.u32(s.table, 2 * s.tableSize).slice();
      const h = randomF32(dim, rng(dim), 0.5);
      for (const simd of [1, 0]) {
        const syn1 = randomF32(V * dim, rng(100 + dim), 0.5);
        a.f32(s.syn1neg, V * dim).set(syn1);
        const ph = a.put(h), pe = a.alloc(dim * 4, true);
        new BigUint64Array(rt.memory.buffer, s.cfg + CFG.RNG, 1)[0] = 12345n;
        a.f64(s.cfg + CFG.LOSS, 1)[0] = 0;
        const target = 3, alpha = 0.025;
        k.w2v_ns_step(s.cfg, ph, pe, target, alpha, simd);
        // reference
        const w = Float64Array.from(syn1), e = new Float64Array(dim);
        let r = 12345n, loss = 0;
        for (let d = 0; d <= negative; d++) {
          let t = target, label = 1;
          if (d > 0) {
            r = lcg(r);
            const slot = Number((((r >> 16n) & 0xffffffffn) * BigInt(s.tableSize)) >> 32n);
            r = lcg(r);
            t = Number(r >> 32n) < tableJs[2 * slot] ? slot : tableJs[2 * slot + 1];
            if (t === target) continue;
            label = 0;
          }
          let f = 0;
          for (let c = 0; c < dim; c++) f += h[c] * w[t * dim + c];
          const [g, nll] = gradRef(f, label, alpha, expT, logT);
          loss += nll;
          for (let c = 0; c < dim; c++) {
            e[c] += g * w[t * dim + c];
            w[t * dim + c] += g * h[c];
          }
        }
        expect(new BigUint64Array(rt.memory.buffer, s.cfg + CFG.RNG, 1)[0]).toBe(r);
        expect(a.f64(s.cfg + CFG.LOSS, 1)[0]).toBeCloseTo(loss, 4);
        const got = a.f32(s.syn1neg, V * dim), ge = a.f32(pe, dim);
        for (let i = 0; i < V * dim; i++) expect(Math.abs(got[i] - w[i])).toBeLessThan(1e-5);
        for (let c = 0; c < dim; c++) expect(Math.abs(ge[c] - e[c])).toBeLessThan(1e-5);
        // something really changed: the positive target moved
        expect(Math.abs(got[target * dim] - syn1[target * dim])).toBeGreaterThan(0);
        a.free(ph); a.free(pe);
      }
    }
  });

  it('hierarchical-softmax step matches a TypeScript reference along the Huffman path', async () => {
    const rt = await rtFor(build);
    const a = rt.arena, k = rt.kernels;
    const dim = 13, V = 12;
    const s = setup(rt, dim, V, 0);
    const hf = huffman(s.counts, MAX_CODE_LENGTH);
    const codes = a.put(hf.codes), points = a.put(hf.points), lens = a.put(hf.lengths);
    const syn1 = a.put(randomF32((V - 1) * dim, rng(5), 1));
    const u32 = (o: number, v: number) => (a.u32(s.cfg + o, 1)[0] = v);
    u32(CFG.SYN1, syn1); u32(CFG.CODES, codes); u32(CFG.POINTS, points); u32(CFG.CODELENS, lens);
    const expT = a.f32(rt.sigmoidTable(), 1000).slice(), logT = a.f32(s.logT, 1000).slice();
    for (const word of [0, 5, 11]) for (const simd of [1, 0]) {
      const w0 = randomF32((V - 1) * dim, rng(word + 1), 1);
      a.f32(syn1, w0.length).set(w0);
      const h = randomF32(dim, rng(word + 50), 2);
      const ph = a.put(h), pe = a.alloc(dim * 4, true);
      k.w2v_hs_step(s.cfg, ph, pe, word, 0.05, simd);
      const w = Float64Array.from(w0), e = new Float64Array(dim);
      for (let d = 0; d < hf.lengths[word]; d++) {
        const row = hf.points[word * MAX_CODE_LENGTH + d];
        expect(row).toBeGreaterThanOrEqual(0);
        expect(row).toBeLessThan(V - 1);
        let f = 0;
        for (let c = 0; c < dim; c++) f += h[c] * w[row * dim + c];
        const [g] = gradRef(f, 1 - hf.codes[word * MAX_CODE_LENGTH + d], 0.05, expT, logT);
        for (let c = 0; c < dim; c++) {
          e[c] += g * w[row * dim + c];
          w[row * dim + c] += g * h[c];
        }
      }
      const got = a.f32(syn1, w0.length), ge = a.f32(pe, dim);
      for (let i = 0; i < w0.length; i++) expect(Math.abs(got[i] - w[i])).toBeLessThan(1e-5);
      for (let c = 0; c < dim; c++) expect(Math.abs(ge[c] - e[c])).toBeLessThan(1e-5);
      a.free(ph); a.free(pe);
    }
  });

  it('a whole batch: the SIMD kernel and its scalar twin agree (skip-gram and CBOW, NS and HS)', async () => {
    // The twin: in a scalar build, its w2v_train_batch_scalar; for a SIMD build, the matching scalar build's
    // w2v_train_batch (the same algorithm and RNG sequence). SIMD builds leave the whole-batch oracle out (1.4 KB gz
    // of every SIMD wasm); their w2v_train_batch_scalar traps.
    const simd = build.startsWith('simd');
    const variants = [
      [await rtFor(build), 'w2v_train_batch'],
      simd ? [await rtFor(build.replace('simd', 'scalar') as typeof build), 'w2v_train_batch'] : [await rtFor(build), 'w2v_train_batch_scalar'],
    ] as const;
    if (simd) expect(() => variants[0][0].kernels.w2v_train_batch_scalar(0)).toThrow();
    const r = rng(9);
    const dim = 20, V = 30;
    const sents: number[][] = Array.from({ length: 40 }, () => Array.from({ length: 3 + Math.floor(r() * 15) }, () => Math.floor(Math.pow(r(), 2) * V)));
    const counts = new Float64Array(V);
    for (const s of sents) for (const w of s) counts[w]++;
    for (let i = 0; i < V; i++) counts[i] = Math.max(1, counts[i]);
    const offs = [0];
    for (const s of sents) offs.push(offs[offs.length - 1] + s.length);
    const hf = huffman(Float64Array.from(counts).sort().reverse(), MAX_CODE_LENGTH);
    const vb = new VocabBuilder({ minCount: 1 });
    vb.add(['x']);
    const thresholds = sampleThresholds({ ...vb.finish(), counts, retainedWords: 500 } as any, 1e-2);
    for (const flags of [FLAG.SHRINK_WINDOWS, FLAG.MINIBATCH | FLAG.SHRINK_WINDOWS | FLAG.SAMPLE, FLAG.CBOW | FLAG.CBOW_MEAN | FLAG.SHRINK_WINDOWS | FLAG.SAMPLE, FLAG.HS | FLAG.SAMPLE, FLAG.CBOW | FLAG.HS]) {
      const results: Float32Array[] = [];
      const losses: number[] = [];
      for (const [rt, fn] of variants) {
        const a = rt.arena, k = rt.kernels;
        const tokens = a.put(new Int32Array(sents.flat())), offsets = a.put(new Int32Array(offs));
        const logT = a.alloc(4000);
        k.w2v_log_table_init(logT, 1000, 6);
        const table = a.put(aliasTable(counts)), sample = a.put(thresholds);
        const cfg = a.alloc(CFG_SIZE, true);
        const syn0 = a.put(randomF32(V * dim, rng(1), 0.05));
        const syn1neg = a.alloc(V * dim * 4, true), syn1 = a.alloc(V * dim * 4, true);
        const scratch = a.alloc(scratchBytes(dim, 3, 5, 1000));
        const codes = a.put(hf.codes), points = a.put(hf.points), lens = a.put(hf.lengths);
        const set = (o: number, v: number) => (a.u32(cfg + o, 1)[0] = v);
        set(CFG.SYN0, syn0); set(CFG.SYN1NEG, syn1neg); set(CFG.SYN1, syn1); set(CFG.DIM, dim); set(CFG.VOCAB, V);
        set(CFG.NEGATIVE, flags & FLAG.HS ? 0 : 5); set(CFG.WINDOW, 3); set(CFG.FLAGS, flags); set(CFG.NEG_TABLE, table);
        set(CFG.NEG_TABLE_SIZE, V); set(CFG.SAMPLE, sample); set(CFG.CODES, codes); set(CFG.POINTS, points); set(CFG.CODELENS, lens);
        set(CFG.EXP_TABLE, rt.sigmoidTable()); set(CFG.LOG_TABLE, logT); set(CFG.TOKENS, tokens); set(CFG.OFFSETS, offsets);
        set(CFG.NSENT, sents.length); set(CFG.SCRATCH, scratch);
        a.f32(cfg + CFG.ALPHA, 2).set([0.05, 0.01]);
        new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0] = 7n;
        k[fn](cfg);
        results.push(a.f32(syn0, V * dim).slice());
        const st = a.f64(cfg + CFG.LOSS, 3);
        losses.push(st[0]);
        expect(st[1]).toBeGreaterThan(0); // words kept
        expect(st[2]).toBeGreaterThan(0); // examples trained
        for (const p of [cfg, syn0, syn1neg, syn1, scratch, codes, points, lens, tokens, offsets, logT, table, sample]) a.free(p);
      }
      let maxDiff = 0, moved = 0;
      const init = randomF32(V * dim, rng(1), 0.05);
      for (let i = 0; i < results[0].length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(results[0][i] - results[1][i]));
        moved = Math.max(moved, Math.abs(results[0][i] - init[i]));
      }
      expect(maxDiff).toBeLessThan(1e-4);
      expect(moved).toBeGreaterThan(1e-3);
      expect(Math.abs(losses[0] - losses[1])).toBeLessThan(1e-3 * Math.abs(losses[1]) + 1e-6);
    }
  });
});

describe.each(['simd', 'scalar'] as const)('one batch against the independent TypeScript reference (test/train/reference.ts), %s build', (build) => {
  const cases: [string, number, number][] = [
    // name, flags, negative
    ['CBOW, mean, negative sampling, subsampling, shrinking windows', FLAG.CBOW | FLAG.CBOW_MEAN | FLAG.SAMPLE | FLAG.SHRINK_WINDOWS, 5],
    ['CBOW, sum, hierarchical softmax + negatives', FLAG.CBOW | FLAG.HS, 3],
    ['skip-gram, negatives shared per window, subsampling, shrinking windows', FLAG.MINIBATCH | FLAG.SAMPLE | FLAG.SHRINK_WINDOWS, 5],
    ['skip-gram, per-pair negatives, subsampling', FLAG.SAMPLE, 4],
    ['skip-gram, hierarchical softmax, shrinking windows', FLAG.HS | FLAG.SHRINK_WINDOWS, 0],
  ];
  for (const [name, flags, negative] of cases) {
    it(name, async () => {
      const rt = await rtFor(build);
      const a = rt.arena, k = rt.kernels;
      const r = rng(21);
      const dim = 11, V = 25, window = 3;
      const sents: number[][] = Array.from({ length: 30 }, () => Array.from({ length: 2 + Math.floor(r() * 14) }, () => (r() < 0.05 ? -1 : Math.floor(Math.pow(r(), 2.5) * V))));
      const counts = new Float64Array(V).fill(1);
      for (const s of sents) for (const w of s) if (w >= 0) counts[w]++;
      const order = Array.from({ length: V }, (_, i) => i).sort((x, y) => counts[y] - counts[x] || x - y);
      const sortedCounts = Float64Array.from(order, (i) => counts[i]);
      const hf = huffman(sortedCounts, MAX_CODE_LENGTH); // rows of the sorted vocabulary: ids are ranks
      const rank = new Int32Array(V);
      order.forEach((w, i) => (rank[w] = i));
      const tokensJs = new Int32Array(sents.flat().map((w) => (w < 0 ? -1 : rank[w])));
      const offs = [0];
      for (const s of sents) offs.push(offs[offs.length - 1] + s.length);
      const alias = aliasTable(sortedCounts);
      let retained = 0;
      for (const c of sortedCounts) retained += c;
      const sampleT = sampleThresholds({ words: Array<string>(V).fill(''), counts: sortedCounts, index: new Map(), totalWords: retained, totalSentences: 0, retainedWords: retained }, 1e-2);
      const syn0Init = randomF32(V * dim, rng(3), 0.3);
      const syn1negInit = randomF32(V * dim, rng(4), 0.3);
      const syn1Init = randomF32((V - 1) * dim, rng(5), 0.3);

      const logT = a.alloc(4000);
      k.w2v_log_table_init(logT, 1000, 6);
      const cfg = a.alloc(CFG_SIZE, true);
      const ptrs = {
        syn0: a.put(syn0Init), syn1neg: a.put(syn1negInit), syn1: a.put(syn1Init), table: a.put(alias), sample: a.put(sampleT),
        codes: a.put(hf.codes), points: a.put(hf.points), lens: a.put(hf.lengths), tokens: a.put(tokensJs), offsets: a.put(new Int32Array(offs)),
        scratch: a.alloc(scratchBytes(dim, window, negative, 1000)),
      };
      const set = (o: number, v: number) => (a.u32(cfg + o, 1)[0] = v);
      set(CFG.SYN0, ptrs.syn0); set(CFG.SYN1NEG, ptrs.syn1neg); set(CFG.SYN1, ptrs.syn1); set(CFG.DIM, dim); set(CFG.VOCAB, V);
      set(CFG.NEGATIVE, negative); set(CFG.WINDOW, window); set(CFG.FLAGS, flags); set(CFG.NEG_TABLE, ptrs.table); set(CFG.NEG_TABLE_SIZE, V);
      set(CFG.SAMPLE, ptrs.sample); set(CFG.CODES, ptrs.codes); set(CFG.POINTS, ptrs.points); set(CFG.CODELENS, ptrs.lens);
      set(CFG.EXP_TABLE, rt.sigmoidTable()); set(CFG.LOG_TABLE, logT); set(CFG.TOKENS, ptrs.tokens); set(CFG.OFFSETS, ptrs.offsets);
      set(CFG.NSENT, sents.length); set(CFG.SCRATCH, ptrs.scratch);
      a.f32(cfg + CFG.ALPHA, 2).set([0.05, 0.02]);
      new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0] = 99n;
      const ref: RefBatch = {
        dim, window, negative, hs: (flags & FLAG.HS) !== 0, cbow: (flags & FLAG.CBOW) !== 0, cbowMean: (flags & FLAG.CBOW_MEAN) !== 0,
        shrink: (flags & FLAG.SHRINK_WINDOWS) !== 0, sample: (flags & FLAG.SAMPLE) !== 0, shared: (flags & FLAG.MINIBATCH) !== 0,
        sampleT, alias, codes: hf.codes, points: hf.points, lengths: hf.lengths, maxCodeLength: MAX_CODE_LENGTH,
        expT: a.f32(rt.sigmoidTable(), 1000).slice(), logT: a.f32(logT, 1000).slice(), tokens: tokensJs, offsets: new Int32Array(offs),
        alpha0: Math.fround(0.05), alpha1: Math.fround(0.02), rng: 99n,
      };
      const state = { syn0: Float64Array.from(syn0Init), syn1neg: Float64Array.from(syn1negInit), syn1: Float64Array.from(syn1Init) };
      const want = trainBatchReference(ref, state);
      k.w2v_train_batch(cfg);

      // the same random stream (subsampling, windows, negatives) and the same counts
      expect(new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0]).toBe(want.rng);
      const st = a.f64(cfg + CFG.LOSS, 3);
      expect(st[1]).toBe(want.words);
      expect(st[2]).toBe(want.pairs);
      expect(Math.abs(st[0] - want.loss)).toBeLessThan(1e-3 * want.loss);
      if (flags & FLAG.SAMPLE) expect(want.words).toBeLessThan(tokensJs.filter((w) => w >= 0).length); // subsampling dropped words
      // the same weights within float tolerance, and they moved
      const cmp = (got: Float32Array, exp: Float64Array, init: Float32Array) => {
        let maxDiff = 0, moved = 0;
        for (let i = 0; i < exp.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - exp[i]));
          moved = Math.max(moved, Math.abs(exp[i] - init[i]));
        }
        return { maxDiff, moved };
      };
      const c0 = cmp(a.f32(ptrs.syn0, V * dim), state.syn0, syn0Init);
      expect(c0.moved).toBeGreaterThan(1e-2);
      expect(c0.maxDiff).toBeLessThan(2e-4);
      if (negative > 0) {
        const c1 = cmp(a.f32(ptrs.syn1neg, V * dim), state.syn1neg, syn1negInit);
        expect(c1.moved).toBeGreaterThan(1e-2);
        expect(c1.maxDiff).toBeLessThan(2e-4);
      }
      if (flags & FLAG.HS) {
        const c2 = cmp(a.f32(ptrs.syn1, (V - 1) * dim), state.syn1, syn1Init);
        expect(c2.moved).toBeGreaterThan(1e-2);
        expect(c2.maxDiff).toBeLessThan(2e-4);
      }
      for (const p of [cfg, logT, ...Object.values(ptrs)]) a.free(p);
    });
  }
});

describe('the config block mirror', () => {
  it('is checked field by field against the kernels: a moved field or flag is refused with E_WASM', async () => {
    const rt = await rtFor('simd');
    expect(() => checkConfigLayout(rt.kernels)).not.toThrow();
    // two fields swapped: same total size, same set of offsets
    const swapped = { ...LAYOUT, fields: { ...CFG, ALPHA: CFG.ALPHA_END, ALPHA_END: CFG.ALPHA } };
    expect(() => checkConfigLayout(rt.kernels, swapped)).toThrow(expect.objectContaining({ code: 'E_WASM', message: expect.stringMatching(/field ALPHA is 80 in wasm, 84 here/) }));
    expect(() => checkConfigLayout(rt.kernels, { ...LAYOUT, flags: { ...FLAG, SAMPLE: 32, MINIBATCH: 16 } })).toThrow(expect.objectContaining({ code: 'E_WASM' }));
    const { PAIRS, ...fewer } = CFG;
    expect(() => checkConfigLayout(rt.kernels, { ...LAYOUT, fields: fewer })).toThrow(expect.objectContaining({ code: 'E_WASM' }));
    // a build whose kernels place one field elsewhere: Word2Vec refuses it before training
    const kernels = Object.create(rt.kernels, { w2v_cfg_layout: { value: (i: number) => (i === 22 ? 92 : rt.kernels.w2v_cfg_layout(i)) } });
    const fake = Object.create(rt, { kernels: { value: kernels } });
    expect(PAIRS).toBe(112);
    await expect(new Word2Vec({ runtime: fake, workers: 1, minCount: 1 }).train(['a b c'])).rejects.toMatchObject({ code: 'E_WASM', message: expect.stringMatching(/field RNG/) });
  });
});

describe('vocabulary helpers', () => {
  it('Huffman codes are prefix-free and optimal (weighted length equals the Huffman cost)', () => {
    const counts = new Float64Array([50, 30, 20, 10, 8, 5, 3, 2, 1, 1]);
    const h = huffman(counts, MAX_CODE_LENGTH);
    const codes: string[] = [];
    for (let i = 0; i < counts.length; i++) codes.push(Array.from(h.codes.subarray(i * MAX_CODE_LENGTH, i * MAX_CODE_LENGTH + h.lengths[i])).join(''));
    for (let i = 0; i < codes.length; i++) for (let j = 0; j < codes.length; j++) if (i !== j) expect(codes[j].startsWith(codes[i])).toBe(false);
    // Huffman cost by repeated merging of the two smallest
    const q = Array.from(counts);
    let cost = 0;
    while (q.length > 1) {
      q.sort((a, b) => a - b);
      const m = q.shift()! + q.shift()!;
      cost += m;
      q.push(m);
    }
    let got = 0;
    for (let i = 0; i < counts.length; i++) got += counts[i] * h.lengths[i];
    expect(got).toBe(cost);
    // every word's path starts at the root (inner node V − 2)
    for (let i = 0; i < counts.length; i++) expect(h.points[i * MAX_CODE_LENGTH]).toBe(counts.length - 2);
  });

  it('Huffman codes for unsorted counts (a vocabulary grown by an update) are prefix-free and optimal too', () => {
    const counts = new Float64Array([50, 3, 30, 1, 20, 10, 8, 5, 2, 1]);
    const h = huffmanAnyOrder(counts, MAX_CODE_LENGTH);
    const codes: string[] = [];
    for (let i = 0; i < counts.length; i++) codes.push(Array.from(h.codes.subarray(i * MAX_CODE_LENGTH, i * MAX_CODE_LENGTH + h.lengths[i])).join(''));
    for (let i = 0; i < codes.length; i++) for (let j = 0; j < codes.length; j++) if (i !== j) expect(codes[j].startsWith(codes[i])).toBe(false);
    const q = Array.from(counts);
    let cost = 0;
    while (q.length > 1) {
      q.sort((a, b) => a - b);
      const m = q.shift()! + q.shift()!;
      cost += m;
      q.push(m);
    }
    let got = 0;
    for (let i = 0; i < counts.length; i++) got += counts[i] * h.lengths[i];
    expect(got).toBe(cost);
    for (let i = 0; i < counts.length; i++) {
      expect(h.points[i * MAX_CODE_LENGTH]).toBe(counts.length - 2);
      for (let k = 0; k < h.lengths[i]; k++) expect(h.points[i * MAX_CODE_LENGTH + k]).toBeLessThan(counts.length - 1);
    }
    // word2vec.c's two-queue construction assumes sorted counts: on these it is not optimal
    const plain = huffman(counts, MAX_CODE_LENGTH);
    let plainCost = 0;
    for (let i = 0; i < counts.length; i++) plainCost += counts[i] * plain.lengths[i];
    expect(plainCost).toBeGreaterThan(cost);
  });

  it('alias table draws follow count^0.75 exactly (computed probabilities, not sampled)', () => {
    const counts = new Float64Array([1000, 100, 10, 1, 1, 57]);
    const t = aliasTable(counts);
    const n = counts.length;
    const prob = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const keep = t[2 * i] / 4294967296;
      prob[i] += keep / n;
      prob[t[2 * i + 1]] += (1 - keep) / n;
    }
    const z = Array.from(counts).reduce((s, c) => s + Math.pow(c, 0.75), 0);
    for (let i = 0; i < n; i++) expect(Math.abs(prob[i] - Math.pow(counts[i], 0.75) / z)).toBeLessThan(1e-8);
  });

  it('subsampling thresholds follow word2vec’s formula', () => {
    const vb = new VocabBuilder({ minCount: 1 });
    vb.add(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'c']);
    const v = vb.finish();
    const th = sampleThresholds(v, 0.1);
    const t = 0.1 * 10;
    const p = (c: number) => Math.min(1, (Math.sqrt(c / t) + 1) * (t / c));
    expect(th[0] / 4294967296).toBeCloseTo(p(8), 6);
    expect(th[1]).toBe(0xffffffff);
  });
});
