// Word2Vec training kernels: skip-gram and CBOW, with negative sampling and/or hierarchical softmax.
// One call trains a whole batch of sentences (thousands of tokens): it subsamples frequent words, draws
// reduced windows and negatives with its own RNG (word2vec.c's LCG), looks σ up in word2vec's table, and
// updates syn0/syn1neg/syn1 in place (Hogwild-safe: no locks; each worker has its own config block).
// Follows word2vec.c's update rules (the reference tool); gensim's are the same up to the saturated case.
import { EXP_TABLE_SIZE, MAX_EXP } from '../util/constants';
import {
  CFG_SYN0, CFG_SYN1NEG, CFG_SYN1, CFG_DIM, CFG_VOCAB, CFG_NEGATIVE, CFG_WINDOW, CFG_FLAGS, CFG_NEG_TABLE, CFG_NEG_TABLE_SIZE,
  CFG_SAMPLE, CFG_CODES, CFG_POINTS, CFG_CODELENS, CFG_EXP_TABLE, CFG_LOG_TABLE, CFG_TOKENS, CFG_OFFSETS, CFG_NSENT,
  CFG_SCRATCH, CFG_ALPHA, CFG_ALPHA_END, CFG_RNG, CFG_LOSS, CFG_WORDS, CFG_PAIRS, CFG_QLEVEL, CFG_SIZE,
  FLAG_HS, FLAG_CBOW, FLAG_CBOW_MEAN, FLAG_SHRINK_WINDOWS, FLAG_SAMPLE, FLAG_MINIBATCH, FLAG_QUANT1, FLAG_QUANT2, MAX_CODE_LENGTH,
} from './config';

const IDX_SCALE: f32 = <f32>EXP_TABLE_SIZE / MAX_EXP / 2;

/** Loss accumulated by the kernel running now (a per-instance global: each worker has its own instance). */
let lossAcc: f64 = 0;

// ---------- inline vector helpers: SIMD when built with SIMD and `simd` is set, scalar otherwise ----------

// @ts-ignore: decorator
@inline
function vdot(a: usize, b: usize, n: i32, simd: bool): f32 {
  let s: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
    const v = f32x4.add(acc0, acc1);
    s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  }
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/** y += g·x */
// @ts-ignore: decorator
@inline
function vaxpy(y: usize, x: usize, g: f32, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(vg, v128.load(x + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + g * load<f32>(x + o));
  }
}

/** y += x (an axpy with g = 1, whose product is exact: the same bits without the multiply) */
// @ts-ignore: decorator
@inline
function vadd(y: usize, x: usize, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
  }
}

/** The fused update of one output row: e += g·w, then w += g·h (reads w once). */
// @ts-ignore: decorator
@inline
function vupdate(e: usize, w: usize, h: usize, g: f32, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vw = v128.load(w + o);
      v128.store(e + o, f32x4.add(v128.load(e + o), f32x4.mul(vg, vw)));
      v128.store(w + o, f32x4.add(vw, f32x4.mul(vg, v128.load(h + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    store<f32>(e + o, load<f32>(e + o) + g * wv);
    store<f32>(w + o, wv + g * load<f32>(h + o));
  }
}

/**
 * vupdate(e, pw, h, g) then vdot(h, w), in one pass: each element of pw is updated before w's element is read (so
 * w == pw sees the new value), and the dot's lanes and order are vdot's, so the result is the same bits.
 */
// @ts-ignore: decorator
@inline
function vupdateDot(e: usize, pw: usize, h: usize, g: f32, w: usize, n: i32, simd: bool): f32 {
  let s: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const w0 = v128.load(pw + o), w1 = v128.load(pw + o, 16);
      const h0 = v128.load(h + o), h1 = v128.load(h + o, 16);
      v128.store(e + o, f32x4.add(v128.load(e + o), f32x4.mul(vg, w0)));
      v128.store(e + o, f32x4.add(v128.load(e + o, 16), f32x4.mul(vg, w1)), 16);
      v128.store(pw + o, f32x4.add(w0, f32x4.mul(vg, h0)));
      v128.store(pw + o, f32x4.add(w1, f32x4.mul(vg, h1)), 16);
      acc0 = f32x4.add(acc0, f32x4.mul(h0, v128.load(w + o)));
      acc1 = f32x4.add(acc1, f32x4.mul(h1, v128.load(w + o, 16)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const w0 = v128.load(pw + o), h0 = v128.load(h + o);
      v128.store(e + o, f32x4.add(v128.load(e + o), f32x4.mul(vg, w0)));
      v128.store(pw + o, f32x4.add(w0, f32x4.mul(vg, h0)));
      acc0 = f32x4.add(acc0, f32x4.mul(h0, v128.load(w + o)));
    }
    const v = f32x4.add(acc0, acc1);
    s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(pw + o);
    store<f32>(e + o, load<f32>(e + o) + g * wv);
    store<f32>(pw + o, wv + g * load<f32>(h + o));
    s += load<f32>(h + o) * load<f32>(w + o);
  }
  return s;
}

// @ts-ignore: decorator
@inline
function vzero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

// @ts-ignore: decorator
@inline
function vscale(p: usize, a: f32, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const va = f32x4.splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, f32x4.mul(v128.load(p + o), va));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(p + o, load<f32>(p + o) * a);
  }
}

/**
 * h = Σ of the n rows whose addresses are at P, summed from 0 in list order chunk by chunk (the same bits as zeroing
 * h and adding one row at a time, with each row read once and h written once).
 */
// @ts-ignore: decorator
@inline
function cbowSum(h: usize, P: usize, n: i32, rowBytes: usize, simd: bool): void {
  let o: usize = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; o + 16 <= rowBytes; o += 16) {
      let acc = f32x4.splat(0);
      for (let c = 0; c < n; c++) acc = f32x4.add(acc, v128.load(<usize>load<u32>(P + (<usize>c << 2)) + o));
      v128.store(h + o, acc);
    }
  }
  for (; o < rowBytes; o += 4) {
    let acc: f32 = 0;
    for (let c = 0; c < n; c++) acc += load<f32>(<usize>load<u32>(P + (<usize>c << 2)) + o);
    store<f32>(h + o, acc);
  }
}

