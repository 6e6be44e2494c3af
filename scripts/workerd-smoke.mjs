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
// whose `test()` handler `workerd test` runs. Exit code 0 when every check passed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const WORKERD_VERSION = '1.20261117.1';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = 'dist/index.workerd.js';
if (!existsSync(join(repo, entry))) {
  console.error(`${entry} is missing: run \`npm run build\` first`);
  process.exit(1);
}

/** The workerd binary: $WORKERD, or a pinned copy installed once into the temp dir. */
function workerdBinary() {
  if (process.env.WORKERD) return process.env.WORKERD;
  const dir = join(tmpdir(), `quantext-workerd-${WORKERD_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'workerd');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    console.error(`installing workerd@${WORKERD_VERSION} into ${dir}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `workerd@${WORKERD_VERSION}`], { cwd: dir, stdio: 'inherit' });
  }
  return bin;
}

/** Every module reachable from `start` by imports (relative specifiers only: Workers have no node_modules here). */
function moduleGraph(start) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const m = stack.pop();
    if (seen.has(m)) continue;
    seen.add(m);
    if (!m.endsWith('.js')) continue;
    const src = readFileSync(join(repo, m), 'utf8');
    // every import, re-export and dynamic import() (TypeScript's own scanner, not a regex)
    const specs = ts.preProcessFile(src, true, true).importedFiles.map((f) => f.fileName);
    for (const spec of specs) {
      if (!spec.startsWith('.')) throw new Error(`${m} imports '${spec}': a bare or node: import cannot run in Workers unbundled`);
      stack.push(posix.normalize(posix.join(posix.dirname(m), spec)));
    }
  }
  return [...seen];
}

const TEST_WORKER = `
import { init, backend, runtime, createRuntime, F32Buffer, QuantextError, KeyedVectors, QuantizedIndexer } from './dist/index.workerd.js';
import simdModule from './build/quantext-simd.wasm';
import wasmBytes from './bytes.bin';

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
  },
};
`;

const work = join(tmpdir(), `quantext-workerd-smoke-${process.pid}`);
try {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const modules = moduleGraph(entry).filter((m) => m.endsWith('.js'));
  const wasm = ['build/quantext-simd.wasm', 'build/quantext-scalar.wasm'];
  for (const f of [...modules, ...wasm]) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    cpSync(join(repo, f), join(work, f));
  }
  cpSync(join(repo, 'build/quantext-simd.wasm'), join(work, 'bytes.bin'));
  writeFileSync(join(work, 'test.js'), TEST_WORKER);
  const list = [
    '(name = "test.js", esModule = embed "test.js")',
    ...modules.map((m) => `(name = "${m}", esModule = embed "${m}")`),
    ...wasm.map((w) => `(name = "${w}", wasm = embed "${w}")`),
    '(name = "bytes.bin", data = embed "bytes.bin")',
  ];
  writeFileSync(
    join(work, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .smoke) ],
);
const smoke :Workerd.Worker = (
  modules = [
    ${list.join(',\n    ')}
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
