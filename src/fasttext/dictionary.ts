/**
 * fastText's dictionary as a model file holds it (src/dictionary.cc): words then labels (each with its count and
 * type), the token count, and the pruned n-gram map of a `.ftz` made with `-cutoff`. Lookups go through a Map from
 * the decoded word; the raw bytes are kept for hashing (fastText hashes bytes, and a word need not be UTF-8).
 */
import { QuantextError } from '../errors.js';
import { EOS, buildSubwordTable, computeSubwordsBytes, fnv1a32, wordNgramRows, type PruneIndex, type SubwordTable } from './subwords.js';
import type { FastTextArgs } from './args.js';

const encoder = new TextEncoder();

export class FastTextDictionary {
  /** Every entry, words first then labels (decoded as UTF-8). */
  readonly entries: readonly string[];
  readonly bytes: readonly Uint8Array[];
  /** Count per entry (int64 in the file; exact below 2^53). */
  readonly counts: Float64Array;
  readonly nwords: number;
  readonly nlabels: number;
  readonly ntokens: number;
  /** bucket index → compressed row (pruned models), or null. */
  readonly pruneIdx: PruneIndex;
  /** The pairs in file order (fastText writes its unordered_map's order; kept so a re-save is byte-identical). */
  readonly prunePairs: Int32Array | null;
  private readonly index = new Map<string, number>();
  /** fnv1a32 of each entry. */
  private readonly hashes: Int32Array;
  /** Words' subword lists (own row first). */
  readonly subwords: SubwordTable;

  constructor(
    readonly args: FastTextArgs,
    p: { entries: string[]; bytes: Uint8Array[]; counts: Float64Array; nwords: number; ntokens: number; prunePairs: Int32Array | null },
  ) {
    this.entries = p.entries;
    this.bytes = p.bytes;
    this.counts = p.counts;
    this.nwords = p.nwords;
    this.nlabels = p.entries.length - p.nwords;
    this.ntokens = p.ntokens;
    this.prunePairs = p.prunePairs;
    if (p.prunePairs) {
      const m = new Map<number, number>();
      for (let i = 0; i < p.prunePairs.length; i += 2) m.set(p.prunePairs[i], p.prunePairs[i + 1]);
      this.pruneIdx = m;
    } else this.pruneIdx = null;
    for (let i = p.entries.length - 1; i >= 0; i--) this.index.set(p.entries[i], i);
    this.hashes = new Int32Array(p.entries.length);
    for (let i = 0; i < p.entries.length; i++) this.hashes[i] = fnv1a32(p.bytes[i]);
    this.subwords = buildSubwordTable(p.bytes.slice(0, p.nwords), args.minn, args.maxn, args.bucket, this.pruneIdx, p.nwords);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The entry's id, or −1. */
  getId(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The words (no labels). */
  words(): string[] {
    return this.entries.slice(0, this.nwords) as string[];
  }

  /** The labels (entries nwords …). */
  labels(): string[] {
    return this.entries.slice(this.nwords) as string[];
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
   * newline, so fastText reads "</s>" after its words), then the word n-gram rows.
   */
  private hashBuf: number[] = [];

  lineRows(tokens: readonly string[], eos: boolean, out: number[] = []): number[] {
    const hashes = this.hashBuf;
    hashes.length = 0;
    for (const t of tokens) this.addToken(t, out, hashes);
    if (eos) this.addToken(EOS, out, hashes);
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
