// GloVe kernels (Pennington et al. 2014, as the Stanford tool's cooccur.c, shuffle.c and glove.c define them).
// Units: counts and lengths are elements, pointers are byte addresses; nothing allocates.
//
// Co-occurrence table: open addressing with linear probing, `1 << logCap` slots of 16 bytes
// (u32 i, u32 j, f64 x); an empty slot has i = 0xFFFFFFFF (fill the table with 0xFF bytes to clear it).
// Training records (after glove_compact): 16 bytes (u32 i, u32 j, f32 log x, f32 f(x)).
// Parameters (glove_train): one f32 block of W[V·dim], W̃[V·dim], b[V], b̃[V]; the squared-gradient sums in a second
// block of the same layout.

const EMPTY: u32 = 0xffffffff;

// @ts-ignore: decorator
@inline
function slotOf(i: u32, j: u32, shift: u64): usize {
  return <usize>(((<u64>i << 32 | <u64>j) * 0x9e3779b97f4a7c15) >> shift) << 4;
}

/** Adds x to cell (i, j). Returns 1 when the cell is new. */
function addCell(table: usize, mask: usize, shift: u64, i: u32, j: u32, x: f64): i32 {
  let s = slotOf(i, j, shift);
  for (;;) {
    const p = table + s;
    const k = load<u32>(p);
    if (k == i && load<u32>(p, 4) == j) {
      store<f64>(p, load<f64>(p, 8) + x, 8);
      return 0;
    }
    if (k == EMPTY) {
      store<u32>(p, i);
      store<u32>(p, j, 4);
      store<f64>(p, x, 8);
      return 1;
    }
    s = (s + 16) & mask;
  }
  return 0; // unreachable: the table always has an empty slot
}

/**
 * cooccur.c's count over ids[from, to): each id is a word (≥ 0) or −2, a sentence break the window does not cross;
 * ids before `from` are context only. For each word at t and each word at t − d (1 ≤ d ≤ window, not past a break),
 * X[ids[t−d], ids[t]] += 1/d (1 without distance weighting: flags bit 1 clear) and, when symmetric (flags bit 0),
 * X[ids[t], ids[t−d]] += the same. Stops before a word that could take the table past `limit` entries; returns
 * where it stopped (`to` when done). The entry count is the u32 at `state`.
 */
export function glove_cooccur(table: usize, logCap: i32, state: usize, ids: usize, from: i32, to: i32, window: i32, flags: i32, limit: i32): i32 {
  const shift = <u64>(64 - logCap);
  const mask = ((<usize>1 << logCap) - 1) << 4;
  const sym = (flags & 1) != 0;
  const weighted = (flags & 2) != 0;
  const worst = sym ? 2 * window : window;
  let n = load<i32>(state);
  let t = from;
  for (; t < to; t++) {
    const w2 = load<i32>(ids + (<usize>t << 2));
    if (w2 < 0) continue;
    if (n + worst > limit) break;
    const k0 = t - window > 0 ? t - window : 0;
    for (let k = t - 1; k >= k0; k--) {
      const w1 = load<i32>(ids + (<usize>k << 2));
      if (w1 < 0) break;
      const x = weighted ? 1.0 / <f64>(t - k) : 1.0;
      n += addCell(table, mask, shift, <u32>w1, <u32>w2, x);
      if (sym) n += addCell(table, mask, shift, <u32>w2, <u32>w1, x);
    }
  }
  store<i32>(state, n);
  return t;
}

/** Moves every cell of a table into an empty one of 1 << logCap slots (large enough). */
export function glove_rehash(old: usize, oldCap: i32, table: usize, logCap: i32): void {
  const shift = <u64>(64 - logCap);
  const mask = ((<usize>1 << logCap) - 1) << 4;
  const end = old + (<usize>oldCap << 4);
  for (let p = old; p < end; p += 16) {
    const i = load<u32>(p);
    if (i == EMPTY) continue;
    addCell(table, mask, shift, i, load<u32>(p, 4), load<f64>(p, 8));
  }
}

/**
 * Turns a table of `cap` slots into training records in place, packed from the start: (i, j, log x, f(x)) with
 * glove.c's weight f(x) = 1 when x > xMax, else (x/xMax)^alpha (computed as exp(alpha·(log x − log xMax))).
 * Returns the number of records.
 */
