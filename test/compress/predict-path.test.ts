// Issue 13: the compressed classifier's prediction path (UTF-8 text → rows in wasm, bag kernels, batched output
// layer) gives the predictions of the per-token JavaScript path it replaced, to the bit: QTXC fixtures of every input
// scheme with f32 / int8 / binary / pq outputs, word bigrams and trigrams, character n-grams, pruned buckets, softmax
// and ova (test/fixtures/compress/make.mjs made them and their predictions at af26f4a), on all four builds; predict
// and predictBatch agree; the tokens path (lineRows) agrees; one wasm pass per batch.
import { describe, it, expect, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.node.js';
import { CompressedClassifier } from '../../src/compress/classifier.js';
import { EmbeddingBag } from '../../src/infer/embedding.js';
import { BUILDS, rtFor } from '../helpers.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'compress');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  texts: string[];
  cases: { file: string; input: string; output: string; preds: [string, number][][]; top2: string[][] }[];
};
const f32bits = (p: number) => new Uint32Array(Float32Array.of(p).buffer)[0];
const asBits = (ps: [string, number][][]) => ps.map((r) => r.map(([l, p]) => [l, f32bits(p)]));

for (const build of BUILDS) {
  describe(`compressed prediction path (${build})`, () => {
    it('every fixture: predict and predictBatch give the per-token JS path\'s labels and probability bits', async () => {
      const rt = await rtFor(build);
      const texts = expected.texts;
      for (const c of expected.cases) {
        using m = await CompressedClassifier.load(readFileSync(join(dir, c.file)), { rt });
        expect(asBits(texts.map((t) => m.predict(t, -1))), `${c.file} predict`).toEqual(c.preds);
        expect(asBits(m.predictBatch(texts, -1)), `${c.file} predictBatch`).toEqual(c.preds);
        expect(m.predictBatch(texts, 2, 0.2).map((r) => r.map(([l]) => l)), `${c.file} k 2 threshold 0.2`).toEqual(c.top2);
        // a batch longer than one pass (256 texts), in another order
        const many = Array.from({ length: 600 }, (_, i) => (i * 7) % texts.length);
        expect(asBits(m.predictBatch(many.map((i) => texts[i]), -1)), `${c.file} 600 texts`).toEqual(many.map((i) => c.preds[i]));
      }
    });

    it('test() (the tokens path, lineRows) agrees with the text path; one wasm pass per 256 texts; bad input is E_OPTION', async () => {
      const rt = await rtFor(build);
      const c = expected.cases[0];
      using m = await CompressedClassifier.load(readFileSync(join(dir, c.file)), { rt });
      const docs = expected.texts.slice(0, 40);
      const gold = m.predictBatch(docs, 1).map((r) => r[0][0]);
      const r = await m.test(docs.map((t, i) => `${gold[i]} ${t}`), 1);
      expect(r.n).toBe(40);
      expect(r.precision).toBe(1);
      const passes = vi.spyOn(EmbeddingBag.prototype, 'forwardPtr');
      const perDoc = vi.spyOn(EmbeddingBag.prototype, 'forwardInto');
      try {
        m.predictBatch(Array.from({ length: 600 }, (_, i) => docs[i % 40]));
        m.predict(docs[0]);
        expect(passes).toHaveBeenCalledTimes(4);
        expect(perDoc).not.toHaveBeenCalled();
      } finally {
        passes.mockRestore();
        perDoc.mockRestore();
      }
      expect(m.predictBatch([]), 'empty batch').toEqual([]);
      expect(() => m.predictBatch(['a', 3 as never])).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
      expect(() => m.predictBatch(['a'], 0)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    });
  });
}
