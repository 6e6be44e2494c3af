// Loading memory (issue 10's targets): a .ftz needs at most its file size plus the vocabulary's bytes, a .bin at
// most 1.2× its file size. The wasm side is deterministic (the arena's bytes); the JS side is what the dictionary
// holds: since the loader keeps the entries as one byte pool, nothing is made per entry until asked for (the
// strings, the word map and the subword lists of the old loader were ~ +60 % of a .bin here). RSS is in the bench.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import type { Runtime } from '../../src/runtime/runtime.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
let rt: Runtime;

describe('fastText model load memory', () => {
  beforeAll(async () => {
    rt = await init();
  });

  for (const f of ['sup_softmax.bin', 'sup_hs.bin', 'sg.bin', 'cbow.bin', 'ftz_plain.ftz', 'ftz_qnorm.ftz', 'ftz_qout.ftz']) {
    it(`${f}: wasm arena growth is the matrices as stored; with the dictionary within the target`, async () => {
      const file = statSync(fileURLToPath(new URL(f, DIR))).size;
      const before = rt.arena.used;
      const m = await FastTextModel.load(new URL(f, DIR));
      const arena = rt.arena.used - before;
      const mem = m.estimateMemory();
      // the arena holds the matrices (plus at most 16-byte alignment and PQ's 16-byte tails per block)
      expect(arena).toBeGreaterThanOrEqual(mem.matrices);
      expect(arena).toBeLessThanOrEqual(mem.matrices + 16 * 8 + 2 * 1024); // PQ norm codebooks are allocated at 256 floats
      const limit = f.endsWith('.ftz') ? file + mem.vocabulary : 1.2 * file;
      expect(arena + mem.dictionary, `${f}: ${arena} + ${mem.dictionary} bytes for a ${file}-byte file`).toBeLessThanOrEqual(limit);
      // nothing per entry until asked for: the vocabulary's bytes, offsets and counts only
      expect(mem.dictionary).toBeLessThanOrEqual(mem.vocabulary + (m.dict.size + 1) * 12 + (m.dict.prunePairs ? m.dict.prunePairs.byteLength : 0));
      // prediction (wasm) makes no strings either; the TypeScript reference makes them
      if (m.isSupervised) {
        m.predict('the jury said');
        expect(m.estimateMemory().dictionary).toBe(mem.dictionary);
        expect(m.estimateMemory().predictor).toBeGreaterThan(0);
      }
      m.getWordVector('jury');
      expect(m.estimateMemory().dictionary).toBeGreaterThan(mem.dictionary);
      m.dispose();
      expect(rt.arena.used).toBe(before);
    });
  }
});
