// Fuzz targets of issue 15: every parser, fed random and mutated inputs grown from valid seeds. A target's `check`
// runs one input and throws (an assertion error, for fast-check to shrink and report) unless the parser either
// succeeds with a consistent result or rejects the input with a QuantextError that has a code and, for files, the
// byte offset or the line. Anything else — another error type, a wasm trap, a leak of wasm memory, an allocation
// beyond what the input justifies — fails. Used by test/reliability/fuzz.test.ts (bounded) and scripts/fuzz.mjs (long).
import fc from 'fast-check';
import { QuantextError, type ErrorCode } from '../../../src/errors.js';
import { Word2VecParser, formatWord2Vec, parseWord2Vec, type WordVectors } from '../../../src/io/word2vec.js';
import { formatGloVe, parseGloVe } from '../../../src/io/glove.js';
import { loadTable, saveTable } from '../../../src/io/safetensors.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { DenseMatrix } from '../../../src/vectors/matrix.js';
import { quantizeMatrix, type QuantizeMatrixOptions } from '../../../src/vectors/tables/factory.js';
import { KeyedVectors } from '../../../src/vectors/keyed.js';
import { int, joinNegativeValues, num, oneOf, positiveInt, seed, str } from '../../../src/cli/args.js';
import { rng } from '../../helpers.js';
import { FastTextModel } from '../../../src/fasttext/model.js';
import { Word2Vec } from '../../../src/train/word2vec.js';
import { FastText } from '../../../src/train/fasttext.js';
import { GloVe } from '../../../src/train/glove/glove.js';
import { TextClassifier } from '../../../src/classify/classifier.js';
import { CompressedClassifier, compressClassifier, type CompressClassifierOptions } from '../../../src/compress/classifier.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_OPTION', 'E_FORMAT', 'E_TRUNCATED', 'E_TOO_LARGE', 'E_OOV', 'E_NAN', 'E_OOM', 'E_DISPOSED', 'E_UNSUPPORTED',
  'E_NOT_INITIALIZED', 'E_WASM', 'E_EMPTY', 'E_IO', 'E_ABORTED', 'E_BUSY', 'E_SHAPE',
]);

/**
 * Watches the runtime's arena across one check: `check(why)` fails when bytes are still held that were not held
 * before. Bytes the GC safety net reclaimed meanwhile (an earlier undisposed object collected during the check) are
 * counted back in, so they are neither taken for a leak nor allowed to hide one.
 */
function arenaWatch(rt: Runtime): { check(why?: string): void } {
  const before = rt.arena.used, reclaimed = rt.arena.reclaimed;
  return {
    check(why) {
      const gc = rt.arena.reclaimed - reclaimed;
      if (rt.arena.used + gc !== before) fail(`arena usage ${before} → ${rt.arena.used}${gc ? ` (${gc} reclaimed by GC)` : ''}${why ? ` (${why})` : ''}`);
    },
  };
}

/** Why `e` is not an acceptable rejection, or undefined when it is. */
export function badRejection(e: unknown, where: 'file' | 'none'): string | undefined {
  if (!(e instanceof QuantextError)) return `not a QuantextError: ${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}`;
  if (!CODES.has(e.code)) return `unknown code ${e.code}`;
  if (where === 'file' && e.code !== 'E_EMPTY') {
    const d = e.details ?? {};
    if (typeof d.offset !== 'number' && typeof d.line !== 'number' && typeof d.index !== 'number' && typeof d.tensor !== 'string' && typeof d.key !== 'string') {
      return `${e.code} without a location (offset, line, index, tensor or key): ${e.message}`;
    }
  }
  return undefined;
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** The outcome of a call: 'ok' with a value, or the rejection (checked). */
type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

function outcome<T>(fn: () => T, where: 'file' | 'none'): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    const bad = badRejection(e, where);
    if (bad) fail(bad);
    return { ok: false, code: (e as QuantextError).code, message: (e as Error).message };
  }
}

// ---------------------------------------------------------------- byte mutations

const TOKENS = [
  ' ', '\n', '\r\n', '\t', '\0', '\xff', '0', '-', '+', '.', 'e', 'E', '0x10', '0b101', '0o17', 'nan', '-inf', 'Infinity',
  '1e39', '1e999', '-1e-50', '3.4028235e38', '9007199254740993', '4294967296', '2147483648', '-1', '1 1', '\ufeff', 'é', '😀',
];

export type Mutation =
  | { k: 'set'; at: number; byte: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'token'; at: number; token: string }
  | { k: 'delete'; at: number; len: number }
  | { k: 'truncate'; at: number }
  | { k: 'dup'; at: number; len: number };

const at = fc.nat({ max: 1 << 20 });
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('set' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant('insert' as const), at, bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ k: fc.constant('token' as const), at, token: fc.constantFrom(...TOKENS) }),
  fc.record({ k: fc.constant('delete' as const), at, len: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ k: fc.constant('truncate' as const), at }),
  fc.record({ k: fc.constant('dup' as const), at, len: fc.integer({ min: 1, max: 64 }) }),
);

