import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { loadVectors, saveVectors } from '../../src/vectors/load.js';

const FIX = join(__dirname, '..', 'fixtures', 'io');

beforeAll(async () => {
  await init();
});

describe('loadVectors / saveVectors', () => {
  it('auto-detects word2vec binary, word2vec text and GloVe (no header), and they agree', async () => {
    const bin = await loadVectors(join(FIX, 'w2v.bin'));
    const txt = await loadVectors(join(FIX, 'w2v.txt'));
    const dir = mkdtempSync(join(tmpdir(), 'qx-load-'));
    const glovePath = join(dir, 'glove.txt');
    writeFileSync(glovePath, readFileSync(join(FIX, 'w2v.txt'), 'utf8').split('\n').slice(1).join('\n'));
    const glove = await loadVectors(glovePath);
    for (const kv of [txt, glove]) {
      expect(kv.size).toBe(bin.size);
      expect(kv.dim).toBe(4);
      expect([...kv.keys]).toEqual([...bin.keys]);
      const a = bin.vectors, b = kv.vectors;
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
    }
    for (const kv of [bin, txt, glove]) kv.dispose();
  });

  it('saves bin, txt and glove atomically and reads them back exactly; limit reads the first rows', async () => {
    const kv = await loadVectors(join(FIX, 'gensim.txt'));
    const dir = mkdtempSync(join(tmpdir(), 'qx-save-'));
    for (const format of ['bin', 'txt', 'glove'] as const) {
      const p = join(dir, `v.${format}`);
      await saveVectors(kv, p, { format });
      const back = await loadVectors(p);
      expect([...back.keys]).toEqual([...kv.keys]);
      expect(Array.from(back.vectors)).toEqual(Array.from(kv.vectors));
      back.dispose();
    }
    const head = await loadVectors(join(FIX, 'gensim.txt'), { limit: 5 });
    expect([...head.keys]).toEqual([...kv.keys].slice(0, 5));
    head.dispose();
    kv.dispose();
  });

  it('rejects unknown formats and missing files with typed errors', async () => {
    await expect(loadVectors(join(FIX, 'w2v.bin'), { format: 'npy' as any })).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(loadVectors(join(FIX, 'nope.bin'))).rejects.toMatchObject({ code: 'E_IO' });
  });
});
