// XNOR-popcount binary layers (XNOR-Net): sign bits 64 to a word, α per weight row, β per activation row.
// Units: m, n, k count elements; words = ⌈k/64⌉ u64 per row; bit t of word w is element 64w + t (set = value ≥ 0);
// padding bits are 0 in both operands, so they never count as disagreements. Pointers are byte addresses; 0 = none.

/**
 * pack_sign_b64_per_row: bits[r·words + w] = sign bits of row r of x (rows k floats apart); beta[r] = fround(Σ|x| / k)
 * summed in f64 in order (beta 0 = skip). No SIMD path (packing is k work per row next to the k·n of the product).
 */
export function pack_sign_b64_per_row(x: usize, m: i32, k: i32, words: i32, bits: usize, beta: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2);
    const br = bits + ((<usize>r * <usize>words) << 3);
    let s: f64 = 0;
    for (let w = 0; w < words; w++) {
      let word: u64 = 0;
      const c0 = w << 6, c1 = min(k, c0 + 64);
      for (let c = c0; c < c1; c++) {
        const v = load<f32>(xr + (<usize>c << 2));
        s += <f64>abs(v);
        if (v >= 0) word |= (<u64>1) << <u64>(c - c0);
      }
      store<u64>(br + (<usize>w << 3), word);
    }
    if (beta) store<f32>(beta + (<usize>r << 2), <f32>(s / <f64>k));
  }
}

/**
 * gemm_b1: y[r·n + j] = fround(fround(alpha[j] · beta[r]) · f32(k − 2·popcount(xbits_r ⊕ wbits_j))) (+ bias[j]) (ReLU).
 * Four activation rows per pass over a weight row (each weight word loaded once for four rows). i64.popcnt is one
 * instruction on x86-64 and arm64, cheaper than the byte-wise i8x16.popcnt emulation without AVX-512 BITALG, so
 * this kernel has no SIMD path (and no twin).
 */
export function gemm_b1(xbits: usize, m: i32, words: i32, k: i32, wbits: usize, n: i32, alpha: usize, beta: usize, bias: usize, relu: i32, y: usize): void {
  const wb = <usize>words << 3;
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const x0 = xbits + <usize>r * wb, x1 = x0 + wb, x2 = x1 + wb, x3 = x2 + wb;
    for (let j = 0; j < n; j++) {
      const wr = wbits + <usize>j * wb;
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
  }
  for (; r < m; r++) {
    const x0 = xbits + <usize>r * wb;
    for (let j = 0; j < n; j++) {
      const wr = wbits + <usize>j * wb;
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

// @ts-ignore: decorator
@inline
function b1_out(y: usize, r: i32, n: i32, j: i32, k: i32, pop: i32, alpha: usize, beta: usize, bias: usize, relu: i32): void {
  const ab: f32 = load<f32>(alpha + (<usize>j << 2)) * load<f32>(beta + (<usize>r << 2));
  let v: f32 = ab * <f32>(k - 2 * pop);
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  if (relu && !(v > 0)) v = 0;
  store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), v);
}
