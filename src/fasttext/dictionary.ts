/**
 * fastText's dictionary as a model file holds it (src/dictionary.cc): words then labels (each with its count and
 * type), the token count, and the pruned n-gram map of a `.ftz` made with `-cutoff`. A model file's entries are kept
 * as their raw bytes back to back (fastText hashes bytes, and a word need not be UTF-8); the strings, the Map from
 * word to id and the subword lists are made on first use, so that predicting (in wasm, ./predictor.ts) needs none.
 */
import { QuantextError } from '../errors.js';
import { EOS, buildSubwordTable, computeSubwordsBytes, fnv1a32, wordNgramRows, type PruneIndex, type SubwordTable } from './subwords.js';
import type { FastTextArgs } from './args.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A dictionary's contents: the entries (words, then labels) either as strings with their bytes, or as their bytes
 * back to back (`pool`, with `offsets`: size + 1 byte offsets; what the model reader makes, so that loading a model
 * makes no string or array per entry until one is asked for).
 */
export interface DictionaryParts {
  entries?: string[];
  bytes?: Uint8Array[];
  pool?: Uint8Array;
  offsets?: Int32Array;
  counts: Float64Array;
  nwords: number;
  ntokens: number;
  prunePairs: Int32Array | null;
}

export class FastTextDictionary {
  readonly nwords: number;
  readonly nlabels: number;
  readonly ntokens: number;
  /** Count per entry (int64 in the file; exact below 2^53). */
  readonly counts: Float64Array;
  /** Pairs in the pruned n-gram map (a `.ftz` made with -cutoff), or −1 when not pruned (fastText's pruneidx_size_). */
  readonly pruneSize: number;
  /** The pairs in file order (fastText writes its unordered_map's order; kept so a re-save is byte-identical). */
  readonly prunePairs: Int32Array | null;
  private readonly _size: number;
  private _entries?: string[];
  private _bytes?: Uint8Array[];
  private _pool?: { pool: Uint8Array; offsets: Int32Array };
  private _index?: Map<string, number>;
  private _hashes?: Int32Array;
  private _subwords?: SubwordTable;
  private _pruneIdx?: Map<number, number>;

  constructor(
    readonly args: FastTextArgs,
    p: DictionaryParts,
  ) {
    if (p.pool && p.offsets) {
      this._size = p.offsets.length - 1;
      this._pool = { pool: p.pool, offsets: p.offsets };
    } else if (p.entries) {
      this._size = p.entries.length;
      this._entries = p.entries;
      this._bytes = p.bytes ?? p.entries.map((e) => encoder.encode(e));
      if (this._bytes.length !== this._size) throw new QuantextError('E_SHAPE', `FastTextDictionary: ${this._bytes.length} byte strings for ${this._size} entries`);
    } else throw new QuantextError('E_OPTION', 'FastTextDictionary: give entries (and bytes), or pool and offsets');
    this.counts = p.counts;
    this.nwords = p.nwords;
    this.nlabels = this._size - p.nwords;
    this.ntokens = p.ntokens;
    this.prunePairs = p.prunePairs;
    this.pruneSize = p.prunePairs ? p.prunePairs.length / 2 : -1;
  }

  get size(): number {
    return this._size;
  }

  /**
   * bucket index → compressed row (pruned models), or null; made on first use from `prunePairs` (the file's pairs,
   * kept as they are: the wasm predictor reads those, so loading holds 8 bytes a pair, as the file does).
   */
  get pruneIdx(): PruneIndex {
    const pp = this.prunePairs;
    if (!pp) return null;
    if (!this._pruneIdx) {
      const m = new Map<number, number>();
      for (let i = 0; i < pp.length; i += 2) m.set(pp[i], pp[i + 1]);
      this._pruneIdx = m;
    }
    return this._pruneIdx;
  }

  /** Every entry, words first then labels (decoded as UTF-8; made on first use). */
  get entries(): readonly string[] {
    if (!this._entries) {
      const { pool, offsets } = this.pooled();
      const n = this._size;
      let out: string[] | undefined;
      if (pool.indexOf(10) < 0) {
        // one decode of the whole pool, entries separated by newlines (no entry holds one)
        const sep = new Uint8Array(pool.length + n);
        for (let i = 0, o = 0; i < n; i++) {
          sep.set(pool.subarray(offsets[i], offsets[i + 1]), o);
          o += offsets[i + 1] - offsets[i];
          sep[o++] = 10;
        }
        out = decoder.decode(sep.subarray(0, Math.max(0, sep.length - 1))).split('\n');
        if (n === 0) out = [];
        if (out.length !== n) out = undefined;
      }
      if (!out) {
        out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = decoder.decode(pool.subarray(offsets[i], offsets[i + 1]));
      }
      this._entries = out;
    }
    return this._entries;
  }

  /** Every entry's raw bytes (fastText hashes bytes, and a word need not be UTF-8). */
  get bytes(): readonly Uint8Array[] {
    if (!this._bytes) {
      const { pool, offsets } = this._pool!;
      const out = new Array<Uint8Array>(this._size);
      for (let i = 0; i < this._size; i++) out[i] = pool.subarray(offsets[i], offsets[i + 1]);
      this._bytes = out;
    }
    return this._bytes;
  }

