// Reductions for calibration, validation and error reports (docs/quantization.md §1.6, §1.9).
// Min, max and |max| are exact in any order, so SIMD and scalar agree bit for bit. Means and error sums
// accumulate in f64 (sequentially where a result is stored in a file, so every build writes the same bytes).
// Units: rows and cols count elements; rows are contiguous (row r at float r·cols); a per-row parameter array is
// read at r·ps (ps = 1 per row, 0 per tensor); pointers are byte addresses.
import { hsum_f32x4 } from '../util/hsum';

const EXP_MASK: u32 = 0x7f800000;

/** find_nonfinite_f32: index of the first NaN or ±Inf in x[0..n), or -1. */
export function find_nonfinite_f32(x: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const m = i32x4.splat(EXP_MASK);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const a = i32x4.eq(v128.and(v128.load(p), m), m), b = i32x4.eq(v128.and(v128.load(p, 16), m), m);
      const c = i32x4.eq(v128.and(v128.load(p, 32), m), m), d = i32x4.eq(v128.and(v128.load(p, 48), m), m);
      if (v128.any_true(v128.or(v128.or(a, b), v128.or(c, d)))) break; // the scalar loop finds which one
    }
  }
  for (; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & EXP_MASK) == EXP_MASK) return i;
  }
  return -1;
}

export function find_nonfinite_f32_scalar(x: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & EXP_MASK) == EXP_MASK) return i;
  }
  return -1;
}

/** zero_nonfinite_f32: replaces every NaN and ±Inf in x[0..n) by 0 and returns how many it replaced. */
export function zero_nonfinite_f32(x: usize, n: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 2);
    if ((load<u32>(p) & EXP_MASK) == EXP_MASK) { store<f32>(p, 0); count++; }
  }
  return count;
}

// @ts-ignore: decorator
@inline
function minmaxRow(p: usize, cols: i32, outMin: usize, outMax: usize, simd: bool): void {
  let mn: f32 = Infinity, mx: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd && cols >= 8) {
    let vmn = f32x4.splat(Infinity), vmx = f32x4.splat(-Infinity);
    for (; i + 4 <= cols; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      vmn = f32x4.min(vmn, v);
      vmx = f32x4.max(vmx, v);
    }
    mn = min(min(f32x4.extract_lane(vmn, 0), f32x4.extract_lane(vmn, 1)), min(f32x4.extract_lane(vmn, 2), f32x4.extract_lane(vmn, 3)));
    mx = max(max(f32x4.extract_lane(vmx, 0), f32x4.extract_lane(vmx, 1)), max(f32x4.extract_lane(vmx, 2), f32x4.extract_lane(vmx, 3)));
  }
  for (; i < cols; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    mn = min(mn, v);
    mx = max(mx, v);
  }
  store<f32>(outMin, mn);
  store<f32>(outMax, mx);
}

/** minmax_f32_per_row: outMin[r] = min of row r, outMax[r] = max (±Infinity for an empty row). */
export function minmax_f32_per_row(x: usize, rows: i32, cols: i32, outMin: usize, outMax: usize): void {
  for (let r = 0; r < rows; r++) {
    minmaxRow(x + ((<usize>r * <usize>cols) << 2), cols, outMin + (<usize>r << 2), outMax + (<usize>r << 2), true);
  }
}
export function minmax_f32_per_row_scalar(x: usize, rows: i32, cols: i32, outMin: usize, outMax: usize): void {
  for (let r = 0; r < rows; r++) {
    minmaxRow(x + ((<usize>r * <usize>cols) << 2), cols, outMin + (<usize>r << 2), outMax + (<usize>r << 2), false);
  }
}

