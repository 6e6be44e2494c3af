import { QuantextError } from '../errors.js';
import { tokenize, openByteSource } from '../io/lines.js';
import { SEP_LINE, SEP_STRING, type TextSource, type TextChunk, type EncodedCorpus } from './vocab.js';

/** A sentence: a string (split on whitespace) or an array of tokens. */
export type Sentence = string | readonly string[];

/**
 * What the trainers accept as a corpus:
 * - an array (or any re-iterable Iterable) of sentences;
 * - an AsyncIterable that can be iterated again (each `[Symbol.asyncIterator]()` call restarts it);
 * - a function returning a fresh (async) iterable each time it is called;
 * - a path or file: URL (Node, Deno, Bun), read line by line, one sentence per line, streamed each epoch.
 * One-shot iterators (generators) are refused: training needs one pass for the vocabulary and one per epoch.
 */
export type CorpusInput =
  | IdCorpus
  | Iterable<Sentence>
  | AsyncIterable<Sentence>
  | (() => Iterable<Sentence> | AsyncIterable<Sentence>)
  | string
  | URL;

/**
 * A corpus given as word ids: `ids` index `words` when given (any vocabulary, e.g. a tokenizer's), else the model's
 * own vocabulary (`model.wv.keyToIndex` order, after buildVocab). Negative ids are unknown words (skipped, but counted
 * as raw tokens). `sentenceEnds` are the exclusive end offsets of the sentences (default: one sentence, split every
 * maxSentenceLength tokens).
 */
export interface IdCorpus {
  ids: Int32Array;
  words?: readonly string[];
  sentenceEnds?: Int32Array;
}

/** True for an {@link IdCorpus}. */
export function isIdCorpus(x: unknown): x is IdCorpus {
  return typeof x === 'object' && x !== null && (x as IdCorpus).ids instanceof Int32Array;
}

/** The sentence ends of an id corpus, checked (non-decreasing, within ids); a tail after the last end is a sentence. */
export function idCorpusEnds(c: IdCorpus): Int32Array {
  const n = c.ids.length;
  const e = c.sentenceEnds;
  if (e === undefined) return Int32Array.of(n);
  if (!(e instanceof Int32Array)) throw new QuantextError('E_OPTION', 'id corpus: sentenceEnds must be an Int32Array');
  let prev = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] < prev || e[i] > n) throw new QuantextError('E_FORMAT', `id corpus: sentenceEnds[${i}] = ${e[i]} is not in [${prev}, ${n}]`, { index: i });
    prev = e[i];
  }
  if (prev === n) return e;
  const out = new Int32Array(e.length + 1);
  out.set(e);
  out[e.length] = n;
  return out;
}

type LineReader = (path: string | URL) => AsyncIterable<string>;
let lineReader: LineReader | undefined;

/** The Node entry registers a streaming file reader; other runtimes have none (pass arrays or streams). */
export function setLineReader(fn: LineReader): void {
  lineReader = fn;
}


export interface Corpus {
  /** A fresh pass over the sentences as token arrays. */
  sentences(): AsyncIterable<string[]> | Iterable<string[]>;
  /** True when the corpus is held in memory (an array): trainers may cache it encoded. */
  readonly inMemory: boolean;
  readonly describe: string;
  /**
   * The corpus as UTF-8 bytes, when it is tokenized by the default tokenizer (a path, strings): the vocabulary pass
   * then runs in wasm (VocabBuilder.addCorpus) and no token becomes a JS string. Absent with a custom tokenizer.
   */
  readonly text?: TextSource;
}

/** Strings as UTF-8 bytes, each followed by the sentence separator 0xFF; token arrays pass through. */
function* encodeSync(src: Iterable<Sentence>): Iterable<TextChunk> {
  const enc = new TextEncoder();
  let buf = new Uint8Array(1 << 18), n = 0;
  for (const s of src) {
    if (typeof s === 'string') {
      const need = s.length * 3 + 1;
      if (n + need > buf.length) {
        if (n > 0) yield buf.subarray(0, n);
        n = 0;
        if (need > buf.length) buf = new Uint8Array(need);
      }
      n += enc.encodeInto(s, buf.subarray(n)).written;
      buf[n++] = SEP_STRING;
    } else if (Array.isArray(s)) {
      if (n > 0) yield buf.subarray(0, n);
      n = 0;
      yield s as string[];
    } else throw new QuantextError('E_FORMAT', `corpus: a sentence must be a string or an array of strings, got ${typeof s}`);
  }
  if (n > 0) yield buf.subarray(0, n);
}

async function* encodeAsync(src: AsyncIterable<Sentence> | Iterable<Sentence>): AsyncIterable<TextChunk> {
  // batches of sentences through the synchronous encoder
  let batch: Sentence[] = [];
  for await (const s of src as AsyncIterable<Sentence>) {
    batch.push(s);
    if (batch.length === 4096) {
      yield* encodeSync(batch);
      batch = [];
    }
  }
  yield* encodeSync(batch);
}

async function* fileChunks(path: string | URL): AsyncIterable<TextChunk> {
  const opened = await openByteSource(path);
  yield* opened.chunks;
}

function isOneShot(it: any): boolean {
  if (typeof it?.next !== 'function') return false;
  try {
    if (typeof it[Symbol.iterator] === 'function' && it[Symbol.iterator]() === it) return true;
    if (typeof it[Symbol.asyncIterator] === 'function' && it[Symbol.asyncIterator]() === it) return true;
  } catch {
    /* not iterable */
  }
  return false;
}

function* mapSync(src: Iterable<Sentence>, tok: (s: string) => string[]): Iterable<string[]> {
  for (const s of src) yield typeof s === 'string' ? tok(s) : (s as string[]);
}

