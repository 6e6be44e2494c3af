#!/usr/bin/env node
// A tiny static file server for the demo page and the browser smoke test: serves the repository read-only on
// 127.0.0.1, optionally cross-origin isolated, and shuts itself down after a bounded lifetime.
//
//   node scripts/smoke/serve.mjs [--isolated] [--port 8080] [--minutes 30]
//   → open http://127.0.0.1:8080/examples/web/ (with --isolated the page can train on worker threads)
//
// Cross-origin isolation needs `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
// require-corp` on the page, and COEP on every worker script too (dist/runtime/worker.js): with `isolated`,
// every response carries both headers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.vec': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Headers that make a page cross-origin isolated (SharedArrayBuffer, hence wasm threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Starts the server and resolves once it listens.
 *
 * @param {object} [o]
 * @param {string} [o.root] - folder to serve (default: the repository).
 * @param {boolean} [o.isolated] - send the COOP/COEP headers on every response.
 * @param {boolean} [o.isolateWorkerScript] - with `isolated`, false leaves them off dist/runtime/worker.js
 *   (to test the error that a misconfigured server gives).
 * @param {number} [o.port] - 0 (default) picks a free port.
 * @param {number} [o.lifetimeMs] - closes itself after this long (default 5 minutes), so a crashed caller
 *   never leaves it running.
 * @returns {Promise<{ url: string, requests: string[], missing: string[], close: () => Promise<void> }>}
 *   `requests` lists the paths asked for, in order (the smoke test checks which wasm build the page fetched);
 *   `missing` the URLs answered with 404.
 */
export function serve({ root = REPO, isolated = false, isolateWorkerScript = true, port = 0, lifetimeMs = 5 * 60_000 } = {}) {
  const base = resolve(root);
  const requests = [];
  const missing = [];
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('malformed URL');
      return;
    }
    const isolate = isolated && (isolateWorkerScript || path !== '/dist/runtime/worker.js');
    const headers = { 'Cache-Control': 'no-store', ...(isolate ? ISOLATION_HEADERS : {}) };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, headers).end();
        return;
      }
      requests.push(path);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403, headers).end('outside the served folder');
        return;
      }
      if ((await stat(file)).isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { ...headers, Location: `${path}/` }).end();
          return;
        }
        file = join(file, 'index.html');
      }
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      const notFound = e?.code === 'ENOENT' || e?.code === 'ENOTDIR';
      if (notFound) missing.push(req.url);
      res.writeHead(notFound ? 404 : 500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(notFound ? 'not found' : String(e));
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const timer = setTimeout(() => {
        server.closeAllConnections?.();
        server.close();
      }, lifetimeMs);
      timer.unref();
      const close = () =>
        new Promise((r) => {
          clearTimeout(timer);
          server.closeAllConnections?.();
          server.close(() => r());
        });
      resolvePromise({ url: `http://127.0.0.1:${server.address().port}/`, requests, missing, close });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const isolated = process.argv.includes('--isolated');
  const minutes = arg('--minutes', 30);
  const s = await serve({ isolated, port: arg('--port', 8080), lifetimeMs: minutes * 60_000 });
  console.log(`serving ${REPO} at ${s.url}examples/web/ (${isolated ? 'cross-origin isolated' : 'not isolated'}; stops in ${minutes} min)`);
}