// @ts-ignore: decorator
@inline
function absmaxRow(p: usize, cols: i32, simd: bool): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && simd && cols >= 8) {
    let a = f32x4.splat(0), b = f32x4.splat(0);
    for (; i + 8 <= cols; i += 8) {
      const o = p + (<usize>i << 2);
      a = f32x4.max(a, f32x4.abs(v128.load(o)));
      b = f32x4.max(b, f32x4.abs(v128.load(o, 16)));
    }
    a = f32x4.max(a, b);
    m = max(max(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), max(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
  }
  for (; i < cols; i++) m = max(m, abs<f32>(load<f32>(p + (<usize>i << 2))));
  return m;
}

/** absmax_f32_per_row: out[r] = max_j |x[r, j]| (0 for an empty row). */
export function absmax_f32_per_row(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), absmaxRow(x + ((<usize>r * <usize>cols) << 2), cols, true));
}
export function absmax_f32_per_row_scalar(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), absmaxRow(x + ((<usize>r * <usize>cols) << 2), cols, false));
}

/**
 * absmean_f32_per_row: out[r] = (Σ_j |x[r, j]|) / cols, summed in f64 in index order (the XNOR-Net α of a row).
 * Sequential on purpose: α is stored in files, and every build must write the same bits.
 */
export function absmean_f32_per_row(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>cols) << 2);
    let s: f64 = 0;
    for (let i = 0; i < cols; i++) s += <f64>abs<f32>(load<f32>(p + (<usize>i << 2)));
    store<f32>(out + (<usize>r << 2), cols > 0 ? <f32>(s / <f64>cols) : 0);
  }
}

/**
 * twn_per_row: ternary (TWN) statistics per row: Δ_r = factor · mean|x_r|, α_r = mean of |x| over |x| > Δ_r
 * (0 when no entry exceeds Δ_r). f64 sums in index order.
 */
export function twn_per_row(x: usize, rows: i32, cols: i32, factor: f32, outDelta: usize, outAlpha: usize): void {
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>cols) << 2);
    let s: f64 = 0;
    for (let i = 0; i < cols; i++) s += <f64>abs<f32>(load<f32>(p + (<usize>i << 2)));
    const delta: f32 = cols > 0 ? factor * <f32>(s / <f64>cols) : 0;
    let t: f64 = 0;
    let k = 0;
    for (let i = 0; i < cols; i++) {
      const a = abs<f32>(load<f32>(p + (<usize>i << 2)));
      if (a > delta) { t += <f64>a; k++; }
    }
    store<f32>(outDelta + (<usize>r << 2), delta);
    store<f32>(outAlpha + (<usize>r << 2), k > 0 ? <f32>(t / <f64>k) : 0);
  }
}

/** quantize_ternary_per_row: out[r, j] = +1 if x > Δ_r, −1 if x < −Δ_r, else 0 (i8 codes). */
export function quantize_ternary_per_row(x: usize, rows: i32, cols: i32, deltas: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>cols;
    const d = load<f32>(deltas + (<usize>r << 2));
    for (let i = 0; i < cols; i++) {
      const v = load<f32>(x + ((off + <usize>i) << 2));
      store<i8>(out + off + <usize>i, v > d ? 1 : v < -d ? -1 : 0);
    }
  }
}

/**
 * count_outside_per_row: how many x[r, j] lie outside [lo[r·ps], hi[r·ps]] (ps = 1 per row, 0 per tensor).
 * The saturated count of an error report: values that quantization had to clip.
 */
export function count_outside_per_row(x: usize, rows: i32, cols: i32, lo: usize, hi: usize, ps: i32): i32 {
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const l = load<f32>(lo + b), h = load<f32>(hi + b);
    const p = x + ((<usize>r * <usize>cols) << 2);
    for (let i = 0; i < cols; i++) {
      const v = load<f32>(p + (<usize>i << 2));
      if (v < l || v > h) count++;
    }
  }
  return count;
}

/**
 * error_stats_f32: compares x (original) with y (reconstruction), both rows×cols, and writes five f64 to out:
 *   [Σ (x−y)², Σ x², max |x−y|, Σ_rows cos(x_r, y_r), Σ y²]
 * where a row that is zero in both counts cos = 1 and a row zero in just one counts 0. Sums in f64.
 */
