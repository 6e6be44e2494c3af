#!/usr/bin/env node
// The README's runtime table ("what was tested where, from the last run") from the summary that
// `node scripts/smoke/run.mjs --json FILE` writes (.ci/run writes .ci/runtimes.json):
//
//   node scripts/smoke/table.mjs [.ci/runtimes.json]
//
// One row per runtime that ran: its version, how many checks passed, and whether its parity outputs (parity.mjs:
// seeded training, quantization and searches on the SIMD and scalar builds) equal Node's bit for bit; then the
// runtimes that were skipped, and the date of the run.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.ci/runtimes.json';
const s = JSON.parse(readFileSync(file, 'utf8'));
const parityChecks = s.checks.filter((c) => c.name.startsWith('parity: ') && / = node$/.test(c.name));
const nCases = new Set(parityChecks.map((c) => c.name.replace(/ \[(simd|scalar)\] in \d+ runtimes = node$/, ''))).size;

console.log('| runtime | version | checks | same outputs as Node (parity.mjs) |');
console.log('|---|---|---|---|');
for (const r of s.rows) {
  if (r.status === 'SKIPPED') continue;
  let parity = '—';
  if (r.name === 'node') parity = `the reference (${nCases} cases × SIMD, scalar)`;
  else if (s.parityRuntimes?.includes(r.name)) {
    const bad = parityChecks.filter((c) => !c.ok && c.detail.split('; ').some((d) => d.startsWith(`${r.name}: `)));
    parity = bad.length ? `**differs** in ${bad.length}: ${bad.map((c) => c.name.replace(/^parity: /, '')).join('; ')}` : 'bit-identical in every case';
  }
  console.log(`| ${r.name} | ${r.version ?? ''} | ${r.status.replace(/ ok$/, ' passed')} | ${parity} |`);
}
for (const r of s.rows.filter((x) => x.status === 'SKIPPED')) console.log(`| ${r.name} | — | not tested (skipped) | — |`);
console.log(`\nFrom the run of ${s.date?.slice(0, 10) ?? '?'} (\`npm run test:runtimes -- --install\`): ${s.passed} checks passed, ${s.failed} failed, ${s.skipped} runtimes skipped.`);
