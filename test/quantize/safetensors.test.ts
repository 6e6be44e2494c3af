// safetensors (src/io/safetensors.ts), checked with a second, independent minimal parser written here from the
// format's specification, and quantized tables decoded from the parsed tensors by docs/formats.md alone.
import { describe, it, expect } from 'vitest';
import { BUILDS, rtFor, rng, randomF32 } from '../helpers.js';
import { QuantextError } from '../../src/errors.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { quantizeMatrix, type TableScheme } from '../../src/vectors/tables/index.js';
import { writeSafetensors, readSafetensors, safeTensor, saveTable, loadTable, safeTensorArray } from '../../src/io/safetensors.js';
import { f16Value } from './reference.js';

const SIZES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, U16: 2, I16: 2, F16: 2, BF16: 2, U32: 4, I32: 4, F32: 4, U64: 8, I64: 8, F64: 8 };

/** The independent parser: u64 LE header length, JSON header, raw little-endian data after it. */
function parse(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const start = 8 + n;
  const out: Record<string, { dtype: string; shape: number[]; begin: number; end: number; view: DataView }> = {};
  for (const [k, v] of Object.entries<any>(header)) {
    if (k === '__metadata__') continue;
    const [b, e] = v.data_offsets;
    out[k] = { dtype: v.dtype, shape: v.shape, begin: b, end: e, view: new DataView(bytes.buffer, bytes.byteOffset + start + b, e - b) };
  }
  return { n, start, header, tensors: out, metadata: (header.__metadata__ ?? {}) as Record<string, string> };
}
function values(t: { dtype: string; view: DataView }): number[] {
  const out: number[] = [];
  const size = SIZES[t.dtype];
  for (let o = 0; o < t.view.byteLength; o += size) {
    switch (t.dtype) {
      case 'F32': out.push(t.view.getFloat32(o, true)); break;
      case 'I32': out.push(t.view.getInt32(o, true)); break;
      case 'I8': out.push(t.view.getInt8(o)); break;
      case 'U8': out.push(t.view.getUint8(o)); break;
      case 'F16': out.push(f16Value(t.view.getUint16(o, true))); break;
      case 'BF16': { const b = new DataView(new ArrayBuffer(4)); b.setUint32(0, t.view.getUint16(o, true) << 16, true); out.push(b.getFloat32(0, true)); break; }
      case 'F64': out.push(t.view.getFloat64(o, true)); break;
      case 'U16': out.push(t.view.getUint16(o, true)); break;
      default: throw new Error(t.dtype);
    }
  }
  return out;
}
const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as QuantextError).code; } return 'no error'; };

