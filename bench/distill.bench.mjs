// Distillation and quantization-aware training of the TextClassifier on ../shared/data/spam (issue 13 targets).
//
//   npm run bench -- distill [--quick] [--seed 1] [--threads 1]
//   node bench/distill.bench.mjs [same options]     standalone: prints the summary as JSON, writes no file
//
// 1. Distillation, target "a student ≤ 1/10 of the teacher's size keeps ≥ 99 % of its accuracy": a teacher
//    (dim 50, 25 epochs, wordNgrams 2, 100k buckets, lr 0.5) and students of a tenth of its size or less — dim 4 with
//    word bigrams in 50k buckets, and words only (no buckets) at dim 5 and 2 — each trained twice the same way: on the hard labels
//    only, and by distill() on the teacher's soft labels (T = 2, α = 0.5). Size = bytes of the .bin; P@1 on test.txt.
// 2. Quantization-aware training vs post-hoc quantization, same dims (dim 20, 10 epochs, wordNgrams 2, 100k buckets;
//    and dim 2, words only, 10 epochs):
//    QAT at 1, 2, 4 and 8 bits (input and output quantized per row, see TextClassifier `quantize`), against the float
//    model of the same settings quantized afterwards with the same per-row quantizer (qat_quantize_per_row).
// All runs seeded, one thread by default, in this one process, one after another (accuracy figures, not timings).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table } from './render.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export const title = 'Distillation and quantization-aware training (TextClassifier, spam)';
export const description = 'SpamAssassin spam/ham (4,740 train / 1,185 test documents). Distillation: teacher dim 50, 25 epochs, wordNgrams 2, ' +
  '100k buckets; students ≤ 1/10 of its .bin size trained on hard labels vs distilled (T = 2, α = 0.5). QAT at 1/2/4/8 bits vs the float model quantized ' +
  'afterwards with the same per-row quantizer (dim 20, 10 epochs, wordNgrams 2, 100k buckets; dim 2 words only). P@1 on test.txt.';

