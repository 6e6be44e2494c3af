// FastText training kernels (Bojanowski et al. 2017; fastText's src/fasttext.cc skipgram()/cbow(), src/model.cc):
// skip-gram and CBOW where a word's input vector is the MEAN of its bag of rows (its own row and its character
// n-gram rows, precomputed per vocabulary word as one CSR array), with negative sampling and/or hierarchical
// softmax. The gradient of the hidden vector is added, whole, to every row of the bag (fastText's Model::update
// without normalizeGradient). One call trains a batch of sentences with Word2Vec's calling convention: the config
// block is Word2Vec's (assembly/w2v/config.ts; SYN0 = the input matrix, nwords word rows then the bucket rows)
// followed by the two FT_* fields below. Units: row ids count rows; pointers are byte addresses.
//
// Skip-gram has two modes (FLAG_MINIBATCH): off = fastText exactly (per (center, context) pair: hidden recomputed,
// `negative` fresh draws, the bag updated); on = one hidden vector per center word, every context of its window
// scored against it, `negative` draws shared by the window (each weighted by the contexts it is not), and the bag
// updated once with the summed gradient (a minibatch of the window's pairs).
//
// Code size: the bodies are compiled once and take `simd` as a run-time flag (the SIMD and scalar exports share them).
import { EXP_TABLE_SIZE, MAX_EXP } from '../util/constants';
import {
  CFG_SYN0, CFG_SYN1NEG, CFG_SYN1, CFG_DIM, CFG_NEGATIVE, CFG_WINDOW, CFG_FLAGS, CFG_NEG_TABLE, CFG_NEG_TABLE_SIZE,
  CFG_SAMPLE, CFG_CODES, CFG_POINTS, CFG_CODELENS, CFG_EXP_TABLE, CFG_LOG_TABLE, CFG_TOKENS, CFG_OFFSETS, CFG_NSENT,
  CFG_SCRATCH, CFG_ALPHA, CFG_ALPHA_END, CFG_RNG, CFG_LOSS, CFG_WORDS, CFG_PAIRS, CFG_SIZE,
  FLAG_HS, FLAG_CBOW, FLAG_CBOW_MEAN, FLAG_SHRINK_WINDOWS, FLAG_SAMPLE, FLAG_MINIBATCH, MAX_CODE_LENGTH,
} from '../w2v/config';

/** i32[nwords+1]: word w's bag is rows[offsets[w] .. offsets[w+1]) */
export const FT_SUB_OFFSETS: i32 = CFG_SIZE;
/** i32[]: the bags (row ids of the input matrix: the word's own row first, then its n-gram rows nwords + bucket) */
export const FT_SUB_ROWS: i32 = CFG_SIZE + 4;
export const FT_CFG_SIZE: i32 = CFG_SIZE + 16;

const IDX_SCALE: f32 = <f32>EXP_TABLE_SIZE / MAX_EXP / 2;

let lossAcc: f64 = 0;

function dot(a: usize, b: usize, n: i32, simd: bool): f32 {
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
function axpy(y: usize, x: usize, g: f32, n: i32, simd: bool): void {
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

// @ts-ignore: decorator
@inline
function lcg(s: u64): u64 {
  return s * 25214903917 + 11;
}

/**
 * One output row w (syn1neg or syn1) against hidden h: f = h·w, g = weight·alpha·(label − σ(f)) with word2vec's σ
 * table and saturation; e += g·w (the old w), then w += g·h. Adds weight·(−log σ(±f)) to the loss.
 */
function outRow(w: usize, h: usize, e: usize, label: f32, weight: f32, alpha: f32, cfg: usize, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  const f = dot(h, w, dim, simd);
  const expT = <usize>load<u32>(cfg + CFG_EXP_TABLE);
  const logT = <usize>load<u32>(cfg + CFG_LOG_TABLE);
  let sig: f32;
  let nll: f32;
  const sf = label > 0.5 ? f : -f;
  if (f >= MAX_EXP) sig = 1;
  else if (f <= -MAX_EXP) sig = 0;
  else sig = load<f32>(expT + (<usize>(<i32>((f + MAX_EXP) * IDX_SCALE)) << 2));
  if (sf >= MAX_EXP) nll = 0;
  else if (sf <= -MAX_EXP) nll = -sf;
  else nll = load<f32>(logT + (<usize>(<i32>((sf + MAX_EXP) * IDX_SCALE)) << 2));
  lossAcc += <f64>(nll * weight);
  const g = (label - sig) * alpha * weight;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    for (; i + 4 <= dim; i += 4) {
      const o = <usize>i << 2;
      const vw = v128.load(w + o);
      v128.store(e + o, f32x4.add(v128.load(e + o), f32x4.mul(vg, vw)));
      v128.store(w + o, f32x4.add(vw, f32x4.mul(vg, v128.load(h + o))));
    }
  }
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    store<f32>(e + o, load<f32>(e + o) + g * wv);
    store<f32>(w + o, wv + g * load<f32>(h + o));
  }
}

