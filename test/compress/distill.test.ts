// distill(): a student trained on a teacher's soft labels. Known answers: on a task whose soft labels carry
// information the hard labels do not (graded class probabilities), the student reproduces the teacher's
// probabilities, while hard labels alone cannot; soft labels at temperature T are p^(1/T) renormalised; a fastText
// model and the classifier it came from teach the same student; bad teachers are typed errors.
import { describe, it, expect, afterAll } from 'vitest';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { distill, temperSoftLabels } from '../../src/compress/distill.js';
import { rng } from '../helpers.js';
import { synthetic } from '../classify/data.js';

const made: { dispose(): void }[] = [];
afterAll(() => made.forEach((c) => c.dispose()));
const keep = <T extends { dispose(): void }>(c: T): T => (made.push(c), c);

/** Two classes; a document's key word g0 … g9 sets P(yes) = 0.05 + 0.9·j/9; its hard label is the likelier class. */
function graded(n: number, seed: number) {
  const r = rng(seed);
  const docs: { text: string; j: number; line: string }[] = [];
  for (let i = 0; i < n; i++) {
    const j = Math.floor(r() * 10);
    const words = [`g${j}`];
    for (let k = 0; k < 3; k++) words.push(`n${Math.floor(r() * 30)}`);
    const text = words.join(' ');
    docs.push({ text, j, line: `__label__${j >= 5 ? 'yes' : 'no'} ${text}` });
  }
  return docs;
}
const pYes = (text: string) => 0.05 + (0.9 * Number(/g(\d)/.exec(text)![1])) / 9;

describe('distill from a teacher function on a task with a known answer', () => {
  const docs = graded(600, 1), held = graded(200, 2);
  const student = { dim: 8, epochs: 40, lr: 0.3, seed: 2 };
  const mae = (c: TextClassifier) => {
    let e = 0;
    for (const d of held) e += Math.abs((c.predict(d.text, -1).find(([l]) => l === '__label__yes')?.[1] ?? 0) - pYes(d.text));
    return e / held.length;
  };
  const seen: string[] = [];
  const teacher = (texts: string[]) => {
    seen.push(...texts);
    return texts.map((t) => [1 - pYes(t), pYes(t)]);
  };

  it('soft labels only (α = 0): the student\'s probabilities are the teacher\'s, at T = 1 and T = 2; hard labels alone are far off', async () => {
    const s1 = keep(await distill({ teacher, labels: ['no', 'yes'], student, data: docs.map((d) => d.line), temperature: 1, alpha: 0 }));
    expect(seen).toEqual(docs.map((d) => d.text));
    const s2 = keep(await distill({ teacher, labels: ['__label__no', '__label__yes'], student, data: docs.map((d) => d.line), temperature: 2, alpha: 0 }));
    const hard = keep(new TextClassifier(student));
    await hard.train(docs.map((d) => d.line));
    const [e1, e2, eh] = [mae(s1), mae(s2), mae(hard)];
    expect(e1).toBeLessThan(0.05);
    expect(e2).toBeLessThan(0.05);
    expect(eh).toBeGreaterThan(0.15);
    // the mixed loss lies between
    const mixed = keep(await distill({ teacher, labels: ['no', 'yes'], student, data: docs.map((d) => d.line) }));
    expect(mae(mixed)).toBeGreaterThan(e1);
    expect(mae(mixed)).toBeLessThan(eh);
  });

  it('soft labels at temperature T are p^(1/T) renormalised (softmax(z/T) of the teacher)', () => {
    const p = Float32Array.from([0.8, 0.2, 0.5, 0.5, 0.9, 0.1]);
    temperSoftLabels(p, 2, 2);
    expect(p[0]).toBeCloseTo(2 / 3, 6);
    expect(p[1]).toBeCloseTo(1 / 3, 6);
    expect(p[2]).toBeCloseTo(0.5, 6);
    // softmax(z/T) for z = log p
    const z = [Math.log(0.9), Math.log(0.1)], e = z.map((v) => Math.exp(v / 2));
    expect(p[4]).toBeCloseTo(e[0] / (e[0] + e[1]), 6);
  });
});

