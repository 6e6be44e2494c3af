/**
 * Byte sources and corpus line streaming.
 *
 * Everything here is runtime-neutral: no `node:*` import. Reading a file *path* goes through a
 * {@link FileSystemHost} that the Node entry registers (see `src/io/node.ts`); browsers and Workers pass bytes,
 * a `Blob`, a `ReadableStream`, an http(s) `URL` or `{ text }` instead.
 *
 * The parsers in this folder are pure functions over byte chunks; this module turns any supported
 * {@link ByteSource} into such chunks, streamed (a multi-GB file is never read whole), and stops reading as soon
 * as the consumer stops iterating.
 */
import { QuantextError } from '../errors.js';

/** Default size of one streamed read: 1 MiB. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Anything quantext can read bytes from.
 *
 * - `string`: a file path (needs a {@link FileSystemHost}: Node, Deno and Bun through the node entry).
 * - `URL`: `file:` URLs go to the host file system; `http:`, `https:`, `blob:` and `data:` URLs are fetched and streamed.
 * - `{ text }`: in-memory text (encoded as UTF-8).
 * - `Uint8Array`, `ArrayBuffer`, `Blob`: in-memory bytes.
 * - `ReadableStream<Uint8Array>` or `AsyncIterable`/`Iterable` of `Uint8Array | string` chunks (e.g. a Node `Readable`,
 *   a `fetch` body): streamed. A `ReadableStream` can be read once only.
 * - `() => ByteSource`: a factory, called each time the source is opened; use it to make a one-shot stream re-readable.
 */
export type ByteSource =
  | string
  | URL
  | { readonly text: string }
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | (() => ByteSource | Promise<ByteSource>);

/** Options for opening a source for streamed reading. */
export interface OpenOptions {
  /** Bytes per read for files and fetched URLs (default {@link DEFAULT_CHUNK_SIZE}). */
  chunkSize?: number;
  /** Stops reading with `E_ABORTED` when it fires. */
  signal?: AbortSignal;
}

