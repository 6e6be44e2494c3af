// GloVe training: quantext's GloVe next to quantext's Word2Vec (skip-gram) on quality, and next to the Stanford tool
// (vocab_count, cooccur, shuffle, glove) on speed and quality when a build of it is given, in one run on Brown.
//
//   npm run bench -- glove [--quick] [--stanford DIR] [--epochs N] [--window N] [--threads N]
//   node bench/glove.bench.mjs [same options]                         standalone (prints the results)
//
// Settings: ../shared/data/corpora/brown.txt, dim 100, window 10, 15 epochs (iterations), xMax 100, alpha 0.75,
// min-count 5, learning rate 0.05, 1 thread. Word2Vec: skip-gram, dim 100, window 5, negative 5, 5 epochs.
// DIR holds the Stanford tool's binaries (`make` in a copy of github.com/stanfordnlp/GloVe puts them in build/); its
// code is never part of this repository. Without it, quantext's figures are reported alone.
// Every run is a separate process timed by GNU time: wall and CPU (user + system) seconds, peak RSS.
// Speed = corpus tokens × epochs / seconds of the whole process (vocabulary, co-occurrences, shuffles, epochs,
// writing the vectors; for the Stanford tool the four programs together). Quality: every model is evaluated by
// quantext's `eval` (analogy restrict_vocab 30000, WordSim-353 Spearman); the Stanford vectors are read in the GloVe text format
// (no header: glove.c appends an <unk> row, the mean of the 100 rarest words, after the vocabulary).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
// ../shared/data beside the repository (or QUANTEXT_DATA); worktrees under /work/wt/* find /work/shared/data
const CORPUS = [process.env.QUANTEXT_DATA && join(process.env.QUANTEXT_DATA, 'corpora/brown.txt'), resolve(REPO, '../shared/data/corpora/brown.txt'),
  resolve(REPO, '../../shared/data/corpora/brown.txt')].find((p) => p && existsSync(p)) ?? resolve(REPO, '../shared/data/corpora/brown.txt');
const GNU_TIME = '/usr/bin/time';

export const title = 'GloVe training vs the Stanford tool, and its quality next to Word2Vec';
export const description = [
  'Brown corpus (1.02 M tokens), dim 100, window 10, 15 iterations, xMax 100, alpha 0.75, min-count 5, eta 0.05, 1 thread;',
  'Word2Vec skip-gram (dim 100, window 5, negative 5, 5 epochs) for quality. Speed is corpus tokens × epochs per second of the',
  'whole process (for the Stanford tool: vocab_count + cooccur + shuffle + glove). Quality by quantext eval (restrict_vocab 30000).',
].join(' ');

// ---------- child mode: one training run in this process ----------

