#!/usr/bin/env node
// Reports the gzipped size of each entry point of the package and of each wasm build, and checks the budget: each
// runtime entry (browser/default, node, workerd), bundled and minified as a user's app ships it, with the largest
// wasm build it can load, stays ≤ 150 KB gzipped.
//
// Two sizes per entry: "bundle" is the entry and everything it imports bundled and minified by Vite (the package's
// devDependency; the whole API kept, as `import * as q` would: no tree-shaking credit), the wasm files emitted as
// separate assets; "published" is the dist/ modules the entry reaches (static imports, export-froms and import()),
// as published (not minified, with comments), concatenated: what an unbundled ESM import transfers at most.
//
//   node scripts/size.mjs              a table
//   node scripts/size.mjs --markdown   the same as README lines
//   node scripts/size.mjs --json       the numbers
//
// Run after `npm run build` (test/pack.test.ts imports `measure` and checks the budget). gzip is zlib level 6, what
// `gzip -c` gives (bench/RESULTS.md measures the wasm builds the same way). KB = 1000 bytes.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The budget of one runtime entry plus the largest wasm build it loads, in bytes gzipped. */
export const CORE_BUDGET_GZ = 150_000;

const gz = (buf) => gzipSync(buf, { level: 6 }).length;

/** Every dist/ module reachable from `start` (repository-relative path) by relative imports, export-froms and import(). */
export function moduleGraph(start, repo = REPO) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const m = stack.pop();
    if (seen.has(m)) continue;
    seen.add(m);
    if (!m.endsWith('.js')) continue;
    const src = readFileSync(join(repo, m), 'utf8');
    for (const { fileName } of ts.preProcessFile(src, true, true).importedFiles) {
      if (fileName.startsWith('.')) stack.push(posix.normalize(posix.join(posix.dirname(m), fileName)));
    }
  }
  return [...seen].sort();
}

/** The entry points: the `exports` conditions of '.', and the CLI (`bin`). */
export function entryPoints(repo = REPO) {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const dot = pkg.exports['.'];
  const strip = (p) => p.replace(/^\.\//, '');
  const out = [
    { name: 'browser / default', file: strip(dot.browser), core: true },
    { name: 'node (Node, Deno, Bun)', file: strip(dot.node), core: true },
    { name: 'workerd (Cloudflare Workers)', file: strip(dot.workerd), core: true },
  ];
  for (const [cmd, file] of Object.entries(pkg.bin ?? {})) out.push({ name: `CLI (${cmd})`, file: strip(file), core: false });
  return out;
}

/**
 * Sizes of every entry (its module graph, concatenated and gzipped, and the sum of each file gzipped on its own:
 * what a bundler would send at most / what unbundled module loading sends) and every wasm build.
 */
export async function measure(repo = REPO) {
  const wasm = ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt'].map((b) => {
    const file = `build/quantext-${b}.wasm`;
    if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\``);
    const bytes = readFileSync(join(repo, file));
    return { build: b, file, bytes: bytes.length, gz: gz(bytes) };
  });
  const largestWasmGz = Math.max(...wasm.map((w) => w.gz));
  const entries = entryPoints(repo).map((e) => {
    const files = moduleGraph(e.file, repo);
    const bufs = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(repo, f)));
    const bytes = bufs.reduce((s, b) => s + b.length, 0);
    const gzConcat = gz(Buffer.concat(bufs));
    const gzEach = bufs.reduce((s, b) => s + gz(b), 0);
    const withWasmGz = gzConcat + largestWasmGz;
    return { ...e, modules: bufs.length, bytes, gz: gzConcat, gzEachFile: gzEach };
  });
  for (const e of entries) {
    const b = await bundle(e.file, repo);
    Object.assign(e, { bundleBytes: b.bytes, bundleGz: b.gz, withWasmGz: b.gz + largestWasmGz });
    e.withinBudget = !e.core || e.withWasmGz <= CORE_BUDGET_GZ;
  }
  return { wasm, largestWasmGz, allWasmGz: wasm.reduce((s, w) => s + w.gz, 0), entries, budget: CORE_BUDGET_GZ };
}

/** Bundles `entry` with Vite (minified, ES2022, all exports kept; node: modules and .wasm imports external). */
async function bundle(entry, repo) {
  const { build } = await import('vite');
  const r = await build({
    configFile: false,
    logLevel: 'silent',
    root: repo,
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: join(repo, entry), preserveEntrySignatures: 'strict', external: [/^node:/, /\.wasm$/] },
    },
  });
  const js = (Array.isArray(r) ? r[0] : r).output.filter((o) => o.type === 'chunk').map((o) => Buffer.from(o.code));
  return { bytes: js.reduce((s, b) => s + b.length, 0), gz: js.reduce((s, b) => s + gz(b), 0) };
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measure();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(m, null, 1));
  } else if (process.argv.includes('--markdown')) {
    console.log('| entry point / wasm build | bundled, minified, gzipped | + largest wasm build | published modules, gzipped |');
    console.log('|---|---:|---:|---:|');
    for (const e of m.entries) {
      console.log(`| \`${e.file}\` (${e.name}) | ${kb(e.bundleGz)} | ${e.core ? kb(e.withWasmGz) : '—'} | ${kb(e.gz)} (${e.modules} modules) |`);
    }
    for (const w of m.wasm) console.log(`| \`${w.file}\` | ${kb(w.gz)} | — | ${kb(w.bytes)} raw |`);
    console.log(`\nA runtime loads one wasm build (the largest is ${kb(m.largestWasmGz)} gzipped; the six together ${kb(m.allWasmGz)}). ` +
      `Budget: each runtime entry bundled and minified (the whole API, no tree-shaking) plus the largest wasm build ≤ ${kb(m.budget)} gzipped. ` +
      '"Published" is the unminified dist/ modules an entry reaches, concatenated (`node scripts/size.mjs`).');
  } else {
    const W = Math.max(...m.entries.map((e) => e.file.length + e.name.length + 3)) + 2;
    console.log(`${''.padEnd(W)}${'-- bundled, minified --'.padStart(24)}${'------ published modules ------'.padStart(44)}`);
    console.log(`${'entry'.padEnd(W)}${'raw'.padStart(10)}${'gz'.padStart(10)}${'+wasm gz'.padStart(10)}${'modules'.padStart(10)}${'raw'.padStart(11)}${'gz'.padStart(11)}${'gz/file'.padStart(11)}`);
    for (const e of m.entries) {
      console.log(
        `${`${e.file} (${e.name})`.padEnd(W)}${kb(e.bundleBytes).padStart(10)}${kb(e.bundleGz).padStart(10)}${(e.core ? kb(e.withWasmGz) : '').padStart(10)}` +
          `${String(e.modules).padStart(10)}${kb(e.bytes).padStart(11)}${kb(e.gz).padStart(11)}${kb(e.gzEachFile).padStart(11)}${e.withinBudget ? '' : '  OVER BUDGET'}`,
      );
    }
    for (const w of m.wasm) console.log(`${w.file.padEnd(W)}${kb(w.bytes).padStart(10)}${kb(w.gz).padStart(10)}`);
    console.log(`budget: each runtime entry + the largest wasm build (${kb(m.largestWasmGz)}) ≤ ${kb(m.budget)} gzipped`);
    process.exitCode = m.entries.every((e) => e.withinBudget) ? 0 : 1;
  }
}
