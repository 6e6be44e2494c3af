import { closeSync, openSync, readSync } from 'node:fs';
import { QuantextError } from '../errors.js';
import { ioError } from '../io/atomic.js';
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
  o: { k?: unknown; prob?: boolean; threshold?: unknown; chunkBytes?: number },
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
  // each label's text as printed, and with the newline (k 1 without probabilities: one string per line)
  const nl = names.map((x) => x + '\n');
  const emit = (b: PredictionBlock) => {
    const { offsets, labels, probs } = b;
    for (let d = 0; d < b.docs; d++) {
      const a = offsets[d], e = offsets[d + 1];
      if (!prob && e - a <= 1) {
        out += e > a ? nl[labels[a]] : '\n';
        continue;
      }
      let s = '';
      for (let j = a; j < e; j++) {
        if (j > a) s += ' ';
        s += names[labels[j]];
        if (prob) s += ' ' + formatG(probs[j], 6);
      }
      out += s + '\n';
    }
    n += b.docs;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  };
  if (typeof input === 'string' && o.chunkBytes !== 0) {
    readFileInto(predictor, input, o.chunkBytes ?? 1 << 20, (b) => emit(b), k, threshold);
    if (out) write(out);
    const seconds = (performance.now() - t0) / 1000;
    return { n, seconds, docsPerSecond: seconds > 0 ? n / seconds : 0 };
  }
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

/**
 * A file's lines through the predictor, read with synchronous reads straight into one block of wasm memory (no
 * buffer per chunk, no copy): whole lines are predicted in place; the piece of a line cut by the block's end moves to
 * its start and the next read follows it (a line longer than the block doubles it).
 */
function readFileInto(predictor: FastTextPredictor, path: string, chunk: number, emit: (b: PredictionBlock) => void, k: number, threshold: number): void {
  const rt = predictor.rt, a = rt.arena;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(e, path, 'read');
  }
  let cap = Math.max(1, chunk), ptr = 0;
  try {
    ptr = a.alloc(cap + 16);
    let carry = 0;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, new Uint8Array(rt.memory.buffer, ptr + carry, cap - carry));
      } catch (e) {
        throw ioError(e, path, 'read');
      }
      const len = carry + got, final = got === 0;
      if (len === 0) break;
      const b = predictor.predictAt(ptr, len, { k, threshold, final });
      if (b.docs > 0) emit(b);
      if (final) break;
      carry = len - b.consumed;
      const h = new Uint8Array(rt.memory.buffer);
      if (carry > 0 && b.consumed > 0) h.copyWithin(ptr, ptr + b.consumed, ptr + len);
      if (carry === cap) {
        // a line longer than the block: a block twice as large, the line's start copied over
        const q = a.alloc(2 * cap + 16);
        new Uint8Array(rt.memory.buffer).copyWithin(q, ptr, ptr + carry);
        a.free(ptr);
        ptr = q;
        cap *= 2;
      }
    }
  } finally {
    if (ptr) a.free(ptr);
    closeSync(fd);
  }
}
