// Vector kernels: SIMD wasm vs scalar wasm vs plain JS, in one run.
//
//   npm run bench -- kernels [--quick] [--filter <regex>]
//
// Every kernel of assembly/vec/ at n = 100, 300, 1024 and 100,000 (matvec: n rows of 100 columns,
// so n = 100,000 is the 100k×100 most_similar case), plus the wasm build sizes and the time from
// init() to the first kernel call in a fresh Node process. The "simd" and "scalar" variants call the
// same exported kernel in the SIMD and the scalar build; "js" is the plain JavaScript loop a user
// would write over Float32Arrays (one accumulator, no manual unrolling).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { median, round, rng } from './harness.mjs';

export const title = 'Vector kernels (assembly/vec)';
export const description = [
  'Each kernel on the same data in the SIMD build, the scalar build and plain JavaScript.',
  'Time per operation is the median over samples; each sample times a JS loop of m calls (m chosen so that one sample lasts ≥ 0.25 ms,',
  'shown as `inner` in the JSON), so the figure includes the JS→wasm call (a few ns) but not timer or harness overhead.',
  'The three variants of a case run in three interleaved rounds (simd, scalar, js, simd, …) and each figure is the median of its round medians,',
  'so load from other work on this shared machine hits all variants alike.',
  'Ratios are speed-ups: time(denominator) / time(numerator). GFLOP/s counts a multiply-add as 2 FLOPs;',
  'Melem/s is input elements per microsecond. matvec "n=…" is n rows × 100 columns (a vocabulary of n words of dimension 100).',
].join(' ');

const SIZES = [100, 300, 1024, 100_000];
const MATVEC_COLS = 100;
const TOPK_K = 10;
const BUILDS = ['simd-mt', 'scalar-mt', 'simd', 'scalar'];
const TARGETS = { dot1024: 15, matvec100k: 10, wasmGzKB: 64, initMs: 20 };

function randomF32(n, r, scale = 1) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

// ---- plain JavaScript versions: the straightforward loops, as a user would write them ----

function jsDot(a, b, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}
function jsAxpy(y, x, alpha, n) {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}
function jsScale(x, alpha, n) {
  for (let i = 0; i < n; i++) x[i] *= alpha;
}
function jsNorm(x, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
function jsNormalizeRows(m, rows, cols) {
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += m[base + c] * m[base + c];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < cols; c++) m[base + c] *= inv;
    }
  }
}
function jsMatvec(m, rows, cols, q, out) {
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += m[base + c] * q[c];
    out[r] = s;
  }
}
/** The same size-k min-heap selection as topk_f32 (ties: lower index ranks higher). */
function jsTopk(vals, n, k, outIdx, outVal) {
  let size = 0;
  const worse = (va, ia, vb, ib) => va < vb || (va === vb && ia > ib);
  const siftDown = (end, v, i) => {
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= end) break;
      let c = l;
      if (l + 1 < end && worse(outVal[l + 1], outIdx[l + 1], outVal[l], outIdx[l])) c = l + 1;
      if (!worse(outVal[c], outIdx[c], v, i)) break;
      outVal[j] = outVal[c];
      outIdx[j] = outIdx[c];
      j = c;
    }
    outVal[j] = v;
    outIdx[j] = i;
  };
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (v !== v) continue;
    if (size < k) {
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!worse(v, i, outVal[p], outIdx[p])) break;
        outVal[j] = outVal[p];
        outIdx[j] = outIdx[p];
        j = p;
      }
      outVal[j] = v;
      outIdx[j] = i;
    } else if (v > outVal[0]) siftDown(size, v, i);
  }
  for (let end = size - 1; end > 0; end--) {
    const wv = outVal[0], wi = outIdx[0];
    siftDown(end, outVal[end], outIdx[end]);
    outVal[end] = wv;
    outIdx[end] = wi;
  }
  return size;
}
function jsSigmoid(x, out, n) {
  for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
}
function jsSigmoidTableInit(size, maxExp) {
  const t = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const e = Math.exp(((i / size) * 2 - 1) * maxExp);
    t[i] = e / (e + 1);
  }
  return t;
}
function jsSigmoidTable(table, size, maxExp, x, out, n) {
  const k = size / maxExp / 2;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v >= maxExp ? 1 : v <= -maxExp ? 0 : table[((v + maxExp) * k) | 0];
  }
}
function jsArgmax(x, n) {
  let bi = -1, bv = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) continue;
    if (bi < 0 || v > bv) {
      bi = i;
      bv = v;
    }
  }
  return bi;
}

// ---- the public kernels API (quantext/kernels, issue 16) ----
//
// Variants: "api" = the function on typed arrays (copies in and out), "api-zc" = the same function on WasmArrays /
// a packed B (zero copy), "wasm" = the bare kernel call on pointers, "js" = the plain JavaScript loop, "peer" = the
// closest peer call (plain-JS cosine top-k as in-browser vector stores do it: a cosine per row, a full sort).

function jsCosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na && nb ? d / Math.sqrt(na * nb) : 0;
}
function jsGemm(a, b, m, k, n, out) {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
    out[i * n + j] = s;
  }
  return out;
}
function jsSoftmax(x, rows, cols, out) {
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, x[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += (out[r * cols + c] = Math.exp(x[r * cols + c] - mx));
    for (let c = 0; c < cols; c++) out[r * cols + c] /= s;
  }
  return out;
}
function jsQuantizeI8(x, out) {
  let a = 0;
  for (let i = 0; i < x.length; i++) a = Math.max(a, Math.abs(x[i]));
  const s = Math.fround(a / 127) || 1;
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-128, Math.min(127, Math.round(x[i] / s)));
  return out;
}
const POP8 = Uint8Array.from({ length: 256 }, (_, v) => { let c = 0; for (; v; v &= v - 1) c++; return c; });
function jsHammingRows(codes, q, out) {
  const nb = q.length;
  for (let r = 0; r < out.length; r++) {
    let h = 0;
    for (let j = 0; j < nb; j++) h += POP8[codes[r * nb + j] ^ q[j]];
    out[r] = h;
  }
  return out;
}
function jsPackBits(x, out) {
  out.fill(0);
  for (let i = 0; i < x.length; i++) if (x[i] >= 0) out[i >> 3] |= 1 << (i & 7);
  return out;
}
/** The search of in-browser vector stores: cosine of every stored vector, then sort all of them. */
function peerCosineTopk(rowsArr, q, k) {
  const scored = rowsArr.map((v, i) => ({ i, s: jsCosine(v, q) }));
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, k).map((x) => x.i);
}

