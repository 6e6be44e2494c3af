/**
 * `quantext/compress`: making models smaller (issue 13). A separate package entry, so the core stays within its
 * size budget: the core never imports this module.
 * - distillation: `distill({ teacher, student, data, temperature, alpha })`;
 * - magnitude pruning: `magnitudeMask`, `pruneTensors`, `pruneSequential`, `pruneVectors`, `pruneVocab`, `pruneRetrain`;
 * - the compressed classifier: `compressClassifier(clf, { cutoff, input, output, retrain, ... })` → `CompressedClassifier`;
 * - the search behind `quantext compress`: `paretoSearch`, `paretoFront`, `bestUnder`, `compressVectors`, `pca`.
 *
 * ```ts
 * import { init, TextClassifier } from 'quantext';
 * import { compressClassifier } from 'quantext/compress';
 * ```
 */
export * from './distill.js';
export * from './prune.js';
export * from './all-search.js';
export * from './classifier.js';
