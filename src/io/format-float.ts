/**
 * Decimal text for float32 values: the shortest string that reads back to the same float32 (what gensim writes,
 * `repr(np.float32)`), or a fixed number of significant digits.
 */

/** Exact powers of ten in float64: 10^0 … 10^22. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Formats a float32 value in the fewest significant digits that read back (decimal → double → float32, as
 * numpy and this reader do) to the identical float32 (gensim writes `repr(np.float32)`, the same thing).
 * `-0` stays `-0`; non-finite values print as `nan`, `inf`, `-inf`. With `precision`, prints that many significant
 * digits instead (trailing zeros dropped).
 */
export function formatFloat32(x: number, precision?: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (x - x !== 0) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (precision !== undefined) return trimZeros(x.toPrecision(precision));
  return shortestScaled(x) ?? shortestByPrecision(x);
}

/**
 * The fast path of {@link formatFloat32} for 1e-15 ≲ |x| < 1e8: the candidate with k decimals is
 * c = round(|x|·10^k), and c / 10^k (c and 10^k exact doubles, one correctly rounded division) is the same double
 * that parsing the decimal string gives, so the round-trip test needs no string. Most float32 values need 7 or 8
 * significant digits: start at 8 and walk down, or up to 9. Returns undefined outside the range.
 */
function shortestScaled(x: number): string | undefined {
  const ax = x < 0 ? -x : x;
  let k = 7 - Math.floor(Math.log10(ax)); // decimals for 8 significant digits
  if (k < 0 || k > 21) return undefined;
  let scale = POW10[k];
  let c = Math.round(ax * scale);
  if (Math.fround(c / scale) !== ax) {
    k++;
    scale = POW10[k];
    c = Math.round(ax * scale);
    if (Math.fround(c / scale) !== ax) return undefined;
  } else {
    while (k > 0) {
      const s = POW10[k - 1];
      const c1 = Math.round(ax * s);
      if (Math.fround(c1 / s) !== ax) break;
      k--;
      c = c1;
    }
    // An integer that may round to tens or more (85909504 → 8.59095e+7): beyond this path's reach.
    if (k === 0 && Math.fround(Math.round(ax / 10) * 10) === ax) return undefined;
  }
  // c / 10^k as a plain decimal
  let digits = String(c);
  let end = digits.length;
  while (k > 0 && digits.charCodeAt(end - 1) === 48) {
    end--;
    k--;
  }
  if (end !== digits.length) digits = digits.slice(0, end);
  const sign = x < 0 ? '-' : '';
  if (k === 0) return sign + digits;
  if (digits.length > k) return `${sign}${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`;
  const zeros = k - digits.length;
  if (zeros < 4) return `${sign}0.${'0'.repeat(zeros)}${digits}`;
  // below 1e-4, exponent notation as Python's repr and JavaScript print it: 1.5e-7
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e-${zeros + 1}`;
}

/** {@link formatFloat32} for any finite value: the fewest `toPrecision` digits (1–9) that round-trip. */
function shortestByPrecision(x: number): string {
  let s = x.toPrecision(8);
  if (Math.fround(Number(s)) !== x) return trimZeros(x.toPrecision(9));
  for (let p = 7; p >= 1; p--) {
    const shorter = x.toPrecision(p);
    if (Math.fround(Number(shorter)) !== x) break;
    s = shorter;
  }
  return trimZeros(s);
}

function trimZeros(s: string): string {
  const e = s.indexOf('e');
  const mantissa = e === -1 ? s : s.slice(0, e);
  if (mantissa.indexOf('.') === -1) return s;
  let end = mantissa.length;
  while (mantissa.charCodeAt(end - 1) === 48) end--; // '0'
  if (mantissa.charCodeAt(end - 1) === 46) end--; // '.'
  return e === -1 ? mantissa.slice(0, end) : mantissa.slice(0, end) + s.slice(e);
}
