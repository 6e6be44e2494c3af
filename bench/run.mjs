#!/usr/bin/env node
// The bench runner: `npm run bench -- <suite> [<suite> …] [--quick] [suite options]`.
//
//   node bench/run.mjs kernels            runs bench/kernels.bench.mjs, writes bench/results/kernels.json,
//                                         then regenerates bench/RESULTS.md from every bench/results/*.json
//   node bench/run.mjs kernels --quick    a smoke run: short budgets, written to bench/results/tmp/ (ignored
//                                         by git), RESULTS.md untouched
//   node bench/run.mjs inference --save-as inference-xeon
//                                         the results go to bench/results/inference-xeon.json instead (a second
//                                         record of one suite, e.g. from another CPU model)
//   node bench/run.mjs --render           only regenerate bench/RESULTS.md
//   node bench/run.mjs --list             list the suites
//
// A suite is an ES module bench/<suite>.bench.mjs exporting `run(ctx)` and optionally `title`,
// `description` and `render(results)`. The file formats are described in bench/README.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compare, machineInfo, measure, round } from './harness.mjs';
import { renderGeneric } from './render.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = resolve(BENCH_DIR, '..');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const SCRATCH_DIR = join(RESULTS_DIR, 'tmp');
const RESULTS_MD = join(BENCH_DIR, 'RESULTS.md');
const SCHEMA = 1;

function listSuites() {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.mjs'))
    .map((f) => f.slice(0, -'.bench.mjs'.length))
    .sort();
}

function usage(code) {
  const out = code ? console.error : console.log;
  out(`usage: npm run bench -- <suite> [<suite> …] [--quick] [suite options]
       npm run bench -- --render | --list
suites: ${listSuites().join(', ') || '(none)'}`);
  process.exit(code);
}

