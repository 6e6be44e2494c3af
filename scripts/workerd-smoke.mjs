#!/usr/bin/env node
// Smoke test in Cloudflare's runtime: runs dist/index.workerd.js (the `workerd` export condition)
// inside workerd, unbundled, and checks that the wasm core loads from precompiled Modules and computes.
//
//   node scripts/workerd-smoke.mjs            (after `npm run build`)
//
// workerd is not a dependency of quantext: this script installs it once into a scratch folder under
// the OS temp dir (or uses $WORKERD if set). It writes a workerd config that lists, as separate
// modules, every dist/ file reachable from dist/index.workerd.js plus the two wasm builds under the
// names that file imports (build/quantext-simd.wasm, build/quantext-scalar.wasm), and a test worker
// whose `test()` handler `workerd test` runs. A second service runs the README's Workers example (the ```ts block
// with `export default { async fetch(request…`) exactly as printed, its types stripped by TypeScript's
// transpileModule and `quantext` mapped to dist/index.workerd.js: its fetch handler gets a request and an ASSETS
// binding that serves a planted vectors.bin, and must answer king's five nearest words in order.
// Exit code 0 when every check passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RESULT_MARKER } from './smoke/checks.mjs';
import { WORKERD_VERSION, moduleGraph, workerdBinary } from './smoke/workerd-modules.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = 'dist/index.workerd.js';
if (!existsSync(join(repo, entry))) {
  console.error(`${entry} is missing: run \`npm run build\` first`);
  process.exit(1);
}

const TEST_WORKER = `
import { init, backend, runtime, createRuntime, F32Buffer, QuantextError, KeyedVectors, QuantizedIndexer } from './dist/index.workerd.js';
import simdModule from './build/quantext-simd.wasm';
import wasmBytes from './bytes.bin';
import * as q from './dist/index.workerd.js';
import * as qc from './dist/compress/index.js';
import { computeParity } from './parity.mjs';

function check(cond, what) { if (!cond) throw new Error('check failed: ' + what); }

export default {
  async test() {
    // 1. the default sources of the workerd entry are the imported (precompiled) modules
    const rt = await init();
    check(backend() === 'simd', 'backend() is simd, got ' + backend());
    check(rt.build === 'simd' && !rt.shared, 'plain-memory simd build, got ' + rt.build);
    const a = F32Buffer.from([1, 2, 3, 4, 5]);
    check(runtime().kernels.dot_f32(a.ptr, a.ptr, 5) === 55, 'dot_f32 computes');
    a.dispose();
    // 2. a Module passed explicitly, and the scalar build
    const m = await createRuntime(simdModule);
    check(m.module === simdModule && m.backend === 'simd', 'explicit Module');
    const s = await createRuntime(undefined, { backend: 'scalar' });
    check(s.backend === 'scalar', 'scalar build');
    // 3. compiling from bytes is refused by Workers: the error says what to do
    let err;
    try { await createRuntime(new Uint8Array(wasmBytes)); } catch (e) { err = e; }
    check(err instanceof QuantextError && err.code === 'E_WASM', 'bytes give E_WASM, got ' + err);
    check(/precompiled WebAssembly.Module/.test(err.message), 'the message names the fix: ' + err.message);
    // 4. quantized tables and the cascade search (binary Hamming over the block copy → int8 → f32)
    const n = 300, dim = 24, data = new Float32Array(n * dim);
    for (let i = 0; i < n * dim; i++) data[i] = Math.sin(i * 0.37) + ((i / dim) % 10) * 0.1;
    const kv = KeyedVectors.fromArrays(Array.from({ length: n }, (_, i) => 'w' + i), data, dim);
    const exact = kv.mostSimilar({ positive: ['w5'], topn: 5 }).map(([w]) => w).join();
    const ix = new QuantizedIndexer(kv, { coarse: 'binary', candidates: n, refine: ['int8', 'f32'] });
    const got = kv.mostSimilar({ positive: ['w5'], topn: 6, indexer: ix }).map(([w]) => w).filter((w) => w !== 'w5').slice(0, 5).join();
    check(got === exact, 'QuantizedIndexer with every row a candidate = exact search: ' + got + ' vs ' + exact);
    const q8 = kv.quantize({ scheme: 'int8' });
    check(q8.mostSimilar({ positive: ['w5'], topn: 1 }).length === 1, 'int8 KeyedVectors answers');
    ix.dispose(); q8.dispose(); kv.dispose();
    console.log('workerd smoke: ok (' + backend() + ', ' + rt.build + '; quantized search)');
    // 5. the cross-runtime parity outputs (scripts/smoke/parity.mjs), printed for scripts/smoke/run.mjs to compare
    const t0 = Date.now();
    const parity = await computeParity(q, undefined, qc);
    const errors = Object.entries(parity).flatMap(([n, b]) => Object.entries(b).filter(([, r]) => r.error).map(([k, r]) => n + ' [' + k + ']: ' + r.error));
    const checks = [{ name: 'parity outputs computed (SIMD and scalar builds)', ok: errors.length === 0, ms: Date.now() - t0, detail: errors.join('; ') || Object.keys(parity).length + ' cases x 2 builds' }];
    console.log(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ runtime: 'workerd', version: 'workerd ' + ${JSON.stringify(WORKERD_VERSION)}, checks, parity }));
  },
};
`;

