import { QuantextError } from '../errors.js';

/** A numeric flag: finite, or the default when absent. */
export function num(flag: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new QuantextError('E_OPTION', `${flag} must be a number, got '${String(v)}'`, { option: flag });
  return n;
}

/** An integer flag. */
export function int(flag: string, v: unknown, dflt: number): number {
  const n = num(flag, v, dflt);
  if (!Number.isInteger(n)) throw new QuantextError('E_OPTION', `${flag} must be an integer, got '${String(v)}'`, { option: flag });
  return n;
}

export function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new QuantextError('E_OPTION', `${flag} must be one of ${allowed.join(', ')}, got '${v}'`, { option: flag });
  return v as T;
}
