// Inference layers (issue 11): own f32 / int8 / binary layers vs onnxruntime-web 1.30's wasm backend (one thread),
// in the same process, on the same weights.
//
//   bash bench/peers/install.sh   (or: cd bench/peers && npm ci --ignore-scripts)   installs onnxruntime-web + onnx-proto
//   npm run bench -- inference [--quick]
//   QX_SHAPES='[[1,768,768]]' node --experimental-wasm-relaxed-simd --expose-gc bench/inference.bench.mjs '{"quick":false,"repoDir":"."}'
//                                 a look at some shapes only (the child alone: prints to stderr, writes nothing)
//
// Shapes (M, K, N): (1,768,768), (1,768,3072), (32,768,768), (128,256,256). Variants per shape:
//   own-f32      Linear (packed f32 GEMM/GEMV)
//   own-int8     Int8Linear.fromFloat, dynamic per-row int8 activations, f32 out (the library's own scheme)
//   own-dql      Int8Linear.fromQuantized with DynamicQuantizeLinear semantics + MatMulInteger + scale (f32 out):
//                the same computation as ort-int8-dyn
//   own-qlinear  Int8Linear.fromQuantized, uint8 in → uint8 out (QLinearMatMul), the same computation as ort-qlinear
//   own-binary   BinaryLinear (XNOR-popcount)
//   own-int8-7b  Int8Linear.fromFloat with reduceRange (7-bit weights) on the SIMD build (standard int8 × int16 kernels)
//   rlx-int8     the same layer on the simd-relaxed build (the int8 × 7-bit relaxed-SIMD kernel): bit-identical outputs
//   rlx-dql      own-dql with 7-bit weights (per-tensor, [−63, 63], as quantize_dynamic's reduce_range) on simd-relaxed
//   rlx-qlinear  own-qlinear with the same 7-bit weights on simd-relaxed
//   ort-f32      MatMul;  ort-int8-dyn  DynamicQuantizeLinear → MatMulInteger → Cast → Mul;  ort-qlinear  QLinearMatMul
// Each variant is timed in interleaved rounds (own, ort, own, …) so load from other work hits all alike; GOP/s
// counts 2·M·K·N operations (a multiply-add = 2). Per-call overhead: a 1×16×16 Linear's forwardInto vs ort's run.
// The rlx-* variants need relaxed SIMD: on Node 20 the whole suite re-runs itself in a child
// `node --experimental-wasm-relaxed-simd` (so every variant and the peer are still timed side by side in one process);
// where that fails, the suite runs without them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { median, round, rng } from './harness.mjs';
import { machineLine } from './render.mjs';

export const title = 'Inference layers vs onnxruntime-web (wasm, 1 thread)';
export const description = [
  'GOP/s (2·M·K·N per call) of quantext\'s Linear (f32), Int8Linear (int8 weights, int32 accumulation) and BinaryLinear',
  'against onnxruntime-web 1.30.0\'s wasm backend with one thread (MatMul; DynamicQuantizeLinear + MatMulInteger; QLinearMatMul),',
  'built with onnx-proto on the same weights, timed in the same Node process in interleaved rounds. Ratios are speed-ups over',
  'the named peer: the median over rounds of each round\'s paired ratio (GOP/s columns are each variant\'s median over rounds).',
  'The machine is shared with other work: compare ratios, not absolute figures across runs.',
].join(' ');

const SHAPES = process.env.QX_SHAPES ? JSON.parse(process.env.QX_SHAPES) : [[1, 768, 768], [1, 768, 3072], [32, 768, 768], [128, 256, 256]];

function randomF32(n, r, scale = 1) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/** Median ns per call of `fn` (sync or async) over `samples` samples of `inner` calls. */
async function timeNs(fn, samples, minMs) {
  // a full collection first, so that no variant pays for the garbage of the one timed before it (onnxruntime-web's
  // run() allocates its output tensors on every call; their collection used to land in the next variant's samples)
  globalThis.gc?.();
  // calibrate inner so that a sample lasts ≥ minMs
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) { const p = fn(); if (p && p.then) await p; }
    const dt = performance.now() - t0;
    if (dt >= minMs || inner > 1e6) break;
    inner *= dt > 0 ? Math.min(10, Math.max(2, Math.ceil(minMs / dt))) : 10;
  }
  const xs = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) { const p = fn(); if (p && p.then) await p; }
    xs.push(((performance.now() - t0) * 1e6) / inner);
  }
  return { ns: median(xs), inner };
}

