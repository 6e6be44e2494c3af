// The word-vector candidates of the compression search (src/compress/vectors.ts): the PCA projection against the
// covariance computed here (eigen-equation residuals, orthonormal basis, a planted low-rank table reconstructed
// exactly), and compressVectors' measurements against plain references (sizes = the saved bytes, the f32 quality =
// the pair Spearman of the table itself, vocabulary cuts = the first words).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pca, pcaProject, compressVectors } from '../../src/compress/vectors.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { loadVectors } from '../../src/vectors/load.js';
import { saveTable } from '../../src/io/safetensors.js';
import { rng } from '../helpers.js';

const FIX = join(__dirname, '..', 'fixtures', 'vectors');

function covariance(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += x[r * d + c] / n;
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] += ((x[r * d + i] - mean[i]) * (x[r * d + j] - mean[j])) / (n - 1);
  return cov;
}

describe('pca', () => {
  it('finds the eigenvectors of the covariance, by decreasing variance, orthonormal', () => {
    const r = rng(7);
    const n = 300, d = 9;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) x[i * d + c] = (r() - 0.5) * (c + 1) + (c === 3 ? x[i * d] * 2 : 0) + 5;
    const p = pca(x, n, d);
    const cov = covariance(x, n, d);
    for (let c = 0; c < d; c++) {
      if (c) expect(p.variance[c]).toBeLessThanOrEqual(p.variance[c - 1]);
      // C v = λ v
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += cov[i * d + j] * p.basis[j * d + c];
        expect(s).toBeCloseTo(p.variance[c] * p.basis[i * d + c], 6);
      }
      for (let c2 = 0; c2 < d; c2++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += p.basis[i * d + c] * p.basis[i * d + c2];
        expect(s).toBeCloseTo(c === c2 ? 1 : 0, 9);
      }
    }
    // the variances add up to the trace
    let tr = 0;
    for (let i = 0; i < d; i++) tr += cov[i * d + i];
    expect(p.variance.reduce((s, v) => s + v, 0)).toBeCloseTo(tr, 8);
  });

  it('a rank-2 table (plus an offset) is reconstructed exactly from 2 components', () => {
    const r = rng(3);
    const n = 200, d = 6;
    const a = [1, 2, 0, -1, 0.5, 3], b = [0, 1, -2, 1, 1, -1];
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const s = r() * 4 - 2, t = r() - 0.5;
      for (let c = 0; c < d; c++) x[i * d + c] = s * a[c] + t * b[c] + 10;
    }
    const p = pca(x, n, d);
    expect(p.variance[2]).toBeLessThan(1e-9 * p.variance[0]);
    const y = pcaProject(p, x, n, 2);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) {
        const rec = p.mean[c] + y[i * 2] * p.basis[c * d] + y[i * 2 + 1] * p.basis[c * d + 1];
        expect(rec).toBeCloseTo(x[i * d + c], 4);
      }
    }
    expect(() => pcaProject(p, x, n, 7)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});

describe('compressVectors', () => {
  it('measures each candidate: size = saved bytes, f32 quality = the table\'s own pair Spearman, cuts keep the first words', async () => {
    const kv = await loadVectors(join(FIX, 'synth.txt'));
    const pairs = readFileSync(join(FIX, 'synth-pairs.tsv'));
    const r = await compressVectors(kv, { pairs, schemes: ['f32', 'int8'], dims: [16, 8], vocab: [200, 50], targetSize: 5000 });
    expect(r.candidates.length).toBe(8);
    const f32 = r.candidates.find((m) => m.name === 'f32 d16 v200')!;
    expect(f32.quality).toBe(kv.evaluateWordPairs(pairs).spearman); // the pairs the source knows: as quantext eval scores it
    expect(f32.quality).not.toBe(kv.evaluateWordPairs(pairs, { dummy4unknown: true }).spearman); // (the fixture has unknown pairs)
    // a cut vocabulary scores the pairs the source knows, those it lost as 0
    const known = new Set(kv.keys.map((w) => w.toUpperCase()));
    const sourcePairs = new TextDecoder().decode(pairs).split('\n').filter((l) => { const f = l.split('\t'); return f.length === 3 && known.has(f[0].toUpperCase()) && known.has(f[1].toUpperCase()); }).join('\n');
    expect(f32.size).toBe(saveTable(kv.matrix, { vocab: [...kv.keys] }).byteLength);
    // int8 on 50 words: the same as quantizing the first 50 rows by hand
    const cut = KeyedVectors.fromArrays(kv.keys.slice(0, 50), kv.vectors.subarray(0, 50 * 16), 16);
    const q = cut.quantize({ scheme: 'int8' });
    const m = r.candidates.find((c) => c.name === 'int8 d16 v50')!;
    expect(m.size).toBe(saveTable(q.matrix, { vocab: [...q.keys] }).byteLength);
    expect(m.metrics!.spearman).toBe(q.evaluateWordPairs(sourcePairs, { restrictVocab: 50, dummy4unknown: true }).spearman);
    // the kept bytes are the best candidate's
    expect(r.best!.size).toBeLessThanOrEqual(5000);
    expect(r.bestBytes!.byteLength).toBe(r.best!.size);
    q.dispose();
    cut.dispose();
    kv.dispose();
  });

  it('rejects a search with nothing to evaluate or nothing to try', async () => {
    const kv = await loadVectors(join(FIX, 'synth.txt'));
    await expect(compressVectors(kv, {})).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(compressVectors(kv, { pairs: readFileSync(join(FIX, 'synth-pairs.tsv')), dims: [99] })).rejects.toMatchObject({ code: 'E_OPTION' });
    kv.dispose();
  });
});
