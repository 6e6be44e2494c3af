// Quantization-aware training of word vectors (issue 13, "QAT word vectors"): Word2Vec skip-gram on Brown trained
// as float vectors, with 1-bit and 2-bit QAT (`quantize: { bits }`, Word2Bits' quantizers), and the float vectors
// binarized after training, side by side in one run.
//
//   npm run bench -- qat [--quick] [--dim N | --dims N,M,…] [--level auto|word2bits|L] [--sg 0|1] [--epochs N] [--threads N] [--window N] [--negative N]
//                        [--alpha A] [--sample S] [--seeds N] [--first-seed N] [--bits 1,2] [--no-posthoc] [--diag]
//   node bench/qat.bench.mjs [same options]                         standalone (prints the results)
//
// --level: the QAT quantizer's level L (`quantize.level`; 1 bit ±L, 2 bits ±L / ±3L at threshold 2L): auto (default)
// L = 2.5/√dim (keeps ⟨Q(u), Q(v)⟩'s scale across dims; at dim 100 it is Word2Bits' 2-bit level), word2bits
// Word2Bits' own 1/3 and 1/4, or a number.
// Settings (defaults): ../shared/data/corpora/brown.txt, skip-gram, dims 100 and 300, window 5, negative 5, sample 1e-3,
// min-count 5, 5 epochs, alpha 0.025, 2 threads, seed 1, negatives per pair (sharedNegatives false for every model,
// because QAT trains pair by pair: "trained the same way"). --quick: 2 epochs, one seed. --dims 100,400: one set of
// rows (float, QAT, post-hoc; targets against that dim's float model) per dim, in `byDim`; the first dim's set stays
// at the top level. --sg 0: CBOW (Word2Bits' own mode). --bits 1: only 1-bit QAT. --no-posthoc: skip the post-hoc
// rows. --diag: extra readings (QAT 1 bit as Q(syn0) alone; float as sign(syn0 + syn1neg)), not targets, and the analogy
// accuracy with ties at the top score broken uniformly (analogyTieAware; the evaluator takes the first in vocabulary order).
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
import { existsSync, readFileSync } from 'node:fs';
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
  'Brown corpus, skip-gram with negatives per pair for every model (QAT trains pair by pair), min-count 5; window, negative, sample',
  '(defaults 5, 5, 1e-3), dim, epochs, threads and seeds (means over the seeds) as recorded in `settings`. QAT: `new Word2Vec({ ..., quantize: { bits, level } })`,',
  'the vectors are Q(syn0 + syn1neg) as Word2Bits writes them. Post-hoc: the float vectors quantized after training.',
  'WordSim-353 Spearman, analogy accuracy (restrictVocab 30000), stored table bytes, training time over the float model\'s (same run).',
].join(' ');

function argValue(args, name, def) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : def;
}

function argList(args, name, def) {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) return def;
  const xs = String(args[i + 1]).split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x))) throw new Error(`${name}: a comma-separated list of numbers, got ${args[i + 1]}`);
  return xs;
}

/**
 * --diag: the analogy questions replayed with the top score's ties counted (binary and 2-bit tables give many equal
 * cosines; the evaluator, like gensim, takes the first in vocabulary order): the expected accuracy when the tied
 * words are drawn uniformly, questions with a tie at the top, and questions whose answer was tied at the top but
 * not first. Same 3CosAdd query and exclusions as evaluateWordAnalogies.
 */
