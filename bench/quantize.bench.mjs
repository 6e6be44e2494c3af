// Quantization, side by side in one run (issue 4, "Targets" and "Report"):
//
//   npm run bench -- quantize [--quick] [--vectors FILE] [--keep-vectors] [--rows 100000] [--queries 1000]
//                             [--sections quality,throughput,search] [--filter REGEX] [--no-pq]
//   node bench/quantize.bench.mjs [same options] [--markdown]     standalone: prints the rows, writes nothing
//
// 1. Quality on real vectors. Skip-gram vectors of the Brown corpus, trained by the repository's own CLI
//    (`quantext train brown.txt --threads 2 --seed 1`, defaults dim 100, window 5, negative 5, sample 1e-3,
//    min-count 5, 5 epochs) unless `--vectors FILE` (any format loadVectors reads) is given. Every scheme is made
//    with `kv.quantize(opts)` (= `kv.withMatrix(quantizeMatrix(kv.matrix, opts))`) and measured through the
//    KeyedVectors API: table bytes,
//    the error report of the decoded table against f32 (errorReport, cross-checked against decodeRow), WordSim-353
//    Spearman and analogy accuracy (restrictVocab 30000) and their change against f32, mostSimilar queries/s, and
//    recall@10 of mostSimilar against the f32 neighbours (frequent words and random rows as queries).
// 2. Throughput. Quantize + dequantize of 10M floats (100k × 100), int8 per row, symmetric min–max: the kernel
//    pipeline in the SIMD and the scalar build on data already in wasm memory (what quantizeMatrix does), the array
//    API quantize() + dequantize() (copies 40 MB in and out), and the same arithmetic in plain JavaScript.
// 3. Search, 100k × 100 unit rows, top-10 by inner product (= cosine), one query per operation, on three tables:
//    random Gaussian rows (a worst case: neighbours barely closer than the rest), the Brown vectors tiled to
//    100k rows (see tileVectors), and real word vectors: the 100k most frequent of 138k skip-gram vectors trained on
//    a 10.5M-token corpus (made by bench/data/real100k.sh; `--search-vectors FILE` for others; skipped if absent). f32 (DenseMatrix.scoreRows + topk_f32) against fp16, int8, int8 + f32 rerank of
//    its top 50, int4 (+ rerank), binary (exact LUT scores), binary Hamming top-N reranked by f32 or int8, the
//    three-stage binary → int8 → f32 cascade, the same through the library's QuantizedIndexer, and PQ dsub 2. Recall@10 is against the f32 top-10 over held-out
//    queries (random vectors; for the Brown table, the most frequent words and random rows, themselves excluded).
// The timed variants of each case run interleaved (ctx.compare), and rows report medians of round medians.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { round, rng } from './harness.mjs';
import { fix, fmtRatio, fmtTime, machineLine, renderRows, table } from './render.mjs';
import { scatterPanels } from './plot-svg.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** The plot written by render() next to the results file, linked from RESULTS.md. */
export const PLOT_FILE = 'quantize-accuracy-vs-size.svg';

export const title = 'Quantization: quality, size, throughput and quantized search';
export const description = [
  '**Quality**: skip-gram vectors of the Brown corpus (trained by `quantext train` unless `--vectors` is given), quantized with',
  '`kv.quantize(opts)` (= `kv.withMatrix(quantizeMatrix(kv.matrix, opts))`) and evaluated through KeyedVectors exactly as the f32 vectors: WordSim-353 Spearman,',
  'analogy accuracy (questions-words, restrictVocab 30000), `mostSimilar` top-10 queries/s and its recall@10 against the f32 neighbours.',
  'The error columns compare the decoded table with the f32 one (`errorReport`). Bytes include scales, zero points, centres and codebooks.',
  '**Throughput**: quantize + dequantize of 10M floats, int8 per row (symmetric min–max).',
  '**Search**: top-10 over 100k × 100 unit rows, one query per operation, SIMD build; recall@10 against the f32 top-10.',
].join(' ');

/** The schemes of the quality section, in table order. `opts` go to quantizeMatrix; f32 is the vectors as trained. */
export const QUALITY_SCHEMES = [
  { id: 'f32', label: 'f32', short: 'f32', family: 'float' },
  { id: 'fp16', label: 'fp16', short: 'fp16', family: 'float', opts: { scheme: 'fp16' } },
  { id: 'bf16', label: 'bf16', short: 'bf16', family: 'float', opts: { scheme: 'bf16' } },
  { id: 'int8', label: 'int8 per-row (centred)', short: 'int8', family: 'int8', opts: { scheme: 'int8' } },
  { id: 'int8-plain', label: 'int8 per-row, not centred', short: 'int8, no centre', family: 'int8', opts: { scheme: 'int8', center: false } },
  { id: 'int8-tensor', label: 'int8 per-tensor (centred)', short: 'int8 per-tensor', family: 'int8', opts: { scheme: 'int8', perRow: false } },
  { id: 'int4', label: 'int4 per-row (centred)', short: 'int4', family: 'int4', opts: { scheme: 'int4' } },
  { id: 'int4-plain', label: 'int4 per-row, not centred', short: 'int4, no centre', family: 'int4', opts: { scheme: 'int4', center: false } },
  { id: 'int4-mse', label: 'int4 per-row (centred), MSE clipping', short: 'int4 MSE', family: 'int4', opts: { scheme: 'int4', calibration: 'mse' } },
  { id: 'binary', label: 'binary (centred)', short: 'binary', family: 'binary', opts: { scheme: 'binary' } },
  { id: 'binary-plain', label: 'binary (not centred)', short: 'binary, no centre', family: 'binary', opts: { scheme: 'binary', center: false } },
  { id: 'pq2', label: 'PQ dsub 2', short: 'PQ dsub 2', family: 'pq', opts: { scheme: 'pq', dsub: 2, seed: 1 } },
  { id: 'pq4', label: 'PQ dsub 4', short: 'PQ dsub 4', family: 'pq', opts: { scheme: 'pq', dsub: 4, seed: 1 } },
];
const FAMILY_COLORS = { float: '#4878d0', int8: '#2ca02c', int4: '#ff7f0e', binary: '#d62728', pq: '#9467bd' };
const FAMILY_LABELS = { float: 'f32 / fp16 / bf16', int8: 'int8', int4: 'int4', binary: 'binary', pq: 'PQ' };

/** Issue 4's targets. */
const TARGETS = { int8Rho: 0.002, int8AnalogyPoints: 0.2, int4Rho: 0.01, int8Speed: 2, int8Recall: 0.99, binarySpeed: 5, binaryRecall: 0.95, throughput: 10 };
/** Candidates of the binary → f32 two-stage search (the coarse Hamming top-N). */
const BIN_CANDIDATES = [100, 500, 1000, 2000, 3000, 5000];
/** Candidates of the library's QuantizedIndexer (binary → int8 top 50 → f32), measured through its public search(). */
const INDEXER_CANDIDATES = [2000, 3000, 3500, 4000];
const BIN_CANDIDATES_QUICK = [100, 1000];
/** Candidates of the three-stage binary → int8 → f32 search (and of binary → int8). */
const BIN_CANDIDATES_3STAGE = [1000, 2000, 3000, 3500, 4000, 5000];
/** Candidates an int8/int4 scan (or the int8 stage of a cascade) passes on to the f32 rerank. */
const RERANK_KEEP = 50;
const K = 10;
/**
 * Interleaved rounds of the search and mostSimilar comparisons (full runs; --quick uses 1). The time budget per
 * variant is the same as with the harness's default 3; more, shorter rounds make the median of round medians
 * robust to a burst of load from other work that hits one or two rounds.
 */
const SEARCH_ROUNDS = 5;