const enc = new TextEncoder();
export function mutate(seed: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = seed;
  for (const m of ms) {
    const p = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.k) {
      case 'set':
        if (b.length) {
          b = b.slice();
          b[Math.min(p, b.length - 1)] = m.byte;
        }
        break;
      case 'insert':
      case 'token': {
        const ins = m.k === 'insert' ? m.bytes : enc.encode(m.token);
        const out = new Uint8Array(b.length + ins.length);
        out.set(b.subarray(0, p));
        out.set(ins, p);
        out.set(b.subarray(p), p + ins.length);
        b = out;
        break;
      }
      case 'delete': {
        const out = new Uint8Array(b.length - Math.min(m.len, b.length - p));
        out.set(b.subarray(0, p));
        out.set(b.subarray(p + m.len), p);
        b = out;
        break;
      }
      case 'truncate':
        b = b.slice(0, p);
        break;
      case 'dup': {
        const seg = b.subarray(p, p + m.len);
        const out = new Uint8Array(b.length + seg.length);
        out.set(b.subarray(0, p + seg.length));
        out.set(seg, p + seg.length);
        out.set(b.subarray(p + seg.length), p + 2 * seg.length);
        b = out;
        break;
      }
    }
  }
  return b;
}

/** Inputs grown from seeds: mutated seeds mostly, some raw bytes, some token soup. */
function inputsFrom(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 6 })).map(([s, ms]) => mutate(s, ms)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...TOKENS, 'w', 'x', '1', '2', '0.5', '-3e2', '\n2 2\n', '1 3\n'), { maxLength: 40 }).map((t) => enc.encode(t.join(''))) },
  );
}

// ---------------------------------------------------------------- seeds

function model(n: number, dim: number, s: number): WordVectors {
  const r = rng(s);
  const words = Array.from({ length: n }, (_, i) => ['the', 'naïve', '日本', `w${i}`, '</s>'][i % 5] + (i >= 5 ? i : ''));
  const vectors = Float32Array.from({ length: n * dim }, () => (r() * 2 - 1) * 10 ** Math.floor(r() * 6 - 3));
  return { words, dim, vectors };
}
const W2V_MODELS = [model(3, 2, 1), model(5, 4, 2), model(1, 1, 3), model(8, 3, 4)];
export const TEXT_SEEDS = W2V_MODELS.map((m) => formatWord2Vec(m, { binary: false }));
export const BINARY_SEEDS = W2V_MODELS.map((m) => formatWord2Vec(m, { binary: true }));
export const GLOVE_SEEDS = W2V_MODELS.map((m) => formatGloVe(m));

/** Chunk sizes to stream an input with (cycled). */
const chunksArb = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 6 });

/** Checks a parse result: shapes agree, and the output is no larger than the input justifies. */
function checkVectors(v: WordVectors, inputBytes: number, binary: boolean | undefined): void {
  if (v.vectors.length !== v.words.length * v.dim) fail(`${v.words.length} words × ${v.dim} but ${v.vectors.length} values`);
  // every text value takes ≥ 2 bytes (digit and separator), every binary one 4
  const perValue = binary === true ? 4 : 2;
  if (v.vectors.length * perValue > inputBytes + 16) fail(`${v.vectors.length} values from ${inputBytes} bytes`);
  if (!v.words.every((w) => typeof w === 'string')) fail('a word is not a string');
}

function sameOutcome(a: Outcome<WordVectors>, b: Outcome<WordVectors>, what: string): void {
  if (a.ok !== b.ok) fail(`${what}: one buffer ${a.ok ? 'loads' : `fails (${(a as { message: string }).message})`}, chunks ${b.ok ? 'load' : `fail (${(b as { message: string }).message})`}`);
  if (!a.ok && !b.ok && a.code !== b.code) fail(`${what}: ${a.code} (one buffer: ${a.message}) vs ${b.code} (chunks: ${b.message})`);
  if (a.ok && b.ok) {
    const x = a.value, y = b.value;
    if (x.dim !== y.dim || x.words.join('\n') !== y.words.join('\n') || x.vectors.length !== y.vectors.length) fail(`${what}: chunked parse differs`);
    for (let i = 0; i < x.vectors.length; i++) if (!Object.is(x.vectors[i], y.vectors[i])) fail(`${what}: value ${i} differs`);
  }
}

/** One word2vec-family input: parsed in one buffer and streamed in chunks; both must agree. */
function checkWord2Vec(bytes: Uint8Array, sizes: number[], opts: { binary?: boolean; noHeader?: boolean | 'auto'; glove?: boolean }): void {
  const one = outcome(() => (opts.glove ? parseGloVe(bytes) : parseWord2Vec(bytes, { binary: opts.binary, noHeader: opts.noHeader })), 'file');
  if (one.ok) checkVectors(one.value, bytes.length, opts.binary);
  const streamed = outcome(() => {
    const p = new Word2VecParser(opts.glove ? { binary: false, noHeader: true } : { binary: opts.binary, noHeader: opts.noHeader });
    for (let i = 0, k = 0; i < bytes.length; k++) {
      const n = sizes[k % sizes.length];
      if (p.push(bytes.slice(i, i + n))) break;
      i += n;
    }
    return p.end();
  }, 'file');
  sameOutcome(one, streamed, 'one buffer vs chunks');
}

// ---------------------------------------------------------------- safetensors

