#!/usr/bin/env node
// Smoke test in Chromium: serves the repository on 127.0.0.1 (serve.mjs), opens the demo page
// examples/web/ (which imports quantext through an import map: the `browser` entry, dist/index.js) with
// playwright-core, and checks, once with cross-origin isolation (COOP/COEP headers: shared memory, Web Worker
// threads) and once without (plain memory, one thread, one console warning):
//   - the demo loads the right default wasm build, trains, and shows fruit next to 'apple';
//   - a word-vector file picked in the page's file input loads from memory (a File; no file system);
//   - every check of checks.mjs, run inside the page;
//   - with the worker script served without COEP, training on 2 workers goes on with one thread and one warning
//     naming the header (issue 9: where workers cannot start, one thread and one warning, not a failure);
//   - screenshots to /tmp/quantext-web-{isolated,plain}.png.
//
//   node scripts/smoke/browser.mjs     (Chromium: /usr/bin/chromium or $CHROMIUM; run.mjs --install gets it)
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { report } from './checks.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const STEP_MS = 60_000;
const WATCHDOG_MS = 240_000;

// the demo trains on its bundled corpus (examples/web/corpus.js): apple's neighbours are words of the fruit topic
const FRUIT_TOPIC = ['apple', 'pear', 'plum', 'mango', 'cherry', 'grape', 'peach', 'banana', 'eat', 'ripe', 'sweet', 'juicy', 'fresh', 'tree', 'market', 'taste'];
const VEC_FILE = '3 4\nking 0.5 1 -1 0.25\nqueen 0.45 1 -0.9 0.2\npear -1 0.2 0.3 0\n';

