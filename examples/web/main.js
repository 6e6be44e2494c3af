// The demo page: loads the wasm core, trains Word2Vec on the sentences in the text box (on two worker threads
// when the page is cross-origin isolated, else on one), shows a word's nearest neighbours, and loads word-vector
// files picked by the user (read from the File in memory: browsers have no file system).
import { init, runtime, env, Word2Vec, loadVectors } from 'quantext';

const $ = (id) => document.getElementById(id);

/** The vectors being searched (a trained model's `wv` or loaded KeyedVectors) and what owns them. */
let current = { wv: undefined, owner: undefined, label: '' };

function use(wv, owner, label) {
  current.owner?.dispose();
  current = { wv, owner, label };
  $('source').textContent = `in ${label}`;
}

function showError(where, e) {
  where.innerHTML = '';
  const span = document.createElement('span');
  span.className = 'error';
  span.textContent = `${e.code ?? e.name}: ${e.message}`;
  where.append(span);
}

/** Trains on the text box; resolves with train()'s summary. */
async function train() {
  const sentences = $('corpus').value.split('\n').filter((s) => s.trim() !== '');
  const model = new Word2Vec({
    vectorSize: 16, window: 2, minCount: 1, sg: 1, sample: 0, seed: 1,
    epochs: Number($('epochs').value) || 200,
    workers: env.canThread ? 2 : 1,
  });
  try {
    const res = await model.train(sentences);
    use(model.wv, model, `the model trained on ${sentences.length} sentences`);
    $('trained').textContent = `${model.wv.size} words, ${res.epochs} epochs in ${(res.seconds * 1000).toFixed(0)} ms on ${res.threads} thread${res.threads > 1 ? 's' : ''}`;
    return res;
  } catch (e) {
    model.dispose();
    showError($('trained'), e);
    throw e;
  }
}

/** Loads a word2vec/GloVe file the user picked (a File is a Blob: quantext streams it). */
async function loadFile(file) {
  try {
    const kv = await loadVectors(file);
    use(kv, kv, file.name);
    $('loaded').textContent = `${file.name}: ${kv.size} words × ${kv.dim}`;
    return kv.size;
  } catch (e) {
    showError($('loaded'), e);
    throw e;
  }
}

/** Fills the neighbours table for `word`; returns the [word, cosine] pairs. */
function neighbours(word = $('query').value.trim()) {
  const table = $('neighbours');
  table.innerHTML = '';
  if (!current.wv) return [];
  if (!current.wv.has(word)) {
    table.innerHTML = `<tr><td class="muted">'${word.replace(/[<&]/g, '')}' is not in the vocabulary</td></tr>`;
    return [];
  }
  const found = current.wv.mostSimilar({ positive: [word], topn: 8 });
  for (const [w, score] of found) {
    const tr = table.insertRow();
    tr.insertCell().textContent = w;
    const s = tr.insertCell();
    s.className = 'score';
    s.textContent = score.toFixed(3);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${Math.max(0, score) * 100}%`;
    tr.insertCell().append(bar);
    tr.cells[2].style.width = '60%';
  }
  return found;
}

async function start() {
  const t0 = performance.now();
  const rt = await init();
  const loadMs = performance.now() - t0;
  $('status').textContent =
    `backend ${rt.backend} · build ${rt.build} · cross-origin isolated: ${globalThis.crossOriginIsolated === true} · ` +
    `threads ${env.canThread ? 'available' : 'unavailable'} · wasm loaded in ${loadMs.toFixed(0)} ms`;
  const res = await train();
  const found = neighbours();
  return { build: runtime().build, backend: runtime().backend, isolated: globalThis.crossOriginIsolated === true, threads: res.threads, neighbours: found };
}

$('train').addEventListener('click', () => train().then(() => neighbours(), () => {}));
$('search').addEventListener('click', () => neighbours());
$('query').addEventListener('keydown', (e) => e.key === 'Enter' && neighbours());
$('file').addEventListener('change', () => {
  const f = $('file').files?.[0];
  if (f) loadFile(f).then(() => neighbours(), () => {});
});

const ready = start();
ready.catch((e) => showError($('status'), e));
/** For scripts driving the page (scripts/smoke/browser.mjs). */
globalThis.quantextDemo = { ready, train, loadFile, neighbours };