/** A negative from the Walker alias table (two consecutive LCG states, as Word2Vec's kernel draws them). */
// @ts-ignore: decorator
@inline
function aliasDraw(table: usize, size: u64, r1: u64, r2: u64): i32 {
  const slot = table + (<usize>(((r1 >> 16) & 0xffffffff) * size >> 32) << 3);
  return <u32>(r2 >> 32) < load<u32>(slot) ? <i32>((slot - table) >> 3) : load<i32>(slot, 4);
}

let rngNow: u64 = 0;

/** Draws one negative (advances rngNow twice). */
function drawNegative(cfg: usize): i32 {
  const r1 = (rngNow = lcg(rngNow));
  rngNow = lcg(rngNow);
  return aliasDraw(<usize>load<u32>(cfg + CFG_NEG_TABLE), <u64>load<u32>(cfg + CFG_NEG_TABLE_SIZE), r1, rngNow);
}

/** The target's positive row and `negative` fresh draws (a draw equal to the target is skipped); advances rngNow. */
function nsTarget(cfg: usize, h: usize, e: usize, target: i32, alpha: f32, simd: bool): void {
  const syn1neg = <usize>load<u32>(cfg + CFG_SYN1NEG);
  const rb = <usize>load<i32>(cfg + CFG_DIM) << 2;
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  outRow(syn1neg + <usize>target * rb, h, e, 1, 1, alpha, cfg, simd);
  for (let d = 0; d < negative; d++) {
    const t = drawNegative(cfg);
    if (t != target) outRow(syn1neg + <usize>t * rb, h, e, 0, 1, alpha, cfg, simd);
  }
}

/** Hierarchical softmax along `word`'s Huffman path (label = 1 − code). */
function hsTarget(cfg: usize, h: usize, e: usize, word: i32, alpha: f32, simd: bool): void {
  const syn1 = <usize>load<u32>(cfg + CFG_SYN1);
  const rb = <usize>load<i32>(cfg + CFG_DIM) << 2;
  const codes = <usize>load<u32>(cfg + CFG_CODES) + <usize>word * MAX_CODE_LENGTH;
  const points = <usize>load<u32>(cfg + CFG_POINTS) + ((<usize>word * MAX_CODE_LENGTH) << 2);
  const len = <i32>load<u8>(<usize>load<u32>(cfg + CFG_CODELENS) + <usize>word);
  for (let d = 0; d < len; d++) {
    const label: f32 = load<u8>(codes + <usize>d) ? 0 : 1;
    outRow(syn1 + <usize>load<i32>(points + (<usize>d << 2)) * rb, h, e, label, 1, alpha, cfg, simd);
  }
}

/** For each row of word w's bag: h += g·row (gather, g = 1) or row += g·h (scatter). Returns the bag's size. */
function bag(cfg: usize, w: i32, h: usize, g: f32, scatter: bool, simd: bool): i32 {
  const dim = load<i32>(cfg + CFG_DIM);
  const rb = <usize>dim << 2;
  const syn0 = <usize>load<u32>(cfg + CFG_SYN0);
  const so = <usize>load<u32>(cfg + FT_SUB_OFFSETS);
  const rows = <usize>load<u32>(cfg + FT_SUB_ROWS);
  const a = load<i32>(so + (<usize>w << 2));
  const b = load<i32>(so + (<usize>(w + 1) << 2));
  for (let k = a; k < b; k++) {
    const r = syn0 + <usize>load<i32>(rows + (<usize>k << 2)) * rb;
    if (scatter) axpy(r, h, g, dim, simd);
    else axpy(h, r, g, dim, simd);
  }
  return b - a;
}

