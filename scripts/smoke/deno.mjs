// Smoke test in Deno: imports quantext by its package name from scripts/smoke/node_modules (with a package.json
// and no deno.json, Deno 2 resolves bare specifiers from node_modules, with the `deno`, `node` and `import`
// conditions: dist/index.node.js, threads through node:worker_threads) and runs the checks of checks.mjs.
// With --web it imports the browser entry (dist/index.js, what a URL or CDN import gets) instead: the wasm is
// fetched from file: URLs and threads are module Web Workers.
// Runs without --allow-env on purpose: quantext must not need it (QUANTEXT_BACKEND is then ignored).
//
//   deno run --no-prompt --allow-read --allow-write=<dir> scripts/smoke/deno.mjs <dir> [--web]
const t0 = performance.now();
const web = Deno.args.includes('--web');
const q = web ? await import('../../dist/index.js') : await import('quantext');
const qc = web ? await import('../../dist/compress/index.js') : await import('quantext/compress');
const { runChecks, report } = await import('./checks.mjs');
const dir = Deno.args.find((a) => !a.startsWith('--'));
const result = await runChecks(q, { runtime: 'deno', entry: web ? 'browser' : 'node', threads: true, tmpDir: web ? undefined : dir, compress: qc });
Deno.exitCode = report(web ? 'deno (web entry)' : 'deno', Deno.version.deno, result, performance.now() - t0) ? 1 : 0;