const TABLE_SCHEMES: (QuantizeMatrixOptions | 'f32')[] = [
  'f32', { scheme: 'int8' }, { scheme: 'uint8', symmetric: false }, { scheme: 'int4', symmetric: false, perRow: false },
  { scheme: 'binary' }, { scheme: 'pq', dsub: 2, qnorm: true }, { scheme: 'fp16' }, { scheme: 'bf16' }, { scheme: 'int8', center: false },
];

export function tableSeeds(rt: Runtime): Uint8Array[] {
  const r = rng(9);
  return TABLE_SCHEMES.map((o, i) => {
    const rows = 3 + i, cols = 4 + (i % 3);
    const m = DenseMatrix.from(Float32Array.from({ length: rows * cols }, () => r() * 2 - 1), rows, cols, rt);
    const t = o === 'f32' ? m : quantizeMatrix(m, o);
    const bytes = saveTable(t, { vocab: Array.from({ length: rows }, (_, j) => `w${j}`) });
    if (t !== m) t.dispose();
    m.dispose();
    return bytes;
  });
}

const META_VALUES = ['0', '1', '2', '3', '4', '7', '8', '255', '256', '-1', '0xc8', ' 200 ', '1e8', '100000000', '2147483648', '4294967296', '9007199254740993', 'true', 'false', 'NaN', '', 'int8', 'pq', 'binary', 'f32', 'fp16', '[]', '["a"]'];
const NUM_VALUES = [0, 1, 2, 3, 7, 8, 16, 255, 256, -1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, NaN];

/** A JSON-level change to a safetensors header: a metadata value, a shape entry, an offset, a dtype. */
export type HeaderEdit = { path: number; value: number; which: number };
const headerEditArb: fc.Arbitrary<HeaderEdit> = fc.record({ path: fc.nat(), value: fc.nat(), which: fc.nat({ max: 5 }) });

export function editHeader(bytes: Uint8Array, edits: readonly HeaderEdit[], floatFlips: readonly [number, number][]): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
  const data = bytes.slice(8 + n);
  const md = (header.__metadata__ ??= {}) as Record<string, string>;
  const keys = [...Object.keys(md), 'dsub', 'ksub', 'nsub', 'center', 'bits'];
  for (const e of edits) {
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    if (names.length === 0) break;
    const t = header[names[e.path % names.length]];
    switch (e.which) {
      case 0: case 1: md[keys[e.path % keys.length]] = META_VALUES[e.value % META_VALUES.length]; break;
      case 2: if (t.shape.length) t.shape[e.value % t.shape.length] = NUM_VALUES[e.path % NUM_VALUES.length]; else t.shape.push(1); break;
      case 3: t.data_offsets[e.value % 2] = NUM_VALUES[e.path % NUM_VALUES.length]; break;
      case 4: t.dtype = ['F32', 'U8', 'I8', 'I32', 'F16', 'BF16', 'F64', 'X'][e.value % 8]; break;
      case 5: delete header[names[e.path % names.length]]; break;
    }
  }
  // non-finite and extreme float patterns written over the data
  const dv = new DataView(data.buffer);
  const pats = [0x7fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x00000001, 0x80000000, 0xffffffff, 0x7fffffff];
  for (const [pos, pat] of floatFlips) if (data.length >= 4) dv.setUint32((pos % (data.length >> 2)) * 4, pats[pat % pats.length], true);
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Loads a table and, when that works, uses it: scores, norms, decoded rows, all finite. Arena usage must return to where it was. */
function checkTable(rt: Runtime, bytes: Uint8Array, heapLimit: { top: number }): void {
  const arena = arenaWatch(rt);
  const r = outcome(() => loadTable(bytes, { rt }), 'file');
  if (r.ok) {
    const { matrix, vocab } = r.value;
    let kv: KeyedVectors | undefined;
    try {
      if (vocab && vocab.length !== matrix.rows) fail(`${vocab.length} words for ${matrix.rows} rows`);
      if (matrix.rows > 0) {
        kv = new KeyedVectors(vocab ?? Array.from({ length: matrix.rows }, (_, i) => `r${i}`), matrix);
        const row = matrix.decodeRow(0);
        if (!row.every(Number.isFinite)) fail(`row 0 decodes to a non-finite value: ${Array.from(row)}`);
        // norms and cosines hold over the whole float32 range (issue 15), so extreme values are checked too
        const top = kv.mostSimilar({ positive: [kv.keys[0]], topn: 3 });
        for (const [w, s] of top) {
          if (!Number.isFinite(s)) fail(`mostSimilar score ${s}`);
          const sim = kv.similarity(kv.keys[0], w);
          if (Math.abs(sim - s) > 0.05 + 1e-3 * Math.abs(sim)) fail(`mostSimilar ${s} vs similarity ${sim} for ${w}`);
        }
      }
    } finally {
      if (kv) kv.dispose();
      else matrix.dispose();
    }
  }
  arena.check(`a ${r.ok ? 'load' : 'failed load'} leaked wasm memory`);
  if (rt.arena.heapTop > heapLimit.top + 64 * bytes.length + (4 << 20)) fail(`arena grew to ${rt.arena.heapTop} bytes for a ${bytes.length}-byte file`);
  heapLimit.top = Math.max(heapLimit.top, rt.arena.heapTop);
}

// ---------------------------------------------------------------- evaluation files

