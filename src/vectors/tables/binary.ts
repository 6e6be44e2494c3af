/**
 * BinaryMatrix: one sign bit per value and one α per row, `x̂ = α_r · sign(x)` with α_r = mean|x_r|
 * (XNOR-Net; docs/quantization.md §1.4). The codes are one contiguous bit string, row r at bits r·cols …
 * r·cols + cols − 1, so they are exactly 32× smaller than f32 for any cols (⌈rows·cols/8⌉ bytes; rows of 100
 * dimensions take 12.5 bytes, not 13). Stored records and files keep byte-aligned rows (numpy `packbits` per row).
 *
 * Centred (`center: true`, the default of quantizeMatrix): the table binarizes x − μ around the (robust) column mean μ and
 * decodes to `x̂ = μ + α_r · sign(x_r − μ)` (α_r = mean|x_r − μ|). Word vectors share a large common direction;
 * without centring their sign bits mostly encode it and Hamming distance ranks poorly. ⟨μ, q⟩ is the same for every
 * row, so inner-product rankings are unchanged by the shift; μ costs cols floats.
 *
 * Two search paths:
 * - `scoreRows` (the Matrix interface, used by KeyedVectors): exactly ⟨α_r·sign(x_r), q⟩ for an f32 query,
 *   read from per-byte lookup tables of the query (b1_lut_f32 + score_b1_lut), ⌈cols/8⌉ lookups per row;
 * - `searchHamming` / `hammingScores`: a binary query, Hamming distance by popcount (sign_dot_b1), the
 *   coarse stage of a binary-then-rerank search (see rerank.ts).
 */
