// Issue 15 (reliability) for training: divergence is a typed error, never a finite loss for NaN vectors.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../helpers.js';
import { init, runtime } from '../../src/runtime/runtime.js';
import { Word2Vec, type TrainProgress } from '../../src/train/word2vec.js';
import { QuantextError } from '../../src/errors.js';
import { rng, rtFor } from '../helpers.js';

/** Sentences of 8 words drawn from `nwords` words. */
function corpus(seed: number, n = 1500, nwords = 40): string[][] {
  const r = rng(seed);
  const W = Array.from({ length: nwords }, (_, i) => `w${i}`);
  return Array.from({ length: n }, () => Array.from({ length: 8 }, () => W[Math.floor(r() * W.length)]));
}

const tmp = mkdtempSync(join(tmpdir(), 'quantext-reltrain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  // the sigmoid table is made once per runtime, on first use: make it now, so that arena usage compares exactly
  (await init()).sigmoidTable();
  (await rtFor('simd-mt')).sigmoidTable();
});

/** True when every component of every vector is finite. */
function allFinite(m: Word2Vec): boolean {
  for (const w of m.vocab!.words) for (const x of m.wv.get(w)) if (!Number.isFinite(x)) return false;
  return true;
}

describe('divergence is E_DIVERGED, never a finite loss for NaN vectors', () => {
  // before the fix each of these resolved: skip-gram/hs with every vector NaN and a finite loss, CBOW with loss Infinity
  const cases: [string, object][] = [
    ['skip-gram, negative sampling', { sg: 1 }],
    ['CBOW, negative sampling', { sg: 0 }],
    ['skip-gram, hierarchical softmax', { sg: 1, hs: 1, negative: 0 }],
    ['skip-gram, per-pair negatives', { sg: 1, sharedNegatives: false }],
  ];
  for (const [name, opts] of cases) {
    it(`alpha 1, ${name}: rejects with E_DIVERGED naming the learning rate; the model disposes cleanly`, async () => {
      const rt = runtime();
      const before = rt.arena.used;
      const seen: TrainProgress[] = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const m = new Word2Vec({ vectorSize: 20, minCount: 1, workers: 1, epochs: 5, alpha: 1, ...opts });
      warn.mockRestore();
      const err = await m.train(corpus(1), { onProgress: (p) => seen.push(p), progressInterval: 0 }).then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(QuantextError);
      expect(err.code).toBe('E_DIVERGED');
      expect(err.message).toMatch(/alpha = 1\b/);
      expect(err.message).toMatch(/smaller alpha/);
      expect(err.details).toMatchObject({ option: 'alpha', alpha: 1 });
      // nothing reported a non-finite loss as if it were progress, and no epoch of NaN vectors was reported as done
      for (const p of seen) expect(Number.isFinite(p.loss)).toBe(true);
      m.dispose();
      expect(rt.arena.used).toBe(before);
    });
  }

  it('FastText too: alpha 1 is E_DIVERGED (the loss and the weight checks), and the model disposes cleanly', async () => {
    const { FastText } = await import('../../src/train/fasttext.js');
    for (const sg of [1, 0]) {
      const rt = runtime();
      const before = rt.arena.used;
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const m = new FastText({ vectorSize: 20, minCount: 1, workers: 1, epochs: 5, alpha: 1, sg, bucket: 1000 });
      warn.mockRestore();
      const err = await m.train(corpus(1)).then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(QuantextError);
      expect(err.code).toBe('E_DIVERGED');
      expect(err.message).toMatch(/alpha = 1\b/);
      m.dispose();
      expect(rt.arena.used).toBe(before);
    }
  });

  it('with 2 worker threads, too', async () => {
    const rt = await rtFor('simd-mt');
    const before = rt.arena.used;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = new Word2Vec({ vectorSize: 20, minCount: 1, workers: 2, epochs: 5, alpha: 2, sg: 1, batchWords: 500, runtime: rt });
    warn.mockRestore();
    await expect(m.train(corpus(2))).rejects.toMatchObject({ code: 'E_DIVERGED' });
    m.dispose();
    expect(rt.arena.used).toBe(before);
  });

  it('a sane learning rate trains without a false alarm, and the vectors and loss are finite', async () => {
    for (const sg of [0, 1]) {
      const m = new Word2Vec({ vectorSize: 20, minCount: 1, workers: 1, epochs: 5, alpha: sg ? 0.025 : 0.05, sg });
      const res = await m.train(corpus(3));
      expect(Number.isFinite(res.loss)).toBe(true);
      expect(res.epochLoss.every(Number.isFinite)).toBe(true);
      expect(allFinite(m)).toBe(true);
      m.dispose();
    }
  });

  it('the CLI exits 2 with the message when training diverges (no --out), and writes nothing with --out', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    const file = join(tmp, 'c.txt');
    writeFileSync(file, corpus(4, 800).map((s) => s.join(' ')).join('\n') + '\n');
    const r = spawnSync(process.execPath, [cli, 'train', file, '--alpha', '1', '--min-count', '1', '--dim', '20', '--threads', '1', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/training diverged.*alpha = 1\b/);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).error.code).toBe('E_DIVERGED');
    const out = join(tmp, 'v.bin');
    const r2 = spawnSync(process.execPath, [cli, 'train', file, '--out', out, '--alpha', '1', '--min-count', '1', '--dim', '20', '--threads', '1'], { encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('every public option is validated', () => {
  const BAD: unknown[] = [NaN, -1, '5', Infinity, 1.5, null];
  const fmt = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));
  /** The (option, value) pairs of the table that are valid: everything else must be E_OPTION naming the option. */
  const VALID: Record<string, unknown[]> = { maxVocabSize: [null], maxFinalVocab: [null], nsExponent: [-1, 1.5], alpha: [1.5], minAlpha: [1.5] };
  const MODEL_OPTIONS = [
    'vectorSize', 'window', 'minCount', 'maxVocabSize', 'maxFinalVocab', 'sample', 'negative', 'nsExponent', 'hs', 'sg', 'alpha',
    'minAlpha', 'epochs', 'workers', 'seed', 'maxSentenceLength', 'cbowMean', 'shrinkWindows', 'batchWords', 'sharedNegatives',
    'cacheCorpus', 'tokenizer', 'runtime',
  ];

  it('Word2Vec options × {NaN, -1, "5", Infinity, 1.5, null}: E_OPTION naming the option, or accepted where valid', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const wrong: string[] = [];
    try {
      for (const name of MODEL_OPTIONS) {
        for (const v of BAD) {
          let err: unknown;
          try {
            new Word2Vec({ [name]: v } as any).dispose();
          } catch (e) {
            err = e;
          }
          const ok = (VALID[name] ?? []).some((x) => Object.is(x, v));
          const named = err instanceof QuantextError && err.code === 'E_OPTION' && err.details?.option === name && err.message.includes(name);
          if (ok ? err !== undefined : !named) wrong.push(`${name} = ${fmt(v)}: ${err ? String(err) : 'accepted'}`);
        }
      }
    } finally {
      warn.mockRestore();
    }
    expect(wrong).toEqual([]);
  });

  it('train() options × the same values; buildVocab({ update }); non-object options', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1 });
    const c = corpus(5, 50);
    const TRAIN_VALID: Record<string, unknown[]> = { progressInterval: [1.5] };
    const wrong: string[] = [];
    for (const name of ['epochs', 'totalEpochs', 'startEpoch', 'totalWords', 'resume', 'progressInterval', 'onProgress', 'signal']) {
      for (const v of BAD) {
        const err = await m.train(c, { [name]: v } as any).then(() => undefined, (e) => e);
        const ok = (TRAIN_VALID[name] ?? []).some((x) => Object.is(x, v));
        const named = err instanceof QuantextError && err.code === 'E_OPTION' && err.details?.option === name && err.message.includes(name);
        if (ok ? err !== undefined : !named) wrong.push(`train ${name} = ${fmt(v)}: ${err ? String(err) : 'accepted'}`);
      }
    }
    expect(wrong).toEqual([]);
    await expect(m.train(c, { epoch: 2 } as any)).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'epoch' } });
    await expect(m.train(c, null as any)).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(m.buildVocab(c, { update: 'yes' } as any)).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'update' } });
    expect(() => new Word2Vec(null as any)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => new Word2Vec({ runtime: {} as any })).toThrow(expect.objectContaining({ code: 'E_OPTION', details: { option: 'runtime' } }));
    m.dispose();
  });

  it('learning rates certain to diverge (alpha or minAlpha ≥ 1) get one warning per model; sane ones none', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const ok = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, alpha: 0.9 });
      ok.dispose();
      expect(warn).not.toHaveBeenCalled();
      const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, alpha: 1, epochs: 2 });
      await m.train(corpus(6, 50)).catch(() => undefined);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/alpha = 1\b.*diverge/);
      m.dispose();
      new Word2Vec({ minAlpha: 2 }).dispose();
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toMatch(/minAlpha = 2/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('AbortSignal', () => {
  const latencies: string[] = [];
  afterAll(() => console.log(`abort latencies (skip-gram, dim 100, batchWords 10000):\n  ${latencies.join('\n  ')}`));
  for (const workers of [1, 2]) {
    for (const how of ['in onProgress', 'from a timer'] as const) {
      it(`stops train() within 1 s of abort (${workers} thread${workers > 1 ? 's' : ''}, abort ${how}) with E_ABORTED; the model stays usable`, async () => {
        const rt = await rtFor('simd-mt');
        const before = rt.arena.used;
        const m = new Word2Vec({ vectorSize: 100, minCount: 1, workers, epochs: 100, sg: 1, runtime: rt });
        const c = corpus(7, 20000, 2000);
        const ac = new AbortController();
        // `requested`: when the abort was asked for (a timer's callback may run later, when training yields)
        let requested = 0;
        let calls = 0;
        const err = await m
          .train(c, {
            signal: ac.signal,
            progressInterval: 0,
            onProgress: () => {
              if (calls++ > 0) return;
              requested = performance.now();
              if (how === 'in onProgress') ac.abort();
              else setTimeout(() => ac.abort(), 0);
            },
          })
          .then(() => undefined, (e) => e);
        const latency = performance.now() - requested;
        latencies.push(`${workers} thread${workers > 1 ? 's' : ''}, abort ${how}: ${latency.toFixed(1)} ms`);
        expect(err).toBeInstanceOf(QuantextError);
        expect(err.code).toBe('E_ABORTED');
        expect(latency).toBeLessThan(1000);
        // usable afterwards: the schedule says where training stopped, a later train() works, dispose frees everything
        const sch = m.schedule;
        expect(sch.done).toBe(0);
        expect(sch.total).toBe(100);
        expect(sch.batch).toBeGreaterThan(0);
        expect(sch.words).toBeGreaterThan(0);
        const res = await m.train(c.slice(0, 2000), { epochs: 1 });
        expect(res.epochs).toBe(1);
        expect(allFinite(m)).toBe(true);
        m.dispose();
        expect(rt.arena.used).toBe(before);
      });
    }
  }

  it('an already aborted signal rejects before any work', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1 });
    let read = 0;
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    const err = await m.train(() => { read++; return [['a', 'b']]; }, { signal: ac.signal }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_ABORTED' });
    expect(err.cause).toMatchObject({ message: 'user cancelled' });
    expect(read).toBe(0);
    m.dispose();
  });

  it('an abort during the vocabulary pass that train() starts with stops it too', async () => {
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1 });
    const ac = new AbortController();
    let n = 0;
    // an abort from inside the corpus (sentence 1000 of 200000): the pass must not read to the end
    function* sentences() {
      for (let i = 0; i < 200000; i++) {
        if (++n === 1000) ac.abort();
        yield ['a', 'b', 'c'];
      }
    }
    await expect(m.train(sentences, { signal: ac.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(n).toBeLessThan(2000);
    m.dispose();
  });
});
