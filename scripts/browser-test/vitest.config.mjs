// Vitest browser mode for a part of quantext's own test suite, in Debian's Chromium driven by Playwright.
// Run by scripts/browser-test/run.mjs (`npm run test:browser`), which installs @vitest/browser-playwright and
// playwright into this folder (vitest and vite are the repository's) and runs this config twice:
//   QUANTEXT_BROWSER_ISOLATED=1 (default): the page is cross-origin isolated (COOP/COEP on every response, the
//     worker script included), so SharedArrayBuffer exists, the -mt builds load and trainers run Web Worker threads;
//   QUANTEXT_BROWSER_ISOLATED=0: no isolation headers: the plain builds load, trainers fall back to one thread with
//     one warning (test/browser/threads.browser.ts checks both).
// The test files import ../src/index.node.js (through test/helpers.ts) for Node; here that import is the browser
// entry, src/index.ts (wasm by URL, Web Workers), so the same tests exercise the browser entry.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const isolated = process.env.QUANTEXT_BROWSER_ISOLATED !== '0';

/** The library's own tests that need no file system or child process: kernels, quantization, search, training. */
export const BROWSER_TESTS = [
  'test/kernels/vec.test.ts',
  'test/quantize/kernels.test.ts',
  'test/quantize/quantize.test.ts',
  'test/quantize/tables.test.ts',
  'test/vectors/keyed.test.ts',
  'test/vectors/indexer.test.ts',
  'test/train/w2v-kernels.test.ts',
  'test/train/word2vec.test.ts',
];

export default defineConfig({
  root: REPO,
  define: { __QUANTEXT_EXPECT_ISOLATED__: JSON.stringify(isolated) },
  server: {
    headers: isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {},
    fs: { allow: [REPO] },
  },
  resolve: {
    alias: [{ find: /^(\.\.\/)+src\/index\.node\.js$/, replacement: `${REPO}src/index.ts` }],
  },
  optimizeDeps: { entries: [] },
  test: {
    include: isolated ? [...BROWSER_TESTS, 'test/browser/*.browser.ts'] : ['test/browser/*.browser.ts', 'test/kernels/vec.test.ts'],
    setupFiles: ['test/browser/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
