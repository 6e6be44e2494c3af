// XNOR-popcount binary layers (XNOR-Net): sign bits 64 to a word, α per weight row, β per activation row.
// Units: m, n, k count elements; words = ⌈k/64⌉ u64 per row; bit t of word w is element 64w + t (set = value ≥ 0);
// padding bits are 0 in both operands, so they never count as disagreements. Pointers are byte addresses; 0 = none.
// Each kernel and its _scalar twin share one compiled body (the SIMD choice is a runtime argument): smaller builds.
import { hsum4_i32x4 } from '../util/hsum';

/**
 * pack_sign_b64_per_row: bits[r·words + w] = sign bits of row r of x (rows k floats apart); beta[r] = fround(Σ|x| / k)
 * summed in f64 in order (beta 0 = skip). SIMD: sign bits by compare, narrow and bitmask, 16 floats a step.
 */
export function pack_sign_b64_per_row(x: usize, m: i32, k: i32, words: i32, bits: usize, beta: usize): void {
  packSign(x, m, k, words, bits, beta, true);
}

/** pack_sign_b64_per_row without SIMD (the same bits and β). */
export function pack_sign_b64_per_row_scalar(x: usize, m: i32, k: i32, words: i32, bits: usize, beta: usize): void {
  packSign(x, m, k, words, bits, beta, false);
}

function packSign(x: usize, m: i32, k: i32, words: i32, bits: usize, beta: usize, simd: bool): void {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2);
    const br = bits + ((<usize>r * <usize>words) << 3);
    let s: f64 = 0;
    let w = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const z = f32x4.splat(0);
      for (; (w << 6) + 64 <= k; w++) {
        const p = xr + (<usize>w << 8);
        let word: u64 = 0;
        for (let q = 0; q < 4; q++) {
          const pq = p + (<usize>q << 6);
          const h0 = i16x8.narrow_i32x4_s(f32x4.ge(v128.load(pq), z), f32x4.ge(v128.load(pq, 16), z));
          const h1 = i16x8.narrow_i32x4_s(f32x4.ge(v128.load(pq, 32), z), f32x4.ge(v128.load(pq, 48), z));
          word |= (<u64>i8x16.bitmask(i8x16.narrow_i16x8_s(h0, h1))) << (<u64>q << 4);
        }
        store<u64>(br + (<usize>w << 3), word);
      }
      // β: the same in-order f64 sum as the scalar loop (kept serial so the result is identical)
      if (beta) for (let c = 0; c < (w << 6); c++) s += <f64>abs(load<f32>(xr + (<usize>c << 2)));
    }
    for (; w < words; w++) {
      let word: u64 = 0;
      const c0 = w << 6, c1 = min(k, c0 + 64);
      for (let c = c0; c < c1; c++) {
        const v = load<f32>(xr + (<usize>c << 2));
        s += <f64>abs(v);
        word |= (<u64>(v >= 0)) << <u64>(c - c0);
      }
      store<u64>(br + (<usize>w << 3), word);
    }
    if (beta) store<f32>(beta + (<usize>r << 2), <f32>(s / <f64>k));
  }
}

/**
 * gemm_b1: y[r·n + j] = fround(fround(alpha[j] · beta[r]) · f32(k − 2·popcount(xbits_r ⊕ wbits_j))) (+ bias[j]) (ReLU).
 * SIMD: per activation row, six weight rows per pass sharing each 16-byte activation load: four in v128 lanes
 * (xor and i8x16.popcnt accumulated in u8 lanes, ≤ 31 steps of at most 8, widened by pairwise adds once per 31 steps,
 * one transposing horizontal sum for the four, a four-lane epilogue) and two with i64.popcnt, so that the vector and
 * the scalar units both work (V8 emulates i8x16.popcnt with pshufb, about as costly as two i64.popcnt). Leftover
 * weight rows (n mod 6) and the scalar twin: i64.popcnt, four activation rows per pass over a weight row.
 */
export function gemm_b1(xbits: usize, m: i32, words: i32, k: i32, wbits: usize, n: i32, alpha: usize, beta: usize, bias: usize, relu: i32, y: usize): void {
  gemmB1(xbits, m, words, k, wbits, n, alpha, beta, bias, relu, y, true);
}

/** gemm_b1 without SIMD (the same results, bit for bit). */
export function gemm_b1_scalar(xbits: usize, m: i32, words: i32, k: i32, wbits: usize, n: i32, alpha: usize, beta: usize, bias: usize, relu: i32, y: usize): void {
  gemmB1(xbits, m, words, k, wbits, n, alpha, beta, bias, relu, y, false);
}

