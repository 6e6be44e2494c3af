import type { KeyedVectors } from '../vectors/keyed.js';
import { saveVectors } from '../vectors/load.js';
import { tableToTensor, TABLE_SCHEMES, type TableScheme, type QuantizedTable } from '../vectors/tables/factory.js';
import { errorReport, type ErrorReport } from '../quantize/report.js';
import { oneOf, positiveInt, seed } from './args.js';

export interface QuantizeSummary extends ErrorReport {
  scheme: TableScheme;
  perRow: boolean;
  rows: number;
  cols: number;
  out?: string;
}

/**
 * `quantext quantize VECTORS --scheme … --out FILE`: quantizes the table, measures what it costs (error report
 * against the f32 vectors) and what it buys (bytes), and saves the quantized table as safetensors.
 */
export async function quantizeCommand(
  kv: KeyedVectors,
  o: { scheme?: string; perTensor?: boolean; center?: boolean; dsub?: unknown; qnorm?: boolean; seed?: unknown; out?: string },
): Promise<{ summary: QuantizeSummary; quantized: KeyedVectors }> {
  const scheme = oneOf('--scheme', o.scheme ?? 'int8', TABLE_SCHEMES);
  const perRow = !o.perTensor;
  const pq = scheme === 'pq' ? { dsub: positiveInt('--dsub', o.dsub, 2, kv.dim), qnorm: !!o.qnorm, seed: seed('--seed', o.seed, 1234) } : {};
  const centred = ['int8', 'uint8', 'int4', 'binary'].includes(scheme) ? { center: o.center !== false } : {};
  const q = kv.quantize({ scheme, perRow, ...centred, ...pq });
  const report = errorReport(kv.vectors, tableToTensor(q.matrix as QuantizedTable));
  if (o.out) await saveVectors(q, o.out, { format: 'safetensors' });
  return { quantized: q, summary: { scheme, perRow, rows: kv.size, cols: kv.dim, ...report, out: o.out } };
}