/** Adds e to each of the n rows whose addresses are at P, in list order (a row listed twice gets e twice). */
// @ts-ignore: decorator
@inline
function cbowSpread(P: usize, n: i32, e: usize, rowBytes: usize, simd: bool): void {
  let o: usize = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; o + 16 <= rowBytes; o += 16) {
      const ve = v128.load(e + o);
      for (let c = 0; c < n; c++) {
        const r = <usize>load<u32>(P + (<usize>c << 2)) + o;
        v128.store(r, f32x4.add(v128.load(r), ve));
      }
    }
  }
  for (; o < rowBytes; o += 4) {
    const ev = load<f32>(e + o);
    for (let c = 0; c < n; c++) {
      const r = <usize>load<u32>(P + (<usize>c << 2)) + o;
      store<f32>(r, load<f32>(r) + ev);
    }
  }
}

// @ts-ignore: decorator
@inline
function lcg(s: u64): u64 {
  return s * 25214903917 + 11;
}

/**
 * A negative from Walker's alias table over the unigram^0.75 distribution: O(1), exact, and only 8 bytes per word
 * (a 1e8-slot table like word2vec.c's misses the cache on every draw). r1 picks the slot (bits 16–47), r2 the
 * accept-or-alias choice (bits 32–63): two consecutive LCG states.
 */
// @ts-ignore: decorator
@inline
function aliasDraw(table: usize, size: u64, r1: u64, r2: u64): i32 {
  const slot = table + (<usize>(((r1 >> 16) & 0xffffffff) * size >> 32) << 3);
  return <u32>(r2 >> 32) < load<u32>(slot) ? <i32>((slot - table) >> 3) : load<i32>(slot, 4);
}

/**
 * g for one (hidden, output row) pair with the word2vec table, plus the loss term, added to `lossAcc`.
 * Returns g = (label − σ(f))·alpha, with word2vec.c's saturation (σ = 1 above MAX_EXP, 0 below −MAX_EXP).
 */
// @ts-ignore: decorator
@inline
function gradient(f: f32, label: f32, alpha: f32, expTable: usize, logTable: usize): f32 {
  let sig: f32;
  let nll: f32; // −log σ(±f)
  const sf = label > 0.5 ? f : -f; // the logit of the correct answer
  if (f >= MAX_EXP) sig = 1;
  else if (f <= -MAX_EXP) sig = 0;
  else sig = load<f32>(expTable + (<usize>(<i32>((f + MAX_EXP) * IDX_SCALE)) << 2));
  if (sf >= MAX_EXP) nll = 0;
  else if (sf <= -MAX_EXP) nll = -sf;
  else nll = load<f32>(logTable + (<usize>(<i32>((sf + MAX_EXP) * IDX_SCALE)) << 2));
  lossAcc += <f64>nll;
  return (label - sig) * alpha;
}

/**
 * Negative sampling for one hidden vector h (a context word's syn0 row in skip-gram, the context mean in CBOW):
 * the positive target plus `negative` draws from the unigram table (a draw equal to the target is skipped).
 * Accumulates the hidden gradient into e and updates syn1neg. Returns the new RNG state.
 */
