// TextClassifier end to end: a synthetic task with a known answer is learned with each loss (accuracy computed
// here), multi-label one-vs-all, determinism, threads, save → load → identical predictions, keep training a loaded
// model, test() figures against a count made here, and bad input.
import { describe, it, expect, afterAll } from 'vitest';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { init } from '../../src/runtime/runtime.js';
import { workerStarts } from '../../src/runtime/pool.js';
import { QuantextError } from '../../src/errors.js';
import { rng } from '../helpers.js';
import { synthetic } from './data.js';

const train = synthetic(600, 1);
const held = synthetic(300, 2);
const lines = (docs: { text: string; label: string }[]) => docs.map((d) => `__label__${d.label} ${d.text}`);

function accuracy(clf: TextClassifier, docs: { text: string; label: string }[]): number {
  let ok = 0;
  for (const d of docs) if (clf.predict(d.text, 1)[0]?.[0] === `__label__${d.label}`) ok++;
  return ok / docs.length;
}

const made: TextClassifier[] = [];
afterAll(() => made.forEach((c) => c.dispose()));
function clf(o: ConstructorParameters<typeof TextClassifier>[0]): TextClassifier {
  const c = new TextClassifier(o);
  made.push(c);
  return c;
}

describe('TextClassifier learns a task with a known answer', () => {
  for (const loss of ['softmax', 'hs', 'ns', 'ova'] as const) {
    it(`${loss}: held-out accuracy ≥ 0.95 (chance ≈ 0.33)`, async () => {
      const c = clf({ dim: 16, epochs: 10, lr: 0.5, loss, seed: 3 });
      const r = await c.train(lines(train));
      expect(r.examples).toBe(600);
      expect(c.labels.sort()).toEqual(['__label__c0', '__label__c1', '__label__c2']);
      expect(accuracy(c, held)).toBeGreaterThanOrEqual(0.95);
      // an untrained model of the same shape is at chance: the training did it
      const u = clf({ dim: 16, epochs: 1, lr: 1e-9, loss, seed: 3 });
      await u.train(lines(train));
      expect(accuracy(u, held)).toBeLessThan(0.6);
    });
  }

  it('{ text, labels } items and word n-grams + subwords train too', async () => {
    const c = clf({ dim: 16, epochs: 10, lr: 0.5, wordNgrams: 2, minn: 2, maxn: 4, bucket: 5000, seed: 1 });
    await c.train(train.map((d) => ({ text: d.text, labels: [d.label] })));
    expect(c.model.args.bucket).toBe(5000);
    expect(c.model.input.rows).toBe(c.model.dict.nwords + 5000);
    expect(accuracy(c, held)).toBeGreaterThanOrEqual(0.95);
    // an unseen spelling of a keyword still carries its class through the character n-grams
    expect(c.predict('w1 w2 w3 key2x3z', 1)[0][0]).toBe('__label__c2');
  });

  it('multi-label with one-vs-all: both labels of a two-class document above 0.5', async () => {
    const r = rng(9);
    const docs: string[] = [];
    for (let i = 0; i < 600; i++) {
      const a = Math.floor(r() * 3), b = (a + 1 + Math.floor(r() * 2)) % 3;
      const two = r() < 0.5;
      const words = Array.from({ length: 8 }, () => `w${Math.floor(r() * 300)}`);
      words.push(`key${a}x0`);
      if (two) words.push(`key${b}x0`);
      docs.push(`__label__c${a}${two ? ` __label__c${b}` : ''} ${words.join(' ')}`);
    }
    const c = clf({ dim: 16, epochs: 15, lr: 0.5, loss: 'ova', seed: 2 });
    await c.train(docs);
    const p = c.predict('w5 w6 key0x0 key2x0 w7', -1, 0.5).map(([l]) => l).sort();
    expect(p).toEqual(['__label__c0', '__label__c2']);
    const one = c.predict('w5 w6 key1x0 w7', -1, 0.5).map(([l]) => l);
    expect(one).toEqual(['__label__c1']);
    // test() at k = 2 counts both gold labels (recall over labels, precision over predictions)
    const t = await c.test(docs.slice(0, 100), 2);
    expect(t.n).toBe(100);
    expect(t.recall).toBeGreaterThan(0.95);
  });
});

