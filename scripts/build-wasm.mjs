#!/usr/bin/env node
// Builds every wasm target of asconfig.json from the one AssemblyScript source (assembly/index.ts).
// Usage: node scripts/build-wasm.mjs [target ...]   (default: simd scalar simd-mt scalar-mt simd-relaxed simd-relaxed-mt)
// The targets differ only in flags: SIMD on/off (the source branches on ASC_FEATURE_SIMD), and
// shared (threads) or plain imported memory; the simd-relaxed builds add relaxed SIMD (ASC_FEATURE_RELAXED_SIMD: the
// int8 × 7-bit kernels of assembly/infer/gemm_i7.ts), chosen at run time only where a probe computes it right.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt'];
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
