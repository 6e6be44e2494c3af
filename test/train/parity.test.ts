// gensim parity: full-model save and load that training continues from, buildVocab({ update: true }),
// simplePreprocess, and corpora as token arrays and as Int32Array ids.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import { simplePreprocess } from '../../src/train/preprocess.js';
import * as api from '../../src/index.node.js';

let dir: string;
beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'quantext-w2v-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function corpus(seed: number, n: number): string[][] {
  const r = rng(seed);
  const A = ['apple', 'banana', 'cherry', 'grape', 'lemon'], B = ['engine', 'wheel', 'brake', 'clutch', 'gear'];
  return Array.from({ length: n }, () => {
    const t = r() < 0.5 ? A : B;
    return Array.from({ length: 3 + Math.floor(r() * 8) }, () => t[Math.floor(r() * t.length)]);
  });
}
const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('Word2Vec save and load', () => {
  for (const [name, extra] of [
    ['skip-gram, negatives and hierarchical softmax (both output tables)', { sg: 1, hs: 1, negative: 3 }],
    ['CBOW, negative sampling, subsampling', { sg: 0, negative: 5, sample: 1e-2 }],
  ] as const) {
    it(`train 4 epochs in one go = train 2, save, load, resume 2: bit-identical (${name})`, async () => {
      const c = corpus(1, 400);
      const opts = { vectorSize: 12, window: 3, minCount: 1, workers: 1, seed: 11, epochs: 4, batchWords: 300, ...extra };
      const a = new Word2Vec(opts);
      await a.train(c);
      const b = new Word2Vec(opts);
      await b.train(c, { epochs: 2, totalEpochs: 4 });
      expect(b.schedule).toEqual({ done: 2, total: 4 });
      const path = join(dir, `model-${extra.sg}.w2v`);
      await b.save(path);
      const mid = b.wv.vectors.slice();
      b.dispose();
      const l = await Word2Vec.load(path);
      expect(l.schedule).toEqual({ done: 2, total: 4 });
      expect(l.wv.keys).toEqual(a.wv.keys);
      expect(Array.from(l.vocab!.counts)).toEqual(Array.from(a.vocab!.counts));
      expect(bits(l.wv.vectors).equals(bits(mid))).toBe(true);
      expect(l.opts).toMatchObject(opts);
      const res = await l.train(c, { resume: true });
      expect(res.epochs).toBe(2);
      expect(l.schedule).toEqual({ done: 4, total: 4 });
      expect(bits(l.wv.vectors).equals(bits(a.wv.vectors))).toBe(true);
      // and a model that lost its RNG state or output weights would not match: a fresh start from the same vectors differs
      const fresh = await Word2Vec.load(path);
      await fresh.train(c, { epochs: 2 });
      expect(bits(fresh.wv.vectors).equals(bits(a.wv.vectors))).toBe(false);
      for (const m of [a, l, fresh]) m.dispose();
      // the write was atomic: no temporary files left next to the model
      expect(readdirSync(dir).filter((f) => f.startsWith(`model-${extra.sg}`))).toEqual([`model-${extra.sg}.w2v`]);
    });
  }

  // issue 15: save() in the middle of one train() call (an epoch-end callback, between batches, after an abort) and
  // resume gives the uninterrupted run's vectors, bit for bit (seeded, one thread)
  describe('checkpoints inside one train() call', () => {
    const opts = { vectorSize: 12, window: 3, minCount: 1, workers: 1, seed: 5, epochs: 4, batchWords: 300, sg: 1, negative: 4, sample: 1e-2 } as const;
    const text = () => {
      const path = join(dir, 'ckpt-corpus.txt');
      writeFileSync(path, corpus(3, 400).map((s) => s.join(' ')).join('\n') + '\n');
      return path;
    };
    for (const kind of ['token arrays', 'a text file'] as const) {
      const input = () => (kind === 'token arrays' ? corpus(3, 400) : text());
      let straight: Float32Array;
      beforeAll(async () => {
        const a = new Word2Vec(opts);
        await a.train(input());
        straight = a.wv.vectors.slice();
        a.dispose();
      });

      it(`saved from an epoch-end onProgress, loaded, resumed = uninterrupted (${kind})`, async () => {
        const c = input();
        const b = new Word2Vec(opts);
        let saved: Uint8Array | undefined;
        await b.train(c, {
          onProgress: (p) => {
            if (p.epochEnd && p.epoch === 1) saved = b.toBytes();
          },
        });
        // saving did not disturb the run
        expect(bits(b.wv.vectors).equals(bits(straight))).toBe(true);
        b.dispose();
        const l = await Word2Vec.load(saved!);
        expect(l.schedule).toEqual({ done: 2, total: 4 });
        const res = await l.train(c, { resume: true });
        expect(res.epochs).toBe(2);
        expect(bits(l.wv.vectors).equals(bits(straight))).toBe(true);
        l.dispose();
      });

      it(`saved between two batches of an epoch (onProgress, one thread), loaded, resumed = uninterrupted (${kind})`, async () => {
        const c = input();
        const b = new Word2Vec(opts);
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
        expect(bits(b.wv.vectors).equals(bits(straight))).toBe(true);
        b.dispose();
        const l = await Word2Vec.load(saved!);
        expect(l.schedule).toEqual(at);
        expect(l.schedule.done).toBe(2);
        expect(l.schedule.batch).toBeGreaterThan(0);
        await l.train(c, { resume: true });
        expect(l.schedule).toEqual({ done: 4, total: 4 });
        expect(bits(l.wv.vectors).equals(bits(straight))).toBe(true);
        l.dispose();
      });

      it(`aborted with an AbortSignal mid-epoch, saved, loaded, resumed = uninterrupted; resumed without saving too (${kind})`, async () => {
        const c = input();
        const b = new Word2Vec(opts);
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
        const path = join(dir, `ckpt-${kind === 'a text file' ? 'file' : 'arrays'}.w2v`);
        await b.save(path);
        // resumed in place
        await b.train(c, { resume: true });
        expect(bits(b.wv.vectors).equals(bits(straight))).toBe(true);
        b.dispose();
        // resumed from the file
        const l = await Word2Vec.load(path);
        expect(l.schedule.batch).toBeGreaterThan(0);
        await l.train(c, { resume: true });
        expect(bits(l.wv.vectors).equals(bits(straight))).toBe(true);
        l.dispose();
      });
    }

    it('saving while batches run on other threads is still E_BUSY; a corpus that does not match the checkpoint is E_OPTION', async () => {
      const m = new Word2Vec({ ...opts, epochs: 2 });
      const ac = new AbortController();
      await m.train(corpus(3, 400), { signal: ac.signal, progressInterval: 0, onProgress: (p) => { if (p.progress > 0.3) ac.abort(); } }).catch(() => undefined);
      expect(m.schedule.batch).toBeGreaterThan(0);
      const err = await m.train(corpus(4, 50), { resume: true }).then(() => undefined, (e) => e);
      expect(err?.code).toBe('E_OPTION');
      m.dispose();
      const t = new Word2Vec({ ...opts, workers: 2, epochs: 1 });
      let busy: unknown;
      await t.train(corpus(3, 400), { progressInterval: 0, onProgress: (p) => { if (!p.epochEnd && !busy) busy = (() => { try { t.toBytes(); return 'saved'; } catch (e) { return (e as { code?: string }).code; } })(); } });
      // with two threads running, a mid-epoch save is refused (one thread on hosts without a second core saves)
      expect(['E_BUSY', 'saved', undefined]).toContain(busy);
      t.dispose();
    });
  });

  it('a damaged or foreign file is E_FORMAT', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1 });
    await m.train(corpus(2, 50));
    const path = join(dir, 'good.w2v');
    await m.save(path);
    m.dispose();
    const good = readFileSync(path);
    const variants: [string, Uint8Array][] = [
      ['a flipped byte in the weights', (() => { const b = Buffer.from(good); b[b.length - 20] ^= 0x40; return b; })()],
      ['a flipped byte in the header', (() => { const b = Buffer.from(good); b[40] ^= 0x21; return b; })()],
      ['truncated', good.subarray(0, good.length - 100)],
      ['random bytes', new Uint8Array(500).map((_, i) => (i * 73 + 11) & 255)],
      ['empty', new Uint8Array(0)],
      ['safetensors of something else', api.writeSafetensors({ x: api.safeTensor('F32', [1], new Float32Array(1)) }, { format: 'other' })],
    ];
    for (const [what, bytes] of variants) {
      const p = join(dir, 'bad.w2v');
      writeFileSync(p, bytes);
      await expect(Word2Vec.load(p), what).rejects.toMatchObject({ code: 'E_FORMAT' });
      await expect(Word2Vec.load(bytes), what).rejects.toMatchObject({ code: 'E_FORMAT' });
    }
    await expect(Word2Vec.load(join(dir, 'missing.w2v'))).rejects.toMatchObject({ code: 'E_IO' });
    // an option saved with the model cannot be given at load (it would disagree with the saved tables)
    await expect(Word2Vec.load(good, { vectorSize: 4 } as never)).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'vectorSize' } });
    const fresh = new Word2Vec({ workers: 1 });
    expect(() => fresh.toBytes()).toThrow(expect.objectContaining({ code: 'E_EMPTY' }));
  });
});

