// fastText supervised prediction, end to end (fastText 0.9.2: src/fasttext.cc predictLine, src/dictionary.cc
// readWord / getLine / addSubwords / computeSubwords / addWordNgrams / pushHash, src/model.cc predict, src/loss.cc):
// UTF-8 bytes of lines in, the k best labels of each line out, no JavaScript per token.
//
// Per line, as fastText reads a stream: tokens split on space \t \n \v \f \r NUL; a newline is the token "</s>";
// a "</s>" token (from a newline or written literally) ends the line. Each token is looked up in the dictionary: an
// open-addressing table of (hash, record) slots keyed by fastText's hash (FNV-1a over sign-extended bytes), built
// once (ft_dict_build); a slot's hash is compared before the record's bytes, and a record holds the entry's id, its
// bytes and its input rows (the word's row and its character n-gram rows, fastText's getSubwords list, pruned
// n-grams mapped), so a known word costs one slot and one record and nothing is hashed again. The tokens of a line
// are looked up in blocks: every slot of a block is touched first, then every candidate record, so their cache misses
// overlap, then the tokens are added in order. A known word adds its record's rows; an unknown word its n-gram rows
// (hashed from the token's bytes); a label nothing (it is recorded as a gold label when asked); an unknown token with
// the label prefix nothing. The words' hashes then give the word n-gram rows (h = h·116049371 + hⱼ in 64 bits),
// added after the tokens' rows. The rows are summed in order into the hidden vector with fastText's float32
// arithmetic (a SIMD lane per column keeps every column's order), then × float(1/n). The output layer is then
// scored in fastText's order (sequential float32 dot per row), softmax / one-vs-all / negative sampling (fastText's
// 512-entry sigmoid table) / hierarchical softmax (a depth-first walk of the label tree), and the k best labels kept
// by a heap run as libstdc++'s push_heap / pop_heap / sort_heap, which fixes the order of equal scores.
//
// Units: pointers are byte addresses; text and pool lengths count bytes; everything else counts elements. Nothing
// here allocates: TypeScript (src/fasttext/predictor.ts) lays out the state block and every table it points to.
//
// The state block (u32 / i32 / f32 fields at these byte offsets; mirrored in src/fasttext/predictor.ts):
export const PS_TABLE: i32 = 0; //         u32 pairs [hash, record address] per slot (address 0: empty)
export const PS_TABLE_MASK: i32 = 4; //    slots − 1 (a power of two)
export const PS_RECS: i32 = 8; //          the records (ft_dict_build): i32 entry, i32 length, i32 rows, the bytes
//                                          (padded to 4), u32 input rows[rows]
export const PS_OFFS: i32 = 12; //         u32[n + 1]: each entry's start in the pool (ft_dict_build's input)
export const PS_EOS_REC: i32 = 16; //      the record of "</s>", or 0 (ft_dict_build)
export const PS_POOL: i32 = 20; //         the entries' bytes back to back (ft_dict_build's input)
export const PS_NWORDS: i32 = 24;
export const PS_NLABELS: i32 = 28;
export const PS_PRUNE: i32 = 32; //        u32 pairs [bucket index + 1, row] per slot (a .ftz's pruned n-grams), or 0
export const PS_PRUNE_MASK: i32 = 36;
export const PS_PRUNED: i32 = 40; //       −1: not pruned; else the number of pairs (0: every n-gram dropped)
export const PS_DIM: i32 = 44;
export const PS_BUCKET: i32 = 48;
export const PS_MINN: i32 = 52;
export const PS_MAXN: i32 = 56;
export const PS_NGRAMS: i32 = 60; //       wordNgrams
export const PS_LOSS: i32 = 64; //         1 hs, 2 ns, 3 softmax, 4 ova (fastText's codes)
export const PS_FLAGS: i32 = 68;
export const PS_PREFIX: i32 = 72; //       the label prefix's bytes
export const PS_PREFIX_LEN: i32 = 76;
export const PS_IN: i32 = 80; //           input matrix: 7 fields (M_*)
export const PS_OUT: i32 = 108; //         output matrix: 7 fields
export const PS_OSZ: i32 = 136; //         labels (outputs; hs: leaves)
export const PS_HS_LEFT: i32 = 140; //     i32[2·osz − 1] (hs)
export const PS_HS_RIGHT: i32 = 144;
export const PS_SIGMOID: i32 = 148; //     f32[513] (ns, ova)
export const PS_HIDDEN: i32 = 152; //      f32[dim], 16-byte aligned
export const PS_SCORES: i32 = 156; //      f32[osz]
export const PS_WHASH: i32 = 160; //       i32[]: the line's word hashes (word n-grams)
export const PS_WHASH_CAP: i32 = 164;
export const PS_HEAP_S: i32 = 168; //      f32[k + 1]
export const PS_HEAP_L: i32 = 172; //      i32[k + 1]
export const PS_K: i32 = 176; //           1 … osz
export const PS_THRESHOLD: i32 = 180; //   f32
export const PS_OUT_OFFS: i32 = 184; //    i32[maxDocs + 1]: predictions of line d are [offs[d], offs[d+1])
export const PS_OUT_LABELS: i32 = 188; //  i32[maxDocs·k]
export const PS_OUT_SCORES: i32 = 192; //  f32[maxDocs·k]: fastText's log-probabilities
export const PS_MAX_DOCS: i32 = 196;
export const PS_GOLD_OFFS: i32 = 200; //   i32[maxDocs + 1] (PF_GOLD)
export const PS_GOLD: i32 = 204; //        i32[]: label indices found on each line
export const PS_GOLD_CAP: i32 = 208;
export const PS_POS: i32 = 212; //         where the next call starts in the text (in / out)
export const PS_TOKS: i32 = 216; //        u32[4 · TOK_CAP]: a block of the line's tokens (start, length, hash, record)
export const PS_EOS_HASH: i32 = 220; //    fastText's hash of "</s>" (ft_dict_build)
export const PS_ROWS: i32 = 224; //        u32[]: the line's rows waiting to be summed (dense: their addresses; pq: ids)
export const PS_ROWS_CAP: i32 = 228;
export const PS_SIZE: i32 = 240;
// a matrix descriptor's fields
export const M_KIND: i32 = 0; //           0 dense f32, 1 product-quantized (fastText's QuantMatrix)
export const M_DATA: i32 = 4; //           dense: the rows; pq: the codes (nsub bytes per row)
export const M_STRIDE: i32 = 8; //         dense: floats between rows; pq: nsub
export const M_DSUB: i32 = 12; //          pq
export const M_CODEBOOK: i32 = 16; //      pq: 256·dim f32 (sub-space m at 256·m·dsub floats)
export const M_NORM_CODES: i32 = 20; //    pq with qnorm: a byte per row, else 0
export const M_NORM_CODEBOOK: i32 = 24; // pq with qnorm: 256 f32
// flags
/** After a "</s>" written in a line, skip the rest of that line (fastText's Python predict: one text, one answer). */
export const PF_SKIP_REST: i32 = 1;
/** Record the known labels of each line (fastText's getLine labels, for test). */
export const PF_GOLD: i32 = 2;

