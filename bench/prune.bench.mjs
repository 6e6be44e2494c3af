// Magnitude pruning (issue 13): accuracy vs sparsity of the TextClassifier on ../shared/data/spam, and the speed of
// SparseLinear (CSR and 8×1 blocks) against a dense Linear at 50–99 % sparsity.
//
//   npm run bench -- prune [--quick] [--seed 1] [--threads 1]
//   node bench/prune.bench.mjs [same options]     standalone: prints the summary as JSON, writes no file
//
// 1. Accuracy vs sparsity: one dense model (dim 20, wordNgrams 2, 100k buckets, 10 epochs, lr 0.5), its input matrix
//    (words + buckets: nearly all of the model) pruned by magnitude (per layer) to each sparsity three ways:
//    one-shot without retraining; one-shot then `retrain` epochs under the mask (pruneRetrain, 1 step); iterative,
//    `steps` steps of `retrain / steps` epochs on Zhu & Gupta's cubic ramp (pruneRetrain). Same epochs of retraining
//    for both retrained variants. P@1 on test.txt, seeded, one thread (accuracy figures, not timings).
// 2. Speed: a 512×512 layer (and 256→1024) pruned at random positions to each sparsity, batch 1 and batch 16,
//    SparseLinear in CSR form and in 8×1 blocks (BSR) against the dense Linear of the same (masked) weights, for
//    masks at random positions and masks of whole 8×1 blocks, timed side by side in interleaved rounds; 'auto' shows
//    what SparseLinear would choose. The machine is shared: read the ratios.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table } from './render.mjs';
import { rng } from './harness.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export const title = 'Magnitude pruning (TextClassifier accuracy vs sparsity on spam; SparseLinear vs Linear speed)';
export const description = 'SpamAssassin spam/ham (4,740 train / 1,185 test documents), dim 20, wordNgrams 2, 100k buckets, 10 epochs: the ' +
  'input matrix pruned by magnitude one-shot (no retraining, or retrained under the mask) or iteratively (cubic ramp), the same retraining ' +
  'epochs; P@1 on test.txt. SparseLinear (CSR, BSR) vs dense Linear with the same masked weights, interleaved rounds: ratios only (shared machine).';

function parse(args, quick) {
  const o = { seed: 1, threads: 1, epochs: quick ? 3 : 10, retrain: quick ? 2 : 4, steps: quick ? 2 : 4, sparsities: quick ? [0.5, 0.9, 0.99] : [0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.998, 0.999] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--seed') o.seed = +args[++i];
    else if (a === '--threads') o.threads = +args[++i];
    else if (a === '--data') o.data = args[++i];
    else if (a === '--epochs') o.epochs = +args[++i];
  }
  return o;
}

