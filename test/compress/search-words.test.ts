// The words-only students of `quantext compress MODEL` (src/compress/classifier-search.ts 'words' family, trained by
// the CLI's backend, src/cli/compress.ts): on a small synthetic task, with the real compressClassifier, the candidates
// are generated (dim 4 and 2, words only, int4 with one scale, each cutoff), each student is trained once, and the kept
// model is the most accurate under the target (brute force over what was measured), its saved bytes loading to a
// classifier whose P@1, computed here label by label, is the one reported.
import { describe, expect, it } from 'vitest';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { CompressedClassifier } from '../../src/compress/classifier.js';
import { classifierGenerators, compressClassifierSearch, studentOptions, type ClassifierCandidate } from '../../src/compress/classifier-search.js';
import { classifierBackend } from '../../src/cli/compress.js';
import { synthetic } from '../classify/data.js';

const lines = (docs: { text: string; label: string }[]) => docs.map((d) => `__label__${d.label} ${d.text}`);

describe("the 'words' family of the classifier search", () => {
  it('is generated first: dim 4 then 2 (below the model dim), words only, int4 with one scale, the cutoffs in order', () => {
    const gens = classifierGenerators({ dim: 50, rows: 2_000_000, students: true });
    expect(gens.map((g) => g.name)).toEqual(['words', 'quantize', 'student', 'prune']);
    const w = [...gens[0].candidates()];
    expect(w.map((c) => [c.params.dim, c.params.cutoff])).toEqual([[4, 4000], [4, 2000], [4, 1000], [4, 8000], [2, 4000], [2, 2000], [2, 1000], [2, 8000]]);
    expect(w.every((c) => c.params.words && c.params.source === 'student' && !c.params.distill && !c.params.bits && c.params.input === 'int4' && c.params.output === 'f32' && c.params.perRow === false)).toBe(true);
    expect(w[0].name).toBe('student d4 words cutoff4000 in:int4 out:f32 scale:tensor');
    // a model of dim ≤ 4 gets no words student of its own dim or more; no students without a student backend
    expect([...classifierGenerators({ dim: 4, rows: 1000, students: true })[0].candidates()].map((c) => c.params.dim)).toEqual([2, 2, 2, 2]);
    expect(classifierGenerators({ dim: 50, rows: 1000, students: false }).map((g) => g.name)).toEqual(['quantize']);
    // the student: words only, one thread, seeded
    const o = studentOptions(w[0].params, { wordNgrams: 2, minn: 3, maxn: 6, bucket: 2_000_000, epochs: 25 });
    expect(o).toMatchObject({ dim: 4, wordNgrams: 1, minn: 0, maxn: 0, bucket: 0, threads: 1, epochs: 25, lr: 0.5, seed: 1 });
  });

  it('each family keeps its own student: interleaved families train each student once', async () => {
    const trained: string[] = [];
    const backend = {
      compress: async (_s: unknown, c: ClassifierCandidate) => ({
        toBytes: () => new Uint8Array(100 + (c.cutoff ?? 1000)),
        test: () => ({ n: 10, precision: 0.9, recall: 0.9, labels: [] }),
        predictBatch: () => [],
        dispose: () => undefined,
      }),
      student: async (c: ClassifierCandidate) => {
        trained.push(JSON.stringify([c.dim, c.bits, c.sparsity, c.words]));
        return { dispose: () => undefined };
      },
    };
    const r = await compressClassifierSearch({ model: {}, dim: 20, rows: 1e6, train: [], test: [], backend: backend as any, budgetMs: 1e9, families: ['words', 'student', 'prune'] });
    expect(r.candidates.length).toBe(8 + 2 * 3 * 3 + 2 * 3);
    // words: dims 4, 2; student: dims 4, 2 × bits 8, 4, 1; prune: dims 4, 2 × 3 sparsities
    expect(trained.length).toBe(2 + 6 + 6);
    expect(new Set(trained).size).toBe(trained.length);
  });

  it('on a synthetic task: words students measured with the real backend, the kept model is the best under the target', async () => {
    const train = lines(synthetic(600, 1));
    const test = lines(synthetic(300, 2));
    const teacher = new TextClassifier({ dim: 16, wordNgrams: 2, minn: 2, maxn: 3, bucket: 5000, epochs: 5, lr: 0.5, threads: 1, seed: 3 });
    try {
      await teacher.train(train);
      const backend = await classifierBackend(teacher.model, 1);
      const target = 2500;
      const r = await compressClassifierSearch({
        model: teacher.model, dim: 16, rows: teacher.model.words.length + 5000, train, test, backend, targetSize: target, budgetMs: 1e9,
        families: ['words', 'quantize'], wordCutoffs: [100, 20, 400],
      });
      expect(r.failed).toEqual([]);
      const words = r.candidates.filter((m) => m.family === 'words');
      expect(words.map((m) => m.name)).toEqual([4, 2].flatMap((d) => [100, 20, 400].map((c) => `student d${d} words cutoff${c} in:int4 out:f32 scale:tensor`)));
      // the cutoff keeps at most N rows: the file grows with N (Golomb-coded hashes + half a byte per weight)
      expect(words[1].size).toBeLessThan(words[0].size);
      expect(words[0].size).toBeLessThan(words[2].size);
      // brute force over what was measured: the most accurate at or under the target, ties to the smaller
      const fits = r.candidates.filter((m) => m.size <= target).sort((a, b) => b.quality - a.quality || a.size - b.size);
      expect(fits.length).toBeGreaterThan(0);
      expect(r.best!.name).toBe(fits[0].name);
      // on this task only words students fit 2.5 kB (the teacher's 16-dim rows do not), and they are accurate
      expect(r.best!.family).toBe('words');
      expect(r.best!.quality).toBeGreaterThan(0.9);
      // the kept bytes: the size reported, and a classifier whose P@1 (each test line's top label against its own) is the quality reported
      expect(r.bestBytes!.byteLength).toBe(r.best!.size);
      const cc = await CompressedClassifier.load(r.bestBytes!);
      try {
        let right = 0;
        for (const l of test) {
          const [label, ...toks] = l.split(' ');
          if (cc.predict(toks.join(' '), 1)[0]?.[0] === label) right++;
        }
        expect(right / test.length).toBe(r.best!.quality);
        expect(cc.inputScheme).toBe('int4');
        expect(cc.dim).toBe(r.best!.params.dim);
      } finally {
        cc.dispose();
      }
    } finally {
      teacher.dispose();
    }
  }, 120_000);
});
