// compressClassifier / CompressedClassifier (issue 13): fastText's -cutoff selection against a plain TypeScript
// reference of fastText's selectEmbeddings + Dictionary::prune, predictions of the pruned model against the TS port
// of fastText's prediction over a reference-pruned model, every table scheme on a synthetic task with a known answer
// (accuracy computed here), save → load, SIMD vs scalar builds, malformed files, .ftz read by fastText 0.9.2.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextDictionary, fastTextTokens } from '../../src/fasttext/dictionary.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { QuantextError } from '../../src/errors.js';
import { compressClassifier, CompressedClassifier, selectEmbeddings, pruneSelection, rowNorms, type CompressedScheme } from '../../src/compress/classifier.js';
import { encodeSortedU32, decodeSortedU32, decodePayload, encodePayload, packFile, unpackFile } from '../../src/compress/cformat.js';
import { rtFor, rng } from '../helpers.js';
import { synthetic } from '../classify/data.js';

const train = synthetic(600, 1);
const held = synthetic(300, 2);
const lines = (docs: { text: string; label: string }[]) => docs.map((d) => `__label__${d.label} ${d.text}`);
const made: { dispose(): void }[] = [];
afterAll(() => made.forEach((c) => c.dispose()));
function keep<T extends { dispose(): void }>(c: T): T {
  made.push(c);
  return c;
}
function accuracy(c: { predict(t: string, k?: number): [string, number][] }, docs: { text: string; label: string }[]): number {
  let ok = 0;
  for (const d of docs) if (c.predict(d.text, 1)[0]?.[0] === `__label__${d.label}`) ok++;
  return ok / docs.length;
}

// ---- plain TypeScript reference of fastText's quantize -cutoff (fasttext.cc selectEmbeddings, dictionary.cc prune)
function refSelect(x: Float32Array, rows: number, dim: number, eosid: number, cutoff: number): { idx: number[]; words: number[]; pruneidx: Map<number, number> } {
  const norms: number[] = [];
  for (let i = 0; i < rows; i++) {
    let norm = 0; // double, as `auto norm = 0.0`
    for (let j = 0; j < dim; j++) norm += Math.fround(x[i * dim + j] * x[i * dim + j]); // real * real (float)
    norms.push(Math.fround(Math.sqrt(norm))); // stored in a Vector of real
  }
  // selection sort by the comparator: eosid first, then larger norm (ties: lower index)
  const left = Array.from({ length: rows }, (_, i) => i);
  const idx: number[] = [];
  const before = (a: number, b: number) => (a === eosid ? b !== eosid : b === eosid ? false : norms[a] > norms[b] || (norms[a] === norms[b] && a < b));
  while (idx.length < cutoff && left.length) {
    let best = 0;
    for (let k = 1; k < left.length; k++) if (before(left[k], left[best])) best = k;
    idx.push(left.splice(best, 1)[0]);
  }
  return { idx, words: [], pruneidx: new Map() };
}
function refPrune(idx: number[], nwords: number): { order: number[]; nwords: number; pruneidx: Map<number, number> } {
  const words: number[] = [], ngrams: number[] = [];
  for (const i of idx) if (i < nwords) words.push(i);
  else ngrams.push(i);
  words.sort((a, b) => a - b);
  const pruneidx = new Map<number, number>();
  let j = 0;
  for (const ng of ngrams) pruneidx.set(ng - nwords, j++);
  return { order: [...words, ...ngrams], nwords: words.length, pruneidx };
}