function gemmB1(xbits: usize, m: i32, words: i32, k: i32, wbits: usize, n: i32, alpha: usize, beta: usize, bias: usize, relu: i32, y: usize, simd: bool): void {
  const wb = <usize>words << 3;
  let j0 = 0;
  if (ASC_FEATURE_SIMD && simd) {
    j0 = n - n % 6;
    const w16 = wb & ~(<usize>15);
    const z = i32x4.splat(0), vk = i32x4.splat(k);
    for (let r = 0; r < m; r++) {
      const xr = xbits + <usize>r * wb;
      const bet = f32x4.splat(load<f32>(beta + (<usize>r << 2)));
      const yr = y + ((<usize>r * <usize>n) << 2);
      for (let j = 0; j < j0; j += 6) {
        // rows j..j+3 in v128 lanes, rows j+4, j+5 with i64.popcnt: the two run on different execution units
        const w0 = wbits + <usize>j * wb, w1 = w0 + wb, w2 = w1 + wb, w3 = w2 + wb, w4 = w3 + wb, w5 = w4 + wb;
        let s0 = z, s1 = z, s2 = z, s3 = z;
        let q4: i64 = 0, q5: i64 = 0;
        let o: usize = 0;
        while (o < w16) {
          const end = min(w16, o + 31 * 16);
          let a0 = z, a1 = z, a2 = z, a3 = z;
          for (; o < end; o += 16) {
            const xv = v128.load(xr + o);
            a0 = i8x16.add(a0, i8x16.popcnt(v128.xor(v128.load(w0 + o), xv)));
            a1 = i8x16.add(a1, i8x16.popcnt(v128.xor(v128.load(w1 + o), xv)));
            a2 = i8x16.add(a2, i8x16.popcnt(v128.xor(v128.load(w2 + o), xv)));
            a3 = i8x16.add(a3, i8x16.popcnt(v128.xor(v128.load(w3 + o), xv)));
            const x0 = load<u64>(xr + o), x1 = load<u64>(xr + o, 8);
            q4 += popcnt<u64>(load<u64>(w4 + o) ^ x0) + popcnt<u64>(load<u64>(w4 + o, 8) ^ x1);
            q5 += popcnt<u64>(load<u64>(w5 + o) ^ x0) + popcnt<u64>(load<u64>(w5 + o, 8) ^ x1);
          }
          s0 = i32x4.add(s0, widen(a0)); s1 = i32x4.add(s1, widen(a1));
          s2 = i32x4.add(s2, widen(a2)); s3 = i32x4.add(s3, widen(a3));
        }
        if (o < wb) { // an odd last word
          const xv = v128.load64_zero(xr + o);
          s0 = i32x4.add(s0, widen(i8x16.popcnt(v128.xor(v128.load64_zero(w0 + o), xv))));
          s1 = i32x4.add(s1, widen(i8x16.popcnt(v128.xor(v128.load64_zero(w1 + o), xv))));
          s2 = i32x4.add(s2, widen(i8x16.popcnt(v128.xor(v128.load64_zero(w2 + o), xv))));
          s3 = i32x4.add(s3, widen(i8x16.popcnt(v128.xor(v128.load64_zero(w3 + o), xv))));
          const x0 = load<u64>(xr + o);
          q4 += popcnt<u64>(load<u64>(w4 + o) ^ x0);
          q5 += popcnt<u64>(load<u64>(w5 + o) ^ x0);
        }
        const d = f32x4.convert_i32x4_s(i32x4.sub(vk, i32x4.shl(hsum4_i32x4(s0, s1, s2, s3), 1)));
        let v = f32x4.mul(f32x4.mul(v128.load(alpha + (<usize>j << 2)), bet), d);
        if (bias) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
        if (relu) v = v128.and(v, f32x4.gt(v, f32x4.splat(0)));
        v128.store(yr + (<usize>j << 2), v);
        b1_out(y, r, n, j + 4, k, <i32>q4, alpha, beta, bias, relu);
        b1_out(y, r, n, j + 5, k, <i32>q5, alpha, beta, bias, relu);
      }
    }
    if (j0 == n) return;
  }
  for (let j = j0; j < n; j++) {
    const wr = wbits + <usize>j * wb;
    let r = 0;
    for (; r + 4 <= m; r += 4) {
      const x0 = xbits + <usize>r * wb, x1 = x0 + wb, x2 = x1 + wb, x3 = x2 + wb;
      let p0: i64 = 0, p1: i64 = 0, p2: i64 = 0, p3: i64 = 0;
      for (let o: usize = 0; o < wb; o += 8) {
        const v = load<u64>(wr + o);
        p0 += popcnt<u64>(v ^ load<u64>(x0 + o)); p1 += popcnt<u64>(v ^ load<u64>(x1 + o));
        p2 += popcnt<u64>(v ^ load<u64>(x2 + o)); p3 += popcnt<u64>(v ^ load<u64>(x3 + o));
      }
      b1_out(y, r, n, j, k, <i32>p0, alpha, beta, bias, relu);
      b1_out(y, r + 1, n, j, k, <i32>p1, alpha, beta, bias, relu);
      b1_out(y, r + 2, n, j, k, <i32>p2, alpha, beta, bias, relu);
      b1_out(y, r + 3, n, j, k, <i32>p3, alpha, beta, bias, relu);
    }
    for (; r < m; r++) {
      const x0 = xbits + <usize>r * wb;
      let p0: i64 = 0, p1: i64 = 0;
      let o: usize = 0;
      for (; o + 16 <= wb; o += 16) {
        p0 += popcnt<u64>(load<u64>(wr + o) ^ load<u64>(x0 + o));
        p1 += popcnt<u64>(load<u64>(wr + o, 8) ^ load<u64>(x0 + o, 8));
      }
      if (o < wb) p0 += popcnt<u64>(load<u64>(wr + o) ^ load<u64>(x0 + o));
      b1_out(y, r, n, j, k, <i32>(p0 + p1), alpha, beta, bias, relu);
    }
  }
}

/** u8 lane counts → i32x4 of sums of four lanes each. */
// @ts-ignore: decorator
@inline
function widen(a: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(a));
}

// @ts-ignore: decorator
@inline
function b1_out(y: usize, r: i32, n: i32, j: i32, k: i32, pop: i32, alpha: usize, beta: usize, bias: usize, relu: i32): void {
  const ab: f32 = load<f32>(alpha + (<usize>j << 2)) * load<f32>(beta + (<usize>r << 2));
  let v: f32 = ab * <f32>(k - 2 * pop);
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  if (relu && !(v > 0)) v = 0;
  store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), v);
}
