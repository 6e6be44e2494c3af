// Quantization throughput and quantized search (assembly/quant, src/quantize, src/vectors/tables).
//
//   npm run bench -- quantize [--quick] [--rows 100000] [--cols 100] [--vectors file.vec] [--no-pq] [--filter regex]
//   node bench/quantize.bench.mjs [same options]          (standalone: prints the rows, writes nothing)
//
// 1. Quantize + dequantize 10M floats (100k × 100), int8 per row, symmetric min–max: the kernel pipeline
//    (absmax per row → scales → quantize_affine_i8_rows → dequantize_affine_i8_rows) in the SIMD and the scalar
//    build on data already in wasm memory (what quantizeMatrix does), the array API quantize()+dequantize()
//    (which also copies 40 MB in and out), and the same computation in plain JavaScript.
// 2. Search, rows × cols unit vectors, top-10 by inner product (= cosine), one query per operation:
//    f32 (DenseMatrix.scoreRows + topk_f32) vs fp16, int8, int4, binary (exact LUT scores), binary Hamming
//    top-100 reranked by f32 or int8, and PQ (dsub 2). Recall@10 is measured against the f32 top-10 over
//    held-out queries. Random Gaussian data by default; `--vectors` adds a real embedding table
//    (word2vec/fastText text format), where the queries are table rows and the query word itself is excluded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { round } from './harness.mjs';
import { fix, fmtRatio, fmtTime, machineLine, renderMetrics, renderRows, table } from './render.mjs';

export const title = 'Quantization: int8 throughput and quantized search';
export const description = [
  '**Throughput**: quantize + dequantize of 10M floats (100k rows × 100), int8, per-row symmetric scales (min–max).',
  '`simd`/`scalar`: the kernel pipeline on data already in wasm memory (absmax_f32_rows, scales, quantize_affine_i8_rows,',
  'dequantize_affine_i8_rows); `api`: `quantize()` + `dequantize()` on JS arrays (SIMD build, includes copying in and out);',
  '`js`: the same arithmetic in plain JavaScript (bit-identical codes, checked). Melem/s counts input floats.',
  '**Search**: top-10 of a rows × 100 table of unit vectors by inner product (cosine), one query per operation, all in the SIMD build.',
  '`f32` is DenseMatrix.scoreRows + topk_f32; each quantized table the same through its own scoreRows; `bin+f32@N`/`bin+i8@N` take the',
  'Hamming top-N of the (centred) binary table (hamming_topk_b1) and rerank it with the f32 / int8 table. Recall@10 is against the f32 top-10.',
].join(' ');

function parseArgs(args) {
  const o = { rows: 100_000, cols: 100, vectors: undefined, pq: true, filter: undefined, queries: 200 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rows') o.rows = +args[++i];
    else if (a === '--cols') o.cols = +args[++i];
    else if (a === '--vectors') o.vectors = args[++i];
    else if (a === '--queries') o.queries = +args[++i];
    else if (a === '--no-pq') o.pq = false;
    else if (a === '--filter') o.filter = new RegExp(args[++i]);
    else throw new Error(`quantize bench: unknown option ${a}`);
  }
  return o;
}

/** mulberry32 */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
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

/** word2vec / fastText text vectors: "count dim" then "word v1 … vdim" per line. */
function readVec(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const [n, d] = lines[0].trim().split(/\s+/).map(Number);
  const x = new Float32Array(n * d);
  let rows = 0;
  for (let i = 1; i < lines.length && rows < n; i++) {
    const parts = lines[i].trimEnd().split(' ');
    if (parts.length < d + 1) continue;
    for (let j = 0; j < d; j++) x[rows * d + j] = +parts[parts.length - d + j];
    rows++;
  }
  return { x: x.subarray(0, rows * d), rows, cols: d };
}

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

async function load(repoDir) {
  const d = (p) => pathToFileURL(join(repoDir, 'dist', p)).href;
  await import(d('index.node.js'));
  const [{ createRuntime }, quant, tables, { DenseMatrix }] = await Promise.all([
    import(d('runtime/runtime.js')), import(d('quantize/index.js')), import(d('vectors/tables/index.js')), import(d('vectors/matrix.js')),
  ]);
  return { createRuntime, quant, tables, DenseMatrix };
}

