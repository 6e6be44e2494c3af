// The demo page. Training runs in a worker (train-worker.js: Word2Vec on two threads when the page is cross-origin
// isolated, else on one) that streams its progress and loss here and hands back the vectors; the page loads them
// into a KeyedVectors and answers neighbours and analogies, draws a PCA projection, and compares quantization
// schemes (size, SQNR, Spearman ρ of similarities, search time). Word-vector files picked by the user are read
// from the File in memory (browsers have no file system). The classifier box loads the spam classifier that the
// Worker example bundles (examples/worker/models/spam.ftz: compressed, product-quantized) and tokenizes messages as
// that Worker does.
import { init, runtime, env, KeyedVectors, loadVectors, quantize, errorReport, TextClassifier } from 'quantext';
import { sampleCorpus } from './corpus.js';
import { tokenize } from '../worker/src/tokenize.js';

const $ = (id) => document.getElementById(id);

/** The vectors being searched (trained or loaded KeyedVectors) and a label. */
let current = { wv: undefined, label: '' };

function use(wv, label) {
  current.wv?.dispose();
  current = { wv, label };
  $('source').textContent = `in ${label}`;
  $('qtable').querySelectorAll('tr.result').forEach((tr) => tr.remove());
  explored.length = 0;
  drawQuantPlot();
}

function showError(where, e) {
  where.innerHTML = '';
  const span = document.createElement('span');
  span.className = 'error';
  span.textContent = `${e.code ?? e.name}: ${e.message}`;
  where.append(span);
}

// ------------------------------------------------------------------------------------------------ training

const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
let pending;
worker.onmessage = ({ data }) => pending?.(data);
worker.onerror = (e) => pending?.({ type: 'error', message: e.message || 'the training worker failed to load' });

function corpusSentences() {
  if (document.querySelector('input[name=src]:checked').value === 'sample') return sampleCorpus();
  return $('corpus').value.split('\n').filter((s) => s.trim() !== '');
}

/** Trains in the worker; resolves with its summary once the page has the vectors. */
function train() {
  const sentences = corpusSentences();
  const epochs = Number($('epochs').value) || 10;
  $('train').disabled = true;
  $('progress').value = 0;
  $('trained').textContent = 'training…';
  const losses = []; // [x in epochs, loss of that epoch so far per word]
  let lastEpoch = -1, lastLoss = 0;
  const done = [];
  return new Promise((resolve, reject) => {
    pending = (m) => {
      if (m.type === 'progress') {
        $('progress').value = m.progress;
        if (m.epoch !== lastEpoch && lastEpoch >= 0) done.push(lastLoss);
        lastEpoch = m.epoch;
        lastLoss = m.loss;
        losses.push(m.loss);
        drawLoss(done, m.epochs);
        $('trained').textContent = `epoch ${m.epoch + 1}/${m.epochs} · ${Math.round(m.wordsPerSecond).toLocaleString()} words/s`;
      } else if (m.type === 'done') {
        pending = undefined;
        $('progress').value = 1;
        drawLoss(m.epochLoss, m.epochs);
        const kv = KeyedVectors.fromArrays(m.words, m.vectors, m.dim);
        use(kv, `the model trained on ${sentences.length} sentences`);
        $('trained').textContent = `${m.words.length} words, ${m.epochs} epochs in ${(m.seconds * 1000).toFixed(0)} ms on ${m.threads} thread${m.threads > 1 ? 's' : ''}`;
        $('train').disabled = false;
        resolve(m);
      } else if (m.type === 'error') {
        pending = undefined;
        $('train').disabled = false;
        const e = Object.assign(new Error(m.message), { code: m.code });
        showError($('trained'), e);
        reject(e);
      }
    };
    worker.postMessage({ type: 'train', sentences, epochs, vectorSize: Number($('dim').value) || 48, window: 4, sg: $('sg').checked ? 1 : 0 });
  });
}

/** Loss per epoch (the summed loss of each finished epoch), as a line with points. */
function drawLoss(values, epochs) {
  const c = $('loss'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  g.fillStyle = '#5b6473';
  g.font = '11px system-ui';
  g.fillText('loss per epoch', 8, 14);
  if (!values.length) return;
  const max = Math.max(...values), min = Math.min(...values, 0);
  const x = (i) => 40 + (i / Math.max(1, epochs - 1)) * (c.width - 60);
  const y = (v) => c.height - 20 - ((v - min) / (max - min || 1)) * (c.height - 40);
  g.strokeStyle = '#4a7bd0';
  g.lineWidth = 2;
  g.beginPath();
  values.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v))));
  g.stroke();
  g.fillStyle = '#4a7bd0';
  values.forEach((v, i) => g.fillRect(x(i) - 2, y(v) - 2, 4, 4));
  g.fillStyle = '#5b6473';
  g.fillText(max.toPrecision(3), 2, y(max) + 4);
  g.fillText(`${values.length} of ${epochs} epochs`, 40, c.height - 4);
}