export async function run(ctx) {
  const o = parse(ctx.args ?? [], ctx.quick);
  const api = { ...(await import(pathToFileURL(join(ctx.repoDir, 'dist', 'index.node.js')).href)), ...(await import(pathToFileURL(join(ctx.repoDir, 'dist', 'compress', 'index.node.js')).href)) };
  const rt = await api.init();
  const data = resolve(o.data ?? join(ctx.repoDir, '..', 'shared', 'data', 'spam'));
  const train = join(data, 'train.txt'), test = join(data, 'test.txt');
  const p1 = async (c) => (await c.test(test, 1)).precision;
  const opts = { dim: 20, wordNgrams: 2, bucket: 100_000, epochs: o.epochs, lr: 0.5, seed: o.seed, threads: o.threads };

  // 1. accuracy vs sparsity
  const t0 = performance.now();
  const base = new api.TextClassifier(opts);
  await base.train(train);
  const bytes = base.toBytes();
  const denseP1 = await p1(base);
  const weights = base.model.input.rows * base.model.dim;
  base.dispose();
  ctx.log(`dense: P@1 ${denseP1.toFixed(4)}, input ${weights} weights, trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const load = () => api.TextClassifier.load(bytes, { lr: opts.lr, seed: opts.seed, threads: opts.threads });
  const accRows = [];
  for (const s of o.sparsities) {
    const a = await load();
    const w = a.model.input.data();
    api.applyMask(w, api.magnitudeMask(w, { sparsity: s }));
    const oneShot = await p1(a);
    a.dispose();
    const b = await load();
    await api.pruneRetrain(b, train, { steps: 1, sparsity: s, epochsPerStep: o.retrain });
    const retrained = await p1(b);
    b.dispose();
    const c = await load();
    await api.pruneRetrain(c, train, { steps: o.steps, sparsity: s, epochsPerStep: Math.max(1, Math.round(o.retrain / o.steps)) });
    const iterative = await p1(c);
    c.dispose();
    const row = { sparsity: s, kept: Math.round(weights * (1 - s)), oneShot, oneShotRetrained: retrained, iterative };
    ctx.log(`sparsity ${s}: P@1 one-shot ${oneShot.toFixed(4)}, one-shot + ${o.retrain} epochs ${retrained.toFixed(4)}, iterative ${o.steps}×${Math.max(1, Math.round(o.retrain / o.steps))} ${iterative.toFixed(4)}`);
    accRows.push(row);
  }

  // 2. SparseLinear (CSR, BSR) vs dense Linear, unstructured masks and masks of whole 8×1 blocks
  const speed = [], rows = [];
  const r = rng(o.seed);
  for (const [n, k] of [[512, 512], [1024, 256]]) {
    const w = Float32Array.from({ length: n * k }, () => r() * 2 - 1), b = Float32Array.from({ length: n }, () => r() - 0.5);
    for (const pattern of ['random', 'blocks 8×1']) {
      for (const s of [0.5, 0.8, 0.9, 0.95, 0.99]) {
        let mask;
        if (pattern === 'random') mask = Uint8Array.from({ length: n * k }, () => (r() < s ? 0 : 1));
        else {
          const keep = Uint8Array.from({ length: (n / 8) * k }, () => (r() < s ? 0 : 1));
          mask = Uint8Array.from({ length: n * k }, (_, i) => keep[(Math.floor(i / k) >> 3) * k + (i % k)]);
        }
        const wm = Float32Array.from(w, (v, i) => (mask[i] ? v : 0));
        const dense = api.Linear.fromFloat(wm, n, k, b, { rt, maxBatch: 16 });
        const csr = api.SparseLinear.fromFloat(w, n, k, b, { rt, mask, format: 'csr', maxBatch: 16 });
        const bsr = api.SparseLinear.fromFloat(w, n, k, b, { rt, mask, format: 'bsr', maxBatch: 16 });
        const auto = api.SparseLinear.fromFloat(w, n, k, b, { rt, mask, maxBatch: 16 });
        const entry = { shape: `${n}×${k}`, pattern, sparsity: s, blockDensity: +bsr.blockDensity.toFixed(4), auto: auto.format };
        for (const batch of [1, 16]) {
          const x = Float32Array.from({ length: batch * k }, () => r() * 2 - 1), out = new Float32Array(batch * n);
          const c = `${n}×${k} ${pattern} s${s} b${batch}`;
          const res = ctx.compare([
            { case: c, variant: 'dense', op: () => { dense.forwardInto(x, out, batch); } },
            { case: c, variant: 'csr', op: () => { csr.forwardInto(x, out, batch); } },
            { case: c, variant: 'bsr', op: () => { bsr.forwardInto(x, out, batch); } },
          ]);
          rows.push(...res);
          entry[`csr${batch}`] = +(res[0].nsPerOp / res[1].nsPerOp).toFixed(3); // > 1: faster than dense
          entry[`bsr${batch}`] = +(res[0].nsPerOp / res[2].nsPerOp).toFixed(3);
        }
        ctx.log(`${entry.shape} ${pattern} ${s}: speed-up over dense CSR ${entry.csr1}× / ${entry.csr16}×, BSR ${entry.bsr1}× / ${entry.bsr16}× (batch 1 / 16); blocks kept ${entry.blockDensity}; auto chose ${auto.format}`);
        speed.push(entry);
        dense.dispose(); csr.dispose(); bsr.dispose(); auto.dispose();
      }
    }
  }
  return { settings: { ...o, data }, summary: { dense: { p1: denseP1, inputWeights: weights }, accuracy: accRows, speed }, rows };
}

export function render(results) {
  const s = results.summary, o = results.settings;
  const it = Math.max(1, Math.round(o.retrain / o.steps));
  return `Dense P@1 ${s.dense.p1.toFixed(4)} (${s.dense.inputWeights.toLocaleString('en')} input weights).\n\n` +
    table(['sparsity', 'input weights kept', 'one-shot', `one-shot + ${o.retrain} epochs`, `iterative ${o.steps} × ${it} epochs (cubic)`],
      s.accuracy.map((r) => [`${+(r.sparsity * 100).toFixed(1)} %`, r.kept.toLocaleString('en'), r.oneShot.toFixed(4), r.oneShotRetrained.toFixed(4), r.iterative.toFixed(4)])) +
    '\n\nSpeed-up of SparseLinear over the dense Linear with the same masked weights (time dense / time sparse; > 1: sparse faster), in CSR form and in 8×1 blocks (BSR, the dense kernel\'s panel layout: a block is stored when any of its 8 weights is kept), for masks at random positions and masks of whole 8×1 blocks (`block: [8, 1]` in pruneLinear / pruneSequential), and what `format: \'auto\'` chose:\n\n' +
    table(['layer', 'mask', 'sparsity', 'blocks kept', 'CSR batch 1', 'BSR batch 1', 'CSR batch 16', 'BSR batch 16', 'auto'], s.speed.map((r) => [r.shape, r.pattern ?? 'random', `${+(r.sparsity * 100).toFixed(1)} %`, r.blockDensity ?? '', `${r.csr1 ?? r.b1}×`, r.bsr1 !== undefined ? `${r.bsr1}×` : '', `${r.csr16 ?? r.b16}×`, r.bsr16 !== undefined ? `${r.bsr16}×` : '', r.auto])) +
    '\n\nOne test document is 0.0008 of P@1. Speed ratios are measured side by side in interleaved rounds on a shared machine.';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoDir = resolve(BENCH_DIR, '..');
  if (!existsSync(join(repoDir, 'dist', 'compress', 'prune.js'))) throw new Error('build first: npm run build');
  const { compare } = await import('./harness.mjs');
  const quick = process.argv.includes('--quick');
  const res = await run({ args: process.argv.slice(2), quick, repoDir, log: (m) => console.error(m), compare: (t) => compare(t, { quick }) });
  console.log(JSON.stringify(res.summary));
}
