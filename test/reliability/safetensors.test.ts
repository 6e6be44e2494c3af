// Issue 15: safetensors tables are validated as strictly as the word2vec readers: every metadata number, every
// parameter tensor and every declared size, before anything is allocated; each rejection a typed error.
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.node.js';
import { init, type Runtime } from '../../src/runtime/runtime.js';
import { loadTable, readSafetensors, saveTable, writeSafetensors, type SafetensorsContent } from '../../src/io/safetensors.js';
import { loadVectors } from '../../src/vectors/load.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { quantizeMatrix, type QuantizeMatrixOptions } from '../../src/vectors/tables/factory.js';
import { QuantextError } from '../../src/errors.js';
import { rng } from '../helpers.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await init();
});

const ROWS = 6, COLS = 8;
const WORDS = Array.from({ length: ROWS }, (_, i) => `w${i}`);
function data(): Float32Array {
  const r = rng(3);
  return Float32Array.from({ length: ROWS * COLS }, () => r() * 2 - 1);
}

/** A table file (with vocabulary) of the scheme, as its parsed content, to be changed and rewritten. */
function table(opts: QuantizeMatrixOptions | 'f32'): SafetensorsContent {
  const m = DenseMatrix.from(data(), ROWS, COLS, rt);
  const t = opts === 'f32' ? m : quantizeMatrix(m, opts);
  const bytes = saveTable(t, { vocab: WORDS });
  if (t !== m) t.dispose();
  m.dispose();
  const c = readSafetensors(bytes);
  // copy the tensors out of the file's buffer so that tests can change them
  for (const t of Object.values(c.tensors)) t.data = t.data.slice();
  return c;
}
const write = (c: SafetensorsContent) => writeSafetensors(c.tensors, c.metadata);
const f32 = (c: SafetensorsContent, name: string) => new Float32Array(c.tensors[name].data.buffer, c.tensors[name].data.byteOffset, c.tensors[name].data.byteLength / 4);
const i32 = (c: SafetensorsContent, name: string) => new Int32Array(c.tensors[name].data.buffer, c.tensors[name].data.byteOffset, c.tensors[name].data.byteLength / 4);

/** The error of loading `bytes` both ways (loadTable and loadVectors), which must agree on the code; arena usage unchanged. */
async function rejects(bytes: Uint8Array, code: string, pattern?: RegExp): Promise<QuantextError> {
  const before = rt.arena.used;
  let e1: unknown, e2: unknown;
  try { loadTable(bytes, { rt }).matrix.dispose(); } catch (e) { e1 = e; }
  try { (await loadVectors(bytes, { rt })).dispose(); } catch (e) { e2 = e; }
  for (const e of [e1, e2]) {
    expect(e, String(e)).toBeInstanceOf(QuantextError);
    expect((e as QuantextError).code, (e as Error).message).toBe(code);
    if (pattern) expect((e as Error).message).toMatch(pattern);
  }
  expect(rt.arena.used).toBe(before);
  return e1 as QuantextError;
}