import { expf_lut } from '~lib/util/math';

const FNV_OFFSET: u32 = 2166136261;
const FNV_PRIME: u32 = 16777619;
const KSUB: i32 = 256;
/** "</s>" as a little-endian u32. */
const EOS_U32: u32 = 0x3e732f3c;
const SIGMOID_TABLE_SIZE: f32 = 512;
/** Tokens looked up per block (PS_TOKS holds 4 u32 each). */
export const TOK_CAP: i32 = 256;
/** A token's start when it is "</s>" from a newline (no bytes in the text). */
const NEWLINE_EOS: u32 = 0xffffffff;
const MAX_SIGMOID: f32 = 8;

// @ts-ignore: decorator
@inline function u32at(st: usize, off: i32): u32 {
  return load<u32>(st + <usize>off);
}
// @ts-ignore: decorator
@inline function i32at(st: usize, off: i32): i32 {
  return load<i32>(st + <usize>off);
}
// @ts-ignore: decorator
@inline function ptrAt(st: usize, off: i32): usize {
  return <usize>load<u32>(st + <usize>off);
}
// @ts-ignore: decorator
@inline function fnvStep(h: u32, b: u32): u32 {
  return (h ^ <u32><i32><i8>b) * FNV_PRIME; // fastText sign-extends each byte
}
/** readWord's set, bits of a u64: NUL, \t \n \v \f \r, space. */
const SPACES: u64 = (1 << 0) | (0x1f << 9) | (<u64>1 << 32);
// @ts-ignore: decorator
@inline function isSpace(c: u32): bool {
  return c <= 32 && ((SPACES >> <u64>c) & 1) != 0;
}

function hashBytes(p: usize, n: i32): u32 {
  let h = FNV_OFFSET;
  for (let i = 0; i < n; i++) h = fnvStep(h, load<u8>(p + <usize>i));
  return h;
}

/** Whether a[0..n) == b[0..n), 8 bytes at a time (both may be read up to 7 bytes past n). */
function sameBytes(a: usize, b: usize, n: i32): bool {
  let k = 0;
  for (; k + 8 <= n; k += 8) if (load<u64>(a + <usize>k) != load<u64>(b + <usize>k)) return false;
  return k == n || ((load<u64>(a + <usize>k) ^ load<u64>(b + <usize>k)) & ((<u64>1 << (<u64>(n - k) << 3)) - 1)) == 0;
}

/** The record of the entry whose bytes are p[0..n) (hash h), or 0; the probe starts at slot i. */
function findRec(st: usize, p: usize, n: i32, h: u32, i: u32): usize {
  const table = ptrAt(st, PS_TABLE), mask = u32at(st, PS_TABLE_MASK);
  for (;;) {
    const s = table + (<usize>i << 3);
    const r = <usize>load<u32>(s, 4);
    if (r == 0 || (load<u32>(s) == h && load<i32>(r, 4) == n && sameBytes(r + 12, p, n))) return r;
    i = (i + 1) & mask;
  }
  return 0;
}

/** The first slot at or after h's whose hash is h (its record), or 0 at an empty slot: the candidate, bytes unchecked. */
// @ts-ignore: decorator
@inline function candidate(table: usize, mask: u32, h: u32): usize {
  let i = h & mask;
  for (;;) {
    const s = table + (<usize>i << 3);
    const r = <usize>load<u32>(s, 4);
    if (r == 0 || load<u32>(s) == h) return r;
    i = (i + 1) & mask;
  }
  return 0;
}

let gCollect: i32 = 0; // where rows go: 0 the line's queue (pushRow); 1 counted only; 2 written at gOut
let gOut: usize = 0;
let gOutN: i32 = 0;

/**
 * Builds the lookup from entries 0 … n−1 (PS_POOL, PS_OFFS filled by the caller): with recs = 0 it returns the bytes
 * the records need; then, called with recs (that many bytes), writes each entry's record there (its input rows: a
 * word's row and its character n-gram rows as fastText's initNgrams lists them; "</s>" and labels no n-grams) and
 * puts it in the zeroed table. An entry whose bytes repeat an earlier one's takes its slot (fastText's
 * Dictionary::load: the last one wins).
 */
