// The wasm prediction path (FastTextPredictor, assembly/ft/predict.ts) against two independent references: the plain
// TypeScript port of fastText's prediction (src/fasttext/predict.ts, one token at a time), and fastText 0.9.2's own
// `predict-prob` output on the fixtures (test/fixtures/fasttext and its predict/ folder, made by the make.sh there):
// every loss (softmax, hs, ns, ova), word n-grams and subwords, dense .bin and .ftz (qnorm, pruned dictionary,
// quantized output), SIMD and scalar kernels, and the line-reading edge cases of fastText's readWord / getLine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextDictionary, fastTextTokens } from '../../src/fasttext/dictionary.js';
import { FastTextPredictor, type PredictionBlock } from '../../src/fasttext/predictor.js';
import { formatG } from '../../src/fasttext/format.js';
import { QuantextError } from '../../src/errors.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const EDGE = new URL('predict/', DIR);
const REPO = resolve(__dirname, '../..');
const bytes = (u: URL) => new Uint8Array(readFileSync(u));
const text = (u: URL) => readFileSync(u, 'utf8');

const MODELS = ['sup_softmax.bin', 'sup_hs.bin', 'sup_ns.bin', 'sup_ova.bin', 'ftz_plain.ftz', 'ftz_qnorm.ftz', 'ftz_qout.ftz'];

/** Line d of a block as [label, probability] pairs. */
function docOf(model: FastTextModel, b: PredictionBlock, d: number): [string, number][] {
  const out: [string, number][] = [];
  for (let j = b.offsets[d]; j < b.offsets[d + 1]; j++) out.push([model.labels[b.labels[j]], b.probs[j]]);
  return out;
}

/** The block as `fasttext predict-prob` prints it. */
function printed(model: FastTextModel, b: PredictionBlock): string {
  let s = '';
  for (let d = 0; d < b.docs; d++) s += docOf(model, b, d).map(([l, p]) => `${l} ${formatG(p, 6)}`).join(' ') + '\n';
  return s;
}

/** fastText's lines of a file, as the TS port takes them: tokens, and whether a newline ended the line. */
function lines(s: string): { tokens: string[]; eos: boolean }[] {
  const ls = s.split('\n');
  const last = ls.pop()!;
  const out = ls.map((l) => ({ tokens: fastTextTokens(l), eos: true }));
  if (last.length > 0) out.push({ tokens: fastTextTokens(last), eos: false });
  return out;
}

