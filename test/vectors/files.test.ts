// What a new user hit with files: loadVectors without init(), saveVectors choosing the format from the extension,
// `limit` for safetensors tables, and the evaluations taking paths (as gensim) as well as contents.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import '../../src/index.node.js';
import { resetDefaultRuntime, runtime } from '../../src/runtime/runtime.js';
import { loadVectors, saveVectors, saveFormatFor } from '../../src/vectors/load.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { QuantextError } from '../../src/errors.js';

const FIX = join(__dirname, '..', 'fixtures');
const SYNTH = join(FIX, 'vectors', 'synth.txt');

function code(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof QuantextError ? e.code : String(e); }
  return undefined;
}

/** What a saved file is, from its bytes. */
function kind(path: string, words: number, dim: number): string {
  const b = readFileSync(path);
  if (b.length > 9 && b[8] === 0x7b && b.readUInt32LE(4) === 0) return 'safetensors';
  const text = b.toString('latin1');
  const first = text.slice(0, text.indexOf('\n'));
  if (first === `${words} ${dim}`) {
    const lines = text.trimEnd().split('\n');
    const textual = lines.length === words + 1 && lines.slice(1).every((l) => l.trim().split(/\s+/).length === dim + 1 && l.trim().split(/\s+/).slice(1).every((v) => Number.isFinite(Number(v))));
    return textual ? 'word2vec-text' : 'word2vec-binary';
  }
  const lines = text.trimEnd().split('\n');
  return lines.length === words && lines.every((l) => l.split(' ').length === dim + 1) ? 'glove' : 'unknown';
}

describe('files', () => {
  it('loadVectors initializes the default runtime on first use (no init() call)', async () => {
    resetDefaultRuntime();
    expect(code(() => runtime())).toBe('E_NOT_INITIALIZED');
    const kv = await loadVectors(SYNTH);
    expect(kv.size).toBe(200);
    expect(kv.rt).toBe(runtime());
    expect(kv.mostSimilar({ positive: ['paris'], topn: 1 }).length).toBe(1);
    // and KeyedVectors.load, the static twin
    const again = await KeyedVectors.load(SYNTH, { limit: 3 });
    expect([...again.keys]).toEqual([...kv.keys].slice(0, 3));
    again.dispose();
    kv.dispose();
  });

  it('saveVectors (and kv.save) choose the format from the extension; an explicit format wins', async () => {
    const kv = await loadVectors(SYNTH);
    const q = kv.quantize({ scheme: 'int8' });
    const dir = mkdtempSync(join(tmpdir(), 'qx-ext-'));
    const cases: Array<[string, string]> = [['a.bin', 'word2vec-binary'], ['a.txt', 'word2vec-text'], ['a.vec', 'word2vec-text'], ['a.safetensors', 'safetensors'], ['a.TXT', 'word2vec-text'], ['noext', 'word2vec-binary'], ['a.weird', 'word2vec-binary']];
    for (const [file, want] of cases) {
      const p = join(dir, file);
      await saveVectors(kv, p);
      expect(kind(p, 200, 16), file).toBe(want);
      const back = await loadVectors(p);
      expect(Array.from(back.vectors.subarray(0, 32)).map((v) => +v.toFixed(5))).toEqual(Array.from(kv.vectors.subarray(0, 32)).map((v) => +v.toFixed(5)));
      back.dispose();
    }
    expect(saveFormatFor(pathToFileURL(join(dir, 'x.vec')))).toBe('txt');
    // glove only when asked (its files are .txt too); an explicit format overrides the extension
    await saveVectors(kv, join(dir, 'g.txt'), { format: 'glove' });
    expect(kind(join(dir, 'g.txt'), 200, 16)).toBe('glove');
    await kv.save(join(dir, 'b.txt'), { format: 'bin' });
    expect(kind(join(dir, 'b.txt'), 200, 16)).toBe('word2vec-binary');
    // .safetensors keeps a quantized table quantized; .txt writes its decoded rows
    await q.save(join(dir, 'q.safetensors'));
    const qb = await loadVectors(join(dir, 'q.safetensors'));
    expect(qb.matrix.dtype).toBe('int8');
    expect(Array.from(qb.vectors)).toEqual(Array.from(q.vectors));
    await q.save(join(dir, 'q.txt'));
    expect(kind(join(dir, 'q.txt'), 200, 16)).toBe('word2vec-text');
    qb.dispose();
    q.dispose();
    kv.dispose();
  });

  it('limit reads the first rows of a safetensors table, of any dtype, which stays quantized', async () => {
    const kv = await loadVectors(SYNTH);
    const dir = mkdtempSync(join(tmpdir(), 'qx-lim-'));
    const variants: Array<[string, KeyedVectors]> = [
      ['f32', kv], ['int8', kv.quantize({ scheme: 'int8' })], ['int4', kv.quantize({ scheme: 'int4', symmetric: false })],
      ['binary', kv.quantize({ scheme: 'binary' })], ['fp16', kv.quantize({ scheme: 'fp16' })],
      ['pq', kv.quantize({ scheme: 'pq', dsub: 2, ksub: 16, qnorm: true })],
    ];
    for (const [name, v] of variants) {
      const p = join(dir, `${name}.safetensors`);
      await v.save(p);
      const head = await loadVectors(p, { limit: 7 });
      expect(head.size, name).toBe(7);
      expect(head.matrix.dtype, name).toBe(v.matrix.dtype);
      expect([...head.keys]).toEqual([...kv.keys].slice(0, 7));
      expect(Array.from(head.vectors), name).toEqual(Array.from(v.vectors.subarray(0, 7 * 16)));
      head.dispose();
      const all = await loadVectors(p, { limit: 1000 });
      expect(all.size).toBe(200);
      all.dispose();
      if (v !== kv) v.dispose();
    }
    await expect(loadVectors(join(dir, 'f32.safetensors'), { limit: -1 })).rejects.toMatchObject({ code: 'E_OPTION' });
    kv.dispose();
  });

  it('evaluateWordAnalogies / evaluateWordPairs take a path (string without a line break, or a file: URL) or the contents', async () => {
    const kv = await loadVectors(SYNTH);
    const qPath = join(FIX, 'vectors', 'synth-questions.txt'), pPath = join(FIX, 'vectors', 'synth-pairs.tsv');
    const byContents = kv.evaluateWordAnalogies(readFileSync(qPath, 'utf8'));
    const byPath = kv.evaluateWordAnalogies(qPath);
    expect(byPath).toEqual(byContents);
    expect(kv.evaluateWordAnalogies(pathToFileURL(qPath))).toEqual(byContents);
    expect(kv.evaluateWordAnalogies(readFileSync(qPath))).toEqual(byContents); // bytes are contents
    const pairs = kv.evaluateWordPairs(readFileSync(pPath, 'utf8'));
    expect(kv.evaluateWordPairs(pPath)).toEqual(pairs);
    // a missing file: E_IO naming it (and, for a string that looks like contents, the rule)
    expect(code(() => kv.evaluateWordPairs(join(FIX, 'nope.tsv')))).toBe('E_IO');
    try {
      kv.evaluateWordAnalogies('paris france berlin germany');
      expect.unreachable();
    } catch (e) {
      expect((e as QuantextError).code).toBe('E_IO');
      expect((e as Error).message).toMatch(/line break/);
    }
    // a one-line content with its line break is contents
    expect(kv.evaluateWordAnalogies(': s\nfrance paris germany berlin\n').questions).toBe(1);
    kv.dispose();
  });
});
