// Cross-runtime parity: the same seeded inputs must give the same outputs in every runtime. Runtime-neutral (no
// host imports, no quantext import): Node, Deno, Bun, Chromium, the Vite bundle and workerd all run this file and
// hand their result to scripts/smoke/run.mjs, which compares every runtime with Node (`compareParity`).
//
// THE TABLE (`PARITY_CASES`) IS THE HOOK. Each case is
//   { name, exact, buildTol?, run(q, rt) → { values: number[] | typed array, ids?: number[] | typed array, note? } }
// - `run` computes with the runtime `rt` it is given (every case runs once on the plain-memory SIMD build and once
//   on the scalar build, both made with `q.createRuntime`) and returns plain numbers. Float outputs go in `values`;
//   integer outputs (ids, codes, distances) in `ids`.
// - Across runtimes, the same build must give the very same bits when `exact` is true (integer paths, and float
//   paths whose order of operations is fixed by the kernel: wasm arithmetic is deterministic), else `values` within
//   `tol` (absolute, default 1e-6) and `ids` equal.
// - Within a runtime, the SIMD build against the scalar build: `ids` equal and `values` within `buildTol` (0 means
//   bit-identical; a case whose SIMD path sums in another order states its tolerance; `buildTol: null` skips the
//   comparison, for results that legitimately differ, e.g. training, where a rounding difference grows with every
//   update).
// The cases cover Word2Vec training, quantize(), the quantized searches and the cascade, the int8 and binary layers
// (Int8Linear, BinaryLinear) and the classifier (training, and prediction from one model). To add one: append a case
// whose `run` builds the layer/model from seeded data with `rt` and returns its integer outputs as `ids` and its
// float outputs as `values`. Nothing else needs to change: run.mjs reports
// each case × build × runtime. A case that needs an export the entry lacks fails (it does not skip): guard with
// `requires: ['TextClassifier']` to skip it, visibly, while that export is not yet in the package.
// Cases marked `compress: true` also need the `quantext/compress` entry: each host passes that module to
// computeParity (`computeParity(q, PARITY_CASES, qc)`) and `run` gets it as its third argument (`run(q, rt, qc)`);
// a host that passes none fails those cases. The compressed-classifier cases load QTXC files made in Node
// (qtxc-fixtures.mjs, written by make-qtxc-fixtures.mjs), and compress in the runtime itself.
import { QTXC_FIXTURES } from './qtxc-fixtures.mjs';

/** Seeded PRNG (mulberry32, as in checks.mjs and test/helpers.ts). */
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

/** Two planted topics, `n` sentences of `len` words (the same corpus as checks.mjs's plantedCorpus). */
function corpus(seed, n, len) {
  const topics = [
    ['apple', 'banana', 'cherry', 'grape', 'mango', 'pear', 'plum', 'peach'],
    ['car', 'truck', 'bus', 'train', 'bike', 'tram', 'van', 'taxi'],
  ];
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = topics[i % 2];
    const words = [];
    for (let j = 0; j < len; j++) words.push(t[Math.floor(r() * t.length)]);
    out.push(words.join(' '));
  }
  return out;
}

/** 500 × 48 vectors in 25 clusters, with an offset (so centring matters): seeded, the same everywhere. */
function clustered(seed = 4242, n = 500, dim = 48, k = 25) {
  const r = rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => r() * 2 - 1));
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = 0.4 + centres[i % k][j] + (r() - 0.5) * 0.5;
  return { words: Array.from({ length: n }, (_, i) => `w${i}`), data, dim, n };
}

/** Top-10 of 8 seeded queries against `kv` (a KeyedVectors, f32 or quantized): all ids and scores. */
function searchAll(kv, dim) {
  const r = rng(99);
  const ids = [];
  const values = [];
  for (let qi = 0; qi < 8; qi++) {
    const q = Float32Array.from({ length: dim }, () => r() * 2 - 1 + 0.4);
    const { indices, scores } = kv.nearest(q, 10);
    ids.push(...indices);
    values.push(...scores);
  }
  return { ids, values };
}

