// The FastText batch kernel against an independent plain-TypeScript reference (float64), written from fastText's
// skipgram()/cbow() and Model::update (hidden = mean of the bag, the whole gradient added to every row of the bag)
// and from assembly/ft/train.ts's documented random stream (word2vec's LCG: subsampling, reduced windows, negatives
// drawn from the alias table), for the SIMD and the scalar builds.
import { describe, it, expect } from 'vitest';
import { rtFor, rng, randomF32 } from '../helpers.js';
import { CFG, FLAG, MAX_CODE_LENGTH } from '../../src/train/w2v-config.js';
import { FT_CFG, FT_CFG_SIZE, ftScratchBytes, checkFtConfigLayout } from '../../src/train/fasttext.js';
import { huffman, aliasTable, sampleThresholds } from '../../src/train/vocab.js';

const MASK = (1n << 64n) - 1n;
const lcg = (s: bigint) => (s * 25214903917n + 11n) & MASK;

interface Ref {
  dim: number; window: number; negative: number; flags: number;
  sampleT: Uint32Array; alias: Uint32Array; V: number;
  codes: Uint8Array; points: Int32Array; lengths: Uint8Array;
  expT: Float32Array; logT: Float32Array;
  subOff: Int32Array; subRows: Int32Array;
  tokens: Int32Array; offsets: Int32Array; alpha0: number; alpha1: number; rng: bigint;
}
interface State { input: Float64Array; syn1neg: Float64Array; syn1: Float64Array }

/** One batch, written independently of the kernel: returns the RNG state, loss, words kept and examples. */
function referenceBatch(b: Ref, s: State) {
  const { dim, window, negative, flags } = b;
  const hs = (flags & FLAG.HS) !== 0, cbow = (flags & FLAG.CBOW) !== 0, cbowMean = (flags & FLAG.CBOW_MEAN) !== 0;
  const shrink = (flags & FLAG.SHRINK_WINDOWS) !== 0, sample = (flags & FLAG.SAMPLE) !== 0, shared = (flags & FLAG.MINIBATCH) !== 0;
  let r = b.rng, loss = 0, words = 0, pairs = 0;
  const IDX = Math.fround(1000 / 6 / 2);
  const idx = (x: number) => Math.trunc(Math.fround(Math.fround(x + 6) * IDX));
  const bagOf = (w: number) => Array.from(b.subRows.subarray(b.subOff[w], b.subOff[w + 1]));
  /** one output row: e += g·w_old, w += g·h; weight multiplies g and the loss */
  const out = (m: Float64Array, t: number, h: Float64Array, e: Float64Array, label: number, weight: number, alpha: number) => {
    let f = 0;
    for (let c = 0; c < dim; c++) f += h[c] * m[t * dim + c];
    const sig = f >= 6 ? 1 : f <= -6 ? 0 : b.expT[idx(f)];
    const sf = label > 0.5 ? f : -f;
    loss += weight * (sf >= 6 ? 0 : sf <= -6 ? -sf : b.logT[idx(sf)]);
    const g = (label - sig) * alpha * weight;
    for (let c = 0; c < dim; c++) {
      const wv = m[t * dim + c];
      e[c] += g * wv;
      m[t * dim + c] = wv + g * h[c];
    }
  };
  const draw = () => {
    const r1 = (r = lcg(r));
    r = lcg(r);
    const slot = Number((((r1 >> 16n) & 0xffffffffn) * BigInt(b.V)) >> 32n);
    return Number(r >> 32n) < b.alias[2 * slot] ? slot : b.alias[2 * slot + 1];
  };
  const ns = (h: Float64Array, e: Float64Array, target: number, alpha: number) => {
    out(s.syn1neg, target, h, e, 1, 1, alpha);
    for (let d = 0; d < negative; d++) {
      const t = draw();
      if (t !== target) out(s.syn1neg, t, h, e, 0, 1, alpha);
    }
  };
  const hsm = (h: Float64Array, e: Float64Array, word: number, alpha: number) => {
    for (let d = 0; d < b.lengths[word]; d++) {
      out(s.syn1, b.points[word * MAX_CODE_LENGTH + d], h, e, b.codes[word * MAX_CODE_LENGTH + d] ? 0 : 1, 1, alpha);
    }
  };
  const mean = (rows: number[]) => {
    const h = new Float64Array(dim);
    for (const row of rows) for (let c = 0; c < dim; c++) h[c] += s.input[row * dim + c];
    if (rows.length > 1) for (let c = 0; c < dim; c++) h[c] /= rows.length;
    return h;
  };
  const scatter = (rows: number[], e: Float64Array) => {
    for (const row of rows) for (let c = 0; c < dim; c++) s.input[row * dim + c] += e[c];
  };
  const nsent = b.offsets.length - 1;
  const total = b.offsets[nsent] - b.offsets[0];
  let done = 0;
  for (let si = 0; si < nsent; si++) {
    const start = b.offsets[si], end = b.offsets[si + 1];
    const alpha = total > 0 ? b.alpha0 + (b.alpha1 - b.alpha0) * (done / total) : b.alpha0;
    done += end - start;
    const sent: number[] = [];
    for (let t = start; t < end; t++) {
      const w = b.tokens[t];
      if (w < 0) continue;
      if (sample) {
        r = lcg(r);
        if (b.sampleT[w] < Number((r >> 16n) & 0xffffffffn)) continue;
      }
      sent.push(w);
    }
    words += sent.length;
    for (let i = 0; i < sent.length; i++) {
      let red = 0;
      if (shrink) {
        r = lcg(r);
        red = Number(r % BigInt(window));
      }
      const win = window - red;
      const ctx: number[] = [];
      for (let j = Math.max(0, i - win); j < Math.min(sent.length, i + win + 1); j++) if (j !== i) ctx.push(sent[j]);
      if (ctx.length === 0) continue;
      const center = sent[i];
      if (cbow) {
        const rows = ctx.flatMap(bagOf);
        if (rows.length === 0) continue;
        const h = new Float64Array(dim);
        for (const row of rows) for (let c = 0; c < dim; c++) h[c] += s.input[row * dim + c];
        if (cbowMean) for (let c = 0; c < dim; c++) h[c] /= rows.length;
        const e = new Float64Array(dim);
        if (hs) hsm(h, e, center, alpha);
        if (negative > 0) ns(h, e, center, alpha);
        if (!cbowMean) for (let c = 0; c < dim; c++) e[c] /= rows.length;
        for (const w of ctx) scatter(bagOf(w), e);
        pairs += 1;
      } else if (shared) {
        const h = mean(bagOf(center)), e = new Float64Array(dim);
        for (const c of ctx) {
          if (hs) hsm(h, e, c, alpha);
          if (negative > 0) out(s.syn1neg, c, h, e, 1, 1, alpha);
        }
        for (let d = 0; d < negative; d++) {
          const t = draw();
          const wgt = ctx.filter((c) => c !== t).length;
          if (wgt > 0) out(s.syn1neg, t, h, e, 0, wgt, alpha);
        }
        scatter(bagOf(center), e);
        pairs += ctx.length;
      } else {
        for (const c of ctx) {
          const h = mean(bagOf(center)), e = new Float64Array(dim);
          if (hs) hsm(h, e, c, alpha);
          if (negative > 0) ns(h, e, c, alpha);
          scatter(bagOf(center), e);
          pairs += 1;
        }
      }
    }
  }
  return { rng: r, loss, words, pairs };
}