describe('buildVocab({ update: true })', () => {
  it('adds new words (gensim build_vocab(update=True)): counts merged, rows appended, old rows kept, tables grown', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 2, workers: 1, epochs: 2, hs: 1, negative: 2, seed: 4, sample: 0 });
    await m.train(['a b c a b a', 'a b c']);
    expect(m.wv.keys).toEqual(['a', 'b', 'c']);
    const before = m.wv.vectors.slice();
    await expect(m.buildVocab(['d'])).rejects.toMatchObject({ code: 'E_OPTION' }); // without update: refused
    const vocab = await m.buildVocab(['e d a', 'd e f', 'd'], { update: true });
    // as gensim 4.2 (same corpora, min_count=2, build_vocab(update=True)): index_to_key ['a', 'b', 'c', 'e', 'd'],
    // counts [5, 3, 2, 2, 3]: new words reaching minCount appended in first-seen order ('f', once, is not added),
    // every known word's count grows by its count in the new corpus (even below minCount)
    expect(m.wv.keys).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(Array.from(vocab.counts)).toEqual([5, 3, 2, 2, 3]);
    const now = m.wv.vectors;
    expect(bits(now.subarray(0, 24)).equals(bits(before))).toBe(true); // old rows unchanged
    for (const x of now.subarray(24)) {
      expect(Math.abs(x)).toBeLessThan(0.5 / 8); // new rows drawn as the first were: uniform in [−0.5, 0.5)/dim
      expect(x).not.toBe(0);
    }
    // the new rows are those a table built for five words from the start would hold
    const big = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, seed: 4 });
    await big.buildVocab(['a a a b b c c d d e e']);
    expect(bits(big.wv.vectors.subarray(24)).equals(bits(now.subarray(24)))).toBe(true);
    big.dispose();
    // training on the new words works and moves them
    const d0 = m.wv.get('d').slice();
    await m.train(['d e a b d e', 'e d c']);
    expect(bits(m.wv.get('d')).equals(bits(d0))).toBe(false);
    expect(m.wv.vectors.every(Number.isFinite)).toBe(true);
    expect(m.wv.mostSimilar({ positive: ['d'], topn: 4 }).length).toBe(4);
    m.dispose();
    await expect(new Word2Vec({ workers: 1 }).buildVocab(['a'], { update: true })).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});