describe('safetensors tables are validated on load', () => {
  it('a valid file of every scheme loads (the baseline for the cases below)', async () => {
    for (const o of ['f32', { scheme: 'int8' }, { scheme: 'uint8', symmetric: false }, { scheme: 'int4', symmetric: false }, { scheme: 'binary' }, { scheme: 'pq', dsub: 2, qnorm: true }, { scheme: 'fp16' }] as const) {
      const kv = await loadVectors(write(table(o as QuantizeMatrixOptions)), { rt });
      expect(kv.size).toBe(ROWS);
      kv.dispose();
    }
  });

  it('non-finite f32 data is E_NAN naming the tensor and index', async () => {
    const c = table('f32');
    f32(c, 'vectors')[13] = NaN;
    const e = await rejects(write(c), 'E_NAN', /'vectors' holds NaN at index 13/);
    expect(e.details).toMatchObject({ index: 13 });
    f32(c, 'vectors')[13] = -Infinity;
    await rejects(write(c), 'E_NAN');
  });

  it('NaN/Inf in a PQ codebook or norm codebook is E_NAN', async () => {
    const c = table({ scheme: 'pq', dsub: 2, qnorm: true });
    f32(c, 'vectors.codebook')[3] = NaN;
    await rejects(write(c), 'E_NAN', /codebook/);
    const d = table({ scheme: 'pq', dsub: 2, qnorm: true });
    f32(d, 'vectors.norm_codebook')[0] = Infinity;
    await rejects(write(d), 'E_NAN', /norm_codebook/);
  });

  it('a scale that decodes beyond float32 (to ±Infinity, NaN with the centre) is E_FORMAT; a NaN scale too', async () => {
    const c = table({ scheme: 'int8' });
    f32(c, 'vectors.scales')[2] = 3e38;
    await rejects(write(c), 'E_FORMAT', /scale .* of group 2/);
    f32(c, 'vectors.scales')[2] = NaN;
    await rejects(write(c), 'E_NAN');
    const b = table({ scheme: 'binary' });
    f32(b, 'vectors.scales')[1] = 3e38;
    f32(b, 'vectors.center')[5] = -3e38; // −α + μ overflows
    await rejects(write(b), 'E_FORMAT', /decodes beyond the float32 range/);
  });

  it('a zero point outside the code range is E_FORMAT (scores would overflow int32: mostSimilar and similarity disagree)', async () => {
    for (const [o, bad] of [[{ scheme: 'uint8', symmetric: false }, 300], [{ scheme: 'int8', symmetric: false }, -129], [{ scheme: 'int4', symmetric: false }, 2 ** 30]] as const) {
      const c = table(o as QuantizeMatrixOptions);
      i32(c, 'vectors.zero_points')[1] = bad;
      await rejects(write(c), 'E_FORMAT', /zero point/);
    }
  });

  it('cols 0, and metadata numbers that are not plain decimal integers, are E_FORMAT', async () => {
    for (const [key, v] of [['cols', '0'], ['rows', '0xc8'], ['rows', ' 6 '], ['cols', '8.0'], ['cols', '8e0'], ['rows', '-6'], ['rows', '+6'], ['cols', '']]) {
      const c = table({ scheme: 'int8' });
      c.metadata[key] = v;
      await rejects(write(c), 'E_FORMAT', new RegExp(`metadata '${key}'`));
    }
    const p = table({ scheme: 'pq', dsub: 2 });
    p.metadata.qnorm = 'yes';
    await rejects(write(p), 'E_FORMAT', /'qnorm'/);
  });

  it('a 150-byte file claiming rows 0, cols 2^31 is E_FORMAT (was an untyped RangeError); cols 1e8 allocates nothing', async () => {
    const vocab = '[]';
    for (const cols of [String(2 ** 31), '100000000']) {
      const bytes = writeSafetensors({ vectors: { dtype: 'F32', shape: [0, 0], data: new Uint8Array(0) } }, { format: 'quantext.table', format_version: '1', scheme: 'f32', rows: '0', cols, vocab });
      expect(bytes.length).toBeLessThan(256);
      await rejects(bytes, 'E_FORMAT', /metadata 'cols'/);
    }
    // an empty table of a plausible width still loads
    const ok = writeSafetensors({ vectors: { dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) } }, { format: 'quantext.table', format_version: '1', scheme: 'f32', rows: '0', cols: '4', vocab });
    const kv = await loadVectors(ok, { rt });
    expect([kv.size, kv.dim]).toEqual([0, 4]);
    kv.dispose();
  });

  it('a uint8 table with an in-range zero point scores the same in mostSimilar and similarity', async () => {
    const c = table({ scheme: 'uint8', symmetric: false });
    const kv = await loadVectors(write(c), { rt });
    const top = kv.mostSimilar({ positive: ['w0'], topn: ROWS - 1 });
    for (const [w, s] of top) expect(s).toBeCloseTo(kv.similarity('w0', w), 2);
    kv.dispose();
    expect(KeyedVectors).toBeDefined();
  });
});