  /**
   * Bytes this dictionary holds on the JS heap: the entries' bytes (the vocabulary's strings, as fastText stores
   * them), their offsets and counts, the prune map; plus, once something asked for them, the decoded strings
   * (2 bytes a character, an estimate), the word → id map and the subword lists.
   */
  get bytesHeld(): { vocabulary: number; tables: number; onDemand: number } {
    const pool = this._pool ? this._pool.pool.length : (this._bytes ?? []).reduce((n, b) => n + b.length, 0);
    const tables = (this._pool ? this._pool.offsets.byteLength : 0) + this.counts.byteLength + (this.prunePairs ? this.prunePairs.byteLength : 0);
    let onDemand = 0;
    if (this._pruneIdx) onDemand += this._pruneIdx.size * 40;
    if (this._entries) onDemand += this._entries.reduce((n, e) => n + 16 + 2 * e.length, 0);
    if (this._bytes && this._pool) onDemand += this._size * 64; // one view object each
    if (this._index) onDemand += this._size * 40;
    if (this._hashes) onDemand += this._hashes.byteLength;
    if (this._subwords) onDemand += this._subwords.rows.byteLength + this._subwords.offsets.byteLength;
    return { vocabulary: pool, tables, onDemand };
  }

  /** The entries' bytes back to back, with size + 1 offsets. */
  pooled(): { pool: Uint8Array; offsets: Int32Array } {
    if (!this._pool) {
      const b = this._bytes!;
      const offsets = new Int32Array(b.length + 1);
      for (let i = 0; i < b.length; i++) offsets[i + 1] = offsets[i] + b[i].length;
      const pool = new Uint8Array(offsets[b.length]);
      for (let i = 0; i < b.length; i++) pool.set(b[i], offsets[i]);
      this._pool = { pool, offsets };
    }
    return this._pool;
  }

  /** Words' subword lists (own row first), made on first use. */
  get subwords(): SubwordTable {
    this._subwords ??= buildSubwordTable(this.bytes.slice(0, this.nwords), this.args.minn, this.args.maxn, this.args.bucket, this.pruneIdx, this.nwords);
    return this._subwords;
  }

  private get index(): Map<string, number> {
    if (!this._index) {
      const m = new Map<string, number>();
      const e = this.entries;
      for (let i = 0; i < e.length; i++) m.set(e[i], i); // a repeated entry: the last one wins, as in fastText's load
      this._index = m;
    }
    return this._index;
  }

  private get hashes(): Int32Array {
    if (!this._hashes) {
      const { pool, offsets } = this.pooled();
      const h = new Int32Array(this._size);
      for (let i = 0; i < this._size; i++) h[i] = fnv1a32(pool, offsets[i], offsets[i + 1]);
      this._hashes = h;
    }
    return this._hashes;
  }

  /** The entry's id, or −1. */
  getId(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The id of the entry with these bytes, or −1. */
  getIdBytes(b: Uint8Array): number {
    const { pool, offsets } = this.pooled();
    const n = b.length;
    let found = -1;
    for (let i = 0; i < this._size; i++) {
      if (offsets[i + 1] - offsets[i] !== n) continue;
      let k = 0;
      const o = offsets[i];
      while (k < n && pool[o + k] === b[k]) k++;
      if (k === n) found = i;
    }
    return found;
  }

  /** The words (no labels). */
  words(): string[] {
    return this.entries.slice(0, this.nwords) as string[];
  }

  /** The labels (entries nwords …). */
  labels(): string[] {
    if (this._entries) return this._entries.slice(this.nwords);
    const { pool, offsets } = this.pooled();
    const out: string[] = [];
    for (let i = this.nwords; i < this._size; i++) out.push(decoder.decode(pool.subarray(offsets[i], offsets[i + 1])));
    return out;
  }

  getLabel(lid: number): string {
    return this.entries[this.nwords + lid];
  }

  /** The input rows of one token, appended to `out` (fastText's addSubwords), and its hash. */
  addToken(token: string, out: number[], hashes: number[]): void {
    const wid = this.index.get(token) ?? -1;
    if (wid >= this.nwords) return; // a label
    if (wid < 0) {
      if (token.startsWith('__label__')) return; // an unknown label: fastText's getType(token) with its default prefix
      const b = encoder.encode(token);
      hashes.push(fnv1a32(b) | 0);
      if (token !== EOS) computeSubwordsBytes(b, this.args.minn, this.args.maxn, this.args.bucket, this.nwords, out, this.pruneIdx);
      return;
    }
    hashes.push(this.hashes[wid]);
    if (this.args.maxn <= 0) out.push(wid);
    else {
      const t = this.subwords;
      for (let k = t.offsets[wid]; k < t.offsets[wid + 1]; k++) out.push(t.rows[k]);
    }
  }

  /**
   * fastText's `getLine` for a supervised model: the input rows of a line's tokens (`eos`: the line ended with a
   * newline, so fastText reads "</s>" after its words; a "</s>" among the tokens ends the line there, as in
   * fastText), then the word n-gram rows.
   */
  private hashBuf: number[] = [];

  lineRows(tokens: readonly string[], eos: boolean, out: number[] = []): number[] {
    const hashes = this.hashBuf;
    hashes.length = 0;
    let ended = false;
    for (const t of tokens) {
      this.addToken(t, out, hashes);
      if (t === EOS) {
        ended = true;
        break;
      }
    }
    if (eos && !ended) this.addToken(EOS, out, hashes);
    wordNgramRows(hashes, this.args.wordNgrams, this.args.bucket, this.nwords, out, this.pruneIdx);
    return out;
  }
}

const SPACES = /[ \t\n\v\f\r\0]+/;

/** Splits a line as fastText's readWord does: on space, \t, \n, \v, \f, \r and NUL. */
export function fastTextTokens(line: string): string[] {
  const parts = line.split(SPACES);
  if (parts.length > 0 && parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function checkDictionary(size: number, nwords: number, nlabels: number, name: string, at: number): void {
  if (!(size >= 0 && nwords >= 0 && nlabels >= 0 && nwords + nlabels === size)) {
    throw new QuantextError('E_FORMAT', `${name}: dictionary sizes are inconsistent (size ${size}, ${nwords} words, ${nlabels} labels) (at byte ${at})`, { file: name, offset: at });
  }
}