// @ts-ignore: decorator
@inline
function nsUpdate(cfg: usize, h: usize, e: usize, target: i32, alpha: f32, rng: u64, simd: bool): u64 {
  const dim = load<i32>(cfg + CFG_DIM);
  const syn1neg = <usize>load<u32>(cfg + CFG_SYN1NEG);
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  const table = <usize>load<u32>(cfg + CFG_NEG_TABLE);
  const tsize = <u64>load<u32>(cfg + CFG_NEG_TABLE_SIZE);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  const rowBytes = <usize>dim << 2;
  // Each output row's update is fused with the next row's score (one pass over h instead of two): the same
  // operations on each element in the same order as update-then-dot, so the results are the same bits (a row drawn
  // twice in a row reads its updated values, as before).
  let pw: usize = 0;
  let pg: f32 = 0;
  for (let d = 0; d <= negative; d++) {
    let t: i32;
    let label: f32;
    if (d == 0) {
      t = target;
      label = 1;
    } else {
      const r1 = (rng = lcg(rng));
      rng = lcg(rng);
      t = aliasDraw(table, tsize, r1, rng);
      if (t == target) continue;
      label = 0;
    }
    const w = syn1neg + <usize>t * rowBytes;
    const f = pw ? vupdateDot(e, pw, h, pg, w, dim, simd) : vdot(h, w, dim, simd);
    pg = gradient(f, label, alpha, expT, logT);
    pw = w;
  }
  if (pw) vupdate(e, pw, h, pg, dim, simd);
  return rng;
}

/** Hierarchical softmax along `word`'s Huffman path: accumulates into e and updates syn1. */
// @ts-ignore: decorator
@inline
function hsUpdate(cfg: usize, h: usize, e: usize, word: i32, alpha: f32, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  const syn1 = <usize>load<u32>(cfg + CFG_SYN1);
  const codes = <usize>load<u32>(cfg + CFG_CODES) + <usize>word * MAX_CODE_LENGTH;
  const points = <usize>load<u32>(cfg + CFG_POINTS) + ((<usize>word * MAX_CODE_LENGTH) << 2);
  const len = <i32>load<u8>(<usize>load<u32>(cfg + CFG_CODELENS) + <usize>word);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  const rowBytes = <usize>dim << 2;
  for (let d = 0; d < len; d++) {
    const w = syn1 + <usize>load<i32>(points + (<usize>d << 2)) * rowBytes;
    const f = vdot(h, w, dim, simd);
    // word2vec.c: label = 1 − code, g = (1 − code − σ(f))·alpha
    const label: f32 = load<u8>(codes + <usize>d) ? 0 : 1;
    const g = gradient(f, label, alpha, expT, logT);
    vupdate(e, w, h, g, dim, simd);
  }
}

/**
 * Skip-gram with negatives shared across one window (HogBatch, Ji et al. 2016, "Parallelizing Word2Vec in Shared and
 * Distributed Memory"): the m context rows of center i and the (1 + K) output rows (the center and K negatives drawn
 * once per window) form an m×(1+K) block. All scores are computed first, then the input errors (from the old output
 * rows), the output updates (from the old input rows), then the input updates. Each random output row is loaded once
 * per window instead of once per pair, and K draws serve m pairs.
 */
