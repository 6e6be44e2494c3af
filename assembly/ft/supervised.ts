// fastText's supervised training (src/fasttext.cc supervised(), src/model.cc Model::update, src/loss.cc): a text
// classifier whose hidden vector is the mean of a line's input rows (words, their character n-grams, word n-grams),
// scored by an output matrix with one of four losses (softmax, one-vs-all, negative sampling, hierarchical softmax),
// trained by SGD. One call trains lines [LINE0, LINE1) of the encoded corpus described by the config block below
// (no JS per token); threads run the same kernel on different line ranges over shared memory (Hogwild).
//
// Arithmetic is fastText's float32, operation by operation, in the same order (the `_scalar` twin is bit-identical
// to a plain float32 reference); the SIMD build differs only in the summation order of dot products.
// Units: row ids and label ids count rows; lengths count elements; pointers are byte addresses.

/** f32[(nwords + bucket)·dim] input matrix */
export const SUP_INPUT: i32 = 0;
/** f32[nlabels·dim] output matrix */
export const SUP_OUTPUT: i32 = 4;
export const SUP_DIM: i32 = 8;
/** output rows (labels) */
export const SUP_OSZ: i32 = 12;
/** 1 hs, 2 ns, 3 softmax, 4 ova (fastText's loss_name) */
export const SUP_LOSS: i32 = 16;
export const SUP_NEG: i32 = 20;
/** i32[]: every line's input rows, concatenated */
export const SUP_ROWS: i32 = 24;
/** i32[nlines+1]: line l's rows are ROWS[off[l] .. off[l+1]) */
export const SUP_ROW_OFF: i32 = 28;
/** i32[]: every line's label ids, concatenated */
export const SUP_LABELS: i32 = 32;
/** i32[nlines+1] */
export const SUP_LAB_OFF: i32 = 36;
export const SUP_LINE0: i32 = 40;
export const SUP_LINE1: i32 = 44;
/** i32[nlines]: tokens of each line as fastText counts them (words, labels, "</s>"): the learning-rate clock */
export const SUP_NTOK: i32 = 48;
/** (u32 threshold, i32 alias)[osz]: Walker alias table of count^0.5 (ns) */
export const SUP_NEG_TABLE: i32 = 52;
/** i32[] inner nodes (minus osz) on each label's path to the root (hs) */
export const SUP_HS_PATHS: i32 = 56;
/** u8[] the matching codes (1 = fastText's `binary`) */
export const SUP_HS_CODES: i32 = 60;
/** i32[osz+1] */
export const SUP_HS_OFF: i32 = 64;
/** f32[513] fastText's sigmoid table */
export const SUP_SIGMOID: i32 = 68;
/** f32[513] fastText's log table */
export const SUP_LOG: i32 = 72;
/** f32 hidden[dim], grad[dim], output[osz] */
export const SUP_SCRATCH: i32 = 76;
/** f32 learning rate at the start of the range, and at its end (linear in tokens across it) */
export const SUP_ALPHA0: i32 = 80;
export const SUP_ALPHA1: i32 = 84;
/** u64 LCG state */
export const SUP_RNG: i32 = 88;
/** f64 accumulated loss (added to) */
export const SUP_LOSS_SUM: i32 = 96;
/** f64 examples trained (added to) */
export const SUP_EXAMPLES: i32 = 104;
/** f64 tokens consumed (added to) */
export const SUP_TOKENS: i32 = 112;
/** i32 flags: bit 0 = the input matrix is frozen (only the output trains: fastText's `quantize -retrain` of the output) */
export const SUP_FLAGS: i32 = 120;
/** u8[rows·dim] or 0: 1 keeps an input weight, 0 prunes it (kept exactly 0 after every row update) */
export const SUP_MASK_IN: i32 = 124;
/** u8[osz·dim] or 0: the output matrix's mask */
export const SUP_MASK_OUT: i32 = 128;
/** f32[nlines·osz] or 0: soft labels (distillation), a row of probabilities per line (softmax loss only) */
export const SUP_TARGETS: i32 = 132;
/** f32 temperature T of the soft part */
export const SUP_TEMP: i32 = 136;
/** f32 weight α of the hard part: loss α·CE(hard) + (1 − α)·T²·CE(softmax(z/T), targets) */
export const SUP_KD_ALPHA: i32 = 140;
/** f32[rows·dim] or 0: quantization-aware training of the input: the float shadow weights SGD updates (INPUT holds Q(shadow), used forward) */
export const SUP_SHADOW_IN: i32 = 144;
/** f32[osz·dim] or 0: the output's shadow weights (OUTPUT holds Q(shadow)) */
export const SUP_SHADOW_OUT: i32 = 148;
/** f32[rows]: each input row's quantization scale (written with the row) */
export const SUP_QSCALE_IN: i32 = 152;
/** f32[osz] */
export const SUP_QSCALE_OUT: i32 = 156;
/** i32 bits of the quantizer: 1 (α·sign), 2 (ternary α·{−1,0,1}), 4 or 8 (symmetric, s = max|w|/(2^(b−1) − 1)) */
export const SUP_QBITS: i32 = 160;
export const SUP_CFG_SIZE: i32 = 168;

