// Classifier compression search (`quantext compress MODEL --train TRAIN --test TEST`): four candidate generators
// plugged into the generic search (search.ts):
//   'words'    — tiny float students (dim 4 and 2) of words only (no word n-grams, no subwords, no buckets), trained
//                on the hard labels on one thread (seeded: the same model every run), their input rows cut to the
//                N of largest norm and stored int4 with one scale for the whole table (per-row scales would cost
//                more than the codes at these dims); first in the round-robin: on small tasks (spam) these are the
//                most accurate models under 16 KB;
//   'quantize' — the model itself, its input/output tables quantized (int8, int4, binary, PQ) with a vocabulary
//                cutoff (fastText's `quantize -cutoff`, with `-retrain` of the float parts when a cutoff drops rows);
//   'student'  — smaller students (dim) trained with quantization-aware training (1/4/8 bits) on the teacher's soft
//                labels (distillation, T = 2, α = 0.5), then stored losslessly at those bits;
//   'prune'    — float students whose smallest input weights are pruned (sparsity) with retraining, then int8.
// What compresses and stores a classifier is the `ClassifierBackend` (cqmodel's compressClassifier); training and
// distillation are cqtrain's; pruning masks prune's. Each candidate is measured by its saved size, its P@1 on the
// test data and the time of one prediction.
import { QuantextError } from '../errors.js';
import type { ClassifierData } from '../classify/encode.js';
import type { TestResult } from '../classify/meter.js';
import type { TextClassifierOptions } from '../classify/classifier.js';
import { paretoSearch, type CandidateGenerator, type CandidateSpec, type Measurement, type ParetoSearchResult } from './search.js';

export type TableCode = 'f32' | 'f16' | 'int8' | 'int4' | 'binary' | 'pq';

export interface ClassifierCandidate {
  /** Where the weights come from: the model as given, or a student trained for this candidate. */
  source: 'model' | 'student';
  /** Student dim (the model's for 'model'). */
  dim: number;
  /** QAT bits of a student (none: trained in float). */
  bits?: 1 | 2 | 4 | 8;
  /** Fraction of input weights pruned (students). */
  sparsity?: number;
  /** Keep the N input rows of largest norm (fastText -cutoff); undefined: all. */
  cutoff?: number;
  input: TableCode;
  output: TableCode;
  dsub?: number;
  /** Retrain the float output after quantizing the input (fastText -retrain). */
  retrain?: boolean;
  /** Trained on the teacher's soft labels. */
  distill?: boolean;
  /** A student of words only (wordNgrams 1, no subwords, no buckets), trained on the hard labels on one thread. */
  words?: boolean;
  /** Integer/binary tables: false = one scale for the whole table (compressClassifier's perRow); default per row. */
  perRow?: boolean;
}

/** What the search needs of a compressed classifier (cqmodel's CompressedClassifier has all of it). */
export interface CompressedLike {
  toBytes(): Uint8Array;
  test(data: ClassifierData, k?: number): Promise<TestResult> | TestResult;
  predictBatch(texts: string[], k?: number): unknown;
  report?(): Record<string, { sqnrDb?: number; saturatedFraction?: number; meanCosine?: number }> | unknown;
  dispose(): void;
}

/** The pluggable parts: compression (cqmodel), student training with distillation / QAT / masks (cqtrain, prune). */
export interface ClassifierBackend<M = unknown> {
  /** Compresses `source` (the teacher model, or a trained student) as `c` asks. */
  compress(source: M, c: ClassifierCandidate, data: ClassifierData): Promise<CompressedLike>;
  /** Trains a student for `c` (dim, bits, sparsity, distill); undefined: no 'student'/'prune' candidates. */
  student?(c: ClassifierCandidate, data: ClassifierData): Promise<M & { dispose(): void }>;
}

export interface CompressClassifierSearchOptions<M> {
  model: M;
  /** The model's dim and input rows (for the candidate grid). */
  dim: number;
  rows: number;
  train: ClassifierData;
  test: ClassifierData;
  /** Texts whose prediction is timed (default: none, latency not measured). */
  latencyTexts?: string[];
  backend: ClassifierBackend<M>;
  targetSize?: number;
  budgetMs?: number;
  /** Student dims (default dim/5, dim/10, 4, 2 — distinct, < dim). */
  dims?: number[];
  /** Dims of the words-only students (default 4, 2 — those < dim) and their cutoffs (default 4000, 2000, 1000, 8000). */
  wordDims?: number[];
  wordCutoffs?: number[];
  /** Cutoffs (default none, 100000, 10000, 1000, below rows). */
  cutoffs?: (number | undefined)[];
  /** Generators to run (default all four). */
  families?: ('words' | 'quantize' | 'student' | 'prune')[];
  sizeOf?: (bytes: Uint8Array) => Promise<number> | number;
  now?: () => number;
  onCandidate?: (m: { name: string; size: number; quality: number }, done: number) => void;
}