// @ts-ignore: decorator
@inline
function sgWindowShared(cfg: usize, idx: usize, i: i32, j0: i32, j1: i32, center: i32, alpha: f32, rng: u64, E: usize, G: usize, P: usize, simd: bool): u64 {
  const dim = load<i32>(cfg + CFG_DIM);
  const syn0 = <usize>load<u32>(cfg + CFG_SYN0);
  const syn1neg = <usize>load<u32>(cfg + CFG_SYN1NEG);
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  const table = <usize>load<u32>(cfg + CFG_NEG_TABLE);
  const tsize = <u64>load<u32>(cfg + CFG_NEG_TABLE_SIZE);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  const rowBytes = <usize>dim << 2;
  const no = negative + 1;
  // output ids live in G's extra last row: slot 0 the center (label 1), then the draws (a draw equal to the
  // center is skipped: −1)
  const outIds = G + ((<usize>(2 * load<i32>(cfg + CFG_WINDOW)) * <usize>no) << 2);
  store<i32>(outIds, center);
  for (let d = 1; d < no; d++) {
    const r1 = (rng = lcg(rng));
    rng = lcg(rng);
    const t = aliasDraw(table, tsize, r1, rng);
    store<i32>(outIds + (<usize>d << 2), t == center ? -1 : t);
  }
  // scores → gradients
  let m = 0;
  for (let j = j0; j < j1; j++) {
    if (j == i) continue;
    const l1 = syn0 + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
    store<u32>(P + (<usize>m << 2), <u32>l1);
    for (let d = 0; d < no; d++) {
      const t = load<i32>(outIds + (<usize>d << 2));
      let g: f32 = 0;
      if (t >= 0) g = gradient(vdot(l1, syn1neg + <usize>t * rowBytes, dim, simd), d == 0 ? 1 : 0, alpha, expT, logT);
      store<f32>(G + ((<usize>(m * no + d)) << 2), g);
    }
    m++;
  }
  // input errors from the old output rows, and the output updates from the old input rows, in one pass per output
  // row: each chunk of w is read once, added into every e_c (in d order, as a pass per context would) and updated
  // from every l1_c (in c order). The same arithmetic in the same order as one axpy per (c, d), so the same bits.
  // a negative drawn twice must see its old row in every input error: then the two passes of word2vec's order
  let twice = false;
  for (let d = 2; d < no; d++) {
    const t = load<i32>(outIds + (<usize>d << 2));
    for (let d2 = 1; d2 < d; d2++) if (t >= 0 && load<i32>(outIds + (<usize>d2 << 2)) == t) twice = true;
  }
  for (let c = 0; c < m; c++) vzero(E + <usize>c * rowBytes, dim);
  if (twice) {
    for (let c = 0; c < m; c++) {
      const e = E + <usize>c * rowBytes;
      for (let d = 0; d < no; d++) {
        const t = load<i32>(outIds + (<usize>d << 2));
        if (t >= 0) vaxpy(e, syn1neg + <usize>t * rowBytes, load<f32>(G + ((<usize>(c * no + d)) << 2)), dim, simd);
      }
    }
    for (let d = 0; d < no; d++) {
      const t = load<i32>(outIds + (<usize>d << 2));
      if (t < 0) continue;
      const w = syn1neg + <usize>t * rowBytes;
      for (let c = 0; c < m; c++) vaxpy(w, <usize>load<u32>(P + (<usize>c << 2)), load<f32>(G + ((<usize>(c * no + d)) << 2)), dim, simd);
    }
  } else for (let d = 0; d < no; d++) {
    const t = load<i32>(outIds + (<usize>d << 2));
    if (t < 0) continue;
    const w = syn1neg + <usize>t * rowBytes;
    const gcol = G + (<usize>d << 2);
    const gstride = <usize>no << 2;
    let o: usize = 0;
    if (ASC_FEATURE_SIMD && simd) {
      for (; o + 16 <= rowBytes; o += 16) {
        const vw = v128.load(w + o);
        let acc = vw;
        let e = E + o, gp = gcol;
        for (let c = 0; c < m; c++) {
          const vg = f32x4.splat(load<f32>(gp));
          v128.store(e, f32x4.add(v128.load(e), f32x4.mul(vg, vw)));
          acc = f32x4.add(acc, f32x4.mul(vg, v128.load(<usize>load<u32>(P + (<usize>c << 2)) + o)));
          e += rowBytes;
          gp += gstride;
        }
        v128.store(w + o, acc);
      }
    }
    for (; o < rowBytes; o += 4) {
      const wv = load<f32>(w + o);
      let acc = wv;
      let e = E + o, gp = gcol;
      for (let c = 0; c < m; c++) {
        const g = load<f32>(gp);
        store<f32>(e, load<f32>(e) + g * wv);
        acc = acc + g * load<f32>(<usize>load<u32>(P + (<usize>c << 2)) + o);
        e += rowBytes;
        gp += gstride;
      }
      store<f32>(w + o, acc);
    }
  }
  // input updates
  for (let c = 0; c < m; c++) vadd(<usize>load<u32>(P + (<usize>c << 2)), E + <usize>c * rowBytes, dim, simd);
  return rng;
}

// ---------- quantization-aware training (Word2Bits, Lam 2018) ----------

/**
 * The quantizer's level L for this batch (CFG_QLEVEL; 0 there means Word2Bits' own: 1/3 for 1 bit, 1/4 for 2 bits).
 * 1 bit: Q(x) = ±L (+ for x ≥ 0); 2 bits: sign(x)·(|x| ≤ 2L ? L : 3L). Word2Bits' quantizers are L = 1/3 and L = 1/4.
 */
let qL: f32 = 0;

/** The quantizer (see qL). */
// @ts-ignore: decorator
@inline
function quant(x: f32, bits: i32): f32 {
  const m: f32 = bits == 1 ? qL : (abs<f32>(x) <= qL + qL ? qL : qL * <f32>3);
  return x < 0 ? -m : m;
}

/** Q of four lanes (lo/hi: the two magnitudes, equal for 1 bit). */
// @ts-ignore: decorator
@inline
function qlanes(x: v128, lo: v128, hi: v128): v128 {
  const m = v128.bitselect(lo, hi, f32x4.le(f32x4.abs(x), f32x4.splat(qL + qL)));
  return v128.or(m, v128.and(f32x4.lt(x, f32x4.splat(0)), i32x4.splat(0x80000000)));
}

// @ts-ignore: decorator
@inline
function qlo(bits: i32): f32 {
  return qL;
}

