// issue 15: GloVe checkpoints. save() at an epoch end, between two chunks of records (one thread) or after an abort,
// then load + train({ resume: true }), gives the uninterrupted seeded single-thread run bit for bit: W, W̃, the
// biases, AdaGrad's squared-gradient sums (without them the next step sizes differ), the vectors and the epochs' cost.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { GloVe, type GloVeOptions } from '../../src/train/glove/glove.js';
import { FastText } from '../../src/train/fasttext.js';

let dir: string;
beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'quantext-glckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function corpus(seed: number, n: number): string[][] {
  const r = rng(seed);
  const A = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'melon', 'peach', 'plum'];
  const B = ['engine', 'wheel', 'brake', 'clutch', 'gear', 'piston', 'valve', 'axle'];
  return Array.from({ length: n }, () => {
    const t = r() < 0.5 ? A : B;
    return Array.from({ length: 3 + Math.floor(r() * 8) }, () => t[Math.floor(r() * t.length)]);
  });
}
const bits = (v: Float32Array | Float64Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
interface State { params: Float32Array; grads: Float32Array; vectors: Float32Array }
const stateOf = (m: GloVe): State => {
  const V = m.wv.size, n = 2 * V * m.opts.vectorSize + 2 * V, a = m.rt.arena;
  return { params: a.f32((m as any).params, n).slice(), grads: a.f32((m as any).grads, n).slice(), vectors: m.wv.vectors.slice() };
};
const same = (m: GloVe, s: State) => {
  const t = stateOf(m);
  return bits(t.params).equals(bits(s.params)) && bits(t.grads).equals(bits(s.grads)) && bits(t.vectors).equals(bits(s.vectors));
};

// two topics of 8 words: 128 pairs; 20 records a chunk gives 7 chunks an epoch
const opts: GloVeOptions = { vectorSize: 8, window: 4, minCount: 1, epochs: 5, workers: 1, seed: 7, batchPairs: 20 };

describe('GloVe checkpoints', () => {
  for (const kind of ['token arrays', 'a text file'] as const) {
    describe(kind, () => {
      const input = () => {
        if (kind === 'token arrays') return corpus(3, 300);
        const path = join(dir, 'corpus.txt');
        writeFileSync(path, corpus(3, 300).map((s) => s.join(' ')).join('\n') + '\n');
        return path;
      };
      let straight: State;
      let straightLoss: number[];
      beforeAll(async () => {
        const a = new GloVe(opts);
        const res = await a.train(input());
        expect(res.pairs).toBe(128);
        straight = stateOf(a);
        straightLoss = res.epochLoss;
        expect(a.schedule).toEqual({ done: 5, total: 5 });
        a.dispose();
      });

      it('saved from an epoch-end onProgress, loaded, resumed = uninterrupted', async () => {
        const c = input();
        const b = new GloVe(opts);
        let saved: Uint8Array | undefined;
        await b.train(c, { onProgress: (p) => { if (p.epochEnd && p.epoch === 1) saved = b.toBytes(); } });
        expect(same(b, straight)).toBe(true); // saving did not disturb the run
        b.dispose();
        const l = await GloVe.load(saved!);
        expect(l.schedule).toEqual({ done: 2, total: 5 });
        const res = await l.train(c, { resume: true });
        expect(res.epochs).toBe(3);
        expect(res.epochLoss).toEqual(straightLoss.slice(2));
        expect(l.schedule).toEqual({ done: 5, total: 5 });
        expect(same(l, straight)).toBe(true);
        l.dispose();
      });

      it('saved between two chunks of an epoch (one thread), loaded, resumed = uninterrupted, the epoch cost included', async () => {
        const c = input();
        const b = new GloVe(opts);
        let saved: Uint8Array | undefined;
        await b.train(c, {
          progressInterval: 0,
          onProgress: (p) => { if (!saved && !p.epochEnd && p.epoch === 2 && b.schedule.batch! >= 120) saved = b.toBytes(); },
        });
        expect(same(b, straight)).toBe(true);
        b.dispose();
        const l = await GloVe.load(saved!);
        expect(l.schedule).toEqual({ done: 2, total: 5, batch: 120 });
        const res = await l.train(c, { resume: true });
        expect(res.epochLoss).toEqual(straightLoss.slice(2));
        expect(same(l, straight)).toBe(true);
        l.dispose();
      });

      it('aborted mid-epoch: usable, saved, resumed in place and from the file = uninterrupted', async () => {
        const c = input();
        const b = new GloVe(opts);
        const ac = new AbortController();
        const err = await b
          .train(c, { signal: ac.signal, progressInterval: 0, onProgress: (p) => { if (p.epoch === 3 && b.schedule.batch === 100) ac.abort(); } })
          .then(() => undefined, (e) => e);
        expect(err?.code).toBe('E_ABORTED');
        expect(b.schedule).toEqual({ done: 3, total: 5, batch: 100 });
        // the vectors are W + W̃ of the weights trained so far
        const V = b.wv.size, d = 8, p = stateOf(b).params, row = b.wv.keyToIndex.get('apple')!;
        expect(b.wv.get('apple')[0]).toBe(Math.fround(p[row * d] + p[V * d + row * d]));
        const path = join(dir, `ckpt-${kind === 'a text file' ? 'file' : 'arrays'}.glove`);
        await b.save(path);
        await b.train(c, { resume: true });
        expect(same(b, straight)).toBe(true);
        b.dispose();
        const l = await GloVe.load(path);
        await l.train(c, { resume: true });
        expect(same(l, straight)).toBe(true);
        l.dispose();
        expect(readdirSync(dir).filter((f) => f.startsWith('ckpt-') && !f.endsWith('.glove'))).toEqual([]);
      });
    });
  }

  it('the AdaGrad sums are part of the state: resumed with them reset to 1, the result differs', async () => {
    const c = corpus(3, 300);
    const a = new GloVe(opts);
    await a.train(c);
    const want = stateOf(a);
    a.dispose();
    const b = new GloVe(opts);
    const ac = new AbortController();
    await b.train(c, { signal: ac.signal, onProgress: (p) => { if (p.epochEnd && p.epoch === 1) ac.abort(); } }).catch(() => undefined);
    const l = await GloVe.load(b.toBytes());
    b.dispose();
    const V = l.wv.size, n = 2 * V * 8 + 2 * V;
    l.rt.arena.f32((l as any).grads, n).fill(1);
    await l.train(c, { resume: true });
    expect(bits(stateOf(l).params).equals(bits(want.params))).toBe(false);
    l.dispose();
  });

  it('resuming on another corpus, past the schedule, or loading with saved options is E_OPTION; a foreign file E_FORMAT', async () => {
    const c = corpus(3, 300);
    const b = new GloVe(opts);
    const ac = new AbortController();
    await b.train(c, { signal: ac.signal, progressInterval: 0, onProgress: (p) => { if (p.epoch === 1 && b.schedule.batch === 80) ac.abort(); } }).catch(() => undefined);
    const bytes = b.toBytes();
    // the same words in other sentences: other counts; fewer sentences: other pairs and tokens
    for (const other of [corpus(4, 300), c.slice(0, 200)]) {
      const err = await b.train(other, { resume: true }).then(() => undefined, (e) => e);
      expect(err?.code).toBe('E_OPTION');
      expect(err?.details?.option).toBe('resume');
      const l = await GloVe.load(bytes);
      await expect(l.train(other, { resume: true })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'resume' } });
      l.dispose();
    }
    await expect(b.train(c, { resume: true, epochs: 5 })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'epochs' } });
    await expect(GloVe.load(bytes, { vectorSize: 4 } as never)).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'vectorSize' } });
    // after the refusals the checkpoint still resumes to the uninterrupted run
    await b.train(c, { resume: true });
    const a = new GloVe(opts);
    await a.train(c);
    expect(same(b, stateOf(a))).toBe(true);
    await expect(b.train(c, { resume: true })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'resume' } });
    a.dispose();
    b.dispose();
    const f = new FastText({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1, bucket: 50 });
    await f.train(c);
    await expect(GloVe.load(f.toBytes())).rejects.toMatchObject({ code: 'E_FORMAT' });
    f.dispose();
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 10] ^= 1;
    await expect(GloVe.load(damaged)).rejects.toMatchObject({ code: 'E_FORMAT' });
  });
});
