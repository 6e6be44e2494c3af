// EmbeddingBag kernels (issue 13): the rows listed in idx, decoded from their table's storage and summed (or
// averaged, or weighted) into f32 bags in ONE call for all the bags, and the token → row lookup of a compressed
// fastText classifier (src/compress/classifier.ts) over UTF-8 text.
//
// Every bag_<scheme>_gather takes its table's fields, then the bag list:
//   idx    i32[n]       rows, any order, repeats allowed (not checked: they must be rows of the table)
//   offs   i32[nbags]   the first index of each bag (non-decreasing; bag b ends where b + 1 starts, the last at n),
//                       or 0: one bag of all n
//   w      f64[n]       per-sample weights, or 0 (every weight 1)
//   mean   1: each non-empty bag × (1 / its size); 0: the sum
//   tmp    f32[dim]     scratch for one decoded row (schemes other than f32)
//   out    f32[nbags·dim]  written (zeroed first; an empty bag stays 0)
// The arithmetic is src/infer/embedding.ts's TypeScript, to the bit: a row is decoded as the table's decodeRow
// decodes it (float32 products), added per column in index order (float32 sums; a weighted sum computes
// acc + w·x in float64 and rounds, as `out[c] += w * row[c]` on a Float32Array does), and the mean multiplies by
// the float64 1/size and rounds. SIMD lanes are columns, so SIMD and scalar builds give the same bits.
// Units: pointers are byte addresses; row strides count elements (f32: floats; i8/i4: bytes per row; b1: bits).

import { f16_bits_to_f32 } from '../quant/half';

const K_F32: i32 = 0;
const K_F16: i32 = 1;
const K_BF16: i32 = 2;
const K_I8: i32 = 3;
const K_I4: i32 = 4;
const K_B1: i32 = 5;
const K_PQ: i32 = 6;

/** acc[0..dim) += x (wt = 1, unweighted) or acc = f32(f64 acc + wt · f64 x) (weighted). */
function accumulate(x: usize, acc: usize, dim: i32, weighted: bool, wt: f64, simd: bool): void {
  let c = 0;
  if (!weighted) {
    if (ASC_FEATURE_SIMD && simd) {
      for (; c + 4 <= dim; c += 4) {
        const o = <usize>c << 2;
        v128.store(acc + o, f32x4.add(v128.load(acc + o), v128.load(x + o)));
      }
    }
    for (; c < dim; c++) {
      const o = <usize>c << 2;
      store<f32>(acc + o, load<f32>(acc + o) + load<f32>(x + o));
    }
    return;
  }
  if (ASC_FEATURE_SIMD && simd) {
    const vw = f64x2.splat(wt);
    for (; c + 2 <= dim; c += 2) {
      const o = <usize>c << 2;
      const a = f64x2.promote_low_f32x4(v128.load64_zero(acc + o));
      const v = f64x2.promote_low_f32x4(v128.load64_zero(x + o));
      v128.store64_lane(acc + o, f32x4.demote_f64x2_zero(f64x2.add(a, f64x2.mul(vw, v))), 0);
    }
  }
  for (; c < dim; c++) {
    const o = <usize>c << 2;
    store<f32>(acc + o, <f32>(<f64>load<f32>(acc + o) + wt * <f64>load<f32>(x + o)));
  }
}