const LOSS_HS = 1;
const LOSS_NS = 2;
const LOSS_SOFTMAX = 3;

function dotS(a: usize, b: usize, n: i32, simd: bool): f32 {
  let s: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
    s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/** y[i] += g·x[i] (element-wise: the SIMD path gives the same bits) */
function axpyS(y: usize, x: usize, g: f32, n: i32, simd: bool): void {
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

function scaleS(p: usize, a: f32, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), load<f32>(p + (<usize>i << 2)) * a);
}

/** Zeroes the entries of a row whose mask byte is 0 (branch-free: masks are irregular). */
function maskRow(p: usize, m: usize, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const zero = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = p + (<usize>i << 2);
      const keep = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(m + <usize>i))), zero);
      v128.store(o, v128.and(v128.load(o), keep));
    }
  }
  for (; i < n; i++) {
    const o = p + (<usize>i << 2);
    store<f32>(o, select<f32>(load<f32>(o), 0, load<u8>(m + <usize>i) != 0));
  }
}

/**
 * Quantizes one row of n floats at `src` into `dst` (exact values s·q, q an integer) and writes its scale s to
 * `scale`: bits 8 / 4 symmetric round-to-nearest with s = max|w| / (2^(bits−1) − 1), q ∈ [−qmax, qmax]; bits 2
 * ternary (TWN: Δ = 0.7·mean|w|, s = mean of |w| above Δ, q ∈ {−1, 0, 1}); bits 1 binary (s = mean|w|, q = ±1,
 * +1 for w ≥ 0). Sums run in element order in f32.
 */
function quantRow(src: usize, dst: usize, scale: usize, n: i32, bits: i32): void {
  let s: f32 = 0;
  if (bits <= 2) {
    let sum: f32 = 0;
    for (let i = 0; i < n; i++) sum += Mathf.abs(load<f32>(src + (<usize>i << 2)));
    s = sum / <f32>n;
    if (bits == 2) {
      const thr: f32 = <f32>0.7 * s;
      let big: f32 = 0;
      let cnt = 0;
      for (let i = 0; i < n; i++) {
        const a = Mathf.abs(load<f32>(src + (<usize>i << 2)));
        if (a > thr) {
          big += a;
          cnt++;
        }
      }
      s = cnt > 0 ? big / <f32>cnt : 0;
      for (let i = 0; i < n; i++) {
        const w = load<f32>(src + (<usize>i << 2));
        store<f32>(dst + (<usize>i << 2), Mathf.abs(w) > thr ? (w > 0 ? s : -s) : 0);
      }
    } else {
      for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)) >= 0 ? s : -s);
    }
  } else {
    const qmax: f32 = <f32>((1 << (bits - 1)) - 1);
    let m: f32 = 0;
    for (let i = 0; i < n; i++) m = Mathf.max(m, Mathf.abs(load<f32>(src + (<usize>i << 2))));
    s = m / qmax;
    for (let i = 0; i < n; i++) {
      // through i32: a code of −0 becomes +0, so the value is exactly s·q of the integer q
      const q = s > 0 ? <f32><i32>Mathf.min(qmax, Mathf.max(-qmax, nearest<f32>(load<f32>(src + (<usize>i << 2)) / s))) : <f32>0;
      store<f32>(dst + (<usize>i << 2), s * q);
    }
  }
  store<f32>(scale, s);
}

