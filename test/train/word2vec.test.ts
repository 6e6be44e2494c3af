import { describe, it, expect, beforeAll } from 'vitest';
import '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import { QuantextError } from '../../src/errors.js';
import { rng, rtFor } from '../helpers.js';

/** Two topics whose words co-occur only within their topic. */
function plantedCorpus(seed: number, n = 1500): string[][] {
  const r = rng(seed);
  const A = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'];
  const B = ['engine', 'wheel', 'brake', 'clutch', 'piston', 'gear', 'axle', 'tyre'];
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const topic = r() < 0.5 ? A : B;
    out.push(Array.from({ length: 8 }, () => topic[Math.floor(r() * topic.length)]));
  }
  return out;
}

function cos(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
}

/** Mean within-topic cosine minus mean cross-topic cosine. */
function separation(m: Word2Vec): number {
  const A = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'];
  const B = ['engine', 'wheel', 'brake', 'clutch', 'piston', 'gear', 'axle', 'tyre'];
  let within = 0, nw = 0, cross = 0, nc = 0;
  for (const x of [...A, ...B]) for (const y of [...A, ...B]) {
    if (x >= y) continue;
    const c = cos(m.wv.get(x), m.wv.get(y));
    if (A.includes(x) === A.includes(y)) { within += c; nw++; } else { cross += c; nc++; }
  }
  return within / nw - cross / nc;
}

beforeAll(async () => {
  await init();
});

