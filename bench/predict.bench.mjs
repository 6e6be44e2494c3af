// Prediction with a loaded fastText supervised model: quantext against Debian's fastText 0.9.2 (`fasttext predict`)
// and npm's WebAssembly ports of fastText, side by side in one run, same model files, on ../shared/data/spam/test.txt.
//
//   npm run bench -- predict [--quick] [--rounds N] [--repeat N] [--big N] [--models w1.bin,w1.ftz,w2.bin,w2.ftz] [--no-ports]
//   node bench/predict.bench.mjs [same options]     standalone: prints the summary as JSON, writes no file
//
// Models, trained here once with /usr/bin/fasttext on spam/train.txt and cached in bench/results/tmp/predict-models/
// (the README's reference settings, one thread, seed 1):
//   w1.bin  supervised -dim 50 -epoch 25                       w1.ftz  quantize -cutoff 1000 -retrain -qnorm -dsub 4
//   w2.bin  the same with -wordNgrams 2 -bucket 200000         w2.ftz  its quantized version, likewise
// Cases, per model and round (the tools alternate order from round to round; figures are medians over rounds):
//   - Node's start-up floor: `node -e 0` (wall), beside each model's runs: no Node command line starts faster.
//   - fastText whole process: `fasttext predict MODEL FILE` under GNU time (wall, CPU), on test.txt, on test.txt
//     repeated --repeat times (10), and on an empty file (loading only). Its prediction rate with a loaded model is
//     documents / (time on the repeated file − time on the empty file).
//   - quantext whole process: `quantext predict MODEL FILE` (dist/cli/main.js), the same three files and the same
//     subtraction; its output on test.txt must equal fastText's byte for byte (`identical`).
//   - both whole processes on a large input: test.txt repeated --big times (50; 0: not run), wall and CPU documents per
//     second of the whole `fasttext predict` and `quantext predict` process (start-up and load included, amortized
//     over 59,250 documents), their ratio, and whether the outputs are equal byte for byte (`identicalBig`).
//   - quantext in process (bench/peers/quantext_predict.mjs): the model loaded once; `model.predict(line)` per document,
//     `model.predictBatch(lines)`, and `model.predictBytes(file)` (the CLI's path); 8 passes, the first half dropped (warm-up).
//   - the wasm ports in process (bench/peers/fasttext_wasm.mjs; bash bench/peers/install-wasm-ports.sh): per document,
//     their only API; 8 passes, the first half dropped.
//   - memory (node --expose-gc quantext_predict.mjs --memory): RSS, wasm arena and ArrayBuffer growth of
//     FastTextModel.load after a GC, against the targets (.ftz ≤ file size + the vocabulary's bytes; .bin ≤ 1.2 × file
//     size), and what the predictor's tables add on the first prediction; fastText's own peak RSS beside it.
// Rates are given by wall time and by CPU time; the CPU figure is the fairer one on a machine shared with other work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './harness.mjs';
import { fix, table } from './render.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const FASTTEXT = '/usr/bin/fasttext';
const TIME = '/usr/bin/time';
const PORTS = ['fasttext.wasm', 'fasttext.wasm.js'];

export const title = 'fastText supervised prediction: quantext vs fastText 0.9.2 and npm wasm ports';
export const description = 'spam/test.txt (1,185 documents, ≈ 330 tokens each), models from `fasttext supervised -dim 50 -epoch 25` ' +
  '(word n-grams 1 and 2) and their `quantize -cutoff 1000 -retrain -qnorm -dsub 4` .ftz; one thread; documents per second with a ' +
  'loaded model (fastText: repeated file minus load), whole process, and load memory.';