export function error_stats_f32(x: usize, y: usize, rows: i32, cols: i32, out: usize): void {
  errorStats(x, y, rows, cols, out, true);
}
export function error_stats_f32_scalar(x: usize, y: usize, rows: i32, cols: i32, out: usize): void {
  errorStats(x, y, rows, cols, out, false);
}

// one compiled copy shared by the kernel and its _scalar twin (the flag is a runtime argument)
function errorStats(x: usize, y: usize, rows: i32, cols: i32, out: usize, simd: bool): void {
  let se: f64 = 0, sx: f64 = 0, sy: f64 = 0, cs: f64 = 0, mx: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>cols) << 2;
    let e2: f64 = 0, x2: f64 = 0, y2: f64 = 0, xy: f64 = 0;
    let i = 0;
    if (ASC_FEATURE_SIMD && simd) {
      let ve = f64x2.splat(0), vx = f64x2.splat(0), vy = f64x2.splat(0), vxy = f64x2.splat(0), vm = f64x2.splat(0);
      for (; i + 4 <= cols; i += 4) {
        const o = <usize>i << 2;
        const a = v128.load(x + off + o), b = v128.load(y + off + o);
        const al = f64x2.promote_low_f32x4(a), ah = f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1));
        const bl = f64x2.promote_low_f32x4(b), bh = f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1));
        const dl = f64x2.sub(al, bl), dh = f64x2.sub(ah, bh);
        ve = f64x2.add(ve, f64x2.add(f64x2.mul(dl, dl), f64x2.mul(dh, dh)));
        vx = f64x2.add(vx, f64x2.add(f64x2.mul(al, al), f64x2.mul(ah, ah)));
        vy = f64x2.add(vy, f64x2.add(f64x2.mul(bl, bl), f64x2.mul(bh, bh)));
        vxy = f64x2.add(vxy, f64x2.add(f64x2.mul(al, bl), f64x2.mul(ah, bh)));
        vm = f64x2.max(vm, f64x2.max(f64x2.abs(dl), f64x2.abs(dh)));
      }
      e2 = f64x2.extract_lane(ve, 0) + f64x2.extract_lane(ve, 1);
      x2 = f64x2.extract_lane(vx, 0) + f64x2.extract_lane(vx, 1);
      y2 = f64x2.extract_lane(vy, 0) + f64x2.extract_lane(vy, 1);
      xy = f64x2.extract_lane(vxy, 0) + f64x2.extract_lane(vxy, 1);
      mx = max(mx, max(f64x2.extract_lane(vm, 0), f64x2.extract_lane(vm, 1)));
    }
    for (; i < cols; i++) {
      const o = <usize>i << 2;
      const a = <f64>load<f32>(x + off + o), b = <f64>load<f32>(y + off + o);
      const d = a - b;
      e2 += d * d; x2 += a * a; y2 += b * b; xy += a * b;
      mx = max(mx, abs<f64>(d));
    }
    se += e2; sx += x2; sy += y2;
    if (x2 == 0 && y2 == 0) cs += 1;
    else if (x2 > 0 && y2 > 0) cs += xy / (Math.sqrt(x2) * Math.sqrt(y2));
  }
  store<f64>(out, se);
  store<f64>(out, sx, 8);
  store<f64>(out, mx, 16);
  store<f64>(out, cs, 24);
  store<f64>(out, sy, 32);
}

/**
 * quant_error_i8_per_row: out[r] = Σ_j (x − s·(q − z))² with q = clamp(round(x / s) + z, qmin, qmax) for row r,
 * s = scales[r·ps], z = zps[r·ps] (zps = 0: z = 0). One pass of the MSE-optimal clipping search (§1.6):
 * nothing is stored but the per-row error. f32 arithmetic, f32 accumulation per row.
 */
export function quant_error_i8_per_row(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, ps: i32, qmin: i32, qmax: i32, out: usize): void {
  quantErrorRows(x, rows, cols, scales, zps, ps, qmin, qmax, out, true);
}
export function quant_error_i8_per_row_scalar(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, ps: i32, qmin: i32, qmax: i32, out: usize): void {
  quantErrorRows(x, rows, cols, scales, zps, ps, qmin, qmax, out, false);
}