describe('simplePreprocess (gensim.utils.simple_preprocess)', () => {
  // produced with /usr/bin/python3 -c "from gensim.utils import simple_preprocess; ..." (gensim 4.2)
  const FIXTURES: [string, { deacc: boolean; minLen: number; maxLen: number }, string[]][] = [
    ["Hello, World! It's 2024.", { deacc: false, minLen: 2, maxLen: 15 }, ['hello', 'world', 'it']],
    ['The quick brown fox_jumps over the lazy dog; a I x.', { deacc: false, minLen: 2, maxLen: 15 }, ['the', 'quick', 'brown', 'fox_jumps', 'over', 'the', 'lazy', 'dog']],
    ['Ça va? Café crème, naïve façade — résumé!', { deacc: false, minLen: 2, maxLen: 15 }, ['ça', 'va', 'café', 'crème', 'naïve', 'façade', 'résumé']],
    ['Ça va? Café crème, naïve façade — résumé!', { deacc: true, minLen: 2, maxLen: 15 }, ['ca', 'va', 'cafe', 'creme', 'naive', 'facade', 'resume']],
    ['abc123def under_score _hidden ÀÉÎ ΑΒΓ δέλτα Москва 東京 ²³ Ⅻ', { deacc: false, minLen: 2, maxLen: 15 }, ['abc', 'def', 'under_score', 'àéî', 'αβγ', 'δέλτα', 'москва', '東京', '²³']],
    ['supercalifragilisticexpialidocious is long; so is antidisestablishmentarianism', { deacc: false, minLen: 2, maxLen: 15 }, ['is', 'long', 'so', 'is']],
    ['supercalifragilisticexpialidocious is long a b', { deacc: false, minLen: 1, maxLen: 40 }, ['supercalifragilisticexpialidocious', 'is', 'long', 'a', 'b']],
    ['Straße ĲSSEL İstanbul', { deacc: false, minLen: 2, maxLen: 15 }, ['straße', 'ĳssel', 'stanbul']],
    ['e\u0301te\u0301 cafe\u0301', { deacc: false, minLen: 2, maxLen: 15 }, ['te', 'cafe']],
    ['e\u0301te\u0301 cafe\u0301', { deacc: true, minLen: 2, maxLen: 15 }, ['ete', 'cafe']],
  ];
  for (const [text, opts, want] of FIXTURES) {
    it(JSON.stringify([text, opts]), () => {
      expect(simplePreprocess(text, opts)).toEqual(want);
    });
  }
  it('defaults, exported from the package, used as a tokenizer, and bad options', async () => {
    expect(api.simplePreprocess("Hello, World! It's 2024.")).toEqual(['hello', 'world', 'it']);
    const m = new Word2Vec({ vectorSize: 4, minCount: 1, workers: 1, epochs: 1, tokenizer: (s) => simplePreprocess(s) });
    await m.train(['Hello, World!', 'HELLO again.']);
    expect(m.wv.keys).toEqual(['hello', 'world', 'again']);
    m.dispose();
    expect(() => simplePreprocess('x', { minLen: -1 })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => simplePreprocess(3 as any)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});

describe('corpora as token arrays and as Int32Array ids', () => {
  const strings = corpus(5, 300);
  const opts = { vectorSize: 10, minCount: 1, workers: 1, seed: 2, epochs: 2, batchWords: 200, sg: 1, sample: 0 };
  let reference: { words: string[]; vectors: Float32Array };
  beforeAll(async () => {
    const m = new Word2Vec(opts);
    await m.train(strings.map((s) => s.join(' ')));
    reference = { words: m.wv.keys.slice() as string[], vectors: m.wv.vectors.slice() };
    m.dispose();
  });

  it('string[][] trains exactly like the same sentences as strings', async () => {
    const m = new Word2Vec(opts);
    await m.train(strings);
    expect(m.wv.keys).toEqual(reference.words);
    expect(bits(m.wv.vectors).equals(bits(reference.vectors))).toBe(true);
    m.dispose();
  });

  it('{ ids, words, sentenceEnds } trains exactly like the sentences it encodes', async () => {
    // ids of a vocabulary in first-seen order (as a tokenizer would assign them)
    const words: string[] = [];
    const index = new Map<string, number>();
    const ids: number[] = [];
    const ends: number[] = [];
    for (const s of strings) {
      for (const w of s) {
        if (!index.has(w)) {
          index.set(w, words.length);
          words.push(w);
        }
        ids.push(index.get(w)!);
      }
      ends.push(ids.length);
    }
    words.push('never-used');
    const m = new Word2Vec(opts);
    const res = await m.train({ ids: Int32Array.from(ids), words, sentenceEnds: Int32Array.from(ends) });
    expect(res.words).toBe(ids.length * 2);
    expect(m.wv.keys).toEqual(reference.words);
    expect(bits(m.wv.vectors).equals(bits(reference.vectors))).toBe(true);
    m.dispose();
  });

  it('{ ids } in the model’s own vocabulary after buildVocab; negative ids are skipped; bad ids and ends are E_FORMAT', async () => {
    const m = new Word2Vec(opts);
    await m.buildVocab(strings);
    const ids = Int32Array.from(strings.flat().map((w) => m.wv.indexOf(w)));
    const ends = new Int32Array(strings.length);
    let n = 0;
    strings.forEach((s, i) => (ends[i] = n += s.length));
    const res = await m.train({ ids, sentenceEnds: ends });
    expect(res.words).toBe(ids.length * 2);
    expect(m.wv.vectors.every(Number.isFinite)).toBe(true);
    const withUnknown = Int32Array.from([0, -1, 1, -1, 2]);
    const r2 = await m.train({ ids: withUnknown }, { epochs: 1 });
    expect(r2.words).toBe(5);
    expect(r2.effectiveWords).toBe(3);
    await expect(m.train({ ids: Int32Array.from([0, 999]) })).rejects.toMatchObject({ code: 'E_FORMAT' });
    await expect(m.train({ ids: Int32Array.from([0, 1]), sentenceEnds: Int32Array.from([2, 1]) })).rejects.toMatchObject({ code: 'E_FORMAT' });
    m.dispose();
    await expect(new Word2Vec(opts).train({ ids: Int32Array.from([0, 1]) })).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});