function parseArgs(args) {
  const o = { rows: 100_000, cols: 100, vectors: undefined, searchVectors: undefined, keepVectors: false, pq: true, filter: undefined, queries: 1000, sections: ['quality', 'throughput', 'search'] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => {
      if (i + 1 >= args.length) throw new Error(`quantize bench: ${a} needs a value`);
      return args[++i];
    };
    if (a === '--rows') o.rows = +val();
    else if (a === '--vectors') o.vectors = val();
    else if (a === '--search-vectors') o.searchVectors = val();
    else if (a === '--keep-vectors') o.keepVectors = true;
    else if (a === '--queries') o.queries = +val();
    else if (a === '--no-pq') o.pq = false;
    else if (a === '--filter') o.filter = new RegExp(val());
    else if (a === '--sections') o.sections = val().split(',').map((s) => s.trim()).filter(Boolean);
    else throw new Error(`quantize bench: unknown option ${a}`);
  }
  for (const s of o.sections) if (!['quality', 'throughput', 'search'].includes(s)) throw new Error(`quantize bench: unknown section '${s}' (quality, throughput, search)`);
  if (!Number.isInteger(o.rows) || o.rows < 1000) throw new Error(`quantize bench: --rows must be an integer ≥ 1000; got ${o.rows}`);
  if (!Number.isInteger(o.queries) || o.queries < 1) throw new Error(`quantize bench: --queries must be a positive integer; got ${o.queries}`);
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// data


function gaussian(n, r) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(r(), 1e-12), v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    a[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) a[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return a;
}

function normalizeRows(x, rows, cols) {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[i * cols + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < cols; j++) x[i * cols + j] *= inv;
  }
  return x;
}

/**
 * A `rows`-row table of unit vectors made from the V real vectors `x`: tile 0 is the vectors themselves
 * (normalised), every further tile a perturbed copy. The copy of word i is y = c_i·u_i + √(1 − c_i²)·e, where u_i
 * is the unit vector of word i, c_i the cosine of its 10th nearest neighbour among the real vectors, and e the unit
 * component orthogonal to u_i of u_a − u_b for two random words a, b. So every copy lies exactly at its word's
 * 10th-neighbour cosine, in a direction drawn from the data's own spread: the table keeps the real vectors' shared
 * direction and local neighbour scale and is rows / V times denser, as a larger vocabulary would be.
 * Row j is a copy of word j mod V. Costs one f32 search per real word (to find c_i).
 */
function tileVectors(lib, rt, x, V, d, rows, seed) {
  const u = normalizeRows(Float32Array.from(x), V, d);
  const dense = lib.DenseMatrix.from(u, V, d, rt);
  const q = rt.arena.alloc(d * 4), S = rt.arena.alloc(V * 4 + 16), I = rt.arena.alloc(64), Vv = rt.arena.alloc(64);
  const c10 = new Float64Array(V);
  try {
    for (let i = 0; i < V; i++) {
      rt.arena.f32(q, d).set(u.subarray(i * d, (i + 1) * d));
      dense.scoreRows(q, S);
      const got = rt.kernels.topk_f32(S, V, 11, I, Vv); // the word itself and its 10 nearest
      c10[i] = Math.min(1, Math.max(-1, rt.arena.f32(Vv, got)[got - 1]));
    }
  } finally {
    for (const p of [q, S, I, Vv]) rt.arena.free(p);
    dense.dispose();
  }
  const out = new Float32Array(rows * d);
  out.set(u.subarray(0, Math.min(rows, V) * d));
  const r = rng(seed);
  const e = new Float64Array(d);
  for (let j = V; j < rows; j++) {
    const i = j % V, ui = i * d;
    let n2 = 0;
    do { // e: u_a − u_b without its component along u_i (redrawn in the unlikely case it vanishes)
      const a = Math.floor(r() * V) * d, b = Math.floor(r() * V) * d;
      let dot = 0;
      for (let c = 0; c < d; c++) { e[c] = u[a + c] - u[b + c]; dot += e[c] * u[ui + c]; }
      n2 = 0;
      for (let c = 0; c < d; c++) { e[c] -= dot * u[ui + c]; n2 += e[c] * e[c]; }
    } while (!(n2 > 1e-12));
    const s = Math.sqrt(1 - c10[i] * c10[i]) / Math.sqrt(n2);
    for (let c = 0; c < d; c++) out[j * d + c] = c10[i] * u[ui + c] + s * e[c];
  }
  normalizeRows(out, rows, d);
  const sorted = Array.from(c10).sort((p, q2) => p - q2);
  return { x: out, rows, cols: d, c10: { median: round(sorted[V >> 1], 4), p10: round(sorted[Math.floor(V * 0.1)], 4), p90: round(sorted[Math.floor(V * 0.9)], 4) } };
}

