// Iterative prune → retrain (pruneRetrain over TextClassifier.train({ masks }), and the generic pruneIterative).
// Known answers: on a synthetic task whose classes are set by keywords, a classifier pruned to 90 % of its input
// matrix keeps the task (accuracy computed here) and keeps the keywords' weights; each step reaches the schedule's
// exact count, earlier pruned weights stay pruned and 0 in the model; the classifier's epochs/lr are restored.
import { describe, it, expect, afterAll } from 'vitest';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { QuantextError } from '../../src/errors.js';
import { pruneRetrain, pruneIterative, magnitudeMask, applyMask, sparsitySchedule, type PruneStep } from '../../src/compress/prune.js';
import { synthetic } from '../classify/data.js';

const made: { dispose(): void }[] = [];
afterAll(() => made.forEach((c) => c.dispose()));

const train = synthetic(900, 11).map((d) => `__label__${d.label} ${d.text}`);
const held = synthetic(300, 12);
const accuracy = (c: TextClassifier) => held.filter((d) => c.predict(d.text, 1)[0]?.[0] === `__label__${d.label}`).length / held.length;
const zeros = (m: Uint8Array) => m.reduce((a, v) => a + (v ? 0 : 1), 0);

async function trained(seed = 3): Promise<TextClassifier> {
  const c = new TextClassifier({ dim: 8, epochs: 8, lr: 0.5, seed });
  made.push(c);
  await c.train(train);
  return c;
}

async function rejects(p: Promise<unknown>): Promise<{ code: string; option?: unknown }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantextError);
    return { code: (e as QuantextError).code, option: (e as QuantextError).details?.option };
  }
  throw new Error('did not reject');
}