// @ts-ignore: decorator
@inline
function qhi(bits: i32): f32 {
  return bits == 1 ? qL : qL * <f32>3;
}

/** dst = Q(src) elementwise (n floats). */
function qcopy(dst: usize, src: usize, n: i32, bits: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const lo = f32x4.splat(qlo(bits)), hi = f32x4.splat(qhi(bits));
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, qlanes(v128.load(src + o), lo, hi));
    }
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), quant(load<f32>(src + (<usize>i << 2)), bits));
}

/**
 * One output row w against the (already quantized) hidden vector h, straight-through, in two passes over the row:
 * f = ⟨h, Q(w)⟩ (writing Q(w) to the dim floats of scratch at qw), then e += g·Q(w) and w += g·h (the float row).
 */
function qOut(h: usize, e: usize, w: usize, qw: usize, label: f32, alpha: f32, expT: usize, logT: usize, dim: i32, bits: i32, simd: bool): void {
  let i = 0;
  let f: f32 = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const lo = f32x4.splat(qlo(bits)), hi = f32x4.splat(qhi(bits));
    let acc = f32x4.splat(0);
    for (; i + 4 <= dim; i += 4) {
      const o = <usize>i << 2;
      const q = qlanes(v128.load(w + o), lo, hi);
      v128.store(qw + o, q);
      acc = f32x4.add(acc, f32x4.mul(v128.load(h + o), q));
    }
    f = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    const q = quant(load<f32>(w + o), bits);
    store<f32>(qw + o, q);
    f += load<f32>(h + o) * q;
  }
  const g = gradient(f, label, alpha, expT, logT);
  i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    for (; i + 4 <= dim; i += 4) {
      const o = <usize>i << 2;
      v128.store(e + o, f32x4.add(v128.load(e + o), f32x4.mul(vg, v128.load(qw + o))));
      v128.store(w + o, f32x4.add(v128.load(w + o), f32x4.mul(vg, v128.load(h + o))));
    }
  }
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    store<f32>(e + o, load<f32>(e + o) + g * load<f32>(qw + o));
    store<f32>(w + o, load<f32>(w + o) + g * load<f32>(h + o));
  }
}

/** nsUpdate with quantized reads (same draws, same order). Returns the new RNG state. */
function qatNs(cfg: usize, h: usize, e: usize, target: i32, alpha: f32, rng: u64, qw: usize, bits: i32, simd: bool): u64 {
  const dim = load<i32>(cfg + CFG_DIM);
  const syn1neg = <usize>load<u32>(cfg + CFG_SYN1NEG);
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  const table = <usize>load<u32>(cfg + CFG_NEG_TABLE);
  const tsize = <u64>load<u32>(cfg + CFG_NEG_TABLE_SIZE);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  for (let d = 0; d <= negative; d++) {
    let t = target;
    let label: f32 = 1;
    if (d > 0) {
      const r1 = (rng = lcg(rng));
      rng = lcg(rng);
      t = aliasDraw(table, tsize, r1, rng);
      if (t == target) continue;
      label = 0;
    }
    qOut(h, e, syn1neg + <usize>t * (<usize>dim << 2), qw, label, alpha, expT, logT, dim, bits, simd);
  }
  return rng;
}

/** hsUpdate with quantized reads of the inner-node rows. */
function qatHs(cfg: usize, h: usize, e: usize, word: i32, alpha: f32, qw: usize, bits: i32, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  const syn1 = <usize>load<u32>(cfg + CFG_SYN1);
  const codes = <usize>load<u32>(cfg + CFG_CODES) + <usize>word * MAX_CODE_LENGTH;
  const points = <usize>load<u32>(cfg + CFG_POINTS) + ((<usize>word * MAX_CODE_LENGTH) << 2);
  const len = <i32>load<u8>(<usize>load<u32>(cfg + CFG_CODELENS) + <usize>word);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  for (let d = 0; d < len; d++) {
    const w = syn1 + <usize>load<i32>(points + (<usize>d << 2)) * (<usize>dim << 2);
    qOut(h, e, w, qw, load<u8>(codes + <usize>d) ? 0 : 1, alpha, expT, logT, dim, bits, simd);
  }
}