/** Throughput of int8 per-row quantize + dequantize (section 1). */
function throughput(ctx, lib, rts, o, rows) {
  const n = o.rows * o.cols;
  const x = gaussian(n, rng(1));
  const codesJs = new Int8Array(n), scalesJs = new Float32Array(o.rows), yJs = new Float32Array(n);
  const bufs = {};
  const pipeline = (rt) => {
    const b = bufs[rt.build] ?? (bufs[rt.build] = {
      x: rt.arena.put(x), a: rt.arena.alloc(o.rows * 4), s: rt.arena.alloc(o.rows * 4), c: rt.arena.alloc(n + 16), y: rt.arena.alloc(n * 4),
    });
    return () => {
      rt.kernels.absmax_f32_rows(b.x, o.rows, o.cols, b.a);
      const a = rt.arena.f32(b.a, o.rows), s = rt.arena.f32(b.s, o.rows);
      for (let r = 0; r < o.rows; r++) s[r] = a[r] > 0 ? Math.fround(a[r] / 127) : 1;
      rt.kernels.quantize_affine_i8_rows(b.x, o.rows, o.cols, b.s, 0, -128, 127, b.c);
      rt.kernels.dequantize_affine_i8_rows(b.c, o.rows, o.cols, b.s, 0, b.y);
    };
  };
  const simdOp = pipeline(rts.simd), scalarOp = pipeline(rts.scalar);
  // returns a number: the harness sums op() results into a sink (a 10M-element array would be stringified)
  const api = () => lib.quant.dequantize(lib.quant.quantize(x, { rows: o.rows, cols: o.cols, perRow: true, rt: rts.simd }), { rt: rts.simd }).length;
  // the four agree bit for bit
  simdOp(); scalarOp(); jsQuantDequant(x, o.rows, o.cols, codesJs, scalesJs, yJs);
  const viaApi = lib.quant.dequantize(lib.quant.quantize(x, { rows: o.rows, cols: o.cols, perRow: true, rt: rts.simd }), { rt: rts.simd });
  const checks = [
    ['simd codes', rts.simd.arena.i8(bufs.simd.c, n)], ['scalar codes', rts.scalar.arena.i8(bufs.scalar.c, n)],
  ];
  for (const [name, c] of checks) for (let i = 0; i < n; i += 997) if (c[i] !== codesJs[i]) throw new Error(`${name} differ from JS at ${i}`);
  for (let i = 0; i < n; i += 997) if (viaApi[i] !== yJs[i] || rts.simd.arena.f32(bufs.simd.y, n)[i] !== yJs[i]) throw new Error(`dequantized values differ at ${i}`);
  const c = `int8 per-row q+dq ${(n / 1e6).toFixed(0)}M`;
  const tasks = [
    { group: 'throughput', case: c, variant: 'simd', op: simdOp, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'scalar', op: scalarOp, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'api', op: api, work: n, rateUnit: 'Melem/s', inner: 1 },
    { group: 'throughput', case: c, variant: 'js', op: () => jsQuantDequant(x, o.rows, o.cols, codesJs, scalesJs, yJs), work: n, rateUnit: 'Melem/s', inner: 1 },
  ];
  rows.push(...ctx.compare(tasks));
  for (const b of Object.entries(bufs)) {
    const rt = b[0] === 'simd' ? rts.simd : rts.scalar;
    for (const p of Object.values(b[1])) rt.arena.free(p);
  }
}

