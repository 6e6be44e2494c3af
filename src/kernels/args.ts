// Argument checks and copies shared by the kernel functions. Every check throws a QuantextError (E_OPTION for a
// wrong type or dtype, E_SHAPE for lengths that disagree); nothing here loops over elements in JavaScript.
import { QuantextError } from '../errors.js';
import { WasmArray, describe, need, type State, type DType, type ViewOf } from './state.js';

/** An f32 argument: copied in (and out) when a Float32Array, used in place when a WasmArray. */
export type F32 = Float32Array | WasmArray<'f32'>;
export type I8 = Int8Array | WasmArray<'i8'>;
export type U8 = Uint8Array | WasmArray<'u8'>;
export type I32 = Int32Array | WasmArray<'i32'>;
/** fp16/bf16 bit patterns. */
export type U16 = Uint16Array | WasmArray<'f16'> | WasmArray<'bf16'> | WasmArray<'u16'>;

const CTORS: Partial<Record<DType, any>> = { f32: Float32Array, i8: Int8Array, u8: Uint8Array, i32: Int32Array, u16: Uint16Array, f16: Uint16Array, bf16: Uint16Array };

/** Element count of an argument of dtype `d` (typed array or WasmArray), or E_OPTION naming it. */
export function len(a: unknown, d: DType, what: string, alt?: DType, alt2?: DType): number {
  if (a instanceof CTORS[d]) return (a as ArrayLike<number>).length;
  if (a instanceof WasmArray && (a.dtype === d || a.dtype === alt || a.dtype === alt2)) return a.length;
  throw new QuantextError('E_OPTION', `${what} must be a ${CTORS[d].name} or a WasmArray of ${[d, alt, alt2].filter(Boolean).join('/')}; got ${describe(a)}`, { argument: what });
}

/** len(a, 'f32') with the common case first. */
export function lenF32(a: unknown, what: string): number {
  return a instanceof Float32Array ? a.length : len(a, 'f32', what);
}

/** sz() and put() for f32 arguments, typed array first (the per-call overhead of small calls is mostly these checks). */
export function szF32(a: unknown, n: number): number {
  return a instanceof Float32Array ? ((n * 4 + 15) & ~15) + 64 : 0;
}
export function putF32(s: State, a: Float32Array | WasmArray, n: number): number {
  if (a instanceof Float32Array) {
    const p = s.take(n * 4);
    s.f32.set(a, p >>> 2);
    return p;
  }
  return a.ptrFor(s.rt);
}

/** Scratch bytes an argument of `bytes` needs (0 for a WasmArray, used in place). */
export function sz(a: unknown, bytes: number): number {
  return a instanceof WasmArray ? 0 : need(bytes);
}

/** The address of an argument: a WasmArray's own, or a scratch copy of a typed array (any byte offset). */
export function put(s: State, a: ArrayBufferView | WasmArray, bytes: number): number {
  if (a instanceof WasmArray) return a.ptrFor(s.rt);
  const p = s.take(bytes);
  if (a instanceof Float32Array) s.f32.set(a, p >>> 2);
  else if (a instanceof Int8Array) s.i8.set(a, p);
  else if (a instanceof Uint8Array) s.u8.set(a, p);
  else if (a instanceof Int32Array) s.i32.set(a, p >>> 2);
  else if (a instanceof Uint16Array) s.u16.set(a, p >>> 1);
  else s.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
  return p;
}

/** Where a result goes: a WasmArray's own memory, or scratch to copy out of. */
export function outAt(s: State, out: unknown, bytes: number): number {
  return out instanceof WasmArray ? out.ptrFor(s.rt) : s.take(bytes);
}

/** Checks an optional `out` of dtype `d` holding at least n elements. */
export function checkOut(out: unknown, d: DType, n: number, what = 'out'): void {
  if (out === undefined) return;
  const m = len(out, d, what);
  if (m < n) throw new QuantextError('E_SHAPE', `${what} holds ${m} elements; ${n} are needed`, { argument: what, length: m, need: n });
}

/** The result: `out` itself (a WasmArray is already written; a typed array gets the copy), or a new typed array. */
export function finish<D extends 'f32' | 'i32' | 'i8' | 'u8' | 'u16'>(s: State, p: number, n: number, d: D, out: unknown): any {
  if (out instanceof WasmArray) return out;
  switch (d) {
    case 'f32': {
      const r = (out as Float32Array) ?? new Float32Array(n);
      r.set(s.f32.subarray(p >>> 2, (p >>> 2) + n));
      return r;
    }
    case 'i32': {
      const r = (out as Int32Array) ?? new Int32Array(n);
      r.set(s.i32.subarray(p >>> 2, (p >>> 2) + n));
      return r;
    }
    case 'i8': {
      const r = (out as Int8Array) ?? new Int8Array(n);
      r.set(s.i8.subarray(p, p + n));
      return r;
    }
    case 'u8': {
      const r = (out as Uint8Array) ?? new Uint8Array(n);
      r.set(s.u8.subarray(p, p + n));
      return r;
    }
    default: {
      const r = (out as Uint16Array) ?? new Uint16Array(n);
      r.set(s.u16.subarray(p >>> 1, (p >>> 1) + n));
      return r;
    }
  }
}

/** Copies an in-place result back into a typed-array argument (a WasmArray was written in place). */
export function back(s: State, a: Float32Array | WasmArray, p: number, n: number): void {
  if (a instanceof Float32Array) a.set(s.f32.subarray(p >>> 2, (p >>> 2) + n));
}

/** A non-negative integer option, or E_OPTION. */
export function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new QuantextError('E_OPTION', `${what} must be a non-negative integer; got ${JSON.stringify(v)}`, { option: what });
  }
  return v;
}

export function shape(msg: string, details?: Record<string, unknown>): never {
  throw new QuantextError('E_SHAPE', msg, details);
}

export function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new QuantextError('E_OPTION', `${what} must be a finite number; got ${JSON.stringify(v)}`, { option: what });
  return v;
}

export type { ViewOf };
