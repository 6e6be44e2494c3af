import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyedVectors } from '../vectors/keyed.js';
import type { AnalogySection } from '../vectors/evaluate.js';
import { QuantextError } from '../errors.js';

export interface EvalSummary {
  analogy?: { correct: number; total: number; accuracy: number; oov: number; sections: AnalogySection[] };
  pairs: { file: string; pearson: number; spearman: number; oovRatio: number }[];
}

/** A file's bytes: given as bytes, evaluate* never mistakes a one-line file's contents for a path. */
async function text(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new QuantextError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
}

/**
 * The evaluation sets shipped in the package (data/eval, listed in package.json "files"), found from this module's
 * own location (dist/cli/ → ../../data/eval), so they are found wherever the package is installed, whatever the
 * working directory.
 */
export const SHIPPED_EVAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'eval');
export const SHIPPED_ANALOGIES = join(SHIPPED_EVAL_DIR, 'questions-words.txt');
export const SHIPPED_PAIRS = [join(SHIPPED_EVAL_DIR, 'wordsim353.tsv'), join(SHIPPED_EVAL_DIR, 'simlex999.txt')];

/** What `quantext eval` evaluates, from its flags: files named, or the shipped sets, or nothing. */
export interface EvalPlan {
  analogies?: string;
  pairs: string[];
  /** Shipped sets that should have been there and are not (reported on stderr). */
  missing: string[];
  /** The shipped sets are used (no file was named). */
  shipped: boolean;
}

/**
 * Files named with `--analogies` / `--pairs` are evaluated as given (a missing one fails with E_IO). Without any,
 * the shipped sets are used: questions-words (analogies), WordSim-353 and SimLex-999 (pairs), each unless disabled
 * with `--no-analogies` / `--no-pairs`; a shipped set that is missing is skipped (listed in `missing`).
 * Throws E_OPTION when both kinds are disabled, and E_IO when every shipped set that was wanted is missing.
 */
export function planEval(o: { analogies?: unknown; pairs?: unknown }, shipped = { analogies: SHIPPED_ANALOGIES, pairs: SHIPPED_PAIRS }): EvalPlan {
  const named = (v: unknown): string[] => (v === undefined || v === '' || v === false ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const analogies = named(o.analogies);
  const pairs = named(o.pairs);
  if (analogies.length > 1) throw new QuantextError('E_OPTION', `--analogies takes one file, got ${analogies.length}`, { option: '--analogies' });
  if (analogies.length || pairs.length) return { analogies: analogies[0], pairs, missing: [], shipped: false };
  const wantAnalogies = o.analogies !== false;
  const wantPairs = o.pairs !== false;
  if (!wantAnalogies && !wantPairs) {
    throw new QuantextError('E_OPTION', 'nothing to evaluate: --no-analogies and --no-pairs disable both kinds; pass --analogies FILE and/or --pairs FILE');
  }
  const want = [...(wantAnalogies ? [shipped.analogies] : []), ...(wantPairs ? shipped.pairs : [])];
  const missing = want.filter((f) => !existsSync(f));
  const plan: EvalPlan = {
    analogies: wantAnalogies && existsSync(shipped.analogies) ? shipped.analogies : undefined,
    pairs: wantPairs ? shipped.pairs.filter((f) => existsSync(f)) : [],
    missing,
    shipped: true,
  };
  if (!plan.analogies && !plan.pairs.length) {
    throw new QuantextError(
      'E_IO',
      `nothing to evaluate: the evaluation sets shipped with quantext are missing (${missing.join(', ')}); pass --analogies FILE and/or --pairs FILE`,
      { files: missing },
    );
  }
  return plan;
}

/** `quantext eval VECTORS [--analogies FILE] [--pairs FILE]... [--restrict 30000]` */
/**
 * `shipped`: the files are the well-formed shipped sets, so a pair set none of whose pairs is in the vocabulary (a
 * small or specialised vocabulary) is reported as such (scores NaN, OOV 100 %) instead of failing the whole
 * evaluation; a file the user named still fails (E_EMPTY: wrong format, or every pair out of vocabulary).
 */
export async function evalCommand(kv: KeyedVectors, o: { analogies?: string; pairs?: string[]; restrict?: number; shipped?: boolean }): Promise<EvalSummary> {
  const restrictVocab = o.restrict ?? 30000;
  const out: EvalSummary = { pairs: [] };
  if (o.analogies) {
    const r = kv.evaluateWordAnalogies(await text(o.analogies), { restrictVocab, name: o.analogies });
    out.analogy = { correct: r.total.correct, total: r.total.total, accuracy: r.total.accuracy, oov: r.oov.count, sections: r.sections };
  }
  for (const f of o.pairs ?? []) {
    let r;
    try {
      r = kv.evaluateWordPairs(await text(f), { restrictVocab, name: f });
    } catch (e) {
      if (!o.shipped || !(e instanceof QuantextError) || e.code !== 'E_EMPTY') throw e;
      out.pairs.push({ file: f, pearson: NaN, spearman: NaN, oovRatio: 100 });
      continue;
    }
    out.pairs.push({ file: f, pearson: r.pearson, spearman: r.spearman, oovRatio: r.oovRatio });
  }
  return out;
}

export function printEval(e: EvalSummary, log: (s: string) => void): void {
  if (e.analogy) {
    const a = e.analogy;
    log(`analogies: ${(a.accuracy * 100).toFixed(2)} % (${a.correct}/${a.total}; ${a.oov} questions out of vocabulary)`);
    for (const s of a.sections) {
      const n = s.correct + s.incorrect;
      if (n && s.section !== 'Total accuracy') log(`  ${s.section.padEnd(28)} ${n ? ((s.correct / n) * 100).toFixed(1).padStart(5) : '  -  '} %  (${s.correct}/${n})`);
    }
  }
  for (const p of e.pairs) {
    const name = p.file.split('/').pop();
    if (Number.isNaN(p.spearman) && p.oovRatio === 100) log(`${name}: no pair in the vocabulary (OOV 100 %)`);
    else log(`${name}: Spearman ${p.spearman.toFixed(4)}, Pearson ${p.pearson.toFixed(4)}, OOV ${p.oovRatio.toFixed(1)} %`);
  }
}
