/**
 * The classifier's corpus pass (fastText's Dictionary::readFromFile and getLine for a supervised model): lines are
 * read once, their tokens interned (each line kept as an Int32Array of token ids, never as strings), the
 * dictionary is thresholded as fastText does (words before labels, each by count, then minCount / minCountLabel),
 * and every line is encoded once into the input rows the kernel sums (words' own rows, their character n-gram rows,
 * word n-gram rows) and its label ids. Training then runs on these arrays in wasm with no JS per token.
 */
import { QuantextError } from '../errors.js';
import { openByteSource, forEachCarried, type ByteSource } from '../io/lines.js';
import type { FastTextArgs } from '../fasttext/args.js';
import { FastTextDictionary, fastTextTokens } from '../fasttext/dictionary.js';
import { EOS, computeSubwordsBytes, fnv1a32, wordNgramRows } from '../fasttext/subwords.js';

const encoder = new TextEncoder();

/** One labelled example: a text and its labels (with or without the label prefix). */
export interface LabelledText {
  text: string;
  labels: readonly string[];
}

/**
 * Training or test data: a file (path, URL or bytes) in fastText's format (one example per line, labels are the
 * tokens that start with the label prefix), or an iterable (sync or async) of such lines or of
 * `{ text, labels }`.
 */
export type ClassifierData =
  | string
  | URL
  | Uint8Array
  | Iterable<string | LabelledText>
  | AsyncIterable<string | LabelledText>;

/** One line as fastText's getLine reads it: its tokens, and whether "</s>" follows them (the line ended with '\n'). */
export interface DataLine {
  tokens: string[];
  eos: boolean;
  /** 1-based line (or item) number, for error messages */
  line: number;
}

function isIterable(x: unknown): x is Iterable<unknown> | AsyncIterable<unknown> {
  return x != null && typeof x === 'object' && (Symbol.iterator in (x as object) || Symbol.asyncIterator in (x as object));
}

/** The lines of `data` as fastText reads them. */
export async function* dataLines(data: ClassifierData, labelPrefix: string, name = 'train'): AsyncGenerator<DataLine> {
  if (typeof data === 'string' || data instanceof URL || data instanceof Uint8Array) {
    const decoder = new TextDecoder();
    const opened = await openByteSource(data as ByteSource);
    let rest: Uint8Array = new Uint8Array(0);
    let n = 0;
    for await (const chunk of opened.chunks) {
      let buf = chunk;
      if (rest.length) {
        buf = new Uint8Array(rest.length + chunk.length);
        buf.set(rest);
        buf.set(chunk, rest.length);
      }
      let start = 0;
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
        yield { tokens: fastTextTokens(decoder.decode(buf.subarray(start, i))), eos: true, line: ++n };
        start = i + 1;
      }
      rest = buf.slice(start);
    }
    if (rest.length > 0) yield { tokens: fastTextTokens(decoder.decode(rest)), eos: false, line: ++n };
    return;
  }
  if (!isIterable(data)) {
    throw new QuantextError('E_OPTION', `${name}: data must be a file path, URL, bytes, or an iterable of lines or { text, labels }; got ${data === null ? 'null' : typeof data}`, { option: 'data' });
  }
  let n = 0;
  for await (const item of data as AsyncIterable<unknown>) {
    n++;
    if (typeof item === 'string') {
      if (item.includes('\n')) {
        // a string with newlines is several lines, as in a file
        const parts = item.split('\n');
        if (parts[parts.length - 1] === '') parts.pop();
        for (const p of parts) yield { tokens: fastTextTokens(p), eos: true, line: n };
        continue;
      }
      yield { tokens: fastTextTokens(item), eos: true, line: n };
    } else if (item && typeof item === 'object' && typeof (item as LabelledText).text === 'string' && Array.isArray((item as LabelledText).labels)) {
      const it = item as LabelledText;
      const tokens = fastTextTokens(it.text);
      for (const l of it.labels) {
        if (typeof l !== 'string' || l === '' || /[ \t\n\v\f\r\0]/.test(l)) {
          throw new QuantextError('E_FORMAT', `${name}: item ${n}: a label must be a non-empty string without spaces; got ${JSON.stringify(l)}`, { line: n });
        }
        tokens.push(l.startsWith(labelPrefix) ? l : labelPrefix + l);
      }
      yield { tokens, eos: true, line: n };
    } else {
      throw new QuantextError('E_FORMAT', `${name}: item ${n} is neither a line (string) nor { text: string, labels: string[] }`, { line: n });
    }
  }
}