/** Row r of the table, decoded into tmp as the table's decodeRow does; returns where the f32 row is. */
function decode(kind: i32, a: usize, b: i32, c: usize, d: usize, e: usize, f: i32, g: i32, dim: i32, r: i32, tmp: usize, simd: bool): usize {
  if (kind == K_F32) return a + ((<usize>r * <usize>b) << 2); // a: rows, b: stride (floats)
  if (kind == K_F16 || kind == K_BF16) {
    const p = a + ((<usize>r * <usize>dim) << 1);
    for (let j = 0; j < dim; j++) {
      const h = <u32>load<u16>(p + (<usize>j << 1));
      store<u32>(tmp + (<usize>j << 2), kind == K_F16 ? f16_bits_to_f32(h) : h << 16);
    }
    return tmp;
  }
  if (kind == K_I8 || kind == K_I4) {
    // a: codes, b: bytes per row, c: f32 scales, d: i32 zero points or 0, f: per row, e: f32 centre or 0
    const gi = <usize>(f ? r : 0) << 2;
    const s = load<f32>(c + gi);
    const z = d ? load<i32>(d + gi) : 0;
    const p = a + <usize>r * <usize>b;
    let j = 0;
    if (kind == K_I8) {
      if (ASC_FEATURE_SIMD && simd) {
        const vs = f32x4.splat(s), vz = i32x4.splat(z);
        for (; j + 4 <= dim; j += 4) {
          const q = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(p + <usize>j)));
          let v = f32x4.mul(vs, f32x4.convert_i32x4_s(i32x4.sub(q, vz)));
          if (e) v = f32x4.add(v, v128.load(e + (<usize>j << 2)));
          v128.store(tmp + (<usize>j << 2), v);
        }
      }
      for (; j < dim; j++) {
        let v = s * <f32>(<i32>load<i8>(p + <usize>j) - z);
        if (e) v += load<f32>(e + (<usize>j << 2));
        store<f32>(tmp + (<usize>j << 2), v);
      }
    } else {
      for (; j < dim; j++) {
        const byte = <i32>load<u8>(p + <usize>(j >> 1));
        const nib = j & 1 ? byte >> 4 : byte & 15;
        let v = s * <f32>(((nib << 28) >> 28) - z);
        if (e) v += load<f32>(e + (<usize>j << 2));
        store<f32>(tmp + (<usize>j << 2), v);
      }
    }
    return tmp;
  }
  if (kind == K_B1) {
    // a: bits, b: bits per row, c: f32 α, f: per row, e: f32 centre or 0
    const al = load<f32>(c + (<usize>(f ? r : 0) << 2));
    const first = <u64>r * <u64>b;
    for (let j = 0; j < dim; j++) {
      const k = first + <u64>j;
      let v = (load<u8>(a + <usize>(k >> 3)) >> <u8>(k & 7)) & 1 ? al : -al;
      if (e) v += load<f32>(e + (<usize>j << 2));
      store<f32>(tmp + (<usize>j << 2), v);
    }
    return tmp;
  }
  // K_PQ: a: codes, b: nsub, f: dsub, g: ksub, c: f32 codebook, d: norm codes or 0, e: f32 norm codebook
  const codes = a + <usize>r * <usize>b;
  const qn = d != 0;
  const nrm: f32 = qn ? load<f32>(e + (<usize>load<u8>(d + <usize>r) << 2)) : 1;
  for (let m = 0; m < b; m++) {
    const dd = min(f, dim - m * f);
    const base = c + (<usize>(g * m * f + <i32>load<u8>(codes + <usize>m) * dd) << 2);
    const y = tmp + (<usize>(m * f) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const vn = f32x4.splat(nrm);
      for (; j + 4 <= dd; j += 4) {
        const v = v128.load(base + (<usize>j << 2));
        v128.store(y + (<usize>j << 2), qn ? f32x4.mul(v, vn) : v);
      }
    }
    for (; j < dd; j++) {
      const v = load<f32>(base + (<usize>j << 2));
      store<f32>(y + (<usize>j << 2), qn ? v * nrm : v);
    }
  }
  return tmp;
}

function bags(kind: i32, a: usize, b: i32, c: usize, d: usize, e: usize, f: i32, g: i32, dim: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize, simd: bool): void {
  const nb = offs ? nbags : 1;
  for (let k = 0; k < nb; k++) {
    const s = offs ? load<i32>(offs + (<usize>k << 2)) : 0;
    const t = offs && k + 1 < nb ? load<i32>(offs + (<usize>(k + 1) << 2)) : n;
    const acc = out + ((<usize>k * <usize>dim) << 2);
    memory.fill(acc, 0, <usize>dim << 2);
    for (let i = s; i < t; i++) {
      const r = load<i32>(idx + (<usize>i << 2));
      const x = decode(kind, a, b, c, d, e, f, g, dim, r, tmp, simd);
      accumulate(x, acc, dim, w != 0, w ? load<f64>(w + (<usize>i << 3)) : 1, simd);
    }
    if (mean && t > s) {
      const inv = 1.0 / <f64>(t - s);
      for (let j = 0; j < dim; j++) {
        const o = acc + (<usize>j << 2);
        store<f32>(o, <f32>(<f64>load<f32>(o) * inv));
      }
    }
  }
}

/** f32 table: rows at mat, `stride` floats apart. */
export function bag_f32_gather(mat: usize, stride: i32, dim: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, out: usize): void {
  bags(K_F32, mat, stride, 0, 0, 0, 0, 0, dim, idx, offs, nbags, n, w, mean, 0, out, true);
}
export function bag_f32_gather_scalar(mat: usize, stride: i32, dim: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, out: usize): void {
  bags(K_F32, mat, stride, 0, 0, 0, 0, 0, dim, idx, offs, nbags, n, w, mean, 0, out, false);
}