function evalKv(rt: Runtime): KeyedVectors {
  const words = ['king', 'queen', 'man', 'woman', 'a', 'b', 'c', 'd', 'é', 'Ω'];
  const r = rng(5);
  return KeyedVectors.fromArrays(words, Float32Array.from({ length: words.length * 4 }, () => r() * 2 - 1), 4, { rt });
}
const PAIRS_SEED = enc.encode('# pairs\nking\tqueen\t8.5\nman\twoman\t8.3\na\tb\t1.5\nc\td\t0\nking\tunknown\t3\n');
const ANALOGY_SEED = enc.encode(': capital\nking queen man woman\na b c d\n: other\nKING man queen WOMAN\n');

// ---------------------------------------------------------------- CLI arguments

const ARG_VALUES = ['5', '-5', '0', '1e3', '0x10', ' 7 ', '', '1.5', 'NaN', 'Infinity', '-inf', '2147483648', '4294967296', '9007199254740993', 'abc', '--', '-', '1_000', '١٢'];
const argValueArb: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...ARG_VALUES), fc.string({ maxLength: 12 }), fc.double(), fc.integer(), fc.constant(undefined), fc.constant(true), fc.array(fc.constantFrom(...ARG_VALUES), { maxLength: 2 }));
const FLAGS = new Set(['--dim', '--window', '--topn', '--limit', '--alpha', '--seed']);

