/**
 * The kernels API's plumbing: which runtime the functions use, one growable scratch region per runtime (so a call
 * allocates nothing once the scratch is big enough), typed views over linear memory refreshed whenever
 * `memory.buffer` changed (growth, or the detach test mode), and `WasmArray`, the zero-copy handle.
 */
import { QuantextError } from '../errors.js';
import { runtime, type Runtime } from '../runtime/runtime.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Kernels } from '../runtime/kernels/index.js';

/** Kernels this API adds (assembly/vec/l2.ts) and the inference kernels it borrows (assembly/infer/). */
export interface ApiKernels {
  l2sq_f32(a: number, b: number, n: number): number;
}
export type AllKernels = Kernels & ApiKernels;

/** Element types a WasmArray can hold. 'f16' and 'bf16' are bit patterns in a Uint16Array view. */
export type DType = 'f32' | 'f64' | 'i32' | 'u32' | 'i16' | 'u16' | 'f16' | 'bf16' | 'i8' | 'u8';

export interface ViewOf {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  u32: Uint32Array;
  i16: Int16Array;
  u16: Uint16Array;
  f16: Uint16Array;
  bf16: Uint16Array;
  i8: Int8Array;
  u8: Uint8Array;
}

const BYTES: Record<DType, number> = { f32: 4, f64: 8, i32: 4, u32: 4, i16: 2, u16: 2, f16: 2, bf16: 2, i8: 1, u8: 1 };
const CTOR: Record<DType, any> = {
  f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array, i16: Int16Array, u16: Uint16Array,
  f16: Uint16Array, bf16: Uint16Array, i8: Int8Array, u8: Uint8Array,
};
/** Bytes of readable slack after every buffer the kernels read (int4 and binary scans read whole 16/32-byte blocks). */
export const SLACK = 64;

/**
 * An array that lives in wasm memory: kernels read and write it in place (no copy). `view` is a typed array over
 * it, rebuilt whenever wasm memory has grown (or detached), so never stale: read it at the moment of use and do not
 * keep it across a call that can allocate. Free it with `dispose()` (or `free(a)`, or `using`).
 */
export class WasmArray<D extends DType = DType> extends WasmOwned {
  readonly dtype: D;
  readonly length: number;
  /** Byte address in wasm memory (16-byte aligned). */
  readonly byteOffset: number;
  private _view: ViewOf[D] | undefined;

  constructor(n: number, dtype: D, rt?: Runtime) {
    super(rt);
    if (!Number.isInteger(n) || n < 0) throw new QuantextError('E_OPTION', `alloc: length must be a non-negative integer; got ${n}`, { option: 'n' });
    if (!(dtype in BYTES)) throw new QuantextError('E_OPTION', `alloc: dtype must be one of ${Object.keys(BYTES).join(', ')}; got ${JSON.stringify(dtype)}`, { option: 'dtype' });
    this.dtype = dtype;
    this.length = n;
    this.byteOffset = this.own(n * BYTES[dtype] + SLACK, true);
  }

  /** Bytes of data (length × element size). */
  get byteLength(): number {
    return this.length * BYTES[this.dtype];
  }

  /** A typed array over the data, current at the moment of access. */
  get view(): ViewOf[D] {
    this.alive();
    // a view over plain memory is detached (length 0) once memory grows; shared memory never moves
    const v = this._view;
    if (v !== undefined && v.length === this.length && this.length !== 0) return v;
    return (this._view = new CTOR[this.dtype](this.rt.memory.buffer, this.byteOffset, this.length));
  }

  /** Copies `src` in at element `offset` (default 0). */
  set(src: ArrayLike<number>, offset = 0): this {
    this.view.set(src, offset);
    return this;
  }

  /** A copy of the data as an ordinary typed array. */
  toArray(): ViewOf[D] {
    return this.view.slice() as ViewOf[D];
  }

  /** The address, for kernels; throws E_DISPOSED after dispose(). */
  ptrFor(rt: Runtime): number {
    this.alive();
    if (rt !== this.rt) throw new QuantextError('E_OPTION', 'this WasmArray belongs to another runtime than the one the kernels run on (see useRuntime)');
    return this.byteOffset;
  }
}

/** Allocates an array of `n` elements of `dtype` (default 'f32') in wasm memory, zero-filled. */
export function alloc<D extends DType = 'f32'>(n: number, dtype: D = 'f32' as D): WasmArray<D> {
  return new WasmArray(n, dtype, current());
}