// @ts-ignore: decorator
@inline
function quantErrorRows(x: usize, rows: i32, cols: i32, scales: usize, zps: usize, ps: i32, qmin: i32, qmax: i32, out: usize, simd: bool): void {
  const lo = <f32>qmin, hi = <f32>qmax;
  for (let r = 0; r < rows; r++) {
    const b = (<usize>(r * ps)) << 2;
    const s = load<f32>(scales + b);
    const zi = zps ? load<i32>(zps + b) : 0;
    const z = <f32>zi;
    const p = x + ((<usize>r * <usize>cols) << 2);
    let acc: f32 = 0;
    let i = 0;
    if (!(s > 0)) {
      // every code is clamp(z): the reconstruction is s·(clamp(z) − z)
      const zc = <f32>(zi < qmin ? qmin : zi > qmax ? qmax : zi);
      const rec = s * (zc - z);
      for (; i < cols; i++) { const d = load<f32>(p + (<usize>i << 2)) - rec; acc += d * d; }
      store<f32>(out + (<usize>r << 2), acc);
      continue;
    }
    if (ASC_FEATURE_SIMD && simd) {
      const vs = f32x4.splat(s), vz = f32x4.splat(z), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
      let va = f32x4.splat(0);
      for (; i + 4 <= cols; i += 4) {
        const v = v128.load(p + (<usize>i << 2));
        const q = f32x4.pmin(vhi, f32x4.pmax(vlo, f32x4.add(f32x4.nearest(f32x4.div(v, vs)), vz)));
        const d = f32x4.sub(v, f32x4.mul(vs, f32x4.sub(q, vz)));
        va = f32x4.add(va, f32x4.mul(d, d));
      }
      acc = hsum_f32x4(va);
    }
    for (; i < cols; i++) {
      const v = load<f32>(p + (<usize>i << 2));
      let q = nearest<f32>(v / s) + z;
      q = lo < q ? q : lo;
      q = q < hi ? q : hi;
      const d = v - s * (q - z);
      acc += d * d;
    }
    store<f32>(out + (<usize>r << 2), acc);
  }
}

/**
 * column_means_f32: out[j] = (Σ_r x[r, j]) / rows, summed in f64 (acc: f64[cols] scratch) in row order,
 * so every build gives the same means. The centre μ of a binary table.
 */
export function column_means_f32(x: usize, rows: i32, cols: i32, acc: usize, out: usize): void {
  memory.fill(acc, 0, <usize>cols << 3);
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>cols) << 2);
    for (let j = 0; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(p + (<usize>j << 2)));
    }
  }
  for (let j = 0; j < cols; j++) store<f32>(out + (<usize>j << 2), rows > 0 ? <f32>(load<f64>(acc + (<usize>j << 3)) / <f64>rows) : 0);
}

/** center_f32: out[r, j] = x[r, j] − mu[j] (out may be x). */
export function center_f32(x: usize, rows: i32, cols: i32, mu: usize, out: usize): void {
  centerRows(x, rows, cols, mu, out, true);
}
export function center_f32_scalar(x: usize, rows: i32, cols: i32, mu: usize, out: usize): void {
  centerRows(x, rows, cols, mu, out, false);
}

// @ts-ignore: decorator
@inline
function centerRows(x: usize, rows: i32, cols: i32, mu: usize, out: usize, simd: bool): void {
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * <usize>cols) << 2;
    let j = 0;
    if (ASC_FEATURE_SIMD && simd) {
      for (; j + 4 <= cols; j += 4) {
        const b = <usize>j << 2;
        v128.store(out + o + b, f32x4.sub(v128.load(x + o + b), v128.load(mu + b)));
      }
    }
    for (; j < cols; j++) {
      const b = <usize>j << 2;
      store<f32>(out + o + b, load<f32>(x + o + b) - load<f32>(mu + b));
    }
  }
}
