// gemm (f32, and int8 with int32 accumulation → int32 or f32) over the inference kernels of assembly/infer/, and
// softmax. B is packed into the kernels' panel layout on every call, or once with packB (zero-copy weights).
import { QuantextError } from '../errors.js';
import { WasmOwned } from '../runtime/handle.js';
import type { InferKernels } from '../infer/kernels.js';
import { f32PanelBytes, f32TileScratchBytes, gemmF32 as runGemmF32 } from '../runtime/kernels/index.js';
import { WasmArray, current, state, need, type State } from './state.js';
import { finish, int, len, lenF32, outAt, put, putF32, shape, sz, szF32, type F32, type I32 } from './args.js';

type IK = InferKernels;
/** Up to this many rows, gemm with an unpacked N × K B runs one GEMV per row instead of packing B. */
const GEMV_ROWS = 4;

/**
 * B (a K × N matrix) packed once into the gemm kernels' panel layout in wasm memory, so that gemm calls with it copy
 * and pack nothing: the zero-copy form of gemm's weights. Free with dispose().
 */
export class PackedB extends WasmOwned {
  readonly k: number;
  readonly n: number;
  /** 'f32' or 'int8' (int8 panels; uint8 weights are stored as w − 128, which moves their zero point by −128). */
  readonly dtype: 'f32' | 'int8';
  /** 128 for uint8 weights (stored as w − 128), else 0. */
  readonly zeroPointShift: number;
  private readonly ptr: number;

  /** @internal use packB() */
  constructor(b: F32 | Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>, k: number, n: number, transB: boolean) {
    super(current());
    this.k = int(k, 'k');
    this.n = int(n, 'n');
    const f32 = b instanceof Float32Array || (b instanceof WasmArray && b.dtype === 'f32');
    this.dtype = f32 ? 'f32' : 'int8';
    const unsigned = b instanceof Uint8Array || (b instanceof WasmArray && b.dtype === 'u8');
    this.zeroPointShift = unsigned ? 128 : 0;
    const nb = f32 ? lenF32(b, 'b') : unsigned ? len(b, 'u8', 'b') : len(b, 'i8', 'b');
    if (nb !== k * n) shape(`packB: b has ${nb} entries, not ${k}×${n}`, { length: nb, k, n });
    const bytes = f32 ? f32PanelBytes(n, k) : 4 * ((n + 3) >> 2) * (8 * ((k + 7) >> 3));
    this.ptr = this.own(bytes + 64);
    const s = state().begin(sz(b, nb * (f32 ? 4 : 1)));
    const pb = put(s, b as Float32Array, nb * (f32 ? 4 : 1));
    const [sn, sk] = transB ? [k, 1] : [1, n];
    const ik = s.k as unknown as IK;
    if (f32) ik.pack_f32_panel16(pb, n, k, sn, sk, this.ptr);
    else ik.pack_i8_panel4(pb, n, k, sn, sk, unsigned ? 1 : 0, this.ptr);
  }

  /** @internal */
  address(s: State): number {
    this.alive();
    if (s.rt !== this.rt) throw new QuantextError('E_OPTION', 'this PackedB belongs to another runtime than the one the kernels run on');
    return this.ptr;
  }
}

/**
 * Packs B (K × N, row-major; or N × K with `transB`) for gemm: f32 from a Float32Array, int8 from an Int8Array, or
 * uint8 from a Uint8Array. gemm(a, packed, …) then reads it in place.
 */
export function packB(b: F32 | Int8Array | Uint8Array | WasmArray<'i8'> | WasmArray<'u8'>, k: number, n: number, opts: { transB?: boolean } = {}): PackedB {
  return new PackedB(b, k, n, !!opts.transB);
}

export interface GemmOptions {
  /** B is N × K (C = A·Bᵀ, PyTorch Linear weights) instead of K × N. Ignored for a PackedB. */
  transB?: boolean;
  /** N floats added to every row of C. */
  bias?: Float32Array;
  /** 'relu' applies max(0, ·) after the bias (default 'none'). */
  activation?: 'none' | 'relu';
  /**
   * int8 B: 'f32' (default) or 'i32' (the exact integer sums Σ (a − zpA)(b − zpB), as MatMulInteger). With an f32 A
   * the rows of A are quantized to int8 per row (symmetric, s = max|a|/127) and the output is f32.
   */
  output?: 'f32' | 'i32';
  /** int8: A's scale (one, or M per row) and zero point; B's scale (one, or N per column) and zero point (one, or N). */
  scaleA?: number | Float32Array;
  zeroPointA?: number;
  scaleB?: number | Float32Array;
  zeroPointB?: number | Int32Array;
}