/**
 * Loads one float from every cache line of word w's bag rows and returns their sum: issued a center word ahead,
 * these independent loads bring the (randomly placed) n-gram rows into cache while the current word trains
 * (wasm has no prefetch instruction). The caller keeps the sum so that the loads are not optimised away.
 */
function touchBag(cfg: usize, w: i32): f32 {
  const rb = <usize>load<i32>(cfg + CFG_DIM) << 2;
  const syn0 = <usize>load<u32>(cfg + CFG_SYN0);
  const so = <usize>load<u32>(cfg + FT_SUB_OFFSETS);
  const rows = <usize>load<u32>(cfg + FT_SUB_ROWS);
  const b = load<i32>(so + (<usize>(w + 1) << 2));
  let s: f32 = 0;
  for (let k = load<i32>(so + (<usize>w << 2)); k < b; k++) {
    const r = syn0 + <usize>load<i32>(rows + (<usize>k << 2)) * rb;
    for (let o: usize = 0; o < rb; o += 64) s += load<f32>(r + o);
  }
  return s;
}

/** h = mean of word w's bag (zeros for an empty bag). */
function bagMean(cfg: usize, w: i32, h: usize, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  memory.fill(h, 0, <usize>dim << 2);
  const n = bag(cfg, w, h, 1, false, simd);
  if (n > 1) scaleVec(h, <f32>1.0 / <f32>n, dim);
}

function scaleVec(p: usize, a: f32, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), load<f32>(p + (<usize>i << 2)) * a);
}

