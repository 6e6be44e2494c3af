// TextClassifier additions for compression (issue 13): fromModel (a dense supervised FastTextModel becomes a
// classifier that keeps training), freezeInput (fastText's `quantize -retrain` of the float parts), masks (pruned
// weights stay exactly 0), soft-label targets (distillation) and quantization-aware training. Each is checked
// against a known answer or a plain TypeScript reference.
import { describe, it, expect, afterAll } from 'vitest';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { Int8Matrix } from '../../src/vectors/tables/int8.js';
import { Int4Matrix } from '../../src/vectors/tables/int4.js';
import { synthetic } from './data.js';

const train = synthetic(600, 1);
const held = synthetic(300, 2);
const lines = (docs: { text: string; label: string }[]) => docs.map((d) => `__label__${d.label} ${d.text}`);

function accuracy(clf: TextClassifier, docs: { text: string; label: string }[]): number {
  let ok = 0;
  for (const d of docs) if (clf.predict(d.text, 1)[0]?.[0] === `__label__${d.label}`) ok++;
  return ok / docs.length;
}

const made: { dispose(): void }[] = [];
afterAll(() => made.forEach((c) => c.dispose()));
function clf(o: ConstructorParameters<typeof TextClassifier>[0]): TextClassifier {
  const c = new TextClassifier(o);
  made.push(c);
  return c;
}
const mat = (m: FastTextModel, which: 'input' | 'output') => {
  const d = m[which] as DenseMatrix;
  return d.rt.arena.f32(d.ptr, d.rows * d.cols).slice();
};