function parse(args, quick) {
  const o = { seed: 1, threads: 1, teacherEpochs: quick ? 5 : 25, epochs: quick ? 3 : 10, T: 2, alpha: 0.5 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--seed') o.seed = +args[++i];
    else if (a === '--threads') o.threads = +args[++i];
    else if (a === '--data') o.data = args[++i];
    else if (a === '--temperature') o.T = +args[++i];
    else if (a === '--alpha') o.alpha = +args[++i];
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
  const bytes = (c) => c.toBytes().length;
  const base = { lr: 0.5, seed: o.seed, threads: o.threads };

  // 1. distillation
  const t0 = performance.now();
  const teacher = new api.TextClassifier({ ...base, dim: 50, epochs: o.teacherEpochs, wordNgrams: 2, bucket: 100_000 });
  await teacher.train(train);
  const tSize = bytes(teacher), tP1 = await p1(teacher);
  ctx.log(`teacher: P@1 ${tP1.toFixed(4)}, ${(tSize / 1e6).toFixed(2)} MB, trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const students = [
    { name: 'dim 4, wordNgrams 2, 50k buckets', opts: { dim: 4, wordNgrams: 2, bucket: 50_000 } },
    { name: 'dim 5, words only', opts: { dim: 5 } },
    { name: 'dim 2, words only', opts: { dim: 2 } },
  ];
  const distillRows = [];
  for (const s of students) {
    const opts = { ...base, ...s.opts, epochs: o.teacherEpochs };
    const hard = new api.TextClassifier(opts);
    await hard.train(train);
    const soft = await api.distill({ teacher, student: opts, data: train, temperature: o.T, alpha: o.alpha });
    const row = {
      student: s.name, bytes: bytes(soft), sizeRatio: +(bytes(soft) / tSize).toFixed(4),
      hardP1: await p1(hard), distilledP1: await p1(soft),
    };
    row.hardKeeps = +(row.hardP1 / tP1).toFixed(4);
    row.distilledKeeps = +(row.distilledP1 / tP1).toFixed(4);
    ctx.log(`student ${s.name}: ${(row.sizeRatio * 100).toFixed(1)} % of the teacher's size; P@1 hard ${row.hardP1.toFixed(4)} (${(row.hardKeeps * 100).toFixed(1)} %), distilled ${row.distilledP1.toFixed(4)} (${(row.distilledKeeps * 100).toFixed(1)} %)`);
    distillRows.push(row);
    hard.dispose();
    soft.dispose();
  }
  teacher.dispose();

  // 2. QAT vs post-hoc quantization with the same quantizer, for a mid-size model and a tiny one
  const qatRows = [];
  for (const cfg of [
    { config: 'dim 20, wordNgrams 2, 100k buckets', opts: { dim: 20, wordNgrams: 2, bucket: 100_000 } },
    { config: 'dim 2, words only', opts: { dim: 2 } },
  ]) {
    const qo = { ...base, ...cfg.opts, epochs: o.epochs };
    const float = new api.TextClassifier(qo);
    await float.train(train);
    const floatBytes = float.toBytes();
    const floatP1 = await p1(float);
    float.dispose();
    ctx.log(`float ${cfg.config}: P@1 ${floatP1.toFixed(4)}`);
    for (const bits of [1, 2, 4, 8]) {
      // post-hoc: the float model's rows quantized by the same per-row quantizer QAT uses
      const post = await api.TextClassifier.load(floatBytes);
      for (const m of [post.model.input, post.model.output]) {
        const scales = rt.arena.alloc(m.rows * 4 + 16);
        rt.kernels.qat_quantize_per_row(m.ptr, m.ptr, scales, 0, m.rows, m.cols, bits);
        rt.arena.free(scales);
      }
      const postP1 = await p1(post);
      post.dispose();
      const qat = new api.TextClassifier({ ...qo, quantize: { bits } });
      await qat.train(train);
      const qatP1 = await p1(qat);
      qat.dispose();
      qatRows.push({ config: cfg.config, bits, float: floatP1, postHoc: postP1, qat: qatP1 });
      ctx.log(`${cfg.config}, ${bits} bit: post-hoc P@1 ${postP1.toFixed(4)}, QAT ${qatP1.toFixed(4)} (float ${floatP1.toFixed(4)})`);
    }
  }
  const best = distillRows.filter((r) => r.sizeRatio <= 0.1).reduce((a, r) => (r.distilledKeeps > (a?.distilledKeeps ?? -1) ? r : a), undefined);
  const summary = { teacher: { p1: tP1, bytes: tSize }, distill: distillRows, target: { met: Boolean(best && best.distilledKeeps >= 0.99), best }, qat: qatRows };
  return { settings: { ...o, data }, summary, rows: [] };
}

export function render(results) {
  const s = results.summary;
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  return `Teacher P@1 ${s.teacher.p1.toFixed(4)}, ${(s.teacher.bytes / 1e6).toFixed(2)} MB (.bin).\n\n` +
    table(['student', 'size (.bin)', 'of teacher', 'P@1 hard labels', 'P@1 distilled', 'keeps (distilled)'],
      s.distill.map((r) => [r.student, `${(r.bytes / 1e6).toFixed(2)} MB`, pct(r.sizeRatio), `${r.hardP1.toFixed(4)} (${pct(r.hardKeeps)})`, r.distilledP1.toFixed(4), pct(r.distilledKeeps)])) +
    `\n\nTarget (a student ≤ 1/10 of the teacher's size keeps ≥ 99 % of its accuracy): ${s.target.met ? 'met' : 'not met'}.\n\n` +
    table(['model', 'bits', 'float P@1', 'post-hoc P@1', 'QAT P@1'], s.qat.map((r) => [r.config, String(r.bits), r.float.toFixed(4), r.postHoc.toFixed(4), r.qat.toFixed(4)])) +
    '\n\nOne test document is 0.0008 of P@1. Post-hoc: the float model of the same settings, its rows quantized afterwards by the same per-row quantizer.';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoDir = resolve(BENCH_DIR, '..');
  if (!existsSync(join(repoDir, 'dist', 'compress', 'distill.js'))) throw new Error('build first: npm run build');
  const res = await run({ args: process.argv.slice(2), quick: process.argv.includes('--quick'), repoDir, log: (m) => console.error(m) });
  console.log(JSON.stringify(res.summary));
}
