// issue 15: FastText checkpoints. save() at an epoch end, between two batches (one thread) or after an abort, then
// load + train({ resume: true }), gives the uninterrupted seeded single-thread run's weights bit for bit: the whole
// input matrix (word rows and n-gram rows), the output rows and the word vectors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { FastText, type FastTextOptions } from '../../src/train/fasttext.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import type { DenseMatrix } from '../../src/vectors/matrix.js';

let dir: string;
beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'quantext-ftckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function corpus(seed: number, n: number): string[][] {
  const r = rng(seed);
  const A = ['apple', 'apples', 'banana', 'bananas', 'cherry', 'grape', 'lemon'], B = ['engine', 'engines', 'wheel', 'brake', 'braking', 'clutch', 'gear'];
  return Array.from({ length: n }, () => {
    const t = r() < 0.5 ? A : B;
    return Array.from({ length: 3 + Math.floor(r() * 8) }, () => t[Math.floor(r() * t.length)]);
  });
}
const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
/** the whole input matrix (word rows then n-gram rows), copied */
const inputOf = (m: FastText) => (m.wv.input as DenseMatrix).data().slice();
const same = (m: FastText, want: { input: Float32Array; vectors: Float32Array }) =>
  bits(inputOf(m)).equals(bits(want.input)) && bits(m.wv.vectors).equals(bits(want.vectors));

const base = { vectorSize: 12, window: 3, minCount: 1, workers: 1, seed: 5, epochs: 4, batchWords: 300, minN: 3, maxN: 5, bucket: 300 } as const;
const configs: [string, FastTextOptions][] = [
  ['skip-gram, negative sampling, subsampling', { ...base, sg: 1, negative: 4, sample: 1e-2 }],
  ['CBOW, hierarchical softmax and negatives', { ...base, sg: 0, hs: 1, negative: 2 }],
];