/** Trains Word2Vec on one thread with `rt`; returns the vectors. */
async function trainW2v(q, rt, opts) {
  const model = new q.Word2Vec({ vectorSize: 16, minCount: 1, workers: 1, epochs: 3, sample: 0, seed: 7, runtime: rt, ...opts });
  try {
    const res = await model.train(corpus(3, 120, 10));
    return { values: Array.from(model.wv.vectors), note: `loss ${res.loss.toPrecision(6)}` };
  } finally {
    model.dispose();
  }
}

/** A quantized table (`scheme`) of the clustered vectors, searched with the 8 queries. */
function quantizedSearch(scheme) {
  return (q, rt) => {
    const { words, data, dim } = clustered();
    const kv = q.KeyedVectors.fromArrays(words, data, dim, { rt });
    const t = scheme === 'f32' ? kv : kv.quantize({ scheme });
    try {
      return searchAll(t, dim);
    } finally {
      if (t !== kv) t.dispose();
      kv.dispose();
    }
  };
}

/** A seeded weight matrix `n × k` in [-1, 1) and a bias, and a batch of inputs (`batch × k`). */
function layerData(seed, n, k, batch) {
  const r = rng(seed);
  const w = Float32Array.from({ length: n * k }, () => r() * 2 - 1);
  const bias = Float32Array.from({ length: n }, () => r() - 0.5);
  const x = Float32Array.from({ length: batch * k }, () => r() * 4 - 2);
  return { w, bias, x };
}

/** Labelled lines for the classifier: the two planted topics, a few noise words, "__label__fruit" / "__label__vehicle". */
function labelledLines(seed, n) {
  const r = rng(seed);
  const noise = ['the', 'a', 'we', 'saw', 'today', 'big', 'red', 'old'];
  return corpus(seed, n, 8).map((line, i) => {
    const words = line.split(' ');
    for (let j = 0; j < 3; j++) words.splice(Math.floor(r() * words.length), 0, noise[Math.floor(r() * noise.length)]);
    return `__label__${i % 2 ? 'vehicle' : 'fruit'} ${words.join(' ')}`;
  });
}
const CLASSIFIER_OPTS = { dim: 8, epochs: 5, lr: 0.5, wordNgrams: 2, minn: 3, maxn: 4, bucket: 2000, threads: 1, seed: 11 };
const CLASSIFIER_TEXTS = ['apple pear plum', 'bus taxi tram', 'the red car and a mango', 'peaches and trams', 'nothing known here', ''];

/** Every label's probability for each text: label indices (in the model's label order) and probabilities. */
function predictAll(clf) {
  const ids = [];
  const values = [];
  for (const t of CLASSIFIER_TEXTS) {
    for (const [label, p] of clf.predict(t, -1)) {
      ids.push(clf.labels.indexOf(label));
      values.push(p);
    }
  }
  return { ids, values };
}

/** One classifier trained on the scalar build of `q` (made once per module), as .bin bytes. */
const trainedBytes = new WeakMap();
export async function parityClassifierBytes(q) {
  return scalarTrainedModel(q);
}
async function scalarTrainedModel(q) {
  if (!trainedBytes.has(q)) {
    trainedBytes.set(q, (async () => {
      const rt = await q.createRuntime(undefined, { backend: 'scalar', shared: false });
      const clf = new q.TextClassifier({ ...CLASSIFIER_OPTS, runtime: rt });
      try {
        await clf.train(labelledLines(5, 160));
        return clf.toBytes();
      } finally {
        clf.dispose();
      }
    })());
  }
  return trainedBytes.get(q);
}


/**
 * The QTXC files of qtxc-fixtures.mjs: `compressClassifier(<the scalar-trained classifier>, options)` in Node, one
 * per table scheme that matters (input f32 / f16 / int8 / int4 / binary / PQ; output f32, the int8 layer
 * (Int8Linear), the binary layer (BinaryLinear), PQ; with and without the cutoff).
 */
