// f32 GEMM/GEMV for Linear layers: Y[m×n] = X[m×k]·Wᵀ + bias, weights packed once into panels of 16 outputs.
// Units: m, n, k count elements; sn/sk are element strides of W's output and input axes (out-in layout: sn = k,
// sk = 1; ONNX's in-out layout: sn = 1, sk = n); pointers are byte addresses; bias = 0 means none; relu is 0/1.

/** Panel layout: out[p][kk][j] = W[16p + j][kk] (zero for 16p + j ≥ n); 16·⌈n/16⌉·k floats. No SIMD path. */
export function pack_f32_panel16(w: usize, n: i32, k: i32, sn: i32, sk: i32, out: usize): void {
  const np = (n + 15) >> 4;
  for (let p = 0; p < np; p++) {
    for (let kk = 0; kk < k; kk++) {
      const o = out + ((<usize>p * <usize>k + <usize>kk) << 6);
      for (let j = 0; j < 16; j++) {
        const r = (p << 4) + j;
        store<f32>(o + (<usize>j << 2), r < n ? load<f32>(w + ((<usize>r * <usize>sn + <usize>kk * <usize>sk) << 2)) : 0);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function epi(v: v128, bias: usize, o: usize, relu: i32): v128 {
  if (bias) v = f32x4.add(v, v128.load(bias + o));
  if (relu) v = f32x4.max(v, f32x4.splat(0));
  return v;
}

/** One output value's bias + relu (scalar). */
// @ts-ignore: decorator
@inline
function epi1(v: f32, bias: usize, col: i32, relu: i32): f32 {
  if (bias) v += load<f32>(bias + (<usize>col << 2));
  if (relu && !(v > 0)) v = 0;
  return v;
}

/** Stores the 8 outputs (a, b) of one row at column c0 of y, fewer than 8 if the panel is the last one. */
// @ts-ignore: decorator
@inline
export function store8(yrow: usize, c0: i32, n: i32, a: v128, b: v128, bias: usize, relu: i32): void {
  const o = <usize>c0 << 2;
  if (c0 + 8 <= n) {
    v128.store(yrow + o, epi(a, bias, o, relu));
    v128.store(yrow + o, epi(b, bias, o + 16, relu), 16);
  } else {
    // last panel: lanes below n only (the bias has only n entries, so add it per lane)
    storeLanes(yrow, c0, n - c0, a, b, bias, relu);
  }
}

/** A 4 × 8 tile's sums out: rows y0, y0 + nb, …, outputs from column ch (store8's epilogue each). */
// @ts-ignore: decorator
@inline
function storeTile(y0: usize, nb: usize, ch: i32, n: i32, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, bias: usize, relu: i32): void {
  store8(y0, ch, n, c00, c01, bias, relu);
  store8(y0 + nb, ch, n, c10, c11, bias, relu);
  store8(y0 + 2 * nb, ch, n, c20, c21, bias, relu);
  store8(y0 + 3 * nb, ch, n, c30, c31, bias, relu);
}

function storeLanes(yrow: usize, c0: i32, rem: i32, a0: v128, b0: v128, bias: usize, relu: i32): void {
  for (let j = 0; j < rem; j++) {
    let v: f32 = 0;
    switch (j) {
      case 0: v = f32x4.extract_lane(a0, 0); break;
      case 1: v = f32x4.extract_lane(a0, 1); break;
      case 2: v = f32x4.extract_lane(a0, 2); break;
      case 3: v = f32x4.extract_lane(a0, 3); break;
      case 4: v = f32x4.extract_lane(b0, 0); break;
      case 5: v = f32x4.extract_lane(b0, 1); break;
      case 6: v = f32x4.extract_lane(b0, 2); break;
      default: v = f32x4.extract_lane(b0, 3); break;
    }
    store<f32>(yrow + (<usize>(c0 + j) << 2), epi1(v, bias, c0 + j, relu));
  }
}

/**
 * The first m & ~3 rows of X (k floats apart) as tiles of 4 rows interleaved by k: xi[t][kk][q] = X[4t + q][kk],
 * 16·k bytes a tile (4 × 4 transposes, a scalar tail when k is not a multiple of 4).
 */
function interleaveRows4(x: usize, m: i32, k: i32, xi: usize): void {
  const kb = <usize>k << 2, k4 = kb & ~(<usize>15);
  let o = xi;
  for (let r = 0; r + 4 <= m; r += 4) {
    const x0 = x + <usize>r * kb, x1 = x0 + kb, x2 = x1 + kb, x3 = x2 + kb;
    let c: usize = 0;
    for (; c < k4; c += 16) {
      const a = v128.load(x0 + c), b = v128.load(x1 + c), d = v128.load(x2 + c), e = v128.load(x3 + c);
      const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5), t1 = i32x4.shuffle(d, e, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(a, b, 2, 6, 3, 7), t3 = i32x4.shuffle(d, e, 2, 6, 3, 7);
      v128.store(o, i64x2.shuffle(t0, t1, 0, 2)); v128.store(o, i64x2.shuffle(t0, t1, 1, 3), 16);
      v128.store(o, i64x2.shuffle(t2, t3, 0, 2), 32); v128.store(o, i64x2.shuffle(t2, t3, 1, 3), 48);
      o += 64;
    }
    for (; c < kb; c += 4) {
      store<f32>(o, load<f32>(x0 + c)); store<f32>(o, load<f32>(x1 + c), 4);
      store<f32>(o, load<f32>(x2 + c), 8); store<f32>(o, load<f32>(x3 + c), 12);
      o += 16;
    }
  }
}

/**
 * gemm_f32_packed: Y = X·Wᵀ + bias (+ ReLU) over a pack_f32_panel16 layout. SIMD: panels outer; tiles of 4 rows ×
 * 8 outputs (8 accumulators, each output summed over k in order) over each half of a panel, the loads 64 bytes apart
 * (one k step of the panel is one cache line; measured ~10 % faster than the same tile over panels of 8); leftover
 * rows (and M = 1, the GEMV) one row at a time over the whole panel, four k steps per iteration, each output's four
 * products added pairwise before its running sum (4 accumulators, one broadcast per 4 weight vectors). Of the loops
 * tried, this one ran best across engines, in quiet runs: 84–97 % of a plain f32x4 read stream over the weights in
 * Node 20's V8, 81–86 % in Deno's newer V8, 76–78 % in Bun's JavaScriptCore (the 8-output loop it replaced: 73–86 %,
 * 64–65 %, 62–64 %; docs/architecture.md has the table).
 * Rows of X are k floats apart, rows of Y n floats apart.
 */
export function gemm_f32_packed(x: usize, m: i32, k: i32, wp: usize, n: i32, bias: usize, relu: i32, y: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_f32_packed_scalar(x, m, k, wp, n, bias, relu, y); return; }
  if (m == 1) { gemvRow(x, k, wp, n, y, bias, relu); return; }
  const np = (n + 15) >> 4;
  const kb = <usize>k << 2, nb = <usize>n << 2, pb = <usize>k << 6;
  const m4 = m & ~3;
  const z = f32x4.splat(0);
  for (let p = 0; p < np; p++) {
    const c0 = p << 4;
    for (let h = 0; h < 2 && c0 + (h << 3) < n; h++) {
      const pw = wp + <usize>p * pb + (<usize>h << 5);
      const ch = c0 + (h << 3);
      for (let r = 0; r < m4; r += 4) {
        const x0 = x + <usize>r * kb, x1 = x0 + kb, x2 = x1 + kb, x3 = x2 + kb;
        let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        let w = pw;
        for (let o: usize = 0; o < kb; o += 4) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          w += 64;
          let a = v128.load32_splat(x0 + o);
          c00 = f32x4.add(c00, f32x4.mul(a, w0)); c01 = f32x4.add(c01, f32x4.mul(a, w1));
          a = v128.load32_splat(x1 + o);
          c10 = f32x4.add(c10, f32x4.mul(a, w0)); c11 = f32x4.add(c11, f32x4.mul(a, w1));
          a = v128.load32_splat(x2 + o);
          c20 = f32x4.add(c20, f32x4.mul(a, w0)); c21 = f32x4.add(c21, f32x4.mul(a, w1));
          a = v128.load32_splat(x3 + o);
          c30 = f32x4.add(c30, f32x4.mul(a, w0)); c31 = f32x4.add(c31, f32x4.mul(a, w1));
        }
        storeTile(y + <usize>r * nb, nb, ch, n, c00, c01, c10, c11, c20, c21, c30, c31, bias, relu);
      }
    }
  }
  for (let r = m4; r < m; r++) gemvRow(x + <usize>r * kb, k, wp, n, y + <usize>r * nb, bias, relu);
}

/**
 * gemm_f32_packed2: gemm_f32_packed with two k steps per iteration of the 4 × 8 tiles, the same sums in the same
 * order (so the same bits); a second entry so that gemm_f32_packed stays the code Node 20 runs best. Engines differ
 * (paired rounds through Linear, 32×768×768 and 128×256×256, on an AMD EPYC): Node 20's V8 11 runs this one
 * 0.59–0.63× as fast as gemm_f32_packed (it hoists the second step's loads and spills), Node 24's V8 13 1.14–1.15×,
 * Deno's V8 14 1.20–1.22×, Bun's JavaScriptCore 1.00–1.04× (on a Xeon, standalone: Node 24 1.01–1.02×, Deno 1.10–1.14×, Bun 0.87–0.91×). The
 * runtime picks one of this, gemm_f32_packed and gemm_f32_tiles4 by engine (Runtime.f32Gemm).
 */
export function gemm_f32_packed2(x: usize, m: i32, k: i32, wp: usize, n: i32, bias: usize, relu: i32, y: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_f32_packed_scalar(x, m, k, wp, n, bias, relu, y); return; }
  if (m == 1) { gemvRow(x, k, wp, n, y, bias, relu); return; }
  const np = (n + 15) >> 4;
  const kb = <usize>k << 2, k2 = kb & ~(<usize>7), nb = <usize>n << 2, pb = <usize>k << 6;
  const m4 = m & ~3;
  const z = f32x4.splat(0);
  for (let p = 0; p < np; p++) {
    const c0 = p << 4;
    for (let h = 0; h < 2 && c0 + (h << 3) < n; h++) {
      const pw = wp + <usize>p * pb + (<usize>h << 5);
      const ch = c0 + (h << 3);
      for (let r = 0; r < m4; r += 4) {
        const x0 = x + <usize>r * kb, x1 = x0 + kb, x2 = x1 + kb, x3 = x2 + kb;
        let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        let w = pw;
        let o: usize = 0;
        for (; o < k2; o += 8) {
          let w0 = v128.load(w), w1 = v128.load(w, 16);
          let a = v128.load32_splat(x0 + o);
          c00 = f32x4.add(c00, f32x4.mul(a, w0)); c01 = f32x4.add(c01, f32x4.mul(a, w1));
          a = v128.load32_splat(x1 + o);
          c10 = f32x4.add(c10, f32x4.mul(a, w0)); c11 = f32x4.add(c11, f32x4.mul(a, w1));
          a = v128.load32_splat(x2 + o);
          c20 = f32x4.add(c20, f32x4.mul(a, w0)); c21 = f32x4.add(c21, f32x4.mul(a, w1));
          a = v128.load32_splat(x3 + o);
          c30 = f32x4.add(c30, f32x4.mul(a, w0)); c31 = f32x4.add(c31, f32x4.mul(a, w1));
          w0 = v128.load(w, 64); w1 = v128.load(w, 80);
          a = v128.load32_splat(x0 + o, 4);
          c00 = f32x4.add(c00, f32x4.mul(a, w0)); c01 = f32x4.add(c01, f32x4.mul(a, w1));
          a = v128.load32_splat(x1 + o, 4);
          c10 = f32x4.add(c10, f32x4.mul(a, w0)); c11 = f32x4.add(c11, f32x4.mul(a, w1));
          a = v128.load32_splat(x2 + o, 4);
          c20 = f32x4.add(c20, f32x4.mul(a, w0)); c21 = f32x4.add(c21, f32x4.mul(a, w1));
          a = v128.load32_splat(x3 + o, 4);
          c30 = f32x4.add(c30, f32x4.mul(a, w0)); c31 = f32x4.add(c31, f32x4.mul(a, w1));
          w += 128;
        }
        if (o < kb) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          let a = v128.load32_splat(x0 + o);
          c00 = f32x4.add(c00, f32x4.mul(a, w0)); c01 = f32x4.add(c01, f32x4.mul(a, w1));
          a = v128.load32_splat(x1 + o);
          c10 = f32x4.add(c10, f32x4.mul(a, w0)); c11 = f32x4.add(c11, f32x4.mul(a, w1));
          a = v128.load32_splat(x2 + o);
          c20 = f32x4.add(c20, f32x4.mul(a, w0)); c21 = f32x4.add(c21, f32x4.mul(a, w1));
          a = v128.load32_splat(x3 + o);
          c30 = f32x4.add(c30, f32x4.mul(a, w0)); c31 = f32x4.add(c31, f32x4.mul(a, w1));
        }
        storeTile(y + <usize>r * nb, nb, ch, n, c00, c01, c10, c11, c20, c21, c30, c31, bias, relu);
      }
    }
  }
  for (let r = m4; r < m; r++) gemvRow(x + <usize>r * kb, k, wp, n, y + <usize>r * nb, bias, relu);
}

