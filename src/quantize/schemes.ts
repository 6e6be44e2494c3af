/**
 * Schemes, code ranges, options and constants of quantext's quantizers (docs/quantization.md §1).
 * Plain data and validation only: no wasm here.
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';

/** The storage schemes `quantize` knows. `int` takes `bits` (2…8); the others imply their width. */
export type Scheme = 'int8' | 'uint8' | 'int4' | 'int2' | 'int' | 'ternary' | 'binary' | 'fp16' | 'bf16';
export type Rounding = 'nearest' | 'stochastic';
export type Calibration = 'minmax' | 'percentile' | 'mse';
export type NanPolicy = 'error' | 'zero';

export const SCHEMES: readonly Scheme[] = Object.freeze(['int8', 'uint8', 'int4', 'int2', 'int', 'ternary', 'binary', 'fp16', 'bf16']);

/** Centroids per PQ sub-space (one-byte codes), as fastText. Mirrors assembly/quant/constants.ts. */
export const PQ_KSUB = 256;
/** k-means iterations (fastText niter_). */
export const PQ_NITER = 25;
/** Training points sampled per centroid at most (fastText max_points_per_cluster_). */
export const PQ_MAX_POINTS_PER_CLUSTER = 256;
/** Ternary threshold factor Δ = 0.7·mean|x| (Ternary Weight Networks). */
export const TWN_DELTA = 0.7;
/** Candidates of the MSE-optimal clipping search: ratios from 1 down to MSE_MIN_RATIO. */
export const MSE_CANDIDATES = 64;
export const MSE_MIN_RATIO = 0.2;
/** Default percentile of percentile calibration. */
export const DEFAULT_PERCENTILE = 99.99;
/** Largest finite fp16. */
export const F16_MAX = 65504;

export interface QuantizeOptions {
  /** Storage scheme (default 'int8'). */
  scheme?: Scheme;
  /** Bit width for scheme 'int' (2…8); checked against the scheme otherwise. */
  bits?: number;
  /** One scale (and zero point) per row instead of one per tensor. Needs `rows`/`cols`. Default false. */
  perRow?: boolean;
  /** Shape of the tensor as a row-major matrix. Default: one row of `tensor.length`. */
  rows?: number;
  cols?: number;
  /** Zero point 0 and a range symmetric around 0. Default true for signed schemes, false for uint8. */
  symmetric?: boolean;
  /** Round to nearest (ties to even, default) or stochastically (seeded, unbiased). */
  rounding?: Rounding;
  /** Seed of stochastic rounding (default 0). */
  seed?: number;
  /** How the clipping range is chosen (default 'minmax'). */
  calibration?: Calibration;
  /** For calibration 'percentile' (default 99.99), in (50, 100]. */
  percentile?: number;
  /** NaN/±Inf input: throw E_NAN naming the first bad index (default) or quantize them as 0. */
  nan?: NanPolicy;
  /** The runtime whose kernels do the work (default: the one `init()` made). */
  rt?: Runtime;
}

/** A scheme's code range and container. */
export interface SchemeInfo {
  scheme: Scheme;
  bits: number;
  qmin: number;
  qmax: number;
  /** Codes per byte in storage: 1 (one byte each), 2 (int4), 4 (int2, ternary), 8 (binary); 0 for fp16/bf16. */
  perByte: number;
  /** Unsigned codes (uint8). */
  unsigned: boolean;
}

/** Code range and packing of a scheme (and, for 'int', a bit width). */
export function schemeInfo(scheme: Scheme, bits?: number): SchemeInfo {
  const fixed: Record<Exclude<Scheme, 'int'>, number> = { int8: 8, uint8: 8, int4: 4, int2: 2, ternary: 2, binary: 1, fp16: 16, bf16: 16 };
  if (!SCHEMES.includes(scheme)) {
    throw new QuantextError('E_OPTION', `scheme must be one of ${SCHEMES.join(', ')}; got '${String(scheme)}'`, { option: 'scheme' });
  }
  if (scheme === 'int') {
    if (!Number.isInteger(bits) || bits! < 2 || bits! > 8) {
      throw new QuantextError('E_OPTION', `bits must be an integer in 2…8 for scheme 'int'; got ${bits}`, { option: 'bits' });
    }
    const b = bits!;
    return { scheme, bits: b, qmin: -(1 << (b - 1)), qmax: (1 << (b - 1)) - 1, perByte: b === 4 ? 2 : b === 2 ? 4 : 1, unsigned: false };
  }
  const b = fixed[scheme];
  if (bits !== undefined && bits !== b) {
    throw new QuantextError('E_OPTION', `scheme '${scheme}' has ${b} bits; got bits: ${bits} (use scheme 'int' for other widths)`, { option: 'bits' });
  }
  switch (scheme) {
    case 'int8': return { scheme, bits: 8, qmin: -128, qmax: 127, perByte: 1, unsigned: false };
    case 'uint8': return { scheme, bits: 8, qmin: 0, qmax: 255, perByte: 1, unsigned: true };
    case 'int4': return { scheme, bits: 4, qmin: -8, qmax: 7, perByte: 2, unsigned: false };
    case 'int2': return { scheme, bits: 2, qmin: -2, qmax: 1, perByte: 4, unsigned: false };
    case 'ternary': return { scheme, bits: 2, qmin: -1, qmax: 1, perByte: 4, unsigned: false };
    case 'binary': return { scheme, bits: 1, qmin: 0, qmax: 1, perByte: 8, unsigned: false };
    default: return { scheme, bits: 16, qmin: 0, qmax: 0, perByte: 0, unsigned: false };
  }
}

