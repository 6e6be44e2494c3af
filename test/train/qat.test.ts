// Word2Vec's quantization-aware training through the API: option checks, the quantized table in wv (Q(syn0 + syn1neg),
// Word2Bits' output), its safetensors round trip, the model file keeping the option, and the Int2Matrix layout.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../helpers.js';
import { rng } from '../helpers.js';
import { init } from '../../src/runtime/runtime.js';
import { Word2Vec } from '../../src/train/word2vec.js';
import { FastText } from '../../src/train/fasttext.js';
import { decodeModel } from '../../src/train/model-file.js';
import { loadVectors, saveVectors } from '../../src/vectors/load.js';
import { BinaryMatrix } from '../../src/vectors/tables/binary.js';
import { Int2Matrix, packInt2, unpackInt2 } from '../../src/vectors/tables/int2.js';
import { tableFromTensor } from '../../src/vectors/tables/factory.js';
import { QuantextError } from '../../src/errors.js';
import { quantizeRef } from './qat-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'quantext-qat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function planted(seed: number, n = 1200): string[][] {
  const r = rng(seed);
  const A = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'];
  const B = ['engine', 'wheel', 'brake', 'clutch', 'piston', 'gear', 'axle', 'tyre'];
  return Array.from({ length: n }, () => {
    const t = r() < 0.5 ? A : B;
    return Array.from({ length: 8 }, () => t[Math.floor(r() * t.length)]);
  });
}

function expectOptionError(fn: () => unknown, option: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    expect((e as QuantextError).code).toBe('E_OPTION');
    expect((e as QuantextError).details?.option).toBe(option);
    return;
  }
  throw new Error('no error thrown');
}

describe('Word2Vec quantize option', () => {
  it('bits other than 1 or 2, or a malformed option, are E_OPTION naming quantize', () => {
    for (const q of [{ bits: 3 }, { bits: 0 }, { bits: 4 }, { bits: '1' }, {}, 1, 'binary', { bits: 1, scale: 2 }] as any[]) {
      expectOptionError(() => new Word2Vec({ quantize: q } as any), 'quantize');
    }
    // while 1 and 2 are taken
    for (const bits of [1, 2] as const) new Word2Vec({ quantize: { bits } }).dispose();
  });

  it('sharedNegatives: true with quantize is E_OPTION (QAT trains pair by pair); the default is switched off', () => {
    expectOptionError(() => new Word2Vec({ sg: 1, sharedNegatives: true, quantize: { bits: 1 } } as any), 'sharedNegatives');
    const m = new Word2Vec({ sg: 1, quantize: { bits: 1 } });
    expect(m.opts.sharedNegatives).toBe(false);
    expect(m.quantize).toEqual({ bits: 1 });
    m.dispose();
  });

  it('quantize.level must be a positive finite number (E_OPTION naming quantize.level); a valid one is kept', () => {
    for (const level of [0, -0.1, NaN, Infinity, '0.25', null, 1e40, 1e-50]) {
      expectOptionError(() => new Word2Vec({ quantize: { bits: 1, level } } as any), 'quantize.level');
    }
    const m = new Word2Vec({ quantize: { bits: 2, level: 0.125 } });
    expect(m.quantize).toEqual({ bits: 2, level: 0.125 });
    m.dispose();
  });

  it('level = Word2Bits\' own (1/3, 1/4) trains bit-identically to no level; another level trains differently', async () => {
    const rt = await init();
    const run = async (quantize: any) => {
      const m = new Word2Vec({ vectorSize: 16, window: 3, minCount: 1, epochs: 2, workers: 1, seed: 9, sg: 1, sample: 0, quantize, runtime: rt });
      await m.train(planted(6, 300));
      const rec = decodeModel(m.toBytes(), 'model');
      m.dispose();
      return Array.from(rec.syn0);
    };
    expect(await run({ bits: 1, level: 1 / 3 })).toEqual(await run({ bits: 1 }));
    expect(await run({ bits: 2, level: 0.25 })).toEqual(await run({ bits: 2 }));
    expect(await run({ bits: 1, level: 0.1 })).not.toEqual(await run({ bits: 1 }));
  });

  it('FastText rejects quantize with E_OPTION naming it', () => {
    expectOptionError(() => new FastText({ quantize: { bits: 1 } } as any), 'quantize');
    // in FastText's words, not Word2Vec's, and saying what to do instead
    expect(() => new FastText({ quantize: { bits: 1 } } as any)).toThrow(/^FastText: quantize .*Word2Vec option.*wv\.quantize/);
    expect(() => new FastText({ vectorSize: 8, nope: 1 } as any)).toThrow("FastText: unknown option 'nope'");
    expect(() => new FastText({ vectorSize: 8, negative: 0 } as any)).toThrow(/^FastText: negative=0/);
    expect(() => new Word2Vec({ vectorSize: 8, nope: 1 } as any)).toThrow("Word2Vec: unknown option 'nope'");
  });
});

