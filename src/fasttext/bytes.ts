/**
 * A little-endian reader over a stream of chunks, for fastText's model files: small fields are read from a buffer
 * refilled from the chunks; large arrays are copied chunk by chunk straight into their destination (wasm memory),
 * so a model file is never held twice. Every failure is E_FORMAT with the byte offset.
 */
import { QuantextError } from '../errors.js';
import type { PositionalFile } from '../io/lines.js';

/** The chunks of a positional file from `at.pos` on, advancing it (a reader's direct reads advance it too). */
async function* positionalChunks(f: PositionalFile, at: { pos: number }, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buf = new Uint8Array(Math.min(chunkSize, Math.max(0, f.size - at.pos)) || 1);
    const n = f.read(buf, at.pos);
    if (n === 0) return;
    at.pos += n;
    yield n === buf.length ? buf : buf.subarray(0, n);
  }
}

export class ChunkReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly dv = new DataView(new ArrayBuffer(8));
  private readonly u8 = new Uint8Array(this.dv.buffer);

  private file?: PositionalFile;
  private filePos?: { pos: number };

  constructor(chunks: AsyncIterable<Uint8Array>, readonly name: string, readonly size?: number) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  /** A reader over a positional file (its size known): {@link copyInto} then reads straight into the destination. */
  static fromFile(file: PositionalFile, name = file.name, chunkSize = 1 << 20): ChunkReader {
    const at = { pos: 0 };
    const r = new ChunkReader(positionalChunks(file, at, chunkSize), name, file.size);
    r.file = file;
    r.filePos = at;
    return r;
  }

  /**
   * Like {@link copy}, into `dest(at, length)` (a view on the destination, made at each call): bytes already
   * buffered are copied, and with a positional file the rest is read straight into the destination.
   */
  async copyInto(n: number, what: string, dest: (at: number, length: number) => Uint8Array): Promise<void> {
    if (!this.file || this.ahead.length) return this.copy(n, what, (b, o) => dest(o, b.length).set(b));
    const k = Math.min(n, this.buf.length - this.pos);
    if (k > 0) dest(0, k).set(this.buf.subarray(this.pos, this.pos + k));
    this.pos += k;
    let done = k;
    if (done < n) {
      // the buffer is used up: skip it, then read the rest at the file position (the chunk generator resumes after it)
      this.base += this.buf.length;
      this.buf = new Uint8Array(0);
      this.pos = 0;
      const at = this.filePos!;
      while (done < n) {
        const got = this.file.read(dest(done, n - done), at.pos);
        if (got === 0) this.fail(`the file ends inside ${what}: truncated`);
        at.pos += got;
        this.base += got;
        done += got;
      }
    }
  }

  /** Chunks read ahead by {@link prefetch}, consumed before the iterator's. */
  private ahead: Uint8Array[] = [];
  private aheadBytes = 0;

  private nextChunk(): Promise<IteratorResult<Uint8Array>> | IteratorResult<Uint8Array> {
    const c = this.ahead.shift();
    if (c === undefined) return this.it.next();
    this.aheadBytes -= c.length;
    return { done: false, value: c };
  }

  /**
   * When the source's size is unknown (a stream), reads ahead until n bytes are known to exist, so that a header
   * claiming more than the stream holds is refused ("truncated") before anything of that size is allocated. The
   * chunks read ahead are held as they came (memory proportional to the data) and consumed by the reads that follow.
   * A no-op when the size is known: the callers check sizes against it.
   */
  async prefetch(n: number, what: string): Promise<void> {
    if (this.size !== undefined) return;
    while (this.buf.length - this.pos + this.aheadBytes < n) {
      if (this.done) this.fail(`the file ends inside ${what}: truncated`);
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        continue;
      }
      this.ahead.push(r.value);
      this.aheadBytes += r.value.length;
    }
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes known to remain (when the size is known), else Infinity. */
  get remaining(): number {
    return this.size === undefined ? Infinity : this.size - this.offset;
  }

  fail(message: string, at = this.offset): never {
    throw new QuantextError('E_FORMAT', `${this.name}: ${message} (at byte ${at})`, { file: this.name, offset: at });
  }

  /** Makes sure n bytes are buffered; E_FORMAT ("truncated") when the stream ends first. */
  async need(n: number, what: string): Promise<void> {
    while (this.buf.length - this.pos < n) {
      if (this.done) this.fail(`the file ends inside ${what}: truncated`);
      const r = await this.nextChunk();
      if (r.done) {
        this.done = true;
        continue;
      }
      const rest = this.buf.subarray(this.pos);
      this.base += this.pos;
      this.pos = 0;
      if (rest.length === 0) {
        // nothing carried over: read the chunk itself (a whole file in one chunk is not copied again)
        this.buf = r.value;
        continue;
      }
      const next = new Uint8Array(rest.length + r.value.length);
      next.set(rest);
      next.set(r.value, rest.length);
      this.buf = next;
    }
  }

  private take(n: number): number {
    const p = this.pos;
    this.pos += n;
    return p;
  }

  async i32(what: string): Promise<number> {
    await this.need(4, what);
    const p = this.take(4), b = this.buf;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }

  async u8v(what: string): Promise<number> {
    await this.need(1, what);
    return this.buf[this.take(1)];
  }

  /** An int64 as a number (exact up to 2^53; larger magnitudes come back as ±Infinity, to be refused by the caller). */
  async i64(what: string): Promise<number> {
    await this.need(8, what);
    const p = this.take(8), b = this.buf;
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    const hi = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24);
    if (hi >= 0x200000 || hi < -0x200000) return hi < 0 ? -Infinity : Infinity;
    return hi * 4294967296 + lo;
  }

  async f64(what: string): Promise<number> {
    await this.need(8, what);
    this.u8.set(this.buf.subarray(this.pos, this.pos + 8));
    this.take(8);
    return this.dv.getFloat64(0, true);
  }

  /** A NUL-terminated byte string (its bytes, without the NUL), at most `max` bytes. */
  async cstring(what: string, max = 1 << 20): Promise<Uint8Array> {
    for (;;) {
      const end = this.buf.indexOf(0, this.pos);
      if (end >= 0) {
        const s = this.buf.subarray(this.pos, end);
        this.pos = end + 1;
        return s;
      }
      if (this.buf.length - this.pos > max) this.fail(`${what} is longer than ${max} bytes (no NUL terminator)`);
      await this.need(this.buf.length - this.pos + 1, what);
    }
  }

  /** The buffered bytes (buf[pos …]) for a caller that parses in place; `skip(n)` then moves past what it used. */
  window(): { buf: Uint8Array; pos: number } {
    return { buf: this.buf, pos: this.pos };
  }

  /** Moves past n buffered bytes (n ≤ what `window()` showed). */
  skip(n: number): void {
    this.pos += n;
  }

  /** Bytes buffered after the current position. */
  get buffered(): number {
    return this.buf.length - this.pos;
  }

  /** Copies the next n bytes to `sink(bytes, at)` piece by piece (at = offset within the n bytes). */
  async copy(n: number, what: string, sink: (bytes: Uint8Array, at: number) => void): Promise<void> {
    let done = 0;
    while (done < n) {
      if (this.pos >= this.buf.length) {
        if (this.done) this.fail(`the file ends inside ${what}: truncated`);
        const r = await this.nextChunk();
        if (r.done) {
          this.done = true;
          continue;
        }
        this.base += this.buf.length;
        this.buf = r.value;
        this.pos = 0;
        continue;
      }
      const k = Math.min(n - done, this.buf.length - this.pos);
      sink(this.buf.subarray(this.pos, this.pos + k), done);
      this.pos += k;
      done += k;
    }
  }

  /** True when nothing follows. */
  async atEnd(): Promise<boolean> {
    if (this.pos < this.buf.length) return false;
    while (!this.done) {
      const r = await this.nextChunk();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.base += this.buf.length;
        this.buf = r.value;
        this.pos = 0;
        return false;
      }
    }
    return true;
  }

  async close(): Promise<void> {
    await this.it.return?.();
    this.file?.close();
    this.file = undefined;
  }
}

