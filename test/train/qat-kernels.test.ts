// Word2Vec's quantization-aware training kernel against an independent plain-TypeScript reference of Word2Bits'
// update (Lam 2018, "Word2Bits — Quantized Word Vectors"; its word2bits.cpp): every row read in the forward and
// backward pass is Q(row) — 1 bit: ±1/3 (+ for x ≥ 0); 2 bits: sign(x)·(|x| ≤ 1/2 ? 1/4 : 3/4) — and the gradients
// go to the float rows (straight-through estimator):
//   h = Q(syn0[context]) (skip-gram) or the mean / sum of the Q(syn0[c]) (CBOW)
//   for the target and each negative t: f = ⟨h, Q(w_t)⟩, g = (label − σ(f))·α, e += g·Q(w_t), w_t += g·h
//   syn0[context] += e (CBOW: every context row)
// The draws follow the kernels' documented random stream (word2vec.c's LCG, the alias table), as test/train/reference.ts.
import { describe, it, expect } from 'vitest';
import { rtFor, rng, randomF32 } from '../helpers.js';
import { CFG, CFG_SIZE, FLAG, MAX_CODE_LENGTH, scratchBytes } from '../../src/train/w2v-config.js';
import { huffman, aliasTable, sampleThresholds } from '../../src/train/vocab.js';
import { lcg } from './reference.js';
import { quantizeRef } from './qat-reference.js';

interface Batch {
  dim: number; window: number; negative: number; hs: boolean; cbow: boolean; cbowMean: boolean; shrink: boolean; sample: boolean;
  bits: 1 | 2; level?: number; sampleT: Uint32Array; alias: Uint32Array; codes: Uint8Array; points: Int32Array; lengths: Uint8Array;
  expT: Float32Array; logT: Float32Array; tokens: Int32Array; offsets: Int32Array; alpha0: number; alpha1: number; rng: bigint;
}

/** One batch of Word2Bits-style QAT in float64 arithmetic on the float weights. */
function qatBatchReference(b: Batch, s: { syn0: Float64Array; syn1neg: Float64Array; syn1: Float64Array }) {
  const d = b.dim, V = b.alias.length / 2;
  let rng = b.rng, loss = 0, words = 0, pairs = 0;
  const Q = (x: number) => Math.fround(quantizeRef(x, b.bits, b.level));
  const gradient = (f: number, label: number, alpha: number): number => {
    const IDX = Math.fround(1000 / 6 / 2);
    const idx = (x: number) => Math.trunc(Math.fround(Math.fround(x + 6) * IDX));
    const sig = f >= 6 ? 1 : f <= -6 ? 0 : b.expT[idx(f)];
    const sf = label > 0.5 ? f : -f;
    loss += sf >= 6 ? 0 : sf <= -6 ? -sf : b.logT[idx(sf)];
    return (label - sig) * alpha;
  };
  /** One output row, straight-through. */
  const out = (h: Float64Array, e: Float64Array, w: Float64Array, row: number, label: number, alpha: number) => {
    const qw = Array.from({ length: d }, (_, c) => Q(w[row * d + c]));
    let f = 0;
    for (let c = 0; c < d; c++) f += h[c] * qw[c];
    const g = gradient(f, label, alpha);
    for (let c = 0; c < d; c++) {
      e[c] += g * qw[c];
      w[row * d + c] += g * h[c];
    }
  };
  const update = (h: Float64Array, e: Float64Array, center: number, alpha: number) => {
    if (b.hs) {
      for (let k = 0; k < b.lengths[center]; k++) out(h, e, s.syn1, b.points[center * MAX_CODE_LENGTH + k], 1 - b.codes[center * MAX_CODE_LENGTH + k], alpha);
    }
    for (let k = 0; k <= b.negative && b.negative > 0; k++) {
      let t = center, label = 1;
      if (k > 0) {
        const r1 = (rng = lcg(rng));
        rng = lcg(rng);
        const slot = Number((((r1 >> 16n) & 0xffffffffn) * BigInt(V)) >> 32n);
        t = Number(rng >> 32n) < b.alias[2 * slot] ? slot : b.alias[2 * slot + 1];
        if (t === center) continue;
        label = 0;
      }
      out(h, e, s.syn1neg, t, label, alpha);
    }
  };
  const nsent = b.offsets.length - 1, total = b.offsets[nsent] - b.offsets[0];
  let done = 0;
  for (let si = 0; si < nsent; si++) {
    const start = b.offsets[si], end = b.offsets[si + 1];
    const alpha = total > 0 ? b.alpha0 + (b.alpha1 - b.alpha0) * (done / total) : b.alpha0;
    done += end - start;
    const idx: number[] = [];
    for (let t = start; t < end; t++) {
      const w = b.tokens[t];
      if (w < 0) continue;
      if (b.sample) {
        rng = lcg(rng);
        if (b.sampleT[w] < Number((rng >> 16n) & 0xffffffffn)) continue;
      }
      idx.push(w);
    }
    words += idx.length;
    for (let i = 0; i < idx.length; i++) {
      let red = 0;
      if (b.shrink) {
        rng = lcg(rng);
        red = Number(rng % BigInt(b.window));
      }
      const win = b.window - red;
      const j0 = Math.max(0, i - win), j1 = Math.min(idx.length, i + win + 1);
      const ctx: number[] = [];
      for (let j = j0; j < j1; j++) if (j !== i) ctx.push(idx[j]);
      if (b.cbow) {
        if (ctx.length === 0) continue;
        const h = new Float64Array(d);
        for (const w of ctx) for (let c = 0; c < d; c++) h[c] += Q(s.syn0[w * d + c]);
        if (b.cbowMean) for (let c = 0; c < d; c++) h[c] /= ctx.length;
        const e = new Float64Array(d);
        update(h, e, idx[i], alpha);
        for (const w of ctx) for (let c = 0; c < d; c++) s.syn0[w * d + c] += e[c];
        pairs++;
      } else {
        for (const w of ctx) {
          const h = Float64Array.from({ length: d }, (_, c) => Q(s.syn0[w * d + c]));
          const e = new Float64Array(d);
          update(h, e, idx[i], alpha);
          for (let c = 0; c < d; c++) s.syn0[w * d + c] += e[c];
          pairs++;
        }
      }
    }
  }
  return { rng, loss, words, pairs };
}

