/**
 * Turns a decoded ONNX graph into a chain of layer descriptions (a {@link LayerPlan} list) without touching wasm:
 * the graph must be a chain from its one input to its one output, made of the float MLP ops and the node patterns
 * onnxruntime's `quantize_dynamic` (DynamicQuantizeLinear → MatMulInteger → Cast → Mul, Mul of the scales) and
 * `quantize_static` (QDQ: QuantizeLinear/DequantizeLinear pairs around MatMul; QOperator: QuantizeLinear →
 * QLinearMatMul → DequantizeLinear) emit for such a graph. Anything else is refused with a QuantextError naming the
 * op and the node.
 */
import { QuantextError } from '../errors.js';
import { DataType, dataTypeName, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './proto.js';

export type QuantType = 'uint8' | 'int8';

/** Integer quantization parameters of one tensor (per tensor). */
export interface QuantParams {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly type: QuantType;
}

export type LayerPlan =
  | {
      readonly op: 'linear';
      /** row-major weights in `layout` */
      readonly weights: Float32Array;
      readonly layout: 'in-out' | 'out-in';
      readonly outFeatures: number;
      readonly inFeatures: number;
      readonly bias?: Float32Array;
      readonly relu: boolean;
      readonly nodes: readonly string[];
    }
  | {
      /** An integer matmul with onnxruntime's semantics (Int8Linear.fromQuantized). */
      readonly op: 'int8';
      readonly outFeatures: number;
      readonly inFeatures: number;
      /** B as stored: [K × N] ('in-out') */
      readonly weights: Int8Array | Uint8Array;
      readonly weightZeroPoint: number | Int32Array;
      readonly weightScale: number | Float32Array;
      readonly input: { readonly mode: 'dynamic-uint8' } | { readonly mode: 'static'; readonly type: QuantType; readonly scale: number; readonly zeroPoint: number };
      readonly output:
        | { readonly mode: 'f32'; readonly bias?: Float32Array; readonly relu: boolean }
        | { readonly mode: QuantType; readonly scale: number; readonly zeroPoint: number; readonly dequantize: true };
      readonly nodes: readonly string[];
    }
  | { readonly op: 'bias'; readonly bias: Float32Array; readonly nodes: readonly string[] }
  | { readonly op: 'relu' | 'tanh' | 'sigmoid' | 'softmax' | 'logsoftmax'; readonly features: number; readonly nodes: readonly string[] }
  | { readonly op: 'gelu'; readonly approximate: 'none' | 'tanh'; readonly features: number; readonly nodes: readonly string[] }
  | { readonly op: 'layernorm'; readonly gamma: Float32Array; readonly beta?: Float32Array; readonly eps: number; readonly nodes: readonly string[] }
  | { readonly op: 'fakequant'; readonly params: QuantParams; readonly nodes: readonly string[] };

export interface OnnxPlan {
  readonly inputName: string;
  readonly outputName: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly layers: LayerPlan[];
}

function describe(n: OnnxNode): string {
  return `node ${JSON.stringify(n.name || `#${n.index}`)} (${n.domain ? `${n.domain}.` : ''}${n.opType})`;
}

function refuse(n: OnnxNode, why: string): never {
  throw new QuantextError('E_UNSUPPORTED', `ONNX import: ${describe(n)}: ${why}`, { node: n.name || `#${n.index}`, op: n.opType, index: n.index });
}

const FLOAT_OPS = new Set(['MatMul', 'Gemm', 'Add', 'Relu', 'Tanh', 'Sigmoid', 'Softmax', 'LogSoftmax', 'Gelu', 'LayerNormalization', 'Div', 'Mul', 'Erf']);
const QUANT_OPS = new Set(['DynamicQuantizeLinear', 'MatMulInteger', 'QuantizeLinear', 'DequantizeLinear', 'QLinearMatMul', 'Cast']);
const OTHER_OPS = new Set(['Constant', 'Identity']);

/** Tensor → its float32 values, for constants. */
function f32(t: OnnxTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data === undefined) throw unsupportedTensor(t);
  return Float32Array.from(t.data as ArrayLike<number>);
}