export function ft_dict_build(st: usize, n: i32, recs: usize): i32 {
  const table = ptrAt(st, PS_TABLE), mask = u32at(st, PS_TABLE_MASK);
  const offs = ptrAt(st, PS_OFFS), pool = ptrAt(st, PS_POOL), nwords = i32at(st, PS_NWORDS);
  let at: usize = 0;
  store<u32>(st + <usize>PS_EOS_HASH, hashBytes(memory.data<u8>([0x3c, 0x2f, 0x73, 0x3e]), 4));
  if (recs) store<u32>(st + <usize>PS_EOS_REC, 0);
  for (let e = 0; e < n; e++) {
    const o = load<u32>(offs + (<usize>e << 2));
    const p = pool + <usize>o, len = <i32>(load<u32>(offs + (<usize>e << 2), 4) - o);
    const eos = len == 4 && load<u32>(p) == EOS_U32;
    const r = recs + at, rows = r + 12 + ((<usize>len + 3) & ~3);
    gCollect = recs ? 2 : 1;
    gOut = rows;
    gOutN = 0;
    if (e < nwords) {
      if (recs) store<u32>(rows, e);
      gOutN = 1;
      if (!eos) addSubwords(st, p, len, false);
    }
    gCollect = 0;
    at = rows - recs + (<usize>gOutN << 2);
    if (!recs) continue;
    store<i32>(r, e);
    store<i32>(r, len, 4);
    store<i32>(r, gOutN, 8);
    memory.copy(r + 12, p, <usize>len);
    if (eos) store<u32>(st + <usize>PS_EOS_REC, <u32>r);
    const h = hashBytes(p, len);
    let i = h & mask;
    for (;;) {
      const s = table + (<usize>i << 3);
      const q = <usize>load<u32>(s, 4);
      if (q == 0 || (load<u32>(s) == h && load<i32>(q, 4) == len && memory.compare(q + 12, p, <usize>len) == 0)) break;
      i = (i + 1) & mask;
    }
    store<u32>(table + (<usize>i << 3), h);
    store<u32>(table + (<usize>i << 3), <u32>r, 4);
  }
  return <i32>at;
}

// ---------------------------------------------------------------- rows

/** x += quantized row i (fastText's QuantMatrix::addRowToVector: norm · centroid, a float product per column). */
function addPQRow(m: usize, x: usize, i: i32, dim: i32, simd: bool): void {
  const nsub = load<i32>(m + M_STRIDE), dsub = load<i32>(m + M_DSUB);
  const codes = ptrAt(m, M_DATA) + <usize>i * <usize>nsub, cb = ptrAt(m, M_CODEBOOK), nc = ptrAt(m, M_NORM_CODES);
  const norm: f32 = nc ? load<f32>(ptrAt(m, M_NORM_CODEBOOK) + (<usize>load<u8>(nc + <usize>i) << 2)) : 1;
  for (let s = 0; s < nsub; s++) {
    const d = min(dsub, dim - s * dsub);
    const c = cb + (<usize>(KSUB * s * dsub + <i32>load<u8>(codes + <usize>s) * d) << 2);
    const y = x + (<usize>(s * dsub) << 2);
    let n = 0;
    if (ASC_FEATURE_SIMD && simd) {
      const vn = f32x4.splat(norm);
      for (; n + 4 <= d; n += 4) {
        const o = <usize>n << 2;
        v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(vn, v128.load(c + o))));
      }
    }
    for (; n < d; n++) {
      const o = <usize>n << 2;
      store<f32>(y + o, load<f32>(y + o) + norm * load<f32>(c + o));
    }
  }
}

/**
 * ft_pq_decode: rows 0..rows−1 of a product-quantized matrix (fastText's QuantMatrix: nsub code bytes per row,
 * centroids of sub-space s at 256·s·dsub floats, d = min(dsub, dim − s·dsub) floats each; with qnorm a norm code per
 * row) decoded to float32, dim floats per row at out: out[i·dim + c] = fround(norm · centroid[c]), the very values
 * addPQRow adds, so summing the decoded rows gives the same bits. The predictor decodes a small quantized input
 * matrix once (a .ftz's pruned rows) and then sums plain rows. No SIMD path.
 */
export function ft_pq_decode(codes: usize, nsub: i32, dsub: i32, cb: usize, nc: usize, ncb: usize, rows: i32, dim: i32, out: usize): void {
  let o = out;
  for (let i = 0; i < rows; i++) {
    const norm: f32 = nc ? load<f32>(ncb + (<usize>load<u8>(nc + <usize>i) << 2)) : 1;
    const r = codes + <usize>i * <usize>nsub;
    for (let s = 0; s < nsub; s++) {
      const d = min(dsub, dim - s * dsub);
      const c = cb + (<usize>(KSUB * s * dsub + <i32>load<u8>(r + <usize>s) * d) << 2);
      for (let n = 0; n < d; n++) {
        store<f32>(o, norm * load<f32>(c + (<usize>n << 2)));
        o += 4;
      }
    }
  }
}

/**
 * x += the n quantized rows listed at q, for sub-spaces of 4 columns (SIMD builds): hidden stays in registers, 16
 * columns (4 sub-spaces) at a time over all the rows, instead of a load and store of x per row and sub-space. Per
 * column the same float32 operations in the same row order as addPQRow (x + norm · centroid), so the same bits.
 */