export function glove_compact(table: usize, cap: i32, logXMax: f64, alpha: f64): i32 {
  let n = 0;
  const end = table + (<usize>cap << 4);
  for (let p = table; p < end; p += 16) {
    const i = load<u32>(p);
    if (i == EMPTY) continue;
    const j = load<u32>(p, 4);
    const lx = Math.log1p(load<f64>(p, 8) - 1);
    const q = table + (<usize>n << 4);
    store<u32>(q, i);
    store<u32>(q, j, 4);
    store<f32>(q, <f32>lx, 8);
    store<f32>(q, lx > logXMax ? <f32>1 : <f32>Math.exp(alpha * (lx - logXMax)), 12);
    n++;
  }
  return n;
}

/** Fisher–Yates shuffle of n 16-byte records; the u64 xorshift64* state at `rng` is read and advanced. */
export function glove_shuffle(recs: usize, n: i32, rng: usize): void {
  let s = load<u64>(rng);
  for (let i = n - 1; i > 0; i--) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    const r = (s * 0x2545f4914f6cdd1d) >> 32;
    const j = <i32>((r * <u64>(i + 1)) >> 32);
    const a = recs + (<usize>i << 4), b = recs + (<usize>j << 4);
    const a0 = load<u64>(a), a1 = load<u64>(a, 8);
    store<u64>(a, load<u64>(b));
    store<u64>(a, load<u64>(b, 8), 8);
    store<u64>(b, a0);
    store<u64>(b, a1, 8);
  }
  store<u64>(rng, s);
}

/**
 * One pass of glove.c's AdaGrad over records [0, n): for each (i, j, log x, f), diff = wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log x,
 * fdiff = f·diff; cost += ½·fdiff·diff; with gᵢ = clip(fdiff·w̃ⱼ)·eta and g̃ⱼ = clip(fdiff·wᵢ)·eta (each component
 * clipped to [−clip, clip]): wᵢ −= gᵢ/√Gᵢ, w̃ⱼ −= g̃ⱼ/√G̃ⱼ (both skipped when either update sums to a non-finite
 * value), Gᵢ += gᵢ², G̃ⱼ += g̃ⱼ²; the biases bᵢ −= fdiff/√Gbᵢ, b̃ⱼ −= fdiff/√Gb̃ⱼ (glove.c applies neither eta nor
 * clipping to them), Gbᵢ, Gb̃ⱼ += fdiff². A record whose diff is not finite is skipped. Adds the cost to the f64 at
 * `out` and the number of skipped (non-finite) updates to the f64 at out + 8. scratch: f32[2·dim].
 */
export function glove_train(recs: usize, n: i32, params: usize, grads: usize, vocab: i32, dim: i32, eta: f32, clip: f32, scratch: usize, out: usize): void {
  train(recs, n, params, grads, vocab, dim, eta, clip, scratch, out, true);
}

export function glove_train_scalar(recs: usize, n: i32, params: usize, grads: usize, vocab: i32, dim: i32, eta: f32, clip: f32, scratch: usize, out: usize): void {
  train(recs, n, params, grads, vocab, dim, eta, clip, scratch, out, false);
}

