// Sub-byte packing (docs/quantization.md §3). Rows are packed independently, so every row starts on a byte:
//   int4:   ⌈cols/2⌉ bytes per row; element 2k in bits 0–3 (low nibble), 2k+1 in bits 4–7; two's complement.
//   int2:   ⌈cols/4⌉ bytes per row; element 4k+j in bits 2j…2j+1; two's complement.
//   binary: ⌈cols/8⌉ bytes per row; element 8k+j in bit j; 1 for x ≥ 0 (+1), 0 for x < 0 (−1).
// Unused bits of a row's last byte are 0. Codes outside the field width are truncated to it (callers clamp first).
// Units: rows and cols count elements; unpacked rows are contiguous (cols elements apart), packed rows are
// contiguous at their byte width (⌈cols/2⌉, ⌈cols/4⌉, ⌈cols/8⌉ bytes apart); α is read at r·ps (ps = 1 per row,
// 0 per tensor); pointers are byte addresses.

// ---------------------------------------------------------------- int4

// @ts-ignore: decorator
@inline
function packI4Row(src: usize, cols: i32, dst: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const m0 = i16x8.splat(0x000f), m1 = i16x8.splat(0x00f0);
    for (; i + 32 <= cols; i += 32) {
      // as i16 lanes, each lane holds (element 2k | element 2k+1 << 8)
      const a = v128.load(src + <usize>i), b = v128.load(src + <usize>i, 16);
      const ta = v128.or(v128.and(a, m0), v128.and(i16x8.shr_u(a, 4), m1));
      const tb = v128.or(v128.and(b, m0), v128.and(i16x8.shr_u(b, 4), m1));
      v128.store(dst + <usize>(i >> 1), i8x16.narrow_i16x8_u(ta, tb));
    }
  }
  for (; i + 2 <= cols; i += 2) {
    const lo = <u32>load<u8>(src + <usize>i) & 0xf, hi = <u32>load<u8>(src + <usize>i + 1) & 0xf;
    store<u8>(dst + <usize>(i >> 1), <u8>(lo | (hi << 4)));
  }
  if (i < cols) store<u8>(dst + <usize>(i >> 1), <u8>(<u32>load<u8>(src + <usize>i) & 0xf));
}

// @ts-ignore: decorator
@inline
function unpackI4Row(src: usize, cols: i32, dst: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; i + 32 <= cols; i += 32) {
      const b = v128.load(src + <usize>(i >> 1));
      const lo = i8x16.shr_s(i8x16.shl(b, 4), 4), hi = i8x16.shr_s(b, 4);
      v128.store(dst + <usize>i, i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
      v128.store(dst + <usize>i, i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), 16);
    }
  }
  for (; i < cols; i++) {
    const b = <i32>load<u8>(src + <usize>(i >> 1));
    const v = (i & 1) ? b >> 4 : b & 0xf;
    store<i8>(dst + <usize>i, <i8>((v << 28) >> 28));
  }
}

/** pack_i4: int4 codes (one i8 each, rows×cols) → packed nibbles (rows × ⌈cols/2⌉ bytes). */
export function pack_i4(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 1) >> 1;
  for (let r = 0; r < rows; r++) packI4Row(src + <usize>r * <usize>cols, cols, dst + <usize>r * <usize>rb, true);
}
export function pack_i4_scalar(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 1) >> 1;
  for (let r = 0; r < rows; r++) packI4Row(src + <usize>r * <usize>cols, cols, dst + <usize>r * <usize>rb, false);
}
/** unpack_i4: packed nibbles → sign-extended i8 codes. */
export function unpack_i4(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 1) >> 1;
  for (let r = 0; r < rows; r++) unpackI4Row(src + <usize>r * <usize>rb, cols, dst + <usize>r * <usize>cols, true);
}
export function unpack_i4_scalar(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 1) >> 1;
  for (let r = 0; r < rows; r++) unpackI4Row(src + <usize>r * <usize>rb, cols, dst + <usize>r * <usize>cols, false);
}

// ---------------------------------------------------------------- int2

// @ts-ignore: decorator
@inline
function packI2Row(src: usize, cols: i32, dst: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const m = i32x4.splat(0x03030303), lowByte = i32x4.splat(0xff);
    for (; i + 64 <= cols; i += 64) {
      // as i32 lanes, each lane holds 4 codes c0..c3 in its bytes; fold to c0 | c1<<2 | c2<<4 | c3<<6
      let a = v128.and(v128.load(src + <usize>i), m), b = v128.and(v128.load(src + <usize>i, 16), m);
      let c = v128.and(v128.load(src + <usize>i, 32), m), d = v128.and(v128.load(src + <usize>i, 48), m);
      a = v128.or(a, i32x4.shr_u(a, 6)); b = v128.or(b, i32x4.shr_u(b, 6));
      c = v128.or(c, i32x4.shr_u(c, 6)); d = v128.or(d, i32x4.shr_u(d, 6));
      a = v128.and(v128.or(a, i32x4.shr_u(a, 12)), lowByte); b = v128.and(v128.or(b, i32x4.shr_u(b, 12)), lowByte);
      c = v128.and(v128.or(c, i32x4.shr_u(c, 12)), lowByte); d = v128.and(v128.or(d, i32x4.shr_u(d, 12)), lowByte);
      v128.store(dst + <usize>(i >> 2), i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
    }
  }
  for (; i < cols; i += 4) {
    let byte: u32 = 0;
    for (let j = 0; j < 4 && i + j < cols; j++) byte |= (<u32>load<u8>(src + <usize>(i + j)) & 3) << (2 * j);
    store<u8>(dst + <usize>(i >> 2), <u8>byte);
  }
}

