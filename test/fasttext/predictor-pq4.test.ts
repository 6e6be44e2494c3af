// The SIMD predictor sums 4-column product-quantized input rows in registers, 16 columns over all of a line's rows
// at a time (addPQRows4 in assembly/ft/predict.ts). Its answers must stay those of the per-row path: the scalar
// kernel, the TypeScript port of fastText and fastText 0.9.2's own predict-prob (ftz_dsub4.ftz, made by make.sh:
// dim 22 = a group of 4 sub-spaces, a single one and a 2-wide last one, with qnorm).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { fastTextTokens } from '../../src/fasttext/dictionary.js';
import { FastTextPredictor, type PredictionBlock } from '../../src/fasttext/predictor.js';
import { formatG } from '../../src/fasttext/format.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const text = (u: URL) => readFileSync(u, 'utf8');

function docOf(model: FastTextModel, b: PredictionBlock, d: number): [string, number][] {
  const out: [string, number][] = [];
  for (let j = b.offsets[d]; j < b.offsets[d + 1]; j++) out.push([model.labels[b.labels[j]], b.probs[j]]);
  return out;
}

describe('.ftz with 4-column sub-quantizers (register-blocked PQ sum)', () => {
  beforeAll(async () => {
    await init();
  });

  it('SIMD and scalar kernels equal the TypeScript port (labels, order, float32 probabilities) and fastText predict-prob', async () => {
    const model = await FastTextModel.load(new URL('ftz_dsub4.ftz', DIR));
    expect(model.dim).toBe(22);
    const q = new Uint8Array(readFileSync(new URL('queries.txt', DIR)));
    const src = text(new URL('queries.txt', DIR)).split('\n');
    src.pop();
    // a long line too: more rows than the predictor's row queue holds, so that the queue is flushed mid-line
    const long = src.filter((l) => l.trim()).join(' ').repeat(6);
    const lines = [...src, long];
    const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
    const scalar = new FastTextPredictor(model, { scalar: true });
    for (const [k, threshold] of [[1, 0], [3, 0], [-1, 0.1]] as const) {
      for (const p of [model.predictor, scalar]) {
        const b = p.predictBytes(bytes, { k, threshold, final: true });
        expect(b.docs).toBe(lines.length);
        lines.forEach((l, i) => expect(docOf(model, b, i), `k ${k} line ${i + 1}`).toEqual(model.predictTokens(fastTextTokens(l), k, threshold, true)));
      }
    }
    const b = model.predictor.predictBytes(q, { k: 3, final: true });
    let printed = '';
    for (let d = 0; d < b.docs; d++) printed += docOf(model, b, d).map(([l, p]) => `${l} ${formatG(p, 6)}`).join(' ') + '\n';
    expect(printed).toBe(text(new URL('ftz_dsub4.pred3.txt', DIR)));
    scalar.dispose();
    model.dispose();
  });
});
