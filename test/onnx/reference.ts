/**
 * A plain TypeScript reference that runs a decoded ONNX graph node by node (independent of the importer), with the
 * ONNX spec's formula for each op. Quantized MatMuls in QDQ form (DequantizeLinear inputs on both sides of a MatMul)
 * are run as onnxruntime runs them after its QDQ fusion: an integer matmul, then QLinearMatMul's requantization when a
 * QuantizeLinear follows, MatMulIntegerToFloat's acc·(a_scale·b_scale) when not.
 */
import type { OnnxModel, OnnxNode, OnnxTensor } from '../../src/onnx/proto.js';

type Data = Float32Array | Int32Array | Uint8Array | Int8Array | Float64Array;
interface T {
  dims: number[];
  data: Data;
}

const fr = Math.fround;

export function roundEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** erf to ~1e-15 (series for small |x|, continued fraction for large). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax, term = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc continued fraction (Lentz)
  let f = ax, C = ax, D = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    D = ax + a * D;
    D = 1 / D;
    C = ax + a / C;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const size = (d: number[]) => d.reduce((a, b) => a * b, 1);

function bcast(t: T, i: number, outDims: number[]): number {
  // numpy broadcasting for the 2-D cases the tests use
  const n = size(t.dims);
  if (n === 1) return t.data[0];
  const cols = outDims[outDims.length - 1];
  if (n === cols && t.dims[t.dims.length - 1] === cols) return t.data[i % cols];
  return t.data[i];
}

function binary(a: T, b: T, f: (x: number, y: number) => number): T {
  const dims = size(a.dims) >= size(b.dims) ? a.dims : b.dims;
  const n = size(dims);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fr(f(bcast(a, i, dims), bcast(b, i, dims)));
  return { dims, data: out };
}

function map(a: T, f: (x: number) => number): T {
  return { dims: a.dims, data: Float32Array.from(a.data as ArrayLike<number>, (v) => fr(f(v))) };
}

function rows(a: T): [number, number] {
  const k = a.dims[a.dims.length - 1];
  return [size(a.dims) / k, k];
}

function perRow(a: T, f: (row: number[]) => number[]): T {
  const [m, k] = rows(a);
  const out = new Float32Array(m * k);
  for (let r = 0; r < m; r++) {
    const row = Array.from(a.data.subarray(r * k, (r + 1) * k) as ArrayLike<number>);
    out.set(f(row).map(fr), r * k);
  }
  return { dims: a.dims, data: out };
}

function scalarOrCol(t: T | undefined, j: number, dflt: number): number {
  if (!t) return dflt;
  return size(t.dims) === 1 ? t.data[0] : t.data[j];
}

/** Integer acc[m, n] = Σ_k (a − a_zp)(b − b_zp[n]) exactly. */
function intMatmul(a: T, azp: number, b: T, bzp: T | undefined): { acc: Float64Array; m: number; n: number } {
  const [m, k] = rows(a);
  const n = b.dims[1];
  const acc = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      const z = scalarOrCol(bzp, j, 0);
      for (let t = 0; t < k; t++) s += (a.data[i * k + t] - azp) * (b.data[t * n + j] - z);
      acc[i * n + j] = s;
    }
  return { acc, m, n };
}

function quantize(x: ArrayLike<number>, scale: number, zp: number, type: 'uint8' | 'int8'): Uint8Array | Int8Array {
  const [lo, hi] = type === 'uint8' ? [0, 255] : [-128, 127];
  const out = type === 'uint8' ? new Uint8Array(x.length) : new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, roundEven(fr(x[i] / scale)) + zp));
  return out;
}

function attr(n: OnnxNode, name: string, dflt: number | string): number | string {
  const a = n.attributes.get(name);
  return a ? (a.value as number | string) : dflt;
}