async function loadOrt(repoDir, log) {
  const peers = join(repoDir, 'bench', 'peers', 'node_modules');
  if (!existsSync(join(peers, 'onnxruntime-web')) || !existsSync(join(peers, 'onnx-proto'))) {
    log('onnxruntime-web / onnx-proto not installed (bash bench/peers/install.sh): own variants only');
    return undefined;
  }
  const req = createRequire(join(repoDir, 'bench', 'peers', 'package.json'));
  const ort = await import(pathToFileURL(req.resolve('onnxruntime-web')).href);
  const { onnx } = req('onnx-proto');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  return { ort: ort.default ?? ort, onnx, wasmFile: join(peers, 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm') };
}

const T = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6 };

function tensor(onnx, name, type, dims, data) {
  const t = { name, dataType: type, dims };
  if (type === T.FLOAT) t.floatData = Array.from(data);
  else if (type === T.INT32 || type === T.INT8 || type === T.UINT8) t.int32Data = Array.from(data);
  return onnx.TensorProto.create(t);
}
function vinfo(onnx, name, type, dims) {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
}
function model(onnx, nodes, inits, inputs, outputs) {
  const graph = onnx.GraphProto.create({ name: 'g', node: nodes.map((n) => onnx.NodeProto.create(n)), initializer: inits, input: inputs, output: outputs });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'quantext-bench', graph })).finish();
}

const BUILDS = ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt'];
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

export async function run(ctx) {
  const { quick, log, repoDir } = ctx;
  const q = await import(pathToFileURL(join(repoDir, 'dist', 'index.node.js')).href);
  if (!q.relaxedSupported() && !process.execArgv.includes(RELAXED_FLAG)) {
    log(`this Node runs no relaxed SIMD: running the suite in a child node ${RELAXED_FLAG}`);
    // --no-liftoff: every function (ours and onnxruntime's) compiled by TurboFan from the first call, so that no peer
    // is timed in baseline code. (Node 20's V8 11 lowers the fused relaxed dot-add to five instructions, not vpdpbusd,
    // so the loader keeps the unfused dot there; Deno's V8 emits vpdpbusd: see the README's inference lines.)
    const r = spawnSync(process.execPath, [RELAXED_FLAG, '--no-liftoff', '--expose-gc', fileURLToPath(import.meta.url), JSON.stringify({ quick, repoDir })], {
      stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20,
    });
    if (r.status === 0) return JSON.parse(r.stdout);
    log(`the child failed (exit ${r.status}): measuring without the relaxed build`);
  }
  return measureAll(ctx, q);
}