/**
 * gemm_f32_tiles4: gemm_f32_packed's tiles and sums (the same bits), the full tiles of 4 rows first interleaved by k
 * into `xi` (scratch of 16·k·(m & ~3) bytes; unused, may be 0, when m < 4), so that the inner loop reads the four
 * rows' values at constant offsets from one pointer. Node 20's V8 11, with the rows k floats apart, recomputed the
 * four row addresses (an imul among them) and reloaded spilled values every k step: on a Xeon 29 GOP/s there against
 * 39–40 with this entry (32×768×768, 128×256×256; the interleaving costs ~1 %). Other engines run it no faster or
 * slower (Node 24 equal, Deno's V8 0.86–0.95× gemm_f32_packed2, Bun 0.76–0.79× gemm_f32_packed): the runtime
 * picks one of the three by engine (Runtime.f32Gemm).
 */
export function gemm_f32_tiles4(x: usize, m: i32, k: i32, wp: usize, n: i32, bias: usize, relu: i32, y: usize, xi: usize): void {
  if (!ASC_FEATURE_SIMD) { gemm_f32_packed_scalar(x, m, k, wp, n, bias, relu, y); return; }
  if (m == 1) { gemvRow(x, k, wp, n, y, bias, relu); return; }
  const np = (n + 15) >> 4;
  const kb = <usize>k << 2, tb = <usize>k << 4, nb = <usize>n << 2, pb = <usize>k << 6;
  const m4 = m & ~3;
  if (m4) interleaveRows4(x, m, k, xi);
  const z = f32x4.splat(0);
  for (let p = 0; p < np; p++) {
    const c0 = p << 4;
    for (let h = 0; h < 2 && c0 + (h << 3) < n; h++) {
      const pw = wp + <usize>p * pb + (<usize>h << 5);
      const ch = c0 + (h << 3);
      for (let r = 0; r < m4; r += 4) {
        let xp = xi + <usize>(r >> 2) * tb;
        const xe = xp + tb;
        let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        let w = pw;
        while (xp < xe) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          let a = v128.load32_splat(xp);
          c00 = f32x4.add(c00, f32x4.mul(a, w0)); c01 = f32x4.add(c01, f32x4.mul(a, w1));
          a = v128.load32_splat(xp, 4);
          c10 = f32x4.add(c10, f32x4.mul(a, w0)); c11 = f32x4.add(c11, f32x4.mul(a, w1));
          a = v128.load32_splat(xp, 8);
          c20 = f32x4.add(c20, f32x4.mul(a, w0)); c21 = f32x4.add(c21, f32x4.mul(a, w1));
          a = v128.load32_splat(xp, 12);
          c30 = f32x4.add(c30, f32x4.mul(a, w0)); c31 = f32x4.add(c31, f32x4.mul(a, w1));
          w += 64;
          xp += 16;
        }
        storeTile(y + <usize>r * nb, nb, ch, n, c00, c01, c10, c11, c20, c21, c30, c31, bias, relu);
      }
    }
  }
  for (let r = m4; r < m; r++) gemvRow(x + <usize>r * kb, k, wp, n, y + <usize>r * nb, bias, relu);
}

