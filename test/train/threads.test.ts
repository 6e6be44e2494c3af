import { describe, it, expect, vi, afterEach } from 'vitest';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rtFor } from '../helpers.js';
import { Word2Vec, resetTrainWarnings } from '../../src/train/word2vec.js';
import { setWorkerFactory, workerStarts, workerExecArgv } from '../../src/runtime/pool.js';

const ENTRY = pathToFileURL(fileURLToPath(new URL('../../dist/index.node.js', import.meta.url))).href;

/** A script that trains with workers: 2 without calling init() and prints the result; it never disposes or exits. */
const SCRIPT = `
import { Word2Vec } from ${JSON.stringify(ENTRY)};
const corpus = [];
for (let i = 0; i < 400; i++) corpus.push(['a b c d', 'e f g h', 'c d a b', 'g h e f'][i % 4]);
const model = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 2, batchWords: 100, sample: 0 });
const res = await model.train(corpus);
console.log(JSON.stringify({ threads: res.threads, threadWords: res.threadWords, loader: globalThis.__loaderRan === true }));
`;

function runNode(args: string[], input?: string) {
  const envNoDetach = { ...process.env };
  delete envNoDetach.QUANTEXT_DETACH; // threads need the shared-memory default runtime
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8', timeout: 60_000, env: envNoDetach });
  // the last line that is the script's JSON (node -p prints the promise it returned after it: Node 24 after the
  // result, Node 20 before it)
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{')) ?? '';
  let out: { threads: number; threadWords: number[]; loader: boolean } | undefined;
  try {
    out = JSON.parse(line);
  } catch {
    /* reported below */
  }
  return { status: r.status, signal: r.signal, stderr: r.stderr, out };
}

function expectTwoThreads(r: ReturnType<typeof runNode>) {
  // exits by itself (no timeout kill), with status 0, having trained on both threads
  expect(r.signal, r.stderr).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  expect(r.out?.threads, r.stderr).toBe(2);
  expect(r.out!.threadWords.length).toBe(2);
  for (const w of r.out!.threadWords) expect(w).toBeGreaterThan(0);
  expect(r.stderr).not.toMatch(/single-threaded/);
}

describe('worker threads start however node was started', () => {
  it('node --input-type=module -e (workers inherit no --input-type)', () => {
    expectTwoThreads(runNode(['--input-type=module', '-e', SCRIPT]));
  });

  it('node --input-type=module with the script on stdin, and node - (piped)', () => {
    expectTwoThreads(runNode(['--input-type=module'], SCRIPT));
    expectTwoThreads(runNode(['--input-type=module', '-'], SCRIPT));
  });

  it('node --import a loader, a script file (the loader is kept), and V8 flags the workers refuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quantext-threads-'));
    try {
      writeFileSync(join(dir, 'loader.mjs'), 'globalThis.__loaderRan = true;\n');
      writeFileSync(join(dir, 'train.mjs'), SCRIPT);
      const r = runNode(['--import', pathToFileURL(join(dir, 'loader.mjs')).href, join(dir, 'train.mjs')]);
      expectTwoThreads(r);
      expect(r.out!.loader).toBe(true);
      expectTwoThreads(runNode(['--max-old-space-size=512', '--stack-size=2000', '--input-type=module', '-e', SCRIPT]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the REPL (node -i, lines piped in) and node -p', async () => {
    // the REPL exits when its input ends: keep it open until the result is printed
    const line = `import(${JSON.stringify(ENTRY)}).then(async ({ Word2Vec }) => { const corpus = []; for (let i = 0; i < 400; i++) corpus.push(['a b c d', 'e f g h'][i % 2]); ` +
      `const model = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 2, batchWords: 100, sample: 0 }); const res = await model.train(corpus); ` +
      `console.log('RESULT' + JSON.stringify({ threads: res.threads, threadWords: res.threadWords, loader: false })); }, (e) => console.log('RESULT' + JSON.stringify({ error: e.message })))`;
    const env = { ...process.env };
    delete env.QUANTEXT_DETACH;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-i'], { env });
      let text = '';
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`no result from the REPL: ${text}`));
      }, 60_000);
      child.stdout.on('data', (d) => {
        text += d;
        const m = /RESULT(\{.*\})/.exec(text);
        if (m) {
          clearTimeout(timer);
          child.stdin.end();
          resolve(m[1]);
        }
      });
      child.stdin.write(line + '\n');
    });
    expectTwoThreads({ status: 0, signal: null, stderr: '', out: JSON.parse(out) });
    const p = runNode(['-p', line.replace(/'RESULT' \+ /g, '')]);
    expectTwoThreads(p);
  });

  it('node --test (the test runner)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quantext-threads-'));
    try {
      writeFileSync(join(dir, 'w2v.test.mjs'), `import { test } from 'node:test';\nimport assert from 'node:assert';\n` +
        `test('trains on two threads', async () => {\n${SCRIPT.replace(/^import .*$/m, `const { Word2Vec } = await import(${JSON.stringify(ENTRY)});`).replace('console.log(', 'assert.deepStrictEqual(res.threads, 2); console.log(')}\n});\n`);
      const env = { ...process.env };
      delete env.QUANTEXT_DETACH;
      const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', join(dir, 'w2v.test.mjs')], { encoding: 'utf8', timeout: 60_000, env });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/pass 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('workerExecArgv drops the flags about the host entry and keeps loaders and the rest', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code', '--import', './l.mjs'])).toEqual(['--import', './l.mjs']);
    expect(workerExecArgv(['--input-type', 'module', '--eval=x', '-p', '1+1', '-r', 'ts-node/register'])).toEqual(['-r', 'ts-node/register']);
    expect(workerExecArgv(['--test', '--test-reporter=spec', '--test-name-pattern', 'x', '--watch', '--inspect-brk=9230', '--max-old-space-size=100']))
      .toEqual(['--max-old-space-size=100']);
    expect(workerExecArgv(['-i', '--experimental-loader', 'l.mjs', '--conditions=dev', '-'])).toEqual(['--experimental-loader', 'l.mjs', '--conditions=dev']);
  });
});

