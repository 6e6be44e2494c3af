// Plain-TypeScript references for the quantization tests, written from docs/quantization.md and independent of
// the AssemblyScript code. Arithmetic follows the documented f32 order with Math.fround.
const f = Math.fround;

/** Round half to even (IEEE roundTiesToEven) of a double. */
export function roundEven(v: number): number {
  const r = Math.round(v); // half up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** q = clamp(round(x / s) + z, qmin, qmax); s ≤ 0 → clamp(z). */
export function quantRef(x: number, s: number, z: number, qmin: number, qmax: number): number {
  if (!(s > 0)) return clamp(z, qmin, qmax);
  return clamp(roundEven(f(x / s)) + z, qmin, qmax);
}

export function dequantRef(q: number, s: number, z: number): number {
  return f(s * (q - z));
}

/** murmur3 fmix32 of (i · 0x9E3779B9) ⊕ seed, top 24 bits as a float in [0, 1). */
export function uniformRef(seed: number, i: number): number {
  let h = (Math.imul(i >>> 0, 0x9e3779b9) ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 8) / 16777216;
}

export function stochasticRef(x: number, s: number, z: number, qmin: number, qmax: number, seed: number, i: number): number {
  if (!(s > 0)) return clamp(z, qmin, qmax);
  return clamp(Math.floor(f(f(x / s) + uniformRef(seed, i))) + z, qmin, qmax);
}

const bitsView = new DataView(new ArrayBuffer(4));
export function f32bits(x: number): number {
  bitsView.setFloat32(0, x, true);
  return bitsView.getUint32(0, true);
}
export function bitsf32(b: number): number {
  bitsView.setUint32(0, b >>> 0, true);
  return bitsView.getFloat32(0, true);
}

/** IEEE binary16 encoding by arithmetic on doubles (not bit tricks): round to nearest even. */
export function f16Ref(x: number): number {
  if (Number.isNaN(x)) {
    const b = f32bits(x);
    return ((b >>> 16) & 0x8000) | 0x7e00 | ((b >>> 13) & 0x3ff);
  }
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 is the tie between 65504 and 2^16: even → 2^16 → Inf
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24); // subnormal grid 2^-24 (1024 = smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = roundEven(a / 2 ** (e - 10)); // 1024 … 2048
  if (m === 2048) { m = 1024; e++; }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | (m - 1024);
}

/** binary16 bits → the value (NaN for NaN patterns). */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 0x3ff;
  if (e === 31) return m ? NaN : s * Infinity;
  if (e === 0) return s * m * 2 ** -24;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

/** bfloat16 encoding by arithmetic: 8 significant bits, round to nearest even, f32 exponent range. */
export function bf16Ref(x: number): number {
  const b = f32bits(x);
  if (Number.isNaN(x)) return ((b >>> 16) | 0x40) & 0xffff;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7f80;
  if (a === 0) return sign;
  let m: number, e: number;
  if (a < 2 ** -126) return sign | roundEven(a / 2 ** -133); // subnormal grid 2^-133; 128 is the smallest normal
  e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  m = roundEven(a / 2 ** (e - 7)); // 128 … 256
  if (m === 256) { m = 128; e++; }
  if (e > 127) return sign | 0x7f80;
  return sign | ((e + 127) << 7) | (m - 128);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function popcount8(v: number): number {
  let c = 0;
  for (let k = 0; k < 8; k++) c += (v >> k) & 1;
  return c;
}
