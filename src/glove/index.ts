/**
 * `quantext/glove`: the GloVe trainer (cooccur.c's counts in a wasm hash table, glove.c's AdaGrad, W + W̃ as
 * `model.wv`, Hogwild threads). A separate package entry, so the core stays within its size budget (the trainer
 * and its co-occurrence pass are ~4.6 KB gzipped of a bundled runtime entry): the core never imports this module.
 * Reading and writing GloVe's text format (`loadVectors`, `saveGloVe`, …) stays in the core.
 *
 * ```ts
 * import { init } from 'quantext';
 * import { GloVe } from 'quantext/glove';
 * ```
 */
export { GloVe, type GloVeOptions, type GloVeTrainOptions, type GloVeTrainResult } from '../train/glove/glove.js';
