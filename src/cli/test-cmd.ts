// `quantext test MODEL TEST [--k 1] [--threshold T] [--json]` and `quantext test-label MODEL TEST`: fastText's
// `test` / `test-label`, printed as fastText prints them.
import { QuantextError } from '../errors.js';
import type { FastTextModel } from '../fasttext/model.js';
import { testModel, type TestResult } from '../classify/classifier.js';
import type { ClassifierData } from '../classify/encode.js';
import { int, num } from './args.js';
import { formatG } from '../fasttext/format.js';

export async function testCommand(model: FastTextModel, input: ClassifierData, o: { k?: unknown; threshold?: unknown }): Promise<{ k: number; result: TestResult }> {
  const k = int('--k', o.k, 1, { min: -1 });
  if (k === 0) throw new QuantextError('E_OPTION', '--k must be a positive integer or -1 (all labels)', { option: 'k' });
  const threshold = num('--threshold', o.threshold, 0);
  return { k, result: await testModel(model, input, k, threshold) };
}

/** fastText's Meter::writeGeneralMetrics: N, P@k, R@k (3 significant digits; fixed 3 decimals after test-label). */
export function formatGeneral(r: TestResult, k: number, fixed = false): string {
  const v = (x: number) => (fixed ? (Number.isFinite(x) ? x.toFixed(3) : formatG(x)) : formatG(x, 3));
  return `N\t${r.n}\nP@${k}\t${v(r.precision)}\nR@${k}\t${v(r.recall)}\n`;
}

/** `fasttext test-label`'s lines: F1-Score, Precision and Recall per label (6 decimals, "--------" when undefined). */
export function formatTestLabel(r: TestResult, k: number): string {
  const m = (name: string, x: number) => `${name} : ${Number.isFinite(x) ? x.toFixed(6) : '--------'}  `;
  let s = '';
  for (const l of r.labels) s += `${m('F1-Score', l.f1)}${m('Precision', l.precision)}${m('Recall', l.recall)} ${l.label}\n`;
  return s + formatGeneral(r, k, true);
}