describe('distill from a classifier or a fastText model', () => {
  const train = synthetic(600, 1).map((d) => `__label__${d.label} ${d.text}`);
  const held = synthetic(300, 2);
  const acc = (c: TextClassifier) => held.filter((d) => c.predict(d.text)[0]?.[0] === `__label__${d.label}`).length / held.length;

  it('a student a tenth of the teacher\'s size keeps its accuracy; a FastTextModel teacher teaches the same student', async () => {
    const teacher = keep(new TextClassifier({ dim: 40, epochs: 10, lr: 0.5, wordNgrams: 2, bucket: 5000, seed: 1 }));
    await teacher.train(train);
    const size = (c: TextClassifier) => c.model.input.rows * c.model.dim + c.model.output.rows * c.model.dim;
    const o = { dim: 4, epochs: 10, lr: 0.5, seed: 3 };
    const s = keep(await distill({ teacher, student: o, data: train, temperature: 2, alpha: 0.5 }));
    expect(size(s) * 10).toBeLessThanOrEqual(size(teacher));
    expect(acc(s)).toBeGreaterThanOrEqual(0.99 * acc(teacher));
    const fm = keep(await FastTextModel.load(teacher.toBytes()));
    const s2 = keep(await distill({ teacher: fm, student: o, data: train, temperature: 2, alpha: 0.5 }));
    expect(s2.toBytes()).toEqual(s.toBytes());
    // an untrained TextClassifier as the student is trained in place
    const given = keep(new TextClassifier(o));
    expect(await distill({ teacher: fm, student: given, data: train })).toBe(given);
    expect(given.toBytes()).toEqual(s.toBytes());
  });

  it('a binary (1-bit QAT) student learns from the teacher too', async () => {
    const teacher = keep(new TextClassifier({ dim: 24, epochs: 8, lr: 0.5, seed: 1 }));
    await teacher.train(train);
    const s = keep(await distill({ teacher, student: { dim: 8, epochs: 10, lr: 0.5, seed: 3, quantize: { bits: 1 } }, data: train }));
    expect(s.qat!.bits).toBe(1);
    const w = s.model.input as unknown as { rt: { arena: { f32(p: number, n: number): Float32Array } }; ptr: number; rows: number };
    const x = w.rt.arena.f32(w.ptr, w.rows * 8), sc = s.qat!.input.scales;
    for (let k = 0; k < x.length; k++) expect(Math.abs(x[k])).toBe(sc[Math.floor(k / 8)]);
    expect(acc(s)).toBeGreaterThanOrEqual(0.95 * acc(teacher));
  });

  it('bad teachers and students are typed errors', async () => {
    const data = train.slice(0, 50);
    const o = { dim: 4, epochs: 1 };
    await expect(distill({ teacher: () => [[0.5, 0.5]], student: o, data })).rejects.toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    await expect(distill({ teacher: (t) => t.map(() => [NaN, 0.5, 0.5]), student: o, data })).rejects.toThrow(expect.objectContaining({ code: 'E_NAN' }));
    await expect(distill({ teacher: (t) => t.map(() => [-1, 1, 1]), student: o, data })).rejects.toThrow(/negative/);
    await expect(distill({ teacher: (t) => t.map(() => [0, 1]), labels: ['c0', 'zz'], student: o, data })).rejects.toThrow(/probability 0/);
    await expect(distill({ teacher: (t) => t.map(() => [1, 0, 0]), student: { ...o, loss: 'ns' }, data })).rejects.toThrow(/softmax/);
    await expect(distill({ teacher: 3 as never, student: o, data })).rejects.toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    await expect(distill({ teacher: (t) => t.map(() => [1, 0, 0]), student: o, data, temperature: -1 })).rejects.toThrow(/temperature/);
    await expect(distill({ teacher: (t) => t.map(() => [1, 0, 0]), student: o, data: ['__label__a x', 'no label'] })).rejects.toThrow(/line 2/);
  });
});
