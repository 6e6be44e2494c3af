// Exact and table sigmoid over contiguous f32. Units: n counts elements; pointers are byte addresses.
import { EXP_TABLE_SIZE, MAX_EXP } from '../util/constants';

/** sigmoid_f32: out[i] = 1 / (1 + e^(−x[i])), exact (Mathf.exp). Stable for large |x|. */
export function sigmoid_f32(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sigmoid_exact(load<f32>(x + o)));
  }
}

// @ts-ignore: decorator
@inline
export function sigmoid_exact(v: f32): f32 {
  if (v >= 0) return <f32>1.0 / (<f32>1.0 + Mathf.exp(-v));
  const e = Mathf.exp(v);
  return e / (<f32>1.0 + e);
}

/**
 * sigmoid_table_init: word2vec's table: table[i] = σ((2i/size − 1)·maxExp) for i < size.
 * Pass EXP_TABLE_SIZE / MAX_EXP for word2vec's and gensim's values.
 */
export function sigmoid_table_init(table: usize, size: i32, maxExp: f32): void {
  for (let i = 0; i < size; i++) {
    const e = Mathf.exp((<f32>i / <f32>size * 2 - 1) * maxExp);
    store<f32>(table + (<usize>i << 2), e / (e + 1));
  }
}

// @ts-ignore: decorator
@inline
export function sigmoid_lookup(table: usize, size: i32, maxExp: f32, v: f32): f32 {
  if (v >= maxExp) return 1;
  if (v <= -maxExp) return 0;
  const idx = <i32>((v + maxExp) * (<f32>size / maxExp / 2));
  return load<f32>(table + (<usize>idx << 2));
}

/** sigmoid_table_f32: out[i] = table lookup of σ(x[i]), clamped to 0 / 1 beyond ±maxExp. */
export function sigmoid_table_f32(table: usize, size: i32, maxExp: f32, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sigmoid_lookup(table, size, maxExp, load<f32>(x + o)));
  }
}

export function exp_table_size(): i32 { return EXP_TABLE_SIZE; }
export function max_exp(): f32 { return MAX_EXP; }
