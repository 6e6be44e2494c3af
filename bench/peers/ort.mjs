// onnxruntime-web as a benchmark peer (issue 11): builds the three reference graphs with onnx-proto at a given
// (M, K, N) and given weights, opens a one-thread wasm session on each, and returns a run function.
// Installed by `bash bench/peers/install-ort.sh` into bench/peers/node_modules (never the project's own package.json).
//
//   import { loadOrt, ortMatMul } from './peers/ort.mjs';
//   const ort = await loadOrt();                                 // throws OrtUnavailable (with .reason) when absent
//   const p = await ortMatMul('f32', { M, K, N, weights });      // weights Float32Array [K × N] (ONNX MatMul's B)
//   const y = await p.run(x);                                    // x Float32Array [M × K] → Float32Array [M × N]
//   await p.dispose();
//
// kinds:
//   'f32'      MatMul(x, W)                                                     (float weights [K×N])
//   'dynamic'  quantize_dynamic's layout: DynamicQuantizeLinear(x) → MatMulInteger(xq, Wq, xzp, Wzp) → Cast → Mul by
//              Mul(x_scale, W_scale)  (weights: Int8Array|Uint8Array [K×N] + wScale, wZeroPoint; or float `weights`,
//              quantized here as quantize_data does: int8 symmetric per tensor)
//   'qlinear'  quantize_static's QOperator layout: QuantizeLinear(x) → QLinearMatMul → DequantizeLinear (float in/out);
//              needs xScale/xZeroPoint and yScale/yZeroPoint (or derives them from `calibration`, an f32 sample of x)
//              `integerIO: true` gives the bare QLinearMatMul with uint8 input and output instead.
// Options: threads (default 1), simd (default true), graphOptimizationLevel (default 'all').
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ORT_VERSION = '1.30.0';

export class OrtUnavailable extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

async function peer(name) {
  if (!existsSync(join(HERE, 'node_modules', name))) {
    throw new OrtUnavailable(`${name} is not installed in bench/peers (run: bash bench/peers/install-ort.sh)`);
  }
  const req = createRequire(join(HERE, 'package.json'));
  const mod = await import(pathToFileURL(req.resolve(name)).href);
  return mod.default ?? mod;
}

let ortP, protoP;
/** onnxruntime-web (Node build, wasm backend), configured for `threads` threads. */
export async function loadOrt({ threads = 1, simd = true } = {}) {
  ortP ??= peer('onnxruntime-web');
  const ort = await ortP;
  ort.env.wasm.numThreads = threads;
  if ('simd' in ort.env.wasm) ort.env.wasm.simd = simd;
  ort.env.logLevel = 'error';
  return ort;
}
async function loadProto() {
  protoP ??= peer('onnx-proto');
  const p = await protoP;
  return p.onnx ?? p;
}

/** True, or the reason onnxruntime-web cannot run here. */
export async function ortAvailable() {
  try {
    await loadOrt();
    await loadProto();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e.reason ?? e.message };
  }
}

const FLOAT = 1, UINT8 = 2, INT8 = 3;
const f32 = Math.fround;

function raw(dataType, values) {
  const v = ArrayBuffer.isView(values) ? values : Float32Array.from(values);
  const typed = dataType === FLOAT ? Float32Array.from(v) : dataType === INT8 ? Int8Array.from(v) : Uint8Array.from(v);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
const T = (name, dims, dataType, values) => ({ name, dims, dataType, rawData: raw(dataType, values) });
const V = (name, elemType, dims) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
const N = (opType, input, output, name, attribute = []) => ({ opType, input, output, name, attribute });

async function encode(graph, opset = 13) {
  const onnx = await loadProto();
  const msg = onnx.ModelProto.fromObject({ irVersion: 8, producerName: 'quantext-bench', opsetImport: [{ domain: '', version: opset }], graph: { name: 'bench', ...graph } });
  return onnx.ModelProto.encode(msg).finish();
}

const roundEven = (v) => {
  const f = Math.floor(v), d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
};

/** quantize_data, int8 symmetric per tensor: scale = max|w| / 127, zero point 0. */
export function quantizeWeightsInt8(w) {
  let m = 0;
  for (const v of w) m = Math.max(m, Math.abs(v));
  const scale = m > 0 ? f32((m * 2) / 254) : 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, roundEven(w[i] / scale)));
  return { weights: q, wScale: scale, wZeroPoint: 0 };
}

/** uint8 activation parameters over [min(x, 0), max(x, 0)] (onnxruntime's compute_scale_zp). */
export function uint8Params(x) {
  let mn = 0, mx = 0;
  for (const v of x) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const scale = mx > mn ? f32((mx - mn) / 255) : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, roundEven(-mn / scale))) };
}

function intWeights(o) {
  if (o.weights instanceof Int8Array || o.weights instanceof Uint8Array) {
    if (o.wScale === undefined) throw new Error('ort.mjs: integer weights need wScale');
    return { weights: o.weights, wScale: o.wScale, wZeroPoint: o.wZeroPoint ?? 0 };
  }
  return quantizeWeightsInt8(o.weights);
}

