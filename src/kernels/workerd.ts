// quantext/kernels for Cloudflare Workers: the plain-memory builds imported as modules (Workers compile no bytes).
import simd from '../../build/quantext-simd.wasm';
import scalar from '../../build/quantext-scalar.wasm';
import { setDefaultSources, type BuildName } from '../runtime/runtime.js';

setDefaultSources((b: BuildName) => (b === 'simd' ? simd : b === 'scalar' ? scalar : undefined));

export * from './index.js';
