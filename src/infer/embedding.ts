import { QuantextError } from '../errors.js';
import type { Matrix } from '../vectors/matrix.js';

export interface EmbeddingBagOptions {
  /** 'mean' (default) or 'sum'. Per-sample weights go with 'sum' (as in PyTorch). */
  mode?: 'mean' | 'sum';
}

/**
 * PyTorch's EmbeddingBag over any table behind the Matrix interface (f32, f16, int8, int4, binary, PQ): each bag's
 * rows are decoded and accumulated by the table's own `addRowTo` straight into the output, so a quantized table is
 * never copied to float. The table stays owned by the caller.
 */
export class EmbeddingBag {
  readonly kind = 'embeddingbag';
  readonly table: Matrix;
  readonly mode: 'mean' | 'sum';

  constructor(table: Matrix, options: EmbeddingBagOptions = {}) {
    if (!table || typeof table.addRowTo !== 'function') throw new QuantextError('E_OPTION', 'EmbeddingBag: table must be a Matrix (a quantext table)');
    const mode = options.mode ?? 'mean';
    if (mode !== 'mean' && mode !== 'sum') throw new QuantextError('E_OPTION', `EmbeddingBag: mode must be 'mean' or 'sum', got ${String(mode)}`, { option: 'mode' });
    this.table = table;
    this.mode = mode;
  }

  get outFeatures(): number {
    return this.table.cols;
  }

  /** Number of bags: offsets.length (one bag when offsets is omitted). */
  forward(indices: ArrayLike<number>, offsets?: ArrayLike<number>, perSampleWeights?: ArrayLike<number>): Float32Array {
    const bags = offsets ? offsets.length : 1;
    return this.forwardInto(indices, offsets, new Float32Array(bags * this.table.cols), perSampleWeights);
  }

  forwardInto(indices: ArrayLike<number>, offsets: ArrayLike<number> | undefined, out: Float32Array, perSampleWeights?: ArrayLike<number>): Float32Array {
    const t = this.table, d = t.cols, n = indices?.length ?? -1;
    if (n < 0) throw new QuantextError('E_SHAPE', 'EmbeddingBag: indices must be an array of row numbers');
    const bags = offsets ? offsets.length : 1;
    if (!(out instanceof Float32Array) || out.length < bags * d) throw new QuantextError('E_SHAPE', `EmbeddingBag: out must be a Float32Array of ≥ ${bags * d} values`);
    if (perSampleWeights !== undefined) {
      if (this.mode !== 'sum') throw new QuantextError('E_OPTION', "EmbeddingBag: perSampleWeights need mode 'sum' (as in PyTorch)", { option: 'perSampleWeights' });
      if (perSampleWeights.length !== n) throw new QuantextError('E_SHAPE', `EmbeddingBag: ${perSampleWeights.length} weights for ${n} indices`);
    }
    for (let i = 0; i < n; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= t.rows) throw new QuantextError('E_SHAPE', `EmbeddingBag: index ${r} at ${i} is not a row of the ${t.rows}-row table`, { index: i });
    }
    for (let b = 0; b < bags; b++) {
      const s = offsets ? offsets[b] : 0, e = offsets && b + 1 < bags ? offsets[b + 1] : n;
      if (!Number.isInteger(s) || s < 0 || e < s || e > n) throw new QuantextError('E_SHAPE', `EmbeddingBag: offsets must be non-decreasing integers within [0, ${n}] starting the bags (bag ${b}: ${s}..${e})`);
      const o = out.subarray(b * d, (b + 1) * d);
      o.fill(0);
      for (let i = s; i < e; i++) t.addRowTo(indices[i], o, perSampleWeights ? perSampleWeights[i] : 1);
      if (this.mode === 'mean' && e > s) {
        const inv = 1 / (e - s);
        for (let c = 0; c < d; c++) o[c] = Math.fround(o[c] * inv);
      }
    }
    return out;
  }
}