describe('cutoff: fastText selectEmbeddings + Dictionary::prune', () => {
  it('rowNorms/selectEmbeddings/pruneSelection equal the plain reference (EOS first, words sorted, n-grams in norm order)', () => {
    const r = rng(5);
    for (const [rows, dim, nwords, eos, cutoff] of [[50, 3, 20, 0, 10], [200, 7, 80, 0, 60], [30, 4, 30, 0, 29], [64, 5, 10, -1, 40], [12, 2, 5, 3, 12]]) {
      const x = Float32Array.from({ length: rows * dim }, () => (r() - 0.5) * (r() < 0.1 ? 10 : 1));
      const ref = refSelect(x, rows, dim, eos, cutoff);
      const got = selectEmbeddings(rowNorms(x, rows, dim), eos, cutoff);
      expect(Array.from(got)).toEqual(ref.idx);
      const p = pruneSelection(got, nwords), rp = refPrune(ref.idx, nwords);
      expect(Array.from(p.rows)).toEqual(rp.order);
      expect(p.nwords).toBe(rp.nwords);
      expect([...p.pruneidx]).toEqual([...rp.pruneidx]);
      if (eos >= 0) expect(got[0]).toBe(eos);
    }
    expect(() => selectEmbeddings(new Float32Array(3), 0, 0)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });

  it('a pruned f32 model predicts as fastText would predict its reference-pruned model (words, word bigrams, char n-grams)', async () => {
    const clf = keep(new TextClassifier({ dim: 6, epochs: 4, lr: 0.3, seed: 2, wordNgrams: 2, bucket: 300, minn: 2, maxn: 3 }));
    await clf.train(lines(train));
    const m = clf.model, d = m.dict, dim = m.dim, inp = m.input as DenseMatrix;
    const x = inp.data().slice();
    const cutoff = 250;
    const eos = d.getId('</s>');
    const rp = refPrune(refSelect(x, inp.rows, dim, eos, cutoff).idx, d.nwords);
    // the reference pruned model, in fastText's row order, predicted by the TS port of fastText (predictTokens)
    const words = rp.order.slice(0, rp.nwords).map((i) => d.entries[i]);
    const pp = new Int32Array(rp.pruneidx.size * 2);
    let k = 0;
    for (const [b, j] of rp.pruneidx) (pp[k++] = b), (pp[k++] = j);
    const dict = new FastTextDictionary(m.args, { entries: [...words, ...m.labels], counts: new Float64Array(words.length + m.labels.length).fill(1), nwords: words.length, ntokens: 0, prunePairs: pp });
    const rows = new Float32Array(rp.order.length * dim);
    rp.order.forEach((r, i) => rows.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
    const out = m.output as DenseMatrix;
    const ref = keep(new FastTextModel({ version: 12, args: m.args, dict, input: DenseMatrix.from(rows, rp.order.length, dim, m.rt), output: DenseMatrix.from(out.data().slice(), out.rows, dim, m.rt), quantInput: false, qout: false }));
    const c = keep(await compressClassifier(clf, { cutoff, input: 'f32' }));
    expect(c.rows.words + c.rows.ngrams).toBe(cutoff);
    expect(c.rows.words).toBe(rp.nwords);
    let differs = 0;
    for (const doc of [...held.slice(0, 150), { text: 'key0x1 unseenword w3 w4', label: 'c0' }, { text: 'zzz', label: 'c0' },
      ...['key0x1\tw3\u000bw4  w5\f\r', 'w1 </s> key1x1 key1x2', '__label__c1 key1x2 w2 __label__zz', 'héllo wörld key2x3 日本', '\u0000key0x2\u0000w9', '  ', '</s>'].map((text) => ({ text, label: 'c0' }))]) {
      const want = ref.predictTokens(fastTextTokens(doc.text), -1);
      const got = c.predict(doc.text, -1);
      expect(got.map((g) => g[0]).slice(0, 1)).toEqual(want.map((w) => w[0]).slice(0, 1));
      for (const [lab, p] of got) {
        const w = want.find((v) => v[0] === lab)!;
        // fastText reports exp(log(p + 1e-5)); we report p
        expect(Math.abs(p + 1e-5 - w[1])).toBeLessThan(1e-5);
      }
      // the unpruned model differs on some documents: the cutoff is not a no-op
      if (clf.predict(doc.text, 1)[0]?.[1] !== got[0]?.[1]) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });
});

describe('schemes on a synthetic task with a known answer', () => {
  let clf: TextClassifier;
  const schemes: [CompressedScheme, CompressedScheme, object][] = [
    ['f32', 'f32', {}], ['f16', 'f16', {}], ['int8', 'int8', {}], ['int4', 'int4', {}], ['int4', 'f32', { perRow: false }],
    ['binary', 'binary', {}], ['int8', 'f32', { perRow: false }], ['pq', 'f32', { dsub: 2, qnorm: true }], ['pq', 'pq', { dsub: 4 }],
  ];
  it('train the float model', async () => {
    clf = keep(new TextClassifier({ dim: 8, epochs: 8, lr: 0.5, seed: 7, wordNgrams: 2, bucket: 1000 }));
    await clf.train(lines(train));
    expect(accuracy(clf, held)).toBeGreaterThan(0.95);
  });
  for (const [input, output, extra] of schemes) {
    it(`input ${input}, output ${output} ${JSON.stringify(extra)}: learns the task, report, save → load predicts identically`, async () => {
      const c = keep(await compressClassifier(clf, { input, output, cutoff: 600, ...extra }));
      const acc = accuracy(c, held);
      expect(acc).toBeGreaterThan(input === 'binary' || output === 'binary' ? 0.85 : 0.93);
      const t = await c.test(lines(held));
      expect(t.precision).toBeCloseTo(acc, 10);
      const rep = c.report();
      expect(rep.input.rowCosine.length).toBe(600);
      if (input === 'f32') expect(rep.input.sqnrDb).toBe(Infinity);
      else expect(rep.input.sqnrDb).toBeGreaterThan(input === 'f16' ? 40 : 0);
      expect(rep.bytes.file).toBe(c.byteLength);
      const back = keep(await CompressedClassifier.load(c.toBytes()));
      expect(back.byteLength).toBe(c.byteLength);
      for (const d of held.slice(0, 60)) expect(back.predict(d.text, -1)).toEqual(c.predict(d.text, -1));
      expect(() => back.report()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    });
  }

  it('a smaller file with fewer rows and fewer bits', async () => {
    const big = keep(await compressClassifier(clf, { input: 'f32' }));
    const small = keep(await compressClassifier(clf, { input: 'int4', cutoff: 300, perRow: false }));
    expect(small.byteLength * 20).toBeLessThan(big.byteLength);
    expect(accuracy(small, held)).toBeGreaterThan(0.9);
  });

  it('retrain: after the cutoff the pruned model trains again, then the output over the quantized input', async () => {
    const plain = keep(await compressClassifier(clf, { input: 'binary', cutoff: 200 }));
    const re = keep(await compressClassifier(clf, { input: 'binary', cutoff: 200, retrain: true, data: lines(train), epochs: 5, lr: 0.3 }));
    expect(accuracy(re, held)).toBeGreaterThan(0.9);
    let changed = 0;
    for (const d of held.slice(0, 50)) if (re.predict(d.text)[0][1] !== plain.predict(d.text)[0][1]) changed++;
    expect(changed).toBeGreaterThan(0);
    await expect(compressClassifier(clf, { retrain: true })).rejects.toMatchObject({ code: 'E_OPTION' });
  });

  it('without cutoff, f32 tables predict what the float classifier predicts (softmax; ns: an exact sigmoid per label, the 512-entry sigmoid table of fastText (steps of 16/512) is within 1e-2); hs is E_UNSUPPORTED', async () => {
    for (const loss of ['softmax', 'ns'] as const) {
      const f = keep(new TextClassifier({ dim: 8, epochs: 4, lr: 0.3, seed: 5, wordNgrams: 2, bucket: 200, loss }));
      await f.train(lines(train));
      const c = keep(await compressClassifier(f, { input: 'f32' }));
      for (const d of held.slice(0, 80)) {
        const want = f.predict(d.text, -1), got = c.predict(d.text, -1);
        expect(got.map((g) => g[0])).toEqual(want.map((w) => w[0]));
        got.forEach(([, p], i) => expect(Math.abs(p + 1e-5 - want[i][1]), `${loss} ${d.text} ${JSON.stringify(got)} ${JSON.stringify(want)}`).toBeLessThan(loss === 'ns' ? 1e-2 : 1e-5));
      }
    }
    const h = keep(new TextClassifier({ dim: 4, epochs: 1, loss: 'hs' }));
    await h.train(lines(train.slice(0, 50)));
    await expect(compressClassifier(h)).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it('bad options are E_OPTION', async () => {
    await expect(compressClassifier(clf, { input: 'int3' as never })).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(compressClassifier(clf, { foo: 1 } as never)).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(compressClassifier(clf, { cutoff: -1 })).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(compressClassifier({} as never)).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});

describe('QAT tables are stored exactly', () => {
  for (const [bits, scheme] of [[8, 'int8'], [4, 'int4'], [1, 'binary']] as const) {
    it(`${bits}-bit QAT → ${scheme}: SQNR ∞, predictions equal the QAT model's`, async () => {
      const q = keep(new TextClassifier({ dim: 8, epochs: 6, lr: 0.5, seed: 3, quantize: { bits } }));
      await q.train(lines(train));
      const c = keep(await compressClassifier(q, { input: scheme, output: scheme === 'binary' ? 'f32' : scheme }));
      expect(c.report().input.lossless).toBe(true);
      expect(c.report().input.sqnrDb).toBe(Infinity);
      // post-hoc quantization of the same rows would not be exact
      for (const d of held.slice(0, 80)) {
        const a = q.predict(d.text, 1)[0], b = c.predict(d.text, 1)[0];
        expect(b[0]).toBe(a[0]);
        expect(Math.abs(b[1] + 1e-5 - a[1])).toBeLessThan(scheme === 'int8' ? 1e-2 : 1e-5);
      }
    });
  }
});

describe('builds: SIMD and scalar (plain and shared memory) give identical predictions', () => {
  it('int8 / int4 / binary / pq tables, files loaded in both builds', async () => {
    const simd = await rtFor('simd'), scalar = await rtFor('scalar');
    const clf = keep(new TextClassifier({ dim: 16, epochs: 5, lr: 0.5, seed: 9, wordNgrams: 2, bucket: 500, runtime: simd }));
    await clf.train(lines(train));
    for (const [input, output] of [['int8', 'int8'], ['int4', 'f32'], ['binary', 'binary'], ['pq', 'f32'], ['f16', 'f16']] as const) {
      const c = keep(await compressClassifier(clf, { input, output, cutoff: 700 }));
      const a = keep(await CompressedClassifier.load(c.toBytes(), { rt: simd }));
      for (const build of ['scalar', 'simd-mt', 'scalar-mt'] as const) {
        const b = keep(await CompressedClassifier.load(c.toBytes(), { rt: build === 'scalar' ? scalar : await rtFor(build) }));
        for (const d of held.slice(0, 80)) {
          const pa = a.predict(d.text, -1), pb = b.predict(d.text, -1);
          expect(pb, `${build} ${input} / ${output}: ${d.text}`).toEqual(pa);
        }
      }
    }
  });
});

describe('file format', () => {
  let c: CompressedClassifier, plain: CompressedClassifier;
  it('setup', async () => {
    const clf = keep(new TextClassifier({ dim: 4, epochs: 3, lr: 0.5, seed: 1, wordNgrams: 2, bucket: 100 }));
    await clf.train(lines(train.slice(0, 200)));
    c = keep(await compressClassifier(clf, { input: 'int8', cutoff: 120 }));
    plain = keep(await compressClassifier(clf, { input: 'pq', output: 'int4', cutoff: 120, deflate: false, dsub: 2, qnorm: true }));
  });

  it('sorted hashes round-trip through their Rice codes (0, 2^32 − 1, dense and sparse sets); bad codes are E_FORMAT', () => {
    const r = rng(8);
    for (const v of [[], [0], [0xffffffff], [0, 1, 2, 3], [5, 0xfffffffe, 0xffffffff], Array.from(new Set(Array.from({ length: 3000 }, () => Math.floor(r() * 2 ** 32)))).sort((a, b) => a - b)]) {
      const u = Uint32Array.from(v);
      const e = encodeSortedU32(u);
      expect(Array.from(decodeSortedU32(e, u.length, 0, 'w', 't'))).toEqual(v);
      if (u.length > 10) expect(e.length).toBeLessThan(u.length * 3); // ≈ 22.5 bits each for 3000 hashes
      if (u.length) expect(() => decodeSortedU32(e.subarray(0, e.length - 1), u.length, 0, 'w', 't')).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
    }
    expect(() => decodeSortedU32(Uint8Array.of(0, 0), 2, 0, 'w', 't')).toThrow(expect.objectContaining({ code: 'E_FORMAT' })); // repeated 0
    expect(() => decodeSortedU32(Uint8Array.of(40), 0, 0, 'w', 't')).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });

  it('save is atomic and load reads the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cq-'));
    try {
      const f = join(dir, 'm.qtc');
      await c.save(f);
      const back = keep(await CompressedClassifier.load(f));
      for (const d of held.slice(0, 30)) expect(back.predict(d.text, -1)).toEqual(c.predict(d.text, -1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncations, bad magic, corrupt deflate: E_FORMAT with an offset', async () => {
    const bytes = c.toBytes();
    for (const n of [0, 3, 15, 16, 20, bytes.length - 1]) {
      await expect(CompressedClassifier.load(bytes.slice(0, n))).rejects.toMatchObject({ code: 'E_FORMAT', details: expect.objectContaining({ offset: expect.any(Number) }) });
    }
    const bad = bytes.slice();
    bad[0] = 0x58;
    await expect(CompressedClassifier.load(bad)).rejects.toMatchObject({ code: 'E_FORMAT', details: expect.objectContaining({ offset: 0 }) });
    const z = bytes.slice();
    for (let i = 16; i < z.length; i += 7) z[i] ^= 0x5a;
    await expect(CompressedClassifier.load(z)).rejects.toMatchObject({ code: 'E_FORMAT' });
  });

  it('consistent-looking headers with wrong shapes or huge sizes are E_FORMAT before anything is allocated', async () => {
    const { meta, blobs } = decodePayload(await unpackFile(c.toBytes(), 't'), 't');
    const edit = async (f: (m: any) => void) => {
      const m = JSON.parse(JSON.stringify(meta));
      f(m);
      delete m.blobs;
      return packFile(encodePayload(m, blobs), true);
    };
    for (const f of [
      (m: any) => (m.input.rows = 1e9),
      (m: any) => ((m.args.bucket = 2 ** 31 - 1), (m.nbuckets = -1)),
      (m: any) => (m.args.dim = 5),
      (m: any) => (m.labels = ['__label__a']),
      (m: any) => (m.input.scheme = 'int4'),
      (m: any) => (m.output.scheme = 'pq'),
      (m: any) => (m.nwords = m.nwords + 1),
      (m: any) => (m.args.loss = 'hs'),
      (m: any) => (m.format = 'x'),
    ]) {
      await expect(CompressedClassifier.load(await edit(f))).rejects.toMatchObject({ code: 'E_FORMAT', details: expect.objectContaining({ offset: expect.any(Number) }) });
    }
    // the unedited payload loads
    keep(await CompressedClassifier.load(await edit(() => undefined)));
  });

  it('every single-byte corruption of a plain file is E_FORMAT or a model that predicts finite probabilities, never a trap', async () => {
    const bytes = plain.toBytes();
    const r = rng(3);
    let formats = 0, loaded = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes.slice();
      b[i] = r() < 0.5 ? b[i] ^ (1 << Math.floor(r() * 8)) : 0xff;
      if (b[i] === bytes[i]) continue;
      try {
        const m = await CompressedClassifier.load(b);
        for (const d of held.slice(0, 3)) for (const [, p] of m.predict(d.text, -1)) expect(Number.isFinite(p)).toBe(true);
        m.dispose();
        loaded++;
      } catch (e) {
        expect(e).toBeInstanceOf(QuantextError);
        expect(['E_FORMAT', 'E_NAN']).toContain((e as QuantextError).code);
        formats++;
      }
    }
    expect(formats).toBeGreaterThan(50);
    expect(loaded + formats).toBeGreaterThan(bytes.length * 0.9);
  });
});

const FASTTEXT = '/usr/bin/fasttext';
describe.skipIf(!existsSync(FASTTEXT))('.ftz for fastText 0.9.2', () => {
  it('input pq (+ qnorm), cutoff: `fasttext predict FILE.ftz -` gives our labels', async () => {
    const clf = keep(new TextClassifier({ dim: 8, epochs: 5, lr: 0.5, seed: 4, wordNgrams: 2, bucket: 2000 }));
    await clf.train(lines(train));
    const dir = mkdtempSync(join(tmpdir(), 'cqftz-'));
    try {
      for (const o of [{ cutoff: 800, qnorm: true, dsub: 2 }, { dsub: 4 }]) {
        const c = keep(await compressClassifier(clf, { input: 'pq', keepWords: true, ...o }));
        const f = join(dir, 'm.ftz');
        writeFileSync(f, c.toFtz());
        // and the .ftz loads back in quantext with the same predictions
        const ft = keep(await FastTextModel.load(f));
        const docs = held.slice(0, 120);
        const out = execFileSync(FASTTEXT, ['predict', f, '-'], { input: docs.map((d) => d.text).join('\n') + '\n' }).toString().trim().split('\n');
        expect(out.length).toBe(docs.length);
        let same = 0;
        docs.forEach((d, i) => {
          const ours = c.predict(d.text, 1)[0][0];
          expect(ft.predict(d.text, 1)[0][0]).toBe(ours);
          if (out[i] === ours) same++;
        });
        expect(same).toBe(docs.length);
        // loaded from our file with keepWords, toFtz still works
        const back = keep(await CompressedClassifier.load(c.toBytes()));
        expect(back.toFtz()).toEqual(c.toFtz());
      }
      const noWords = keep(await compressClassifier(clf, { input: 'pq', cutoff: 500 }));
      const back = keep(await CompressedClassifier.load(noWords.toBytes()));
      expect(() => back.toFtz()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
      const i8 = keep(await compressClassifier(clf, { input: 'int8', cutoff: 500 }));
      expect(() => i8.toFtz()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
