// An independent plain-TypeScript Word2Vec batch (float64 arithmetic), written from word2vec.c's update rules and
// assembly/w2v/train.ts's documented random stream (the LCG next_random, its draw order for subsampling, reduced
// windows and negatives, and the alias-table draw), to check the kernels' weights after one batch.

const MASK = (1n << 64n) - 1n;
export const lcg = (s: bigint): bigint => (s * 25214903917n + 11n) & MASK;

export interface RefBatch {
  dim: number;
  window: number;
  negative: number;
  hs: boolean;
  cbow: boolean;
  cbowMean: boolean;
  shrink: boolean;
  sample: boolean;
  /** skip-gram + negatives: draw the negatives once per window (HogBatch) */
  shared: boolean;
  /** u32 keep thresholds per word */
  sampleT: Uint32Array;
  /** (u32 threshold, alias) pairs per word */
  alias: Uint32Array;
  /** Huffman tables (row per word, maxLen entries) */
  codes?: Uint8Array;
  points?: Int32Array;
  lengths?: Uint8Array;
  maxCodeLength?: number;
  /** the σ and −log σ tables (1000 entries over [−6, 6)) */
  expT: Float32Array;
  logT: Float32Array;
  tokens: Int32Array;
  offsets: Int32Array;
  alpha0: number;
  alpha1: number;
  rng: bigint;
}

export interface RefState {
  syn0: Float64Array;
  syn1neg: Float64Array;
  syn1: Float64Array;
}

const MAX_EXP = 6;
const IDX = Math.fround(1000 / MAX_EXP / 2);

/** g = (label − σ(f))·alpha with word2vec.c's saturation, and the loss term −log σ(±f). */
function gradient(f: number, label: number, alpha: number, b: RefBatch): [number, number] {
  const idx = (x: number) => Math.trunc(Math.fround(Math.fround(x + MAX_EXP) * IDX));
  const sig = f >= MAX_EXP ? 1 : f <= -MAX_EXP ? 0 : b.expT[idx(f)];
  const sf = label > 0.5 ? f : -f;
  const nll = sf >= MAX_EXP ? 0 : sf <= -MAX_EXP ? -sf : b.logT[idx(sf)];
  return [(label - sig) * alpha, nll];
}

function aliasDraw(alias: Uint32Array, size: number, r1: bigint, r2: bigint): number {
  const slot = Number((((r1 >> 16n) & 0xffffffffn) * BigInt(size)) >> 32n);
  return Number(r2 >> 32n) < alias[2 * slot] ? slot : alias[2 * slot + 1];
}