async function loadSuite(name) {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`bad suite name '${name}'`);
  const file = join(BENCH_DIR, `${name}.bench.mjs`);
  if (!existsSync(file)) throw new Error(`no suite '${name}' (expected ${file}); suites: ${listSuites().join(', ')}`);
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run(ctx)`);
  return mod;
}

/** Runs one suite and returns its results object (the content of bench/results/<suite>.json). */
async function runSuite(name, { quick, args }) {
  const mod = await loadSuite(name);
  const log = (msg) => process.stderr.write(`[${name}] ${msg}\n`);
  const printRow = (r) =>
    log(`${r.case.padEnd(28)} ${r.variant.padEnd(8)} ${(r.nsPerOp.toPrecision(4) + ' ns').padStart(14)}` +
      `${r.rate !== undefined ? `  ${r.rate.toPrecision(4)} ${r.rateUnit}` : ''}  ±${r.rme.toFixed(1)}%` +
      `${r.spread !== undefined ? ` rounds ±${(r.spread / 2).toFixed(1)}%` : ''} ×${r.inner}`);
  const ctx = {
    quick,
    args,
    repoDir: REPO_DIR,
    log,
    /** Times one task (see harness.mjs) with this run's budgets and logs the row. */
    measure(task) {
      const row = measure(task, { quick });
      printRow(row);
      return row;
    },
    /** Times the variants of one case in interleaved rounds (see harness.mjs) and logs the rows. */
    compare(tasks, rounds) {
      const rows = compare(tasks, { quick, rounds });
      rows.forEach(printRow);
      return rows;
    },
  };
  const t0 = performance.now();
  const out = (await mod.run(ctx)) ?? {};
  const results = {
    schema: SCHEMA,
    suite: name,
    title: out.title ?? mod.title ?? name,
    ...(out.description ?? mod.description ? { description: out.description ?? mod.description } : {}),
    quick,
    machine: machineInfo(REPO_DIR),
    durationSec: round((performance.now() - t0) / 1000, 3),
    ...out,
    rows: out.rows ?? [],
  };
  return results;
}

/** Regenerates bench/RESULTS.md from every results file, one section per suite. */
async function renderAll() {
  const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort() : [];
  const sections = [];
  for (const f of files) {
    let results;
    try {
      results = JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8'));
    } catch (e) {
      sections.push(`## ${f}\n\n(unreadable results file: ${e.message})`);
      continue;
    }
    results.suite ??= f.slice(0, -5);
    let md;
    const suiteFile = join(BENCH_DIR, `${results.suite}.bench.mjs`);
    if (existsSync(suiteFile)) {
      try {
        const mod = await import(pathToFileURL(suiteFile).href);
        if (typeof mod.render === 'function') md = await mod.render(results);
      } catch (e) {
        md = `${renderGeneric(results)}\n\n(the suite's own render() failed: ${e.message}; generic table shown)`;
      }
    }
    md ??= renderGeneric(results);
    const rec = f.slice(0, -5);
    if (rec !== results.suite) {
      // a second record of a suite (--save-as): say so above its own rendering
      md = `**Record \`${rec}\` of the suite \`${results.suite}\`** (\`npm run bench -- ${results.suite} --save-as ${rec}\`; machine: ${results.machine?.cpu ?? 'see below'}).\n\n${md}`;
    }
    sections.push(md);
  }
  const head = `# Benchmark results

Generated by \`bench/run.mjs\` from \`bench/results/*.json\`: do not edit by hand. Regenerate a suite with
\`npm run bench -- <suite>\` (or only this file with \`node bench/run.mjs --render\`). Each suite lists the
machine it ran on; the machine is shared with other work, so compare the ratios measured within one run
rather than absolute numbers across runs. How the harness measures: [bench/README.md](README.md).

Suites: ${files.map((f) => `[${f.slice(0, -5)}](#${f.slice(0, -5)})`).join(', ') || '(none yet)'}
`;
  // anchors that do not depend on each suite's title
  const body = sections.map((s, i) => `<a id="${files[i].slice(0, -5)}"></a>\n\n${s}`);
  writeFileSync(RESULTS_MD, [head, ...body].join('\n\n') + '\n');
  return files.length;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) usage(0);
  if (argv.includes('--list')) {
    for (const s of listSuites()) {
      const mod = await loadSuite(s).catch(() => ({}));
      console.log(`${s.padEnd(16)} ${mod.title ?? ''}`);
    }
    return;
  }
  if (argv.includes('--render')) {
    const n = await renderAll();
    console.log(`wrote ${RESULTS_MD} (${n} suites)`);
    return;
  }
  const quick = argv.includes('--quick');
  // suites are the leading bare words; everything else goes to the suites as `ctx.args`
  const suites = [];
  let i = 0;
  for (; i < argv.length && !argv[i].startsWith('-'); i++) suites.push(argv[i]);
  // --save-as NAME: the results go to bench/results/NAME.json (rendered by the suite's own render()), so that one suite
  // can keep a record per machine (the CPU model changes between sessions here: inference vs inference-xeon)
  let saveAs;
  const sa = argv.indexOf('--save-as');
  if (sa >= 0) {
    saveAs = argv[sa + 1];
    if (!saveAs || !/^[A-Za-z0-9_-]+$/.test(saveAs)) throw new Error('--save-as needs a name of letters, digits, - and _');
    argv.splice(sa, 2);
  }
  const args = argv.slice(i).filter((a) => a !== '--quick');
  if (!suites.length) usage(1);
  if (saveAs && suites.length !== 1) throw new Error('--save-as takes one suite');

  let anyScratch = false;
  for (const name of suites) {
    const results = await runSuite(name, { quick, args });
    // smoke runs and partial runs (a suite's own filter) never replace the suite's results
    const scratch = quick || results.partial === true;
    if (scratch) anyScratch = true;
    const dir = scratch ? SCRATCH_DIR : RESULTS_DIR;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${saveAs ?? name}.json`);
    writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
    console.log(`wrote ${file}`);
    for (const m of results.metrics ?? []) {
      console.log(`  ${m.name}: ${m.value}${m.unit ? ' ' + m.unit : ''}${m.target ? `  (target ${m.target}: ${m.ok ? 'met' : 'MISSED'})` : ''}`);
    }
  }
  if (!anyScratch) {
    const n = await renderAll();
    console.log(`wrote ${RESULTS_MD} (${n} suites)`);
  } else {
    console.log('quick or partial run: results are in bench/results/tmp/ and bench/RESULTS.md is unchanged');
  }
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