/** a + the 16-output sums of one 4-k block: splats s0..s3 of x against the panel's rows at w + off (+ 64, 128, 192). */
// @ts-ignore: decorator
@inline
function dot4(a: v128, s0: v128, s1: v128, s2: v128, s3: v128, w: usize, off: usize): v128 {
  const q = w + off;
  return f32x4.add(a, f32x4.add(f32x4.add(f32x4.mul(s0, v128.load(q)), f32x4.mul(s1, v128.load(q, 64))), f32x4.add(f32x4.mul(s2, v128.load(q, 128)), f32x4.mul(s3, v128.load(q, 192)))));
}

/** a + one k's product: splat s of x against the panel's row at w + off. */
// @ts-ignore: decorator
@inline
function dot1(a: v128, s: v128, w: usize, off: usize): v128 {
  return f32x4.add(a, f32x4.mul(s, v128.load(w + off)));
}

/**
 * One row of x (k floats at x0) against every panel: y[0 .. n), in panel order (rev = 0) or from the last panel
 * (rev = 1). Every output is summed the same way whichever loop runs it: k in blocks of 4,
 * a + ((x0·w0 + x1·w1) + (x2·w2 + x3·w3)), then the k % 4 last one at a time, then + bias, then ReLU; so the bits do not
 * depend on the panel order or on which loop ran the panel (a batch's full 4-row tiles sum in another order). For k ≥ 128 and weights of 128 KB or more, the panels in full
 * pairs (32 outputs below n) go through gemvPairs, two panels side by side: two weight streams read faster than one
 * from L2 and L3 (a plain sum of the weights too: bench/roofline.ts) and each block's splats of x serve 8
 * accumulators instead of 4. Xeon, Node 20, alternating calls: 1×768×768 1.16× the one-panel loop, 1×384×768 1.11×,
 * 1×128×256 1.06×, 1×768×3072 (L3-bound) 1.02×; with shorter rows or smaller weights the pairs' set-up cost about
 * what they saved (1×64×1024 0.96×, 1×131×100 0.87×). The rest (all panels of those; otherwise the one or two
 * panels after the last full 32 outputs) go through gemvPanels.
 */
