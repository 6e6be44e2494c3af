/**
 * `quantext/onnx`: imports an ONNX MLP (float, or quantized by onnxruntime's `quantize_dynamic` / `quantize_static`)
 * into a {@link Sequential}. A separate package entry, so the core stays small: the core never imports this module.
 *
 * ```ts
 * import { init } from 'quantext';
 * import { importOnnx } from 'quantext/onnx';
 * await init();
 * const model = await importOnnx('mlp.int8.onnx');   // a path (Node/Deno/Bun), URL, bytes, Blob or stream
 * const y = model.forward(x, batch);
 * ```
 */
import { QuantextError } from '../errors.js';
import { openByteSource, type ByteSource } from '../io/lines.js';
import type { Runtime } from '../runtime/runtime.js';
import { buildLayers } from './build.js';
import { decodeModel, type OnnxModel } from './proto.js';
import { planOnnx, type OnnxPlan } from './plan.js';
import { Sequential } from '../infer/index.js';

export { decodeModel, DataType, dataTypeName } from './proto.js';
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxAttribute, OnnxValueInfo, TensorData, AttributeValue } from './proto.js';
export { planOnnx } from './plan.js';
export type { OnnxPlan, LayerPlan, QuantParams, QuantType } from './plan.js';

export interface ImportOnnxOptions {
  /** The runtime whose memory holds the weights (default: the one `init()` made). */
  rt?: Runtime;
  /** Rows of scratch each layer allocates up front (grown once if a larger batch comes). */
  maxBatch?: number;
  /** Stops reading a file or stream with `E_ABORTED`. */
  signal?: AbortSignal;
}

async function readAll(source: ByteSource, signal: AbortSignal | undefined): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const opened = await openByteSource(source, signal ? { signal } : {});
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of opened.chunks) {
    parts.push(c);
    total += c.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decodes ONNX bytes (or an already decoded {@link OnnxModel}) and builds the {@link Sequential} it describes.
 * Synchronous; `await init()` first (or pass `options.rt`).
 */
export function importOnnxBytes(bytes: Uint8Array | OnnxModel, options: ImportOnnxOptions = {}): Sequential {
  const model = bytes instanceof Uint8Array ? decodeModel(bytes) : bytes;
  return buildSequential(planOnnx(model), options);
}

/**
 * Imports an ONNX model from a path (Node, Deno, Bun), a `file:`/`https:` URL, bytes, a Blob or a stream.
 *
 * Supported: a chain from one float input [batch, features] to one output through Gemm, MatMul, Add (bias), Relu,
 * Gelu (the op, or the Erf-based decomposition), Tanh, Sigmoid, Softmax, LogSoftmax, LayerNormalization, and the node
 * patterns of onnxruntime's quantizers: DynamicQuantizeLinear → MatMulInteger → Cast → Mul (dynamic), QDQ
 * (QuantizeLinear/DequantizeLinear around MatMul) and QOperator (QuantizeLinear → QLinearMatMul → DequantizeLinear)
 * (static). Integer layers reproduce onnxruntime's integer arithmetic exactly.
 *
 * Errors: `E_FORMAT` (with the byte offset) for malformed or truncated protobuf; `E_UNSUPPORTED` naming the op and
 * node for anything else; `E_SHAPE` for inconsistent widths.
 */
export async function importOnnx(source: ByteSource | OnnxModel, options: ImportOnnxOptions = {}): Promise<Sequential> {
  if (isModel(source)) return importOnnxBytes(source, options);
  const bytes = await readAll(source as ByteSource, options.signal);
  return importOnnxBytes(bytes, options);
}

function isModel(v: unknown): v is OnnxModel {
  return typeof v === 'object' && v !== null && 'graph' in v && 'opsets' in v && !(v instanceof Uint8Array);
}

/** Builds the layers of a plan into a Sequential (disposing what was built if a layer fails). */
export function buildSequential(plan: OnnxPlan, options: ImportOnnxOptions = {}): Sequential {
  const layers = buildLayers(plan, options);
  try {
    return new Sequential(layers, { ...(options.rt ? { rt: options.rt } : {}), ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}) });
  } catch (e) {
    for (const l of layers) l.dispose();
    throw e instanceof QuantextError ? e : new QuantextError('E_UNSUPPORTED', `ONNX import: ${(e as Error).message}`, undefined, { cause: e });
  }
}