describe.each(['simd', 'scalar'] as const)('QAT batch (Word2Bits) against a plain-TypeScript reference, %s build', (build) => {
  const cases: [string, number, number][] = [
    ['skip-gram, negative sampling, shrinking windows, subsampling', FLAG.SHRINK_WINDOWS | FLAG.SAMPLE, 5],
    // the HogBatch flag is ignored under QAT: pairs are trained one by one, as the reference does
    ['skip-gram, negative sampling, shared-negatives flag set', FLAG.SHRINK_WINDOWS | FLAG.MINIBATCH, 4],
    ['CBOW, mean, negative sampling (Word2Bits\' own configuration)', FLAG.CBOW | FLAG.CBOW_MEAN | FLAG.SHRINK_WINDOWS | FLAG.SAMPLE, 5],
    ['CBOW, sum, hierarchical softmax + negatives', FLAG.CBOW | FLAG.HS, 3],
    ['skip-gram, hierarchical softmax', FLAG.HS | FLAG.SHRINK_WINDOWS, 0],
  ];
  // level: Word2Bits' own (the config's 0), or a level L of quantize.level (0.1: 2-bit rows at ±0.5 use both levels; the float64 reference can put a weight within rounding of the threshold 2L on the other side, so levels are chosen where none is)
  for (const [bits, level] of [[1, undefined], [2, undefined], [1, 0.1], [2, 0.1]] as const) {
    for (const [name, flags0, negative] of cases) {
      it(`${bits} bit${bits > 1 ? 's' : ''}${level === undefined ? '' : `, level ${level}`}: ${name}`, async () => {
        const rt = await rtFor(build);
        const a = rt.arena, k = rt.kernels;
        const r = rng(31 + bits);
        const dim = 13, V = 25, window = 3;
        const flags = flags0 | (bits === 1 ? FLAG.QUANT1 : FLAG.QUANT2);
        const sents = Array.from({ length: 30 }, () => Array.from({ length: 2 + Math.floor(r() * 14) }, () => (r() < 0.05 ? -1 : Math.floor(Math.pow(r(), 2.5) * V))));
        const counts = new Float64Array(V).fill(1);
        for (const s of sents) for (const w of s) if (w >= 0) counts[w]++;
        const order = Array.from({ length: V }, (_, i) => i).sort((x, y) => counts[y] - counts[x] || x - y);
        const sorted = Float64Array.from(order, (i) => counts[i]);
        const hf = huffman(sorted, MAX_CODE_LENGTH);
        const rank = new Int32Array(V);
        order.forEach((w, i) => (rank[w] = i));
        const tokens = new Int32Array(sents.flat().map((w) => (w < 0 ? -1 : rank[w])));
        const offs = [0];
        for (const s of sents) offs.push(offs[offs.length - 1] + s.length);
        const alias = aliasTable(sorted);
        let retained = 0;
        for (const c of sorted) retained += c;
        const sampleT = sampleThresholds({ words: Array<string>(V).fill(''), counts: sorted, index: new Map(), totalWords: retained, totalSentences: 0, retainedWords: retained }, 1e-2);
        // Word2Bits' initial scale (uniform in ±0.5), so that 2-bit rows use both levels from the start
        const syn0Init = randomF32(V * dim, rng(3), 0.5), syn1negInit = randomF32(V * dim, rng(4), 0.5), syn1Init = randomF32((V - 1) * dim, rng(5), 0.5);
        const logT = a.alloc(4000);
        k.w2v_log_table_init(logT, 1000, 6);
        const cfg = a.alloc(CFG_SIZE, true);
        const p = {
          syn0: a.put(syn0Init), syn1neg: a.put(syn1negInit), syn1: a.put(syn1Init), table: a.put(alias), sample: a.put(sampleT),
          codes: a.put(hf.codes), points: a.put(hf.points), lens: a.put(hf.lengths), tokens: a.put(tokens), offsets: a.put(new Int32Array(offs)),
          scratch: a.alloc(scratchBytes(dim, window, negative, 1000)),
        };
        const set = (o: number, v: number) => (a.u32(cfg + o, 1)[0] = v);
        set(CFG.SYN0, p.syn0); set(CFG.SYN1NEG, p.syn1neg); set(CFG.SYN1, p.syn1); set(CFG.DIM, dim); set(CFG.VOCAB, V);
        set(CFG.NEGATIVE, negative); set(CFG.WINDOW, window); set(CFG.FLAGS, flags); set(CFG.NEG_TABLE, p.table); set(CFG.NEG_TABLE_SIZE, V);
        set(CFG.SAMPLE, p.sample); set(CFG.CODES, p.codes); set(CFG.POINTS, p.points); set(CFG.CODELENS, p.lens);
        set(CFG.EXP_TABLE, rt.sigmoidTable()); set(CFG.LOG_TABLE, logT); set(CFG.TOKENS, p.tokens); set(CFG.OFFSETS, p.offsets);
        set(CFG.NSENT, sents.length); set(CFG.SCRATCH, p.scratch);
        a.f32(cfg + CFG.ALPHA, 2).set([0.05, 0.02]);
        if (level !== undefined) a.f32(cfg + CFG.QLEVEL, 1)[0] = level;
        new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0] = 77n;
        const state = { syn0: Float64Array.from(syn0Init), syn1neg: Float64Array.from(syn1negInit), syn1: Float64Array.from(syn1Init) };
        const want = qatBatchReference({
          dim, window, negative, hs: (flags & FLAG.HS) !== 0, cbow: (flags & FLAG.CBOW) !== 0, cbowMean: (flags & FLAG.CBOW_MEAN) !== 0,
          shrink: (flags & FLAG.SHRINK_WINDOWS) !== 0, sample: (flags & FLAG.SAMPLE) !== 0, bits, level, sampleT, alias, codes: hf.codes,
          points: hf.points, lengths: hf.lengths, expT: a.f32(rt.sigmoidTable(), 1000).slice(), logT: a.f32(logT, 1000).slice(), tokens,
          offsets: new Int32Array(offs), alpha0: Math.fround(0.05), alpha1: Math.fround(0.02), rng: 77n,
        }, state);
        k.w2v_train_batch(cfg);
        expect(new BigUint64Array(rt.memory.buffer, cfg + CFG.RNG, 1)[0]).toBe(want.rng);
        const st = a.f64(cfg + CFG.LOSS, 3);
        expect(st[1]).toBe(want.words);
        expect(st[2]).toBe(want.pairs);
        expect(Math.abs(st[0] - want.loss)).toBeLessThan(1e-3 * want.loss);
        const cmp = (got: Float32Array, exp: Float64Array, init: Float32Array) => {
          let maxDiff = 0, moved = 0;
          for (let i = 0; i < exp.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - exp[i]));
            moved = Math.max(moved, Math.abs(exp[i] - init[i]));
          }
          expect(moved).toBeGreaterThan(1e-2);
          expect(maxDiff).toBeLessThan(1e-4);
        };
        cmp(a.f32(p.syn0, V * dim), state.syn0, syn0Init);
        if (negative > 0) cmp(a.f32(p.syn1neg, V * dim), state.syn1neg, syn1negInit);
        if (flags & FLAG.HS) cmp(a.f32(p.syn1, (V - 1) * dim), state.syn1, syn1Init);
        for (const x of Object.values(p)) a.free(x);
        a.free(cfg);
        a.free(logT);
      });
    }
  }
});
