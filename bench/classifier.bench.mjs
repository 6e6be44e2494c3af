// Text classification: quantext's TextClassifier against Debian's `fasttext supervised` (0.9.2), side by side in one
// run, on ../shared/data/spam (SpamAssassin, fastText format; see its README).
//
//   npm run bench -- classifier [--quick] [--seeds 3] [--dim 50] [--epoch 25]
//   node bench/classifier.bench.mjs [same options]     standalone: prints the summary as JSON, writes no file
//
// Settings (issue 12, "Targets"): -dim 50 -epoch 25, with -lr 0.1 (fastText's default) and -lr 0.5, every other
// option fastText's supervised default (wordNgrams 1, softmax, minCount 1), the same for both tools; speed and RSS
// from the first lr. Every run is a separate process: fastText under /usr/bin/time
// (peak RSS), quantext as this file with --child (peak RSS from process.resourceUsage() right after training,
// before testing); peak RSS is reported for 1 thread and for 2 threads. Accuracy: P@1 on test.txt for seeds 1..N with 1 thread (each tool's own `test`). Speed: tokens
// (fastText's count: words, labels and "</s>") × epochs per second of the SGD passes — fastText's own final
// words/sec/thread × threads, quantext's train() minus its corpus pass — for 1 and 2 threads, and of the whole
// training (corpus pass included: fastText's process wall time, quantext's train() call). The tools alternate order.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './harness.mjs';
import { fix, table } from './render.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const FT = '/usr/bin/fasttext';
const TIME = '/usr/bin/time';

export const title = 'Text classification vs fastText supervised';
export const description = 'SpamAssassin spam/ham (4,740 train / 1,185 test documents), -dim 50 -epoch 25, fastText defaults otherwise. ' +
  'P@1 over seeds with 1 thread at lr 0.1 and 0.5; training tokens/s (SGD passes, and whole training) with 1 and 2 threads; peak RSS while training.';

function parse(args, quick) {
  const o = { seeds: quick ? 1 : 3, dim: 50, epoch: quick ? 5 : 25, lrs: quick ? [0.1] : [0.1, 0.5] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--seeds') o.seeds = +args[++i];
    else if (a === '--dim') o.dim = +args[++i];
    else if (a === '--epoch') o.epoch = +args[++i];
    else if (a === '--data') o.data = args[++i];
    else if (a === '--lrs') o.lrs = args[++i].split(',').map(Number);
  }
  return o;
}