describe('TextClassifier.fromModel', () => {
  it('a dense supervised model predicts as before, keeps training, and is freed with the classifier', async () => {
    const a = clf({ dim: 10, epochs: 1, lr: 0.05, seed: 3, wordNgrams: 2, bucket: 500 });
    await a.train(lines(train.slice(0, 100)));
    const before = accuracy(a, held);
    const fm = await FastTextModel.load(a.toBytes());
    const b = TextClassifier.fromModel(fm, { epochs: 10, lr: 0.5 });
    made.push(b);
    expect(b.model).toBe(fm);
    expect(b.opts.dim).toBe(10);
    expect(b.opts.wordNgrams).toBe(2);
    for (const d of held.slice(0, 50)) expect(b.predict(d.text, -1)).toEqual(a.predict(d.text, -1));
    await b.train(lines(train));
    expect(accuracy(b, held)).toBeGreaterThan(Math.max(before, 0.9));
    b.dispose();
    expect(fm.input.isDisposed).toBe(true);
  });

  it('a quantized (.ftz) or unsupervised model is E_UNSUPPORTED; not a model is E_OPTION', async () => {
    const dir = new URL('../fixtures/fasttext/', import.meta.url);
    const ftz = await FastTextModel.load(new URL('ftz_plain.ftz', dir));
    const sg = await FastTextModel.load(new URL('sg.bin', dir));
    made.push(ftz, sg);
    expect(() => TextClassifier.fromModel(ftz)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => TextClassifier.fromModel(sg)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => TextClassifier.fromModel({} as FastTextModel)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(ftz.input.isDisposed).toBe(false);
  });
});

describe('train({ freezeInput })', () => {
  it('the input matrix is untouched and the output alone learns the task again (fastText -retrain)', async () => {
    const c = clf({ dim: 16, epochs: 5, lr: 0.5, seed: 5 });
    await c.train(lines(train));
    expect(accuracy(c, held)).toBeGreaterThan(0.95);
    const input = mat(c.model, 'input');
    const out = c.model.output as DenseMatrix;
    out.rt.arena.f32(out.ptr, out.rows * out.cols).fill(0);
    expect(accuracy(c, held)).toBeLessThan(0.5);
    await c.train(lines(train), { freezeInput: true });
    expect(Array.from(mat(c.model, 'input'))).toEqual(Array.from(input));
    expect(accuracy(c, held)).toBeGreaterThan(0.95);
    // without the flag the input moves
    await c.train(lines(train.slice(0, 50)));
    expect(mat(c.model, 'input')).not.toEqual(input);
    await expect(c.train(lines(train), { freezeInput: 1 as unknown as boolean })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});

describe('train({ masks })', () => {
  it('pruned weights are 0 from the start and stay exactly 0; the kept weights still learn the task', async () => {
    const c = clf({ dim: 16, epochs: 2, lr: 0.5, seed: 6, wordNgrams: 2, bucket: 2000 });
    await c.train(lines(train));
    const inp = mat(c.model, 'input'), out = mat(c.model, 'output');
    // magnitude masks: keep the largest 30 % of the input, 70 % of the output
    const topMask = (w: Float32Array, keep: number) => {
      const thr = Float32Array.from(w, Math.abs).sort()[Math.floor(w.length * (1 - keep))];
      return Uint8Array.from(w, (v) => (Math.abs(v) >= thr ? 1 : 0));
    };
    const masks = { input: topMask(inp, 0.3), output: topMask(out, 0.7) };
    let seen = 0;
    c.opts.epochs = 5;
    await c.train(lines(train), {
      masks,
      progressInterval: 0,
      onProgress: () => {
        const i = mat(c.model, 'input');
        masks.input.forEach((m, k) => m === 0 && i[k] !== 0 && seen++);
      },
    });
    expect(seen).toBe(0);
    const i2 = mat(c.model, 'input'), o2 = mat(c.model, 'output');
    let kept = 0, moved = 0;
    masks.input.forEach((m, k) => (m === 0 ? expect(i2[k]).toBe(0) : (kept++, i2[k] !== inp[k] && moved++)));
    masks.output.forEach((m, k) => m === 0 && expect(o2[k]).toBe(0));
    expect(moved / kept).toBeGreaterThan(0.1);
    expect(accuracy(c, held)).toBeGreaterThan(0.95);
  });

  it('a mask of the wrong length is E_SHAPE, bytes other than 0/1 E_OPTION', async () => {
    const c = clf({ dim: 4, epochs: 1, seed: 1 });
    await c.train(lines(train.slice(0, 20)));
    const n = c.model.input.rows * 4;
    await expect(c.train(lines(train.slice(0, 20)), { masks: { input: new Uint8Array(n - 1) } })).rejects.toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    await expect(c.train(lines(train.slice(0, 20)), { masks: { output: new Uint8Array(c.model.output.rows * 4).fill(2) } })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    await expect(c.train(lines(train.slice(0, 20)), { masks: { hidden: new Uint8Array(1) } as never })).rejects.toThrow(/masks.hidden/);
  });
});

describe('train({ targets, temperature, alpha })', () => {
  const data = lines(train.slice(0, 300));
  const o = { dim: 8, epochs: 3, lr: 0.3, seed: 9 };
  const oneHot = (c: TextClassifier) => {
    const L = c.labels.length;
    const t = new Float32Array(300 * L);
    train.slice(0, 300).forEach((d, i) => (t[i * L + c.labels.indexOf(`__label__${d.label}`)] = 1));
    return t;
  };
  it('α = 1, or one-hot targets at T = 1 with α = 0, train exactly the hard-label model (the soft term is the hard one)', async () => {
    const hard = clf(o);
    await hard.train(data);
    const want = hard.toBytes();
    const a1 = clf(o);
    // labels in dictionary order: c0/c1/c2 by count, as the hard model has them
    const t = oneHot(hard);
    await a1.train(data, { targets: t, alpha: 1, temperature: 3 });
    expect(a1.toBytes()).toEqual(want);
    const a0 = clf(o);
    await a0.train(data, { targets: t, alpha: 0, temperature: 1 });
    expect(a0.toBytes()).toEqual(want);
    // uniform soft labels with α = 0 change it
    const u = clf(o);
    await u.train(data, { targets: new Float32Array(t.length).fill(1 / 3), alpha: 0 });
    expect(u.toBytes()).not.toEqual(want);
  });

  it('bad targets are typed errors: length, NaN, not a distribution, non-softmax loss, temperature without targets', async () => {
    const c = clf(o);
    const L = 3, n = 300;
    const ok = new Float32Array(n * L).fill(1 / 3);
    await expect(c.train(data, { targets: new Float32Array(n * L - 1) })).rejects.toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    const nan = ok.slice();
    nan[7] = NaN;
    await expect(c.train(data, { targets: nan })).rejects.toThrow(expect.objectContaining({ code: 'E_NAN' }));
    await expect(c.train(data, { targets: new Float32Array(n * L).fill(0.5) })).rejects.toThrow(/sums to/);
    await expect(c.train(data, { targets: ok, temperature: 0 })).rejects.toThrow(/temperature/);
    await expect(c.train(data, { targets: ok, alpha: 1.5 })).rejects.toThrow(/alpha/);
    await expect(c.train(data, { temperature: 2 })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    await expect(c.train(data, { targets: [0.5] as unknown as Float32Array })).rejects.toThrow(/Float32Array/);
    await expect(clf({ ...o, loss: 'ns' }).train(data, { targets: ok })).rejects.toThrow(/softmax/);
  });
});

describe('quantization-aware training: new TextClassifier({ quantize: { bits } })', () => {
  const codesOf = (w: Float32Array, scales: Float32Array, dim: number) =>
    Int8Array.from(w, (v, i) => (scales[Math.floor(i / dim)] === 0 ? 0 : Math.round(v / scales[Math.floor(i / dim)])));
  for (const bits of [1, 2, 4, 8] as const) {
    it(`${bits} bit${bits > 1 ? 's' : ''}: the matrices hold exactly scale·q per row, clf.qat describes it, and the task is learned`, async () => {
      const c = clf({ dim: 16, epochs: 8, lr: 0.5, seed: 7, wordNgrams: 2, bucket: 1000, quantize: { bits } });
      expect(c.qat).toBeUndefined();
      await c.train(lines(train));
      const q = c.qat!;
      expect(q).toMatchObject({ bits, perRow: true, symmetric: true, qmax: bits <= 2 ? 1 : (1 << (bits - 1)) - 1 });
      for (const which of ['input', 'output'] as const) {
        const w = mat(c.model, which), scales = q[which]!.scales, dim = 16;
        expect(scales.length).toBe(c.model[which].rows);
        const codes = codesOf(w, scales, dim);
        const levels = new Set<number>();
        for (let i = 0; i < w.length; i++) {
          expect(Math.abs(codes[i])).toBeLessThanOrEqual(q.qmax);
          expect(Math.fround(scales[Math.floor(i / dim)] * codes[i])).toBe(w[i]);
          levels.add(codes[i]);
        }
        if (bits === 1) expect([...levels].sort()).toEqual([-1, 1]);
        if (bits === 2) expect([...levels].sort()).toEqual([-1, 0, 1]);
        if (bits === 8 && which === 'input') expect(levels.size).toBeGreaterThan(100);
        // int8 / int4 tables (zero point 0) store the rows losslessly
        if (bits >= 2) {
          const Table = bits === 8 ? Int8Matrix : Int4Matrix;
          const rows = c.model[which].rows;
          const packed = bits === 8 ? codes : new Uint8Array(rows * (dim / 2)).map((_, k) => (codes[2 * k] & 15) | ((codes[2 * k + 1] & 15) << 4));
          const t = Table.fromQuantized({
            scheme: bits === 8 ? 'int8' : 'int4', bits: bits === 8 ? 8 : 4, rows, cols: dim, qmin: bits === 8 ? -128 : -8, qmax: bits === 8 ? 127 : 7,
            perRow: true, symmetric: true, rounding: 'nearest', calibration: 'minmax', codes: packed, rowBytes: bits === 8 ? dim : dim / 2,
            scales, zeroPoints: new Int32Array(rows),
          });
          made.push(t);
          for (const r of [0, 1, rows - 1]) expect(Array.from(t.decodeRow(r))).toEqual(Array.from(w.subarray(r * dim, (r + 1) * dim)));
        }
      }
      expect(accuracy(c, held)).toBeGreaterThan(bits === 1 ? 0.9 : 0.95);
      // training on continues from the float shadow weights, and the matrices stay quantized
      await c.train(lines(train.slice(0, 100)));
      const w = mat(c.model, 'input'), s2 = c.qat!.input.scales;
      const codes = codesOf(w, s2, 16);
      for (let i = 0; i < w.length; i++) expect(Math.fround(s2[Math.floor(i / 16)] * codes[i])).toBe(w[i]);
    });
  }

  it('output: false keeps the output float; bad quantize options are E_OPTION', async () => {
    const c = clf({ dim: 8, epochs: 3, lr: 0.5, seed: 7, quantize: { bits: 4, output: false } });
    await c.train(lines(train));
    expect(c.qat!.output).toBeUndefined();
    const o = mat(c.model, 'output');
    const rowsExact = [0, 1, 2].filter((r) => {
      const row = o.subarray(r * 8, (r + 1) * 8), s = Math.max(...row.map(Math.abs)) / 7;
      return row.every((v) => Math.fround(Math.fround(s) * Math.round(v / s)) === v);
    });
    expect(rowsExact.length).toBeLessThan(3);
    expect(() => new TextClassifier({ quantize: { bits: 3 as never } })).toThrow(/bits/);
    expect(() => new TextClassifier({ quantize: { bits: 4, foo: 1 } as never })).toThrow(/quantize.foo/);
    expect(() => new TextClassifier({ quantize: 4 as never })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});

describe('checkpoints: toBytes() / save() inside onProgress, then load + train({ resume: true })', () => {
  // ~80k tokens: three batches per epoch
  const big = lines(synthetic(6000, 3));
  for (const [loss, at] of [['softmax', 4], ['ns', 2], ['hs', 3]] as const) {
    it(`${loss}: resuming from progress report ${at} gives the uninterrupted seeded single-thread model bit for bit`, async () => {
      const o = { dim: 8, epochs: 3, lr: 0.4, seed: 12, wordNgrams: 2, bucket: 3000, loss };
      const full = clf(o);
      let ckpt: Uint8Array | undefined, seen = 0, plain: Uint8Array | undefined;
      await full.train(big, {
        progressInterval: 0,
        onProgress: () => {
          if (++seen === at) {
            ckpt = full.toBytes();
            plain = full.model.toBytes();
          }
        },
      });
      expect(seen).toBeGreaterThan(at + 2);
      const want = full.toBytes();
      // the checkpoint is the .bin plus 64 bytes of state; outside onProgress toBytes() is the plain .bin
      expect(ckpt!.length).toBe(plain!.length + 64);
      expect(want.length).toBe(plain!.length);
      const back = await TextClassifier.load(ckpt!);
      made.push(back);
      expect(back.toBytes()).toEqual(plain);
      await back.train(big, { resume: true });
      expect(back.toBytes()).toEqual(want);
      // without resume the same load trains a different model
      const again = await TextClassifier.load(ckpt!, { epochs: 1 });
      made.push(again);
      await again.train(big);
      expect(again.toBytes()).not.toEqual(want);
    });
  }

  it('save() inside onProgress writes a checkpoint file that loads and resumes; errors are typed', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'qt-ckpt-'));
    try {
      const o = { dim: 6, epochs: 2, lr: 0.3, seed: 4 };
      const full = clf(o);
      let saving: Promise<void> | undefined, n = 0;
      const path = join(dir, 'ckpt.bin');
      await full.train(big, { progressInterval: 0, onProgress: () => void (++n === 2 && (saving = full.save(path))) });
      await saving;
      const back = await TextClassifier.load(path);
      made.push(back);
      await back.train(big, { resume: true });
      expect(back.toBytes()).toEqual(full.toBytes());
      // resuming twice, resuming without a checkpoint, or on other data: E_OPTION
      await expect(back.train(big, { resume: true })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
      await expect(back.train(big, { resume: 'yes' as never })).rejects.toThrow(/resume must be a boolean/);
      const other = await TextClassifier.load(path);
      made.push(other);
      await expect(other.train(big.slice(0, 100), { resume: true })).rejects.toThrow(/other data/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkpoints after an abort', () => {
  const big = lines(synthetic(6000, 3));
  it('an aborted one-thread train() resumes bit for bit, in memory and from its toBytes(); a train() in between makes it stale', async () => {
    const o = { dim: 8, epochs: 3, lr: 0.4, seed: 21, wordNgrams: 2, bucket: 3000 };
    const full = clf(o);
    await full.train(big);
    const want = full.toBytes();
    for (const at of [1, 4]) {
      const cut = clf(o);
      const ac = new AbortController();
      let seen = 0;
      await expect(cut.train(big, { signal: ac.signal, progressInterval: 0, onProgress: () => void (++seen === at && ac.abort()) }))
        .rejects.toThrow(expect.objectContaining({ code: 'E_ABORTED' }));
      const plain = cut.model.toBytes();
      expect(plain).not.toEqual(want.subarray(0, plain.length)); // stopped part-way
      const saved = cut.toBytes();
      expect(saved.length).toBe(plain.length + 64);
      expect(saved.subarray(0, plain.length)).toEqual(plain);
      // from the saved bytes
      const back = await TextClassifier.load(saved);
      made.push(back);
      await back.train(big, { resume: true });
      expect(back.toBytes()).toEqual(want);
      // in memory; afterwards toBytes() is the plain .bin again
      await cut.train(big, { resume: true });
      expect(cut.toBytes()).toEqual(want);
      await expect(cut.train(big, { resume: true })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    }
    // aborted, then trained on without resume: the checkpoint is gone
    const stale = clf(o);
    const ac = new AbortController();
    await expect(stale.train(big, { signal: ac.signal, progressInterval: 0, onProgress: () => ac.abort() })).rejects.toThrow(/abort/i);
    await stale.train(big.slice(0, 200), { epochs: 1 });
    expect(stale.toBytes().length).toBe(stale.model.toBytes().length);
    await expect(stale.train(big, { resume: true })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });

  it('with two threads an abort leaves no checkpoint (the threads\' random states are not one state)', async () => {
    const c = clf({ dim: 8, epochs: 3, lr: 0.4, seed: 21, threads: 2 });
    // how many threads train here (one where the runtime has no shared memory, e.g. the detach test mode)
    const { threads } = await c.train(big, { epochs: 1 });
    const ac = new AbortController();
    let seen = 0;
    await expect(c.train(big, { signal: ac.signal, progressInterval: 0, onProgress: () => void (++seen === 2 && ac.abort()) })).rejects.toThrow(expect.objectContaining({ code: 'E_ABORTED' }));
    if (threads === 1) {
      expect(c.toBytes().length).toBe(c.model.toBytes().length + 64);
      return;
    }
    expect(threads).toBe(2);
    expect(c.toBytes().length).toBe(c.model.toBytes().length);
    await expect(c.train(big, { resume: true })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});

describe('combinations', () => {
  it('QAT at 1 bit with masks: pruned weights are exactly 0 in the quantized matrices from the first report to the end', async () => {
    const c = clf({ dim: 8, epochs: 10, lr: 0.5, seed: 2, quantize: { bits: 1, output: false } });
    const first = clf({ dim: 8, epochs: 1, seed: 2 });
    await first.train(lines(train));
    const rows = first.model.input.rows;
    const maskIn = Uint8Array.from({ length: rows * 8 }, (_, i) => ((i * 7) % 10 < 5 ? 1 : 0));
    const maskOut = Uint8Array.from({ length: 3 * 8 }, (_, i) => (i % 4 ? 1 : 0));
    let bad = 0;
    const count = () => {
      const i = mat(c.model, 'input'), o = mat(c.model, 'output');
      maskIn.forEach((m, k) => m === 0 && !Object.is(i[k], 0) && bad++);
      maskOut.forEach((m, k) => m === 0 && !Object.is(o[k], 0) && bad++);
    };
    await c.train(lines(train), { masks: { input: maskIn, output: maskOut }, progressInterval: 0, onProgress: count });
    count();
    expect(bad).toBe(0);
    // the kept weights are ±α of their row
    const w = mat(c.model, 'input'), s = c.qat!.input.scales;
    maskIn.forEach((m, k) => m === 1 && s[Math.floor(k / 8)] > 0 && expect(Math.abs(w[k])).toBe(s[Math.floor(k / 8)]));
    expect(accuracy(c, held)).toBeGreaterThan(0.9);
    // the same with a binary output matrix
    // (and bucket rows that no line uses: never updated, they keep their initial quantized values)
    const d = clf({ dim: 8, epochs: 2, lr: 0.5, seed: 2, wordNgrams: 2, bucket: 5000, quantize: { bits: 1 } });
    const maskBig = Uint8Array.from({ length: (rows + 5000) * 8 }, (_, i) => ((i * 7) % 10 < 5 ? 1 : 0));
    await d.train(lines(train), { masks: { input: maskBig, output: maskOut } });
    const i = mat(d.model, 'input'), o = mat(d.model, 'output');
    maskBig.forEach((m, k) => m === 0 && !Object.is(i[k], 0) && bad++);
    maskOut.forEach((m, k) => m === 0 && !Object.is(o[k], 0) && bad++);
    expect(bad).toBe(0);
  });
});

describe('QAT with two threads', () => {
  it('the matrices hold exactly scale·q after Hogwild training too', async () => {
    const c = clf({ dim: 8, epochs: 3, lr: 0.5, seed: 2, threads: 2, quantize: { bits: 4 } });
    await c.train(lines(synthetic(6000, 4)));
    for (const which of ['input', 'output'] as const) {
      const w = mat(c.model, which), s = c.qat![which]!.scales;
      for (let k = 0; k < w.length; k++) {
        const sc = s[Math.floor(k / 8)], q = sc === 0 ? 0 : Math.round(w[k] / sc);
        expect(Math.abs(q)).toBeLessThanOrEqual(7);
        expect(Math.fround(sc * q)).toBe(w[k]);
      }
    }
    expect(accuracy(c, held)).toBeGreaterThan(0.9);
  });
});

describe('train({ epochs, lr }): a per-call schedule', () => {
  it('equals a classifier constructed with those epochs and lr, and the options are validated', async () => {
    const data = lines(train.slice(0, 200));
    const a = clf({ dim: 6, epochs: 7, lr: 0.9, seed: 5 });
    const r = await a.train(data, { epochs: 2, lr: 0.2 });
    expect(r.epochs).toBe(2);
    const b = clf({ dim: 6, epochs: 2, lr: 0.2, seed: 5 });
    await b.train(data);
    expect(Buffer.from(mat(a.model, 'input').buffer).equals(Buffer.from(mat(b.model, 'input').buffer))).toBe(true);
    expect(Buffer.from(mat(a.model, 'output').buffer).equals(Buffer.from(mat(b.model, 'output').buffer))).toBe(true);
    for (const [k, v] of [['epochs', 0], ['epochs', 1.5], ['lr', Number.NaN], ['lr', -1]] as const) {
      await expect(a.train(data, { [k]: v })).rejects.toMatchObject({ code: 'E_OPTION', details: { option: k } });
    }
  });
});
