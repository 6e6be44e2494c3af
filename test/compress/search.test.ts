// The compression search (src/compress/search.ts) on synthetic candidates whose metrics are known: the Pareto front
// against a brute-force reference, the target-size choice, the time budget with a fake clock, the generators'
// order, failures, and the size / duration flags.
import { describe, expect, it } from 'vitest';
import { QuantextError } from '../../src/errors.js';
import { bestUnder, paretoFront, paretoSearch, parseDuration, parseSize, type CandidateGenerator, type Measurement } from '../../src/compress/search.js';
import { rng } from '../helpers.js';

interface Item extends Measurement { name: string }

/** Brute force: an item is on the front when no other item is ≤ in size and ≥ in quality with one strictly better. */
function bruteFront(items: Item[]): Set<string> {
  const ok = items.filter((m) => Number.isFinite(m.quality));
  return new Set(ok.filter((a) => !ok.some((b) => b !== a && b.size <= a.size && b.quality >= a.quality && (b.size < a.size || b.quality > a.quality))).map((m) => m.name));
}

function randomItems(seed: number, n: number): Item[] {
  const r = rng(seed);
  // few distinct values, so that ties in size and in quality are common
  return Array.from({ length: n }, (_, i) => ({ name: `c${i}`, size: 1 + Math.floor(r() * 12), quality: r() < 0.05 ? NaN : Math.floor(r() * 10) / 10 }));
}

describe('paretoFront', () => {
  it('equals the brute-force front on random candidates with ties and NaN', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const items = randomItems(seed, 1 + (seed % 40));
      const front = paretoFront(items);
      expect(new Set(front.map((m) => m.name)), `seed ${seed}`).toEqual(bruteFront(items));
      // by size ascending, and quality strictly rising along it (equal pairs aside)
      for (let i = 1; i < front.length; i++) {
        expect(front[i].size).toBeGreaterThanOrEqual(front[i - 1].size);
        if (front[i].size > front[i - 1].size) expect(front[i].quality).toBeGreaterThan(front[i - 1].quality);
      }
    }
  });

  it('keeps both of two identical points, drops an equal-quality larger one', () => {
    const f = paretoFront([
      { name: 'a', size: 10, quality: 0.5 },
      { name: 'b', size: 10, quality: 0.5 },
      { name: 'c', size: 20, quality: 0.5 },
      { name: 'd', size: 5, quality: 0.1 },
    ] as Item[]);
    expect(f.map((m) => (m as Item).name)).toEqual(['d', 'a', 'b']);
  });
});

describe('bestUnder', () => {
  it('is the most accurate at or under the target (ties: smaller, then first), as a brute-force scan', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const items = randomItems(seed, 1 + (seed % 30));
      const target = 1 + (seed % 13);
      const fits = items.filter((m) => m.size <= target && Number.isFinite(m.quality));
      const q = Math.max(...fits.map((m) => m.quality));
      const s = Math.min(...fits.filter((m) => m.quality === q).map((m) => m.size));
      const want = fits.find((m) => m.quality === q && m.size === s);
      expect(bestUnder(items, target)?.name, `seed ${seed}`).toBe(want?.name);
    }
  });
  it('is undefined when nothing fits', () => {
    expect(bestUnder([{ size: 10, quality: 1 }], 9)).toBeUndefined();
  });
});

