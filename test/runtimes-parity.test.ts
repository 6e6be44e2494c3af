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
