/**
 * cosmul_f32: gensim's most_similar_cosmul (3CosMul, Levy & Goldberg 2014) over n rows in one pass. `sims` holds
 * npos + nneg arrays of n cosines each (positive keys first, n floats apart); with c' = (1 + cos) / 2,
 * out[r] = Π_p c'_p[r] / (Π_q c'_q[r] + 1e-6), in f32 as gensim's numpy float32 arithmetic.
 */
export function cosmul_f32(sims: usize, n: i32, npos: i32, nneg: i32, out: usize): void {
  const step = <usize>n << 2;
  for (let r = 0; r < n; r++) {
    let p = sims + (<usize>r << 2);
    let num: f32 = 1, den: f32 = 1;
    for (let j = 0; j < npos; j++, p += step) num *= (1 + load<f32>(p)) / 2;
    for (let j = 0; j < nneg; j++, p += step) den *= (1 + load<f32>(p)) / 2;
    store<f32>(out + (<usize>r << 2), num / (den + <f32>1e-6));
  }
}