function unsupportedTensor(t: OnnxTensor): QuantextError {
  return new QuantextError(
    'E_UNSUPPORTED',
    `ONNX import: tensor ${JSON.stringify(t.name)} has data type ${dataTypeName(t.dataType)}${t.data === undefined ? ' (or external data)' : ''}, which the importer does not read`,
    { tensor: t.name, dataType: t.dataType },
  );
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

class Planner {
  readonly consts = new Map<string, OnnxTensor>();
  readonly consumers = new Map<string, OnnxNode[]>();
  readonly used = new Set<OnnxNode>();
  readonly layers: LayerPlan[] = [];
  features: number | undefined;

  constructor(readonly graph: OnnxGraph, readonly opsets: ReadonlyMap<string, number>) {
    for (const [k, v] of graph.initializers) this.consts.set(k, v);
    for (const n of graph.nodes) {
      const known = FLOAT_OPS.has(n.opType) || QUANT_OPS.has(n.opType) || OTHER_OPS.has(n.opType);
      const domainOk = n.domain === '' || n.domain === 'ai.onnx' || (n.domain === 'com.microsoft' && n.opType === 'Gelu');
      if (!known || !domainOk) refuse(n, 'this op is not supported by the MLP importer');
      if (n.opType === 'Constant') {
        this.consts.set(n.outputs[0], constantValue(n));
        this.used.add(n);
        continue;
      }
      for (const i of n.inputs) {
        if (!i) continue;
        let list = this.consumers.get(i);
        if (!list) this.consumers.set(i, (list = []));
        list.push(n);
      }
    }
  }

  /** The nodes reading `name` (not yet consumed by a pattern). */
  users(name: string): OnnxNode[] {
    return (this.consumers.get(name) ?? []).filter((n) => !this.used.has(n));
  }

  /** The single user of `name`, or undefined when there is none or more than one. */
  only(name: string): OnnxNode | undefined {
    const u = this.users(name);
    return u.length === 1 ? u[0] : undefined;
  }

  constant(n: OnnxNode, name: string | undefined, what: string): OnnxTensor {
    const t = name ? this.consts.get(name) : undefined;
    if (!t) refuse(n, `${what} (${JSON.stringify(name ?? '')}) must be a constant (an initializer or a Constant node)`);
    return t;
  }

  optionalConstant(n: OnnxNode, name: string | undefined, what: string): OnnxTensor | undefined {
    if (!name) return undefined;
    return this.constant(n, name, what);
  }

  attrInt(n: OnnxNode, name: string, dflt: number): number {
    const a = n.attributes.get(name);
    if (!a) return dflt;
    if (typeof a.value !== 'number' || a.type !== 2) refuse(n, `attribute ${name} must be an int`);
    return a.value;
  }

  attrFloat(n: OnnxNode, name: string, dflt: number): number {
    const a = n.attributes.get(name);
    if (!a) return dflt;
    if (typeof a.value !== 'number') refuse(n, `attribute ${name} must be a float`);
    return a.value;
  }

  attrString(n: OnnxNode, name: string, dflt: string): string {
    const a = n.attributes.get(name);
    if (!a) return dflt;
    if (typeof a.value !== 'string') refuse(n, `attribute ${name} must be a string`);
    return a.value;
  }

  /** Refuses attributes other than `allowed`. */
  onlyAttrs(n: OnnxNode, ...allowed: string[]): void {
    for (const k of n.attributes.keys()) if (!allowed.includes(k)) refuse(n, `attribute ${k} is not supported`);
  }

  use(...nodes: OnnxNode[]): string[] {
    for (const n of nodes) this.used.add(n);
    return nodes.map((n) => n.name || `#${n.index}`);
  }

  checkWidth(n: OnnxNode, k: number): void {
    if (this.features !== undefined && this.features !== k) {
      throw new QuantextError('E_SHAPE', `ONNX import: ${describe(n)}: expects ${k} input features, the tensor before it has ${this.features}`, {
        node: n.name,
        op: n.opType,
      });
    }
  }

  /** A bias vector of `n` values from a constant of shape [n], [1, n], [1] or [] (broadcast). */
  biasVector(node: OnnxNode, t: OnnxTensor, width: number): Float32Array | undefined {
    const c = count(t.dims);
    const leadingOnes = t.dims.slice(0, -1).every((d) => d === 1);
    if (c === width && leadingOnes && t.dims.length >= 1) return f32(t).slice();
    if (c === 1 && t.dims.length <= 2) return new Float32Array(width).fill(f32(t)[0]);
    if (t.dims.length > 2 || !leadingOnes) refuse(node, `constant ${JSON.stringify(t.name)} of shape [${t.dims}] is not a per-feature vector of ${width}`);
    return undefined;
  }

  /** After a float linear-like step producing `out` (width `width`): fuses a following bias Add and Relu. */
  fuseBiasRelu(out: string, width: number, bias: Float32Array | undefined, allowRelu: boolean): { out: string; bias?: Float32Array; relu: boolean; nodes: string[] } {
    const nodes: string[] = [];
    let b = bias;
    const add = this.only(out);
    if (add && add.opType === 'Add' && out !== this.outputName) {
      const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
      const t = other !== out ? this.consts.get(other) : undefined;
      const v = t ? this.biasVector(add, t, width) : undefined;
      if (v) {
        if (b) for (let i = 0; i < width; i++) b[i] = Math.fround(b[i] + v[i]);
        else b = v;
        nodes.push(...this.use(add));
        out = add.outputs[0];
      }
    }
    let relu = false;
    const r = this.only(out);
    if (allowRelu && r && r.opType === 'Relu' && out !== this.outputName) {
      relu = true;
      nodes.push(...this.use(r));
      out = r.outputs[0];
    }
    return { out, ...(b ? { bias: b } : {}), relu, nodes };
  }

  outputName = '';

  /** Int8/uint8 scalar quantization parameters from a QuantizeLinear/DequantizeLinear node. */
  qparams(n: OnnxNode, scaleName: string | undefined, zpName: string | undefined): QuantParams {
    const s = this.constant(n, scaleName, 'the scale');
    if (count(s.dims) !== 1) refuse(n, 'per-axis quantization of an activation is not supported (the scale must be a scalar)');
    const scale = f32(s)[0];
    if (!(scale > 0) || !Number.isFinite(scale)) refuse(n, `scale ${scale} must be positive and finite`);
    const z = this.optionalConstant(n, zpName, 'the zero point');
    if (z && count(z.dims) !== 1) refuse(n, 'the zero point must be a scalar');
    if (z && z.dataType !== DataType.UINT8 && z.dataType !== DataType.INT8) refuse(n, `zero point type ${dataTypeName(z.dataType)} is not supported (uint8 or int8)`);
    const type: QuantType = z && z.dataType === DataType.INT8 ? 'int8' : 'uint8';
    return { scale, zeroPoint: z ? (z.data as Int8Array | Uint8Array)[0] : 0, type };
  }

  /**
   * An integer weight matrix B [K × N] with its per-tensor or per-column (axis 1) scale and zero point.
   * `axis` is the DequantizeLinear axis (undefined for QLinearMatMul / MatMulInteger, where per-column means [N]).
   */
  intWeight(n: OnnxNode, bName: string, scaleName: string | undefined, zpName: string | undefined, needScale: boolean): {
    weights: Int8Array | Uint8Array;
    k: number;
    nOut: number;
    zp: number | Int32Array;
    scale: number | Float32Array;
  } {
    const b = this.constant(n, bName, 'the weight matrix');
    if (b.dims.length !== 2) refuse(n, `the weight matrix must be 2-D, it has shape [${b.dims}]`);
    if (b.dataType !== DataType.INT8 && b.dataType !== DataType.UINT8) refuse(n, `weights of type ${dataTypeName(b.dataType)} are not supported (int8 or uint8)`);
    const [k, nOut] = b.dims;
    let scale: number | Float32Array = 1;
    if (needScale || scaleName) {
      const s = this.constant(n, scaleName, 'the weight scale');
      const c = count(s.dims);
      if (c === 1) scale = f32(s)[0];
      else if (c === nOut && s.dims.length === 1) scale = f32(s).slice();
      else refuse(n, `weight scale of shape [${s.dims}] is neither per tensor nor per output column (${nOut})`);
      const vals = typeof scale === 'number' ? [scale] : scale;
      for (const v of vals) if (!(v > 0) || !Number.isFinite(v)) refuse(n, `weight scale ${v} must be positive and finite`);
    }
    let zp: number | Int32Array = 0;
    const z = this.optionalConstant(n, zpName, 'the weight zero point');
    if (z) {
      if (z.dataType !== b.dataType) refuse(n, `weight zero point type ${dataTypeName(z.dataType)} differs from the weights' ${dataTypeName(b.dataType)}`);
      const c = count(z.dims);
      const d = z.data as Int8Array | Uint8Array;
      if (c === 1) zp = d[0];
      else if (c === nOut && z.dims.length === 1) zp = Int32Array.from(d);
      else refuse(n, `weight zero point of shape [${z.dims}] is neither per tensor nor per output column (${nOut})`);
    }
    return { weights: b.data as Int8Array | Uint8Array, k, nOut, zp, scale };
  }

  /** A DequantizeLinear of a constant integer [K × N] matrix (QDQ weight), or undefined. */
  dqWeight(name: string): OnnxNode | undefined {
    for (const n of this.graph.nodes) {
      if (n.opType === 'DequantizeLinear' && n.outputs[0] === name && this.consts.has(n.inputs[0])) return n;
    }
    return undefined;
  }

  dqWeightParts(dq: OnnxNode) {
    this.onlyAttrs(dq, 'axis', 'block_size');
    const bt = this.consts.get(dq.inputs[0])!;
    const s = this.consts.get(dq.inputs[1] ?? '');
    if (s && count(s.dims) > 1) {
      const axis = this.attrInt(dq, 'axis', 1);
      if (axis !== 1 && axis !== -1) refuse(dq, `per-axis weight quantization along axis ${axis} is not supported (only axis 1, the output columns)`);
    }
    if (this.attrInt(dq, 'block_size', 0) !== 0) refuse(dq, 'blocked quantization is not supported');
    if (bt.dims.length !== 2) refuse(dq, `the weight matrix must be 2-D, it has shape [${bt.dims}]`);
    return this.intWeight(dq, dq.inputs[0], dq.inputs[1], dq.inputs[2], true);
  }

  /** Dequantizes a QDQ weight in TypeScript (DequantizeLinear semantics: fround(fround(q − zp) · scale)). */
  dequantizeWeight(dq: OnnxNode): { w: Float32Array; k: number; n: number } {
    const { weights, k, nOut, zp, scale } = this.dqWeightParts(dq);
    const w = new Float32Array(k * nOut);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < nOut; j++) {
        const z = typeof zp === 'number' ? zp : zp[j];
        const s = typeof scale === 'number' ? scale : scale[j];
        w[i * nOut + j] = Math.fround(Math.fround(weights[i * nOut + j] - z) * s);
      }
    }
    return { w, k, n: nOut };
  }
}