function checkArgs(v: unknown, argv: string[]): void {
  const check = <T>(fn: () => T, ok: (x: T) => boolean, what: string) => {
    const r = outcome(fn, 'none');
    if (r.ok && !ok(r.value)) fail(`${what}(${JSON.stringify(v)}) returned ${String(r.value)}`);
    if (!r.ok && r.code !== 'E_OPTION') fail(`${what}: ${r.code}`);
  };
  check(() => num('--alpha', v, 0.025, { min: 0, minExclusive: true, max: 10 }), (x) => Number.isFinite(x) && x > 0 && x <= 10, 'num');
  check(() => int('--window', v, 5, { min: 1, max: 1000 }), (x) => Number.isSafeInteger(x) && x >= 1 && x <= 1000, 'int');
  check(() => positiveInt('--dim', v, 100), (x) => Number.isSafeInteger(x) && x >= 1, 'positiveInt');
  check(() => seed('--seed', v, 1), (x) => Number.isSafeInteger(x) && x >= 0 && x < 2 ** 32, 'seed');
  check(() => oneOf('--model', String(v), ['skipgram', 'cbow']), (x) => x === 'skipgram' || x === 'cbow', 'oneOf');
  const s = str(v);
  if (s !== undefined && typeof s !== 'string') fail('str');
  const joined = joinNegativeValues(argv, FLAGS);
  // joining never loses or invents an argument: splitting `--flag=value` back gives the input
  const back = joined.flatMap((a) => (/^--[\w-]+=/.test(a) && FLAGS.has(a.slice(0, a.indexOf('='))) && !argv.includes(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  if (back.join('\u0000') !== argv.join('\u0000')) fail(`joinNegativeValues(${JSON.stringify(argv)}) = ${JSON.stringify(joined)}`);
}

// ---------------------------------------------------------------- fastText models (.bin / .ftz)

const FT_SEED_DIR = join(__dirname, '..', '..', 'fixtures', 'fuzz-seeds', 'fasttext');
export const FASTTEXT_SEEDS = ['sg.bin', 'cb.bin', 's_softmax.bin', 's_hs.bin', 's_ova.bin', 's_ns.bin', 'ftz_plain.ftz', 'ftz_qnorm.ftz'].map(
  (f) => new Uint8Array(readFileSync(join(FT_SEED_DIR, f))),
);
/** Values written over 4-byte header fields (sizes, counts, flags, shapes) of a model file. */
const FT_FIELD_VALUES = [0, 1, 2, 3, 4, 5, 8, 255, 256, 257, -1, -2, 0x7fffffff, -0x80000000, 0x10000, 1 << 20, (1 << 20) + 1, 793712314, 11, 12, 13, 0x7fc00000, 0x7f800000];
type FieldEdit = { at: number; value: number; wide: boolean };
const fieldEditArb: fc.Arbitrary<FieldEdit> = fc.record({ at: fc.nat({ max: 600 }), value: fc.nat(), wide: fc.boolean() });

/** Writes interesting int32 (or int64) values over the first few hundred bytes: the args, dictionary and matrix headers. */
export function editFields(seed: Uint8Array, edits: readonly FieldEdit[]): Uint8Array {
  const b = seed.slice();
  const dv = new DataView(b.buffer);
  for (const e of edits) {
    const pos = Math.min(e.at, Math.max(0, b.length - 8));
    if (pos + 8 > b.length) continue;
    const v = FT_FIELD_VALUES[e.value % FT_FIELD_VALUES.length];
    if (e.wide) dv.setBigInt64(pos, BigInt(v), true);
    else dv.setInt32(pos, v, true);
  }
  return b;
}

async function* chunked(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let i = 0, k = 0; i < b.length; k++) {
    const n = sizes[k % sizes.length];
    yield b.slice(i, i + n);
    i += n;
  }
}

/**
 * Loads a model (one buffer, and streamed in chunks: both must agree) and, when that works, uses it: word vectors of
 * a known and an unseen word, and for supervised models a prediction, all finite with probabilities in [0, 1] in
 * descending order. Arena usage returns to where it was after dispose or failure; the arena grows no more than the
 * file justifies.
 */
async function checkFastText(rt: Runtime, bytes: Uint8Array, sizes: number[], heapLimit: { top: number }): Promise<void> {
  const arena = arenaWatch(rt);
  const load = async (src: Uint8Array | AsyncIterable<Uint8Array>): Promise<Outcome<FastTextModel>> => {
    try {
      return { ok: true, value: await FastTextModel.load(src, { rt }) };
    } catch (e) {
      const bad = badRejection(e, 'file');
      if (bad) fail(bad);
      return { ok: false, code: (e as QuantextError).code, message: (e as Error).message };
    }
  };
  const one = await load(bytes);
  const streamed = await load(chunked(bytes, sizes));
  try {
    if (one.ok !== streamed.ok) fail(`one buffer ${one.ok ? 'loads' : `fails (${(one as { message: string }).message})`}, chunks ${streamed.ok ? 'load' : `fail (${(streamed as { message: string }).message})`}`);
    if (!one.ok && !streamed.ok && one.code !== streamed.code) fail(`${one.code} (one buffer: ${one.message}) vs ${streamed.code} (chunks: ${streamed.message})`);
    if (one.ok) {
      const m = one.value;
      if (m.input.rows * m.input.cols > bytes.length) {
        // a dense matrix takes 4 bytes a value; a PQ one at least a byte per row
        if (!m.quantInput) fail(`${m.input.rows}×${m.input.cols} floats from ${bytes.length} bytes`);
      }
      for (const w of [m.words[0] ?? 'cat', 'zzqqxv', 'naïve']) {
        const v = m.getWordVector(w);
        if (v.length !== m.dim || !v.every(Number.isFinite)) fail(`getWordVector('${w}') = ${Array.from(v)}`);
      }
      // fastText's probabilities are exp(log(p + 1e-5)): up to 1.00001, as the tool prints them
      if (m.isSupervised) {
        const r = outcome(() => m.predict('the cat sat far away dog', 3), 'none');
        if (r.ok) {
          let last = Infinity;
          for (const [label, p] of r.value) {
            if (typeof label !== 'string' || !(p >= 0 && p <= 1 + 1.1e-5) || p > last + 1e-7) fail(`prediction ${JSON.stringify(r.value)}`);
            last = p;
          }
        }
      }
    }
  } finally {
    if (one.ok) one.value.dispose();
    if (streamed.ok) streamed.value.dispose();
  }
  arena.check(`a ${one.ok ? 'load' : 'failed load'} leaked wasm memory`);
  if (rt.arena.heapTop > heapLimit.top + 64 * bytes.length + (4 << 20)) fail(`arena grew to ${rt.arena.heapTop} bytes for a ${bytes.length}-byte file`);
  heapLimit.top = Math.max(heapLimit.top, rt.arena.heapTop);
}

// ---------------------------------------------------------------- Word2Vec model files (Word2Vec.save)

const W2V_CORPUS = [['the', 'cat', 'sat', 'on', 'the', 'mat'], ['a', 'dog', 'ran', 'far', 'away'], ['the', 'dog', 'sat'], ['naïve', '日本', 'cat']];

/** Small saved models: skip-gram with negative sampling, CBOW with hs, both tables. */
export async function word2vecModelSeeds(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const o of [{ sg: 1 }, { sg: 0, hs: 1, negative: 0 }, { sg: 1, hs: 1, negative: 2 }]) {
    const m = new Word2Vec({ vectorSize: 4, window: 2, minCount: 1, workers: 1, seed: 3, epochs: 2, ...o });
    await m.train(W2V_CORPUS);
    out.push(m.toBytes());
    m.dispose();
  }
  return out;
}

const OPTION_VALUES: unknown[] = [0, 1, 2, -1, 0.5, 1e9, 2 ** 31, 2 ** 53, 1e300, -1e300, 'x', '', null, true, [], {}, '5', 1e-300];
/** An edit of the model's metadata: an option's value, the schedule, the RNG state, the totals, or a tensor's shape. */
export type ModelEdit = { which: number; key: number; value: number };
const modelEditArb: fc.Arbitrary<ModelEdit> = fc.record({ which: fc.nat({ max: 6 }), key: fc.nat(), value: fc.nat() });

export function editModel(bytes: Uint8Array, edits: readonly ModelEdit[]): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
  const md = header.__metadata__ as Record<string, string>;
  for (const e of edits) {
    const v = OPTION_VALUES[e.value % OPTION_VALUES.length];
    switch (e.which) {
      case 0: case 1: {
        let opts: Record<string, unknown> = {};
        try {
          opts = JSON.parse(md.options ?? '{}') ?? {};
        } catch {
          /* an earlier edit broke it: start again */
        }
        const keys = [...Object.keys(opts), 'bogus'];
        opts[keys[e.key % keys.length]] = v;
        md.options = JSON.stringify(opts);
        break;
      }
      case 2: md.schedule = [JSON.stringify({ done: v, total: 3 }), JSON.stringify({ done: 1, total: v }), '{}', 'x', '[]'][e.key % 5]; break;
      case 3: md.rng = ['0', '-1', '1e3', 'x', '18446744073709551616', '340282366920938463463374607431768211456', ''][e.key % 7]; break;
      case 4: md[['totalWords', 'totalSentences', 'format', 'version', 'crc32'][e.key % 5]] = String(v); break;
      case 5: {
        const names = Object.keys(header).filter((k) => k !== '__metadata__');
        const t = header[names[e.key % names.length]];
        if (t.shape.length) t.shape[e.value % t.shape.length] = NUM_VALUES[e.key % NUM_VALUES.length];
        break;
      }
      case 6: delete md[Object.keys(md)[e.key % Object.keys(md).length]]; break;
    }
  }
  const json = enc.encode(JSON.stringify(header));
  const data = bytes.subarray(8 + n);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * Loads a saved Word2Vec model and, when that works, uses it: its vectors are finite, a query answers, and one more
 * epoch of training runs and stays finite (a loaded state — options, schedule, RNG — must be one training accepts,
 * or the load must have refused it). Arena usage returns to where it was.
 */
async function checkWord2VecModel(rt: Runtime, bytes: Uint8Array): Promise<void> {
  const arena = arenaWatch(rt);
  let m: Word2Vec | undefined;
  try {
    m = await Word2Vec.load(bytes, { workers: 1 });
  } catch (e) {
    const bad = badRejection(e, 'none');
    if (bad) fail(bad);
  }
  if (m) {
    try {
      const v = m.wv.vectors;
      if (!v.every(Number.isFinite)) fail('loaded vectors are not finite');
      const w = m.wv.keys[0];
      if (w !== undefined) for (const [, sc] of m.wv.mostSimilar({ positive: [w], topn: 2 })) if (!Number.isFinite(sc)) fail(`score ${sc}`);
      await trainsAfterLoad(m);
    } finally {
      m.dispose();
    }
  }
  arena.check(`a ${m ? 'load' : 'failed load'} leaked wasm memory`);
}

// ---------------------------------------------------------------- fastText-format training lines (TextClassifier)

const LINES_SEED = enc.encode(
  '__label__spam win money now\n__label__ham see you at lunch\n__label__spam __label__promo free prize naïve 日本\n' +
    '__label__ham the meeting moved\r\n__label__spam click here\n',
);
const LINE_TOKENS = ['__label__', '__label__x', '__label__spam', '__label__ham', ' ', '\t', '\n', '\r\n', '\v', '\f', '\0', '</s>', 'é', '\ufeff', 'word'];
const linesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 5, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 6 }).map((ms) => mutate(LINES_SEED, ms)) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...LINE_TOKENS), { maxLength: 30 }).map((t) => enc.encode(t.join(''))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);

