// The Worker's request handling, apart from how the models arrive: src/index.js (the Workers entry) hands it the
// bundled model files as imported Data modules; scripts/smoke/worker-example.mjs hands it the same files read in Node,
// so that Node's answers can be compared with workerd's.
//
//   POST /classify            {"text": "…"}      → {"label": "spam", "probability": 0.97, "labels": [{label, probability}, …], "tokens": n}
//   GET  /neighbours?word=w[&topn=10]             → {"word": "w", "neighbours": [{word, similarity}, …]}
//
// Every answer carries its handling time: `X-Latency-Ms` and `Server-Timing: handler;dur=…` (milliseconds). The
// request that loaded the models (the first one an isolate serves) also carries `X-Load-Ms`, the time the loading
// took. In workerd (locally and in Cloudflare's network) the clocks advance only at I/O, a defence against timing
// attacks: computing without I/O takes no time by the Worker's clock, so there the headers show the time spent
// waiting (reading the body, loading the models at the first request), not computing. Measure from the client too
// (scripts/smoke/worker-example.mjs does).

import { tokenize } from './tokenize.js';

const MAX_TEXT = 100_000;
const MAX_TOPN = 100;

/** JSON answer with the latency headers. */
function answer(body, status, t0, loadMs) {
  const ms = performance.now() - t0;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'x-latency-ms': ms.toFixed(3), 'server-timing': `handler;dur=${ms.toFixed(3)}` };
  if (loadMs !== undefined) headers['x-load-ms'] = loadMs.toFixed(3);
  return new Response(JSON.stringify(body), { status, headers });
}

const stripLabel = (l) => (l.startsWith('__label__') ? l.slice('__label__'.length) : l);

/** A quantext compressed classifier file (QTXC, `quantext/compress`) starts with these bytes. */
const isQtxc = (b) => b.length >= 4 && b[0] === 0x51 && b[1] === 0x54 && b[2] === 0x58 && b[3] === 0x43;

/**
 * The Worker: `{ fetch(request) }`. `q` holds quantext's `TextClassifier`, `loadVectors` and (from
 * `quantext/compress`) `CompressedClassifier`; `models.classifier` is a compressed classifier (.qtxc) or a fastText
 * supervised model (.ftz or .bin) and `models.vectors` an int8 safetensors table (ArrayBuffer or Uint8Array each).
 * The models load at the first request and stay while the isolate lives.
 */
export function createApp(q, models) {
  let ready;
  async function load() {
    const t0 = performance.now();
    const bytes = new Uint8Array(models.classifier);
    const [classifier, vectors] = await Promise.all([
      isQtxc(bytes) ? q.CompressedClassifier.load(bytes) : q.TextClassifier.load(bytes),
      q.loadVectors(new Uint8Array(models.vectors), { format: 'safetensors' }),
    ]);
    return { classifier, vectors, loadMs: performance.now() - t0 };
  }

  async function classify(request, m) {
    let body;
    try {
      body = await request.json();
    } catch {
      return [400, { error: 'the body must be JSON: {"text": "…"}' }];
    }
    const text = body?.text;
    if (typeof text !== 'string') return [400, { error: 'the body must be JSON with a string "text"' }];
    if (text.length > MAX_TEXT) return [413, { error: `text is longer than ${MAX_TEXT} characters` }];
    // tokenized as the training data was (one line: fastText reads a line per document)
    const tokens = tokenize(text);
    const preds = m.classifier.predict(tokens.join(' '), -1);
    const labels = preds.map(([label, probability]) => ({ label: stripLabel(label), probability }));
    return [200, { label: labels[0]?.label ?? null, probability: labels[0]?.probability ?? 0, labels, tokens: tokens.length }];
  }

  function neighbours(url, m) {
    const word = url.searchParams.get('word');
    if (!word) return [400, { error: 'give a word: /neighbours?word=…' }];
    const topnArg = url.searchParams.get('topn') ?? '10';
    const topn = Number(topnArg);
    if (!Number.isInteger(topn) || topn < 1 || topn > MAX_TOPN) return [400, { error: `topn must be an integer in [1, ${MAX_TOPN}], got '${topnArg}'` }];
    if (!m.vectors.hasKey(word)) return [404, { error: `'${word}' is not in the vocabulary (${m.vectors.size} words)`, word }];
    const found = m.vectors.mostSimilar({ positive: [word], topn });
    return [200, { word, neighbours: found.map(([w, similarity]) => ({ word: w, similarity })) }];
  }

  return {
    async fetch(request) {
      const t0 = performance.now();
      const url = new URL(request.url);
      const route = `${request.method} ${url.pathname}`;
      const known = ['POST /classify', 'GET /neighbours'];
      if (!known.includes(route)) {
        const allowed = known.filter((r) => r.endsWith(` ${url.pathname}`));
        if (allowed.length) return answer({ error: `${request.method} is not allowed here: ${allowed.join(', ')}` }, 405, t0);
        return answer({ error: `no route ${route}: POST /classify, GET /neighbours?word=` }, 404, t0);
      }
      let loadMs;
      if (!ready) {
        ready = load();
        ready.then((m) => (loadMs = m.loadMs)).catch(() => (ready = undefined)); // a failed load is retried by the next request
      }
      try {
        const m = await ready;
        const [status, body] = route === 'POST /classify' ? await classify(request, m) : neighbours(url, m);
        return answer(body, status, t0, loadMs);
      } catch (e) {
        const code = e?.code;
        return answer({ error: `${code ? `${code}: ` : ''}${e?.message ?? e}` }, code && code !== 'E_WASM' ? 400 : 500, t0);
      }
    },
  };
}
