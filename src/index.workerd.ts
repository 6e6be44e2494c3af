/// <reference lib="esnext.disposable" preserve="true" />
// ^ kept in the emitted .d.ts (preserve="true"): handles implement Symbol.dispose (WasmOwned), so a project whose
// `lib` lacks ESNext.Disposable (a browser app with `lib: ["ES2022", "DOM"]`) still compiles against our types.
// Entry for Cloudflare Workers (the `workerd` export condition). Workers refuse to compile wasm from bytes,
// so the builds are imported as modules: wrangler, workerd and miniflare turn `import x from './x.wasm'`
// into a compiled WebAssembly.Module. Workers have no threads, so only the plain-memory builds are bundled.
import simd from '../build/quantext-simd.wasm';
import scalar from '../build/quantext-scalar.wasm';
import { setDefaultSources, type BuildName } from './runtime/runtime.js';

setDefaultSources((b: BuildName) => (b === 'simd' ? simd : b === 'scalar' ? scalar : undefined));

export * from './api.js';
