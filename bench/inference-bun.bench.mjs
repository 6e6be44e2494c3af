// Inference layers in Bun: the inference suite's measurements (bench/inference.bench.mjs, every variant and
// onnxruntime-web side by side in one process), run in Bun, whose engine is JavaScriptCore, not V8: its own wasm
// compilers, relaxed SIMD on by default, and the f32 GEMM entry the runtime picks for it ('steps1').
//
//   npm run bench -- inference-bun      (Bun from scripts/smoke: node scripts/smoke/run.mjs --install bun)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { render as renderInference, runIn } from './inference.bench.mjs';

export const title = 'Inference layers in Bun (JavaScriptCore) vs onnxruntime-web (wasm, 1 thread)';
export const description = [
  'The inference suite run by Bun: the same shapes, variants and onnxruntime-web 1.30.0 peer (one thread), timed in the',
  'same Bun process in interleaved rounds. JavaScriptCore has no flag that compiles every function optimized from its',
  'first call (the V8 suites run --no-liftoff), so each variant is warmed up before its rounds, as in the other suites.',
  'No rlx-* variants: in Bun, Int8Linear keeps its int16 kernels for 7-bit layers (rt.int8x7 is false: JavaScriptCore',
  'ran the int8 × 7-bit relaxed kernel at 0.71–0.86× of them at batch 4–128 and 1.03× at batch 1 on this Xeon).',
].join(' ');

export async function run(ctx) {
  const bun = [process.env.BUN, join(ctx.repoDir, 'scripts', 'smoke', 'node_modules', '.bin', 'bun')].find((p) => p && existsSync(p));
  if (!bun) throw new Error('Bun is not installed here: node scripts/smoke/run.mjs --install bun (or set BUN)');
  return runIn(bun, [], `Bun ${spawnSync(bun, ['--version'], { encoding: 'utf8' }).stdout.trim()}`, ctx);
}

export function render(results) {
  return renderInference({ ...results, title, description });
}
