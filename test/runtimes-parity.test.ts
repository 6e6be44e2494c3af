// The cross-runtime parity machinery of `npm run test:runtimes` (scripts/smoke/parity.mjs): the cases compute the
// same outputs twice in one process (so a case that is not deterministic is caught here, in Node, before any other
// runtime runs it), and the comparison that run.mjs applies to every runtime catches a one-ulp difference, a swapped
// id, a missing runtime and a failed case. The runtimes themselves are compared by `npm run test:runtimes` (.ci/run).
import { describe, expect, it } from 'vitest';
import * as q from '../src/index.node.js';
// @ts-expect-error: a plain ES module of the smoke scripts, without types
import { computeParity, compareParity, PARITY_CASES } from '../scripts/smoke/parity.mjs';

type Result = { digest: string; values?: number[]; ids?: number[]; error?: string; skipped?: string };
type Parity = Record<string, Record<'simd' | 'scalar', Result>>;
type Check = { name: string; ok: boolean; detail: string; skipped?: boolean };

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const failing = (checks: Check[]) => checks.filter((c) => !c.ok);

describe('test:runtimes parity (scripts/smoke/parity.mjs)', () => {
  let node: Parity;
  it('every case computes on both builds, the same bits twice in a row', async () => {
    node = await computeParity(q);
    const again: Parity = await computeParity(q);
    expect(Object.keys(node)).toEqual(PARITY_CASES.map((c: { name: string }) => c.name));
    for (const [name, builds] of Object.entries(node)) {
      for (const b of ['simd', 'scalar'] as const) {
        expect(builds[b].error, `${name} [${b}]`).toBeUndefined();
        expect(again[name][b].digest, `${name} [${b}] is not deterministic`).toBe(builds[b].digest);
      }
    }
    // identical copies compare as equal
    expect(failing(compareParity({ node, other: clone(node) }))).toEqual([]);
  }, 60_000);

  it('the layer and classifier cases compute what they say (against plain references), bit-identical in both builds', () => {
    const get = (name: string) => {
      const r = node[name];
      expect(r, `no case '${name}'`).toBeDefined();
      expect(r.simd.digest, `${name}: SIMD and scalar builds differ`).toBe(r.scalar.digest);
      return r.simd;
    };
    // Int8Linear (dynamic): within int8 quantization error of the float product W·x + b (plain loop here)
    const mulberry = (seed: number) => {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    };
    const layer = (seed: number, n: number, k: number, batch: number) => {
      const r = mulberry(seed);
      const w = Array.from({ length: n * k }, () => Math.fround(r() * 2 - 1));
      const b = Array.from({ length: n }, () => Math.fround(r() - 0.5));
      const x = Array.from({ length: batch * k }, () => Math.fround(r() * 4 - 2));
      return { w, b, x, y: (i: number, j: number) => b[j] + w.slice(j * k, (j + 1) * k).reduce((s, wv, c) => s + wv * x[i * k + c], 0) };
    };
    const i8 = get('Int8Linear forward, dynamic activations: f32 outputs');
    const L1 = layer(21, 24, 40, 5);
    expect(i8.values!.length).toBe(5 * 24);
    i8.values!.forEach((v, at) => expect(Math.abs(v - L1.y(Math.floor(at / 24), at % 24))).toBeLessThan(0.1));
    // static int8 in/out with ReLU: round(relu(y) / 0.25) clamped, give or take one code of input rounding
    const codes = get('Int8Linear static int8 in/out with ReLU: int8 codes').ids!;
    const L2 = layer(22, 24, 40, 5);
    codes.forEach((c, at) => expect(Math.abs(c - Math.min(127, Math.round(Math.max(0, L2.y(Math.floor(at / 24), at % 24)) / 0.25)))).toBeLessThanOrEqual(2));
    expect(codes.filter((c) => c > 0).length).toBeGreaterThan(20);
    // BinaryLinear (XNOR-Net): y = α_j·β_i·Σ sign(w)·sign(x) + b, α_j = mean |w_j|, β_i = mean |x_i|
    const bin = get('BinaryLinear forward (XNOR-popcount): f32 outputs').values!;
    const L3 = layer(23, 24, 96, 5);
    const sgn = (v: number) => (v >= 0 ? 1 : -1);
    bin.forEach((v, at) => {
      const i = Math.floor(at / 24), j = at % 24;
      const row = L3.w.slice(j * 96, (j + 1) * 96), xi = L3.x.slice(i * 96, (i + 1) * 96);
      const alpha = row.reduce((s, x) => s + Math.abs(x), 0) / 96, beta = xi.reduce((s, x) => s + Math.abs(x), 0) / 96;
      const want = L3.b[j] + alpha * beta * row.reduce((s, wv, c) => s + sgn(wv) * sgn(xi[c]), 0);
      expect(Math.abs(v - want)).toBeLessThan(1e-4 * (1 + Math.abs(want)));
    });
    // the classifier: fruit texts → fruit, vehicle texts → vehicle; probabilities of each text sum to 1 (+ fastText's 1e-5s)
    for (const name of ['TextClassifier trained (1 thread, seeded): labels and probabilities', 'TextClassifier predict (one model, trained on the scalar build): labels and probabilities']) {
      const r = node[name].simd;
      expect(r.error).toBeUndefined();
      expect(r.ids!.length).toBe(12);
      const fruit = r.ids![0], vehicle = r.ids![2];
      expect(fruit).not.toBe(vehicle);
      for (let t = 0; t < 6; t++) expect(Math.abs(r.values![2 * t] + r.values![2 * t + 1] - 1)).toBeLessThan(1e-4);
      expect(r.values![0]).toBeGreaterThan(0.9); // 'apple pear plum' is fruit
      expect(r.values![2]).toBeGreaterThan(0.9); // 'bus taxi tram' is vehicle
    }
  });

  it('a one-ulp change in one value of one runtime fails exactly that case and build', () => {
    const other = clone(node);
    const r = other['Word2Vec skip-gram, negative sampling, 1 thread: vectors'].simd;
    const f = new Float32Array([r.values![5]]);
    new Uint32Array(f.buffer)[0] += 1;
    r.values![5] = f[0];
    r.digest = 'changed';
    const bad = failing(compareParity({ node, other }));
    expect(bad.map((c) => c.name)).toEqual(['parity: Word2Vec skip-gram, negative sampling, 1 thread: vectors [simd] in 1 runtimes = node']);
    expect(bad[0].detail).toMatch(/other: not bit-identical/);
  });

  it('swapped ids fail even where the values may differ (SIMD vs scalar within tolerance)', () => {
    const other = clone(node);
    const r = other['int8 table search: top-10 ids and scores'].scalar;
    [r.ids![0], r.ids![1]] = [r.ids![1], r.ids![0]];
    r.digest = 'changed';
    const names = failing(compareParity({ node, other })).map((c) => c.name);
    expect(names).toContain('parity: int8 table search: top-10 ids and scores [scalar] in 1 runtimes = node');
    expect(names).toContain('parity: int8 table search: top-10 ids and scores SIMD build = scalar build (±0.000001)');
  });

  it('a runtime without a result, or whose case threw, fails; a case that needs a missing export is skipped, visibly', () => {
    const other = clone(node);
    delete (other as Partial<Parity>)['f32 search: top-10 ids and cosines'];
    other['binary table search: top-10 ids and scores'].simd = { digest: '', error: 'E_WASM: boom' };
    const bad = failing(compareParity({ node, other })).map((c) => `${c.name}: ${c.detail}`);
    expect(bad.some((d) => /f32 search.*\[simd\].*other: no result/.test(d))).toBe(true);
    expect(bad.some((d) => /binary table search.*\[simd\].*E_WASM: boom/.test(d))).toBe(true);

    const needs = [{ name: 'needs X', exact: true, buildTol: 0, requires: ['NoSuchExport'], run: () => ({ values: [1] }) }];
    return computeParity(q, needs).then((p: Parity) => {
      expect(p['needs X'].simd.skipped).toMatch(/NoSuchExport/);
      const checks: Check[] = compareParity({ node: p, other: clone(p) }, 'node', needs);
      expect(checks.filter((c) => c.skipped).length).toBe(2);
      expect(failing(checks)).toEqual([]);
    });
  });
});

