// The public API shared by every runtime entry (index.ts, index.node.ts, index.workerd.ts).
export { QuantextError, type ErrorCode } from './errors.js';
export {
  init,
  createRuntime,
  runtime,
  backend,
  simdSupported,
  Runtime,
  type Backend,
  type BuildName,
  type InitOptions,
  type WasmSource,
  type WasmSources,
} from './runtime/runtime.js';
export { env } from './runtime/env.js';
export { WasmOwned, F32Buffer } from './runtime/handle.js';
export { Arena } from './runtime/memory.js';
