#!/usr/bin/env node
// Smoke test of quantext bundled by Vite (the package's own devDependency) into a user's app, served
// cross-origin isolated and run in Chromium. It guards what only a bundler shows: the entry's setup (default
// wasm sources, the Web Worker factory) surviving tree-shaking, the .wasm files and the worker script being
// emitted as assets, and threads working from the bundle.
//
//   node scripts/smoke/vite.mjs      (opt-in in run.mjs: `node scripts/smoke/run.mjs vite`)
//
// QUANTEXT_SMOKE_PACKAGE=<folder> bundles that copy of the package instead of this repository (e.g. an unpacked
// `npm pack`, or a copy with a patched package.json).
// The app (written to a temp folder) imports quantext by name, as a user would; Vite resolves the `browser`
// condition, dist/index.js, through a node_modules/quantext link to this repository.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { report } from './checks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const VITE = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

for (const [what, path] of [['vite (npm ci in the repository)', VITE], ['Chromium', CHROMIUM]]) {
  if (!existsSync(path)) {
    console.error(`no ${what} at ${path}`);
    process.exit(2);
  }
}
const watchdog = setTimeout(() => {
  console.error('vite smoke: gave up after 180 s');
  process.exit(1);
}, 180_000);
watchdog.unref();

// The user's app. Only named imports, as users write them: a namespace import (`import * as q`) would keep the
// whole entry and hide a tree-shaking problem. The checks get an object made of the same named imports: every
// `q.<name>` that checks.mjs uses (read from its source, so the two cannot drift apart again: a hand-written list
// once lacked KeyedVectors), except `useNodeFileSystem`, which the browser entry does not have (checks.mjs tests
// its absence).
const NODE_ONLY = new Set(['useNodeFileSystem']);
const USED = [...new Set(['checks.mjs', 'parity.mjs'].flatMap((f) => [...readFileSync(join(HERE, f), 'utf8').matchAll(/\bq\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1])))];
const NAMES = [...new Set(['init', 'backend', 'Word2Vec', ...USED.filter((n) => !NODE_ONLY.has(n))])].sort();
// parity.mjs's compressed-classifier cases use `qc.X` from quantext/compress (a separate package entry)
const C_NAMES = [...new Set([...readFileSync(join(HERE, 'parity.mjs'), 'utf8').matchAll(/\bqc\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]))].sort();
const MAIN = `
import { ${NAMES.join(', ')} } from 'quantext';
import { ${C_NAMES.join(', ')} } from 'quantext/compress';
import { runChecks, plantedCorpus } from ${JSON.stringify(join(HERE, 'checks.mjs'))};

async function app() {
  const rt = await init();
  const model = new Word2Vec({ vectorSize: 16, minCount: 1, workers: 2, sg: 1, epochs: 5, sample: 0, batchWords: 300 });
  const res = await model.train(plantedCorpus());
  const nn = model.wv.mostSimilar({ positive: ['apple'], topn: 3 });
  model.dispose();
  return { backend: backend(), build: rt.build, threads: res.threads, nn };
}
globalThis.smoke = (async () => {
  const first = await app();
  const q = { ${NAMES.join(', ')} };
  const checks = await runChecks(q, { runtime: 'browser', entry: 'browser', threads: globalThis.crossOriginIsolated === true, compress: { ${C_NAMES.join(', ')} } });
  return { first, checks };
})().catch((e) => ({ error: \`\${e.code ?? e.name}: \${e.message}\` }));
`;

const t0 = performance.now();
const work = mkdtempSync(join(tmpdir(), 'quantext-vite-'));
let failed = 1;
try {
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(resolve(process.env.QUANTEXT_SMOKE_PACKAGE ?? REPO), join(work, 'node_modules', 'quantext'), 'dir');
  writeFileSync(join(work, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(work, 'main.js'), MAIN);
  writeFileSync(join(work, 'vite.config.mjs'), "export default { logLevel: 'warn', build: { target: 'es2022', outDir: 'out' } };\n");
  const tb = performance.now();
  execFileSync(process.execPath, [VITE, 'build'], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
  const buildMs = performance.now() - tb;
  const assets = readdirSync(join(work, 'out', 'assets'));

  const checks = [];
  const add = (name, ok, detail, ms = 0) => checks.push({ name, ok, detail, ms });
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  add('vite build emits the wasm builds', wasm.length === 6, `${assets.join(', ')} (${(buildMs / 1000).toFixed(1)} s)`, buildMs);

  const server = await serve({ root: join(work, 'out'), isolated: true, lifetimeMs: 120_000 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const tp = performance.now();
    await page.goto(server.url);
    const got = await page.evaluate(() => globalThis.smoke);
    const ms = performance.now() - tp;
    if (got.error) add('bundled app: init() and training on 2 workers', false, got.error, ms);
    else {
      const f = got.first;
      const fruit = ['banana', 'cherry', 'grape', 'mango', 'pear', 'plum', 'peach'];
      const ok = f.backend === 'relaxed' && f.build === 'simd-relaxed-mt' && f.threads === 2 && f.nn.every(([w]) => fruit.includes(w));
      add('bundled app: init() and training on 2 workers', ok, `${f.backend}/${f.build}, ${f.threads} threads, apple → ${f.nn.map(([w]) => w).join(', ')}`, ms);
      checks.push(...got.checks.checks.map((c) => ({ ...c, name: `bundled: ${c.name}` })));
    }
    add('no page errors', errors.length === 0, errors.join(' | '));
    failed = report('browser (Vite bundle)', `Chromium ${browser.version()}`, { checks, warnings: [], parity: got.checks?.parity }, performance.now() - t0);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
