// The vectors room: word ↔ index maps, row tables behind one Matrix interface, KeyedVectors and the evaluations.
export { type DType, type Matrix, DenseMatrix } from './matrix.js';
export { Vocab } from './vocab.js';
export {
  KeyedVectors,
  cosine,
  type Key,
  type RowKey,
  type VectorLike,
  type WeightedKey,
  type Similar,
  type SimilarityIndexer,
  type MostSimilarOptions,
  type CosmulOptions,
  type MeanOptions,
  type KeyedVectorsOptions,
  type KeyedVectorsMemory,
  type Nearest,
} from './keyed.js';
export {
  evaluateWordAnalogies,
  evaluateWordPairs,
  pearson,
  spearman,
  rankData,
  type TextSource,
  type AnalogyOptions,
  type AnalogySection,
  type AnalogyResult,
  type WordPairsOptions,
  type WordPairsResult,
} from './evaluate.js';
export { QuantizedIndexer, type QuantizedIndexerOptions, type IndexTable, type IndexResult } from './indexer.js';