describe('Word2Vec', () => {
  it('the README example works: strings, minCount 1, workers 4, wv.get', async () => {
    const model = new Word2Vec({ vectorSize: 100, window: 5, minCount: 1, workers: 4 });
    const res = await model.train(['the quick brown fox jumps over the lazy dog', 'the dog sleeps', 'a fox is quick']);
    const v = model.wv.get('the');
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(100);
    expect(v.every(Number.isFinite)).toBe(true);
    expect(model.wv.size).toBe(11);
    expect(res.words).toBe(16 * 5);
    model.dispose();
  });

  for (const [name, opts] of [
    ['skip-gram + negative sampling, per pair (word2vec.c)', { sg: 1, negative: 5, sharedNegatives: false }],
    ['skip-gram + negatives shared per window (HogBatch, the default)', { sg: 1, negative: 5 }],
    ['CBOW + negative sampling', { sg: 0, negative: 5 }],
    ['skip-gram + hierarchical softmax', { sg: 1, hs: 1, negative: 0 }],
    ['CBOW + hierarchical softmax', { sg: 0, hs: 1, negative: 0 }],
  ] as const) {
    it(`learns planted topics: ${name}`, async () => {
      const model = new Word2Vec({ vectorSize: 24, window: 3, minCount: 1, workers: 1, epochs: 5, sample: 0, seed: 3, ...opts });
      const res = await model.train(plantedCorpus(1));
      expect(separation(model)).toBeGreaterThan(0.5);
      // nearest neighbours stay within the topic
      const near = model.wv.mostSimilar({ positive: ['apple'], topn: 5 }).map(([w]) => w);
      for (const w of near) expect(['banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear']).toContain(w);
      // loss per epoch is finite, positive and falls from the first to the last epoch
      expect(res.epochLoss.length).toBe(5);
      for (const l of res.epochLoss) expect(l).toBeGreaterThan(0);
      expect(res.epochLoss[4]).toBeLessThan(res.epochLoss[0]);
      model.dispose();
    });
  }

  it('is bit-for-bit deterministic with workers: 1 and a seed; another seed differs', async () => {
    const corpus = plantedCorpus(2, 300);
    const run = async (seed: number) => {
      const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers: 1, seed, sg: 1, epochs: 2 });
      await m.train(corpus);
      const v = m.wv.vectors.slice();
      m.dispose();
      return v;
    };
    const a = await run(7), b = await run(7), c = await run(8);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('the corpus recorded during the vocabulary pass trains exactly like a streamed one (same batches, same vectors)', async () => {
    const corpus = plantedCorpus(3, 700).map((s) => s.join(' ') + ' rareword' + (s.length % 3));
    const run = async (cacheCorpus: boolean) => {
      const m = new Word2Vec({ vectorSize: 12, minCount: 2, workers: 1, seed: 5, sg: 1, epochs: 2, batchWords: 1000, maxSentenceLength: 4, cacheCorpus });
      const r = await m.train(corpus);
      const v = m.wv.vectors.slice();
      m.dispose();
      return { v, r };
    };
    const a = await run(true), b = await run(false);
    expect(a.r.words).toBe(b.r.words);
    expect(a.r.epochLoss).toEqual(b.r.epochLoss);
    expect(Buffer.from(a.v.buffer).equals(Buffer.from(b.v.buffer))).toBe(true);
  });

  it('trains with 2 worker threads over shared memory and learns as well', async () => {
    // an explicit shared-memory runtime: the default one is plain memory in the detach test mode
    const m = new Word2Vec({ vectorSize: 24, window: 3, minCount: 1, workers: 2, sample: 0, sg: 1, epochs: 5, batchWords: 500, runtime: await rtFor('simd-mt') });
    const res = await m.train(plantedCorpus(4));
    expect(res.threads).toBe(2);
    // both threads trained: each has words of its own, and together they trained every kept word
    expect(res.threadWords.length).toBe(2);
    for (const w of res.threadWords) expect(w).toBeGreaterThan(res.effectiveWords / 10);
    expect(res.threadWords[0] + res.threadWords[1]).toBe(res.effectiveWords);
    expect(separation(m)).toBeGreaterThan(0.5);
    m.dispose();
  });

  it('streams an async iterable corpus, reports progress, and splits long sentences instead of truncating', async () => {
    const corpus = plantedCorpus(5, 400);
    const src = { async *[Symbol.asyncIterator]() { for (const s of corpus) yield s.join(' '); } };
    const seen: number[] = [];
    const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers: 1, maxSentenceLength: 3, epochs: 2, cacheCorpus: false });
    const res = await m.train(src, { onProgress: (p) => p.epochEnd && seen.push(p.epoch), progressInterval: 0 });
    expect(seen).toEqual([0, 1]);
    expect(res.words).toBe(400 * 8 * 2);
    m.dispose();
  });

  it('a sentence far longer than a batch trains every token, streamed or cached', async () => {
    const r = rng(12);
    const long = Array.from({ length: 5000 }, () => ['a', 'b', 'c', 'd', 'e'][Math.floor(r() * 5)]).join(' ');
    for (const cacheCorpus of [false, true]) {
      const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, sample: 0, epochs: 2, batchWords: 100, maxSentenceLength: 10, cacheCorpus });
      const res = await m.train([long, 'a b']);
      expect(res.words).toBe(5002 * 2);
      expect(res.effectiveWords).toBe(5002 * 2);
      m.dispose();
    }
  });

  it('honours an AbortSignal with E_ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    const m = new Word2Vec({ minCount: 1, workers: 1 });
    await expect(m.train(plantedCorpus(6, 50), { signal: ac.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
    m.dispose();
  });

  it('bad input gives QuantextError: empty corpus, minCount above every count, bad options, one-shot generators, unknown words', async () => {
    await expect(new Word2Vec({ workers: 1 }).train([])).rejects.toMatchObject({ code: 'E_EMPTY' });
    await expect(new Word2Vec({ workers: 1, minCount: 100 }).train(['a b c a'])).rejects.toMatchObject({ code: 'E_EMPTY' });
    expect(() => new Word2Vec({ vectorSize: 0 })).toThrow(QuantextError);
    expect(() => new Word2Vec({ window: 2.5 })).toThrow(/window/);
    expect(() => new Word2Vec({ negative: 0, hs: 0 })).toThrow(/negative/);
    expect(() => new Word2Vec({ sample: NaN })).toThrow(/sample/);
    expect(() => new Word2Vec({ vectorsize: 10 } as any)).toThrow(/unknown option 'vectorsize'/);
    function* gen() { yield 'a b c'; }
    await expect(new Word2Vec({ workers: 1, minCount: 1 }).train(gen())).rejects.toMatchObject({ code: 'E_OPTION' });
    const m = new Word2Vec({ workers: 1, minCount: 1, vectorSize: 8 });
    await m.train(['a b c a b c']);
    expect(() => m.wv.get('zebra')).toThrow(expect.objectContaining({ code: 'E_OOV' }));
    m.dispose();
    expect(() => m.wv).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
  });
});

