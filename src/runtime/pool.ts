import { QuantextError } from '../errors.js';
import type { Runtime } from './runtime.js';

/** The least a worker must do; Node's worker_threads and Web Workers are adapted to it by the entry points. */
export interface WorkerLike {
  post(msg: unknown): void;
  onMessage(cb: (msg: any) => void): void;
  onError(cb: (err: unknown) => void): void;
  terminate(): void;
  /**
   * Whether the worker keeps the host process alive (Node's ref/unref). The pool holds its workers only while a
   * kernel call is pending, so an idle pool never stops `node script.js` from exiting.
   */
  keepAlive?(on: boolean): void;
}
export type WorkerFactory = (url: URL) => WorkerLike;

let factory: WorkerFactory | undefined;
let parallelism: number | undefined;
let starts = 0;

/**
 * Entry points register how to start a worker in their runtime (worker_threads, Web Workers) and, where the host
 * says, how many threads can run in parallel (Node's os.availableParallelism()).
 */
export function setWorkerFactory(fn: WorkerFactory | undefined, availableParallelism?: number): WorkerFactory | undefined {
  const prev = factory;
  factory = fn;
  if (availableParallelism !== undefined) parallelism = availableParallelism;
  return prev;
}
export function hasWorkerFactory(): boolean {
  return factory !== undefined;
}

/** Threads that can run at once here: the registered value, else navigator.hardwareConcurrency, else 4. */
export function availableParallelism(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = parallelism ?? nav?.hardwareConcurrency ?? 4;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Worker threads started by every pool so far in this process (tests check that pools are reused). */
export function workerStarts(): number {
  return starts;
}

/**
 * The host's flags a worker thread can take. Workers inherit `process.execArgv` by default, which breaks them when
 * the host was started with flags about its own entry: `--input-type` (refused for a file), `-e`/`-p` code, `--test`,
 * `--watch`, the inspector's port. Those are dropped; loaders (`--import`, `--require`, `--loader`), conditions and
 * other flags are kept.
 */
export function workerExecArgv(argv: readonly string[]): string[] {
  const withValue = new Set(['-e', '--eval', '-p', '--print', '-pe', '-ep', '--input-type', '--inspect-port', '--debug-port', '--watch-path',
    '--test-name-pattern', '--test-skip-pattern', '--test-reporter', '--test-reporter-destination', '--test-concurrency',
    '--test-timeout', '--test-shard', '--test-coverage-include', '--test-coverage-exclude', '--experimental-test-coverage-include']);
  const dropPrefix = ['--inspect', '--debug', '--test', '--experimental-test', '--watch', '--experimental-watch'];
  const drop = new Set(['-i', '--interactive', '-c', '--check', '-', '--']);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.split('=', 1)[0] : a;
    if (withValue.has(name)) {
      if (!a.includes('=')) i++; // the value is the next argument
      continue;
    }
    if (drop.has(a) || dropPrefix.some((p) => name === p || name.startsWith(p + '-'))) continue;
    out.push(a);
  }
  return out;
}

// Resolves to dist/runtime/worker.js both from src/runtime/ (tests) and from dist/runtime/ (the package).
// Computed when a pool starts, not at import: in Cloudflare Workers `import.meta.url` is not a URL, and a
// throw at import would make the whole package unloadable there (Workers have no threads anyway).
const workerUrl = (): URL => new URL('../../dist/runtime/worker.js', import.meta.url);

/**
 * Worker threads that run kernels over one shared WebAssembly.Memory (Hogwild training).
 * Each worker instantiates the runtime's already-compiled module over the runtime's memory.
 */
/** How long workers may take to load and instantiate the module before the pool gives up. */
const START_TIMEOUT_MS = 30_000;

export class WorkerPool {
  private workers: WorkerLike[] = [];
  private pending = new Map<number, { worker: number; resolve: (v: number) => void; reject: (e: unknown) => void }>();
  private failed = false;
  private nextId = 1;

  private constructor() {}

  static async create(rt: Runtime, n: number): Promise<WorkerPool> {
    if (!rt.shared) throw new QuantextError('E_UNSUPPORTED', 'worker threads need a runtime with shared memory');
    if (!factory) throw new QuantextError('E_UNSUPPORTED', 'this runtime has no worker threads');
    const pool = new WorkerPool();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      let w: WorkerLike;
      try {
        w = factory(workerUrl());
      } catch (e) {
        pool.terminate();
        throw new QuantextError('E_UNSUPPORTED', `starting worker threads failed: ${(e as Error)?.message ?? e}`, undefined, { cause: e });
      }
      starts++;
      w.keepAlive?.(true); // starting: the caller awaits the pool
      pool.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.onError((e) => {
            pool.failed = true;
            reject(e);
            const err = new QuantextError('E_WASM', `a worker thread failed: ${(e as Error)?.message ?? e}`, undefined, { cause: e });
            for (const p of pool.pending.values()) p.reject(err);
            pool.pending.clear();
          });
          w.onMessage((m) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'done' || m.type === 'error') {
              const p = pool.pending.get(m.id);
              if (!p) return;
              pool.pending.delete(m.id);
              if (m.type === 'done') p.resolve(m.result);
              else p.reject(new QuantextError('E_WASM', `worker kernel failed: ${m.message}`));
            }
          });
        }),
      );
      w.post({ type: 'init', module: rt.module, memory: rt.memory });
    }
    // a worker that never answers (its script not loaded, the message not delivered) must not hang training
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${n} worker(s) within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } catch (e) {
      pool.terminate();
      throw new QuantextError('E_UNSUPPORTED', `starting worker threads failed: ${(e as Error)?.message ?? e}`, undefined, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    for (const w of pool.workers) w.keepAlive?.(false);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs kernel `fn(...args)` on worker `i` and resolves with its return value. */
  call(i: number, fn: string, args: number[]): Promise<number> {
    if (i < 0 || i >= this.workers.length) return Promise.reject(new QuantextError('E_ABORTED', 'the worker pool was terminated'));
    const id = this.nextId++;
    const w = this.workers[i];
    // a pending call keeps the process alive (the caller awaits it); an idle worker does not
    w.keepAlive?.(true);
    const idle = () => {
      let busy = false;
      for (const p of this.pending.values()) if (p.worker === i) busy = true;
      if (!busy) w.keepAlive?.(false);
    };
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, {
        worker: i,
        resolve: (v) => {
          resolve(v);
          idle();
        },
        reject: (e) => {
          reject(e);
          idle();
        },
      });
      w.post({ type: 'call', id, fn, args });
    });
  }

  /** True once terminate() ran or a worker failed: a model then starts a new pool. */
  get broken(): boolean {
    return this.failed || this.workers.length === 0;
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.failed = true;
    const err = new QuantextError('E_ABORTED', 'the worker pool was terminated');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