function analogyTies(q, kv, restrict) {
  const ok = kv.vocab.evaluationIndex(restrict, true), words = kv.keys, dim = kv.dim;
  const va = new Float32Array(dim), vb = new Float32Array(dim), vc = new Float32Array(dim), qv = new Float64Array(dim);
  let n = 0, expected = 0, tiedTop = 0, lostTie = 0;
  for (const line of readFileSync(ANALOGIES, 'utf8').split('\n')) {
    if (line.startsWith(':')) continue;
    const p = line.trim().split(/\s+/);
    if (p.length !== 4) continue;
    const [a, b, c, d] = p.map((w) => w.toUpperCase());
    const ia = ok.get(a), ib = ok.get(b), ic = ok.get(c);
    if (ia === undefined || ib === undefined || ic === undefined || !ok.has(d)) continue;
    n++;
    kv.unitVector(ia, va);
    kv.unitVector(ib, vb);
    kv.unitVector(ic, vc);
    for (let j = 0; j < dim; j++) qv[j] = (vb[j] + vc[j] - va[j]) / 3;
    const top = kv.nearest(qv, 60, { restrictVocab: restrict, exclude: new Set([ia, ib, ic]) });
    const tied = [];
    for (let j = 0; j < top.indices.length && top.scores[j] === top.scores[0]; j++) tied.push(words[top.indices[j]].toUpperCase());
    if (tied.length > 1) tiedTop++;
    if (tied.includes(d)) {
      expected += 1 / tied.length;
      if (tied[0] !== d) lostTie++;
    }
  }
  return { analogyTieAware: expected / n, questionsTiedAtTop: tiedTop, answerTiedNotFirst: lostTie };
}

/** Sign vectors of x (bit 1 for x ≥ 0), as KeyedVectors: the 1-bit reading of a float table. */
function signKv(q, words, x, dim) {
  const s = Float32Array.from(x, (v) => (v < 0 ? -1 : 1));
  return q.KeyedVectors.fromArrays(words, s, dim);
}

export async function run(ctx = { quick: false, args: process.argv.slice(2), log: (m) => process.stderr.write(`[qat] ${m}\n`) }) {
  const q = await import(pathToFileURL(join(REPO, 'dist/index.node.js')).href);
  const { decodeModel } = await import(pathToFileURL(join(REPO, 'dist/train/model-file.js')).href);
  await q.init();
  const args = ctx.args ?? [];
  const dims = argList(args, '--dims', args.includes('--dim') ? [argValue(args, '--dim', 100)] : ctx.quick ? [100] : [100, 300]);
  const levelArg = args.includes('--level') ? args[args.indexOf('--level') + 1] : 'auto';
  // the quantizer level for a dim: 2.5/√dim (auto), Word2Bits' own (undefined), or the number given
  const levelFor = (dim) => (levelArg === 'auto' ? 2.5 / Math.sqrt(dim) : levelArg === 'word2bits' ? undefined : Number(levelArg));
  const bitsList = argList(args, '--bits', [1, 2]);
  const posthoc = !args.includes('--no-posthoc');
  const diag = args.includes('--diag');
  const common = {
    corpus: 'brown.txt', sg: argValue(args, '--sg', 1), window: argValue(args, '--window', 5), negative: argValue(args, '--negative', 5),
    sample: argValue(args, '--sample', 1e-3), minCount: 5, epochs: argValue(args, '--epochs', ctx.quick ? 2 : 5), alpha: argValue(args, '--alpha', 0.025),
    threads: argValue(args, '--threads', 2), seeds: argValue(args, '--seeds', ctx.quick ? 1 : 3), firstSeed: argValue(args, '--first-seed', 1),
    sharedNegatives: false, restrictVocab: 30000,
  };
  const byDim = [];
  for (const dim of dims) byDim.push(await runDim(q, decodeModel, ctx, { ...common, dim, level: levelFor(dim) ?? 'word2bits', levelRule: levelArg }, { bitsList, posthoc, diag }));
  const first = byDim[0];
  // the first dim's rows stay at the top level (the layout older results files have); every dim is in byDim
  return { title, description, ...first, byDim: byDim.length > 1 ? byDim : undefined, rows: [] };
}

