import { QuantextError } from '../errors.js';
import { Word2Vec, type TrainResult } from '../train/word2vec.js';
import { saveVectors } from '../vectors/load.js';
import type { CorpusInput } from '../train/corpus.js';
import { ProgressBar, fmtRate } from './progress.js';
import { num, int, oneOf } from './args.js';

export interface TrainCliOptions {
  out?: string;
  model?: string;
  loss?: string;
  dim?: unknown;
  window?: unknown;
  negative?: unknown;
  sample?: unknown;
  minCount?: unknown;
  epochs?: unknown;
  alpha?: unknown;
  threads?: unknown;
  seed?: unknown;
  format?: string;
  sharedNegatives?: boolean;
  quiet?: boolean;
}

export interface TrainSummary {
  words: number;
  seconds: number;
  wordsPerSecond: number;
  vocabSize: number;
  epochs: number;
  threads: number;
  loss: number;
  out?: string;
}

/** `quantext train CORPUS --out FILE …`: Word2Vec with word2vec.c-style flags; returns the --json summary. */
export async function trainCommand(corpus: CorpusInput, o: TrainCliOptions): Promise<{ summary: TrainSummary; model: Word2Vec; result: TrainResult }> {
  const sg = oneOf('--model', o.model ?? 'skipgram', ['skipgram', 'cbow']) === 'skipgram';
  const loss = oneOf('--loss', o.loss ?? 'ns', ['ns', 'hs']);
  const negative = loss === 'hs' ? 0 : int('--negative', o.negative, 5);
  const alpha = o.alpha === undefined ? (sg ? 0.025 : 0.05) : num('--alpha', o.alpha, 0.025);
  const format = oneOf('--format', o.format ?? 'bin', ['bin', 'txt']) as 'bin' | 'txt';
  const model = new Word2Vec({
    sg: sg ? 1 : 0,
    hs: loss === 'hs' ? 1 : 0,
    negative,
    vectorSize: int('--dim', o.dim, 100),
    window: int('--window', o.window, 5),
    sample: num('--sample', o.sample, 1e-3),
    minCount: int('--min-count', o.minCount, 5),
    epochs: int('--epochs', o.epochs, 5),
    alpha,
    workers: int('--threads', o.threads, 1),
    seed: int('--seed', o.seed, 1),
    sharedNegatives: o.sharedNegatives !== false,
  });
  const bar = new ProgressBar('train', process.stderr, o.quiet);
  let result: TrainResult;
  try {
    result = await model.train(corpus, {
      onProgress: (p) =>
        bar.update(p.progress, {
          epoch: `${p.epoch + 1}/${p.epochs}`,
          'words/s': fmtRate(p.wordsPerSecond),
          alpha: p.alpha.toFixed(5),
          loss: p.loss.toExponential(3),
        }),
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  bar.done(`trained ${model.wv.size} words × ${model.wv.dim} in ${result.seconds.toFixed(1)} s (${fmtRate(result.wordsPerSecond)} words/s, ${result.threads} thread${result.threads > 1 ? 's' : ''})`);
  if (o.out) await saveVectors(model.wv, o.out, { format });
  return {
    model,
    result,
    summary: {
      words: result.words, seconds: result.seconds, wordsPerSecond: result.wordsPerSecond, vocabSize: model.wv.size,
      epochs: result.epochs, threads: result.threads, loss: result.loss, out: o.out,
    },
  };
}

export function requireArg(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new QuantextError('E_OPTION', `missing ${what}`);
  return v;
}
