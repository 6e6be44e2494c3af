// Issue 15: extreme but finite values. Rows near 1e20 overflowed the float32 norms and rows near 1e-20 underflowed
// them, so mostSimilar dropped (scored 0) rows that similarity scored at 0.91. Every cosine path must agree with a
// float64 TypeScript reference over the whole float32 range.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng } from '../helpers.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { cos, refCosmul } from './reference.js';

const DIM = 17; // a SIMD tail too

/** Words and rows: ordinary rows, and near-copies of `base` (cosine ≈ 0.9 with it) at extreme scales. */
function extremeSpace(seed: number) {
  const r = rng(seed);
  const rand = () => Array.from({ length: DIM }, () => r() * 2 - 1);
  const base = rand();
  const words: string[] = [];
  const rows: Float32Array[] = [];
  const add = (w: string, v: number[]) => {
    words.push(w);
    rows.push(Float32Array.from(v));
  };
  add('base', base);
  for (let i = 0; i < 12; i++) add(`w${i}`, rand());
  // near-copies of base: base + 0.45·noise (cosine about 0.9), at each scale
  const scales: [string, number][] = [
    ['big', 1e20], ['tiny', 1e-20], ['negbig', -1e20], ['e30', 1e30], ['em30', 1e-30], ['e37', 1e37], ['em35', 1e-35], ['sub', 1e-41],
  ];
  for (const [w, s] of scales) {
    const n = rand();
    add(w, base.map((x, c) => (x + 0.45 * n[c]) * s));
  }
  // components near float32's maximum: the norm itself exceeds it
  add('max', base.map((x) => Math.sign(x) * 3e38 * (0.5 + 0.5 * Math.abs(x))));
  add('zero', new Array(DIM).fill(0));
  const data = new Float32Array(rows.length * DIM);
  rows.forEach((v, i) => data.set(v, i * DIM));
  return { words, rows, data };
}

describe.each(BUILDS)('cosines over the whole float32 range, %s build', (build) => {
  it('mostSimilar, similarity, distances, get({ norm }) and mostSimilarCosmul agree with a float64 reference for rows at 1e±20 … 3e38 … subnormal', async () => {
    const rt = await rtFor(build);
    const { words, rows, data } = extremeSpace(3);
    const kv = KeyedVectors.fromArrays(words, data, DIM, { rt });
    const at = (w: string) => rows[words.indexOf(w)];
    const bad: string[] = [];
    for (const q of ['base', 'big', 'tiny', 'negbig', 'e30', 'em30', 'e37', 'em35', 'sub', 'max', 'w3']) {
      // every other row, scored as similarity() and the reference score it
      const got = kv.mostSimilar({ positive: q, topn: words.length });
      if (got.length !== words.length - 1) bad.push(`${q}: mostSimilar returned ${got.length} rows`);
      for (const [w, s] of got) {
        const want = cos(at(q), at(w));
        if (!(Math.abs(s - want) <= 2e-6)) bad.push(`mostSimilar(${q}) ${w}: ${s} ≠ ${want}`);
        const sim = kv.similarity(q, w);
        if (!(Math.abs(sim - want) <= 1e-12)) bad.push(`similarity(${q}, ${w}): ${sim} ≠ ${want}`);
      }
      const d = kv.distances(q);
      words.forEach((w, i) => {
        const want = 1 - cos(at(q), at(w));
        if (!(Math.abs(d[i] - want) <= 2e-6)) bad.push(`distances(${q})[${w}]: ${d[i]} ≠ ${want}`);
      });
      const unit = kv.get(q, { norm: true });
      const nq = Math.sqrt(at(q).reduce((s, x) => s + x * x, 0));
      for (let c = 0; c < DIM; c++) {
        if (!(Math.abs(unit[c] - at(q)[c] / nq) <= 1e-6)) {
          bad.push(`get(${q}, { norm: true })[${c}]: ${unit[c]} ≠ ${at(q)[c] / nq}`);
          break;
        }
      }
      const cm = kv.mostSimilarCosmul({ positive: [q], topn: words.length });
      const ref = new Map(refCosmul(words, rows, [q], [], words.length));
      for (const [w, s] of cm) if (!(Math.abs(s - ref.get(w)!) <= 2e-6)) bad.push(`cosmul(${q}) ${w}: ${s} ≠ ${ref.get(w)}`);
    }
    // the row the issue names: similarity ≈ 0.9 and mostSimilar ranks it first with the same score
    const top = kv.mostSimilar({ positive: 'base', topn: 3 }).map(([w]) => w);
    const nearest = words.filter((w) => w !== 'base').sort((a, b) => cos(at('base'), at(b)) - cos(at('base'), at(a))).slice(0, 3);
    expect(top).toEqual(nearest);
    // a query vector given at an extreme scale (float64 beyond float32's range too)
    for (const s of [1e20, 1e-20, 1e300, 1e-300]) {
      const v = Float64Array.from(at('base'), (x) => x * s);
      const [w, score] = kv.similarByVector(v, 1)[0];
      expect(w).toBe('base');
      expect(score).toBeCloseTo(1, 6);
    }
    expect(bad).toEqual([]);
    kv.dispose();
  });
});