function trainBatch(cfg: usize, simd: bool): void {
  const dim = load<i32>(cfg + CFG_DIM);
  const flags = load<i32>(cfg + CFG_FLAGS);
  const hs = (flags & FLAG_HS) != 0;
  const cbow = (flags & FLAG_CBOW) != 0;
  const cbowMean = (flags & FLAG_CBOW_MEAN) != 0;
  const shrink = (flags & FLAG_SHRINK_WINDOWS) != 0;
  const sample = (flags & FLAG_SAMPLE) != 0;
  const negative = load<i32>(cfg + CFG_NEGATIVE);
  const shared = (flags & FLAG_MINIBATCH) != 0;
  const window = load<i32>(cfg + CFG_WINDOW);
  const sampleT = <usize>load<u32>(cfg + CFG_SAMPLE);
  const tokens = <usize>load<u32>(cfg + CFG_TOKENS);
  const offsets = <usize>load<u32>(cfg + CFG_OFFSETS);
  const nsent = load<i32>(cfg + CFG_NSENT);
  const rb = <usize>dim << 2;
  // scratch: neu1 (dim) | neu1e (dim) | idx (sentence ids)
  const neu1 = <usize>load<u32>(cfg + CFG_SCRATCH);
  const neu1e = neu1 + rb;
  const idx = neu1e + rb;
  const syn1neg = <usize>load<u32>(cfg + CFG_SYN1NEG);
  const alpha0 = load<f32>(cfg + CFG_ALPHA);
  const alpha1 = load<f32>(cfg + CFG_ALPHA_END);
  rngNow = load<u64>(cfg + CFG_RNG);
  lossAcc = 0;
  let sink: f32 = 0;
  let words: f64 = 0;
  let pairs: f64 = 0;
  const total = load<i32>(offsets + (<usize>nsent << 2)) - load<i32>(offsets);
  let done = 0;
  for (let s = 0; s < nsent; s++) {
    const start = load<i32>(offsets + (<usize>s << 2));
    const end = load<i32>(offsets + (<usize>(s + 1) << 2));
    const alpha: f32 = total > 0 ? alpha0 + (alpha1 - alpha0) * (<f32>done / <f32>total) : alpha0;
    done += end - start;
    let len = 0;
    for (let t = start; t < end; t++) {
      const w = load<i32>(tokens + (<usize>t << 2));
      if (w < 0) continue;
      if (sample) {
        rngNow = lcg(rngNow);
        if (load<u32>(sampleT + (<usize>w << 2)) < <u32>(rngNow >> 16)) continue;
      }
      store<i32>(idx + (<usize>len << 2), w);
      len++;
    }
    words += len;
    for (let i = 0; i < len; i++) {
      let b = 0;
      if (shrink) {
        rngNow = lcg(rngNow);
        b = <i32>(rngNow % <u64>window);
      }
      const win = window - b;
      const j0 = i - win < 0 ? 0 : i - win;
      const j1 = i + win + 1 > len ? len : i + win + 1;
      const m = j1 - j0 - 1;
      if (m <= 0) continue;
      const center = load<i32>(idx + (<usize>i << 2));
      if (!cbow && i + 1 < len) sink += touchBag(cfg, load<i32>(idx + (<usize>(i + 1) << 2)));
      if (cbow) {
        // the bag of every context word, averaged over all its rows (fastText's cbow(); gensim's cbow_mean=1)
        memory.fill(neu1, 0, rb);
        let cnt = 0;
        for (let j = j0; j < j1; j++) if (j != i) cnt += bag(cfg, load<i32>(idx + (<usize>j << 2)), neu1, 1, false, simd);
        if (cnt == 0) continue;
        const inv: f32 = <f32>1.0 / <f32>cnt;
        if (cbowMean) scaleVec(neu1, inv, dim);
        memory.fill(neu1e, 0, rb);
        if (hs) hsTarget(cfg, neu1, neu1e, center, alpha, simd);
        if (negative > 0) nsTarget(cfg, neu1, neu1e, center, alpha, simd);
        if (!cbowMean) scaleVec(neu1e, inv, dim); // gensim's FastText: a summed window shares its error
        for (let j = j0; j < j1; j++) if (j != i) bag(cfg, load<i32>(idx + (<usize>j << 2)), neu1e, 1, true, simd);
        pairs += 1;
      } else if (shared) {
        bagMean(cfg, center, neu1, simd);
        memory.fill(neu1e, 0, rb);
        for (let j = j0; j < j1; j++) {
          if (j == i) continue;
          const c = load<i32>(idx + (<usize>j << 2));
          if (hs) hsTarget(cfg, neu1, neu1e, c, alpha, simd);
          if (negative > 0) outRow(syn1neg + <usize>c * rb, neu1, neu1e, 1, 1, alpha, cfg, simd);
        }
        for (let d = 0; d < negative; d++) {
          const t = drawNegative(cfg);
          // the draw stands for one negative of each pair whose target it is not
          let wgt = 0;
          for (let j = j0; j < j1; j++) if (j != i && load<i32>(idx + (<usize>j << 2)) != t) wgt++;
          if (wgt > 0) outRow(syn1neg + <usize>t * rb, neu1, neu1e, 0, <f32>wgt, alpha, cfg, simd);
        }
        bag(cfg, center, neu1e, 1, true, simd);
        pairs += <f64>m;
      } else {
        // fastText's skipgram(): per pair, hidden = mean of the center's bag, the bag takes the whole gradient
        for (let j = j0; j < j1; j++) {
          if (j == i) continue;
          const c = load<i32>(idx + (<usize>j << 2));
          bagMean(cfg, center, neu1, simd);
          memory.fill(neu1e, 0, rb);
          if (hs) hsTarget(cfg, neu1, neu1e, c, alpha, simd);
          if (negative > 0) nsTarget(cfg, neu1, neu1e, c, alpha, simd);
          bag(cfg, center, neu1e, 1, true, simd);
          pairs += 1;
        }
      }
    }
  }
  store<u64>(cfg + CFG_RNG, rngNow);
  store<f32>(neu1, sink); // scratch: keeps the prefetching loads
  store<f64>(cfg + CFG_LOSS, load<f64>(cfg + CFG_LOSS) + lossAcc);
  store<f64>(cfg + CFG_WORDS, load<f64>(cfg + CFG_WORDS) + words);
  store<f64>(cfg + CFG_PAIRS, load<f64>(cfg + CFG_PAIRS) + pairs);
}

