/**
 * Test-only: an MLP description turned into ONNX graphs laid out as a float export and as onnxruntime's quantizers
 * lay them out (onnxruntime/python/tools/quantization: onnx_quantizer.py, operators/matmul.py, qdq_quantizer.py):
 *
 * - quantize_dynamic (QOperator, IntegerOps): per MatMul with a constant B, `<x>_QuantizeLinear` =
 *   DynamicQuantizeLinear(x) → `<x>_quantized`, `<x>_scale`, `<x>_zero_point`; weights `<W>_quantized`,
 *   `<W>_scale`, `<W>_zero_point` (scalars, or [N] per channel); `<node>_quant` = MatMulInteger → `<y>_output_quantized`;
 *   Cast(to FLOAT) `<y>_output_quantized_cast` → `<y>_output_quantized_cast_output`; `<node>_quant_scales_mul` =
 *   Mul(x_scale, W_scale) → `<node>_quant_scales_mul:0`; `<node>_quant_output_scale_mul` = Mul(cast, scales) → y.
 *   The bias Add and the activations stay float.
 * - quantize_static, QDQ format: every MatMul input and output gets `<t>_QuantizeLinear` → `<t>_QuantizeLinear_Output`
 *   → `<t>_DequantizeLinear` → `<t>_DequantizeLinear_Output`; weights are `<W>_quantized` with `<W>_DequantizeLinear`.
 * - quantize_static, QOperator format: `<x>_QuantizeLinear` → QLinearMatMul `<node>_quant` → `<y>_quantized`, and
 *   DequantizeLinear `<y>_DequantizeLinear` where a float op follows.
 *
 * Weights are quantized as quantize_data does: int8 symmetric (scale = max|w| / 127, zero point 0), uint8 asymmetric
 * (scale = (max − min) / 255 over a range that includes 0, zero point round(−min / scale)).
 */
import { FLOAT, INT8, UINT8, node, tensor, type ModelSpec, type NodeSpec, type TensorSpec } from './graph.js';
import { roundEven } from './reference.js';

export type MlpLayer =
  | { kind: 'matmul'; w: Float32Array; k: number; n: number; b?: Float32Array }
  | { kind: 'gemm'; w: Float32Array; k: number; n: number; c?: Float32Array; transB: boolean; alpha: number; beta: number }
  | { kind: 'relu' | 'tanh' | 'sigmoid' | 'softmax' | 'logsoftmax' }
  | { kind: 'gelu'; approximate?: 'none' | 'tanh' }
  | { kind: 'erfgelu'; form: 'A' | 'B' | 'C' }
  | { kind: 'layernorm'; gamma: Float32Array; beta: Float32Array; eps: number };

