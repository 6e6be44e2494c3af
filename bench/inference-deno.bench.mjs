// Inference layers in Deno (issue 11's "relaxed build where the runtime has it"): the inference suite's measurements
// (bench/inference.bench.mjs, every variant and onnxruntime-web side by side in one process), run in Deno, whose V8
// runs relaxed SIMD by default and lowers the fused i32x4.relaxed_dot_i8x16_i7x16_add_s to one vpdpbusd on CPUs with
// AVX-VNNI. Node 20 runs relaxed SIMD only behind a flag and without the fused instruction (the `inference` suite).
//
//   npm run bench -- inference-deno      (Deno from scripts/smoke: node scripts/smoke/run.mjs --install deno)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { render as renderInference, runIn } from './inference.bench.mjs';

export const title = 'Inference layers in Deno (relaxed SIMD, fused dot-add) vs onnxruntime-web (wasm, 1 thread)';
export const description = [
  'The inference suite run by Deno: the same shapes, variants and onnxruntime-web 1.30.0 peer (one thread), timed in the',
  'same Deno process in interleaved rounds. The rlx-* variants run the simd-relaxed build with the fused relaxed dot-add.',
].join(' ');

export async function run(ctx) {
  const deno = [process.env.DENO, join(ctx.repoDir, 'scripts', 'smoke', 'node_modules', '.bin', 'deno')].find((p) => p && existsSync(p));
  if (!deno) throw new Error('Deno is not installed here: node scripts/smoke/run.mjs --install deno (or set DENO)');
  const v = spawnSync(deno, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
  // --no-liftoff, as the Node suite's child: every function (ours and onnxruntime's) optimized from its first call
  return runIn(deno, ['run', '-A', '--v8-flags=--no-liftoff'], v, ctx);
}

export function render(results) {
  return renderInference({ ...results, title, description });
}