/** Search over one table (section 2): rows of timing plus recall@10 and sizes. */
function search(ctx, lib, rt, o, rows, data, label, selfQueries) {
  const { x, rows: n, cols } = data;
  const { tables, DenseMatrix } = lib;
  const k = 10;
  const dense = DenseMatrix.from(x, n, cols, rt);
  ctx.log(`${label}: building tables for ${n}×${cols}`);
  const built = {};
  const t0 = performance.now();
  built.fp16 = tables.quantizeMatrix(dense, { scheme: 'fp16' });
  built.int8 = tables.quantizeMatrix(dense, { scheme: 'int8' });
  built.int4 = tables.quantizeMatrix(dense, { scheme: 'int4' });
  built.binary = tables.quantizeMatrix(dense, { scheme: 'binary' });
  const tBuild = performance.now() - t0;
  let pqSec;
  if (o.pq) {
    const t1 = performance.now();
    built.pq = tables.quantizeMatrix(dense, { scheme: 'pq', dsub: 2, seed: 1, iters: ctx.quick ? 4 : 25 });
    pqSec = (performance.now() - t1) / 1000;
    ctx.log(`${label}: PQ dsub 2 trained and encoded in ${pqSec.toFixed(1)} s`);
  }
  // queries: held-out random unit vectors, or table rows (the word itself is then excluded from its results).
  // With table rows, two query sets: the first `frequent` rows (frequent words, the usual similarity queries) and
  // rows drawn from the whole table (rare words included).
  const nq = ctx.quick ? 20 : o.queries;
  const r = rng(7);
  const frequent = Math.min(n, 5000);
  const sets = selfQueries
    ? [['frequent', Array.from({ length: nq }, () => Math.floor(r() * frequent))], ['all', Array.from({ length: nq }, () => Math.floor(r() * n))]]
    : [['random', Array.from({ length: nq }, () => -1)]];
  const S = rt.arena.alloc(n * 4 + 16), S2 = rt.arena.alloc(1000 * 4 + 16);
  const I = rt.arena.alloc(1001 * 4), V = rt.arena.alloc(1001 * 4), I2 = rt.arena.alloc((k + 1) * 4), V2 = rt.arena.alloc((k + 1) * 4);
  const K = rt.kernels;
  const kk = selfQueries ? k + 1 : k;
  const twoStage = (fine, cand) => (q) => {
    const m = built.binary.hammingTopK(built.binary.packQuery(q), cand, I);
    if (fine === dense) K.matvec_f32_rows(dense.ptr, cols, cols, I, m, q, S2);
    else fine.scoreSubset(q, I, m, S2);
    return -K.topk_f32(S2, m, kk, I2, V2); // negative: the ids are I[I2[j]]
  };
  /** One search: returns the number of results (negative for the two-stage variants, see ids()). */
  const variants = {
    f32: (q) => { dense.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); },
    fp16: (q) => { built.fp16.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); },
    int8: (q) => { built.int8.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); },
    int4: (q) => { built.int4.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); },
    binary: (q) => { built.binary.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); },
    'bin+f32@100': twoStage(dense, 100),
    'bin+f32@500': twoStage(dense, 500),
    'bin+i8@500': twoStage(built.int8, 500),
  };
  if (built.pq) variants.pq = (q) => { built.pq.scoreRows(q, S); return K.topk_f32(S, n, kk, I, V); };
  const ids = (got) => {
    if (got >= 0) return Array.from(rt.arena.i32(I, got));
    const pos = rt.arena.i32(I2, -got), first = rt.arena.i32(I, 1000);
    return Array.from(pos, (p) => first[p]);
  };
  const recall = {};
  let qPtrs;
  for (const [setName, qIdx] of sets) {
    const qs = qIdx.map((i) => (i >= 0 ? x.slice(i * cols, (i + 1) * cols) : normalizeRows(gaussian(cols, r), 1, cols)));
    const ptrs = qs.map((q) => rt.arena.put(q));
    const top = (name, qi) => ids(variants[name](ptrs[qi])).filter((i) => qIdx[qi] < 0 || i !== qIdx[qi]).slice(0, k);
    const truth = qs.map((_, qi) => new Set(top('f32', qi)));
    for (const name of Object.keys(variants)) {
      let hit = 0;
      for (let qi = 0; qi < nq; qi++) hit += top(name, qi).filter((i) => truth[qi].has(i)).length;
      (recall[name] ??= {})[setName] = round(hit / (nq * k), 4);
    }
    if (!qPtrs) qPtrs = ptrs; // the first set is the one timed
    else ptrs.forEach((p) => rt.arena.free(p));
  }
  const bytes = { f32: dense.bytes, 'bin+f32@100': built.binary.bytes + dense.bytes, 'bin+f32@500': built.binary.bytes + dense.bytes, 'bin+i8@500': built.binary.bytes + built.int8.bytes };
  for (const [name, t] of Object.entries(built)) bytes[name] = t.bytes;
  // the timed operation: one query, cycling through the pool
  let qi = 0;
  const c = `${label} ${n}×${cols} top-${k}`;
  const tasks = Object.keys(variants).filter((v) => !o.filter || o.filter.test(v)).map((name) => {
    const f = variants[name];
    return {
      group: `search (${label})`, case: c, variant: name, rateUnit: 'queries/s',
      op: () => { const g = f(qPtrs[qi]); qi = (qi + 1) % nq; return g; },
      params: { rows: n, cols, recall10: recall[name][sets[0][0]], ...(sets.length > 1 ? { recall10All: recall[name].all } : {}), bytes: bytes[name], sizeVsF32: round(dense.bytes / bytes[name], 3) },
    };
  });
  const measured = ctx.compare(tasks);
  for (const row of measured) row.rate = round(1e9 / row.nsPerOp, 4);
  rows.push(...measured);
  for (const p of [...qPtrs, S, S2, I, V, I2, V2]) rt.arena.free(p);
  for (const t of Object.values(built)) t.dispose();
  dense.dispose();
  return { recall, bytes, pqSec, buildMs: tBuild, rowsOf: measured };
}