/** fp16 (bf = 0) or bf16 (bf = 1) table: dim halves per row. */
export function bag_f16_gather(codes: usize, dim: i32, bf: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(bf ? K_BF16 : K_F16, codes, 0, 0, 0, 0, 0, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, true);
}
export function bag_f16_gather_scalar(codes: usize, dim: i32, bf: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(bf ? K_BF16 : K_F16, codes, 0, 0, 0, 0, 0, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, false);
}

/** int8 (bits 8) or int4 (bits 4, two codes a byte, low nibble first) table: x = s·(q − z) (+ μ). */
export function bag_int_gather(bits: i32, codes: usize, rowBytes: i32, dim: i32, scales: usize, zps: usize, perRow: i32, center: usize, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(bits == 4 ? K_I4 : K_I8, codes, rowBytes, scales, zps, center, perRow, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, true);
}
export function bag_int_gather_scalar(bits: i32, codes: usize, rowBytes: i32, dim: i32, scales: usize, zps: usize, perRow: i32, center: usize, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(bits == 4 ? K_I4 : K_I8, codes, rowBytes, scales, zps, center, perRow, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, false);
}

/** binary table: bit 1 → +α, 0 → −α (+ μ); row r's first bit at r · strideBits. */
export function bag_b1_gather(bits: usize, strideBits: i32, dim: i32, alphas: usize, perRow: i32, center: usize, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(K_B1, bits, strideBits, alphas, 0, center, perRow, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, true);
}
export function bag_b1_gather_scalar(bits: usize, strideBits: i32, dim: i32, alphas: usize, perRow: i32, center: usize, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(K_B1, bits, strideBits, alphas, 0, center, perRow, 0, dim, idx, offs, nbags, n, w, mean, tmp, out, false);
}

/** product-quantized table (nsub codes a row; sub-space m's centroid k at ksub·m·dsub + k·d floats; norms: qnorm). */
export function bag_pq_gather(codes: usize, nsub: i32, dsub: i32, ksub: i32, codebook: usize, normCodes: usize, normCodebook: usize, dim: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(K_PQ, codes, nsub, codebook, normCodes, normCodebook, dsub, ksub, dim, idx, offs, nbags, n, w, mean, tmp, out, true);
}
export function bag_pq_gather_scalar(codes: usize, nsub: i32, dsub: i32, ksub: i32, codebook: usize, normCodes: usize, normCodebook: usize, dim: i32, idx: usize, offs: usize, nbags: i32, n: i32, w: usize, mean: i32, tmp: usize, out: usize): void {
  bags(K_PQ, codes, nsub, codebook, normCodes, normCodebook, dsub, ksub, dim, idx, offs, nbags, n, w, mean, tmp, out, false);
}

// ---------------------------------------------------------------- text → rows (compressed classifiers)

const FNV_OFFSET: u32 = 2166136261;
const FNV_PRIME: u32 = 16777619;
/** "</s>" as a little-endian u32. */
const EOS_U32: u32 = 0x3e732f3c;

// @ts-ignore: decorator
@inline function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13) || c == 0;
}

/** The row of the word with hash h in the open-addressing table (u32 pairs [hash, row + 1], 0 = empty), or −1. */
function wordRow(tab: usize, mask: u32, h: u32): i32 {
  let i = h & mask;
  for (;;) {
    const p = tab + (<usize>i << 3);
    const v = load<i32>(p, 4);
    if (v == 0) return -1;
    if (load<u32>(p) == h) return v - 1;
    i = (i + 1) & mask;
  }
  return -1;
}

/** nwords + id, or nwords + (the position of id in the sorted kept buckets; −1 when not kept) when nb ≥ 0. */
function ngramRow(id: i32, nwords: i32, buckets: usize, nb: i32): i32 {
  if (nb < 0) return nwords + id;
  let lo = 0, hi = nb;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    const v = load<i32>(buckets + (<usize>m << 2));
    if (v < id) lo = m + 1;
    else if (v > id) hi = m;
    else return nwords + m;
  }
  return -1;
}

/**
 * The input rows of ndocs texts (UTF-8; text d is text[toffs[d], toffs[d+1])) as the compressed classifier's
 * lineRowsBytes computes them: tokens split on space \t \n \v \f \r NUL, each hashed (fastText's FNV-1a over
 * sign-extended bytes) and looked up in the word table; a known word adds its row; its character n-grams (minn …
 * maxn > 0, fastText's computeSubwords on "<token>", "</s>" excepted) add their kept rows; an unknown token starting
 * with "__label__" is skipped; a "</s>" token ends the text; "</s>" is appended when the text did not end with one;
 * then the word n-grams (wordNgrams > 1) of the tokens' hashes. Rows of text d go to rows[roffs[d], roffs[d+1]).
 * Returns the total number of rows; rows beyond rcap are counted but not written (call again with more room).
 * hashes: i32 scratch for ≥ (the longest text's bytes + 1) / 2 + 1 tokens.
 */