async function* mapAsync(src: AsyncIterable<Sentence> | Iterable<Sentence>, tok: (s: string) => string[]): AsyncIterable<string[]> {
  for await (const s of src as AsyncIterable<Sentence>) {
    if (typeof s === 'string') yield tok(s);
    else if (Array.isArray(s)) yield s as string[];
    else throw new QuantextError('E_FORMAT', `corpus: a sentence must be a string or an array of strings, got ${typeof s}`);
  }
}

/** Normalises any CorpusInput into a re-iterable Corpus. */
export function openCorpus(input: CorpusInput, tokenizer: (s: string) => string[] = tokenize): Corpus {
  if (input == null) throw new QuantextError('E_OPTION', 'corpus is required');
  if (typeof input === 'string' || input instanceof URL) {
    if (!lineReader) {
      throw new QuantextError('E_UNSUPPORTED', 'reading a corpus from a path needs a file system (Node, Deno, Bun); pass an array or a stream instead');
    }
    const read = lineReader;
    const text: TextSource | undefined = tokenizer === tokenize ? { sep: SEP_LINE, lines: true, name: String(input), chunks: () => fileChunks(input) } : undefined;
    return { inMemory: false, describe: String(input), sentences: () => mapAsync(read(input), tokenizer), text };
  }
  if (typeof input === 'function') {
    const fn = input;
    const fresh = () => {
      const it = fn();
      return typeof (it as any)[Symbol.asyncIterator] === 'function' ? encodeAsync(it) : encodeSync(it as Iterable<Sentence>);
    };
    return {
      inMemory: false,
      describe: 'a corpus function',
      text: tokenizer === tokenize ? { sep: SEP_STRING, lines: false, name: 'a corpus function', chunks: fresh } : undefined,
      sentences: () => {
        const it = fn();
        return (typeof (it as any)[Symbol.asyncIterator] === 'function' ? mapAsync(it, tokenizer) : mapSync(it as Iterable<Sentence>, tokenizer)) as any;
      },
    };
  }
  if (isIdCorpus(input)) {
    const c = input, words = c.words;
    if (!words) throw new QuantextError('E_OPTION', 'an id corpus without words has no tokens to read: pass { ids, words }, or train a model whose vocabulary it uses');
    const ends = idCorpusEnds(c);
    return {
      inMemory: true,
      describe: `${c.ids.length} ids`,
      sentences: function* () {
        let s = 0;
        for (const e of ends) {
          const out: string[] = [];
          for (let i = s; i < e; i++) out.push(c.ids[i] >= 0 ? words[c.ids[i]] : '\u0000');
          yield out;
          s = e;
        }
      },
    };
  }
  if (isOneShot(input)) {
    throw new QuantextError(
      'E_OPTION',
      'corpus is a one-shot iterator (a generator?): training iterates the corpus once per epoch plus once for the vocabulary. Pass an array, a re-iterable object, or a function that returns a fresh iterator.',
    );
  }
  if (Array.isArray(input)) {
    for (let i = 0; i < Math.min(input.length, 1000); i++) {
      const s = input[i];
      if (typeof s !== 'string' && !Array.isArray(s)) throw new QuantextError('E_FORMAT', `corpus[${i}] must be a string or an array of strings`);
    }
    // token arrays are counted faster by a Map of their strings than re-encoded: the wasm pass is for text
    const text: TextSource | undefined = tokenizer === tokenize && typeof input[0] === 'string'
      ? { sep: SEP_STRING, lines: false, name: 'the corpus', chunks: () => encodeSync(input as Sentence[]) } : undefined;
    return { inMemory: true, describe: `${input.length} sentences`, sentences: () => mapSync(input as Sentence[], tokenizer), text };
  }
  if (typeof (input as any)[Symbol.asyncIterator] === 'function') {
    const text: TextSource | undefined = tokenizer === tokenize
      ? { sep: SEP_STRING, lines: false, name: 'an async iterable', chunks: () => encodeAsync(input as AsyncIterable<Sentence>) } : undefined;
    return { inMemory: false, describe: 'an async iterable', sentences: () => mapAsync(input as AsyncIterable<Sentence>, tokenizer), text };
  }
  if (typeof (input as any)[Symbol.iterator] === 'function') {
    const text: TextSource | undefined = tokenizer === tokenize
      ? { sep: SEP_STRING, lines: false, name: 'an iterable', chunks: () => encodeSync(input as Iterable<Sentence>) } : undefined;
    return { inMemory: false, describe: 'an iterable', sentences: () => mapSync(input as Iterable<Sentence>, tokenizer), text };
  }
  throw new QuantextError('E_OPTION', `corpus must be an array, an (async) iterable, a function or a path; got ${typeof input}`);
}

/**
 * An id corpus in a model's ids (Word2Vec and FastText): mapped through its own `words` by the model's `index`, or
 * checked against the model's `size` words. Negative ids stay −1 (skipped).
 */
export function encodeIdCorpus(c: IdCorpus, index: ReadonlyMap<string, number>, size: number): EncodedCorpus {
  const ends = idCorpusEnds(c);
  const tokens = new Int32Array(c.ids.length);
  const map = c.words ? Int32Array.from(c.words, (w) => index.get(w) ?? -1) : undefined;
  const limit = map ? map.length : size;
  for (let i = 0; i < tokens.length; i++) {
    const id = c.ids[i];
    if (id >= limit) {
      throw new QuantextError('E_FORMAT', map ? `id corpus: ids[${i}] = ${id} is beyond its ${limit} words` : `id corpus: ids[${i}] = ${id} is beyond the model's ${limit} words (pass { ids, words } for ids of another vocabulary)`, { index: i });
    }
    tokens[i] = id < 0 ? -1 : map ? map[id] : id;
  }
  return { tokens, ends };
}