async function child([algo, out, epochs, window, threads]) {
  const q = await import(pathToFileURL(join(REPO, 'dist/index.node.js')).href);
  await q.init();
  const t0 = performance.now();
  let res, model;
  if (algo === 'glove') {
    model = new q.GloVe({ vectorSize: 100, window: +window, epochs: +epochs, xMax: 100, alpha: 0.75, minCount: 5, workers: +threads, seed: 1 });
    res = await model.train(CORPUS);
  } else {
    model = new q.Word2Vec({ sg: 1, vectorSize: 100, window: 5, negative: 5, epochs: +epochs, minCount: 5, workers: +threads, seed: 1 });
    res = await model.train(CORPUS);
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  await q.saveVectors(model.wv, out, { format: 'txt' });
  process.stdout.write(JSON.stringify({ trainSeconds, cooccurSeconds: res.cooccurSeconds, pairs: res.pairs, loss: res.loss }) + '\n');
  model.dispose();
}

// ---------- the runner ----------

/** Runs argv under GNU time; returns { wall, cpu, rssMB, stdout }. */
function timed(argv, { stdin, stdout } = {}) {
  const tf = join(os.tmpdir(), `quantext-glove-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const inFd = stdin ? openSync(stdin, 'r') : 'ignore';
  const outFd = stdout ? openSync(stdout, 'w') : 'pipe';
  const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', '-o', tf, ...argv], { stdio: [inFd, outFd, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (typeof inFd === 'number') closeSync(inFd);
  if (typeof outFd === 'number') closeSync(outFd);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr?.slice(-2000)}`);
  const [e, u, s, m] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(tf, { force: true });
  return { wall: e, cpu: u + s, rssMB: m / 1024, stdout: r.stdout ?? '' };
}

function evaluate(file) {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli/main.js'), 'eval', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`eval ${file} failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop());
  const ws = o.pairs.find((p) => p.file.endsWith('wordsim353.tsv'));
  return { analogy: o.analogy.accuracy * 100, analogyTotal: o.analogy.total, ws353: ws.spearman };
}

function tokens() {
  const text = readFileSync(CORPUS, 'utf8');
  let n = 0;
  for (const t of text.split(/\s+/)) if (t) n++;
  return n;
}

export async function run(ctx = { args: [], quick: false, log: (m) => process.stderr.write(m + '\n') }) {
  const args = ctx.args ?? [];
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const epochs = +opt('--epochs', ctx.quick ? 2 : 15);
  const window = +opt('--window', 10);
  const threads = +opt('--threads', 1);
  const stanford = opt('--stanford', process.env.GLOVE_DIR);
  const dir = mkdtempSync(join(os.tmpdir(), 'quantext-glove-bench-'));
  const T = tokens();
  const runs = [];
  try {
    const self = fileURLToPath(import.meta.url);
    ctx.log(`quantext GloVe: ${epochs} epochs, window ${window}, ${threads} thread(s)`);
    const g = timed([process.execPath, self, '--child', 'glove', join(dir, 'q-glove.txt'), epochs, window, threads]);
    runs.push({ tool: 'quantext GloVe', epochs, ...g, ...JSON.parse(g.stdout.trim().split('\n').pop()), ...evaluate(join(dir, 'q-glove.txt')) });
    ctx.log('quantext Word2Vec skip-gram: 5 epochs');
    const w = timed([process.execPath, self, '--child', 'word2vec', join(dir, 'q-w2v.txt'), ctx.quick ? 1 : 5, 5, threads]);
    runs.push({ tool: 'quantext Word2Vec sg', epochs: ctx.quick ? 1 : 5, ...w, ...evaluate(join(dir, 'q-w2v.txt')) });
    if (stanford && existsSync(join(stanford, 'glove'))) {
      ctx.log(`Stanford GloVe from ${stanford}`);
      const b = (p) => join(stanford, p);
      const steps = [
        timed([b('vocab_count'), '-min-count', '5', '-verbose', '0'], { stdin: CORPUS, stdout: join(dir, 'vocab.txt') }),
        timed([b('cooccur'), '-memory', '4.0', '-vocab-file', join(dir, 'vocab.txt'), '-verbose', '0', '-window-size', String(window)], { stdin: CORPUS, stdout: join(dir, 'cooc.bin') }),
        timed([b('shuffle'), '-memory', '4.0', '-verbose', '0', '-temp-file', join(dir, 'temp_shuffle')], { stdin: join(dir, 'cooc.bin'), stdout: join(dir, 'cooc.shuf.bin') }),
        timed([b('glove'), '-save-file', join(dir, 's-glove'), '-threads', String(threads), '-input-file', join(dir, 'cooc.shuf.bin'), '-x-max', '100', '-iter', String(epochs),
          '-vector-size', '100', '-binary', '0', '-vocab-file', join(dir, 'vocab.txt'), '-verbose', '0', '-seed', '1']),
      ];
      const sum = (k) => steps.reduce((s, x) => s + x[k], 0);
      runs.push({ tool: 'Stanford GloVe', epochs, wall: sum('wall'), cpu: sum('cpu'), rssMB: Math.max(...steps.map((s) => s.rssMB)),
        trainSeconds: steps[3].wall, cooccurSeconds: steps[1].wall + steps[2].wall, ...evaluate(join(dir, 's-glove.txt')) });
    } else ctx.log('no Stanford GloVe build given (--stanford DIR or GLOVE_DIR): quantext alone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const r of runs) {
    r.tokPerSecWall = (T * r.epochs) / r.wall;
    r.tokPerSecCpu = (T * r.epochs) / r.cpu;
    delete r.stdout;
    ctx.log(`${r.tool.padEnd(22)} ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, ${(r.tokPerSecCpu / 1000).toFixed(0)}k tokens/CPU-s, ` +
      `${r.rssMB.toFixed(0)} MB, analogy ${r.analogy.toFixed(2)} % of ${r.analogyTotal}, WS353 ${r.ws353.toFixed(3)}`);
  }
  const q = runs.find((r) => r.tool === 'quantext GloVe'), s = runs.find((r) => r.tool === 'Stanford GloVe');
  const metrics = [
    { name: 'GloVe: quantext tokens per CPU-second (whole process)', value: Math.round(q.tokPerSecCpu), unit: 'tokens/s' },
    { name: 'GloVe: quantext analogy', value: +q.analogy.toFixed(2), unit: '%' },
    { name: 'GloVe: quantext WordSim-353 Spearman', value: +q.ws353.toFixed(3) },
  ];
  if (s) {
    metrics.push({ name: 'GloVe: quantext / Stanford speed (CPU)', value: +(q.tokPerSecCpu / s.tokPerSecCpu).toFixed(3), unit: '×' });
    metrics.push({ name: 'GloVe: quantext / Stanford speed (wall)', value: +(q.tokPerSecWall / s.tokPerSecWall).toFixed(3), unit: '×' });
    metrics.push({ name: 'GloVe: analogy, quantext − Stanford', value: +(q.analogy - s.analogy).toFixed(2), unit: 'points' });
    metrics.push({ name: 'GloVe: WordSim-353, quantext − Stanford', value: +(q.ws353 - s.ws353).toFixed(3) });
  }
  return { metrics, runs, rows: [], settings: { corpus: 'brown.txt', tokens: T, epochs, window, threads, dim: 100, xMax: 100 } };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) await child(process.argv.slice(i + 1));
  else {
    const out = await run({ args: process.argv.slice(2), quick: process.argv.includes('--quick'), log: (m) => process.stderr.write(m + '\n') });
    process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  }
}