async function runDim(q, decodeModel, ctx, settings, { bitsList, posthoc, diag }) {
  const { dim } = settings;
  const base = {
    sg: settings.sg, vectorSize: dim, window: settings.window, negative: settings.negative, sample: settings.sample, minCount: settings.minCount,
    epochs: settings.epochs, alpha: settings.alpha, workers: settings.threads, sharedNegatives: false,
  };
  const evaluate = (kv) => {
    const ws = q.evaluateWordPairs(kv, PAIRS);
    const an = q.evaluateWordAnalogies(kv, ANALOGIES, { restrictVocab: settings.restrictVocab });
    const r = { wordsim: ws.spearman, analogy: an.score ?? an.accuracy, bytes: kv.matrix.bytes, questions: an.total.total };
    return diag ? { ...r, ...analogyTies(q, kv, settings.restrictVocab) } : r;
  };
  const lv = typeof settings.level === 'number' ? { level: settings.level } : {};
  const MODELS = [['float', 'float32 (trained)', undefined], ...bitsList.map((b) => [`qat${b}`, `QAT ${b} bit${b > 1 ? 's' : ''}`, { bits: b, ...lv }])];
  const FLOAT_SUM = [['float-sum', 'float32, syn0 + syn1neg (as Word2Bits writes vectors)']];
  const POSTHOC = posthoc ? [
    ['posthoc-binary', 'float → binary (centred)', { scheme: 'binary' }],
    ['posthoc-sign', 'float → binary (sign bits, not centred)', { scheme: 'binary', center: false }],
    ['posthoc-int4', 'float → int4 per row (centred)', { scheme: 'int4' }],
  ] : [];
  // --diag: other readings of the same models (not targets): QAT's Q(syn0) alone, sign(syn0 + syn1neg) of the float model
  const DIAG = diag ? [
    ['float-sum-sign', 'float → sign(syn0 + syn1neg)'],
    ...bitsList.filter((b) => b === 1).map((b) => [`qat${b}-in`, `QAT ${b} bit, Q(syn0) alone`]),
  ] : [];
  const runs = {};
  const add = (id, seed, r) => (runs[id] ??= []).push({ seed, ...r });
  const diagEval = (id, seed, label, kv) => {
    const e = evaluate(kv);
    add(id, seed, e);
    ctx.log(`dim ${dim} seed ${seed} ${label.padEnd(24)} WordSim ${e.wordsim.toFixed(4)}  analogy ${(100 * e.analogy).toFixed(2)} % (${e.questions} q)`);
    kv.dispose();
  };
  for (let seed = settings.firstSeed; seed < settings.firstSeed + settings.seeds; seed++) {
    let floatWv, floatModel;
    // float and QAT alternate within each seed, so that load on the shared machine hits them alike
    for (const [id, label, quantize] of MODELS) {
      const m = new q.Word2Vec({ ...base, seed, ...(quantize ? { quantize } : {}) });
      const t0 = performance.now();
      const r = await m.train(CORPUS);
      const seconds = (performance.now() - t0) / 1000;
      const e = evaluate(m.wv);
      add(id, seed, { ...e, trainSeconds: seconds, loss: r.loss, table: m.wv.matrix.constructor.name });
      ctx.log(`dim ${dim} seed ${seed} ${label.padEnd(24)} WordSim ${e.wordsim.toFixed(4)}  analogy ${(100 * e.analogy).toFixed(2)} % (${e.questions} q)${e.analogyTieAware === undefined ? '' : `, ties drawn uniformly ${(100 * e.analogyTieAware).toFixed(2)} % (${e.questionsTiedAtTop} tied at the top, ${e.answerTiedNotFirst} answers tied but not first)`}  ${e.bytes} B  ${seconds.toFixed(2)} s`);
      if (id === 'float') {
        floatModel = m;
        floatWv = m.wv;
        // the float model read as Word2Bits writes vectors: syn0 + syn1neg
        const rec = decodeModel(m.toBytes(), 'model');
        const sum = Float32Array.from(rec.syn0, (x, i) => x + rec.syn1neg[i]);
        diagEval('float-sum', seed, 'float32 syn0 + syn1neg', q.KeyedVectors.fromArrays(rec.words, sum, dim));
        if (diag) diagEval('float-sum-sign', seed, 'float sign(syn0+syn1neg)', signKv(q, rec.words, sum, dim));
      } else {
        if (diag && quantize.bits === 1) {
          const rec = decodeModel(m.toBytes(), 'model');
          diagEval(`${id}-in`, seed, 'QAT 1 bit Q(syn0)', signKv(q, rec.words, rec.syn0, dim));
        }
        m.dispose();
      }
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
  const rows = [...MODELS, ...FLOAT_SUM, ...POSTHOC, ...DIAG].map(([id, label]) => {
    const rs = runs[id];
    const row = {
      id, label, wordsim: mean(rs.map((r) => r.wordsim)), wordsimSd: sd(rs.map((r) => r.wordsim)), analogy: mean(rs.map((r) => r.analogy)),
      analogySd: sd(rs.map((r) => r.analogy)), bytes: rs[0].bytes, perSeed: rs,
    };
    if (rs[0].trainSeconds !== undefined) row.trainSeconds = mean(rs.map((r) => r.trainSeconds));
    if (rs[0].analogyTieAware !== undefined) row.analogyTieAware = mean(rs.map((r) => r.analogyTieAware));
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
  const vsSum = {}, targets = {};
  for (const b of bitsList) {
    const r = get(`qat${b}`);
    vsSum[`qat${b} vs float syn0+syn1neg: dWordsim`] = r.wordsim - fs.wordsim;
    vsSum[`qat${b} vs float syn0+syn1neg: dAnalogyPoints`] = 100 * (r.analogy - fs.analogy);
    if (b === 1) {
      targets['qat1: WordSim within 0.02 of float'] = r.dWordsim >= -0.02;
      targets['qat1: analogy within 2 points of float'] = r.dAnalogyPoints >= -2;
    } else {
      targets[`qat${b}: WordSim within 0.01 of float`] = r.dWordsim >= -0.01;
      targets[`qat${b}: analogy within 1 point of float (read as the 0.01 of the target)`] = r.dAnalogyPoints >= -1;
    }
  }
  return { settings, quality: rows, targets, vsFloatSum: vsSum };
}

export function render(results) {
  const sets = results.byDim ?? [results];
  return [`## ${results.title}`, '', results.description, '', ...sets.map(renderDim)].join('\n');
}

function renderDim(results) {
  const s = results.settings;
  const fmt = (x, d) => (x === undefined ? '' : x.toFixed(d));
  const lines = [
    `Settings: ${s.sg === 0 ? 'CBOW' : 'skip-gram'}, dim ${s.dim}, ${typeof s.level === 'number' ? `QAT level L = ${s.level.toFixed(4)}${s.levelRule === 'auto' ? ' (2.5/√dim)' : ''}` : 'QAT level Word2Bits\' (1/3, 1/4)'}, window ${s.window}, negative ${s.negative}, sample ${s.sample}, ${s.epochs} epochs, alpha ${s.alpha}, ${s.threads} threads; means over seeds ${s.firstSeed ?? 1}–${(s.firstSeed ?? 1) + s.seeds - 1}.`,
    '',
    '| vectors | WordSim-353 ρ (mean ± sd) | Δ vs float | analogy % (mean ± sd) | Δ points | bytes | train time / float |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.quality.map((r) => `| ${r.label} | ${fmt(r.wordsim, 4)} ± ${fmt(r.wordsimSd ?? 0, 4)} | ${fmt(r.dWordsim, 4)} | ${fmt(100 * r.analogy, 2)} ± ${fmt(100 * (r.analogySd ?? 0), 2)} | ${fmt(r.dAnalogyPoints, 2)} | ${r.bytes ?? ''} | ${r.trainTimeRatio === undefined ? '' : r.trainTimeRatio.toFixed(2) + '×'} |`),
    '',
    'Targets: ' + Object.entries(results.targets).map(([k, v]) => `${k}: ${v ? 'met' : 'NOT met'}`).join('; ') + '.',
    ...(results.vsFloatSum ? ['', 'Against the float model read as syn0 + syn1neg: ' + Object.entries(results.vsFloatSum).map(([k, v]) => `${k} ${v.toFixed(k.includes('Points') ? 2 : 4)}`).join('; ') + '.'] : []),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  console.log(JSON.stringify(r, null, 2));
}