function apiCases(K, rt) {
  const k = rt.kernels, ar = rt.arena;
  const cases = [];
  const put = (a) => ar.put(a);
  // per-call overhead: tiny sizes, where the call is all there is
  cases.push({
    group: 'kernels API: per-call overhead', case: 'API dot n=16', exact: false,
    setup(r) {
      const a = randomF32(16, r), b = randomF32(16, r), ha = K.toWasm(a), hb = K.toWasm(b), pa = put(a), pb = put(b);
      return {
        api: () => K.dot(a, b), 'api-zc': () => K.dot(ha, hb), wasm: () => k.dot_f32(pa, pb, 16), js: () => jsDot(a, b, 16),
        cleanup: () => { ha.dispose(); hb.dispose(); ar.free(pa); ar.free(pb); },
      };
    },
  });
  cases.push({
    group: 'kernels API: per-call overhead', case: 'API gemm 1×16×16 (B 16×16 out-in)',
    setup(r) {
      // PyTorch Linear layout (transB): one GEMV kernel call, B copied but not packed
      const a = randomF32(16, r), b = randomF32(256, r), out = new Float32Array(16), pb = K.packB(b, 16, 16, { transB: true }), ha = K.toWasm(a), ho = K.alloc(16);
      const px = put(a), pw = put(b), py = ar.alloc(64);
      const bt = new Float32Array(256);
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) bt[j * 16 + i] = b[i * 16 + j];
      return {
        api: () => K.gemm(a, b, 1, 16, 16, { transB: true }, out), 'api-zc': () => (K.gemm(ha, pb, 1, 16, 16, undefined, ho), ho.view),
        wasm: () => (k.matvec_f32(pw, 16, 16, 16, px, py), ar.f32(py, 16)), js: () => jsGemm(a, bt, 1, 16, 16, new Float32Array(16)),
        cleanup: () => { pb.dispose(); ha.dispose(); ho.dispose(); },
      };
    },
  });
  cases.push({
    group: 'kernels API: per-call overhead', case: 'API gemm 1×16×16 (B 16×16 in-out)',
    setup(r) {
      // ONNX MatMul layout: B is packed into panels on every call (packB once avoids it: api-zc)
      const a = randomF32(16, r), b = randomF32(256, r), out = new Float32Array(16), pb = K.packB(b, 16, 16), ha = K.toWasm(a), ho = K.alloc(16);
      const px = put(a), pw = ar.alloc(32 * 2 * 16), py = ar.alloc(64);
      k.pack_f32_panel16(put(b), 16, 16, 1, 16, pw);
      return {
        api: () => K.gemm(a, b, 1, 16, 16, undefined, out), 'api-zc': () => (K.gemm(ha, pb, 1, 16, 16, undefined, ho), ho.view),
        wasm: () => (k.gemm_f32_packed(px, 1, 16, pw, 16, 0, 0, py), ar.f32(py, 16)), js: () => jsGemm(a, b, 1, 16, 16, new Float32Array(16)),
        cleanup: () => { pb.dispose(); ha.dispose(); ho.dispose(); },
      };
    },
  });
  const n = 1024;
  cases.push({ group: 'kernels API: vectors', case: `API dot n=${n}`, setup(r) {
    const a = randomF32(n, r), b = randomF32(n, r), ha = K.toWasm(a), hb = K.toWasm(b);
    return { api: () => K.dot(a, b), 'api-zc': () => K.dot(ha, hb), js: () => jsDot(a, b, n), cleanup: () => { ha.dispose(); hb.dispose(); } };
  } });
  cases.push({ group: 'kernels API: vectors', case: `API cosine n=${n}`, setup(r) {
    const a = randomF32(n, r), b = randomF32(n, r), ha = K.toWasm(a), hb = K.toWasm(b);
    return { api: () => K.cosine(a, b), 'api-zc': () => K.cosine(ha, hb), js: () => jsCosine(a, b), cleanup: () => { ha.dispose(); hb.dispose(); } };
  } });
  cases.push({ group: 'kernels API: vectors', case: `API l2 n=${n}`, setup(r) {
    const a = randomF32(n, r), b = randomF32(n, r), ha = K.toWasm(a), hb = K.toWasm(b);
    const jl2 = () => { let s = 0; for (let i = 0; i < n; i++) { const d = a[i] - b[i]; s += d * d; } return Math.sqrt(s); };
    return { api: () => K.l2(a, b), 'api-zc': () => K.l2(ha, hb), js: jl2, cleanup: () => { ha.dispose(); hb.dispose(); } };
  } });
  cases.push({ group: 'kernels API: vectors', case: `API axpy n=${n}`, setup(r) {
    const x = randomF32(n, r), y = randomF32(n, r), y2 = y.slice(), hx = K.toWasm(x), hy = K.toWasm(y);
    let al = 1e-3, bl = 1e-3, cl = 1e-3;
    return {
      api: () => { K.axpy(al, x, y); al = -al; return y.subarray(0, 8); },
      'api-zc': () => { K.axpy(bl, hx, hy); bl = -bl; return hy.view.subarray(0, 8); },
      js: () => { jsAxpy(y2, x, cl, n); cl = -cl; return y2.subarray(0, 8); },
      cleanup: () => { hx.dispose(); hy.dispose(); },
    };
  } });
  cases.push({ group: 'kernels API: vectors', case: `API scale n=${n}`, setup(r) {
    const x = randomF32(n, r), x2 = x.slice(), hx = K.toWasm(x);
    let a1 = 2, a2 = 2, a3 = 2;
    return {
      api: () => { K.scale(a1, x); a1 = 2.5 - a1; return x.subarray(0, 8); },
      'api-zc': () => { K.scale(a2, hx); a2 = 2.5 - a2; return hx.view.subarray(0, 8); },
      js: () => { jsScale(x2, a3, n); a3 = 2.5 - a3; return x2.subarray(0, 8); },
      cleanup: () => hx.dispose(),
    };
  } });
  cases.push({ group: 'kernels API: vectors', case: 'API normalizeRows 1000×100', setup(r) {
    const m = randomF32(100_000, r), m2 = m.slice(), hm = K.toWasm(m);
    return {
      api: () => K.normalizeRows(m, 100).subarray(0, 8), 'api-zc': () => K.normalizeRows(hm, 100).view.subarray(0, 8),
      js: () => (jsNormalizeRows(m2, 1000, 100), m2.subarray(0, 8)), cleanup: () => hm.dispose(),
    };
  } });
  cases.push({ group: 'kernels API: vectors', case: 'API softmax 100×1000', setup(r) {
    const x = randomF32(100_000, r, 5), out = new Float32Array(100_000), o2 = new Float32Array(100_000), hx = K.toWasm(x), ho = K.alloc(100_000);
    return {
      api: () => K.softmax(x, 1000, out).subarray(0, 8), 'api-zc': () => K.softmax(hx, 1000, ho).view.subarray(0, 8),
      js: () => jsSoftmax(x, 100, 1000, o2).subarray(0, 8), cleanup: () => { hx.dispose(); ho.dispose(); },
    };
  } });
  // row scans: the table in wasm memory (api-zc) or copied in on every call (api); the query always copied
  const R = 10_000, C = 100;
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API matvec f32', setup(r) {
    const m = randomF32(R * C, r), q = randomF32(C, r), out = new Float32Array(R), o2 = new Float32Array(R), hm = K.toWasm(m);
    return { api: () => K.matvec(m, q, undefined, out).subarray(0, 8), 'api-zc': () => K.matvec(hm, q, undefined, out).subarray(0, 8), js: () => (jsMatvec(m, R, C, q, o2), o2.subarray(0, 8)), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API matvec f16', tol: 1e-2, setup(r) {
    const m = randomF32(R * C, r), q = randomF32(C, r), out = new Float32Array(R), o2 = new Float32Array(R);
    const h = K.quantize(m, 'fp16').codes, hm = K.toWasm(h, 'f16'), back = K.dequantize(K.quantize(m, 'fp16'));
    return { api: () => K.matvec(h, q, undefined, out).subarray(0, 8), 'api-zc': () => K.matvec(hm, q, undefined, out).subarray(0, 8), js: () => (jsMatvec(back, R, C, q, o2), o2.subarray(0, 8)), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API matvec int8', exact: true, setup(r) {
    const m = Int8Array.from({ length: R * C }, () => Math.floor(r() * 255) - 127), q = Int8Array.from({ length: C }, () => Math.floor(r() * 255) - 127);
    const out = new Int32Array(R), o2 = new Int32Array(R), hm = K.toWasm(m);
    return { api: () => K.matvec(m, q, undefined, out).subarray(0, 8), 'api-zc': () => K.matvec(hm, q, undefined, out).subarray(0, 8), js: () => (jsMatvec(m, R, C, q, o2), o2.subarray(0, 8)), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API matvec int4', exact: true, setup(r) {
    const codes = Int8Array.from({ length: R * C }, () => Math.floor(r() * 16) - 8), q = Int8Array.from({ length: C }, () => Math.floor(r() * 255) - 127);
    const p = new Uint8Array(R * C / 2);
    for (let i = 0; i < codes.length; i++) p[i >> 1] |= (codes[i] & 15) << ((i & 1) * 4);
    const out = new Int32Array(R), o2 = new Int32Array(R), hm = K.toWasm(p);
    return { api: () => K.matvec(p, q, { format: 'int4' }, out).subarray(0, 8), 'api-zc': () => K.matvec(hm, q, { format: 'int4' }, out).subarray(0, 8), js: () => (jsMatvec(codes, R, C, q, o2), o2.subarray(0, 8)), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API matvec binary', exact: true, setup(r) {
    const m = randomF32(R * 128, r), q = randomF32(128, r), bits = K.packBits(m, 128), qb = K.packBits(q), hm = K.toWasm(bits);
    const out = new Float32Array(R), h2 = new Int32Array(R);
    return { api: () => K.matvec(bits, qb, { format: 'binary' }, out).subarray(0, 8), 'api-zc': () => K.matvec(hm, qb, { format: 'binary' }, out).subarray(0, 8), js: () => Float32Array.from(jsHammingRows(bits, qb, h2).subarray(0, 8), (h) => 128 - 2 * h), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: matvec 10000×100', case: 'API hammingRows 10000×128 bits', exact: true, setup(r) {
    const bits = K.packBits(randomF32(R * 128, r), 128), qb = K.packBits(randomF32(128, r)), hm = K.toWasm(bits), out = new Int32Array(R), o2 = new Int32Array(R);
    return { api: () => K.hammingRows(bits, qb, out).subarray(0, 8), 'api-zc': () => K.hammingRows(hm, qb, out).subarray(0, 8), js: () => jsHammingRows(bits, qb, o2).subarray(0, 8), cleanup: () => hm.dispose() };
  } });
  cases.push({ group: 'kernels API: other', case: 'API topk n=100000 k=10', exact: true, setup(r) {
    const v = randomF32(100_000, r), hv = K.toWasm(v), oi = new Int32Array(10), ov = new Float32Array(10), i2 = new Int32Array(10), v2 = new Float32Array(10);
    return { api: () => K.topk(v, 10, oi, ov).indices, 'api-zc': () => K.topk(hv, 10, oi, ov).indices, js: () => (jsTopk(v, 100_000, 10, i2, v2), i2), cleanup: () => hv.dispose() };
  } });
  cases.push({ group: 'kernels API: other', case: 'API quantize int8 n=100000', exact: true, setup(r) {
    const x = randomF32(100_000, r), out = new Int8Array(100_000), o2 = new Int8Array(100_000), hx = K.toWasm(x), ho = K.alloc(100_000, 'i8');
    return { api: () => K.quantize(x, 'int8', {}, out).codes.subarray(0, 8), 'api-zc': () => K.quantize(hx, 'int8', {}, ho).codes.view.subarray(0, 8), js: () => jsQuantizeI8(x, o2).subarray(0, 8), cleanup: () => { hx.dispose(); ho.dispose(); } };
  } });
  cases.push({ group: 'kernels API: other', case: 'API packBits n=100000', exact: true, setup(r) {
    const x = randomF32(100_000, r), out = new Uint8Array(12_500), o2 = new Uint8Array(12_500), hx = K.toWasm(x), ho = K.alloc(12_500, 'u8');
    return { api: () => K.packBits(x, undefined, out).subarray(0, 8), 'api-zc': () => K.packBits(hx, undefined, ho).view.subarray(0, 8), js: () => jsPackBits(x, o2).subarray(0, 8), cleanup: () => { hx.dispose(); ho.dispose(); } };
  } });
  for (const [m, kk, nn] of [[1, 256, 256], [64, 256, 256]]) {
    cases.push({ group: 'kernels API: gemm', case: `API gemm f32 ${m}×${kk}×${nn}`, tol: 1e-4, setup(r) {
      const a = randomF32(m * kk, r), b = randomF32(kk * nn, r), out = new Float32Array(m * nn), o2 = new Float32Array(m * nn), pb = K.packB(b, kk, nn);
      return { api: () => K.gemm(a, b, m, kk, nn, undefined, out).subarray(0, 8), 'api-zc': () => K.gemm(a, pb, m, kk, nn, undefined, out).subarray(0, 8), js: () => jsGemm(a, b, m, kk, nn, o2).subarray(0, 8), cleanup: () => pb.dispose() };
    } });
    cases.push({ group: 'kernels API: gemm', case: `API gemm int8→i32 ${m}×${kk}×${nn}`, exact: true, setup(r) {
      const a = Int8Array.from({ length: m * kk }, () => Math.floor(r() * 255) - 127), b = Int8Array.from({ length: kk * nn }, () => Math.floor(r() * 255) - 127);
      const out = new Int32Array(m * nn), o2 = new Int32Array(m * nn), pb = K.packB(b, kk, nn);
      return { api: () => K.gemm(a, b, m, kk, nn, { output: 'i32' }, out).subarray(0, 8), 'api-zc': () => K.gemm(a, pb, m, kk, nn, { output: 'i32' }, out).subarray(0, 8), js: () => jsGemm(a, b, m, kk, nn, o2).subarray(0, 8), cleanup: () => pb.dispose() };
    } });
  }
  // the peer: a cosine top-10 over 10000 stored vectors of 100, as in-browser vector stores search
  cases.push({ group: 'kernels API: cosine top-k (vector store search)', case: 'API cosine top-10 of 10000×100', exact: true, setup(r) {
    const vecs = Array.from({ length: R }, () => randomF32(C, r)), q = randomF32(C, r);
    const flat = new Float32Array(R * C);
    vecs.forEach((v, i) => flat.set(v, i * C));
    const table = K.toWasm(flat);
    K.normalizeRows(table, C);
    const scores = K.alloc(R), oi = new Int32Array(10), ov = new Float32Array(10);
    const qn = new Float32Array(C);
    const search = () => { qn.set(q); K.normalizeRows(qn, C); K.matvec(table, qn, undefined, scores); return Array.from(K.topk(scores, 10, oi, ov).indices); };
    return { 'api-zc': search, peer: () => peerCosineTopk(vecs, q, 10), cleanup: () => { table.dispose(); scores.dispose(); } };
  } });
  return cases;
}

// ---- the suite ----

/**
 * One "case" prepared for the three variants: `setup(variant)` returns { op, check?, cleanup? }.
 * `check()` returns the result to compare with the JS variant's (numbers or arrays).
 */
function kernelCases() {
  const cases = [];
  const flops = (f) => ({ work: f, rateUnit: 'GFLOP/s' });
  const elems = (n) => ({ work: n, rateUnit: 'Melem/s' });

  for (const n of SIZES) {
    cases.push({
      group: 'dot', case: `dot n=${n}`, params: { n }, ...flops(2 * n), tol: 1e-4,
      setup(v, r) {
        const a = randomF32(n, r), b = randomF32(n, r);
        if (v.js) return { op: () => jsDot(a, b, n), check: () => jsDot(a, b, n) };
        const k = v.rt.kernels, pa = v.rt.arena.put(a), pb = v.rt.arena.put(b);
        return { op: () => k.dot_f32(pa, pb, n), check: () => k.dot_f32(pa, pb, n), cleanup: () => v.free(pa, pb) };
      },
    });
    cases.push({
      group: 'axpy', case: `axpy n=${n}`, params: { n }, ...flops(2 * n), tol: 1e-4,
      setup(v, r) {
        // alpha alternates sign: y stays bounded however many calls the timer makes
        const x = randomF32(n, r), y = randomF32(n, r);
        let alpha = 1e-3;
        const op = v.js ? () => { jsAxpy(y, x, alpha, n); alpha = -alpha; } : undefined;
        if (v.js) return { op, check: () => (op(), y.slice(0, 64)) };
        const k = v.rt.kernels, px = v.rt.arena.put(x), py = v.rt.arena.put(y);
        const wop = () => { k.axpy_f32(py, px, alpha, n); alpha = -alpha; };
        return {
          op: wop,
          check: () => (wop(), v.rt.arena.f32(py, Math.min(n, 64)).slice()),
          cleanup: () => v.free(px, py),
        };
      },
    });
    cases.push({
      group: 'scale', case: `scale n=${n}`, params: { n }, ...flops(n), tol: 1e-6,
      setup(v, r) {
        // alpha alternates 2 and 0.5 (exact), so values never drift to overflow or denormals
        const x = randomF32(n, r);
        let alpha = 2;
        const op = v.js ? () => { jsScale(x, alpha, n); alpha = 2.5 - alpha; } : undefined;
        if (v.js) return { op, check: () => (op(), x.slice(0, 64)) };
        const k = v.rt.kernels, px = v.rt.arena.put(x);
        const wop = () => { k.scale_f32(px, alpha, n); alpha = 2.5 - alpha; };
        return {
          op: wop,
          check: () => (wop(), v.rt.arena.f32(px, Math.min(n, 64)).slice()),
          cleanup: () => v.free(px),
        };
      },
    });
    cases.push({
      group: 'L2 norm', case: `norm_l2 n=${n}`, params: { n }, ...flops(2 * n), tol: 1e-5,
      setup(v, r) {
        const x = randomF32(n, r);
        if (v.js) return { op: () => jsNorm(x, n), check: () => jsNorm(x, n) };
        const k = v.rt.kernels, px = v.rt.arena.put(x);
        return { op: () => k.norm_l2_f32(px, n), check: () => k.norm_l2_f32(px, n), cleanup: () => v.free(px) };
      },
    });
    cases.push({
      group: 'row normalisation', case: `normalize_rows 1×${n}`, params: { rows: 1, cols: n }, ...flops(3 * n), tol: 1e-5,
      setup(v, r) {
        const x = randomF32(n, r);
        if (v.js) return { op: () => jsNormalizeRows(x, 1, n), check: () => (jsNormalizeRows(x, 1, n), x.slice(0, 64)) };
        const k = v.rt.kernels, px = v.rt.arena.put(x);
        return {
          op: () => k.normalize_f32_per_row(px, 1, n, n),
          check: () => (k.normalize_f32_per_row(px, 1, n, n), v.rt.arena.f32(px, Math.min(n, 64)).slice()),
          cleanup: () => v.free(px),
        };
      },
    });
  }
  // the 100k×100 table for normalisation (matvec reuses the shape below)
  cases.push(matrixCase('row normalisation', 'normalize_rows 100000×100', 100_000, MATVEC_COLS, 'normalize'));
  for (const n of SIZES) cases.push(matrixCase('matvec', `matvec ${n}×${MATVEC_COLS}`, n, MATVEC_COLS, 'matvec'));
  cases.push(matrixCase('matvec', 'matvec 10000×300', 10_000, 300, 'matvec'));

  for (const n of SIZES) {
    cases.push({
      group: `top-k (k=${TOPK_K})`, case: `topk n=${n}`, params: { n, k: TOPK_K }, ...elems(n), exact: true,
      setup(v, r) {
        const x = randomF32(n, r);
        if (v.js) {
          const idx = new Int32Array(TOPK_K), val = new Float32Array(TOPK_K);
          return { op: () => jsTopk(x, n, TOPK_K, idx, val), check: () => (jsTopk(x, n, TOPK_K, idx, val), Array.from(idx)) };
        }
        const k = v.rt.kernels, px = v.rt.arena.put(x), pi = v.rt.arena.alloc(TOPK_K * 4), pv = v.rt.arena.alloc(TOPK_K * 4);
        return {
          op: () => k.topk_f32(px, n, TOPK_K, pi, pv),
          check: () => (k.topk_f32(px, n, TOPK_K, pi, pv), Array.from(v.rt.arena.i32(pi, TOPK_K))),
          cleanup: () => v.free(px, pi, pv),
        };
      },
    });
    cases.push({
      group: 'sigmoid (exact)', case: `sigmoid n=${n}`, params: { n }, ...elems(n), tol: 1e-6,
      setup(v, r) {
        const x = randomF32(n, r, 8);
        if (v.js) {
          const out = new Float32Array(n);
          return { op: () => jsSigmoid(x, out, n), check: () => (jsSigmoid(x, out, n), out.slice(0, 64)) };
        }
        const k = v.rt.kernels, px = v.rt.arena.put(x), po = v.rt.arena.alloc(n * 4);
        return {
          op: () => k.sigmoid_f32(px, po, n),
          check: () => (k.sigmoid_f32(px, po, n), v.rt.arena.f32(po, Math.min(n, 64)).slice()),
          cleanup: () => v.free(px, po),
        };
      },
    });
    cases.push({
      group: 'sigmoid (table)', case: `sigmoid_table n=${n}`, params: { n }, ...elems(n), tol: 1e-6,
      setup(v, r) {
        const x = randomF32(n, r, 8);
        if (v.js) {
          const out = new Float32Array(n), table = jsSigmoidTableInit(1000, 6);
          return {
            op: () => jsSigmoidTable(table, 1000, 6, x, out, n),
            check: () => (jsSigmoidTable(table, 1000, 6, x, out, n), out.slice(0, 64)),
          };
        }
        const k = v.rt.kernels, table = v.rt.sigmoidTable(), px = v.rt.arena.put(x), po = v.rt.arena.alloc(n * 4);
        return {
          op: () => k.sigmoid_table_f32(table, 1000, 6, px, po, n),
          check: () => (k.sigmoid_table_f32(table, 1000, 6, px, po, n), v.rt.arena.f32(po, Math.min(n, 64)).slice()),
          cleanup: () => v.free(px, po),
        };
      },
    });
    cases.push({
      group: 'argmax', case: `argmax n=${n}`, params: { n }, ...elems(n), exact: true,
      setup(v, r) {
        const x = randomF32(n, r);
        if (v.js) return { op: () => jsArgmax(x, n), check: () => jsArgmax(x, n) };
        const k = v.rt.kernels, px = v.rt.arena.put(x);
        return { op: () => k.argmax_f32(px, n), check: () => k.argmax_f32(px, n), cleanup: () => v.free(px) };
      },
    });
  }
  return cases;
}

/** matvec (out[r] = row r · q) or in-place row normalisation over a rows×cols table. */
function matrixCase(group, name, rows, cols, kind) {
  return {
    group, case: name, params: { rows, cols }, work: (kind === 'matvec' ? 2 : 3) * rows * cols, rateUnit: 'GFLOP/s', tol: 1e-4,
    setup(v, r) {
      const m = randomF32(rows * cols, r), q = randomF32(cols, r);
      if (v.js) {
        const out = new Float32Array(rows);
        if (kind === 'matvec') return { op: () => jsMatvec(m, rows, cols, q, out), check: () => (jsMatvec(m, rows, cols, q, out), out.slice(0, 64)) };
        return { op: () => jsNormalizeRows(m, rows, cols), check: () => (jsNormalizeRows(m, rows, cols), m.slice(0, 64)) };
      }
      const k = v.rt.kernels, pm = v.rt.arena.put(m), pq = v.rt.arena.put(q), po = v.rt.arena.alloc(rows * 4);
      if (kind === 'matvec') {
        return {
          op: () => k.matvec_f32(pm, rows, cols, cols, pq, po),
          check: () => (k.matvec_f32(pm, rows, cols, cols, pq, po), v.rt.arena.f32(po, Math.min(rows, 64)).slice()),
          cleanup: () => v.free(pm, pq, po),
        };
      }
      return {
        op: () => k.normalize_f32_per_row(pm, rows, cols, cols),
        check: () => (k.normalize_f32_per_row(pm, rows, cols, cols), v.rt.arena.f32(pm, 64).slice()),
        cleanup: () => v.free(pm, pq, po),
      };
    },
  };
}

/** Throws when a wasm variant's result differs from plain JS: never benchmark a wrong kernel. */
function agree(c, variant, got, want) {
  const a = typeof got === 'number' ? [got] : Array.from(got);
  const b = typeof want === 'number' ? [want] : Array.from(want);
  const bad = a.length !== b.length || a.some((x, i) => (c.exact ? x !== b[i] : Math.abs(x - b[i]) > (c.tol ?? 1e-5) * Math.max(1, Math.abs(b[i]))));
  if (bad) throw new Error(`${c.case}: the ${variant} result ${a.slice(0, 4)} differs from plain JS ${b.slice(0, 4)}`);
}

/** Sizes of the wasm builds, raw and gzipped (level 9). */
function wasmSizes(repoDir) {
  return BUILDS.map((b) => {
    const bytes = readFileSync(join(repoDir, 'build', `quantext-${b}.wasm`));
    return { build: b, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/**
 * init() to the first kernel call, in fresh Node processes (no compile cache): the median of `runs`.
 * Also records the import of the package and the time since the process started.
 */
function initTimes(repoDir, runs, env = {}) {
  const url = pathToFileURL(join(repoDir, 'dist', 'index.node.js')).href;
  const script = `
    const t0 = performance.now();
    const q = await import(${JSON.stringify(url)});
    const t1 = performance.now();
    const rt = await q.init();
    const p = rt.arena.alloc(4096);
    const d = rt.kernels.dot_f32(p, p, 1024);
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, sinceStartMs: t2, build: rt.build, d }));`;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    samples.push(JSON.parse(out));
  }
  return {
    build: samples[0].build,
    initMs: median(samples.map((s) => s.initMs)),
    importMs: median(samples.map((s) => s.importMs)),
    sinceStartMs: median(samples.map((s) => s.sinceStartMs)),
    initSamplesMs: samples.map((s) => round(s.initMs, 3)),
  };
}

export async function run(ctx) {
  const { createRuntime } = await import('../dist/index.node.js');
  const filterArg = ctx.args.indexOf('--filter');
  const filter = filterArg >= 0 ? new RegExp(ctx.args[filterArg + 1], 'i') : undefined;

  // plain (non-shared) memory: the -mt builds run the same kernels over a shared memory
  const simd = await createRuntime(undefined, { backend: 'simd', shared: false });
  const scalar = await createRuntime(undefined, { backend: 'scalar', shared: false });
  if (simd.backend !== 'simd' || scalar.backend !== 'scalar') throw new Error('could not load both the SIMD and the scalar build');
  const variants = [
    { name: 'simd', rt: simd },
    { name: 'scalar', rt: scalar },
    { name: 'js', js: true },
  ];
  for (const v of variants) if (v.rt) v.free = (...ptrs) => ptrs.forEach((p) => v.rt.arena.free(p));

  const rows = [];
  // the cost of a call alone: an exported function that returns a constant
  const noop = () => 1;
  rows.push(...ctx.compare(variants.map((v) => ({
    group: 'call overhead', case: 'empty call', variant: v.name, op: v.js ? () => noop() : (() => { const k = v.rt.kernels; return () => k.build_kind(); })(),
  }))));

  for (const c of kernelCases()) {
    if (filter && !filter.test(c.case) && !filter.test(c.group)) continue;
    const prepared = variants.map((v) => ({ v, ...c.setup(v, rng(42)) }));
    const want = prepared.find((p) => p.v.js).check();
    for (const p of prepared) if (!p.v.js) agree(c, p.v.name, p.check(), want);
    rows.push(...ctx.compare(prepared.map((p) => ({ group: c.group, case: c.case, variant: p.v.name, params: c.params, work: c.work, rateUnit: c.rateUnit, op: p.op }))));
    for (const p of prepared) p.cleanup?.();
  }

  // ---- the public kernels API (quantext/kernels) ----
  const K = await import('../dist/kernels/node.js');
  const apiRt = await K.init();
  const API_VARIANTS = ['api', 'api-zc', 'wasm', 'js', 'peer'];
  for (const c of apiCases(K, apiRt)) {
    if (filter && !filter.test(c.case) && !filter.test(c.group)) continue;
    const p = c.setup(rng(42));
    const ref = p.js ?? p.peer;
    const r0 = ref();
    const want = typeof r0 === 'number' ? [r0] : Array.from(r0);
    for (const v of ['api', 'api-zc', 'wasm']) {
      if (!p[v] || (v === 'wasm' && !p.js)) continue;
      const g = p[v]();
      const got = typeof g === 'number' ? [g] : Array.from(g);
      agree({ case: c.case, exact: c.exact, tol: c.tol ?? 1e-4 }, v, got.slice(0, want.length), want.slice(0, got.length));
    }
    // the harness adds +op() to a sink: an array result would be converted to a string on every call, so array
    // results are dropped (0) and numbers kept
    const timed = (fn) => () => { const x = fn(); return typeof x === 'number' ? x : 0; };
    rows.push(...ctx.compare(API_VARIANTS.filter((v) => p[v]).map((v) => ({ group: c.group, case: c.case, variant: v, op: timed(p[v]) }))));
    p.cleanup?.();
  }
  const apiRow = (cs, v) => rows.find((r) => r.case === cs && r.variant === v)?.nsPerOp;
  const overhead = (cs) => apiRow(cs, 'api');

  const sizes = wasmSizes(ctx.repoDir);
  const totalGz = sizes.reduce((s, x) => s + x.gzip, 0);
  const largestGz = Math.max(...sizes.map((x) => x.gzip));
  const init = initTimes(ctx.repoDir, ctx.quick ? 3 : 7);
  const initScalar = initTimes(ctx.repoDir, ctx.quick ? 1 : 5, { QUANTEXT_BACKEND: 'scalar' });

  const speedup = (cs) => {
    const s = rows.find((r) => r.case === cs && r.variant === 'simd');
    const j = rows.find((r) => r.case === cs && r.variant === 'js');
    return s && j ? j.nsPerOp / s.nsPerOp : NaN;
  };
  const gflops = (cs, variant) => rows.find((r) => r.case === cs && r.variant === variant)?.rate;
  const dotRatio = speedup('dot n=1024');
  const mvRatio = speedup('matvec 100000×100');
  const metrics = [
    { name: 'dot n=1024: SIMD / JS', value: round(dotRatio, 3), unit: '×', target: `≥ ${TARGETS.dot1024}×`, ok: dotRatio >= TARGETS.dot1024 },
    { name: 'dot n=1024: SIMD GFLOP/s', value: gflops('dot n=1024', 'simd'), unit: 'GFLOP/s' },
    { name: 'dot n=1024: JS GFLOP/s', value: gflops('dot n=1024', 'js'), unit: 'GFLOP/s' },
    { name: 'matvec 100000×100: SIMD / JS', value: round(mvRatio, 3), unit: '×', target: `≥ ${TARGETS.matvec100k}×`, ok: mvRatio >= TARGETS.matvec100k },
    { name: 'matvec 100000×100: SIMD GFLOP/s', value: gflops('matvec 100000×100', 'simd'), unit: 'GFLOP/s' },
    ...sizes.map((s) => ({ name: `build/quantext-${s.build}.wasm`, value: `${s.bytes.toLocaleString('en-US')} B raw, ${s.gzip.toLocaleString('en-US')} B gzipped` })),
    // the design's budget: the largest single build a runtime loads (a runtime loads one of the four)
    { name: 'largest single wasm build, gzipped', value: round(largestGz / 1024, 3), unit: 'KiB', target: `≤ ${TARGETS.wasmGzKB} KiB`, ok: largestGz <= TARGETS.wasmGzKB * 1024 },
    { name: 'all four wasm builds together, gzipped', value: round(totalGz / 1024, 3), unit: 'KiB' },
    {
      name: `init() → first kernel call, fresh process (median of ${init.initSamplesMs.length}; default build ${init.build})`,
      value: round(init.initMs, 3), unit: 'ms', target: `≤ ${TARGETS.initMs} ms`, ok: init.initMs <= TARGETS.initMs,
    },
    { name: 'import of the package before that', value: round(init.importMs, 3), unit: 'ms' },
    { name: 'process start → first kernel call', value: round(init.sinceStartMs, 3), unit: 'ms' },
    { name: `init() → first kernel call with QUANTEXT_BACKEND=scalar (${initScalar.build})`, value: round(initScalar.initMs, 3), unit: 'ms' },
  ];
  const peerRatio = (apiRow('API cosine top-10 of 10000×100', 'peer') ?? NaN) / (apiRow('API cosine top-10 of 10000×100', 'api-zc') ?? NaN);
  metrics.push(
    { name: 'kernels API per-call overhead: dot n=16, copying in and out', value: round(overhead('API dot n=16') ?? NaN, 3), unit: 'ns', target: '≤ 200 ns', ok: overhead('API dot n=16') <= 200 },
    { name: 'kernels API per-call overhead: gemm 1×16×16, copying in and out (B out-in, PyTorch Linear layout)', value: round(overhead('API gemm 1×16×16 (B 16×16 out-in)') ?? NaN, 3), unit: 'ns', target: '≤ 200 ns', ok: overhead('API gemm 1×16×16 (B 16×16 out-in)') <= 200 },
    { name: 'kernels API per-call: gemm 1×16×16, copying in and out (B in-out, packed on every call)', value: round(overhead('API gemm 1×16×16 (B 16×16 in-out)') ?? NaN, 3), unit: 'ns' },
    { name: 'kernels API dot n=16: api / bare wasm call', value: round((apiRow('API dot n=16', 'api') ?? NaN) / (apiRow('API dot n=16', 'wasm') ?? NaN), 3), unit: '×' },
    { name: 'kernels API cosine top-10 of 10000×100: speed-up over plain-JS vector-store search', value: round(peerRatio, 3), unit: '×' },
  );
  if (filter) metrics.splice(0, 5); // a filtered run may lack the target cases

  const notes = [
    'Both sigmoids have no SIMD path (SIMD / scalar ≈ 1 expected); top-k\'s SIMD path only skips 16-value blocks below the heap\'s worst once it is full, so it gains with n.',
    'The JS variants accumulate in float64 (JS numbers); the kernels accumulate in float32. Results are checked to agree before timing.',
    'Small sizes include the JS→wasm call, which the "empty call" row measures on its own.',
    'Runtimes use plain (non-shared) memory; the -mt builds run the same kernel code over a shared memory.',
    'kernels API rows (quantext/kernels): "api" calls the function on typed arrays (copied in and out on every call), "api-zc" on WasmArrays / a packB-packed B (zero copy; the query is still copied), "wasm" the bare kernel on pointers, "js" a plain JavaScript loop, "peer" the plain-JS cosine search of in-browser vector stores (a cosine per stored vector, then a full sort). "api / bare wasm" is time(wasm) / time(api): the share of a call that is the kernel.',
    'onnxruntime-web per-call figures for gemm are in the inference suite (bench/results/inference.json, `npm run bench -- inference`), measured by the inference helper.',
  ];
  return {
    rows,
    ratios: [
      { label: 'SIMD / JS', num: 'simd', den: 'js' },
      { label: 'SIMD / scalar', num: 'simd', den: 'scalar' },
      { label: 'scalar / JS', num: 'scalar', den: 'js' },
      { label: 'api / JS', num: 'api', den: 'js' },
      { label: 'api-zc / JS', num: 'api-zc', den: 'js' },
      { label: 'api-zc / peer', num: 'api-zc', den: 'peer' },
      { label: 'api time / bare wasm time', num: 'wasm', den: 'api' },
    ],
    metrics,
    notes,
    wasm: sizes,
    init: { default: init, scalar: initScalar },
    config: { sizes: SIZES, matvecCols: MATVEC_COLS, topk: TOPK_K, filter: filter?.source },
    // a filtered run is not the suite's result: run.mjs writes it to bench/results/tmp/
    partial: filter !== undefined,
  };
}

// ---- RESULTS.md: the generic tables, then a chart of the public API's speed-up over plain JS ----
import { renderGeneric } from './render.mjs';

/** A text bar chart (log scale: one █ per doubling) of plain JS time ÷ API time, copying and zero-copy. */
export function apiChart(rows) {
  const api = rows.filter((r) => r.group?.startsWith('kernels API') && !r.group.includes('overhead'));
  const cases = [...new Set(api.map((r) => r.case))];
  const lines = [];
  for (const c of cases) {
    const js = api.find((r) => r.case === c && r.variant === 'js');
    if (!js) continue;
    for (const v of ['api', 'api-zc']) {
      const r = api.find((x) => x.case === c && x.variant === v);
      if (!r) continue;
      const x = js.nsPerOp / r.nsPerOp;
      const bar = x >= 1 ? '█'.repeat(Math.max(1, Math.round(Math.log2(x)) + 1)) : '░';
      lines.push(`${(c.replace(/^API /, '') + (v === 'api' ? '' : ' (zero-copy)')).padEnd(44)} ${bar} ${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`);
    }
  }
  return lines;
}

export function render(results) {
  const lines = apiChart(results.rows ?? []);
  if (!lines.length) return renderGeneric(results);
  return `${renderGeneric(results)}\n\nquantext/kernels, speed-up over plain JavaScript (log scale: one █ per doubling; ░ = slower):\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
}
