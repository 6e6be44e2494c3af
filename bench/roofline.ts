// The read-bandwidth roof of a batch-1 layer (bench/inference.bench.mjs compiles this with asc into
// bench/results/tmp/roofline.wasm): a GEMV must read every weight once, so time(sum of the weight bytes) bounds its
// speed from below whatever the arithmetic. Eight independent f32x4 accumulators over one read stream (sum8) or over
// the two halves of the buffer side by side (sum8x2: two streams, as the GEMV reads two panels at once); the bench
// times both and keeps the faster (which one wins depends on the engine and the size; four streams ran the same as
// two). `down` = 1 reads the blocks from the end: the bench alternates the two directions call by call, as the
// GEMV alternates its panel order, so that the roof gets the same reuse of the cache from one call to the next as the
// kernel it bounds. The last n % 64 floats are not read.
export function sum8(p: usize, n: i32, down: i32): f32 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const nb = <usize>(n >> 6) << 1, last = p + ((nb - 1) << 7);
  for (let i: usize = 0; i < nb; i++) {
    const q = down ? last - (i << 7) : p + (i << 7);
    a0 = f32x4.add(a0, v128.load(q)); a1 = f32x4.add(a1, v128.load(q, 16));
    a2 = f32x4.add(a2, v128.load(q, 32)); a3 = f32x4.add(a3, v128.load(q, 48));
    a4 = f32x4.add(a4, v128.load(q, 64)); a5 = f32x4.add(a5, v128.load(q, 80));
    a6 = f32x4.add(a6, v128.load(q, 96)); a7 = f32x4.add(a7, v128.load(q, 112));
  }
  return hsum8(a0, a1, a2, a3, a4, a5, a6, a7);
}

/** sum8 over the two halves of the buffer side by side (64 bytes of each a step): two read streams. */
export function sum8x2(p: usize, n: i32, down: i32): f32 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const nb = <usize>(n >> 6), h = nb << 7, last = p + ((nb - 1) << 7);
  for (let i: usize = 0; i < nb; i++) {
    const q = down ? last - (i << 7) : p + (i << 7), r = q + h;
    a0 = f32x4.add(a0, v128.load(q)); a1 = f32x4.add(a1, v128.load(q, 16));
    a2 = f32x4.add(a2, v128.load(q, 32)); a3 = f32x4.add(a3, v128.load(q, 48));
    a4 = f32x4.add(a4, v128.load(r)); a5 = f32x4.add(a5, v128.load(r, 16));
    a6 = f32x4.add(a6, v128.load(r, 32)); a7 = f32x4.add(a7, v128.load(r, 48));
    a0 = f32x4.add(a0, v128.load(q, 64)); a1 = f32x4.add(a1, v128.load(q, 80));
    a2 = f32x4.add(a2, v128.load(q, 96)); a3 = f32x4.add(a3, v128.load(q, 112));
    a4 = f32x4.add(a4, v128.load(r, 64)); a5 = f32x4.add(a5, v128.load(r, 80));
    a6 = f32x4.add(a6, v128.load(r, 96)); a7 = f32x4.add(a7, v128.load(r, 112));
  }
  return hsum8(a0, a1, a2, a3, a4, a5, a6, a7);
}

// @ts-ignore: decorator
@inline
function hsum8(a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128, a6: v128, a7: v128): f32 {
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// The line-fetch roof: one 4-byte load per 64-byte cache line, so the loop is bound by how fast lines arrive rather
// than by load instructions. A kernel that needs every float in a register cannot reach it in wasm SIMD (at least
// one v128 load per 16 bytes); it bounds what any f32 GEMV could gain from the memory system alone.
export function touch64(p: usize, n: i32, down: i32): i32 {
  let s0 = 0, s1 = 0;
  const nb = <usize>(n >> 6) << 1, last = p + ((nb - 1) << 7);
  for (let i: usize = 0; i < nb; i++) { const q = down ? last - (i << 7) : p + (i << 7); s0 += load<i32>(q); s1 += load<i32>(q, 64); }
  return s0 + s1;
}

/** touch64 over the two halves side by side. */
export function touch64x2(p: usize, n: i32, down: i32): i32 {
  let s0 = 0, s1 = 0;
  const nb = <usize>(n >> 6), h = nb << 7, last = p + ((nb - 1) << 7);
  for (let i: usize = 0; i < nb; i++) {
    const q = down ? last - (i << 7) : p + (i << 7);
    s0 += load<i32>(q) + load<i32>(q, 64); s1 += load<i32>(q + h) + load<i32>(q + h, 64);
  }
  return s0 + s1;
}
