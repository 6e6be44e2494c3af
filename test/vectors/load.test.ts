import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    // a reader that stops at `limit` closes the file (Linux: count this process's open descriptors)
    const fds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const before = fds();
    for (const p of [join(FIX, 'gensim.txt'), join(dir, 'v.bin')]) {
      const head = await loadVectors(p, { limit: 5 });
      expect([...head.keys]).toEqual([...kv.keys].slice(0, 5));
      head.dispose();
    }
    // safetensors read `limit` rows too (test/vectors/files.test.ts), and close the file
    const st = join(dir, 'v.safetensors');
    await saveVectors(kv, st, { format: 'safetensors' });
    const st5 = await loadVectors(st, { limit: 5 });
    expect([...st5.keys]).toEqual([...kv.keys].slice(0, 5));
    st5.dispose();
    expect(fds()).toBe(before);
    kv.dispose();
  });

  it('kv.quantize + safetensors round trip keeps the dtype, the codes and the search results', async () => {
    const kv = await loadVectors(join(FIX, 'gensim.txt'));
    const dir = mkdtempSync(join(tmpdir(), 'qx-st-'));
    for (const scheme of ['int8', 'int4', 'binary', 'fp16'] as const) {
      const q = kv.quantize({ scheme });
      expect(q.matrix.dtype).toBe(scheme === 'fp16' ? 'f16' : scheme);
      expect(q.matrix.bytes).toBeLessThan(kv.matrix.bytes);
      const p = join(dir, `${scheme}.safetensors`);
      await saveVectors(q, p, { format: 'safetensors' });
      const back = await loadVectors(p);
      expect(back.matrix.dtype).toBe(q.matrix.dtype);
      expect([...back.keys]).toEqual([...kv.keys]);
      expect(Array.from(back.vectors)).toEqual(Array.from(q.vectors)); // identical decoded values
      const w = kv.keys[3];
      expect(back.mostSimilar({ positive: [w], topn: 5 })).toEqual(q.mostSimilar({ positive: [w], topn: 5 }));
      // and the quantized vectors stay close to f32
      const a = kv.get(w), b = q.get(w);
      let dot = 0, na = 0, nb = 0;
      for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
      expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(scheme === 'binary' ? 0.5 : 0.95);
      back.dispose();
      q.dispose();
    }
    // the f32 table stays usable after its quantized copies are disposed
    expect(kv.get(kv.keys[0]).length).toBe(kv.dim);
    kv.dispose();
  });

  it('a safetensors file whose vocabulary repeats a word is E_FORMAT and leaks no wasm memory', async () => {
    const { saveTable } = await import('../../src/io/safetensors.js');
    const { runtime } = await import('../../src/runtime/runtime.js');
    const kv = await loadVectors(join(FIX, 'gensim.txt'));
    const words = [...kv.keys];
    words[1] = words[0];
    const dir = mkdtempSync(join(tmpdir(), 'qx-dup-'));
    const p = join(dir, 'dup.safetensors');
    writeFileSync(p, saveTable(kv.matrix, { vocab: words }));
    const used = runtime().arena.used;
    await expect(loadVectors(p)).rejects.toMatchObject({ code: 'E_FORMAT' });
    expect(runtime().arena.used).toBe(used);
    kv.dispose();
  });

  it('rejects unknown formats and missing files with typed errors', async () => {
    await expect(loadVectors(join(FIX, 'w2v.bin'), { format: 'npy' as any })).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(loadVectors(join(FIX, 'nope.bin'))).rejects.toMatchObject({ code: 'E_IO' });
  });
});
