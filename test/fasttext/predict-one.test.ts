// The single-text path of FastTextPredictor.predict (one kernel call straight from the string, no batch
// bookkeeping): the same answers as the TypeScript port of fastText's prediction on every line of the queries and on
// texts built to hit its edges (multi-byte UTF-8, a written "</s>", a newline anywhere, a long text that grows the
// scratch buffers, memory growth between calls), and it reads `memory.buffer` only when its cached views no longer
// cover the heap (each read costs ~0.2 µs on shared memory; the batch path had paid a dozen per text).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { fastTextTokens } from '../../src/fasttext/dictionary.js';
import { FastTextPredictor } from '../../src/fasttext/predictor.js';
import { QuantextError } from '../../src/errors.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const MODELS = ['sup_softmax.bin', 'sup_hs.bin', 'sup_ns.bin', 'sup_ova.bin', 'ftz_qnorm.ftz', 'ftz_qout.ftz'];

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof QuantextError ? e.code : String(e);
  }
  return 'no error';
};

describe('FastTextPredictor.predict: one text, one kernel call', () => {
  beforeAll(async () => {
    await init();
  });

  for (const m of MODELS) {
    it(`${m}: every query line and edge texts equal the TypeScript port (k 1, 3, all above 0.05), SIMD and scalar`, async () => {
      const model = await FastTextModel.load(new URL(m, DIR));
      const scalar = new FastTextPredictor(model, { scalar: true });
      const texts = readFileSync(new URL('queries.txt', DIR), 'utf8').split('\n').filter((l) => l !== '');
      texts.push('', '   ', 'naïve café — 東京 words', 'the jury said </s> it was', '</s>', 'a\tb\vc\fd\re', 'x'.repeat(5000) + ' the city ' + 'é'.repeat(3000));
      for (const t of texts) {
        for (const [k, threshold] of [[1, 0], [3, 0], [-1, 0.05]] as const) {
          // the port reads a written "</s>" as the end of the text too (the rest is not this text's)
          const toks = fastTextTokens(t);
          const cut = toks.indexOf('</s>');
          const want = model.predictTokens(cut >= 0 ? toks.slice(0, cut) : toks, k, threshold, true);
          expect(model.predict(t, k, threshold)).toEqual(want);
          expect(scalar.predict(t, k, threshold)).toEqual(want);
          expect(model.predictBatch([t], k, threshold)[0]).toEqual(want);
        }
      }
      scalar.dispose();
      model.dispose();
    });
  }

  it('a newline anywhere in the text is E_OPTION (also after a written "</s>"), and the next text still predicts', async () => {
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const good = model.predict('the jury said', 2);
    for (const t of ['a\nb', '\n', 'a b\n', '\nab', 'a </s>\nb', 'a </s> b\n', '</s>\n']) expect(code(() => model.predict(t))).toBe('E_OPTION');
    expect(model.predict('the jury said', 2)).toEqual(good);
    expect(code(() => model.predict(null as unknown as string))).toBe('E_OPTION');
    expect(() => model.predictor.predict(42 as unknown as string)).toThrow(/^predict: text must be a string, got number$/);
    model.dispose();
  });

  it('memory growing between calls (buffers re-derived), and memory.buffer read only when the views are stale', async () => {
    const model = await FastTextModel.load(new URL('sup_ns.bin', DIR));
    const rt = model.rt;
    const t = 'the jury said it was a fine city';
    const want = model.predictTokens(fastTextTokens(t), 3, 0, true);
    expect(model.predict(t, 3)).toEqual(want);
    // count reads of memory.buffer from here on (an own property shadows the prototype's getter)
    const proto = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer')!;
    let reads = 0;
    Object.defineProperty(rt.memory, 'buffer', { configurable: true, get() { reads++; return proto.get!.call(this); } });
    try {
      for (let i = 0; i < 200; i++) expect(model.predict(t, 3)).toEqual(want);
      // the detach test mode detaches the buffer on every allocation, and none happens here either
      expect(reads).toBeLessThanOrEqual(2);
      // grow the memory by 64 MiB: the cached views end at the old size (shared) or are detached (plain)
      const big = rt.arena.alloc(64 << 20);
      const long = `${t} ${'word '.repeat(50000)}`;
      expect(model.predict(long, 3)).toEqual(model.predictTokens(fastTextTokens(long), 3, 0, true));
      expect(model.predict(t, 3)).toEqual(want);
      rt.arena.free(big);
    } finally {
      delete (rt.memory as { buffer?: unknown }).buffer;
    }
    model.dispose();
  });
});
