// Shared helpers of the io tests: fixture paths, independent reference readers, random models, temp folders.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { QuantextError, type ErrorCode } from '../../src/errors.js';
import { rng } from '../helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = resolve(here, '../..');
/** test/fixtures/io: small copies of the reference files (see its README). */
export const FIXTURES = join(ROOT, 'test/fixtures/io');
/** shared/data/formats beside the clone (CI copies shared/ there); may be absent. */
export const SHARED_FORMATS = resolve(ROOT, '../shared/data/formats');

export const fixture = (name: string): string => join(FIXTURES, name);
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixture(name)));

/** A reference model: words and float32 rows. */
export interface RefModel {
  words: string[];
  rows: number[][];
}

/**
 * Independent reader of word2vec text: split on '\n', then on runs of spaces; header optional.
 * Values go through parseFloat then float32 rounding, like numpy's float32(str).
 */
export function refParseText(text: string, header = true): RefModel {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const body = header ? lines.slice(1) : lines;
  const words: string[] = [];
  const rows: number[][] = [];
  for (const l of body) {
    const [w, ...vals] = l.trim().split(/ +/);
    words.push(w);
    rows.push(vals.map((v) => Math.fround(parseFloat(v))));
  }
  if (header) {
    const [count, dim] = lines[0].trim().split(/ +/).map(Number);
    expect(words.length).toBe(count);
    for (const r of rows) expect(r.length).toBe(dim);
  }
  return { words, rows };
}

/** Independent reader of binary word2vec: header, then word up to ' ', then dim float32 LE via DataView, newline optional. */
export function refParseBinary(bytes: Uint8Array): RefModel & { recordEnds: number[] } {
  let p = bytes.indexOf(10);
  const [count, dim] = new TextDecoder().decode(bytes.subarray(0, p)).trim().split(' ').map(Number);
  p++;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words: string[] = [];
  const rows: number[][] = [];
  const recordEnds: number[] = [];
  for (let i = 0; i < count; i++) {
    if (bytes[p] === 10) p++;
    const sp = bytes.indexOf(32, p);
    words.push(new TextDecoder().decode(bytes.subarray(p, sp)));
    const row: number[] = [];
    for (let k = 0; k < dim; k++) row.push(view.getFloat32(sp + 1 + 4 * k, true));
    rows.push(row);
    p = sp + 1 + 4 * dim;
    recordEnds.push(p);
  }
  return { words, rows, recordEnds };
}

/** Row `i` of a flat row-major matrix, as a plain array. */
export function row(vectors: Float32Array, dim: number, i: number): number[] {
  return Array.from(vectors.subarray(i * dim, (i + 1) * dim));
}

/** Checks parsed vectors against a reference model, exactly or to `tol`. */
export function expectModel(got: { words: string[]; dim: number; vectors: Float32Array }, want: RefModel, tol = 0): void {
  expect(got.words).toEqual(want.words);
  expect(got.vectors.length).toBe(want.words.length * got.dim);
  for (let i = 0; i < want.rows.length; i++) {
    const r = row(got.vectors, got.dim, i);
    expect(r.length).toBe(want.rows[i].length);
    for (let k = 0; k < r.length; k++) {
      if (tol === 0) expect(Object.is(r[k], want.rows[i][k]) || r[k] === want.rows[i][k]).toBe(true);
      else expect(Math.abs(r[k] - want.rows[i][k])).toBeLessThanOrEqual(tol);
    }
  }
}

/** Words with multi-byte UTF-8 (2, 3 and 4 bytes), punctuation and the word2vec C sentence marker. */
export const UNICODE_WORDS = ['</s>', 'the', 'naïve', 'Ωmega', '日本語', 'emoji😀', 'café-au-lait', "don't", 'Zürich', '🙂🙃'];

/** A random model with `n` words (UNICODE_WORDS first) and values spanning float32's range. */
export function randomModel(n: number, dim: number, seed = 1): { words: string[]; dim: number; vectors: Float32Array } {
  const r = rng(seed);
  const words = Array.from({ length: n }, (_, i) => (i < UNICODE_WORDS.length ? UNICODE_WORDS[i] : `w${i}_${Math.floor(r() * 1e6)}`));
  const vectors = new Float32Array(n * dim);
  const specials = [0, -0, 1, -1, 1e-45, -1.4e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1e-7, 123456789, 0.1, 1 / 3];
  for (let i = 0; i < vectors.length; i++) {
    if (i < specials.length) vectors[i] = specials[i];
    else vectors[i] = (r() * 2 - 1) * 10 ** Math.floor(r() * 12 - 8);
  }
  return { words, dim, vectors };
}

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quantext-io-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `fn` and returns the QuantextError it throws (fails the test if it does not throw one of `code`). */
export async function expectError(fn: () => unknown, code: ErrorCode): Promise<QuantextError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a QuantextError ${code}`).toBeInstanceOf(QuantextError);
  const err = caught as QuantextError;
  expect(err.code, err.message).toBe(code);
  return err;
}

/** Splits bytes into chunks of the given sizes (cycled). */
export function* chunked(bytes: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let p = 0;
  for (let i = 0; p < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.slice(p, p + n);
    p += n;
  }
}
