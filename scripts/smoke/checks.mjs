// The runtime-neutral checks of the smoke tests: each runtime's script (node.mjs, deno.mjs, bun.mjs, and the
// browser page driven by browser.mjs) imports quantext the way a user would and hands the module to
// `runChecks`. Nothing here imports quantext or any host module: the same file runs in Node, Deno, Bun and
// Chromium. Every check computes something and compares it with an independent value (a plain-JS computation,
// a planted structure, hand-made file bytes), so a wrong answer fails, not just a failed import.
// The last check computes the cross-runtime parity outputs (parity.mjs) that run.mjs compares with Node's.
import { computeParity } from './parity.mjs';

/** Seeded PRNG (mulberry32, as in test/helpers.ts) so that every runtime sees the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The two planted topics: each sentence draws its words from one of them only. */
export const TOPICS = {
  fruit: ['apple', 'banana', 'cherry', 'grape', 'mango', 'pear', 'plum', 'peach'],
  vehicle: ['car', 'truck', 'bus', 'train', 'bike', 'tram', 'van', 'taxi'],
};

/** `n` sentences of `len` words, alternating topics; deterministic for a seed. */
export function plantedCorpus(seed = 1, n = 200, len = 10) {
  const r = rng(seed);
  const topics = [TOPICS.fruit, TOPICS.vehicle];
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = topics[i % 2];
    const words = [];
    for (let j = 0; j < len; j++) words.push(t[Math.floor(r() * t.length)]);
    out.push(words.join(' '));
  }
  return out;
}