async function measureAll(ctx, q) {
  const { quick, log, repoDir } = ctx;
  // the default runtime stays the standard SIMD build; the relaxed build is its own runtime for the rlx-* variants
  const rt = await q.init(undefined, { backend: 'simd' });
  log(`quantext backend ${rt.backend} (${rt.build})`);
  let rrt;
  if (q.relaxedSupported()) {
    rrt = await q.createRuntime(undefined, { backend: 'relaxed', shared: rt.shared });
    log(`relaxed build ${rrt.build}, fused dot-add ${rrt.fusedDotAdd}`);
    if (rrt.int8x7 === false) {
      // (Bun) Int8Linear keeps the int16 kernels in this runtime: the rlx-* layers would time own-int8-7b again
      log('this runtime keeps the int16 kernels for 7-bit layers (rt.int8x7 false): rlx-* variants skipped');
      rrt = undefined;
    }
  } else log('no relaxed SIMD in this runtime: rlx-* variants skipped');
  const peer = await loadOrt(repoDir, log);
  const probeStart = hostProbe(q, quick);
  log(`host probe at the start: ${probeText(probeStart)}`);
  const rounds = quick ? 1 : 7, samples = quick ? 3 : 5, minMs = quick ? 5 : 20;
  const rows = [];
  const r = rng(42);

  for (const [M, K, N] of SHAPES) {
    const w = randomF32(N * K, r, 0.05); // out × in
    const x = randomF32(M * K, r);
    const wt = new Float32Array(K * N); // in × out (ONNX B)
    for (let j = 0; j < N; j++) for (let c = 0; c < K; c++) wt[c * N + j] = w[j * K + c];
    // int8 weights for the ONNX-semantics variants: per-tensor symmetric like onnxruntime's quantize_dynamic
    let mx = 0;
    for (const v of w) mx = Math.max(mx, Math.abs(v));
    const bScale = Math.fround(mx / 127);
    const bq = Int8Array.from(wt, (v) => Math.max(-127, Math.min(127, Math.round(v / bScale))));
    const dq = q.dynamicQuantizeLinear(x);
    const yScale = 0.05, yZp = 128;
    // 7-bit weights (reduce_range): per tensor, symmetric in [−63, 63]
    const bScale7 = Math.fround(mx / 63);
    const bq7 = Int8Array.from(wt, (v) => Math.max(-63, Math.min(63, Math.round(v / bScale7))));

    const own = {
      'own-f32': q.Linear.fromFloat(w, N, K, undefined, { maxBatch: M }),
      'own-int8': q.Int8Linear.fromFloat(w, N, K, undefined, { maxBatch: M }),
      'own-dql': q.Int8Linear.fromQuantized({ outFeatures: N, inFeatures: K, weights: bq, weightScale: bScale, input: { mode: 'dynamic-uint8' }, output: { mode: 'f32' }, maxBatch: M }),
      'own-qlinear': q.Int8Linear.fromQuantized({ outFeatures: N, inFeatures: K, weights: bq, weightScale: bScale, input: { mode: 'static', type: 'uint8', scale: dq.scale, zeroPoint: dq.zeroPoint }, output: { mode: 'uint8', scale: yScale, zeroPoint: yZp }, maxBatch: M }),
      'own-binary': q.BinaryLinear.fromFloat(w, N, K, undefined, { maxBatch: M }),
    };
    const dqlSpec = (r) => ({ rt: r, outFeatures: N, inFeatures: K, weights: bq7, weightScale: bScale7, input: { mode: 'dynamic-uint8' }, output: { mode: 'f32' }, maxBatch: M });
    const qlSpec = (r) => ({ rt: r, outFeatures: N, inFeatures: K, weights: bq7, weightScale: bScale7, input: { mode: 'static', type: 'uint8', scale: dq.scale, zeroPoint: dq.zeroPoint }, output: { mode: 'uint8', scale: yScale, zeroPoint: yZp }, maxBatch: M });
    if (rrt) {
      own['own-int8-7b'] = q.Int8Linear.fromFloat(w, N, K, undefined, { maxBatch: M, reduceRange: true });
      own['rlx-int8'] = q.Int8Linear.fromFloat(w, N, K, undefined, { rt: rrt, maxBatch: M, reduceRange: true });
      own['rlx-dql'] = q.Int8Linear.fromQuantized(dqlSpec(rrt));
      own['rlx-qlinear'] = q.Int8Linear.fromQuantized(qlSpec(rrt));
      for (const nm of ['rlx-int8', 'rlx-dql', 'rlx-qlinear']) if (!own[nm].relaxed) throw new Error(`${nm} does not run the relaxed kernel`);
    }
    const yF = new Float32Array(M * N), yU8 = new Uint8Array(M * N);
    const fns = {
      'own-f32': () => own['own-f32'].forwardInto(x, yF, M),
      'own-int8': () => own['own-int8'].forwardInto(x, yF, M),
      'own-dql': () => own['own-dql'].forwardInto(x, yF, M),
      'own-qlinear': () => own['own-qlinear'].forwardInt(dq.data, M, yU8),
      'own-binary': () => own['own-binary'].forwardInto(x, yF, M),
    };
    const yF2 = new Float32Array(M * N), yU82 = new Uint8Array(M * N);
    if (rrt) {
      fns['own-int8-7b'] = () => own['own-int8-7b'].forwardInto(x, yF, M);
      fns['rlx-int8'] = () => own['rlx-int8'].forwardInto(x, yF, M);
      fns['rlx-dql'] = () => own['rlx-dql'].forwardInto(x, yF, M);
      fns['rlx-qlinear'] = () => own['rlx-qlinear'].forwardInt(dq.data, M, yU8);
      // the relaxed build's outputs are the SIMD build's, bit for bit (same 7-bit weights)
      const sd = q.Int8Linear.fromQuantized(dqlSpec(undefined)), sq = q.Int8Linear.fromQuantized(qlSpec(undefined));
      let d1 = 0, d2 = 0, d3 = 0;
      own['rlx-dql'].forwardInto(x, yF, M); sd.forwardInto(x, yF2, M);
      for (let i = 0; i < yF.length; i++) if (!Object.is(yF[i], yF2[i])) d1++;
      own['rlx-qlinear'].forwardInt(dq.data, M, yU8); sq.forwardInt(dq.data, M, yU82);
      for (let i = 0; i < yU8.length; i++) if (yU8[i] !== yU82[i]) d2++;
      own['rlx-int8'].forwardInto(x, yF, M); own['own-int8-7b'].forwardInto(x, yF2, M);
      for (let i = 0; i < yF.length; i++) if (!Object.is(yF[i], yF2[i])) d3++;
      sd.dispose(); sq.dispose();
      log(`(${M},${K},${N}) relaxed vs SIMD build, same 7-bit weights: dql ${d1}, qlinear ${d2}, own ${d3} of ${yF.length} outputs differ`);
      rows.push({ case: `${M}x${K}x${N}`, variant: 'exactness-relaxed', group: 'exactness-relaxed', params: { M, K, N }, dqlDiffer: d1, qlinearDiffer: d2, ownDiffer: d3, outputs: yF.length });
    }
    const sessions = [];
    if (peer) {
      const { ort, onnx } = peer;
      const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
      const mk = async (name, bytes, feeds) => {
        const s = await ort.InferenceSession.create(bytes, opts);
        sessions.push(s);
        fns[name] = () => s.run(feeds);
        return s;
      };
      const X = new ort.Tensor('float32', x, [M, K]);
      await mk('ort-f32', model(onnx, [{ opType: 'MatMul', input: ['X', 'B'], output: ['Y'] }], [tensor(onnx, 'B', T.FLOAT, [K, N], wt)], [vinfo(onnx, 'X', T.FLOAT, [M, K])], [vinfo(onnx, 'Y', T.FLOAT, [M, N])]), { X });
      await mk('ort-int8-dyn', model(onnx, [
        { opType: 'DynamicQuantizeLinear', input: ['X'], output: ['xq', 'xs', 'xz'] },
        { opType: 'MatMulInteger', input: ['xq', 'B', 'xz'], output: ['acc'] },
        { opType: 'Cast', input: ['acc'], output: ['accf'], attribute: [{ name: 'to', type: 2, i: T.FLOAT }] },
        { opType: 'Mul', input: ['xs', 'bs'], output: ['s'] },
        { opType: 'Mul', input: ['accf', 's'], output: ['Y'] },
      ], [tensor(onnx, 'B', T.INT8, [K, N], bq), tensor(onnx, 'bs', T.FLOAT, [], [bScale])], [vinfo(onnx, 'X', T.FLOAT, [M, K])], [vinfo(onnx, 'Y', T.FLOAT, [M, N])]), { X });
      await mk('ort-qlinear', model(onnx, [{ opType: 'QLinearMatMul', input: ['A', 'as', 'az', 'B', 'bs', 'bz', 'ys', 'yz'], output: ['Y'] }], [
        tensor(onnx, 'as', T.FLOAT, [], [dq.scale]), tensor(onnx, 'az', T.UINT8, [], [dq.zeroPoint]),
        tensor(onnx, 'B', T.INT8, [K, N], bq), tensor(onnx, 'bs', T.FLOAT, [], [bScale]), tensor(onnx, 'bz', T.INT8, [], [0]),
        tensor(onnx, 'ys', T.FLOAT, [], [yScale]), tensor(onnx, 'yz', T.UINT8, [], [yZp]),
      ], [vinfo(onnx, 'A', T.UINT8, [M, K])], [vinfo(onnx, 'Y', T.UINT8, [M, N])]), { A: new ort.Tensor('uint8', dq.data, [M, K]) });
      // the integer paths must agree exactly before they are timed
      const got = (await fns['ort-qlinear']()).Y.data;
      own['own-qlinear'].forwardInt(dq.data, M, yU8);
      let diff = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== yU8[i]) diff++;
      log(`(${M},${K},${N}) QLinearMatMul: ${diff} of ${got.length} outputs differ from onnxruntime`);
      const gd = (await fns['ort-int8-dyn']()).Y.data;
      own['own-dql'].forwardInto(x, yF, M);
      let dd = 0;
      for (let i = 0; i < gd.length; i++) if (gd[i] !== yF[i]) dd++;
      log(`(${M},${K},${N}) DynamicQuantizeLinear+MatMulInteger: ${dd} of ${gd.length} outputs differ from onnxruntime`);
      rows.push({ case: `${M}x${K}x${N}`, variant: 'exactness', group: 'exactness', params: { M, K, N }, qlinearDiffer: diff, dynamicDiffer: dd, outputs: got.length });
    }
    // batch 1: the weights' read time, timed in the same rounds as the layers (a GEMV reads every weight once)
    const roofs = M === 1 ? await readRoofs(repoDir, 4 * K * N, log) : undefined;
    const names = Object.keys(fns), roofNames = roofs ? Object.keys(roofs.fns) : [];
    const lat = Object.fromEntries([...names, ...roofNames].map((nm) => [nm, []]));
    const inner = {};
    for (let rd = 0; rd < rounds; rd++) {
      for (const nm of names) {
        const t = await timeNs(fns[nm], samples, minMs);
        lat[nm].push(t.ns);
        inner[nm] = t.inner;
      }
      // each roof's faster read pattern this round (one stream or two)
      for (const nm of roofNames) {
        let best = Infinity;
        for (const fn of roofs.fns[nm]) best = Math.min(best, (await timeNs(fn, samples, minMs)).ns);
        lat[nm].push(best);
      }
    }
    const ops = 2 * M * K * N;
    for (const nm of roofNames) {
      // GOP/s a GEMV would reach if its time were the read time alone: 2·K·N operations per 4·K·N bytes
      const ns = median(lat[nm]), gbs = (4 * K * N) / ns;
      rows.push({ case: `${M}x${K}x${N}`, variant: nm, group: 'roofline', params: { M, K, N }, rate: round(gbs / 2, 4), readGBs: round(gbs, 3), rounds: lat[nm].map((v) => round(v, 4)) });
      log(`${M}x${K}x${N} ${nm}: ${gbs.toFixed(1)} GB/s → ≤ ${(gbs / 2).toFixed(1)} GOP/s`);
    }
    for (const nm of names) {
      const ns = median(lat[nm]);
      const row = { case: `${M}x${K}x${N}`, variant: nm, group: 'gemm', params: { M, K, N }, nsPerOp: round(ns, 4), rate: round(ops / ns, 4), rateUnit: 'GOP/s', inner: inner[nm], rounds: lat[nm].map((v) => round(v, 4)) };
      rows.push(row);
      log(`${row.case.padEnd(14)} ${nm.padEnd(12)} ${(ns / 1000).toFixed(1).padStart(9)} µs  ${row.rate.toFixed(2).padStart(7)} GOP/s`);
    }
    for (const l of Object.values(own)) l.dispose();
    for (const s of sessions) await s.release?.();
  }

  // per-call overhead: 1×16×16
  {
    const w = randomF32(256, r), x = randomF32(16, r), y = new Float32Array(16);
    const lin = q.Linear.fromFloat(w, 16, 16);
    const fns = { 'own-f32': () => lin.forwardInto(x, y, 1) };
    let s;
    if (peer) {
      const { ort, onnx } = peer;
      const wt = new Float32Array(256);
      for (let j = 0; j < 16; j++) for (let c = 0; c < 16; c++) wt[c * 16 + j] = w[j * 16 + c];
      s = await ort.InferenceSession.create(model(onnx, [{ opType: 'MatMul', input: ['X', 'B'], output: ['Y'] }], [tensor(onnx, 'B', T.FLOAT, [16, 16], wt)], [vinfo(onnx, 'X', T.FLOAT, [1, 16])], [vinfo(onnx, 'Y', T.FLOAT, [1, 16])]), { executionProviders: ['wasm'] });
      const X = new ort.Tensor('float32', x, [1, 16]);
      fns['ort-f32'] = () => s.run({ X });
    }
    for (const [nm, fn] of Object.entries(fns)) {
      const ts = [];
      for (let rd = 0; rd < rounds; rd++) ts.push((await timeNs(fn, samples, minMs)).ns);
      const ns = median(ts);
      rows.push({ case: '1x16x16', variant: nm, group: 'overhead', params: { M: 1, K: 16, N: 16 }, nsPerOp: round(ns, 4) });
      log(`1x16x16 overhead ${nm}: ${(ns / 1000).toFixed(3)} µs per call`);
    }
    lin.dispose();
    await s?.release?.();
  }

  // sizes
  const sizes = {};
  for (const b of BUILDS) {
    const f = join(repoDir, 'build', `quantext-${b}.wasm`);
    if (existsSync(f)) { const bytes = readFileSync(f); sizes[b] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }; }
  }
  if (peer && existsSync(peer.wasmFile)) { const bytes = readFileSync(peer.wasmFile); sizes['onnxruntime-web ort-wasm-simd-threaded.wasm'] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }; }

  // a speed-up of a over b is the median over rounds of that round's paired ratio (the variants of a round run back
  // to back, so a slow spell of the shared machine hits both sides of a ratio alike)
  const lats = (c, v) => rows.find((x) => x.case === c && x.variant === v && (x.group === 'gemm' || x.group === 'roofline'))?.rounds;
  const paired = (c, a, b) => {
    const la = lats(c, a), lb = lats(c, b);
    return la && lb ? median(la.map((t, i) => lb[i] / t)) : undefined;
  };
  const metrics = [];
  const ratio = (name, c, a, b, target) => {
    const p = paired(c, a, b);
    if (p === undefined) return;
    const v = round(p, 3);
    metrics.push({ name, value: v, unit: '×', target: `≥ ${target}`, ok: v >= target });
  };
  for (const [M, K, N] of SHAPES) {
    const c = `${M}x${K}x${N}`;
    ratio(`f32 ${c}: own / ort MatMul`, c, 'own-f32', 'ort-f32', M === 1 ? 2 : 1);
    const int8Target = M === 1 ? 2 : 1.2;
    ratio(`int8 ${c}: own-int8 / ort DQL+MatMulInteger`, c, 'own-int8', 'ort-int8-dyn', int8Target);
    ratio(`int8 ${c}: own-dql / ort DQL+MatMulInteger`, c, 'own-dql', 'ort-int8-dyn', int8Target);
    ratio(`int8 ${c}: own-qlinear / ort QLinearMatMul`, c, 'own-qlinear', 'ort-qlinear', int8Target);
    if (M >= 32) ratio(`int8 ${c}: own-int8 / own-f32`, c, 'own-int8', 'own-f32', 2);
    ratio(`int8 ${c} relaxed: rlx-int8 / ort DQL+MatMulInteger`, c, 'rlx-int8', 'ort-int8-dyn', 2);
    ratio(`int8 ${c} relaxed: rlx-dql / ort DQL+MatMulInteger`, c, 'rlx-dql', 'ort-int8-dyn', 2);
    ratio(`int8 ${c} relaxed: rlx-qlinear / ort QLinearMatMul`, c, 'rlx-qlinear', 'ort-qlinear', 2);
    if (M >= 32) ratio(`int8 ${c} relaxed: rlx-int8 / own-f32`, c, 'rlx-int8', 'own-f32', 2);
    ratio(`int8 ${c}: rlx-int8 / own-int8-7b (relaxed over standard kernels, same weights)`, c, 'rlx-int8', 'own-int8-7b', 1);
  }
  for (const [M, K, N] of SHAPES.filter(([m]) => m === 1)) {
    // what the weights' read time allows at most: (read roof) / ort-f32, the largest own / ort speed-up possible
    const c = `${M}x${K}x${N}`;
    const f4 = paired(c, 'f32-read-roof', 'ort-f32'), line = paired(c, 'line-read-roof', 'ort-f32'), own = paired(c, 'own-f32', 'f32-read-roof');
    if (f4 !== undefined && own !== undefined) metrics.push({ name: `f32 ${c}: read-bandwidth roof / ort MatMul (f32x4 loads over the weights, one stream or two side by side, whichever is faster, up and down in turn as the GEMV alternates its panel order, timed in the same rounds: the most a wasm SIMD f32 kernel reading each weight once can gain; own-f32 runs at ${round(100 * own, 1)} % of it)`, value: round(f4, 3), unit: '×', target: 'info' });
    if (line !== undefined) metrics.push({ name: `f32 ${c}: line-fetch roof / ort MatMul (one load per 64-byte line: the memory system's bound)`, value: round(line, 3), unit: '×', target: 'info' });
  }
  ratio('binary 1x768x768: own-binary / own-f32', '1x768x768', 'own-binary', 'own-f32', 6);
  const ov = rows.find((x) => x.group === 'overhead' && x.variant === 'own-f32');
  if (ov) metrics.push({ name: 'per-call overhead 1×16×16 (own)', value: round(ov.nsPerOp / 1000, 3), unit: 'µs', target: '≤ 1', ok: ov.nsPerOp <= 1000 });
  const largest = Math.max(...BUILDS.map((b) => sizes[b]?.gzip ?? 0));
  metrics.push({ name: 'largest wasm build (gzip)', value: round(largest / 1024, 3), unit: 'KiB', target: '≤ 64', ok: largest <= 64 * 1024 });
  const relaxed = rrt ? { build: rrt.build, fusedDotAdd: rrt.fusedDotAdd, node: process.execArgv.includes(RELAXED_FLAG) ? `node ${RELAXED_FLAG}` : 'node' } : undefined;
  const probeEnd = hostProbe(q, quick);
  log(`host probe at the end: ${probeText(probeEnd)}`);
  return { rows, metrics, sizes, backend: rt.backend, relaxed, peer: peer ? 'onnxruntime-web 1.30.0 (wasm, numThreads 1)' : 'none', hostProbe: { start: probeStart, end: probeEnd } };
}

