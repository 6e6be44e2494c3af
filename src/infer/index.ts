// Inference layers (issue 11): see notes in each file and docs/api (infer).
export { Layer, type LayerOptions, type WeightLayout, type FusedActivation } from './layer.js';
export { Linear, type LinearOptions } from './linear.js';
export { Int8Linear, type Int8LinearOptions, type Int8QuantizedSpec, type Int8InputSpec, type Int8OutputSpec } from './int8.js';
export { BinaryLinear } from './binary.js';
export { SparseLinear, type SparseLinearOptions } from './sparse.js';
export { EmbeddingBag, type EmbeddingBagOptions } from './embedding.js';
export { ReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax, LayerNorm } from './activations.js';
export { Sequential, buildLayer, SEQUENTIAL_FORMAT, type SequentialConfig, type QuantizeModelOptions } from './sequential.js';
export { dynamicQuantizeLinear, dynamicQuantizeParams, quantizeLinear, dequantizeLinear } from './qlinear.js';
export { inferKernels, type InferKernels } from './kernels.js';
