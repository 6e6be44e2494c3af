// Issue 15: limits. The maximum wasm memory is configurable; exceeding it is E_OOM naming the limit, a failed call
// leaks nothing (arena usage before = after) and the library stays usable in the same runtime.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import '../helpers.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { loadVectors } from '../../src/vectors/load.js';
import { quantize } from '../../src/quantize/quantize.js';
import { trainPQ } from '../../src/quantize/pq.js';
import { quantizeMatrix } from '../../src/vectors/tables/factory.js';
import { QuantextError } from '../../src/errors.js';
import { rng } from '../helpers.js';

const MiB = 1024 * 1024;
let rt: Runtime;

beforeAll(async () => {
  rt = await createRuntime(undefined, { maxMemoryMB: 8, shared: false });
  rt.sigmoidTable(); // made once per runtime, on first use
});

/**
 * Runs `fn`, expects E_OOM naming the limit, and that the arena holds exactly what it held before (`mayShrink`: at
 * most that, for a call that releases a scratch buffer before allocating a larger one).
 */
async function expectOomWithoutLeak(what: string, fn: () => unknown, mayShrink = false): Promise<void> {
  const used = rt.arena.used, blocks = rt.arena.liveBlocks;
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, what).toBeInstanceOf(QuantextError);
  expect((err as QuantextError).code, `${what}: ${String(err)}`).toBe('E_OOM');
  expect((err as Error).message).toMatch(/maximum is 8\.0 MiB.*maxMemoryMB/);
  if (mayShrink) {
    expect(rt.arena.used, `${what}: arena.used`).toBeLessThanOrEqual(used);
    expect(rt.arena.liveBlocks, `${what}: liveBlocks`).toBeLessThanOrEqual(blocks);
  } else {
    expect(rt.arena.used, `${what}: arena.used`).toBe(used);
    expect(rt.arena.liveBlocks, `${what}: liveBlocks`).toBe(blocks);
  }
}

/** A small job that must still work in the same runtime after a failure. */
async function stillUsable(): Promise<void> {
  const used = rt.arena.used;
  const kv = KeyedVectors.fromArrays(['a', 'b', 'c'], [1, 0, 0, 1, 1, 1], 2, { rt });
  expect(kv.mostSimilar({ positive: 'a', topn: 1 })[0][0]).toBe('c');
  kv.dispose();
  const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1, runtime: rt });
  await m.train(['a b c d', 'b c d e']);
  expect(m.wv.get('a').length).toBe(8);
  m.dispose();
  expect(rt.arena.used).toBe(used);
}

/** Allocates all of the runtime's memory but `free` bytes (above the heap top); returns the block (0: none). */
function hogLeaving(free: number, runtime: Runtime = rt): number {
  const bytes = runtime.arena.maxPages * 65536 - runtime.arena.heapTop - free;
  return bytes > 16 ? runtime.arena.alloc(bytes) : 0;
}

/** `n` distinct words, each once, in sentences of 10. */
function uniqueWords(n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i += 10) out.push(Array.from({ length: Math.min(10, n - i) }, (_, j) => `u${i + j}`));
  return out;
}