import { QuantextError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { encodeBinary } from '../../quantize/core.js';
import type { ResolvedOptions } from '../../quantize/schemes.js';
import type { QuantizedTensor } from '../../quantize/quantize.js';
import { QuantTable, checkCenter, withCentred } from './base.js';

/** Widest table the Hamming top-k selects over (distances are counted in 16 bits). */
export const MAX_HAMMING_COLS = 65528;

export interface HammingResult {
  /** Row indices, nearest first (ties: lower index first). */
  indices: Int32Array;
  /** Their Hamming distances to the query's sign bits. */
  distances: Int32Array;
}

export class BinaryMatrix extends QuantTable {
  readonly dtype = 'binary' as const;
  readonly perRow: boolean;
  /** ⌈cols/8⌉: bytes of a byte-aligned row (a query, a stored record's row). */
  readonly rowBytes: number;
  /** The codes: rows × cols bits, contiguous (row r at bit r·cols). */
  readonly codesPtr: number;
  /** Bits between row starts in the codes (= cols). */
  readonly strideBits: number;
  /** f32 α: rows (perRow) or 1. */
  readonly alphasPtr: number;
  /** f32 μ (cols) of a centred table, else 0. */
  readonly centerPtr: number;
  private readonly groups: number;
  /** The 16-row block copy of the codes: −1 not yet decided, 0 none, else its address. */
  private blockedPtr = -1;

  constructor(rows: number, cols: number, perRow = true, rt?: Runtime, center = false) {
    super(rows, cols, rt);
    this.perRow = perRow;
    this.groups = perRow ? rows : 1;
    this.rowBytes = (cols + 7) >> 3;
    this.strideBits = cols;
    if (rows * cols >= 2 ** 32) {
      // the kernels address bits with 32-bit offsets (512 MiB of codes; wasm32 memory is 4 GiB in all)
      throw new QuantextError('E_TOO_LARGE', `BinaryMatrix: ${rows}×${cols} is ${rows * cols} bits; at most 2^32 − 1`, { rows, cols });
    }
    try {
      this.codesPtr = this.own(this.codeBytes + 16, true);
      this.alphasPtr = this.own(this.groups * 4 + 16, true);
      this.centerPtr = center ? this.own(cols * 4 + 16, true) : 0;
    } catch (e) {
      this.dispose(); // E_OOM part-way: free what was allocated
      throw e;
    }
  }

  get centered(): boolean {
    return this.centerPtr !== 0;
  }

  /** Bytes of the codes: ⌈rows·cols/8⌉. */
  get codeBytes(): number {
    return Math.ceil((this.rows * this.cols) / 8);
  }

  /** Writes byte-aligned rows (rowBytes each, at src in wasm) into the contiguous codes. */
  private setRowAlignedCodes(src: number): void {
    if (this.cols % 8 === 0) this.rt.arena.u8(this.codesPtr, this.codeBytes).set(this.rt.arena.u8(src, this.codeBytes));
    else this.rt.kernels.b1_bytes_to_bits(src, this.rows, this.cols, this.rowBytes, this.codesPtr);
  }

  /** @internal sign bits and α of rows × cols floats at `x` (wasm), optionally around the column mean. */
  static quantize(rt: Runtime, x: number, o: ResolvedOptions, center = false): BinaryMatrix {
    const m = new BinaryMatrix(o.rows, o.cols, o.perRow, rt, center);
    return m.filledBy(() => {
      // sign bits in byte-aligned rows first, then into the contiguous string
      const rowsPtr = rt.arena.alloc(o.rows * m.rowBytes + 16);
      try {
        const alphas = center ? withCentred(rt, x, o.rows, o.cols, m.centerPtr, (xc) => encodeBinary(rt, xc, o, rowsPtr)) : encodeBinary(rt, x, o, rowsPtr);
        m.setRowAlignedCodes(rowsPtr);
        m.rt.arena.f32(m.alphasPtr, alphas.length).set(alphas);
      } finally {
        rt.arena.free(rowsPtr);
      }
    });
  }

  /** A table from stored sign bits (⌈cols/8⌉ bytes per row) and α. */
  static fromQuantized(q: QuantizedTensor, rt?: Runtime): BinaryMatrix {
    if (q.scheme !== 'binary') throw new QuantextError('E_OPTION', `BinaryMatrix needs binary codes; got ${q.scheme}`);
    if (q.center) checkCenter(q.center, q.cols, 'BinaryMatrix');
    const m = new BinaryMatrix(q.rows, q.cols, q.perRow, rt, Boolean(q.center));
    return m.filledBy(() => {
      if (q.codes.length !== q.rows * m.rowBytes || q.scales.length !== m.groups) {
        throw new QuantextError('E_SHAPE', `BinaryMatrix: ${q.codes.length} code bytes, ${q.scales.length} α for ${q.rows}×${q.cols}`);
      }
      let mu = 0;
      if (q.center) for (let j = 0; j < q.cols; j++) mu = Math.max(mu, Math.abs(q.center[j]));
      for (let g = 0; g < q.scales.length; g++) {
        if (!(q.scales[g] >= 0) || !Number.isFinite(q.scales[g])) {
          throw new QuantextError('E_FORMAT', `BinaryMatrix: α ${q.scales[g]} of group ${g} is not a finite non-negative number`, { index: g });
        }
        // ±α + μ must stay a finite float32 (else a row decodes to ±Infinity, and its cosine to NaN)
        if (!Number.isFinite(Math.fround(q.scales[g] + mu))) {
          throw new QuantextError('E_FORMAT', `BinaryMatrix: α ${q.scales[g]} of group ${g} decodes beyond the float32 range`, { index: g });
        }
      }
      // byte-aligned rows in the record (unused high bits of a row's last byte are dropped: Hamming distances count bits)
      const rowsPtr = m.rt.arena.alloc(q.codes.length + 16);
      try {
        m.rt.arena.u8(rowsPtr, q.codes.length).set(q.codes as Uint8Array);
        m.setRowAlignedCodes(rowsPtr);
      } finally {
        m.rt.arena.free(rowsPtr);
      }
      m.rt.arena.f32(m.alphasPtr, m.groups).set(q.scales);
      if (q.center) m.rt.arena.f32(m.centerPtr, q.cols).set(q.center);
    });
  }

  get bytes(): number {
    return this.codeBytes + this.groups * 4 + (this.centerPtr ? this.cols * 4 : 0);
  }

  private alpha(i: number): number {
    return this.rt.arena.f32(this.alphasPtr + (this.perRow ? i : 0) * 4, 1)[0];
  }

  decodeRow(i: number, out = new Float32Array(this.cols)): Float32Array {
    this.checkRow(i);
    this.checkOut(out);
    const a = this.alpha(i);
    const first = i * this.cols; // the row's first bit (may exceed 2^31: no int32 bit operators on it)
    const sh = first % 8;
    const b = this.rt.arena.u8(this.codesPtr + Math.floor(first / 8), Math.ceil((sh + this.cols) / 8));
    for (let j = 0, k = sh; j < this.cols; j++, k++) out[j] = (b[k >> 3] >> (k & 7)) & 1 ? a : -a;
    if (this.centerPtr) {
      const mu = this.rt.arena.f32(this.centerPtr, this.cols);
      for (let j = 0; j < this.cols; j++) out[j] += mu[j];
    }
    return out;
  }

  /** Σ_j q_j from a query's byte tables: entry 255 of each byte's table sums that byte's elements. */
  private lutSum(lut: number): number {
    const t = this.rt.arena.f32(lut, this.rowBytes * 256);
    let s = 0;
    for (let b = 0; b < this.rowBytes; b++) s += t[b * 256 + 255];
    return s;
  }

  /** Exact ⟨decoded row, q⟩ for every row: one LUT build and one scan (plus ⟨μ, q⟩ when centred). */
  scoreRows(qPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    const lut = this.scratchPtr('lut', this.rowBytes * 256 * 4);
    this.rt.kernels.b1_lut_f32(qPtr, this.cols, lut);
    const bias = this.centerPtr ? this.rt.kernels.dot_f32(this.centerPtr, qPtr, this.cols) : 0;
    this.rt.kernels.score_b1_lut(this.codesPtr, n, this.rowBytes, this.strideBits, lut, this.lutSum(lut), this.alphasPtr, this.perRow ? 1 : 0, bias, outPtr);
  }

  /** Exact ⟨decoded row idx[k], q⟩ for the listed rows: one LUT build and one gathering LUT scan (score_b1_lut_gather). */
  scoreSubset(qPtr: number, idxPtr: number, m: number, outPtr: number): void {
    this.alive();
    if (m <= 0) return;
    const lut = this.scratchPtr('lut', this.rowBytes * 256 * 4);
    this.rt.kernels.b1_lut_f32(qPtr, this.cols, lut);
    const bias = this.centerPtr ? this.rt.kernels.dot_f32(this.centerPtr, qPtr, this.cols) : 0;
    this.rt.kernels.score_b1_lut_gather(this.codesPtr, idxPtr, m, this.rowBytes, this.strideBits, lut, this.lutSum(lut), this.alphasPtr, this.perRow ? 1 : 0, bias, outPtr);
  }

  /** ‖decoded row‖: α_r·√cols, or sqrt(‖μ‖² + 2α_r⟨μ, s_r⟩ + α_r²·cols) when centred. */
  rowNorms(outPtr: number): void {
    this.alive();
    const a = this.rt.arena.f32(this.alphasPtr, this.groups).slice();
    if (!this.centerPtr) {
      const out = this.rt.arena.f32(outPtr, this.rows);
      const sq = Math.sqrt(this.cols);
      for (let r = 0; r < this.rows; r++) out[r] = a[this.perRow ? r : 0] * sq;
      return;
    }
    // ⟨s_r, μ⟩ for every row: the LUT scan of μ with α = 1
    const k = this.rt.kernels;
    const lut = this.scratchPtr('lut', this.rowBytes * 256 * 4), one = this.scratchPtr('one', 4);
    this.rt.arena.f32(one, 1)[0] = 1;
    k.b1_lut_f32(this.centerPtr, this.cols, lut);
    k.score_b1_lut(this.codesPtr, this.rows, this.rowBytes, this.strideBits, lut, this.lutSum(lut), one, 0, 0, outPtr);
    const mu2 = k.dot_f32(this.centerPtr, this.centerPtr, this.cols);
    const out = this.rt.arena.f32(outPtr, this.rows);
    for (let r = 0; r < this.rows; r++) {
      const ar = a[this.perRow ? r : 0];
      out[r] = Math.sqrt(Math.max(0, mu2 + 2 * ar * out[r] + ar * ar * this.cols));
    }
  }

  /**
   * The sign bits of a query in the table's scratch; returns its address. `query`: f32 values (a wasm address of
   * cols floats, or an array), centred on μ first when the table is; or packed bits (Uint8Array of ⌈cols/8⌉ bytes,
   * used as given).
   */
  packQuery(query: number | ArrayLike<number>): number {
    this.alive();
    const qb = this.scratchPtr('qbits', this.rowBytes);
    if (query instanceof Uint8Array) {
      if (query.length !== this.rowBytes) throw new QuantextError('E_SHAPE', `a packed binary query has ${this.rowBytes} bytes; got ${query.length}`);
      this.rt.arena.u8(qb, this.rowBytes).set(query);
      const rem = this.cols & 7;
      if (rem) this.rt.arena.u8(qb + this.rowBytes - 1, 1)[0] &= (1 << rem) - 1;
      return qb;
    }
    let src: number;
    if (typeof query === 'number') {
      src = query;
      if (this.centerPtr) {
        const tmp = this.scratchPtr('qf32', this.cols * 4);
        this.rt.kernels.center_f32(query, 1, this.cols, this.centerPtr, tmp);
        src = tmp;
      }
    } else {
      if (query.length !== this.cols) throw new QuantextError('E_SHAPE', `query has ${query.length} values, the table ${this.cols} columns`);
      src = this.scratchPtr('qf32', this.cols * 4);
      this.rt.arena.f32(src, this.cols).set(query);
      if (this.centerPtr) this.rt.kernels.center_f32(src, 1, this.cols, this.centerPtr, src);
    }
    this.rt.kernels.pack_b1_f32(src, 1, this.cols, qb);
    return qb;
  }

  /** out[r] (f32) = cols − 2·Hamming(row r, query bits at qBitsPtr) = ⟨sign x_r, sign q⟩. */
  hammingScores(qBitsPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    this.rt.kernels.sign_dot_b1(this.codesPtr, n, this.cols, this.strideBits, qBitsPtr, outPtr);
  }

  /** out[r] (i32) = Hamming(row r, query bits at qBitsPtr). */
  hammingDistances(qBitsPtr: number, outPtr: number, rowLimit?: number): void {
    const n = this.limit(rowLimit);
    this.rt.kernels.hamming_b1(this.codesPtr, n, this.rowBytes, this.strideBits, qBitsPtr, outPtr);
  }

  /**
   * The k rows nearest to the query bits at qBitsPtr in Hamming distance (ties: lower index): one popcount pass,
   * then a threshold estimated from a sample and made exact by counting, and a counting sort (hamming_topk_b1; no
   * heap, so k may be large). Row indices go to outIdxPtr (i32[k]); returns how many. The distances stay in the
   * table's scratch (see searchHamming).
   */
  hammingTopK(qBitsPtr: number, k: number, outIdxPtr: number, rowLimit?: number): number {
    const n = this.limit(rowLimit);
    if (!Number.isInteger(k) || k < 0) throw new QuantextError('E_OPTION', `k must be a non-negative integer; got ${k}`, { option: 'k' });
    if (this.cols > MAX_HAMMING_COLS) throw new QuantextError('E_TOO_LARGE', `Hamming search counts distances in 16 bits: at most ${MAX_HAMMING_COLS} columns; this table has ${this.cols}`, { cols: this.cols });
    const cand = this.scratchPtr('cand', (n + 64) * 4), hist = this.scratchPtr('hist', 4 * (this.rowBytes * 8 + 1) * 4);
    const blk = this.blocked();
    if (blk) {
      // the 16-row block layout (SIMD builds, rows of ≤ 31 bytes): distances are bytes
      const dist = this.scratchPtr('dist', ((n + 15) & ~15) + 16), qs = this.scratchPtr('qsplat', this.rowBytes * 16);
      return this.rt.kernels.hamming_topk_b1_blocked(blk, n, this.rowBytes, qBitsPtr, k, qs, dist, cand, hist, outIdxPtr);
    }
    const dist = this.scratchPtr('dist', Math.max(n, 1) * 2);
    return this.rt.kernels.hamming_topk_b1(this.codesPtr, n, this.rowBytes, this.strideBits, qBitsPtr, k, dist, cand, hist, outIdxPtr);
  }

  /**
   * The codes in blocks of 16 rows (b1_block16), made on the first Hamming search of a SIMD build when rows take at
   * most 31 bytes (binary codes of up to 248 dimensions); 0 otherwise. A search structure of ⌈rows/16⌉·16·rowBytes
   * bytes (about the size of the codes), counted in `searchBytes`, not in `bytes`.
   */
  private blocked(): number {
    if (this.blockedPtr >= 0) return this.blockedPtr;
    if (this.rowBytes > 31 || !this.rt.build.startsWith('simd') || this.rows === 0) return (this.blockedPtr = 0);
    const bytes = ((this.rows + 15) >> 4) * 16 * this.rowBytes;
    const p = this.own(bytes + 16, true);
    this.rt.kernels.b1_block16(this.codesPtr, this.rows, this.rowBytes, this.strideBits, p);
    return (this.blockedPtr = p);
  }

  /** Bytes of the search structure made by the first Hamming search (the 16-row block copy of the codes), or 0. */
  get searchBytes(): number {
    return this.blockedPtr > 0 ? ((this.rows + 15) >> 4) * 16 * this.rowBytes : 0;
  }

  /**
   * The k rows nearest to a query in Hamming distance. `query`: f32 values (signs taken, after centring) or packed
   * bits (Uint8Array of ⌈cols/8⌉ bytes). One popcount pass over the table and a histogram selection.
   */
  searchHamming(query: ArrayLike<number>, k: number, opts: { rowLimit?: number } = {}): HammingResult {
    const n = this.limit(opts.rowLimit);
    const qb = this.packQuery(query);
    const idx = this.scratchPtr('topi', Math.max(Math.min(k, n), 1) * 4);
    const got = this.hammingTopK(qb, k, idx, n);
    const indices = this.rt.arena.i32(idx, got).slice();
    const dp = this.scratchPtr('dist', 0); // the buffer hammingTopK just filled
    const dist = this.blockedPtr > 0 ? this.rt.arena.u8(dp, n) : this.rt.arena.u16(dp, n); // bytes in the block layout
    return { indices, distances: Int32Array.from(indices, (i) => dist[i]) };
  }

  /** The stored record: byte-aligned rows (⌈cols/8⌉ bytes each, numpy `packbits` per row), α, and μ when centred. */
  toQuantized(): QuantizedTensor {
    this.alive();
    const n = this.rows * this.rowBytes;
    const rowsPtr = this.rt.arena.alloc(n + 16);
    let codes: Uint8Array;
    try {
      this.rt.kernels.b1_bits_to_bytes(this.codesPtr, this.rows, this.cols, rowsPtr, this.rowBytes);
      codes = this.rt.arena.u8(rowsPtr, n).slice();
    } finally {
      this.rt.arena.free(rowsPtr);
    }
    return {
      scheme: 'binary', bits: 1, rows: this.rows, cols: this.cols, qmin: 0, qmax: 1, perRow: this.perRow,
      symmetric: true, rounding: 'nearest', calibration: 'minmax', codes, rowBytes: this.rowBytes,
      scales: this.rt.arena.f32(this.alphasPtr, this.groups).slice(), zeroPoints: new Int32Array(this.groups),
      ...(this.centerPtr ? { center: this.rt.arena.f32(this.centerPtr, this.cols).slice() } : {}),
    };
  }
}
