// The public API shared by every runtime entry (index.ts, index.node.ts, index.workerd.ts).
export { QuantextError, type ErrorCode } from './errors.js';
export {
  init,
  createRuntime,
  runtime,
  backend,
  simdSupported,
  Runtime,
  type Backend,
  type BuildName,
  type InitOptions,
  type WasmSource,
  type WasmSources,
} from './runtime/runtime.js';
export { relaxedSupported } from './runtime/runtime.js';
export { env } from './runtime/env.js';
export { WasmOwned, F32Buffer } from './runtime/handle.js';
export { Arena } from './runtime/memory.js';
export * from './vectors/index.js';
export { loadVectors, saveVectors, saveFormatFor, type VectorFormat, type SaveFormat, type LoadVectorsOptions, type SaveVectorsOptions } from './vectors/load.js';
// fastText's modules right after the vectors layer they extend, and the predictor and classifier after them: in a
// minified bundle this order gzips ~3 KB smaller than with them after the trainers (scripts/size.mjs).
export { saveFastTextModel, saveFastTextVec, fastTextModelBytes, type SaveFastTextOptions } from './fasttext/vectors.js';
export { FastTextKeyedVectors, type FastTextKeyedVectorsOptions } from './fasttext/keyed.js';
export { fnv1a32, hashWord, computeSubwords, computeSubwordsBytes, subwordStrings, buildSubwordTable, wordNgramRows, type SubwordTable, type PruneIndex } from './fasttext/subwords.js';
export { FastTextModel, loadFastText, type LoadFastTextOptions, type LabelProbability } from './fasttext/model.js';
export { FastTextPredictor, type PredictorParts, type PredictorOptions, type PredictBytesOptions, type PredictionBlock } from './fasttext/predictor.js';
export { TextClassifier, testModel } from './classify/classifier.js';
export * from './io/index.js';
export {
  Word2Vec,
  type Word2VecOptions,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainSchedule,
  type BuildVocabOptions,
} from './train/word2vec.js';
export { FastText, pruneNgrams, type FastTextOptions, type FastTextMemoryEstimate } from './train/fasttext.js';
// GloVe's trainer is its own package entry, quantext/glove (src/glove/index.ts): it kept the core within its budget
export { openCorpus, type CorpusInput, type Sentence, type IdCorpus } from './train/corpus.js';
export { simplePreprocess, type SimplePreprocessOptions } from './train/preprocess.js';
export * from './quantize/index.js';
export * from './vectors/tables/index.js';
export * from './io/safetensors.js';
export { type FastTextArgs, type FastTextLoss, type FastTextModelName } from './fasttext/args.js';
export * from './infer/index.js';
export { type FastTextSaveOptions } from './fasttext/keyed.js';
export type { TextClassifierOptions, ClassifierTrainOptions, ClassifierTrainResult, ClassifierData, LabelledText, TestResult, LabelMetrics } from './classify/classifier.js';
export type { QuantizeOptions, QatInfo, QatTensor } from './classify/classifier.js';
export type { Word2VecQuantizeOptions } from './train/word2vec.js';
