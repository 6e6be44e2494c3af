// FastTextKeyedVectors.save: a `.bin` is a fastText model (n-gram table included) that fastText 0.9.2 loads, as a
// fastText user expects; word2vec binary stays reachable with format 'bin'; a `.ftz` keeps a product-quantized table
// quantized; where neither makes sense the error says what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { loadVectors } from '../../src/vectors/load.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextKeyedVectors } from '../../src/fasttext/keyed.js';
import { isFastTextModel } from '../../src/fasttext/vectors.js';
import { QuantextError } from '../../src/errors.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { quantizeMatrix } from '../../src/vectors/tables/factory.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const FT = '/usr/bin/fasttext';
const hasFt = existsSync(FT);
const tmp = mkdtempSync(join(tmpdir(), 'quantext-ftsave-'));
const WORDS = readFileSync(new URL('words.txt', DIR), 'utf8');

describe('FastTextKeyedVectors.save', () => {
  beforeAll(async () => {
    await init();
  });

  it('x.bin is a fastText model: it loads back with its n-gram table (unseen words keep their vectors)', async () => {
    const kv = (await loadVectors(new URL('sg.bin', DIR))) as FastTextKeyedVectors;
    expect(kv).toBeInstanceOf(FastTextKeyedVectors);
    const out = join(tmp, 'sg-copy.bin');
    await kv.save(out);
    const bytes = new Uint8Array(readFileSync(out));
    expect(isFastTextModel(bytes)).toBe(true); // not a word2vec header
    const back = await FastTextModel.load(out);
    for (const w of ['the', 'jury', 'unseenword', 'café', '日本語']) expect(Array.from(back.getWordVector(w)), w).toEqual(Array.from(kv.get(w)));
    back.dispose();
    kv.dispose();
  });

  it.skipIf(!hasFt)('fastText 0.9.2 prints the same word vectors from the .bin (known, unseen and non-ASCII words)', async () => {
    const kv = (await loadVectors(new URL('sg.bin', DIR))) as FastTextKeyedVectors;
    const out = join(tmp, 'sg-ft.bin');
    await kv.save(out);
    const r = spawnSync(FT, ['print-word-vectors', out], { input: WORDS, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(new URL('sg.words.txt', DIR), 'utf8'));
    kv.dispose();
  });

  it('format \'bin\' still writes word2vec binary (the words\' vectors only)', async () => {
    const kv = (await loadVectors(new URL('sg.bin', DIR))) as FastTextKeyedVectors;
    const out = join(tmp, 'sg-w2v.bin');
    await kv.save(out, { format: 'bin' });
    const bytes = new Uint8Array(readFileSync(out));
    expect(isFastTextModel(bytes)).toBe(false);
    expect(new TextDecoder().decode(bytes.subarray(0, 12))).toMatch(new RegExp(`^${kv.size} ${kv.dim}\\n`));
    const w2v = await loadVectors(out);
    expect(w2v).not.toBeInstanceOf(FastTextKeyedVectors);
    expect(w2v.size).toBe(kv.size);
    expect(Array.from(w2v.get('jury'))).toEqual(Array.from(kv.get('jury')));
    w2v.dispose();
    kv.dispose();
  });

  it.skipIf(!hasFt)('a product-quantized table (.ftz) saves as .ftz, quantized, and fastText prints the same vectors', async () => {
    const kv = (await loadVectors(new URL('ftz_qnorm.ftz', DIR))) as FastTextKeyedVectors;
    expect(kv.input.dtype).toBe('pq');
    const out = join(tmp, 'copy.ftz');
    await kv.save(out);
    const r = spawnSync(FT, ['print-word-vectors', out], { input: WORDS, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(new URL('ftz_qnorm.words.txt', DIR), 'utf8'));
    kv.dispose();
  });

  it('where neither format makes sense, the error names what to do', async () => {
    const kv = (await loadVectors(new URL('sg.bin', DIR))) as FastTextKeyedVectors;
    const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as QuantextError;
    const e1 = await err(kv.save(join(tmp, 'dense.ftz')));
    expect(e1).toBeInstanceOf(QuantextError);
    expect(e1.code).toBe('E_OPTION');
    expect(e1.message).toMatch(/save it as \.bin.*format 'bin'/);
    // an int8 n-gram table: no fastText file holds one
    const q = quantizeMatrix(kv.input as DenseMatrix, { scheme: 'int8' });
    const kq = new FastTextKeyedVectors([...kv.keys], q, { minn: kv.minn, maxn: kv.maxn, bucket: kv.bucket });
    const e2 = await err(kq.save(join(tmp, 'int8.bin')));
    expect(e2.code).toBe('E_UNSUPPORTED');
    expect(e2.message).toMatch(/format 'bin'.*'safetensors'/);
    await kq.save(join(tmp, 'int8-w2v.bin'), { format: 'bin' }); // word2vec binary of the words' vectors works
    kq.dispose();
    kv.dispose();
  });
});
