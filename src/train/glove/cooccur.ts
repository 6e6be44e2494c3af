// GloVe's co-occurrence counts (the Stanford tool's cooccur.c), kept in wasm memory as an open-addressing hash table
// of (u32 i, u32 j, f64 x) cells that doubles when 70 % full, then packed in place into the training records.
// JavaScript only stages word ids (one typed-array copy per batch); every pair is counted in wasm.
import { QuantextError } from '../../errors.js';
import type { TrainMemory } from '../memory.js';

/** Sentence break in the staged ids: the window does not reach across it. */
const BREAK = -2;
/** Word ids staged per kernel call. */
const STAGE = 1 << 18;
const MAX_LOAD = 0.7;
const START_LOG_CAP = 16;
/** The largest table: 2^27 slots of 16 bytes (2 GiB), about 94 M distinct pairs. */
const MAX_LOG_CAP = 27;

/** The co-occurrence matrix in coordinate form, sorted by row then column. */
export interface CooccurrenceTriples {
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/** Options of the count (cooccur.c's -window-size, -symmetric, -distance-weighting). */
export interface CooccurOptions {
  window: number;
  symmetric: boolean;
  distanceWeighting: boolean;
}

/**
 * Counts X[i, j] as cooccur.c does: within a sentence, for each word w₂ and each earlier word w₁ at most `window`
 * positions before it (positions over known words only: unknown words are dropped first), X[w₁, w₂] += 1/distance,
 * and with `symmetric` also X[w₂, w₁] += 1/distance. Feed sentences with add(), then finish().
 */
export class CooccurrenceCounter {
  private table: number;
  private logCap = START_LOG_CAP;
  private state: number;
  private stage: number;
  private buf: Int32Array;
  private n = 0;
  /** staged ids before `from` are the previous batch's tail, context only */
  private from = 0;
  private done = false;
  /** Tokens counted (known words). */
  tokens = 0;

  constructor(private mem: TrainMemory, private opts: CooccurOptions) {
    this.buf = new Int32Array(STAGE + opts.window + 1);
    this.state = mem.alloc(16, true);
    this.stage = mem.alloc(this.buf.length * 4);
    this.table = this.newTable(this.logCap);
  }

  private newTable(logCap: number): number {
    const bytes = 2 ** logCap * 16;
    const p = this.mem.alloc(bytes);
    this.mem.rt.arena.u8(p, bytes).fill(0xff);
    return p;
  }

  /** Distinct (i, j) cells counted so far. */
  get size(): number {
    return this.mem.rt.arena.i32(this.state, 1)[0];
  }

  /** Bytes the table holds now. */
  get bytes(): number {
    return 2 ** this.logCap * 16;
  }

  /** Adds one sentence of word ids (negative ids, unknown words, are dropped). */
  add(ids: ArrayLike<number>, start = 0, end = ids.length): void {
    if (this.done) throw new QuantextError('E_OPTION', 'CooccurrenceCounter: add() after finish()');
    const buf = this.buf;
    for (let k = start; k < end; k++) {
      const id = ids[k];
      if (id < 0) continue;
      buf[this.n++] = id;
      this.tokens++;
      if (this.n === buf.length - 1) this.flush();
    }
    if (this.n > 0 && buf[this.n - 1] !== BREAK) buf[this.n++] = BREAK;
    if (this.n >= STAGE) this.flush();
  }

  /** Counts the staged ids in wasm, growing the table as needed; keeps the last `window` ids as context. */
  private flush(): void {
    const { rt } = this.mem;
    const k = rt.kernels;
    const w = this.opts.window;
    if (this.n > this.from) {
      rt.arena.i32(this.stage, this.n).set(this.buf.subarray(0, this.n));
      const flags = (this.opts.symmetric ? 1 : 0) | (this.opts.distanceWeighting ? 2 : 0);
      let at = this.from;
      for (;;) {
        at = k.glove_cooccur(this.table, this.logCap, this.state, this.stage, at, this.n, w, flags, Math.floor(2 ** this.logCap * MAX_LOAD));
        if (at >= this.n) break;
        this.grow();
      }
    }
    const keep = Math.min(w, this.n);
    this.buf.copyWithin(0, this.n - keep, this.n);
    this.n = this.from = keep;
  }

  private grow(): void {
    if (this.logCap >= MAX_LOG_CAP) {
      throw new QuantextError('E_OOM', `GloVe: more than ${Math.floor(2 ** MAX_LOG_CAP * MAX_LOAD)} distinct co-occurring pairs do not fit in wasm32 memory; raise minCount or lower window`);
    }
    const next = this.newTable(this.logCap + 1);
    this.mem.rt.kernels.glove_rehash(this.table, 2 ** this.logCap, next, this.logCap + 1);
    this.mem.free(this.table);
    this.table = next;
    this.logCap++;
  }

  /** Counts whatever is staged. */
  finish(): void {
    if (this.done) return;
    this.flush();
    this.done = true;
    this.mem.free(this.stage);
    this.stage = 0;
  }

  /** The counts as sorted triples (a copy, for inspection and tests). */
  triples(): CooccurrenceTriples {
    this.finish();
    const a = this.mem.rt.arena, cap = 2 ** this.logCap;
    const u = a.u32(this.table, cap * 4);
    const f = a.f64(this.table, cap * 2);
    const cells: number[] = [];
    for (let s = 0; s < cap; s++) if (u[s * 4] !== 0xffffffff) cells.push(s);
    cells.sort((p, q) => u[p * 4] - u[q * 4] || u[p * 4 + 1] - u[q * 4 + 1]);
    return {
      rows: Int32Array.from(cells, (s) => u[s * 4]),
      cols: Int32Array.from(cells, (s) => u[s * 4 + 1]),
      values: Float64Array.from(cells, (s) => f[s * 2 + 1]),
    };
  }

  /**
   * Packs the table in place into GloVe's training records (u32 i, u32 j, f32 log x, f32 f(x)), f(x) = min(1,
   * (x/xMax)^alpha). The caller owns the returned block (free it with the model's memory); the counter is spent.
   */
  compact(xMax: number, alpha: number): { ptr: number; n: number } {
    this.finish();
    const n = this.mem.rt.kernels.glove_compact(this.table, 2 ** this.logCap, Math.log(xMax), alpha);
    const ptr = this.table;
    this.table = 0;
    this.mem.free(this.state);
    this.state = 0;
    return { ptr, n };
  }

  /** Frees the table (when compact() was not called). */
  dispose(): void {
    if (this.stage) this.mem.free(this.stage);
    if (this.table) this.mem.free(this.table);
    if (this.state) this.mem.free(this.state);
    this.stage = this.table = this.state = 0;
    this.done = true;
  }
}
