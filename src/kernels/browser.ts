// quantext/kernels for browsers and other hosts with fetch: bundlers see these literal URLs and copy the files.
import { setDefaultSources, type BuildName } from '../runtime/runtime.js';

setDefaultSources((b: BuildName) => {
  switch (b) {
    case 'simd': return new URL('../../build/quantext-simd.wasm', import.meta.url);
    case 'scalar': return new URL('../../build/quantext-scalar.wasm', import.meta.url);
    case 'simd-mt': return new URL('../../build/quantext-simd-mt.wasm', import.meta.url);
    case 'scalar-mt': return new URL('../../build/quantext-scalar-mt.wasm', import.meta.url);
    case 'simd-relaxed': return new URL('../../build/quantext-simd-relaxed.wasm', import.meta.url);
    case 'simd-relaxed-mt': return new URL('../../build/quantext-simd-relaxed-mt.wasm', import.meta.url);
  }
});

export * from './index.js';