/** ONNX bytes of the graph of `kind` at (M, K, N); M may be a number or 'M' (symbolic). */
export async function buildModel(kind, o) {
  const { K, N: n } = o;
  const M = o.M ?? 'M';
  if (kind === 'f32') {
    return encode({
      node: [N('MatMul', ['x', 'W'], ['y'], 'MatMul_0')],
      initializer: [T('W', [K, n], FLOAT, o.weights)],
      input: [V('x', FLOAT, [M, K])],
      output: [V('y', FLOAT, [M, n])],
    });
  }
  const w = intWeights(o);
  const wt = w.weights instanceof Int8Array ? INT8 : UINT8;
  if (kind === 'dynamic') {
    return encode({
      node: [
        N('DynamicQuantizeLinear', ['x'], ['x_quantized', 'x_scale', 'x_zero_point'], 'x_QuantizeLinear'),
        N('MatMulInteger', ['x_quantized', 'W_quantized', 'x_zero_point', 'W_zero_point'], ['y_output_quantized'], 'MatMul_0_quant'),
        N('Cast', ['y_output_quantized'], ['y_output_quantized_cast_output'], 'y_output_quantized_cast', [{ name: 'to', type: 2, i: FLOAT }]),
        N('Mul', ['x_scale', 'W_scale'], ['MatMul_0_quant_scales_mul:0'], 'MatMul_0_quant_scales_mul'),
        N('Mul', ['y_output_quantized_cast_output', 'MatMul_0_quant_scales_mul:0'], ['y'], 'MatMul_0_quant_output_scale_mul'),
      ],
      initializer: [T('W_quantized', [K, n], wt, w.weights), T('W_scale', [], FLOAT, [w.wScale]), T('W_zero_point', [], wt, [w.wZeroPoint])],
      input: [V('x', FLOAT, [M, K])],
      output: [V('y', FLOAT, [M, n])],
    });
  }
  if (kind === 'qlinear') {
    let { xScale, xZeroPoint, yScale, yZeroPoint } = o;
    if (xScale === undefined || yScale === undefined) {
      if (!o.calibration) throw new Error('ort.mjs: qlinear needs xScale/xZeroPoint/yScale/yZeroPoint or a calibration sample');
      ({ scale: xScale, zeroPoint: xZeroPoint } = uint8Params(o.calibration));
      // y range from the float product of the calibration sample
      const rows = o.calibration.length / K;
      const y = new Float32Array(rows * n);
      const wf = new Float32Array(w.weights.length);
      for (let i = 0; i < wf.length; i++) wf[i] = (w.weights[i] - w.wZeroPoint) * w.wScale;
      for (let r = 0; r < rows; r++)
        for (let k = 0; k < K; k++) {
          const a = o.calibration[r * K + k];
          if (a !== 0) for (let j = 0; j < n; j++) y[r * n + j] += a * wf[k * n + j];
        }
      ({ scale: yScale, zeroPoint: yZeroPoint } = uint8Params(y));
    }
    const inits = [
      T('W_quantized', [K, n], wt, w.weights),
      T('W_scale', [], FLOAT, [w.wScale]),
      T('W_zero_point', [], wt, [w.wZeroPoint]),
      T('x_scale', [], FLOAT, [xScale]),
      T('x_zero_point', [], UINT8, [xZeroPoint ?? 0]),
      T('y_scale', [], FLOAT, [yScale]),
      T('y_zero_point', [], UINT8, [yZeroPoint ?? 0]),
    ];
    const qmm = N('QLinearMatMul', ['x_quantized', 'x_scale', 'x_zero_point', 'W_quantized', 'W_scale', 'W_zero_point', 'y_scale', 'y_zero_point'], ['y_quantized'], 'MatMul_0_quant');
    if (o.integerIO) {
      return encode({ node: [qmm], initializer: inits, input: [V('x_quantized', UINT8, [M, K])], output: [V('y_quantized', UINT8, [M, n])] });
    }
    return encode({
      node: [N('QuantizeLinear', ['x', 'x_scale', 'x_zero_point'], ['x_quantized'], 'x_QuantizeLinear'), qmm, N('DequantizeLinear', ['y_quantized', 'y_scale', 'y_zero_point'], ['y'], 'y_DequantizeLinear')],
      initializer: inits,
      input: [V('x', FLOAT, [M, K])],
      output: [V('y', FLOAT, [M, n])],
    });
  }
  throw new Error(`ort.mjs: unknown kind ${kind} (f32, dynamic, qlinear)`);
}

/** A one-thread wasm InferenceSession on ONNX bytes. */
export async function createSession(bytes, { threads = 1, simd = true, graphOptimizationLevel = 'all' } = {}) {
  const ort = await loadOrt({ threads, simd });
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel, intraOpNumThreads: threads, interOpNumThreads: 1 });
}

/**
 * Builds the `kind` graph at (M, K, N) and opens a session. Returns { run(x) → Promise<Float32Array|Uint8Array>,
 * session, bytes, params, dispose() }. `run` feeds x as [M × K] (M taken from x.length / K).
 */
export async function ortMatMul(kind, o) {
  const ort = await loadOrt(o);
  const bytes = await buildModel(kind, o);
  const session = await createSession(bytes, o);
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];
  const integer = kind === 'qlinear' && o.integerIO;
  const run = async (x) => {
    const m = x.length / o.K;
    const t = new ort.Tensor(integer ? 'uint8' : 'float32', x, [m, o.K]);
    const r = await session.run({ [inName]: t });
    return r[outName].data;
  };
  return { run, session, bytes, dispose: () => session.release() };
}