function train(recs: usize, n: i32, params: usize, grads: usize, vocab: i32, dim: i32, eta: f32, clip: f32, scratch: usize, out: usize, simd: bool): void {
  const rowBytes = <usize>dim << 2;
  const ctxOff = <usize>vocab * rowBytes; // W̃ after W
  const biasOff = ctxOff << 1; // b after W̃
  const biasCtxOff = biasOff + (<usize>vocab << 2); // b̃ after b
  const u1 = scratch, u2 = scratch + rowBytes;
  let cost: f64 = 0;
  let bad: f64 = 0;
  for (let r = 0; r < n; r++) {
    const rec = recs + (<usize>r << 4);
    const i = <usize>load<u32>(rec), j = <usize>load<u32>(rec, 4);
    const w = params + i * rowBytes, c = params + ctxOff + j * rowBytes;
    const gw = grads + i * rowBytes, gc = grads + ctxOff + j * rowBytes;
    const bi = biasOff + (i << 2), bj = biasCtxOff + (j << 2);
    // diff = w·c + b + b̃ − log x
    let dot: f32 = 0;
    let d = 0;
    if (ASC_FEATURE_SIMD && simd) {
      let acc = f32x4.splat(0);
      for (; d + 4 <= dim; d += 4) {
        const o = <usize>d << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(w + o), v128.load(c + o)));
      }
      dot = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    }
    for (; d < dim; d++) dot += load<f32>(w + (<usize>d << 2)) * load<f32>(c + (<usize>d << 2));
    const diff = dot + load<f32>(params + bi) + load<f32>(params + bj) - load<f32>(rec, 8);
    const fdiff = load<f32>(rec, 12) * diff;
    if (!isFinite(diff) || !isFinite(fdiff)) {
      bad++;
      continue;
    }
    cost += 0.5 * <f64>fdiff * <f64>diff;
    // AdaGrad on the vectors: the updates into scratch first, applied when both are finite
    let s1: f32 = 0, s2: f32 = 0;
    d = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const vf = f32x4.splat(fdiff), ve = f32x4.splat(eta), hi = f32x4.splat(clip), lo = f32x4.splat(-clip);
      let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
      for (; d + 4 <= dim; d += 4) {
        const o = <usize>d << 2;
        const t1 = f32x4.mul(f32x4.min(f32x4.max(f32x4.mul(vf, v128.load(c + o)), lo), hi), ve);
        const t2 = f32x4.mul(f32x4.min(f32x4.max(f32x4.mul(vf, v128.load(w + o)), lo), hi), ve);
        const g1 = v128.load(gw + o), g2 = v128.load(gc + o);
        const x1 = f32x4.div(t1, f32x4.sqrt(g1)), x2 = f32x4.div(t2, f32x4.sqrt(g2));
        v128.store(u1 + o, x1);
        v128.store(u2 + o, x2);
        a1 = f32x4.add(a1, x1);
        a2 = f32x4.add(a2, x2);
        v128.store(gw + o, f32x4.add(g1, f32x4.mul(t1, t1)));
        v128.store(gc + o, f32x4.add(g2, f32x4.mul(t2, t2)));
      }
      s1 = f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1) + f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3);
      s2 = f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1) + f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3);
    }
    for (; d < dim; d++) {
      const o = <usize>d << 2;
      const t1 = min(max(fdiff * load<f32>(c + o), -clip), clip) * eta;
      const t2 = min(max(fdiff * load<f32>(w + o), -clip), clip) * eta;
      const g1 = load<f32>(gw + o), g2 = load<f32>(gc + o);
      const x1 = t1 / Mathf.sqrt(g1), x2 = t2 / Mathf.sqrt(g2);
      store<f32>(u1 + o, x1);
      store<f32>(u2 + o, x2);
      s1 += x1;
      s2 += x2;
      store<f32>(gw + o, g1 + t1 * t1);
      store<f32>(gc + o, g2 + t2 * t2);
    }
    if (isFinite(s1) && isFinite(s2)) {
      d = 0;
      if (ASC_FEATURE_SIMD && simd) {
        for (; d + 4 <= dim; d += 4) {
          const o = <usize>d << 2;
          v128.store(w + o, f32x4.sub(v128.load(w + o), v128.load(u1 + o)));
          v128.store(c + o, f32x4.sub(v128.load(c + o), v128.load(u2 + o)));
        }
      }
      for (; d < dim; d++) {
        const o = <usize>d << 2;
        store<f32>(w + o, load<f32>(w + o) - load<f32>(u1 + o));
        store<f32>(c + o, load<f32>(c + o) - load<f32>(u2 + o));
      }
    } else bad++;
    // the biases (glove.c: check_nan turns a non-finite update into 0)
    const ub1 = fdiff / Mathf.sqrt(load<f32>(grads + bi));
    const ub2 = fdiff / Mathf.sqrt(load<f32>(grads + bj));
    if (isFinite(ub1)) store<f32>(params + bi, load<f32>(params + bi) - ub1);
    else bad++;
    if (isFinite(ub2)) store<f32>(params + bj, load<f32>(params + bj) - ub2);
    else bad++;
    const f2 = fdiff * fdiff;
    store<f32>(grads + bi, load<f32>(grads + bi) + f2);
    store<f32>(grads + bj, load<f32>(grads + bj) + f2);
  }
  store<f64>(out, load<f64>(out) + cost);
  store<f64>(out, load<f64>(out, 8) + bad, 8);
}