function constantValue(n: OnnxNode): OnnxTensor {
  const a = n.attributes.get('value') ?? n.attributes.get('value_float') ?? n.attributes.get('value_floats') ?? n.attributes.get('value_int') ?? n.attributes.get('value_ints');
  if (!a || n.attributes.size !== 1) refuse(n, 'a Constant must have exactly one attribute of value, value_float(s) or value_int(s)');
  const name = n.outputs[0];
  if (a.name === 'value') {
    const t = a.value as OnnxTensor;
    return { ...t, name };
  }
  const arr = Array.isArray(a.value) ? (a.value as number[]) : [a.value as number];
  const isFloat = a.name.startsWith('value_float');
  return {
    name,
    dims: Array.isArray(a.value) ? [arr.length] : [],
    dataType: isFloat ? DataType.FLOAT : DataType.INT64,
    data: isFloat ? Float32Array.from(arr) : Float64Array.from(arr),
    offset: 0,
  };
}

function near(v: number, want: number): boolean {
  return Math.abs(v - want) <= 1e-6 * Math.abs(want);
}

/**
 * Plans the import of an ONNX model: validates it and returns the chain of layers it maps to.
 * Throws `E_UNSUPPORTED` naming the node for an op, attribute or graph shape the importer does not support.
 */
export function planOnnx(model: OnnxModel): OnnxPlan {
  const g = model.graph;
  const p = new Planner(g, model.opsets);
  const inputs = g.inputs.filter((i) => !g.initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: the graph must have exactly one input, it has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  }
  if (g.outputs.length !== 1) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: the graph must have exactly one output, it has ${g.outputs.length}`);
  }
  const input = inputs[0];
  if (input.elemType !== undefined && input.elemType !== DataType.FLOAT) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: the graph input ${JSON.stringify(input.name)} is ${dataTypeName(input.elemType)}; only FLOAT inputs are supported`);
  }
  if (input.shape && input.shape.length !== 2) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: the graph input ${JSON.stringify(input.name)} has rank ${input.shape.length}; only [batch, features] inputs are supported`);
  }
  const last = input.shape?.[1];
  p.features = typeof last === 'number' ? last : undefined;
  const inFeatures0 = p.features;
  const outputName = g.outputs[0].name;
  p.outputName = outputName;

  let cur = input.name;
  /** When set, `cur` is an integer tensor with these parameters (represented in the chain by its dequantized value). */
  let q: (QuantParams & { pending: boolean }) | undefined;
  /** When set, `cur` is a float tensor that lies exactly on this quantization grid (the output of a DequantizeLinear). */
  let grid: QuantParams | undefined;

  const sameParams = (a: QuantParams, b: QuantParams) => a.scale === b.scale && a.zeroPoint === b.zeroPoint && a.type === b.type;

  for (let guard = 0; cur !== outputName; guard++) {
    if (guard > g.nodes.length + 1) throw new QuantextError('E_UNSUPPORTED', 'ONNX import: the graph has a cycle');
    const users = p.users(cur);
    if (users.length === 0) {
      throw new QuantextError('E_UNSUPPORTED', `ONNX import: the tensor ${JSON.stringify(cur)} is used by no node, so the graph output ${JSON.stringify(outputName)} cannot be reached through a chain of supported ops`);
    }
    const n = users[0];

    // ---- the Erf-based GELU decomposition: x feeds Div (or Mul by 1/√2) → Erf → Add 1, and a Mul
    if (users.length === 2 && !q) {
      const gelu = matchErfGelu(p, cur, users);
      if (gelu) {
        p.layers.push({ op: 'gelu', approximate: 'none', features: p.features ?? 0, nodes: p.use(...gelu.nodes) });
        cur = gelu.out;
        grid = undefined;
        continue;
      }
    }
    if (users.length !== 1) {
      const names = users.map(describe).join(', ');
      throw new QuantextError('E_UNSUPPORTED', `ONNX import: the tensor ${JSON.stringify(cur)} feeds ${users.length} nodes (${names}); only chains (one consumer per tensor) are supported`, {
        node: n.name,
        op: n.opType,
      });
    }
    if (n.inputs[0] !== cur && !['Add', 'Mul'].includes(n.opType)) refuse(n, `the chain's tensor ${JSON.stringify(cur)} must be its first input`);

    // ---- integer tensors
    if (q) {
      if (n.opType === 'QLinearMatMul') {
        const a = p.qparams(n, n.inputs[1], n.inputs[2]);
        if (!sameParams(a, q)) refuse(n, 'its input scale/zero point differ from the QuantizeLinear that produced the input');
        const w = p.intWeight(n, n.inputs[3], n.inputs[4], n.inputs[5], true);
        p.checkWidth(n, w.k);
        const y = p.qparams(n, n.inputs[6], n.inputs[7]);
        p.layers.push({
          op: 'int8',
          inFeatures: w.k,
          outFeatures: w.nOut,
          weights: w.weights,
          weightZeroPoint: w.zp,
          weightScale: w.scale,
          input: { mode: 'static', type: a.type, scale: a.scale, zeroPoint: a.zeroPoint },
          output: { mode: y.type, scale: y.scale, zeroPoint: y.zeroPoint, dequantize: true },
          nodes: p.use(n),
        });
        p.features = w.nOut;
        cur = n.outputs[0];
        q = { ...y, pending: false };
        continue;
      }
      if (n.opType === 'DequantizeLinear') {
        p.onlyAttrs(n, 'axis');
        const d = p.qparams(n, n.inputs[1], n.inputs[2]);
        if (!sameParams(d, q)) refuse(n, 'its scale/zero point differ from those of the tensor it dequantizes');
        const next = p.only(n.outputs[0]);
        // QDQ: Q → DQ → MatMul(·, DQ(W)) — the integer layer quantizes with these parameters itself
        if (q.pending && !(next && next.opType === 'MatMul' && p.dqWeight(next.inputs[1]) && next.inputs[0] === n.outputs[0])) {
          p.layers.push({ op: 'fakequant', params: { scale: q.scale, zeroPoint: q.zeroPoint, type: q.type }, nodes: [] });
        }
        p.use(n);
        grid = { scale: q.scale, zeroPoint: q.zeroPoint, type: q.type };
        cur = n.outputs[0];
        q = undefined;
        continue;
      }
      refuse(n, `reads the integer tensor ${JSON.stringify(cur)}; only QLinearMatMul and DequantizeLinear can follow a QuantizeLinear or QLinearMatMul`);
    }

    switch (n.opType) {
      case 'QuantizeLinear': {
        p.onlyAttrs(n, 'axis', 'saturate');
        const params = p.qparams(n, n.inputs[1], n.inputs[2]);
        p.use(n);
        q = { ...params, pending: !(grid && sameParams(grid, params)) };
        grid = undefined;
        cur = n.outputs[0];
        continue;
      }
      case 'DynamicQuantizeLinear': {
        const [xq, xs, xzp] = n.outputs;
        const mmi = p.only(xq);
        if (!mmi || mmi.opType !== 'MatMulInteger' || mmi.inputs[0] !== xq || mmi.inputs[2] !== xzp) {
          refuse(n, 'its quantized output must feed one MatMulInteger (as input A, with its zero point as a_zero_point), as quantize_dynamic lays it out');
        }
        const w = p.intWeight(mmi, mmi.inputs[1], undefined, mmi.inputs[3], false);
        p.checkWidth(mmi, w.k);
        const cast = p.only(mmi.outputs[0]);
        if (!cast || cast.opType !== 'Cast' || p.attrInt(cast, 'to', 0) !== DataType.FLOAT) refuse(mmi, 'its output must feed one Cast to FLOAT');
        const scalesMul = p.users(xs);
        if (scalesMul.length !== 1 || scalesMul[0].opType !== 'Mul') refuse(n, 'its scale must feed one Mul with the weight scale');
        const sm = scalesMul[0];
        const wScaleName = sm.inputs[0] === xs ? sm.inputs[1] : sm.inputs[0];
        p.onlyAttrs(mmi);
        p.onlyAttrs(cast, 'to', 'saturate');
        const wScale = p.intWeight(mmi, mmi.inputs[1], wScaleName, undefined, true).scale;
        const outMul = p.only(cast.outputs[0]);
        const smOut = sm.outputs[0];
        if (!outMul || outMul.opType !== 'Mul' || !outMul.inputs.includes(smOut) || p.users(smOut).length !== 1) {
          refuse(cast, 'its output must be multiplied (Mul) by the product of the input and weight scales');
        }
        const nodes = p.use(n, mmi, cast, sm, outMul);
        p.features = w.nOut;
        const fused = p.fuseBiasRelu(outMul.outputs[0], w.nOut, undefined, true);
        p.layers.push({
          op: 'int8',
          inFeatures: w.k,
          outFeatures: w.nOut,
          weights: w.weights,
          weightZeroPoint: w.zp,
          weightScale: wScale,
          input: { mode: 'dynamic-uint8' },
          output: { mode: 'f32', ...(fused.bias ? { bias: fused.bias } : {}), relu: fused.relu },
          nodes: [...nodes, ...fused.nodes],
        });
        cur = fused.out;
        grid = undefined;
        continue;
      }
      case 'MatMul': {
        if (n.inputs[0] !== cur) refuse(n, `the chain's tensor must be input A`);
        const dq = p.dqWeight(n.inputs[1]);
        if (dq && grid) {
          // QDQ: DQ(x) · DQ(W), optionally → Q → DQ: an integer matmul (onnxruntime fuses it into QLinearMatMul or
          // MatMulIntegerToFloat)
          const w = p.dqWeightParts(dq);
          p.checkWidth(n, w.k);
          const nodes = p.use(n, dq);
          p.features = w.nOut;
          const qn = p.only(n.outputs[0]);
          if (qn && qn.opType === 'QuantizeLinear' && n.outputs[0] !== outputName) {
            const y = p.qparams(qn, qn.inputs[1], qn.inputs[2]);
            p.layers.push({
              op: 'int8',
              inFeatures: w.k,
              outFeatures: w.nOut,
              weights: w.weights,
              weightZeroPoint: w.zp,
              weightScale: w.scale,
              input: { mode: 'static', type: grid.type, scale: grid.scale, zeroPoint: grid.zeroPoint },
              output: { mode: y.type, scale: y.scale, zeroPoint: y.zeroPoint, dequantize: true },
              nodes: [...nodes, ...p.use(qn)],
            });
            cur = qn.outputs[0];
            q = { ...y, pending: false };
          } else {
            const fused = p.fuseBiasRelu(n.outputs[0], w.nOut, undefined, true);
            p.layers.push({
              op: 'int8',
              inFeatures: w.k,
              outFeatures: w.nOut,
              weights: w.weights,
              weightZeroPoint: w.zp,
              weightScale: w.scale,
              input: { mode: 'static', type: grid.type, scale: grid.scale, zeroPoint: grid.zeroPoint },
              output: { mode: 'f32', ...(fused.bias ? { bias: fused.bias } : {}), relu: fused.relu },
              nodes: [...nodes, ...fused.nodes],
            });
            cur = fused.out;
          }
          grid = undefined;
          continue;
        }
        let w: Float32Array;
        let k: number;
        let nOut: number;
        const nodes: string[] = [];
        if (dq) {
          ({ w, k, n: nOut } = p.dequantizeWeight(dq));
          nodes.push(...p.use(dq));
        } else {
          const b = p.constant(n, n.inputs[1], 'input B');
          if (b.dims.length !== 2) refuse(n, `input B must be a 2-D matrix, it has shape [${b.dims}]`);
          if (b.dataType !== DataType.FLOAT) refuse(n, `input B is ${dataTypeName(b.dataType)}; MatMul needs FLOAT`);
          [k, nOut] = b.dims;
          w = f32(b);
        }
        p.checkWidth(n, k);
        nodes.push(...p.use(n));
        p.features = nOut;
        const fused = p.fuseBiasRelu(n.outputs[0], nOut, undefined, true);
        p.layers.push({ op: 'linear', weights: w, layout: 'in-out', inFeatures: k, outFeatures: nOut, ...(fused.bias ? { bias: fused.bias } : {}), relu: fused.relu, nodes: [...nodes, ...fused.nodes] });
        cur = fused.out;
        grid = undefined;
        continue;
      }
      case 'Gemm': {
        p.onlyAttrs(n, 'alpha', 'beta', 'transA', 'transB');
        if (p.attrInt(n, 'transA', 0) !== 0) refuse(n, 'transA = 1 is not supported (the chain tensor must be [batch, features])');
        const transB = p.attrInt(n, 'transB', 0);
        const alpha = p.attrFloat(n, 'alpha', 1);
        const beta = p.attrFloat(n, 'beta', 1);
        const dq = p.dqWeight(n.inputs[1]);
        if (dq && grid) refuse(n, 'a QDQ-quantized Gemm (onnxruntime runs it as QGemm, an integer op with an int32 bias) is not supported; quantize the MatMul form (MatMul + Add)');
        let w: Float32Array;
        let d0: number;
        let d1: number;
        const nodes: string[] = [];
        if (dq) {
          const r = p.dequantizeWeight(dq);
          w = r.w;
          d0 = r.k;
          d1 = r.n;
          nodes.push(...p.use(dq));
        } else {
          const b = p.constant(n, n.inputs[1], 'input B');
          if (b.dims.length !== 2) refuse(n, `input B must be a 2-D matrix, it has shape [${b.dims}]`);
          if (b.dataType !== DataType.FLOAT) refuse(n, `input B is ${dataTypeName(b.dataType)}; Gemm needs FLOAT`);
          [d0, d1] = b.dims;
          w = f32(b);
        }
        const [k, nOut] = transB ? [d1, d0] : [d0, d1];
        if (alpha !== 1) w = w.map((v) => Math.fround(alpha * v));
        p.checkWidth(n, k);
        let bias: Float32Array | undefined;
        if (n.inputs[2]) {
          const c = p.constant(n, n.inputs[2], 'input C');
          bias = p.biasVector(n, c, nOut);
          if (!bias) refuse(n, `input C of shape [${c.dims}] is not a per-output bias of ${nOut}`);
          if (beta !== 1) bias = bias.map((v) => Math.fround(beta * v));
        }
        nodes.push(...p.use(n));
        p.features = nOut;
        const fused = p.fuseBiasRelu(n.outputs[0], nOut, bias, true);
        p.layers.push({ op: 'linear', weights: w, layout: transB ? 'out-in' : 'in-out', inFeatures: k, outFeatures: nOut, ...(fused.bias ? { bias: fused.bias } : {}), relu: fused.relu, nodes: [...nodes, ...fused.nodes] });
        cur = fused.out;
        grid = undefined;
        continue;
      }
      case 'Add': {
        const other = n.inputs[0] === cur ? n.inputs[1] : n.inputs[0];
        const t = other !== cur ? p.consts.get(other) : undefined;
        if (!t) refuse(n, 'only an Add of a constant per-feature vector (a bias) is supported');
        if (p.features === undefined) refuse(n, 'the feature count before this bias Add is unknown (give the graph input a shape)');
        const v = p.biasVector(n, t, p.features);
        if (!v) refuse(n, `constant ${JSON.stringify(other)} of shape [${t.dims}] is not a per-feature bias`);
        const prev = p.layers[p.layers.length - 1];
        if (prev && prev.op === 'bias') {
          for (let i = 0; i < v.length; i++) prev.bias[i] = Math.fround(prev.bias[i] + v[i]);
          (prev.nodes as string[]).push(...p.use(n));
        } else p.layers.push({ op: 'bias', bias: v, nodes: p.use(n) });
        cur = n.outputs[0];
        grid = undefined;
        continue;
      }
      case 'Relu':
      case 'Tanh':
      case 'Sigmoid': {
        p.onlyAttrs(n);
        const op = n.opType === 'Relu' ? 'relu' : n.opType === 'Tanh' ? 'tanh' : 'sigmoid';
        const prev = p.layers[p.layers.length - 1];
        if (op === 'relu' && prev && ((prev.op === 'linear' && !prev.relu) || (prev.op === 'int8' && prev.output.mode === 'f32' && !prev.output.relu)) && !grid) {
          // fused into the layer before (same values: relu after the bias)
          if (prev.op === 'linear') (prev as { relu: boolean }).relu = true;
          else (prev.output as { relu: boolean }).relu = true;
          (prev.nodes as string[]).push(...p.use(n));
        } else p.layers.push({ op, features: p.features ?? 0, nodes: p.use(n) });
        cur = n.outputs[0];
        grid = undefined;
        continue;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        p.onlyAttrs(n, 'axis');
        const opset = p.opsets.get('') ?? 13;
        const axis = p.attrInt(n, 'axis', opset >= 13 ? -1 : 1);
        if (axis !== -1 && axis !== 1) refuse(n, `axis ${axis} is not supported (only the last axis of [batch, features])`);
        p.layers.push({ op: n.opType === 'Softmax' ? 'softmax' : 'logsoftmax', features: p.features ?? 0, nodes: p.use(n) });
        cur = n.outputs[0];
        grid = undefined;
        continue;
      }
      case 'Gelu': {
        p.onlyAttrs(n, 'approximate');
        const approx = p.attrString(n, 'approximate', 'none');
        if (approx !== 'none' && approx !== 'tanh') refuse(n, `approximate = ${JSON.stringify(approx)} is not supported`);
        p.layers.push({ op: 'gelu', approximate: approx, features: p.features ?? 0, nodes: p.use(n) });
        cur = n.outputs[0];
        grid = undefined;
        continue;
      }
      case 'LayerNormalization': {
        p.onlyAttrs(n, 'axis', 'epsilon', 'stash_type');
        const axis = p.attrInt(n, 'axis', -1);
        if (axis !== -1 && axis !== 1) refuse(n, `axis ${axis} is not supported (only the last axis of [batch, features])`);
        if (n.outputs.slice(1).some((o) => o && p.users(o).length > 0)) refuse(n, 'its Mean / InvStdDev outputs must be unused');
        const gamma = f32(p.constant(n, n.inputs[1], 'the scale'));
        const betaT = p.optionalConstant(n, n.inputs[2], 'the bias');
        const width = p.features ?? gamma.length;
        if (gamma.length !== width) refuse(n, `the scale has ${gamma.length} values for ${width} features`);
        let beta: Float32Array | undefined;
        if (betaT) {
          beta = p.biasVector(n, betaT, width);
          if (!beta) refuse(n, `the bias of shape [${betaT.dims}] does not match ${width} features`);
        }
        p.features = width;
        p.layers.push({ op: 'layernorm', gamma: gamma.slice(), ...(beta ? { beta } : {}), eps: p.attrFloat(n, 'epsilon', 1e-5), nodes: p.use(n) });
        cur = n.outputs[0];
        grid = undefined;
        continue;
      }
      case 'Identity':
        p.use(n);
        cur = n.outputs[0];
        continue;
      default:
        refuse(n, `is not supported at this place in the chain (after ${JSON.stringify(cur)})`);
    }
  }
  if (q) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: the graph output ${JSON.stringify(outputName)} is an integer tensor; the importer needs a float output (a DequantizeLinear at the end)`);
  }
  const rest = g.nodes.find((n) => !p.used.has(n));
  if (rest) refuse(rest, 'is not on the chain from the graph input to its output');
  if (p.layers.length === 0) throw new QuantextError('E_EMPTY', 'ONNX import: the graph has no layers');
  const inFeatures = inFeatures0 ?? firstWidth(p.layers[0]);
  if (inFeatures === undefined || p.features === undefined) {
    throw new QuantextError('E_UNSUPPORTED', 'ONNX import: the number of input features cannot be inferred (give the graph input a [batch, features] shape)');
  }
  return { inputName: input.name, outputName, inFeatures, outFeatures: p.features, layers: p.layers };
}

function firstWidth(l: LayerPlan): number | undefined {
  if (l.op === 'linear' || l.op === 'int8') return l.inFeatures;
  if (l.op === 'layernorm') return l.gamma.length;
  if (l.op === 'bias') return l.bias.length;
  return undefined;
}

/** Matches 0.5·x·(1 + erf(x/√2)) in the three layouts exporters write. */
function matchErfGelu(p: Planner, x: string, users: OnnxNode[]): { out: string; nodes: OnnxNode[] } | undefined {
  const scalar = (name: string | undefined) => {
    const t = name ? p.consts.get(name) : undefined;
    return t && count(t.dims) === 1 && t.data ? Number((t.data as ArrayLike<number>)[0]) : undefined;
  };
  const otherInput = (n: OnnxNode, name: string) => (n.inputs[0] === name ? n.inputs[1] : n.inputs[0]);
  const isScaleNode = (n: OnnxNode) =>
    (n.opType === 'Div' && n.inputs[0] === x && near(scalar(n.inputs[1]) ?? 0, Math.SQRT2)) ||
    (n.opType === 'Mul' && near(scalar(otherInput(n, x)) ?? 0, Math.SQRT1_2));
  const d = users.find(isScaleNode);
  if (!d) return undefined;
  const m = users.find((u) => u !== d);
  if (!m || m.opType !== 'Mul') return undefined;
  const erf = p.only(d.outputs[0]);
  if (!erf || erf.opType !== 'Erf') return undefined;
  const add = p.only(erf.outputs[0]);
  if (!add || add.opType !== 'Add' || scalar(otherInput(add, erf.outputs[0])) !== 1) return undefined;
  const t3 = add.outputs[0];
  const mOther = otherInput(m, x);
  // A: Mul(x, t3) → Mul(·, 0.5)
  if (mOther === t3) {
    const half = p.only(m.outputs[0]);
    if (half && half.opType === 'Mul' && scalar(otherInput(half, m.outputs[0])) === 0.5) return { out: half.outputs[0], nodes: [d, erf, add, m, half] };
    return undefined;
  }
  // B: Mul(x, 0.5) and Mul(·, t3)
  if (scalar(mOther) === 0.5) {
    const fin = p.only(m.outputs[0]);
    if (fin && fin.opType === 'Mul' && fin.inputs.includes(t3) && p.users(t3).length === 1) return { out: fin.outputs[0], nodes: [d, erf, add, m, fin] };
    return undefined;
  }
  // C: Mul(t3, 0.5) then Mul(x, ·)
  const half = p.only(t3);
  if (half && half.opType === 'Mul' && scalar(otherInput(half, t3)) === 0.5 && mOther === half.outputs[0]) return { out: m.outputs[0], nodes: [d, erf, add, half, m] };
  return undefined;
}
