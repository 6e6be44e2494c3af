#!/usr/bin/env node
// The Worker of examples/worker/ (a spam classifier and int8 word vectors bundled with it) served by workerd over
// HTTP, asked the same requests as the same code in Node (examples/worker/src/app.js with the package's node entry
// and the same model files): every answer must be equal (labels and status codes identical, probabilities and
// similarities within 1e-6, neighbour words identical and in the same order). It also measures, from the client:
// the cold start (workerd started → listening; then the first request, which loads the models) and the per-request
// time of each route (median and p95 of warm requests), with the Worker's own X-Latency-Ms beside them; and the size
// of what is uploaded to Cloudflare against the Workers limit.
//
//   node scripts/smoke/worker-example.mjs [--results FILE]      (run.mjs runs it as the `worker` runtime)
//
// Two ways of serving the Worker, each a set of checks:
// - `workerd (modules)`: src/index.js, src/app.js, the model files and the package's workerd entry (dist/, build/),
//   unbundled, in a workerd config written here (as scripts/workerd-smoke.mjs does); `quantext` is a named module.
//   Needs only the workerd binary ($WORKERD, or scripts/smoke/node_modules/.bin/workerd).
// - `workerd (wrangler bundle)`: when examples/worker/node_modules has wrangler (`cd examples/worker && npm install`),
//   what `wrangler deploy --dry-run` would upload, with examples/worker/wrangler.toml's rules, run in workerd;
//   its size is what wrangler reports. Without wrangler this one is not run (said so in the output).
// The timings and sizes go into the result line (and the JSON file of --results, or $QUANTEXT_ARTIFACTS/worker.json):
// that is where bench/RESULTS.md takes them from.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { report } from './checks.mjs';
import { WORKERD_VERSION, moduleEntry, moduleGraph, workerdBinary } from './workerd-modules.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'worker');
const MODELS = ['models/spam.qtxc', 'models/vectors.int8.safetensors'];
/** Cloudflare's limit on a Worker's compressed upload: 3 MB on the free plan (10 MB paid). */
const WORKERS_LIMIT_GZ = 3 * 1024 * 1024;
const TOL = 1e-6;
const WARM = Number(process.env.QUANTEXT_WORKER_REQUESTS ?? 200);

const argv = process.argv.slice(2);
const resultsAt = argv.indexOf('--results');
const resultsFile = resultsAt >= 0 ? resolve(argv[resultsAt + 1]) : process.env.QUANTEXT_ARTIFACTS ? join(resolve(process.env.QUANTEXT_ARTIFACTS), 'worker.json') : undefined;

const watchdog = setTimeout(() => {
  console.error('worker example: gave up after 180 s');
  process.exit(1);
}, 180_000);
watchdog.unref();

/** The requests both servers answer: [method, path, body?]. */
const MESSAGES = [
  'Congratulations! You have been selected to receive a FREE vacation. Click here now to claim your prize, limited time offer, act now!!!',
  'The new kernel patch is in CVS now; please test it on your Red Hat box and report any problems to the list.',
  'MAKE MONEY FAST working from home. Earn $5000 a week guaranteed. Reply with your bank details to get started',
  'I think the patch breaks the build on debian; the linker complains about a missing symbol in libfoo. Can you check the makefile?',
  'cheap meds online no prescription viagra',
  'lunch?',
  '', // no words at all: fastText still predicts (from </s> only)
  'multi\nline\r\nmessage with money and free offers',
];
const WORDS = ['money', 'king', 'church', 'water', 'president', 'city', 'war', 'said'];
export const REQUESTS = [
  ...MESSAGES.map((text) => ['POST', '/classify', JSON.stringify({ text })]),
  ...WORDS.map((w) => ['GET', `/neighbours?word=${encodeURIComponent(w)}`]),
  ['GET', '/neighbours?word=money&topn=3'],
  ['GET', '/neighbours?word=qwertyuiopasdf'], // 404: not in the vocabulary
  ['GET', '/neighbours'], // 400: no word
  ['GET', '/neighbours?word=money&topn=0'], // 400
  ['POST', '/classify', 'not json'], // 400
  ['POST', '/classify', JSON.stringify({ message: 'no text field' })], // 400
  ['GET', '/classify'], // 405
  ['GET', '/nope'], // 404
];