// @ts-ignore: decorator
@inline
function trainBatch(cfg: usize, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  const flags = load<i32>(cfg + CFG_FLAGS);
  const hs = (flags & FLAG_HS) != 0;
  const cbow = (flags & FLAG_CBOW) != 0;
  const cbowMean = (flags & FLAG_CBOW_MEAN) != 0;
  const shrink = (flags & FLAG_SHRINK_WINDOWS) != 0;
  const sample = (flags & FLAG_SAMPLE) != 0;
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  const window = load<i32>(cfg + CFG_WINDOW);
  const syn0 = <usize>load<u32>(cfg + CFG_SYN0);
  const sampleT = <usize>load<u32>(cfg + CFG_SAMPLE);
  const tokens = <usize>load<u32>(cfg + CFG_TOKENS);
  const offsets = <usize>load<u32>(cfg + CFG_OFFSETS);
  const nsent = load<i32>(cfg + CFG_NSENT);
  const scratch = <usize>load<u32>(cfg + CFG_SCRATCH);
  const alpha0 = load<f32>(cfg + CFG_ALPHA);
  const alpha1 = load<f32>(cfg + CFG_ALPHA_END);
  // scratch: neu1 (dim) | neu1e (dim) | E (2·window·dim) | G ((2·window + 1)·(negative+1)) | P (2·window context
  // row addresses) | idx (sentence ids)
  const neu1 = scratch;
  const neu1e = scratch + (<usize>dim << 2);
  const hbE = scratch + (<usize>dim << 3);
  const hbG = hbE + ((<usize>(2 * window) * <usize>dim) << 2);
  const hbP = hbG + ((<usize>(2 * window + 1) * <usize>(negative + 1)) << 2);
  const idx = hbP + (<usize>(2 * window) << 2);
  // QAT: h is quantized into qh, output rows into qw (E's space: unused, as QAT trains skip-gram pair by pair)
  const qbits = (flags & FLAG_QUANT1) != 0 ? 1 : (flags & FLAG_QUANT2) != 0 ? 2 : 0;
  const qh = hbE, qw = hbE + (<usize>dim << 2);
  const minibatch = (flags & FLAG_MINIBATCH) != 0 && !hs && negative > 0 && qbits == 0;
  const rowBytes = <usize>dim << 2;
  let rng = load<u64>(cfg + CFG_RNG);
  qL = load<f32>(cfg + CFG_QLEVEL);
  if (!(qL > 0)) qL = qbits == 1 ? <f32>1.0 / <f32>3.0 : <f32>0.25;
  lossAcc = 0;
  let words: f64 = 0;
  let pairs: f64 = 0;
  const total = load<i32>(offsets + (<usize>nsent << 2)) - load<i32>(offsets);
  let done = 0;

  for (let s = 0; s < nsent; s++) {
    const start = load<i32>(offsets + (<usize>s << 2));
    const end = load<i32>(offsets + (<usize>(s + 1) << 2));
    // linear learning-rate decay across the batch, by tokens seen
    const alpha: f32 = total > 0 ? alpha0 + (alpha1 - alpha0) * (<f32>done / <f32>total) : alpha0;
    done += end - start;
    // subsample frequent words (word2vec.c's formula, thresholds precomputed in TS)
    let len = 0;
    for (let t = start; t < end; t++) {
      const w = load<i32>(tokens + (<usize>t << 2));
      if (w < 0) continue;
      if (sample) {
        rng = lcg(rng);
        if (load<u32>(sampleT + (<usize>w << 2)) < <u32>(rng >> 16)) continue;
      }
      store<i32>(idx + (<usize>len << 2), w);
      len++;
    }
    words += len;
    for (let i = 0; i < len; i++) {
      let b = 0;
      if (shrink) {
        rng = lcg(rng);
        b = <i32>(rng % <u64>window);
      }
      const win = window - b;
      const j0 = i - win < 0 ? 0 : i - win;
      const j1 = i + win + 1 > len ? len : i + win + 1;
      const center = load<i32>(idx + (<usize>i << 2));
      if (cbow) {
        let cw = 0;
        for (let j = j0; j < j1; j++) {
          if (j == i) continue;
          store<u32>(hbP + (<usize>cw << 2), <u32>(syn0 + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes));
          cw++;
        }
        if (cw == 0) continue;
        if (qbits) {
          // Word2Bits: the context mean of the quantized rows, summed from 0 in context order
          vzero(neu1, dim);
          for (let c = 0; c < cw; c++) {
            qcopy(qw, <usize>load<u32>(hbP + (<usize>c << 2)), dim, qbits, simd);
            vadd(neu1, qw, dim, simd);
          }
        } else cbowSum(neu1, hbP, cw, rowBytes, simd);
        if (cbowMean) vscale(neu1, <f32>1.0 / <f32>cw, dim, simd);
        vzero(neu1e, dim);
        if (qbits) {
          if (hs) qatHs(cfg, neu1, neu1e, center, alpha, qw, qbits, simd);
          if (negative > 0) rng = qatNs(cfg, neu1, neu1e, center, alpha, rng, qw, qbits, simd);
        } else {
          if (hs) hsUpdate(cfg, neu1, neu1e, center, alpha, simd);
          if (negative > 0) rng = nsUpdate(cfg, neu1, neu1e, center, alpha, rng, simd);
        }
        // word2vec.c adds the full error to every context word (with or without the mean)
        cbowSpread(hbP, cw, neu1e, rowBytes, simd);
        pairs += 1;
      } else if (minibatch) {
        rng = sgWindowShared(cfg, idx, i, j0, j1, center, alpha, rng, hbE, hbG, hbP, simd);
        pairs += <f64>(j1 - j0 - 1);
      } else {
        for (let j = j0; j < j1; j++) {
          if (j == i) continue;
          const l1 = syn0 + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
          vzero(neu1e, dim);
          if (qbits) {
            qcopy(qh, l1, dim, qbits, simd);
            if (hs) qatHs(cfg, qh, neu1e, center, alpha, qw, qbits, simd);
            if (negative > 0) rng = qatNs(cfg, qh, neu1e, center, alpha, rng, qw, qbits, simd);
          } else {
            if (hs) hsUpdate(cfg, l1, neu1e, center, alpha, simd);
            if (negative > 0) rng = nsUpdate(cfg, l1, neu1e, center, alpha, rng, simd);
          }
          vaxpy(l1, neu1e, 1, dim, simd);
          pairs += 1;
        }
      }
    }
  }
  store<u64>(cfg + CFG_RNG, rng);
  store<f64>(cfg + CFG_LOSS, load<f64>(cfg + CFG_LOSS) + lossAcc);
  store<f64>(cfg + CFG_WORDS, load<f64>(cfg + CFG_WORDS) + words);
  store<f64>(cfg + CFG_PAIRS, load<f64>(cfg + CFG_PAIRS) + pairs);
}