export interface CompressClassifierSearchResult extends ParetoSearchResult<ClassifierCandidate> {
  bestBytes?: Uint8Array;
  targetSize: number;
}

export function classifierCandidateName(c: ClassifierCandidate): string {
  const t = (x: TableCode) => (x === 'pq' ? `pq${c.dsub ?? 2}` : x);
  return [
    c.source === 'model' ? 'model' : `${c.distill ? 'distilled' : 'student'} d${c.dim}`,
    c.words ? 'words' : '',
    c.bits ? `qat${c.bits}` : '',
    c.sparsity ? `sparse${Math.round(c.sparsity * 100)}` : '',
    c.cutoff ? `cutoff${c.cutoff}` : '',
    `in:${t(c.input)}`,
    `out:${t(c.output)}`,
    c.perRow === false ? 'scale:tensor' : '',
    c.retrain ? 'retrain' : '',
  ].filter(Boolean).join(' ');
}

const BIT_SCHEME: Record<1 | 2 | 4 | 8, TableCode> = { 1: 'binary', 2: 'int4', 4: 'int4', 8: 'int8' };

/** The four generators over the model's shape. */
export function classifierGenerators(o: {
  dim: number;
  rows: number;
  dims?: number[];
  cutoffs?: (number | undefined)[];
  wordDims?: number[];
  wordCutoffs?: number[];
  families?: string[];
  students: boolean;
}): CandidateGenerator<ClassifierCandidate>[] {
  // smallest first: under a budget the candidates that can meet a small target come first; no cutoff (the bits alone) last
  const cutoffs = (o.cutoffs ?? [1000, 10_000, 100_000, undefined]).filter((c) => c === undefined || c < o.rows);
  const dims = o.dims ?? [...new Set([Math.round(o.dim / 5), Math.round(o.dim / 10), 4, 2])].filter((d) => d >= 1 && d < o.dim);
  const spec = (c: ClassifierCandidate): CandidateSpec<ClassifierCandidate> => ({ name: classifierCandidateName(c), params: c });
  const fam = (f: string) => !o.families || o.families.includes(f);
  const gens: CandidateGenerator<ClassifierCandidate>[] = [];
  if (o.students && fam('words')) {
    // one student per dim (trained once: consecutive candidates share it), the cutoff most likely to be both small
    // and accurate first
    const wordDims = (o.wordDims ?? [4, 2]).filter((d) => d >= 1 && d < o.dim);
    const wordCutoffs = o.wordCutoffs ?? [4000, 2000, 1000, 8000];
    gens.push({
      name: 'words',
      candidates: () =>
        wordDims.flatMap((dim) =>
          wordCutoffs.map((cutoff) => spec({ source: 'student', dim, words: true, cutoff, input: 'int4', output: 'f32', perRow: false })),
        ),
    });
  }
  if (fam('quantize')) {
    gens.push({
      name: 'quantize',
      candidates: () =>
        cutoffs.flatMap((cutoff) =>
          (['int8', 'int4', 'binary', 'pq'] as const).map((input) =>
            spec({ source: 'model', dim: o.dim, cutoff, input, output: input === 'pq' ? 'int8' : input, dsub: input === 'pq' ? 2 : undefined, retrain: cutoff !== undefined }),
          ),
        ),
    });
  }
  if (o.students && fam('student')) {
    gens.push({
      name: 'student',
      candidates: () =>
        dims.flatMap((dim) =>
          ([8, 4, 1] as const).flatMap((bits) => cutoffs.slice(0, 3).map((cutoff) => spec({ source: 'student', dim, bits, distill: true, cutoff, input: BIT_SCHEME[bits], output: BIT_SCHEME[bits] })))),
    });
  }
  if (o.students && fam('prune')) {
    gens.push({
      name: 'prune',
      candidates: () => dims.slice(0, 2).flatMap((dim) => [0.5, 0.8, 0.9].map((sparsity) => spec({ source: 'student', dim, sparsity, distill: true, input: 'int8', output: 'int8' }))),
    });
  }
  return gens;
}

/**
 * Runs the classifier search: every candidate is built through `backend`, saved (its bytes' size, or `sizeOf`),
 * tested on `test` (P@1 is the quality) and timed on `latencyTexts`. A student is trained once for the consecutive
 * candidates that only store it differently (cutoffs), and disposed when the next one is trained or the search ends.
 */
