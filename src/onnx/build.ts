/** Builds the layers of an {@link OnnxPlan} (src/infer layers). */
import { QuantextError } from '../errors.js';
import { GELU, Int8Linear, LayerNorm, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, type Layer } from '../infer/index.js';
import * as infer from '../infer/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { LayerPlan, OnnxPlan } from './plan.js';

interface BuildOptions {
  rt?: Runtime;
  maxBatch?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor = new (...args: any[]) => Layer;

function optional(name: string, plan: LayerPlan): Ctor {
  const c = (infer as unknown as Record<string, Ctor | undefined>)[name];
  if (!c) {
    throw new QuantextError('E_UNSUPPORTED', `ONNX import: nodes ${plan.nodes.join(', ')} need a ${name} layer, which this build of quantext does not have`, { nodes: plan.nodes });
  }
  return c;
}

function buildOne(l: LayerPlan, o: BuildOptions): Layer {
  const base = { ...(o.rt ? { rt: o.rt } : {}), ...(o.maxBatch ? { maxBatch: o.maxBatch } : {}) };
  switch (l.op) {
    case 'linear':
      return Linear.fromFloat(l.weights, l.outFeatures, l.inFeatures, l.bias, { ...base, layout: l.layout, activation: l.relu ? 'relu' : 'none' });
    case 'int8':
      return Int8Linear.fromQuantized({
        ...base,
        outFeatures: l.outFeatures,
        inFeatures: l.inFeatures,
        weights: l.weights,
        layout: 'in-out',
        weightZeroPoint: l.weightZeroPoint,
        weightScale: l.weightScale,
        input: l.input.mode === 'dynamic-uint8' ? { mode: 'dynamic-uint8' } : { ...l.input },
        output: l.output.mode === 'f32' ? { mode: 'f32', ...(l.output.bias ? { bias: l.output.bias } : {}), relu: l.output.relu } : ({ ...l.output } as never),
      });
    case 'relu':
      return new ReLU(l.features, base);
    case 'tanh':
      return new Tanh(l.features, base);
    case 'sigmoid':
      return new Sigmoid(l.features, base);
    case 'softmax':
      return new Softmax(l.features, base);
    case 'logsoftmax':
      return new LogSoftmax(l.features, base);
    case 'gelu':
      return new GELU(l.features, { ...base, approximate: l.approximate });
    case 'layernorm':
      return LayerNorm.fromFloat(l.gamma, l.beta, { ...base, eps: l.eps });
    case 'bias': {
      const Bias = optional('Bias', l);
      return new Bias(l.bias, base);
    }
    case 'fakequant': {
      const Q = optional('QuantizeDequantize', l);
      return new Q({ ...base, scale: l.params.scale, zeroPoint: l.params.zeroPoint, type: l.params.type });
    }
  }
}

/** Builds every planned layer; disposes the ones built so far when one fails. */
export function buildLayers(plan: OnnxPlan, o: BuildOptions): Layer[] {
  const out: Layer[] = [];
  try {
    for (const l of plan.layers) out.push(buildOne(l, o));
  } catch (e) {
    for (const l of out) l.dispose();
    throw e;
  }
  return out;
}