/** Trains one batch in place on `s`; returns the RNG state and the statistics the kernel reports. */
export function trainBatchReference(b: RefBatch, s: RefState): { rng: bigint; loss: number; words: number; pairs: number } {
  const d = b.dim, V = b.alias.length / 2;
  let rng = b.rng, loss = 0, words = 0, pairs = 0;
  const dot = (x: Float64Array, xo: number, y: Float64Array, yo: number) => {
    let r = 0;
    for (let c = 0; c < d; c++) r += x[xo + c] * y[yo + c];
    return r;
  };
  /** negative sampling for hidden h: accumulates into e, updates syn1neg */
  const ns = (h: Float64Array, e: Float64Array, target: number, alpha: number) => {
    for (let k = 0; k <= b.negative; k++) {
      let t = target, label = 1;
      if (k > 0) {
        const r1 = (rng = lcg(rng));
        rng = lcg(rng);
        t = aliasDraw(b.alias, V, r1, rng);
        if (t === target) continue;
        label = 0;
      }
      const [g, nll] = gradient(dot(h, 0, s.syn1neg, t * d), label, alpha, b);
      loss += nll;
      for (let c = 0; c < d; c++) {
        e[c] += g * s.syn1neg[t * d + c];
        s.syn1neg[t * d + c] += g * h[c];
      }
    }
  };
  const hsStep = (h: Float64Array, e: Float64Array, word: number, alpha: number) => {
    const L = b.maxCodeLength!;
    for (let k = 0; k < b.lengths![word]; k++) {
      const row = b.points![word * L + k];
      const [g, nll] = gradient(dot(h, 0, s.syn1, row * d), 1 - b.codes![word * L + k], alpha, b);
      loss += nll;
      for (let c = 0; c < d; c++) {
        e[c] += g * s.syn1[row * d + c];
        s.syn1[row * d + c] += g * h[c];
      }
    }
  };
  const row = (w: number) => s.syn0.subarray(w * d, (w + 1) * d);

  const nsent = b.offsets.length - 1;
  const total = b.offsets[nsent] - b.offsets[0];
  let done = 0;
  for (let si = 0; si < nsent; si++) {
    const start = b.offsets[si], end = b.offsets[si + 1];
    const alpha = total > 0 ? b.alpha0 + (b.alpha1 - b.alpha0) * (done / total) : b.alpha0;
    done += end - start;
    // subsampling: one draw per known word, kept when the draw's bits 16–47 are below the word's threshold
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
    const len = idx.length;
    words += len;
    for (let i = 0; i < len; i++) {
      let red = 0;
      if (b.shrink) {
        rng = lcg(rng);
        red = Number(rng % BigInt(b.window));
      }
      const win = b.window - red;
      const j0 = Math.max(0, i - win), j1 = Math.min(len, i + win + 1);
      const center = idx[i];
      if (b.cbow) {
        const h = new Float64Array(d);
        let cw = 0;
        for (let j = j0; j < j1; j++) {
          if (j === i) continue;
          const r = row(idx[j]);
          for (let c = 0; c < d; c++) h[c] += r[c];
          cw++;
        }
        if (cw === 0) continue;
        if (b.cbowMean) for (let c = 0; c < d; c++) h[c] /= cw;
        const e = new Float64Array(d);
        if (b.hs) hsStep(h, e, center, alpha);
        if (b.negative > 0) ns(h, e, center, alpha);
        for (let j = j0; j < j1; j++) {
          if (j === i) continue;
          const r = row(idx[j]);
          for (let c = 0; c < d; c++) r[c] += e[c];
        }
        pairs += 1;
      } else if (b.shared && !b.hs && b.negative > 0) {
        // one set of negatives for the window; every score from the old rows, then all updates
        const out = [center];
        for (let k = 1; k <= b.negative; k++) {
          const r1 = (rng = lcg(rng));
          rng = lcg(rng);
          const t = aliasDraw(b.alias, V, r1, rng);
          out.push(t === center ? -1 : t);
        }
        const ctx: number[] = [];
        for (let j = j0; j < j1; j++) if (j !== i) ctx.push(idx[j]);
        const G = ctx.map((w) =>
          out.map((t, k) => {
            if (t < 0) return 0;
            const [g, nll] = gradient(dot(s.syn0, w * d, s.syn1neg, t * d), k === 0 ? 1 : 0, alpha, b);
            loss += nll;
            return g;
          }),
        );
        const E = ctx.map((_, c) => {
          const e = new Float64Array(d);
          out.forEach((t, k) => {
            if (t >= 0) for (let x = 0; x < d; x++) e[x] += G[c][k] * s.syn1neg[t * d + x];
          });
          return e;
        });
        out.forEach((t, k) => {
          if (t < 0) return;
          ctx.forEach((w, c) => {
            for (let x = 0; x < d; x++) s.syn1neg[t * d + x] += G[c][k] * s.syn0[w * d + x];
          });
        });
        ctx.forEach((w, c) => {
          for (let x = 0; x < d; x++) s.syn0[w * d + x] += E[c][x];
        });
        pairs += ctx.length;
      } else {
        for (let j = j0; j < j1; j++) {
          if (j === i) continue;
          const h = row(idx[j]);
          const e = new Float64Array(d);
          if (b.hs) hsStep(h, e, center, alpha);
          if (b.negative > 0) ns(h, e, center, alpha);
          for (let c = 0; c < d; c++) h[c] += e[c];
          pairs += 1;
        }
      }
    }
  }
  return { rng, loss, words, pairs };
}
