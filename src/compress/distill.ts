/**
 * Knowledge distillation (Hinton et al. 2015) for text classifiers: a student (smaller dim, fewer buckets, quantized
 * weights) is trained on a teacher's soft labels at temperature T mixed with the hard labels at weight α:
 * loss = α·CE(hard label, softmax(z)) + (1 − α)·T²·CE(teacher's softmax(z_t/T), softmax(z/T)).
 *
 * Any teacher that gives probabilities works: a TextClassifier, a fastText model (`.bin` or `.ftz`), or a function
 * of a batch of texts. A teacher gives probabilities p (its softmax at temperature 1); at temperature T its soft
 * labels are p^(1/T) renormalised, which is softmax(z_t/T) for a softmax teacher.
 *
 * ```ts
 * const teacher = await TextClassifier.load('big.bin');
 * const student = await distill({ teacher, student: { dim: 10, epochs: 25, wordNgrams: 2, bucket: 100_000 }, data: 'train.txt' });
 * ```
 */
import { QuantextError, check } from '../errors.js';
import { TextClassifier, type TextClassifierOptions, type ClassifierTrainOptions } from '../classify/classifier.js';
import { dataLines, type ClassifierData } from '../classify/encode.js';
import { FastTextModel } from '../fasttext/model.js';

/** A teacher function: label probabilities for each text (rows of `labels.length`, in `labels` order). */
export type TeacherFunction = (texts: string[]) => Float32Array | number[][] | Promise<Float32Array | number[][]>;

export interface DistillOptions {
  /** A TextClassifier, a fastText model, or a function of texts giving probabilities per label. */
  teacher: TextClassifier | FastTextModel | TeacherFunction;
  /** The student: options of a new TextClassifier (loss 'softmax'), or a TextClassifier (then it is trained further). */
  student: TextClassifierOptions | TextClassifier;
  /** Training data (as TextClassifier.train takes it); its hard labels give the α part of the loss. */
  data: ClassifierData;
  /** Temperature T of the soft labels. Default 2. */
  temperature?: number;
  /** Weight α of the hard labels, in [0, 1]. Default 0.5. */
  alpha?: number;
  /**
   * For a teacher function: the labels its columns are, in order (with or without the label prefix). Default: the
   * student's label order (its labels sorted as fastText sorts them: by count in `data`, most frequent first).
   */
  labels?: readonly string[];
  /** Texts per teacher call. Default 1024. */
  batchSize?: number;
  /** More train() options for the student (onProgress, signal, masks, freezeInput). */
  train?: Omit<ClassifierTrainOptions, 'targets' | 'temperature' | 'alpha'>;
}

/** Soft labels at temperature T: each row p^(1/T), renormalised (in place). Rows of zeros are an error. */
export function temperSoftLabels(p: Float32Array, nlabels: number, T: number): Float32Array {
  const inv = 1 / T;
  for (let r = 0; r * nlabels < p.length; r++) {
    let sum = 0;
    const row = p.subarray(r * nlabels, (r + 1) * nlabels);
    const v = Array.from(row, (x) => (x > 0 ? Math.exp(Math.log(x) * inv) : 0));
    for (const x of v) sum += x;
    if (!(sum > 0)) throw new QuantextError('E_OPTION', `distill: the teacher gives probability 0 to every label of the student for line ${r + 1}`, { row: r });
    for (let i = 0; i < nlabels; i++) row[i] = v[i] / sum;
  }
  return p;
}

/**
 * Trains `student` on the teacher's soft labels for `data` (at `temperature`) mixed with the hard labels at weight
 * `alpha`, and returns it. A student made here from options is disposed if training fails.
 */
