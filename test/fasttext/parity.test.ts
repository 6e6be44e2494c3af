// Parity with Debian's fastText 0.9.2 on the fixtures of test/fixtures/fasttext (made by make.sh there):
// word vectors (known and unseen words) equal `fasttext print-word-vectors`, predictions equal `fasttext predict-prob`.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { fastTextTokens } from '../../src/fasttext/dictionary.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const text = (name: string) => readFileSync(new URL(name, DIR), 'utf8');

/** `word v1 … vD ` lines → [word, values]. */
function parseVectors(s: string): [string, number[]][] {
  return s.split('\n').filter((l) => l.length > 0).map((l) => {
    const parts = l.trim().split(' ');
    return [parts[0], parts.slice(1).map(Number)];
  });
}

/** `label prob label prob …` lines. */
function parsePredictions(s: string, prob = true): [string, number][][] {
  const lines = s.split('\n');
  lines.pop();
  return lines.map((l) => {
    const p = l.split(' ').filter((x) => x.length > 0);
    const out: [string, number][] = [];
    for (let i = 0; i < p.length; i += prob ? 2 : 1) out.push([p[i], prob ? Number(p[i + 1]) : NaN]);
    return out;
  });
}

/** The query file's lines as fastText reads them: each line with a newline gets "</s>". */
function queryLines(): { tokens: string[]; eos: boolean }[] {
  const s = text('queries.txt');
  const lines = s.split('\n');
  const last = lines.pop()!;
  const out = lines.map((l) => ({ tokens: fastTextTokens(l), eos: true }));
  if (last.length > 0) out.push({ tokens: fastTextTokens(last), eos: false });
  return out;
}

function expectVectorsClose(model: FastTextModel, file: string): void {
  for (const [w, want] of parseVectors(text(file))) {
    const got = model.getWordVector(w);
    expect(got.length).toBe(want.length);
    for (let c = 0; c < want.length; c++) expect(Math.abs(got[c] - want[c]), `${file} ${w}[${c}]`).toBeLessThanOrEqual(1e-5 + 5e-5 * Math.abs(want[c]));
    // and the same through the KeyedVectors
    const viaKv = model.wv.get(w);
    expect(Array.from(viaKv)).toEqual(Array.from(got));
  }
}

function expectPredictions(model: FastTextModel, file: string, k: number, threshold = 0): void {
  const prob = !file.endsWith('pred1.txt');
  const want = parsePredictions(text(file), prob);
  const qs = queryLines();
  expect(want.length).toBe(qs.length);
  qs.forEach((q, i) => {
    const got = model.predictTokens(q.tokens, k, threshold, q.eos);
    expect(got.map((x) => x[0]), `${file} line ${i + 1}`).toEqual(want[i].map((x) => x[0]));
    if (prob) got.forEach(([, p], j) => expect(Math.abs(p - want[i][j][1]), `${file} line ${i + 1} label ${j}`).toBeLessThanOrEqual(1e-5));
  });
}

describe('fastText .bin / .ftz parity with fastText 0.9.2', () => {
  beforeAll(async () => {
    await init();
  });

  for (const m of ['sg', 'cbow', 'sg0', 'sup_softmax', 'sup_hs', 'sup_ns', 'sup_ova']) {
    it(`${m}.bin: word vectors equal print-word-vectors (known, unseen, non-ASCII)`, async () => {
      const model = await FastTextModel.load(new URL(`${m}.bin`, DIR));
      expectVectorsClose(model, `${m}.words.txt`);
      model.dispose();
    });
  }

  for (const m of ['ftz_plain', 'ftz_qnorm']) {
    it(`${m}.ftz: word vectors equal print-word-vectors`, async () => {
      const model = await FastTextModel.load(new URL(`${m}.ftz`, DIR));
      expect(model.quantInput).toBe(true);
      expectVectorsClose(model, `${m}.words.txt`);
      model.dispose();
    });
  }

  for (const loss of ['softmax', 'hs', 'ns', 'ova']) {
    it(`sup_${loss}.bin: predict and predict-prob (k 1, k 3, all labels above 0.1) equal the tool's`, async () => {
      const model = await FastTextModel.load(new URL(`sup_${loss}.bin`, DIR));
      expect(model.args.loss).toBe(loss);
      expect(model.args.wordNgrams).toBe(2);
      expectPredictions(model, `sup_${loss}.pred1.txt`, 1);
      expectPredictions(model, `sup_${loss}.pred3.txt`, 3);
      expectPredictions(model, `sup_${loss}.predall.txt`, -1, 0.1);
      model.dispose();
    });
  }

  for (const m of ['ftz_plain', 'ftz_qnorm', 'ftz_qout']) {
    it(`${m}.ftz: predict-prob equals the tool's`, async () => {
      const model = await FastTextModel.load(new URL(`${m}.ftz`, DIR));
      if (m === 'ftz_qout') expect(model.qout).toBe(true);
      if (m === 'ftz_qnorm') expect(model.dict.pruneIdx).not.toBeNull();
      expectPredictions(model, `${m}.pred3.txt`, 3);
      model.dispose();
    });
  }
});