describe('determinism, threads, saving and loading', () => {
  it('one thread and a seed: the same model twice; another seed: another model', async () => {
    const a = clf({ dim: 8, epochs: 3, seed: 5, loss: 'ns' });
    const b = clf({ dim: 8, epochs: 3, seed: 5, loss: 'ns' });
    const c = clf({ dim: 8, epochs: 3, seed: 6, loss: 'ns' });
    for (const m of [a, b, c]) await m.train(lines(train));
    expect(Buffer.from(a.toBytes()).equals(Buffer.from(b.toBytes()))).toBe(true);
    expect(Buffer.from(a.toBytes()).equals(Buffer.from(c.toBytes()))).toBe(false);
  });

  it('a file (read as bytes, no string per token) and the same lines as strings give the same model', async () => {
    const ls = lines(train.slice(0, 200)).map((l, i) => (i % 7 === 0 ? l.replace(' ', '\t') : i % 11 === 0 ? l + ' caf\u00e9 \u00fcber\v\u65e5\u672c\0x\r' : l));
    const a = clf({ dim: 8, epochs: 2, seed: 5, wordNgrams: 2, bucket: 500, minn: 2, maxn: 3 });
    const b = clf({ dim: 8, epochs: 2, seed: 5, wordNgrams: 2, bucket: 500, minn: 2, maxn: 3 });
    await a.train(new TextEncoder().encode(ls.join('\n') + '\n'));
    await b.train(ls);
    expect(a.model.dict.entries).toEqual(b.model.dict.entries);
    expect(a.model.dict.entries).toContain('\u65e5\u672c');
    expect(Buffer.from(a.toBytes()).equals(Buffer.from(b.toBytes()))).toBe(true);
  });

  it('two threads (Hogwild) learn the task as well, with one worker thread: the main thread trains beside it', async () => {
    const c = clf({ dim: 16, epochs: 10, lr: 0.5, threads: 2, seed: 1 });
    const started = workerStarts();
    const r = await c.train(lines(train));
    // the detach test mode (QUANTEXT_DETACH=1) runs on plain memory, where threads fall back to one
    const shared = (await init()).shared;
    expect(r.threads).toBe(shared ? 2 : 1);
    // a worker thread costs ~10 MB of RSS: two threads are this one and one worker (peak RSS ≤ fastText's -thread 2)
    expect(workerStarts() - started).toBe(shared ? 1 : 0);
    expect(accuracy(c, held)).toBeGreaterThanOrEqual(0.95);
    // the pool is reused by the next train() call
    await c.train(lines(train.slice(0, 300)), { epochs: 1 });
    expect(workerStarts() - started).toBe(shared ? 1 : 0);
  });

  it('a saved .bin loads as a TextClassifier and as a FastTextModel and predicts identically', async () => {
    const c = clf({ dim: 12, epochs: 5, lr: 0.5, wordNgrams: 2, bucket: 1000, loss: 'hs', seed: 4 });
    await c.train(lines(train));
    const bytes = c.toBytes();
    const back = await TextClassifier.load(bytes);
    made.push(back);
    const fm = await FastTextModel.load(bytes);
    try {
      expect(back.model.args).toEqual(c.model.args);
      for (const d of held.slice(0, 100)) {
        const want = c.predict(d.text, -1);
        expect(back.predict(d.text, -1)).toEqual(want);
        expect(fm.predict(d.text, -1)).toEqual(want);
      }
      expect(back.predictBatch(held.slice(0, 5).map((d) => d.text), 2)).toEqual(held.slice(0, 5).map((d) => c.predict(d.text, 2)));
    } finally {
      fm.dispose();
    }
  });

  it('a loaded model keeps training (and an unknown label is refused naming it)', async () => {
    const c = clf({ dim: 12, epochs: 1, lr: 0.05, seed: 4 });
    await c.train(lines(train.slice(0, 100)));
    const before = accuracy(c, held);
    const back = await TextClassifier.load(c.toBytes(), { epochs: 10, lr: 0.5 });
    made.push(back);
    await back.train(lines(train));
    expect(accuracy(back, held)).toBeGreaterThan(Math.max(before, 0.9));
    await expect(back.train(['__label__c9 w1 w2'])).rejects.toThrow(/__label__c9/);
  });

  it('a .ftz loads and predicts as fastText did, and refuses to train (E_UNSUPPORTED); an unsupervised model is refused', async () => {
    const dir = new URL('../fixtures/fasttext/', import.meta.url);
    const c = await TextClassifier.load(new URL('ftz_plain.ftz', dir));
    made.push(c);
    const fm = await FastTextModel.load(new URL('ftz_plain.ftz', dir));
    try {
      expect(c.predict('hello world', 3)).toEqual(fm.predict('hello world', 3));
    } finally {
      fm.dispose();
    }
    await expect(c.train(['__label__x a b'])).rejects.toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    await expect(TextClassifier.load(new URL('sg.bin', dir))).rejects.toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
  });

  it('test(): precision, recall and per-label figures equal a count made here', async () => {
    const c = clf({ dim: 8, epochs: 2, lr: 0.2, seed: 8 });
    await c.train(lines(train));
    const t = await c.test(lines(held), 1);
    let correct = 0;
    const per = new Map<string, { p: number; g: number; pg: number }>();
    const get = (l: string) => per.get(l) ?? (per.set(l, { p: 0, g: 0, pg: 0 }), per.get(l)!);
    for (const d of held) {
      // a test line has "</s>" after its words, as a line of a file
      const pred = c.predict(d.text, 1)[0][0];
      const gold = `__label__${d.label}`;
      get(pred).p++;
      get(gold).g++;
      if (pred === gold) {
        correct++;
        get(gold).pg++;
      }
    }
    expect(t.n).toBe(held.length);
    // the same lines as a file go through the wasm predictor in blocks: the same figures
    expect(await c.test(new TextEncoder().encode(lines(held).join('\n') + '\n'), 1)).toEqual(t);
    expect(t.precision).toBeCloseTo(correct / held.length, 12);
    expect(t.recall).toBeCloseTo(correct / held.length, 12);
    for (const l of t.labels) {
      const m = get(l.label);
      expect(l.precision).toBeCloseTo(m.pg / m.p, 12);
      expect(l.recall).toBeCloseTo(m.pg / m.g, 12);
      expect(l.f1).toBeCloseTo((2 * m.pg) / (m.p + m.g), 12);
    }
  });

  it('an AbortSignal stops training with E_ABORTED; progress is reported', async () => {
    const c = clf({ dim: 8, epochs: 50, seed: 1 });
    const ac = new AbortController();
    const seen: number[] = [];
    const e = await c.train(lines(train), {
      signal: ac.signal, progressInterval: 0,
      onProgress: (p) => {
        seen.push(p.progress);
        if (p.epoch >= 2) ac.abort();
      },
    }).then(() => undefined, (x) => x);
    expect(e?.code).toBe('E_ABORTED');
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBeLessThan(0.5);
  });

  it('dispose() frees it; use after dispose is E_DISPOSED; Symbol.dispose works', async () => {
    let inner: TextClassifier;
    {
      using c = new TextClassifier({ dim: 4, epochs: 1 });
      inner = c;
      await c.train(lines(train.slice(0, 20)));
    }
    expect(inner.isDisposed).toBe(true);
    expect(() => inner.predict('w1')).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    inner.dispose();
  });
});

