/**
 * Reading the word2vec formats (layout in ./layout.ts).
 *
 * {@link Word2VecParser} is a pure push parser over byte chunks (no I/O, no `node:*` import), so the same code reads
 * an in-memory buffer ({@link parseWord2Vec}), a file streamed in 1 MiB reads, a `fetch` body or a
 * `ReadableStream` ({@link readWord2Vec}). With `limit` it stops, and the stream is closed, as soon as enough
 * vectors are read. Words are decoded as UTF-8; invalid bytes become U+FFFD unless `unicodeErrors: 'strict'`.
 *
 * Every malformed input fails with a {@link QuantextError} naming the file and the line (text) or vector index and
 * byte offset (binary): `E_EMPTY`, `E_FORMAT`, `E_TRUNCATED`, `E_NAN`, `E_IO`, `E_TOO_LARGE`.
 */
import { QuantextError, type ErrorCode } from '../../errors.js';
import { openByteSource, type ByteSource, type OpenOptions } from '../lines.js';
import { LITTLE_ENDIAN, NL, SP, preview, type UnicodeErrors, type WordVectors } from './layout.js';
import { binaryDataMessage, looksBinary, sniffNonVectors, type SniffedFormat } from '../sniff.js';

/** Options of {@link parseWord2Vec} and {@link Word2VecParser}. */
export interface ParseWord2VecOptions {
  /** Binary (`true`) or text (`false`) records. Default: detected from the first record after the header. */
  binary?: boolean;
  /**
   * Text without a header line (GloVe): the dimension comes from the first line, and every line must agree.
   * `'auto'`: a first line of exactly two integers is a header, anything else starts header-less text; decided
   * while streaming, so even a one-shot stream is read once. Default false (a header is required).
   */
  noHeader?: boolean | 'auto';
  /** Read at most this many vectors (the first ones in the file); reading stops there. Default: all. */
  limit?: number;
  /** `'replace'` (default): invalid UTF-8 in a word becomes U+FFFD. `'strict'`: it fails with `E_FORMAT`. */
  unicodeErrors?: UnicodeErrors;
  /** Accept NaN and ±Infinity values instead of failing with `E_NAN` (default false). */
  allowNonFinite?: boolean;
  /**
   * A word that occurs again: `'keep-first'` (default, as gensim) keeps the first vector and skips the others
   * (they still count toward the header's count and `limit`); `'error'` fails with `E_FORMAT`.
   */
  duplicates?: 'keep-first' | 'error';
  /** Name used in error messages (default `<bytes>`; {@link readWord2Vec} uses the path or URL). */
  name?: string;
  /** Total input size in bytes, when known: lets the parser allocate the output once. */
  sizeHint?: number;
}

/** Options of {@link readWord2Vec}. */
export interface ReadWord2VecOptions extends ParseWord2VecOptions, OpenOptions {}

/** Bytes awaited before checking the signature of formats that are not word vectors (../sniff.ts). */
const SNIFF_BYTES = 64;
/** A header line longer than this is not a header. */
const MAX_HEADER_BYTES = 4096;
/** A binary word longer than this (no space found) means the file is not what its header says. */
const MAX_WORD_BYTES = 1 << 16;
/**
 * Bytes one text value may take, with the separators around it: a float32 printed to round-trip needs at most 16
 * characters (`-1.17549435e-38`); 256 leaves room for any decimal a tool may write. A record longer than
 * `MAX_WORD_BYTES + dim · MAX_VALUE_TEXT_BYTES` cannot hold `dim` values and is rejected without reading it to its end.
 */
const MAX_VALUE_TEXT_BYTES = 256;
/**
 * No text line may be longer than this: the first line of a header-less (GloVe) file sets the dimension, so nothing
 * else bounds it (V8 cannot make a string of more than 2^29 characters; a 2^28-byte line holds some 30 million values).
 */
const MAX_LINE_BYTES = 1 << 28;
/** Output rows allocated up front when the input size is unknown (grown by doubling). */
const INITIAL_FLOATS = 1 << 12;

const EMPTY = new Uint8Array(0);

/** Byte classes: separators inside a text record, and bytes that can occur in a text record after the word. */
const IS_TEXT_SEP = new Uint8Array(256);
/** Bytes that text values and their separators are made of: printable ASCII and whitespace. Anything else is binary. */
const IS_TEXT_BYTE = new Uint8Array(256);
for (const c of ' \t\r\v\f') IS_TEXT_SEP[c.charCodeAt(0)] = 1;
for (let c = 0x09; c <= 0x0d; c++) IS_TEXT_BYTE[c] = 1;
for (let c = 0x20; c < 0x7f; c++) IS_TEXT_BYTE[c] = 1;