/** FNV-1a over the bytes of a Float32Array: equal only when every bit of every value is equal. */
export function fingerprint(f32) {
  const b = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

class CheckFailed extends Error {}
function expect(cond, message) {
  if (!cond) throw new CheckFailed(message);
}
const close = (a, b, rel) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

/** Σ a[i]·b[i] in float64: the reference for the f32 dot kernel. */
function dotRef(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Checks `dot_f32` of runtime `rt` on odd-length data (exercises the SIMD tail) against `dotRef`. */
function checkDot(rt, n = 1003) {
  const r = rng(7);
  const x = Float32Array.from({ length: n }, () => r() * 2 - 1);
  const y = Float32Array.from({ length: n }, () => r() * 2 - 1);
  const px = rt.arena.put(x);
  const py = rt.arena.put(y);
  try {
    const got = rt.kernels.dot_f32(px, py, n);
    const want = dotRef(x, y);
    expect(close(got, want, 1e-4), `dot_f32 over ${n} values: got ${got}, JS computes ${want}`);
    return `dot_f32(n=${n}) = ${got.toFixed(5)} (JS ${want.toFixed(5)})`;
  } finally {
    rt.arena.free(px);
    rt.arena.free(py);
  }
}

/** Every neighbour of `word` is from `topic`, and the nearest word of the other topic is clearly farther. */
function checkNeighbours(wv, word, topic, other) {
  const nn = wv.mostSimilar({ positive: [word], topn: 3 });
  const keys = nn.map(([k]) => k);
  expect(nn.length === 3 && keys.every((k) => topic.includes(k)), `mostSimilar('${word}') = ${JSON.stringify(nn)}: not all of its topic`);
  const worstSame = Math.min(...nn.map(([, s]) => s));
  const bestOther = Math.max(...other.map((w) => wv.similarity(word, w)));
  expect(worstSame - bestOther > 0.1, `topics not separated: 3rd neighbour ${worstSame.toFixed(3)}, best of the other topic ${bestOther.toFixed(3)}`);
  return `${word} → ${keys.join(', ')} (≥ ${worstSame.toFixed(3)}; other topic ≤ ${bestOther.toFixed(3)})`;
}

/** Captures console.warn while `fn` runs; resolves to [result, warnings]. */
async function withWarnings(fn) {
  const seen = [];
  const warn = console.warn;
  console.warn = (...a) => {
    seen.push(a.map(String).join(' '));
    warn.apply(console, a);
  };
  try {
    return [await fn(), seen];
  } finally {
    console.warn = warn;
  }
}

/** word2vec text and binary bytes, and GloVe text, for four 3-d vectors (two pairs of near-twins). */
const VECS = { king: [0.5, 1, -1], queen: [0.45, 1, -0.9], apple: [-1, 0.2, 0.3], pear: [-0.9, 0.25, 0.3] };
function vectorFiles() {
  const words = Object.keys(VECS);
  const text = `${words.length} 3\n` + words.map((w) => `${w} ${VECS[w].join(' ')}`).join('\n') + '\n';
  const glove = words.map((w) => `${w} ${VECS[w].join(' ')}`).join('\n') + '\n';
  const enc = new TextEncoder();
  const parts = [enc.encode(`${words.length} 3\n`)];
  for (const w of words) {
    parts.push(enc.encode(`${w} `), new Uint8Array(Float32Array.from(VECS[w]).buffer), enc.encode('\n'));
  }
  const binary = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    binary.set(p, o);
    o += p.length;
  }
  return { text, glove, binary };
}
function cosineRef(a, b) {
  return dotRef(a, b) / Math.sqrt(dotRef(a, a) * dotRef(b, b));
}
function checkLoaded(kv, how) {
  expect(kv.size === 4 && kv.dim === 3, `${how}: ${kv.size}×${kv.dim}, expected 4×3`);
  for (const w of Object.keys(VECS)) {
    const v = kv.get(w);
    expect(VECS[w].every((x, i) => v[i] === Math.fround(x)), `${how}: vector of '${w}' is ${Array.from(v)}, file has ${VECS[w]}`);
  }
  const [[top, score]] = kv.mostSimilar({ positive: ['king'], topn: 1 });
  const want = cosineRef(VECS.king, VECS.queen);
  expect(top === 'queen' && close(score, want, 1e-5), `${how}: mostSimilar(king) = ${top} ${score}, expected queen ${want}`);
}

/**
 * Runs every check against the quantext module `q` (already imported by the caller).
 *
 * @param {object} q - the quantext module namespace.
 * @param {object} o - `runtime` (expected `env.runtime`), `entry` ('node' | 'browser': which export condition
 *   the host should have resolved), `threads` (true when threads are expected to work here: the default build is
 *   then `simd-mt` and `workers: 2` must really start two workers), `tmpDir` (a writable folder: enables the
 *   file round trip, node entry only), `compress` (the `quantext/compress` module namespace, imported by the
 *   caller from the same entry kind: parity.mjs's compressed-classifier cases need it).
 * @returns {Promise<{ checks: {name: string, ok: boolean, ms: number, detail: string}[], fingerprint?: string, warnings: string[] }>}
 */
export async function runChecks(q, o) {
  const checks = [];
  const out = { checks, warnings: [] };
  const run = async (name, fn) => {
    const t0 = performance.now();
    try {
      const detail = await fn();
      checks.push({ name, ok: true, ms: performance.now() - t0, detail: detail ?? '' });
    } catch (e) {
      const detail = e instanceof CheckFailed ? e.message : `${e?.name ?? 'Error'}${e?.code ? ` ${e.code}` : ''}: ${e?.message ?? e}`;
      checks.push({ name, ok: false, ms: performance.now() - t0, detail });
    }
  };

  await run('entry', () => {
    // the node entry adds the file-system helpers; the browser entry must not (no node: imports in browsers)
    const hasNodeFs = typeof q.useNodeFileSystem === 'function';
    expect(hasNodeFs === (o.entry === 'node'), `expected the ${o.entry} entry, got the ${hasNodeFs ? 'node' : 'browser/default'} one`);
    expect(q.env.runtime === o.runtime, `env.runtime is '${q.env.runtime}', expected '${o.runtime}'`);
    expect(q.env.canThread === o.threads, `env.canThread is ${q.env.canThread}, expected ${o.threads}`);
    return `${o.entry} entry, env.runtime=${q.env.runtime}, canThread=${q.env.canThread}`;
  });

  await run('init() default source', async () => {
    const rt = await q.init();
    // the relaxed-SIMD build where the runtime runs it right and the entry carries it (not the workerd entry)
    const relaxed = q.relaxedSupported() && o.runtime !== 'workerd';
    const want = (relaxed ? 'simd-relaxed' : 'simd') + (o.threads ? '-mt' : '');
    expect(q.backend() === (relaxed ? 'relaxed' : 'simd'), `backend() is '${q.backend()}', expected '${relaxed ? 'relaxed' : 'simd'}'`);
    expect(rt.build === want && rt.shared === o.threads, `default build is ${rt.build} (shared ${rt.shared}), expected ${want}`);
    expect(q.runtime() === rt, 'runtime() is not the runtime init() returned');
    return `backend()=${q.backend()}, build=${rt.build}`;
  });

  await run('kernel dot_f32 (simd)', () => checkDot(q.runtime()));

  await run('forced scalar runtime', async () => {
    const rt = await q.createRuntime(undefined, { backend: 'scalar' });
    const want = o.threads ? 'scalar-mt' : 'scalar';
    expect(rt.backend === 'scalar' && rt.build === want, `scalar runtime is ${rt.backend}/${rt.build}, expected scalar/${want}`);
    const plain = await q.createRuntime(undefined, { backend: 'scalar', shared: false });
    expect(plain.build === 'scalar' && !plain.shared, `shared: false gives ${plain.build}`);
    return `${rt.build}; ${checkDot(rt)}`;
  });

  await run('Word2Vec workers: 1', async () => {
    const model = new q.Word2Vec({ vectorSize: 16, minCount: 1, workers: 1, sg: 1, epochs: 5, sample: 0 });
    try {
      const [res, warnings] = await withWarnings(() => model.train(plantedCorpus()));
      expect(warnings.length === 0, `unexpected warnings: ${warnings.join(' | ')}`);
      expect(res.threads === 1 && res.words === 2000 * 5, `train() reports ${res.threads} threads, ${res.words} words`);
      out.fingerprint = fingerprint(model.wv.vectors);
      return `${checkNeighbours(model.wv, 'apple', TOPICS.fruit, TOPICS.vehicle)}; ${(res.seconds * 1000).toFixed(0)} ms; vectors ${out.fingerprint}`;
    } finally {
      model.dispose();
    }
  });

  await run('Word2Vec workers: 2', async () => {
    // small batches so that both workers have work at the same time
    const model = new q.Word2Vec({ vectorSize: 16, minCount: 1, workers: 2, sg: 1, epochs: 5, sample: 0, batchWords: 300 });
    try {
      const [res, warnings] = await withWarnings(() => model.train(plantedCorpus()));
      out.warnings.push(...warnings);
      if (o.threads) {
        expect(res.threads === 2, `train() ran on ${res.threads} thread(s), expected 2`);
        expect(warnings.length === 0, `unexpected warnings: ${warnings.join(' | ')}`);
      } else {
        expect(res.threads === 1, `train() ran on ${res.threads} threads without shared memory`);
      }
      const n = checkNeighbours(model.wv, 'apple', TOPICS.fruit, TOPICS.vehicle);
      const v = checkNeighbours(model.wv, 'truck', TOPICS.vehicle, TOPICS.fruit);
      return `${res.threads} thread(s); ${n}; ${v}; ${(res.seconds * 1000).toFixed(0)} ms`;
    } finally {
      model.dispose();
    }
  });

  await run('loadVectors from memory', async () => {
    const f = vectorFiles();
    const forms = [
      ['Uint8Array (word2vec text)', new TextEncoder().encode(f.text)],
      ['{ text } (word2vec text)', { text: f.text }],
      ['{ text } (GloVe, no header)', { text: f.glove }],
      ['Uint8Array (word2vec binary)', f.binary],
      ['Blob (word2vec binary)', new Blob([f.binary])],
    ];
    for (const [how, src] of forms) {
      const kv = await q.loadVectors(src);
      try {
        checkLoaded(kv, how);
      } finally {
        kv.dispose();
      }
    }
    return forms.map(([how]) => how).join(', ');
  });

  await run('quantize + search (int8, int4, binary; QuantizedIndexer)', async () => {
    // 600 vectors in 30 clusters (dim 40, seeded): quantized tables answer like f32, and the binary → int8 → f32
    // cascade with every row a candidate is the exact search
    const rnd = rng(12345);
    const n = 600, dim = 40;
    const centres = Array.from({ length: 30 }, () => Array.from({ length: dim }, () => rnd() * 2 - 1));
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = 0.5 + centres[i % 30][j] + (rnd() - 0.5) * 0.3;
    const words = Array.from({ length: n }, (_, i) => `w${i}`);
    const kv = q.KeyedVectors.fromArrays(words, data, dim);
    const made = [];
    try {
      const exact = kv.mostSimilar({ positive: ['w7'], topn: 5 }).map(([w]) => w);
      for (const scheme of ['int8', 'int4', 'binary']) {
        const t = kv.quantize({ scheme });
        made.push(t);
        const top = t.mostSimilar({ positive: ['w7'], topn: 5 }).map(([w]) => w);
        expect(top.every((w) => Number(w.slice(1)) % 30 === 7), `${scheme}: w7's neighbours ${top} are not all in its cluster`);
      }
      const ix = new q.QuantizedIndexer(kv, { coarse: 'binary', candidates: n, refine: ['int8', 'f32'] });
      made.push(ix);
      const got = kv.mostSimilar({ positive: ['w7'], topn: 6, indexer: ix }).map(([w]) => w).filter((w) => w !== 'w7').slice(0, 5);
      expect(got.join() === exact.join(), `indexer ${got} ≠ exact ${exact}`);
      return `int8/int4/binary tables and the indexer agree (w7 → ${exact.slice(0, 3).join(', ')})`;
    } finally {
      for (const m of made) m.dispose();
      kv.dispose();
    }
  });

  await run('TextClassifier trains and predicts on the default runtime (shared memory where threads are possible)', async () => {
    // the two planted topics as labelled lines; a text of each topic gets its label. On the default runtime (the -mt
    // build over shared memory where threads are possible) the texts go into shared wasm memory, which browsers'
    // TextEncoder.encodeInto refuses as a destination
    const lines = plantedCorpus(9, 120, 8).map((s, i) => `__label__${i % 2 ? 'vehicle' : 'fruit'} ${s}`);
    const clf = new q.TextClassifier({ dim: 8, epochs: 5, lr: 0.5, seed: 3 });
    try {
      await clf.train(lines);
      const got = clf.predictBatch(['apple mango pear', 'bus tram taxi'], 1).map(([[l, p]]) => `${l} ${p.toFixed(3)}`);
      expect(/^__label__fruit /.test(got[0]) && /^__label__vehicle /.test(got[1]), `predicted ${got.join(', ')}`);
      return `${q.runtime().build}: ${got.join(', ')}`;
    } finally {
      clf.dispose();
    }
  });

  if (o.parity !== false) {
    await run('parity outputs computed (SIMD and scalar builds)', async () => {
      out.parity = await computeParity(q, undefined, o.compress);
      const errors = Object.entries(out.parity).flatMap(([name, builds]) => Object.entries(builds).filter(([, r]) => r.error).map(([b, r]) => `${name} [${b}]: ${r.error}`));
      expect(errors.length === 0, errors.join('; '));
      return `${Object.keys(out.parity).length} cases × 2 builds (compared with Node's by run.mjs)`;
    });
  }

  if (o.tmpDir) {
    await run('saveVectors/loadVectors file round trip', async () => {
      const f = vectorFiles();
      const kv = await q.loadVectors(f.binary);
      const path = `${o.tmpDir.replace(/[\\/]$/, '')}/quantext-smoke-${o.runtime}.bin`;
      try {
        await q.saveVectors(kv, path);
        const back = await q.loadVectors(path);
        try {
          checkLoaded(back, `file ${path}`);
        } finally {
          back.dispose();
        }
      } finally {
        kv.dispose();
      }
      return path;
    });
  }
  return out;
}

/** The line the runner looks for: one JSON object after this marker, last on stdout. */
export const RESULT_MARKER = 'QUANTEXT_SMOKE_RESULT ';

/**
 * Prints a human-readable line per check and then the machine-readable result line; returns the number of
 * failed checks (the host script's exit code).
 */
export function report(runtimeName, version, result, totalMs) {
  for (const c of result.checks) {
    console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${runtimeName}: ${c.name} (${c.ms.toFixed(0)} ms)${c.detail ? ` — ${c.detail}` : ''}`);
  }
  const failed = result.checks.filter((c) => !c.ok).length;
  console.log(RESULT_MARKER + JSON.stringify({ runtime: runtimeName, version, totalMs, ...result }));
  return failed;
}