describe('FastText config block', () => {
  it('the TypeScript mirror matches the kernels', async () => {
    const rt = await rtFor('simd');
    expect(() => checkFtConfigLayout(rt.kernels)).not.toThrow();
    expect(() => checkFtConfigLayout({ ft_cfg_layout: (i: number) => (i === 1 ? 136 : [128, 132, 144][i] ?? -1) })).toThrow(/FastText config entry 1/);
  });
});

describe.each(['simd', 'scalar'] as const)('ft_train_batch against an independent TypeScript reference, %s build', (build) => {
  const cases: [string, number, number][] = [
    ['skip-gram as fastText (per pair), negatives, subsampling, shrinking windows', FLAG.SAMPLE | FLAG.SHRINK_WINDOWS, 5],
    ['skip-gram, one hidden vector per window, shared negatives, subsampling, shrinking windows', FLAG.MINIBATCH | FLAG.SAMPLE | FLAG.SHRINK_WINDOWS, 5],
    ['skip-gram, hierarchical softmax + shared negatives', FLAG.MINIBATCH | FLAG.HS, 3],
    ['skip-gram as fastText, hierarchical softmax', FLAG.HS | FLAG.SHRINK_WINDOWS, 0],
    ['CBOW, mean over the bags, negatives, subsampling, shrinking windows', FLAG.CBOW | FLAG.CBOW_MEAN | FLAG.SAMPLE | FLAG.SHRINK_WINDOWS, 5],
    ['CBOW, sum, hierarchical softmax + negatives', FLAG.CBOW | FLAG.HS, 3],
  ];
  for (const [name, flags, negative] of cases) {
    it(name, async () => {
      const rt = await rtFor(build);
      const a = rt.arena, k = rt.kernels;
      const r = rng(31);
      const dim = 13, V = 20, bucket = 17, window = 3;
      const sents: number[][] = Array.from({ length: 25 }, () => Array.from({ length: 2 + Math.floor(r() * 12) }, () => (r() < 0.05 ? -1 : Math.floor(Math.pow(r(), 2.5) * V))));
      const counts = new Float64Array(V).fill(1);
      for (const s of sents) for (const w of s) if (w >= 0) counts[w]++;
      const order = Array.from({ length: V }, (_, i) => i).sort((x, y) => counts[y] - counts[x] || x - y);
      const sortedCounts = Float64Array.from(order, (i) => counts[i]);
      const rank = new Int32Array(V);
      order.forEach((w, i) => (rank[w] = i));
      const tokens = new Int32Array(sents.flat().map((w) => (w < 0 ? -1 : rank[w])));
      const offs = [0];
      for (const s of sents) offs.push(offs[offs.length - 1] + s.length);
      const hf = huffman(sortedCounts, MAX_CODE_LENGTH);
      const alias = aliasTable(sortedCounts);
      let retained = 0;
      for (const c of sortedCounts) retained += c;
      const sampleT = sampleThresholds({ words: Array<string>(V).fill(''), counts: sortedCounts, index: new Map(), totalWords: retained, totalSentences: 0, retainedWords: retained }, 1e-2);
      // bags: the word's own row, then 0–5 n-gram rows (repeats allowed, as hashing collides); one word has only its row
      const subOffL = [0], subRowsL: number[] = [];
      for (let w = 0; w < V; w++) {
        subRowsL.push(w);
        const n = w === 3 ? 0 : Math.floor(r() * 6);
        for (let j = 0; j < n; j++) subRowsL.push(V + Math.floor(r() * bucket));
        subOffL.push(subRowsL.length);
      }
      const subOff = new Int32Array(subOffL), subRows = new Int32Array(subRowsL);
      const inputInit = randomF32((V + bucket) * dim, rng(3), 0.3);
      const syn1negInit = randomF32(V * dim, rng(4), 0.3);
      const syn1Init = randomF32((V - 1) * dim, rng(5), 0.3);
      const logT = a.alloc(4000);
      k.w2v_log_table_init(logT, 1000, 6);
      const cfg = a.alloc(FT_CFG_SIZE, true);
      const p = {
        input: a.put(inputInit), syn1neg: a.put(syn1negInit), syn1: a.put(syn1Init), table: a.put(alias), sample: a.put(sampleT),
        codes: a.put(hf.codes), points: a.put(hf.points), lens: a.put(hf.lengths), tokens: a.put(tokens), offsets: a.put(new Int32Array(offs)),
        subOff: a.put(subOff), subRows: a.put(subRows), scratch: a.alloc(ftScratchBytes(dim, 1000)),
      };
      const set = (o: number, v: number) => (a.u32(cfg + o, 1)[0] = v);
      set(CFG.SYN0, p.input); set(CFG.SYN1NEG, p.syn1neg); set(CFG.SYN1, p.syn1); set(CFG.DIM, dim); set(CFG.VOCAB, V);
      set(CFG.NEGATIVE, negative); set(CFG.WINDOW, window); set(CFG.FLAGS, flags); set(CFG.NEG_TABLE, p.table); set(CFG.NEG_TABLE_SIZE, V);
      set(CFG.SAMPLE, p.sample); set(CFG.CODES, p.codes); set(CFG.POINTS, p.points); set(CFG.CODELENS, p.lens);
      set(CFG.EXP_TABLE, rt.sigmoidTable()); set(CFG.LOG_TABLE, logT); set(CFG.TOKENS, p.tokens); set(CFG.OFFSETS, p.offsets);
      set(CFG.NSENT, sents.length); set(CFG.SCRATCH, p.scratch); set(FT_CFG.SUB_OFFSETS, p.subOff); set(FT_CFG.SUB_ROWS, p.subRows);
      a.f32(cfg + CFG.ALPHA, 2).set([0.05, 0.02]);
      new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0] = 77n;
      const state = { input: Float64Array.from(inputInit), syn1neg: Float64Array.from(syn1negInit), syn1: Float64Array.from(syn1Init) };
      const want = referenceBatch({
        dim, window, negative, flags, sampleT, alias, V, codes: hf.codes, points: hf.points, lengths: hf.lengths,
        expT: a.f32(rt.sigmoidTable(), 1000).slice(), logT: a.f32(logT, 1000).slice(), subOff, subRows, tokens,
        offsets: new Int32Array(offs), alpha0: Math.fround(0.05), alpha1: Math.fround(0.02), rng: 77n,
      }, state);
      k.ft_train_batch(cfg);
      expect(new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0]).toBe(want.rng);
      const st = a.f64(cfg + CFG.LOSS, 3);
      expect(st[1]).toBe(want.words);
      expect(st[2]).toBe(want.pairs);
      expect(Math.abs(st[0] - want.loss)).toBeLessThan(1e-3 * want.loss);
      const cmp = (got: Float32Array, exp: Float64Array, init: Float32Array, from = 0) => {
        let maxDiff = 0, moved = 0;
        for (let i = from; i < exp.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - exp[i]));
          moved = Math.max(moved, Math.abs(exp[i] - init[i]));
        }
        return { maxDiff, moved };
      };
      const ci = cmp(a.f32(p.input, (V + bucket) * dim), state.input, inputInit);
      expect(ci.moved).toBeGreaterThan(1e-2);
      expect(ci.maxDiff).toBeLessThan(2e-4);
      // the n-gram rows moved too (not only the word rows)
      expect(cmp(a.f32(p.input, (V + bucket) * dim), state.input, inputInit, V * dim).moved).toBeGreaterThan(1e-3);
      if (negative > 0) {
        const c1 = cmp(a.f32(p.syn1neg, V * dim), state.syn1neg, syn1negInit);
        expect(c1.moved).toBeGreaterThan(1e-2);
        expect(c1.maxDiff).toBeLessThan(2e-4);
      }
      if (flags & FLAG.HS) {
        const c2 = cmp(a.f32(p.syn1, (V - 1) * dim), state.syn1, syn1Init);
        expect(c2.moved).toBeGreaterThan(1e-2);
        expect(c2.maxDiff).toBeLessThan(2e-4);
      }
      for (const q of [cfg, logT, ...Object.values(p)]) a.free(q);
    });
  }

  it('ft_init_uniform: xorshift32 values in [−scale, scale)', async () => {
    const rt = await rtFor(build);
    const a = rt.arena;
    const n = 1000, ptr = a.alloc(n * 4);
    rt.kernels.ft_init_uniform(ptr, n, 12345, 0.01);
    const got = a.f32(ptr, n).slice();
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      expect(got[i]).toBeCloseTo(((1 + (s >>> 9) / 8388608) * 2 - 3) * 0.01, 7);
    }
    expect(Math.min(...got)).toBeGreaterThanOrEqual(-0.01);
    expect(Math.max(...got)).toBeLessThan(0.01);
    a.free(ptr);
  });
});