const GEMM_KNOWN = new Set(['transB', 'bias', 'activation', 'output', 'scaleA', 'zeroPointA', 'scaleB', 'zeroPointB']);

/**
 * C[M × N] = A[M × K] · B[K × N] (+ bias) (ReLU), row-major.
 * - f32: A, B Float32Arrays (or WasmArrays, or B a PackedB of f32).
 * - int8: B an Int8Array/Uint8Array (or PackedB of int8), A an Int8Array/Uint8Array of codes (or a Float32Array,
 *   quantized per row); int32 accumulation, exact; output 'i32' or 'f32' = f32(acc)·(scaleA·scaleB) + bias.
 * `out` (Float32Array or Int32Array of M·N, or a WasmArray) receives C; without it a new array is returned.
 */
export function gemm(a: F32 | Int8Array | Uint8Array | WasmArray, b: F32 | Int8Array | Uint8Array | WasmArray | PackedB, m: number, k: number, n: number, opts?: GemmOptions, out?: F32 | I32): any {
  int(m, 'm'); int(k, 'k'); int(n, 'n');
  if (opts !== undefined) for (const key in opts) if (!GEMM_KNOWN.has(key)) throw new QuantextError('E_OPTION', `gemm: unknown option '${key}'`, { option: key });
  const packed = b instanceof PackedB;
  if (packed && (b.k !== k || b.n !== n)) shape(`gemm: the packed B is ${b.k}×${b.n}, not ${k}×${n}`);
  const bF32 = packed ? b.dtype === 'f32' : b instanceof Float32Array || (b instanceof WasmArray && b.dtype === 'f32');
  const act = opts?.activation ?? 'none';
  if (act !== 'none' && act !== 'relu') throw new QuantextError('E_OPTION', `gemm: activation must be 'none' or 'relu'; got ${JSON.stringify(act)}`, { option: 'activation' });
  const bias = opts?.bias;
  if (bias !== undefined && (!(bias instanceof Float32Array) || bias.length !== n)) shape(`gemm: bias must be a Float32Array of ${n}`, { option: 'bias' });
  return bF32 ? gemmF32(a as F32, b as F32 | PackedB, m, k, n, opts, bias, act === 'relu', out as F32) : gemmI8(a, b, m, k, n, opts, bias, act === 'relu', out);
}

function gemmF32(a: F32, b: F32 | PackedB, m: number, k: number, n: number, opts: GemmOptions | undefined, bias: Float32Array | undefined, relu: boolean, out: F32 | undefined): F32 {
  if (opts?.output === 'i32' || opts?.scaleA !== undefined || opts?.scaleB !== undefined || opts?.zeroPointA !== undefined || opts?.zeroPointB !== undefined) {
    throw new QuantextError('E_OPTION', 'gemm: output, scales and zero points apply to int8 B', { option: 'output' });
  }
  const na = lenF32(a, 'a');
  if (na !== m * k) shape(`gemm: a has ${na} entries, not ${m}×${k}`, { length: na, m, k });
  const packed = b instanceof PackedB;
  const nb = packed ? k * n : lenF32(b, 'b');
  if (nb !== k * n) shape(`gemm: b has ${nb} entries, not ${k}×${n}`, { length: nb, k, n });
  if (out !== undefined && lenF32(out, 'out') < m * n) shape(`gemm: out holds ${out.length}; ${m * n} are needed`);
  // a few rows against an N × K B (PyTorch layout): one GEMV kernel call per row reads B as it is, so nothing is
  // packed per call (packing B costs more than a small product)
  const gemv = !packed && opts?.transB === true && m <= GEMV_ROWS;
  const wpBytes = packed || gemv ? 0 : need(f32PanelBytes(n, k));
  const xiBytes = gemv || state().rt.f32Gemm !== 'tiles4' ? 0 : need(f32TileScratchBytes(m, k));
  const s = state().begin(szF32(a, na) + (packed ? 0 : szF32(b, nb)) + wpBytes + xiBytes + (bias ? need(n * 4) : 0) + sz(out ?? 0, m * n * 4));
  const ik = s.k as unknown as IK;
  const pa = putF32(s, a, na);
  if (gemv) {
    const pb = putF32(s, b as F32, nb);
    const pbias = bias ? putF32(s, bias, n) : 0;
    const py = outAt(s, out, m * n * 4);
    for (let i = 0; i < m; i++) {
      const yi = py + i * n * 4;
      s.k.matvec_f32(pb, n, k, k, pa + i * k * 4, yi);
      if (pbias) s.k.axpy_f32(yi, pbias, 1, n);
    }
    if (relu) ik.relu_f32(py, m * n, py);
    return finish(s, py, m * n, 'f32', out);
  }
  let wp: number;
  if (packed) wp = (b as PackedB).address(s);
  else {
    const pb = putF32(s, b as F32, nb);
    wp = s.take(f32PanelBytes(n, k));
    if (opts?.transB) ik.pack_f32_panel16(pb, n, k, k, 1, wp);
    else ik.pack_f32_panel16(pb, n, k, 1, n, wp);
  }
  const pbias = bias ? putF32(s, bias, n) : 0;
  const py = outAt(s, out, m * n * 4);
  const xi = xiBytes ? s.take(f32TileScratchBytes(m, k)) : 0;
  runGemmF32(s.rt, pa, m, k, wp, n, pbias, relu ? 1 : 0, py, xi);
  return finish(s, py, m * n, 'f32', out);
}

