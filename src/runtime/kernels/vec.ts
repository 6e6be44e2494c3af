/** Signatures of the vector kernels in assembly/vec/ (pointers are byte addresses in linear memory). */
export interface VecKernels {
  dot_f32(a: number, b: number, n: number): number;
  dot_f32_scalar(a: number, b: number, n: number): number;
  axpy_f32(y: number, x: number, alpha: number, n: number): void;
  axpy_f32_scalar(y: number, x: number, alpha: number, n: number): void;
  scale_f32(x: number, alpha: number, n: number): void;
  scale_f32_scalar(x: number, alpha: number, n: number): void;
  mul_f32(x: number, y: number, n: number): void;
  /** x[k] *= y[idx[k]] for k < m. */
  mul_f32_gather(x: number, idx: number, m: number, y: number): void;
  mul_f32_scalar(x: number, y: number, n: number): void;
  norm_l2_f32(x: number, n: number): number;
  norm_l2_f32_scalar(x: number, n: number): number;
  norm_l2_f32_per_row(mat: number, rows: number, cols: number, stride: number, out: number, inverse: number): void;
  norm_l2_f32_per_row_scalar(mat: number, rows: number, cols: number, stride: number, out: number, inverse: number): void;
  normalize_f32_per_row(mat: number, rows: number, cols: number, stride: number): void;
  normalize_f32_per_row_scalar(mat: number, rows: number, cols: number, stride: number): void;
  matvec_f32(mat: number, rows: number, cols: number, stride: number, q: number, out: number): void;
  matvec_f32_scalar(mat: number, rows: number, cols: number, stride: number, q: number, out: number): void;
  /** out[k] = ⟨row idx[k], q⟩ for k < m (rows `stride` floats apart): the f32 gather of a rerank. */
  matvec_f32_gather(mat: number, stride: number, cols: number, idx: number, m: number, q: number, out: number): void;
  matvec_f32_gather_scalar(mat: number, stride: number, cols: number, idx: number, m: number, q: number, out: number): void;
  topk_f32(vals: number, n: number, k: number, outIdx: number, outVal: number): number;
  topk_f32_scalar(vals: number, n: number, k: number, outIdx: number, outVal: number): number;
  sigmoid_f32(x: number, out: number, n: number): void;
  sigmoid_table_init(table: number, size: number, maxExp: number): void;
  sigmoid_table_f32(table: number, size: number, maxExp: number, x: number, out: number, n: number): void;
  exp_table_size(): number;
  max_exp(): number;
  argmax_f32(x: number, n: number): number;
  argmax_f32_scalar(x: number, n: number): number;
  /** 3CosMul over n rows: sims = npos + nneg arrays of n cosines (positive first); out[r] = Π(1+c_p)/2 / (Π(1+c_q)/2 + 1e-6). */
  cosmul_f32(sims: number, n: number, npos: number, nneg: number, out: number): void;
}