// fastText's word vectors (FastTextKeyedVectors' fill after training): ft_mean_rows_gather and its scalar twin against
// a plain TypeScript mean (float sums in list order, × Math.fround(1/n)), bit for bit, with a tail beyond the last
// 4 lanes, strides wider than dim, repeated rows and a word with no rows (zeros)
describe('ft_mean_rows_gather', () => {
  for (const build of ['simd', 'scalar'] as const) {
    for (const fn of ['ft_mean_rows_gather', 'ft_mean_rows_gather_scalar'] as const) {
      it(`${fn} (${build} build) equals the TypeScript mean bit for bit`, async () => {
        const rt = await rtFor(build);
        const r = rng(31);
        const dim = 10, ss = 12, ds = 11, R = 40, n = 25;
        const src = randomF32(R * ss, r);
        const offsets = new Int32Array(n + 1);
        const rows: number[] = [];
        for (let i = 0; i < n; i++) {
          const len = i === 3 ? 0 : 1 + Math.floor(r() * 9);
          for (let k = 0; k < len; k++) rows.push(k === 2 && len > 3 ? rows[rows.length - 1] : Math.floor(r() * R));
          offsets[i + 1] = rows.length;
        }
        const a = rt.arena;
        const ps = a.alloc(src.length * 4), pr = a.alloc(rows.length * 4), po = a.alloc((n + 1) * 4), pd = a.alloc(n * ds * 4);
        a.f32(ps, src.length).set(src);
        a.i32(pr, rows.length).set(rows);
        a.i32(po, n + 1).set(offsets);
        a.f32(pd, n * ds).fill(7);
        rt.kernels[fn](ps, ss, pr, po, n, dim, pd, ds);
        const got = a.f32(pd, n * ds).slice();
        for (let i = 0; i < n; i++) {
          const acc = new Float32Array(dim);
          for (let k = offsets[i]; k < offsets[i + 1]; k++) for (let c = 0; c < dim; c++) acc[c] += src[rows[k] * ss + c];
          const cnt = offsets[i + 1] - offsets[i];
          const inv = cnt ? Math.fround(1 / cnt) : 0;
          const want = Float32Array.from(acc, (x) => x * inv);
          expect(Array.from(got.subarray(i * ds, i * ds + dim)), `word ${i}`).toEqual(Array.from(want));
          // the stride's padding is not written
          expect(got[i * ds + dim]).toBe(7);
        }
        for (const p of [ps, pr, po, pd]) a.free(p);
      });
    }
  }
});
