#!/usr/bin/env node
// Makes the two models the Worker bundles (examples/worker/models/), from the data in ../shared/data:
//
//   node examples/worker/make-models.mjs [--data DIR] [--out DIR]      (after `npm run build`, from the repository)
//
// - models/spam.bin: a TextClassifier (fastText's supervised model) trained on spam/train.txt, small so the Worker
//   stays small: dim 8, words seen at least 20 times, no n-gram buckets. Its precision on spam/test.txt is printed.
//   It is a fastText .bin (f32 matrices): quantext has no compressed classifier format yet; when one lands, save
//   that instead and change src/app.js's loader.
// - models/vectors.int8.safetensors: Word2Vec (skip-gram, dim 32, words seen at least 10 times) trained on
//   corpora/brown.txt, its vectors quantized to int8 (per row, centred on the column mean) and saved as safetensors.
//
// Both trainings run on one thread with a fixed seed, so the same quantext build remakes the same bytes.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextClassifier, Word2Vec, saveVectors } from '../../dist/index.node.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? resolve(process.argv[i + 1]) : dflt;
};
const DATA = arg('--data', resolve(HERE, '..', '..', '..', 'shared', 'data'));
const OUT = arg('--out', join(HERE, 'models'));

/** The classifier's settings (exported for the tests, which train the same model). */
export const CLASSIFIER = { dim: 8, epochs: 10, lr: 0.5, minCount: 20, wordNgrams: 1, threads: 1, seed: 1 };
/** The word vectors' settings. */
export const WORD2VEC = { vectorSize: 32, window: 5, minCount: 10, epochs: 3, sg: 1, negative: 5, workers: 1, seed: 1 };

export async function makeModels(data = DATA, out = OUT, log = console.log) {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const clf = new TextClassifier(CLASSIFIER);
  try {
    await clf.train(join(data, 'spam', 'train.txt'));
    const t = await clf.test(join(data, 'spam', 'test.txt'));
    await clf.save(join(out, 'spam.bin'));
    log(`spam.bin: ${clf.model.words.length} words × dim ${CLASSIFIER.dim}, ${statSync(join(out, 'spam.bin')).size} bytes; precision@1 on spam/test.txt ${t.precision.toFixed(4)} (${t.n} documents)`);
  } finally {
    clf.dispose();
  }
  const w2v = new Word2Vec(WORD2VEC);
  try {
    const r = await w2v.train(join(data, 'corpora', 'brown.txt'));
    const q = w2v.wv.quantize({ scheme: 'int8' });
    try {
      await saveVectors(q, join(out, 'vectors.int8.safetensors'), { format: 'safetensors' });
    } finally {
      q.dispose();
    }
    log(`vectors.int8.safetensors: ${w2v.wv.size} words × ${WORD2VEC.vectorSize} int8, ${statSync(join(out, 'vectors.int8.safetensors')).size} bytes (Word2Vec loss ${r.loss.toPrecision(4)})`);
  } finally {
    w2v.dispose();
  }
  log(`made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await makeModels();
