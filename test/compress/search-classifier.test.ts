// The classifier generators of the compression search (src/compress/classifier-search.ts) with a fake backend whose
// candidates have known sizes and accuracies: the grid (quantize × cutoff, students × QAT bits × cutoff, pruned
// students), what is measured and kept, students disposed, and the budget.
import { describe, expect, it } from 'vitest';
import { classifierCandidateName, classifierGenerators, compressClassifierSearch, type ClassifierCandidate, type CompressedLike } from '../../src/compress/classifier-search.js';

const BITS: Record<string, number> = { f32: 32, f16: 16, int8: 8, int4: 4, binary: 1, pq: 4 };
/** A planted model of a candidate: bytes ∝ kept rows × dim × bits; accuracy falls with fewer bits and rows. */
const plantedSize = (c: ClassifierCandidate) => Math.ceil(((c.cutoff ?? 10_000) * c.dim * BITS[c.input] * (1 - (c.sparsity ?? 0))) / 8) + 100;
const plantedP = (c: ClassifierCandidate) => 0.99 - 0.01 * (8 / BITS[c.input]) - (c.cutoff ? 1000 / c.cutoff / 100 : 0) - (c.source === 'student' ? 0.1 / c.dim : 0);

function fakeBackend(log: string[]) {
  return {
    compress: async (src: { id: string }, c: ClassifierCandidate): Promise<CompressedLike> => {
      log.push(`compress ${src.id}`);
      return {
        toBytes: () => new Uint8Array(plantedSize(c)),
        test: () => ({ n: 100, precision: plantedP(c), recall: plantedP(c), labels: [] }),
        predictBatch: (texts: string[]) => texts.map(() => []),
        report: () => ({ input: { sqnrDb: BITS[c.input] * 6, saturatedFraction: 0, meanCosine: 0.99 } }),
        dispose: () => log.push('dispose compressed'),
      };
    },
    student: async (c: ClassifierCandidate) => {
      log.push(`student d${c.dim} b${c.bits}`);
      return { id: `student${c.dim}`, dispose: () => log.push('dispose student') };
    },
  };
}

describe('classifierGenerators', () => {
  it('spans quantize × cutoff, students × QAT bits × cutoff and pruned students, with unique names', () => {
    const gens = classifierGenerators({ dim: 50, rows: 2_000_000, students: true, families: ['quantize', 'student', 'prune'] });
    expect(gens.map((g) => g.name)).toEqual(['quantize', 'student', 'prune']);
    const all = gens.flatMap((g) => [...g.candidates()]);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    const q = [...gens[0].candidates()].map((c) => c.params);
    expect(q.length).toBe(4 * 4);
    expect(new Set(q.map((c) => c.input))).toEqual(new Set(['int8', 'int4', 'binary', 'pq']));
    expect(q.filter((c) => c.cutoff).every((c) => c.retrain)).toBe(true);
    const s = [...gens[1].candidates()].map((c) => c.params);
    expect(new Set(s.map((c) => c.dim))).toEqual(new Set([10, 5, 4, 2]));
    expect(s.every((c) => c.distill && c.source === 'student' && c.input === { 8: 'int8', 4: 'int4', 1: 'binary' }[c.bits as 8 | 4 | 1])).toBe(true);
    expect([...gens[2].candidates()].every((c) => c.params.sparsity! > 0)).toBe(true);
    // cutoffs at or above the rows are left out; no student generators without students
    expect(classifierGenerators({ dim: 10, rows: 5000, students: false }).flatMap((g) => [...g.candidates()]).map((c) => c.params.cutoff)).toEqual(Array(8).fill(undefined).map((_, i) => (i < 4 ? 1000 : undefined)));
    expect(classifierCandidateName({ source: 'student', dim: 4, bits: 1, distill: true, cutoff: 1000, input: 'binary', output: 'binary' })).toBe('distilled d4 qat1 cutoff1000 in:binary out:binary');
  });
});

describe('compressClassifierSearch', () => {
  it('measures every candidate through the backend, keeps the most accurate under the target, frees students', async () => {
    const log: string[] = [];
    const r = await compressClassifierSearch({
      model: { id: 'teacher' }, dim: 20, rows: 1e6, train: 'train.txt', test: 'test.txt', latencyTexts: ['a b', 'c'],
      backend: fakeBackend(log) as any, targetSize: 20_000, budgetMs: 1e9, families: ['quantize', 'student'],
    });
    expect(r.candidates.length).toBe(16 + 2 * 3 * 3); // dims 20/5 = 4 and 20/10 = 2 (4 and 2 again: distinct)
    for (const m of r.candidates) {
      expect(m.size).toBe(plantedSize(m.params));
      expect(m.quality).toBeCloseTo(plantedP(m.params), 12);
      expect(m.metrics!['input.sqnrDb']).toBe(BITS[m.params.input] * 6);
      expect(m.latencyMs).toBeGreaterThanOrEqual(0);
    }
    // brute force
    const fits = r.candidates.filter((m) => m.size <= 20_000).sort((a, b) => b.quality - a.quality || a.size - b.size);
    expect(r.best!.name).toBe(fits[0].name);
    expect(r.bestBytes!.byteLength).toBe(fits[0].size);
    // each student trained once for its cutoffs (2 dims × 3 bits) and disposed; each compressed model disposed
    expect(log.filter((l) => l.startsWith('student')).length).toBe(6);
    expect(log.filter((l) => l === 'dispose student').length).toBe(6);
    expect(log.lastIndexOf('dispose student')).toBeGreaterThan(log.lastIndexOf('compress student2'));
    expect(log.filter((l) => l === 'dispose compressed').length).toBe(r.candidates.length);
    expect(log.filter((l) => l === 'compress teacher').length).toBe(16);
  });

  it('respects the budget with a fake clock: each candidate costs 10, budget 55 → 5 tried, the rest skipped', async () => {
    const clock = { t: 0 };
    const b = fakeBackend([]);
    const r = await compressClassifierSearch({
      model: { id: 'teacher' }, dim: 20, rows: 1e6, train: 't', test: 't', budgetMs: 55, now: () => clock.t,
      backend: { compress: async (s: any, c: ClassifierCandidate, d: any) => { clock.t += 10; return b.compress(s, c); } } as any,
    });
    expect(r.candidates.length).toBe(5);
    expect(r.outOfTime).toBe(true);
    expect(r.skipped.length).toBe(11);
    expect(r.elapsedMs).toBeLessThanOrEqual(55);
  });
});
