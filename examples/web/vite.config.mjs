// `npm run demo`: Vite serves this page cross-origin isolated (the COOP/COEP headers on every response, the workers'
// scripts included), so quantext loads its shared-memory build and trains on threads. `quantext` is this
// repository's browser entry (dist/index.js; `npm run demo` builds it first). `vite build --config
// examples/web/vite.config.mjs` bundles the page into examples/web/dist (serve it with the same headers).
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { quantext: `${REPO}dist/index.js` } },
  server: { headers: ISOLATION_HEADERS, fs: { allow: [REPO] } },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
};