/** Quantizes rows [r0, r1) of a rows×dim matrix (see quantRow) from `src` into `dst`, scales into `scales` (f32 per row). */
export function qat_quantize_per_row(src: usize, dst: usize, scales: usize, r0: i32, r1: i32, dim: i32, bits: i32): void {
  const rb = <usize>dim << 2;
  for (let r = r0; r < r1; r++) quantRow(src + <usize>r * rb, dst + <usize>r * rb, scales + (<usize>r << 2), dim, bits);
}

/** y[i] = mask[i] ? y[i] + g·x[i] : 0 in one pass (the same bits as axpyS then maskRow). */
function axpyMasked(y: usize, x: usize, g: f32, m: usize, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const vg = f32x4.splat(g);
    const zero = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const keep = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(m + <usize>i))), zero);
      v128.store(y + o, v128.and(f32x4.add(v128.load(y + o), f32x4.mul(vg, v128.load(x + o))), keep));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, select<f32>(load<f32>(y + o) + g * load<f32>(x + o), 0, load<u8>(m + <usize>i) != 0));
  }
}

/** Zeroes the entries of n floats at `p` whose byte in `mask` is 0. */
export function mask_zero(p: usize, mask: usize, n: i32): void {
  maskRow(p, mask, n, true);
}

/**
 * Row r of the input (m = 0) or output (m = 1) matrix += g·x: on the float shadow when quantization-aware (the
 * matrix row then becomes Q(shadow row)), masked entries kept 0.
 */
function updRow(cfg: usize, m: i32, r: i32, x: usize, g: f32, simd: bool): void {
  const dim = load<i32>(cfg + SUP_DIM);
  const off = <usize>r * (<usize>dim << 2);
  const row = <usize>load<u32>(cfg + (m ? SUP_OUTPUT : SUP_INPUT)) + off;
  const sh = <usize>load<u32>(cfg + (m ? SUP_SHADOW_OUT : SUP_SHADOW_IN));
  const mask = <usize>load<u32>(cfg + (m ? SUP_MASK_OUT : SUP_MASK_IN));
  const mr = mask + <usize>r * <usize>dim;
  if (sh) {
    axpyS(sh + off, x, g, dim, simd);
    if (mask) maskRow(sh + off, mr, dim, simd);
    quantRow(sh + off, row, <usize>load<u32>(cfg + (m ? SUP_QSCALE_OUT : SUP_QSCALE_IN)) + (<usize>r << 2), dim, load<i32>(cfg + SUP_QBITS));
    if (mask) maskRow(row, mr, dim, simd);
  } else if (mask) {
    axpyMasked(row, x, g, mr, dim, simd);
  } else {
    axpyS(row, x, g, dim, simd);
  }
}

// @ts-ignore: decorator
@inline
function lcg(s: u64): u64 {
  return s * 25214903917 + 11;
}

let rng: u64 = 0;
/** no shadow weights and no masks in this batch: rows are updated in place by a plain axpy (the hot path) */
let plainRows: bool = true;

/** fastText's Loss::sigmoid (table lookup, saturating beyond ±8) */
function sigmoidT(cfg: usize, x: f32): f32 {
  if (x < -8) return 0;
  if (x > 8) return 1;
  const i = <i32>((x + 8) * <f32>512 / <f32>8 / <f32>2);
  return load<f32>(<usize>load<u32>(cfg + SUP_SIGMOID) + (<usize>i << 2));
}

