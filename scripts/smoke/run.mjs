#!/usr/bin/env node
// Runs quantext's smoke tests in every runtime it supports (besides Cloudflare Workers: scripts/workerd-smoke.mjs)
// and prints one summary.
//
//   node scripts/smoke/run.mjs [--install] [--no-build] [--allow-skip] [node] [deno] [bun] [browser] [vite] [workerd]
//
// With no runtime named, runs all six: node, deno, bun, browser (the demo page and checks.mjs in Chromium), vite
// (a small app bundled by Vite and run in Chromium: vite.mjs) and workerd (scripts/workerd-smoke.mjs, Cloudflare
// Workers; counted by its exit code, as one check, and installing workerd into a temp folder itself).
// Each runtime imports the package by its name, as a user would: scripts/smoke/node_modules/quantext is a link
// to this repository, so the runtime resolves package.json's `exports` with its own conditions (Node, Deno and
// Bun take `node` → dist/index.node.js; the browser page maps `quantext` to dist/index.js with an import map).
// The only build step is `node scripts/ensure-build.mjs` (build/*.wasm and dist/); `--no-build` skips it and
// tests build/ and dist/ as they are.
//
// The tools are not dependencies of quantext. `--install` gets what is missing: Deno, Bun and playwright-core
// from npm into scripts/smoke/node_modules (scripts/smoke/package.json, with Bun's and Deno's postinstall
// allowed), and Chromium from Debian (`apt-get install chromium`, as root). Without `--install`, a runtime
// whose tool is missing is skipped, and a run that skipped anything FAILS (exit code 1) after listing what it
// skipped and why, unless skipping was allowed: `--allow-skip` or QUANTEXT_SMOKE_ALLOW_SKIP=1 (then it exits 0 if
// nothing failed). So "all passed" always means every runtime asked for was tested. The last line is
// `N passed, N failed, N skipped` (checks; a skipped runtime counts as one).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, readlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER } from './checks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const BIN = join(HERE, 'node_modules', '.bin');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = 300_000;

const args = process.argv.slice(2);
const install = args.includes('--install');
const build = !args.includes('--no-build');
const allowSkip = args.includes('--allow-skip') || /^(1|true|yes)$/i.test(process.env.QUANTEXT_SMOKE_ALLOW_SKIP ?? '');
const FLAGS = ['--install', '--no-build', '--allow-skip'];
const ALL = ['node', 'deno', 'bun', 'browser', 'vite', 'workerd'];
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
  workerd: { needs: () => null, exitCodeOnly: true, cmds: () => [[process.execPath, [join(REPO, 'scripts', 'workerd-smoke.mjs')]]] },
};

function sh(cmd, argv, cwd = REPO) {
  console.error(`$ ${[cmd, ...argv].join(' ')}`);
  execFileSync(cmd, argv, { cwd, stdio: 'inherit' });
}

/** Installs the npm tools (when any is missing) and Chromium (when the browser is wanted and missing). */
function installTools() {
  const npmMissing = runtimes.some((r) => /\(npm\)/.test(RUNTIMES[r].needs() ?? ''));
  if (npmMissing) sh('npm', ['ci', '--no-audit', '--no-fund'], HERE);
  if ((runtimes.includes('browser') || runtimes.includes('vite')) && !existsSync(CHROMIUM)) {
    if (process.getuid?.() !== 0) throw new Error(`Chromium is missing and this is not root: run \`apt-get install -y --no-install-recommends chromium\` as root`);
    sh('apt-get', ['update', '-q']);
    sh('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium']);
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
function runOne(name, cmd, argv) {
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
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
  if (install) installTools();
} catch (e) {
  console.error(`smoke: ${build && !install ? 'the build' : 'the build or the install'} failed (${e.message.split('\n')[0]}); nothing was run`);
  process.exit(1);
}
linkPackage();

let passed = 0, failed = 0, skipped = 0;
const rows = [];
const skips = [];
const fingerprints = [];
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
      const { code, wallMs, results } = await runOne(name, cmd, argv);
      if (RUNTIMES[name].exitCodeOnly) {
        rows.push({ name, status: code === 0 ? '1/1 ok' : `FAIL exit ${code}`, wallMs });
        if (code === 0) passed++;
        else failed++;
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
        rows.push({ name: r.runtime, status: `${bad ? 'FAIL ' : ''}${r.checks.length - bad}/${r.checks.length} ok`, version: r.version, ms: r.totalMs, wallMs });
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
process.exitCode = failed || (skipped && !allowSkip) ? 1 : 0;