/** An opened source: its chunks, its total size when known, and a name for error messages. */
export interface OpenedSource {
  /** Name used in error messages: the path, the URL, or `<bytes>`/`<stream>`/`<text>`. */
  readonly name: string;
  /** Total byte length when known up front (files, in-memory data, blobs); lets parsers size their output once. */
  readonly size?: number;
  /** The bytes, in order. Stopping the iteration early releases the underlying file or stream. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** Data accepted by {@link FileSystemHost.writeAtomic} and `writeFileAtomic`. */
export type WriteData =
  | string
  | Uint8Array
  | Iterable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

/**
 * A file read at explicit positions (Node's `fs.readSync(fd, buf, 0, n, position)`): a reader over one can read large
 * arrays straight into their destination, never through a chunk (on hosts where first touching memory is dear, a
 * 53 MB model read through a chunk pays for it twice).
 */
export interface PositionalFile {
  /** the file's name for messages (a path) */
  readonly name: string;
  readonly size: number;
  /** Reads up to dst.length bytes at `position` into dst; returns how many (0 at the end). E_IO on failure. */
  read(dst: Uint8Array, position: number): number;
  close(): void;
}

/**
 * The file access a runtime provides. The Node entry registers one built on `node:fs` (src/io/node.ts);
 * a host without a file system has none, and file paths then fail with `E_UNSUPPORTED`.
 */
export interface FileSystemHost {
  /** Opens `path` for streamed reading. Fails with `E_IO` (not found, a directory, no permission …). */
  openRead(path: string | URL, options?: OpenOptions): Promise<OpenedSource>;
  /** Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename. */
  writeAtomic(path: string | URL, data: WriteData): Promise<void>;
  /**
   * Reads a whole (small) file synchronously, for the APIs that take a path and answer synchronously (the
   * evaluations, as gensim's). Optional: without it those APIs ask for the contents. Fails with `E_IO`.
   */
  readSync?(path: string | URL): Uint8Array;
  /** Opens a file for reads at explicit positions (optional). Fails with `E_IO`. */
  openPositional?(path: string | URL): PositionalFile;
}

/** The positional file behind a path or `file:` URL when the host has one, else undefined (use openByteSource). */
export function positionalFile(source: unknown): PositionalFile | undefined {
  const isPath = typeof source === 'string' || (source instanceof URL && source.protocol === 'file:');
  if (!isPath || !host?.openPositional) return undefined;
  return host.openPositional(source as string | URL);
}

let host: FileSystemHost | undefined;

/** Registers (or, with `undefined`, removes) the file system used for paths and `file:` URLs. */
export function setFileSystemHost(fs: FileSystemHost | undefined): void {
  host = fs;
}

/** The registered file system; throws `E_UNSUPPORTED` naming `path` when the runtime has none. */
export function fileSystemHost(path?: string | URL): FileSystemHost {
  if (!host) {
    throw new QuantextError(
      'E_UNSUPPORTED',
      `cannot access ${path === undefined ? 'files' : `the file ${String(path)}`}: this runtime has no file system registered ` +
        `(use the Node/Deno/Bun entry of quantext, or pass bytes, a Blob, a ReadableStream or { text })`,
      path === undefined ? undefined : { file: String(path) },
    );
  }
  return host;
}

/** Writes `data` to `path` atomically through the registered {@link FileSystemHost}. */
export function writeFileViaHost(path: string | URL, data: WriteData): Promise<void> {
  return fileSystemHost(path).writeAtomic(path, data);
}

const utf8Encoder = new TextEncoder();

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && x instanceof ReadableStream;
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

/** ReadableStreams already handed out: a second read fails with a clear message instead of a lock error. */
const consumedStreams = new WeakSet<object>();

function checkAborted(signal: AbortSignal | undefined, name: string): void {
  if (signal?.aborted) throw new QuantextError('E_ABORTED', `reading ${name} was aborted`, { file: name }, { cause: signal.reason });
}

async function* streamChunks(stream: ReadableStream<Uint8Array>, name: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      checkAborted(signal, name);
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield toBytes(value, name);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* iterableChunks(
  it: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  name: string,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of it) {
    checkAborted(signal, name);
    yield toBytes(chunk, name);
  }
}

async function* singleChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

function toBytes(chunk: unknown, name: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return utf8Encoder.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new QuantextError('E_OPTION', `${name}: stream chunk is ${typeof chunk}, expected Uint8Array or string`, { file: name });
}

async function fetchSource(url: URL, options: OpenOptions): Promise<OpenedSource> {
  const name = url.href;
  let res: Response;
  try {
    res = await fetch(url, { signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw new QuantextError('E_ABORTED', `reading ${name} was aborted`, { file: name }, { cause: e });
    throw new QuantextError('E_IO', `cannot fetch ${name}: ${(e as Error).message}`, { file: name }, { cause: e });
  }
  if (!res.ok) throw new QuantextError('E_IO', `cannot fetch ${name}: HTTP ${res.status} ${res.statusText}`, { file: name, status: res.status });
  const len = Number(res.headers.get('content-length'));
  const encoded = res.headers.get('content-encoding');
  const size = Number.isSafeInteger(len) && len >= 0 && !encoded ? len : undefined;
  const body = res.body;
  return { name, size, chunks: body ? streamChunks(body, name, options.signal) : singleChunk(new Uint8Array(await res.arrayBuffer())) };
}

/**
 * Opens any {@link ByteSource} for streamed reading. Paths and `file:` URLs go to the registered
 * {@link FileSystemHost}; in-memory data is yielded as one chunk.
 *
 * @param name - overrides the name used in error messages (default: the path, URL, or `<bytes>`/`<stream>`/`<text>`).
 */
export async function openByteSource(source: ByteSource, options: OpenOptions & { name?: string } = {}): Promise<OpenedSource> {
  if (typeof source === 'function') return openByteSource(await source(), options);
  const named = (o: OpenedSource): OpenedSource => (options.name !== undefined ? { ...o, name: options.name } : o);
  if (typeof source === 'string') return named(await fileSystemHost(source).openRead(source, options));
  if (source instanceof URL) {
    if (source.protocol === 'file:') return named(await fileSystemHost(source).openRead(source, options));
    return named(await fetchSource(source, options));
  }
  const name = options.name;
  if (source instanceof Uint8Array) return { name: name ?? '<bytes>', size: source.length, chunks: singleChunk(source) };
  if (source instanceof ArrayBuffer) return { name: name ?? '<bytes>', size: source.byteLength, chunks: singleChunk(new Uint8Array(source)) };
  if (isBlob(source)) {
    const n = name ?? ((source as File).name || '<blob>');
    return { name: n, size: source.size, chunks: streamChunks(source.stream() as ReadableStream<Uint8Array>, n, options.signal) };
  }
  if (isReadableStream(source)) {
    const n = name ?? '<stream>';
    if (consumedStreams.has(source) || source.locked) {
      throw new QuantextError(
        'E_UNSUPPORTED',
        `${n}: this ReadableStream was already read; pass a function that returns a new stream to read a source more than once`,
        { file: n },
      );
    }
    consumedStreams.add(source);
    return { name: n, chunks: streamChunks(source, n, options.signal) };
  }
  if (typeof source === 'object' && source !== null && 'text' in source && typeof (source as { text: unknown }).text === 'string') {
    const bytes = utf8Encoder.encode((source as { text: string }).text);
    return { name: name ?? '<text>', size: bytes.length, chunks: singleChunk(bytes) };
  }
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    const n = name ?? '<stream>';
    return { name: n, chunks: iterableChunks(source as AsyncIterable<Uint8Array | string>, n, options.signal) };
  }
  throw new QuantextError('E_OPTION', `unsupported source of type ${Object.prototype.toString.call(source)}`);
}

/** Options of {@link readLines}. */
export interface ReadLinesOptions extends OpenOptions {
  /** Name used in error messages (default: the path or URL). */
  name?: string;
  /**
   * A longer line stops the reading with `E_TOO_LARGE` (naming the line) instead of exceeding the JavaScript
   * engine's string limit. Default {@link MAX_LINE_LENGTH}. (Training corpora read with the default tokenizer are
   * scanned as bytes and have no such limit.)
   */
  maxLineLength?: number;
}

/** Default longest line {@link readLines} yields, in UTF-16 code units: 2^28 (V8's strings stop near 2^29). */
export const MAX_LINE_LENGTH = 2 ** 28;

/**
 * Streams the lines of a text source, decoded as UTF-8 (invalid bytes become U+FFFD; a leading BOM is dropped).
 *
 * Lines end at `\n`; a `\r` before it is removed (`\r\n` files). Empty lines are yielded as `''`; a last line
 * without a final newline is yielded too. Chunk boundaries anywhere, including inside a `\r\n` pair or a multi-byte
 * UTF-8 character, do not change the result.
 *
 * The returned iterable is re-iterable: every `for await` opens the source again, so trainers can make a vocabulary
 * pass and then training passes over the same path. A `ReadableStream` can be read only once (a second pass
 * fails with `E_UNSUPPORTED`); wrap it in a factory (`() => stream`) to re-open it.
 *
 * @example
 * ```ts
 * for await (const line of readLines('corpus.txt')) {
 *   const words = tokenize(line);
 * }
 * ```
 */
/**
 * Feeds `chunks` to `take`, each chunk prefixed with the bytes the previous call left unconsumed (a line or token cut
 * by the chunk boundary); `take(buf)` returns how many bytes of `buf` it consumed. Resolves to what is left at the
 * end (possibly empty), for the caller's last, unterminated piece.
 */
export async function forEachCarried(chunks: AsyncIterable<Uint8Array>, take: (buf: Uint8Array) => number): Promise<Uint8Array> {
  let rest: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    let buf = chunk;
    if (rest.length) {
      buf = new Uint8Array(rest.length + chunk.length);
      buf.set(rest);
      buf.set(chunk, rest.length);
    }
    rest = buf.slice(take(buf));
  }
  return rest;
}

export function readLines(source: ByteSource, options: ReadLinesOptions = {}): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () => linesOf(source, options)[Symbol.asyncIterator](),
  };
}

