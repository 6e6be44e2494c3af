#!/usr/bin/env node
// Builds every wasm target of asconfig.json from the one AssemblyScript source (assembly/index.ts).
// Usage: node scripts/build-wasm.mjs [target ...]   (default: simd scalar simd-mt scalar-mt)
// The targets differ only in flags: SIMD on/off (the source branches on ASC_FEATURE_SIMD), and
// shared (threads) or plain imported memory.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['simd', 'scalar', 'simd-mt', 'scalar-mt'];
mkdirSync('build', { recursive: true });
for (const t of targets) {
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', t], { stdout: process.stdout });
  if (error) {
    process.stderr.write(stderr.toString());
    console.error(`asc failed for target ${t}: ${error.message}`);
    process.exit(1);
  }
}
console.log(`built ${targets.join(', ')}`);