describe('safetensors container', () => {
  it('writes what an independent parser reads: dtypes, shapes, bytes, metadata, no holes, aligned offsets', () => {
    const f32 = new Float32Array([1.5, -2, 3.25, 0, 1e-20, -7]);
    const i8 = new Int8Array([-128, 127, 0, 5]);
    const i32 = new Int32Array([1, -2, 2147483647]);
    const u16 = new Uint16Array([0x3c00, 0xc000, 0x7bff]);
    const f64 = new Float64Array([Math.PI]);
    const bytes = writeSafetensors({
      'b.f32': safeTensor('F32', [2, 3], f32), a: safeTensor('I8', [4], i8), zz: safeTensor('I32', [3], i32), half: safeTensor('F16', [3], u16), one: safeTensor('F64', [], f64),
      empty: safeTensor('U8', [0, 5], new Uint8Array(0)),
    }, { note: 'héllo "quoted"', n: '3' });
    const p = parse(bytes);
    expect(p.n % 8).toBe(0);
    expect(p.metadata).toEqual({ note: 'héllo "quoted"', n: '3' });
    expect(values(p.tensors['b.f32'])).toEqual(Array.from(f32));
    expect(p.tensors['b.f32'].shape).toEqual([2, 3]);
    expect(values(p.tensors.a)).toEqual([-128, 127, 0, 5]);
    expect(values(p.tensors.zz)).toEqual([1, -2, 2147483647]);
    expect(values(p.tensors.half)).toEqual([1, -2, 65504]);
    expect(values(p.tensors.one)).toEqual([Math.PI]);
    expect(p.tensors.one.shape).toEqual([]);
    // contiguous, covering, aligned
    const spans = Object.values(p.tensors).sort((x, y) => x.begin - y.begin || x.end - y.end);
    let at = 0;
    for (const s of spans) {
      expect(s.begin).toBe(at);
      expect((p.start + s.begin) % SIZES[s.dtype]).toBe(0);
      at = s.end;
    }
    expect(p.start + at).toBe(bytes.length);
    // and our reader agrees
    const r = readSafetensors(bytes);
    expect(r.metadata).toEqual(p.metadata);
    expect(Array.from(safeTensorArray(r.tensors['b.f32']) as Float32Array)).toEqual(Array.from(f32));
    expect(Array.from(safeTensorArray(r.tensors.zz) as Int32Array)).toEqual(Array.from(i32));
    expect(r.tensors.empty.shape).toEqual([0, 5]);
  });

  it('reads a hand-assembled file (unpadded header, unsorted offsets, no metadata)', () => {
    const header = JSON.stringify({ w: { dtype: 'I32', shape: [2], data_offsets: [4, 12] }, v: { dtype: 'U8', shape: [2, 2], data_offsets: [0, 4] } });
    const h = new TextEncoder().encode(header);
    const buf = new Uint8Array(8 + h.length + 12);
    new DataView(buf.buffer).setBigUint64(0, BigInt(h.length), true);
    buf.set(h, 8);
    buf.set([1, 2, 3, 4], 8 + h.length);
    new DataView(buf.buffer).setInt32(8 + h.length + 4, -5, true);
    new DataView(buf.buffer).setInt32(8 + h.length + 8, 70000, true);
    const r = readSafetensors(buf);
    expect(Array.from(safeTensorArray(r.tensors.v))).toEqual([1, 2, 3, 4]);
    expect(Array.from(safeTensorArray(r.tensors.w))).toEqual([-5, 70000]);
    expect(r.metadata).toEqual({});
  });

  it('rejects malformed files with E_TRUNCATED / E_FORMAT / E_TOO_LARGE naming what is wrong', () => {
    const good = writeSafetensors({ x: safeTensor('F32', [2], new Float32Array([1, 2])) }, { k: 'v' });
    expect(code(() => readSafetensors(good.subarray(0, 5)))).toBe('E_TRUNCATED');
    expect(code(() => readSafetensors(good.subarray(0, 20)))).toBe('E_TRUNCATED');
    expect(code(() => readSafetensors(good.subarray(0, good.length - 1)))).toBe('E_TRUNCATED');
    const mk = (h: unknown, data = 8) => {
      const j = new TextEncoder().encode(typeof h === 'string' ? h : JSON.stringify(h));
      const b = new Uint8Array(8 + j.length + data);
      new DataView(b.buffer).setBigUint64(0, BigInt(j.length), true);
      b.set(j, 8);
      return b;
    };
    expect(code(() => readSafetensors(mk('{"x": ')))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk('[1,2]')))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } })))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } })))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } })))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } })))).toBe('E_TRUNCATED');
    expect(code(() => readSafetensors(mk({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, y: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } })))).toBe('E_FORMAT');
    expect(code(() => readSafetensors(mk({ __metadata__: { a: 1 } })))).toBe('E_FORMAT');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 10n ** 12n, true);
    expect(code(() => readSafetensors(huge))).toBe('E_TOO_LARGE');
    try { readSafetensors(mk({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })); } catch (e) { expect((e as Error).message).toContain("'x'"); }
    expect(code(() => writeSafetensors({ x: safeTensor('F32', [3], new Float32Array(2)) }))).toBe('E_OPTION');
    expect(code(() => writeSafetensors({ x: safeTensor('Q4' as never, [1], new Uint8Array(1)) }))).toBe('E_OPTION');
    expect(code(() => writeSafetensors({}, { a: 5 as never }))).toBe('E_OPTION');
  });
});

/** Decodes a saved table from the independently parsed tensors, following docs/formats.md only. */
function decodeIndependently(p: ReturnType<typeof parse>): { rows: number; cols: number; data: number[] } {
  const md = p.metadata;
  const rows = Number(md.rows), cols = Number(md.cols);
  const codes = values(p.tensors.vectors);
  const data: number[] = [];
  if (md.scheme === 'f32' || md.scheme === 'fp16' || md.scheme === 'bf16') return { rows, cols, data: codes };
  if (md.scheme === 'pq') {
    const dsub = Number(md.dsub), ksub = Number(md.ksub), nsub = Number(md.nsub);
    const cb = values(p.tensors['vectors.codebook']);
    const nc = md.qnorm === 'true' ? values(p.tensors['vectors.norm_codes']) : [];
    const ncb = md.qnorm === 'true' ? values(p.tensors['vectors.norm_codebook']) : [];
    for (let i = 0; i < rows; i++) for (let m = 0; m < nsub; m++) {
      const d = Math.min(dsub, cols - m * dsub);
      for (let j = 0; j < d; j++) {
        const v = cb[ksub * m * dsub + codes[i * nsub + m] * d + j];
        data.push(md.qnorm === 'true' ? Math.fround(v * ncb[nc[i]]) : v);
      }
    }
    return { rows, cols, data };
  }
  const scales = values(p.tensors['vectors.scales']);
  const zps = p.tensors['vectors.zero_points'] ? values(p.tensors['vectors.zero_points']) : scales.map(() => 0);
  const perRow = md.per_row === 'true';
  const rb = p.tensors.vectors.shape[1];
  const mu = md.center === 'true' ? values(p.tensors['vectors.center']) : null;
  for (let i = 0; i < rows; i++) {
    const s = scales[perRow ? i : 0], z = zps[perRow ? i : 0];
    for (let j = 0; j < cols; j++) {
      if (md.scheme === 'binary') { const v = (codes[i * rb + (j >> 3)] >> (j & 7)) & 1 ? s : -s; data.push(mu ? Math.fround(v + mu[j]) : v); continue; }
      let q: number;
      if (md.bits === '4') { const b = codes[i * rb + (j >> 1)]; q = (((j & 1 ? b >> 4 : b & 15) << 28) >> 28); }
      else q = codes[i * rb + j];
      const v = Math.fround(s * (q - z));
      data.push(mu ? Math.fround(v + mu[j]) : v);
    }
  }
  return { rows, cols, data };
}