export async function compressClassifierSearch<M>(o: CompressClassifierSearchOptions<M>): Promise<CompressClassifierSearchResult> {
  const target = o.targetSize ?? 100_000;
  const generators = classifierGenerators({ dim: o.dim, rows: o.rows, dims: o.dims, cutoffs: o.cutoffs, wordDims: o.wordDims, wordCutoffs: o.wordCutoffs, families: o.families, students: !!o.backend.student });
  if (!generators.length) throw new QuantextError('E_OPTION', 'compress: no candidate family to search', { option: 'families' });
  let bestBytes: Uint8Array | undefined;
  let kept: { quality: number; size: number } | undefined;
  // one student per family serves that family's consecutive candidates that differ only in how it is stored (cutoff,
  // tables): the families are interleaved, so one cache slot for all would retrain a student at every turn
  const cached = new Map<string, { key: string; model: M & { dispose(): void } }>();
  const studentFor = async (c: ClassifierCandidate, family: string) => {
    const key = JSON.stringify([c.dim, c.bits, c.sparsity, c.distill, c.words]);
    let slot = cached.get(family);
    if (slot?.key !== key) {
      slot?.model.dispose();
      cached.delete(family);
      slot = { key, model: await o.backend.student!(c, o.train) };
      cached.set(family, slot);
    }
    return slot.model;
  };
  const measure = async (s: CandidateSpec<ClassifierCandidate>): Promise<Measurement> => {
    const c = s.params;
    const student = c.source === 'student' ? await studentFor(c, s.family ?? '') : undefined;
    let cc: CompressedLike | undefined;
    try {
      cc = await o.backend.compress(student ?? o.model, c, o.train);
      const bytes = cc.toBytes();
      const size = o.sizeOf ? await o.sizeOf(bytes) : bytes.byteLength;
      const t = await cc.test(o.test, 1);
      const metrics: Record<string, number> = { precision: t.precision, recall: t.recall, n: t.n };
      let latencyMs: number | undefined;
      if (o.latencyTexts?.length) {
        cc.predictBatch(o.latencyTexts.slice(0, 8), 1); // warm-up
        const t0 = performance.now();
        cc.predictBatch(o.latencyTexts, 1);
        latencyMs = (performance.now() - t0) / o.latencyTexts.length;
        metrics.latencyMs = latencyMs;
      }
      const rep = cc.report?.() as Record<string, { sqnrDb?: number; saturatedFraction?: number; meanCosine?: number }> | undefined;
      if (rep && typeof rep === 'object') {
        for (const [k, v] of Object.entries(rep)) {
          if (v && typeof v === 'object') {
            if (typeof v.sqnrDb === 'number') metrics[`${k}.sqnrDb`] = v.sqnrDb;
            if (typeof v.saturatedFraction === 'number') metrics[`${k}.saturated`] = v.saturatedFraction;
            if (typeof v.meanCosine === 'number') metrics[`${k}.rowCosine`] = v.meanCosine;
          }
        }
      }
      if (size <= target && Number.isFinite(t.precision) && (!kept || t.precision > kept.quality || (t.precision === kept.quality && size < kept.size))) {
        kept = { quality: t.precision, size };
        bestBytes = bytes;
      }
      return { size, quality: t.precision, latencyMs, metrics };
    } finally {
      cc?.dispose();
    }
  };
  let r: ParetoSearchResult<ClassifierCandidate>;
  try {
    r = await paretoSearch<ClassifierCandidate>({ generators, measure, budgetMs: o.budgetMs ?? 300_000, targetSize: target, now: o.now, onCandidate: o.onCandidate });
  } finally {
    for (const slot of cached.values()) slot.model.dispose();
  }
  return { ...r, bestBytes: r.best ? bestBytes : undefined, targetSize: target };
}

/**
 * Student options for a candidate, from the teacher's: its n-grams and label set, the candidate's dim and QAT bits.
 * A words-only student (`c.words`) has no word n-grams, subwords or buckets, lr 0.5 and one thread (seeded, so the
 * same model every run; hogwild threads would not be).
 */
export function studentOptions(c: ClassifierCandidate, teacher: { wordNgrams: number; minn: number; maxn: number; bucket: number; epochs?: number }, seed = 1): TextClassifierOptions {
  if (c.words) return { dim: c.dim, wordNgrams: 1, minn: 0, maxn: 0, bucket: 0, epochs: teacher.epochs ?? 25, lr: 0.5, loss: 'softmax', seed, threads: 1, skipInvalid: true };
  return {
    dim: c.dim,
    wordNgrams: teacher.wordNgrams,
    minn: teacher.minn,
    maxn: teacher.maxn,
    bucket: Math.min(teacher.bucket, 200_000),
    epochs: teacher.epochs ?? 10,
    loss: 'softmax',
    seed,
    skipInvalid: true,
    ...(c.bits ? { quantize: { bits: c.bits } } : {}),
  };
}
