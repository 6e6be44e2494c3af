import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * The wasm memory of one Word2Vec model (its tables, config blocks, staging buffers and corpus cache). The model
 * makes it on first use, so that `new Word2Vec()` works before `init()`; disposing the model disposes it.
 */
export class TrainMemory extends WasmOwned {
  constructor(rt: Runtime) {
    super(rt);
  }
  /** Allocates bytes owned by the model. */
  alloc(bytes: number, zero = false): number {
    return this.own(bytes, zero);
  }
  /** Frees one allocation made with alloc(). */
  free(ptr: number): void {
    this.release(ptr);
  }
}