describe.each(BUILDS)('safetensors tables, %s build', (build) => {
  it('every table scheme saves to tensors an independent reader decodes to the same rows, and loads back', async () => {
    const rt = await rtFor(build);
    const rows = 25, cols = 21;
    const x = randomF32(rows * cols, rng(71), 2);
    const dense = DenseMatrix.from(x, rows, cols, rt);
    const words = Array.from({ length: rows }, (_, i) => (i === 3 ? 'naïve "word"' : `w${i}`));
    const q = randomF32(cols, rng(72));
    const cases: [string, object][] = [['f32', {}], ['int8', { scheme: 'int8' }], ['int8 plain', { scheme: 'int8', center: false }], ['int8 asym per-tensor', { scheme: 'int8', symmetric: false, perRow: false }],
      ['uint8', { scheme: 'uint8' }], ['int4', { scheme: 'int4', symmetric: false }], ['binary', { scheme: 'binary' }], ['binary plain', { scheme: 'binary', center: false }], ['fp16', { scheme: 'fp16' }], ['bf16', { scheme: 'bf16' }],
      ['pq', { scheme: 'pq', dsub: 3, ksub: 8, iters: 3 }], ['pq odd dsub qnorm', { scheme: 'pq', dsub: 4, ksub: 8, iters: 3, qnorm: true }]];
    for (const [label, o] of cases) {
      const t = label === 'f32' ? dense : quantizeMatrix(dense, o as { scheme: TableScheme });
      const bytes = saveTable(t, { vocab: words, metadata: { source: 'test' } });
      const p = parse(bytes);
      expect(p.metadata.format, label).toBe('quantext.table');
      expect(JSON.parse(p.metadata.vocab)).toEqual(words);
      expect(p.metadata.source).toBe('test');
      const dec = decodeIndependently(p);
      const want = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) t.decodeRow(i, want.subarray(i * cols, (i + 1) * cols));
      expect(dec.data.length, label).toBe(rows * cols);
      expect(Float32Array.from(dec.data), label).toEqual(want);
      // load back: same class, same scores, same words
      const back = loadTable(bytes, { rt });
      expect(back.vocab).toEqual(words);
      expect(back.matrix.constructor).toBe(t.constructor);
      expect(back.matrix.bytes).toBe(t.bytes);
      const pq = rt.arena.put(q), o1 = rt.arena.alloc(rows * 4), o2 = rt.arena.alloc(rows * 4);
      t.scoreRows(pq, o1); back.matrix.scoreRows(pq, o2);
      expect(Array.from(rt.arena.f32(o2, rows))).toEqual(Array.from(rt.arena.f32(o1, rows)));
      rt.arena.free(pq); rt.arena.free(o1); rt.arena.free(o2);
      back.matrix.dispose();
      if (t !== dense) t.dispose();
    }
    dense.dispose();
  });

  it('rejects files that are not quantext tables or whose tensors disagree with the metadata', async () => {
    const rt = await rtFor(build);
    const dense = DenseMatrix.from(randomF32(12, rng(73)), 3, 4, rt);
    const t = quantizeMatrix(dense, { scheme: 'int8' });
    const c = readSafetensors(saveTable(t));
    expect(code(() => loadTable(writeSafetensors(c.tensors, { ...c.metadata, format: 'other' }), { rt }))).toBe('E_FORMAT');
    expect(code(() => loadTable(writeSafetensors(c.tensors, { ...c.metadata, rows: '4' }), { rt }))).toBe('E_FORMAT');
    expect(code(() => loadTable(writeSafetensors({ vectors: c.tensors.vectors }, c.metadata), { rt }))).toBe('E_FORMAT');
    expect(code(() => loadTable(writeSafetensors(c.tensors, { ...c.metadata, vocab: '["a"]' }), { rt }))).toBe('E_FORMAT');
    const badScale = { ...c.tensors, 'vectors.scales': safeTensor('F32', [3], new Float32Array([1, 0, 1])) };
    expect(code(() => loadTable(writeSafetensors(badScale, c.metadata), { rt }))).toBe('E_FORMAT');
    expect(code(() => saveTable(t, { vocab: ['a'] }))).toBe('E_SHAPE');
    expect(code(() => saveTable(t, { metadata: { scheme: 'x' } }))).toBe('E_OPTION');
    t.dispose();
    dense.dispose();
  });
});