export const QTXC_FIXTURE_SPECS = {
  'input f32, cutoff 300, output f32': { input: 'f32', cutoff: 300 },
  'input f16, cutoff 300, output f32': { input: 'f16', cutoff: 300 },
  'input int8, cutoff 300, output f32': { input: 'int8', cutoff: 300 },
  'input int4 per tensor, output f32': { input: 'int4', perRow: false },
  'input int4 per row, cutoff 300, output f32': { input: 'int4', cutoff: 300 },
  'input binary, cutoff 300, output f32': { input: 'binary', cutoff: 300 },
  'input pq (dsub 2, qnorm), cutoff 300, output f32': { input: 'pq', dsub: 2, qnorm: true, cutoff: 300 },
  'input int8, cutoff 300, output int8 (Int8Linear)': { input: 'int8', output: 'int8', cutoff: 300 },
  'input int4 per tensor, cutoff 300, output int8 (Int8Linear)': { input: 'int4', perRow: false, cutoff: 300, output: 'int8' },
  'input binary, output binary (BinaryLinear)': { input: 'binary', output: 'binary' },
  'input int8, cutoff 300, output binary (BinaryLinear)': { input: 'int8', output: 'binary', cutoff: 300 },
  'input pq, cutoff 300, output pq': { input: 'pq', cutoff: 300, qnorm: true, output: 'pq' },
};

function base64Bytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function needCompress(qc) {
  if (!qc || typeof qc.compressClassifier !== 'function') throw new Error('this host passed no quantext/compress module to computeParity');
}

/** A QTXC file made in Node (qtxc-fixtures.mjs), loaded with `rt`: labels and probabilities of CLASSIFIER_TEXTS. */
function loadFixture(name) {
  return async (q, rt, qc) => {
    needCompress(qc);
    const bytes = QTXC_FIXTURES[name];
    if (!bytes) throw new Error(`qtxc-fixtures.mjs has no '${name}': run node scripts/smoke/make-qtxc-fixtures.mjs`);
    const cc = await qc.CompressedClassifier.load(base64Bytes(bytes), { rt });
    try {
      return { ...predictAll(cc), note: `${cc.byteLength} bytes, ${cc.inputScheme}/${cc.outputScheme}` };
    } finally {
      cc.dispose();
    }
  };
}

