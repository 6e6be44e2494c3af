/**
 * PQMatrix: product-quantized rows (fastText's QuantMatrix; docs/quantization.md §1.7): one byte per sub-space
 * of `dsub` columns, 256-centroid codebooks, and optionally quantized norms (qnorm).
 * Search builds the ADC table ⟨q_m, centroid_m,c⟩ once per query (pq_adc_f32) and scores every row with nsub
 * lookups (pq_scan). With dsub 2, rows take cols/2 bytes: 8× smaller than f32, plus a codebook of ksub·cols floats.
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { trainPQAt, validatePQ, type PQSettings, type PQTensor } from '../../quantize/pq.js';
import { QuantTable } from './base.js';

export class PQMatrix extends QuantTable {
  readonly dtype = 'pq' as const;
  readonly dsub: number;
  readonly ksub: number;
  readonly nsub: number;
  readonly qnorm: boolean;
  /** rows × nsub codes. */
  readonly codesPtr: number;
  /** ksub·cols f32 codebook (sub-space m at offset ksub·m·dsub floats). */
  readonly codebookPtr: number;
  /** rows norm codes and the norm codebook (qnorm), else 0. */
  readonly normCodesPtr: number;
  readonly normCodebookPtr: number;
  readonly normK: number;

  constructor(rows: number, cols: number, p: { dsub: number; ksub: number; qnorm: boolean; normK?: number }, rt?: Runtime) {
    super(rows, cols, rt);
    this.dsub = p.dsub;
    this.ksub = p.ksub;
    this.nsub = Math.ceil(cols / p.dsub);
    this.qnorm = p.qnorm;
    this.normK = p.qnorm ? (p.normK ?? Math.min(256, rows)) : 0;
    try {
      this.codesPtr = this.own(rows * this.nsub + 16, true);
      this.codebookPtr = this.own(p.ksub * cols * 4 + 16, true);
      this.normCodesPtr = p.qnorm ? this.own(rows + 16, true) : 0;
      this.normCodebookPtr = p.qnorm ? this.own(256 * 4 + 16, true) : 0;
    } catch (e) {
      this.dispose(); // E_OOM part-way: free what was allocated
      throw e;
    }
  }

  /** @internal trains and encodes rows × cols floats at `x` (wasm). */
  static quantize(rt: Runtime, x: number, rows: number, cols: number, s: PQSettings): PQMatrix {
    const m = new PQMatrix(rows, cols, { dsub: s.dsub, ksub: s.ksub, qnorm: s.qnorm }, rt);
    return m.filledBy(() => {
      const { codebook, normCodebook } = trainPQAt(rt, x, rows, cols, s, m.codesPtr, m.normCodesPtr);
      m.rt.arena.f32(m.codebookPtr, codebook.length).set(codebook);
      if (s.qnorm) m.rt.arena.f32(m.normCodebookPtr, normCodebook.length).set(normCodebook);
    });
  }

  /** A table from a PQTensor (trainPQ's output or a file). */
  static fromPQ(p: PQTensor, rt?: Runtime): PQMatrix {
    validatePQ(p);
    if (!(Number.isInteger(p.dsub) && p.dsub >= 1 && p.dsub <= Math.max(1, p.cols))) throw new QuantextError('E_FORMAT', `pq: dsub ${p.dsub} outside 1…${p.cols}`, { key: 'dsub' });
    const cbMax = maxAbsFinite(p.codebook, 'pq: the codebook');
    if (p.qnorm) {
      if (p.normCodebook.length < 1 || p.normCodebook.length > 256) throw new QuantextError('E_FORMAT', `pq: the norm codebook has ${p.normCodebook.length} centroids, not 1…256`, { key: 'normCodebook' });
      const nMax = maxAbsFinite(p.normCodebook, 'pq: the norm codebook');
      if (!Number.isFinite(Math.fround(cbMax * nMax))) throw new QuantextError('E_FORMAT', `pq: codebook (max |c| ${cbMax}) × norm codebook (max ${nMax}) decodes beyond the float32 range`, { key: 'normCodebook' });
    }
    const m = new PQMatrix(p.rows, p.cols, { dsub: p.dsub, ksub: p.ksub, qnorm: p.qnorm, normK: p.normCodebook.length }, rt);
    const a = m.rt.arena;
    a.u8(m.codesPtr, p.codes.length).set(p.codes);
    a.f32(m.codebookPtr, p.codebook.length).set(p.codebook);
    if (p.qnorm) {
      a.u8(m.normCodesPtr, p.rows).set(p.normCodes);
      a.f32(m.normCodebookPtr, p.normCodebook.length).set(p.normCodebook);
    }
    return m;
  }

  get bytes(): number {
    return this.rows * this.nsub + this.ksub * this.cols * 4 + (this.qnorm ? this.rows + this.normK * 4 : 0);
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const a = this.rt.arena;
    const codes = a.u8(this.codesPtr + i * this.nsub, this.nsub);
    const cb = a.f32(this.codebookPtr, this.ksub * this.cols);
    const nrm = this.qnorm ? a.f32(this.normCodebookPtr + a.u8(this.normCodesPtr + i, 1)[0] * 4, 1)[0] : 1;
    for (let m = 0; m < this.nsub; m++) {
      const d = Math.min(this.dsub, this.cols - m * this.dsub);
      const base = this.ksub * m * this.dsub + codes[m] * d;
      for (let j = 0; j < d; j++) out[m * this.dsub + j] = this.qnorm ? cb[base + j] * nrm : cb[base + j];
    }
    return out;
  }

  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    const table = this.scratchPtr('adc', this.nsub * this.ksub * 4);
    this.rt.kernels.pq_adc_f32(qPtr, this.cols, this.dsub, this.ksub, this.codebookPtr, 0, table);
    this.rt.kernels.pq_scan(this.codesPtr, n, this.nsub, this.ksub, table, this.normCodesPtr, this.normCodebookPtr, outPtr);
  }

  /** Scores of the listed rows: their codes (and norm codes) gathered (copy_gather), then one ADC table and one pq_scan. */
  scoreSubset(qPtr: number, idxPtr: number, m: number, outPtr: number): void {
    this.alive();
    if (m <= 0) return;
    const k = this.rt.kernels;
    const codes = this.scratchPtr('subset', m * this.nsub + 16);
    const norms = this.qnorm ? this.scratchPtr('subsetNorms', m + 16) : 0;
    const table = this.scratchPtr('adc', this.nsub * this.ksub * 4);
    k.copy_gather(this.codesPtr, this.nsub, idxPtr, m, codes);
    if (norms) k.copy_gather(this.normCodesPtr, 1, idxPtr, m, norms);
    k.pq_adc_f32(qPtr, this.cols, this.dsub, this.ksub, this.codebookPtr, 0, table);
    k.pq_scan(codes, m, this.nsub, this.ksub, table, norms, this.normCodebookPtr, outPtr);
  }

  rowNorms(outPtr: number): void {
    this.alive();
    const sq = this.scratchPtr('sqnorms', this.nsub * this.ksub * 4);
    this.rt.kernels.pq_centroid_sqnorms(this.codebookPtr, this.cols, this.dsub, this.ksub, sq);
    this.rt.kernels.pq_norm_l2_per_row(this.codesPtr, this.rows, this.nsub, this.ksub, sq, this.normCodesPtr, this.normCodebookPtr, outPtr);
  }

  toPQ(): PQTensor {
    this.alive();
    const a = this.rt.arena;
    return {
      scheme: 'pq', rows: this.rows, cols: this.cols, dsub: this.dsub, ksub: this.ksub, nsub: this.nsub,
      codebook: a.f32(this.codebookPtr, this.ksub * this.cols).slice(), codes: a.u8(this.codesPtr, this.rows * this.nsub).slice(),
      qnorm: this.qnorm, normCodebook: this.qnorm ? a.f32(this.normCodebookPtr, this.normK).slice() : new Float32Array(0),
      normCodes: this.qnorm ? a.u8(this.normCodesPtr, this.rows).slice() : new Uint8Array(0),
    };
  }
}

/** The largest |value| of a codebook; E_NAN naming the first NaN or ±Infinity. */
function maxAbsFinite(a: Float32Array, what: string): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) throw new QuantextError('E_NAN', `${what} holds ${v} at index ${i}`, { index: i, value: v });
    m = Math.max(m, Math.abs(v));
  }
  return m;
}