async function* linesOf(source: ByteSource, options: ReadLinesOptions): AsyncGenerator<string> {
  if (typeof source === 'object' && source !== null && 'text' in source && typeof (source as { text: unknown }).text === 'string') {
    yield* splitText((source as { text: string }).text);
    return;
  }
  const opened = await openByteSource(source, options);
  const decoder = new TextDecoder('utf-8');
  const maxLine = options.maxLineLength ?? MAX_LINE_LENGTH;
  let partial = '';
  let lineNo = 1;
  for await (const chunk of opened.chunks) {
    const text = decoder.decode(chunk, { stream: true });
    const firstNl = text.indexOf('\n');
    if (partial.length + (firstNl === -1 ? text.length : firstNl) > maxLine) {
      throw new QuantextError('E_TOO_LARGE', `${opened.name}: line ${lineNo} is longer than ${maxLine} characters`, { file: opened.name, line: lineNo });
    }
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      let line = text.slice(start, nl);
      if (partial.length > 0) {
        line = partial + line;
        partial = '';
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      yield line;
      lineNo++;
      start = nl + 1;
    }
    partial += start === 0 ? text : text.slice(start);
  }
  partial += decoder.decode();
  if (partial.endsWith('\r')) partial = partial.slice(0, -1);
  if (partial.length > 0) yield partial;
}

function* splitText(text: string): Generator<string> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let start = 0;
  let nl = text.indexOf('\n');
  while (nl !== -1) {
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield text.slice(start, end);
    start = nl + 1;
    nl = text.indexOf('\n', start);
  }
  let last = text.slice(start);
  if (last.endsWith('\r')) last = last.slice(0, -1);
  if (last.length > 0) yield last;
}

const WHITESPACE = /\s+/;

/**
 * The default tokenizer: splits `line` on runs of whitespace (JavaScript `\s`: spaces, tabs, line breaks,
 * NBSP and the other Unicode spaces) and drops empty tokens, like Python's `str.split()` used by gensim's
 * `LineSentence`. No lowercasing or punctuation handling.
 *
 * @example tokenize('  the quick\tfox ') // ['the', 'quick', 'fox']
 */
export function tokenize(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(WHITESPACE);
}