/** fastText's Loss::log (table lookup; 0 above 1) */
function logT(cfg: usize, x: f32): f32 {
  if (x > 1) return 0;
  const i = <i32>(x * <f32>512);
  return load<f32>(<usize>load<u32>(cfg + SUP_LOG) + (<usize>i << 2));
}

/** fastText's BinaryLogisticLoss::binaryLogistic with backprop: returns the loss. */
function binaryLogistic(cfg: usize, target: i32, positive: bool, lr: f32, hidden: usize, grad: usize, simd: bool): f32 {
  const dim = load<i32>(cfg + SUP_DIM);
  const row = <usize>load<u32>(cfg + SUP_OUTPUT) + ((<usize>target * <usize>dim) << 2);
  const score = sigmoidT(cfg, dotS(hidden, row, dim, simd));
  const alpha: f32 = lr * ((positive ? <f32>1 : <f32>0) - score);
  axpyS(grad, row, alpha, dim, simd);
  if (plainRows) axpyS(row, hidden, alpha, dim, simd);
  else updRow(cfg, 1, target, hidden, alpha, simd);
  return positive ? -logT(cfg, score) : -logT(cfg, <f32>1.0 - score);
}

/** A negative label from the alias table, never `target` (fastText's getNegative); two LCG steps per draw. */
function negative(cfg: usize, target: i32, osz: i32): i32 {
  const table = <usize>load<u32>(cfg + SUP_NEG_TABLE);
  let n: i32 = target;
  while (n == target) {
    const r1 = (rng = lcg(rng));
    const r2 = (rng = lcg(rng));
    const slot = table + (<usize>((((r1 >> 16) & 0xffffffff) * <u64>osz) >> 32) << 3);
    n = <u32>(r2 >> 32) < load<u32>(slot) ? <i32>((slot - table) >> 3) : load<i32>(slot, 4);
  }
  return n;
}