/** The README's Workers example: the one ```ts block that exports a fetch handler, transpiled to JS. */
function readmeWorker() {
  const md = readFileSync(join(repo, 'README.md'), 'utf8');
  const blocks = [...md.matchAll(/^```ts[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((m) => m[1]).filter((b) => /export default \{\s*async fetch\(request/.test(b));
  if (blocks.length !== 1) throw new Error(`README.md has ${blocks.length} Workers examples (a ts block exporting a fetch handler), expected 1`);
  return ts.transpileModule(blocks[0], { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

/**
 * word2vec binary of 7 words × 4 dims: king = e1 and five words at cosines 0.9, 0.8, 0.7, 0.6, 0.5 from it (c·e1 +
 * √(1−c²)·e2, at different lengths), plus 'apple' orthogonal to all of them.
 */
const README_NEIGHBOURS = ['queen', 'prince', 'duke', 'earl', 'knight'];
function plantedVectors() {
  const rows = [['king', [1, 0, 0, 0]], ...README_NEIGHBOURS.map((w, i) => {
    const c = 0.9 - 0.1 * i, len = 1 + i;
    return [w, [c * len, Math.sqrt(1 - c * c) * len, 0, 0]];
  }), ['apple', [0, 0, 1, 0]]];
  const parts = [Buffer.from(`${rows.length} 4\n`)];
  for (const [w, v] of rows) parts.push(Buffer.from(`${w} `), Buffer.from(new Float32Array(v).buffer), Buffer.from('\n'));
  return Buffer.concat(parts);
}

const README_TEST = `
import worker from './readme-worker.js';
import vectors from './readme-vectors.bin';

export default {
  async test() {
    const env = { ASSETS: { fetch: async (url) => new URL(url).pathname === '/vectors.bin' ? new Response(vectors) : new Response('not found', { status: 404 }) } };
    const res = await worker.fetch(new Request('https://neighbours.example/?word=king'), env);
    const body = await res.text();
    if (res.status !== 200) throw new Error('README Workers example: HTTP ' + res.status + ': ' + body);
    const words = JSON.parse(body).map(([w]) => w).join();
    if (words !== ${JSON.stringify(README_NEIGHBOURS.join())}) throw new Error('README Workers example answered ' + body);
    console.log('README Workers example: ok (king → ' + words + ')');
  },
};
`;

const work = join(tmpdir(), `quantext-workerd-smoke-${process.pid}`);
try {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // the core entry and quantext/compress (its default entry: it has no workerd condition, and needs none)
  const modules = [...new Set([...moduleGraph(repo, entry), ...moduleGraph(repo, 'dist/compress/index.js')])].filter((m) => m.endsWith('.js'));
  const wasm = ['build/quantext-simd.wasm', 'build/quantext-scalar.wasm'];
  for (const f of [...modules, ...wasm]) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    cpSync(join(repo, f), join(work, f));
  }
  cpSync(join(repo, 'build/quantext-simd.wasm'), join(work, 'bytes.bin'));
  cpSync(join(repo, 'scripts/smoke/parity.mjs'), join(work, 'parity.mjs'));
  cpSync(join(repo, 'scripts/smoke/qtxc-fixtures.mjs'), join(work, 'qtxc-fixtures.mjs'));
  writeFileSync(join(work, 'test.js'), TEST_WORKER);
  writeFileSync(join(work, 'readme-worker.js'), readmeWorker());
  writeFileSync(join(work, 'readme-test.js'), README_TEST);
  writeFileSync(join(work, 'readme-vectors.bin'), plantedVectors());
  writeFileSync(join(work, 'quantext.js'), "export * from './dist/index.workerd.js';\n");
  const shared = [
    ...modules.map((m) => `(name = "${m}", esModule = embed "${m}")`),
    ...wasm.map((w) => `(name = "${w}", wasm = embed "${w}")`),
  ];
  const readmeList = [
    '(name = "readme-test.js", esModule = embed "readme-test.js")',
    '(name = "readme-worker.js", esModule = embed "readme-worker.js")',
    '(name = "quantext", esModule = embed "quantext.js")',
    '(name = "readme-vectors.bin", data = embed "readme-vectors.bin")',
    ...shared,
  ];
  const list = [
    '(name = "test.js", esModule = embed "test.js")',
    ...modules.map((m) => `(name = "${m}", esModule = embed "${m}")`),
    ...wasm.map((w) => `(name = "${w}", wasm = embed "${w}")`),
    '(name = "bytes.bin", data = embed "bytes.bin")',
    '(name = "parity.mjs", esModule = embed "parity.mjs")',
    '(name = "qtxc-fixtures.mjs", esModule = embed "qtxc-fixtures.mjs")',
  ];
  writeFileSync(
    join(work, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .smoke), (name = "readme", worker = .readme) ],
);
const smoke :Workerd.Worker = (
  modules = [
    ${list.join(',\n    ')}
  ],
  compatibilityDate = "2025-01-01",
);
const readme :Workerd.Worker = (
  modules = [
    ${readmeList.join(',\n    ')}
  ],
  compatibilityDate = "2025-01-01",
);
`,
  );
  const bin = workerdBinary();
  console.error(`workerd test with ${modules.length} modules from dist/ (${relative(repo, work) || work})`);
  const r = spawnSync(bin, ['test', 'config.capnp'], { cwd: work, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
}