describe.each([1, 2] as const)('Word2Vec QAT, %i bit(s)', (bits) => {
  it('wv is the quantized table of Q(syn0 + syn1neg), it ranks the planted topics, and saving keeps it exactly', async () => {
    const rt = await init();
    for (const sg of [1, 0]) {
      const m = new Word2Vec({ vectorSize: 24, window: 3, minCount: 1, epochs: 5, workers: 1, seed: 3, sg, sample: 0, quantize: { bits }, runtime: rt });
      await m.train(planted(1));
      const wv = m.wv;
      expect(wv.matrix).toBeInstanceOf(bits === 1 ? BinaryMatrix : Int2Matrix);
      // the table against Word2Bits' output computed here from the saved float weights
      const rec = decodeModel(m.toBytes(), 'model');
      const d = 24, V = rec.words.length;
      const row = new Float32Array(d);
      for (let w = 0; w < V; w++) {
        wv.matrix.decodeRow(w, row);
        for (let c = 0; c < d; c++) {
          const want = Math.fround(quantizeRef(Math.fround(rec.syn0[w * d + c] + rec.syn1neg![w * d + c]), bits));
          expect(row[c]).toBe(want);
        }
      }
      // stored bits: 1 per value (+ one α) or 2 per value (+ one scale and the centre)
      expect(wv.matrix.bytes).toBe(bits === 1 ? Math.ceil((V * d) / 8) + 4 : V * Math.ceil(d / 4) + 4 + d * 4);
      // it learned: words of a topic are nearer each other than the other topic's
      const near = wv.mostSimilar({ positive: ['apple'] }, 7).map((x: any) => x[0]);
      const A = ['banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'];
      const B = ['engine', 'wheel', 'brake', 'clutch', 'piston', 'gear', 'axle', 'tyre'];
      if (bits === 1 && sg === 1) {
        // 1-bit skip-gram at dim 24 splits the fruit topic into sign groups here (3 of apple's 7 nearest are fruit,
        // the rest car words at cosine 1/3; 2 bits, CBOW and float rank all 7 first): only its mean is asserted
        const mean = (ws: string[]) => ws.reduce((a, w) => a + wv.similarity('apple', w), 0) / ws.length;
        expect(mean(A)).toBeGreaterThan(mean(B));
        expect(A).toContain(near[0]);
      } else expect(near.filter((w: string) => A.includes(w)).length).toBeGreaterThanOrEqual(6);
      // the table round-trips through safetensors: same class, same values, same neighbours
      const path = join(dir, `qat${bits}-${sg}.safetensors`);
      await saveVectors(wv, path);
      const back = await loadVectors(path);
      expect(back.matrix.constructor).toBe(wv.matrix.constructor);
      expect(back.matrix.bytes).toBe(wv.matrix.bytes);
      expect([...back.keys]).toEqual([...wv.keys]);
      expect(Array.from((back.matrix as any).decodeAll())).toEqual(Array.from((wv.matrix as any).decodeAll()));
      expect(back.mostSimilar({ positive: ['gear'] }, 5)).toEqual(wv.mostSimilar({ positive: ['gear'] }, 5));
      back.dispose();
      // the model file keeps the option: a loaded model trains on quantized, and gives the same table
      const loaded = await Word2Vec.load(m.toBytes(), { runtime: rt });
      expect(loaded.quantize).toEqual({ bits });
      expect(loaded.wv.matrix.constructor).toBe(wv.matrix.constructor);
      expect(Array.from((loaded.wv.matrix as any).decodeAll())).toEqual(Array.from((wv.matrix as any).decodeAll()));
      loaded.dispose();
      m.dispose();
    }
  });

  it('trains with two worker threads (every thread\'s config block quantizes)', async () => {
    const m = new Word2Vec({ vectorSize: 24, window: 3, minCount: 1, epochs: 4, workers: 2, seed: 5, sg: 1, sample: 0, batchWords: 500, quantize: { bits } });
    const r = await m.train(planted(4, 2000));
    expect(m.wv.matrix).toBeInstanceOf(bits === 1 ? BinaryMatrix : Int2Matrix);
    if (r.threads === 2) expect(r.threadWords.every((w) => w > 0)).toBe(true);
    const rec = decodeModel(m.toBytes(), 'model');
    const row = new Float32Array(24);
    m.wv.matrix.decodeRow(3, row);
    for (let c = 0; c < 24; c++) expect(row[c]).toBe(Math.fround(quantizeRef(Math.fround(rec.syn0[3 * 24 + c] + rec.syn1neg![3 * 24 + c]), bits)));
    m.dispose();
  });

  it('with quantize.level L the table is Q_L(syn0 + syn1neg) (±L; 2 bits ±L, ±3L), it ranks the planted topics, and a loaded model keeps L', async () => {
    const rt = await init();
    const d = 100, level = 2.5 / Math.sqrt(d);
    const m = new Word2Vec({ vectorSize: d, window: 3, minCount: 1, epochs: 5, workers: 1, seed: 3, sg: 1, sample: 0, quantize: { bits, level }, runtime: rt });
    await m.train(planted(1));
    const rec = decodeModel(m.toBytes(), 'model');
    const row = new Float32Array(d);
    const seen = new Set<number>();
    for (let w = 0; w < rec.words.length; w++) {
      m.wv.matrix.decodeRow(w, row);
      for (let c = 0; c < d; c++) {
        expect(row[c]).toBe(Math.fround(quantizeRef(Math.fround(rec.syn0[w * d + c] + rec.syn1neg![w * d + c]), bits, level)));
        seen.add(row[c]);
      }
    }
    const L = Math.fround(level);
    for (const v of seen) expect(bits === 1 ? [L, -L] : [L, -L, Math.fround(3 * L), -Math.fround(3 * L)]).toContain(v);
    const near = m.wv.mostSimilar({ positive: ['apple'] }, 7).map((x: any) => x[0]);
    expect(near.filter((w: string) => ['banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear'].includes(w)).length).toBeGreaterThanOrEqual(6);
    const loaded = await Word2Vec.load(m.toBytes(), { runtime: rt });
    expect(loaded.quantize).toEqual({ bits, level });
    expect(Array.from((loaded.wv.matrix as any).decodeAll())).toEqual(Array.from((m.wv.matrix as any).decodeAll()));
    loaded.dispose();
    m.dispose();
  });

  it('with hierarchical softmax only, wv is Q(syn0)', async () => {
    const rt = await init();
    const m = new Word2Vec({ vectorSize: 16, window: 3, minCount: 1, epochs: 2, workers: 1, hs: 1, negative: 0, sample: 0, quantize: { bits }, runtime: rt });
    await m.train(planted(2, 300));
    const rec = decodeModel(m.toBytes(), 'model');
    const row = new Float32Array(16);
    for (let w = 0; w < rec.words.length; w++) {
      m.wv.matrix.decodeRow(w, row);
      for (let c = 0; c < 16; c++) expect(row[c]).toBe(Math.fround(quantizeRef(rec.syn0[w * 16 + c], bits)));
    }
    m.dispose();
  });
});