/** A growable Int32Array. */
export class IntBuf {
  a: Int32Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  pushAll(vs: readonly number[]): void {
    for (const v of vs) this.push(v);
  }
  /** The contents (a view: no copy). */
  take(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

/** The lines of a corpus as interned token ids (a line's ids are in `tokens[off[i] .. off[i+1])`). */
export interface InternedCorpus {
  /** distinct tokens, in order of first appearance */
  strings: string[];
  counts: number[];
  isLabel: boolean[];
  tokens: Int32Array;
  off: Int32Array;
  /** the line ended with '\n': "</s>" follows its tokens */
  eos: Uint8Array;
  /** tokens fastText counts for the line (its tokens and "</s>") */
  ntokens: number;
}

export interface ReadOptions {
  labelPrefix: string;
  /** skip empty lines, lines without a label and lines with only labels (as fastText does) instead of failing */
  skipInvalid: boolean;
  name: string;
}

/**
 * Reads every line once and interns its tokens. An empty line, a line without a label, or a line with only labels
 * is an E_FORMAT error naming the line (or, with skipInvalid, is left out as fastText leaves it out).
 */
export async function internLines(data: ClassifierData, o: ReadOptions): Promise<InternedCorpus> {
  if (typeof data === 'string' || data instanceof URL || data instanceof Uint8Array) return internBytes(data, o);
  const index = new Map<string, number>();
  const strings: string[] = [];
  const counts: number[] = [];
  const isLabel: boolean[] = [];
  const tokens = new IntBuf(1 << 16);
  const off = new IntBuf(1 << 10);
  const eos: number[] = [];
  off.push(0);
  let ntokens = 0;
  const intern = (t: string): number => {
    let id = index.get(t);
    if (id === undefined) {
      id = strings.length;
      index.set(t, id);
      strings.push(t);
      counts.push(0);
      isLabel.push(t.startsWith(o.labelPrefix));
    }
    counts[id]++;
    return id;
  };
  const eosId = () => intern(EOS);
  for await (const l of dataLines(data, o.labelPrefix, o.name)) {
    let nl = 0;
    for (const t of l.tokens) if (t.startsWith(o.labelPrefix)) nl++;
    const nw = l.tokens.length - nl;
    const problem = l.tokens.length === 0 ? 'is empty' : nl === 0 ? `has no label (labels are tokens that start with '${o.labelPrefix}')` : nw === 0 ? 'has only labels and no text' : '';
    if (problem) {
      if (o.skipInvalid) continue;
      throw new QuantextError('E_FORMAT', `${o.name}: line ${l.line} ${problem}${o.name === 'train' ? ' (pass skipInvalid: true, or --skip-invalid, to leave such lines out as fastText does)' : ''}`, { line: l.line });
    }
    for (const t of l.tokens) tokens.push(intern(t));
    ntokens += l.tokens.length;
    if (l.eos) {
      eosId();
      ntokens++;
    }
    eos.push(l.eos ? 1 : 0);
    off.push(tokens.n);
  }
  if (eos.length === 0) throw new QuantextError('E_EMPTY', `${o.name}: no labelled line to train on`);
  return { strings, counts, isLabel, tokens: tokens.take(), off: off.take(), eos: Uint8Array.from(eos), ntokens };
}

/**
 * fastText's Dictionary::threshold over the interned tokens: words first, then labels, each by count (descending;
 * ties keep first appearance), words below minCount and labels below minCountLabel dropped.
 */
export function buildDictionary(c: InternedCorpus, args: FastTextArgs, minCountLabel: number): FastTextDictionary {
  const kept = c.strings.map((_, i) => i).filter((i) => (c.isLabel[i] ? c.counts[i] >= minCountLabel : c.counts[i] >= args.minCount));
  kept.sort((a, b) => (c.isLabel[a] !== c.isLabel[b] ? (c.isLabel[a] ? 1 : -1) : c.counts[b] - c.counts[a]));
  const nwords = kept.filter((i) => !c.isLabel[i]).length;
  if (kept.length - nwords === 0) throw new QuantextError('E_EMPTY', `no label reaches minCountLabel ${minCountLabel}: nothing to learn`, { option: 'minCountLabel' });
  const entries = kept.map((i) => c.strings[i]);
  return new FastTextDictionary(args, {
    entries,
    bytes: entries.map((s) => encoder.encode(s)),
    counts: Float64Array.from(kept, (i) => c.counts[i]),
    nwords,
    ntokens: c.ntokens,
    prunePairs: null,
  });
}

/** The encoded corpus: the input rows and labels of every line (CSR), and the tokens fastText counts per line. */
export interface EncodedLines {
  rows: Int32Array;
  rowOff: Int32Array;
  labels: Int32Array;
  labOff: Int32Array;
  ntok: Int32Array;
  ntokens: number;
}

/**
 * fastText's getLine for every line: each word's rows (a known word's subword list, an unknown word's character
 * n-grams), then the word n-gram rows over the words' hashes; the known labels' ids. With `strictLabels`, a label
 * the dictionary does not have is an error (training a loaded model on new labels), else it is ignored.
 */
export function encodeLines(c: InternedCorpus, dict: FastTextDictionary, args: FastTextArgs, strictLabels: boolean, name: string): EncodedLines {
  const nlines = c.eos.length;
  const nw = dict.nwords;
  // per interned token: its dictionary id (or −1), hash, and, for unknown words, their n-gram rows
  const wid = new Int32Array(c.strings.length);
  const hash = new Int32Array(c.strings.length);
  const unknownRows = new Map<number, number[]>();
  for (let i = 0; i < c.strings.length; i++) {
    wid[i] = dict.getId(c.strings[i]);
    if (c.isLabel[i]) {
      if (wid[i] >= 0 && wid[i] < nw) wid[i] = -1; // a word of the loaded model that now looks like a label: not a label
      if (wid[i] < 0 && strictLabels) {
        throw new QuantextError('E_FORMAT', `${name}: the label ${c.strings[i]} is not one of the model's ${dict.nlabels} labels (a loaded model keeps its labels)`, { label: c.strings[i] });
      }
      continue;
    }
    if (wid[i] >= nw) wid[i] = -1;
    const b = encoder.encode(c.strings[i]);
    hash[i] = fnv1a32(b) | 0;
    if (wid[i] < 0 && c.strings[i] !== EOS) unknownRows.set(i, computeSubwordsBytes(b, args.minn, args.maxn, args.bucket, nw, [], dict.pruneIdx));
  }
  let eosTok = c.strings.indexOf(EOS);
  // the exact number of rows first, so that the one array is allocated once at its size
  const sub = dict.subwords;
  const rowsOf = (t: number) => {
    const w = wid[t];
    return w >= 0 ? (args.maxn <= 0 ? 1 : sub.offsets[w + 1] - sub.offsets[w]) : (unknownRows.get(t)?.length ?? 0);
  };
  let nrows = 0;
  for (let l = 0; l < nlines; l++) {
    let words = 0;
    for (let k = c.off[l]; k < c.off[l + 1]; k++) {
      const t = c.tokens[k];
      if (!c.isLabel[t]) {
        nrows += rowsOf(t);
        words++;
      }
    }
    if (c.eos[l] && eosTok >= 0) {
      nrows += rowsOf(eosTok);
      words++;
    }
    if (args.wordNgrams > 1 && args.bucket > 0) for (let i = 0; i < words; i++) nrows += Math.min(words, i + args.wordNgrams) - i - 1;
  }
  const rows = new IntBuf(nrows + 1);
  const rowOff = new Int32Array(nlines + 1);
  const labels = new IntBuf(nlines + 16);
  const labOff = new Int32Array(nlines + 1);
  const ntok = new Int32Array(nlines);
  const hashes: number[] = [];
  const ng: number[] = [];
  const addWord = (t: number) => {
    const w = wid[t];
    if (w >= 0) {
      if (args.maxn <= 0) rows.push(w);
      else for (let k = sub.offsets[w]; k < sub.offsets[w + 1]; k++) rows.push(sub.rows[k]);
    } else {
      const u = unknownRows.get(t);
      if (u) rows.pushAll(u);
    }
    hashes.push(hash[t]);
  };
  for (let l = 0; l < nlines; l++) {
    hashes.length = 0;
    for (let k = c.off[l]; k < c.off[l + 1]; k++) {
      const t = c.tokens[k];
      if (c.isLabel[t]) {
        if (wid[t] >= 0) labels.push(wid[t] - nw);
      } else addWord(t);
    }
    ntok[l] = c.off[l + 1] - c.off[l];
    if (c.eos[l]) {
      if (eosTok < 0) eosTok = c.strings.indexOf(EOS);
      addWord(eosTok);
      ntok[l]++;
    }
    ng.length = 0;
    wordNgramRows(hashes, args.wordNgrams, args.bucket, nw, ng, dict.pruneIdx);
    rows.pushAll(ng);
    rowOff[l + 1] = rows.n;
    labOff[l + 1] = labels.n;
  }
  return { rows: rows.take(), rowOff, labels: labels.take(), labOff, ntok, ntokens: c.ntokens };
}

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;

/** fastText's token separators: space, \t, \n, \v, \f, \r, NUL */
function isSep(b: number): boolean {
  return b === 32 || (b >= 9 && b <= 13) || b === 0;
}

/**
 * internLines for a file or bytes, without a string per token: lines are split and tokens hashed (fastText's
 * FNV-1a) and looked up in an open-addressing table over their bytes; a distinct token becomes a string once.
 */
async function internBytes(data: string | URL | Uint8Array, o: ReadOptions): Promise<InternedCorpus> {
  const prefix = encoder.encode(o.labelPrefix);
  let pool = new Uint8Array(1 << 16);
  let poolUsed = 0;
  const starts = new IntBuf(1 << 12), lens = new IntBuf(1 << 12);
  const counts: number[] = [];
  const isLabel: boolean[] = [];
  let table = new Int32Array(1 << 14); // id + 1, 0 = empty
  let hashes = new IntBuf(1 << 12);
  const tokens = new IntBuf(1 << 16);
  const off = new IntBuf(1 << 10);
  off.push(0);
  const eos: number[] = [];
  let ntokens = 0;
  const rehash = (cap: number) => {
    table = new Int32Array(cap);
    for (let id = 0; id < counts.length; id++) {
      let i = hashes.a[id] & (cap - 1);
      while (table[i] !== 0) i = (i + 1) & (cap - 1);
      table[i] = id + 1;
    }
  };
  const intern = (buf: Uint8Array, a: number, b: number, h: number): number => {
    const mask = table.length - 1;
    let i = h & mask;
    for (;;) {
      const e = table[i];
      if (e === 0) break;
      const id = e - 1;
      if (hashes.a[id] === h && lens.a[id] === b - a) {
        const st = starts.a[id];
        let k = 0;
        while (k < b - a && pool[st + k] === buf[a + k]) k++;
        if (k === b - a) {
          counts[id]++;
          return id;
        }
      }
      i = (i + 1) & mask;
    }
    const id = counts.length;
    if (poolUsed + (b - a) > pool.length) {
      const p = new Uint8Array(Math.max(pool.length * 2, poolUsed + (b - a)));
      p.set(pool.subarray(0, poolUsed));
      pool = p;
    }
    pool.set(buf.subarray(a, b), poolUsed);
    starts.push(poolUsed);
    lens.push(b - a);
    hashes.push(h);
    poolUsed += b - a;
    counts.push(1);
    let lab = b - a >= prefix.length;
    for (let k = 0; lab && k < prefix.length; k++) if (buf[a + k] !== prefix[k]) lab = false;
    isLabel.push(lab);
    table[i] = id + 1;
    if ((id + 1) * 2 > table.length) rehash(table.length * 2);
    return id;
  };
  const eosBytes = encoder.encode(EOS);
  const eosHash = fnv(eosBytes, 0, eosBytes.length);
  let lineNo = 0;
  const line = (buf: Uint8Array, a: number, b: number, hasEos: boolean) => {
    lineNo++;
    const t0 = tokens.n;
    let nl = 0;
    let i = a;
    while (i < b) {
      while (i < b && isSep(buf[i])) i++;
      if (i >= b) break;
      const s = i;
      let h = FNV_OFFSET;
      while (i < b && !isSep(buf[i])) {
        h = Math.imul(h ^ ((buf[i] << 24) >> 24), FNV_PRIME);
        i++;
      }
      const id = intern(buf, s, i, h | 0);
      if (isLabel[id]) nl++;
      tokens.push(id);
    }
    const nt = tokens.n - t0;
    const problem = nt === 0 ? 'is empty' : nl === 0 ? `has no label (labels are tokens that start with '${o.labelPrefix}')` : nl === nt ? 'has only labels and no text' : '';
    if (problem) {
      // undo the line's counts
      for (let k = t0; k < tokens.n; k++) counts[tokens.a[k]]--;
      tokens.n = t0;
      if (o.skipInvalid) return;
      throw new QuantextError('E_FORMAT', `${o.name}: line ${lineNo} ${problem} (pass skipInvalid: true, or --skip-invalid, to leave such lines out as fastText does)`, { line: lineNo });
    }
    ntokens += nt;
    if (hasEos) {
      intern(eosBytes, 0, eosBytes.length, eosHash | 0);
      ntokens++;
    }
    eos.push(hasEos ? 1 : 0);
    off.push(tokens.n);
  };
  const opened = await openByteSource(data as ByteSource);
  const rest = await forEachCarried(opened.chunks, (buf) => {
    let start = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
      line(buf, start, i, true);
      start = i + 1;
    }
    return start;
  });
  if (rest.length > 0) line(rest, 0, rest.length, false);
  if (eos.length === 0) throw new QuantextError('E_EMPTY', `${o.name}: no labelled line to train on`);
  const decoder = new TextDecoder();
  const strings = counts.map((_, id) => decoder.decode(pool.subarray(starts.a[id], starts.a[id] + lens.a[id])));
  return { strings, counts, isLabel, tokens: tokens.take(), off: off.take(), eos: Uint8Array.from(eos), ntokens };
}

function fnv(b: Uint8Array, a: number, e: number): number {
  let h = FNV_OFFSET;
  for (let i = a; i < e; i++) h = Math.imul(h ^ ((b[i] << 24) >> 24), FNV_PRIME);
  return h;
}