describe('the worker pool', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is made once per model and reused across train() calls; dispose() ends it', async () => {
    const rt = await rtFor('simd-mt');
    // count terminations through the host's own factory
    let terminated = 0;
    const host = setWorkerFactory(undefined)!;
    setWorkerFactory((url) => {
      const w = host(url);
      return { ...w, terminate: () => (terminated++, w.terminate()) };
    });
    try {
      const corpus = Array.from({ length: 300 }, (_, i) => ['a b c d', 'e f g h'][i % 2]);
      const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, batchWords: 100, runtime: rt });
      const before = workerStarts();
      const r1 = await m.train(corpus);
      expect(r1.threads).toBe(2);
      expect(workerStarts() - before).toBe(2);
      const r2 = await m.train(corpus);
      const r3 = await m.train(corpus);
      expect(r2.threads).toBe(2);
      expect(r3.threads).toBe(2);
      expect(workerStarts() - before).toBe(2); // no new workers for the later calls
      expect(terminated).toBe(0);
      m.dispose();
      expect(terminated).toBe(2);
      const m2 = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, batchWords: 100, runtime: rt });
      await m2.train(corpus);
      expect(workerStarts() - before).toBe(4); // another model, its own pool
      m2.dispose();
      expect(terminated).toBe(4);
    } finally {
      setWorkerFactory(host);
    }
  });

  it('caps threads at the available parallelism, with one warning for all calls', async () => {
    resetTrainWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const rt = await rtFor('simd-mt');
    const corpus = Array.from({ length: 300 }, (_, i) => ['a b c d', 'e f g h'][i % 2]);
    const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 1000, epochs: 1, batchWords: 50, runtime: rt });
    const cores = availableParallelism();
    for (let i = 0; i < 2; i++) {
      const res = await m.train(corpus);
      expect(res.threads).toBeLessThanOrEqual(cores);
      expect(res.threads).toBe(Math.min(1000, cores));
    }
    expect(warn).toHaveBeenCalledTimes(cores < 1000 ? 1 : 0);
    if (cores < 1000) expect(String(warn.mock.calls[0][0])).toMatch(new RegExp(`runs ${cores} threads, not 1000`));
    m.dispose();
  });

  it('where workers cannot start, training goes on with one thread and warns once', async () => {
    resetTrainWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // a host whose workers fail to start (as --input-type did): they report an error instead of 'ready'
    const broken = (() => {
      let onErr: ((e: unknown) => void) | undefined;
      return {
        post: () => queueMicrotask(() => onErr?.(new Error('--input-type can only be used with string input'))),
        onMessage: () => undefined,
        onError: (cb: (e: unknown) => void) => void (onErr = cb),
        terminate: () => undefined,
      };
    });
    const prev = setWorkerFactory(broken);
    try {
      const rt = await rtFor('simd-mt');
      const corpus = Array.from({ length: 200 }, (_, i) => ['a b c d', 'e f g h'][i % 2]);
      const m = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, runtime: rt });
      const r1 = await m.train(corpus);
      const r2 = await m.train(corpus);
      const m2 = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, runtime: rt });
      const r3 = await m2.train(corpus);
      expect([r1.threads, r2.threads, r3.threads]).toEqual([1, 1, 1]);
      expect(r1.words).toBe(800);
      const starts = warn.mock.calls.filter((c) => /single-threaded/.test(String(c[0])));
      expect(starts.length).toBe(1);
      expect(String(starts[0][0])).toMatch(/did not start/);
      // a factory that throws at once (a host refusing the worker) is the same case
      setWorkerFactory(() => {
        throw new Error('no threads for you');
      });
      const m3 = new Word2Vec({ vectorSize: 8, minCount: 1, workers: 2, epochs: 1, runtime: rt });
      expect((await m3.train(corpus)).threads).toBe(1);
      expect(warn.mock.calls.filter((c) => /single-threaded/.test(String(c[0]))).length).toBe(1);
      m.dispose();
      m2.dispose();
      m3.dispose();
    } finally {
      setWorkerFactory(prev);
    }
  });
});
