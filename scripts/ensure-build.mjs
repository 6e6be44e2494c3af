#!/usr/bin/env node
// Rebuilds what is stale: the wasm builds when assembly/ or asconfig.json changed, dist/ when src/ changed.
// `npm test` and `npm start` run this first, so a fresh clone needs no separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const f of readdirSync(path)) m = Math.max(m, newest(join(path, f)));
  return m;
}
function oldest(files) {
  let m = Infinity;
  for (const f of files) m = Math.min(m, existsSync(f) ? statSync(f).mtimeMs : 0);
  return m;
}
const wasm = ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt'].map((b) => `build/quantext-${b}.wasm`);
const force = process.argv.includes('--force');
if (force || Math.max(newest('assembly'), newest('asconfig.json')) > oldest(wasm)) {
  execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
}
if (force || Math.max(newest('src'), newest('tsconfig.json')) > oldest(['dist/index.node.js', 'dist/cli/main.js'].filter((f) => existsSync(f) || f.endsWith('index.node.js')))) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
  console.log('built dist/');
}
