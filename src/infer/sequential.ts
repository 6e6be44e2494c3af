import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { Runtime } from '../runtime/runtime.js';
import { fileSystemHost } from '../io/lines.js';
import { readSafetensors, safeTensorArray, safeTensor, writeSafetensors, type SafetensorsDType, type SafetensorsTensor } from '../io/safetensors.js';
import { heap, inferKernels } from './kernels.js';
import { Layer, checkInt, type LayerOptions } from './layer.js';
import { Linear } from './linear.js';
import { Int8Linear, type Int8InputSpec, type Int8OutputSpec, type Int8QuantizedSpec } from './int8.js';
import { OnnxBias, OnnxQLinearMatMul, OnnxQuantizeDequantize } from './qdq.js';
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
    if (cfg.layers.length === 0) throw new QuantextError('E_FORMAT', 'Sequential: the config has no layers');
    const built: Layer[] = [];
    let at = -1;
    try {
      cfg.layers.forEach((lc, i) => {
        at = i;
        const t: Tensors = {};
        const pre = `layers.${i}.`;
        for (const [name, tensor] of Object.entries(c.tensors)) if (name.startsWith(pre)) t[name.slice(pre.length)] = safeTensorArray(tensor).slice() as Tensors[string];
        built.push(buildLayer(lc, t, options.rt));
      });
      at = -1;
      return new Sequential(built, { rt: options.rt });
    } catch (e) {
      for (const l of built) l.dispose();
      // a config or tensor the layers refuse (E_OPTION, E_SHAPE, E_NAN, …) is a malformed file
      const where = at >= 0 ? `layer ${at}${isObjLike(cfg.layers[at]) ? ` (${String((cfg.layers[at] as Record<string, unknown>).kind)})` : ''}` : 'the layer chain';
      const msg = (e as Error).message?.replace(/^Sequential: /, '');
      throw new QuantextError('E_FORMAT', `Sequential: bad ${where} in the file: ${msg}`, { layer: at, ...(e instanceof QuantextError ? { reason: e.code } : {}) }, { cause: e });
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

function isObjLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
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

function bad(kind: unknown, what: string): never {
  throw new QuantextError('E_FORMAT', `Sequential: ${String(kind)} layer: ${what}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A config field that must be an integer ≥ min (widths, zero points). */
function int(c: Record<string, unknown>, key: string, min = 1): number {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(c.kind, `${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(c: Record<string, unknown>, key: string, values: readonly T[], dflt?: T): T {
  const v = c[key] ?? dflt;
  if (!values.includes(v as T)) bad(c.kind, `${key} must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${JSON.stringify(c[key])}`);
  return v as T;
}

/** The Int8QuantizedSpec of an int8linear / onnx-qlinearmatmul config (the layer validates scales and zero points). */
function int8Spec(c: Record<string, unknown>, t: Tensors, kind: string, rt?: Runtime): Int8QuantizedSpec {
  const n = int(c, 'outFeatures'), k = int(c, 'inFeatures');
  const weightType = oneOf(c, 'weightType', ['int8', 'uint8'] as const);
  const w = weightType === 'uint8' ? need(t, 'weight', kind, Uint8Array) : need(t, 'weight', kind, Int8Array);
  if (w.length !== n * k) bad(kind, `weight has ${w.length} values, expected outFeatures × inFeatures = ${n * k}`);
  if (!isObj(c.input)) bad(kind, 'input (how inputs are quantized) is missing');
  if (!isObj(c.output)) bad(kind, 'output (what the layer outputs) is missing');
  const oc = c.output as { mode: unknown; relu?: unknown; bias?: unknown };
  const output = oc.mode === 'f32' ? { mode: 'f32' as const, relu: !!oc.relu, bias: oc.bias ? need(t, 'bias', kind, Float32Array) : undefined } : (oc as Int8OutputSpec);
  if (c.outputScale !== undefined && typeof c.outputScale !== 'number') bad(kind, `outputScale must be a number, got ${JSON.stringify(c.outputScale)}`);
  return {
    ...(rt ? { rt } : {}),
    outFeatures: n,
    inFeatures: k,
    weights: w,
    layout: oneOf(c, 'layout', ['in-out', 'out-in'] as const, 'in-out'),
    weightZeroPoint: need(t, 'weight_zero_point', kind, Int32Array),
    weightScale: need(t, 'weight_scale', kind, Float32Array),
    input: { ...(c.input as Int8InputSpec) },
    output,
    outputScale: c.outputScale as number | undefined,
  };
}

/**
 * Rebuilds one layer from its config and tensors (Sequential files, quantize's copies). Every field is checked: a
 * malformed or inconsistent config throws a QuantextError (Sequential.fromBytes reports it as E_FORMAT).
 */
export function buildLayer(c: Record<string, unknown>, t: Tensors, rt?: Runtime): Layer {
  if (!isObj(c)) throw new QuantextError('E_FORMAT', `Sequential: a layer config must be an object, got ${JSON.stringify(c)}`);
  const o = { rt };
  const kind = c.kind;
  const linear = () => {
    const n = int(c, 'outFeatures'), k = int(c, 'inFeatures');
    const bias = c.bias ? need(t, 'bias', String(kind), Float32Array) : undefined;
    return { n, k, bias, activation: oneOf(c, 'activation', ['none', 'relu'] as const, 'none') };
  };
  const features = (min = 0) => int(c, 'features', min);
  switch (kind) {
    case 'linear': {
      const { n, k, bias, activation } = linear();
      return Linear.fromFloat(need(t, 'weight', kind, Float32Array), n, k, bias, { ...o, activation });
    }
    case 'sparselinear': {
      const { n, k, bias, activation } = linear();
      return SparseLinear.fromFloat(need(t, 'weight', kind, Float32Array), n, k, bias, { ...o, activation, format: oneOf(c, 'format', ['csr', 'bsr', 'dense'] as const) });
    }
    case 'binarylinear': {
      const { n, k, bias, activation } = linear();
      return BinaryLinear.fromBits(need(t, 'weight_bits', kind, Uint8Array), need(t, 'alpha', kind, Float32Array), n, k, bias, { ...o, activation });
    }
    case 'int8linear':
      return Int8Linear.fromQuantized(int8Spec(c, t, kind, rt));
    case 'onnx-qlinearmatmul': {
      const spec = int8Spec(c, t, kind, rt);
      if (spec.output.mode !== 'uint8' && spec.output.mode !== 'int8') bad(kind, `output mode must be 'uint8' or 'int8', got ${JSON.stringify(spec.output.mode)}`);
      return new OnnxQLinearMatMul(spec);
    }
    case 'onnx-quantize-dequantize': {
      const range = c.range;
      const type = Array.isArray(range) && range.length === 2 ? (range[0] === 0 && range[1] === 255 ? 'uint8' : range[0] === -128 && range[1] === 127 ? 'int8' : undefined) : undefined;
      if (!type) bad(kind, `range must be [0, 255] or [-128, 127], got ${JSON.stringify(range)}`);
      return new OnnxQuantizeDequantize({ ...o, scale: c.scale as number, zeroPoint: c.zeroPoint as number, type });
    }
    case 'onnx-bias': {
      const n = features(1);
      const b = need(t, 'bias', kind, Float32Array);
      if (b.length !== n) bad(kind, `bias has ${b.length} values, features = ${n}`);
      return new OnnxBias(b, o);
    }
    case 'layernorm': {
      const n = features(1);
      const gamma = need(t, 'gamma', kind, Float32Array);
      if (gamma.length !== n) bad(kind, `gamma has ${gamma.length} values, features = ${n}`);
      if (c.eps !== undefined && typeof c.eps !== 'number') bad(kind, `eps must be a number, got ${JSON.stringify(c.eps)}`);
      return LayerNorm.fromFloat(gamma, c.beta ? need(t, 'beta', kind, Float32Array) : undefined, { ...o, eps: c.eps as number });
    }
    case 'relu': return new ReLU(features(), o);
    case 'gelu': return new GELU(features(), { ...o, approximate: oneOf(c, 'approximate', ['none', 'tanh'] as const, 'none') });
    case 'tanh': return new Tanh(features(), o);
    case 'sigmoid': return new Sigmoid(features(), o);
    case 'softmax': return new Softmax(features(), o);
    case 'logsoftmax': return new LogSoftmax(features(), o);
    default:
      throw new QuantextError('E_FORMAT', `Sequential: unknown layer kind ${JSON.stringify(kind)}`);
  }
}