/** One example (fastText's Model::update): rows [r0, r1) of ROWS, labels [l0, l1) of LABELS. Returns the loss. */
function update(cfg: usize, line: i32, r0: i32, r1: i32, l0: i32, l1: i32, lr: f32, simd: bool): f32 {
  const dim = load<i32>(cfg + SUP_DIM);
  const osz = load<i32>(cfg + SUP_OSZ);
  const loss = load<i32>(cfg + SUP_LOSS);
  const input = <usize>load<u32>(cfg + SUP_INPUT);
  const output = <usize>load<u32>(cfg + SUP_OUTPUT);
  const rows = <usize>load<u32>(cfg + SUP_ROWS);
  const labels = <usize>load<u32>(cfg + SUP_LABELS);
  const rb = <usize>dim << 2;
  const hidden = <usize>load<u32>(cfg + SUP_SCRATCH);
  const grad = hidden + rb;
  const out = grad + rb;
  const n = r1 - r0;
  // computeHidden: the mean of the rows, summed in order
  memory.fill(hidden, 0, rb);
  for (let k = r0; k < r1; k++) axpyS(hidden, input + <usize>load<i32>(rows + (<usize>k << 2)) * rb, 1, dim, simd);
  const inv = <f32>(1.0 / <f64>n);
  scaleS(hidden, inv, dim);
  memory.fill(grad, 0, rb);
  let lv: f32 = 0;
  if (loss == 4) {
    // one-vs-all: every label is a binary problem
    for (let i = 0; i < osz; i++) {
      let match = false;
      for (let j = l0; j < l1; j++) if (load<i32>(labels + (<usize>j << 2)) == i) match = true;
      lv += binaryLogistic(cfg, i, match, lr, hidden, grad, simd);
    }
  } else {
    let ti = l0;
    if (l1 - l0 > 1) {
      rng = lcg(rng);
      ti = l0 + <i32>((rng >> 16) % <u64>(l1 - l0));
    }
    const target = load<i32>(labels + (<usize>ti << 2));
    if (loss == LOSS_SOFTMAX) {
      let mx: f32 = 0;
      for (let i = 0; i < osz; i++) {
        const o = dotS(hidden, output + <usize>i * rb, dim, simd);
        store<f32>(out + (<usize>i << 2), o);
        if (i == 0 || o > mx) mx = o;
      }
      const tg = <usize>load<u32>(cfg + SUP_TARGETS);
      const soft = out + (<usize>osz << 2);
      const temp = load<f32>(cfg + SUP_TEMP);
      if (tg) {
        // distillation: q = softmax(z / T) beside p = softmax(z)
        let zq: f32 = 0;
        for (let i = 0; i < osz; i++) {
          const e = <f32>Math.exp(<f64>((load<f32>(out + (<usize>i << 2)) - mx) / temp));
          store<f32>(soft + (<usize>i << 2), e);
          zq += e;
        }
        for (let i = 0; i < osz; i++) store<f32>(soft + (<usize>i << 2), load<f32>(soft + (<usize>i << 2)) / zq);
      }
      let z: f32 = 0;
      for (let i = 0; i < osz; i++) {
        const e = <f32>Math.exp(<f64>(load<f32>(out + (<usize>i << 2)) - mx));
        store<f32>(out + (<usize>i << 2), e);
        z += e;
      }
      for (let i = 0; i < osz; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) / z);
      if (!tg) {
        for (let i = 0; i < osz; i++) {
          const alpha: f32 = lr * ((i == target ? <f32>1 : <f32>0) - load<f32>(out + (<usize>i << 2)));
          const row = output + <usize>i * rb;
          axpyS(grad, row, alpha, dim, simd);
          if (plainRows) axpyS(row, hidden, alpha, dim, simd);
          else updRow(cfg, 1, i, hidden, alpha, simd);
        }
        lv = -logT(cfg, load<f32>(out + (<usize>target << 2)));
      } else {
        // −∂loss/∂z_i = α(y_i − p_i) + (1 − α)·T·(t_i − q_i)
        const ka = load<f32>(cfg + SUP_KD_ALPHA);
        const kb: f32 = <f32>1 - ka;
        const t = tg + ((<usize>line * <usize>osz) << 2);
        let ce: f32 = 0;
        for (let i = 0; i < osz; i++) {
          const ti = load<f32>(t + (<usize>i << 2));
          const qi = load<f32>(soft + (<usize>i << 2));
          const alpha: f32 = lr * (ka * ((i == target ? <f32>1 : <f32>0) - load<f32>(out + (<usize>i << 2))) + kb * temp * (ti - qi));
          axpyS(grad, output + <usize>i * rb, alpha, dim, simd);
          updRow(cfg, 1, i, hidden, alpha, simd);
          if (ti > 0) ce -= ti * logT(cfg, qi);
        }
        lv = -ka * logT(cfg, load<f32>(out + (<usize>target << 2))) + kb * temp * temp * ce;
      }
    } else if (loss == LOSS_NS) {
      lv = binaryLogistic(cfg, target, true, lr, hidden, grad, simd);
      const neg = load<i32>(cfg + SUP_NEG);
      if (osz > 1) for (let d = 0; d < neg; d++) lv += binaryLogistic(cfg, negative(cfg, target, osz), false, lr, hidden, grad, simd);
    } else if (loss == LOSS_HS) {
      const off = <usize>load<u32>(cfg + SUP_HS_OFF);
      const paths = <usize>load<u32>(cfg + SUP_HS_PATHS);
      const codes = <usize>load<u32>(cfg + SUP_HS_CODES);
      const a = load<i32>(off + (<usize>target << 2));
      const b = load<i32>(off + (<usize>(target + 1) << 2));
      for (let k = a; k < b; k++) lv += binaryLogistic(cfg, load<i32>(paths + (<usize>k << 2)), load<u8>(codes + <usize>k) != 0, lr, hidden, grad, simd);
    }
  }
  // normalizeGradient (supervised), then every input row takes the gradient
  scaleS(grad, inv, dim);
  if ((load<i32>(cfg + SUP_FLAGS) & 1) == 0) {
    if (plainRows) for (let k = r0; k < r1; k++) axpyS(input + <usize>load<i32>(rows + (<usize>k << 2)) * rb, grad, 1, dim, simd);
    else for (let k = r0; k < r1; k++) updRow(cfg, 0, load<i32>(rows + (<usize>k << 2)), grad, 1, simd);
  }
  return lv;
}