describe("the README's runtime table (scripts/smoke/table.mjs)", () => {
  const summary = {
    date: '2026-12-04T10:00:00.000Z', passed: 40, failed: 1, skipped: 1, skips: ['bun (bun (npm) is not installed)'],
    parityRuntimes: ['node', 'deno', 'workerd'],
    rows: [
      { name: 'node', status: '12/12 ok', version: '20.20.2' },
      { name: 'deno', status: '12/12 ok', version: '2.9.6' },
      { name: 'workerd', status: '2/2 ok', version: 'workerd 1.2' },
      { name: 'worker example (workerd)', status: '6/6 ok', version: 'workerd 1.2', notes: '637 KiB gzipped upload' },
      { name: 'bun', status: 'SKIPPED' },
    ],
    checks: [
      { runtime: 'all', name: 'parity: Int8Linear forward [simd] in 2 runtimes = node', ok: false, detail: 'deno: not bit-identical (digest a vs b)' },
      { runtime: 'all', name: 'parity: Int8Linear forward [scalar] in 2 runtimes = node', ok: true, detail: 'bit-identical' },
    ],
  };

  it('says what ran where, which runtime differs from Node, what was skipped, and the run', async () => {
    // @ts-expect-error: a plain ES module of the smoke scripts, without types
    const { runtimeTable } = await import('../scripts/smoke/table.mjs');
    const t: string = runtimeTable(summary);
    const row = (name: string) => t.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
    expect(row('node')).toMatch(/12\/12 passed \| the reference \(1 cases × SIMD, scalar\) \|$/);
    expect(row('deno')).toMatch(/\*\*differs\*\* in 1: Int8Linear forward \[simd\]/);
    expect(row('workerd')).toMatch(/yes, every case \|$/);
    expect(row('worker example (workerd)')).toMatch(/answers equal Node's \(637 KiB gzipped upload\)/);
    expect(row('bun')).toBe('| bun | — | not tested (skipped) | — | — |');
    expect(t).toMatch(/From the run of 2026-12-04 .*40 checks passed, 1 failed, 1 runtimes skipped\.$/);
  });

  it('README.md holds a table made by table.mjs between its markers, and --readme replaces only that block', async () => {
    // @ts-expect-error: a plain ES module of the smoke scripts, without types
    const { runtimeTable, withTable } = await import('../scripts/smoke/table.mjs');
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf('<!-- runtime-table -->'), readme.indexOf('<!-- /runtime-table -->'));
    const header = runtimeTable(summary).split('\n').slice(0, 2).join('\n');
    expect(block.split('\n').slice(1, 3).join('\n')).toBe(header);
    expect(block).toMatch(/\| node \| .* \| the reference/);
    expect(block).toMatch(/\| worker example \(workerd\) \|/);
    const replaced = withTable(readme, 'NEW TABLE');
    expect(replaced.replace('NEW TABLE', block.slice('<!-- runtime-table -->\n'.length, -1))).toBe(readme);
    expect(() => withTable('no markers', 'x')).toThrow(/runtime-table/);
  });
});
