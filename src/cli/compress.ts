// `quantext compress VECTORS --eval-pairs F [--eval-analogies F] [--target-size 100kB] [--budget 5m] --out FILE [--json]`
// searches compressions of word vectors (src/compress/vectors.ts) and writes the kept one (safetensors), the report
// (FILE's stem + .md) and the Pareto plot (+ .svg).
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantextError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { KeyedVectors } from '../vectors/keyed.js';
import { compressVectors, type CompressVectorsResult, type VectorScheme } from '../compress/vectors.js';
import { parseDuration, parseSize } from '../compress/search.js';
import { fmtSize, markdownReport, paretoSvg, type ReportOptions } from '../compress/report.js';
import { int, str } from './args.js';

export interface CompressCliOptions {
  evalPairs?: unknown;
  evalAnalogies?: unknown;
  targetSize?: unknown;
  budget?: unknown;
  out?: unknown;
  restrict?: unknown;
  dims?: unknown;
  vocab?: unknown;
  schemes?: unknown;
  report?: unknown;
  svg?: unknown;
}

export interface CompressPlan {
  pairs?: string;
  analogies?: string;
  targetSize: number;
  budgetMs: number;
  out: string;
  report: string;
  svg: string;
  restrict: number;
  dims?: number[];
  vocab?: number[];
  schemes?: VectorScheme[];
}

const SCHEMES: readonly VectorScheme[] = ['f32', 'fp16', 'int8', 'int4', 'binary', 'pq'];

function one(flag: string, v: unknown): string | undefined {
  if (Array.isArray(v)) throw new QuantextError('E_OPTION', `${flag} takes one value, got ${v.length}`, { option: flag });
  return str(v);
}

function intList(flag: string, v: unknown): number[] | undefined {
  const s = one(flag, v);
  if (s === undefined) return undefined;
  return s.split(',').map((x) => int(flag, x.trim(), 0, { min: 1 }));
}

/** The flags, checked before anything is loaded: each bad one is an E_OPTION naming it. */
export function planCompress(o: CompressCliOptions): CompressPlan {
  const pairs = one('--eval-pairs', o.evalPairs);
  const analogies = one('--eval-analogies', o.evalAnalogies);
  if (pairs === undefined && analogies === undefined) {
    throw new QuantextError('E_OPTION', '--eval-pairs FILE (and/or --eval-analogies FILE) is required: the candidates are compared on them', { option: '--eval-pairs' });
  }
  const out = one('--out', o.out);
  if (out === undefined) throw new QuantextError('E_OPTION', '--out FILE is required (where the kept vectors are saved, as safetensors)', { option: '--out' });
  const stem = out.replace(/\.[^./\\]*$/, '');
  const schemes = one('--schemes', o.schemes)?.split(',').map((s) => {
    const t = s.trim();
    if (!SCHEMES.includes(t as VectorScheme)) throw new QuantextError('E_OPTION', `--schemes: '${t}' is not one of ${SCHEMES.join(', ')}`, { option: '--schemes' });
    return t as VectorScheme;
  });
  return {
    pairs,
    analogies,
    targetSize: o.targetSize === undefined ? 100_000 : parseSize('--target-size', one('--target-size', o.targetSize)),
    budgetMs: o.budget === undefined ? 300_000 : parseDuration('--budget', one('--budget', o.budget)),
    out,
    report: one('--report', o.report) ?? `${stem}.md`,
    svg: one('--svg', o.svg) ?? `${stem}.svg`,
    restrict: int('--restrict', o.restrict, 30000, { min: 1 }),
    dims: intList('--dims', o.dims),
    vocab: intList('--vocab', o.vocab),
    schemes,
  };
}

async function readEval(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new QuantextError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
}

export interface CompressSummary {
  /** Bytes on disk of the kept candidate (null when none fits the target). */
  size: number | null;
  /** For word vectors: the pair Spearman ρ of the kept candidate (the analogy accuracy without --eval-pairs). */
  precision: number | null;
  metric: 'spearman' | 'analogy';
  kept: string | null;
  targetSize: number;
  budgetMs: number;
  elapsedMs: number;
  outOfTime: boolean;
  tried: number;
  skipped: number;
  out: string | null;
  report: string;
  svg: string;
  reference: { size: number; quality: number } | null;
  candidates: {
    name: string; family: string; scheme: string; bits: number; dims: number; vocab: number;
    size: number; quality: number; spearman?: number; analogy?: number; latencyMs?: number; sqnrDb?: number;
    saturated?: number; rowCosine?: number; pareto: boolean; ms: number;
  }[];
}

