/**
 * Every failure a user can cause surfaces as a QuantextError with a stable `code`.
 * Codes are part of the public API: match on `err.code`, not on the message.
 */
export type ErrorCode =
  | 'E_OPTION' // an option has a wrong type, range or combination
  | 'E_FORMAT' // a file or buffer is not in the expected format
  | 'E_TRUNCATED' // a file ends before its header says it should
  | 'E_TOO_LARGE' // a request exceeds a configured or hard limit
  | 'E_OOV' // a word is not in the vocabulary
  | 'E_NAN' // NaN or ±Infinity where finite numbers are required
  | 'E_OOM' // wasm linear memory cannot grow to what is needed
  | 'E_DISPOSED' // an object was used after dispose()
  | 'E_UNSUPPORTED' // a feature this runtime or file does not support
  | 'E_NOT_INITIALIZED' // a synchronous call before `await init()`
  | 'E_WASM' // the wasm module failed to load, validate or pass its probe
  | 'E_EMPTY' // an empty corpus, vocabulary or tensor where data is required
  | 'E_IO' // reading or writing a file failed
  | 'E_ABORTED' // an AbortSignal fired
  | 'E_DIVERGED' // training diverged: the loss or the weights became non-finite (the learning rate is too large)
  | 'E_BUSY' // the object is already running a call that cannot overlap (e.g. train())
  | 'E_SHAPE'; // dimensions that do not agree

export class QuantextError extends Error {
  readonly code: ErrorCode;
  /** Optional structured context: file, byte offset, option name, index… */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuantextError';
    this.code = code;
    if (details) this.details = details;
  }
}

/** Throws E_OPTION unless `cond` holds. */
export function check(cond: unknown, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new QuantextError('E_OPTION', message, details);
}

/** Throws E_NAN naming the first non-finite index of `a`, if any. */
export function checkFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) throw new QuantextError('E_NAN', `${what}: non-finite value ${v} at index ${i}`, { index: i, value: v });
  }
}
