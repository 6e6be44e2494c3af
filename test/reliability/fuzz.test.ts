// Property-based fuzzing (fast-check) of every parser: a bounded run here (a few seconds in all); the long run is
// `node scripts/fuzz.mjs N` (FUZZ_RUNS executions per target). Inputs that once failed are replayed from
// test/fixtures/fuzz/<target>-*.bin. See test/reliability/fuzz/targets.ts for what each target checks.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.node.js';
import { init, type Runtime } from '../../src/runtime/runtime.js';
import { TARGETS } from './fuzz/targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ONLY = process.env.FUZZ_TARGETS?.split(',').filter(Boolean);
const LOG = process.env.FUZZ_LOG;
const FIXTURES = join(__dirname, '..', 'fixtures', 'fuzz');
const long = RUNS > 1000;

let rt: Runtime;
beforeAll(async () => {
  rt = await init();
});

describe('fuzzing', () => {
  for (const t of TARGETS) {
    if (ONLY && !ONLY.includes(t.name)) continue;
    it(`${t.name}: ${RUNS} generated inputs load or fail with a located QuantextError`, () => {
      const t0 = performance.now();
      const details = fc.check(t.property(rt) as fc.IProperty<unknown>, { numRuns: RUNS, seed: SEED, endOnFailure: !long, verbose: 1 });
      const ms = performance.now() - t0;
      if (LOG) appendFileSync(LOG, JSON.stringify({ target: t.name, runs: details.numRuns, failed: details.failed, seed: details.seed, ms: Math.round(ms), counterexample: details.failed ? String(details.counterexample?.[0] instanceof Uint8Array ? Buffer.from(details.counterexample[0] as Uint8Array).toString('base64') : JSON.stringify(details.counterexample)) : undefined }) + '\n');
      if (details.failed && process.env.FUZZ_SAVE && details.counterexample?.[0] instanceof Uint8Array) {
        writeFileSync(join(FIXTURES, `${t.name}-found-${details.seed}.bin`), details.counterexample[0] as Uint8Array);
      }
      expect(details.failed, fc.defaultReportMessage(details)).toBe(false);
    }, long ? 24 * 3600_000 : 60_000);
  }

  it('regression fixtures (inputs that once failed) replay cleanly', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const t = TARGETS.find((x) => f.startsWith(`${x.name}-`));
      expect(t?.replay, f).toBeDefined();
      try {
        t!.replay!(rt, new Uint8Array(readFileSync(join(FIXTURES, f))));
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
    }
  });
});
