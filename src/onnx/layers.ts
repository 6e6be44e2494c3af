// The importer's extra layers live in the core (src/infer/qdq.ts) so that Sequential.load() can rebuild them.
export { OnnxBias, OnnxQLinearMatMul, OnnxQuantizeDequantize } from '../infer/qdq.js';
