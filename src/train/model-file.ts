// The Word2Vec model file: everything training needs to continue in a later process.
//
// Container: safetensors (src/io/safetensors.ts), little-endian.
//   tensors  syn0     F32 [V, dim]        input vectors (the KeyedVectors rows)
//            syn1neg  F32 [V, dim]        negative-sampling output weights (when negative > 0)
//            syn1     F32 [V − 1, dim]    hierarchical-softmax inner nodes (when hs and V > 1)
//            counts   F64 [V]             word counts
//            words    U8  [n]             the vocabulary as a UTF-8 JSON array of strings, in row order
//   metadata format "quantext.word2vec", version "1", options (JSON of the model's options), rng (the RNG state,
//            decimal), schedule (JSON { done, total } or { done, total, batch, words }: epochs of the learning-rate schedule, and
//            for a checkpoint inside an epoch the batches of epoch `done` trained and the raw tokens they cover), totalWords,
//            totalSentences (of the vocabulary's corpus), crc32 (hex, over the tensors' bytes in name order).
//
// FastText (format "quantext.fasttext", same version and fields): syn0 is fastText's whole input matrix, F32
// [V + n-gram rows, dim] (the word rows, then the `bucket` n-gram rows when maxN > 0), and options carry minN, maxN,
// bucket. A checkpoint's schedule may also carry corpusWords (raw tokens of one epoch), checked on resume.
// GloVe's training state has its own layout on the same container (src/train/glove/checkpoint.ts), through
// openModelContainer().
import { QuantextError } from '../errors.js';
import type { CountedVocab } from './vocab.js';
import { readSafetensors, writeSafetensors, safeTensor, type SafetensorsTensor } from '../io/safetensors.js';
import { fileSystemHost } from '../io/lines.js';

export const MODEL_FORMAT = 'quantext.word2vec';
export const MODEL_FORMAT_VERSION = '1';
export const FASTTEXT_MODEL_FORMAT = 'quantext.fasttext';

/** The kinds of training-state file: their format strings and the model's name in messages. */
const KINDS: Record<string, string> = { [MODEL_FORMAT]: 'Word2Vec', [FASTTEXT_MODEL_FORMAT]: 'FastText', 'quantext.glove': 'GloVe' };

export interface ModelRecord {
  options: Record<string, unknown>;
  words: string[];
  counts: Float64Array;
  totalWords: number;
  totalSentences: number;
  rng: bigint;
  /** epochs done of total; with batch/words, a checkpoint inside epoch `done` (see TrainSchedule) */
  schedule: { done: number; total: number; batch?: number; words?: number; corpusWords?: number };
  /** the input matrix: V rows (Word2Vec), V + n-gram rows (FastText) */
  syn0: Float32Array;
  syn1neg?: Float32Array;
  syn1?: Float32Array;
}