/**
 * Trains a small classifier on fastText-format lines (bytes, and the same text as an array of lines): either it
 * trains — and then predicts finite probabilities and tests with precision/recall in [0, 1] — or it refuses with a
 * QuantextError that names the line (or E_EMPTY). With `skipInvalid` (fastText's behaviour) it never refuses a line.
 * Arena usage returns to where it was.
 */
async function checkTrainingLines(rt: Runtime, bytes: Uint8Array, skipInvalid: boolean, minn: number): Promise<void> {
  const arena = arenaWatch(rt);
  const clf = new TextClassifier({ dim: 4, epochs: 1, minn, maxn: minn ? minn + 1 : 0, bucket: minn ? 64 : 0, wordNgrams: 1, skipInvalid, seed: 1 });
  try {
    let trained = true;
    try {
      await clf.train(bytes);
    } catch (e) {
      trained = false;
      const bad = badRejection(e, 'none');
      if (bad) fail(bad);
      const q = e as QuantextError;
      if (q.code !== 'E_EMPTY' && q.code !== 'E_FORMAT') fail(`train: ${q.code}: ${q.message}`);
      if (q.code === 'E_FORMAT' && typeof q.details?.line !== 'number') fail(`E_FORMAT without a line: ${q.message}`);
      if (skipInvalid && q.code === 'E_FORMAT') fail(`skipInvalid still refused a line: ${q.message}`);
    }
    if (trained) {
      for (const [label, p] of clf.predict('win money lunch', 2)) if (typeof label !== 'string' || !(p >= 0 && p <= 1 + 1.1e-5)) fail(`predict ${label} ${p}`);
      const t = await clf.test(bytes);
      if (!(t.n >= 0) || (t.n > 0 && !(t.precision >= 0 && t.precision <= 1 && t.recall >= 0 && t.recall <= 1))) fail(`test ${JSON.stringify(t)}`);
    }
  } finally {
    clf.dispose();
  }
  arena.check();
}

// ---------------------------------------------------------------- FastText and GloVe checkpoints

/** Saved FastText (skip-gram ns, CBOW hs) and GloVe models: mid-run and finished schedules. */
export async function trainerModelSeeds(kind: 'fasttext' | 'glove'): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (kind === 'fasttext') {
    for (const o of [{ sg: 1 }, { sg: 0, hs: 1, negative: 0 }]) {
      const m = new FastText({ vectorSize: 4, window: 2, minCount: 1, workers: 1, seed: 3, epochs: 2, minN: 2, maxN: 3, bucket: 50, ...o });
      await m.train(W2V_CORPUS);
      out.push(m.toBytes());
      m.dispose();
    }
  } else {
    for (const epochs of [1, 3]) {
      const m = new GloVe({ vectorSize: 4, window: 2, minCount: 1, workers: 1, seed: 3, epochs });
      await m.train(W2V_CORPUS);
      out.push(m.toBytes());
      m.dispose();
    }
  }
  return out;
}