describe('FastText checkpoints', () => {
  for (const [name, opts] of configs) {
    describe(name, () => {
      for (const kind of ['token arrays', 'a text file'] as const) {
        const input = () => {
          if (kind === 'token arrays') return corpus(3, 400);
          const path = join(dir, 'corpus.txt');
          writeFileSync(path, corpus(3, 400).map((s) => s.join(' ')).join('\n') + '\n');
          return path;
        };
        let straight: { input: Float32Array; vectors: Float32Array };
        beforeAll(async () => {
          const a = new FastText(opts);
          await a.train(input());
          straight = { input: inputOf(a), vectors: a.wv.vectors.slice() };
          expect(straight.input.length).toBe((a.wv.size + 300) * 12);
          a.dispose();
        });

        it(`saved from an epoch-end onProgress, loaded, resumed = uninterrupted (${kind})`, async () => {
          const c = input();
          const b = new FastText(opts);
          let saved: Uint8Array | undefined;
          let mid: Float32Array | undefined;
          await b.train(c, {
            onProgress: (p) => {
              if (p.epochEnd && p.epoch === 1) {
                saved = b.toBytes();
                mid = inputOf(b);
              }
            },
          });
          expect(same(b, straight)).toBe(true); // saving did not disturb the run
          b.dispose();
          const l = await FastText.load(saved!);
          expect(l.schedule).toEqual({ done: 2, total: 4 });
          expect(l.opts).toMatchObject(opts);
          // the n-gram rows are in the checkpoint, not re-drawn
          expect(bits(inputOf(l)).equals(bits(mid!))).toBe(true);
          expect(same(l, straight)).toBe(false);
          const res = await l.train(c, { resume: true });
          expect(res.epochs).toBe(2);
          expect(l.schedule).toEqual({ done: 4, total: 4 });
          expect(same(l, straight)).toBe(true);
          l.dispose();
        });

        it(`saved between two batches of an epoch (onProgress, one thread), loaded, resumed = uninterrupted (${kind})`, async () => {
          const c = input();
          const b = new FastText(opts);
          let saved: Uint8Array | undefined;
          let at: unknown;
          await b.train(c, {
            progressInterval: 0,
            onProgress: (p) => {
              if (!saved && !p.epochEnd && p.epoch === 2 && p.progress > 0.6) {
                saved = b.toBytes();
                at = b.schedule;
              }
            },
          });
          expect(same(b, straight)).toBe(true);
          b.dispose();
          const l = await FastText.load(saved!);
          expect(l.schedule).toEqual(at);
          expect(l.schedule.done).toBe(2);
          expect(l.schedule.batch).toBeGreaterThan(0);
          await l.train(c, { resume: true });
          expect(l.schedule).toEqual({ done: 4, total: 4 });
          expect(same(l, straight)).toBe(true);
          l.dispose();
        });

        it(`aborted with an AbortSignal mid-epoch, saved, loaded, resumed = uninterrupted; resumed in place too (${kind})`, async () => {
          const c = input();
          const b = new FastText(opts);
          const ac = new AbortController();
          const err = await b
            .train(c, {
              signal: ac.signal,
              progressInterval: 0,
              onProgress: (p) => {
                if (!p.epochEnd && p.epoch === 1 && p.progress > 0.3) ac.abort();
              },
            })
            .then(() => undefined, (e) => e);
          expect(err?.code).toBe('E_ABORTED');
          expect(b.schedule.done).toBe(1);
          expect(b.schedule.batch).toBeGreaterThan(0);
          // the model is usable after the abort: its word vectors are the current input rows' means
          expect(b.wv.get('apple')).toHaveLength(12);
          const path = join(dir, `ckpt-${kind === 'a text file' ? 'file' : 'arrays'}-${opts.sg}.ftm`);
          await b.save(path);
          await b.train(c, { resume: true });
          expect(same(b, straight)).toBe(true);
          b.dispose();
          const l = await FastText.load(path);
          expect(l.schedule.batch).toBeGreaterThan(0);
          await l.train(c, { resume: true });
          expect(same(l, straight)).toBe(true);
          l.dispose();
          // the write was atomic: no temporary files beside the model
          expect(readdirSync(dir).filter((f) => f.startsWith('ckpt-') && !f.endsWith('.ftm'))).toEqual([]);
        });
      }
    });
  }

  it('train 2 epochs of 4, save, load, resume: bit-identical, and a fresh start from the loaded weights is not', async () => {
    const opts = configs[0][1];
    const c = corpus(1, 300);
    const a = new FastText(opts);
    await a.train(c);
    const want = { input: inputOf(a), vectors: a.wv.vectors.slice() };
    const b = new FastText(opts);
    await b.train(c, { epochs: 2, totalEpochs: 4 });
    const bytes = b.toBytes();
    b.dispose();
    const l = await FastText.load(bytes);
    expect(l.vocab!.words).toEqual(a.vocab!.words);
    expect(Array.from(l.vocab!.counts)).toEqual(Array.from(a.vocab!.counts));
    await l.train(c, { resume: true });
    expect(same(l, want)).toBe(true);
    // without the RNG state and output rows (a fresh schedule from the same input rows) the result differs
    const fresh = await FastText.load(bytes);
    await fresh.train(c, { epochs: 2 });
    expect(same(fresh, want)).toBe(false);
    for (const m of [a, l, fresh]) m.dispose();
  });

  it('resuming on another corpus or with other schedule options is E_OPTION; the checkpoint stays resumable', async () => {
    const opts = configs[0][1];
    const c = corpus(3, 400);
    const m = new FastText(opts);
    const ac = new AbortController();
    await m.train(c, { signal: ac.signal, progressInterval: 0, onProgress: (p) => { if (p.epoch === 1 && p.progress > 0.3) ac.abort(); } }).catch(() => undefined);
    expect(m.schedule.batch).toBeGreaterThan(0);
    const bytes = m.toBytes();
    // mid-epoch: a shorter corpus has fewer batches; a corpus of the same length with other words is caught by its token count
    for (const other of [corpus(4, 50), corpus(4, 400)]) {
      const err = await m.train(other, { resume: true }).then(() => undefined, (e) => e);
      expect(err?.code).toBe('E_OPTION');
      expect(err?.details?.option).toBe('resume');
    }
    for (const bad of [{ totalEpochs: 6 }, { startEpoch: 0 }]) {
      const err = await m.train(c, { resume: true, ...bad }).then(() => undefined, (e) => e);
      expect(err?.code, JSON.stringify(bad)).toBe('E_OPTION');
      expect(err?.details?.option).toBe(Object.keys(bad)[0]);
    }
    m.dispose();
    // an epoch-end checkpoint: a corpus with another token count is refused before any batch is trained
    const e = new FastText(opts);
    let saved: Uint8Array | undefined;
    await e.train(c, { onProgress: (p) => { if (p.epochEnd && p.epoch === 0) saved = e.toBytes(); } });
    e.dispose();
    const l = await FastText.load(saved!);
    const before = inputOf(l);
    const err = await l.train(corpus(5, 399), { resume: true }).then(() => undefined, (x) => x);
    expect(err?.code).toBe('E_OPTION');
    expect(bits(inputOf(l)).equals(bits(before))).toBe(true);
    l.dispose();
    // load() takes only what is not saved
    await expect(FastText.load(bytes, { bucket: 10 } as never)).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'bucket' } });
    // the resumed checkpoint still gives the uninterrupted run
    const r = await FastText.load(bytes);
    await r.train(c, { resume: true });
    const a = new FastText(opts);
    await a.train(c);
    expect(same(r, { input: inputOf(a), vectors: a.wv.vectors.slice() })).toBe(true);
    r.dispose();
    a.dispose();
  });

  it('a Word2Vec model file, a damaged file or a finished schedule: E_FORMAT / E_OPTION', async () => {
    const w = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1 });
    await w.train(corpus(2, 50));
    const wb = w.toBytes();
    w.dispose();
    await expect(FastText.load(wb)).rejects.toMatchObject({ code: 'E_FORMAT' });
    const f = new FastText({ ...base, epochs: 1 });
    await f.train(corpus(2, 50));
    const fb = f.toBytes();
    await expect(Word2Vec.load(fb)).rejects.toMatchObject({ code: 'E_FORMAT' });
    const damaged = Buffer.from(fb);
    damaged[damaged.length - 30] ^= 0x40;
    await expect(FastText.load(damaged)).rejects.toMatchObject({ code: 'E_FORMAT' });
    await expect(f.train(corpus(2, 50), { resume: true })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'resume' } });
    f.dispose();
  });
});