export async function run(ctx) {
  const o = parseArgs(ctx.args ?? []);
  if (ctx.quick) { o.rows = Math.min(o.rows, 20_000); o.queries = 20; }
  const lib = await load(ctx.repoDir);
  const rts = {
    simd: await lib.createRuntime(undefined, { backend: 'simd', shared: false }),
    scalar: await lib.createRuntime(undefined, { backend: 'scalar', shared: false }),
  };
  const rows = [];
  const metrics = [];
  const notes = [];
  const config = { rows: o.rows, cols: o.cols, queries: o.queries, vectors: o.vectors ?? null };

  if (!o.filter || o.filter.test('throughput')) {
    throughput(ctx, lib, rts, o, rows);
    const t = (v) => rows.find((r) => r.group === 'throughput' && r.variant === v)?.nsPerOp;
    const m = `${((o.rows * o.cols) / 1e6).toFixed(0)}M floats`;
    metrics.push({ name: `int8 per-row quantize+dequantize, ${m}: SIMD kernels vs plain JS`, value: round(t('js') / t('simd'), 3), unit: '×', target: '≥ 10×', ok: t('js') / t('simd') >= 10 });
    metrics.push({ name: `int8 per-row quantize+dequantize, ${m}: scalar kernels vs plain JS`, value: round(t('js') / t('scalar'), 3), unit: '×' });
    metrics.push({ name: `int8 per-row quantize+dequantize, ${m}: quantize()+dequantize() array API (copies included) vs plain JS`, value: round(t('js') / t('api'), 3), unit: '×' });
  }

  const runSearch = (data, label, selfQueries) => {
    const res = search(ctx, lib, rts.simd, o, rows, data, label, selfQueries);
    const t = (v) => res.rowsOf.find((r) => r.variant === v)?.nsPerOp;
    const sp = (v) => round(t('f32') / t(v), 3);
    const rec = (v) => Object.entries(res.recall[v]).map(([set, x]) => (Object.keys(res.recall[v]).length > 1 ? `${x} (${set})` : `${x}`)).join(', ');
    const first = (v) => Object.values(res.recall[v])[0];
    if (t('int8')) metrics.push({ name: `${label}: int8 speed vs f32 / recall@10`, value: `${sp('int8')}× / ${rec('int8')}`, target: '≥ 2× / ≥ 0.99', ok: sp('int8') >= 2 && first('int8') >= 0.99 });
    for (const v of ['bin+f32@100', 'bin+f32@500']) if (t(v)) metrics.push({ name: `${label}: binary+rerank(f32), ${v.split('@')[1]} candidates, speed vs f32 / recall@10`, value: `${sp(v)}× / ${rec(v)}`, target: '≥ 5× / ≥ 0.95', ok: sp(v) >= 5 && first(v) >= 0.95 });
    for (const v of ['bin+i8@500', 'fp16', 'int4', 'binary', 'pq']) if (t(v)) metrics.push({ name: `${label}: ${v} speed vs f32 / recall@10`, value: `${sp(v)}× / ${rec(v)}` });
    // sizes: the whole table (codes + per-row scales/α + μ/codebooks) and the codes alone (target: 4×, 8×, 32×)
    const codes = { int8: data.rows * data.cols, int4: data.rows * Math.ceil(data.cols / 2), binary: data.rows * Math.ceil(data.cols / 8), pq: data.rows * Math.ceil(data.cols / 2) };
    metrics.push({
      name: `${label}: size vs f32, whole table / codes only (int8, int4, binary, pq dsub 2); targets 4×, 8×, 32× plus scales`,
      value: ['int8', 'int4', 'binary', 'pq'].filter((v) => res.bytes[v]).map((v) => `${v} ${round(res.bytes.f32 / res.bytes[v], 3)}× / ${round(res.bytes.f32 / codes[v], 3)}×`).join(', '),
    });
    if (res.pqSec !== undefined) metrics.push({ name: `${label}: PQ dsub 2 training + encoding`, value: round(res.pqSec, 3), unit: 's' });
  };

  const rnd = { x: normalizeRows(gaussian(o.rows * o.cols, rng(3)), o.rows, o.cols), rows: o.rows, cols: o.cols };
  runSearch(rnd, 'random', false);
  if (o.vectors) {
    const v = readVec(o.vectors);
    normalizeRows(v.x, v.rows, v.cols);
    config.vectorRows = v.rows;
    runSearch(v, 'real', true);
    notes.push(`Real vectors: ${o.vectors} (${v.rows}×${v.cols}), rows normalised. Queries are table rows, the query word excluded: recall10 is over ${o.queries} rows among the first 5000 (frequent words), recall10All over ${o.queries} rows of the whole table (rare words, whose vectors crowd together with cosines within 1e-3 of each other, included).`);
  } else {
    notes.push('No real vectors given (--vectors file.vec): recall on random Gaussian data is a worst case (neighbours barely closer than the rest).');
  }
  notes.push('Sizes are the tables\' `bytes` (codes + per-row scales/α + codebooks); bin+f32 / bin+i8 hold both tables.');
  notes.push('Recall@10 per variant is in each row\'s params (recall10), with bytes and sizeVsF32.');
  return {
    rows, metrics, notes, config,
    ratios: [
      { label: 'SIMD / JS', num: 'simd', den: 'js' }, { label: 'SIMD / scalar', num: 'simd', den: 'scalar' },
      { label: 'int8 / f32', num: 'int8', den: 'f32' }, { label: 'bin+f32@500 / f32', num: 'bin+f32@500', den: 'f32' },
    ],
    partial: Boolean(o.filter),
  };
}