/**
 * How fast this host runs wasm SIMD right now, next to how fast it runs a scalar chain: a 32×256×256 f32 Linear's
 * GOP/s, and a JavaScript loop of dependent multiply-adds (M iterations per ms, bound by latency, so by the clock).
 * The shared machine has phases in which SIMD throughput drops by a third or more while the scalar chain does not
 * (seen here: the GEMM 34 against 48 GOP/s, the chain 0.585 against 0.590): a run whose probe's GEMM/chain ratio is
 * well below another run's on the same CPU was timed in such a phase, and its ratios between variants shift too
 * (kernels bound by loads slow down most).
 */
function hostProbe(q, quick) {
  const M = 32, K = 256, N = 256, r = rng(7);
  const L = q.Linear.fromFloat(randomF32(N * K, r), N, K, undefined, { maxBatch: M });
  const x = randomF32(M * K, r), y = new Float32Array(M * N);
  const ms = quick ? 40 : 200;
  const time = (f) => {
    // warm up for a while (tier-up, caches), then time
    for (const t = performance.now(); performance.now() - t < ms / 2;) f();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < ms) { f(); n++; }
    return (performance.now() - t0) / n;
  };
  const gemm = (2 * M * K * N) / time(() => L.forwardInto(x, y, M)) / 1e6;
  let sink = 0;
  const chain = 1 / time(() => {
    let a = 1.0001;
    for (let i = 0; i < 1e6; i++) a = a * 1.0000001 + 1e-9;
    sink += a;
  });
  L.dispose();
  return { gemmGops: round(gemm, 4), chainMPerMs: round(chain + sink * 0, 4), ratio: round(gemm / chain, 4) };
}