describe('pruneRetrain (TextClassifier)', () => {
  it('prunes the input matrix to the cubic schedule, keeps the task and the keywords, pruned weights stay 0', async () => {
    const clf = await trained();
    const dense = accuracy(clf);
    expect(dense).toBeGreaterThan(0.95);
    const n = clf.model.input.rows * clf.model.dim;
    const schedule = sparsitySchedule(3, 0.9, 'cubic');
    const seen: number[] = [];
    const res = await pruneRetrain(clf, train, {
      steps: 3, sparsity: 0.9, epochsPerStep: 2,
      onStep: (s) => {
        seen.push(s.step);
        expect(s.target).toBe(schedule[s.step - 1]);
        expect(s.sparsity.input).toBe(Math.round(s.target * n) / n);
        expect(s.train.epochs).toBe(2);
        // the model holds 0 wherever the masks prune, after the step's training
        const w = (clf.model.input as any).data() as Float32Array;
        let pruned = 0;
        for (let i = 0; i < n; i++) if (w[i] === 0) pruned++;
        expect(pruned).toBeGreaterThanOrEqual(Math.round(s.target * n));
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(Object.keys(res.masks)).toEqual(['input']);
    const m = res.masks.input!;
    expect(zeros(m)).toBe(Math.round(0.9 * n));
    expect(res.sparsity.input).toBe(Math.round(0.9 * n) / n);
    const w = (clf.model.input as any).data() as Float32Array;
    for (let i = 0; i < n; i++) if (!m[i]) expect(w[i]).toBe(0);
    // each step reached its target count
    expect(res.steps.map((s) => s.sparsity.input)).toEqual(schedule.map((s) => Math.round(s * n) / n));
    // the task survives 90 % pruning, and the weights that survive are the keywords' (15 of 315 words)
    expect(accuracy(clf)).toBeGreaterThan(0.93);
    const words = clf.model.words, dim = clf.model.dim;
    let keyKept = 0, keyAll = 0;
    words.forEach((wd, r) => {
      if (!wd.startsWith('key')) return;
      for (let c = 0; c < dim; c++) { keyAll++; keyKept += m[r * dim + c]; }
    });
    expect(keyAll).toBe(15 * dim);
    expect(keyKept / keyAll).toBeGreaterThan(0.6); // vs 0.1 kept overall
    // the classifier's own epochs and lr are back
    expect(clf.opts.epochs).toBe(8);
    expect(clf.opts.lr).toBe(0.5);
  });

  it('iterative pruning beats one-shot pruning (with or without the same retraining) at high sparsity', async () => {
    // ten classes of five keywords each: at 98 % sparsity about 60 input weights remain for 50 keywords
    const train10 = synthetic(1500, 11, 10).map((d) => `__label__${d.label} ${d.text}`), held10 = synthetic(400, 12, 10);
    const acc10 = (c: TextClassifier) => held10.filter((d) => c.predict(d.text, 1)[0]?.[0] === `__label__${d.label}`).length / held10.length;
    const make = async () => {
      const c = new TextClassifier({ dim: 8, epochs: 8, lr: 0.5, seed: 5 });
      made.push(c);
      await c.train(train10);
      return c;
    };
    const a = await make(), b = await make(), c = await make();
    expect(acc10(a)).toBeGreaterThan(0.99);
    // one-shot, no retraining: the magnitude mask applied to the trained weights
    const wa = (a.model.input as any).data() as Float32Array;
    applyMask(wa, magnitudeMask(wa, { sparsity: 0.98 }));
    const oneShot = acc10(a);
    // one-shot, then as many epochs of retraining under the mask as the iterative run has
    await pruneRetrain(c, train10, { steps: 1, sparsity: 0.98, epochsPerStep: 8 });
    const oneShotRetrained = acc10(c);
    // 4 steps of 2 epochs on the cubic ramp
    await pruneRetrain(b, train10, { steps: 4, sparsity: 0.98, epochsPerStep: 2 });
    const iterative = acc10(b);
    const n = b.model.input.rows * b.model.dim, wb = (b.model.input as any).data() as Float32Array;
    let z = 0;
    for (let i = 0; i < n; i++) if (wb[i] === 0) z++;
    expect(z).toBeGreaterThanOrEqual(Math.round(0.98 * n));
    // measured: 0.84, 0.84, 0.95
    expect(iterative).toBeGreaterThan(0.9);
    expect(iterative).toBeGreaterThan(oneShot + 0.05);
    expect(iterative).toBeGreaterThan(oneShotRetrained + 0.05);
  });

  it("matrix 'output' leaves the input alone, 'both' prunes both (global: one threshold)", async () => {
    const clf = await trained(7);
    const before = Float32Array.from((clf.model.input as any).data());
    const no = clf.model.output.rows * clf.model.dim;
    const r1 = await pruneRetrain(clf, train, { steps: 2, sparsity: 0.5, epochsPerStep: 1, matrix: 'output', ramp: 'linear' });
    expect(Object.keys(r1.masks)).toEqual(['output']);
    expect(zeros(r1.masks.output!)).toBe(Math.round(0.5 * no));
    // the input kept training (not pruned): changed, no forced zeros
    const after = (clf.model.input as any).data() as Float32Array;
    expect(after).not.toEqual(before);
    const r2 = await pruneRetrain(clf, train, { steps: 1, sparsity: 0.6, epochsPerStep: 1, matrix: 'both', scope: 'global' });
    const ni = clf.model.input.rows * clf.model.dim;
    expect(zeros(r2.masks.input!) + zeros(r2.masks.output!)).toBe(Math.round(0.6 * (ni + no)));
    expect(r2.sparsity.input).not.toBe(r2.sparsity.output);
  });

  it('bad options and an untrained classifier are typed errors naming the option', async () => {
    const fresh = new TextClassifier({ dim: 4 });
    made.push(fresh);
    expect(await rejects(pruneRetrain(fresh, train, { steps: 2, sparsity: 0.5, epochsPerStep: 1 }))).toEqual({ code: 'E_EMPTY', option: 'clf' });
    const clf = await trained(9);
    const base = { steps: 2, sparsity: 0.5, epochsPerStep: 1 };
    expect(await rejects(pruneRetrain(clf, train, { ...base, sparsity: 1 }))).toEqual({ code: 'E_OPTION', option: 'sparsity' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, steps: 0 }))).toEqual({ code: 'E_OPTION', option: 'steps' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, epochsPerStep: 0 }))).toEqual({ code: 'E_OPTION', option: 'epochsPerStep' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, matrix: 'hidden' as 'input' }))).toEqual({ code: 'E_OPTION', option: 'matrix' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, ramp: 'exp' as 'cubic' }))).toEqual({ code: 'E_OPTION', option: 'ramp' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, lr: -1 }))).toEqual({ code: 'E_OPTION', option: 'lr' });
    expect(await rejects(pruneRetrain(clf, train, { ...base, epochs: 3 } as never))).toEqual({ code: 'E_OPTION', option: 'epochs' });
  });
});

describe('pruneIterative (any model that retrains under masks)', () => {
  it('prunes each step to the schedule, zeroes the tensors, and earlier pruned weights stay pruned', async () => {
    const a = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 7))), b = Float32Array.from({ length: 50 }, (_, i) => Math.cos(i));
    const steps: PruneStep[] = [];
    let prev: Record<string, Uint8Array> | undefined;
    const res = await pruneIterative({
      steps: 4, sparsity: 0.8, ramp: 'linear', tensors: () => ({ a, b }),
      retrain: (masks, step) => {
        steps.push(step);
        for (const [k, w] of Object.entries({ a, b })) {
          for (let i = 0; i < w.length; i++) if (!masks[k][i]) expect(w[i]).toBe(0);
          if (prev) for (let i = 0; i < w.length; i++) if (!prev[k][i]) expect(masks[k][i]).toBe(0);
        }
        prev = masks;
        // "retraining": grow every kept weight, so the next step must rank fresh magnitudes
        for (const w of [a, b]) for (let i = 0; i < w.length; i++) if (w[i] !== 0) w[i] *= 1 + (i % 3);
      },
    });
    expect(steps.map((s) => s.target)).toEqual(sparsitySchedule(4, 0.8, 'linear'));
    expect(steps.map((s) => s.sparsity.a)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(res.sparsity).toEqual({ a: 0.8, b: 0.8 });
  });
});