/** RESULTS.md section: the throughput table, then one table per searched table with time, recall and size per scheme. */
export function render(results) {
  const out = [`## ${results.title}`, `Suite \`quantize\` · \`npm run bench -- quantize [--vectors file.vec]\`${results.quick ? ' · **quick smoke run, not a measurement**' : ''}`];
  out.push(results.description ?? '', machineLine(results.machine, results), renderMetrics(results.metrics));
  const rows = results.rows ?? [];
  const tp = rows.filter((r) => r.group === 'throughput');
  if (tp.length) out.push('### throughput', renderRows(tp, results.ratios.filter((q) => ['simd', 'scalar', 'js', 'api'].includes(q.num))));
  for (const g of [...new Set(rows.filter((r) => r.group !== 'throughput').map((r) => r.group))]) {
    const gr = rows.filter((r) => r.group === g);
    const f32 = gr.find((r) => r.variant === 'f32');
    const all = gr.some((r) => r.params?.recall10All !== undefined);
    out.push(`### ${g}: ${gr[0].case}`, table(
      ['scheme', 'time/query', 'queries/s', 'vs f32', all ? 'recall@10 (frequent-word queries)' : 'recall@10', ...(all ? ['recall@10 (all queries)'] : []), 'bytes', 'size vs f32'],
      gr.map((r) => [r.variant, fmtTime(r.nsPerOp), fix(1e9 / r.nsPerOp), f32 ? fmtRatio(f32.nsPerOp / r.nsPerOp) : '–', fix(r.params?.recall10),
        ...(all ? [fix(r.params?.recall10All)] : []), (r.params?.bytes ?? 0).toLocaleString('en-US'), r.params?.sizeVsF32 ? fmtRatio(r.params.sizeVsF32) : '–']),
    ));
  }
  if (results.notes?.length) out.push(results.notes.map((n) => `- ${n}`).join('\n'));
  return out.filter(Boolean).join('\n\n');
}

// ---- standalone: node bench/quantize.bench.mjs [--quick] [options]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { measure, compare } = await import('./harness.mjs');
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const log = (m) => process.stderr.write(`[quantize] ${m}\n`);
  const show = (r) => log(`${r.case.padEnd(34)} ${r.variant.padEnd(8)} ${(r.nsPerOp / 1e3).toPrecision(4).padStart(10)} µs` +
    `${r.rate !== undefined ? `  ${r.rate.toPrecision(4)} ${r.rateUnit}` : ''}${r.params?.recall10 !== undefined ? `  recall@10 ${r.params.recall10}` : ''}`);
  const ctx = {
    quick, args: argv.filter((a) => a !== '--quick' && a !== '--markdown'), repoDir: join(new URL('.', import.meta.url).pathname, '..'), log,
    measure: (t) => { const r = measure(t, { quick }); show(r); return r; },
    compare: (ts, rounds) => { const rs = compare(ts, { quick, rounds }); rs.forEach(show); return rs; },
  };
  const res = await run(ctx);
  if (argv.includes('--markdown')) console.log(render({ title, description, quick, ...res }));
  for (const m of res.metrics) console.log(`${m.name}: ${m.value}${m.unit ? ' ' + m.unit : ''}${m.target ? `  (target ${m.target}${m.ok === undefined ? '' : m.ok ? ': met' : ': MISSED'})` : ''}`);

}