function trainLines(cfg: usize, simd: bool): void {
  const rowOff = <usize>load<u32>(cfg + SUP_ROW_OFF);
  const labOff = <usize>load<u32>(cfg + SUP_LAB_OFF);
  const ntok = <usize>load<u32>(cfg + SUP_NTOK);
  const line0 = load<i32>(cfg + SUP_LINE0);
  const line1 = load<i32>(cfg + SUP_LINE1);
  const alpha0 = load<f32>(cfg + SUP_ALPHA0);
  const alpha1 = load<f32>(cfg + SUP_ALPHA1);
  rng = load<u64>(cfg + SUP_RNG);
  plainRows = (load<u32>(cfg + SUP_SHADOW_IN) | load<u32>(cfg + SUP_SHADOW_OUT) | load<u32>(cfg + SUP_MASK_IN) | load<u32>(cfg + SUP_MASK_OUT)) == 0;
  let total: f64 = 0;
  for (let l = line0; l < line1; l++) total += <f64>load<i32>(ntok + (<usize>l << 2));
  let done: f64 = 0;
  let lossSum: f64 = 0;
  let examples: f64 = 0;
  for (let l = line0; l < line1; l++) {
    const lr: f32 = total > 0 ? alpha0 + (alpha1 - alpha0) * <f32>(done / total) : alpha0;
    done += <f64>load<i32>(ntok + (<usize>l << 2));
    const r0 = load<i32>(rowOff + (<usize>l << 2));
    const r1 = load<i32>(rowOff + (<usize>(l + 1) << 2));
    const l0 = load<i32>(labOff + (<usize>l << 2));
    const l1 = load<i32>(labOff + (<usize>(l + 1) << 2));
    if (r1 <= r0 || l1 <= l0) continue;
    lossSum += <f64>update(cfg, l, r0, r1, l0, l1, lr, simd);
    examples += 1;
  }
  store<u64>(cfg + SUP_RNG, rng);
  store<f64>(cfg + SUP_LOSS_SUM, load<f64>(cfg + SUP_LOSS_SUM) + lossSum);
  store<f64>(cfg + SUP_EXAMPLES, load<f64>(cfg + SUP_EXAMPLES) + examples);
  store<f64>(cfg + SUP_TOKENS, load<f64>(cfg + SUP_TOKENS) + total);
}

/** Trains lines [LINE0, LINE1) described by the supervised config block at `cfg` (SIMD dot products). */
export function sup_train_batch(cfg: usize): void {
  trainLines(cfg, true);
}

/** Scalar twin of sup_train_batch: fastText's float32 arithmetic in fastText's order, bit for bit. */
export function sup_train_batch_scalar(cfg: usize): void {
  trainLines(cfg, false);
}

/** The config block's layout for the TypeScript mirror: entry i is the i-th field's offset, then SUP_CFG_SIZE; −1 past the end. */
export function sup_cfg_layout(i: i32): i32 {
  if (i < 0) return -1;
  if (i < 21) return i * 4; // SUP_INPUT … SUP_SCRATCH, SUP_ALPHA0 (4-byte fields, 4 bytes apart)
  if (i == 21) return SUP_ALPHA1;
  if (i == 22) return SUP_RNG;
  if (i == 23) return SUP_LOSS_SUM;
  if (i == 24) return SUP_EXAMPLES;
  if (i == 25) return SUP_TOKENS;
  if (i >= 26 && i < 37) return SUP_FLAGS + (i - 26) * 4; // SUP_FLAGS … SUP_QBITS
  if (i == 37) return SUP_CFG_SIZE;
  return -1;
}
