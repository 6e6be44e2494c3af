#!/usr/bin/env node
// `npm run test:browser`: a part of quantext's own test suite in Vitest's browser mode, in Debian's Chromium driven by
// Playwright, twice: cross-origin isolated (threads: the -mt builds and Web Worker trainers) and not isolated (the
// single-thread fallback and its one warning). The config is scripts/browser-test/vitest.config.mjs.
//
//   node scripts/browser-test/run.mjs [--json FILE] [--allow-skip] [vitest args...]
//
// The tools are not dependencies of quantext: @vitest/browser-playwright and playwright are installed here
// (scripts/browser-test/node_modules, `npm ci` from this folder's lock file) the first time; vitest and vite are the
// repository's own (same versions). Chromium is /usr/bin/chromium or $CHROMIUM (Debian's `chromium`; this script does
// not install it). Without Chromium, or when the install fails, the run is SKIPPED: exit code 1, unless --allow-skip
// (then 0), and the JSON says so. The last line is `N passed, N failed` (or `skipped: why`). `--json FILE` writes
// { passed, failed, skipped, runs: [{ mode, passed, failed, files }] } (.ci/run reads it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const VITEST = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const allowSkip = args.includes('--allow-skip');
const vitestArgs = args.filter((a) => a !== '--allow-skip');

function finish(summary) {
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 1));
  if (summary.skipped) {
    console.log(`test:browser SKIPPED: ${summary.skipped}`);
    process.exitCode = allowSkip ? 0 : 1;
    return;
  }
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  process.exitCode = summary.failed || summary.exitCodes.some((c) => c !== 0) ? 1 : 0;
}

const missing = !existsSync(VITEST) ? `vitest (${VITEST}: run npm ci in the repository)` : !existsSync(CHROMIUM) ? `Chromium (${CHROMIUM}: apt-get install chromium, or set CHROMIUM)` : null;
if (missing) {
  finish({ passed: 0, failed: 0, skipped: `${missing} is missing`, runs: [] });
} else {
  let installError;
  if (!existsSync(join(HERE, 'node_modules', '@vitest', 'browser-playwright')) || !existsSync(join(HERE, 'node_modules', 'playwright'))) {
    try {
      console.error('test:browser: installing @vitest/browser-playwright and playwright into scripts/browser-test/node_modules');
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: HERE, stdio: 'inherit' });
    } catch (e) {
      installError = e.message.split('\n')[0];
    }
  }
  if (installError) {
    finish({ passed: 0, failed: 0, skipped: `installing the browser test tools failed (${installError})`, runs: [] });
  } else {
    const runs = [];
    for (const mode of ['isolated', 'plain']) {
      const report = join(tmpdir(), `quantext-browser-${mode}-${process.pid}.json`);
      console.error(`\n== vitest browser mode, ${mode === 'isolated' ? 'cross-origin isolated' : 'not isolated'}`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [VITEST, 'run', '--config', join(HERE, 'vitest.config.mjs'), '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs], {
        cwd: REPO,
        stdio: 'inherit',
        env: { ...process.env, QUANTEXT_BROWSER_ISOLATED: mode === 'isolated' ? '1' : '0' },
        timeout: 600_000,
      });
      const seconds = (performance.now() - t0) / 1000;
      let passed = 0, failed = 0, files = [];
      if (existsSync(report)) {
        const j = JSON.parse(readFileSync(report, 'utf8'));
        passed = j.numPassedTests ?? 0;
        failed = j.numFailedTests ?? 0;
        for (const f of j.testResults ?? []) {
          const bad = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
          if (f.status === 'failed' && bad === 0) failed += 1; // a file that failed to load
          files.push({ file: f.name.slice(REPO.length + 1), status: f.status, tests: (f.assertionResults ?? []).length });
        }
        rmSync(report, { force: true });
      } else {
        failed += 1;
      }
      if (r.status !== 0 && failed === 0) failed = 1;
      runs.push({ mode, passed, failed, seconds, exitCode: r.status ?? 1, files });
      console.error(`test:browser ${mode}: ${passed} passed, ${failed} failed in ${files.length} files (${seconds.toFixed(1)} s)`);
    }
    finish({
      passed: runs.reduce((s, r) => s + r.passed, 0),
      failed: runs.reduce((s, r) => s + r.failed, 0),
      exitCodes: runs.map((r) => r.exitCode),
      chromium: CHROMIUM,
      runs,
    });
  }
}