function runFastText(o, train, test, threads, seed, tmp, lr) {
  const out = join(tmp, `ft-${threads}-${seed}`);
  const r = spawnSync(TIME, ['-f', 'MAXRSS %M\nWALL %e', FT, 'supervised', '-input', train, '-output', out, '-dim', String(o.dim), '-epoch', String(o.epoch), '-lr', String(lr),
    '-thread', String(threads), '-seed', String(seed), '-verbose', '2'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`fasttext supervised failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const err = r.stderr;
  const wps = [...err.matchAll(/words\/sec\/thread:\s*(\d+)/g)].map((m) => +m[1]);
  const t = spawnSync(FT, ['test', out + '.bin', test], { encoding: 'utf8' });
  const p1 = +(/P@1\s+([\d.]+)/.exec(t.stdout)?.[1] ?? NaN);
  rmSync(out + '.bin', { force: true });
  rmSync(out + '.vec', { force: true });
  return {
    tool: 'fasttext', threads, seed, lr, p1,
    sgdTokPerSec: wps[wps.length - 1] * threads,
    wallSeconds: +/WALL ([\d.]+)/.exec(err)[1],
    maxRssKB: +/MAXRSS (\d+)/.exec(err)[1],
  };
}

function runQuantext(o, train, test, threads, seed, lr) {
  const r = spawnSync(process.execPath, ['--max-semi-space-size=2', fileURLToPath(import.meta.url), '--child', '--train', train, '--test', test,
    '--dim', String(o.dim), '--epoch', String(o.epoch), '--threads', String(threads), '--seed', String(seed), '--lr', String(lr)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`quantext child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { tool: 'quantext', threads, seed, lr, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
}

export async function run(ctx) {
  const o = parse(ctx.args ?? [], ctx.quick);
  if (!existsSync(FT)) throw new Error(`${FT} is needed (apt-get install fasttext)`);
  const data = resolve(o.data ?? join(ctx.repoDir, '..', 'shared', 'data', 'spam'));
  const train = join(data, 'train.txt'), test = join(data, 'test.txt');
  const tmp = mkdtempSync(join(tmpdir(), 'quantext-clf-bench-'));
  const runs = [];
  const log = (x) => ctx.log(`${x.tool.padEnd(8)} lr ${x.lr} ${x.threads} thr seed ${x.seed}: P@1 ${x.p1.toFixed(4)}, SGD ${fix(x.sgdTokPerSec / 1e6)}M tok/s, ` +
    `whole ${x.wallSeconds.toFixed(2)} s, RSS ${Math.round(x.maxRssKB / 1024)} MB`);
  try {
    const plan = [];
    for (const lr of o.lrs) for (let s = 1; s <= o.seeds; s++) plan.push([1, s, lr]);
    plan.push([2, 1, o.lrs[0]]);
    plan.forEach(([threads, seed, lr], i) => {
      const tools = i % 2 ? ['fasttext', 'quantext'] : ['quantext', 'fasttext'];
      for (const tool of tools) {
        const x = tool === 'fasttext' ? runFastText(o, train, test, threads, seed, tmp, lr) : runQuantext(o, train, test, threads, seed, lr);
        log(x);
        runs.push(x);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const tokens = runs.find((x) => x.tool === 'quantext').tokens;
  const summary = {};
  for (const tool of ['quantext', 'fasttext']) {
    const one = runs.filter((x) => x.tool === tool && x.threads === 1 && x.lr === o.lrs[0]), two = runs.filter((x) => x.tool === tool && x.threads === 2);
    const p1 = {};
    for (const lr of o.lrs) {
      const xs = runs.filter((x) => x.tool === tool && x.threads === 1 && x.lr === lr).map((x) => x.p1);
      p1[lr] = { seeds: xs, mean: +(xs.reduce((a, v) => a + v, 0) / xs.length).toFixed(4) };
    }
    summary[tool] = {
      p1,
      sgdTokPerSec1: Math.round(median(one.map((x) => x.sgdTokPerSec))), sgdTokPerSec2: Math.round(median(two.map((x) => x.sgdTokPerSec))),
      wholeTokPerSec1: Math.round(median(one.map((x) => (tokens * o.epoch) / x.wallSeconds))), wholeTokPerSec2: Math.round(median(two.map((x) => (tokens * o.epoch) / x.wallSeconds))),
      maxRssMB: Math.round(median(one.map((x) => x.maxRssKB)) / 1024),
      maxRssMB2: Math.round(median(two.map((x) => x.maxRssKB)) / 1024),
    };
  }
  const q = summary.quantext, f = summary.fasttext;
  const ratio = {
    sgd1: +(q.sgdTokPerSec1 / f.sgdTokPerSec1).toFixed(2), sgd2: +(q.sgdTokPerSec2 / f.sgdTokPerSec2).toFixed(2),
    whole1: +(q.wholeTokPerSec1 / f.wholeTokPerSec1).toFixed(2), whole2: +(q.wholeTokPerSec2 / f.wholeTokPerSec2).toFixed(2),
    rss: +(q.maxRssMB / f.maxRssMB).toFixed(2),
    rss2: +(q.maxRssMB2 / f.maxRssMB2).toFixed(2),
  };
  ctx.log(`P@1 mean quantext ${o.lrs.map((lr) => `lr ${lr} ${q.p1[lr].mean}`).join(', ')} vs fastText ${o.lrs.map((lr) => `lr ${lr} ${f.p1[lr].mean}`).join(', ')} (target ≥ 0.982); tokens/s quantext / fastText: SGD ${ratio.sgd1}× (1 thr), ${ratio.sgd2}× (2 thr); ` +
    `whole ${ratio.whole1}× / ${ratio.whole2}× (target ≥ 1.5×); peak RSS ${q.maxRssMB} vs ${f.maxRssMB} MB (1 thread), ${q.maxRssMB2} vs ${f.maxRssMB2} MB (2 threads)`);
  return { settings: { ...o, data, tokensPerEpoch: tokens }, runs, summary, ratio, rows: [] };
}

export function render(results) {
  const s = results.summary;
  const lrs = results.settings.lrs;
  // results from before the 2-thread RSS column have no maxRssMB2
  const two = (t) => (s[t].maxRssMB2 === undefined ? '–' : s[t].maxRssMB2 + ' MB');
  return table(['tool', ...lrs.map((lr) => `P@1 lr ${lr} (seeds)`), 'SGD tok/s 1 thr', 'SGD tok/s 2 thr', 'whole tok/s 1 thr', 'whole tok/s 2 thr', 'peak RSS 1 thr', 'peak RSS 2 thr'],
    ['quantext', 'fasttext'].map((t) => [t, ...lrs.map((lr) => s[t].p1[lr].seeds.map((x) => x.toFixed(4)).join(' / ')), fix(s[t].sgdTokPerSec1 / 1e6) + 'M', fix(s[t].sgdTokPerSec2 / 1e6) + 'M',
      fix(s[t].wholeTokPerSec1 / 1e6) + 'M', fix(s[t].wholeTokPerSec2 / 1e6) + 'M', s[t].maxRssMB + ' MB', two(t)])) +
    `\n\nquantext / fastText tokens/s: SGD ${results.ratio.sgd1}× (1 thread), ${results.ratio.sgd2}× (2 threads); whole training ${results.ratio.whole1}× / ${results.ratio.whole2}×; target ≥ 1.5×. ` +
    `Peak RSS ${results.ratio.rss}× fastText's with 1 thread${results.ratio.rss2 === undefined ? '' : `, ${results.ratio.rss2}× with 2 threads`} (target ≤ 1×; 2 threads: quantext's main thread trains beside one worker thread).`;
}

async function child(argv) {
  const get = (k, d) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : d;
  };
  const repo = resolve(BENCH_DIR, '..');
  const api = await import(pathToFileURL(join(repo, 'dist', 'index.node.js')).href);
  await api.init();
  const clf = new api.TextClassifier({ dim: +get('--dim', 50), epochs: +get('--epoch', 25), lr: +get('--lr', 0.1), threads: +get('--threads', 1), seed: +get('--seed', 1) });
  const t0 = performance.now();
  const r = await clf.train(get('--train'));
  const wallSeconds = (performance.now() - t0) / 1000;
  const maxRssKB = process.resourceUsage().maxRSS;
  const t = await clf.test(get('--test'), 1);
  clf.dispose();
  console.log(JSON.stringify({ p1: t.precision, sgdTokPerSec: r.tokensPerSecond, wallSeconds, maxRssKB, tokens: r.tokens, threadsRun: r.threads }));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--child')) await child(process.argv);
  else {
    const repoDir = resolve(BENCH_DIR, '..');
    if (!existsSync(join(repoDir, 'dist', 'classify', 'classifier.js'))) throw new Error('build first: npm run build');
    const res = await run({ args: process.argv.slice(2), quick: process.argv.includes('--quick'), repoDir, log: (m) => console.error(m) });
    console.log(JSON.stringify(res.summary), JSON.stringify(res.ratio));
  }
}
