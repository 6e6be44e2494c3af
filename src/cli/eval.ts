import { readFile } from 'node:fs/promises';
import type { KeyedVectors } from '../vectors/keyed.js';
import type { AnalogySection } from '../vectors/evaluate.js';
import { QuantextError } from '../errors.js';

export interface EvalSummary {
  analogy?: { correct: number; total: number; accuracy: number; oov: number; sections: AnalogySection[] };
  pairs: { file: string; pearson: number; spearman: number; oovRatio: number }[];
}

async function text(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new QuantextError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
}

/** `quantext eval VECTORS [--analogies FILE] [--pairs FILE]... [--restrict 30000]` */
export async function evalCommand(kv: KeyedVectors, o: { analogies?: string; pairs?: string[]; restrict?: number }): Promise<EvalSummary> {
  const restrictVocab = o.restrict ?? 30000;
  const out: EvalSummary = { pairs: [] };
  if (o.analogies) {
    const r = kv.evaluateWordAnalogies(await text(o.analogies), { restrictVocab, name: o.analogies });
    out.analogy = { correct: r.total.correct, total: r.total.total, accuracy: r.total.accuracy, oov: r.oov.count, sections: r.sections };
  }
  for (const f of o.pairs ?? []) {
    const r = kv.evaluateWordPairs(await text(f), { restrictVocab, name: f });
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
    log(`${p.file.split('/').pop()}: Spearman ${p.spearman.toFixed(4)}, Pearson ${p.pearson.toFixed(4)}, OOV ${p.oovRatio.toFixed(1)} %`);
  }
}