const NOTES = [
  '- **Size on disk** is the saved safetensors file (codes, per-row scales, centre, codebooks, the vocabulary).',
  '- **Quality** is the Spearman ρ between the human scores of the word pairs and the cosines (pairs with a word',
  '  outside the kept vocabulary score 0, so a vocabulary cut pays for what it drops); **analogy** is the accuracy',
  '  on the questions, unknown words counted wrong.',
  '- **Where the error comes from**: SQNR (signal-to-quantization-noise ratio, dB; each bit adds about 6 dB) measures',
  '  the rounding noise of the whole table; **saturated** is the share of values clipped to the end codes (a few',
  '  outliers stretching the range waste codes for all the others); **row cos** is the mean cosine between each',
  '  vector and its reconstruction — what similarity search sees. PCA candidates are compared with their projection.',
  '- **ms / query** is one nearest-neighbour search (top 10) over the kept vocabulary; fewer words and dims and',
  '  binary codes (Hamming distances) buy speed; PQ scores through its codebooks.',
];

export async function compressCommand(kv: KeyedVectors, plan: CompressPlan, progress?: (s: string) => void): Promise<{ summary: CompressSummary; result: CompressVectorsResult; markdown: string }> {
  const [pairs, analogies] = await Promise.all([plan.pairs && readEval(plan.pairs), plan.analogies && readEval(plan.analogies)]);
  const tmp = mkdtempSync(join(tmpdir(), 'quantext-compress-'));
  let n = 0;
  let result: CompressVectorsResult;
  try {
    result = await compressVectors(kv, {
      pairs: pairs || undefined,
      analogies: analogies || undefined,
      targetSize: plan.targetSize,
      budgetMs: plan.budgetMs,
      restrict: plan.restrict,
      dims: plan.dims,
      vocab: plan.vocab,
      schemes: plan.schemes,
      // the size on disk: the candidate saved to a temp file, then stat
      sizeOf: (bytes) => {
        const f = join(tmp, `c${n++}.safetensors`);
        writeFileSync(f, bytes);
        const s = statSync(f).size;
        rmSync(f);
        return s;
      },
      onCandidate: (m, done) => progress?.(`${String(done).padStart(3)}  ${m.name.padEnd(22)} ${fmtSize(m.size).padStart(9)}  ${m.quality.toFixed(4)}`),
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const qualityName = result.quality === 'spearman' ? 'Spearman ρ (pairs)' : 'analogy accuracy';
  const ref = result.reference;
  const refLatency = result.candidates.find((m) => m.params.scheme === 'f32' && m.params.dims === kv.dim && m.params.vocab === kv.size)?.latencyMs;
  const ro: ReportOptions = {
    title: `quantext compress: ${kv.size} words × ${kv.dim} dims`,
    qualityName,
    columns: [
      ...(result.quality === 'spearman' && plan.analogies ? [{ key: 'analogy', label: 'analogy', digits: 4 }] : []),
      { key: 'sqnrDb', label: 'SQNR dB', digits: 1 },
      { key: 'saturated', label: 'saturated', digits: 3, percent: true },
      { key: 'rowCosine', label: 'row cos', digits: 4 },
    ],
    targetSize: plan.targetSize,
    reference: ref && { size: ref.size, quality: ref.quality, latencyMs: refLatency, label: 'f32, every dim and word' },
    costFamily: { family: 'scheme', title: 'What the bits cost (every scheme on the whole table)' },
    notes: NOTES,
  };
  const markdown = markdownReport(result, ro);
  await writeFileAtomic(plan.report, markdown);
  await writeFileAtomic(plan.svg, paretoSvg(result, ro));
  if (result.bestBytes) await writeFileAtomic(plan.out, result.bestBytes);
  const summary: CompressSummary = {
    size: result.best?.size ?? null,
    precision: result.best?.quality ?? null,
    metric: result.quality,
    kept: result.best?.name ?? null,
    targetSize: plan.targetSize,
    budgetMs: plan.budgetMs,
    elapsedMs: Math.round(result.elapsedMs),
    outOfTime: result.outOfTime,
    tried: result.candidates.length,
    skipped: result.skipped.length,
    out: result.bestBytes ? plan.out : null,
    report: plan.report,
    svg: plan.svg,
    reference: ref ? { size: ref.size, quality: ref.quality } : null,
    candidates: result.candidates.map((m) => ({
      name: m.name, family: m.family ?? '', scheme: m.params.scheme === 'pq' ? `pq${m.params.dsub}` : m.params.scheme, bits: m.params.bits,
      dims: m.params.dims, vocab: m.params.vocab, size: m.size, quality: m.quality, spearman: m.metrics?.spearman, analogy: m.metrics?.analogy,
      latencyMs: m.latencyMs, sqnrDb: m.metrics?.sqnrDb, saturated: m.metrics?.saturated, rowCosine: m.metrics?.rowCosine, pareto: m.pareto, ms: Math.round(m.ms),
    })),
  };
  return { summary, result, markdown };
}

// ---------------------------------------------------------------- classifiers

export interface ClassifierPlan {
  train: string;
  test: string;
  targetSize: number;
  budgetMs: number;
  out: string;
  report: string;
  svg: string;
}

/** `quantext compress MODEL --train TRAIN --test TEST ...`: the flags, checked before anything is loaded. */
export function planClassifierCompress(o: CompressCliOptions & { train?: unknown; test?: unknown }): ClassifierPlan {
  const train = one('--train', o.train), test = one('--test', o.test);
  if (train === undefined) throw new QuantextError('E_OPTION', '--train FILE is required for a classifier (students and -retrain are trained on it)', { option: '--train' });
  if (test === undefined) throw new QuantextError('E_OPTION', '--test FILE is required for a classifier (the candidates are compared by their P@1 on it)', { option: '--test' });
  // a missing file would otherwise fail every candidate in turn and end as "no candidate fits"
  for (const [flag, f] of [['--train', train], ['--test', test]] as const) {
    if (!existsSync(f)) throw new QuantextError('E_IO', `${flag} ${f}: no such file`, { option: flag, file: f });
  }
  for (const f of ['--eval-pairs', '--eval-analogies'] as const) {
    if ((f === '--eval-pairs' ? o.evalPairs : o.evalAnalogies) !== undefined) throw new QuantextError('E_OPTION', `${f} is for word vectors; a classifier is evaluated on --test`, { option: f });
  }
  const out = one('--out', o.out);
  if (out === undefined) throw new QuantextError('E_OPTION', '--out FILE is required (where the kept classifier is saved)', { option: '--out' });
  const stem = out.replace(/\.[^./\\]*$/, '');
  return {
    train,
    test,
    targetSize: o.targetSize === undefined ? 100_000 : parseSize('--target-size', one('--target-size', o.targetSize)),
    budgetMs: o.budget === undefined ? 300_000 : parseDuration('--budget', one('--budget', o.budget)),
    out,
    report: one('--report', o.report) ?? `${stem}.md`,
    svg: one('--svg', o.svg) ?? `${stem}.svg`,
  };
}

/**
 * The classifier backend: cqmodel's compressClassifier (src/compress/classifier.ts) stores each candidate; cqtrain's
 * distill + QAT train the students, prune's pruneRetrain prunes them; the words-only students are plain
 * TextClassifiers trained on the hard labels (one thread, seeded).
 */
export async function classifierBackend(teacher: import('../fasttext/model.js').FastTextModel, threads: number): Promise<import('../compress/classifier-search.js').ClassifierBackend<any>> {
  const cq = await import('../compress/classifier.js');
  const [{ distill }, { studentOptions }, { pruneRetrain }] = await Promise.all([import('../compress/distill.js'), import('../compress/classifier-search.js'), import('../compress/prune.js')]);
  return {
    compress: (source, c, data) =>
      cq.compressClassifier(source, {
        cutoff: c.cutoff, input: c.input, output: c.output, ...(c.input === 'pq' ? { dsub: c.dsub ?? 2, qnorm: true } : {}),
        ...(c.perRow === false ? { perRow: false } : {}),
        ...(c.retrain ? { retrain: true, data, threads } : {}), seed: 1,
      }),
    student: async (c, data) => {
      const args = teacher.args;
      if (c.words) {
        const { TextClassifier } = await import('../classify/classifier.js');
        const clf = new TextClassifier(studentOptions(c, { wordNgrams: 1, minn: 0, maxn: 0, bucket: 0, epochs: args.epoch }));
        try {
          await clf.train(data);
        } catch (e) {
          clf.dispose();
          throw e;
        }
        return clf;
      }
      const student = await distill({ teacher, student: { ...studentOptions(c, { wordNgrams: args.wordNgrams, minn: args.minn, maxn: args.maxn, bucket: args.bucket, epochs: args.epoch }), threads }, data, temperature: 2, alpha: 0.5 });
      // pruned students: the smallest input weights pruned in 3 steps (cubic ramp), one epoch of retraining each
      if (c.sparsity) {
        try {
          await pruneRetrain(student, data, { steps: 3, sparsity: c.sparsity, epochsPerStep: 1, matrix: 'input' });
        } catch (e) {
          student.dispose();
          throw e;
        }
      }
      return student;
    },
  };
}

export async function compressClassifierCommand(
  model: import('../fasttext/model.js').FastTextModel,
  plan: ClassifierPlan,
  o: { threads: number; progress?: (s: string) => void; modelBytes?: number },
): Promise<{ summary: Omit<CompressSummary, 'candidates' | 'metric'> & { metric: 'precision'; candidates: Record<string, unknown>[] }; markdown: string }> {
  if (!model.isSupervised) throw new QuantextError('E_OPTION', 'quantext compress MODEL: the model is not a classifier (pass word vectors with --eval-pairs instead of --train/--test)', { option: '--train' });
  const { compressClassifierSearch } = await import('../compress/classifier-search.js');
  const backend = await classifierBackend(model, o.threads);
  const testLines = (await readEval(plan.test)).toString().split('\n').filter((l) => l.trim());
  const latencyTexts = testLines.slice(0, 500).map((l) => l.split(/\s+/).filter((t) => !t.startsWith('__label__')).join(' '));
  // the model itself, measured the same way: the reference for Δ and the speed-up
  const { testModel } = await import('../classify/classifier.js');
  const refTest = await testModel(model, plan.test, 1, 0);
  model.predictBatch(latencyTexts.slice(0, 8), 1);
  const l0 = performance.now();
  model.predictBatch(latencyTexts, 1);
  const refLatency = latencyTexts.length ? (performance.now() - l0) / latencyTexts.length : undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'quantext-compress-'));
  let n = 0;
  let r;
  try {
    r = await compressClassifierSearch({
      model, dim: model.dim, rows: model.words.length + model.args.bucket, train: plan.train, test: plan.test, latencyTexts, backend,
      targetSize: plan.targetSize, budgetMs: plan.budgetMs,
      sizeOf: (bytes) => {
        const f = join(tmp, `c${n++}.bin`);
        writeFileSync(f, bytes);
        const s = statSync(f).size;
        rmSync(f);
        return s;
      },
      onCandidate: (m, done) => o.progress?.(`${String(done).padStart(3)}  ${m.name.padEnd(40)} ${fmtSize(m.size).padStart(9)}  ${m.quality.toFixed(4)}`),
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const ro: ReportOptions = {
    title: `quantext compress: classifier, dim ${model.dim}, ${model.labels.length} labels`,
    qualityName: 'P@1',
    latencyName: 'ms / prediction',
    targetSize: plan.targetSize,
    reference: o.modelBytes ? { size: o.modelBytes, quality: refTest.precision, latencyMs: refLatency, label: 'the model as given' } : undefined,
    costFamily: { family: 'quantize', title: 'What the bits cost (the model itself, quantized)' },
    columns: [
      { key: 'input.sqnrDb', label: 'input SQNR dB', digits: 1 },
      { key: 'input.saturated', label: 'input saturated', digits: 3, percent: true },
      { key: 'input.rowCosine', label: 'input row cos', digits: 4 },
      { key: 'output.sqnrDb', label: 'output SQNR dB', digits: 1 },
    ],
    notes: NOTES_CLASSIFIER,
  };
  const markdown = markdownReport(r, ro);
  await writeFileAtomic(plan.report, markdown);
  await writeFileAtomic(plan.svg, paretoSvg(r, ro));
  if (r.bestBytes) await writeFileAtomic(plan.out, r.bestBytes);
  return {
    markdown,
    summary: {
      size: r.best?.size ?? null, precision: r.best?.quality ?? null, metric: 'precision', kept: r.best?.name ?? null,
      targetSize: plan.targetSize, budgetMs: plan.budgetMs, elapsedMs: Math.round(r.elapsedMs), outOfTime: r.outOfTime,
      tried: r.candidates.length, skipped: r.skipped.length, out: r.bestBytes ? plan.out : null, report: plan.report, svg: plan.svg, reference: o.modelBytes ? { size: o.modelBytes, quality: refTest.precision } : null,
      candidates: r.candidates.map((m) => ({ name: m.name, family: m.family, ...m.params, size: m.size, quality: m.quality, precision: m.quality, latencyMs: m.latencyMs, pareto: m.pareto, ms: Math.round(m.ms), ...m.metrics })),
    },
  };
}

const NOTES_CLASSIFIER = [
  '- **Size on disk** is the saved compressed classifier (CompressedClassifier.load reads it); **P@1** is its',
  '  precision at 1 on --test, computed for every candidate.',
  '- **quantize** candidates are the model itself with its tables quantized (and a -cutoff keeping the input rows of',
  '  largest norm, the float output retrained); **student** candidates are smaller models trained with',
  '  quantization-aware training on the teacher\'s soft labels (T = 2, α = 0.5), stored exactly at their bits;',
  '  **words** candidates are tiny float students of words only (dim 4 and 2, no n-grams or subwords, trained on the',
  '  labels on one thread, seeded), their rows cut to the N of largest norm and stored int4 with one scale per table.',
  '- SQNR, saturation and row cosine (per table, against the float weights) say where the error comes from; a',
  '  QAT student has none by construction: its float weights already are the quantized values.',
];
