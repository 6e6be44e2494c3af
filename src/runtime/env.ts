/** What the host runtime is and can do. Computed once, frozen. */
const g = globalThis as any;

export type RuntimeName = 'node' | 'deno' | 'bun' | 'workerd' | 'browser' | 'worker' | 'unknown';

function detect(): RuntimeName {
  if (typeof g.Deno !== 'undefined') return 'deno'; // Deno also defines `process` in compat mode
  if (typeof g.Bun !== 'undefined') return 'bun';
  if (typeof g.navigator !== 'undefined' && g.navigator.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof g.process !== 'undefined' && g.process.versions?.node) return 'node';
  if (typeof g.window !== 'undefined' && typeof g.document !== 'undefined') return 'browser';
  if (typeof g.WorkerGlobalScope !== 'undefined') return 'worker';
  return 'unknown';
}

export const env = Object.freeze({
  /** The host: node, deno, bun, workerd (Cloudflare Workers), browser, worker (a Web Worker) or unknown. */
  runtime: detect(),
  /** SharedArrayBuffer exists (browsers: only when cross-origin isolated). */
  hasSharedMemory: typeof g.SharedArrayBuffer !== 'undefined' && (g.crossOriginIsolated !== false),
  /** Threads are possible: shared memory plus a worker API (Workers have neither threads nor worker_threads). */
  get canThread(): boolean {
    const rt = this.runtime;
    if (rt === 'workerd' || rt === 'unknown') return false;
    return this.hasSharedMemory;
  },
});

/** Reads an environment variable where the runtime has them (Node, Bun, Deno with --allow-env). */
export function getEnv(name: string): string | undefined {
  try {
    if (typeof g.process !== 'undefined' && g.process.env) return g.process.env[name];
    if (typeof g.Deno !== 'undefined') return g.Deno.env.get(name);
  } catch {
    /* no permission */
  }
  return undefined;
}