export async function distill(o: DistillOptions): Promise<TextClassifier> {
  check(typeof o === 'object' && o !== null, 'distill: options must be an object { teacher, student, data }', { option: 'options' });
  for (const k of Object.keys(o)) check(['teacher', 'student', 'data', 'temperature', 'alpha', 'labels', 'batchSize', 'train'].includes(k), `distill: unknown option '${k}'`, { option: k });
  const { teacher } = o;
  const T = o.temperature ?? 2, alpha = o.alpha ?? 0.5, batchSize = o.batchSize ?? 1024;
  check(teacher instanceof TextClassifier || teacher instanceof FastTextModel || typeof teacher === 'function', 'distill: teacher must be a TextClassifier, a FastTextModel or a function (texts) => probabilities', { option: 'teacher' });
  check(typeof T === 'number' && Number.isFinite(T) && T > 0 && T <= 1000, `distill: temperature must be a finite number in (0, 1000], got ${String(T)}`, { option: 'temperature' });
  check(typeof alpha === 'number' && alpha >= 0 && alpha <= 1, `distill: alpha must be a number in [0, 1], got ${String(alpha)}`, { option: 'alpha' });
  check(Number.isInteger(batchSize) && batchSize >= 1, `distill: batchSize must be a positive integer, got ${String(batchSize)}`, { option: 'batchSize' });
  check(o.student !== null && typeof o.student === 'object', 'distill: student must be TextClassifier options or a TextClassifier', { option: 'student' });
  if (o.train !== undefined) {
    check(typeof o.train === 'object' && o.train !== null, 'distill: train must be an object of train() options', { option: 'train' });
    for (const k of ['targets', 'temperature', 'alpha']) check(!(k in o.train), `distill: train.${k} is set by distill`, { option: `train.${k}` });
  }
  check(o.labels === undefined || typeof teacher === 'function', 'distill: labels name the columns of a teacher function; a classifier teacher names its own labels', { option: 'labels' });
  if (teacher instanceof FastTextModel) check(teacher.isSupervised, 'distill: the teacher is an unsupervised fastText model (skipgram or cbow), not a classifier', { option: 'teacher' });
  const made = !(o.student instanceof TextClassifier);
  const student = o.student instanceof TextClassifier ? o.student : new TextClassifier(o.student);
  try {
    check(student.opts.loss === 'softmax', `distill: the student needs loss 'softmax' (soft labels are a softmax target); it has '${student.opts.loss}'`, { option: 'student.loss' });
    const prefix = student.opts.labelPrefix;
    // the training lines, as train() will keep them (invalid lines left out with skipInvalid), and their texts
    const lines: string[] = [];
    const texts: string[] = [];
    const labelCount = new Map<string, number>();
    for await (const l of dataLines(o.data, prefix, 'distill')) {
      let nl = 0;
      for (const t of l.tokens) if (t.startsWith(prefix)) nl++;
      const problem = l.tokens.length === 0 ? 'is empty' : nl === 0 ? 'has no label' : nl === l.tokens.length ? 'has only labels and no text' : '';
      if (problem) {
        if (student.opts.skipInvalid) continue;
        throw new QuantextError('E_FORMAT', `distill: line ${l.line} of the data ${problem} (give the student skipInvalid: true to leave such lines out as fastText does)`, { line: l.line });
      }
      for (const t of l.tokens) if (t.startsWith(prefix)) labelCount.set(t, (labelCount.get(t) ?? 0) + 1);
      lines.push(l.tokens.join(' '));
      texts.push(l.tokens.filter((t) => !t.startsWith(prefix)).join(' '));
    }
    // the student's label order: its model's, or the one its first train() will make (fastText's: count desc, ties by first appearance)
    const fresh = !student.hasModel;
    const labels = fresh ? [...labelCount.entries()].filter(([, c]) => c >= student.opts.minCountLabel).sort((a, b) => b[1] - a[1]).map(([l]) => l) : student.labels;
    if (texts.length === 0) throw new QuantextError('E_EMPTY', 'distill: no labelled line to train on');
    const L = labels.length;
    const index = new Map(labels.map((l, i) => [l, i]));
    const named = (name: string) => index.get(name.startsWith(prefix) ? name : prefix + name);
    const targets = new Float32Array(texts.length * L);
    for (let b = 0; b < texts.length; b += batchSize) {
      const batch = texts.slice(b, b + batchSize);
      const out = targets.subarray(b * L, (b + batch.length) * L);
      if (typeof teacher === 'function') {
        const cols = o.labels ?? labels;
        check(Array.isArray(cols) && cols.every((c) => typeof c === 'string'), 'distill: labels must be an array of label names', { option: 'labels' });
        const got = await teacher(batch);
        const n = cols.length;
        const value = (r: number, c: number): number => (got instanceof Float32Array ? got[r * n + c] : (got as number[][])[r][c]);
        const rowsOk = got instanceof Float32Array ? got.length === batch.length * n : Array.isArray(got) && got.length === batch.length && got.every((row) => Array.isArray(row) && row.length === n);
        if (!rowsOk) throw new QuantextError('E_SHAPE', `distill: the teacher function returned ${got instanceof Float32Array ? `${got.length} values` : Array.isArray(got) ? `${got.length} rows` : typeof got} for ${batch.length} texts × ${n} labels`, { option: 'teacher' });
        const map = cols.map((c) => named(c));
        for (let r = 0; r < batch.length; r++) {
          for (let c = 0; c < n; c++) {
            const v = value(r, c);
            if (typeof v !== 'number' || !Number.isFinite(v)) throw new QuantextError('E_NAN', `distill: the teacher's probability of ${cols[c]} for line ${b + r + 1} is ${String(v)}`, { option: 'teacher', row: b + r });
            if (v < 0) throw new QuantextError('E_OPTION', `distill: the teacher's probability of ${cols[c]} for line ${b + r + 1} is negative (${v})`, { option: 'teacher', row: b + r });
            const i = map[c];
            if (i !== undefined) out[r * L + i] += v;
          }
        }
      } else {
        const preds = teacher.predictBatch(batch, -1);
        preds.forEach((p, r) => {
          for (const [lab, prob] of p) {
            const i = named(lab);
            if (i !== undefined) out[r * L + i] = prob;
          }
        });
      }
    }
    temperSoftLabels(targets, L, T);
    await student.train(lines, { ...o.train, targets, temperature: T, alpha });
    if (fresh && student.labels.join('\n') !== labels.join('\n')) throw new QuantextError('E_SHAPE', 'distill: the student\'s labels came out in another order than its soft labels were written in');
    return student;
  } catch (e) {
    if (made) student.dispose();
    throw e;
  }
}