describe('bad input is a QuantextError naming the line or the option', () => {
  const fails = async (data: string[], re: RegExp, code = 'E_FORMAT') => {
    const c = clf({ dim: 4, epochs: 1 });
    const e = await c.train(data).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(QuantextError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(re);
  };
  it('a line without a label', () => fails(['__label__a x y', 'x y z'], /line 2 has no label/));
  it('a label-only line', () => fails(['__label__a x y', '__label__b', '__label__a q'], /line 2 has only labels/));
  it('an empty line', () => fails(['__label__a x y', '__label__b z', ''], /line 3 is empty/));
  it('no labelled line at all', () => fails([], /no labelled line/, 'E_EMPTY'));
  it('a file: the line number of the file', async () => {
    const bytes = new TextEncoder().encode('__label__a x y\n__label__b z\n\n__label__a w\n');
    const c = clf({ dim: 4, epochs: 1 });
    await expect(c.train(bytes)).rejects.toThrow(/line 3 is empty/);
  });
  it('skipInvalid leaves such lines out, as fastText does', async () => {
    const c = clf({ dim: 4, epochs: 1, skipInvalid: true });
    const r = await c.train(['__label__a x y', '', 'no label', '__label__b', '__label__b z']);
    expect(r.examples).toBe(2);
  });
  it('options: NaN lr, unknown option, bad loss, maxn < minn', () => {
    const opt = (o: object, name: string) => {
      let e: any;
      try {
        new TextClassifier(o as any);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(QuantextError);
      expect(e.code).toBe('E_OPTION');
      expect(e.details?.option ?? e.option).toBe(name);
      expect(e.message).toContain(name);
    };
    opt({ lr: NaN }, 'lr');
    opt({ lr: -1 }, 'lr');
    opt({ epoch: 5 }, 'epoch');
    opt({ loss: 'logistic' }, 'loss');
    opt({ dim: 0 }, 'dim');
    opt({ minn: 3, maxn: 2 }, 'maxn');
    opt({ labelPrefix: '' }, 'labelPrefix');
  });
  it('train() options and predict() arguments', async () => {
    const c = clf({ dim: 4, epochs: 1 });
    await expect(c.train(['__label__a x'], { bogus: 1 } as any)).rejects.toThrow(/unknown option 'bogus'/);
    expect(() => c.predict('x')).toThrow(expect.objectContaining({ code: 'E_EMPTY' }));
    await c.train(['__label__a x', '__label__b y']);
    expect(() => c.predict('x', 0)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => c.predict('x', 1, NaN)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
  it('a learning rate that diverges is E_DIVERGED naming lr, not NaN predictions', async () => {
    for (const loss of ['softmax', 'ns'] as const) {
      const c = clf({ dim: 8, epochs: 5, lr: 100, loss });
      const e = await c.train(lines(train)).then(() => undefined, (x) => x);
      expect(e?.code).toBe('E_DIVERGED');
      expect(e.message).toMatch(/lr = 100/);
    }
  });
});