function gemmI8(a: unknown, b: unknown, m: number, k: number, n: number, opts: GemmOptions | undefined, bias: Float32Array | undefined, relu: boolean, out: unknown): any {
  const packed = b instanceof PackedB;
  const output = opts?.output ?? 'f32';
  if (output !== 'f32' && output !== 'i32') throw new QuantextError('E_OPTION', `gemm: output must be 'f32' or 'i32'; got ${JSON.stringify(output)}`, { option: 'output' });
  const aF32 = a instanceof Float32Array || (a instanceof WasmArray && a.dtype === 'f32');
  if (aF32 && output === 'i32') throw new QuantextError('E_OPTION', "gemm: output 'i32' needs integer A codes", { option: 'output' });
  if (output === 'i32' && (bias || relu || opts?.scaleA !== undefined || opts?.scaleB !== undefined)) {
    throw new QuantextError('E_OPTION', "gemm: bias, activation and scales apply to output 'f32'", { option: 'output' });
  }
  if (aF32 && (opts?.scaleA !== undefined || opts?.zeroPointA !== undefined)) throw new QuantextError('E_OPTION', 'gemm: an f32 A is quantized per row: scaleA and zeroPointA apply to integer A', { option: 'scaleA' });
  const aU8 = a instanceof Uint8Array || (a instanceof WasmArray && a.dtype === 'u8');
  const na = aF32 ? lenF32(a, 'a') : aU8 ? len(a, 'u8', 'a') : len(a, 'i8', 'a');
  if (na !== m * k) shape(`gemm: a has ${na} entries, not ${m}×${k}`, { length: na, m, k });
  const bU8 = packed ? (b as PackedB).zeroPointShift !== 0 : b instanceof Uint8Array || (b instanceof WasmArray && b.dtype === 'u8');
  const nb = packed ? k * n : bU8 ? len(b, 'u8', 'b') : len(b, 'i8', 'b');
  if (nb !== k * n) shape(`gemm: b has ${nb} entries, not ${k}×${n}`, { length: nb, k, n });
  const zpA = opts?.zeroPointA ?? 0;
  if (!Number.isInteger(zpA) || zpA < -255 || zpA > 255) throw new QuantextError('E_OPTION', `gemm: zeroPointA must be an integer in −255…255; got ${zpA}`, { option: 'zeroPointA' });
  const zpB = opts?.zeroPointB;
  if (zpB !== undefined && typeof zpB !== 'number' && !(zpB instanceof Int32Array && zpB.length === n)) shape(`gemm: zeroPointB must be a number or an Int32Array of ${n}`, { option: 'zeroPointB' });
  if (typeof zpB === 'number' && !Number.isInteger(zpB)) throw new QuantextError('E_OPTION', 'gemm: zeroPointB must be an integer', { option: 'zeroPointB' });
  const shift = bU8 ? 128 : 0;
  if (shift && zpB instanceof Int32Array) throw new QuantextError('E_OPTION', 'gemm: uint8 B takes one zeroPointB (per-column zero points: int8 B)', { option: 'zeroPointB' });
  const needZp = shift !== 0 || (zpB !== undefined && (typeof zpB !== 'number' || zpB !== 0));
  const sA = opts?.scaleA ?? 1, sB = opts?.scaleB ?? 1;
  const nsA = typeof sA === 'number' ? 1 : sA instanceof Float32Array && sA.length === m ? m : -1;
  const nsB = typeof sB === 'number' ? 1 : sB instanceof Float32Array && sB.length === n ? n : -1;
  if (nsA < 0) shape(`gemm: scaleA must be a number or a Float32Array of ${m}`, { option: 'scaleA' });
  if (nsB < 0) shape(`gemm: scaleB must be a number or a Float32Array of ${n}`, { option: 'scaleB' });
  checkOutAny(out, output === 'i32' ? 'i32' : 'f32', m * n);
  const kp = 8 * ((k + 7) >> 3), n4 = 4 * ((n + 3) >> 2);
  const s = state().begin(
    (aF32 ? szF32(a, na) : sz(a, na)) + (packed ? 0 : sz(b, nb) + need(n4 * kp)) + need(m * kp * 2) + need(m * n4 * 4) +
      need(m * 4) + need(n4 * 4) + need(m * 4) + need(n * 4) + (bias ? need(n * 4) : 0) + sz(out ?? 0, m * n * 4),
  );
  const ik = s.k as unknown as IK;
  const pa = put(s, a as Int8Array, aF32 ? na * 4 : na);
  let wp: number;
  if (packed) wp = (b as PackedB).address(s);
  else {
    const pb = put(s, b as Int8Array, nb);
    wp = s.take(n4 * kp);
    if (opts?.transB) ik.pack_i8_panel4(pb, n, k, k, 1, bU8 ? 1 : 0, wp);
    else ik.pack_i8_panel4(pb, n, k, 1, n, bU8 ? 1 : 0, wp);
  }
  const xq = s.take(m * kp * 2), acc = s.take(m * n4 * 4);
  const xs = s.take(m * 4);
  if (aF32) {
    if (ik.quantize_i16_sym_per_row(pa, m, k, kp, xq, xs)) throw new QuantextError('E_NAN', 'gemm: a holds NaN or ±Infinity');
  } else {
    ik.widen_i8_i16(pa, m, k, kp, aU8 ? 1 : 0, zpA, xq);
    if (typeof sA === 'number') s.f32[xs >>> 2] = sA;
    else s.f32.set(sA, xs >>> 2);
  }
  ik.gemm_i8_packed(xq, m, kp, wp, n, acc);
  let rowsum = 0, wzp = 0;
  if (needZp) {
    rowsum = s.take(m * 4);
    wzp = s.take(n4 * 4);
    ik.rowsum_i16(xq, m, kp, rowsum);
    const z = s.i32.subarray(wzp >>> 2, (wzp >>> 2) + n);
    if (zpB instanceof Int32Array) z.set(zpB);
    else z.fill((zpB ?? 0) - shift);
  }
  const py = outAt(s, out, m * n * 4);
  if (output === 'i32') {
    ik.epilogue_i32_i32(acc, m, n, n4, rowsum, wzp, py);
    return finish(s, py, m * n, 'i32', out);
  }
  const ws = s.take(n * 4);
  if (typeof sB === 'number') s.f32[ws >>> 2] = sB;
  else s.f32.set(sB, ws >>> 2);
  const pbias = bias ? putF32(s, bias, n) : 0;
  ik.epilogue_i32_f32(acc, m, n, n4, rowsum, wzp, xs, aF32 || nsA === m ? 1 : 0, ws, nsB === n ? 1 : 0, pbias, relu ? 1 : 0, py);
  return finish(s, py, m * n, 'f32', out);
}

