// `quantext train --algorithm glove …`: GloVe with the shared training flags plus --x-max (glove.c's -x-max).
import { accessSync, constants } from 'node:fs';
import { QuantextError } from '../errors.js';
import { GloVe, type GloVeTrainResult } from '../train/glove/glove.js';
import { saveVectors } from '../vectors/load.js';
import type { CorpusInput } from '../train/corpus.js';
import { ProgressBar, fmtRate } from './progress.js';
import { num, positiveInt, seed, str } from './args.js';
import { prepareOutput, saveFormatFor, type TrainCliOptions, type TrainSummary } from './train.js';

/** Trains GloVe: --dim, --window, --min-count, --epochs, --alpha (the learning rate, default 0.05), --threads, --seed, --x-max. */
export async function gloveCommand(corpus: CorpusInput, o: TrainCliOptions): Promise<{ summary: TrainSummary; model: GloVe; result: GloVeTrainResult }> {
  const out = str(o.out);
  const format = out === undefined ? 'bin' : saveFormatFor(out, o.format);
  const model = new GloVe({
    vectorSize: positiveInt('--dim', o.dim, 100, 10000),
    window: positiveInt('--window', o.window, 15, 1000),
    minCount: positiveInt('--min-count', o.minCount, 5),
    epochs: positiveInt('--epochs', o.epochs, 25, 100000),
    learningRate: num('--alpha', o.alpha, 0.05, { min: 0, minExclusive: true, max: 10 }),
    xMax: num('--x-max', o.xMax, 100, { min: 0, minExclusive: true }),
    workers: positiveInt('--threads', o.threads, 1, 1024),
    seed: seed('--seed', o.seed, 1),
  });
  try {
    if (typeof corpus === 'string') {
      try {
        accessSync(corpus, constants.R_OK);
      } catch (e) {
        throw new QuantextError('E_IO', `cannot read the corpus ${corpus}: ${(e as Error).message}`, { file: corpus }, { cause: e });
      }
    }
    if (out !== undefined) prepareOutput(out);
    else if (!o.quiet) process.stderr.write('quantext: no --out given: the trained vectors will not be saved\n');
    const bar = new ProgressBar('train', process.stderr, o.quiet);
    const result = await model.train(corpus, {
      onProgress: (p) =>
        bar.update(p.progress, { epoch: `${p.epoch + 1}/${p.epochs}`, 'words/s': fmtRate(p.wordsPerSecond), cost: p.loss.toExponential(3) }),
    });
    bar.done(`trained GloVe ${model.wv.size} words × ${model.wv.dim} on ${result.pairs} pairs in ${result.seconds.toFixed(1)} s (${fmtRate(result.wordsPerSecond)} words/s, ${result.threads} thread${result.threads > 1 ? 's' : ''})`);
    if (out !== undefined) await saveVectors(model.wv, out, { format });
    return {
      model,
      result,
      summary: {
        words: result.words, seconds: result.seconds, wordsPerSecond: result.wordsPerSecond, vocabSize: model.wv.size,
        epochs: result.epochs, threads: result.threads, loss: result.loss, out,
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