// ------------------------------------------------------------------------------------------------ files

/** Loads a word2vec/GloVe file the user picked (a File is a Blob: quantext streams it). */
async function loadFile(file) {
  try {
    const kv = await loadVectors(file);
    use(kv, file.name);
    $('loaded').textContent = `${file.name}: ${kv.size} words × ${kv.dim}`;
    drawPca();
    return kv.size;
  } catch (e) {
    showError($('loaded'), e);
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------ answers

function fill(table, rows) {
  table.innerHTML = '';
  for (const [w, score] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = w;
    const s = tr.insertCell();
    s.className = 'score';
    s.textContent = score.toFixed(3);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${Math.max(0, score) * 100}%`;
    tr.insertCell().append(bar);
    tr.cells[2].style.width = '45%';
  }
}

function notInVocab(table, words) {
  const missing = words.filter((w) => !current.wv.has(w));
  if (!missing.length) return false;
  table.innerHTML = '';
  table.insertRow().insertCell().textContent = `not in the vocabulary: ${missing.join(', ')}`;
  table.rows[0].cells[0].className = 'muted';
  return true;
}

/** Fills the neighbours table for `word`; returns the [word, cosine] pairs. */
function neighbours(word = $('query').value.trim()) {
  if (!current.wv || notInVocab($('neighbours'), [word])) return [];
  const found = current.wv.mostSimilar({ positive: [word], topn: 8 });
  fill($('neighbours'), found);
  return found;
}

/** a : b :: c : ? — the words nearest to b − a + c (gensim's most_similar(positive=[b, c], negative=[a])). */
function analogy(a = $('a').value.trim(), b = $('b').value.trim(), c = $('c').value.trim()) {
  if (!current.wv || notInVocab($('analogies'), [a, b, c])) return [];
  const found = current.wv.mostSimilar({ positive: [b, c], negative: [a], topn: 5 });
  fill($('analogies'), found);
  return found;
}

// ------------------------------------------------------------------------------------------------ PCA

let pcaPoints = [];

/** The first two principal components of the (centred) rows, by power iteration with deflation. */
function pca2(rows, dim) {
  const n = rows.length;
  const mean = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += r[j] / n;
  const X = rows.map((r) => Float64Array.from(r, (v, j) => v - mean[j]));
  const comps = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: dim }, (_, j) => Math.sin(j * 1.7 + k + 1));
    for (let it = 0; it < 100; it++) {
      const w = new Float64Array(dim);
      for (const x of X) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += x[j] * v[j];
        for (let j = 0; j < dim; j++) w[j] += d * x[j];
      }
      for (const c of comps) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += w[j] * c[j];
        for (let j = 0; j < dim; j++) w[j] -= d * c[j];
      }
      const norm = Math.hypot(...w) || 1;
      v = w.map((x) => x / norm);
    }
    comps.push(v);
  }
  return X.map((x) => comps.map((c) => x.reduce((s, xi, j) => s + xi * c[j], 0)));
}

/** Scatter plot of the 150 most frequent words (the first rows); returns the plotted points. */
function drawPca() {
  const c = $('pca'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  pcaPoints = [];
  const wv = current.wv;
  if (!wv || wv.size < 3) return pcaPoints;
  const n = Math.min(150, wv.size);
  const words = wv.indexToKey.slice(0, n);
  const xy = pca2(words.map((_, i) => wv.vectorAt(i)), wv.dim);
  const xs = xy.map((p) => p[0]), ys = xy.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const px = (v) => 20 + ((v - x0) / (x1 - x0 || 1)) * (c.width - 40);
  const py = (v) => c.height - 20 - ((v - y0) / (y1 - y0 || 1)) * (c.height - 40);
  g.font = '11px system-ui';
  words.forEach((w, i) => {
    const p = { word: w, x: px(xy[i][0]), y: py(xy[i][1]) };
    pcaPoints.push(p);
    g.fillStyle = '#4a7bd0';
    g.beginPath();
    g.arc(p.x, p.y, 3.5, 0, 2 * Math.PI);
    g.fill();
    if (i < 40) {
      g.fillStyle = '#5b6473';
      g.fillText(w, p.x + 5, p.y - 4);
    }
  });
  $('pca-info').textContent = `${n} words; the 40 most frequent are labelled`;
  return pcaPoints;
}

$('pca').addEventListener('mousemove', (e) => {
  const c = $('pca'), r = c.getBoundingClientRect();
  const x = ((e.clientX - r.left) * c.width) / r.width, y = ((e.clientY - r.top) * c.height) / r.height;
  let best, bd = 64;
  for (const p of pcaPoints) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d < bd) [best, bd] = [p, d];
  }
  const tip = $('tip');
  if (!best) {
    tip.style.display = 'none';
    return;
  }
  tip.textContent = best.word;
  tip.style.display = 'block';
  tip.style.left = `${(best.x * r.width) / c.width + 8}px`;
  tip.style.top = `${(best.y * r.height) / c.height - 24}px`;
});
$('pca').addEventListener('mouseleave', () => ($('tip').style.display = 'none'));

// ------------------------------------------------------------------------------------------------ quantization

const explored = [];

/** mulberry32, for the same word pairs every time. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Spearman's ρ (average ranks for ties). */
function spearman(a, b) {
  const rank = (v) => {
    const idx = v.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]);
    const r = new Array(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a), rb = rank(b), n = a.length, m = (n - 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - m) * (rb[i] - m);
    da += (ra[i] - m) ** 2;
    db += (rb[i] - m) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** Microseconds per mostSimilar query (top 10) over `queries` rows. */
function timeSearch(kv, queries) {
  kv.mostSimilar({ positive: [queries[0]], topn: 10 }); // warm
  const t0 = performance.now();
  let n = 0;
  do for (const w of queries) (kv.mostSimilar({ positive: [w], topn: 10 }), n++);
  while (performance.now() - t0 < 150);
  return ((performance.now() - t0) * 1000) / n;
}

/** Quantizes the current vectors with `scheme` (and `bits` for 'int'); adds a row to the table and the plot. */
function explore(scheme = $('scheme').value, bits = Number($('bits').value)) {
  const wv = current.wv;
  if (!wv) return undefined;
  const rows = wv.size, cols = wv.dim;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) data.set(wv.vectorAt(i), i * cols);
  // size and SQNR of the codes (per-row scales, as the tables store them)
  const q = quantize(data, { scheme, ...(scheme === 'int' ? { bits } : {}), rows, cols, perRow: !['fp16', 'bf16'].includes(scheme) });
  const rep = errorReport(data, q);
  const table = scheme === 'int' ? undefined : wv.quantize({ scheme });
  try {
    // Spearman ρ of 400 seeded word-pair similarities: the table's against f32 (or the decoded codes' for 'int')
    const r = rng(11);
    const pairs = Array.from({ length: 400 }, () => [Math.floor(r() * rows), Math.floor(r() * rows)]);
    const f32 = pairs.map(([a, b]) => wv.similarity(a, b));
    let approx;
    if (table) approx = pairs.map(([a, b]) => table.similarity(a, b));
    else {
      const cos = (a, b) => {
        let d = 0, na = 0, nb = 0;
        for (let j = 0; j < cols; j++) {
          const x = deq[a * cols + j], y = deq[b * cols + j];
          d += x * y;
          na += x * x;
          nb += y * y;
        }
        return d / Math.sqrt(na * nb || 1);
      };
      const deq = new Float32Array(rows * cols);
      const s = q.scales, z = q.zeroPoints;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) deq[i * cols + j] = s[i] * (q.codes[i * cols + j] - z[i]);
      approx = pairs.map(([a, b]) => cos(a, b));
    }
    const queries = Array.from({ length: 20 }, (_, i) => wv.indexToKey[Math.floor((i * rows) / 20)]);
    const res = {
      scheme, bits: q.bits, bytes: rep.bytesAfter, ratio: rep.bytesBefore / rep.bytesAfter, sqnrDb: rep.sqnrDb,
      spearman: spearman(f32, approx),
      usPerQuery: table ? timeSearch(table, queries) : undefined,
      f32UsPerQuery: timeSearch(wv, queries),
    };
    explored.push(res);
    const tr = $('qtable').insertRow();
    tr.className = 'result';
    const cells = [scheme, res.bits, `${(res.bytes / 1024).toFixed(1)} KiB`, `${res.ratio.toFixed(1)}× smaller`, `${res.sqnrDb.toFixed(1)} dB`, res.spearman.toFixed(4),
      res.usPerQuery === undefined ? 'no table' : res.usPerQuery.toFixed(1), res.f32UsPerQuery.toFixed(1)];
    cells.forEach((v, i) => {
      const td = tr.insertCell();
      td.textContent = String(v);
      if (i) td.className = 'num';
    });
    drawQuantPlot();
    return res;
  } finally {
    table?.dispose();
  }
}

/** Bars: SQNR (dB) and Spearman ρ of each scheme tried. */
function drawQuantPlot() {
  const c = $('qplot'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  g.font = '11px system-ui';
  g.fillStyle = '#5b6473';
  g.fillText('SQNR (dB, blue) and Spearman ρ (×40, orange)', 8, 14);
  const maxDb = Math.max(40, ...explored.map((e) => (Number.isFinite(e.sqnrDb) ? e.sqnrDb : 0)));
  const w = Math.min(80, (c.width - 20) / Math.max(1, explored.length));
  explored.forEach((e, i) => {
    const x = 10 + i * w, h = c.height - 40;
    const db = Number.isFinite(e.sqnrDb) ? e.sqnrDb : maxDb;
    g.fillStyle = '#4a7bd0';
    g.fillRect(x, 20 + h - (db / maxDb) * h, w * 0.4, (db / maxDb) * h);
    g.fillStyle = '#e08a2e';
    const sp = Math.max(0, e.spearman) * 40;
    g.fillRect(x + w * 0.42, 20 + h - (sp / maxDb) * h, w * 0.4, (sp / maxDb) * h);
    g.fillStyle = '#1d2330';
    g.fillText(`${e.scheme}${e.scheme === 'int' ? e.bits : ''}`, x, c.height - 6);
  });
}

// ------------------------------------------------------------------------------------------------ classifier

const CLASSIFIER_URL = new URL('../worker/models/spam.ftz', import.meta.url);
let classifier;

/** Fetches and loads the classifier; says what it is and how long loading took. */
async function loadClassifier() {
  const t0 = performance.now();
  const res = await fetch(CLASSIFIER_URL);
  if (!res.ok) throw new Error(`${CLASSIFIER_URL.pathname}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  classifier = await TextClassifier.load(bytes);
  const m = classifier.model;
  $('clf-info').textContent =
    `The spam classifier that examples/worker/ serves: a fastText supervised model trained on the SpamAssassin corpus, ` +
    `compressed${m.quantInput ? ' (its input matrix product-quantized to 8-bit codes)' : ''}: dim ${m.dim}, ${m.words.length.toLocaleString()} words, ` +
    `${(bytes.length / 1024).toFixed(0)} KiB; loaded in ${(performance.now() - t0).toFixed(0)} ms. Messages are tokenized as its training data was.`;
  $('classify').disabled = false;
  return { bytes: bytes.length, dim: m.dim, labels: classifier.labels };
}

/** Classifies the message box (or `text`): the verdict, every label's probability and the time the prediction took. */
function classify(text = $('message').value) {
  const t0 = performance.now();
  const tokens = tokenize(text);
  const preds = classifier.predict(tokens.join(' '), -1);
  const ms = performance.now() - t0;
  const labels = preds.map(([l, p]) => ({ label: l.replace(/^__label__/, ''), probability: p }));
  const top = labels[0];
  $('verdict').textContent = `${top.label} (${(100 * Math.min(1, top.probability)).toFixed(1)} %)`;
  $('verdict').className = top.label;
  $('clf-latency').textContent = `${ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`} for ${tokens.length} tokens`;
  fill($('clf-labels'), labels.map((l) => [l.label, l.probability]));
  return { label: top.label, probability: top.probability, labels, ms, tokens: tokens.length };
}

// ------------------------------------------------------------------------------------------------ start

async function start() {
  const t0 = performance.now();
  const rt = await init();
  const loadMs = performance.now() - t0;
  $('status').textContent =
    `backend ${rt.backend} · build ${rt.build} · cross-origin isolated: ${globalThis.crossOriginIsolated === true} · ` +
    `threads ${env.canThread ? 'available' : 'unavailable'} · wasm loaded in ${loadMs.toFixed(0)} ms`;
  const clf = loadClassifier().then(() => classify(), (e) => (showError($('verdict'), e), undefined));
  const res = await train();
  await clf;
  const found = neighbours();
  analogy();
  drawPca();
  return { build: runtime().build, backend: runtime().backend, isolated: globalThis.crossOriginIsolated === true, threads: res.threads, neighbours: found };
}

$('train').addEventListener('click', () => train().then(() => (neighbours(), analogy(), drawPca()), () => {}));
$('search').addEventListener('click', () => neighbours());
$('query').addEventListener('keydown', (e) => e.key === 'Enter' && neighbours());
$('analogy').addEventListener('click', () => analogy());
$('scheme').addEventListener('change', () => ($('bits').disabled = $('scheme').value !== 'int'));
$('explore').addEventListener('click', () => {
  try {
    explore();
  } catch (e) {
    console.error(e);
  }
});
$('classify').disabled = true;
$('classify').addEventListener('click', () => {
  try {
    classify();
  } catch (e) {
    showError($('verdict'), e);
  }
});
$('message').addEventListener('keydown', (e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && $('classify').click());
$('file').addEventListener('change', () => {
  const f = $('file').files?.[0];
  if (f) loadFile(f).then(() => neighbours(), () => {});
});

const ready = start();
ready.catch((e) => showError($('status'), e));
/** For scripts driving the page (scripts/smoke/browser.mjs, scripts/smoke/demo.mjs). */
globalThis.quantextDemo = { ready, train, loadFile, neighbours, analogy, explore, classify, pca: () => pcaPoints };
