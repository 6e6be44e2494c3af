import { QuantextError } from '../errors.js';
import type { ByteSource } from '../io/lines.js';
import { openByteSource } from '../io/lines.js';
import { fastTextTokens } from '../fasttext/dictionary.js';
import { formatG } from '../fasttext/format.js';
import type { FastTextModel } from '../fasttext/model.js';
import { int, num } from './args.js';

export interface PredictSummary {
  /** Lines (documents) predicted. */
  n: number;
  seconds: number;
  docsPerSecond: number;
}

/**
 * `quantext predict MODEL [FILE|-] [--k 1] [--prob] [--threshold T]`: one output line per input line, as
 * `fasttext predict` (labels separated by spaces) or `fasttext predict-prob` (each label followed by its
 * probability, printed as C++ prints a float). Lines are read as fastText reads them: a line ended by a newline has
 * "</s>" after its words; a last line without one has not; an empty line still gets an output line.
 */
export async function predictCommand(
  model: FastTextModel,
  input: ByteSource,
  o: { k?: unknown; prob?: boolean; threshold?: unknown },
  write: (s: string) => void,
): Promise<PredictSummary> {
  const k = int('--k', o.k, 1, { min: -1 });
  if (k === 0) throw new QuantextError('E_OPTION', '--k must be a positive integer or -1 (all labels)', { option: 'k' });
  const threshold = num('--threshold', o.threshold, 0);
  if (!model.isSupervised) throw new QuantextError('E_UNSUPPORTED', 'predict: this fastText model is unsupervised (skipgram or cbow); only supervised models predict labels');
  const prob = !!o.prob;
  const t0 = performance.now();
  let n = 0;
  let out = '';
  const decoder = new TextDecoder();
  const line = (bytes: Uint8Array, eos: boolean) => {
    const preds = model.predictTokens(fastTextTokens(decoder.decode(bytes)), k, threshold, eos);
    let s = '';
    for (let j = 0; j < preds.length; j++) {
      if (j > 0) s += ' ';
      s += preds[j][0];
      if (prob) s += ' ' + formatG(preds[j][1], 6);
    }
    out += s + '\n';
    n++;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  };
  const opened = await openByteSource(input);
  let rest: Uint8Array = new Uint8Array(0);
  for await (const chunk of opened.chunks) {
    let buf = chunk;
    if (rest.length) {
      buf = new Uint8Array(rest.length + chunk.length);
      buf.set(rest);
      buf.set(chunk, rest.length);
    }
    let start = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
      line(buf.subarray(start, i), true);
      start = i + 1;
    }
    rest = buf.slice(start);
  }
  if (rest.length > 0) line(rest, false);
  if (out) write(out);
  const seconds = (performance.now() - t0) / 1000;
  return { n, seconds, docsPerSecond: seconds > 0 ? n / seconds : 0 };
}