if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}: run \`node scripts/smoke/run.mjs --install browser\` or set CHROMIUM`);
  process.exit(2);
}
// never outlive a hung browser or page
const watchdog = setTimeout(() => {
  console.error(`browser smoke: gave up after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

/** One mode (isolated or plain): the demo, the file input, then checks.mjs inside the page. */
async function runMode(browser, isolated) {
  const t0 = performance.now();
  const name = isolated ? 'browser (isolated)' : 'browser (plain)';
  const server = await serve({ isolated, lifetimeMs: WATCHDOG_MS });
  const context = await browser.newContext({ viewport: { width: 900, height: 1100 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const consoleMsgs = [];
  const pageErrors = [];
  page.on('console', (m) => consoleMsgs.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const checks = [];
  const step = async (label, fn) => {
    const s = performance.now();
    try {
      checks.push({ name: label, ok: true, detail: (await fn()) ?? '', ms: performance.now() - s });
    } catch (e) {
      checks.push({ name: label, ok: false, detail: e?.message ?? String(e), ms: performance.now() - s });
    }
  };
  const must = (cond, msg) => {
    if (!cond) throw new Error(msg);
  };
  // Chromium runs relaxed SIMD (and computes it right: the loader's probe and self-test pass), so 'auto' picks the
  // relaxed build there
  const wantBuild = isolated ? 'simd-relaxed-mt' : 'simd-relaxed';
  let result = { checks, warnings: [] };
  try {
    await step('demo page trains and shows neighbours', async () => {
      await page.goto(`${server.url}examples/web/`);
      const demo = await page.evaluate(() => globalThis.quantextDemo.ready);
      must(demo.isolated === isolated, `crossOriginIsolated is ${demo.isolated}`);
      must(demo.build === wantBuild && demo.backend === 'relaxed', `demo runs ${demo.backend}/${demo.build}, expected relaxed/${wantBuild}`);
      must(demo.threads === (isolated ? 2 : 1), `demo trained on ${demo.threads} thread(s)`);
      const top3 = demo.neighbours.slice(0, 3).map(([w]) => w);
      must(top3.length === 3 && top3.every((w) => FRUIT_TOPIC.includes(w)), `nearest to 'apple' are ${top3}, expected words of the fruit topic`);
      const rows = await page.locator('#neighbours tr').count();
      must(rows === 8, `the neighbours table has ${rows} rows, expected 8`);
      // the default source: only the wanted build was fetched (by the page and by its training worker), and
      // quantext's worker.js only with threads
      const wasm = server.requests.filter((p) => p.endsWith('.wasm'));
      must(wasm.length >= 1 && wasm.every((p) => p === `/build/quantext-${wantBuild}.wasm`), `fetched ${wasm.join(', ')}`);
      const workers = server.requests.filter((p) => p === '/dist/runtime/worker.js').length;
      must(isolated ? workers >= 1 : workers === 0, `worker.js fetched ${workers} time(s)`);
      await page.screenshot({ path: join(tmpdir(), `quantext-web-${isolated ? 'isolated' : 'plain'}.png`), fullPage: true });
      return `${demo.build}, ${demo.threads} thread(s), apple → ${demo.neighbours.slice(0, 3).map(([w, s]) => `${w} ${s.toFixed(2)}`).join(', ')}; fetched ${wasm[0]}`;
    });

    await step('file input → loadVectors(File)', async () => {
      await page.setInputFiles('#file', { name: 'tiny.vec', mimeType: 'text/plain', buffer: Buffer.from(VEC_FILE) });
      await page.waitForFunction(() => document.getElementById('loaded').textContent.includes('words'));
      const loaded = await page.locator('#loaded').textContent();
      must(loaded === 'tiny.vec: 3 words × 4', `the page says '${loaded}'`);
      const nn = await page.evaluate(() => globalThis.quantextDemo.neighbours('king'));
      must(nn.length === 2 && nn[0][0] === 'queen', `neighbours of king: ${JSON.stringify(nn)}`);
      return `king → ${nn[0][0]} ${nn[0][1].toFixed(4)}`;
    });

    // checks.mjs in the page, importing quantext through the page's import map
    try {
      const inPage = await page.evaluate(async (o) => {
        const q = await import('quantext');
        // quantext/compress: the package's default entry for it (the page's import map names only 'quantext')
        const qc = await import('/dist/compress/index.js');
        const { runChecks } = await import('/scripts/smoke/checks.mjs');
        return runChecks(q, { ...o, compress: qc });
      }, { runtime: 'browser', entry: 'browser', threads: isolated });
      checks.push(...inPage.checks);
      result = { ...inPage, checks };
    } catch (e) {
      checks.push({ name: 'checks.mjs in the page', ok: false, detail: e?.message ?? String(e), ms: 0 });
    }

    await step(isolated ? 'no single-thread warning' : 'one single-thread warning', async () => {
      // a second training asking for 2 workers must not warn again
      await page.evaluate(async () => {
        const q = await import('quantext');
        const m = new q.Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, sample: 0 });
        await m.train(['a b c d', 'b c d e']);
        m.dispose();
      });
      const warns = consoleMsgs.filter((m) => m.type === 'warning' && /quantext/.test(m.text));
      must(warns.length === (isolated ? 0 : 1), `${warns.length} quantext warning(s): ${warns.map((w) => w.text).join(' | ')}`);
      if (!isolated) must(/single-threaded/.test(warns[0].text) && /cross-origin isolation/.test(warns[0].text), `warning text: ${warns[0].text}`);
      return warns[0]?.text ?? 'none';
    });

    await step('no page errors', async () => {
      const errors = [...pageErrors, ...consoleMsgs.filter((m) => m.type === 'error').map((m) => m.text), ...server.missing.map((u) => `404 ${u}`)];
      must(errors.length === 0, errors.join(' | '));
    });
  } finally {
    await context.close();
    await server.close();
  }
  return { name, result, ms: performance.now() - t0 };
}

/**
 * A misconfigured server: the page is isolated but dist/runtime/worker.js lacks COEP, so the worker cannot load.
 * Training with 2 workers must go on with one thread and say why once (a warning naming worker.js and the header),
 * not hang, fail, or fall back silently.
 */
async function runWorkerWithoutCoep(browser) {
  const t0 = performance.now();
  const server = await serve({ isolated: true, isolateWorkerScript: false, lifetimeMs: WATCHDOG_MS });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const check = { name: 'worker.js without COEP → one thread and one warning naming the header', ok: false, detail: '', ms: 0 };
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' && /quantext/.test(m.text())) warnings.push(m.text());
  });
  try {
    await page.goto(`${server.url}examples/web/`);
    const got = await page.evaluate(() => globalThis.quantextDemo.ready.then((r) => ({ ok: r }), (e) => ({ code: e.code, message: e.message })));
    const named = warnings.filter((w) => /worker/i.test(w) && /Cross-Origin-Embedder-Policy|COEP/.test(w));
    check.ok = got.ok?.threads === 1 && warnings.length === 1 && named.length === 1;
    check.detail = got.ok
      ? `trained on ${got.ok.threads} thread(s); ${warnings.length} warning(s): ${warnings.join(' | ').slice(0, 300)}`
      : `${got.code}: ${got.message}`;
  } catch (e) {
    check.detail = e?.message ?? String(e);
  } finally {
    await context.close();
    await server.close();
  }
  check.ms = performance.now() - t0;
  return { name: 'browser (no COEP on worker)', result: { checks: [check], warnings: [] }, ms: check.ms };
}

const t0 = performance.now();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
let failed = 0;
try {
  const version = browser.version();
  for (const isolated of [true, false]) {
    const { name, result, ms } = await runMode(browser, isolated);
    failed += report(name, `Chromium ${version}`, result, ms);
  }
  const bad = await runWorkerWithoutCoep(browser);
  failed += report(bad.name, `Chromium ${version}`, bad.result, bad.ms);
} finally {
  await browser.close();
}
console.log(`browser smoke: ${((performance.now() - t0) / 1000).toFixed(1)} s; screenshots in ${join(tmpdir(), 'quantext-web-*.png')}`);
process.exitCode = failed ? 1 : 0;