/** Trains one batch of sentences described by the FastText config block at `cfg` (SIMD inner loops). */
export function ft_train_batch(cfg: usize): void {
  trainBatch(cfg, true);
}

/** Scalar twin of ft_train_batch: the same algorithm and RNG sequence with the SIMD path off. */
export function ft_train_batch_scalar(cfg: usize): void {
  trainBatch(cfg, false);
}

/**
 * Fills f32[n] at p with uniform values in [−scale, scale) (fastText's input initialisation, uniform(−1/dim, 1/dim)):
 * value i is ((1 + (s >>> 9)/2²³)·2 − 3)·scale for the i-th state s of the xorshift32 stream seeded with `seed` (0 → 1).
 */
export function ft_init_uniform(p: usize, n: i32, seed: u32, scale: f32): void {
  let s: u32 = seed == 0 ? 1 : seed;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    // the top 23 bits as a float in [1, 2), then onto [−1, 1)
    store<f32>(p + (<usize>i << 2), (reinterpret<f32>((s >> 9) | 0x3f800000) * 2 - 3) * scale);
  }
}

/** The FastText config block's own entries for the TypeScript mirror: 0 FT_SUB_OFFSETS, 1 FT_SUB_ROWS, 2 FT_CFG_SIZE; −1 past the end. */
export function ft_cfg_layout(i: i32): i32 {
  if (i == 0) return FT_SUB_OFFSETS;
  if (i == 1) return FT_SUB_ROWS;
  if (i == 2) return FT_CFG_SIZE;
  return -1;
}

// @ts-ignore: decorator
@inline
function meanRowsGather(src: usize, srcStride: i32, rows: usize, offsets: usize, n: i32, dim: i32, dst: usize, dstStride: i32, simd: bool): void {
  const sb = <usize>srcStride << 2, db = <usize>dstStride << 2, rowBytes = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const a = load<i32>(offsets + (<usize>i << 2)), b = load<i32>(offsets + (<usize>(i + 1) << 2));
    const out = dst + <usize>i * db;
    const inv: f32 = b > a ? <f32>(1.0 / <f64>(b - a)) : 0; // Math.fround(1 / n), as the TypeScript did
    let o: usize = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const vinv = f32x4.splat(inv);
      for (; o + 16 <= rowBytes; o += 16) {
        let acc = f32x4.splat(0);
        for (let k = a; k < b; k++) acc = f32x4.add(acc, v128.load(src + <usize>load<i32>(rows + (<usize>k << 2)) * sb + o));
        v128.store(out + o, f32x4.mul(acc, vinv));
      }
    }
    for (; o < rowBytes; o += 4) {
      let acc: f32 = 0;
      for (let k = a; k < b; k++) acc += load<f32>(src + <usize>load<i32>(rows + (<usize>k << 2)) * sb + o);
      store<f32>(out + o, acc * inv);
    }
  }
}

/**
 * fastText's word vectors from the input matrix: row i of `dst` (n rows, stride `dstStride` floats) is the mean of the
 * `src` rows (stride `srcStride` floats) listed at rows[offsets[i] … offsets[i+1]) (i32), as fastText computes it:
 * float sums in list order, then × float(1/count); a word with no rows gets zeros.
 */
export function ft_mean_rows_gather(src: usize, srcStride: i32, rows: usize, offsets: usize, n: i32, dim: i32, dst: usize, dstStride: i32): void {
  meanRowsGather(src, srcStride, rows, offsets, n, dim, dst, dstStride, true);
}

/** Scalar twin of ft_mean_rows_gather (the same bits: lane-wise sums in the same order). */
export function ft_mean_rows_gather_scalar(src: usize, srcStride: i32, rows: usize, offsets: usize, n: i32, dim: i32, dst: usize, dstStride: i32): void {
  meanRowsGather(src, srcStride, rows, offsets, n, dim, dst, dstStride, false);
}