describe('Int2Matrix', () => {
  it('packs four codes per byte (element 4k+j in bits 2j..2j+1, two\'s complement), decodes μ + s·q, and scores like its decoded rows', async () => {
    const rt = await init();
    const r = rng(5);
    const rows = 40, cols = 23;
    const codes = Int8Array.from({ length: rows * cols }, () => Math.floor(r() * 4) - 2);
    const packed = packInt2(codes, rows, cols);
    expect(packed.length).toBe(rows * 6);
    // first byte by hand
    let b0 = 0;
    for (let j = 0; j < 4; j++) b0 |= (codes[j] & 3) << (2 * j);
    expect(packed[0]).toBe(b0);
    expect(Array.from(unpackInt2(packed, rows, cols))).toEqual(Array.from(codes));
    const mu = Float32Array.from({ length: cols }, () => r() - 0.5);
    const m = Int2Matrix.fromCodes(codes, rows, cols, Float32Array.of(0.5), mu, rt);
    const row = new Float32Array(cols);
    m.decodeRow(7, row);
    for (let j = 0; j < cols; j++) expect(row[j]).toBe(Math.fround(0.5 * codes[7 * cols + j] + mu[j]));
    // scores: an int8-quantized query against the codes, plus ⟨μ, q⟩
    const query = Float32Array.from({ length: cols }, () => r() * 2 - 1);
    const qp = rt.arena.put(query), out = rt.arena.alloc(rows * 4);
    m.scoreRows(qp, out);
    const got = rt.arena.f32(out, rows).slice();
    for (let i = 0; i < rows; i++) {
      m.decodeRow(i, row);
      let s = 0;
      for (let j = 0; j < cols; j++) s += row[j] * query[j];
      expect(Math.abs(got[i] - s)).toBeLessThan(0.05);
    }
    rt.arena.free(qp);
    rt.arena.free(out);
    // the stored record round-trips through the factory
    const t = m.toQuantized();
    expect(t.scheme).toBe('int2');
    const m2 = tableFromTensor(t, rt) as Int2Matrix;
    expect(Array.from(m2.decodeAll())).toEqual(Array.from(m.decodeAll()));
    expect(() => packInt2(Int8Array.of(2), 1, 1)).toThrow(QuantextError);
    m.dispose();
    m2.dispose();
  });
});
