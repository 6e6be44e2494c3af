import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { QuantextError } from '../errors.js';
import { Word2Vec, type TrainResult } from '../train/word2vec.js';
import { FastText } from '../train/fasttext.js';
import { saveVectors, type SaveVectorsOptions } from '../vectors/load.js';
import type { CorpusInput } from '../train/corpus.js';
import { ProgressBar, fmtRate } from './progress.js';
import { num, int, positiveInt, seed, oneOf, str } from './args.js';
import { gloveCommand } from './glove.js';
import type { GloVe, GloVeTrainResult } from '../train/glove/glove.js';

type SaveFormat = NonNullable<SaveVectorsOptions['format']>;
const SAVE_FORMATS: readonly SaveFormat[] = ['bin', 'txt', 'glove', 'safetensors'];

/** The save format: `--format` when given, else from the extension (.txt/.vec → text, .safetensors), else binary. */
export function saveFormatFor(out: string, format: unknown): SaveFormat {
  const f = str(format);
  if (f !== undefined) return oneOf('--format', f, SAVE_FORMATS);
  const ext = extname(out).toLowerCase();
  return ext === '.txt' || ext === '.vec' ? 'txt' : ext === '.safetensors' ? 'safetensors' : 'bin';
}

/**
 * Makes sure `out` can be written before any work is done: creates its folder (as `mkdir -p`) and writes and
 * removes a probe file there (saves write a temporary file in that folder, then rename it). Fails with E_IO
 * naming the folder otherwise, and when `out` is a folder.
 */