/** The training summary the real-vectors script saved next to the vectors (train.json), or null. */
function readTrainJson(file) {
  try {
    return JSON.parse(readFileSync(join(dirname(file), 'train.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Every 8th question of the analogy file, section headers kept (the --quick subset). */
function subsampleAnalogies(text, every = 8) {
  let n = 0;
  return text.split('\n').filter((l) => l.startsWith(':') || !l.trim() || n++ % every === 0).join('\n');
}

/** Bytes of the codes alone (no scales, centres or codebooks). */
function codesBytes(opts, rows, cols) {
  switch (opts?.scheme) {
    case undefined: return rows * cols * 4;
    case 'fp16': case 'bf16': return rows * cols * 2;
    case 'int8': case 'uint8': return rows * cols;
    case 'int4': return rows * Math.ceil(cols / 2);
    case 'binary': return Math.ceil((rows * cols) / 8); // contiguous bits (BinaryMatrix)
    case 'pq': return rows * Math.ceil(cols / (opts.dsub ?? 2));
    default: throw new Error(`codesBytes: unknown scheme ${opts.scheme}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// loading the library and the vectors

async function load(repoDir) {
  const d = (p) => pathToFileURL(join(repoDir, 'dist', p)).href;
  const api = await import(d('index.node.js'));
  const [{ createRuntime }, quant, tables, { DenseMatrix }] = await Promise.all([
    import(d('runtime/runtime.js')), import(d('quantize/index.js')), import(d('vectors/tables/index.js')), import(d('vectors/matrix.js')),
  ]);
  return { api, createRuntime, quant, tables, DenseMatrix };
}

/**
 * The vectors of the quality section: `--vectors FILE`, or skip-gram vectors trained now with the CLI into a
 * temporary directory (bench/results/tmp/quantize-vectors/ with --keep-vectors). Returns the path and how they were made.
 */
function obtainVectors(ctx, o) {
  if (o.vectors) return { path: o.vectors, source: o.vectors, cleanup: () => {} };
  const corpus = join(ctx.repoDir, '..', 'shared', 'data', 'corpora', 'brown.txt');
  const dir = o.keepVectors ? join(BENCH_DIR, 'results', 'tmp', 'quantize-vectors') : mkdtempSync(join(os.tmpdir(), 'quantext-qbench-'));
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'brown.bin');
  const args = ['dist/cli/main.js', 'train', corpus, '--out', out, '--threads', '2', '--seed', '1', '--json'];
  ctx.log(`training Brown skip-gram vectors: node ${args.join(' ')}`);
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { cwd: ctx.repoDir, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`quantize bench: training failed (exit ${p.status}): ${p.stderr.slice(-2000)}`);
  const summary = JSON.parse(p.stdout.trim().split('\n').pop());
  return {
    path: out,
    source: 'trained by this run',
    command: `quantext train ../shared/data/corpora/brown.txt --out brown.bin --threads 2 --seed 1 (dim 100, window 5, negative 5, sample 1e-3, min-count 5, 5 epochs)`,
    training: { seconds: round(summary.seconds, 4), wallSeconds: round((performance.now() - t0) / 1000, 4), wordsPerSecond: round(summary.wordsPerSecond, 4), vocabSize: summary.vocabSize, epochs: summary.epochs, threads: summary.threads },
    cleanup: () => { if (!o.keepVectors) rmSync(dir, { recursive: true, force: true }); },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. quality on real vectors

/** f64 MSE and mean row cosine of a decoded table against x, from decodeRow (an independent check of errorReport). */
function decodedError(t, x, rows, cols) {
  const row = new Float32Array(cols);
  let se = 0, cs = 0;
  for (let i = 0; i < rows; i++) {
    t.decodeRow(i, row);
    let ab = 0, aa = 0, bb = 0;
    for (let j = 0; j < cols; j++) {
      const a = x[i * cols + j], b = row[j];
      se += (a - b) ** 2; ab += a * b; aa += a * a; bb += b * b;
    }
    cs += aa === 0 && bb === 0 ? 1 : aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
  }
  return { mse: se / (rows * cols), meanCosine: cs / rows };
}

async function quality(ctx, lib, rt, o, vec, dataDir) {
  const kv = await lib.api.loadVectors(vec.path, { rt });
  if (!(kv.matrix instanceof lib.DenseMatrix)) throw new Error(`quantize bench: ${vec.path} did not load as a dense f32 table`);
  const { rows, cols } = kv.matrix;
  const x = kv.matrix.data().slice();
  const wsText = readFileSync(join(dataDir, 'eval', 'wordsim353.tsv'), 'utf8');
  let qwText = readFileSync(join(dataDir, 'eval', 'questions-words.txt'), 'utf8');
  if (ctx.quick) qwText = subsampleAnalogies(qwText);
  ctx.log(`quality: ${rows} words × ${cols} from ${vec.source}`);

  // query sets: the most frequent words (rows 0…n−1: files written by word2vec tools are sorted by count) and random rows
  const nq = Math.min(ctx.quick ? 100 : o.queries, rows);
  const r = rng(11);
  const sets = { frequent: Array.from({ length: nq }, (_, i) => i), random: Array.from({ length: nq }, () => Math.floor(r() * rows)) };
  const neighbours = (v, i) => v.mostSimilar({ positive: kv.keys[i], topn: K }).map((s) => s[0]);
  const truth = Object.fromEntries(Object.entries(sets).map(([name, idx]) => [name, idx.map((i) => new Set(neighbours(kv, i)))]));

  const records = [], views = {};
  for (const s of QUALITY_SCHEMES) {
    if (s.opts?.scheme === 'pq' && !o.pq) continue;
    let v = kv, t, quantizeSec = 0;
    if (s.opts) {
      // kv.quantize(opts) is kv.withMatrix(quantizeMatrix(kv.matrix, opts)); the fallback serves builds without it
      const t0 = performance.now();
      v = typeof kv.quantize === 'function' ? kv.quantize(s.opts) : kv.withMatrix(lib.tables.quantizeMatrix(kv.matrix, s.opts));
      quantizeSec = (performance.now() - t0) / 1000;
      t = v.matrix;
    }
    const rec = {
      id: s.id, label: s.label, family: s.family, opts: s.opts ?? null,
      bytes: v.matrix.bytes, bytesPerVector: round(v.matrix.bytes / rows, 4), codesBytes: codesBytes(s.opts, rows, cols),
      quantizeSec: round(quantizeSec, 4),
    };
    rec.sizeVsF32 = round(kv.matrix.bytes / rec.bytes, 4);
    rec.codesVsF32 = round(kv.matrix.bytes / rec.codesBytes, 4);
    if (t) {
      const rep = lib.quant.errorReport(x, lib.tables.tableToTensor(t), { rt });
      const chk = decodedError(t, x, rows, cols);
      // errorReport dequantizes the stored record in wasm; decodeRow is the table's own JS path: they must agree
      if (Math.abs(chk.mse - rep.mse) > 1e-5 * rep.mse + 1e-12 || Math.abs(chk.meanCosine - rep.meanCosine) > 1e-6) {
        throw new Error(`quantize bench: ${s.id}: errorReport (mse ${rep.mse}, cos ${rep.meanCosine}) disagrees with decodeRow (mse ${chk.mse}, cos ${chk.meanCosine})`);
      }
      if (rep.bytesAfter !== rec.bytes) throw new Error(`quantize bench: ${s.id}: errorReport bytesAfter ${rep.bytesAfter} ≠ table bytes ${rec.bytes}`);
      rec.error = { mse: rep.mse, sqnrDb: round(rep.sqnrDb, 5), maxAbsError: round(rep.maxAbsError, 5), meanCosine: round(rep.meanCosine, 8), saturatedFraction: rep.saturatedFraction };
    }
    const t1 = performance.now();
    const ws = v.evaluateWordPairs(wsText, { name: 'wordsim353.tsv' });
    const an = v.evaluateWordAnalogies(qwText, { restrictVocab: 30000, name: 'questions-words.txt' });
    rec.wordsim = { spearman: round(ws.spearman, 6), pearson: round(ws.pearson, 6), pairs: ws.pairs, oov: ws.oov };
    rec.analogy = { accuracy: round(an.score * 100, 6), correct: an.total.correct, total: an.total.total, oov: an.oov.count };
    rec.recall10 = {};
    for (const [name, idx] of Object.entries(sets)) {
      let hit = 0;
      idx.forEach((i, qi) => { for (const w of neighbours(v, i)) if (truth[name][qi].has(w)) hit++; });
      rec.recall10[name] = round(hit / (idx.length * K), 4);
    }
    rec.evalSec = round((performance.now() - t1) / 1000, 4);
    ctx.log(`quality: ${s.id.padEnd(12)} ${String(rec.bytesPerVector).padStart(7)} B/vector  ρ ${rec.wordsim.spearman.toFixed(4)}  analogy ${rec.analogy.accuracy.toFixed(3)} %` +
      `${rec.error ? `  SQNR ${rec.error.sqnrDb.toFixed(2)} dB` : ''}  recall@10 ${rec.recall10.frequent}/${rec.recall10.random}  (quantize ${quantizeSec.toFixed(2)} s, eval ${rec.evalSec.toFixed(1)} s)`);
    records.push(rec);
    views[s.id] = v;
  }
  const base = records[0];
  for (const rec of records) {
    rec.deltaRho = round(rec.wordsim.spearman - base.wordsim.spearman, 5);
    rec.deltaAnalogyPoints = round(rec.analogy.accuracy - base.analogy.accuracy, 5);
  }

  // mostSimilar speed, every scheme interleaved: one query word per operation, cycling through the frequent words
  const words = sets.frequent.map((i) => kv.keys[i]);
  const tasks = records.map((rec) => {
    const v = views[rec.id];
    let i = 0;
    return {
      group: 'mostSimilar', case: `mostSimilar top-${K}, ${rows}×${cols} Brown`, variant: rec.id, rateUnit: 'queries/s',
      op: () => { const res = v.mostSimilar({ positive: words[i], topn: K }); i = (i + 1) % words.length; return res.length; },
    };
  });
  const timed = ctx.compare(tasks, ctx.quick ? 1 : SEARCH_ROUNDS);
  for (const row of timed) {
    row.rate = round(1e9 / row.nsPerOp, 4);
    const rec = records.find((q) => q.id === row.variant);
    rec.queriesPerSec = row.rate;
  }
  for (const rec of records) rec.speedVsF32 = round(rec.queriesPerSec / base.queriesPerSec, 4);
  for (const v of Object.values(views)) if (v !== kv) v.dispose();
  const out = { records, rows: timed, x, V: rows, cols, queries: nq, analogySubset: ctx.quick ? 'every 8th question' : 'all' };
  kv.dispose();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. throughput

/** The plain-JavaScript int8 per-row quantize + dequantize a user would write (round half to even, as the kernels). */
function jsQuantDequant(x, rows, cols, codes, scales, y) {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let a = 0;
    for (let j = 0; j < cols; j++) { const v = Math.abs(x[o + j]); if (v > a) a = v; }
    const s = a > 0 ? Math.fround(a / 127) : 1;
    scales[r] = s;
    for (let j = 0; j < cols; j++) {
      const v = Math.fround(x[o + j] / s);
      let q = Math.round(v);
      if (q - v === 0.5 && (q & 1) !== 0) q -= 1;
      codes[o + j] = q < -128 ? -128 : q > 127 ? 127 : q;
    }
    for (let j = 0; j < cols; j++) y[o + j] = s * codes[o + j];
  }
}

function throughput(ctx, lib, rts, rowsOut) {
  const rows = ctx.quick ? 20_000 : 100_000, cols = 100, n = rows * cols;
  const x = gaussian(n, rng(1));
  const codesJs = new Int8Array(n), scalesJs = new Float32Array(rows), yJs = new Float32Array(n);
  const bufs = {};
  const pipeline = (rt) => {
    const b = bufs[rt.build] = { rt, x: rt.arena.put(x), a: rt.arena.alloc(rows * 4), s: rt.arena.alloc(rows * 4), c: rt.arena.alloc(n + 16), y: rt.arena.alloc(n * 4) };
    return () => {
      rt.kernels.absmax_f32_per_row(b.x, rows, cols, b.a);
      const a = rt.arena.f32(b.a, rows), s = rt.arena.f32(b.s, rows);
      for (let r = 0; r < rows; r++) s[r] = a[r] > 0 ? Math.fround(a[r] / 127) : 1;
      rt.kernels.quantize_affine_i8_per_row(b.x, rows, cols, b.s, 0, -128, 127, b.c);
      rt.kernels.dequantize_affine_i8_per_row(b.c, rows, cols, b.s, 0, b.y);
    };
  };
  const simdOp = pipeline(rts.simd), scalarOp = pipeline(rts.scalar);
  // returns a number: the harness sums op() results into a sink
  const api = () => lib.quant.dequantize(lib.quant.quantize(x, { rows, cols, perRow: true, rt: rts.simd }), { rt: rts.simd }).length;
  // the four agree bit for bit
  simdOp(); scalarOp(); jsQuantDequant(x, rows, cols, codesJs, scalesJs, yJs);
  const viaApi = lib.quant.dequantize(lib.quant.quantize(x, { rows, cols, perRow: true, rt: rts.simd }), { rt: rts.simd });
  for (const b of Object.values(bufs)) {
    const c = b.rt.arena.i8(b.c, n), y = b.rt.arena.f32(b.y, n);
    for (let i = 0; i < n; i += 997) if (c[i] !== codesJs[i] || y[i] !== yJs[i]) throw new Error(`quantize bench: ${b.rt.build} differs from JS at ${i}`);
  }
  for (let i = 0; i < n; i += 997) if (viaApi[i] !== yJs[i]) throw new Error(`quantize bench: quantize()+dequantize() differs from JS at ${i}`);
  const c = `int8 per-row q+dq ${n / 1e6}M floats`;
  const tasks = [
    { group: 'throughput', case: c, variant: 'simd', op: simdOp, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'scalar', op: scalarOp, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'api', op: api, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'js', op: () => jsQuantDequant(x, rows, cols, codesJs, scalesJs, yJs), work: n, rateUnit: 'Melem/s', inner: 1 },
  ];
  const measured = ctx.compare(tasks);
  rowsOut.push(...measured);
  for (const b of Object.values(bufs)) for (const p of [b.x, b.a, b.s, b.c, b.y]) b.rt.arena.free(p);
  const t = (v) => measured.find((r) => r.variant === v).nsPerOp;
  return { floats: n, simdVsJs: round(t('js') / t('simd'), 4), scalarVsJs: round(t('js') / t('scalar'), 4), apiVsJs: round(t('js') / t('api'), 4) };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. search

/**
 * Builds every table of `data` and its search variants, measures recall@10 against f32 over each query set and
 * times one query per operation (the first set's queries), all variants interleaved.
 * `querySets`: [{ name, rows?: number[] (table rows, excluded from their own results), vectors?: Float32Array[] }].
 */
function searchTable(ctx, lib, rt, o, data, querySets, rowsOut) {
  const { x, rows: n, cols, key, label } = data;
  const Kn = rt.kernels;
  const dense = lib.DenseMatrix.from(x, n, cols, rt);
  ctx.log(`search ${key}: building tables for ${n}×${cols}`);
  const built = {}, buildSec = {};
  const make = (name, opts) => {
    const t0 = performance.now();
    built[name] = lib.tables.quantizeMatrix(dense, opts);
    buildSec[name] = round((performance.now() - t0) / 1000, 4);
  };
  make('fp16', { scheme: 'fp16' });
  make('int8', { scheme: 'int8' });
  make('int8plain', { scheme: 'int8', center: false });
  make('int4', { scheme: 'int4' });
  make('binary', { scheme: 'binary' });
  if (o.pq) {
    make('pq', { scheme: 'pq', dsub: 2, seed: 1, ...(ctx.quick ? { iters: 4 } : {}) });
    ctx.log(`search ${key}: PQ dsub 2 trained and encoded in ${buildSec.pq.toFixed(1)} s`);
  }
  const cands = ctx.quick ? BIN_CANDIDATES_QUICK : BIN_CANDIDATES;
  const cands3 = ctx.quick ? BIN_CANDIDATES_QUICK.slice(-1) : BIN_CANDIDATES_3STAGE;
  const maxC = Math.max(...cands, ...cands3, RERANK_KEEP);
  const self = querySets.some((s) => s.rows);
  const kk = K + (self ? 1 : 0);
  const S = rt.arena.alloc(n * 4 + 16), S2 = rt.arena.alloc(maxC * 4 + 16);
  const A = rt.arena.alloc(maxC * 4 + 16), B = rt.arena.alloc(maxC * 4 + 16), P = rt.arena.alloc(maxC * 4 + 16), PV = rt.arena.alloc(maxC * 4 + 16);

  /**
   * A search variant is a cascade: the first stage proposes `keep` rows out of all (a table's scoreRows + topk_f32,
   * or the binary table's Hamming top-k), each further stage rescores the current candidates with a finer table
   * (f32: matvec_f32_gather; int8/int4: scoreSubset) and keeps its best `keep`. run(q) returns how many ids it left
   * in `out` (A or B).
   */
  const cascade = (first, ...rest) => {
    const v = { out: A };
    v.run = (q) => {
      let m;
      if (first.table === built.binary && first.hamming) m = built.binary.hammingTopK(built.binary.packQuery(q), first.keep, A);
      else { first.table.scoreRows(q, S); m = Kn.topk_f32(S, n, first.keep, A, PV); }
      let cur = A, nxt = B;
      for (const st of rest) {
        if (st.table === dense) Kn.matvec_f32_gather(dense.ptr, cols, cols, cur, m, q, S2);
        else st.table.scoreSubset(q, cur, m, S2);
        const got = Kn.topk_f32(S2, m, st.keep, P, PV);
        const pos = rt.arena.i32(P, got), from = rt.arena.i32(cur, m), to = rt.arena.i32(nxt, got);
        for (let j = 0; j < got; j++) to[j] = from[pos[j]];
        [cur, nxt] = [nxt, cur];
        m = got;
      }
      v.out = cur;
      return m;
    };
    v.ids = (got) => Array.from(rt.arena.i32(v.out, got));
    // each table once, with the search copy a Hamming stage makes (read after the searches: it is made on the first)
    Object.defineProperty(v, 'bytes', { get: () => [...new Set([first, ...rest].map((st) => st.table))].reduce((b, t) => b + t.bytes + (first.hamming && t === first.table ? t.searchBytes : 0), 0) });
    return v;
  };
  const hamming = (keep) => ({ table: built.binary, hamming: true, keep });
  const stage = (table, keep) => ({ table, keep });
  const variants = {
    f32: cascade(stage(dense, kk)),
    fp16: cascade(stage(built.fp16, kk)),
    int8: cascade(stage(built.int8, kk)),
    'int8 (no centre)': cascade(stage(built.int8plain, kk)),
    [`int8+f32@${RERANK_KEEP}`]: cascade(stage(built.int8, RERANK_KEEP), stage(dense, kk)),
    int4: cascade(stage(built.int4, kk)),
    [`int4+f32@${RERANK_KEEP}`]: cascade(stage(built.int4, RERANK_KEEP), stage(dense, kk)),
    binary: cascade(stage(built.binary, kk)),
    ...Object.fromEntries(cands.map((c) => [`bin+f32@${c}`, cascade(hamming(c), stage(dense, kk))])),
    ...Object.fromEntries(cands3.map((c) => [`bin+i8+f32@${c}`, cascade(hamming(c), stage(built.int8, RERANK_KEEP), stage(dense, kk))])),
    ...Object.fromEntries(cands3.map((c) => [`bin+i8@${c}`, cascade(hamming(c), stage(built.int8, kk))])),
    ...(built.pq ? { pq: cascade(stage(built.pq, kk)) } : {}),
  };
  // the same cascade through the library's public QuantizedIndexer (its own tables, built from the unit rows;
  // Float32Array queries; cosines), as a user runs it
  const kvIx = new lib.api.KeyedVectors(Array.from({ length: n }, (_, i) => `r${i}`), dense, { ownsMatrix: false });
  const indexers = [];
  const ixSpecs = [
    ...(ctx.quick ? INDEXER_CANDIDATES.slice(0, 1) : INDEXER_CANDIDATES).map((c) => [`index@${c}`, { coarse: 'binary', candidates: c, refine: ['int8', 'f32'], keep: RERANK_KEEP }]),
    [`index int8@${RERANK_KEEP}`, { coarse: 'int8', candidates: RERANK_KEEP, refine: ['f32'] }],
    // int8 codes and a 16-bit rerank table: no f32 table at search time (3 bytes per dimension)
    [`index int8+fp16@${RERANK_KEEP}`, { coarse: 'int8', candidates: RERANK_KEEP, refine: ['fp16'] }],
  ];
  for (const [name, spec] of ixSpecs) {
    const ix = new lib.api.QuantizedIndexer(kvIx, spec);
    indexers.push(ix);
    let lastIds = new Int32Array(0);
    variants[name] = {
      run: (_q, qv) => { lastIds = ix.search(qv, kk).indices; return lastIds.length; },
      ids: () => Array.from(lastIds),
      // the tables it reads: its own, and kv's f32 rows when a stage is 'f32'
      get bytes() { return (spec.refine.includes('f32') ? dense.bytes : 0) + ix.bytes; },
    };
  }
  const bytesOf = (name) => variants[name].bytes;

  // recall@10 against f32, per query set
  const recall = {};
  const pools = [];
  for (const set of querySets) {
    const qs = set.rows ? set.rows.map((i) => x.slice(i * cols, (i + 1) * cols)) : set.vectors;
    const ptrs = qs.map((q) => rt.arena.put(q));
    const top = (name, qi) => variants[name].ids(variants[name].run(ptrs[qi], qs[qi])).filter((i) => !set.rows || i !== set.rows[qi]).slice(0, K);
    const truth = qs.map((_, qi) => top('f32', qi));
    const truthSets = truth.map((t) => new Set(t));
    for (const name of Object.keys(variants)) {
      let hit = 0;
      for (let qi = 0; qi < qs.length; qi++) for (const i of top(name, qi)) if (truthSets[qi].has(i)) hit++;
      (recall[name] ??= {})[set.name] = round(hit / (qs.length * K), 4);
    }
    // tiled tables: how many of a query's true top-10 are copies of its own word (row j copies word j mod V)
    if (set.rows && data.V) {
      let own = 0;
      truth.forEach((t, qi) => { for (const i of t) if (i % data.V === set.rows[qi] % data.V) own++; });
      (data.ownCopiesInTop10 ??= {})[set.name] = round(own / qs.length, 4);
    }
    pools.push({ ptrs, vectors: qs });
    ctx.log(`search ${key}: recall@10 over ${qs.length} ${set.name} queries: ${Object.entries(recall).map(([v, r]) => `${v} ${r[set.name]}`).join(', ')}`);
  }

  // timing: one query per operation, cycling through the first set's queries
  const pool = pools[0].ptrs, poolVectors = pools[0].vectors;
  const c = `${label} ${n.toLocaleString('en-US')}×${cols} top-${K}`;
  const tasks = Object.keys(variants).filter((v) => !o.filter || o.filter.test(v)).map((name) => {
    const f = variants[name].run;
    let qi = 0;
    return {
      group: `search ${key}`, case: c, variant: name, rateUnit: 'queries/s',
      op: () => { const g = f(pool[qi], poolVectors[qi]); qi = (qi + 1) % pool.length; return g; },
      params: { rows: n, cols, recall10: recall[name], bytes: bytesOf(name), sizeVsF32: round(dense.bytes / bytesOf(name), 4) },
    };
  });
  const measured = ctx.compare(tasks, ctx.quick ? 1 : SEARCH_ROUNDS);
  for (const row of measured) row.rate = round(1e9 / row.nsPerOp, 4);
  rowsOut.push(...measured);
  for (const p of [...pools.flatMap((x) => x.ptrs), S, S2, A, B, P, PV]) rt.arena.free(p);
  for (const ix of indexers) ix.dispose();
  kvIx.dispose();
  for (const t of Object.values(built)) t.dispose();
  dense.dispose();
  const f32 = measured.find((r) => r.variant === 'f32');
  const summary = {};
  for (const row of measured) {
    summary[row.variant] = { nsPerQuery: row.nsPerOp, queriesPerSec: row.rate, speedVsF32: f32 ? round(f32.nsPerOp / row.nsPerOp, 4) : null, recall10: recall[row.variant], bytes: row.params.bytes };
  }
  return { key, label, rows: n, cols, buildSec, variants: summary, querySets: querySets.map((s) => ({ name: s.name, count: (s.rows ?? s.vectors).length })), ...(data.c10 ? { c10: data.c10 } : {}), ...(data.ownCopiesInTop10 ? { ownCopiesInTop10: data.ownCopiesInTop10 } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// targets

/** The issue's targets as metrics: { name, value, unit?, target, ok, note? }. */
function targetMetrics(res) {
  const m = [];
  const q = res.quality?.records;
  const rec = (id) => q?.find((r) => r.id === id);
  if (q) {
    const i8 = rec('int8'), i4 = rec('int4');
    m.push({ name: 'int8 per-row: WordSim-353 |Δρ| vs f32', value: round(Math.abs(i8.deltaRho), 4), target: `≤ ${TARGETS.int8Rho}`, ok: Math.abs(i8.deltaRho) <= TARGETS.int8Rho });
    m.push({ name: 'int8 per-row: analogy |Δ| vs f32', value: round(Math.abs(i8.deltaAnalogyPoints), 4), unit: 'points', target: `≤ ${TARGETS.int8AnalogyPoints} points`, ok: Math.abs(i8.deltaAnalogyPoints) <= TARGETS.int8AnalogyPoints });
    m.push({ name: 'int4 per-row: WordSim-353 |Δρ| vs f32', value: round(Math.abs(i4.deltaRho), 4), target: `≤ ${TARGETS.int4Rho}`, ok: Math.abs(i4.deltaRho) <= TARGETS.int4Rho });
    for (const id of ['binary', 'pq2', 'pq4']) {
      const r = rec(id);
      if (r) m.push({ name: `${r.label}: Δρ / Δanalogy vs f32`, value: `${fmtSigned(r.deltaRho, 4)} / ${fmtSigned(r.deltaAnalogyPoints, 2)} points` });
    }
    for (const [id, want] of [['int8', 4], ['int4', 8], ['binary', 32]]) {
      const r = rec(id);
      const bits = id === 'binary' ? `: the ${res.quality.cols} sign bits of a row take ${Math.ceil(res.quality.cols / 8)} bytes; the bits themselves are 32× fewer` : '';
      m.push({
        name: `${r.label}: size vs f32, codes / with scales${id === 'binary' ? ', α and centre' : ''}`,
        value: `${fix(r.codesVsF32)}× / ${fix(r.sizeVsF32)}×`, target: `${want}× (codes)`, ok: r.codesVsF32 >= want * 0.999,
        ...(r.codesVsF32 < want * 0.999 ? { note: `byte padding${bits}` } : {}),
      });
    }
  }
  if (res.throughput) {
    m.push({ name: `int8 per-row quantize + dequantize, ${res.throughput.floats / 1e6}M floats: wasm SIMD vs plain JS`, value: res.throughput.simdVsJs, unit: '×', target: `≥ ${TARGETS.throughput}×`, ok: res.throughput.simdVsJs >= TARGETS.throughput });
  }
  for (const s of res.search ?? []) {
    const v = s.variants;
    // recall is judged on the worst query set; every set's value is shown
    const sets = s.querySets.map((q) => q.name);
    const rc = (name) => Math.min(...sets.map((q) => v[name]?.recall10?.[q] ?? 0));
    const shown = (name) => `${fix(v[name].speedVsF32)}× / ${sets.map((q) => `${v[name].recall10[q]}${sets.length > 1 ? ` (${q})` : ''}`).join(', ')}`;
    const judge = (name, speed, recall) => v[name].speedVsF32 >= speed && rc(name) >= recall;
    const rr = `int8+f32@${RERANK_KEEP}`;
    if (v.int8) m.push({ name: `search ${s.label}: int8 speed vs f32 / recall@10`, value: shown('int8'), target: `≥ ${TARGETS.int8Speed}× / ≥ ${TARGETS.int8Recall}`, ok: judge('int8', TARGETS.int8Speed, TARGETS.int8Recall) });
    if (v[rr]) m.push({ name: `search ${s.label}: int8 + f32 rerank of the top ${RERANK_KEEP}, speed vs f32 / recall@10`, value: shown(rr), target: `≥ ${TARGETS.int8Speed}× / ≥ ${TARGETS.int8Recall}`, ok: judge(rr, TARGETS.int8Speed, TARGETS.int8Recall) });
    const ri = `index int8@${RERANK_KEEP}`;
    if (v[ri]) m.push({ name: `search ${s.label}: QuantizedIndexer int8 top ${RERANK_KEEP} → f32, speed vs f32 / recall@10`, value: shown(ri), target: `≥ ${TARGETS.int8Speed}× / ≥ ${TARGETS.int8Recall}`, ok: judge(ri, TARGETS.int8Speed, TARGETS.int8Recall) });
    const rh = `index int8+fp16@${RERANK_KEEP}`;
    if (v[rh]) m.push({ name: `search ${s.label}: QuantizedIndexer int8 top ${RERANK_KEEP} → fp16 (no f32 table), speed vs f32 / recall@10`, value: shown(rh), target: `≥ ${TARGETS.int8Speed}× / ≥ ${TARGETS.int8Recall}`, ok: judge(rh, TARGETS.int8Speed, TARGETS.int8Recall) });
    // binary + rerank: per cascade, the fastest candidate count that reaches the recall target, else the best recall
    for (const [prefix, what] of [['bin+f32@', 'binary Hamming top-N + f32 rerank'], ['bin+i8+f32@', 'binary Hamming top-N → int8 top-50 → f32 rerank'], ['index@', 'QuantizedIndexer (binary top-N → int8 top-50 → f32)']]) {
      const bins = Object.keys(v).filter((k) => k.startsWith(prefix));
      if (!bins.length) continue;
      const okRecall = bins.filter((b) => rc(b) >= TARGETS.binaryRecall).sort((a, b) => v[b].speedVsF32 - v[a].speedVsF32);
      const pick = okRecall[0] ?? [...bins].sort((a, b) => rc(b) - rc(a))[0];
      m.push({
        name: `search ${s.label}: ${what.replace('N', pick.split('@')[1])}, speed vs f32 / recall@10`,
        value: shown(pick), target: `≥ ${TARGETS.binarySpeed}× / ≥ ${TARGETS.binaryRecall}`,
        ok: judge(pick, TARGETS.binarySpeed, TARGETS.binaryRecall),
        note: okRecall.length ? `the fastest N of ${bins.map((b) => b.split('@')[1]).join(', ')} with recall ≥ ${TARGETS.binaryRecall} on every query set` : `no N of ${bins.map((b) => b.split('@')[1]).join(', ')} reaches recall ${TARGETS.binaryRecall} on every query set; the best shown`,
      });
    }
    if (v.pq) m.push({ name: `search ${s.label}: PQ dsub 2 speed vs f32 / recall@10`, value: shown('pq') });
  }
  return m;
}

function fmtSigned(x, digits) {
  if (!Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  if (Number(s) === 0) return s.replace('-', '');
  return x > 0 ? `+${s}` : s;
}

// ---------------------------------------------------------------------------------------------------------------
// run

export async function run(ctx) {
  const o = parseArgs(ctx.args ?? []);
  if (ctx.quick) { o.rows = Math.min(o.rows, 20_000); o.queries = Math.min(o.queries, 50); }
  const lib = await load(ctx.repoDir);
  const rts = {
    simd: await lib.createRuntime(undefined, { backend: 'simd', shared: false }),
    scalar: await lib.createRuntime(undefined, { backend: 'scalar', shared: false }),
  };
  const dataDir = join(ctx.repoDir, '..', 'shared', 'data');
  const want = (s) => o.sections.includes(s);
  const rows = [];
  const res = { config: { searchRows: o.rows, cols: o.cols, queries: o.queries, sections: o.sections, vectors: o.vectors ?? null, pq: o.pq } };
  const notes = [];

  let real; // the real vectors, for the tiled search table
  if (want('quality') || want('search')) {
    const vec = obtainVectors(ctx, o);
    try {
      if (want('quality')) {
        const q = await quality(ctx, lib, rts.simd, o, vec, dataDir);
        rows.push(...q.rows);
        real = { x: q.x, V: q.V, cols: q.cols };
        res.quality = { records: q.records, rows: q.V, cols: q.cols, queries: q.queries, analogySubset: q.analogySubset };
      } else {
        const kv = await lib.api.loadVectors(vec.path, { rt: rts.simd });
        real = { x: kv.matrix.data().slice(), V: kv.size, cols: kv.dim };
        kv.dispose();
      }
      res.vectors = { source: vec.source, ...(vec.command ? { command: vec.command } : {}), ...(vec.training ? { training: vec.training } : {}), rows: real.V, cols: real.cols };
    } finally {
      vec.cleanup();
    }
  }

  if (want('throughput') && (!o.filter || o.filter.test('throughput'))) res.throughput = throughput(ctx, lib, rts, rows);

  if (want('search')) {
    res.search = [];
    const nq = o.queries;
    const rnd = { key: 'random', label: 'random Gaussian', x: normalizeRows(gaussian(o.rows * o.cols, rng(3)), o.rows, o.cols), rows: o.rows, cols: o.cols };
    const qr = rng(5);
    const randomQueries = Array.from({ length: nq }, () => normalizeRows(gaussian(o.cols, qr), 1, o.cols));
    res.search.push(searchTable(ctx, lib, rts.simd, o, rnd, [{ name: 'random', vectors: randomQueries }], rows));
    rnd.x = null;
    if (real) {
      ctx.log(`search: tiling ${real.V} real vectors to ${o.rows} rows`);
      const tiled = tileVectors(lib, rts.simd, real.x, real.V, real.cols, o.rows, 9);
      const r = rng(13);
      const data = { key: 'brown', label: 'Brown tiled', V: real.V, c10: tiled.c10, x: tiled.x, rows: tiled.rows, cols: tiled.cols };
      const sets = [
        { name: 'frequent', rows: Array.from({ length: Math.min(nq, real.V) }, (_, i) => i) },
        { name: 'random', rows: Array.from({ length: nq }, () => Math.floor(r() * tiled.rows)) },
      ];
      res.search.push(searchTable(ctx, lib, rts.simd, o, data, sets, rows));
    }
    const realFile = o.searchVectors ?? join(BENCH_DIR, 'results', 'tmp', 'real100k', 'vec.bin');
    if (existsSync(realFile)) {
      // real word vectors with ≥ rows words: the first (most frequent) rows, unit length
      const kv = await lib.api.loadVectors(realFile, { rt: rts.simd, limit: o.rows });
      if (kv.size < o.rows) ctx.log(`search: ${realFile} has only ${kv.size} vectors; searching those`);
      const x = normalizeRows(kv.matrix.data().slice(), kv.size, kv.dim);
      const V = kv.size;
      kv.dispose();
      const r = rng(17);
      const data = { key: 'real', label: `real ${Math.round(V / 1000)}k`, x, rows: V, cols: x.length / V };
      const sets = [
        { name: 'frequent', rows: Array.from({ length: Math.min(nq, V) }, (_, i) => i) },
        { name: 'random', rows: Array.from({ length: nq }, () => Math.floor(r() * V)) },
      ];
      res.search.push(searchTable(ctx, lib, rts.simd, o, data, sets, rows));
      res.realVectors = { file: realFile, rows: V, training: readTrainJson(realFile) };
    } else {
      notes.push(`Search "real 100k" skipped: ${realFile} does not exist (make it with \`bash bench/data/real100k.sh\`, ~2 min).`);
    }
  }

  const metrics = targetMetrics(res);
  if (res.quality) {
    notes.push(`Quality: ${res.vectors.rows.toLocaleString('en-US')} × ${res.vectors.cols} vectors (${res.vectors.source}${res.vectors.training ? `, trained in ${fix(res.vectors.training.seconds)} s at ${Math.round(res.vectors.training.wordsPerSecond).toLocaleString('en-US')} words/s` : ''}). ` +
      `Spearman and analogy are computed by KeyedVectors on each table (queries are decoded rows; int8/int4 tables quantize the query to int8 for scoring). ` +
      `Analogy accuracy counts the questions whose four words are among the first 30,000 (${res.quality.records[0].analogy.total.toLocaleString('en-US')} of 19,544${res.quality.analogySubset !== 'all' ? `, ${res.quality.analogySubset}` : ''}); one question is ${fix(100 / res.quality.records[0].analogy.total)} points. ` +
      `Recall@10: \`mostSimilar(word, topn 10)\` against the f32 answer, over the ${res.quality.queries} most frequent words and ${res.quality.queries} random rows. ` +
      `PQ bytes include the 256-centroid codebook (${fix((256 * res.quality.cols * 4) / res.quality.rows)} B per vector here). ` +
      `${res.vectors.training ? 'Training with 2 threads is Hogwild and not bit-reproducible: each run trains a slightly different model, so compare the Δ columns, which are measured within one run; binary\'s Δρ in particular moved by several hundredths between models while we developed this suite.' : ''}`);
  }
  const brown = res.search?.find((s) => s.key === 'brown');
  if (brown) {
    notes.push(`Search "Brown tiled": the ${res.vectors.rows.toLocaleString('en-US')} real vectors (unit length) plus perturbed copies up to ${brown.rows.toLocaleString('en-US')} rows. ` +
      `A copy of word i is c_i·u_i + √(1 − c_i²)·e: it lies exactly at the cosine c_i of word i's 10th nearest real neighbour (median ${brown.c10.median}, 10–90 % ${brown.c10.p10}–${brown.c10.p90}), ` +
      `in the direction e of u_a − u_b for two random words a, b (made orthogonal to u_i, unit length). The table keeps the real vectors' shared direction and neighbour scale and is ${fix(brown.rows / res.vectors.rows)}× denser. ` +
      `Queries: the ${brown.querySets[0].count} most frequent words (real rows) and ${brown.querySets[1].count} random rows, the query row excluded; of their f32 top-10, ` +
      `${brown.ownCopiesInTop10.frequent} / ${brown.ownCopiesInTop10.random} are copies of the query's own word on average.`);
  }
  const realSearch = res.search?.find((s) => s.key === 'real');
  if (realSearch) {
    const real = realSearch, tr = res.realVectors.training;
    notes.push(`Search "${real.label}": the first (most frequent) ${real.rows.toLocaleString('en-US')} rows of ${tr?.vocabSize ? `${tr.vocabSize.toLocaleString('en-US')} ` : ''}real skip-gram vectors (dim 100) ` +
      `trained by \`bash bench/data/real100k.sh\`${tr?.words ? ` (${(tr.words / 5 / 1e6).toFixed(1)}M-token combined corpus of ../shared/data/tools/prep-corpus.js, min-count 2, 5 epochs, ${Math.round(tr.seconds)} s)` : ''}, scaled to unit length. ` +
      `Queries: the ${real.querySets[0].count} most frequent words and ${real.querySets[1].count} random rows (mostly rare words), the query row excluded. ` +
      `\`index@N\` is the library's \`QuantizedIndexer\` (binary top-N → int8 top 50 → f32; its own tables, built from the rows; Float32Array queries), i.e. the same cascade as \`bin+i8+f32@N\` through the public API. ` +
      `\`index int8+fp16@50\`: int8 top 50 rescored by an fp16 table, so no f32 table is read (bytes: the int8 and fp16 tables, 3 per dimension).`);
  }
  if (res.search) {
    notes.push('Search variants: `X+f32@N` / `bin+i8@N` take the coarse table\'s top N (binary: Hamming distance of the centred sign bits, hamming_topk_b1; int8/int4: their scoreRows + topk_f32) and rescore them with the f32 table (matvec_f32_gather) or the int8 table (scoreSubset) for the top 10. ' +
      `\`bin+i8+f32@N\` is a three-stage cascade: binary Hamming top N → int8 rescoring → its top ${RERANK_KEEP} → f32 rescoring → top 10. Bytes count every table a variant reads. ` +
      '`binary` alone scores every row exactly against the f32 query through byte lookup tables (score_b1_lut). Rows are unit vectors, so inner product = cosine; the f32 row is what KeyedVectors does minus the multiplication by the inverse norms.');
  }
  return { rows, metrics, notes, ...res, partial: Boolean(o.filter) || o.sections.length < 3 };
}

// ---------------------------------------------------------------------------------------------------------------
// report

/** The SVG of accuracy against size (WordSim-353 Spearman and analogy accuracy against bytes per vector). */
export function accuracyPlot(results) {
  const q = results.quality;
  const pts = q.records.map((r) => ({ x: r.bytesPerVector, label: QUALITY_SCHEMES.find((s) => s.id === r.id)?.short ?? r.id, color: FAMILY_COLORS[r.family] ?? '#777', r }));
  const f32 = q.records.find((r) => r.id === 'f32');
  const fams = [...new Set(q.records.map((r) => r.family))];
  return scatterPanels({
    title: 'Quantized Brown skip-gram vectors: accuracy against size',
    subtitle: `${q.rows.toLocaleString('en-US')} words × ${q.cols}, one point per scheme; bytes include scales, centre and codebooks`,
    x: { label: 'bytes per vector (log scale)', log: true },
    panels: [
      { yLabel: 'WordSim-353 Spearman ρ', reference: { y: f32.wordsim.spearman, label: `f32 ${f32.wordsim.spearman.toFixed(3)}` }, points: pts.map((p) => ({ ...p, y: p.r.wordsim.spearman })) },
      { yLabel: 'analogy accuracy (%)', reference: { y: f32.analogy.accuracy, label: `f32 ${f32.analogy.accuracy.toFixed(2)} %` }, points: pts.map((p) => ({ ...p, y: p.r.analogy.accuracy })) },
    ],
    legend: fams.map((f) => ({ label: FAMILY_LABELS[f] ?? f, color: FAMILY_COLORS[f] ?? '#777' })),
    footnote: `Analogy: ${f32.analogy.total.toLocaleString('en-US')} questions in vocabulary (restrictVocab 30000); one question = ${fix(100 / f32.analogy.total)} points. ${results.machine?.commit ? `Commit ${results.machine.commit}.` : ''}`,
  });
}

function renderTargets(metrics) {
  return table(['target', 'measured', 'goal', 'met'], metrics.map((m) => [
    m.name,
    `${typeof m.value === 'number' ? fix(m.value) : m.value}${m.unit ? ` ${m.unit}` : ''}`,
    m.target ?? 'reported',
    m.ok === undefined ? '–' : `${m.ok ? 'yes' : '**no**'}${m.note ? ` (${m.note})` : ''}`,
  ]));
}

function renderQuality(q) {
  const pct = (x) => (x === undefined ? '–' : fix(x));
  return table(
    ['scheme', 'bytes/vector', 'size vs f32 (table / codes)', 'MSE', 'SQNR dB', 'mean cos', 'WS-353 ρ', 'Δρ', 'analogy %', 'Δ points', 'mostSimilar q/s', 'vs f32', 'recall@10 frequent / random'],
    q.records.map((r) => [
      r.label, fix(r.bytesPerVector), `${fmtRatio(r.sizeVsF32)} / ${fmtRatio(r.codesVsF32)}`,
      r.error ? r.error.mse.toExponential(2) : '–', r.error ? fix(r.error.sqnrDb) : '–', r.error ? r.error.meanCosine.toFixed(5) : '–',
      r.wordsim.spearman.toFixed(4), r.id === 'f32' ? '–' : fmtSigned(r.deltaRho, 4),
      r.analogy.accuracy.toFixed(2), r.id === 'f32' ? '–' : fmtSigned(r.deltaAnalogyPoints, 2),
      pct(r.queriesPerSec), r.speedVsF32 ? fmtRatio(r.speedVsF32) : '–', `${fix(r.recall10.frequent)} / ${fix(r.recall10.random)}`,
    ]),
  );
}

function renderSearch(s, rows) {
  const gr = rows.filter((r) => r.group === `search ${s.key}`);
  const f32 = gr.find((r) => r.variant === 'f32');
  const sets = s.querySets.map((q) => q.name);
  return table(
    ['variant', 'time/query', 'queries/s', 'vs f32', ...sets.map((n) => `recall@10 (${n} queries)`), 'bytes', 'size vs f32'],
    gr.map((r) => [
      r.variant, fmtTime(r.nsPerOp), fix(1e9 / r.nsPerOp), f32 ? fmtRatio(f32.nsPerOp / r.nsPerOp) : '–',
      ...sets.map((n) => fix(r.params?.recall10?.[n])), (r.params?.bytes ?? 0).toLocaleString('en-US'), r.params?.sizeVsF32 ? fmtRatio(r.params.sizeVsF32) : '–',
    ]),
  );
}

/**
 * RESULTS.md section. For a full (not --quick) results file this also writes the accuracy plot next to the
 * results file (bench/results/quantize-accuracy-vs-size.svg), so the plot always matches the JSON it came from.
 */
export function render(results, opts = {}) {
  const out = [`## ${results.title}`, `Suite \`quantize\` · \`npm run bench -- quantize [--vectors FILE]\`${results.quick ? ' · **quick smoke run, not a measurement**' : ''}`];
  out.push(results.description ?? '', machineLine(results.machine, results));
  if (results.metrics?.length) out.push('### Targets (issue 4)', renderTargets(results.metrics));
  const rows = results.rows ?? [];
  if (results.quality) {
    out.push(`### Quality on Brown skip-gram vectors (${results.quality.rows.toLocaleString('en-US')} × ${results.quality.cols})`, renderQuality(results.quality));
    if (!results.quick && opts.writePlot !== false) {
      writeFileSync(join(BENCH_DIR, 'results', PLOT_FILE), accuracyPlot(results));
    }
    out.push(`![WordSim-353 Spearman and analogy accuracy against bytes per vector](results/${PLOT_FILE})`);
  }
  const tp = rows.filter((r) => r.group === 'throughput');
  if (tp.length) {
    out.push('### Throughput: int8 per-row quantize + dequantize', renderRows(tp, [
      { label: 'SIMD / JS', num: 'simd', den: 'js' }, { label: 'scalar / JS', num: 'scalar', den: 'js' }, { label: 'API / JS', num: 'api', den: 'js' }, { label: 'SIMD / scalar', num: 'simd', den: 'scalar' },
    ]));
    out.push('`simd`/`scalar`: absmax_f32_per_row → scales → quantize_affine_i8_per_row → dequantize_affine_i8_per_row on data already in wasm memory, in the SIMD and the scalar build; `api`: `quantize()` + `dequantize()` on JS arrays (SIMD build, copies in and out included); `js`: the same arithmetic in plain JavaScript. All four give bit-identical codes and values (checked). Melem/s counts input floats.');
  }
  for (const s of results.search ?? []) {
    out.push(`### Search: ${s.label}, ${s.rows.toLocaleString('en-US')} × ${s.cols}, top-${K}`, renderSearch(s, rows));
  }
  if (results.notes?.length) out.push(results.notes.map((n) => `- ${n}`).join('\n'));
  return out.filter(Boolean).join('\n\n');
}

// ---- standalone: node bench/quantize.bench.mjs [--quick] [options] [--markdown]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { measure, compare } = await import('./harness.mjs');
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const log = (m) => process.stderr.write(`[quantize] ${m}\n`);
  const show = (r) => log(`${r.case.padEnd(40)} ${r.variant.padEnd(14)} ${(r.nsPerOp / 1e3).toPrecision(4).padStart(10)} µs` +
    `${r.rate !== undefined ? `  ${r.rate.toPrecision(4)} ${r.rateUnit}` : ''}`);
  const ctx = {
    quick, args: argv.filter((a) => a !== '--quick' && a !== '--markdown'), repoDir: join(BENCH_DIR, '..'), log,
    measure: (t) => { const r = measure(t, { quick }); show(r); return r; },
    compare: (ts, rounds) => { const rs = compare(ts, { quick, rounds }); rs.forEach(show); return rs; },
  };
  const res = await run(ctx);
  if (argv.includes('--markdown')) console.log(render({ title, description, quick, ...res }, { writePlot: false }));
  for (const m of res.metrics) console.log(`${m.name}: ${m.value}${m.unit ? ' ' + m.unit : ''}${m.target ? `  (target ${m.target}${m.ok === undefined ? '' : m.ok ? ': met' : ': MISSED'})` : ''}`);
}
