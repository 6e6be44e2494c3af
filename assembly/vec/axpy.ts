// Elementwise f32 kernels over contiguous vectors. Units: n and m count elements (floats); idx holds row indices
// (i32) into y; pointers are byte addresses.

/** axpy_f32: y[i] += alpha·x[i] for n contiguous f32. */
export function axpy_f32(y: usize, x: usize, alpha: f32, n: i32): void {
  if (!ASC_FEATURE_SIMD) { axpy_f32_scalar(y, x, alpha, n); return; }
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
    v128.store(y + o, f32x4.add(v128.load(y + o, 16), f32x4.mul(va, v128.load(x + o, 16))), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

export function axpy_f32_scalar(y: usize, x: usize, alpha: f32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** scale_f32: x[i] *= alpha. */
export function scale_f32(x: usize, alpha: f32, n: i32): void {
  if (!ASC_FEATURE_SIMD) { scale_f32_scalar(x, alpha, n); return; }
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(va, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

export function scale_f32_scalar(x: usize, alpha: f32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

/** mul_f32: x[i] *= y[i] (elementwise). */
export function mul_f32(x: usize, y: usize, n: i32): void {
  if (!ASC_FEATURE_SIMD) { mul_f32_scalar(x, y, n); return; }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * load<f32>(y + o));
  }
}

export function mul_f32_scalar(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * load<f32>(y + o));
  }
}

/**
 * mul_f32_gather: x[k] *= y[idx[k]] for k < m (i32 indices). Scales gathered candidates' scores by a per-row factor
 * (e.g. inverse norms) in a rerank. A gather, so scalar in every build.
 */
export function mul_f32_gather(x: usize, idx: usize, m: i32, y: usize): void {
  for (let k = 0; k < m; k++) {
    const o = <usize>k << 2;
    store<f32>(x + o, load<f32>(x + o) * load<f32>(y + (<usize>load<i32>(idx + o) << 2)));
  }
}
