// FastText training: quantext against gensim 4.2's FastText, side by side in one run, on the Brown corpus.
//
//   npm run bench -- fasttext [--quick] [--rounds N] [--bucket N] [--epochs N]
//   node bench/fasttext.bench.mjs [same options]     standalone: prints the results as JSON, writes no file
//
// Settings (issue 10, "Targets"): ../shared/data/corpora/brown.txt, skip-gram, dim 100, minn 3, maxn 6, bucket 2M,
// window 5, negative 5, sample 1e-3, min-count 5, 5 epochs, alpha 0.025, 1 thread, for both tools. Every run is a
// separate process (bench/peers/quantext_ft.mjs, bench/peers/gensim_ft.py); the timed window of each is its
// vocabulary pass plus training, from the same file (interpreter start, imports and saving excluded). Speed = raw
// corpus tokens × epochs / timed seconds; "CPU" divides by the CPU seconds of the same window instead (the fairer
// figure on a busy machine). Quality: both models' word vectors are evaluated by the same evaluator (quantext's
// evaluateWordAnalogies / evaluateWordPairs, gensim's semantics, restrict_vocab 30000). The tools alternate order
// from round to round and round r uses seed r + 1; figures are medians over rounds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './harness.mjs';
import { fix, table } from './render.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

export const title = 'FastText training vs gensim FastText';
export const description = 'Brown corpus, skip-gram, dim 100, minn 3, maxn 6, bucket 2M, negative 5, 5 epochs, 1 thread. ' +
  'Speed = raw tokens × epochs per second of vocabulary pass + training (wall and CPU); quality by one evaluator (analogy, WordSim-353).';

function parse(args, quick) {
  const o = { rounds: quick ? 1 : 2, bucket: 2_000_000, epochs: quick ? 1 : 5 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') o.rounds = +args[++i];
    else if (a === '--bucket') o.bucket = +args[++i];
    else if (a === '--epochs') o.epochs = +args[++i];
    else if (a === '--corpus') o.corpus = args[++i];
  }
  return o;
}

function runTool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function evaluate(repoDir, file) {
  const api = await import(pathToFileURL(join(repoDir, 'dist', 'index.node.js')).href);
  await api.init();
  const kv = await api.loadVectors(file);
  const ev = join(repoDir, 'data', 'eval');
  const an = api.evaluateWordAnalogies(kv, readFileSync(join(ev, 'questions-words.txt'), 'utf8'), { restrictVocab: 30000 });
  const ws = api.evaluateWordPairs(kv, readFileSync(join(ev, 'wordsim353.tsv'), 'utf8'), { restrictVocab: 30000 });
  kv.dispose();
  return { analogy: an.score, ws353: ws.spearman };
}

export async function run(ctx) {
  const o = parse(ctx.args ?? [], ctx.quick);
  const corpus = resolve(o.corpus ?? join(ctx.repoDir, '..', 'shared', 'data', 'corpora', 'brown.txt'));
  const tmp = mkdtempSync(join(tmpdir(), 'quantext-ft-bench-'));
  const runs = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      const tools = r % 2 ? ['gensim', 'quantext'] : ['quantext', 'gensim'];
      for (const tool of tools) {
        const out = join(tmp, `${tool}-${r}.txt`);
        const common = ['--corpus', corpus, '--out', out, '--sg', '1', '--minn', '3', '--maxn', '6', '--bucket', String(o.bucket),
          '--epochs', String(o.epochs), '--seed', String(r + 1)];
        const res = tool === 'quantext'
          ? runTool(process.execPath, [join(BENCH_DIR, 'peers', 'quantext_ft.mjs'), ...common, '--threads', '1'])
          : runTool(PYTHON, [join(BENCH_DIR, 'peers', 'gensim_ft.py'), 'train', ...common, '--workers', '1']);
        const q = await evaluate(ctx.repoDir, out);
        rmSync(out, { force: true });
        const row = { ...res, tool, round: r, tokPerSec: res.words / res.seconds, cpuTokPerSec: res.words / res.cpuSeconds, ...q };
        ctx.log(`r${r + 1} ${tool.padEnd(8)} ${res.seconds.toFixed(2)} s (vocab ${res.vocabSeconds.toFixed(2)} s), ${fix(row.tokPerSec / 1e3)}k tok/s, ` +
          `CPU ${fix(row.cpuTokPerSec / 1e3)}k tok/s, analogy ${(q.analogy * 100).toFixed(1)} %, WS353 ${q.ws353.toFixed(3)}, RSS ${Math.round(res.maxRssKB / 1024)} MB`);
        runs.push(row);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const summary = {};
  for (const tool of ['quantext', 'gensim']) {
    const rs = runs.filter((x) => x.tool === tool);
    summary[tool] = {
      tokPerSec: Math.round(median(rs.map((x) => x.tokPerSec))), cpuTokPerSec: Math.round(median(rs.map((x) => x.cpuTokPerSec))),
      analogy: +median(rs.map((x) => x.analogy)).toFixed(4), ws353: +median(rs.map((x) => x.ws353)).toFixed(4),
      maxRssMB: Math.round(median(rs.map((x) => x.maxRssKB)) / 1024),
    };
  }
  const ratio = { wall: +(summary.quantext.tokPerSec / summary.gensim.tokPerSec).toFixed(2), cpu: +(summary.quantext.cpuTokPerSec / summary.gensim.cpuTokPerSec).toFixed(2) };
  ctx.log(`quantext / gensim: ${ratio.wall}× tokens/s (wall), ${ratio.cpu}× (CPU); target ≥ 2×`);
  return { settings: { ...o, corpus }, runs, summary, ratio, rows: [] };
}

export function render(results) {
  const s = results.summary;
  return table(['tool', 'tokens/s', 'CPU tokens/s', 'analogy', 'WS-353', 'peak RSS'],
    ['quantext', 'gensim'].map((t) => [t, fix(s[t].tokPerSec / 1e3) + 'k', fix(s[t].cpuTokPerSec / 1e3) + 'k',
      (s[t].analogy * 100).toFixed(1) + ' %', s[t].ws353.toFixed(3), s[t].maxRssMB + ' MB'])) +
    `\n\nquantext / gensim: ${results.ratio.wall}× (wall), ${results.ratio.cpu}× (CPU); target ≥ 2×.`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoDir = resolve(BENCH_DIR, '..');
  if (!existsSync(join(repoDir, 'dist', 'train', 'fasttext.js'))) throw new Error('build first: npm run build');
  const res = await run({ args: process.argv.slice(2), quick: process.argv.includes('--quick'), repoDir, log: (m) => console.error(m) });
  console.log(JSON.stringify(res.summary), JSON.stringify(res.ratio));
}