function probeText(p) {
  return `f32 GEMM 32×256×256 ${p.gemmGops} GOP/s, scalar chain ${p.chainMPerMs} M/ms, ratio ${p.ratio}`;
}

/**
 * Read-roof loops over a buffer of `bytes` (bench/roofline.ts, compiled here with asc): 'f32-read-roof' sums it with
 * f32x4 loads, 'line-read-roof' loads 4 bytes of each 64-byte line; each as one stream and as two (the buffer's
 * halves side by side, as the GEMV reads two panels at once), and the caller keeps the faster. One instance (one memory) for every shape: in
 * runs with a memory per shape, the layers and onnxruntime-web timed after them ran up to 3× slower, not seen since;
 * but a whole process can also start 1.8× slow with no extra memory, so the cause is not established. Undefined
 * without asc.
 */
let roofInstance;
async function readRoofs(repoDir, bytes, log) {
  if (!roofInstance) {
    const out = join(repoDir, 'bench', 'results', 'tmp', 'roofline.wasm');
    const src = join(repoDir, 'bench', 'roofline.ts');
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
      mkdirSync(dirname(out), { recursive: true });
      const asc = join(repoDir, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
      const r = spawnSync(process.execPath, [asc, src, '--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert', '-o', out], { encoding: 'utf8' });
      if (r.status !== 0) { log(`roofline: asc failed (${r.stderr.trim().split('\n')[0]})`); return undefined; }
    }
    // sized once for the largest batch-1 shape
    const most = Math.max(...SHAPES.filter(([m]) => m === 1).map(([, k, n]) => 4 * k * n));
    const memory = new WebAssembly.Memory({ initial: Math.ceil((most + 65536) / 65536) + 1 });
    const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { memory, abort() {} } });
    const mem = instance.exports.memory ?? memory;
    if (mem.buffer.byteLength < most + 65536) mem.grow(Math.ceil((most + 65536 - mem.buffer.byteLength) / 65536));
    new Float32Array(mem.buffer, 65536, most >> 2).fill(0.5);
    roofInstance = instance;
  }
  const n = Math.floor(bytes / 256) * 64;
  const e = roofInstance.exports;
  // up and down in turn, as Linear's GEMV alternates its panel order (a repeated call reuses what is still cached)
  const upDown = (f) => { let d = 0; return () => f(65536, n, (d ^= 1)); };
  return {
    fns: {
      'f32-read-roof': [upDown(e.sum8), upDown(e.sum8x2)],
      'line-read-roof': [upDown(e.touch64), upDown(e.touch64x2)],
    },
  };
}

