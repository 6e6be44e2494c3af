import { QuantextError } from '../errors.js';

/** Allowed range of a numeric flag; `min`/`max` are inclusive unless `minExclusive`. */
export interface Range {
  min?: number;
  max?: number;
  /** `min` itself is not allowed (e.g. a learning rate > 0). */
  minExclusive?: boolean;
}

function describe(kind: 'integer' | 'number', r: Range): string {
  const { min, max, minExclusive } = r;
  const noun = kind === 'integer' ? 'integer' : 'number';
  let base: string;
  const upper = max;
  if (min === undefined) base = kind === 'integer' ? 'an integer' : 'a finite number';
  else if (min === 0 && minExclusive) base = `a positive ${noun}`;
  else if (min === 0) base = `a non-negative ${noun}`;
  else if (min === 1 && kind === 'integer') base = 'a positive integer';
  else if (max !== undefined) return `${kind === 'integer' ? 'an integer' : 'a number'} in ${minExclusive ? '(' : '['}${min}, ${max}]`;
  else base = `${kind === 'integer' ? 'an integer' : 'a number'} ${minExclusive ? '>' : '≥'} ${min}`;
  if (min === 0 && !minExclusive && max !== undefined && kind === 'number') return `a number in [0, ${max}]`;
  return upper === undefined ? base : `${base} ≤ ${upper}`;
}

function check(flag: string, v: unknown, n: number, kind: 'integer' | 'number', r: Range): number {
  const ok =
    Number.isFinite(n) &&
    (kind === 'number' || Number.isSafeInteger(n)) &&
    (r.min === undefined || (r.minExclusive ? n > r.min : n >= r.min)) &&
    (r.max === undefined || n <= r.max);
  if (!ok) {
    throw new QuantextError('E_OPTION', `${flag} must be ${describe(kind, r)}; got ${String(v)}`, { option: flag, value: v });
  }
  return n;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return NaN; // a flag given twice (an array), a bare flag (true)
  return Number(v);
}

/** A numeric flag: finite and in `range`, or the default when absent. */
export function num(flag: string, v: unknown, dflt: number, range: Range = {}): number {
  if (v === undefined) return dflt;
  return check(flag, v, toNumber(v), 'number', range);
}

/** An integer flag in `range`, or the default when absent. */
export function int(flag: string, v: unknown, dflt: number, range: Range = {}): number {
  if (v === undefined) return dflt;
  return check(flag, v, toNumber(v), 'integer', range);
}

/** A positive integer flag (counts, sizes, `--topn`). */
export function positiveInt(flag: string, v: unknown, dflt: number, max?: number): number {
  return int(flag, v, dflt, { min: 1, max });
}

/** A random seed: a non-negative integer below 2^32 (what word2vec C, fastText and numpy accept). */
export function seed(flag: string, v: unknown, dflt: number): number {
  return int(flag, v, dflt, { min: 0, max: 2 ** 32 - 1 });
}

export function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new QuantextError('E_OPTION', `${flag} must be one of ${allowed.join(', ')}, got '${v}'`, { option: flag });
  return v as T;
}

/** A string flag (cac turns numeric-looking values into numbers: `--out 2024` is the file '2024'). */
export function str(v: unknown): string | undefined {
  return v === undefined || v === '' || v === false ? undefined : String(v);
}

const NEGATIVE_NUMBER = /^-(?:\d|\.\d|inf(?:inity)?$|nan$)/i;

/**
 * `--dim -5` is the value -5, not the flag `-5`: joins a flag that takes a value (`valueFlags`, e.g. '--dim') and a
 * following negative number into `--dim=-5`, which the parser reads as a value (so it can be validated and
 * rejected with a clear message). Nothing after `--` is touched.
 */
export function joinNegativeValues(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (valueFlags.has(a) && i + 1 < argv.length && NEGATIVE_NUMBER.test(argv[i + 1])) {
      out.push(`${a}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}
