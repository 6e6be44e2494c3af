// `quantext supervised TRAIN --out MODEL [...]`: fastText's `supervised` command (flags in fastText's names, with
// quantext's --kebab-case), the same progress bar as `train`, and a fastText `.bin` out.
import { QuantextError } from '../errors.js';
import { TextClassifier, type ClassifierTrainResult, type TextClassifierOptions } from '../classify/classifier.js';
import type { FastTextLoss } from '../fasttext/args.js';
import { ProgressBar, fmtRate } from './progress.js';
import { num, int, positiveInt, seed, oneOf, str } from './args.js';
import { prepareOutput } from './train.js';

export interface SupervisedCliOptions {
  out?: unknown;
  dim?: unknown;
  epoch?: unknown;
  lr?: unknown;
  wordNgrams?: unknown;
  minn?: unknown;
  maxn?: unknown;
  bucket?: unknown;
  loss?: unknown;
  neg?: unknown;
  threads?: unknown;
  seed?: unknown;
  minCount?: unknown;
  minCountLabel?: unknown;
  label?: unknown;
  skipInvalid?: boolean;
  quiet?: boolean;
}

export interface SupervisedSummary {
  out?: string;
  words: number;
  labels: number;
  examples: number;
  tokens: number;
  epochs: number;
  seconds: number;
  tokensPerSecond: number;
  loss: number;
  threads: number;
}

/** The classifier options from the flags (E_OPTION naming the flag). */
export function supervisedOptions(o: SupervisedCliOptions): TextClassifierOptions {
  const loss = str(o.loss);
  return {
    dim: positiveInt('--dim', o.dim, 100, 10000),
    epochs: positiveInt('--epoch', o.epoch, 5),
    lr: num('--lr', o.lr, 0.1, { min: 0, minExclusive: true, max: 100 }),
    wordNgrams: positiveInt('--word-ngrams', o.wordNgrams, 1, 100),
    minn: int('--minn', o.minn, 0, { min: 0, max: 100 }),
    maxn: int('--maxn', o.maxn, 0, { min: 0, max: 100 }),
    bucket: int('--bucket', o.bucket, 2_000_000, { min: 0, max: 0x7fffffff }),
    loss: loss === undefined ? 'softmax' : oneOf<FastTextLoss>('--loss', loss, ['softmax', 'hs', 'ns', 'ova']),
    neg: positiveInt('--neg', o.neg, 5, 1000),
    threads: positiveInt('--threads', o.threads, 1, 1024),
    seed: seed('--seed', o.seed, 0),
    minCount: positiveInt('--min-count', o.minCount, 1),
    minCountLabel: int('--min-count-label', o.minCountLabel, 0, { min: 0 }),
    labelPrefix: str(o.label) ?? '__label__',
    skipInvalid: !!o.skipInvalid,
  };
}

export async function supervisedCommand(input: string, o: SupervisedCliOptions): Promise<{ summary: SupervisedSummary; model: TextClassifier }> {
  const opts = supervisedOptions(o);
  const out = str(o.out);
  if (out !== undefined) prepareOutput(out);
  else if (!o.quiet) process.stderr.write('quantext: no --out given: the trained model will not be saved\n');
  const clf = new TextClassifier(opts);
  const bar = new ProgressBar('supervised', process.stderr, o.quiet);
  let r: ClassifierTrainResult;
  try {
    r = await clf.train(input, {
      onProgress: (p) =>
        bar.update(p.progress, {
          epoch: `${p.epoch + 1}/${p.epochs}`,
          'words/s': fmtRate(p.wordsPerSecond),
          lr: p.alpha.toFixed(6),
          loss: p.loss.toFixed(6),
        }),
    });
    bar.done(`trained ${clf.model.dict.nwords} words, ${clf.model.dict.nlabels} labels × ${opts.dim} in ${r.seconds.toFixed(1)} s (${fmtRate(r.tokensPerSecond)} words/s)`);
    if (out !== undefined) await clf.save(out);
  } catch (e) {
    clf.dispose();
    if (e instanceof QuantextError) throw e;
    throw e;
  }
  return {
    summary: {
      out, words: clf.model.dict.nwords, labels: clf.model.dict.nlabels, examples: r.examples, tokens: r.tokens, epochs: r.epochs,
      seconds: r.seconds, tokensPerSecond: r.tokensPerSecond, loss: r.loss, threads: opts.threads!,
    },
    model: clf,
  };
}