function addPQRows4(m: usize, x: usize, q: usize, n: i32, dim: i32): void {
  const nsub = load<i32>(m + M_STRIDE);
  const codes = ptrAt(m, M_DATA), cb = ptrAt(m, M_CODEBOOK), nc = ptrAt(m, M_NORM_CODES), ncb = ptrAt(m, M_NORM_CODEBOOK);
  const full = dim >> 2; // sub-spaces of 4 whole columns
  let s = 0;
  // one sub-space's centroids: 256 × 4 floats = 4096 bytes; centroid c at c · 16
  for (; s + 4 <= full; s += 4) {
    const o = <usize>s << 4;
    const c0 = cb + (<usize>s << 12);
    let a0 = v128.load(x + o), a1 = v128.load(x + o, 16), a2 = v128.load(x + o, 32), a3 = v128.load(x + o, 48);
    for (let k = 0; k < n; k++) {
      const i = <usize>load<u32>(q + (<usize>k << 2));
      const vn = f32x4.splat(nc ? load<f32>(ncb + (<usize>load<u8>(nc + i) << 2)) : <f32>1);
      const r = codes + i * <usize>nsub + <usize>s;
      a0 = f32x4.add(a0, f32x4.mul(vn, v128.load(c0 + (<usize>load<u8>(r) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(vn, v128.load(c0 + 4096 + (<usize>load<u8>(r, 1) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(vn, v128.load(c0 + 8192 + (<usize>load<u8>(r, 2) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(vn, v128.load(c0 + 12288 + (<usize>load<u8>(r, 3) << 4))));
    }
    v128.store(x + o, a0);
    v128.store(x + o, a1, 16);
    v128.store(x + o, a2, 32);
    v128.store(x + o, a3, 48);
  }
  for (; s < full; s++) {
    const o = <usize>s << 4;
    const c0 = cb + (<usize>s << 12);
    let a0 = v128.load(x + o);
    for (let k = 0; k < n; k++) {
      const i = <usize>load<u32>(q + (<usize>k << 2));
      const vn = f32x4.splat(nc ? load<f32>(ncb + (<usize>load<u8>(nc + i) << 2)) : <f32>1);
      a0 = f32x4.add(a0, f32x4.mul(vn, v128.load(c0 + (<usize>load<u8>(codes + i * <usize>nsub + <usize>s) << 4))));
    }
    v128.store(x + o, a0);
  }
  // a last sub-space narrower than 4 columns (its centroids are d floats apart)
  if (full < nsub) {
    const d = dim - (full << 2);
    const c0 = cb + (<usize>(KSUB * full * 4) << 2), y = x + (<usize>full << 4);
    for (let k = 0; k < n; k++) {
      const i = <usize>load<u32>(q + (<usize>k << 2));
      const norm: f32 = nc ? load<f32>(ncb + (<usize>load<u8>(nc + i) << 2)) : 1;
      const c = c0 + (<usize>(<i32>load<u8>(codes + i * <usize>nsub + <usize>full) * d) << 2);
      for (let j = 0; j < d; j++) store<f32>(y + (<usize>j << 2), load<f32>(y + (<usize>j << 2)) + norm * load<f32>(c + (<usize>j << 2)));
    }
  }
}

/** ⟨row i, x⟩ as fastText sums it (in column order, in float32; a quantized row: over its centroids, then × norm). */
function dotRow(m: usize, x: usize, i: i32, dim: i32): f32 {
  let s: f32 = 0;
  if (load<i32>(m + M_KIND) == 0) {
    const r = ptrAt(m, M_DATA) + (<usize>i * <usize>load<i32>(m + M_STRIDE) << 2);
    for (let c = 0; c < dim; c++) s += load<f32>(r + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
    return s;
  }
  const nsub = load<i32>(m + M_STRIDE), dsub = load<i32>(m + M_DSUB);
  const codes = ptrAt(m, M_DATA) + <usize>i * <usize>nsub, cb = ptrAt(m, M_CODEBOOK), nc = ptrAt(m, M_NORM_CODES);
  const norm: f32 = nc ? load<f32>(ptrAt(m, M_NORM_CODEBOOK) + (<usize>load<u8>(nc + <usize>i) << 2)) : 1;
  for (let q = 0; q < nsub; q++) {
    const d = min(dsub, dim - q * dsub);
    const c = cb + (<usize>(KSUB * q * dsub + <i32>load<u8>(codes + <usize>q) * d) << 2);
    const y = x + (<usize>(q * dsub) << 2);
    for (let n = 0; n < d; n++) s += load<f32>(y + (<usize>n << 2)) * load<f32>(c + (<usize>n << 2));
  }
  return s * norm;
}

// ---------------------------------------------------------------- one line's rows

let gRows: i32 = 0; // rows of the current line (summed or waiting)
let gPending: i32 = 0; // rows waiting in PS_ROWS
let gSink: u32 = 0; // keeps the touching loads
let gHashes: i32 = 0; // word hashes of the current line
let gGold: i32 = 0; // gold labels written so far in this call

// the call's input matrix and row queue (set by batch)
let gInData: usize = 0; // dense: the rows; pq: 0 (the queue then holds row ids)
let gInStride: usize = 0; // dense: bytes between rows
let gQueue: usize = 0;
let gQueueCap: i32 = 0;

/** Queues input row i for the line's sum (summed, in order, when the queue is full or the line ends). */
function pushRow(st: usize, i: i32, simd: bool): void {
  store<u32>(gQueue + (<usize>gPending << 2), gInData ? <u32>(gInData + <usize>i * gInStride) : <u32>i);
  gPending++;
  gRows++;
  if (gPending >= gQueueCap) flushRows(st, simd);
}

/**
 * hidden += the queued rows, in queue order (per column the same float32 additions as fastText's loop). Dense rows
 * are first touched (one load per cache line, independent of each other, so their misses overlap), then summed a
 * block of 16 columns at a time in registers over all the rows.
 */
function flushRows(st: usize, simd: bool): void {
  const n = gPending;
  if (n == 0) return;
  gPending = 0;
  const q = ptrAt(st, PS_ROWS), x = ptrAt(st, PS_HIDDEN), dim = i32at(st, PS_DIM), m = st + PS_IN;
  if (load<i32>(m + M_KIND) != 0) {
    if (ASC_FEATURE_SIMD && simd && load<i32>(m + M_DSUB) == 4) {
      addPQRows4(m, x, q, n, dim);
      return;
    }
    for (let k = 0; k < n; k++) addPQRow(m, x, load<i32>(q + (<usize>k << 2)), dim, simd);
    return;
  }
  const rowBytes = <usize>dim << 2;
  let t: u32 = 0;
  for (let k = 0; k < n; k++) {
    const r = <usize>load<u32>(q + (<usize>k << 2));
    for (let o: usize = 0; o < rowBytes; o += 64) t += load<u8>(r + o);
    t += load<u8>(r + rowBytes - 1);
  }
  gSink += t;
  let c = 0;
  if (ASC_FEATURE_SIMD && simd) {
    for (; c + 16 <= dim; c += 16) {
      const o = <usize>c << 2;
      let a0 = v128.load(x + o), a1 = v128.load(x + o, 16), a2 = v128.load(x + o, 32), a3 = v128.load(x + o, 48);
      for (let k = 0; k < n; k++) {
        const r = <usize>load<u32>(q + (<usize>k << 2)) + o;
        a0 = f32x4.add(a0, v128.load(r));
        a1 = f32x4.add(a1, v128.load(r, 16));
        a2 = f32x4.add(a2, v128.load(r, 32));
        a3 = f32x4.add(a3, v128.load(r, 48));
      }
      v128.store(x + o, a0);
      v128.store(x + o, a1, 16);
      v128.store(x + o, a2, 32);
      v128.store(x + o, a3, 48);
    }
    for (; c + 4 <= dim; c += 4) {
      const o = <usize>c << 2;
      let a0 = v128.load(x + o);
      for (let k = 0; k < n; k++) a0 = f32x4.add(a0, v128.load(<usize>load<u32>(q + (<usize>k << 2)) + o));
      v128.store(x + o, a0);
    }
  }
  for (; c < dim; c++) {
    const o = <usize>c << 2;
    let a = load<f32>(x + o);
    for (let k = 0; k < n; k++) a += load<f32>(<usize>load<u32>(q + (<usize>k << 2)) + o);
    store<f32>(x + o, a);
  }
}

/** fastText's pushHash: an n-gram bucket index → its row (through the prune map), added to the hidden vector. */
function addNgram(st: usize, id: i32, simd: bool): void {
  const pruned = i32at(st, PS_PRUNED);
  if (pruned == 0 || id < 0) return;
  if (pruned > 0) {
    id = prunedRow(ptrAt(st, PS_PRUNE), u32at(st, PS_PRUNE_MASK), id);
    if (id < 0) return;
  }
  addNgramRow(st, i32at(st, PS_NWORDS) + id, simd);
}

/** The row a pruned model keeps for n-gram bucket id (the prune map's open addressing), or −1. */
// @ts-ignore: decorator
@inline function prunedRow(t: usize, mask: u32, id: i32): i32 {
  const key = <u32>id + 1;
  let i = (<u32>id * 2654435761) & mask;
  let k = load<u32>(t + (<usize>i << 3));
  while (k != key && k != 0) {
    i = (i + 1) & mask;
    k = load<u32>(t + (<usize>i << 3));
  }
  return k ? load<i32>(t + (<usize>i << 3), 4) : -1;
}

// @ts-ignore: decorator
@inline function addNgramRow(st: usize, row: i32, simd: bool): void {
  if (gCollect == 0) pushRow(st, row, simd);
  else {
    if (gCollect == 2) store<u32>(gOut + (<usize>gOutN << 2), row);
    gOutN++;
  }
}

// @ts-ignore: decorator
@inline function bracketed(p: usize, k: i32, len: i32): u32 {
  return k == 0 ? 0x3c : k == len - 1 ? 0x3e : <u32>load<u8>(p + <usize>(k - 1));
}

/** fastText's computeSubwords on "<w>" (w = p[0..n)): the character n-gram rows, in fastText's order. */
function addSubwords(st: usize, p: usize, n: i32, simd: bool): void {
  const minn = i32at(st, PS_MINN), maxn = i32at(st, PS_MAXN), bucket = u32at(st, PS_BUCKET);
  if (maxn <= 0 || bucket == 0) return;
  const len = n + 2;
  for (let i = 0; i < len; i++) {
    if ((bracketed(p, i, len) & 0xc0) == 0x80) continue;
    let h = FNV_OFFSET;
    let j = i;
    for (let g = 1; j < len && g <= maxn; g++) {
      h = fnvStep(h, bracketed(p, j++, len));
      while (j < len && (bracketed(p, j, len) & 0xc0) == 0x80) h = fnvStep(h, bracketed(p, j++, len));
      if (g >= minn && !(g == 1 && (i == 0 || j == len))) addNgram(st, <i32>(h % bucket), simd);
    }
  }
}

/** One token (p[0..n), hash h; eos: it is "</s>"; r: its record, or 0 for an unknown token): fastText's getLine body for it. */
function addToken(st: usize, p: usize, n: i32, h: u32, eos: bool, r: usize, simd: bool): void {
  const nwords = i32at(st, PS_NWORDS);
  const wid = r ? load<i32>(r) : -1;
  if (wid >= nwords) {
    if ((i32at(st, PS_FLAGS) & PF_GOLD) != 0 && gGold < i32at(st, PS_GOLD_CAP)) {
      store<i32>(ptrAt(st, PS_GOLD) + (<usize>gGold << 2), wid - nwords);
      gGold++;
    }
    return;
  }
  if (wid < 0 && !eos) {
    // an unknown token with the label prefix is a label (fastText's getType), and is dropped
    const pl = i32at(st, PS_PREFIX_LEN), pp = ptrAt(st, PS_PREFIX);
    if (n >= pl && (pl == 0 || load<u8>(p) == load<u8>(pp)) && memory.compare(p, pp, <usize>pl) == 0) return;
  }
  if (i32at(st, PS_NGRAMS) > 1 && gHashes < i32at(st, PS_WHASH_CAP)) {
    store<u32>(ptrAt(st, PS_WHASH) + (<usize>gHashes << 2), h);
    gHashes++;
  }
  if (r) {
    // a known word: its rows (the word's, then its n-grams'), as listed when the table was built
    const rows = r + 12 + ((<usize>n + 3) & ~3), nr = load<i32>(r, 8);
    for (let j = 0; j < nr; j++) pushRow(st, load<i32>(rows + (<usize>j << 2)), simd);
  } else if (!eos) addSubwords(st, p, n, simd); // "</s>" has no n-grams (initNgrams, addSubwords)
}

/**
 * Adds the block of nt tokens at PS_TOKS in order. Every slot is touched first, then every candidate record (loads
 * independent of each other, so their cache misses overlap), then each candidate's bytes are checked (a different
 * word with the same hash: the full probe) and the token added.
 */
function addTokens(st: usize, src: usize, nt: i32, simd: bool): void {
  const toks = ptrAt(st, PS_TOKS), table = ptrAt(st, PS_TABLE), mask = u32at(st, PS_TABLE_MASK);
  let t: u32 = 0;
  for (let k = 0; k < nt; k++) t += load<u32>(table + (<usize>(load<u32>(toks + (<usize>k << 4), 8) & mask) << 3));
  const eosRec = ptrAt(st, PS_EOS_REC);
  for (let k = 0; k < nt; k++) {
    const q = toks + (<usize>k << 4);
    const r = load<u32>(q) == NEWLINE_EOS ? eosRec : candidate(table, mask, load<u32>(q, 8));
    store<u32>(q, <u32>r, 12);
    if (r) t += load<u32>(r, 4);
  }
  gSink += t;
  const nwords = i32at(st, PS_NWORDS), hashes = i32at(st, PS_NGRAMS) > 1 ? ptrAt(st, PS_WHASH) : 0, hashCap = i32at(st, PS_WHASH_CAP);
  for (let k = 0; k < nt; k++) {
    const q = toks + (<usize>k << 4);
    const a = load<u32>(q), n = load<i32>(q, 4), h = load<u32>(q, 8);
    let r = <usize>load<u32>(q, 12);
    const nl = a == NEWLINE_EOS, p: usize = nl ? 0 : src + <usize>a;
    if (r && !nl && !(load<i32>(r, 4) == n && sameBytes(r + 12, p, n))) r = findRec(st, p, n, h, h & mask);
    if (r && load<i32>(r) < nwords) {
      // a known word (addToken's case, inlined): its hash for the word n-grams, its rows into the queue
      if (hashes && gHashes < hashCap) store<u32>(hashes + (<usize>(gHashes++) << 2), h);
      const rows = r + 12 + ((<usize>n + 3) & ~3), nr = load<i32>(r, 8);
      for (let j = 0; j < nr; j++) {
        const i = load<u32>(rows + (<usize>j << 2));
        store<u32>(gQueue + (<usize>gPending << 2), gInData ? <u32>(gInData + <usize>i * gInStride) : i);
        gPending++;
        if (gPending >= gQueueCap) flushRows(st, simd);
      }
      gRows += nr;
      continue;
    }
    addToken(st, p, n, h, nl || (n == 4 && load<u32>(p) == EOS_U32), r, simd);
  }
}

/** fastText's addWordNgrams over the line's word hashes. */
function addWordNgrams(st: usize, simd: bool): void {
  const n = i32at(st, PS_NGRAMS), bucket = <u64>u32at(st, PS_BUCKET);
  if (n <= 1 || bucket == 0) return;
  const hs = ptrAt(st, PS_WHASH);
  // addNgram inlined, the state's fields read once per line (a call and five loads per word n-gram were an eighth of
  // a bigram model's time per document)
  const pruned = i32at(st, PS_PRUNED), nwords = i32at(st, PS_NWORDS);
  if (pruned == 0) return;
  const t = ptrAt(st, PS_PRUNE), mask = u32at(st, PS_PRUNE_MASK);
  for (let i = 0; i < gHashes; i++) {
    let h = <u64><i64>load<i32>(hs + (<usize>i << 2));
    for (let j = i + 1; j < gHashes && j < i + n; j++) {
      h = h * 116049371 + <u64><i64>load<i32>(hs + (<usize>j << 2));
      let id = <i32>(h % bucket);
      if (pruned > 0) {
        id = prunedRow(t, mask, id);
        if (id < 0) continue;
      }
      addNgramRow(st, nwords + id, simd);
    }
  }
}

// ---------------------------------------------------------------- top k (libstdc++'s heap with comp = a.score > b.score)

let gHeapN: i32 = 0;
let gK: i32 = 1;
let gHS: usize = 0;
let gHL: usize = 0;

// @ts-ignore: decorator
@inline function hs(i: i32): f32 {
  return load<f32>(gHS + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function hmove(to: i32, from: i32): void {
  store<f32>(gHS + (<usize>to << 2), load<f32>(gHS + (<usize>from << 2)));
  store<i32>(gHL + (<usize>to << 2), load<i32>(gHL + (<usize>from << 2)));
}
// @ts-ignore: decorator
@inline function hset(i: i32, s: f32, l: i32): void {
  store<f32>(gHS + (<usize>i << 2), s);
  store<i32>(gHL + (<usize>i << 2), l);
}

function pushHeapAt(hole: i32, top: i32, s: f32, l: i32): void {
  let parent = (hole - 1) >> 1;
  while (hole > top && hs(parent) > s) {
    hmove(hole, parent);
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  hset(hole, s, l);
}

function adjustHeap(hole: i32, len: i32, s: f32, l: i32): void {
  const top = hole;
  let second = hole;
  while (second < (len - 1) >> 1) {
    second = 2 * (second + 1);
    if (hs(second) > hs(second - 1)) second--;
    hmove(hole, second);
    hole = second;
  }
  if ((len & 1) == 0 && second == (len - 2) >> 1) {
    second = 2 * (second + 1);
    hmove(hole, second - 1);
    hole = second - 1;
  }
  pushHeapAt(hole, top, s, l);
}

/** push_heap, then pop_heap + pop_back when the heap holds more than k. */
function heapAdd(s: f32, l: i32): void {
  hset(gHeapN, s, l);
  pushHeapAt(gHeapN, 0, s, l);
  gHeapN++;
  if (gHeapN > gK) {
    const last = gHeapN - 1;
    const vs = hs(last), vl = load<i32>(gHL + (<usize>last << 2));
    hmove(last, 0);
    adjustHeap(0, last, vs, vl);
    gHeapN--;
  }
}

function sortHeap(): void {
  for (let last = gHeapN - 1; last > 0; last--) {
    const vs = hs(last), vl = load<i32>(gHL + (<usize>last << 2));
    hmove(last, 0);
    adjustHeap(0, last, vs, vl);
  }
}

/** fastText's std_log: log(x + 1e-5) of a float, as a float. */
// @ts-ignore: decorator
@inline function stdLog(x: f32): f32 {
  return <f32>Math.log(<f64>x + 1e-5);
}

function sigmoid(st: usize, x: f32): f32 {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  const i = <i32>((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE / MAX_SIGMOID / 2);
  return load<f32>(ptrAt(st, PS_SIGMOID) + (<usize>i << 2));
}

/** HierarchicalSoftmaxLoss::dfs. */
function dfs(st: usize, node: i32, score: f32, logThreshold: f32): void {
  if (score < logThreshold) return;
  if (gHeapN == gK && score < hs(0)) return;
  const left = load<i32>(ptrAt(st, PS_HS_LEFT) + (<usize>node << 2)), right = load<i32>(ptrAt(st, PS_HS_RIGHT) + (<usize>node << 2));
  if (left == -1 && right == -1) {
    heapAdd(score, node);
    return;
  }
  let f = dotRow(st + PS_OUT, ptrAt(st, PS_HIDDEN), node - i32at(st, PS_OSZ), i32at(st, PS_DIM));
  f = <f32>(1.0 / <f64>(<f32>1 + expf_lut(-f))); // std::exp(float): glibc's expf, the same algorithm
  dfs(st, left, score + stdLog(<f32>(1.0 - <f64>f)), logThreshold);
  dfs(st, right, score + stdLog(f), logThreshold);
}

/** Model::predict on the hidden vector (already the mean): the k best into the heap, sorted best first. */
function predictHidden(st: usize): void {
  const osz = i32at(st, PS_OSZ), dim = i32at(st, PS_DIM), loss = i32at(st, PS_LOSS);
  const threshold = load<f32>(st + <usize>PS_THRESHOLD);
  const hidden = ptrAt(st, PS_HIDDEN), out = ptrAt(st, PS_SCORES), om = st + PS_OUT;
  gHeapN = 0;
  if (loss == 1) {
    if (osz > 0) dfs(st, 2 * osz - 2, 0, stdLog(threshold));
    sortHeap();
    return;
  }
  for (let i = 0; i < osz; i++) store<f32>(out + (<usize>i << 2), dotRow(om, hidden, i, dim));
  if (loss == 3) {
    let mx = load<f32>(out), z: f32 = 0;
    for (let i = 0; i < osz; i++) mx = max(load<f32>(out + (<usize>i << 2)), mx);
    for (let i = 0; i < osz; i++) {
      const e = <f32>Math.exp(<f64>(load<f32>(out + (<usize>i << 2)) - mx));
      store<f32>(out + (<usize>i << 2), e);
      z += e;
    }
    for (let i = 0; i < osz; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) / z);
  } else {
    for (let i = 0; i < osz; i++) store<f32>(out + (<usize>i << 2), sigmoid(st, load<f32>(out + (<usize>i << 2))));
  }
  for (let i = 0; i < osz; i++) {
    const o = load<f32>(out + (<usize>i << 2));
    if (o < threshold) continue;
    const s = stdLog(o);
    if (gHeapN == gK && s < hs(0)) continue;
    heapAdd(s, i);
  }
  sortHeap();
}

// ---------------------------------------------------------------- the batch

function batch(st: usize, src: usize, len: i32, simd: bool): i32 {
  let pos = i32at(st, PS_POS);
  const maxDocs = i32at(st, PS_MAX_DOCS), flags = i32at(st, PS_FLAGS), dim = i32at(st, PS_DIM);
  const hidden = ptrAt(st, PS_HIDDEN);
  const outOffs = ptrAt(st, PS_OUT_OFFS), outLabels = ptrAt(st, PS_OUT_LABELS), outScores = ptrAt(st, PS_OUT_SCORES);
  const goldOffs = ptrAt(st, PS_GOLD_OFFS), gold = (flags & PF_GOLD) != 0;
  gK = i32at(st, PS_K);
  gHS = ptrAt(st, PS_HEAP_S);
  gHL = ptrAt(st, PS_HEAP_L);
  gGold = 0;
  gInData = load<i32>(st + PS_IN + M_KIND) == 0 ? ptrAt(st + PS_IN, M_DATA) : 0;
  gInStride = <usize>load<i32>(st + PS_IN + M_STRIDE) << 2;
  gQueue = ptrAt(st, PS_ROWS);
  gQueueCap = i32at(st, PS_ROWS_CAP);
  let docs = 0, npred = 0;
  store<i32>(outOffs, 0);
  if (gold) store<i32>(goldOffs, 0);
  // one line per iteration: fastText's predictLine (it stops at the end of the stream, `in.peek() == EOF`)
  while (docs < maxDocs && pos < len) {
    memory.fill(hidden, 0, <usize>dim << 2);
    gRows = 0;
    gPending = 0;
    gHashes = 0;
    // the line's tokens, a block of at most TOK_CAP at a time (start, length, hash; the record is found in addTokens)
    const toks = ptrAt(st, PS_TOKS);
    let nt = 0;
    for (;;) {
      // readWord
      let eos = false;
      while (pos < len) {
        const c = <u32>load<u8>(src + <usize>pos);
        if (!isSpace(c)) break;
        pos++;
        if (c == 10) {
          eos = true;
          break;
        }
      }
      if (eos) {
        const q = toks + (<usize>(nt++) << 4);
        store<u32>(q, NEWLINE_EOS);
        store<i32>(q, 4, 4);
        store<u32>(q, u32at(st, PS_EOS_HASH), 8);
        break;
      }
      if (pos >= len) break; // the stream ends without a newline: no "</s>"
      const a = pos;
      let h = FNV_OFFSET;
      while (pos < len) {
        const c = <u32>load<u8>(src + <usize>pos);
        if (isSpace(c)) break;
        h = fnvStep(h, c);
        pos++;
      }
      const n = pos - a;
      if (pos < len && load<u8>(src + <usize>pos) != 10) pos++; // readWord consumes the space after a word, not a newline
      const q = toks + (<usize>(nt++) << 4);
      store<u32>(q, a);
      store<i32>(q, n, 4);
      store<u32>(q, h, 8);
      if (n == 4 && load<u32>(src + <usize>a) == EOS_U32) {
        if ((flags & PF_SKIP_REST) != 0) {
          while (pos < len && load<u8>(src + <usize>pos) != 10) pos++;
          if (pos < len) pos++;
        }
        break;
      }
      if (nt == TOK_CAP) {
        addTokens(st, src, nt, simd);
        nt = 0;
      }
    }
    addTokens(st, src, nt, simd);
    addWordNgrams(st, simd);
    flushRows(st, simd);
    gHeapN = 0;
    if (gRows > 0) {
      const inv = <f32>(1.0 / <f64>gRows);
      let c = 0;
      if (ASC_FEATURE_SIMD && simd) {
        const vi = f32x4.splat(inv);
        for (; c + 4 <= dim; c += 4) v128.store(hidden + (<usize>c << 2), f32x4.mul(v128.load(hidden + (<usize>c << 2)), vi));
      }
      for (; c < dim; c++) store<f32>(hidden + (<usize>c << 2), load<f32>(hidden + (<usize>c << 2)) * inv);
      predictHidden(st);
    }
    for (let j = 0; j < gHeapN; j++) {
      store<i32>(outLabels + (<usize>npred << 2), load<i32>(gHL + (<usize>j << 2)));
      store<f32>(outScores + (<usize>npred << 2), hs(j));
      npred++;
    }
    docs++;
    store<i32>(outOffs + (<usize>docs << 2), npred);
    if (gold) store<i32>(goldOffs + (<usize>docs << 2), gGold);
  }
  store<i32>(st + <usize>PS_POS, pos);
  return docs;
}

/**
 * Predicts the lines of src[state.pos .. len) (UTF-8, '\n'-separated) until the text ends or state.maxDocs lines
 * are done; returns the number of lines and leaves state.pos where the next call resumes. The text's end is the
 * stream's end: a line without a newline there gets no "</s>" (pass only whole lines until the last call).
 */
export function ft_predict_batch(st: usize, src: usize, len: i32): i32 {
  return batch(st, src, len, true);
}

export function ft_predict_batch_scalar(st: usize, src: usize, len: i32): i32 {
  return batch(st, src, len, false);
}

/** Bytes of the state block. */
export function ft_predict_state_size(): i32 {
  return PS_SIZE;
}