/** FNV-1a of bytes, as a hex string (for notes). */
function bytesDigest(b) {
  let h = 0x811c9dc5;
  for (let k = 0; k < b.length; k++) h = Math.imul(h ^ b[k], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * compressClassifier in the runtime, on the scalar-trained classifier loaded into `rt`: the file's bytes (stored
 * plain, `deflate: false`: DEFLATE itself is the runtime's CompressionStream, whose bytes legitimately differ between
 * zlib builds) as `ids`, then the predictions of the compressed model, and of the same model written deflated and
 * loaded back in this runtime (they must be the same).
 */
function compressHere(options) {
  return async (q, rt, qc) => {
    needCompress(qc);
    const clf = await q.TextClassifier.load(await scalarTrainedModel(q), { runtime: rt });
    const made = [];
    try {
      const opts = { ...options, ...(options.retrain ? { data: labelledLines(5, 160) } : {}) };
      const plain = await qc.compressClassifier(clf, { ...opts, deflate: false });
      made.push(plain);
      const deflated = await qc.compressClassifier(clf, { ...opts, deflate: true });
      made.push(deflated);
      const back = await qc.CompressedClassifier.load(deflated.toBytes(), { rt });
      made.push(back);
      const a = predictAll(plain), b = predictAll(back);
      if (digest(a.values, a.ids) !== digest(b.values, b.ids)) throw new Error('the deflated file, loaded back, predicts differently from the model it was written from');
      const bytes = plain.toBytes();
      return { ids: [...bytes, ...a.ids], values: a.values, note: `${bytes.length} bytes plain, ${deflated.byteLength} deflated` };
    } finally {
      for (const m of made) m.dispose();
      clf.dispose();
    }
  };
}

export const PARITY_CASES = [
  {
    name: 'Word2Vec skip-gram, negative sampling, 1 thread: vectors',
    exact: true,
    buildTol: null, // the SIMD and scalar dot products round differently, and training amplifies it
    run: (q, rt) => trainW2v(q, rt, { sg: 1 }),
  },
  {
    name: 'Word2Vec CBOW, hierarchical softmax, 1 thread: vectors',
    exact: true,
    buildTol: null,
    run: (q, rt) => trainW2v(q, rt, { sg: 0, hs: 1, negative: 0 }),
  },
  {
    name: 'quantize() int8 per-row codes and scales',
    exact: true,
    buildTol: 0,
    run: (q, rt) => {
      const { data, dim, n } = clustered();
      const t = q.quantize(data, { scheme: 'int8', rows: n, cols: dim, perRow: true, rt });
      return { ids: Array.from(t.codes), values: Array.from(t.scales) };
    },
  },
  {
    name: 'quantize() binary codes and scale',
    exact: true,
    buildTol: 0,
    run: (q, rt) => {
      const { data, dim, n } = clustered();
      const t = q.quantize(data, { scheme: 'binary', rows: n, cols: dim, rt });
      return { ids: Array.from(t.codes), values: Array.from(t.scales) };
    },
  },
  { name: 'f32 search: top-10 ids and cosines', exact: true, buildTol: 1e-6, run: quantizedSearch('f32') },
  // quantized tables: the integer scans give the same integers in both builds (the ids are equal), but a score also
  // adds the centre's f32 dot ⟨μ, q⟩ and the query norm, which the SIMD build sums in another order (1 ulp here)
  { name: 'int8 table search: top-10 ids and scores', exact: true, buildTol: 1e-6, run: quantizedSearch('int8') },
  { name: 'int4 table search: top-10 ids and scores', exact: true, buildTol: 1e-6, run: quantizedSearch('int4') },
  { name: 'binary table search: top-10 ids and scores', exact: true, buildTol: 1e-6, run: quantizedSearch('binary') },
  {
    name: 'QuantizedIndexer binary → int8 → f32 (200 candidates): top-10',
    exact: true,
    buildTol: 1e-6,
    run: (q, rt) => {
      const { words, data, dim } = clustered();
      const kv = q.KeyedVectors.fromArrays(words, data, dim, { rt });
      const ix = new q.QuantizedIndexer(kv, { coarse: 'binary', candidates: 200, refine: ['int8', 'f32'] });
      try {
        const ids = [];
        const values = [];
        for (const w of ['w3', 'w77', 'w140', 'w499']) {
          for (const [word, score] of kv.mostSimilar({ positive: [w], topn: 10, indexer: ix })) {
            ids.push(Number(word.slice(1)));
            values.push(score);
          }
        }
        return { ids, values };
      } finally {
        ix.dispose();
        kv.dispose();
      }
    },
  },
  {
    name: 'Int8Linear forward, dynamic activations: f32 outputs',
    exact: true,
    buildTol: 0,
    run: (q, rt) => {
      const { w, bias, x } = layerData(21, 24, 40, 5);
      const l = q.Int8Linear.fromFloat(w, 24, 40, bias, { rt });
      try {
        return { values: Array.from(l.forward(x, 5)) };
      } finally {
        l.dispose();
      }
    },
  },
  {
    name: 'Int8Linear static int8 in/out with ReLU: int8 codes',
    exact: true,
    buildTol: 0,
    run: (q, rt) => {
      const { w, bias, x } = layerData(22, 24, 40, 5);
      const l = q.Int8Linear.fromFloat(w, 24, 40, bias, { rt, activations: 'static', inputScale: 2 / 127, output: 'int8', outputScale: 0.25, activation: 'relu' });
      try {
        return { ids: Array.from(l.forwardInt(x, 5)) };
      } finally {
        l.dispose();
      }
    },
  },
  {
    name: 'Int8Linear reduceRange (7-bit weights), dynamic activations, batch 9: f32 outputs',
    exact: true,
    buildTol: 0,
    relaxedKernel: true,
    run: (q, rt) => {
      const { w, bias, x } = layerData(24, 21, 45, 9);
      const l = q.Int8Linear.fromFloat(w, 21, 45, bias, { rt, reduceRange: true, activation: 'relu' });
      try {
        return { values: Array.from(l.forward(x, 9)), relaxed: l.relaxed, int8x7: rt.int8x7 };
      } finally {
        l.dispose();
      }
    },
  },
  {
    name: 'Int8Linear 7-bit uint8 weights with zero points, uint8 inputs (MatMulInteger): int32 sums',
    exact: true,
    buildTol: 0,
    relaxedKernel: true,
    run: (q, rt) => {
      const weights = Uint8Array.from({ length: 13 * 37 }, (_, i) => 40 + ((i * 73 + 11) % 128));
      const x = Uint8Array.from({ length: 3 * 37 }, (_, i) => (i * 151 + 7) % 256);
      const l = q.Int8Linear.fromQuantized({ rt, outFeatures: 13, inFeatures: 37, weights, layout: 'out-in', weightZeroPoint: Array.from({ length: 13 }, (_, j) => 90 + j), input: { mode: 'dynamic-uint8' }, output: { mode: 'int32' } });
      try {
        return { ids: Array.from(l.forwardInt(x, 3, undefined, 131)), relaxed: l.relaxed, int8x7: rt.int8x7 };
      } finally {
        l.dispose();
      }
    },
  },
  {
    name: 'BinaryLinear forward (XNOR-popcount): f32 outputs',
    exact: true,
    buildTol: 0,
    run: (q, rt) => {
      const { w, bias, x } = layerData(23, 24, 96, 5);
      const l = q.BinaryLinear.fromFloat(w, 24, 96, bias, { rt });
      try {
        return { values: Array.from(l.forward(x, 5)) };
      } finally {
        l.dispose();
      }
    },
  },
  {
    name: 'TextClassifier trained (1 thread, seeded): labels and probabilities',
    exact: true,
    buildTol: null, // trained on each build: the SIMD and scalar sums round differently and training amplifies it
    requires: ['TextClassifier'],
    run: async (q, rt) => {
      const clf = new q.TextClassifier({ ...CLASSIFIER_OPTS, runtime: rt });
      try {
        const res = await clf.train(labelledLines(5, 160));
        return { ...predictAll(clf), note: `loss ${res.loss.toPrecision(6)}` };
      } finally {
        clf.dispose();
      }
    },
  },
  {
    name: 'TextClassifier predict (one model, trained on the scalar build): labels and probabilities',
    exact: true,
    buildTol: 1e-6,
    requires: ['TextClassifier'],
    run: async (q, rt) => {
      const clf = await q.TextClassifier.load(await scalarTrainedModel(q), { runtime: rt });
      try {
        return predictAll(clf);
      } finally {
        clf.dispose();
      }
    },
  },

  // quantext/compress: QTXC files made in Node, loaded and run here (the int8 and binary output layers included)
  ...Object.keys(QTXC_FIXTURE_SPECS).map((name) => ({
    name: `CompressedClassifier.load (QTXC made in Node, ${name}): labels and probabilities`,
    exact: true,
    buildTol: 0,
    compress: true,
    run: loadFixture(name),
  })),
  {
    name: 'compressClassifier here (input int4 per tensor, cutoff 300, output int8): file bytes, labels and probabilities',
    exact: true,
    buildTol: 0,
    compress: true,
    run: compressHere({ input: 'int4', perRow: false, cutoff: 300, output: 'int8' }),
  },
  {
    name: 'compressClassifier here (input binary, output binary): file bytes, labels and probabilities',
    exact: true,
    buildTol: 0,
    compress: true,
    run: compressHere({ input: 'binary', output: 'binary' }),
  },
  {
    name: 'compressClassifier here (input pq, qnorm, cutoff 300, retrain 2 epochs): file bytes, labels and probabilities',
    exact: true,
    buildTol: null, // retraining on each build: the SIMD and scalar sums round differently
    compress: true,
    run: compressHere({ input: 'pq', qnorm: true, cutoff: 300, retrain: true, epochs: 2, threads: 1, seed: 3 }),
  },
];

/** Outputs longer than this are compared by digest only (bit-identity), not value by value. */
const MAX_KEPT = 4096;

/** FNV-1a over the bytes of the float32 values and int32 ids: equal only when every bit is equal. */
export function digest(values = [], ids = []) {
  const f = Float32Array.from(values);
  const i = Int32Array.from(ids);
  let h = 0x811c9dc5;
  for (const b of [new Uint8Array(f.buffer), new Uint8Array(i.buffer)]) for (let k = 0; k < b.length; k++) h = Math.imul(h ^ b[k], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Runs every case on the plain SIMD and scalar builds of `q` (`qc`: the `quantext/compress` module, for the cases
 * marked `compress`). Returns `{ [case name]: { simd, scalar } }`, each an
 * object `{ digest, values, ids, ms, note }` or `{ error }` / `{ skipped }`. Float32 values are kept exactly (as
 * numbers, which JSON carries without loss).
 */
export async function computeParity(q, cases = PARITY_CASES, qc = undefined) {
  const rts = {
    simd: await q.createRuntime(undefined, { backend: 'simd', shared: false }),
    scalar: await q.createRuntime(undefined, { backend: 'scalar', shared: false }),
  };
  // the relaxed-SIMD build where the runtime runs it (Deno, Bun, Chromium; not Node 20 without its flag)
  if (q.relaxedSupported?.()) {
    try {
      rts.relaxed = await q.createRuntime(undefined, { backend: 'relaxed', shared: false });
    } catch {
      /* not loadable here (no simd-relaxed file for this entry): no relaxed comparison */
    }
  }
  const out = {};
  for (const c of cases) {
    out[c.name] = {};
    const missing = (c.requires ?? []).filter((name) => !(name in q));
    for (const [build, rt] of Object.entries(rts)) {
      if (missing.length) {
        out[c.name][build] = { skipped: `the entry has no ${missing.join(', ')}` };
        continue;
      }
      const t0 = performance.now();
      try {
        const r = await c.run(q, rt, c.compress ? qc : undefined);
        const values = Array.from(r.values ?? [], Math.fround);
        const ids = Array.from(r.ids ?? []);
        const res = { digest: digest(values, ids), nValues: values.length, nIds: ids.length, ms: performance.now() - t0, note: r.note, relaxed: r.relaxed, int8x7: r.int8x7 };
        // large outputs (a table's codes) travel as their digest only: they are compared bit for bit anyway
        if (values.length + ids.length <= MAX_KEPT) Object.assign(res, { values, ids });
        out[c.name][build] = res;
      } catch (e) {
        out[c.name][build] = { error: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}` };
      }
    }
  }
  return out;
}

/** Largest |a[i] − b[i]| (Infinity when the lengths differ). */
function maxDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const sameIds = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Compares one result with a reference under a tolerance (0: bit-identical). Returns null or what differs. */
function differs(got, want, tol) {
  if (got.error) return got.error;
  if (want.error) return `the reference failed (${want.error})`;
  if (got.digest === want.digest) return null;
  if (got.nIds !== want.nIds || got.nValues !== want.nValues) return `shapes differ (${got.nIds}+${got.nValues} vs ${want.nIds}+${want.nValues} values)`;
  if (!got.ids || !want.ids) return `not bit-identical (digest ${got.digest} vs ${want.digest}; ${got.nIds + got.nValues} values compared by digest only)`;
  if (!sameIds(got.ids, want.ids)) {
    const i = got.ids.findIndex((x, k) => x !== want.ids[k]);
    return `integer outputs differ (${got.ids.length} vs ${want.ids.length} values; first at ${i}: ${got.ids[i]} vs ${want.ids[i]})`;
  }
  if (tol === 0) return `not bit-identical (digest ${got.digest} vs ${want.digest}; max |Δ| ${maxDiff(got.values, want.values).toExponential(2)})`;
  const d = maxDiff(got.values, want.values);
  return d <= tol ? null : `max |Δ| ${d.toExponential(2)} > ${tol}`;
}

/**
 * The parity checks: every (runtime, build) against Node's same build, and in every runtime the SIMD build against
 * the scalar one. `results` maps a runtime name to computeParity's output; `reference` names Node's entry.
 * Returns `{ name, ok, detail, skipped? }[]`, one per case and comparison kind.
 */
export function compareParity(results, reference = 'node', cases = PARITY_CASES) {
  const checks = [];
  const ref = results[reference];
  const others = Object.keys(results).filter((r) => r !== reference);
  for (const c of cases) {
    const tol = c.exact ? 0 : c.tol ?? 1e-6;
    for (const build of ['simd', 'scalar']) {
      const want = ref?.[c.name]?.[build];
      const name = `parity: ${c.name} [${build}] in ${others.length} runtimes = ${reference}`;
      if (!want) {
        checks.push({ name, ok: false, detail: `no ${reference} result` });
        continue;
      }
      if (want.skipped) {
        checks.push({ name, ok: true, skipped: true, detail: `skipped: ${want.skipped}` });
        continue;
      }
      const bad = [];
      for (const r of others) {
        const got = results[r]?.[c.name]?.[build];
        const why = !got ? 'no result' : got.skipped ? `skipped (${got.skipped}) where ${reference} ran it` : differs(got, want, tol);
        if (why) bad.push(`${r}: ${why}`);
      }
      checks.push({
        name,
        ok: bad.length === 0 && !want.error,
        detail: want.error ? `${reference}: ${want.error}` : bad.length ? bad.join('; ') : `${tol === 0 ? 'bit-identical' : `within ${tol}`} (${want.digest}${want.note ? `, ${want.note}` : ''}) in ${others.join(', ')}`,
      });
    }
    if (c.buildTol === 0) {
      // the relaxed-SIMD build gives the SIMD build's bits, in every runtime that ran it (and its 7-bit kernel ran,
      // except where the runtime keeps the int16 kernels: rt.int8x7 false, Bun)
      const ran = Object.keys(results).filter((r) => results[r]?.[c.name]?.relaxed);
      const bad = [];
      for (const r of ran) {
        const x = results[r][c.name];
        const why = x.relaxed.skipped ? null : differs(x.relaxed, x.simd, 0) ?? (c.relaxedKernel && x.relaxed.relaxed !== (x.relaxed.int8x7 !== false) ? `the 7-bit relaxed kernel ${x.relaxed.relaxed ? 'ran where the runtime keeps the int16 kernels' : 'did not run'}` : null);
        if (why) bad.push(`${r}: ${why}`);
      }
      if (ran.length) checks.push({ name: `parity: ${c.name} relaxed build = SIMD build`, ok: bad.length === 0, detail: bad.length ? bad.join('; ') : `bit-identical in ${ran.map((r) => (c.relaxedKernel && results[r][c.name].relaxed.int8x7 === false ? `${r} (its int16 kernels)` : r)).join(', ')}` });
    }
    if (c.buildTol === null || c.buildTol === undefined) continue;
    const bad = [];
    for (const r of Object.keys(results)) {
      const s = results[r]?.[c.name]?.simd, sc = results[r]?.[c.name]?.scalar;
      if (!s || !sc || s.skipped || sc.skipped) continue;
      const why = differs(s, sc, c.buildTol);
      if (why) bad.push(`${r}: ${why}`);
    }
    const rs = ref?.[c.name]?.simd, rc = ref?.[c.name]?.scalar;
    const d = rs?.values && rc?.values ? maxDiff(rs.values, rc.values) : rs && rc && rs.digest === rc.digest ? 0 : NaN;
    checks.push({
      name: `parity: ${c.name} SIMD build = scalar build${c.buildTol ? ` (±${c.buildTol})` : ''}`,
      ok: bad.length === 0,
      detail: bad.length ? bad.join('; ') : `in every runtime (max |Δ| ${Number.isNaN(d) ? '?' : d.toExponential(2)})`,
    });
  }
  return checks;
}