// @ts-ignore: decorator
@inline
function unpackI2Row(src: usize, cols: i32, dst: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; i + 64 <= cols; i += 64) {
      const b = v128.load(src + <usize>(i >> 2));
      const c0 = i8x16.shr_s(i8x16.shl(b, 6), 6), c1 = i8x16.shr_s(i8x16.shl(b, 4), 6);
      const c2 = i8x16.shr_s(i8x16.shl(b, 2), 6), c3 = i8x16.shr_s(b, 6);
      const p01l = i8x16.shuffle(c0, c1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const p01h = i8x16.shuffle(c0, c1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      const p23l = i8x16.shuffle(c2, c3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const p23h = i8x16.shuffle(c2, c3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      const o = dst + <usize>i;
      v128.store(o, i8x16.shuffle(p01l, p23l, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
      v128.store(o, i8x16.shuffle(p01l, p23l, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
      v128.store(o, i8x16.shuffle(p01h, p23h, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), 32);
      v128.store(o, i8x16.shuffle(p01h, p23h, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 48);
    }
  }
  for (; i < cols; i++) {
    const b = <i32>load<u8>(src + <usize>(i >> 2));
    const v = (b >> (2 * (i & 3))) & 3;
    store<i8>(dst + <usize>i, <i8>((v << 30) >> 30));
  }
}

/** pack_i2: int2/ternary codes (one i8 each) → four per byte (rows × ⌈cols/4⌉ bytes). */
export function pack_i2(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 3) >> 2;
  for (let r = 0; r < rows; r++) packI2Row(src + <usize>r * <usize>cols, cols, dst + <usize>r * <usize>rb, true);
}
export function pack_i2_scalar(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 3) >> 2;
  for (let r = 0; r < rows; r++) packI2Row(src + <usize>r * <usize>cols, cols, dst + <usize>r * <usize>rb, false);
}
/** unpack_i2: four 2-bit fields per byte → sign-extended i8 codes. */
export function unpack_i2(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 3) >> 2;
  for (let r = 0; r < rows; r++) unpackI2Row(src + <usize>r * <usize>rb, cols, dst + <usize>r * <usize>cols, true);
}
export function unpack_i2_scalar(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 3) >> 2;
  for (let r = 0; r < rows; r++) unpackI2Row(src + <usize>r * <usize>rb, cols, dst + <usize>r * <usize>cols, false);
}

// ---------------------------------------------------------------- binary (sign bits)

// @ts-ignore: decorator
@inline
function packB1Row(x: usize, cols: i32, dst: usize, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const z = f32x4.splat(0);
    for (; i + 16 <= cols; i += 16) {
      const p = x + (<usize>i << 2);
      const a = f32x4.ge(v128.load(p), z), b = f32x4.ge(v128.load(p, 16), z);
      const c = f32x4.ge(v128.load(p, 32), z), d = f32x4.ge(v128.load(p, 48), z);
      const m = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
      store<u16>(dst + <usize>(i >> 3), <u16>i8x16.bitmask(m));
    }
  }
  for (; i < cols; i += 8) {
    let byte: u32 = 0;
    for (let j = 0; j < 8 && i + j < cols; j++) {
      if (load<f32>(x + (<usize>(i + j) << 2)) >= 0) byte |= 1 << j;
    }
    store<u8>(dst + <usize>(i >> 3), <u8>byte);
  }
}

/** pack_b1_f32: the sign bits of a rows×cols f32 matrix (1 for x ≥ 0, also for −0), ⌈cols/8⌉ bytes per row. */
export function pack_b1_f32(x: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 7) >> 3;
  for (let r = 0; r < rows; r++) packB1Row(x + ((<usize>r * <usize>cols) << 2), cols, dst + <usize>r * <usize>rb, true);
}
export function pack_b1_f32_scalar(x: usize, rows: i32, cols: i32, dst: usize): void {
  const rb = (cols + 7) >> 3;
  for (let r = 0; r < rows; r++) packB1Row(x + ((<usize>r * <usize>cols) << 2), cols, dst + <usize>r * <usize>rb, false);
}

/** dequantize_b1_per_row: out[r, j] = bit ? α_r : −α_r, α_r = alphas[r·ps] (ps = 1 per row, 0 per tensor). */
export function dequantize_b1_per_row(bits: usize, rows: i32, cols: i32, alphas: usize, ps: i32, out: usize): void {
  const rb = (cols + 7) >> 3;
  for (let r = 0; r < rows; r++) {
    const a = load<f32>(alphas + ((<usize>(r * ps)) << 2));
    const p = bits + <usize>r * <usize>rb;
    const o = out + ((<usize>r * <usize>cols) << 2);
    for (let j = 0; j < cols; j++) {
      const bit = (<u32>load<u8>(p + <usize>(j >> 3)) >> (j & 7)) & 1;
      store<f32>(o + (<usize>j << 2), bit ? a : -a);
    }
  }
}