const f = Math.fround;

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
export function randn(r: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(scale * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
  return out;
}

const OP: Record<string, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax', logsoftmax: 'LogSoftmax', gelu: 'Gelu' };

/** The float graph: MatMul_i (+ Add_i bias), Gemm_i, activations; input 'input' [batch, K0], output 'output'. */
export function floatModel(layers: MlpLayer[], k0: number, opset = 17): ModelSpec {
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let cur = 'input';
  let width = k0;
  layers.forEach((l, i) => {
    const last = i === layers.length - 1;
    const out = (name: string) => (last ? 'output' : name);
    switch (l.kind) {
      case 'matmul': {
        inits.push(tensor(`W${i}`, [l.k, l.n], FLOAT, l.w));
        const mm = l.b ? `mm${i}` : out(`mm${i}`);
        nodes.push(node('MatMul', [cur, `W${i}`], [mm], `MatMul_${i}`));
        cur = mm;
        if (l.b) {
          inits.push(tensor(`B${i}`, [l.n], FLOAT, l.b));
          nodes.push(node('Add', [cur, `B${i}`], [out(`add${i}`)], `Add_${i}`));
          cur = out(`add${i}`);
        }
        width = l.n;
        break;
      }
      case 'gemm': {
        inits.push(tensor(`W${i}`, l.transB ? [l.n, l.k] : [l.k, l.n], FLOAT, l.w));
        const ins = [cur, `W${i}`];
        if (l.c) {
          inits.push(tensor(`C${i}`, [l.n], FLOAT, l.c));
          ins.push(`C${i}`);
        }
        nodes.push(node('Gemm', ins, [out(`gemm${i}`)], `Gemm_${i}`, [{ name: 'alpha', f: l.alpha }, { name: 'beta', f: l.beta }, { name: 'transB', i: l.transB ? 1 : 0 }]));
        cur = out(`gemm${i}`);
        width = l.n;
        break;
      }
      case 'layernorm':
        inits.push(tensor(`ln_g${i}`, [width], FLOAT, l.gamma), tensor(`ln_b${i}`, [width], FLOAT, l.beta));
        nodes.push(node('LayerNormalization', [cur, `ln_g${i}`, `ln_b${i}`], [out(`ln${i}`)], `LayerNorm_${i}`, [{ name: 'axis', i: -1 }, { name: 'epsilon', f: l.eps }]));
        cur = out(`ln${i}`);
        break;
      case 'erfgelu': {
        const c = (name: string, v: number) => inits.push(tensor(name, [], FLOAT, [v]));
        c(`sqrt2_${i}`, Math.SQRT2);
        c(`one_${i}`, 1);
        c(`half_${i}`, 0.5);
        nodes.push(node('Div', [cur, `sqrt2_${i}`], [`div${i}`], `Div_${i}`));
        nodes.push(node('Erf', [`div${i}`], [`erf${i}`], `Erf_${i}`));
        nodes.push(node('Add', [`erf${i}`, `one_${i}`], [`erfp1_${i}`], `Add_erf_${i}`));
        if (l.form === 'A') {
          nodes.push(node('Mul', [cur, `erfp1_${i}`], [`mulx${i}`], `Mul_x_${i}`));
          nodes.push(node('Mul', [`mulx${i}`, `half_${i}`], [out(`gelu${i}`)], `Mul_half_${i}`));
        } else if (l.form === 'B') {
          nodes.push(node('Mul', [cur, `half_${i}`], [`halfx${i}`], `Mul_half_${i}`));
          nodes.push(node('Mul', [`halfx${i}`, `erfp1_${i}`], [out(`gelu${i}`)], `Mul_x_${i}`));
        } else {
          nodes.push(node('Mul', [`erfp1_${i}`, `half_${i}`], [`halfe${i}`], `Mul_half_${i}`));
          nodes.push(node('Mul', [cur, `halfe${i}`], [out(`gelu${i}`)], `Mul_x_${i}`));
        }
        cur = out(`gelu${i}`);
        break;
      }
      default: {
        const attrs = l.kind === 'gelu' && l.approximate ? [{ name: 'approximate', s: l.approximate }] : l.kind === 'softmax' || l.kind === 'logsoftmax' ? [{ name: 'axis', i: -1 }] : undefined;
        nodes.push(node(OP[l.kind], [cur], [out(`${l.kind}${i}`)], `${OP[l.kind]}_${i}`, attrs));
        cur = out(`${l.kind}${i}`);
      }
    }
  });
  return {
    nodes,
    initializers: inits,
    inputs: [{ name: 'input', shape: ['batch', k0] }],
    outputs: [{ name: 'output', shape: ['batch', width] }],
    opsets: [{ domain: '', version: opset }],
  };
}

export type QType = 'int8' | 'uint8';

/** quantize_data: per tensor, or per output column when `perChannel`. */
export function quantizeWeight(w: Float32Array, k: number, n: number, type: QType, perChannel: boolean) {
  const groups = perChannel ? n : 1;
  const scales = new Float32Array(groups);
  const zps = type === 'int8' ? new Int8Array(groups) : new Uint8Array(groups);
  const q = type === 'int8' ? new Int8Array(k * n) : new Uint8Array(k * n);
  for (let gi = 0; gi < groups; gi++) {
    let mn = 0, mx = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < n; j++) {
        if (perChannel && j !== gi) continue;
        mn = Math.min(mn, w[i * n + j]);
        mx = Math.max(mx, w[i * n + j]);
      }
    let scale: number, zp: number;
    if (type === 'int8') {
      const m = Math.max(Math.abs(mn), Math.abs(mx));
      scale = m > 0 ? (m * 2) / 254 : 1;
      zp = 0;
    } else {
      scale = mx > mn ? (mx - mn) / 255 : 1;
      zp = roundEven(-mn / scale);
    }
    scales[gi] = scale;
    zps[gi] = zp;
    const [lo, hi] = type === 'int8' ? [-127, 127] : [0, 255];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < n; j++) {
        if (perChannel && j !== gi) continue;
        q[i * n + j] = Math.min(hi, Math.max(lo, roundEven(w[i * n + j] / scale) + zp));
      }
  }
  return { q, scales, zps };
}