export function bag_text_rows(text: usize, toffs: usize, ndocs: i32, tab: usize, mask: u32, nwords: i32, buckets: usize, nb: i32, bucket: i32, minn: i32, maxn: i32, wordNgrams: i32, hashes: usize, rows: usize, rcap: i32, roffs: usize): i32 {
  let nr = 0;
  const eosHash = ((((((FNV_OFFSET ^ 0x3c) * FNV_PRIME) ^ 0x2f) * FNV_PRIME ^ 0x73) * FNV_PRIME) ^ 0x3e) * FNV_PRIME;
  const subs = maxn > 0 && bucket > 0;
  for (let d = 0; d < ndocs; d++) {
    store<i32>(roffs + (<usize>d << 2), nr);
    const end = <i32>load<u32>(toffs + (<usize>(d + 1) << 2));
    let i = <i32>load<u32>(toffs + (<usize>d << 2));
    let nh = 0;
    let ended = false;
    while (i < end) {
      let ch = <u32>load<u8>(text + <usize>i);
      if (isSpace(ch)) {
        i++;
        continue;
      }
      const s = i;
      let h = FNV_OFFSET;
      while (i < end) {
        ch = <u32>load<u8>(text + <usize>i);
        if (isSpace(ch)) break;
        h = (h ^ <u32><i32><i8>ch) * FNV_PRIME;
        i++;
      }
      const len = i - s;
      const eos = len == 4 && load<u32>(text + <usize>s) == EOS_U32;
      const row = wordRow(tab, mask, h);
      if (row < 0 && len >= 9 && load<u64>(text + <usize>s) == 0x5f6c6562616c5f5f && load<u8>(text + <usize>s, 8) == 0x5f) continue; // "__label_" + "_"
      if (row >= 0) {
        if (nr < rcap) store<i32>(rows + (<usize>nr << 2), row);
        nr++;
      }
      if (subs && !eos) {
        // "<token>": byte k at k == 0 '<', k == L − 1 '>', else text[s + k − 1]
        const L = len + 2;
        for (let a = 0; a < L; a++) {
          const ca = a == 0 ? 0x3c : a == L - 1 ? 0x3e : <u32>load<u8>(text + <usize>(s + a - 1));
          if ((ca & 0xc0) == 0x80) continue;
          let g = FNV_OFFSET;
          for (let j = a, m = 1; j < L && m <= maxn; m++) {
            let cj = j == 0 ? 0x3c : j == L - 1 ? 0x3e : <u32>load<u8>(text + <usize>(s + j - 1));
            g = (g ^ <u32><i32><i8>cj) * FNV_PRIME;
            j++;
            while (j < L) {
              cj = j == L - 1 ? 0x3e : <u32>load<u8>(text + <usize>(s + j - 1));
              if ((cj & 0xc0) != 0x80) break;
              g = (g ^ <u32><i32><i8>cj) * FNV_PRIME;
              j++;
            }
            if (m >= minn && !(m == 1 && (a == 0 || j == L))) {
              const rr = ngramRow(<i32>(g % <u32>bucket), nwords, buckets, nb);
              if (rr >= 0) {
                if (nr < rcap) store<i32>(rows + (<usize>nr << 2), rr);
                nr++;
              }
            }
          }
        }
      }
      store<u32>(hashes + (<usize>nh << 2), h);
      nh++;
      if (eos) {
        ended = true;
        break;
      }
    }
    if (!ended) {
      const row = wordRow(tab, mask, eosHash);
      if (row >= 0) {
        if (nr < rcap) store<i32>(rows + (<usize>nr << 2), row);
        nr++;
      }
      store<u32>(hashes + (<usize>nh << 2), eosHash);
      nh++;
    }
    if (bucket > 0 && wordNgrams > 1) {
      for (let a = 0; a < nh; a++) {
        let g = <u64><i64>load<i32>(hashes + (<usize>a << 2));
        for (let j = a + 1; j < nh && j < a + wordNgrams; j++) {
          g = g * 116049371 + <u64><i64>load<i32>(hashes + (<usize>j << 2));
          const rr = ngramRow(<i32>(g % <u64>bucket), nwords, buckets, nb);
          if (rr >= 0) {
            if (nr < rcap) store<i32>(rows + (<usize>nr << 2), rr);
            nr++;
          }
        }
      }
    }
  }
  store<i32>(roffs + (<usize>ndocs << 2), nr);
  return nr;
}