/** Trains one batch of sentences described by the config block at `cfg` (SIMD inner loops). */
export function w2v_train_batch(cfg: usize): void {
  trainBatch(cfg, true);
}

/**
 * Scalar oracle of w2v_train_batch: the same algorithm and RNG sequence with scalar inner loops. Only the scalar
 * builds carry it (there it is w2v_train_batch's code); in a SIMD build it traps, and the tests compare the SIMD
 * build's w2v_train_batch with the scalar build's: a second inlined copy of the whole batch is 1.4 KB gzipped of
 * every SIMD wasm, which the runtime entries' 150 KB budget cannot spare.
 */
export function w2v_train_batch_scalar(cfg: usize): void {
  if (ASC_FEATURE_SIMD) unreachable();
  trainBatch(cfg, false);
}

/**
 * One negative-sampling step for hidden vector h (gradient accumulated into e, syn1neg updated), exposed for
 * the gradient tests. Uses and advances the config's RNG. `simd` = 0 runs the scalar path.
 */
export function w2v_ns_step(cfg: usize, h: usize, e: usize, target: i32, alpha: f32, simd: i32): void {
  const rng = load<u64>(cfg + CFG_RNG);
  lossAcc = 0;
  store<u64>(cfg + CFG_RNG, simd ? nsUpdate(cfg, h, e, target, alpha, rng, true) : nsUpdate(cfg, h, e, target, alpha, rng, false));
  store<f64>(cfg + CFG_LOSS, load<f64>(cfg + CFG_LOSS) + lossAcc);
}

/** One hierarchical-softmax step for hidden vector h along `word`'s code, exposed for the gradient tests. */
export function w2v_hs_step(cfg: usize, h: usize, e: usize, word: i32, alpha: f32, simd: i32): void {
  lossAcc = 0;
  if (simd) hsUpdate(cfg, h, e, word, alpha, true);
  else hsUpdate(cfg, h, e, word, alpha, false);
  store<f64>(cfg + CFG_LOSS, load<f64>(cfg + CFG_LOSS) + lossAcc);
}

/** Fills the −log σ table used for the loss: logTable[i] = −log σ((2i/size − 1)·MAX_EXP). */
export function w2v_log_table_init(table: usize, size: i32, maxExp: f32): void {
  for (let i = 0; i < size; i++) {
    const x = (<f32>i / <f32>size * 2 - 1) * maxExp;
    store<f32>(table + (<usize>i << 2), <f32>Math.log1p(Math.exp(-<f64>x)));
  }
}

/**
 * The config block's layout, entry by entry, for the TypeScript mirror to check field by field at start-up:
 * i = 0…26 the byte offset of each field in declaration order (SYN0 … QLEVEL), 27 CFG_SIZE, 28 MAX_CODE_LENGTH,
 * 29…36 the FLAG_* bits (HS, CBOW, CBOW_MEAN, SHRINK_WINDOWS, SAMPLE, MINIBATCH, QUANT1, QUANT2); −1 past the end.
 */