/** True for the schemes with a scale and zero point (int8, uint8, int4, int2, int). */
export function isAffine(scheme: Scheme): boolean {
  return scheme === 'int8' || scheme === 'uint8' || scheme === 'int4' || scheme === 'int2' || scheme === 'int';
}

/** Bytes per row of stored codes. */
export function rowBytes(info: SchemeInfo, cols: number): number {
  if (info.perByte === 0) return cols * 2;
  return Math.ceil(cols / info.perByte);
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  info: SchemeInfo;
  rows: number;
  cols: number;
  perRow: boolean;
  symmetric: boolean;
  rounding: Rounding;
  seed: number;
  calibration: Calibration;
  percentile: number;
  nan: NanPolicy;
}

const KNOWN = new Set(['scheme', 'bits', 'perRow', 'rows', 'cols', 'symmetric', 'rounding', 'seed', 'calibration', 'percentile', 'nan', 'rt']);

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new QuantextError('E_OPTION', `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(v)}`, { option: name });
  return v as T;
}

/** Checks a shape: non-negative integers with rows·cols = n. */
export function resolveShape(n: number, rows?: number, cols?: number): { rows: number; cols: number } {
  for (const [k, v] of [['rows', rows], ['cols', cols]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new QuantextError('E_OPTION', `${k} must be a non-negative integer; got ${v}`, { option: k });
  }
  let r = rows, c = cols;
  if (r === undefined && c === undefined) { r = 1; c = n; }
  else if (r === undefined) r = c ? n / c : 0;
  else if (c === undefined) c = r ? n / r : 0;
  if (!Number.isInteger(r) || !Number.isInteger(c) || r! * c! !== n) {
    throw new QuantextError('E_SHAPE', `a tensor of ${n} values is not ${rows ?? '?'}×${cols ?? '?'}`, { length: n, rows, cols });
  }
  return { rows: r!, cols: c! };
}

/** Applies defaults and validates every option, naming the offending one. */
export function resolveOptions(n: number, opts: QuantizeOptions): ResolvedOptions {
  if (opts === null || typeof opts !== 'object') throw new QuantextError('E_OPTION', 'options must be an object');
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw new QuantextError('E_OPTION', `unknown option '${k}'`, { option: k });
  const scheme = opts.scheme ?? 'int8';
  const info = schemeInfo(scheme, opts.bits);
  const { rows, cols } = resolveShape(n, opts.rows, opts.cols);
  const perRow = opts.perRow ?? false;
  if (typeof perRow !== 'boolean') throw new QuantextError('E_OPTION', `perRow must be a boolean; got ${JSON.stringify(perRow)}`, { option: 'perRow' });
  if (perRow && opts.rows === undefined && opts.cols === undefined) {
    throw new QuantextError('E_OPTION', 'perRow needs the shape: pass rows and/or cols', { option: 'perRow' });
  }
  const symmetric = opts.symmetric ?? !info.unsigned;
  if (typeof symmetric !== 'boolean') throw new QuantextError('E_OPTION', `symmetric must be a boolean`, { option: 'symmetric' });
  const rounding = oneOf('rounding', opts.rounding, ['nearest', 'stochastic'] as const, 'nearest');
  const calibration = oneOf('calibration', opts.calibration, ['minmax', 'percentile', 'mse'] as const, 'minmax');
  const nan = oneOf('nan', opts.nan, ['error', 'zero'] as const, 'error');
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new QuantextError('E_OPTION', `seed must be an integer in [0, 2^32); got ${seed}`, { option: 'seed' });
  const percentile = opts.percentile ?? DEFAULT_PERCENTILE;
  if (typeof percentile !== 'number' || !(percentile > 50 && percentile <= 100)) {
    throw new QuantextError('E_OPTION', `percentile must be in (50, 100]; got ${percentile}`, { option: 'percentile' });
  }
  const affine = isAffine(info.scheme);
  if (!affine && (opts.rounding === 'stochastic')) {
    throw new QuantextError('E_OPTION', `rounding 'stochastic' applies to the integer schemes, not '${scheme}'`, { option: 'rounding' });
  }
  if (!affine && opts.calibration !== undefined && opts.calibration !== 'minmax') {
    throw new QuantextError('E_OPTION', `calibration '${opts.calibration}' applies to the integer schemes, not '${scheme}'`, { option: 'calibration' });
  }
  if (!affine && opts.symmetric === false) {
    throw new QuantextError('E_OPTION', `scheme '${scheme}' is symmetric by definition`, { option: 'symmetric' });
  }
  return { info, rows, cols, perRow, symmetric, rounding, seed, calibration, percentile, nan };
}