function gemvRow(x0: usize, k: i32, wp: usize, n: i32, y: usize, bias: usize, relu: i32, rev: i32 = 0): void {
  const np = (n + 15) >> 4, np2 = k >= 128 && k * n >= 32768 ? (n >> 5) << 1 : 0;
  if (rev) gemvPanels(x0, k, wp, n, y, bias, relu, np2, np, 1);
  if (np2) {
    if (rev) gemvPairs(x0, k, wp, np2, y, 1);
    else gemvPairs(x0, k, wp, np2, y, 0);
    gemvPairsEnd(x0, k, wp, np2, y, bias, relu);
  }
  if (!rev) gemvPanels(x0, k, wp, n, y, bias, relu, np2, np, 0);
}

/**
 * Panels p0 .. p1 − 1 of gemvRow, one at a time (4 accumulators), upwards or (rev) downwards. A last panel with ≤ 8
 * outputs left sums its zero upper half too (a half-width loop cost more code than it saved). Its own function with
 * the panel loop inside (two call sites, so binaryen keeps it): inlined after the tile loops, or called once per
 * panel, V8 compiled the same loop 30 % slower.
 */
function gemvPanels(x0: usize, k: i32, wp: usize, n: i32, y: usize, bias: usize, relu: i32, p0: i32, p1: i32, rev: i32): void {
  const kb = <usize>k << 2, k16 = kb & ~(<usize>15), pb = <usize>k << 6;
  const z = f32x4.splat(0);
  for (let i = p0; i < p1; i++) {
    const p = rev ? p1 - 1 - (i - p0) : i;
    const c0 = p << 4;
    let w = wp + <usize>p * pb;
    let a0 = z, a1 = z, a2 = z, a3 = z;
    let o: usize = 0;
    for (; o < k16; o += 16) {
      const s0 = v128.load32_splat(x0 + o), s1 = v128.load32_splat(x0 + o + 4);
      const s2 = v128.load32_splat(x0 + o + 8), s3 = v128.load32_splat(x0 + o + 12);
      a0 = dot4(a0, s0, s1, s2, s3, w, 0); a1 = dot4(a1, s0, s1, s2, s3, w, 16);
      a2 = dot4(a2, s0, s1, s2, s3, w, 32); a3 = dot4(a3, s0, s1, s2, s3, w, 48);
      w += 256;
    }
    for (; o < kb; o += 4) {
      const s = v128.load32_splat(x0 + o);
      a0 = dot1(a0, s, w, 0); a1 = dot1(a1, s, w, 16); a2 = dot1(a2, s, w, 32); a3 = dot1(a3, s, w, 48);
      w += 64;
    }
    store8(y, c0, n, a0, a1, bias, relu);
    if (c0 + 8 < n) store8(y, c0 + 8, n, a2, a3, bias, relu);
  }
}

