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

/** fastText's std_log: log(x + 1e-5) of a float, as a float. */
function stdLog(x: number): number {
  return f(Math.log(f(x) + 1e-5));
}

const SIGMOID_TABLE_SIZE = 512;
const MAX_SIGMOID = 8;
let sigmoidTable: Float32Array | undefined;
function sigmoidLookup(x: number): number {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  if (!sigmoidTable) {
    sigmoidTable = new Float32Array(SIGMOID_TABLE_SIZE + 1);
    for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
      const v = f(f((i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE) - MAX_SIGMOID);
      sigmoidTable[i] = 1 / (1 + f(Math.exp(-v)));
    }
  }
  const i = Math.trunc(f(f(f(f(x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID) / 2));
  return sigmoidTable[i];
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
      p = f(1 / f(1 + f(Math.exp(-p))));
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