/** One more epoch on a loaded model: finite vectors after it, or a QuantextError (never an untyped one). */
async function trainsAfterLoad(m: { wv: { vectors: Float32Array }; train(corpus: typeof W2V_CORPUS, o: { epochs: number }): Promise<unknown> }): Promise<void> {
  try {
    await m.train(W2V_CORPUS, { epochs: 1 });
    if (!m.wv.vectors.every(Number.isFinite)) fail('vectors after training are not finite');
  } catch (e) {
    const bad = badRejection(e, 'none');
    if (bad) fail(`train after load: ${bad}`);
  }
}

/** A saved FastText or GloVe model loads and trains one more epoch with finite vectors, or is refused with a QuantextError. */
async function checkTrainerModel(rt: Runtime, bytes: Uint8Array, kind: 'fasttext' | 'glove'): Promise<void> {
  const arena = arenaWatch(rt);
  let m: FastText | GloVe | undefined;
  try {
    m = kind === 'fasttext' ? await FastText.load(bytes, { workers: 1 }) : await GloVe.load(bytes, { workers: 1 });
  } catch (e) {
    const bad = badRejection(e, 'none');
    if (bad) fail(bad);
  }
  if (m) {
    try {
      if (!m.wv.vectors.every(Number.isFinite)) fail('loaded vectors are not finite');
      await trainsAfterLoad(m as FastText);
    } finally {
      m.dispose();
    }
  }
  arena.check(`a load leaked wasm memory`);
}

// ---------------------------------------------------------------- compressed classifiers (QTXC)

const CC_LINES = Array.from({ length: 120 }, (_, i) =>
  i % 3 === 0 ? `__label__a red apple ${i % 7} fruit` : i % 3 === 1 ? `__label__b blue sky cloud ${i % 5}` : `__label__c fast car road naïve 日本`);

/** Small compressed classifiers: every table scheme, with and without a cutoff, deflated and plain. */
export async function compressedSeeds(rt: Runtime): Promise<Uint8Array[]> {
  const clf = new TextClassifier({ dim: 8, epochs: 3, seed: 2, wordNgrams: 2, bucket: 64, minn: 2, maxn: 3, runtime: rt });
  await clf.train(CC_LINES);
  const out: Uint8Array[] = [];
  const opts: CompressClassifierOptions[] = [
    { input: 'int8', deflate: false }, { input: 'int4', perRow: false, cutoff: 20, deflate: false }, { input: 'binary', output: 'int8', deflate: false },
    { input: 'pq', dsub: 2, qnorm: true, deflate: false }, { input: 'f16', cutoff: 30 }, { input: 'int8', output: 'binary' },
  ];
  try {
    for (const o of opts) {
      const c = await compressClassifier(clf, { retrain: false, ...o });
      out.push(c.toBytes());
      c.dispose();
    }
  } finally {
    clf.dispose();
  }
  return out;
}

async function checkCompressed(rt: Runtime, bytes: Uint8Array): Promise<void> {
  const arena = arenaWatch(rt);
  let c: CompressedClassifier | undefined;
  try {
    c = await CompressedClassifier.load(bytes, { rt });
  } catch (e) {
    const bad = badRejection(e, 'file');
    if (bad) fail(bad);
  }
  if (c) {
    try {
      for (const text of ['red apple fruit', 'fast car naïve', '', 'unknown words only']) {
        const p = outcome(() => c!.predict(text, -1), 'none');
        if (!p.ok) continue;
        let sum = 0;
        for (const [l, q] of p.value) {
          if (!c.labels.includes(l)) fail(`unknown label ${l}`);
          if (!(q >= 0 && q <= 1 + 1e-6)) fail(`probability ${q}`);
          sum += q;
        }
        if (sum > p.value.length + 1e-6) fail(`probabilities sum to ${sum}`);
      }
    } finally {
      c.dispose();
    }
  }
  arena.check(`a load leaked wasm memory`);
}

// ---------------------------------------------------------------- the targets

export interface FuzzTarget {
  name: string;
  /** A property over generated inputs (fast-check), built once the runtime is there. */
  property(rt: Runtime): fc.IProperty<any> | fc.IAsyncProperty<any> | Promise<fc.IAsyncProperty<any>>;
  /** Replays a regression fixture of this target (test/fixtures/fuzz/<name>-*.bin). */
  replay?(rt: Runtime, bytes: Uint8Array): void | Promise<void>;
}

