// Property-based fuzzing (fast-check) of every parser: a bounded run here (a few seconds in all); the long run is
// `node scripts/fuzz.mjs N` (FUZZ_RUNS executions per target). Inputs that once failed are replayed from
// test/fixtures/fuzz/<target>-*.bin. See test/reliability/fuzz/targets.ts for what each target checks.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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
    it(`${t.name}: ${RUNS} generated inputs load or fail with a located QuantextError`, async () => {
      const t0 = performance.now();
      const details = await fc.check((await t.property(rt)) as fc.IProperty<unknown>, { numRuns: RUNS, seed: SEED, endOnFailure: !long, verbose: 1 });
      const ms = performance.now() - t0;
      if (LOG) appendFileSync(LOG, JSON.stringify({ target: t.name, runs: details.numRuns, failed: details.failed, seed: details.seed, ms: Math.round(ms), counterexample: details.failed ? String(details.counterexample?.[0] instanceof Uint8Array ? Buffer.from(details.counterexample[0] as Uint8Array).toString('base64') : JSON.stringify(details.counterexample)) : undefined }) + '\n');
      if (details.failed && process.env.FUZZ_SAVE && details.counterexample?.[0] instanceof Uint8Array) {
        writeFileSync(join(FIXTURES, `${t.name}-found-${details.seed}.bin`), details.counterexample[0] as Uint8Array);
      }
      expect(details.failed, `${(details.errorInstance as Error | undefined)?.message ?? ''}\n${fc.defaultReportMessage(details)}`).toBe(false);
    }, long ? 24 * 3600_000 : 60_000);
  }

  it('regression fixtures (inputs that once failed) replay cleanly', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const t = TARGETS.find((x) => f.startsWith(`${x.name}-`));
      expect(t?.replay, f).toBeDefined();
      try {
        await t!.replay!(rt, new Uint8Array(readFileSync(join(FIXTURES, f))));
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
    }
  });
});

// The CLI end to end: random command lines (a few per run: each is a process) exit 0 or 2 with a one-line message
// — never 1 (an untyped error), a stack trace, or a --json last line that is not JSON.
const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const SYNTH = join(__dirname, '..', 'fixtures', 'vectors', 'synth.txt');
const CLI_RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 4);
describe('fuzzing the command line', () => {
  it.runIf(!ONLY || ONLY.includes('cli'))(`${CLI_RUNS} random command lines exit 0 or 2 with a typed message`, () => {
    const cmd = fc.constantFrom('similar', 'analogy', 'quantize', 'eval', 'train', 'nope', '--help');
    const arg = fc.oneof(fc.constantFrom(SYNTH, 'missing.bin', 'king', 'queen', '--topn', '--limit', '--scheme', '--dsub', '--restrict', '--epochs', '--dim', '--json', '--per-tensor', '--no-pairs', '--no-analogies', '-5', '0', '1e3', '0x10', 'NaN', 'int8', 'pq', 'binary', '--', '--out'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(cmd, fc.array(arg, { maxLength: 6 }), (c, rest) => {
        if (c === 'train') rest = ['missing.txt', ...rest]; // never a real training run here
        const r = spawnSync(process.execPath, [CLI, c, ...rest], { encoding: 'utf8', timeout: 60_000 });
        if (r.status !== 0 && r.status !== 2) throw new Error(`exit ${r.status} (${r.signal}) for ${JSON.stringify([c, ...rest])}: ${r.stderr}`);
        if (/\n\s+at /.test(r.stderr)) throw new Error(`a stack trace for ${JSON.stringify([c, ...rest])}: ${r.stderr}`);
        if (rest.includes('--json') && r.status === 2) {
          const last = r.stdout.trim().split('\n').pop() ?? '';
          const o = JSON.parse(last) as { error?: { code?: string } };
          if (!/^E_[A-Z_]+$/.test(o.error?.code ?? '')) throw new Error(`--json error line ${last}`);
        }
      }),
      { numRuns: CLI_RUNS, seed: SEED },
    );
  }, 300_000);
});
