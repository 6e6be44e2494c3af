/**
 * Numbers as fastText prints them: C++ iostream's default float format, printf's `%g` with a precision (6 by default;
 * fastText's word vectors set 5): that many significant digits, trailing zeros dropped, scientific notation when the
 * exponent is below −4 or at least the precision, with a sign and at least two exponent digits ("1e-05").
 * Values are the float32 fastText holds, widened to double as `operator<<(float)` does.
 */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const p = Math.max(1, Math.min(precision, 60));
  const neg = x < 0;
  const ax = Math.abs(x);
  // p significant digits, rounded as glibc does: to nearest, an exact tie to even (JavaScript rounds ties up)
  let exp = ax.toExponential(p - 1);
  const long = ax.toExponential(Math.min(100, p + 40));
  const le = long.indexOf('e');
  const ld = long.slice(0, le).replace('.', '');
  if (ld[p] === '5' && /^0*$/.test(ld.slice(p + 1)) && (Number(ld[p - 1]) & 1) === 0) {
    exp = `${ld[0]}${p > 1 ? '.' + ld.slice(1, p) : ''}${long.slice(le)}`; // truncate: the even neighbour below
  }
  const e = exp.indexOf('e');
  const X = Number(exp.slice(e + 1));
  const digits = exp.slice(0, e).replace('.', '');
  let out: string;
  if (X < -4 || X >= p) {
    let m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    out = `${m}e${X < 0 ? '-' : '+'}${String(Math.abs(X)).padStart(2, '0')}`;
  } else if (X >= 0) {
    const int = digits.slice(0, X + 1), frac = digits.slice(X + 1).replace(/0+$/, '');
    out = frac ? `${int}.${frac}` : int;
  } else {
    const frac = ('0'.repeat(-X - 1) + digits).replace(/0+$/, '');
    out = `0.${frac}`;
  }
  return neg ? '-' + out : out;
}

/** A word vector line as `fasttext print-word-vectors` prints it: `word v1 v2 … vD ` (a space after every value). */
export function formatVectorLine(word: string, v: ArrayLike<number>): string {
  let s = word + ' ';
  for (let i = 0; i < v.length; i++) s += formatG(v[i], 5) + ' ';
  return s;
}
