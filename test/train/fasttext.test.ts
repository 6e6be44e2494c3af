import { describe, it, expect } from 'vitest';
import { rng, rtFor } from '../helpers.js';
import { FastText, pruneNgrams } from '../../src/train/fasttext.js';
import { computeSubwords } from '../../src/fasttext/subwords.js';
import { FastTextKeyedVectors } from '../../src/fasttext/keyed.js';
import { QuantextError } from '../../src/errors.js';

/**
 * Two topics whose words are families of one stem: "walk…" words only near street words, "swim…" words only near
 * water words. Unseen words of a family share its n-grams and none of the other's.
 */
function plantedCorpus(seed: number, n = 1500): string[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const walk = ['walking', 'walked', 'walker', 'walks', 'walkway'];
  const swim = ['swimming', 'swimmer', 'swims', 'swimsuit', 'swimmable'];
  const street = ['street', 'road', 'park', 'city', 'lane'];
  const water = ['pool', 'water', 'lake', 'river', 'beach'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [fam, ctx] = i % 2 ? [walk, street] : [swim, water];
    out.push(Array.from({ length: 8 }, (_, j) => (j % 2 ? pick(fam) : pick(ctx))).join(' '));
  }
  return out;
}

const cos = (a: Float32Array, b: Float32Array) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
};

const small = { vectorSize: 24, window: 3, minCount: 1, sample: 0, epochs: 8, bucket: 4000, seed: 7 };

