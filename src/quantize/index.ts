// Quantizers (issue 4): schemes, calibration, product quantization and the error report. Maths: docs/quantization.md.
export {
  type Scheme, type Rounding, type Calibration, type NanPolicy, type QuantizeOptions, type SchemeInfo,
  SCHEMES, PQ_KSUB, PQ_NITER, PQ_MAX_POINTS_PER_CLUSTER, TWN_DELTA, schemeInfo, isAffine, rowBytes,
} from './schemes.js';
export { quantize, dequantize, uniformQuantize, toFloat16, fromFloat16, validateQuantized, type QuantizedTensor, type UniformOptions } from './quantize.js';
export { trainPQ, dequantizePQ, validatePQ, type PQTensor, type PQOptions } from './pq.js';
export { errorReport, storedBytes, type ErrorReport } from './report.js';