/** Sends one request with `send(path, init)`: to the fetch handler (Node: app.fetch) or over HTTP (workerd). */
async function ask(send, [method, path, body]) {
  const init = { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = body;
  const t0 = performance.now();
  const res = await send(path, init);
  const text = await res.text();
  const ms = performance.now() - t0;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unparsable: text.slice(0, 200) };
  }
  return { status: res.status, json, ms, latency: Number(res.headers.get('x-latency-ms')), load: res.headers.get('x-load-ms'), timing: res.headers.get('server-timing') };
}

/** What differs between two answers (null when equal: numbers within TOL, everything else identical). */
function differs(got, want, at = '') {
  if (typeof want === 'number' && typeof got === 'number') return Math.abs(got - want) <= TOL ? null : `${at}: ${got} vs ${want}`;
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) return `${at}: ${JSON.stringify(got)?.slice(0, 120)} vs ${JSON.stringify(want).slice(0, 120)}`;
    for (let i = 0; i < want.length; i++) {
      const d = differs(got[i], want[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (want && typeof want === 'object') {
    if (!got || typeof got !== 'object') return `${at}: ${JSON.stringify(got)} vs an object`;
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const k of keys) {
      const d = differs(got[k], want[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return got === want ? null : `${at}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`;
}

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** A workerd config serving `main` (a module name) with `modules` (entries) on 127.0.0.1:port. */
function config(modules, port) {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')}
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

/**
 * Starts workerd on `dir`/config.capnp, waits until it answers (an unknown route: it does not load the models), then
 * asks `requests` once (the first of them is the cold request) and the warm requests; stops workerd.
 */
async function serveAndAsk(bin, dir, port, requests) {
  const t0 = performance.now();
  const child = spawn(bin, ['serve', 'config.capnp', '--verbose'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = null;
  child.on('exit', (code) => (exited = code));
  const base = `http://127.0.0.1:${port}`;
  const send = (path, init) => fetch(base + path, init);
  try {
    let listeningMs;
    for (;;) {
      if (exited !== null) throw new Error(`workerd exited with code ${exited} before answering`);
      try {
        const r = await fetch(`${base}/__ping`);
        await r.text();
        listeningMs = performance.now() - t0;
        break;
      } catch {
        if (performance.now() - t0 > 60_000) throw new Error('workerd did not answer within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const answers = [];
    for (const r of requests) answers.push(await ask(send, r));
    const warm = await warmTimes(send);
    return { listeningMs, answers, warm };
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * WARM requests of each route (a message to classify, a word's 10 neighbours) and of an unknown route (`none`: the
 * cost of the request itself, HTTP and routing, without a model), alternating: client and Worker times.
 */
async function warmTimes(send) {
  const routes = { classify: REQUESTS[0], neighbours: REQUESTS[MESSAGES.length], none: ['GET', '/nope'] };
  const t = Object.fromEntries(Object.keys(routes).map((k) => [k, { client: [], worker: [] }]));
  for (let i = 0; i < WARM; i++) {
    for (const [k, r] of Object.entries(routes)) {
      const a = await ask(send, r);
      t[k].client.push(a.ms);
      t[k].worker.push(a.latency);
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(t)) {
    out[k] = { requests: WARM, clientMedianMs: round(quantile(v.client, 0.5)), clientP95Ms: round(quantile(v.client, 0.95)), workerMedianMs: round(quantile(v.worker, 0.5)), workerP95Ms: round(quantile(v.worker, 0.95)) };
  }
  return out;
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

// ---- main ----
const tStart = performance.now();
const checks = [];
const step = async (name, fn) => {
  const s = performance.now();
  try {
    checks.push({ name, ok: true, detail: (await fn()) ?? '', ms: performance.now() - s });
  } catch (e) {
    checks.push({ name, ok: false, detail: e?.message ?? String(e), ms: performance.now() - s });
  }
};
const results = { date: new Date().toISOString(), workerd: WORKERD_VERSION, limitGzBytes: WORKERS_LIMIT_GZ, runs: {} };

for (const m of MODELS) {
  if (!existsSync(join(EXAMPLE, m))) {
    console.error(`examples/worker/${m} is missing: making the models (examples/worker/make-models.mjs)`);
    const r = spawnSync(process.execPath, [join(EXAMPLE, 'make-models.mjs')], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('making the models failed');
      process.exit(1);
    }
    break;
  }
}

// Node: the same app with the package's node entry and the same files
let node;
await step('Node answers the requests (the reference)', async () => {
  const q = { ...(await import(pathToFileURL(join(REPO, 'dist', 'index.node.js')).href)), ...(await import(pathToFileURL(join(REPO, 'dist', 'compress', 'index.node.js')).href)) };
  const { createApp } = await import(pathToFileURL(join(EXAMPLE, 'src', 'app.js')).href);
  const app = createApp(q, { classifier: readFileSync(join(EXAMPLE, MODELS[0])), vectors: readFileSync(join(EXAMPLE, MODELS[1])) });
  const send = (path, init) => app.fetch(new Request(`http://worker.test${path}`, init));
  node = [];
  for (const r of REQUESTS) node.push(await ask(send, r));
  const statuses = node.map((a) => a.status).join(',');
  const want = [...MESSAGES.map(() => 200), ...WORDS.map(() => 200), 200, 404, 400, 400, 400, 400, 405, 404].join(',');
  if (statuses !== want) throw new Error(`statuses ${statuses}, expected ${want}`);
  const spam = node.slice(0, MESSAGES.length).map((a) => a.json.label);
  // the messages written as spam are spam, the others ham (the model is 98 % precise on spam/test.txt)
  if (spam[0] !== 'spam' || spam[2] !== 'spam' || spam[1] !== 'ham' || spam[3] !== 'ham') throw new Error(`labels ${spam.join(',')}`);
  for (const a of node.slice(0, MESSAGES.length)) {
    const sum = a.json.labels.reduce((s, l) => s + l.probability, 0);
    if (a.json.labels.length !== 2 || Math.abs(sum - 1) > 1e-4) throw new Error(`probabilities ${JSON.stringify(a.json.labels)} do not sum to 1`);
  }
  const nb = node[MESSAGES.length].json.neighbours;
  if (nb.length !== 10 || nb.some((n, i) => i > 0 && n.similarity > nb[i - 1].similarity)) throw new Error(`money's neighbours ${JSON.stringify(nb)}`);
  results.runs.node = { warm: await warmTimes(send) };
  return `${REQUESTS.length} requests; labels ${spam.join(',')}; money → ${nb.slice(0, 4).map((n) => n.word).join(', ')}`;
});

const bin = process.env.WORKERD ? resolve(process.env.WORKERD) : existsSync(join(HERE, 'node_modules', '.bin', 'workerd')) ? join(HERE, 'node_modules', '.bin', 'workerd') : workerdBinary();
const work = mkdtempSync(join(tmpdir(), 'quantext-worker-example-'));

/** Runs one way of serving: checks that every answer equals Node's, and records the timings. */
async function variant(name, dir, modules, size) {
  let run;
  await step(`${name}: answers equal Node's (labels, statuses, neighbours identical; numbers within ${TOL})`, async () => {
    if (!node) throw new Error('no Node answers to compare with');
    const port = await freePort();
    writeFileSync(join(dir, 'config.capnp'), config(modules, port));
    run = await serveAndAsk(bin, dir, port, REQUESTS);
    const bad = [];
    run.answers.forEach((a, i) => {
      const d = a.status !== node[i].status ? `status ${a.status} vs ${node[i].status}` : differs(a.json, node[i].json);
      if (d) bad.push(`${REQUESTS[i][0]} ${REQUESTS[i][1]}${REQUESTS[i][2] ? ` ${REQUESTS[i][2].slice(0, 40)}` : ''}: ${d}`);
      if (!(a.latency >= 0) || !/^handler;dur=/.test(a.timing ?? '')) bad.push(`${REQUESTS[i][1]}: no latency header (X-Latency-Ms ${a.latency}, Server-Timing ${a.timing})`);
    });
    if (run.answers[0].load === null) bad.push('the first request has no X-Load-Ms header');
    if (run.answers.slice(1).some((a) => a.load !== null)) bad.push('a later request loaded the models again');
    if (bad.length) throw new Error(bad.join('; '));
    return `${REQUESTS.length} requests equal`;
  });
  if (!run) return;
  const cold = run.answers[0];
  results.runs[name] = {
    size,
    coldStart: { listeningMs: round(run.listeningMs, 1), firstRequestMs: round(cold.ms, 1), loadMs: Number(cold.load), firstWorkerMs: round(cold.latency, 1) },
    warm: run.warm,
  };
  await step(`${name}: upload far below the Workers limit`, async () => {
    if (!(size.gzBytes < WORKERS_LIMIT_GZ / 2)) throw new Error(`${size.gzBytes} bytes gzipped: not far below ${WORKERS_LIMIT_GZ}`);
    return `${(size.bytes / 1024).toFixed(0)} KiB, ${(size.gzBytes / 1024).toFixed(0)} KiB gzipped (${((100 * size.gzBytes) / WORKERS_LIMIT_GZ).toFixed(0)} % of the free plan's 3 MiB; models ${(size.modelBytes / 1024).toFixed(0)} KiB)`;
  });
  const w = run.warm;
  console.error(
    `${name}: cold start: listening after ${run.listeningMs.toFixed(0)} ms, first request ${cold.ms.toFixed(1)} ms (models loaded in ${Number(cold.load).toFixed(1)} ms); ` +
      `warm: classify ${w.classify.clientMedianMs} ms (Worker ${w.classify.workerMedianMs}), neighbours ${w.neighbours.clientMedianMs} ms (Worker ${w.neighbours.workerMedianMs}), ` +
      `an unknown route ${w.none.clientMedianMs} ms; medians of ${WARM}`,
  );
}

try {
  // 1. unbundled modules
  {
    const dir = join(work, 'modules');
    const dist = [...new Set([...moduleGraph(REPO, 'dist/index.workerd.js'), ...moduleGraph(REPO, 'dist/compress/index.js')])];
    const app = moduleGraph(EXAMPLE, 'src/index.js', ['quantext', 'quantext/compress']);
    for (const [from, list] of [[REPO, dist], [EXAMPLE, app]]) {
      for (const f of list) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        cpSync(join(from, f), join(dir, f));
      }
    }
    // workerd resolves a bare specifier like a relative one: src/index.js's 'quantext' is the module src/quantext
    // (and 'quantext/compress' the module src/quantext/compress: the package's default entry for it)
    writeFileSync(join(dir, 'quantext.js'), "export * from '../dist/index.workerd.js';\n");
    writeFileSync(join(dir, 'quantext-compress.js'), "export * from '../../dist/compress/index.js';\n");
    const files = [...app, ...dist];
    const modules = [...app.map((m) => moduleEntry(m)), ...dist.map((m) => moduleEntry(m)), moduleEntry('src/quantext', 'quantext.js'), moduleEntry('src/quantext/compress', 'quantext-compress.js')];
    const bytes = files.reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    const gzBytes = files.reduce((s, f) => s + gz(join(dir, f)), 0);
    const modelBytes = MODELS.reduce((s, f) => s + statSync(join(EXAMPLE, f)).size, 0);
    await variant('workerd (modules)', dir, modules, { bytes, gzBytes, modelBytes, files: files.length, how: 'sum of the unbundled, unminified modules (each gzipped)' });
  }
  // 2. what wrangler uploads
  const wrangler = join(EXAMPLE, 'node_modules', '.bin', 'wrangler');
  if (existsSync(wrangler)) {
    const dir = join(work, 'wrangler');
    let size;
    await step('wrangler deploy --dry-run bundles the Worker', async () => {
      const r = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', dir], { cwd: EXAMPLE, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } });
      const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(r.stdout ?? '');
      if (r.status !== 0 || !m) throw new Error(`wrangler exited ${r.status}: ${(r.stderr || r.stdout || '').slice(-400)}`);
      const modelBytes = MODELS.reduce((s, f) => s + statSync(join(EXAMPLE, f)).size, 0);
      size = { bytes: Math.round(Number(m[1]) * 1024), gzBytes: Math.round(Number(m[2]) * 1024), modelBytes, how: "wrangler's Total Upload / gzip" };
      return m[0];
    });
    if (size) {
      const files = readdirSync(dir).filter((f) => !f.endsWith('.map') && f !== 'README.md');
      const modules = ['index.js', ...files.filter((f) => f !== 'index.js')].map((f) => moduleEntry(f));
      await variant('workerd (wrangler bundle)', dir, modules, size);
    }
  } else {
    console.error('worker example: wrangler is not installed in examples/worker (npm install there): the wrangler bundle is not tested');
  }
} finally {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}

if (resultsFile) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, JSON.stringify(results, null, 1) + '\n');
  console.error(`worker example: timings and sizes written to ${resultsFile}`);
}
// a short line for the README's runtime table: the deployed bundle's numbers (wrangler's when it ran)
const best = results.runs['workerd (wrangler bundle)'] ?? results.runs['workerd (modules)'];
const notes = best
  ? `${(best.size.gzBytes / 1024).toFixed(0)} KiB gzipped upload; first request ${best.coldStart.firstRequestMs} ms; warm classify ${best.warm.classify.clientMedianMs} ms, neighbours ${best.warm.neighbours.clientMedianMs} ms, no-op ${best.warm.none.clientMedianMs} ms over HTTP`
  : undefined;
const failed = report('worker example (workerd)', `workerd ${WORKERD_VERSION}`, { checks, warnings: [], timings: results, notes }, performance.now() - tStart);
process.exitCode = failed ? 1 : 0;
