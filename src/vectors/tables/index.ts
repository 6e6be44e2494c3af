// Quantized tables implementing the Matrix interface (issue 4): fp16/bf16, int8, int4, binary, PQ,
// the quantizeMatrix factory and two-stage (coarse → rerank) search. Layouts: docs/quantization.md §3.
export { QuantTable, SLACK, MAX_INT_COLS } from './base.js';
export { F16Matrix } from './f16.js';
export { Int8Matrix, type Int8Layout } from './int8.js';
export { Int4Matrix } from './int4.js';
export { BinaryMatrix, type HammingResult } from './binary.js';
export { PQMatrix } from './pq.js';
export { rerank, twoStageSearch, type SearchResult, type TwoStageOptions } from './rerank.js';
export {
  quantizeMatrix, tableFromTensor, tableToTensor, TABLE_SCHEMES, type TableScheme, type QuantizeMatrixOptions, type QuantizedTable,
} from './factory.js';
export { Int2Matrix, packInt2, unpackInt2 } from './int2.js';
