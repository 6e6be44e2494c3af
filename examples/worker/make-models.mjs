#!/usr/bin/env node
// Makes the models of examples/worker/models/, from the data in ../shared/data:
//
//   node examples/worker/make-models.mjs [--data DIR] [--out DIR]      (after `npm run build`, from the repository)
//
// - models/spam.qtxc: the classifier the Worker serves: the TextClassifier below compressed by quantext itself
//   (`compressClassifier` of `quantext/compress`, COMPRESS: the 2000 input rows of largest norm kept, the input table
//   int4 with one scale, the output matrix int8 (served through the Int8Linear layer), then retrained over the
//   quantized input as fastText's -retrain does): about 9 KB, precision@1 on spam/test.txt 0.984 (the .ftz below:
//   50 KB, 0.982).
// - models/spam.ftz: a TextClassifier (fastText's supervised model) trained by quantext on spam/train.txt (dim 8,
//   words seen at least 20 times, no n-gram buckets; saved as a fastText .bin), then compressed by fastText's own
//   `fasttext quantize` (fastText.zip: the 2000 most useful words kept, the input matrix product-quantized to one
//   8-bit code per 2 dimensions with its norms quantized too, retrained): 50 KB instead of 263 KB, precision@1 on
//   spam/test.txt 0.982 instead of 0.983. quantext reads the .ftz and predicts as fastText does. The fastText binary
//   is Debian's `fasttext` 0.9.2 (`apt-get install fasttext`; or $FASTTEXT); without it, --no-quantize writes
//   models/spam.bin instead. The demo page (examples/web/) reads this .ftz; the Worker imports spam.qtxc.
// - models/vectors.int8.safetensors: Word2Vec (skip-gram, dim 32, words seen at least 10 times) trained on
//   corpora/brown.txt, its vectors quantized to int8 (per row, centred on the column mean) and saved as safetensors.
//
// Both trainings run on one thread with a fixed seed, so the same quantext build remakes the same bytes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextClassifier, Word2Vec, saveVectors } from '../../dist/index.node.js';
import { CompressedClassifier, compressClassifier } from '../../dist/compress/index.node.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? resolve(process.argv[i + 1]) : dflt;
};
const DATA = arg('--data', resolve(HERE, '..', '..', '..', 'shared', 'data'));
const OUT = arg('--out', join(HERE, 'models'));

/** The classifier's settings (exported for the tests, which train the same model). */
export const CLASSIFIER = { dim: 8, epochs: 10, lr: 0.5, minCount: 20, wordNgrams: 1, threads: 1, seed: 1 };
/** `fasttext quantize`'s settings (one thread: the same bytes every time). */
export const QUANTIZE = ['-cutoff', '2000', '-retrain', '-qnorm', '-dsub', '2', '-epoch', '10', '-lr', '0.5', '-thread', '1'];
/** compressClassifier's settings for models/spam.qtxc (one thread, seeded: the same bytes every time). */
export const COMPRESS = { cutoff: 2000, input: 'int4', perRow: false, output: 'int8', retrain: true, epochs: 10, lr: 0.5, threads: 1, seed: 1 };
/** The word vectors' settings. */
export const WORD2VEC = { vectorSize: 32, window: 5, minCount: 10, epochs: 3, sg: 1, negative: 5, workers: 1, seed: 1 };

export async function makeModels(data = DATA, out = OUT, log = console.log, quantizeWith = process.argv.includes('--no-quantize') ? null : fastTextBinary()) {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const train = join(data, 'spam', 'train.txt'), test = join(data, 'spam', 'test.txt');
  const tmp = mkdtempSync(join(tmpdir(), 'quantext-worker-models-'));
  try {
    const clf = new TextClassifier(CLASSIFIER);
    try {
      await clf.train(train);
      await clf.save(join(tmp, 'spam.bin'));
      log(`spam.bin: ${clf.model.words.length} words × dim ${CLASSIFIER.dim}, ${statSync(join(tmp, 'spam.bin')).size} bytes; precision@1 ${(await clf.test(test)).precision.toFixed(4)} on spam/test.txt`);
      const cc = await compressClassifier(clf, { ...COMPRESS, data: train });
      try {
        await cc.save(join(out, 'spam.qtxc'));
      } finally {
        cc.dispose();
      }
      const back = await CompressedClassifier.load(join(out, 'spam.qtxc'));
      try {
        log(`spam.qtxc: ${back.rows.words} words + ${back.rows.ngrams} buckets, input ${back.inputScheme}, output ${back.outputScheme}, ${statSync(join(out, 'spam.qtxc')).size} bytes; precision@1 ${(await back.test(test)).precision.toFixed(4)} on spam/test.txt`);
      } finally {
        back.dispose();
      }
    } finally {
      clf.dispose();
    }
    const name = quantizeWith ? 'spam.ftz' : 'spam.bin';
    if (quantizeWith) execFileSync(quantizeWith, ['quantize', '-input', train, '-output', join(tmp, 'spam'), ...QUANTIZE], { stdio: ['ignore', 'ignore', 'inherit'] });
    copyFileSync(join(tmp, name), join(out, name));
    const back = await TextClassifier.load(join(out, name));
    try {
      log(`${name}: ${back.model.words.length} words${back.model.quantInput ? ' (product-quantized)' : ''}, ${statSync(join(out, name)).size} bytes; precision@1 ${(await back.test(test)).precision.toFixed(4)} on spam/test.txt (read by quantext)`);
    } finally {
      back.dispose();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
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

/** fastText's binary: $FASTTEXT, /usr/bin/fasttext, or `fasttext` on the PATH; a clear error when there is none. */
function fastTextBinary() {
  const bin = process.env.FASTTEXT ?? (existsSync('/usr/bin/fasttext') ? '/usr/bin/fasttext' : 'fasttext');
  try {
    execFileSync(bin, ['help'], { stdio: 'ignore' });
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error(`no fastText binary (${bin}) to compress the classifier: \`apt-get install fasttext\`, set $FASTTEXT, or pass --no-quantize for a .bin`);
  }
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await makeModels();
