// A kernel-running worker. It instantiates the runtime's compiled module over the runtime's shared memory and
// runs exported kernels on request: `{ type: 'call', id, fn, args }` → `{ type: 'done', id, result }`.
// It works as a Node/Bun/Deno worker_threads worker and as a (module) Web Worker.

type Port = { post(msg: unknown): void; listen(cb: (msg: any) => void): void };

async function port(): Promise<Port> {
  const g = globalThis as any;
  if (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.postMessage === 'function') {
    return { post: (m) => g.postMessage(m), listen: (cb) => (g.onmessage = (e: MessageEvent) => cb(e.data)) };
  }
  const wt = await import('node:worker_threads');
  const p = wt.parentPort!;
  return { post: (m) => p.postMessage(m), listen: (cb) => p.on('message', cb) };
}

const p = await port();
let exports: Record<string, (...a: number[]) => number> | undefined;
p.listen(async (msg) => {
  try {
    if (msg.type === 'init') {
      const inst = await WebAssembly.instantiate(msg.module as WebAssembly.Module, { env: { memory: msg.memory } });
      exports = inst.exports as any;
      p.post({ type: 'ready' });
    } else if (msg.type === 'call') {
      const fn = exports?.[msg.fn];
      if (typeof fn !== 'function') throw new Error(`no kernel ${msg.fn}`);
      const result = fn(...(msg.args as number[]));
      p.post({ type: 'done', id: msg.id, result });
    }
  } catch (e) {
    p.post({ type: 'error', id: msg.id, message: (e as Error).message });
  }
});