describe('FastText', () => {
  it.each([
    ['skip-gram, shared negatives', { sg: 1 }],
    ['skip-gram as fastText', { sg: 1, sharedNegatives: false }],
    ['CBOW', { sg: 0, alpha: 0.05 }],
    ['skip-gram, hierarchical softmax', { sg: 1, hs: 1, negative: 0 }],
  ])('%s: an unseen word shares n-grams with seen ones and lands near them', async (_name, extra) => {
    const m = new FastText({ ...small, workers: 1, ...extra });
    const res = await m.train(plantedCorpus(1));
    expect(res.epochLoss[res.epochLoss.length - 1]).toBeLessThan(res.epochLoss[0]);
    const wv = m.wv;
    expect(wv).toBeInstanceOf(FastTextKeyedVectors);
    expect(wv.has('walkers')).toBe(false);
    // an unseen word: the mean of its n-gram rows of the trained input matrix (computed here from the rows)
    const rows = computeSubwords('walkers', 3, 6, 4000, wv.size);
    const input = (wv.input as unknown as { data(): Float32Array }).data();
    const mean = new Float32Array(24);
    for (const r of rows) for (let c = 0; c < 24; c++) mean[c] += input[r * 24 + c] / rows.length;
    const got = wv.get('walkers');
    for (let c = 0; c < 24; c++) expect(got[c]).toBeCloseTo(mean[c], 5);
    // it lands among its family, away from the other one
    const near = ['walker', 'walked', 'walking'].map((w) => cos(got, wv.get(w)));
    const far = ['swimmer', 'swims', 'swimming'].map((w) => cos(got, wv.get(w)));
    expect(Math.min(...near)).toBeGreaterThan(Math.max(...far) + 0.2);
    const top = wv.mostSimilar({ positive: 'swimmers', topn: 3 }).map(([w]) => w);
    for (const w of top) expect(w.startsWith('swim')).toBe(true);
    // a known word's vector is the mean of its own row and its n-gram rows (fastText's getWordVector)
    const known = wv.get('walker');
    const input2 = (wv.input as unknown as { data(): Float32Array }).data(); // views are derived again after any call that may allocate
    const kr = [wv.indexOf('walker'), ...computeSubwords('walker', 3, 6, 4000, wv.size)];
    for (let c = 0; c < 24; c++) expect(known[c]).toBeCloseTo(kr.reduce((s, r) => s + input2[r * 24 + c], 0) / kr.length, 5);
    m.dispose();
  });

  it('is deterministic with one worker and a seed; another seed gives other vectors', async () => {
    const run = async (seed: number) => {
      const m = new FastText({ ...small, sg: 1, sample: 1e-2, workers: 1, seed });
      await m.train(plantedCorpus(2, 400));
      const v = (m.wv.input as unknown as { data(): Float32Array }).data().slice();
      const w = m.wv.get('walked');
      m.dispose();
      return { v, w };
    };
    const a = await run(3), b = await run(3), c = await run(4);
    expect(Buffer.from(a.v.buffer).equals(Buffer.from(b.v.buffer))).toBe(true);
    expect(a.w).toEqual(b.w);
    expect(Buffer.from(a.v.buffer).equals(Buffer.from(c.v.buffer))).toBe(false);
  });

  it('trains with 2 worker threads over shared memory', async () => {
    const m = new FastText({ ...small, sg: 1, workers: 2, batchWords: 500, runtime: await rtFor('simd-mt') });
    const res = await m.train(plantedCorpus(3));
    expect(res.threads).toBe(2);
    expect(res.threadWords.length).toBe(2);
    for (const w of res.threadWords) expect(w).toBeGreaterThan(res.effectiveWords / 10);
    expect(res.threadWords[0] + res.threadWords[1]).toBe(res.effectiveWords);
    const wv = m.wv;
    expect(cos(wv.get('walkers'), wv.get('walker'))).toBeGreaterThan(cos(wv.get('walkers'), wv.get('swimmer')) + 0.2);
    m.dispose();
  });

  it('bad options are E_OPTION, before anything is allocated', () => {
    const bad: Record<string, unknown>[] = [
      { minN: 0 }, { minN: 2.5 }, { maxN: -1 }, { minN: 5, maxN: 3 }, { bucket: -1 }, { bucket: 1.5 }, { bucket: 0 },
      { bucket: 2 ** 31 }, { bucket: 20_000_000, vectorSize: 100 }, { minn: 3 }, { vectorSize: 0 }, { negative: 0, hs: 0 },
    ];
    for (const o of bad) {
      let err: unknown;
      try {
        new FastText(o as never);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(o)).toBeInstanceOf(QuantextError);
      expect((err as QuantextError).code, JSON.stringify(o)).toBe('E_OPTION');
    }
    expect(() => FastText.estimateMemory({ bucket: -3 })).toThrow(QuantextError);
    // no n-grams at all is allowed (maxN 0: the words' own rows only)
    expect(() => new FastText({ maxN: 0, bucket: 0 })).not.toThrow();
  });

  it('bad train() options are E_OPTION naming the option, as for Word2Vec (they were not checked)', async () => {
    const m = new FastText({ ...small, runtime: await rtFor('simd') });
    for (const [o, name] of [[{ epochs: -1 }, 'epochs'], [{ totalWords: Number.NaN }, 'totalWords'], [{ onProgress: 5 }, 'onProgress'], [{ epoch: 3 }, 'epoch']] as const) {
      const err = await m.train(plantedCorpus(1, 50), o as never).then(() => undefined, (e) => e);
      expect(err, JSON.stringify(o)).toBeInstanceOf(QuantextError);
      expect(err.code, JSON.stringify(o)).toBe('E_OPTION');
      expect(err.message, JSON.stringify(o)).toContain(name);
    }
    m.dispose();
  });

  it('estimateMemory() reports the bucket matrix before anything is allocated', () => {
    const e = FastText.estimateMemory({ vectorSize: 100, bucket: 2_000_000 });
    expect(e.ngrams).toBe(800_000_000);
    expect(e.total).toBeGreaterThanOrEqual(800_000_000);
    const e2 = FastText.estimateMemory({ vectorSize: 100, bucket: 2_000_000, negative: 5 }, 10_000);
    expect(e2.vectors).toBe(4_000_000);
    expect(e2.syn1neg).toBe(4_000_000);
    expect(e2.total).toBeGreaterThan(e2.ngrams + e2.vectors + e2.wordVectors + e2.syn1neg);
    const m = new FastText({ bucket: 1000, vectorSize: 10 });
    expect(m.estimateMemory().ngrams).toBe(40_000);
    expect(() => m.rt).toThrow(/no memory yet/);
    m.dispose();
  });

  it('pruneNgrams keeps only the n-gram rows the vocabulary uses, with a remap', async () => {
    const m = new FastText({ ...small, sg: 1, workers: 1 });
    await m.train(plantedCorpus(4, 300));
    const wv = m.wv;
    const p = pruneNgrams(wv);
    const used = new Set<number>();
    for (const r of wv.subwords.rows) if (r >= wv.size) used.add(r - wv.size);
    expect(p.input.rows).toBe(wv.size + used.size);
    expect(p.input.rows).toBeLessThan(wv.input.rows);
    expect(p.pruneIdx!.size).toBe(used.size);
    // the words' vectors are unchanged, and so is an unseen word whose n-grams all occur in the vocabulary
    for (const w of ['walker', 'swims', 'lake']) expect(p.get(w)).toEqual(wv.get(w));
    // an unseen word: the mean of its n-gram rows that were kept (fastText drops a pruned model's other n-grams),
    // read through the remap from the pruned table and from the full one alike
    const buckets = computeSubwords('walkers', 3, 6, 4000);
    const kept = buckets.filter((b) => used.has(b));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(buckets.length);
    let full = (wv.input as unknown as { data(): Float32Array }).data();
    const want = new Float32Array(wv.dim);
    for (const b of kept) for (let c = 0; c < wv.dim; c++) want[c] += full[(wv.size + b) * wv.dim + c] / kept.length;
    const got = p.get('walkers');
    for (let c = 0; c < wv.dim; c++) expect(got[c]).toBeCloseTo(want[c], 5);
    full = (wv.input as unknown as { data(): Float32Array }).data();
    const pin = (p.input as unknown as { data(): Float32Array }).data();
    const b0 = kept[0], r0 = wv.size + p.pruneIdx!.get(b0)!;
    expect(pin.subarray(r0 * wv.dim, (r0 + 1) * wv.dim)).toEqual(full.subarray((wv.size + b0) * wv.dim, (wv.size + b0 + 1) * wv.dim));
    p.dispose();
    m.dispose();
  });
});
