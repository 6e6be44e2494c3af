// Quantization-aware training of word vectors (issue 13, "QAT word vectors"): Word2Vec skip-gram on Brown trained
// as float vectors, with 1-bit and 2-bit QAT (`quantize: { bits }`, Word2Bits' quantizers), and the float vectors
// binarized after training, side by side in one run.
//
//   npm run bench -- qat [--quick] [--dims N,M…] [--level auto|word2bits|L] [--epochs N] [--threads N] [--window N] [--negative N] [--alpha A] [--seeds N]
//   node bench/qat.bench.mjs [same options]                         standalone (prints the results)
//
// --dims: one table per dim (default 100,300; --dim N is --dims N). --level: the QAT quantizer's level L
// (`quantize.level`; 1 bit ±L, 2 bits ±L / ±3L): auto (default) L = 2.5/√dim, word2bits Word2Bits' 1/3 and 1/4, or a number.
// Settings (defaults): ../shared/data/corpora/brown.txt, skip-gram, dims 100 and 300, window 5, negative 5, sample 1e-3,
// min-count 5, 5 epochs, alpha 0.025, 2 threads, seed 1, negatives per pair (sharedNegatives false for every model,
// because QAT trains pair by pair: "trained the same way"). --quick: 2 epochs, one seed.
// Every model is trained with seeds 1…N (--seeds, default 3) and the figures are the means over the seeds (each seed's
// values are kept in the results): on Brown one run's WordSim-353 moves by ±0.02 from seed to seed and thread timing,
// as much as the targets' margins.
// Quality through KeyedVectors exactly as the CLI's eval: WordSim-353 Spearman (evaluateWordPairs) and analogy
// accuracy (evaluateWordAnalogies, questions-words, restrictVocab 30000). Bytes are the table's stored bytes
// (`matrix.bytes`: codes + scales + centre). Speed: training seconds of each model over the float model's, measured
// in the same process one after the other (the machine is shared: ratios, not absolute times).
// Float is also evaluated as syn0 + syn1neg (row 'float-sum'): Word2Bits writes u + v for every bit level,
// its full-precision baseline (-bitlevel 0) included, so that row is the float model read the way QAT's is.
// Post-hoc rows: the float vectors quantized after training with kv.quantize({ scheme: 'binary' }) (centred, the
// library's default, and not centred = sign bits) and with int4 (the nearest post-hoc scheme to 2 bits).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const dataFile = (rel) => [process.env.QUANTEXT_DATA && join(process.env.QUANTEXT_DATA, rel), resolve(REPO, '../shared/data', rel),
  resolve(REPO, '../../shared/data', rel)].find((p) => p && existsSync(p)) ?? resolve(REPO, '../shared/data', rel);
const CORPUS = dataFile('corpora/brown.txt');
const PAIRS = dataFile('eval/wordsim353.tsv');
const ANALOGIES = dataFile('eval/questions-words.txt');

export const title = 'Quantization-aware training of word vectors (Word2Bits) vs float and post-hoc binarization';
export const description = [
  'Brown corpus, skip-gram with negatives per pair for every model (QAT trains pair by pair), window 5, negative 5, sample 1e-3,',
  'min-count 5; dim, epochs, threads and seeds (means over seeds 1…N) as recorded in `settings`. QAT: `new Word2Vec({ ..., quantize: { bits, level } })`,',
  'the vectors are Q(syn0 + syn1neg) as Word2Bits writes them. Post-hoc: the float vectors quantized after training.',
  'WordSim-353 Spearman, analogy accuracy (restrictVocab 30000), stored table bytes, training time over the float model\'s (same run).',
].join(' ');

function argValue(args, name, def) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : def;
}

export async function run(ctx = { quick: false, args: process.argv.slice(2), log: (m) => process.stderr.write(`[qat] ${m}\n`) }) {
  const q = await import(pathToFileURL(join(REPO, 'dist/index.node.js')).href);
  const { decodeModel } = await import(pathToFileURL(join(REPO, 'dist/train/model-file.js')).href);
  await q.init();
  const args = ctx.args ?? [];
  const dimsArg = args.includes('--dims') ? args[args.indexOf('--dims') + 1] : args.includes('--dim') ? args[args.indexOf('--dim') + 1] : ctx.quick ? '100' : '100,300';
  const dims = String(dimsArg).split(',').map(Number);
  const levelArg = args.includes('--level') ? args[args.indexOf('--level') + 1] : 'auto';
  // the quantizer level for a dim: 2.5/√dim (auto), Word2Bits' own (undefined), or the number given
  const levelFor = (dim) => (levelArg === 'auto' ? 2.5 / Math.sqrt(dim) : levelArg === 'word2bits' ? undefined : Number(levelArg));
  const results = [];
  for (const dim of dims) results.push(await runDim(q, decodeModel, ctx, args, dim, levelFor(dim), levelArg));
  const first = results[0];
  return { title, description, settings: { ...first.settings, dims, level: levelArg }, quality: first.quality, targets: first.targets, vsFloatSum: first.vsFloatSum, byDim: results, rows: [] };
}