/** Tokens that Python, numpy and C print for non-finite floats. */
const NON_FINITE_TOKENS: ReadonlyMap<string, number> = new Map([
  ['nan', NaN], ['-nan', NaN], ['+nan', NaN],
  ['inf', Infinity], ['+inf', Infinity], ['-inf', -Infinity],
  ['infinity', Infinity], ['+infinity', Infinity], ['-infinity', -Infinity],
]);

type Phase = 'header' | 'sniff' | 'text' | 'binary' | 'trailer' | 'done';

function isTextSep(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/**
 * A streaming parser for the word2vec formats: feed byte chunks with {@link push}, then call {@link end}.
 * Chunks may split records anywhere (even inside a UTF-8 character or a float). The parser keeps only the
 * unfinished record between pushes and never holds on to a pushed chunk, so callers may reuse their buffers.
 *
 * @example
 * ```ts
 * const p = new Word2VecParser({ limit: 1000, name: url });
 * for await (const chunk of body) if (p.push(chunk)) break; // true once `limit` vectors are read
 * const { words, dim, vectors } = p.end();
 * ```
 */
export class Word2VecParser {
  /** Name used in error messages. */
  readonly name: string;
  private readonly allowNonFinite: boolean;
  private readonly keepFirst: boolean;
  private readonly decoder: TextDecoder;
  private readonly sizeHint: number | undefined;
  /** `noHeader: 'auto'`: a first line that is not a header starts header-less text. */
  private readonly autoHeader: boolean;
  private binary: boolean | undefined;
  private phase: Phase;

  /**
   * Unconsumed input: `buf[pos..]`; `base` is the absolute offset of `buf[0]`. `buf` is a view of the first `buf.length`
   * bytes of `store` (a buffer grown by doubling, so that a record spread over many chunks is copied O(1) times per
   * byte), or the caller's chunk itself while it is being parsed.
   */
  private buf: Uint8Array = EMPTY;
  private store: Uint8Array = EMPTY;
  private pos = 0;
  private base = 0;
  /**
   * Absolute offset up to which the unfinished record starting at absolute offset `scanFrom` has been searched for
   * its end: the search goes on from there when more input comes, so every byte is scanned once (linear time).
   */
  private scanFrom = -1;
  private scanTo = 0;
  /** The longest text record the dimension allows (bytes, newline included); Infinity until the dimension is known. */
  private maxRecord = MAX_LINE_BYTES;
  /** Why the first record is not text, when the sniffer chose binary (for a message when binary fails too). */
  private notText: string | undefined;
  /** The first record was not text but not clearly binary either: a text error then says that binary fails too. */
  private ambiguous = false;
  /** Sniffing: absolute offset of the first line's end (-1 until found), why it is not text, bytes searched for binary. */
  private sniffLineEnd = -1;
  private sniffWhy: string | undefined;
  private sniffScanned = 0;
  /** Lines consumed so far (text and header), for messages. */
  private line = 0;

  /** Count from the header (-1 without one), dimension (0 until known), records wanted (min of count and limit). */
  private declared = -1;
  private dim = 0;
  private want: number;
  /** Records read from the input, and rows kept (fewer when duplicates are skipped). */
  private records = 0;
  private rows = 0;
  private readonly words: string[] = [];
  private readonly seen = new Set<string>();
  private data: Float32Array = new Float32Array(0);
  /** Bytes of the first text record (estimates the row count of a header-less file). */
  private firstLineBytes = 0;
  /** A header-less file whose first line is two integers, like a word2vec header (for a better message). */
  private headerLike = false;
  /** The first bytes were checked for the signature of a file that is not word vectors. */
  private sniffed = false;

  constructor(options: ParseWord2VecOptions = {}) {
    const { binary, noHeader = false, limit, unicodeErrors = 'replace', allowNonFinite = false, duplicates = 'keep-first' } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new QuantextError('E_OPTION', `limit must be a non-negative integer, got ${limit}`, { option: 'limit', value: limit });
    }
    if (unicodeErrors !== 'replace' && unicodeErrors !== 'strict') {
      throw new QuantextError('E_OPTION', `unicodeErrors must be 'replace' or 'strict', got ${String(unicodeErrors)}`, { option: 'unicodeErrors' });
    }
    if (duplicates !== 'keep-first' && duplicates !== 'error') {
      throw new QuantextError('E_OPTION', `duplicates must be 'keep-first' or 'error', got ${String(duplicates)}`, { option: 'duplicates' });
    }
    if (noHeader !== true && noHeader !== false && noHeader !== 'auto') {
      throw new QuantextError('E_OPTION', `noHeader must be true, false or 'auto', got ${String(noHeader)}`, { option: 'noHeader' });
    }
    if (noHeader === true && binary) {
      throw new QuantextError('E_OPTION', 'noHeader is only available for text files (binary word2vec files always have a header)', {
        option: 'noHeader',
      });
    }
    this.name = options.name ?? '<bytes>';
    this.binary = noHeader === true ? false : binary;
    this.autoHeader = noHeader === 'auto';
    this.allowNonFinite = allowNonFinite;
    this.keepFirst = duplicates === 'keep-first';
    this.decoder = new TextDecoder('utf-8', { fatal: unicodeErrors === 'strict', ignoreBOM: true });
    this.sizeHint = options.sizeHint;
    this.want = limit ?? Infinity;
    this.phase = noHeader === true ? (this.want === 0 ? 'done' : 'text') : 'header';
  }

  /** True once every wanted vector is read (more input is then ignored). */
  get done(): boolean {
    return this.phase === 'done';
  }

  /**
   * Feeds the next chunk of the input. Returns true when the parser needs no more input (`limit` reached):
   * the caller should stop reading and call {@link end}.
   */
  push(chunk: Uint8Array): boolean {
    if (this.phase === 'done') return true;
    if (chunk.length === 0) return false;
    const borrowed = this.buf.length === 0;
    if (borrowed) {
      this.buf = chunk; // parsed in place; what is left is copied below
    } else {
      const len = this.buf.length;
      const need = len + chunk.length;
      if (need > this.store.length) {
        const grown = new Uint8Array(Math.max(need, 2 * this.store.length, 4096));
        grown.set(this.buf);
        this.store = grown;
      }
      this.store.set(chunk, len);
      this.buf = this.store.subarray(0, need);
    }
    this.run(false);
    // Keep only the unfinished record, so the caller's chunk is not retained.
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.buf = EMPTY;
      if (this.store.length > 1 << 22) this.store = EMPTY; // let a buffer grown for one long record go
    } else if (borrowed || this.pos > 0) {
      if (borrowed || this.store.length > 1 << 22 && rest * 4 < this.store.length) {
        const own = new Uint8Array(Math.max(2 * rest, 4096));
        own.set(this.buf.subarray(this.pos));
        this.store = own;
      } else {
        this.store.copyWithin(0, this.pos, this.buf.length);
      }
      this.buf = this.store.subarray(0, rest);
    }
    this.base += this.pos;
    this.pos = 0;
    return this.done;
  }

  /**
   * Where to go on searching the unfinished record that starts at `from` (a buffer index) for its end: `from` itself,
   * or past the bytes an earlier push already searched.
   */
  private resume(from: number): number {
    return this.scanFrom === this.base + from ? Math.max(from, this.scanTo - this.base) : from;
  }

  /** Remembers that the record starting at `from` has no end before `to` (buffer indices). */
  private scanned(from: number, to: number): void {
    this.scanFrom = this.base + from;
    this.scanTo = this.base + to;
  }

  /** A text record longer than the dimension allows: rejected before it is read to its end. */
  private failLongRecord(from: number): never {
    const lineNo = this.line + 1;
    const offset = this.base + from;
    if (this.dim === 0) {
      this.fail('E_FORMAT', `line ${lineNo}: no line break within ${MAX_LINE_BYTES} bytes (not a text vectors file?)`, { line: lineNo, offset });
    }
    this.fail(
      'E_FORMAT',
      `line ${lineNo}: a record of a word and ${this.dim} values is at most ${this.maxRecord} bytes long; this one has no line break within them ` +
        '(wrong dimension in the header, or not a text vectors file?)',
      { line: lineNo, offset, maxBytes: this.maxRecord },
    );
  }

  /** Signals the end of the input, checks that nothing is missing, and returns the vectors. */
  end(): WordVectors {
    if (this.phase !== 'done') {
      this.run(true);
      if (this.phase === 'header') this.fail('E_EMPTY', 'the file is empty');
      if (this.declared >= 0 && this.records < this.want) {
        this.fail(
          'E_TRUNCATED',
          `the file ends after ${this.records} of the ${this.declared} vectors its header declares ` +
            `(vector ${this.records} missing at byte offset ${this.base + this.buf.length})`,
          { index: this.records, offset: this.base + this.buf.length, declared: this.declared },
        );
      }
      if (this.declared < 0 && this.records === 0) this.fail('E_EMPTY', 'the file has no vectors');
      this.phase = 'done';
      this.buf = EMPTY;
    }
    const n = this.rows * this.dim;
    if (this.data.length !== n) this.data = this.data.slice(0, n);
    return { words: this.words, dim: this.dim, vectors: this.data };
  }

  /** Fails with E_FORMAT naming what the file looks like (a fastText model, a pickle, gzip, binary data…). */
  private notVectors(s: SniffedFormat): never {
    this.fail('E_FORMAT', s.message, { looksLike: s.kind, offset: this.base + this.pos });
  }

  /** Binary data where a header or a text record should be: say so instead of quoting the bytes. */
  private failIfBinary(): void {
    // the callers wait for 4 KiB (or the end): the verdict must not depend on how the input was chunked
    const head = this.buf.subarray(this.pos, this.pos + MAX_HEADER_BYTES);
    if (looksBinary(head)) this.notVectors(binaryDataMessage(head));
  }

  private fail(code: ErrorCode, message: string, details: Record<string, unknown> = {}): never {
    let both = '';
    if (this.records === 0 && this.phase === 'text' && this.ambiguous) {
      both = '; nor is it word2vec binary: the bytes after the first word are all printable text, not float32 data (binary: true forces binary)';
    } else if (this.records === 0 && this.phase === 'binary' && this.notText !== undefined) {
      both = `; read as text it fails too: ${this.notText}`;
    }
    throw new QuantextError(code, `${this.name}: ${message}${both}`, { file: this.name, ...details, ...(both ? { triedBoth: true } : {}) });
  }

  private run(final: boolean): void {
    if (!this.sniffed) {
      if (this.buf.length < SNIFF_BYTES && !final) return;
      this.sniffed = true;
      const s = sniffNonVectors(this.buf);
      if (s) this.notVectors(s);
    }
    for (;;) {
      let progressed: boolean;
      switch (this.phase) {
        case 'header': progressed = this.readHeader(final); break;
        case 'sniff': progressed = this.sniff(final); break;
        case 'text': progressed = this.readTextRecord(final); break;
        case 'binary': progressed = this.readBinaryRecord(final); break;
        case 'trailer': this.checkTrailer(); return;
        case 'done': return;
      }
      if (!progressed) return;
    }
  }

  /** Records done: stop (`limit` reached) or check that nothing but whitespace follows. */
  private recordDone(): void {
    this.records++;
    if (this.records === this.want) this.phase = this.declared >= 0 && this.want === this.declared ? 'trailer' : 'done';
  }

  private readHeader(final: boolean): boolean {
    const buf = this.buf;
    if (this.base === 0 && this.pos === 0) {
      if (buf.length < 3 && !final) return false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.pos = 3; // UTF-8 BOM
    }
    let nl = buf.indexOf(NL, this.pos);
    if (nl === -1) {
      if (!final) {
        if (buf.length - this.pos > MAX_HEADER_BYTES) this.failIfBinary();
        if (buf.length - this.pos > MAX_HEADER_BYTES) this.fail('E_FORMAT', `line 1: no header line "<count> <dim>" in the first ${MAX_HEADER_BYTES} bytes`, { line: 1 });
        return false;
      }
      nl = buf.length;
    }
    const text = new TextDecoder('utf-8').decode(buf.subarray(this.pos, nl)).trim();
    if (text === '') {
      if (nl >= buf.length || this.onlyWhitespace(nl)) {
        if (final) this.fail('E_EMPTY', 'the file is empty');
        return false; // only whitespace so far: it may still be an empty file
      }
      if (this.autoHeader && this.binary !== true) {
        this.binary = false;
        this.phase = this.want === 0 ? 'done' : 'text';
        return true;
      }
      this.fail('E_FORMAT', 'line 1: expected a header "<count> <dim>", found an empty line', { line: 1, offset: this.base + this.pos });
    }
    const parts = text.split(/\s+/);
    if (parts.length !== 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) {
      if (!final && buf.length - this.pos < MAX_HEADER_BYTES) return false; // the binary check looks at 4 KiB
      this.failIfBinary();
      if (this.autoHeader && this.binary !== true) {
        // no header: GloVe-style text from this line on (nothing consumed but a BOM)
        this.binary = false;
        this.phase = this.want === 0 ? 'done' : 'text';
        return true;
      }
      const hint = parts.length > 2 ? " (a file without a header, such as GloVe, needs noHeader: true or 'auto')" : '';
      this.fail('E_FORMAT', `line 1: expected a header "<count> <dim>", found ${preview(text)}${hint}`, { line: 1, offset: 0, reason: 'no-header' });
    }
    const count = Number(parts[0]);
    const dim = Number(parts[1]);
    if (!Number.isSafeInteger(count) || !Number.isSafeInteger(dim)) this.fail('E_FORMAT', `line 1: header numbers out of range: ${preview(text)}`, { line: 1 });
    if (dim === 0) this.fail('E_FORMAT', 'line 1: the header declares vectors of dimension 0', { line: 1 });
    this.declared = count;
    this.setDim(dim);
    this.want = Math.min(this.want, count);
    this.line = 1;
    this.pos = Math.min(nl + 1, buf.length);
    if (this.want === 0) this.phase = count === 0 ? 'trailer' : 'done';
    else this.phase = this.binary === undefined ? 'sniff' : this.binary ? 'binary' : 'text';
    return true;
  }

  private setDim(dim: number): void {
    this.dim = dim;
    this.maxRecord = Math.min(MAX_LINE_BYTES, MAX_WORD_BYTES + (dim + 1) * MAX_VALUE_TEXT_BYTES);
  }

  /** Whether `buf[from..]` is whitespace only (searched once: an empty first line followed by more blank input). */
  private onlyWhitespace(from: number): boolean {
    const buf = this.buf;
    for (let p = this.resume(from); p < buf.length; p++) if (buf[p] !== NL && !IS_TEXT_SEP[buf[p]]) return false;
    this.scanned(from, buf.length);
    return true;
  }

  /**
   * Decides text or binary from the first record, conservatively. Text values are printable ASCII, so a byte that is
   * not (a control byte, or one of 0x80–0xff, which raw float32 data is full of) among the 4·D bytes after the word
   * is evidence of binary, and the only one: a first line of a word and D decimal numbers is text. A record that is
   * neither (printable bytes that do not parse as D numbers) is read as text, and the error names both readings.
   */
  private sniff(final: boolean): boolean {
    const buf = this.buf;
    const n = buf.length;
    const p = this.pos;
    let s = p;
    while (s < n && buf[s] !== SP && buf[s] !== NL) s++;
    if (s === n) {
      if (!final && s - p <= MAX_WORD_BYTES) return false;
      // The input ends inside the first word (or the word is too long for either layout): the binary reader says so.
      return this.decide(true, undefined);
    }
    if (buf[s] === NL) return this.decide(false, undefined);
    const vecEnd = s + 1 + 4 * this.dim;
    if (this.sniffLineEnd < 0) {
      // the line's end, or the first byte that cannot be text (searched once over all pushes)
      const from = this.resume(s + 1);
      let q = from;
      while (q < n && IS_TEXT_BYTE[buf[q]] && buf[q] !== NL) q++;
      if (q < n && buf[q] !== NL) return this.decide(true, `byte 0x${buf[q].toString(16).padStart(2, '0')} at offset ${this.base + q} is not text`);
      if (q === n && !final) {
        if (n - p > this.maxRecord) return this.decide(false, `no line break within ${this.maxRecord} bytes`);
        this.scanned(s + 1, n);
        return false;
      }
      this.sniffLineEnd = this.base + q;
      this.sniffWhy = this.textProblem(buf.subarray(s + 1, q));
      if (this.sniffWhy === undefined) return this.decide(false, undefined);
    }
    // Not text: binary only if the rest of the 4·D bytes after the word hold a byte that cannot be text.
    const lineEnd = this.sniffLineEnd - this.base;
    const end = Math.min(n, vecEnd);
    for (let q = Math.max(lineEnd, this.sniffScanned - this.base); q < end; q++) if (!IS_TEXT_BYTE[buf[q]]) return this.decide(true, this.sniffWhy);
    if (vecEnd > n && !final) {
      this.sniffScanned = this.base + n;
      return false;
    }
    // The input ends inside what would be the first binary record: a truncated file either way; the binary reader
    // says where, and the message adds why the bytes are not text either.
    return this.decide(vecEnd > n, this.sniffWhy);
  }

  private decide(binary: boolean, notText: string | undefined): boolean {
    this.binary = binary;
    this.phase = binary ? 'binary' : 'text';
    this.notText = binary ? notText : undefined;
    this.ambiguous = !binary && notText !== undefined;
    return true;
  }

  /** Why `bytes` (a first line after its word) are not `dim` decimal values, or undefined when they are. */
  private textProblem(bytes: Uint8Array): string | undefined {
    const tokens = splitRecord(new TextDecoder().decode(bytes));
    if (tokens.length !== this.dim) return `the first record has ${tokens.length} fields after the word, not ${this.dim}`;
    for (let k = 0; k < tokens.length; k++) {
      if (!isDecimal(tokens[k]) && !NON_FINITE_TOKENS.has(tokens[k].toLowerCase())) return `value ${k + 1} of the first record is not a number: ${preview(tokens[k])}`;
    }
    return undefined;
  }

  /** Makes room for one more row, allocating on first use and growing by doubling (capped at the rows wanted). */
  private ensureRow(): number {
    const dim = this.dim;
    const offset = this.rows * dim;
    if (offset + dim <= this.data.length) return offset;
    let cap: number;
    if (this.data.length === 0) {
      const remaining = this.sizeHint === undefined ? undefined : Math.max(0, this.sizeHint - (this.base + this.pos));
      if (remaining === undefined) cap = Math.max(1, Math.floor(INITIAL_FLOATS / dim));
      else if (this.binary) cap = Math.floor(remaining / (4 * dim + 2)) + 1; // "w " + floats
      else if (this.declared < 0) cap = Math.ceil((remaining / Math.max(1, this.firstLineBytes)) * 1.1) + 16; // estimate
      else cap = Math.floor(remaining / (2 * dim + 1)) + 1; // "w 0 0 …"
    } else {
      cap = 2 * (this.data.length / dim);
    }
    cap = Math.max(this.rows + 1, Math.min(cap, this.want - (this.records - this.rows)));
    let next: Float32Array;
    try {
      next = new Float32Array(cap * dim);
    } catch (e) {
      this.fail('E_TOO_LARGE', `cannot allocate ${cap} vectors of dimension ${dim} (${cap * dim * 4} bytes)`, { rows: cap, dim });
    }
    next.set(this.data);
    this.data = next;
    return offset;
  }

  /** Keeps the row just written (at `rows · dim`) under `word`, unless the word is a duplicate. */
  private commit(word: string, where: string): void {
    if (this.seen.has(word)) {
      if (!this.keepFirst) this.fail('E_FORMAT', `${where}: duplicate word ${preview(word)}`, { word });
      return;
    }
    this.seen.add(word);
    this.words.push(word);
    this.rows++;
  }

  private decode(bytes: Uint8Array, where: string, details: Record<string, unknown>): string {
    try {
      return this.decoder.decode(bytes);
    } catch (e) {
      this.fail('E_FORMAT', `${where}: invalid UTF-8 (use unicodeErrors: 'replace' to accept it)`, details);
    }
  }

  private readTextRecord(final: boolean): boolean {
    const buf = this.buf;
    let lineEnd = buf.indexOf(NL, this.resume(this.pos));
    let next: number;
    if (lineEnd === -1) {
      if (buf.length - this.pos > this.maxRecord) this.failLongRecord(this.pos);
      if (!final || this.pos >= buf.length) {
        this.scanned(this.pos, buf.length);
        return false;
      }
      lineEnd = next = buf.length;
    } else {
      if (lineEnd - this.pos >= this.maxRecord) this.failLongRecord(this.pos);
      next = lineEnd + 1;
    }
    if (this.declared < 0 && this.records === 0) {
      // header-less: binary data is not GloVe text (judged on the first 4 KiB, whatever the chunking)
      if (!final && buf.length - this.pos < MAX_HEADER_BYTES) return false;
      this.failIfBinary();
    }
    const lineNo = ++this.line;
    const offset = this.base + this.pos;
    const where = `line ${lineNo}`;
    const text = this.decode(buf.subarray(this.pos, lineEnd), where, { line: lineNo, offset });
    const lineBytes = next - this.pos;
    this.pos = next;

    const tokens = splitRecord(text);
    if (tokens.length === 0) return true; // blank line
    const word = tokens[0];
    const nvalues = tokens.length - 1;
    if (this.dim === 0) {
      if (nvalues === 0) this.fail('E_FORMAT', `${where}: ${preview(word)} has no values; cannot infer the dimension`, { line: lineNo, offset });
      this.setDim(nvalues);
      this.firstLineBytes = lineBytes;
      this.headerLike = nvalues === 1 && /^\d+$/.test(word) && /^\d+$/.test(tokens[1]);
    }
    const dim = this.dim;
    if (nvalues !== dim) {
      const hint = this.declared < 0 && this.records === 1 && dim === 1 && this.headerLike ? ' (the first line looks like a word2vec header "<count> <dim>": read without noHeader)' : '';
      this.fail('E_FORMAT', `${where}: expected ${dim} values after the word ${preview(word)}, found ${nvalues}${hint}`, {
        line: lineNo,
        offset,
        expected: dim,
        found: nvalues,
      });
    }
    const at = this.ensureRow();
    const data = this.data;
    for (let k = 0; k < dim; k++) {
      const tok = tokens[k + 1];
      let v: number;
      if (isDecimal(tok)) {
        v = Math.fround(Number(tok));
        if (!Number.isFinite(v) && !this.allowNonFinite) {
          this.fail('E_FORMAT', `${where}: value ${k + 1} of ${preview(word)} is ${preview(tok)}, out of the float32 range (±3.4028235e38)`, {
            line: lineNo,
            offset,
            column: k + 1,
            value: tok,
          });
        }
      } else {
        const special = NON_FINITE_TOKENS.get(tok.toLowerCase());
        if (special === undefined) {
          const hint = this.autoHeader && this.records === 0 ? ' (not word vectors? a word2vec file starts with a header "<count> <dim>", and a GloVe line is a word and its numbers)' : '';
          this.fail('E_FORMAT', `${where}: value ${k + 1} of ${preview(word)} is not a number: ${preview(tok)}${hint}`, { line: lineNo, offset, column: k + 1 });
        }
        if (!this.allowNonFinite) {
          this.fail('E_NAN', `${where}: value ${k + 1} of ${preview(word)} is ${tok}, not a finite float32 (allowNonFinite accepts it)`, {
            line: lineNo,
            offset,
            column: k + 1,
            value: tok,
          });
        }
        v = special;
      }
      data[at + k] = v;
    }
    this.commit(word, where);
    this.recordDone();
    return true;
  }

  private readBinaryRecord(final: boolean): boolean {
    const buf = this.buf;
    const n = buf.length;
    let p = this.pos;
    while (p < n && buf[p] === NL) p++; // the optional newline after the previous vector
    this.pos = p;
    if (p === n) return false;
    const index = this.records;
    const start = this.base + p;
    let sp = buf.indexOf(SP, this.resume(p));
    if (sp === -1 || sp - p > MAX_WORD_BYTES) {
      if (sp === -1 && n - p <= MAX_WORD_BYTES) {
        if (!final) {
          this.scanned(p, n);
          return false;
        }
        this.fail('E_TRUNCATED', `truncated in the word of vector ${index} at byte offset ${start} (no space after the word before the end)`, {
          index,
          offset: start,
        });
      }
      this.fail('E_FORMAT', `vector ${index} at byte offset ${start}: no space after the word within ${MAX_WORD_BYTES} bytes (wrong dimension in the header, or not a binary word2vec file?)`, {
        index,
        offset: start,
      });
    }
    if (sp === p) {
      this.fail('E_FORMAT', `vector ${index} at byte offset ${start}: empty word (wrong dimension in the header, or a damaged file?)`, { index, offset: start });
    }
    const dim = this.dim;
    const vecStart = sp + 1;
    const vecEnd = vecStart + 4 * dim;
    if (vecEnd > n) {
      if (!final) return false;
      this.fail(
        'E_TRUNCATED',
        `truncated in vector ${index} at byte offset ${this.base + vecStart}: expected ${4 * dim} bytes of float32 data, found ${n - vecStart}`,
        { index, offset: this.base + vecStart, expected: 4 * dim, found: n - vecStart },
      );
    }
    const where = `vector ${index} at byte offset ${start}`;
    const word = this.decode(buf.subarray(p, sp), where, { index, offset: start });
    const at = this.ensureRow();
    const data = this.data;
    if (LITTLE_ENDIAN) {
      new Uint8Array(data.buffer, data.byteOffset + at * 4, 4 * dim).set(buf.subarray(vecStart, vecEnd));
    } else {
      const view = new DataView(buf.buffer, buf.byteOffset + vecStart, 4 * dim);
      for (let k = 0; k < dim; k++) data[at + k] = view.getFloat32(4 * k, true);
    }
    if (!this.allowNonFinite) {
      for (let k = 0; k < dim; k++) {
        const v = data[at + k];
        if (v - v !== 0) {
          this.fail('E_NAN', `${where}: value ${k + 1} of ${preview(word)} is ${v} (allowNonFinite accepts it)`, {
            index,
            offset: this.base + vecStart + 4 * k,
            column: k + 1,
            value: v,
          });
        }
      }
    }
    this.pos = vecEnd;
    this.commit(word, where);
    this.recordDone();
    return true;
  }

  /** After the declared count: only whitespace may follow. */
  private checkTrailer(): void {
    const buf = this.buf;
    for (let p = this.pos; p < buf.length; p++) {
      const c = buf[p];
      if (c !== NL && !IS_TEXT_SEP[c]) {
        const offset = this.base + p;
        const where = this.binary ? `byte offset ${offset}` : `line ${this.line + 1 + countNewlines(buf, this.pos, p)}`;
        this.fail(
          'E_FORMAT',
          `${where}: more data after the ${this.declared} vectors the header declares (wrong count in the header?)`,
          { offset, declared: this.declared },
        );
      }
    }
    this.pos = buf.length;
  }
}