describe('FastTextPredictor (wasm) equals the TypeScript port', () => {
  beforeAll(async () => {
    await init();
  });

  for (const m of MODELS) {
    it(`${m}: every line of the queries, k 1 / 3 / all above 0.1, SIMD and scalar: same labels, order and float32 probabilities`, async () => {
      const model = await FastTextModel.load(new URL(m, DIR));
      const q = bytes(new URL('queries.txt', DIR));
      const ls = lines(text(new URL('queries.txt', DIR)));
      const scalar = new FastTextPredictor(model, { scalar: true });
      // a quantized input matrix is summed from its codes too (not decoded to float32 first), SIMD and scalar
      const codes = m.endsWith('.ftz') ? [new FastTextPredictor(model, { pqDecodeMaxBytes: 0 }), new FastTextPredictor(model, { scalar: true, pqDecodeMaxBytes: 0 })] : [];
      if (codes.length) expect(model.predictor.bytes).toBeGreaterThan(codes[0].bytes); // the default decoded it
      for (const [k, threshold] of [[1, 0], [3, 0], [-1, 0.1]] as const) {
        for (const p of [model.predictor, scalar, ...codes]) {
          const b = p.predictBytes(q, { k, threshold, final: true });
          expect(b.docs).toBe(ls.length);
          expect(b.consumed).toBe(q.length);
          ls.forEach((l, i) => {
            const want = model.predictTokens(l.tokens, k, threshold, l.eos);
            expect(docOf(model, b, i), `${m} k ${k} line ${i + 1}`).toEqual(want);
          });
        }
      }
      scalar.dispose();
      for (const c of codes) c.dispose();
      model.dispose();
    });
  }

  it('predict / predictBatch equal the port on each line (a batch spanning several kernel calls and text chunks)', async () => {
    const model = await FastTextModel.load(new URL('sup_ns.bin', DIR));
    const ls = text(new URL('queries.txt', DIR)).split('\n').slice(0, 20);
    // 6000 texts (more than the 4096 lines of one kernel call) of > 1 MiB in all (more than one text chunk)
    const texts: string[] = [];
    for (let i = 0; i < 6000; i++) texts.push(ls[i % ls.length] + (i % 7 === 0 ? ' ' + ls[(i * 3) % ls.length].repeat(3) : ''));
    expect(texts.reduce((n, t) => n + t.length, 0)).toBeGreaterThan(1 << 20);
    const got = model.predictBatch(texts, 2);
    expect(got.length).toBe(texts.length);
    for (let i = 0; i < texts.length; i += 97) expect(got[i], `text ${i}`).toEqual(model.predictTokens(fastTextTokens(texts[i]), 2, 0, true));
    for (let i = 0; i < 20; i++) expect(model.predict(texts[i], 2)).toEqual(got[i]);
    expect(model.predictBatch([])).toEqual([]);
    model.dispose();
  });

  it('a "</s>" written in a text ends it, as in fastText (the Python predict answers for the words before it)', async () => {
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const got = model.predict('the jury said </s> it was a fine city', 3);
    expect(got).toEqual(model.predictTokens(['the', 'jury', 'said', '</s>'], 3, 0, false));
    expect(got).not.toEqual(model.predict('the jury said it was a fine city', 3));
    expect(model.predict('', 2)).toEqual(model.predictTokens([], 2, 0, true)); // an empty text still has "</s>"
    model.dispose();
  });

  it('streams: any split of the bytes (whole lines consumed, the rest handed back) gives the one-shot answer', async () => {
    const model = await FastTextModel.load(new URL('ftz_qnorm.ftz', DIR));
    const q = bytes(new URL('edge.txt', EDGE));
    const whole = printed(model, model.predictBytes(q, { k: 2, final: true }));
    for (const cut of [1, 7, 100, 333, 1000, q.length - 3]) {
      const a = model.predictBytes(q.subarray(0, cut), { k: 2 });
      expect(a.consumed).toBe(q.subarray(0, cut).lastIndexOf(10) + 1);
      const b = model.predictBytes(q.subarray(a.consumed), { k: 2, final: true });
      expect(printed(model, a) + printed(model, b), `cut at ${cut}`).toBe(whole);
    }
    model.dispose();
  });

  it('gold: the known labels written on each line, in order (fastText getLine\'s labels, for test)', async () => {
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const labels = model.labels;
    const s = '__label__c2 __label__zzz the jury __label__c0\nno labels here\n__label__c4\n';
    const b = model.predictBytes(new TextEncoder().encode(s), { gold: true, final: true });
    expect(b.docs).toBe(3);
    const gold = (d: number) => Array.from(b.gold!.subarray(b.goldOffsets![d], b.goldOffsets![d + 1])).map((i) => labels[i]);
    expect(gold(0)).toEqual(['__label__c2', '__label__c0']);
    expect(gold(1)).toEqual([]);
    expect(gold(2)).toEqual(['__label__c4']);
    model.dispose();
  });

  it('a predictor over parts made elsewhere (a dictionary from strings, as a classifier builds it) reads the matrices by address', async () => {
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const d = model.dict;
    const dict = new FastTextDictionary(model.args, { entries: [...d.entries], counts: d.counts, nwords: d.nwords, ntokens: d.ntokens, prunePairs: null });
    const input = model.input as DenseMatrix;
    const p = new FastTextPredictor({ args: model.args, dict, input, output: model.output });
    const t = 'the grand jury said the city';
    expect(p.predict(t, 3)).toEqual(model.predictTokens(fastTextTokens(t), 3, 0, true));
    // training in place between calls: the next prediction sees the new weights
    const out = (model.output as DenseMatrix).data();
    for (let i = 0; i < out.length; i++) out[i] = i < model.dim ? 1 : 0; // only label 0's row is non-zero
    const after = p.predict(t, 1);
    expect(after).toEqual(model.predictTokens(fastTextTokens(t), 1, 0, true));
    p.dispose();
    expect(() => p.predict(t)).toThrow(QuantextError);
    model.dispose();
  });
});

