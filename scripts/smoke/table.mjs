#!/usr/bin/env node
// The README's runtime table ("what was tested where, from the last run") from the summary that
// `node scripts/smoke/run.mjs --json FILE` writes (.ci/run writes .ci/runtimes.json):
//
//   node scripts/smoke/table.mjs [.ci/runtimes.json]             prints the table (markdown)
//   node scripts/smoke/table.mjs [.ci/runtimes.json] --readme     writes it into README.md, between the lines
//                                                                 <!-- runtime-table --> and <!-- /runtime-table -->
//   npm run test:runtimes -- --table                              runs the runtimes, then prints the table
//
// One row per runtime that ran: its version, what was tested there, how many checks passed, and whether its parity
// outputs (parity.mjs: seeded training, quantization, searches, layers and classifier prediction on the SIMD and
// scalar builds) equal Node's; then the runtimes that were skipped, and the date of the run.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What each row tested, by the row's name (run.mjs's runtime names and the names the smoke scripts report). */
function what(name) {
  if (/^(node|node24|deno|bun)$/.test(name)) return `the package's node entry: load, train (threads), quantize, search, files, parity`;
  if (/\(web entry\)$/.test(name)) return 'the browser entry (Web Workers for threads), the same checks and parity';
  if (/Vite bundle/.test(name)) return 'an app bundled by Vite, in the page: the same checks and parity';
  if (/no COEP/.test(name)) return 'worker script without COEP: one thread and one warning';
  if (/^browser \(isolated\)/.test(name)) return 'the browser entry in a cross-origin-isolated page (threads): the same checks and parity';
  if (/^browser \(plain\)/.test(name)) return 'the browser entry in a page without isolation (one thread): the same checks and parity';
  if (/^browser/.test(name)) return 'the browser entry in a page';
  if (/^demo/.test(name)) return 'examples/web (npm run demo): trains, neighbours, analogy, PCA, quantization, classifier box, no console error';
  if (/^workerd$/.test(name)) return 'the workerd entry (precompiled wasm modules), the README\'s Worker, parity';
  if (/^worker example/.test(name)) return 'examples/worker over HTTP (modules, and wrangler\'s bundle): answers equal Node\'s';
  return '';
}

/** The markdown table of a run.mjs summary. */
export function runtimeTable(s) {
  const parityChecks = s.checks.filter((c) => c.name.startsWith('parity: ') && / = node$/.test(c.name));
  const nCases = new Set(parityChecks.map((c) => c.name.replace(/ \[(simd|scalar)\] in \d+ runtimes = node$/, ''))).size;
  const lines = ['| runtime | version | what was tested | checks | same outputs as Node (parity.mjs) |', '|---|---|---|---|---|'];
  for (const r of s.rows) {
    if (r.status === 'SKIPPED') continue;
    let parity = '—';
    if (r.name === 'node') parity = `the reference (${nCases} cases × SIMD, scalar)`;
    else if (s.parityRuntimes?.includes(r.name)) {
      const bad = parityChecks.filter((c) => !c.ok && c.detail.split('; ').some((d) => d.startsWith(`${r.name}: `)));
      parity = bad.length ? `**differs** in ${bad.length}: ${bad.map((c) => c.name.replace(/^parity: /, '')).join('; ')}` : 'yes, every case';
    } else if (/^worker example/.test(r.name)) parity = /^FAIL/.test(r.status) ? '**no**' : 'its answers: yes';
    const notes = r.notes ? ` (${r.notes})` : '';
    lines.push(`| ${r.name} | ${r.version ?? ''} | ${what(r.name)}${notes} | ${r.status.replace(/ ok$/, ' passed')} | ${parity} |`);
  }
  for (const r of s.rows.filter((x) => x.status === 'SKIPPED')) lines.push(`| ${r.name} | — | not tested (skipped) | — | — |`);
  lines.push('', `From the run of ${s.date?.slice(0, 10) ?? '?'} (\`npm run test:runtimes -- --install\`): ${s.passed} checks passed, ${s.failed} failed, ${s.skipped} runtimes skipped.`);
  return lines.join('\n');
}

const START = '<!-- runtime-table -->';
const END = '<!-- /runtime-table -->';

/** README text with the table between the markers replaced. */
export function withTable(readme, table) {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? '.ci/runtimes.json';
  const table = runtimeTable(JSON.parse(readFileSync(file, 'utf8')));
  if (args.includes('--readme')) {
    const readme = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
    writeFileSync(readme, withTable(readFileSync(readme, 'utf8'), table));
    console.error(`README.md: runtime table from ${file}`);
  } else console.log(table);
}