async function runDim(q, decodeModel, ctx, args, dim, level, levelArg) {
  const settings = {
    corpus: 'brown.txt', sg: 1, dim, level: level ?? 'word2bits', levelRule: levelArg, window: argValue(args, '--window', 5), negative: argValue(args, '--negative', 5),
    sample: 1e-3, minCount: 5, epochs: argValue(args, '--epochs', ctx.quick ? 2 : 5), alpha: argValue(args, '--alpha', 0.025),
    threads: argValue(args, '--threads', 2), seeds: argValue(args, '--seeds', ctx.quick ? 1 : 3), sharedNegatives: false, restrictVocab: 30000,
  };
  const base = {
    sg: 1, vectorSize: settings.dim, window: settings.window, negative: settings.negative, sample: settings.sample, minCount: settings.minCount,
    epochs: settings.epochs, alpha: settings.alpha, workers: settings.threads, sharedNegatives: false,
  };
  const evaluate = (kv) => {
    const ws = q.evaluateWordPairs(kv, PAIRS);
    const an = q.evaluateWordAnalogies(kv, ANALOGIES, { restrictVocab: settings.restrictVocab });
    return { wordsim: ws.spearman, analogy: an.score ?? an.accuracy, bytes: kv.matrix.bytes };
  };
  const lv = level === undefined ? {} : { level };
  const MODELS = [['float', 'float32 (trained)', undefined], ['qat1', 'QAT 1 bit', { bits: 1, ...lv }], ['qat2', 'QAT 2 bits', { bits: 2, ...lv }]];
  const FLOAT_SUM = [['float-sum', 'float32, syn0 + syn1neg (as Word2Bits writes vectors)']];
  const POSTHOC = [
    ['posthoc-binary', 'float → binary (centred)', { scheme: 'binary' }],
    ['posthoc-sign', 'float → binary (sign bits, not centred)', { scheme: 'binary', center: false }],
    ['posthoc-int4', 'float → int4 per row (centred)', { scheme: 'int4' }],
  ];
  const runs = {};
  const add = (id, seed, r) => (runs[id] ??= []).push({ seed, ...r });
  for (let seed = 1; seed <= settings.seeds; seed++) {
    let floatWv, floatModel;
    // float and QAT alternate within each seed, so that load on the shared machine hits them alike
    for (const [id, label, quantize] of MODELS) {
      const m = new q.Word2Vec({ ...base, seed, ...(quantize ? { quantize } : {}) });
      const t0 = performance.now();
      const r = await m.train(CORPUS);
      const seconds = (performance.now() - t0) / 1000;
      const e = evaluate(m.wv);
      add(id, seed, { ...e, trainSeconds: seconds, loss: r.loss, table: m.wv.matrix.constructor.name });
      ctx.log(`dim ${dim} seed ${seed} ${label.padEnd(24)} WordSim ${e.wordsim.toFixed(4)}  analogy ${(100 * e.analogy).toFixed(2)} %  ${e.bytes} B  ${seconds.toFixed(2)} s`);
      if (id === 'float') {
        floatModel = m;
        floatWv = m.wv;
        // the float model read as Word2Bits writes vectors: syn0 + syn1neg
        const rec = decodeModel(m.toBytes(), 'model');
        const sum = Float32Array.from(rec.syn0, (x, i) => x + rec.syn1neg[i]);
        const kv = q.KeyedVectors.fromArrays(rec.words, sum, settings.dim);
        const es = evaluate(kv);
        add('float-sum', seed, es);
        ctx.log(`seed ${seed} ${'float32 syn0 + syn1neg'.padEnd(24)} WordSim ${es.wordsim.toFixed(4)}  analogy ${(100 * es.analogy).toFixed(2)} %`);
        kv.dispose();
      } else m.dispose();
    }
    for (const [id, label, opts] of POSTHOC) {
      const kv = floatWv.quantize(opts);
      const e = evaluate(kv);
      add(id, seed, e);
      ctx.log(`dim ${dim} seed ${seed} ${label.padEnd(24)} WordSim ${e.wordsim.toFixed(4)}  analogy ${(100 * e.analogy).toFixed(2)} %  ${e.bytes} B`);
      kv.dispose();
    }
    floatModel.dispose();
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
  const rows = [...MODELS, ...FLOAT_SUM, ...POSTHOC].map(([id, label]) => {
    const rs = runs[id];
    const row = {
      id, label, wordsim: mean(rs.map((r) => r.wordsim)), wordsimSd: sd(rs.map((r) => r.wordsim)), analogy: mean(rs.map((r) => r.analogy)),
      analogySd: sd(rs.map((r) => r.analogy)), bytes: rs[0].bytes, perSeed: rs,
    };
    if (rs[0].trainSeconds !== undefined) row.trainSeconds = mean(rs.map((r) => r.trainSeconds));
    return row;
  });
  const fl = rows[0];
  for (const r of rows) {
    r.dWordsim = r.wordsim - fl.wordsim;
    r.dAnalogyPoints = 100 * (r.analogy - fl.analogy);
    if (r.trainSeconds !== undefined) r.trainTimeRatio = r.trainSeconds / fl.trainSeconds;
  }
  const get = (id) => rows.find((r) => r.id === id);
  // the same targets against the float model read as syn0 + syn1neg (Word2Bits' own float baseline)
  const fs = get('float-sum');
  const vsSum = {
    'qat1 vs float syn0+syn1neg: dWordsim': get('qat1').wordsim - fs.wordsim, 'qat1 vs float syn0+syn1neg: dAnalogyPoints': 100 * (get('qat1').analogy - fs.analogy),
    'qat2 vs float syn0+syn1neg: dWordsim': get('qat2').wordsim - fs.wordsim, 'qat2 vs float syn0+syn1neg: dAnalogyPoints': 100 * (get('qat2').analogy - fs.analogy),
  };
  const targets = {
    'qat1: WordSim within 0.02 of float': get('qat1').dWordsim >= -0.02,
    'qat1: analogy within 2 points of float': get('qat1').dAnalogyPoints >= -2,
    'qat2: WordSim within 0.01 of float': get('qat2').dWordsim >= -0.01,
    'qat2: analogy within 1 point of float (read as the 0.01 of the target)': get('qat2').dAnalogyPoints >= -1,
  };
  return { settings, quality: rows, targets, vsFloatSum: vsSum };
}

export function render(results) {
  const fmt = (x, d) => (x === undefined ? '' : x.toFixed(d));
  const lines = [`## ${results.title}`, '', results.description];
  for (const r of results.byDim ?? [results]) lines.push('', ...renderDim(r, fmt));
  return lines.join('\n');
}

function renderDim(results, fmt) {
  const s = results.settings;
  const lvl = typeof s.level === 'number' ? `QAT level L = ${s.level.toFixed(4)}${s.levelRule === 'auto' ? ' (2.5/√dim)' : ''}` : 'QAT level Word2Bits\' (1/3, 1/4)';
  const lines = [
    `Settings: dim ${s.dim}, ${lvl}, window ${s.window}, negative ${s.negative}, ${s.epochs} epochs, alpha ${s.alpha}, ${s.threads} threads; means over seeds 1–${s.seeds}.`,
    '',
    '| vectors | WordSim-353 ρ (mean ± sd) | Δ vs float | analogy % (mean ± sd) | Δ points | bytes | train time / float |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.quality.map((r) => `| ${r.label} | ${fmt(r.wordsim, 4)} ± ${fmt(r.wordsimSd ?? 0, 4)} | ${fmt(r.dWordsim, 4)} | ${fmt(100 * r.analogy, 2)} ± ${fmt(100 * (r.analogySd ?? 0), 2)} | ${fmt(r.dAnalogyPoints, 2)} | ${r.bytes ?? ''} | ${r.trainTimeRatio === undefined ? '' : r.trainTimeRatio.toFixed(2) + '×'} |`),
    '',
    'Targets: ' + Object.entries(results.targets).map(([k, v]) => `${k}: ${v ? 'met' : 'NOT met'}`).join('; ') + '.',
    ...(results.vsFloatSum ? ['', 'Against the float model read as syn0 + syn1neg: ' + Object.entries(results.vsFloatSum).map(([k, v]) => `${k} ${v.toFixed(k.includes('Points') ? 2 : 4)}`).join('; ') + '.'] : []),
  ];
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  console.log(JSON.stringify(r, null, 2));
}