describe('FastTextPredictor equals fastText 0.9.2 (predict-prob output, byte for byte)', () => {
  beforeAll(async () => {
    await init();
  });

  for (const loss of ['softmax', 'hs', 'ns', 'ova']) {
    it(`sup_${loss}.bin: the queries (k 3; all above 0.1) and the line-reading edge cases (k 3)`, async () => {
      const model = await FastTextModel.load(new URL(`sup_${loss}.bin`, DIR));
      const q = bytes(new URL('queries.txt', DIR));
      expect(printed(model, model.predictBytes(q, { k: 3, final: true }))).toBe(text(new URL(`sup_${loss}.pred3.txt`, DIR)));
      expect(printed(model, model.predictBytes(q, { k: -1, threshold: 0.1, final: true }))).toBe(text(new URL(`sup_${loss}.predall.txt`, DIR)));
      const e = bytes(new URL('edge.txt', EDGE));
      expect(printed(model, model.predictBytes(e, { k: 3, final: true }))).toBe(text(new URL(`sup_${loss}.edge3.txt`, EDGE)));
      model.dispose();
    });
  }

  it('.ftz: pruned dictionary with qnorm (all labels above 0.05), quantized output (k 3), on the edge cases', async () => {
    const e = bytes(new URL('edge.txt', EDGE));
    const a = await FastTextModel.load(new URL('ftz_qnorm.ftz', DIR));
    expect(printed(a, a.predictBytes(e, { k: -1, threshold: 0.05, final: true }))).toBe(text(new URL('ftz_qnorm.edgeall.txt', EDGE)));
    a.dispose();
    const b = await FastTextModel.load(new URL('ftz_qout.ftz', DIR));
    expect(b.qout).toBe(true);
    expect(printed(b, b.predictBytes(e, { k: 3, final: true }))).toBe(text(new URL('ftz_qout.edge3.txt', EDGE)));
    b.dispose();
  });

  it('quantext predict (the CLI, streaming through the batch path) prints the tool\'s output on the edge cases', () => {
    const out = execFileSync(process.execPath, [resolve(REPO, 'dist/cli/main.js'), 'predict', new URL('sup_hs.bin', DIR).pathname, new URL('edge.txt', EDGE).pathname, '--k', '3', '--prob'], { encoding: 'utf8' });
    expect(out).toBe(text(new URL('sup_hs.edge3.txt', EDGE)));
  });
});

describe('FastTextPredictor refuses bad input with a QuantextError', () => {
  beforeAll(async () => {
    await init();
  });

  it('k, threshold, texts, an unsupervised model, a disposed model', async () => {
    const model = await FastTextModel.load(new URL('sup_ova.bin', DIR));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(QuantextError);
        return (e as QuantextError).code;
      }
      return 'no error';
    };
    expect(code(() => model.predict('a', 0))).toBe('E_OPTION');
    expect(code(() => model.predict('a', -2))).toBe('E_OPTION');
    expect(code(() => model.predict('a', 1.5))).toBe('E_OPTION');
    expect(code(() => model.predict('a', 1, NaN))).toBe('E_OPTION');
    expect(code(() => model.predict('a\nb'))).toBe('E_OPTION');
    expect(code(() => model.predict(3 as unknown as string))).toBe('E_OPTION');
    expect(code(() => model.predictBatch(['ok', 5 as unknown as string]))).toBe('E_OPTION');
    expect(code(() => model.predictBatch('text' as unknown as string[]))).toBe('E_OPTION');
    expect(model.predict('a', 99).length).toBe(model.labels.length); // k above the label count: every label
    model.dispose();
    expect(code(() => model.predict('a'))).toBe('E_DISPOSED');
    const sg = await FastTextModel.load(new URL('sg.bin', DIR));
    expect(code(() => sg.predict('a'))).toBe('E_UNSUPPORTED');
    expect(code(() => new FastTextPredictor(sg))).toBe('E_UNSUPPORTED');
    sg.dispose();
  });

  it('parts that do not fit together are E_SHAPE, a table fastText has no prediction for E_UNSUPPORTED', async () => {
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const small = new DenseMatrix(3, model.dim);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as QuantextError).code;
      }
      return 'no error';
    };
    expect(code(() => new FastTextPredictor({ args: model.args, dict: model.dict, input: small, output: model.output }))).toBe('E_SHAPE');
    expect(code(() => new FastTextPredictor({ args: model.args, dict: model.dict, input: model.input, output: small }))).toBe('E_SHAPE');
    expect(code(() => new FastTextPredictor({ args: { ...model.args, dim: 5 }, dict: model.dict, input: model.input, output: model.output }))).toBe('E_SHAPE');
    const arena = model.rt.arena.used;
    const p = new FastTextPredictor(model);
    p.predict('the jury');
    p.dispose();
    expect(model.rt.arena.used).toBe(arena); // dispose frees everything the predictor took
    small.dispose();
    model.dispose();
  });
});
