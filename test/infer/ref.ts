// Independent plain-TypeScript references for the inference tests.
export const f = Math.fround;

export function roundEvenRef(v: number): number {
  const fl = Math.floor(v), d = v - fl;
  if (d < 0.5) return fl;
  if (d > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** y = x·Wᵀ + b in float64 (W out×in). */
export function linearRef(x: ArrayLike<number>, m: number, k: number, w: ArrayLike<number>, n: number, bias?: ArrayLike<number>, relu = false): Float64Array {
  const y = new Float64Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) {
    let s = bias ? bias[j] : 0;
    for (let c = 0; c < k; c++) s += x[r * k + c] * w[j * k + c];
    y[r * n + j] = relu && s < 0 ? 0 : s;
  }
  return y;
}

/** Integer matmul: acc[r,j] = Σ (a[r,c] − az)·(b[j,c] − bz[j]) (b out×in). */
export function intMatmulRef(a: ArrayLike<number>, m: number, k: number, az: number, b: ArrayLike<number>, n: number, bz: ArrayLike<number>): Int32Array {
  const y = new Int32Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += (a[r * k + c] - az) * (b[j * k + c] - bz[j]);
    y[r * n + j] = s;
  }
  return y;
}

/** The own int8 scheme of notes/infer-api.md, step by step. */
export function int8LinearRef(x: Float32Array, m: number, k: number, w: Float32Array, n: number, bias?: Float32Array, relu = false, staticScale?: number): Float32Array {
  const qw = new Int8Array(n * k), sw = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let mx = 0;
    for (let c = 0; c < k; c++) mx = Math.max(mx, Math.abs(w[j * k + c]));
    const s = mx === 0 ? 1 : f(mx / 127);
    sw[j] = s;
    for (let c = 0; c < k; c++) qw[j * k + c] = Math.max(-127, Math.min(127, roundEvenRef(f(w[j * k + c] / s))));
  }
  const y = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    let sx: number;
    const qx = new Int32Array(k);
    if (staticScale === undefined) {
      let mx = 0;
      for (let c = 0; c < k; c++) mx = Math.max(mx, Math.abs(x[r * k + c]));
      sx = mx === 0 ? 1 : f(mx / 127);
      for (let c = 0; c < k; c++) qx[c] = Math.max(-127, Math.min(127, roundEvenRef(f(x[r * k + c] / sx))));
    } else {
      sx = f(staticScale);
      for (let c = 0; c < k; c++) qx[c] = Math.max(-128, Math.min(127, roundEvenRef(f(x[r * k + c] / sx))));
    }
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += qx[c] * qw[j * k + c];
      let v = f(f(acc) * f(sx * sw[j]));
      if (bias) v = f(v + bias[j]);
      if (relu && !(v > 0)) v = 0;
      y[r * n + j] = v;
    }
  }
  return y;
}

/**
 * The f32 GEMV's own summation order, in f32 step by step (Math.fround after every operation): per output, k in blocks
 * of 4 summed as ((x0·w0 + x1·w1) + (x2·w2 + x3·w3)) into the running sum, then the k % 4 last ones one at a time;
 * then + bias, then ReLU (a sum that is not > 0 becomes 0). Bit for bit what gemv_f32_packed must return. The scalar
 * builds sum k in order, one at a time (blocks4 = false).
 */
export function gemvF32OrderRef(x: ArrayLike<number>, k: number, w: ArrayLike<number>, n: number, bias?: ArrayLike<number>, relu = false, blocks4 = true): Float32Array {
  const y = new Float32Array(n);
  const k4 = blocks4 ? k & ~3 : 0;
  for (let j = 0; j < n; j++) {
    const wr = j * k;
    let s = 0;
    for (let c = 0; c < k4; c += 4) {
      const p01 = f(f(x[c] * w[wr + c]) + f(x[c + 1] * w[wr + c + 1]));
      const p23 = f(f(x[c + 2] * w[wr + c + 2]) + f(x[c + 3] * w[wr + c + 3]));
      s = f(s + f(p01 + p23));
    }
    for (let c = k4; c < k; c++) s = f(s + f(x[c] * w[wr + c]));
    if (bias) s = f(s + bias[j]);
    y[j] = relu && !(s > 0) ? 0 : s;
  }
  return y;
}
