// Smoke test in Bun: imports quantext by its package name (Bun tries the `bun` export condition, then `node`,
// so it loads dist/index.node.js: threads through node:worker_threads) and runs the checks of checks.mjs.
// With --web it imports the browser entry (dist/index.js, what a URL or CDN import gets) instead: the wasm is
// fetched from file: URLs and threads are Web Workers.
//
//   bun scripts/smoke/bun.mjs [scratch-dir] [--web]     (run.mjs installs Bun into scripts/smoke/node_modules)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const t0 = performance.now();
const web = process.argv.includes('--web');
const q = web ? await import('../../dist/index.js') : await import('quantext');
const qc = web ? await import('../../dist/compress/index.js') : await import('quantext/compress');
const { runChecks, report } = await import('./checks.mjs');
const given = process.argv.slice(2).find((a) => !a.startsWith('--'));
const dir = given ?? mkdtempSync(join(tmpdir(), 'quantext-smoke-'));
try {
  const result = await runChecks(q, { runtime: 'bun', entry: web ? 'browser' : 'node', threads: true, tmpDir: web ? undefined : dir, compress: qc });
  process.exitCode = report(web ? 'bun (web entry)' : 'bun', Bun.version, result, performance.now() - t0) ? 1 : 0;
} finally {
  if (!given) rmSync(dir, { recursive: true, force: true });
}
