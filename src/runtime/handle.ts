import { QuantextError } from '../errors.js';
import type { Arena } from './memory.js';
import { runtime, type Runtime } from './runtime.js';

/** Symbol.dispose where the host has it (Node ≥ 20.4, recent browsers), else the well-known registry symbol. */
export const disposeSymbol: typeof Symbol.dispose = (Symbol as any).dispose ?? Symbol.for('Symbol.dispose');

interface Held {
  arena: Arena;
  ptrs: number[];
}

// Frees what a user forgot to dispose(). A safety net only: GC timing is up to the host.
const registry =
  typeof FinalizationRegistry !== 'undefined'
    ? new FinalizationRegistry<Held>((h) => {
        for (const p of h.ptrs) {
          try {
            const u = h.arena.used;
            h.arena.free(p);
            h.arena.reclaimed += u - h.arena.used;
          } catch {
            /* already gone */
          }
        }
      })
    : undefined;

/**
 * Base of every object that owns wasm memory. Subclasses allocate through `own()`; `dispose()` frees
 * everything at once and is safe to call twice; any later use throws E_DISPOSED via `alive()`.
 */
export abstract class WasmOwned {
  readonly rt: Runtime;
  private held: Held;
  private disposed = false;

  constructor(rt?: Runtime) {
    this.rt = rt ?? runtime();
    this.held = { arena: this.rt.arena, ptrs: [] };
    registry?.register(this, this.held, this);
  }

  /** Allocates `bytes` owned by this object (freed by dispose()). */
  protected own(bytes: number, zero = false): number {
    this.alive();
    const p = this.rt.arena.alloc(bytes, zero);
    this.held.ptrs.push(p);
    return p;
  }

  /** Frees one allocation made with own() before dispose(). */
  protected release(ptr: number): void {
    const i = this.held.ptrs.indexOf(ptr);
    if (i >= 0) {
      this.held.ptrs.splice(i, 1);
      this.rt.arena.free(ptr);
    }
  }

  /** Throws E_DISPOSED after dispose(). */
  protected alive(): void {
    if (this.disposed) throw new QuantextError('E_DISPOSED', `${this.constructor.name} was used after dispose()`);
  }

  /**
   * Runs `fill` on this new object and returns it; if `fill` throws, disposes it first, so that a half-built object
   * (a table whose input turned out bad) never keeps wasm memory. The one place factories get this right.
   */
  protected filledBy(fill: () => void): this {
    try {
      fill();
      return this;
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees this object's wasm memory. A second call does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    registry?.unregister(this);
    for (const p of this.held.ptrs) this.rt.arena.free(p);
    this.held.ptrs.length = 0;
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/** A Float32Array that lives in wasm memory. `view()` is fresh each call: never keep it across a call that can grow memory. */
export class F32Buffer extends WasmOwned {
  readonly ptr: number;
  readonly length: number;

  constructor(length: number, rt?: Runtime) {
    super(rt);
    if (!Number.isInteger(length) || length < 0) throw new QuantextError('E_OPTION', `F32Buffer: invalid length ${length}`);
    this.length = length;
    this.ptr = this.own(length * 4, true);
  }

  static from(data: ArrayLike<number>, rt?: Runtime): F32Buffer {
    const b = new F32Buffer(data.length, rt);
    b.view().set(data);
    return b;
  }

  view(): Float32Array {
    this.alive();
    return this.rt.arena.f32(this.ptr, this.length);
  }

  toArray(): Float32Array {
    return this.view().slice();
  }
}
