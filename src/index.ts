/// <reference lib="esnext.disposable" preserve="true" />
// ^ kept in the emitted .d.ts (preserve="true"): handles implement Symbol.dispose (WasmOwned), so a project whose
// `lib` lacks ESNext.Disposable (a browser app with `lib: ["ES2022", "DOM"]`) still compiles against our types.
// Entry for browsers and other hosts with fetch (the `browser` and `default` export conditions).
// The wasm files sit next to the package's build/ folder; bundlers see these literal URLs and copy the files.
import { setDefaultSources, type BuildName } from './runtime/runtime.js';
import { setWorkerFactory } from './runtime/pool.js';

setDefaultSources((b: BuildName) => {
  switch (b) {
    case 'simd': return new URL('../build/quantext-simd.wasm', import.meta.url);
    case 'scalar': return new URL('../build/quantext-scalar.wasm', import.meta.url);
    case 'simd-mt': return new URL('../build/quantext-simd-mt.wasm', import.meta.url);
    case 'scalar-mt': return new URL('../build/quantext-scalar-mt.wasm', import.meta.url);
    case 'simd-relaxed': return new URL('../build/quantext-simd-relaxed.wasm', import.meta.url);
    case 'simd-relaxed-mt': return new URL('../build/quantext-simd-relaxed-mt.wasm', import.meta.url);
  }
});

// Threads are module Web Workers running dist/runtime/worker.js over the runtime's shared memory. They start only
// when the page is cross-origin isolated (otherwise the runtime has no shared memory and trainers run on one
// thread); the worker script must then be served with the Cross-Origin-Embedder-Policy header too.
if (typeof Worker !== 'undefined') {
  setWorkerFactory((url) => {
    const w = new Worker(url, { type: 'module' });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (cb) => w.addEventListener('message', (e) => cb(e.data)),
      onError: (cb) => {
        // a worker script that fails to load gives a bare Event: say what was loaded and the usual cause
        w.addEventListener('error', (e) => {
          e.preventDefault(); // reported through the pool's promise instead
          cb((e as ErrorEvent).error ?? new Error(
            `worker ${url.href} failed${(e as ErrorEvent).message ? `: ${(e as ErrorEvent).message}` : ' to load'} (is it served, with Cross-Origin-Embedder-Policy when the page is cross-origin isolated?)`,
          ));
        });
        w.addEventListener('messageerror', () => cb(new Error(`a message from worker ${url.href} could not be deserialized`)));
      },
      terminate: () => w.terminate(),
    };
  });
}

export * from './api.js';