export const TARGETS: FuzzTarget[] = [
  {
    name: 'word2vec-text',
    property: () => fc.property(inputsFrom(TEXT_SEEDS), chunksArb, fc.constantFrom<boolean | undefined>(undefined, false), (b, c, binary) => checkWord2Vec(b, c, { binary })),
    replay: (_rt, b) => { checkWord2Vec(b, [1], {}); checkWord2Vec(b, [7, 3], { binary: false }); },
  },
  {
    name: 'word2vec-binary',
    property: () => fc.property(inputsFrom(BINARY_SEEDS), chunksArb, fc.constantFrom<boolean | undefined>(undefined, true), (b, c, binary) => checkWord2Vec(b, c, { binary })),
    replay: (_rt, b) => { checkWord2Vec(b, [1], {}); checkWord2Vec(b, [5], { binary: true }); },
  },
  {
    name: 'glove',
    property: () => fc.property(inputsFrom(GLOVE_SEEDS), chunksArb, fc.boolean(), (b, c, auto) => checkWord2Vec(b, c, auto ? { noHeader: 'auto' } : { glove: true })),
    replay: (_rt, b) => { checkWord2Vec(b, [3], { glove: true }); checkWord2Vec(b, [2], { noHeader: 'auto' }); },
  },
  {
    name: 'safetensors',
    property: (rt) => {
      const seeds = tableSeeds(rt);
      const heap = { top: rt.arena.heapTop };
      const bytesArb = fc.oneof(
        { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(headerEditArb, { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 })).map(([s, e, f]) => editHeader(s, e, f)) },
        { weight: 2, arbitrary: inputsFrom(seeds) },
      );
      return fc.property(bytesArb, (b) => checkTable(rt, b, heap));
    },
    replay: (rt, b) => checkTable(rt, b, { top: rt.arena.heapTop }),
  },
  {
    name: 'evaluation',
    property: (rt) => {
      const kv = evalKv(rt);
      return fc.property(fc.oneof(inputsFrom([PAIRS_SEED, ANALOGY_SEED]), fc.string({ maxLength: 200 }).map((s) => enc.encode(s))), fc.boolean(), (b, ci) => {
        const p = outcome(() => kv.evaluateWordPairs(b, { caseInsensitive: ci, dummy4unknown: !ci }), 'none');
        if (p.ok && !(Number.isNaN(p.value.pearson) || Math.abs(p.value.pearson) <= 1)) fail(`pearson ${p.value.pearson}`);
        if (p.ok && !p.value.pairs) fail('a result without pairs');
        const a = outcome(() => kv.evaluateWordAnalogies(b, { caseInsensitive: ci }), 'none');
        if (a.ok && !(a.value.score >= 0 && a.value.score <= 1)) fail(`analogy score ${a.value.score}`);
      });
    },
  },
  {
    name: 'fasttext-model',
    property: (rt) => {
      const heap = { top: rt.arena.heapTop };
      const bytesArb = fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FASTTEXT_SEEDS), fc.array(fieldEditArb, { minLength: 1, maxLength: 3 })).map(([s, e]) => editFields(s, e)) },
        { weight: 4, arbitrary: inputsFrom(FASTTEXT_SEEDS) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FASTTEXT_SEEDS), fc.array(fieldEditArb, { maxLength: 2 }), fc.array(mutationArb, { maxLength: 3 })).map(([s, e, m]) => mutate(editFields(s, e), m)) },
      );
      return fc.asyncProperty(bytesArb, chunksArb, (b, c) => checkFastText(rt, b, c, heap));
    },
    replay: async (rt, b) => checkFastText(rt, b, [13, 1, 64], { top: rt.arena.heapTop }),
  },
  {
    name: 'word2vec-model',
    property: async (rt) => {
      const seeds = await word2vecModelSeeds();
      const bytesArb = fc.oneof(
        { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(modelEditArb, { minLength: 1, maxLength: 3 })).map(([s, e]) => editModel(s, e)) },
        { weight: 2, arbitrary: inputsFrom(seeds) },
      );
      return fc.asyncProperty(bytesArb, (b) => checkWord2VecModel(rt, b));
    },
    replay: async (rt, b) => checkWord2VecModel(rt, b),
  },
  {
    name: 'training-lines',
    property: (rt) => fc.asyncProperty(linesArb, fc.boolean(), fc.constantFrom(0, 2), (b, skip, minn) => checkTrainingLines(rt, b, skip, minn)),
    replay: async (rt, b) => {
      await checkTrainingLines(rt, b, false, 0);
      await checkTrainingLines(rt, b, true, 2);
    },
  },
  ...(['fasttext', 'glove'] as const).map((kind): FuzzTarget => ({
    name: `${kind}-checkpoint`,
    property: async (rt) => {
      const seeds = await trainerModelSeeds(kind);
      const bytesArb = fc.oneof(
        { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(modelEditArb, { minLength: 1, maxLength: 3 })).map(([s, e]) => editModel(s, e)) },
        { weight: 2, arbitrary: inputsFrom(seeds) },
      );
      return fc.asyncProperty(bytesArb, (b) => checkTrainerModel(rt, b, kind));
    },
    replay: async (rt, b) => checkTrainerModel(rt, b, kind),
  })),
  {
    name: 'compressed-classifier',
    property: async (rt) => {
      const seeds = await compressedSeeds(rt);
      return fc.asyncProperty(inputsFrom(seeds), (b) => checkCompressed(rt, b));
    },
    replay: async (rt, b) => checkCompressed(rt, b),
  },
  {
    name: 'cli-args',
    property: () => fc.property(argValueArb, fc.array(fc.oneof(fc.constantFrom(...FLAGS, ...ARG_VALUES, '--json', 'train', '--'), fc.string({ maxLength: 6 })), { maxLength: 8 }), (v, argv) => checkArgs(v, argv)),
  },
];
