/**
 * fastText's Meter (src/meter.cc): precision and recall at k over the examples of a test file, and per label
 * (`fasttext test-label`): precision = correct / predicted, recall = correct / gold, F1 = 2·correct / (predicted +
 * gold); a figure with a zero denominator is NaN (printed as "--------" by test-label).
 */
export interface LabelMetrics {
  label: string;
  /** predictions of this label */
  predicted: number;
  /** examples that have this label */
  gold: number;
  /** predictions of this label on examples that have it */
  predictedGold: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface TestResult {
  /** examples tested (lines with at least one known label and at least one input row) */
  n: number;
  /** precision at k */
  precision: number;
  /** recall at k */
  recall: number;
  /** per label, in the model's label order (as `fasttext test-label` lists them) */
  labels: LabelMetrics[];
}

export class Meter {
  n = 0;
  gold = 0;
  predicted = 0;
  predictedGold = 0;
  private perLabel: { predicted: number; gold: number; predictedGold: number }[];
  constructor(readonly labelNames: readonly string[]) {
    this.perLabel = labelNames.map(() => ({ predicted: 0, gold: 0, predictedGold: 0 }));
  }

  /** One example: its gold label ids and the predicted label ids. */
  log(gold: ArrayLike<number>, predicted: ArrayLike<number>): void {
    this.n++;
    this.gold += gold.length;
    this.predicted += predicted.length;
    for (let i = 0; i < predicted.length; i++) {
      const p = predicted[i];
      this.perLabel[p].predicted++;
      let hit = false;
      for (let j = 0; j < gold.length; j++) if (gold[j] === p) hit = true;
      if (hit) {
        this.perLabel[p].predictedGold++;
        this.predictedGold++;
      }
    }
    for (let j = 0; j < gold.length; j++) this.perLabel[gold[j]].gold++;
  }

  result(): TestResult {
    const div = (a: number, b: number) => (b === 0 ? NaN : a / b);
    return {
      n: this.n,
      precision: div(this.predictedGold, this.predicted),
      recall: div(this.predictedGold, this.gold),
      labels: this.perLabel.map((m, i) => ({
        label: this.labelNames[i],
        ...m,
        precision: div(m.predictedGold, m.predicted),
        recall: div(m.predictedGold, m.gold),
        f1: div(2 * m.predictedGold, m.predicted + m.gold),
      })),
    };
  }
}
