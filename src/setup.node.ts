// The Node host set-up (wasm files read from disk, worker threads, file streams), without the package's exports:
// src/index.node.ts imports it and re-exports the API; the command line (src/cli/main.ts) imports only this, so its
// start-up does not load every module of the package.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import * as os from 'node:os';
import { env } from './runtime/env.js';
import { setDefaultSources, type BuildName } from './runtime/runtime.js';
import { setWorkerFactory, workerExecArgv } from './runtime/pool.js';
import { useNodeFileSystem } from './io/node.js';
import { readLines } from './io/lines.js';
import { setLineReader } from './train/corpus.js';

setDefaultSources(
  (b: BuildName) => new URL(`../build/quantext-${b}.wasm`, import.meta.url),
  async (url: URL) => new Uint8Array(await readFile(url)),
);

/** Starts a worker with the cleaned flags; flags a worker refuses (V8 and per-process ones) are dropped in turn. */
function startWorker(url: URL): Worker {
  // Deno and Bun run their own flags: only Node's are cleaned and passed on
  if (env.runtime !== 'node') return new Worker(url);
  let argv = workerExecArgv(process.execArgv);
  for (;;) {
    try {
      return new Worker(url, { execArgv: argv });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || argv.length === 0) throw e;
      const bad = new Set(String(err.message).split(':').slice(1).join(':').split(',').map((f) => f.trim()));
      const kept = argv.filter((f) => !bad.has(f) && !bad.has(f.split('=', 1)[0]));
      argv = kept.length < argv.length ? kept : [];
    }
  }
}

setWorkerFactory((url) => {
  const w = startWorker(url);
  w.unref();
  let exited = false;
  return {
    post: (m) => w.postMessage(m),
    onMessage: (cb) => w.on('message', cb),
    onError: (cb) => {
      w.on('error', cb);
      // a worker that exits by itself (out of memory, killed) must not leave a call pending forever
      w.on('exit', (code) => exited || cb(new Error(`worker thread exited with code ${code}`)));
    },
    terminate: () => {
      exited = true;
      void w.terminate();
    },
    keepAlive: (on) => (on ? w.ref() : w.unref()),
  };
}, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1);

// files: word-vector formats and corpora stream from disk; saves are atomic (temp file, then rename)
useNodeFileSystem();
setLineReader((path) => readLines(path));
