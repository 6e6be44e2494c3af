import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import { heap, inferKernels, type InferKernels } from './kernels.js';

/** Options every layer constructor takes. */
export interface LayerOptions {
  /** The runtime whose memory holds the weights (default: the one `init()` made). */
  rt?: Runtime;
  /** Rows of scratch allocated at construction (default 8); a larger batch grows it once. */
  maxBatch?: number;
}

/** Weight layout of `fromFloat`/`fromQuantized` inputs: 'out-in' = [out × in] (PyTorch), 'in-out' = [in × out] (ONNX MatMul's B). */
export type WeightLayout = 'out-in' | 'in-out';

/** A fused activation a linear layer can apply to its output. */
export type FusedActivation = 'none' | 'relu';

export function checkInt(name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new QuantextError('E_SHAPE', `${name} must be an integer ≥ ${min}, got ${String(v)}`, { [name]: v });
  }
  return v;
}

export function checkFinite(what: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) throw new QuantextError('E_NAN', `${what}[${i}] is ${v}`, { index: i });
  }
}

export function fusedRelu(cls: string, a: unknown): number {
  if (a === undefined || a === 'none') return 0;
  if (a === 'relu') return 1;
  throw new QuantextError('E_OPTION', `${cls}: activation must be 'none' or 'relu', got ${String(a)}`, { option: 'activation' });
}

/**
 * Base of every inference layer. Input and output live in wasm memory in buffers the layer owns (allocated at
 * construction for `maxBatch` rows); `forwardInto` copies x in, runs the kernels, copies the result out and allocates
 * nothing. `run` is the in-memory step that Sequential chains without copies.
 */
export abstract class Layer extends WasmOwned {
  abstract readonly kind: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  protected readonly k: InferKernels;
  private ioCap = 0;
  private ioIn = 0;
  private ioOut = 0;
  private ioInBytes = 0;
  private ioOutBytes = 0;
  protected readonly initialBatch: number;

  constructor(inFeatures: number, outFeatures: number, opts: LayerOptions = {}) {
    super(opts.rt);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.k = inferKernels(this.rt);
    const mb = opts.maxBatch ?? 8;
    checkInt('maxBatch', mb);
    this.initialBatch = mb;
  }

  /** Output width for an input of `width` features (= outFeatures except for width-agnostic layers). */
  outWidth(width: number): number {
    return this.outFeatures || width;
  }

  /** Input width for an x of `len` values in `batch` rows; throws E_SHAPE when they do not fit. */
  protected inWidth(len: number, batch: number): number {
    const w = this.inFeatures || len / batch;
    if (len !== batch * w || !Number.isInteger(w) || w < 1) {
      throw new QuantextError('E_SHAPE', `${this.constructor.name}: x has ${len} values, expected batch ${batch} × ${this.inFeatures || 'width'}${this.inFeatures ? ` = ${batch * this.inFeatures}` : ''}`, { length: len, batch });
    }
    return w;
  }

  /** Makes sure the layer's own scratch holds `batch` rows of `width` inputs. May allocate (never during run). */
  reserve(_batch: number, _width: number): void {}

  /** y = layer(x) for `batch` rows of `width` features, both in wasm memory. Allocates nothing (reserve() first). */
  abstract run(x: number, y: number, batch: number, width: number): void;

  /** Runs the layer on `batch` rows (x is batch × inFeatures, row-major) and returns a new Float32Array. */
  forward(x: Float32Array, batch = 1): Float32Array {
    checkInt('batch', batch);
    const w = this.inWidth(x?.length, batch);
    return this.forwardInto(x, new Float32Array(batch * this.outWidth(w)), batch);
  }

  /** As forward, into `out` (≥ batch × outFeatures values); allocates nothing once the scratch fits `batch`. */
  forwardInto(x: Float32Array, out: Float32Array, batch = 1): Float32Array {
    this.alive();
    checkInt('batch', batch);
    if (!(x instanceof Float32Array)) throw new QuantextError('E_SHAPE', `${this.constructor.name}: x must be a Float32Array`);
    const w = this.inWidth(x.length, batch);
    const nOut = batch * this.outWidth(w);
    if (!(out instanceof Float32Array) || out.length < nOut) {
      throw new QuantextError('E_SHAPE', `${this.constructor.name}: out must be a Float32Array of ≥ ${nOut} values`, { length: out?.length });
    }
    const xp = this.ensureIo(batch, w);
    const h = heap(this.rt);
    h.f32.set(x, xp >> 2);
    if (!this.checksFinite() && !this.k.all_finite_f32(xp, x.length)) throw new QuantextError('E_NAN', `${this.constructor.name}: x has a NaN or infinite value`);
    this.run(xp, this.ioOut, batch, w);
    const o = this.ioOut >> 2;
    out.set(heap(this.rt).f32.subarray(o, o + nOut));
    return out;
  }

  /** True when run() itself refuses non-finite inputs with E_NAN (then forwardInto skips its own pass over x). */
  protected checksFinite(): boolean {
    return false;
  }

  /** The input buffer for `batch` rows (allocated or grown here, before any view is taken). */
  protected ensureIo(batch: number, width: number, inBytesPerValue = 4): number {
    const inB = batch * width * inBytesPerValue, outB = batch * this.outWidth(width) * 4;
    if (batch > this.ioCap || inB > this.ioInBytes || outB > this.ioOutBytes) {
      const cap = Math.max(batch, this.initialBatch, this.ioCap);
      if (this.ioIn) this.release(this.ioIn);
      if (this.ioOut) this.release(this.ioOut);
      this.ioInBytes = Math.max(inB, cap * width * 4);
      this.ioOutBytes = Math.max(outB, cap * this.outWidth(width) * 4);
      this.ioIn = this.own(this.ioInBytes);
      this.ioOut = this.own(this.ioOutBytes);
      this.ioCap = cap;
    }
    this.reserve(batch, width);
    return this.ioIn;
  }

  private scr = new Map<string, [number, number]>();
  /** An owned scratch block of ≥ bytes, kept by name and grown (reallocated) when too small. Call from reserve(). */
  protected scratch(name: string, bytes: number): number {
    let e = this.scr.get(name);
    if (!e || e[1] < bytes) {
      if (e) this.release(e[0]);
      e = [this.own(Math.max(16, bytes)), Math.max(16, bytes)];
      this.scr.set(name, e);
    }
    return e[0];
  }

  /** Output buffer of the last ensureIo. */
  protected get ioOutPtr(): number {
    return this.ioOut;
  }

  /** The layer's description for Sequential's config (JSON) and its tensors (safetensors). */
  abstract describe(): { config: Record<string, unknown>; tensors: Record<string, Float32Array | Int8Array | Uint8Array | Int32Array> };
}

export function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function copyIn(rt: Runtime, data: ArrayBufferView, ptr: number): void {
  heap(rt).u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
}
