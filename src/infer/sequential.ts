import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import { fileSystemHost } from '../io/lines.js';
import { readSafetensors, safeTensorArray, safeTensor, writeSafetensors, type SafetensorsDType, type SafetensorsTensor } from '../io/safetensors.js';
import { heap, inferKernels } from './kernels.js';
import { Layer, checkInt, type LayerOptions } from './layer.js';
import { Linear } from './linear.js';
import { Int8Linear, type Int8InputSpec, type Int8OutputSpec } from './int8.js';
import { BinaryLinear } from './binary.js';
import { SparseLinear } from './sparse.js';
import { GELU, LayerNorm, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';

export const SEQUENTIAL_FORMAT = 'quantext.sequential';
export const SEQUENTIAL_VERSION = 1;

export interface SequentialConfig {
  format: typeof SEQUENTIAL_FORMAT;
  version: number;
  layers: Array<Record<string, unknown>>;
}

export interface QuantizeModelOptions {
  weights: 'int8' | 'binary';
  /** int8 only: 'dynamic' (default) or 'static' (input scales from `calibration`). */
  activations?: 'dynamic' | 'static';
  /** Calibration inputs (calibrationBatch × inFeatures), needed for 'static'. */
  calibration?: Float32Array;
  calibrationBatch?: number;
  /** Keep the last linear layer in float (often the most sensitive). Default false. */
  skipLast?: boolean;
}

type Tensors = Record<string, Float32Array | Int8Array | Uint8Array | Int32Array>;

/**
 * A chain of layers run in wasm memory: the input is copied in once, every layer reads the previous one's output
 * from one of two owned ping-pong buffers, and the result is copied out. `forwardInto` allocates nothing once the
 * buffers fit the batch. The Sequential owns its layers (dispose() disposes them).
 */
export class Sequential extends WasmOwned {
  readonly layers: readonly Layer[];
  readonly inFeatures: number;
  readonly outFeatures: number;
  private cap = 0;
  private capWidth = 0;
  private bufA = 0;
  private bufB = 0;
  private readonly initialBatch: number;

  constructor(layers: Layer[], options: LayerOptions = {}) {
    if (!Array.isArray(layers) || layers.length === 0) throw new QuantextError('E_OPTION', 'Sequential: layers must be a non-empty array of layers');
    const rt = options.rt ?? layers[0]?.rt;
    super(rt);
    for (const [i, l] of layers.entries()) {
      if (!(l instanceof Layer)) throw new QuantextError('E_OPTION', `Sequential: layers[${i}] is not a quantext layer`);
      if (l.rt !== this.rt) throw new QuantextError('E_OPTION', `Sequential: layers[${i}] lives in another runtime`);
      if (l.isDisposed) throw new QuantextError('E_DISPOSED', `Sequential: layers[${i}] was disposed`);
    }
    let w = 0;
    let first = 0;
    for (const [i, l] of layers.entries()) {
      if (l.inFeatures) {
        if (w && l.inFeatures !== w) throw new QuantextError('E_SHAPE', `Sequential: layers[${i}] takes ${l.inFeatures} features but gets ${w}`, { layer: i });
        if (!first) first = l.inFeatures;
      }
      w = l.outWidth(w);
    }
    this.layers = Object.freeze([...layers]);
    this.inFeatures = first;
    this.outFeatures = w;
    const mb = options.maxBatch ?? 8;
    checkInt('maxBatch', mb);
    this.initialBatch = mb;
  }

  /** Widths along the chain for an input of `width` features. */
  private widths(width: number): number[] {
    const ws = [width];
    for (const l of this.layers) ws.push(l.outWidth(ws[ws.length - 1]));
    return ws;
  }

  private ensure(batch: number, widths: number[]): void {
    const mw = Math.max(...widths);
    if (batch > this.cap || mw > this.capWidth) {
      const cap = Math.max(batch, this.cap, this.initialBatch), cw = Math.max(mw, this.capWidth);
      if (this.bufA) this.release(this.bufA);
      if (this.bufB) this.release(this.bufB);
      this.bufA = this.own(cap * cw * 4);
      this.bufB = this.own(cap * cw * 4);
      this.cap = cap;
      this.capWidth = cw;
    }
    for (let i = 0; i < this.layers.length; i++) this.layers[i].reserve(batch, widths[i]);
  }

  forward(x: Float32Array, batch = 1): Float32Array {
    checkInt('batch', batch);
    const w = this.inputWidth(x, batch);
    return this.forwardInto(x, new Float32Array(batch * this.widths(w)[this.layers.length]), batch);
  }

  private inputWidth(x: Float32Array, batch: number): number {
    if (!(x instanceof Float32Array)) throw new QuantextError('E_SHAPE', 'Sequential: x must be a Float32Array');
    const w = this.inFeatures || x.length / batch;
    if (x.length !== batch * w || !Number.isInteger(w) || w < 1) throw new QuantextError('E_SHAPE', `Sequential: x has ${x.length} values, expected batch ${batch} × ${this.inFeatures}`, { length: x.length, batch });
    return w;
  }

  forwardInto(x: Float32Array, out: Float32Array, batch = 1): Float32Array {
    this.alive();
    checkInt('batch', batch);
    const w = this.inputWidth(x, batch);
    const ws = this.widths(w);
    const nOut = batch * ws[ws.length - 1];
    if (!(out instanceof Float32Array) || out.length < nOut) throw new QuantextError('E_SHAPE', `Sequential: out must be a Float32Array of ≥ ${nOut} values`);
    this.ensure(batch, ws);
    const k = inferKernels(this.rt);
    heap(this.rt).f32.set(x, this.bufA >> 2);
    if (!k.all_finite_f32(this.bufA, x.length)) throw new QuantextError('E_NAN', 'Sequential: x has a NaN or infinite value');
    let a = this.bufA, b = this.bufB;
    for (let i = 0; i < this.layers.length; i++) {
      this.layers[i].run(a, b, batch, ws[i]);
      [a, b] = [b, a];
    }
    out.set(heap(this.rt).f32.subarray(a >> 2, (a >> 2) + nOut));
    return out;
  }

  override dispose(): void {
    if (!this.isDisposed) for (const l of this.layers) l.dispose();
    super.dispose();
  }

  /** The JSON config (layer kinds and options) that save() writes into the file's metadata. */
  config(): SequentialConfig {
    return { format: SEQUENTIAL_FORMAT, version: SEQUENTIAL_VERSION, layers: this.layers.map((l) => l.describe().config) };
  }

  /** The model as safetensors bytes: tensors `layers.<i>.<name>`, the JSON config under metadata 'quantext.sequential'. */
  toBytes(): Uint8Array {
    this.alive();
    const tensors: Record<string, SafetensorsTensor> = {};
    const cfg: SequentialConfig = { format: SEQUENTIAL_FORMAT, version: SEQUENTIAL_VERSION, layers: [] };
    this.layers.forEach((l, i) => {
      const d = l.describe();
      cfg.layers.push(d.config);
      for (const [name, t] of Object.entries(d.tensors)) tensors[`layers.${i}.${name}`] = safeTensor(dtypeOf(t), [t.length], t);
    });
    return writeSafetensors(tensors, { [SEQUENTIAL_FORMAT]: JSON.stringify(cfg) });
  }

  /** Saves atomically (a temporary file, then rename) to `path`. */
  async save(path: string | URL): Promise<void> {
    const bytes = this.toBytes();
    await fileSystemHost(path).writeAtomic(path, bytes);
  }

  static fromBytes(bytes: Uint8Array, options: { rt?: Runtime } = {}): Sequential {
    const c = readSafetensors(bytes);
    const raw = c.metadata[SEQUENTIAL_FORMAT];
    if (raw === undefined) throw new QuantextError('E_FORMAT', `not a quantext Sequential file (no '${SEQUENTIAL_FORMAT}' metadata)`);
    let cfg: SequentialConfig;
    try {
      cfg = JSON.parse(raw);
    } catch (e) {
      throw new QuantextError('E_FORMAT', `Sequential: the config is not JSON: ${(e as Error).message}`);
    }
    if (cfg?.format !== SEQUENTIAL_FORMAT || cfg.version !== SEQUENTIAL_VERSION || !Array.isArray(cfg.layers)) {
      throw new QuantextError('E_FORMAT', `Sequential: unsupported config (format ${String(cfg?.format)}, version ${String(cfg?.version)})`);
    }
    const built: Layer[] = [];
    try {
      cfg.layers.forEach((lc, i) => {
        const t: Tensors = {};
        const pre = `layers.${i}.`;
        for (const [name, tensor] of Object.entries(c.tensors)) if (name.startsWith(pre)) t[name.slice(pre.length)] = safeTensorArray(tensor).slice() as Tensors[string];
        built.push(buildLayer(lc, t, options.rt));
      });
      return new Sequential(built, { rt: options.rt });
    } catch (e) {
      for (const l of built) l.dispose();
      if (e instanceof QuantextError) throw e;
      throw new QuantextError('E_FORMAT', `Sequential: bad layer in the file: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  static async load(path: string | URL, options: { rt?: Runtime } = {}): Promise<Sequential> {
    const src = await fileSystemHost(path).openRead(path);
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const ch of src.chunks) { parts.push(ch); n += ch.length; }
    const bytes = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
    return Sequential.fromBytes(bytes, options);
  }

  /**
   * A quantized copy: every Linear/SparseLinear becomes an Int8Linear (dynamic or static activations) or a
   * BinaryLinear; other layers are copied. For 'static', each quantized layer's inputScale = max|input| / 127 over the
   * calibration batch run through this (float) model. This model is left as it is.
   */
  quantize(opts: QuantizeModelOptions): Sequential {
    this.alive();
    if (!opts || (opts.weights !== 'int8' && opts.weights !== 'binary')) throw new QuantextError('E_OPTION', `Sequential.quantize: weights must be 'int8' or 'binary', got ${String(opts?.weights)}`, { option: 'weights' });
    const act = opts.activations ?? 'dynamic';
    if (act !== 'dynamic' && act !== 'static') throw new QuantextError('E_OPTION', `Sequential.quantize: activations must be 'dynamic' or 'static', got ${String(act)}`, { option: 'activations' });
    let scales: number[] | undefined;
    if (act === 'static') {
      if (opts.weights !== 'int8') throw new QuantextError('E_OPTION', "Sequential.quantize: static activations go with weights 'int8'", { option: 'activations' });
      const cal = opts.calibration;
      if (!(cal instanceof Float32Array) || cal.length === 0) throw new QuantextError('E_OPTION', "Sequential.quantize: activations 'static' needs a calibration Float32Array", { option: 'calibration' });
      const cb = opts.calibrationBatch ?? (this.inFeatures ? cal.length / this.inFeatures : 1);
      checkInt('calibrationBatch', cb);
      scales = [];
      let x = cal;
      for (const l of this.layers) {
        let m = 0;
        for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
        scales.push(m > 0 ? Math.fround(m / 127) : 1);
        x = l.forward(x, cb);
      }
    }
    const linIdx = this.layers.map((l, i) => (l instanceof Linear || l instanceof SparseLinear ? i : -1)).filter((i) => i >= 0);
    const last = linIdx[linIdx.length - 1];
    const out: Layer[] = [];
    try {
      this.layers.forEach((l, i) => {
        const d = l.describe();
        if ((l instanceof Linear || l instanceof SparseLinear) && !(opts.skipLast && i === last)) {
          const w = (l as Linear).weights(), b = (l as Linear).bias();
          const activation = (d.config.activation as 'relu' | 'none') ?? 'none';
          if (opts.weights === 'binary') out.push(BinaryLinear.fromFloat(w, l.outFeatures, l.inFeatures, b, { rt: this.rt, activation }));
          else out.push(Int8Linear.fromFloat(w, l.outFeatures, l.inFeatures, b, { rt: this.rt, activation, activations: act, inputScale: scales?.[i] }));
        } else out.push(buildLayer(d.config, d.tensors, this.rt));
      });
      return new Sequential(out, { rt: this.rt });
    } catch (e) {
      for (const l of out) l.dispose();
      throw e;
    }
  }
}

function dtypeOf(t: ArrayBufferView): SafetensorsDType {
  if (t instanceof Float32Array) return 'F32';
  if (t instanceof Int8Array) return 'I8';
  if (t instanceof Uint8Array) return 'U8';
  if (t instanceof Int32Array) return 'I32';
  throw new QuantextError('E_OPTION', 'Sequential: unsupported tensor type');
}

function need<T>(t: Tensors, name: string, kind: string, ctor: { new (...a: any[]): T }): T {
  const v = t[name];
  if (!(v instanceof ctor)) throw new QuantextError('E_FORMAT', `Sequential: ${kind} layer has no ${ctor.name} tensor '${name}'`);
  return v as T;
}

/** Rebuilds one layer from its config and tensors (Sequential files, quantize's copies). */
export function buildLayer(c: Record<string, unknown>, t: Tensors, rt?: Runtime): Layer {
  const o = { rt };
  const kind = c.kind;
  const n = c.outFeatures as number, k = c.inFeatures as number;
  const bias = c.bias ? need(t, 'bias', String(kind), Float32Array) : undefined;
  const activation = c.activation === 'relu' ? 'relu' : 'none';
  switch (kind) {
    case 'linear':
      return Linear.fromFloat(need(t, 'weight', kind, Float32Array), n, k, bias, { ...o, activation });
    case 'sparselinear':
      return SparseLinear.fromFloat(need(t, 'weight', kind, Float32Array), n, k, bias, { ...o, activation, format: c.format as 'csr' | 'dense' });
    case 'binarylinear':
      return BinaryLinear.fromBits(need(t, 'weight_bits', kind, Uint8Array), need(t, 'alpha', kind, Float32Array), n, k, bias, { ...o, activation });
    case 'int8linear': {
      const w = c.weightType === 'uint8' ? need(t, 'weight', kind, Uint8Array) : need(t, 'weight', kind, Int8Array);
      const oc = c.output as { mode: string; relu?: boolean; bias?: boolean };
      const output: Int8OutputSpec = oc.mode === 'f32' ? { mode: 'f32', relu: !!oc.relu, bias: oc.bias ? need(t, 'bias', kind, Float32Array) : undefined } : (oc as Int8OutputSpec);
      return Int8Linear.fromQuantized({
        ...o,
        outFeatures: n,
        inFeatures: k,
        weights: w,
        layout: c.layout as 'in-out' | 'out-in',
        weightZeroPoint: need(t, 'weight_zero_point', kind, Int32Array),
        weightScale: need(t, 'weight_scale', kind, Float32Array),
        input: c.input as Int8InputSpec,
        output,
        outputScale: c.outputScale as number | undefined,
      });
    }
    case 'layernorm':
      return LayerNorm.fromFloat(need(t, 'gamma', kind, Float32Array), c.beta ? need(t, 'beta', kind, Float32Array) : undefined, { ...o, eps: c.eps as number });
    case 'relu': return new ReLU(c.features as number, o);
    case 'gelu': return new GELU(c.features as number, { ...o, approximate: c.approximate as 'none' | 'tanh' });
    case 'tanh': return new Tanh(c.features as number, o);
    case 'sigmoid': return new Sigmoid(c.features as number, o);
    case 'softmax': return new Softmax(c.features as number, o);
    case 'logsoftmax': return new LogSoftmax(c.features as number, o);
    default:
      throw new QuantextError('E_FORMAT', `Sequential: unknown layer kind ${String(kind)}`);
  }
}
