// The vocabulary pass: UTF-8 bytes in, whitespace-split tokens looked up (and added, counted) in an open-addressing
// dictionary, word ids out. Units: pointers are byte addresses, lengths count bytes (input, pool) or entries.
// Nothing here allocates: TypeScript owns every table and grows them when a scan returns TEXT_GROW.
//
// Tokens are split exactly as JavaScript's /\s+/ splits decoded text (the default tokenizer): ASCII \t \n \v \f \r
// and space, and the UTF-8 encodings of U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
// U+FEFF. A token with bytes that are not valid UTF-8 stops the scan (TEXT_INVALID): the caller decodes it as
// TextDecoder does (U+FFFD replacements) and hands the canonical bytes to text_token.
//
// The state block (i32/u32 fields, byte offsets):
//   0 table (u32 slots: word + 1, 0 = empty)   4 table capacity (power of two)   8 hashes (u32 per word)
//  12 pool offsets (u32 per word)   16 lengths (u32 per word)   20 counts (f64 per word)   24 word capacity
//  28 words   32 pool   36 pool capacity   40 pool used   44 out (i32 ids)   48 out capacity   52 ids written
//  56 ends (i32: index in out after each sentence)   60 ends capacity   64 ends written   68 flags
//  72 sentence separator byte   76 resume position   80 prune bound (0 = none)   84 token end (TEXT_INVALID)
//  88 tokens seen (f64)   96 sentences seen (f64)   104 longest token allowed   108 token start (errors)
export const TEXT_STATE_SIZE: i32 = 112;
/** flags: add unknown words / count / write ids */
export const TEXT_ADD: i32 = 1;
export const TEXT_COUNT: i32 = 2;
export const TEXT_RECORD: i32 = 4;
/** scan results */
export const TEXT_DONE: i32 = 0;
export const TEXT_FULL: i32 = 1;
export const TEXT_GROW: i32 = 2;
export const TEXT_PRUNE: i32 = 3;
export const TEXT_INVALID: i32 = 4;
export const TEXT_TOO_LONG: i32 = 5;

@inline function u32at(st: usize, off: i32): u32 {
  return load<u32>(st + <usize>off);
}
@inline function setu32(st: usize, off: i32, v: u32): void {
  store<u32>(st + <usize>off, v);
}

/**
 * Length of the whitespace sequence at p (0: none); −1 when the bytes up to `len` could start one and more input
 * may follow (`final` false).
 */
