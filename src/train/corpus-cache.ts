// The corpus cache: an epoch's corpus encoded as word ids in wasm memory, so later epochs neither read nor tokenize
// it again, cut into the same batches as a streamed epoch.
import type { EncodedCorpus } from './vocab.js';
import type { TrainMemory } from './memory.js';

/** Corpora up to this many tokens are cached when `cacheCorpus` is 'auto'. */
export const CACHE_LIMIT = 20_000_000;

export interface CachedCorpus {
  /** wasm addresses of the compacted ids and of the sentence starts (nsent + 1 entries) */
  tokens: number;
  offsets: number;
  nsent: number;
  /** batches as (first sentence, sentence count, raw corpus tokens they stand for) */
  batches: { s0: number; n: number; raw: number }[];
}

/** Records a streamed epoch as ids (−1 for unknown words) and sentence ends, in growable typed arrays. */
export class Recorder {
  private t = new Int32Array(1 << 16);
  private n = 0;
  private e = new Int32Array(1 << 12);
  private ns = 0;
  push(id: number): void {
    if (this.n === this.t.length) {
      const t = new Int32Array(this.t.length * 2);
      t.set(this.t);
      this.t = t;
    }
    this.t[this.n++] = id;
  }
  endSentence(): void {
    if (this.ns === this.e.length) {
      const e = new Int32Array(this.e.length * 2);
      e.set(this.e);
      this.e = e;
    }
    this.e[this.ns++] = this.n;
  }
  finish(): EncodedCorpus {
    return { tokens: this.t.subarray(0, this.n), ends: this.e.subarray(0, this.ns) };
  }
}

/**
 * Copies an encoded corpus into wasm memory, compacted (unknown words dropped, ids mapped through `enc.remap` when
 * the corpus holds the vocabulary pass's slots) and with sentences longer than maxSentenceLength split, and cuts it
 * into batches of about batchWords tokens (the same cuts as a streamed epoch). One kernel call, no JS per token.
 */
export function cacheEncoded(mem: TrainMemory, enc: EncodedCorpus, maxLen: number, batchWords: number): CachedCorpus {
  const rt = mem.rt, a = rt.arena;
  const N = enc.tokens.length, NE = enc.ends.length;
  const maxPieces = NE + Math.floor(N / maxLen) + 1;
  const tokens = mem.alloc(Math.max(16, N * 4));
  const temp: number[] = [];
  let offsets = 0;
  try {
    offsets = mem.alloc((maxPieces + 1) * 4);
    const ends = mem.alloc(Math.max(16, NE * 4));
    temp.push(ends);
    const batches = mem.alloc((maxPieces + 1) * 12);
    temp.push(batches);
    const out = mem.alloc(16);
    temp.push(out);
    let remap = 0;
    if (enc.remap) {
      remap = mem.alloc(Math.max(16, enc.remap.length * 4));
      temp.push(remap);
      a.i32(remap, enc.remap.length).set(enc.remap);
    }
    a.i32(tokens, N).set(enc.tokens);
    a.i32(ends, NE).set(enc.ends);
    rt.kernels.w2v_cache_corpus(tokens, N, ends, NE, remap, maxLen, batchWords, tokens, offsets, batches, out);
    const [, nsent, nb] = a.i32(out, 3);
    const B = a.i32(batches, nb * 3);
    const list: CachedCorpus['batches'] = new Array(nb);
    for (let i = 0; i < nb; i++) list[i] = { s0: B[3 * i], n: B[3 * i + 1], raw: B[3 * i + 2] };
    return { tokens, offsets, nsent, batches: list };
  } catch (e) {
    mem.free(tokens); // E_OOM: a failed call keeps nothing
    if (offsets) mem.free(offsets);
    throw e;
  } finally {
    for (const p of temp) mem.free(p);
  }
}

/** Frees a cache made by cacheEncoded. */
export function releaseCache(mem: TrainMemory, c: CachedCorpus): void {
  mem.free(c.tokens);
  mem.free(c.offsets);
}