let crcTable: Uint32Array | undefined;
function crc32(parts: Uint8Array[]): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = t[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function checksum(tensors: Record<string, SafetensorsTensor>): string {
  return crc32(Object.keys(tensors).sort().map((k) => tensors[k].data)).toString(16).padStart(8, '0');
}

/** Rows of the input matrix of a model with V words and these options (the n-gram rows of a FastText model). */
function inputRows(format: string, V: number, options: Record<string, unknown>): number {
  return format === FASTTEXT_MODEL_FORMAT && Number(options.maxN) > 0 ? V + Number(options.bucket) : V;
}

/** Serializes a model record (see the layout above) as `format` (Word2Vec's by default, or FastText's). */
export function encodeModel(r: ModelRecord, format = MODEL_FORMAT): Uint8Array {
  const V = r.words.length, d = Number(r.options.vectorSize);
  const tensors: Record<string, SafetensorsTensor> = {
    syn0: safeTensor('F32', [inputRows(format, V, r.options), d], r.syn0),
    counts: safeTensor('F64', [V], r.counts),
    words: safeTensor('U8', [0], new Uint8Array(0)),
  };
  const w = new TextEncoder().encode(JSON.stringify(r.words));
  tensors.words = safeTensor('U8', [w.length], w);
  if (r.syn1neg) tensors.syn1neg = safeTensor('F32', [V, d], r.syn1neg);
  if (r.syn1) tensors.syn1 = safeTensor('F32', [V - 1, d], r.syn1);
  return writeSafetensors(tensors, {
    format, version: MODEL_FORMAT_VERSION, options: JSON.stringify(r.options), rng: r.rng.toString(),
    schedule: JSON.stringify(r.schedule), totalWords: String(r.totalWords), totalSentences: String(r.totalSentences),
    crc32: checksum(tensors),
  });
}

/** A training-state container opened and checked (format, version, checksum); `bad` makes its E_FORMAT errors. */
export interface ModelContainer {
  metadata: Record<string, string>;
  tensors: Record<string, SafetensorsTensor>;
  bad: (why: string, cause?: unknown) => QuantextError;
  /** metadata entry `k` parsed as JSON (E_FORMAT when it is not) */
  json: (k: string) => any;
}

/** Opens a training-state file of `format`; anything damaged or foreign is E_FORMAT naming `name` and what is wrong. */
export function openModelContainer(bytes: Uint8Array, name: string, format: string): ModelContainer {
  const bad = (why: string, cause?: unknown) => new QuantextError('E_FORMAT', `${name}: not a quantext ${KINDS[format] ?? format} model file (${why})`, { file: name }, cause ? { cause } : undefined);
  let c;
  try {
    c = readSafetensors(bytes);
  } catch (e) {
    throw bad((e as Error).message, e);
  }
  const m = c.metadata, t = c.tensors;
  if (m.format !== format) throw bad(`its format is ${JSON.stringify(m.format ?? null)}`);
  if (m.version !== MODEL_FORMAT_VERSION) throw bad(`version ${m.version} is not supported (this version reads ${MODEL_FORMAT_VERSION})`);
  if (checksum(t) !== m.crc32) throw bad('its checksum does not match: the file is damaged');
  const json = (k: string) => {
    try {
      return JSON.parse(m[k]);
    } catch (e) {
      throw bad(`metadata ${k} is not JSON`, e);
    }
  };
  return { metadata: m, tensors: t, bad, json };
}

/** Parses a model file of `format` (Word2Vec's by default); anything damaged or foreign is E_FORMAT naming `name`. */
export function decodeModel(bytes: Uint8Array, name: string, format = MODEL_FORMAT): ModelRecord {
  const { metadata: m, tensors: t, bad, json } = openModelContainer(bytes, name, format);
  const options = json('options');
  const schedule = json('schedule');
  let words: unknown;
  try {
    words = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(t.words?.data));
  } catch (e) {
    throw bad('its vocabulary is not a JSON array', e);
  }
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) throw bad('its vocabulary is not an array of strings');
  const V = words.length, d = Number(options?.vectorSize);
  const f32 = (k: string, rows: number, need: boolean): Float32Array | undefined => {
    const x = t[k];
    if (!x) {
      if (need) throw bad(`tensor ${k} is missing`);
      return undefined;
    }
    if (x.dtype !== 'F32' || x.shape.length !== 2 || x.shape[0] !== rows || x.shape[1] !== d) throw bad(`tensor ${k} is ${x.dtype}${JSON.stringify(x.shape)}, expected F32[${rows},${d}]`);
    return new Float32Array(x.data.slice().buffer);
  };
  if (!(Number.isInteger(d) && d > 0)) throw bad('its options have no vectorSize');
  const syn0 = f32('syn0', inputRows(format, V, options), true)!;
  const syn1neg = f32('syn1neg', V, Number(options.negative) > 0);
  const syn1 = f32('syn1', V - 1, !!options.hs && V > 1);
  const ct = t.counts;
  if (!ct || ct.dtype !== 'F64' || ct.shape[0] !== V) throw bad('tensor counts is missing or has the wrong shape');
  let rng: bigint;
  try {
    rng = BigInt(m.rng);
  } catch (e) {
    throw bad('metadata rng is not an integer', e);
  }
  if (!(Number.isInteger(schedule?.done) && Number.isInteger(schedule?.total))) throw bad('metadata schedule is not { done, total }');
  // a checkpoint in the middle of an epoch: the batches of epoch `done` trained already and the raw tokens they cover
  const mid = schedule.batch !== undefined || schedule.words !== undefined;
  if (mid && !(Number.isInteger(schedule.batch) && schedule.batch > 0 && Number.isInteger(schedule.words) && schedule.words >= 0)) {
    throw bad('metadata schedule has a malformed mid-epoch position { batch, words }');
  }
  const sched: ModelRecord['schedule'] = mid ? { done: schedule.done, total: schedule.total, batch: schedule.batch, words: schedule.words } : { done: schedule.done, total: schedule.total };
  if (schedule.corpusWords !== undefined) {
    if (!(Number.isInteger(schedule.corpusWords) && schedule.corpusWords >= 0)) throw bad('metadata schedule has a malformed corpusWords');
    sched.corpusWords = schedule.corpusWords;
  }
  return {
    options, words: words as string[], counts: new Float64Array(ct.data.slice().buffer), totalWords: Number(m.totalWords),
    totalSentences: Number(m.totalSentences), rng, schedule: sched, syn0, syn1neg, syn1,
  };
}

/** Reads a whole file through the registered file system. */
export async function readModelBytes(path: string | URL): Promise<Uint8Array> {
  const src = await fileSystemHost(path).openRead(path);
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const ch of src.chunks) {
    parts.push(ch);
    n += ch.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Options `load()` takes beside the file: everything else is saved with the model. */
export type LoadOptions = { runtime?: unknown; tokenizer?: unknown; workers?: unknown };

/**
 * A trainer made from a saved model's options plus the load options (runtime, tokenizer, workers; any other key is
 * E_OPTION, since it is saved with the model). Saved options the constructor rejects make the file E_FORMAT.
 */
export function fromSavedOptions<T>(who: string, name: string, saved: object, options: LoadOptions, make: (o: Record<string, unknown>) => T): T {
  if (typeof options !== 'object' || options === null) throw new QuantextError('E_OPTION', `${who}.load(): options must be an object`, { option: 'options' });
  const given: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(options)) {
    if (k !== 'runtime' && k !== 'tokenizer' && k !== 'workers') {
      throw new QuantextError('E_OPTION', `${who}.load(): option '${k}' is saved with the model; only runtime, tokenizer and workers can be given`, { option: k });
    }
    if (x !== undefined) given[k] = x;
  }
  try {
    return make({ ...(saved as Record<string, unknown>), ...given });
  } catch (e) {
    if (e instanceof QuantextError && e.code === 'E_OPTION' && !(String(e.details?.option) in given)) {
      throw new QuantextError('E_FORMAT', `${name}: the saved options are not valid: ${e.message}`, undefined, { cause: e });
    }
    throw e;
  }
}

/** The counted vocabulary of a saved model (words, counts and totals as saved; the index and retained count rebuilt). */
export function savedVocab(r: Pick<ModelRecord, 'words' | 'counts' | 'totalWords' | 'totalSentences'>): CountedVocab {
  const index = new Map<string, number>();
  r.words.forEach((w, i) => index.set(w, i));
  let retained = 0;
  for (const c of r.counts) retained += c;
  return { words: r.words, counts: r.counts, index, totalWords: r.totalWords, totalSentences: r.totalSentences, retainedWords: retained };
}
