import { QuantextError } from '../errors.js';
import type { ByteSource } from '../io/lines.js';
import { openByteSource } from '../io/lines.js';
import { formatG } from '../fasttext/format.js';
import type { FastTextPredictor, PredictionBlock } from '../fasttext/predictor.js';
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
 * probability, printed as C++ prints a float). The input streams through the model's wasm predictor in chunks of
 * whole lines (no JavaScript per token), read as fastText reads them: a line ended by a newline has "</s>" after its
 * words; a last line without one has not; an empty line still gets an output line; a "</s>" written in a line ends
 * it there (fastText predicts the rest as a line of its own).
 */
export async function predictCommand(
  model: { readonly isSupervised: boolean; readonly predictor: FastTextPredictor }, // a FastTextModel, or FastTextPredictModel
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
  const predictor = model.predictor;
  const names = predictor.labels;
  let n = 0;
  let out = '';
  const emit = (b: PredictionBlock) => {
    for (let d = 0; d < b.docs; d++) {
      let s = '';
      for (let j = b.offsets[d]; j < b.offsets[d + 1]; j++) {
        if (j > b.offsets[d]) s += ' ';
        s += names[b.labels[j]];
        if (prob) s += ' ' + formatG(b.probs[j], 6);
      }
      out += s + '\n';
    }
    n += b.docs;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  };
  const opened = await openByteSource(input);
  // whole lines of each chunk go to the predictor as they are; only the piece of a line cut by a chunk's end is
  // copied (joined with the start of the next chunk), not the chunk it starts (as a carry-over joined to it was)
  let rest: Uint8Array = new Uint8Array(0);
  for await (const chunk of opened.chunks) {
    let buf = chunk;
    if (rest.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        rest = concat(rest, chunk); // a line longer than a chunk
        continue;
      }
      emit(predictor.predictBytes(concat(rest, chunk.subarray(0, nl + 1)), { k, threshold, final: false }));
      buf = chunk.subarray(nl + 1);
    }
    const b = predictor.predictBytes(buf, { k, threshold, final: false });
    emit(b);
    rest = buf.slice(b.consumed);
  }
  if (rest.length > 0) emit(predictor.predictBytes(rest, { k, threshold, final: true }));
  if (out) write(out);
  const seconds = (performance.now() - t0) / 1000;
  return { n, seconds, docsPerSecond: seconds > 0 ? n / seconds : 0 };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
