#!/usr/bin/env node
// Smoke test in Node.js: imports quantext by its package name (the `node` export condition, dist/index.node.js)
// and runs the checks of checks.mjs, threads through node:worker_threads included.
//
//   node scripts/smoke/node.mjs [scratch-dir] [name]     (run.mjs links node_modules/quantext first; see run.mjs)
// `name` is the runtime's name in the results (default node; run.mjs runs Node 24 as node24).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const t0 = performance.now();
const q = await import('quantext');
const qc = await import('quantext/compress');
const { runChecks, report } = await import('./checks.mjs');
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'quantext-smoke-'));
try {
  const name = process.argv[3] ?? 'node';
  const result = await runChecks(q, { runtime: 'node', entry: 'node', threads: true, tmpDir: dir, compress: qc });
  process.exitCode = report(name, process.versions.node, result, performance.now() - t0) ? 1 : 0;
} finally {
  if (!process.argv[2]) rmSync(dir, { recursive: true, force: true });
}
