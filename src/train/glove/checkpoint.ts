// GloVe's training state as a file (format "quantext.glove", on model-file.ts's safetensors container):
//   tensors  params  F32 [2·V·dim + 2·V]   W, W̃, b, b̃ (glove.c's layout)
//            gradsq  F32 [2·V·dim + 2·V]   AdaGrad's squared-gradient sums, same layout
//            counts  F64 [V]               word counts
//            words   U8  [n]               the vocabulary as a UTF-8 JSON array
//   metadata format, version "1", options (JSON), rng (decimal u64: the shuffle stream now), schedule (JSON
//            { done, total } or, inside epoch `done`, { done, total, batch, cost, bad }: the records of that epoch's
//            shuffle already trained and the epoch's cost and skipped updates so far), cooccur (JSON or null:
//            { pairs, tokens, hash, rng0, shuffles }: the co-occurrence records the schedule runs over, fingerprinted
//            before any shuffle, the shuffle stream's state when they were counted and the shuffles applied since),
//            totalWords, totalSentences, crc32.
// The records themselves are not saved: resuming counts them again from the corpus, checks the fingerprint and
// replays the shuffles, which gives the same order as the interrupted run.
import { writeSafetensors, safeTensor, type SafetensorsTensor } from '../../io/safetensors.js';
import { checksum, openModelContainer, MODEL_FORMAT_VERSION } from '../model-file.js';

export const GLOVE_MODEL_FORMAT = 'quantext.glove';

/** Where GloVe's epochs stand. `batch`: a checkpoint inside epoch `done` (its shuffle done, `batch` records trained). */
export interface GloVeSchedule {
  done: number;
  total: number;
  batch?: number;
}

/** The co-occurrence records a schedule runs over. */
export interface CooccurState {
  pairs: number;
  tokens: number;
  hash: number;
  rng0: bigint;
  shuffles: number;
}

export interface GloVeRecord {
  options: Record<string, unknown>;
  words: string[];
  counts: Float64Array;
  totalWords: number;
  totalSentences: number;
  rng: bigint;
  schedule: GloVeSchedule;
  /** the epoch's cost and skipped updates so far (a checkpoint inside an epoch) */
  partial: { cost: number; bad: number };
  cooccur?: CooccurState;
  params: Float32Array;
  gradsq: Float32Array;
}

/** A fingerprint of n 16-byte records (u32 words, multiply-xor). */
export function recordsHash(u: Uint32Array): number {
  let h = 0x811c9dc5 ^ u.length;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193) ^ (h >>> 15);
  return h >>> 0;
}

export function encodeGloVe(r: GloVeRecord): Uint8Array {
  const V = r.words.length, n = r.params.length;
  const w = new TextEncoder().encode(JSON.stringify(r.words));
  const tensors: Record<string, SafetensorsTensor> = {
    params: safeTensor('F32', [n], r.params),
    gradsq: safeTensor('F32', [n], r.gradsq),
    counts: safeTensor('F64', [V], r.counts),
    words: safeTensor('U8', [w.length], w),
  };
  const s = r.schedule;
  const schedule = s.batch !== undefined ? { ...s, cost: r.partial.cost, bad: r.partial.bad } : { done: s.done, total: s.total };
  const c = r.cooccur;
  return writeSafetensors(tensors, {
    format: GLOVE_MODEL_FORMAT, version: MODEL_FORMAT_VERSION, options: JSON.stringify(r.options), rng: r.rng.toString(),
    schedule: JSON.stringify(schedule),
    cooccur: JSON.stringify(c ? { pairs: c.pairs, tokens: c.tokens, hash: c.hash, rng0: c.rng0.toString(), shuffles: c.shuffles } : null),
    totalWords: String(r.totalWords), totalSentences: String(r.totalSentences), crc32: checksum(tensors),
  });
}

export function decodeGloVe(bytes: Uint8Array, name: string): GloVeRecord {
  const { metadata: m, tensors: t, bad, json } = openModelContainer(bytes, name, GLOVE_MODEL_FORMAT);
  const options = json('options');
  const schedule = json('schedule');
  const cooccur = json('cooccur');
  let words: unknown;
  try {
    words = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(t.words?.data));
  } catch (e) {
    throw bad('its vocabulary is not a JSON array', e);
  }
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) throw bad('its vocabulary is not an array of strings');
  const V = words.length, d = Number(options?.vectorSize);
  if (!(Number.isInteger(d) && d > 0)) throw bad('its options have no vectorSize');
  const n = 2 * V * d + 2 * V;
  const f32 = (k: string) => {
    const x = t[k];
    if (!x || x.dtype !== 'F32' || x.shape.length !== 1 || x.shape[0] !== n) throw bad(`tensor ${k} is missing or not F32[${n}]`);
    return new Float32Array(x.data.slice().buffer);
  };
  const ct = t.counts;
  if (!ct || ct.dtype !== 'F64' || ct.shape[0] !== V) throw bad('tensor counts is missing or has the wrong shape');
  const big = (v: unknown, what: string) => {
    try {
      const b = BigInt(v as string);
      if (b < 0n || b >= 2n ** 64n) throw new Error('out of range');
      return b;
    } catch (e) {
      throw bad(`${what} is not a u64`, e);
    }
  };
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (!(int(schedule?.done) && int(schedule?.total) && schedule.done <= schedule.total)) throw bad('metadata schedule is not { done, total }');
  const mid = schedule.batch !== undefined;
  if (mid && !(int(schedule.batch) && typeof schedule.cost === 'number' && int(schedule.bad))) throw bad('metadata schedule has a malformed mid-epoch position');
  let co: CooccurState | undefined;
  if (cooccur !== null) {
    if (!(int(cooccur?.pairs) && int(cooccur.tokens) && int(cooccur.hash) && int(cooccur.shuffles))) throw bad('metadata cooccur is malformed');
    co = { pairs: cooccur.pairs, tokens: cooccur.tokens, hash: cooccur.hash, rng0: big(cooccur.rng0, 'cooccur.rng0'), shuffles: cooccur.shuffles };
  }
  return {
    options, words: words as string[], counts: new Float64Array(ct.data.slice().buffer), totalWords: Number(m.totalWords),
    totalSentences: Number(m.totalSentences), rng: big(m.rng, 'metadata rng'),
    schedule: mid ? { done: schedule.done, total: schedule.total, batch: schedule.batch } : { done: schedule.done, total: schedule.total },
    partial: mid ? { cost: schedule.cost, bad: schedule.bad } : { cost: 0, bad: 0 },
    cooccur: co, params: f32('params'), gradsq: f32('gradsq'),
  };
}
