// Issue 15, "One very long corpus line": through the public API only (so that it runs on the code before the fix).
import { describe, it, expect } from 'vitest';
import '../helpers.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Word2Vec } from '../../src/train/word2vec.js';
import { readLines } from '../../src/io/lines.js';
import { QuantextError } from '../../src/errors.js';
import { rng } from '../helpers.js';

const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'qx-longline-'));

/** Peak RSS growth (MiB) while `fn` runs, sampled every 2 ms. */
async function peakRss(fn: () => Promise<void>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return (Math.max(peak, process.memoryUsage().rss) - base) / 2 ** 20;
}

describe('one very long corpus line', () => {
  it('gives the same vocabulary and trained vectors as the same tokens on many lines (streamed and cached)', async () => {
    const r = rng(31);
    const toks = Array.from({ length: 200_000 }, () => `t${Math.floor(Math.pow(r(), 3) * 3000)}`);
    const one = join(dir, 'one.txt'), many = join(dir, 'many.txt');
    writeFileSync(one, toks.join(' ') + '\n');
    const lines: string[] = [];
    for (let i = 0; i < toks.length; i += 50) lines.push(toks.slice(i, i + 50).join(' '));
    writeFileSync(many, lines.join('\n') + '\n');
    for (const cacheCorpus of [false, true]) {
      const run = async (path: string) => {
        const m = new Word2Vec({ vectorSize: 8, minCount: 3, workers: 1, seed: 3, epochs: 1, maxSentenceLength: 50, batchWords: 1000, cacheCorpus });
        const res = await m.train(path);
        const out = { words: m.vocab!.words, counts: Array.from(m.vocab!.counts), total: m.vocab!.totalWords, v: m.wv.vectors.slice(), res };
        m.dispose();
        return out;
      };
      const a = await run(one), b = await run(many);
      expect(a.words).toEqual(b.words);
      expect(a.counts).toEqual(b.counts);
      expect(a.total).toBe(toks.length);
      expect(a.res.effectiveWords).toBe(b.res.effectiveWords);
      // unknown words move piece boundaries: the vectors are close, not equal; with minCount 1 they are equal
      const m1 = async (path: string) => {
        const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1, seed: 3, epochs: 1, maxSentenceLength: 50, batchWords: 1000, cacheCorpus });
        await m.train(path);
        const v = m.wv.vectors.slice();
        m.dispose();
        return v;
      };
      expect(Buffer.from((await m1(one)).buffer).equals(Buffer.from((await m1(many)).buffer))).toBe(true);
    }
  });

  it('a 24 MB line: the vocabulary pass and a streamed epoch keep memory bounded', async () => {
    const path = join(dir, 'long.txt');
    const unit = enc.encode(Array.from({ length: 1000 }, (_, i) => `w${i % 700}`).join(' ') + ' ');
    const bytes = new Uint8Array(24 << 20).fill(32);
    for (let i = 0; i + unit.length <= bytes.length; i += unit.length) bytes.set(unit, i);
    writeFileSync(path, bytes);
    const m = new Word2Vec({ vectorSize: 4, minCount: 1, workers: 1, epochs: 1, cacheCorpus: false, sample: 0, window: 1, negative: 1 });
    const vocabMiB = await peakRss(() => m.buildVocab(path).then(() => undefined));
    expect(m.vocab!.words.length).toBe(700);
    expect(m.vocab!.totalSentences).toBe(1);
    // the line as a string (24 MB) and ~4.6M token strings took > 150 MB before
    expect(vocabMiB).toBeLessThan(48);
    const trainMiB = await peakRss(() => m.train(path).then(() => undefined));
    expect(trainMiB).toBeLessThan(48);
    m.dispose();
  }, 60_000);

  it('a stream of NUL bytes (as /dev/zero: no whitespace) is refused with E_TOO_LARGE', async () => {
    const path = join(dir, 'zeros.txt');
    writeFileSync(path, new Uint8Array(18 << 20));
    const m = new Word2Vec({ vectorSize: 4, minCount: 1, workers: 1 });
    const err = await m.buildVocab(path).catch((e) => e);
    expect(err).toBeInstanceOf(QuantextError);
    expect(err.code).toBe('E_TOO_LARGE');
    m.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('readLines (the custom-tokenizer path) refuses a line past maxLineLength with E_TOO_LARGE naming the line', async () => {
    const src = [enc.encode('ok\n'), enc.encode('x'.repeat(600)), enc.encode('y'.repeat(600) + '\nz\n')];
    const read = async (max: number) => {
      const out: string[] = [];
      for await (const l of readLines(src, { maxLineLength: max } as any)) out.push(l);
      return out;
    };
    expect(await read(1200)).toEqual(['ok', 'x'.repeat(600) + 'y'.repeat(600), 'z']);
    const err = await read(1000).catch((e) => e);
    expect(err).toBeInstanceOf(QuantextError);
    expect(err.code).toBe('E_TOO_LARGE');
    expect(err.details.line).toBe(2);
  });
});