/**
 * gemvRow's pairs of panels (0, 1), (2, 3) … (np2 − 2, np2 − 1), upwards or (rev) downwards: the sums of the 4-k
 * blocks only, stored raw into y (gemvPairsEnd adds the rest). Nothing else on purpose: with the k % 4 loop or
 * store8's epilogue after the block loop, V8 11 moved all 32 weight loads of a step to its top and spilled them to
 * the stack (40 spills a step; 1×768×768 ran 0.9× the one-panel loop instead of 1.13×). Two call sites, so binaryen
 * keeps it apart.
 */
function gemvPairs(x0: usize, k: i32, wp: usize, np2: i32, y: usize, rev: i32): void {
  const k16 = (<usize>k << 2) & ~(<usize>15), pb = <usize>k << 6;
  const z = f32x4.splat(0);
  for (let i = 0; i < np2; i += 2) {
    const p = rev ? np2 - 2 - i : i;
    let w = wp + <usize>p * pb, v = w + pb;
    let a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
    for (let o: usize = 0; o < k16; o += 16) {
      const s0 = v128.load32_splat(x0 + o), s1 = v128.load32_splat(x0 + o + 4);
      const s2 = v128.load32_splat(x0 + o + 8), s3 = v128.load32_splat(x0 + o + 12);
      a0 = dot4(a0, s0, s1, s2, s3, w, 0); a1 = dot4(a1, s0, s1, s2, s3, w, 16);
      a2 = dot4(a2, s0, s1, s2, s3, w, 32); a3 = dot4(a3, s0, s1, s2, s3, w, 48);
      b0 = dot4(b0, s0, s1, s2, s3, v, 0); b1 = dot4(b1, s0, s1, s2, s3, v, 16);
      b2 = dot4(b2, s0, s1, s2, s3, v, 32); b3 = dot4(b3, s0, s1, s2, s3, v, 48);
      w += 256; v += 256;
    }
    const yo = y + (<usize>p << 6);
    v128.store(yo, a0); v128.store(yo, a1, 16); v128.store(yo, a2, 32); v128.store(yo, a3, 48);
    v128.store(yo, b0, 64); v128.store(yo, b1, 80); v128.store(yo, b2, 96); v128.store(yo, b3, 112);
  }
}

