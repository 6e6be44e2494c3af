// Model files: re-saving is byte-identical, fastText 0.9.2 loads what we write, loadVectors reads .bin/.ftz, and
// malformed or truncated files are refused with E_FORMAT and a byte offset.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { loadVectors } from '../../src/vectors/load.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextKeyedVectors } from '../../src/fasttext/keyed.js';
import { saveFastTextModel, saveFastTextVec } from '../../src/fasttext/vectors.js';
import { formatVectorLine } from '../../src/fasttext/format.js';
import { QuantextError } from '../../src/errors.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const FT = '/usr/bin/fasttext';
const hasFt = existsSync(FT);
const tmp = mkdtempSync(join(tmpdir(), 'quantext-ft-'));
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const WORDS = readFileSync(new URL('words.txt', DIR), 'utf8');

async function expectFormatError(p: Promise<unknown>, re: RegExp): Promise<QuantextError> {
  const e = await p.then(() => undefined, (x) => x);
  expect(e).toBeInstanceOf(QuantextError);
  expect((e as QuantextError).code).toBe('E_FORMAT');
  expect((e as QuantextError).message).toMatch(re);
  return e as QuantextError;
}

describe('fastText model files', () => {
  beforeAll(async () => {
    await init();
  });

  for (const f of ['sg.bin', 'cbow.bin', 'sup_hs.bin', 'ftz_plain.ftz', 'ftz_qnorm.ftz', 'ftz_qout.ftz']) {
    it(`${f}: saving what was read gives the same bytes`, async () => {
      const m = await FastTextModel.load(bytesOf(f));
      expect(Buffer.from(m.toBytes()).equals(Buffer.from(bytesOf(f)))).toBe(true);
      m.dispose();
    });
  }

  it.skipIf(!hasFt)('fastText 0.9.2 loads a .bin we wrote from word vectors, and prints the same vectors', async () => {
    const src = await FastTextModel.load(bytesOf('cbow.bin'));
    // rebuild from the word vectors alone (the KeyedVectors a trainer would hold)
    const input = src.input;
    const wv = new FastTextKeyedVectors(src.words, input, { minn: src.args.minn, maxn: src.args.maxn, bucket: src.args.bucket, counts: src.dict.counts.subarray(0, src.dict.nwords), ownsInput: false });
    const out = join(tmp, 'rebuilt.bin');
    await saveFastTextModel(wv, out, { args: { model: 'cbow', loss: 'hs' } });
    const r = spawnSync(FT, ['print-word-vectors', out], { input: WORDS, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const want = readFileSync(new URL('cbow.words.txt', DIR), 'utf8');
    expect(r.stdout).toBe(want);
    // and our own formatting of our vectors is the tool's text, byte for byte
    const ours = WORDS.trim().split('\n').map((w) => formatVectorLine(w, wv.get(w)) + '\n').join('');
    expect(ours).toBe(want);
    wv.dispose();
    src.dispose();
  });

  it.skipIf(!hasFt)('fastText 0.9.2 predicts with a supervised .bin / .ftz we saved as it does with the original', async () => {
    for (const f of ['sup_ova.bin', 'ftz_qnorm.ftz']) {
      const m = await FastTextModel.load(bytesOf(f));
      const out = join(tmp, 'copy-' + f);
      await m.save(out);
      const q = new URL('queries.txt', DIR).pathname;
      const a = spawnSync(FT, ['predict-prob', out, q, '3'], { encoding: 'utf8' });
      const b = spawnSync(FT, ['predict-prob', new URL(f, DIR).pathname, q, '3'], { encoding: 'utf8' });
      expect(a.status).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      m.dispose();
    }
  });

  it('writes the .vec fastText writes', async () => {
    const kv = await loadVectors(new URL('sg.bin', DIR));
    const out = join(tmp, 'sg.vec');
    await saveFastTextVec(kv, out);
    const text = readFileSync(out, 'utf8').split('\n');
    expect(text[0]).toBe(`${kv.size} 8`);
    expect(text[1]).toBe(formatVectorLine(kv.keys[0], kv.vectorAt(0)));
    // and it reads back as word2vec text (to the 5 printed digits)
    const back = await loadVectors(out);
    expect(back.size).toBe(kv.size);
    for (let c = 0; c < 8; c++) expect(back.get(kv.keys[3])[c]).toBeCloseTo(kv.get(kv.keys[3])[c], 4);
    back.dispose();
    kv.dispose();
  });

  it("loadVectors reads the .vec fastText wrote beside sg.bin: the model's word vectors, to the printed digits", async () => {
    const vec = await loadVectors(new URL('sg.vec', DIR));
    const m = await FastTextModel.load(new URL('sg.bin', DIR));
    expect([...vec.keys]).toEqual(m.words);
    for (const w of m.words) {
      const a = vec.get(w), b = m.getWordVector(w);
      for (let c = 0; c < 8; c++) expect(Math.abs(a[c] - b[c])).toBeLessThanOrEqual(5e-6 * Math.max(1, Math.abs(b[c]) * 10));
    }
    // and our .vec of the same model is the tool's file, byte for byte
    const out = join(tmp, 'again.vec');
    await saveFastTextVec(m.wv, out);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(new URL('sg.vec', DIR), 'utf8'));
    m.dispose();
    vec.dispose();
  });

  it('loadVectors reads .bin and .ftz as FastTextKeyedVectors (unseen words included)', async () => {
    for (const f of ['sg.bin', 'ftz_qnorm.ftz']) {
      const kv = await loadVectors(new URL(f, DIR));
      expect(kv).toBeInstanceOf(FastTextKeyedVectors);
      const m = await FastTextModel.load(new URL(f, DIR));
      expect(Array.from(kv.get('unseenword'))).toEqual(Array.from(m.getWordVector('unseenword')));
      expect(kv.mostSimilar({ positive: 'the', topn: 3 }).length).toBe(3);
      m.dispose();
      kv.dispose();
    }
  });

  it('refuses truncated files with E_FORMAT naming the offset', async () => {
    const b = bytesOf('sup_softmax.bin');
    for (const cut of [3, 10, 40, 70, 200, 2000, b.length - 100, b.length - 1]) {
      const e = await expectFormatError(FastTextModel.load(b.slice(0, cut)), /truncated|remain|left/);
      expect(typeof e.details?.offset).toBe('number');
    }
    // trailing garbage
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    await expectFormatError(FastTextModel.load(longer), /unexpected bytes/);
  });

  it('refuses truncated and inconsistent .ftz files (codes, quantizer, norm quantizer)', async () => {
    const b = bytesOf('ftz_qnorm.ftz');
    for (const cut of [100, Math.floor(b.length / 2), b.length - 2000, b.length - 10]) {
      await expectFormatError(FastTextModel.load(b.slice(0, cut)), /truncated|remain|left/);
    }
    const m = await FastTextModel.load(b);
    expect(m.toBytes().length).toBe(b.length);
    // find the input quantizer's header: int32 dim 8, nsubq 4, dsub 2, lastdsub 2 after the codes
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let at = -1;
    for (let i = 0; i + 16 <= b.length; i++) {
      if (dv.getInt32(i, true) === 8 && dv.getInt32(i + 4, true) === 4 && dv.getInt32(i + 8, true) === 2 && dv.getInt32(i + 12, true) === 2) { at = i; break; }
    }
    expect(at).toBeGreaterThan(0);
    const bad = b.slice();
    new DataView(bad.buffer).setInt32(at + 8, 3, true); // dsub 3 disagrees with nsubq and lastdsub
    const e = await expectFormatError(FastTextModel.load(bad), /inconsistent product quantizer/);
    expect(e.details?.offset).toBe(at);
    m.dispose();
  });

  it('refuses headers whose sizes cannot fit wasm32 or the file, before allocating', async () => {
    const b = bytesOf('sg.bin');
    const dv = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
    // bad magic, version
    const m1 = b.slice(); dv(m1).setInt32(0, 1234, true);
    await expectFormatError(FastTextModel.load(m1), /not a fastText model/);
    const m2 = b.slice(); dv(m2).setInt32(4, 13, true);
    await expectFormatError(FastTextModel.load(m2), /version 13/);
    // dictionary: a huge entry count
    const m3 = b.slice(); dv(m3).setInt32(64, 2_000_000_000, true); dv(m3).setInt32(68, 2_000_000_000, true);
    await expectFormatError(FastTextModel.load(m3), /dictionary/);
    // the input matrix: rows × cols beyond 4 GiB, and beyond the file
    const m = await FastTextModel.load(b);
    const rows = m.input.rows;
    const inputAt = b.length - 8 * 2 - rows * 8 * 4 - 1 - 8 * 2 - m.output.rows * 8 * 4;
    m.dispose();
    expect(dv(b).getBigInt64(inputAt, true)).toBe(BigInt(rows));
    const m4 = b.slice(); dv(m4).setBigInt64(inputAt, 1n << 40n, true);
    await expectFormatError(FastTextModel.load(m4), /wasm32/);
    const m5 = b.slice(); dv(m5).setBigInt64(inputAt, 100000n, true);
    await expectFormatError(FastTextModel.load(m5), /only \d+ remain/);
    // an unknown loss
    const m6 = b.slice(); dv(m6).setInt32(8 + 24, 9, true);
    await expectFormatError(FastTextModel.load(m6), /unknown loss/);
  });
});