describe('paretoSearch', () => {
  /** A generator of candidates with planted metrics and durations, measured against a fake clock. */
  function planted(durations: number[], clock: { t: number }) {
    const table = durations.map((d, i) => ({ name: `p${i}`, params: { i }, size: 100 - i * 7, quality: (i * 37) % 11, d }));
    const gen: CandidateGenerator<{ i: number }> = { name: 'planted', candidates: () => table.map(({ name, params }) => ({ name, params })) };
    const measure = (s: { params: { i: number } }) => {
      const c = table[s.params.i];
      clock.t += c.d;
      return { size: c.size, quality: c.quality };
    };
    return { table, gen, measure };
  }

  it('without a binding budget measures everything; the front and the kept candidate match the references', async () => {
    const clock = { t: 0 };
    const { table, gen, measure } = planted(Array(12).fill(1), clock);
    const r = await paretoSearch({ generators: [gen], measure, budgetMs: 1e6, targetSize: 60, now: () => clock.t });
    expect(r.candidates.length).toBe(12);
    expect(r.outOfTime).toBe(false);
    const items = table.map((c) => ({ name: c.name, size: c.size, quality: c.quality }));
    expect(new Set(r.front.map((m) => m.name))).toEqual(bruteFront(items));
    expect(r.candidates.filter((m) => m.pareto).map((m) => m.name).sort()).toEqual([...bruteFront(items)].sort());
    expect(r.best?.name).toBe(bestUnder(items, 60)?.name);
    expect(r.best!.size).toBeLessThanOrEqual(60);
    expect(r.elapsedMs).toBe(12);
  });

  it('the first candidate runs even when the budget is spent before it starts', async () => {
    const clock = { t: 0 };
    const { gen, measure } = planted([3, 3, 3], clock);
    const slow = { ...gen, *candidates() { clock.t += 50; yield* gen.candidates(); } };
    const r = await paretoSearch({ generators: [slow], measure, budgetMs: 10, now: () => clock.t });
    expect(r.candidates.length).toBe(1);
    expect(r.skipped.length).toBe(2);
    expect(r.outOfTime).toBe(true);
  });

  it('stops within the budget (fake clock): a candidate starts only if the longest so far still fits', async () => {
    for (const [durations, budget] of [
      [Array(20).fill(10), 95],
      [[5, 30, 5, 5, 5, 5, 5, 5], 60],
      [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 20],
    ] as [number[], number][]) {
      const clock = { t: 0 };
      const { gen, measure } = planted(durations, clock);
      const r = await paretoSearch({ generators: [gen], measure, budgetMs: budget, now: () => clock.t });
      // reference: simulate the rule
      let t = 0, longest = 0, n = 0;
      for (const d of durations) {
        if (t + longest > budget) break;
        t += d;
        longest = Math.max(longest, d);
        n++;
      }
      expect(r.candidates.length).toBe(n);
      expect(r.skipped.length).toBe(durations.length - n);
      expect(r.outOfTime).toBe(n < durations.length);
      // within the budget, but for what the last candidate took beyond the longest before it (the rule's only guess)
      const last = durations[n - 1], before = Math.max(0, ...durations.slice(0, n - 1));
      expect(r.elapsedMs).toBeLessThanOrEqual(budget + Math.max(0, last - before));
      if (durations.every((d) => d === durations[0])) expect(r.elapsedMs).toBeLessThanOrEqual(budget);
      expect(r.candidates.map((m) => m.ms)).toEqual(durations.slice(0, n));
    }
  });

  it('interleaves generators round-robin (default) or runs them in turn; duplicate names once', async () => {
    const g = (name: string, n: number): CandidateGenerator => ({ name, candidates: () => Array.from({ length: n }, (_, i) => ({ name: `${name}${i}`, params: {} })) });
    const dup: CandidateGenerator = { name: 'dup', candidates: () => [{ name: 'a0', params: {} }] };
    const measure = () => ({ size: 1, quality: 1 });
    const rr = await paretoSearch({ generators: [g('a', 3), g('b', 1), g('c', 2), dup], measure, budgetMs: 1e9 });
    expect(rr.candidates.map((m) => m.name)).toEqual(['a0', 'b0', 'c0', 'a1', 'c1', 'a2']);
    expect(rr.candidates.map((m) => m.family)).toEqual(['a', 'b', 'c', 'a', 'c', 'a']);
    const seq = await paretoSearch({ generators: [g('a', 2), g('b', 2)], measure, budgetMs: 1e9, order: 'sequential' });
    expect(seq.candidates.map((m) => m.name)).toEqual(['a0', 'a1', 'b0', 'b1']);
  });

  it('records a candidate failing with a QuantextError and goes on; other errors propagate', async () => {
    const gen: CandidateGenerator = { name: 'g', candidates: () => ['x', 'bad', 'y'].map((name) => ({ name, params: {} })) };
    const r = await paretoSearch({
      generators: [gen],
      budgetMs: 1e9,
      measure: (s) => {
        if (s.name === 'bad') throw new QuantextError('E_SHAPE', 'too small');
        return { size: s.name === 'x' ? 2 : 1, quality: 0.5 };
      },
    });
    expect(r.candidates.map((m) => m.name)).toEqual(['x', 'y']);
    expect(r.failed).toEqual([{ spec: { family: 'g', name: 'bad', params: {} }, error: 'too small' }]);
    expect(r.front.map((m) => m.name)).toEqual(['y']);
    await expect(paretoSearch({ generators: [gen], budgetMs: 1e9, measure: () => { throw new TypeError('bug'); } })).rejects.toThrow(TypeError);
    await expect(paretoSearch({ generators: [gen], budgetMs: 0, measure: () => ({ size: 1, quality: 1 }) })).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});

describe('parseSize / parseDuration', () => {
  it('read units as documented', () => {
    expect(parseSize('--target-size', '100kB')).toBe(100_000);
    expect(parseSize('--target-size', '16KB')).toBe(16_000);
    expect(parseSize('--target-size', '64KiB')).toBe(65_536);
    expect(parseSize('--target-size', '1.5MB')).toBe(1_500_000);
    expect(parseSize('--target-size', 12345)).toBe(12345);
    expect(parseDuration('--budget', '5m')).toBe(300_000);
    expect(parseDuration('--budget', '30s')).toBe(30_000);
    expect(parseDuration('--budget', '500ms')).toBe(500);
    expect(parseDuration('--budget', '90')).toBe(90_000);
    expect(parseDuration('--budget', '1.5h')).toBe(5_400_000);
  });
  it('reject anything else with E_OPTION naming the flag', () => {
    for (const v of ['', 'abc', '-5kB', '10 parsecs', '0', true, undefined, ['1kB', '2kB']]) {
      expect(() => parseSize('--target-size', v), String(v)).toThrow(expect.objectContaining({ code: 'E_OPTION', message: expect.stringContaining('--target-size') }));
    }
    for (const v of ['', '5 fortnights', '0s', '-1m', 'NaN']) {
      expect(() => parseDuration('--budget', v), String(v)).toThrow(expect.objectContaining({ code: 'E_OPTION', message: expect.stringContaining('--budget') }));
    }
  });
});

describe('markdownReport / paretoSvg', () => {
  it('tables the front, every candidate and the kept one; Δ against the reference; an undefined quality shown as –', async () => {
    const { markdownReport, paretoSvg } = await import('../../src/compress/report.js');
    const gen: CandidateGenerator = { name: 'g', candidates: () => ['big', 'small', 'nan'].map((name) => ({ name, params: {} })) };
    const planted: Record<string, Measurement> = { big: { size: 4000, quality: 0.5, latencyMs: 2 }, small: { size: 1000, quality: 0.25, latencyMs: 1 }, nan: { size: 500, quality: NaN } };
    const r = await paretoSearch({ generators: [gen], budgetMs: 1e9, targetSize: 2000, measure: (s) => planted[s.name] });
    const o = { title: 'T', qualityName: 'Q', targetSize: 2000, reference: { size: 4000, quality: 0.5, latencyMs: 2 } };
    const md = markdownReport(r, o);
    expect(md).toContain('| **small** (kept) | 1.00 kB | 4.0× | 0.2500 | -0.2500 | 1.000 | 2.00× |');
    expect(md).toContain('| big | 4.00 kB | 1.0× | 0.5000 | +0.0000 | 2.000 | 1.00× |');
    expect(md).toContain('| nan | 500 B | 8.0× | – |  | – |  |');
    expect(md).toContain('Kept: **small**, 1.00 kB (target 2.00 kB), Q 0.2500.');
    const front = md.slice(md.indexOf('## Pareto front'), md.indexOf('## Every candidate'));
    expect(front).toContain('| big |');
    expect(front).not.toContain('| nan |');
    const svg = paretoSvg(r, o);
    expect(svg).toContain('>small</text>');
    expect(svg).toContain('>big</text>');
    expect(svg).not.toContain('>nan</text>');
  });
});
