// Runs only in Vitest's browser mode (scripts/browser-test/vitest.config.mjs, `npm run test:browser`; the name keeps
// it out of the Node suite): threads where the page is cross-origin isolated, and without isolation the single-thread
// fallback with its one warning.
import { describe, expect, it } from 'vitest';
import { init, env, runtime, Word2Vec } from '../../src/index.js';

declare const __QUANTEXT_EXPECT_ISOLATED__: boolean;
const isolated = __QUANTEXT_EXPECT_ISOLATED__;

/** Two planted topics (as scripts/smoke/checks.mjs): a model that learned anything puts fruit next to fruit. */
function corpus(n = 200): string[] {
  const topics = [['apple', 'banana', 'cherry', 'grape', 'mango', 'pear'], ['car', 'truck', 'bus', 'train', 'bike', 'tram']];
  let s = 12345;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => Array.from({ length: 10 }, () => topics[i % 2][Math.floor(r() * 6)]).join(' '));
}

async function trainCapturingWarnings(workers: number) {
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    seen.push(a.map(String).join(' '));
  };
  const model = new Word2Vec({ vectorSize: 16, minCount: 1, workers, sg: 1, epochs: 5, sample: 0, batchWords: 300 });
  try {
    const res = await model.train(corpus());
    const nn = model.wv.mostSimilar({ positive: ['apple'], topn: 3 }).map(([w]) => w);
    return { res, nn, warnings: seen };
  } finally {
    console.warn = warn;
    model.dispose();
  }
}

describe(`browser, ${isolated ? 'cross-origin isolated' : 'not isolated'}`, () => {
  it('the page is what the run asked for, and the loader picks the matching build', async () => {
    expect(globalThis.crossOriginIsolated).toBe(isolated);
    expect(typeof SharedArrayBuffer !== 'undefined').toBe(isolated);
    expect(env.runtime).toBe('browser');
    expect(env.canThread).toBe(isolated);
    const rt = await init();
    // Chromium runs relaxed SIMD (the loader's probe passes), so 'auto' picks the relaxed build
    expect(rt.build).toBe(isolated ? 'simd-relaxed-mt' : 'simd-relaxed');
    expect(rt.backend).toBe('relaxed');
    expect(runtime().shared).toBe(isolated);
  });

  it(isolated ? 'workers: 2 trains on two Web Worker threads, without a warning' : 'workers: 2 trains on one thread, with one warning naming cross-origin isolation, once', async () => {
    await init();
    const first = await trainCapturingWarnings(2);
    const fruit = ['banana', 'cherry', 'grape', 'mango', 'pear'];
    expect(first.nn.every((w) => fruit.includes(w)), first.nn.join()).toBe(true);
    if (isolated) {
      expect(first.res.threads).toBe(2);
      expect(first.warnings).toEqual([]);
    } else {
      expect(first.res.threads).toBe(1);
      expect(first.warnings.length).toBe(1);
      expect(first.warnings[0]).toMatch(/single-threaded/);
      expect(first.warnings[0]).toMatch(/cross-origin isolation/);
      // the warning is given once per page, not per training
      const second = await trainCapturingWarnings(2);
      expect(second.res.threads).toBe(1);
      expect(second.warnings).toEqual([]);
    }
  });
});