/**
 * The suite's measurements in another runtime's process (`exe ...args bench/inference.bench.mjs '{quick, repoDir}'`,
 * as the Deno and Bun suites run them), labelled `label` (the runtime and its version).
 */
export function runIn(exe, args, label, ctx) {
  const { quick, log, repoDir } = ctx;
  log(`running the inference suite in ${label}`);
  const r = spawnSync(exe, [...args, fileURLToPath(import.meta.url), JSON.stringify({ quick, repoDir })], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`${label} exited with ${r.status}`);
  const res = JSON.parse(r.stdout);
  if (res.relaxed) res.relaxed.node = label;
  return { ...res, runtime: label };
}

// the child of run(): `node --experimental-wasm-relaxed-simd bench/inference.bench.mjs '{"quick":…,"repoDir":…}'`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const o = JSON.parse(process.argv[2]);
  const log = (m) => process.stderr.write(`[inference] ${m}\n`);
  const q = await import(pathToFileURL(join(o.repoDir, 'dist', 'index.node.js')).href);
  const res = await measureAll({ quick: o.quick, repoDir: o.repoDir, log }, q);
  process.stdout.write(JSON.stringify(res));
}

export function render(results) {
  const out = [`## ${results.title}`, '', results.description ?? '', ''];
  const rl = results.relaxed;
  out.push(`Backend: ${results.backend}${rl ? `; relaxed variants (rlx-*): ${rl.build}, fused dot-add ${rl.fusedDotAdd ? 'on' : 'off (the runtime computes it wrongly: i16 dot + pairwise add instead)'}, run under ${rl.node}` : ''}; peer: ${results.peer}. ${results.quick ? '(quick run)' : ''}`, '');
  const hp = results.hostProbe;
  out.push(hp
    ? `Host probe (how fast the shared host ran wasm SIMD during this run, against a scalar chain that tracks the clock; a GEMM/chain ratio well below another run's on the same CPU marks a slow phase): start ${probeText(hp.start)}; end ${probeText(hp.end)}.`
    : 'Host probe: not recorded (a run from before the probe existed).', '');
  const gemm = results.rows.filter((r) => r.group === 'gemm');
  const variants = [...new Set(gemm.map((r) => r.variant))];
  const cases = [...new Set(gemm.map((r) => r.case))];
  out.push(`| shape (M×K×N) | ${variants.join(' | ')} |`, `|---|${variants.map(() => '---:').join('|')}|`);
  for (const c of cases) out.push(`| ${c} | ${variants.map((v) => { const r = gemm.find((x) => x.case === c && x.variant === v); return r ? r.rate.toFixed(2) : '–'; }).join(' | ')} |`);
  out.push('', 'GOP/s (higher is better).', '');
  // a text chart: one bar per variant and shape
  const max = Math.max(...gemm.map((r) => r.rate));
  out.push('```');
  for (const c of cases) {
    out.push(c);
    for (const v of variants) {
      const r = gemm.find((x) => x.case === c && x.variant === v);
      if (r) out.push(`  ${v.padEnd(13)} ${'█'.repeat(Math.max(1, Math.round((40 * r.rate) / max)))} ${r.rate.toFixed(1)}`);
    }
  }
  out.push('```', '');
  const ov = results.rows.filter((r) => r.group === 'overhead');
  if (ov.length) out.push(`Per-call overhead (1×16×16): ${ov.map((r) => `${r.variant} ${(r.nsPerOp / 1000).toFixed(2)} µs`).join(', ')}.`, '');
  const ex = results.rows.filter((r) => r.group === 'exactness');
  if (ex.length) out.push(`Integer paths vs onnxruntime (outputs that differ): ${ex.map((r) => `${r.case} QLinearMatMul ${r.qlinearDiffer}/${r.outputs}, DQL+MatMulInteger ${r.dynamicDiffer}/${r.outputs}`).join('; ')}.`, '');
  const exr = results.rows.filter((r) => r.group === 'exactness-relaxed');
  if (exr.length) out.push(`Relaxed build vs SIMD build on the same 7-bit weights (outputs that differ): ${exr.map((r) => `${r.case} dql ${r.dqlDiffer}, qlinear ${r.qlinearDiffer}, own ${r.ownDiffer} of ${r.outputs}`).join('; ')}.`, '');
  out.push('| target | value | met |', '|---|---:|---|');
  for (const m of results.metrics ?? []) out.push(m.target === 'info' ? `| ${m.name} | ${m.value} ${m.unit ?? ''} | (no target) |` : `| ${m.name} (${m.target}) | ${m.value} ${m.unit ?? ''} | ${m.ok ? 'yes' : 'no'} |`);
  out.push('', '| wasm build | bytes | gzip |', '|---|---:|---:|');
  for (const [b, s] of Object.entries(results.sizes ?? {})) out.push(`| ${b} | ${s.bytes} | ${s.gzip} |`);
  if (results.machine) out.push('', machineLine(results.machine, results));
  return out.join('\n');
}
