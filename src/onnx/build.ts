/** Builds the layers of an {@link OnnxPlan} (src/infer layers). */
import { GELU, Int8Linear, LayerNorm, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, type Layer } from '../infer/index.js';
import { OnnxBias, OnnxQLinearMatMul, OnnxQuantizeDequantize } from './layers.js';
import type { Runtime } from '../runtime/runtime.js';
import type { LayerPlan, OnnxPlan } from './plan.js';

interface BuildOptions {
  rt?: Runtime;
  maxBatch?: number;
}

function buildOne(l: LayerPlan, o: BuildOptions): Layer {
  const base = { ...(o.rt ? { rt: o.rt } : {}), ...(o.maxBatch ? { maxBatch: o.maxBatch } : {}) };
  switch (l.op) {
    case 'linear':
      return Linear.fromFloat(l.weights, l.outFeatures, l.inFeatures, l.bias, { ...base, layout: l.layout, activation: l.relu ? 'relu' : 'none' });
    case 'int8': {
      if (l.output.mode !== 'f32') {
        return new OnnxQLinearMatMul({
          ...base,
          outFeatures: l.outFeatures,
          inFeatures: l.inFeatures,
          weights: l.weights,
          layout: 'in-out',
          weightZeroPoint: l.weightZeroPoint,
          weightScale: l.weightScale,
          input: l.input.mode === 'dynamic-uint8' ? { mode: 'dynamic-uint8' } : { ...l.input },
          output: { mode: l.output.mode, scale: l.output.scale, zeroPoint: l.output.zeroPoint },
        });
      }
      return Int8Linear.fromQuantized({
        ...base,
        outFeatures: l.outFeatures,
        inFeatures: l.inFeatures,
        weights: l.weights,
        layout: 'in-out',
        weightZeroPoint: l.weightZeroPoint,
        weightScale: l.weightScale,
        input: l.input.mode === 'dynamic-uint8' ? { mode: 'dynamic-uint8' } : { ...l.input },
        output: { mode: 'f32', ...(l.output.bias ? { bias: l.output.bias } : {}), relu: l.output.relu },
      });
    }
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
    case 'bias':
      return new OnnxBias(l.bias, base);
    case 'fakequant':
      return new OnnxQuantizeDequantize({ ...base, scale: l.params.scale, zeroPoint: l.params.zeroPoint, type: l.params.type });
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