function checkOutAny(out: unknown, d: 'f32' | 'i32', n: number): void {
  if (out === undefined) return;
  const m = len(out, d, 'out');
  if (m < n) shape(`gemm: out holds ${m}; ${n} are needed`);
}

/**
 * Softmax over the last axis of a rows × cols matrix (cols defaults to x's length): e^(x − max) / Σ per row, f64
 * sums (`log: true` gives the log-softmax). Into `out` when given, else a new array; `out` may be x itself.
 */
export function softmax(x: F32, cols?: number, out?: F32, opts?: { log?: boolean }): F32 {
  const n = lenF32(x, 'x');
  const C = cols === undefined ? n : int(cols, 'cols');
  const rows = C ? n / C : 0;
  if (!Number.isInteger(rows) || (C === 0 && n !== 0)) shape(`softmax: ${n} values are not rows of ${C}`);
  if (out !== undefined && lenF32(out, 'out') < n) shape(`softmax: out holds ${out.length}; ${n} are needed`);
  const s = state().begin(szF32(x, n) + sz(out ?? 0, n * 4));
  const px = putF32(s, x, n), py = outAt(s, out, n * 4);
  (s.k as unknown as IK).softmax_f32_per_row(px, rows, C, opts?.log ? 1 : 0, py);
  return finish(s, py, n, 'f32', out);
}
