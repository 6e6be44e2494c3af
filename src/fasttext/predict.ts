/**
 * fastText's supervised prediction (src/model.cc, src/loss.cc), in plain TypeScript with fastText's float32
 * arithmetic (every sum and product rounded to float32 as fastText's `real` is, in the same order), so that labels,
 * their order on ties and probabilities equal the tool's: the hidden vector is the mean of the input rows; softmax
 * normalises the output scores; ns and ova put each score through fastText's 512-entry sigmoid table; hs walks the
 * Huffman tree of the label counts depth-first. The top k come from a heap run exactly as libstdc++'s push_heap /
 * pop_heap / sort_heap, which fixes the order of equal scores as the tool's.
 */
import { DenseMatrix, type Matrix } from '../vectors/matrix.js';
import { PQMatrix } from '../vectors/tables/pq.js';
import type { FastTextLoss } from './args.js';

const f = Math.fround;

type Pred = [score: number, label: number];

/** libstdc++'s __push_heap with comp(a, b) = a.score > b.score (a min-heap on the score). */
function pushHeapAt(h: Pred[], hole: number, top: number, v: Pred): void {
  let parent = (hole - 1) >> 1;
  while (hole > top && h[parent][0] > v[0]) {
    h[hole] = h[parent];
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  h[hole] = v;
}

function adjustHeap(h: Pred[], hole: number, len: number, v: Pred): void {
  const top = hole;
  let second = hole;
  while (second < ((len - 1) >> 1)) {
    second = 2 * (second + 1);
    if (h[second][0] > h[second - 1][0]) second--;
    h[hole] = h[second];
    hole = second;
  }
  if ((len & 1) === 0 && second === (len - 2) >> 1) {
    second = 2 * (second + 1);
    h[hole] = h[second - 1];
    hole = second - 1;
  }
  pushHeapAt(h, hole, top, v);
}

function pushHeap(h: Pred[], v: Pred): void {
  h.push(v);
  pushHeapAt(h, h.length - 1, 0, v);
}

/** pop_heap then pop_back. */
function popHeap(h: Pred[]): void {
  const last = h.length - 1;
  if (last > 0) {
    const v = h[last];
    h[last] = h[0];
    adjustHeap(h, 0, last, v);
  }
  h.pop();
}

function sortHeap(h: Pred[]): void {
  for (let last = h.length - 1; last > 0; last--) {
    const v = h[last];
    h[last] = h[0];
    adjustHeap(h, 0, last, v);
  }
}

// fastText calls std::exp on floats (the sigmoid table, hierarchical softmax, and the probabilities it prints), which
// is glibc's expf: since glibc 2.28 the table-based algorithm of ARM's optimized-routines (also musl's, and
// AssemblyScript's expf_lut, which the wasm predictor calls). It rounds a few results to the other neighbour of the
// exact value (its error bound is 0.502 ulp), so fround(Math.exp(x)) differs from it now and then, and fastText's
// printed probabilities with it. This is that algorithm, in double arithmetic as it is written (no fused multiply-add).
const EXP2F_TAB = [
  0x3ff00000, 0x00000000, 0x3fefd9b0, 0xd3158574, 0x3fefb558, 0x6cf9890f, 0x3fef9301, 0xd0125b51,
  0x3fef72b8, 0x3c7d517b, 0x3fef5487, 0x3168b9aa, 0x3fef387a, 0x6e756238, 0x3fef1e9d, 0xf51fdee1,
  0x3fef06fe, 0x0a31b715, 0x3feef1a7, 0x373aa9cb, 0x3feedea6, 0x4c123422, 0x3feece08, 0x6061892d,
  0x3feebfda, 0xd5362a27, 0x3feeb42b, 0x569d4f82, 0x3feeab07, 0xdd485429, 0x3feea47e, 0xb03a5585,
  0x3feea09e, 0x667f3bcd, 0x3fee9f75, 0xe8ec5f74, 0x3feea114, 0x73eb0187, 0x3feea589, 0x994cce13,
  0x3feeace5, 0x422aa0db, 0x3feeb737, 0xb0cdc5e5, 0x3feec491, 0x82a3f090, 0x3feed503, 0xb23e255d,
  0x3feee89f, 0x995ad3ad, 0x3feeff76, 0xf2fb5e47, 0x3fef199b, 0xdd85529c, 0x3fef3720, 0xdcef9069,
  0x3fef5818, 0xdcfba487, 0x3fef7c97, 0x337b9b5f, 0x3fefa4af, 0xa2a490da, 0x3fefd076, 0x5b6e4540,
];
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;
function fromWords(hi: number, lo: number): number {
  words[HI] = hi;
  words[LO] = lo;
  return bits[0];
}
const EXPF_SHIFT = 6755399441055744; // 0x1.8p52
const EXPF_INV_LN2_N = fromWords(0x3ff71547, 0x652b82fe) * 32;
const EXPF_C0 = fromWords(0x3fac6af8, 0x4b912394) / 32 / 32 / 32;
const EXPF_C1 = fromWords(0x3fcebfce, 0x50fac4f3) / 32 / 32;
const EXPF_C2 = fromWords(0x3fe62e42, 0xff0c52d6) / 32;

/** glibc's (and AssemblyScript's expf_lut) single-precision exp of float(x), as a float. */
export function expf(x: number): number {
  x = f(x);
  if (x !== x) return x;
  if (x > 88.72283172607422) return Infinity; // above log(0x1p128)
  if (x < -103.97207641601562) return 0; // below log(0x1p-150)
  const z = EXPF_INV_LN2_N * x;
  bits[0] = z + EXPF_SHIFT;
  const kd = bits[0];
  const ki = words[LO];
  const r = z - (kd - EXPF_SHIFT);
  const i = ki & 31;
  // 2^(k/N): the table entry with k's integer part added to its exponent (ki << 47 over 64 bits)
  const s = fromWords((EXP2F_TAB[2 * i] + (ki << 15)) >>> 0, EXP2F_TAB[2 * i + 1]);
  const zz = EXPF_C0 * r + EXPF_C1;
  let y = EXPF_C2 * r + 1;
  y += zz * (r * r);
  return f(y * s);
}

/** fastText's std_log: log(x + 1e-5) of a float, as a float. */
function stdLog(x: number): number {
  return f(Math.log(f(x) + 1e-5));
}

const SIGMOID_TABLE_SIZE = 512;
const MAX_SIGMOID = 8;
let sigmoidTable: Float32Array | undefined;

/** fastText's sigmoid table (Loss::t_sigmoid_, 513 floats), as the wasm predictor gets it too. */
export function sigmoidTableF32(): Float32Array {
  if (!sigmoidTable) {
    sigmoidTable = new Float32Array(SIGMOID_TABLE_SIZE + 1);
    for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
      const v = f(f((i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE) - MAX_SIGMOID);
      sigmoidTable[i] = 1 / (1 + expf(-v));
    }
  }
  return sigmoidTable;
}

function sigmoidLookup(x: number): number {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  const t = sigmoidTableF32();
  const i = Math.trunc(f(f(f(f(x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID) / 2));
  return t[i];
}

/**
 * Row access with fastText's float arithmetic, for dense and product-quantized tables. `refresh()` takes fresh views
 * of the table in wasm memory; call it before a batch of row operations (nothing here allocates wasm memory, so
 * the views stay valid through the batch).
 */
export class RowOps {
  private readonly dense?: DenseMatrix;
  private readonly pq?: PQMatrix;
  readonly cols: number;
  private data: Float32Array = new Float32Array(0);
  private stride = 0;
  private codes: Uint8Array = new Uint8Array(0);
  private cb: Float32Array = new Float32Array(0);
  private normCodes: Uint8Array = new Uint8Array(0);
  private normCb: Float32Array = new Float32Array(0);

  constructor(readonly m: Matrix) {
    if (m instanceof DenseMatrix) this.dense = m;
    else if (m instanceof PQMatrix) this.pq = m;
    this.cols = m.cols;
  }

  refresh(): void {
    const a = this.m.rt.arena;
    if (this.dense) {
      this.stride = this.dense.stride;
      this.data = a.f32(this.dense.ptr, this.dense.rows * this.dense.stride);
    } else if (this.pq) {
      const p = this.pq;
      this.codes = a.u8(p.codesPtr, p.rows * p.nsub);
      this.cb = a.f32(p.codebookPtr, p.ksub * p.cols);
      if (p.qnorm) {
        this.normCodes = a.u8(p.normCodesPtr, p.rows);
        this.normCb = a.f32(p.normCodebookPtr, 256);
      }
    }
  }

  /**
   * x = Σ rows (fastText's float sums, in order). A dense table adds each row in wasm with `axpy_f32` (α = 1: per
   * element the same float32 additions as fastText's loop, SIMD lanes being independent) into `scratchPtr` (dim
   * floats of wasm memory), then copies out; a PQ table adds in TypeScript. Refreshes the views.
   */
  sumRows(x: Float32Array, rows: ArrayLike<number>, scratchPtr: number): void {
    const d = this.cols;
    if (this.dense && scratchPtr) {
      const k = this.m.rt.kernels, p = this.dense.ptr, rs = this.dense.stride * 4;
      const arena = this.m.rt.arena;
      arena.f32(scratchPtr, d).fill(0);
      for (let r = 0; r < rows.length; r++) k.axpy_f32(scratchPtr, p + rows[r] * rs, 1, d);
      x.set(arena.f32(scratchPtr, d));
      this.refresh();
      return;
    }
    this.refresh();
    x.fill(0);
    for (let r = 0; r < rows.length; r++) this.addRow(x, rows[r]);
  }

  /** x += row i (fastText's addRowToVector; a PQ row adds norm · centroid). */
  addRow(x: Float32Array, i: number): void {
    const d = this.cols;
    if (this.dense) {
      const a = this.data, o = i * this.stride;
      for (let c = 0; c < d; c++) x[c] += a[o + c];
      return;
    }
    if (this.pq) {
      const p = this.pq, cb = this.cb, nsub = p.nsub, dsub = p.dsub, ksub = p.ksub, co = i * nsub;
      const norm = p.qnorm ? this.normCb[this.normCodes[i]] : 1;
      for (let m = 0; m < nsub; m++) {
        const dm = Math.min(dsub, d - m * dsub);
        const base = ksub * m * dsub + this.codes[co + m] * dm;
        for (let n = 0; n < dm; n++) x[m * dsub + n] += f(norm * cb[base + n]);
      }
      return;
    }
    this.m.addRowTo(i, x);
  }

  /** ⟨row i, x⟩ in fastText's order (a PQ row: Σ over centroids, then × norm). */
  dot(x: Float32Array, i: number): number {
    const d = this.cols;
    let s = 0;
    if (this.dense) {
      const a = this.data, o = i * this.stride;
      for (let c = 0; c < d; c++) s = f(s + f(a[o + c] * x[c]));
      return s;
    }
    if (this.pq) {
      const p = this.pq, cb = this.cb, nsub = p.nsub, dsub = p.dsub, ksub = p.ksub, co = i * nsub;
      const norm = p.qnorm ? this.normCb[this.normCodes[i]] : 1;
      for (let m = 0; m < nsub; m++) {
        const dm = Math.min(dsub, d - m * dsub);
        const base = ksub * m * dsub + this.codes[co + m] * dm;
        for (let n = 0; n < dm; n++) s = f(s + f(x[m * dsub + n] * cb[base + n]));
      }
      return f(s * norm);
    }
    return f(this.m.dotRow(i, x));
  }
}

/** fastText's Huffman tree over the label counts (HierarchicalSoftmaxLoss::buildTree). */
export interface HsTree {
  left: Int32Array;
  right: Int32Array;
  osz: number;
}

export function buildHsTree(counts: ArrayLike<number>): HsTree {
  const osz = counts.length;
  const n = Math.max(2 * osz - 1, 0);
  const left = new Int32Array(n).fill(-1), right = new Int32Array(n).fill(-1);
  const count = new Float64Array(n).fill(1e15);
  for (let i = 0; i < osz; i++) count[i] = counts[i];
  let leaf = osz - 1, node = osz;
  for (let i = osz; i < n; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && count[leaf] < count[node]) mini[j] = leaf--;
      else mini[j] = node++;
    }
    left[i] = mini[0];
    right[i] = mini[1];
    count[i] = count[mini[0]] + count[mini[1]];
  }
  return { left, right, osz };
}

export interface PredictState {
  hidden: Float32Array;
  output: Float32Array;
}

/**
 * The k best labels for the input rows (fastText's Model::predict): [log-probability as fastText keeps it, label
 * index] pairs, best first. Empty for no rows.
 */
export function predictRows(
  rows: ArrayLike<number>,
  k: number,
  threshold: number,
  input: RowOps,
  output: RowOps,
  loss: FastTextLoss,
  tree: HsTree | undefined,
  st: PredictState,
  scratchPtr = 0,
): Pred[] {
  const heap: Pred[] = [];
  if (rows.length === 0) return heap;
  const h = st.hidden;
  input.sumRows(h, rows, scratchPtr);
  output.refresh();
  const inv = f(1 / rows.length);
  for (let c = 0; c < h.length; c++) h[c] *= inv;
  if (loss === 'hs') {
    const t = tree!;
    const logThreshold = stdLog(threshold);
    const dfs = (node: number, score: number): void => {
      if (score < logThreshold) return;
      if (heap.length === k && score < heap[0][0]) return;
      if (t.left[node] === -1 && t.right[node] === -1) {
        pushHeap(heap, [score, node]);
        if (heap.length > k) popHeap(heap);
        return;
      }
      let p = output.dot(h, node - t.osz);
      p = f(1 / f(1 + expf(-p)));
      dfs(t.left[node], f(score + stdLog(1 - p)));
      dfs(t.right[node], f(score + stdLog(p)));
    };
    if (t.osz > 0) dfs(2 * t.osz - 2, 0);
    sortHeap(heap);
    return heap;
  }
  const out = st.output;
  const osz = out.length;
  for (let i = 0; i < osz; i++) out[i] = output.dot(h, i);
  if (loss === 'softmax') {
    let max = out[0], z = 0;
    for (let i = 0; i < osz; i++) max = Math.max(out[i], max);
    for (let i = 0; i < osz; i++) {
      out[i] = Math.exp(f(out[i] - max));
      z = f(z + out[i]);
    }
    for (let i = 0; i < osz; i++) out[i] = out[i] / z;
  } else {
    for (let i = 0; i < osz; i++) out[i] = sigmoidLookup(out[i]);
  }
  for (let i = 0; i < osz; i++) {
    if (out[i] < threshold) continue;
    const s = stdLog(out[i]);
    if (heap.length === k && s < heap[0][0]) continue;
    pushHeap(heap, [s, i]);
    if (heap.length > k) popHeap(heap);
  }
  sortHeap(heap);
  return heap;
}
