// `quantext predict` streams its input in chunks and hands whole lines to the predictor; a line cut by a chunk's end
// is joined with the start of the next chunk (only that piece is copied). Every way of cutting the input (1-byte
// chunks, a line longer than several chunks, a cut right after a newline, no final newline, a written "</s>",
// empty lines) prints exactly what the input in one piece prints, and that equals fastText's predict-prob output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextPredictModel } from '../../src/fasttext/predict-model.js';
import { predictCommand } from '../../src/cli/predict.js';
import { rng } from '../helpers.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);

async function run(model: Parameters<typeof predictCommand>[0], input: Parameters<typeof predictCommand>[1], o: Record<string, unknown>): Promise<string> {
  let out = '';
  await predictCommand(model, input, o, (s) => (out += s));
  return out;
}

function* cut(bytes: Uint8Array, sizes: () => number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const n = Math.max(1, sizes());
    yield bytes.slice(at, at + n);
    at += n;
  }
}

describe('quantext predict: chunked input', () => {
  beforeAll(async () => {
    await init();
  });

  it('any chunking prints what the whole input prints (fastText\'s output), for FastTextModel and the CLI\'s loader', async () => {
    const rt = await init();
    const queries = readFileSync(new URL('queries.txt', DIR));
    const want = readFileSync(new URL('sup_softmax.pred3.txt', DIR), 'utf8');
    const model = await FastTextModel.load(new URL('sup_softmax.bin', DIR));
    const lean = await FastTextPredictModel.load(new URL('sup_softmax.bin', DIR).pathname, rt);
    const o = { k: 3, prob: true };
    expect(await run(model, queries, o)).toBe(want);
    expect(await run(lean, queries, o)).toBe(want);
    // edge input: a long line, empty lines, a written "</s>", no final newline
    const enc = new TextEncoder();
    const edge = enc.encode(`the jury\n\n${'word city '.repeat(3000)}said\nit was </s> a fine\n\nlast line without newline`);
    const whole = await run(lean, edge, o);
    expect(whole.split('\n').length - 1).toBe(7); // six lines, and the rest of the "</s>" line as one of its own
    const r = rng(7);
    const chunkings: [string, () => number][] = [
      ['1 byte', () => 1], ['7 bytes', () => 7], ['4 KiB', () => 4096], ['random 1…200', () => 1 + Math.floor(r() * 200)], ['random 1…20000', () => 1 + Math.floor(r() * 20000)],
    ];
    for (const [, sizes] of chunkings) {
      expect(await run(lean, cut(queries, sizes), o)).toBe(want);
      expect(await run(model, cut(edge, sizes), o)).toBe(whole);
    }
    // cuts right after each newline
    const nls = [...edge.keys()].filter((i) => edge[i] === 10);
    const pieces: Uint8Array[] = [];
    let at = 0;
    for (const i of nls) {
      pieces.push(edge.slice(at, i + 1));
      at = i + 1;
    }
    pieces.push(edge.slice(at));
    expect(await run(lean, pieces, o)).toBe(whole);
    lean.dispose();
    model.dispose();
  });

  it('a file path is read straight into wasm memory in blocks: any block size (lines longer than a block, cuts after a newline) prints the same', async () => {
    const rt = await init();
    const lean = await FastTextPredictModel.load(new URL('sup_softmax.bin', DIR).pathname, rt);
    const dir = mkdtempSync(join(tmpdir(), 'qt-predict-'));
    try {
      const enc = new TextEncoder();
      const cases = [
        readFileSync(new URL('queries.txt', DIR)),
        enc.encode(`the jury\n\n${'word city '.repeat(3000)}said\nit was </s> a fine\n\nlast line without newline`),
        enc.encode('\n\n\n'),
        enc.encode('one line, no newline'),
        new Uint8Array(0),
      ];
      for (const [i, bytes] of cases.entries()) {
        const f = join(dir, `in${i}.txt`);
        writeFileSync(f, bytes);
        for (const o of [{ k: 3, prob: true }, { k: 1 }, { k: -1, threshold: 0.2 }]) {
          const want = await run(lean, bytes, o); // the stream path, one chunk
          for (const chunkBytes of [1, 2, 7, 64, 4096, undefined]) expect(await run(lean, f, { ...o, chunkBytes }), `case ${i} block ${chunkBytes}`).toBe(want);
        }
      }
      expect(await run(lean, readFileSync(new URL('queries.txt', DIR)), { k: 3, prob: true })).toBe(readFileSync(new URL('sup_softmax.pred3.txt', DIR), 'utf8'));
      await expect(run(lean, join(dir, 'missing.txt'), {})).rejects.toMatchObject({ code: 'E_IO' });
      await expect(run(lean, dir, {})).rejects.toMatchObject({ code: 'E_IO' });
      expect(rt.arena.used).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      lean.dispose();
    }
  });
});
