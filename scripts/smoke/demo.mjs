#!/usr/bin/env node
// The demo page (examples/web/) as `npm run demo` serves it (Vite's dev server with examples/web/vite.config.mjs:
// cross-origin isolated), loaded in Chromium with playwright-core: the page loads, trains in its worker on two
// threads with a live progress bar and loss curve, answers neighbours and an analogy, draws the PCA plot (and a hover
// shows a word), the quantization explorer reports sane numbers for int8, binary and 4-bit codes, the classifier box
// answers spam and ham for typed messages (with the latency shown, and Node's probabilities), no console error
// or page error happened, and a screenshot is saved as the test's artifact: $QUANTEXT_ARTIFACTS/quantext-demo.png
// (.ci/run sets .ci/artifacts), else the OS temp folder.
//
//   node scripts/smoke/demo.mjs      (run.mjs runs it as the `demo` runtime)
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { report } from './checks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = resolve(process.env.QUANTEXT_ARTIFACTS ?? tmpdir());
const SHOT = join(ARTIFACTS, 'quantext-demo.png');

if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}`);
  process.exit(2);
}
const watchdog = setTimeout(() => {
  console.error('demo smoke: gave up after 240 s');
  process.exit(1);
}, 240_000);
watchdog.unref();

const { createServer } = await import(join(REPO, 'node_modules', 'vite', 'dist', 'node', 'index.js'));
const t0 = performance.now();
const server = await createServer({ configFile: join(REPO, 'examples', 'web', 'vite.config.mjs'), logLevel: 'warn', server: { port: 0, host: '127.0.0.1' } });
await server.listen();
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const checks = [];
const step = async (name, fn) => {
  const s = performance.now();
  try {
    checks.push({ name, ok: true, detail: (await fn()) ?? '', ms: performance.now() - s });
  } catch (e) {
    checks.push({ name, ok: false, detail: e?.message ?? String(e), ms: performance.now() - s });
  }
};
const must = (cond, msg) => {
  if (!cond) throw new Error(msg);
};
let failed = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
  page.setDefaultTimeout(90_000);
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  const progress = [];
  await page.exposeFunction('__progress', (v) => progress.push(v));

  await step('loads, cross-origin isolated, and trains in its worker on 2 threads', async () => {
    await page.goto(url);
    // record the progress bar while the first training runs
    await page.evaluate(() => {
      const bar = document.getElementById('progress');
      new MutationObserver(() => globalThis.__progress(bar.value)).observe(bar, { attributes: true });
      const orig = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value');
      Object.defineProperty(bar, 'value', { get: () => orig.get.call(bar), set: (v) => (orig.set.call(bar, v), globalThis.__progress(v)) });
    });
    const ready = await page.evaluate(() => globalThis.quantextDemo.ready);
    must(ready.isolated && ready.build === 'simd-relaxed-mt' && ready.threads === 2, `isolated ${ready.isolated}, build ${ready.build}, ${ready.threads} thread(s)`);
    const trained = await page.locator('#trained').textContent();
    must(/words, 10 epochs in \d+ ms on 2 threads/.test(trained), `the page says '${trained}'`);
    return trained;
  });

  await step('a second training shows live progress and a loss curve that falls', async () => {
    progress.length = 0;
    await page.evaluate(() => {
      document.getElementById('epochs').value = '20';
    });
    const m = await page.evaluate(() => globalThis.quantextDemo.train());
    const mid = progress.filter((v) => v > 0 && v < 1);
    must(mid.length >= 2, `the progress bar moved ${mid.length} time(s) between 0 and 1 (${progress.join(', ')})`);
    must(m.epochLoss.length === 20 && m.epochLoss[19] < m.epochLoss[0] * 0.9, `epoch losses ${m.epochLoss.map((x) => x.toPrecision(3)).join(', ')}`);
    const drawn = await page.evaluate(() => {
      const c = document.getElementById('loss');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 150 && d[i] < 120) blue++;
      return blue;
    });
    must(drawn > 100, `the loss canvas has ${drawn} curve pixels`);
    return `${mid.length} progress updates; loss ${m.epochLoss[0].toPrecision(3)} → ${m.epochLoss[19].toPrecision(3)}`;
  });

  await step('neighbours and an analogy', async () => {
    await page.fill('#query', 'truck');
    await page.click('#search');
    const nn = await page.locator('#neighbours tr td:first-child').allTextContents();
    const vehicles = ['car', 'bus', 'train', 'tram', 'bike', 'van', 'taxi', 'drive', 'road', 'station', 'wheels', 'fast', 'garage', 'ride', 'traffic'];
    must(nn.length === 8 && nn.slice(0, 3).every((w) => vehicles.includes(w)), `truck → ${nn.join(', ')}`);
    await page.click('#analogy');
    const an = await page.locator('#analogies tr td:first-child').allTextContents();
    must(an.slice(0, 3).includes('queen'), `man : king :: woman : ${an.join(', ')}`);
    return `truck → ${nn.slice(0, 3).join(', ')}; man : king :: woman : ${an[0]}`;
  });

  await step('PCA scatter plot, and hovering a point names its word', async () => {
    const pts = await page.evaluate(() => globalThis.quantextDemo.pca());
    must(pts.length >= 100, `${pts.length} points`);
    await page.locator('#pca').scrollIntoViewIfNeeded();
    const box = await page.locator('#pca').boundingBox();
    const c = await page.evaluate(() => ({ w: document.getElementById('pca').width, h: document.getElementById('pca').height }));
    const p = pts[5];
    await page.mouse.move(box.x + (p.x * box.width) / c.w, box.y + (p.y * box.height) / c.h);
    const tip = page.locator('#tip');
    await tip.waitFor({ state: 'visible', timeout: 5000 });
    const word = await tip.textContent();
    // the nearest point under the mouse: that word or one drawn on top of it
    const near = pts.filter((q) => (q.x - p.x) ** 2 + (q.y - p.y) ** 2 < 64).map((q) => q.word);
    must(near.includes(word), `hovering ${p.word} shows '${word}'`);
    return `${pts.length} points; hover → ${word}`;
  });

  await step('quantization explorer: int8, binary and 4-bit codes', async () => {
    const res = [];
    for (const [scheme, bits] of [['int8'], ['binary'], ['int', 4]]) {
      await page.selectOption('#scheme', scheme);
      if (bits) await page.fill('#bits', String(bits));
      await page.click('#explore');
      res.push(await page.evaluate(() => document.querySelector('#qtable tr.result:last-child').textContent));
    }
    const rows = await page.locator('#qtable tr.result').count();
    must(rows === 3, `${rows} result rows`);
    const r = await page.evaluate(() => [globalThis.quantextDemo.explore('int8'), globalThis.quantextDemo.explore('binary')]);
    const [i8, b1] = r;
    must(i8.sqnrDb > 30 && i8.spearman > 0.99 && i8.ratio > 3, `int8: ${JSON.stringify(i8)}`);
    must(b1.bits === 1 && b1.ratio > 15 && b1.sqnrDb < i8.sqnrDb && b1.spearman < i8.spearman, `binary: ${JSON.stringify(b1)}`);
    must(i8.usPerQuery > 0 && i8.f32UsPerQuery > 0, 'search times');
    return `int8 ${i8.sqnrDb.toFixed(1)} dB ρ ${i8.spearman.toFixed(4)} ${i8.usPerQuery.toFixed(1)} µs/query (f32 ${i8.f32UsPerQuery.toFixed(1)}); binary ${b1.ratio.toFixed(0)}× smaller, ${b1.sqnrDb.toFixed(1)} dB ρ ${b1.spearman.toFixed(3)}`;
  });

  await step('classifier box: a typed message gets spam or ham, as in Node, with the latency shown', async () => {
    // the same model and tokenization in Node (the package's node entry): the page must give the same probabilities
    const q = await import(pathToFileURL(join(REPO, 'dist', 'index.node.js')).href);
    const { tokenize } = await import(pathToFileURL(join(REPO, 'examples', 'worker', 'src', 'tokenize.js')).href);
    const clf = await q.TextClassifier.load(readFileSync(join(REPO, 'examples', 'worker', 'models', 'spam.ftz')));
    const messages = [
      ['spam', 'MAKE MONEY FAST working from home! Earn $5000 a week guaranteed, reply with your bank details to get started'],
      ['ham', 'The new kernel patch is in CVS now; please test it on your Red Hat box and report any problems to the list.'],
    ];
    const seen = [];
    try {
      for (const [want, text] of messages) {
        await page.fill('#message', text);
        await page.click('#classify');
        const verdict = await page.locator('#verdict').textContent();
        const latency = await page.locator('#clf-latency').textContent();
        const rows = await page.locator('#clf-labels tr td:first-child').allTextContents();
        must(verdict.startsWith(`${want} (`), `'${text.slice(0, 30)}…' → the page says '${verdict}', expected ${want}`);
        must(/^\d+(\.\d+)? (µs|ms) for \d+ tokens$/.test(latency), `the latency shown is '${latency}'`);
        must(rows.length === 2 && rows[0] === want, `label rows ${rows.join(', ')}`);
        // the page's probabilities (through quantextDemo.classify on the same text) equal Node's
        const got = await page.evaluate((t) => globalThis.quantextDemo.classify(t), text);
        const ref = clf.predict(tokenize(text).join(' '), -1).map(([l, p]) => [l.replace(/^__label__/, ''), p]);
        must(got.labels.length === ref.length && got.labels.every((l, i) => l.label === ref[i][0] && Math.abs(l.probability - ref[i][1]) <= 1e-6), `page ${JSON.stringify(got.labels)} vs Node ${JSON.stringify(ref)}`);
        seen.push(`${want} ${got.probability.toFixed(4)} in ${latency}`);
      }
    } finally {
      clf.dispose();
    }
    return seen.join('; ');
  });

  await step('no console errors, and a screenshot', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    must(errors.length === 0, errors.join(' | '));
    return SHOT;
  });
  failed = report('demo page (Vite dev server)', `Chromium ${browser.version()}`, { checks, warnings: [] }, performance.now() - t0);
} finally {
  await browser.close();
  await server.close();
}
console.log(`demo smoke: ${((performance.now() - t0) / 1000).toFixed(1)} s; screenshot ${SHOT}`);
process.exitCode = failed ? 1 : 0;
