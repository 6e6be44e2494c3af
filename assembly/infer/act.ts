// Activations and normalization for inference layers, in place or out of place (y may equal x).
// Units: n, m, k count elements; rows k floats apart; pointers byte addresses. Elementwise transcendental functions
// have no SIMD path (wasm has no vector exp), so no twins, except all_finite_f32 and relu_f32.

/** relu_f32: y = max(x, 0) (NaN → 0). */
export function relu_f32(x: usize, n: i32, y: usize): void {
  if (!ASC_FEATURE_SIMD) { relu_f32_scalar(x, n, y); return; }
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    v128.store(y + (<usize>i << 2), v128.and(v, f32x4.gt(v, z)));
  }
  for (; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); store<f32>(y + (<usize>i << 2), v > 0 ? v : 0); }
}

export function relu_f32_scalar(x: usize, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); store<f32>(y + (<usize>i << 2), v > 0 ? v : 0); }
}

/** all_finite_f32: 1 when no value is NaN or ±Inf. */
export function all_finite_f32(x: usize, n: i32): i32 {
  if (!ASC_FEATURE_SIMD) return all_finite_f32_scalar(x, n);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const v = v128.load(x + (<usize>i << 2)); acc = f32x4.add(acc, f32x4.sub(v, v)); }
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); s += v - v; }
  return s == 0 ? 1 : 0;
}

export function all_finite_f32_scalar(x: usize, n: i32): i32 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); s += v - v; }
  return s == 0 ? 1 : 0;
}

/** erfc for x ≥ 0 (Numerical Recipes erfcc: relative error < 1.2e-7), in f64. */
// @ts-ignore: decorator
@inline
function erfc_pos(z: f64): f64 {
  const t = 1.0 / (1.0 + 0.5 * z);
  return t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
}

/** gelu_f32: y = x·Φ(x) = x/2 · erfc(−x/√2) (exact erf GELU, ONNX Gelu's default), computed in f64. */
export function gelu_f32(x: usize, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    const z = -v * 0.7071067811865476;
    const e = z >= 0 ? erfc_pos(z) : 2.0 - erfc_pos(-z);
    store<f32>(y + (<usize>i << 2), <f32>(0.5 * v * e));
  }
}

/** gelu_tanh_f32: y = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))), in f64. */
export function gelu_tanh_f32(x: usize, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>(0.5 * v * (1.0 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))));
  }
}

/** tanh_f32: y = tanh(x), in f64. */
export function tanh_f32(x: usize, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>Math.tanh(<f64>load<f32>(x + (<usize>i << 2))));
}

/** logistic_f32: y = 1 / (1 + e^−x), in f64 (exact, unlike the table-based sigmoid_table_f32 of word2vec). */
export function logistic_f32(x: usize, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>(v >= 0 ? 1.0 / (1.0 + Math.exp(-v)) : Math.exp(v) / (1.0 + Math.exp(v))));
  }
}

/**
 * softmax_f32_per_row: per row, y = e^(x − max) / Σ (log = 1: y = x − max − log Σ, the log-softmax). Each exponential
 * is computed once (f32 `Mathf.exp`, < 1 ulp), kept in y and scaled; the sum is f64.
 */
export function softmax_f32_per_row(x: usize, m: i32, k: i32, log: i32, y: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2), yr = y + ((<usize>r * <usize>k) << 2);
    let mx: f32 = -Infinity;
    for (let c = 0; c < k; c++) mx = max(mx, load<f32>(xr + (<usize>c << 2)));
    let s: f64 = 0;
    if (log) {
      for (let c = 0; c < k; c++) s += <f64>Mathf.exp(load<f32>(xr + (<usize>c << 2)) - mx);
      const ls = Math.log(s);
      for (let c = 0; c < k; c++) store<f32>(yr + (<usize>c << 2), <f32>(<f64>load<f32>(xr + (<usize>c << 2)) - <f64>mx - ls));
    } else {
      for (let c = 0; c < k; c++) {
        const e = Mathf.exp(load<f32>(xr + (<usize>c << 2)) - mx);
        store<f32>(yr + (<usize>c << 2), e);
        s += <f64>e;
      }
      const inv = <f32>(1.0 / s);
      for (let c = 0; c < k; c++) store<f32>(yr + (<usize>c << 2), load<f32>(yr + (<usize>c << 2)) * inv);
    }
  }
}

/** layer_norm_f32_per_row: y = (x − μ)/√(σ² + eps) · gamma + beta per row (biased σ², f64 sums; beta 0 = none). */
export function layer_norm_f32_per_row(x: usize, m: i32, k: i32, gamma: usize, beta: usize, eps: f32, y: usize): void {
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>k) << 2), yr = y + ((<usize>r * <usize>k) << 2);
    let s: f64 = 0;
    for (let c = 0; c < k; c++) s += <f64>load<f32>(xr + (<usize>c << 2));
    const mu = s / <f64>k;
    let v: f64 = 0;
    for (let c = 0; c < k; c++) { const d = <f64>load<f32>(xr + (<usize>c << 2)) - mu; v += d * d; }
    const inv = 1.0 / Math.sqrt(v / <f64>k + <f64>eps);
    for (let c = 0; c < k; c++) {
      let o = (<f64>load<f32>(xr + (<usize>c << 2)) - mu) * inv * <f64>load<f32>(gamma + (<usize>c << 2));
      if (beta) o += <f64>load<f32>(beta + (<usize>c << 2));
      store<f32>(yr + (<usize>c << 2), <f32>o);
    }
  }
}