export function runReference(model: OnnxModel, x: Float32Array, batch: number, tap?: (name: string, data: ArrayLike<number>) => void): Float32Array {
  const g = model.graph;
  const env = new Map<string, T>();
  const fromTensor = (t: OnnxTensor): T => ({ dims: [...t.dims], data: t.data as Data });
  for (const [k, t] of g.initializers) env.set(k, fromTensor(t));
  const input = g.inputs.find((i) => !g.initializers.has(i.name))!;
  env.set(input.name, { dims: [batch, x.length / batch], data: x });
  /** tensors produced by DequantizeLinear: their integer source and parameters */
  const dqOf = new Map<string, { q: T; scale: T; zp: T | undefined }>();
  const consumers = (name: string) => g.nodes.filter((n) => n.inputs.includes(name));
  const opset = model.opsets.get('') ?? 13;

  for (const n of g.nodes) {
    const I = (i: number) => (n.inputs[i] ? env.get(n.inputs[i]) : undefined);
    const set = (i: number, t: T) => env.set(n.outputs[i], t);
    switch (n.opType) {
      case 'Constant': {
        const a = n.attributes.get('value')!;
        set(0, fromTensor(a.value as OnnxTensor));
        break;
      }
      case 'Identity':
        set(0, I(0)!);
        break;
      case 'MatMul': {
        const a = I(0)!, b = I(1)!;
        const da = dqOf.get(n.inputs[0]), db = dqOf.get(n.inputs[1]);
        if (da && db) {
          const { acc, m, n: N } = intMatmul(da.q, da.zp ? da.zp.data[0] : 0, db.q, db.zp);
          const us = consumers(n.outputs[0]);
          const out = new Float32Array(m * N);
          if (us.length === 1 && us[0].opType === 'QuantizeLinear') {
            // QLinearMatMul: y = sat(round(acc · fround(fround(a_s·b_s)/y_s)) + y_zp)
            const q = us[0];
            const ys = env.get(q.inputs[1])!.data[0];
            const yzpT = q.inputs[2] ? env.get(q.inputs[2]) : undefined;
            const yzp = yzpT ? yzpT.data[0] : 0;
            const type = yzpT && yzpT.data instanceof Int8Array ? 'int8' : 'uint8';
            const [lo, hi] = type === 'uint8' ? [0, 255] : [-128, 127];
            const yq = type === 'uint8' ? new Uint8Array(m * N) : new Int8Array(m * N);
            for (let i = 0; i < m * N; i++) {
              const j = i % N;
              const mult = fr(fr(da.scale.data[0] * scalarOrCol(db.scale, j, 1)) / ys);
              yq[i] = Math.min(hi, Math.max(lo, roundEven(fr(acc[i] * mult)) + yzp));
            }
            // stash the integer result on the Q node's output, the MatMul's float output is unused
            env.set(q.outputs[0], { dims: [m, N], data: yq });
            (q as { done?: boolean }).done = true;
            set(0, { dims: [m, N], data: out });
            break;
          }
          for (let i = 0; i < m * N; i++) out[i] = fr(acc[i] * fr(da.scale.data[0] * scalarOrCol(db.scale, i % N, 1)));
          set(0, { dims: [m, N], data: out });
          break;
        }
        const [m, k] = rows(a);
        const N = b.dims[1];
        const out = new Float32Array(m * N);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let t = 0; t < k; t++) s += a.data[i * k + t] * b.data[t * N + j];
            out[i * N + j] = fr(s);
          }
        set(0, { dims: [m, N], data: out });
        break;
      }
      case 'Gemm': {
        const a = I(0)!, b = I(1)!, c = I(2);
        const alpha = attr(n, 'alpha', 1) as number, beta = attr(n, 'beta', 1) as number;
        const tb = attr(n, 'transB', 0) === 1;
        const [m, k] = rows(a);
        const N = tb ? b.dims[0] : b.dims[1];
        const out = new Float32Array(m * N);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let t = 0; t < k; t++) s += a.data[i * k + t] * (tb ? b.data[j * k + t] : b.data[t * N + j]);
            out[i * N + j] = fr(alpha * s + (c ? beta * bcast(c, i * N + j, [m, N]) : 0));
          }
        set(0, { dims: [m, N], data: out });
        break;
      }
      case 'Add':
        set(0, binary(I(0)!, I(1)!, (p, q) => p + q));
        break;
      case 'Mul':
        set(0, binary(I(0)!, I(1)!, (p, q) => p * q));
        break;
      case 'Div':
        set(0, binary(I(0)!, I(1)!, (p, q) => p / q));
        break;
      case 'Erf':
        set(0, map(I(0)!, erf));
        break;
      case 'Relu':
        set(0, map(I(0)!, (v) => Math.max(0, v)));
        break;
      case 'Tanh':
        set(0, map(I(0)!, Math.tanh));
        break;
      case 'Sigmoid':
        set(0, map(I(0)!, (v) => 1 / (1 + Math.exp(-v))));
        break;
      case 'Gelu': {
        const tanh = attr(n, 'approximate', 'none') === 'tanh';
        set(0, map(I(0)!, (v) => (tanh ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) : 0.5 * v * (1 + erf(v / Math.SQRT2)))));
        break;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        void opset;
        const log = n.opType === 'LogSoftmax';
        set(
          0,
          perRow(I(0)!, (r) => {
            const mx = Math.max(...r);
            const e = r.map((v) => Math.exp(v - mx));
            const s = e.reduce((p, q) => p + q, 0);
            return log ? r.map((v) => v - mx - Math.log(s)) : e.map((v) => v / s);
          }),
        );
        break;
      }
      case 'LayerNormalization': {
        const gam = I(1)!, bet = I(2);
        const eps = attr(n, 'epsilon', 1e-5) as number;
        set(
          0,
          perRow(I(0)!, (r) => {
            const mu = r.reduce((p, q) => p + q, 0) / r.length;
            const v = r.reduce((p, q) => p + (q - mu) ** 2, 0) / r.length;
            return r.map((q, j) => ((q - mu) / Math.sqrt(v + eps)) * gam.data[j] + (bet ? bet.data[j] : 0));
          }),
        );
        break;
      }
      case 'Cast':
        set(0, { dims: I(0)!.dims, data: Float32Array.from(I(0)!.data as ArrayLike<number>) });
        break;
      case 'DynamicQuantizeLinear': {
        const a = I(0)!;
        let mn = 0, mx = 0;
        for (const v of a.data as Float32Array) {
          mn = Math.min(mn, v);
          mx = Math.max(mx, v);
        }
        const scale = mx === mn ? 1 : fr((mx - mn) / 255);
        const zp = roundEven(Math.max(0, Math.min(255, fr(0 - fr(mn / scale)))));
        set(0, { dims: a.dims, data: quantize(a.data as Float32Array, scale, zp, 'uint8') });
        set(1, { dims: [], data: Float32Array.of(scale) });
        set(2, { dims: [], data: Uint8Array.of(zp) });
        break;
      }
      case 'MatMulInteger': {
        const a = I(0)!, b = I(1)!, azp = I(2), bzp = I(3);
        const { acc, m, n: N } = intMatmul(a, azp ? azp.data[0] : 0, b, bzp);
        set(0, { dims: [m, N], data: Int32Array.from(acc) });
        break;
      }
      case 'QuantizeLinear': {
        if ((n as { done?: boolean }).done) break;
        const zpT = I(2);
        const type = zpT && zpT.data instanceof Int8Array ? 'int8' : 'uint8';
        set(0, { dims: I(0)!.dims, data: quantize(I(0)!.data as Float32Array, I(1)!.data[0], zpT ? zpT.data[0] : 0, type) });
        break;
      }
      case 'DequantizeLinear': {
        const q = I(0)!, s = I(1)!, z = I(2);
        const N = q.dims[q.dims.length - 1];
        const out = new Float32Array(q.data.length);
        for (let i = 0; i < out.length; i++) out[i] = fr(fr(q.data[i] - scalarOrCol(z, i % N, 0)) * scalarOrCol(s, i % N, 1));
        dqOf.set(n.outputs[0], { q, scale: s, zp: z });
        set(0, { dims: q.dims, data: out });
        break;
      }
      case 'QLinearMatMul': {
        const a = I(0)!, as = I(1)!.data[0], azp = I(2)!.data[0], b = I(3)!, bs = I(4)!, bzp = I(5), ys = I(6)!.data[0], yzpT = I(7)!;
        const { acc, m, n: N } = intMatmul(a, azp, b, bzp);
        const type = yzpT.data instanceof Int8Array ? 'int8' : 'uint8';
        const [lo, hi] = type === 'uint8' ? [0, 255] : [-128, 127];
        const yq = type === 'uint8' ? new Uint8Array(m * N) : new Int8Array(m * N);
        for (let i = 0; i < m * N; i++) {
          const mult = fr(fr(as * scalarOrCol(bs, i % N, 1)) / ys);
          yq[i] = Math.min(hi, Math.max(lo, roundEven(fr(acc[i] * mult)) + yzpT.data[0]));
        }
        set(0, { dims: [m, N], data: yq });
        break;
      }
      default:
        throw new Error(`reference: op ${n.opType} not implemented`);
    }
  }
  if (tap) for (const [k, t] of env) if (!g.initializers.has(k)) tap(k, t.data as ArrayLike<number>);
  const out = env.get(g.outputs[0].name)!;
  return Float32Array.from(out.data as ArrayLike<number>);
}
