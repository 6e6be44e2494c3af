// Issue 15: memory stays flat over many cycles. After a warm-up (which makes the runtime's lasting tables, such as
// the sigmoid table, and lets the heap reach its size), 1,000 loadVectors/dispose cycles and 100 train/dispose
// cycles leave the arena exactly as it was (bytes and live blocks), wasm memory does not grow and the process's
// resident memory grows by little.
import { describe, it, expect } from 'vitest';
import '../helpers.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import { loadVectors } from '../../src/vectors/load.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../helpers.js';

interface Snapshot {
  used: number;
  blocks: number;
  heapTop: number;
  wasmBytes: number;
}
const snap = (rt: Runtime): Snapshot => ({ used: rt.arena.used, blocks: rt.arena.liveBlocks, heapTop: rt.arena.heapTop, wasmBytes: rt.memory.buffer.byteLength });
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const MiB = 1024 * 1024;

/** A word2vec text file of `n` words × `dim`. */
function textFile(n: number, dim: number, seed: number): Uint8Array {
  const r = rng(seed);
  const lines = [`${n} ${dim}`];
  for (let i = 0; i < n; i++) lines.push(`w${i} ${Array.from({ length: dim }, () => (r() * 2 - 1).toFixed(5)).join(' ')}`);
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** The same vectors as word2vec binary. */
function binaryFile(n: number, dim: number, seed: number): Uint8Array {
  const r = rng(seed);
  const parts: Uint8Array[] = [new TextEncoder().encode(`${n} ${dim}\n`)];
  for (let i = 0; i < n; i++) {
    parts.push(new TextEncoder().encode(`w${i} `));
    parts.push(new Uint8Array(Float32Array.from({ length: dim }, () => r() * 2 - 1).buffer));
    parts.push(new Uint8Array([10]));
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('memory stays flat over load/dispose and train/dispose cycles', () => {
  it('1,000 loadVectors/dispose cycles (text and binary, with a query each): arena, wasm memory and RSS flat', async () => {
    const rt = await createRuntime(undefined, { shared: false });
    const files = [textFile(200, 16, 1), binaryFile(200, 16, 2)];
    const cycle = async (i: number) => {
      const kv = await loadVectors(files[i % 2], { rt });
      kv.mostSimilar({ positive: 'w1', topn: 3 }); // norms and scratch buffers too
      kv.dispose();
    };
    for (let i = 0; i < 20; i++) await cycle(i); // warm-up
    gc();
    const before = snap(rt);
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) await cycle(i);
    gc();
    const after = snap(rt);
    const grew = (process.memoryUsage().rss - rss0) / MiB;
    console.log(`1,000 load/dispose cycles: arena ${before.used} → ${after.used} B, RSS ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB`);
    expect(after).toEqual(before);
    expect(grew).toBeLessThan(64);
  });

  it('100 train/dispose cycles (one thread), 5 with two threads: arena, wasm memory and RSS flat', async () => {
    const rt = await createRuntime(undefined, { shared: true });
    const r = rng(3);
    const corpus = Array.from({ length: 400 }, () => Array.from({ length: 8 }, () => `w${Math.floor(r() * 100)}`));
    const cycle = async (workers: number) => {
      const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers, epochs: 1, runtime: rt });
      await m.train(corpus);
      m.wv.mostSimilar({ positive: 'w1', topn: 3 });
      m.dispose();
    };
    for (let i = 0; i < 3; i++) await cycle(1); // warm-up
    await cycle(2);
    gc();
    const before = snap(rt);
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) await cycle(1);
    for (let i = 0; i < 5; i++) await cycle(2);
    gc();
    const after = snap(rt);
    const grew = (process.memoryUsage().rss - rss0) / MiB;
    console.log(`105 train/dispose cycles: arena ${before.used} → ${after.used} B, RSS ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB`);
    expect(after).toEqual(before);
    expect(grew).toBeLessThan(128);
  });

  it('a model trained 20 times in a row and a table queried 1,000 times keep the arena flat', async () => {
    const rt = await createRuntime(undefined, { shared: false });
    const r = rng(4);
    const corpus = Array.from({ length: 300 }, () => Array.from({ length: 8 }, () => `w${Math.floor(r() * 80)}`));
    const m = new Word2Vec({ vectorSize: 16, minCount: 1, workers: 1, epochs: 1, runtime: rt });
    await m.train(corpus);
    m.wv.mostSimilar({ positive: 'w1', topn: 3 });
    const before = snap(rt);
    for (let i = 0; i < 20; i++) await m.train(corpus);
    for (let i = 0; i < 1000; i++) m.wv.mostSimilar({ positive: `w${i % 80}`, topn: 3 });
    expect(snap(rt)).toEqual(before);
    m.dispose();
  });

  it('100,000 predictions (one at a time and in batches; a trained classifier and a loaded .ftz): arena, wasm memory and RSS flat', async () => {
    const rt = await createRuntime(undefined, { shared: false });
    const fx = join(__dirname, '..', 'fixtures', 'fasttext');
    const clf = new TextClassifier({ dim: 16, epochs: 2, wordNgrams: 2, minn: 2, maxn: 4, bucket: 2000, seed: 1, runtime: rt });
    await clf.train(new Uint8Array(readFileSync(join(fx, 'sup.txt'))));
    const ftz = await FastTextModel.load(new Uint8Array(readFileSync(join(fx, 'ftz_qnorm.ftz'))), { rt });
    const r = rng(7);
    const words = ['the', 'a', 'of', 'cat', 'naïve', 'money', 'win', 'meeting', 'zzq', 'lunch'];
    const texts = Array.from({ length: 1000 }, () => Array.from({ length: 1 + Math.floor(r() * 12) }, () => words[Math.floor(r() * words.length)]).join(' '));
    const round = (n: number) => {
      for (let i = 0; i < n; i++) {
        clf.predict(texts[i % 1000], 2);
        ftz.predict(texts[(i * 7) % 1000], 1);
      }
      for (let b = 0; b < n / 1000; b++) {
        clf.predictBatch(texts, 1);
        ftz.predictBatch(texts, 3, 0.01);
      }
    };
    round(2000); // warm-up: predictors, scratch and hs trees are made once
    gc();
    const before = snap(rt);
    const rss0 = process.memoryUsage().rss;
    round(25_000); // 25k single + 25k batched per model: 100k predictions
    gc();
    const after = snap(rt);
    const grew = (process.memoryUsage().rss - rss0) / MiB;
    console.log(`100,000 predictions: arena ${before.used} → ${after.used} B, RSS ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB`);
    expect(after).toEqual(before);
    expect(grew).toBeLessThan(64);
    clf.dispose();
    ftz.dispose();
  }, 120_000);
});
