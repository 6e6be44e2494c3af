// Masked (pruned) layers stored as CSR: row j of W keeps its nonzeros vals[indptr[j] .. indptr[j+1]) at columns
// indices[...]. Units: counts in elements; indptr/indices i32; pointers byte addresses; bias 0 = none.

/**
 * csr_gemm_f32: y[r·n + j] = Σ_e vals[e] · x[r·k + indices[e]] (+ bias[j]) (ReLU), in the stored order.
 * Gathers have no SIMD form in wasm, so there is no SIMD path (and no twin). Two activation rows per pass over a
 * weight row so that the index and value loads serve both.
 */
export function csr_gemm_f32(indptr: usize, indices: usize, vals: usize, n: i32, x: usize, m: i32, k: i32, bias: usize, relu: i32, y: usize): void {
  const kb = <usize>k << 2;
  let r = 0;
  for (; r + 2 <= m; r += 2) {
    const x0 = x + <usize>r * kb, x1 = x0 + kb;
    for (let j = 0; j < n; j++) {
      const e0 = load<i32>(indptr + (<usize>j << 2)), e1 = load<i32>(indptr + (<usize>j << 2), 4);
      let s0: f32 = 0, s1: f32 = 0;
      for (let e = e0; e < e1; e++) {
        const c = <usize>load<i32>(indices + (<usize>e << 2)) << 2, v = load<f32>(vals + (<usize>e << 2));
        s0 += v * load<f32>(x0 + c); s1 += v * load<f32>(x1 + c);
      }
      if (bias) { const b = load<f32>(bias + (<usize>j << 2)); s0 += b; s1 += b; }
      if (relu) { if (!(s0 > 0)) s0 = 0; if (!(s1 > 0)) s1 = 0; }
      store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), s0);
      store<f32>(y + ((<usize>(r + 1) * <usize>n + <usize>j) << 2), s1);
    }
  }
  for (; r < m; r++) {
    const x0 = x + <usize>r * kb;
    for (let j = 0; j < n; j++) {
      const e0 = load<i32>(indptr + (<usize>j << 2)), e1 = load<i32>(indptr + (<usize>j << 2), 4);
      let s0: f32 = 0;
      for (let e = e0; e < e1; e++) s0 += load<f32>(vals + (<usize>e << 2)) * load<f32>(x0 + (<usize>load<i32>(indices + (<usize>e << 2)) << 2));
      if (bias) s0 += load<f32>(bias + (<usize>j << 2));
      if (relu && !(s0 > 0)) s0 = 0;
      store<f32>(y + ((<usize>r * <usize>n + <usize>j) << 2), s0);
    }
  }
}
