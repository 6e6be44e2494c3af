import { QuantextError } from '../errors.js';
import type { Runtime } from './runtime.js';

/** The least a worker must do; Node's worker_threads and Web Workers are adapted to it by the entry points. */
export interface WorkerLike {
  post(msg: unknown): void;
  onMessage(cb: (msg: any) => void): void;
  onError(cb: (err: unknown) => void): void;
  terminate(): void;
}
export type WorkerFactory = (url: URL) => WorkerLike;

let factory: WorkerFactory | undefined;
/** Entry points register how to start a worker in their runtime (worker_threads, Web Workers). */
export function setWorkerFactory(fn: WorkerFactory | undefined): void {
  factory = fn;
}
export function hasWorkerFactory(): boolean {
  return factory !== undefined;
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
  private pending = new Map<number, { resolve: (v: number) => void; reject: (e: unknown) => void }>();
  private nextId = 1;

  private constructor() {}

  static async create(rt: Runtime, n: number): Promise<WorkerPool> {
    if (!rt.shared) throw new QuantextError('E_UNSUPPORTED', 'worker threads need a runtime with shared memory');
    if (!factory) throw new QuantextError('E_UNSUPPORTED', 'this runtime has no worker threads');
    const pool = new WorkerPool();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const w = factory(workerUrl());
      pool.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.onError((e) => {
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
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs kernel `fn(...args)` on worker `i` and resolves with its return value. */
  call(i: number, fn: string, args: number[]): Promise<number> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i].post({ type: 'call', id, fn, args });
    });
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers = [];
    const err = new QuantextError('E_ABORTED', 'the worker pool was terminated');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
