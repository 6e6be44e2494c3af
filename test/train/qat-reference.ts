// Word2Bits' quantizer (Lam 2018, word2bits.cpp's quantize()), for the QAT tests.

/**
 * 1 bit: ±1/3 (+ for x ≥ 0); 2 bits: sign(x)·(|x| ≤ 1/2 ? 1/4 : 3/4), sign + for x ≥ 0. With a level L
 * (`quantize.level`, a float32): 1 bit ±L; 2 bits sign(x)·(|x| ≤ 2L ? L : 3L).
 */
export function quantizeRef(x: number, bits: 1 | 2, level?: number): number {
  const sign = x < 0 ? -1 : 1;
  if (level === undefined) {
    if (bits === 1) return sign / 3;
    return sign * (Math.abs(x) <= 0.5 ? 0.25 : 0.75);
  }
  const L = Math.fround(level);
  if (bits === 1) return sign * L;
  return sign * (Math.abs(x) <= 2 * L ? L : Math.fround(3 * L));
}
