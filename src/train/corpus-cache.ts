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
 * Copies an encoded corpus into wasm memory, compacted (unknown words dropped) and with sentences longer than
 * maxSentenceLength split, and cuts it into batches of about batchWords tokens.
 */
export function cacheEncoded(mem: TrainMemory, enc: EncodedCorpus, maxLen: number, batchWords: number): CachedCorpus {
  const a = mem.rt.arena;
  const src = enc.tokens;
  let kept = 0, pieces = 0, s0 = 0;
  for (const e of enc.ends) {
    let k = 0;
    for (let i = s0; i < e; i++) if (src[i] >= 0) k++;
    kept += k;
    pieces += Math.ceil(k / maxLen);
    s0 = e;
  }
  const tokens = mem.alloc(Math.max(16, kept * 4));
  let offsets: number;
  try {
    offsets = mem.alloc((pieces + 1) * 4);
  } catch (e) {
    mem.free(tokens); // E_OOM: a failed call keeps nothing
    throw e;
  }
  const T = a.i32(tokens, kept), O = a.i32(offsets, pieces + 1);
  const batches: CachedCorpus['batches'] = [];
  let n = 0, p = 0, bStart = 0, bTok = 0, bRaw = 0;
  // the same cuts as the streaming path: after a piece once a batch holds batchWords tokens
  const cut = () => {
    batches.push({ s0: bStart, n: p - bStart, raw: bRaw });
    bStart = p;
    bTok = n;
    bRaw = 0;
  };
  s0 = 0;
  for (const e of enc.ends) {
    let inPiece = 0;
    for (let i = s0; i < e; i++) {
      const id = src[i];
      if (id < 0) {
        bRaw++;
        continue;
      }
      if (inPiece === maxLen) {
        inPiece = 0;
        if (n - bTok >= batchWords) cut();
      }
      if (inPiece === 0) O[p++] = n;
      T[n++] = id;
      inPiece++;
      bRaw++;
    }
    s0 = e;
    if (n - bTok >= batchWords) cut();
  }
  O[p] = n;
  if (p > bStart || bRaw > 0) batches.push({ s0: bStart, n: p - bStart, raw: bRaw });
  return { tokens, offsets, nsent: p, batches };
}


/** Frees a cache made by cacheEncoded. */
export function releaseCache(mem: TrainMemory, c: CachedCorpus): void {
  mem.free(c.tokens);
  mem.free(c.offsets);
}