/** Frees a WasmArray (the same as `a.dispose()`; a second call does nothing). */
export function free(a: WasmArray): void {
  if (!(a instanceof WasmArray)) throw new QuantextError('E_OPTION', 'free() takes a WasmArray made by alloc()');
  a.dispose();
}

/** A copy of `src` in wasm memory, as a WasmArray of the matching dtype (Uint16Array gives 'u16'; pass 'f16'/'bf16'). */
export function toWasm<D extends DType>(src: ViewOf[D], dtype?: D): WasmArray<D> {
  const d = (dtype ?? dtypeOf(src)) as D;
  if (!(src instanceof (CTOR[d] as any))) throw new QuantextError('E_OPTION', `toWasm: a ${src?.constructor?.name} cannot hold dtype '${d}'`);
  const a = new WasmArray(src.length, d, current());
  a.view.set(src as any);
  return a;
}

function dtypeOf(a: unknown): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int16Array) return 'i16';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Uint8Array) return 'u8';
  throw new QuantextError('E_OPTION', `expected a typed array; got ${describe(a)}`);
}

export function describe(a: unknown): string {
  if (a instanceof WasmArray) return `a WasmArray of ${a.dtype}`;
  if (a === null) return 'null';
  if (typeof a === 'object') return `a ${(a as object).constructor?.name ?? 'object'}`;
  return typeof a;
}

// ---------------------------------------------------------------- runtime and scratch

let pinned: Runtime | undefined;

/**
 * Makes the kernel functions run on `rt` (a runtime from `createRuntime`, e.g. the scalar build) instead of the
 * default one `init()` made; `useRuntime()` goes back to the default.
 */
export function useRuntime(rt?: Runtime): void {
  pinned = rt;
}

/** The runtime the functions use now. */
export function current(): Runtime {
  return pinned ?? runtime();
}

/**
 * Per-runtime state: the scratch region (grown geometrically, never shrunk: the "no per-call allocation" rule) and
 * views over memory rebuilt whenever `memory.buffer` is a different object.
 */
export class State {
  readonly rt: Runtime;
  readonly k: AllKernels;
  private readonly arena: Runtime['arena'];
  private scratch = 0;
  private cap = 0;
  /** next free byte of the scratch in the current call */
  private top = 0;
  buf: ArrayBufferLike;
  f32!: Float32Array;
  i32!: Int32Array;
  u16!: Uint16Array;
  i8!: Int8Array;
  u8!: Uint8Array;

  constructor(rt: Runtime) {
    this.rt = rt;
    this.k = rt.kernels as AllKernels;
    this.arena = rt.arena;
    this.buf = rt.memory.buffer;
    this.views();
  }

  views(): void {
    const b = (this.buf = this.rt.memory.buffer);
    this.f32 = new Float32Array(b);
    this.i32 = new Int32Array(b);
    this.u16 = new Uint16Array(b);
    this.i8 = new Int8Array(b);
    this.u8 = new Uint8Array(b);
  }

  /**
   * Starts a call that needs `bytes` of scratch (the sum of what `take` will hand out, each rounded up by `need`).
   * Grows the scratch when too small (the only allocation, amortised), and refreshes the views.
   */
  begin(bytes: number): this {
    if (bytes > this.cap) {
      const cap = Math.max(bytes, this.cap * 2, 4096);
      const p = this.rt.arena.alloc(cap); // may grow (or, in the detach test mode, detach) memory
      if (this.scratch) this.rt.arena.free(this.scratch);
      this.scratch = p;
      this.cap = cap;
    }
    // Reading memory.buffer costs more than a small kernel, so it is not read per call: plain memory detaches the
    // old buffer when it grows (a detached view has length 0), and every address the kernels see (scratch,
    // WasmArrays) lies below the arena's top, so a view at least that long is current for them.
    if (this.u8.length < this.arena.heapTop) this.views();
    this.top = this.scratch;
    return this;
  }

  /** Hands out `bytes` of scratch (16-byte aligned, with SLACK readable bytes after). Call begin() first. */
  take(bytes: number): number {
    const p = this.top;
    this.top = p + need(bytes);
    return p;
  }
}

/** Scratch bytes one buffer of `bytes` takes (alignment and slack included). */
export function need(bytes: number): number {
  return ((bytes + 15) & ~15) + SLACK;
}

const states = new WeakMap<Runtime, State>();
let last: State | undefined;

/** The state of the current runtime (views checked by begin()). */
export function state(): State {
  const rt = pinned ?? runtime();
  if (last !== undefined && last.rt === rt) return last;
  let s = states.get(rt);
  if (!s) states.set(rt, (s = new State(rt)));
  return (last = s);
}