/** The rest of gemvPairs' outputs y[0 .. 16·np2): + the last k % 4 products in k order, then store8's bias and ReLU. */
function gemvPairsEnd(x0: usize, k: i32, wp: usize, np2: i32, y: usize, bias: usize, relu: i32): void {
  const kb = <usize>k << 2, k16 = kb & ~(<usize>15), pb = <usize>k << 6;
  if (kb == k16 && !bias && !relu) return;
  for (let p = 0; p < np2; p++) {
    const wt = wp + <usize>p * pb + (k16 << 4);
    for (let j: usize = 0; j < 64; j += 16) {
      const o = (<usize>p << 6) + j;
      let a = v128.load(y + o);
      for (let t: usize = 0; k16 + t < kb; t += 4) a = dot1(a, v128.load32_splat(x0 + k16 + t), wt + (t << 4), j);
      v128.store(y + o, epi(a, bias, o, relu));
    }
  }
}

/**
 * gemv_f32_packed: gemm_f32_packed for one row (y = W·x + bias, + ReLU), the panels in order (rev = 0) or in reverse
 * (rev = 1): the same sums, so the same bits either way. A layer called again and again on the same weights alternates
 * the two, so that each call starts on the panels the last one read last, still in cache. Weights that overflow the
 * per-core cache by a little are then mostly read from it instead of from the shared L3 (a forward-only stream evicts
 * every line before its next use: LRU's cyclic worst case). 1×768×768 (2.36 MB of weights) on a Xeon with 2 MB of L2:
 * 1.22× the forward-only GEMV; 1×768×3072 (9.4 MB): 1.12×. No SIMD: gemm_f32_packed_scalar's sums, in panel order.
 */
export function gemv_f32_packed(x: usize, k: i32, wp: usize, n: i32, bias: usize, relu: i32, y: usize, rev: i32): void {
  if (!ASC_FEATURE_SIMD) { gemm_f32_packed_scalar(x, 1, k, wp, n, bias, relu, y); return; }
  gemvRow(x, k, wp, n, y, bias, relu, rev);
}

/** gemm_f32_packed without SIMD: each output summed over k in order. */
export function gemm_f32_packed_scalar(x: usize, m: i32, k: i32, wp: usize, n: i32, bias: usize, relu: i32, y: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2);
    const yr = y + ((<usize>r * <usize>n) << 2);
    for (let c = 0; c < n; c++) {
      const pw = wp + ((<usize>(c >> 4) * <usize>k) << 6) + (<usize>(c & 15) << 2);
      let s: f32 = 0;
      for (let kk = 0; kk < k; kk++) s += load<f32>(xr + (<usize>kk << 2)) * load<f32>(pw + (<usize>kk << 6));
      store<f32>(yr + (<usize>c << 2), epi1(s, bias, c, relu));
    }
  }
}