/** A growable little-endian writer (for model files, which are written whole). */
export class ByteWriter {
  private parts: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 16);
  private dv = new DataView(this.cur.buffer);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.cur.length) return;
    this.flush();
    if (k > this.cur.length) {
      this.cur = new Uint8Array(k);
      this.dv = new DataView(this.cur.buffer);
    }
  }

  private flush(): void {
    if (this.n > 0) this.parts.push(this.cur.slice(0, this.n));
    this.n = 0;
  }

  i32(v: number): void {
    this.room(4);
    this.dv.setInt32(this.n, v, true);
    this.n += 4;
  }
  i64(v: number): void {
    this.room(8);
    this.dv.setBigInt64(this.n, BigInt(v), true);
    this.n += 8;
  }
  f64(v: number): void {
    this.room(8);
    this.dv.setFloat64(this.n, v, true);
    this.n += 8;
  }
  u8(v: number): void {
    this.room(1);
    this.cur[this.n++] = v;
  }
  /** Raw bytes (copied). */
  bytes(b: Uint8Array): void {
    if (b.length > 1 << 16) {
      this.flush();
      this.parts.push(b.slice());
      return;
    }
    this.room(b.length);
    this.cur.set(b, this.n);
    this.n += b.length;
  }
  /** The chunks written so far (the writer is done after this). */
  finish(): Uint8Array[] {
    this.flush();
    return this.parts;
  }
}