export function prepareOutput(out: string, flag = '--out'): void {
  const path = resolve(out);
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new QuantextError('E_IO', `${flag} ${out} is a folder; give a file name (e.g. ${join(out, 'vectors.bin')})`, { file: out, option: flag });
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new QuantextError('E_IO', `${flag} ${out}: cannot create the folder ${dir}: ${(e as Error).message}`, { file: out, option: flag }, { cause: e });
  }
  const probe = join(dir, `.quantext-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new QuantextError('E_IO', `${flag} ${out}: cannot write in the folder ${dir}: ${(e as Error).message}`, { file: out, option: flag }, { cause: e });
  }
}

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
  /** word2vec (default) | fasttext | glove */
  algorithm?: string;
  /** fastText's character n-grams (--algorithm fasttext) */
  minn?: unknown;
  maxn?: unknown;
  bucket?: unknown;
  quiet?: boolean;
  /** GloVe: the count that gets full weight */
  xMax?: unknown;
  /** word2vec: quantization-aware training to 1- or 2-bit vectors (Word2Bits) */
  quantizeBits?: unknown;
  quantizeLevel?: unknown;
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

/**
 * `quantext train CORPUS --out FILE …`: Word2Vec (or, with `--algorithm fasttext`, FastText with fastText's
 * --minn/--maxn/--bucket; with `--algorithm glove`, GloVe with --x-max) with word2vec.c-style flags; returns the --json
 * summary.
 */
export async function trainCommand(corpus: CorpusInput, o: TrainCliOptions): Promise<{ summary: TrainSummary; model: Word2Vec | FastText | GloVe; result: TrainResult | GloVeTrainResult }> {
  const algorithm = oneOf('--algorithm', str(o.algorithm) ?? 'word2vec', ['word2vec', 'fasttext', 'glove']);
  for (const [flag, v] of [['--minn', o.minn], ['--maxn', o.maxn], ['--bucket', o.bucket]] as const) {
    if (v !== undefined && algorithm !== 'fasttext') throw new QuantextError('E_OPTION', `${flag} needs --algorithm fasttext`, { option: flag });
  }
  if (o.quantizeBits !== undefined && algorithm !== 'word2vec') {
    throw new QuantextError('E_OPTION', `--quantize-bits: quantization-aware training is implemented for --algorithm word2vec, not ${algorithm}`, { option: '--quantize-bits' });
  }
  const quantizeBits = o.quantizeBits === undefined ? undefined : int('--quantize-bits', o.quantizeBits, 1, { min: 1, max: 2 }) as 1 | 2;
  if (o.quantizeLevel !== undefined && quantizeBits === undefined) throw new QuantextError('E_OPTION', '--quantize-level needs --quantize-bits', { option: '--quantize-level' });
  const quantizeLevel = o.quantizeLevel === undefined ? undefined : num('--quantize-level', o.quantizeLevel, 0, { min: 0, minExclusive: true, max: 1e6 });
  if (algorithm === 'glove') return gloveCommand(corpus, o);
  const sg = oneOf('--model', o.model ?? 'skipgram', ['skipgram', 'cbow']) === 'skipgram';
  const loss = oneOf('--loss', o.loss ?? 'ns', ['ns', 'hs']);
  const negative = loss === 'hs' ? 0 : int('--negative', o.negative, 5, { min: 0, max: 1000 });
  if (negative === 0 && loss === 'ns') {
    throw new QuantextError('E_OPTION', '--negative 0 trains nothing with --loss ns (negative sampling): give --negative ≥ 1, or --loss hs', { option: '--negative' });
  }
  const alpha = num('--alpha', o.alpha, sg ? 0.025 : 0.05, { min: 0, minExclusive: true, max: 10 });
  const out = str(o.out);
  // quantized vectors are saved as their table (safetensors) unless a format is asked for (bin/txt/glove write
  // the quantized values as floats, as Word2Bits' own output)
  const textExt = out !== undefined && ['.txt', '.vec'].includes(extname(out).toLowerCase());
  const format = out === undefined ? 'bin' : quantizeBits && str(o.format) === undefined && !textExt ? 'safetensors' : saveFormatFor(out, o.format);
  // FastText without --format saves as FastTextKeyedVectors.save does: a .bin is a fastText model (n-gram table
  // included: fastText and FastTextModel.load read it, unseen words get vectors), .vec/.txt text; --format bin is
  // still word2vec binary (the words' vectors only)
  const asFastTextModel = algorithm === 'fasttext' && out !== undefined && str(o.format) === undefined;
  if (asFastTextModel && extname(out).toLowerCase() === '.ftz') {
    throw new QuantextError('E_OPTION', `--out ${out}: a .ftz is a product-quantized fastText model; train saves a dense one: give a .bin (or --format bin for word2vec binary)`, { option: '--out' });
  }
  const options = {
    sg: sg ? 1 : 0,
    hs: loss === 'hs' ? 1 : 0,
    negative,
    vectorSize: positiveInt('--dim', o.dim, 100, 10000),
    window: positiveInt('--window', o.window, 5, 1000),
    sample: num('--sample', o.sample, 1e-3, { min: 0, max: 1 }),
    minCount: positiveInt('--min-count', o.minCount, 5),
    epochs: positiveInt('--epochs', o.epochs, 5, 100000),
    alpha,
    workers: positiveInt('--threads', o.threads, 1, 1024),
    seed: seed('--seed', o.seed, 1),
    sharedNegatives: o.sharedNegatives !== false,
  };
  const model = algorithm === 'fasttext'
    ? new FastText({
      ...options,
      minN: int('--minn', o.minn, 3, { min: 1, max: 100 }),
      maxN: int('--maxn', o.maxn, 6, { min: 0, max: 100 }),
      bucket: int('--bucket', o.bucket, 2_000_000, { min: 0, max: 0x7fffffff }),
    })
    : new Word2Vec(quantizeBits ? { ...options, sharedNegatives: false, quantize: { bits: quantizeBits, ...(quantizeLevel === undefined ? {} : { level: quantizeLevel }) } } : options);
  try {
    if (typeof corpus === 'string') {
      try {
        accessSync(corpus, constants.R_OK);
      } catch (e) {
        throw new QuantextError('E_IO', `cannot read the corpus ${corpus}: ${(e as Error).message}`, { file: corpus }, { cause: e });
      }
    }
    // before training, not after: a missing or read-only folder must not cost a whole training run
    if (out !== undefined) prepareOutput(out);
    else if (!o.quiet) process.stderr.write('quantext: no --out given: the trained vectors will not be saved\n');
  } catch (e) {
    model.dispose();
    throw e;
  }
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
  if (out !== undefined) {
    try {
      if (asFastTextModel) await model.wv.save(out);
      else await saveVectors(model.wv, out, { format });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return {
    model,
    result,
    summary: {
      words: result.words, seconds: result.seconds, wordsPerSecond: result.wordsPerSecond, vocabSize: model.wv.size,
      epochs: result.epochs, threads: result.threads, loss: result.loss, out,
    },
  };
}

export function requireArg(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new QuantextError('E_OPTION', `missing ${what}`);
  return v;
}