function wsLen(src: usize, p: i32, len: i32, final: bool): i32 {
  const b = <u32>load<u8>(src + <usize>p);
  if (b < 0x80) return b == 32 || (b >= 9 && b <= 13) ? 1 : 0;
  if (b != 0xc2 && b != 0xe1 && b != 0xe2 && b != 0xe3 && b != 0xef) return 0;
  const need = b == 0xc2 ? 2 : 3;
  if (p + need > len) {
    // a prefix of a possible sequence: undecided while more bytes may come
    if (final) return 0;
    const b1 = p + 1 < len ? <u32>load<u8>(src + <usize>p + 1) : 0x100;
    if (b1 == 0x100) return -1;
    if (b == 0xe1) return b1 == 0x9a ? -1 : 0;
    if (b == 0xe2) return b1 == 0x80 || b1 == 0x81 ? -1 : 0;
    if (b == 0xe3) return b1 == 0x80 ? -1 : 0;
    return b1 == 0xbb ? -1 : 0; // 0xef
  }
  const b1 = <u32>load<u8>(src + <usize>p + 1);
  if (b == 0xc2) return b1 == 0xa0 ? 2 : 0;
  const b2 = <u32>load<u8>(src + <usize>p + 2);
  if (b == 0xe1) return b1 == 0x9a && b2 == 0x80 ? 3 : 0;
  if (b == 0xe3) return b1 == 0x80 && b2 == 0x80 ? 3 : 0;
  if (b == 0xef) return b1 == 0xbb && b2 == 0xbf ? 3 : 0;
  // 0xe2: U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
  if (b1 == 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf ? 3 : 0;
  return b1 == 0x81 && b2 == 0x9f ? 3 : 0;
}

/** True when src[a..b) is valid UTF-8 (the WHATWG decoder's rules: no overlongs, surrogates or values > U+10FFFF). */
function validUtf8(src: usize, a: i32, b: i32): bool {
  let p = a;
  while (p < b) {
    const c = <u32>load<u8>(src + <usize>p);
    if (c < 0x80) {
      p++;
      continue;
    }
    let n = 0, lo: u32 = 0x80, hi: u32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      else if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      else if (c == 0xf4) hi = 0x8f;
    } else return false;
    if (p + n >= b) return false;
    const c1 = <u32>load<u8>(src + <usize>p + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= n; k++) {
      const ck = <u32>load<u8>(src + <usize>p + k);
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    p += n + 1;
  }
  return true;
}

@inline function fnv(h: u32, b: u32): u32 {
  return (h ^ b) * 16777619;
}

/** The slot of the word src[a..b) with hash h: the word index (≥ 0), or −(slot + 1) of the empty slot where it would go. */
function find(st: usize, src: usize, a: i32, b: i32, h: u32): i32 {
  const table = <usize>u32at(st, 0), mask = u32at(st, 4) - 1;
  const hashes = <usize>u32at(st, 8), offs = <usize>u32at(st, 12), lens = <usize>u32at(st, 16), pool = <usize>u32at(st, 32);
  const n = <u32>(b - a);
  let i = h & mask;
  for (;;) {
    const s = load<u32>(table + (<usize>i << 2));
    if (s == 0) return -(<i32>i + 1);
    const w = <usize>(s - 1);
    if (load<u32>(hashes + (w << 2)) == h && load<u32>(lens + (w << 2)) == n) {
      const q = pool + <usize>load<u32>(offs + (w << 2)), r = src + <usize>a;
      let k: usize = 0;
      while (k < <usize>n && load<u8>(q + k) == load<u8>(r + k)) k++;
      if (k == <usize>n) return <i32>w;
    }
    i = (i + 1) & mask;
  }
  return 0;
}

/** Adds src[a..b) at the empty slot; −1 when a table is full (the caller grows it). */
function insert(st: usize, src: usize, a: i32, b: i32, h: u32, slot: i32): i32 {
  const w = u32at(st, 28), n = <u32>(b - a), used = u32at(st, 40);
  // load factor ≤ 3/4, room for the word and its bytes (and a '\n' after them, for one decode of the whole pool)
  if (w >= u32at(st, 24) || <u64>used + n + 1 > <u64>u32at(st, 36) || (<u64>w + 1) * 4 > <u64>u32at(st, 4) * 3) return -1;
  const pool = <usize>u32at(st, 32);
  memory.copy(pool + used, src + <usize>a, n);
  store<u8>(pool + used + n, 10);
  store<u32>(<usize>u32at(st, 0) + (<usize>slot << 2), w + 1);
  store<u32>(<usize>u32at(st, 8) + (<usize>w << 2), h);
  store<u32>(<usize>u32at(st, 12) + (<usize>w << 2), used);
  store<u32>(<usize>u32at(st, 16) + (<usize>w << 2), n);
  store<f64>(<usize>u32at(st, 20) + (<usize>w << 3), 0);
  setu32(st, 40, used + n + 1);
  setu32(st, 28, w + 1);
  return <i32>w;
}

/** One token src[a..b): looked up, added, counted and written as the flags say. Returns TEXT_DONE, TEXT_FULL or TEXT_GROW. */
function token(st: usize, src: usize, a: i32, b: i32, h: u32): i32 {
  const flags = load<i32>(st + 68);
  if ((flags & TEXT_RECORD) != 0 && u32at(st, 52) >= u32at(st, 48)) return TEXT_FULL;
  let w = find(st, src, a, b, h);
  if (w < 0) {
    if ((flags & TEXT_ADD) != 0) {
      w = insert(st, src, a, b, h, -w - 1);
      if (w < 0) return TEXT_GROW;
    } else w = -1;
  }
  if ((flags & TEXT_COUNT) != 0 && w >= 0) {
    const c = <usize>u32at(st, 20) + (<usize>w << 3);
    store<f64>(c, load<f64>(c) + 1);
  }
  if ((flags & TEXT_RECORD) != 0) {
    const k = u32at(st, 52);
    store<i32>(<usize>u32at(st, 44) + (<usize>k << 2), w);
    setu32(st, 52, k + 1);
  }
  store<f64>(st + 88, load<f64>(st + 88) + 1);
  return TEXT_DONE;
}

/**
 * text_scan: tokenizes src[pos..len) (pos from the state), ending a sentence at each separator byte. Returns
 * TEXT_DONE when the input is used up (with `final` 0, pos is then where an unfinished token starts: the caller
 * keeps those bytes for the next call), or stops early with TEXT_FULL (ids or ends buffer full), TEXT_GROW (a table
 * is full), TEXT_PRUNE (more words than the prune bound after a sentence), TEXT_INVALID (token at pos..token end is
 * not valid UTF-8) or TEXT_TOO_LONG (a token longer than allowed starts at pos); pos is where to resume.
 */
export function text_scan(st: usize, src: usize, len: i32, final: i32): i32 {
  const sep = load<i32>(st + 72), maxTok = load<i32>(st + 104), prune = u32at(st, 80);
  const fin = final != 0;
  let p = load<i32>(st + 76);
  while (p < len) {
    const b = <i32>load<u8>(src + <usize>p);
    if (b == sep) {
      if ((load<i32>(st + 68) & TEXT_RECORD) != 0) {
        const e = u32at(st, 64);
        if (e >= u32at(st, 60)) {
          store<i32>(st + 76, p);
          return TEXT_FULL;
        }
        store<u32>(<usize>u32at(st, 56) + (<usize>e << 2), u32at(st, 52));
        setu32(st, 64, e + 1);
      }
      store<f64>(st + 96, load<f64>(st + 96) + 1);
      p++;
      if (prune != 0 && u32at(st, 28) > prune) {
        store<i32>(st + 76, p);
        return TEXT_PRUNE;
      }
      continue;
    }
    const ws = wsLen(src, p, len, fin);
    if (ws > 0) {
      p += ws;
      continue;
    }
    if (ws < 0) break; // a possible whitespace sequence cut by the end of the chunk: keep it
    // a token: up to whitespace, the separator or the end
    const a = p;
    let high: u32 = <u32>b;
    let h = fnv(2166136261, <u32>b);
    p++;
    while (p < len) {
      const c = <i32>load<u8>(src + <usize>p);
      if (c == sep) break;
      if (c < 0x80) {
        if (c == 32 || (c >= 9 && c <= 13)) break;
      } else if (c >= 0xc2) {
        const w = wsLen(src, p, len, fin);
        if (w > 0) break;
        if (w < 0) {
          p = len; // undecided until the next chunk: the token is unfinished
          break;
        }
      }
      high |= <u32>c;
      h = fnv(h, <u32>c);
      p++;
    }
    if (p - a > maxTok) {
      store<i32>(st + 108, a);
      store<i32>(st + 76, a);
      return TEXT_TOO_LONG;
    }
    if (p == len && !fin) {
      p = a; // may continue in the next chunk
      break;
    }
    if ((high & 0x80) != 0 && !validUtf8(src, a, p)) {
      store<i32>(st + 76, a);
      store<i32>(st + 84, p);
      return TEXT_INVALID;
    }
    const r = token(st, src, a, p, h);
    if (r != TEXT_DONE) {
      store<i32>(st + 76, a);
      return r;
    }
  }
  store<i32>(st + 76, p);
  return TEXT_DONE;
}

/** text_token: one token given as bytes (no splitting): looked up, added, counted, written. TEXT_DONE, TEXT_FULL or TEXT_GROW. */
export function text_token(st: usize, src: usize, len: i32): i32 {
  let h: u32 = 2166136261;
  for (let p = 0; p < len; p++) h = fnv(h, <u32>load<u8>(src + <usize>p));
  return token(st, src, 0, len, h);
}

/** text_rehash: re-inserts every word into the state's (new, zeroed) table, from the stored hashes. */
export function text_rehash(st: usize): void {
  const table = <usize>u32at(st, 0), mask = u32at(st, 4) - 1, hashes = <usize>u32at(st, 8), n = u32at(st, 28);
  for (let w: u32 = 0; w < n; w++) {
    let i = load<u32>(hashes + (<usize>w << 2)) & mask;
    while (load<u32>(table + (<usize>i << 2)) != 0) i = (i + 1) & mask;
    store<u32>(table + (<usize>i << 2), w + 1);
  }
}

/** text_state_size: bytes of the state block (TypeScript checks its layout against it). */
export function text_state_size(): i32 {
  return TEXT_STATE_SIZE;
}