function parse(args, quick) {
  const o = { rounds: quick ? 1 : 5, repeat: quick ? 2 : 10, big: quick ? 5 : 50, models: ['w1.bin', 'w1.ftz', 'w2.bin', 'w2.ftz'], ports: true, passes: quick ? 2 : 16 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') o.rounds = +args[++i];
    else if (a === '--repeat') o.repeat = +args[++i];
    else if (a === '--big') o.big = +args[++i];
    else if (a === '--models') o.models = args[++i].split(',');
    else if (a === '--no-ports') o.ports = false;
    else if (a === '--passes') o.passes = +args[++i];
  }
  return o;
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || '').slice(-2000)}`);
  return r;
}

/** Trains (once) the four models with fastText and returns their paths. */
function models(dir, spam, log) {
  mkdirSync(dir, { recursive: true });
  const train = join(spam, 'train.txt');
  const base = ['-dim', '50', '-epoch', '25', '-thread', '1', '-seed', '1', '-verbose', '0'];
  const made = {};
  for (const [name, extra] of [['w1', []], ['w2', ['-wordNgrams', '2', '-bucket', '200000']]]) {
    const bin = join(dir, `${name}.bin`), ftz = join(dir, `${name}.ftz`);
    if (!existsSync(bin)) {
      log(`training ${name}.bin with fastText (${[...base, ...extra].join(' ')})`);
      sh(FASTTEXT, ['supervised', '-input', train, '-output', join(dir, name), ...base, ...extra]);
    }
    if (!existsSync(ftz)) {
      log(`quantizing ${name}.ftz with fastText (-cutoff 1000 -retrain -qnorm -dsub 4)`);
      sh(FASTTEXT, ['quantize', '-input', train, '-output', join(dir, name), '-cutoff', '1000', '-retrain', '-qnorm', '-dsub', '4', '-verbose', '0']);
    }
    rmSync(join(dir, `${name}.vec`), { force: true });
    made[`${name}.bin`] = bin;
    made[`${name}.ftz`] = ftz;
  }
  return made;
}

/** One process under GNU time: wall seconds (measured here), CPU seconds and peak RSS (from time). */
function timedProcess(cmd, args, outFile) {
  const t0 = performance.now();
  const r = spawnSync(TIME, ['-f', '%U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [u, s, m] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (outFile) writeFileSync(outFile, r.stdout);
  return { wall, cpu: u + s, maxRssKB: m };
}

// warm-up: V8 tiers wasm and JS up over the first passes (a per-document pass of 1,185 lines is ~20 ms), so the first
// half of the passes is dropped for every in-process tool alike; fastText's in-process rate is its steady state too
// (11,850 documents minus the empty file's time)
const drop1 = (xs) => (xs.length > 1 ? xs.slice(Math.floor(xs.length / 2)) : xs);

export async function run(ctx) {
  const o = parse(ctx.args ?? [], ctx.quick);
  if (!existsSync(FASTTEXT)) throw new Error('needs Debian fastText (/usr/bin/fasttext): bash bench/peers/install.sh');
  const repo = ctx.repoDir;
  const cli = join(repo, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  const spam = resolve(repo, '..', 'shared', 'data', 'spam');
  const test = join(spam, 'test.txt');
  const work = join(BENCH_DIR, 'results', 'tmp', 'predict-models');
  const paths = models(work, spam, ctx.log);
  const n = readFileSync(test, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').length;
  const rep = join(work, `test-x${o.repeat}.txt`);
  writeFileSync(rep, readFileSync(test, 'utf8').repeat(o.repeat));
  const empty = join(work, 'empty.txt');
  writeFileSync(empty, '');
  // the large input and its outputs in a folder of their own (predict-models may be a link to a shared checkout's)
  const bigDir = join(BENCH_DIR, 'results', 'tmp', 'predict-big');
  mkdirSync(bigDir, { recursive: true });
  const big = join(bigDir, `test-x${o.big}.txt`);
  if (o.big > 0 && !(existsSync(big) && statSync(big).size === statSync(test).size * o.big)) writeFileSync(big, readFileSync(test, 'utf8').repeat(o.big));
  let ports = o.ports ? PORTS.filter((p) => existsSync(join(BENCH_DIR, 'peers', 'wasm-ports', 'node_modules', p, 'package.json'))) : [];
  if (o.ports && ports.length === 0) {
    ctx.log('installing the wasm ports (bench/peers/install-wasm-ports.sh)');
    sh('bash', [join(BENCH_DIR, 'peers', 'install-wasm-ports.sh')]);
    ports = PORTS;
  }
  const runs = [];
  for (let r = 0; r < o.rounds; r++) {
    for (const m of o.models) {
      const model = paths[m];
      const tools = r % 2 ? ['quantext', 'fasttext'] : ['fasttext', 'quantext'];
      const row = { round: r, model: m };
      for (const tool of tools) {
        const [cmd, pre] = tool === 'fasttext' ? [FASTTEXT, ['predict', model]] : [process.execPath, [cli, 'predict', model]];
        row[tool] = {
          test: timedProcess(cmd, [...pre, test], join(work, `${tool}-${m}.out`)),
          rep: timedProcess(cmd, [...pre, rep]),
          load: timedProcess(cmd, [...pre, empty]),
        };
        if (o.big > 0) row[tool].big = timedProcess(cmd, [...pre, big], join(bigDir, `${tool}-${m}.out`));
      }
      if (o.big > 0) row.identicalBig = readFileSync(join(bigDir, `fasttext-${m}.out`), 'utf8') === readFileSync(join(bigDir, `quantext-${m}.out`), 'utf8');
      // Node's own start-up, the floor under any Node command line (measured beside each model's runs)
      row.nodeFloor = timedProcess(process.execPath, ['-e', '0']);
      row.identical = readFileSync(join(work, `fasttext-${m}.out`), 'utf8') === readFileSync(join(work, `quantext-${m}.out`), 'utf8');
      const q = JSON.parse(sh(process.execPath, [join(BENCH_DIR, 'peers', 'quantext_predict.mjs'), '--model', model, '--input', test, '--passes', String(o.passes)]).stdout.trim().split('\n').pop());
      row.inProcess = {};
      for (const mode of ['perDoc', 'batch', 'bytes']) row.inProcess[mode] = { wall: median(drop1(q.passSeconds[mode])), cpu: median(drop1(q.passCpuSeconds[mode])) };
      row.quantextBuild = q.build;
      row.ports = {};
      for (const p of ports) {
        const x = JSON.parse(sh(process.execPath, [join(BENCH_DIR, 'peers', 'fasttext_wasm.mjs'), '--port', p, '--model', model, '--input', test, '--passes', String(o.passes)]).stdout.trim().split('\n').pop());
        row.ports[p] = { wall: median(drop1(x.passSeconds)), cpu: median(drop1(x.passCpuSeconds)), loadSeconds: x.loadSeconds };
      }
      const ft = row.fasttext, qt = row.quantext;
      const rate = (t) => ({ wall: (n * o.repeat) / Math.max(1e-6, t.rep.wall - t.load.wall), cpu: (n * o.repeat) / Math.max(1e-3, t.rep.cpu - t.load.cpu) });
      row.rates = {
        fasttext: rate(ft), quantextCli: rate(qt),
        quantextPerDoc: { wall: n / row.inProcess.perDoc.wall, cpu: n / Math.max(1e-4, row.inProcess.perDoc.cpu) },
        quantextBatch: { wall: n / row.inProcess.batch.wall, cpu: n / Math.max(1e-4, row.inProcess.batch.cpu) },
        quantextBytes: { wall: n / row.inProcess.bytes.wall, cpu: n / Math.max(1e-4, row.inProcess.bytes.cpu) },
        fasttextWhole: { wall: n / ft.test.wall, cpu: n / ft.test.cpu }, quantextWhole: { wall: n / qt.test.wall, cpu: n / qt.test.cpu },
        ...(o.big > 0 ? { fasttextWholeBig: { wall: (n * o.big) / ft.big.wall, cpu: (n * o.big) / ft.big.cpu }, quantextWholeBig: { wall: (n * o.big) / qt.big.wall, cpu: (n * o.big) / qt.big.cpu } } : {}),
        ...Object.fromEntries(Object.entries(row.ports).map(([p, x]) => [p, { wall: n / x.wall, cpu: n / Math.max(1e-4, x.cpu) }])),
      };
      ctx.log(`r${r + 1} ${m}: fastText ${fix(row.rates.fasttext.cpu)} docs/CPU-s (load ${ft.load.cpu.toFixed(2)} s), quantext CLI ${fix(row.rates.quantextCli.cpu)}, ` +
        `per doc ${fix(row.rates.quantextPerDoc.cpu)}, batch ${fix(row.rates.quantextBatch.cpu)}, bytes ${fix(row.rates.quantextBytes.cpu)}` +
        ports.map((p) => `, ${p} ${fix(row.rates[p].cpu)}`).join('') + `; whole process ${ft.test.wall.toFixed(2)} s vs ${qt.test.wall.toFixed(2)} s; identical ${row.identical}` +
        (o.big > 0 ? `; test.txt ×${o.big} whole process ${ft.big.wall.toFixed(2)} s (CPU ${ft.big.cpu.toFixed(2)}) vs ${qt.big.wall.toFixed(2)} s (CPU ${qt.big.cpu.toFixed(2)}), identical ${row.identicalBig}` : ''));
      runs.push(row);
    }
  }
  // memory: one child per model, after a warm-up load of another model
  const memory = {};
  for (const m of o.models) {
    // warm up on a small model (a .bin's freed arena would be reused, hiding the growth); a .ftz on the other .ftz
    const warm = paths[m === 'w1.ftz' ? 'w2.ftz' : 'w1.ftz'];
    const x = JSON.parse(sh(process.execPath, ['--expose-gc', join(BENCH_DIR, 'peers', 'quantext_predict.mjs'), '--model', paths[m], '--memory', '--warm', warm]).stdout.trim().split('\n').pop());
    const limit = m.endsWith('.ftz') ? x.fileBytes + x.vocabBytes : 1.2 * x.fileBytes;
    const ftRss = median(runs.filter((r) => r.model === m).map((r) => r.fasttext.test.maxRssKB));
    memory[m] = {
      fileBytes: x.fileBytes, vocabBytes: x.vocabBytes, entries: x.entries, limitBytes: Math.round(limit),
      loadRssBytes: x.load.rss, loadArenaBytes: x.load.arena, loadArrayBufferBytes: x.load.arrayBuffers, loadHeapBytes: x.load.heap,
      loadAccountedBytes: x.load.arena + x.load.arrayBuffers + Math.max(0, x.load.heap),
      predictorArenaBytes: x.predictor.arena, fasttextPeakRssKB: ftRss,
      ok: x.load.rss <= limit, okAccounted: x.load.arena + x.load.arrayBuffers + Math.max(0, x.load.heap) <= limit,
    };
    ctx.log(`memory ${m}: load RSS +${(x.load.rss / 1e6).toFixed(2)} MB (arena ${(x.load.arena / 1e6).toFixed(2)}, ArrayBuffers ${(x.load.arrayBuffers / 1e6).toFixed(2)}, ` +
      `heap ${(x.load.heap / 1e6).toFixed(2)}) for a ${(x.fileBytes / 1e6).toFixed(2)} MB file (limit ${(limit / 1e6).toFixed(2)} MB): ${memory[m].ok ? 'ok' : 'OVER'}; ` +
      `predictor +${(x.predictor.arena / 1e6).toFixed(2)} MB; fastText peak RSS ${(ftRss / 1024).toFixed(1)} MB`);
  }
  const summary = {};
  for (const m of o.models) {
    const rs = runs.filter((r) => r.model === m);
    const med = (f) => median(rs.map(f));
    const keys = Object.keys(rs[0].rates);
    summary[m] = { identical: rs.every((r) => r.identical) };
    if (o.big > 0) summary[m].identicalBig = rs.every((r) => r.identicalBig);
    // whole-process wall seconds: Node's floor, each tool on an empty file (start-up + model load) and on test.txt
    summary[m].wallSeconds = {
      nodeFloor: +med((r) => r.nodeFloor.wall).toFixed(3),
      fasttextEmpty: +med((r) => r.fasttext.load.wall).toFixed(3), quantextEmpty: +med((r) => r.quantext.load.wall).toFixed(3),
      fasttextTest: +med((r) => r.fasttext.test.wall).toFixed(3), quantextTest: +med((r) => r.quantext.test.wall).toFixed(3),
    };
    for (const k of keys) summary[m][k] = { wall: Math.round(med((r) => r.rates[k].wall)), cpu: Math.round(med((r) => r.rates[k].cpu)) };
    summary[m].ratio = {
      perDocVsFasttext: +(summary[m].quantextPerDoc.cpu / summary[m].fasttext.cpu).toFixed(2),
      batchVsFasttext: +(summary[m].quantextBatch.cpu / summary[m].fasttext.cpu).toFixed(2),
      cliVsFasttext: +(summary[m].quantextCli.cpu / summary[m].fasttext.cpu).toFixed(2),
      wholeProcessVsFasttext: +(summary[m].quantextWhole.wall / summary[m].fasttextWhole.wall).toFixed(2),
      // paired within each round (quantext and the ports run back to back there), then the median over rounds: a slow
      // spell of the shared machine then hits both sides of a ratio, not one side of the medians
      perDocVsBestPort: ports.length ? +med((r) => r.rates.quantextPerDoc.cpu / Math.max(...ports.map((p) => r.rates[p].cpu))).toFixed(2) : NaN,
      ...(o.big > 0 ? {
        wholeProcessBigVsFasttext: +(summary[m].quantextWholeBig.wall / summary[m].fasttextWholeBig.wall).toFixed(2),
        wholeProcessBigCpuVsFasttext: +(summary[m].quantextWholeBig.cpu / summary[m].fasttextWholeBig.cpu).toFixed(2),
      } : {}),
      // what the whole-process ratio would be if Node's start-up cost nothing (quantext's own part only)
      wholeProcessWithoutNodeVsFasttext: +(summary[m].wallSeconds.fasttextTest / Math.max(1e-3, summary[m].wallSeconds.quantextTest - summary[m].wallSeconds.nodeFloor)).toFixed(2),
    };
    ctx.log(`${m}: quantext / fastText (CPU): per doc ${summary[m].ratio.perDocVsFasttext}×, batch ${summary[m].ratio.batchVsFasttext}×, ` +
      `CLI ${summary[m].ratio.cliVsFasttext}×; whole process (wall) ${summary[m].ratio.wholeProcessVsFasttext}×; per doc vs best wasm port ${summary[m].ratio.perDocVsBestPort}×` +
      (o.big > 0 ? `; whole process on test.txt ×${o.big}: ${summary[m].ratio.wholeProcessBigVsFasttext}× (wall), ${summary[m].ratio.wholeProcessBigCpuVsFasttext}× (CPU)` : ''));
  }
  const metrics = [];
  for (const m of o.models) {
    if (o.big > 0) metrics.push({ name: `${m} whole process on test.txt ×${o.big}, docs/CPU-s ÷ fastText`, value: summary[m].ratio.wholeProcessBigCpuVsFasttext, target: '≥ 1.5 (issue 12)', ok: summary[m].ratio.wholeProcessBigCpuVsFasttext >= 1.5 && summary[m].identicalBig });
    metrics.push({ name: `${m} per-doc docs/s ÷ fastText`, value: summary[m].ratio.perDocVsFasttext, target: '≥ 1 (issue 10), ≥ 1.5 (issue 12)', ok: summary[m].ratio.perDocVsFasttext >= 1 });
    if (ports.length) metrics.push({ name: `${m} per-doc docs/s ÷ best wasm port`, value: summary[m].ratio.perDocVsBestPort, target: '≥ 3 (issue 12)', ok: summary[m].ratio.perDocVsBestPort >= 3 });
    metrics.push({ name: `${m} load memory`, value: +(memory[m].loadRssBytes / memory[m].fileBytes).toFixed(2), unit: '× file size (RSS)', target: m.endsWith('.ftz') ? '≤ file + vocabulary bytes' : '≤ 1.2× file', ok: memory[m].ok });
  }
  return { settings: { ...o, documents: n, ports }, runs, summary, memory, metrics, rows: [] };
}

export function render(results) {
  const s = results.summary, ports = results.settings.ports;
  const models = Object.keys(s);
  const rateRows = [['fastText predict (loaded model)', 'fasttext'], ['quantext predict CLI (loaded model)', 'quantextCli'], ['quantext model.predict per document', 'quantextPerDoc'],
    ['quantext model.predictBatch', 'quantextBatch'], ['quantext model.predictBytes', 'quantextBytes'], ...ports.map((p) => [`${p} per document`, p]),
    ['fastText whole process', 'fasttextWhole'], ['quantext whole process', 'quantextWhole'],
    ...(results.settings.big > 0 ? [[`fastText whole process, test.txt ×${results.settings.big}`, 'fasttextWholeBig'], [`quantext whole process, test.txt ×${results.settings.big}`, 'quantextWholeBig']] : [])];
  const t1 = table(['documents / CPU second', ...models], rateRows.map(([label, k]) => [label, ...models.map((m) => fix(s[m][k].cpu))]));
  const t2 = table(['ratio', ...models], [
    ['per document ÷ fastText', ...models.map((m) => s[m].ratio.perDocVsFasttext + '×')],
    ['batch ÷ fastText', ...models.map((m) => s[m].ratio.batchVsFasttext + '×')],
    ['CLI ÷ fastText', ...models.map((m) => s[m].ratio.cliVsFasttext + '×')],
    ['whole process ÷ fastText (wall)', ...models.map((m) => s[m].ratio.wholeProcessVsFasttext + '×')],
    ['per document ÷ best wasm port', ...models.map((m) => s[m].ratio.perDocVsBestPort + '×')],
    ...(results.settings.big > 0 ? [
      [`whole process on test.txt ×${results.settings.big} ÷ fastText (wall)`, ...models.map((m) => s[m].ratio.wholeProcessBigVsFasttext + '×')],
      [`whole process on test.txt ×${results.settings.big} ÷ fastText (CPU)`, ...models.map((m) => s[m].ratio.wholeProcessBigCpuVsFasttext + '×')],
    ] : []),
    ['output identical to fastText', ...models.map((m) => (s[m].identical ? 'yes' : 'NO') + (results.settings.big > 0 ? (s[m].identicalBig ? '' : ' (×big: NO)') : ''))],
  ]);
  const w = (m) => s[m].wallSeconds;
  const t4 = models.every((m) => w(m)) ? '\n\n' + table(['whole process, wall seconds', ...models], [
    ['Node start-up floor (`node -e 0`)', ...models.map((m) => w(m).nodeFloor.toFixed(3))],
    ['fastText predict, empty input (start + load)', ...models.map((m) => w(m).fasttextEmpty.toFixed(3))],
    ['quantext predict, empty input (Node + CLI + load)', ...models.map((m) => w(m).quantextEmpty.toFixed(3))],
    ['quantext fixed cost above Node (empty input − floor)', ...models.map((m) => (w(m).quantextEmpty - w(m).nodeFloor).toFixed(3))],
    ['fastText predict test.txt', ...models.map((m) => w(m).fasttextTest.toFixed(3))],
    ['quantext predict test.txt', ...models.map((m) => w(m).quantextTest.toFixed(3))],
    ['whole process ÷ fastText (wall)', ...models.map((m) => s[m].ratio.wholeProcessVsFasttext + '×')],
    ['the same with Node\'s floor taken out', ...models.map((m) => s[m].ratio.wholeProcessWithoutNodeVsFasttext + '×')],
  ]) : '';
  const mem = results.memory;
  const t3 = table(['load memory', ...models], [
    ['file', ...models.map((m) => (mem[m].fileBytes / 1e6).toFixed(2) + ' MB')],
    ['RSS growth', ...models.map((m) => (mem[m].loadRssBytes / 1e6).toFixed(2) + ' MB')],
    ['wasm arena + ArrayBuffers + heap', ...models.map((m) => (mem[m].loadAccountedBytes / 1e6).toFixed(2) + ' MB')],
    ['limit', ...models.map((m) => (mem[m].limitBytes / 1e6).toFixed(2) + ' MB')],
    ['predictor tables (first predict)', ...models.map((m) => (mem[m].predictorArenaBytes / 1e6).toFixed(2) + ' MB')],
  ]);
  return `${t1}\n\n${t2}${t4}\n\n${t3}\n\nfastText's rate with a loaded model is documents ÷ (time on test.txt ×${results.settings.repeat} − time on an empty file); ` +
    `in-process figures are medians of the second half of ${results.settings.passes} passes (the first half warms up); rates are medians over ${results.settings.rounds} rounds, and "per document ÷ best wasm port" is the median of each round's ratio (both sides run back to back in a round). Targets: ≥ 1× fastText (issue 10), ≥ 1.5× fastText and ≥ 3× the best wasm port (issue 12).`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoDir = resolve(BENCH_DIR, '..');
  const res = await run({ args: process.argv.slice(2), quick: process.argv.includes('--quick'), repoDir, log: (m) => console.error(m) });
  console.log(JSON.stringify(res.summary), JSON.stringify(res.memory));
}