function weightInits(name: string, w: Float32Array, k: number, n: number, type: QType, perChannel: boolean, typed = false): TensorSpec[] {
  const { q, scales, zps } = quantizeWeight(w, k, n, type, perChannel);
  const shape = perChannel ? [n] : [];
  const t = type === 'int8' ? INT8 : UINT8;
  return [tensor(`${name}_quantized`, [k, n], t, q, !typed), tensor(`${name}_scale`, shape, FLOAT, scales), tensor(`${name}_zero_point`, shape, t, zps, !typed)];
}

/**
 * quantize_dynamic's layout. `typed` stores the integer initializers in int32_data instead of raw_data
 * (onnx.helper.make_tensor does that for the scales and zero points).
 */
export function dynamicModel(layers: MlpLayer[], k0: number, o: { weightType: QType; perChannel: boolean; typed?: boolean }): ModelSpec {
  const m = floatModel(layers, k0);
  const nodes: NodeSpec[] = [];
  const inits = [...(m.initializers ?? [])];
  for (const nd of m.nodes) {
    if (nd.op !== 'MatMul') {
      nodes.push(nd);
      continue;
    }
    const [x, wName] = nd.inputs;
    const i = Number(wName.slice(1));
    const l = layers[i] as Extract<MlpLayer, { kind: 'matmul' }>;
    const idx = inits.findIndex((t) => t.name === wName);
    inits.splice(idx, 1);
    inits.push(...weightInits(wName, l.w, l.k, l.n, o.weightType, o.perChannel, o.typed));
    const y = nd.outputs[0];
    const q = `${nd.name}_quant`;
    nodes.push(node('DynamicQuantizeLinear', [x], [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`], `${x}_QuantizeLinear`));
    nodes.push(node('MatMulInteger', [`${x}_quantized`, `${wName}_quantized`, `${x}_zero_point`, `${wName}_zero_point`], [`${y}_output_quantized`], q));
    nodes.push(node('Cast', [`${y}_output_quantized`], [`${y}_output_quantized_cast_output`], `${y}_output_quantized_cast`, [{ name: 'to', i: FLOAT }]));
    nodes.push(node('Mul', [`${x}_scale`, `${wName}_scale`], [`${q}_scales_mul:0`], `${q}_scales_mul`));
    nodes.push(node('Mul', [`${y}_output_quantized_cast_output`, `${q}_scales_mul:0`], [y], `${q}_output_scale_mul`));
  }
  return { ...m, nodes, initializers: inits, producer: 'onnx.quantize' };
}

/** Activation quantization parameters from a calibrated range (ORT's compute_scale_zp, asymmetric). */
export function activationParams(mn: number, mx: number, type: QType): { scale: number; zp: number } {
  mn = Math.min(mn, 0);
  mx = Math.max(mx, 0);
  const [qmin, qmax] = type === 'uint8' ? [0, 255] : [-128, 127];
  const scale = mx > mn ? (mx - mn) / (qmax - qmin) : 1;
  const zp = Math.min(qmax, Math.max(qmin, roundEven(qmin - mn / scale)));
  return { scale: f(scale), zp };
}

/**
 * quantize_static's layouts (op_types_to_quantize = ['MatMul']). `ranges` maps each MatMul's input and output tensor
 * name to its calibrated [min, max].
 */
export function staticModel(
  layers: MlpLayer[],
  k0: number,
  ranges: Map<string, [number, number]>,
  o: { format: 'qdq' | 'qoperator'; activationType: QType; weightType: QType; perChannel: boolean },
): ModelSpec {
  const m = floatModel(layers, k0);
  const nodes: NodeSpec[] = [];
  const inits = [...(m.initializers ?? [])];
  const at = o.activationType === 'int8' ? INT8 : UINT8;
  const params = (t: string) => {
    const r = ranges.get(t);
    if (!r) throw new Error(`no range for ${t}`);
    const p = activationParams(r[0], r[1], o.activationType);
    if (!inits.some((x) => x.name === `${t}_scale`)) inits.push(tensor(`${t}_scale`, [], FLOAT, [p.scale]), tensor(`${t}_zero_point`, [], at, [p.zp]));
    return [`${t}_scale`, `${t}_zero_point`];
  };
  // tensors already quantized (QOperator: a QLinearMatMul output feeding the next QLinearMatMul directly)
  const quantized = new Map<string, string>();
  // QDQ: tensors whose consumers read their DequantizeLinear output instead
  const renamed = new Map<string, string>();
  for (const nd of m.nodes) {
    if (nd.op !== 'MatMul') {
      nd.inputs = nd.inputs.map((inp) => renamed.get(inp) ?? inp);
      // a float consumer of a quantized tensor needs it dequantized (QOperator)
      nd.inputs = nd.inputs.map((inp) => {
        const qn = quantized.get(inp);
        if (!qn) return inp;
        nodes.push(node('DequantizeLinear', [qn, ...params(inp)], [inp], `${inp}_DequantizeLinear`));
        quantized.delete(inp);
        return inp;
      });
      nodes.push(nd);
      continue;
    }
    const [x, wName] = nd.inputs;
    const y = nd.outputs[0];
    const i = Number(wName.slice(1));
    const l = layers[i] as Extract<MlpLayer, { kind: 'matmul' }>;
    inits.splice(inits.findIndex((t) => t.name === wName), 1);
    inits.push(...weightInits(wName, l.w, l.k, l.n, o.weightType, o.perChannel));
    if (o.format === 'qdq') {
      // each tensor gets one Q → DQ pair; its consumers read the DequantizeLinear output (the graph output keeps its
      // name: the producer writes <y>_QuantizeLinear_Input and the DequantizeLinear writes <y>)
      let xd = renamed.get(x);
      if (!xd) {
        const [xs, xz] = params(x);
        nodes.push(node('QuantizeLinear', [x, xs, xz], [`${x}_QuantizeLinear_Output`], `${x}_QuantizeLinear`));
        nodes.push(node('DequantizeLinear', [`${x}_QuantizeLinear_Output`, xs, xz], [`${x}_DequantizeLinear_Output`], `${x}_DequantizeLinear`));
        xd = `${x}_DequantizeLinear_Output`;
      }
      nodes.push(
        node(
          'DequantizeLinear',
          [`${wName}_quantized`, `${wName}_scale`, `${wName}_zero_point`],
          [`${wName}_DequantizeLinear_Output`],
          `${wName}_DequantizeLinear`,
          o.perChannel ? [{ name: 'axis', i: 1 }] : undefined,
        ),
      );
      const [ys, yz] = params(y);
      const isOut = y === 'output';
      const mmOut = isOut ? `${y}_QuantizeLinear_Input` : y;
      nodes.push(node('MatMul', [xd, `${wName}_DequantizeLinear_Output`], [mmOut], nd.name));
      nodes.push(node('QuantizeLinear', [mmOut, ys, yz], [`${y}_QuantizeLinear_Output`], `${y}_QuantizeLinear`));
      nodes.push(node('DequantizeLinear', [`${y}_QuantizeLinear_Output`, ys, yz], [isOut ? y : `${y}_DequantizeLinear_Output`], `${y}_DequantizeLinear`));
      if (!isOut) renamed.set(y, `${y}_DequantizeLinear_Output`);
    } else {
      const [xs, xz] = params(x);
      let xq = quantized.get(x);
      if (!xq) {
        xq = `${x}_quantized`;
        nodes.push(node('QuantizeLinear', [x, xs, xz], [xq], `${x}_QuantizeLinear`));
      }
      quantized.delete(x);
      const [ys, yz] = params(y);
      nodes.push(node('QLinearMatMul', [xq, xs, xz, `${wName}_quantized`, `${wName}_scale`, `${wName}_zero_point`, ys, yz], [`${y}_quantized`], `${nd.name}_quant`));
      quantized.set(y, `${y}_quantized`);
    }
  }
  // the graph output, if quantized, gets its DequantizeLinear (_dequantize_outputs)
  for (const [t, qn] of quantized) nodes.push(node('DequantizeLinear', [qn, ...params(t)], [t], `${t}_DequantizeLinear`));
  return { ...m, nodes, initializers: inits, producer: 'onnx.quantize' };
}
