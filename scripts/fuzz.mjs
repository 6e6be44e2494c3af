#!/usr/bin/env node
// The long fuzzing run of issue 15: N generated inputs per parser (fast-check properties in
// test/reliability/fuzz/targets.ts), run through vitest so that the TypeScript sources are used as they are.
//
//   node scripts/fuzz.mjs [N] [--targets word2vec-text,safetensors] [--seed S] [--batch B] [--save]
//
// N (default 100000) executions per target, in batches of B (default 50000) with seeds S, S+1, … so that a long run
// reports progress and a failure names the seed that reproduces it (FUZZ_SEED=… FUZZ_RUNS=B FUZZ_TARGETS=…
// npx vitest run test/reliability/fuzz.test.ts). --save writes a failing input to test/fixtures/fuzz/. A summary
// (executions, time, failures per target) is printed and appended as JSON lines to fuzz-results.jsonl (or $FUZZ_LOG).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i === -1) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i !== -1) args.splice(i, 1);
  return i !== -1;
};
const targets = opt('--targets', 'word2vec-text,word2vec-binary,glove,safetensors,evaluation,cli-args,fasttext-model,word2vec-model,training-lines').split(',');
let seed = Number(opt('--seed', String(Date.now() % 1e9)));
const batch = Number(opt('--batch', '50000'));
const save = flag('--save');
const total = Number(args[0] ?? 100000);
if (!(Number.isSafeInteger(total) && total > 0 && Number.isSafeInteger(batch) && batch > 0)) {
  console.error('usage: node scripts/fuzz.mjs [N] [--targets a,b] [--seed S] [--batch B] [--save]');
  process.exit(2);
}
const out = process.env.FUZZ_LOG ?? 'fuzz-results.jsonl';
const summary = {};
let failed = false;
for (const target of targets) {
  summary[target] = { runs: 0, ms: 0, failures: [] };
  for (let done = 0; done < total; ) {
    const runs = Math.min(batch, total - done);
    const log = join(tmpdir(), `quantext-fuzz-${process.pid}.jsonl`);
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/reliability/fuzz.test.ts', '-t', `^fuzzing ${target}:`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), FUZZ_TARGETS: target, FUZZ_LOG: log, ...(save ? { FUZZ_SAVE: '1' } : {}) },
    });
    let rec;
    try {
      rec = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop());
    } catch {
      rec = { target, runs: 0, failed: true, seed, ms: 0, counterexample: `vitest exited ${r.status} without a result` };
    }
    summary[target].runs += rec.runs;
    summary[target].ms += rec.ms;
    if (rec.failed) {
      failed = true;
      summary[target].failures.push({ seed, counterexample: rec.counterexample });
      console.error(`${target}: FAILED with seed ${seed}: ${rec.counterexample}`);
    }
    done += runs;
    console.error(`${target}: ${summary[target].runs} executions, ${(summary[target].ms / 1000).toFixed(1)} s`);
    seed++;
    if (rec.failed) break;
  }
}
const line = JSON.stringify({ date: new Date().toISOString(), perTarget: total, summary });
console.log(line);
import('node:fs').then(({ appendFileSync }) => appendFileSync(out, line + '\n'));
process.exitCode = failed ? 1 : 0;