const OTHER_SEPARATORS = /[\t\r\v\f]/;

/** Splits a text record on runs of spaces, tabs, `\r`, `\v`, `\f`; the common single-space case uses the native split. */
function splitRecord(text: string): string[] {
  if (!OTHER_SEPARATORS.test(text)) {
    const parts = text.split(' ');
    if (parts.indexOf('') === -1) return parts;
    return parts.filter((t) => t !== '');
  }
  const tokens: string[] = [];
  const len = text.length;
  for (let i = 0; i < len; ) {
    while (i < len && isTextSep(text.charCodeAt(i))) i++;
    if (i >= len) break;
    let j = i + 1;
    while (j < len && !isTextSep(text.charCodeAt(j))) j++;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

/**
 * Whether `s` is a decimal floating-point number as C's strtof reads one, without its hexadecimal, `inf` and `nan`
 * forms: an optional sign, digits with an optional '.', at least one digit, an optional exponent. `Number()` alone
 * would also take `0x10`, `0b101`, `0o17` and `Infinity`.
 */
function isDecimal(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) c = s.charCodeAt(++i);
  let digits = 0;
  while (c >= 48 && c <= 57) {
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return false;
  if (c === 101 || c === 69) {
    c = s.charCodeAt(++i);
    if (c === 43 || c === 45) c = s.charCodeAt(++i);
    let exp = 0;
    while (c >= 48 && c <= 57) {
      exp++;
      c = s.charCodeAt(++i);
    }
    if (exp === 0) return false;
  }
  return i === n;
}

function countNewlines(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (buf[i] === NL) n++;
  return n;
}

function toUint8(data: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * Parses a word2vec file held in memory (text or binary, detected unless `binary` is given).
 * A `string` is the file's *content* (text format); to read a path use {@link readWord2Vec}.
 *
 * @example
 * ```ts
 * const { words, dim, vectors } = parseWord2Vec(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * ```
 */
export function parseWord2Vec(data: Uint8Array | ArrayBuffer | string, options: ParseWord2VecOptions = {}): WordVectors {
  const bytes = toUint8(data);
  const parser = new Word2VecParser({ ...options, sizeHint: options.sizeHint ?? bytes.length });
  parser.push(bytes);
  return parser.end();
}

/**
 * Reads a word2vec file (text or binary, detected unless `binary` is given) from a path, URL, stream, blob or
 * bytes: gensim's `KeyedVectors.load_word2vec_format`. Files are streamed in `chunkSize` reads, and reading stops
 * once `limit` vectors are in.
 *
 * @example
 * ```ts
 * const wv = await readWord2Vec('GoogleNews-vectors-negative300.bin', { limit: 100_000 });
 * ```
 */
export async function readWord2Vec(source: ByteSource, options: ReadWord2VecOptions = {}): Promise<WordVectors> {
  new Word2VecParser(options); // checks the options before anything is opened
  const opened = await openByteSource(source, options);
  const parser = new Word2VecParser({ ...options, name: opened.name, sizeHint: options.sizeHint ?? opened.size });
  for await (const chunk of opened.chunks) {
    if (parser.push(chunk)) break; // closes the file or cancels the stream
  }
  return parser.end();
}