describe('maxMemoryMB: E_OOM, nothing leaked, still usable', () => {
  it('tables: DenseMatrix, KeyedVectors.fromArrays, loadVectors of a file whose table does not fit', async () => {
    await expectOomWithoutLeak('DenseMatrix 12 MB', () => new DenseMatrix(3000, 1000, { rt }));
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    await expectOomWithoutLeak('fromArrays 12 MB', () => KeyedVectors.fromArrays(words, new Float32Array(3000 * 1000), 1000, { rt }));
    // a text file of 3000 × 1000 zeros: 12 MB of vectors from a 6 MB file
    const line = (w: string) => `${w}${' 0'.repeat(1000)}\n`;
    const text = new TextEncoder().encode(`3000 1000\n${words.map(line).join('')}`);
    await expectOomWithoutLeak('loadVectors 12 MB', () => loadVectors(text, { rt }));
    await stillUsable();
  });

  it('a query whose scratch does not fit fails with E_OOM and leaves no freed buffer in use', async () => {
    const r = rng(3);
    const rows = 20000, dim = 8;
    const data = Float32Array.from({ length: rows * dim }, () => r() * 2 - 1);
    const words = Array.from({ length: rows }, (_, i) => `w${i}`);
    const kv = KeyedVectors.fromArrays(words, data, dim, { rt });
    const want = kv.mostSimilarCosmul({ positive: ['w1'], topn: 5 });
    const wantTop = kv.mostSimilar({ positive: 'w1', topn: 5 });
    // more keys need a larger cosmul scratch; a larger topn a larger top-k buffer: neither fits
    const hog = hogLeaving(64 * 1024);
    try {
      await expectOomWithoutLeak('mostSimilar, topn 20000', () => kv.mostSimilar({ positive: 'w1', topn: 19999 }), true);
      expect(kv.mostSimilar({ positive: 'w1', topn: 5 })).toEqual(wantTop); // the small top-k buffer again
      await expectOomWithoutLeak('mostSimilarCosmul, 5 keys', () => kv.mostSimilarCosmul({ positive: ['w1', 'w2', 'w3'], negative: ['w4', 'w5'], topn: 5 }), true);
    } finally {
      rt.arena.free(hog);
    }
    // memory freed by the failed calls is handed out again (here: to a table filled with 7s); the old buffers of
    // kv must not be used any more, or these queries would overwrite that table or read garbage
    const other = DenseMatrix.from(new Float32Array(rows * 4).fill(7), rows, 4, rt);
    expect(kv.mostSimilarCosmul({ positive: ['w1'], topn: 5 })).toEqual(want);
    expect(kv.mostSimilar({ positive: 'w1', topn: 5 })).toEqual(wantTop);
    expect(other.data().every((v) => v === 7)).toBe(true);
    other.dispose();
    kv.dispose();
    await stillUsable();
  });

  it('quantization: quantize(), trainPQ() and quantizeMatrix() fail without a leak wherever memory runs out, or succeed', async () => {
    const r = rng(1);
    const rows = 1000, cols = 64;
    const data = Float32Array.from({ length: rows * cols }, () => r() * 2 - 1); // 250 KiB
    const m = DenseMatrix.from(data, rows, cols, rt);
    const jobs: [string, () => { dispose?: () => void } | unknown][] = [
      ['quantize int8', () => quantize(data, { scheme: 'int8', rows, cols, rt })],
      ['quantize int4', () => quantize(data, { scheme: 'int4', rows, cols, rt })],
      ['trainPQ', () => trainPQ(data, rows, cols, { dsub: 4, ksub: 16, iters: 2, rt })],
      ['trainPQ qnorm', () => trainPQ(data, rows, cols, { dsub: 4, ksub: 16, iters: 2, qnorm: true, rt })],
      ...(['fp16', 'int8', 'int4', 'binary', 'pq'] as const).map(
        (scheme) => [`quantizeMatrix ${scheme}`, () => quantizeMatrix(m, { scheme, ...(scheme === 'pq' ? { dsub: 4, ksub: 16, iters: 2 } : {}) })] as [string, () => unknown],
      ),
    ];
    const wrong: string[] = [];
    try {
      for (const [name, job] of jobs) {
        let failed = 0, passed = 0;
        // free memory from 0 to 600 KiB: every allocation of the job is the one that fails at some step
        for (let free = 0; free <= 600 * 1024; free += 24 * 1024) {
          const hog = hogLeaving(free);
          try {
            const used = rt.arena.used, blocks = rt.arena.liveBlocks;
            let res: any, err: unknown;
            try {
              res = job();
            } catch (e) {
              err = e;
            }
            if (err) {
              failed++;
              if ((err as QuantextError).code !== 'E_OOM') wrong.push(`${name} with ${free} B free: ${String(err)}`);
            } else {
              passed++;
              res?.dispose?.();
            }
            if (rt.arena.used !== used || rt.arena.liveBlocks !== blocks) {
              wrong.push(`${name} with ${free} B free (${err ? 'failed' : 'succeeded'}): ${rt.arena.used - used} B in ${rt.arena.liveBlocks - blocks} blocks leaked`);
              // start the next step clean
              break;
            }
          } finally {
            if (hog) rt.arena.free(hog);
          }
        }
        if (!failed || !passed) wrong.push(`${name}: ${failed} steps failed, ${passed} passed (both must happen)`);
      }
    } finally {
      m.dispose();
    }
    expect(wrong).toEqual([]);
    await stillUsable();
  });

  it('training: a vocabulary whose tables do not fit, and a corpus cache that does not fit; the model stays usable', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // 3000 words × 1000 dims: syn0 + syn1neg = 24 MB
      const big = new Word2Vec({ vectorSize: 1000, minCount: 1, workers: 1, epochs: 1, runtime: rt });
      const used = rt.arena.used;
      await expectOomWithoutLeak('train() with tables beyond the limit', () => big.train(uniqueWords(3000)));
      expect(rt.arena.used).toBe(used);
      // the same model trains a corpus that fits afterwards: no half-built vocabulary was left behind
      await big.train(uniqueWords(200), { epochs: 1 });
      expect(big.wv.size).toBe(200);
      big.dispose();
      expect(rt.arena.used).toBe(used);

      // 2.5M tokens of 10 words: the encoded corpus (10 MB of ids) is beyond the limit
      const many = Array.from({ length: 250000 }, (_, i) => ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', String(i % 10)]);
      const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, epochs: 1, cacheCorpus: true, runtime: rt });
      await m.buildVocab(many);
      const afterVocab = rt.arena.used;
      await expectOomWithoutLeak('train() with a corpus cache beyond the limit', () => m.train(many));
      expect(rt.arena.used).toBe(afterVocab);
      await m.train(many.slice(0, 1000), { totalWords: 10000 });
      m.dispose();
      expect(rt.arena.used).toBe(used);
    } finally {
      warn.mockRestore();
    }
    await stillUsable();
  });

  it('buildVocab() and train() fail without a leak wherever memory runs out (streamed, cached, 2 threads), or succeed', async () => {
    const r = rng(2);
    const corpus = Array.from({ length: 1500 }, () => Array.from({ length: 10 }, () => `w${Math.floor(r() * 300)}`));
    const wrong: string[] = [];
    const rtMt = await createRuntime(undefined, { maxMemoryMB: 8, shared: true });
    rtMt.sigmoidTable();
    for (const [label, cache, workers] of [['cached', true, 1], ['streamed', false, 1], ['cached, 2 threads', true, 2]] as const) {
      const runtime = workers > 1 ? rtMt : rt;
      const arena = runtime.arena;
      let failed = 0, passed = 0;
      // the calls need about 250 KiB: most steps fail, at one allocation or another
      for (let free = 0; free <= 300 * 1024; free += (workers > 1 ? 24 : 12) * 1024) {
        const used0 = arena.used;
        const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers, epochs: 1, batchWords: 2000, cacheCorpus: cache, runtime });
        const hog = hogLeaving(free, runtime);
        try {
          // each call fails with E_OOM keeping nothing it took, or succeeds
          const before = arena.used;
          const err = await m.buildVocab(corpus).then(() => undefined, (e) => e);
          if (err) {
            failed++;
            if (err.code !== 'E_OOM') wrong.push(`${label} buildVocab with ${free} B free: ${String(err)}`);
            if (arena.used !== before) wrong.push(`${label} buildVocab with ${free} B free: ${arena.used - before} B leaked`);
            continue;
          }
          const beforeTrain = arena.used;
          const err2 = await m.train(corpus).then(() => undefined, (e) => e);
          if (err2) {
            failed++;
            if (err2.code !== 'E_OOM') wrong.push(`${label} train with ${free} B free: ${String(err2)}`);
            if (arena.used !== beforeTrain) wrong.push(`${label} train with ${free} B free: ${arena.used - beforeTrain} B leaked`);
          } else passed++;
        } finally {
          if (hog) arena.free(hog);
          m.dispose();
          if (arena.used !== used0) wrong.push(`${label} with ${free} B free: dispose left ${arena.used - used0} B`);
        }
      }
      if (!failed || !passed) wrong.push(`${label}: ${failed} steps failed, ${passed} passed (both must happen)`);
    }
    expect(wrong).toEqual([]);
    await stillUsable();
  });

  it('maxMemoryMB itself is validated (E_OPTION naming it)', async () => {
    for (const v of [NaN, -1, 0, '5', Infinity, 1e9, null]) {
      await expect(createRuntime(undefined, { maxMemoryMB: v as any, shared: false })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'maxMemoryMB' } });
    }
    for (const v of [NaN, -1, '5', null]) {
      await expect(createRuntime(undefined, { initialMemoryMB: v as any, shared: false })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: 'initialMemoryMB' } });
    }
    const small = await createRuntime(undefined, { maxMemoryMB: 2.5, shared: false });
    expect(small.arena.maxPages).toBe(40);
  });
});