describe('Word2Vec lifecycle and schedules', () => {
  it('dispose() during train() stops training at a batch boundary and frees everything afterwards', async () => {
    await init();
    const rt = (await import('../../src/runtime/runtime.js')).runtime();
    const before = rt.arena.used;
    const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers: 2, epochs: 50, batchWords: 200, sample: 0 });
    const p = m.train(plantedCorpus(8, 2000));
    await new Promise((r) => setTimeout(r, 100));
    m.dispose();
    await expect(p).rejects.toMatchObject({ code: 'E_DISPOSED' });
    expect(m.isDisposed).toBe(true);
    expect(rt.arena.used).toBe(before);
  });

  it('a second concurrent train() is refused with E_BUSY; repeated multi-threaded calls do not leak', async () => {
    const rt = (await import('../../src/runtime/runtime.js')).runtime();
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 3, epochs: 1, sample: 0 });
    const corpus = plantedCorpus(9, 200);
    const p = m.train(corpus);
    await expect(m.train(corpus)).rejects.toMatchObject({ code: 'E_BUSY' });
    await p;
    const used = rt.arena.used;
    for (let i = 0; i < 3; i++) await m.train(corpus);
    expect(rt.arena.used).toBe(used);
    await expect(m.train(corpus, { epochs: 1e9 })).rejects.toMatchObject({ code: 'E_OPTION' });
    m.dispose();
  });

  it('training another corpus than the vocabulary’s decays the learning rate over that corpus', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 2, alpha: 0.025, minAlpha: 0.0001, batchWords: 100 });
    await m.buildVocab(['a b c d']);
    const alphas: number[] = [];
    const big = Array(1000).fill('a b c d');
    const res = await m.train(big, { onProgress: (p) => alphas.push(p.alpha), progressInterval: 0 });
    expect(res.words).toBe(8000);
    expect(alphas[0]).toBeGreaterThan(0.02); // not already at minAlpha
    expect(alphas[alphas.length - 1]).toBeCloseTo(0.0001, 6);
    // totalWords says the corpus has 4000 tokens: the rate decays over 4000 × 2 epochs and reaches minAlpha halfway
    // through these 16000 (ignoring the option would decay over all 16000)
    const seen: [number, number][] = [];
    await m.train(big.concat(big), { totalWords: 4000, onProgress: (p) => seen.push([p.words, p.alpha]), progressInterval: 0 });
    expect(seen.length).toBeGreaterThan(20);
    for (const [words, alpha] of seen) expect(alpha).toBeCloseTo(0.025 - (0.025 - 0.0001) * Math.min(1, words / 8000), 7);
    const mid = seen.find(([w]) => w >= 8000)!;
    expect(mid[1]).toBeCloseTo(0.0001, 7);
    expect(seen.find(([w]) => w >= 4000)![1]).toBeCloseTo(0.01255, 4);
    m.dispose();
  });
});

describe('Word2Vec before init()', () => {
  it('new Word2Vec() before init() works: buildVocab/train initialize on first use', async () => {
    const { resetDefaultRuntime } = await import('../../src/runtime/runtime.js');
    resetDefaultRuntime();
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1 });
    expect(() => m.wv).toThrow(expect.objectContaining({ code: 'E_EMPTY' }));
    await m.train(['a b c', 'b c d']);
    expect(m.wv.get('a').length).toBe(8);
    m.dispose();
    resetDefaultRuntime();
    const m2 = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1 });
    await m2.buildVocab(['x y z']);
    expect(m2.wv.size).toBe(3);
    m2.dispose();
    await init();
  });
});