export function w2v_cfg_layout(i: i32): i32 {
  switch (i) {
    case 0: return CFG_SYN0;
    case 1: return CFG_SYN1NEG;
    case 2: return CFG_SYN1;
    case 3: return CFG_DIM;
    case 4: return CFG_VOCAB;
    case 5: return CFG_NEGATIVE;
    case 6: return CFG_WINDOW;
    case 7: return CFG_FLAGS;
    case 8: return CFG_NEG_TABLE;
    case 9: return CFG_NEG_TABLE_SIZE;
    case 10: return CFG_SAMPLE;
    case 11: return CFG_CODES;
    case 12: return CFG_POINTS;
    case 13: return CFG_CODELENS;
    case 14: return CFG_EXP_TABLE;
    case 15: return CFG_LOG_TABLE;
    case 16: return CFG_TOKENS;
    case 17: return CFG_OFFSETS;
    case 18: return CFG_NSENT;
    case 19: return CFG_SCRATCH;
    case 20: return CFG_ALPHA;
    case 21: return CFG_ALPHA_END;
    case 22: return CFG_RNG;
    case 23: return CFG_LOSS;
    case 24: return CFG_WORDS;
    case 25: return CFG_PAIRS;
    case 26: return CFG_QLEVEL;
    case 27: return CFG_SIZE;
    case 28: return MAX_CODE_LENGTH;
    case 29: return FLAG_HS;
    case 30: return FLAG_CBOW;
    case 31: return FLAG_CBOW_MEAN;
    case 32: return FLAG_SHRINK_WINDOWS;
    case 33: return FLAG_SAMPLE;
    case 34: return FLAG_MINIBATCH;
    case 35: return FLAG_QUANT1;
    case 36: return FLAG_QUANT2;
  }
  return -1;
}

/**
 * The corpus cache (src/train/corpus-cache.ts): `n` ids at `src` (mapped through `remap` when it is not 0: slot →
 * word id, −1 dropped; negative ids are unknown words) in `nends` sentences ending at the i32 `ends`, compacted into
 * `dst` (may be `src`: it only shrinks), sentences longer than `maxLen` continued as new pieces whose starts go to
 * `offsets` (pieces + 1 entries), and cut into batches after a piece once a batch holds `batchWords` ids: i32 triples
 * (first piece, pieces, raw corpus tokens consumed) at `batches`. Writes (ids kept, pieces, batches) at `out`.
 */
export function w2v_cache_corpus(src: usize, n: i32, ends: usize, nends: i32, remap: usize, maxLen: i32, batchWords: i32, dst: usize, offsets: usize, batches: usize, out: usize): void {
  let k = 0, p = 0, bStart = 0, bTok = 0, bRaw = 0, nb = 0, s0 = 0;
  for (let s = 0; s < nends; s++) {
    const e = load<i32>(ends + (<usize>s << 2));
    let inPiece = 0;
    for (let i = s0; i < e; i++) {
      let id = load<i32>(src + (<usize>i << 2));
      if (remap != 0 && id >= 0) id = load<i32>(remap + (<usize>id << 2));
      bRaw++;
      if (id < 0) continue;
      if (inPiece == maxLen) {
        inPiece = 0;
        if (k - bTok >= batchWords) {
          const b = batches + <usize>nb * 12;
          store<i32>(b, bStart);
          store<i32>(b, p - bStart, 4);
          store<i32>(b, bRaw - 1, 8); // this token opens the next batch
          nb++;
          bStart = p;
          bTok = k;
          bRaw = 1;
        }
      }
      if (inPiece == 0) {
        store<i32>(offsets + (<usize>p << 2), k);
        p++;
      }
      store<i32>(dst + (<usize>k << 2), id);
      k++;
      inPiece++;
    }
    s0 = e;
    if (k - bTok >= batchWords) {
      const b = batches + <usize>nb * 12;
      store<i32>(b, bStart);
      store<i32>(b, p - bStart, 4);
      store<i32>(b, bRaw, 8);
      nb++;
      bStart = p;
      bTok = k;
      bRaw = 0;
    }
  }
  store<i32>(offsets + (<usize>p << 2), k);
  if (p > bStart || bRaw > 0) {
    const b = batches + <usize>nb * 12;
    store<i32>(b, bStart);
    store<i32>(b, p - bStart, 4);
    store<i32>(b, bRaw, 8);
    nb++;
  }
  store<i32>(out, k);
  store<i32>(out, p, 4);
  store<i32>(out, nb, 8);
}

/**
 * word2vec.c-style initial input vectors: element i of the `n` at `ptr` (from `start` on) is (s/2³² − 0.5)/dim for
 * the i-th state s of a xorshift32 stream seeded with `seed` (the same f64 arithmetic as the TypeScript it replaced).
 */
export function w2v_init_rows(ptr: usize, n: i32, start: i32, seed: u32, dim: i32): void {
  let s = seed;
  const d = <f64>dim;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    if (i >= start) store<f32>(ptr + (<usize>i << 2), <f32>((<f64>s / 4294967296.0 - 0.5) / d));
  }
}
