/**
 * The ONNX protobuf decoder and the import planner, without wasm: decoding matches onnx-proto's encoding (when
 * installed) and the test encoder; typed and raw tensor fields; malformed and truncated bytes give E_FORMAT with the
 * byte offset; unsupported ops, attributes and graph shapes give E_UNSUPPORTED naming the op and node.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { QuantextError } from '../../src/errors.js';
import { decodeModel, type OnnxModel } from '../../src/onnx/proto.js';
import { planOnnx } from '../../src/onnx/plan.js';
import { encodeOwn, encodeWithOnnxProto, FLOAT, INT32, INT64, INT8, loadPeer, node, tensor, UINT8, type ModelSpec } from './graph.js';
import { dynamicModel, floatModel, randn, rng, staticModel, type MlpLayer } from './layouts.js';
import { runReference } from './reference.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let proto: any;
let protoReason = '';
beforeAll(async () => {
  const r = await loadPeer('onnx-proto');
  proto = r.mod;
  protoReason = r.reason ?? '';
  if (!proto) console.warn(`[onnx tests] skipping the onnx-proto comparisons: ${protoReason}`);
});

function plain(m: OnnxModel): unknown {
  // offsets differ between encoders (field order); everything else must be equal
  return JSON.parse(
    JSON.stringify(m, (k, v) => (k === 'offset' || k === 'producerName' || k === 'producerVersion' ? undefined : v instanceof Map ? [...v] : ArrayBuffer.isView(v) ? { [v.constructor.name]: Array.from(v as unknown as ArrayLike<number>) } : v)),
  );
}

function expectError(fn: () => unknown, code: string, ...fragments: string[]): QuantextError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(QuantextError);
  const q = err as QuantextError;
  expect(q.code).toBe(code);
  for (const f of fragments) expect(q.message).toContain(f);
  return q;
}

const r = rng(7);
const mlp: MlpLayer[] = [
  { kind: 'matmul', w: randn(r, 6 * 5, 0.5), k: 6, n: 5, b: randn(r, 5, 0.1) },
  { kind: 'relu' },
  { kind: 'matmul', w: randn(r, 5 * 3, 0.5), k: 5, n: 3, b: randn(r, 3, 0.1) },
];

const allTypes: ModelSpec = {
  nodes: [node('Gemm', ['x', 'W', 'C'], ['y'], 'gemm', [{ name: 'transB', i: 1 }, { name: 'alpha', f: 0.5 }, { name: 'beta', f: 2 }]), node('Softmax', ['y'], ['z'], 'sm', [{ name: 'axis', i: -1 }])],
  initializers: [
    tensor('W', [2, 3], FLOAT, [1, -2, 3.5, 4, 5, -6]),
    tensor('C', [2], FLOAT, [0.25, -0.5], false),
    tensor('i8', [3], INT8, [-128, 0, 127]),
    tensor('i8t', [3], INT8, [-128, 0, 127], false),
    tensor('u8', [2], UINT8, [0, 255]),
    tensor('u8t', [2], UINT8, [0, 255], false),
    tensor('i32', [2], INT32, [-2147483648, 2147483647]),
    tensor('i32t', [2], INT32, [-2147483648, 2147483647], false),
    tensor('i64', [2], INT64, [-1, 2 ** 40]),
    tensor('i64t', [2], INT64, [-1, 2 ** 40], false),
  ],
  inputs: [{ name: 'x', shape: ['batch', 3] }],
  outputs: [{ name: 'z', shape: ['batch', 2] }],
  opsets: [{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }],
};

describe('ONNX protobuf decoder', () => {
  test('decodes tensors of every supported type from raw_data and from the typed fields, and negative int64 attributes', () => {
    const m = decodeModel(encodeOwn(allTypes));
    const t = (n: string) => Array.from(m.graph.initializers.get(n)!.data as ArrayLike<number>);
    expect(t('W')).toEqual([1, -2, 3.5, 4, 5, -6]);
    expect(m.graph.initializers.get('W')!.dims).toEqual([2, 3]);
    expect(t('C')).toEqual([0.25, -0.5]);
    for (const s of ['', 't']) {
      expect(m.graph.initializers.get(`i8${s}`)!.data).toBeInstanceOf(Int8Array);
      expect(t(`i8${s}`)).toEqual([-128, 0, 127]);
      expect(m.graph.initializers.get(`u8${s}`)!.data).toBeInstanceOf(Uint8Array);
      expect(t(`u8${s}`)).toEqual([0, 255]);
      expect(t(`i32${s}`)).toEqual([-2147483648, 2147483647]);
      expect(t(`i64${s}`)).toEqual([-1, 2 ** 40]);
    }
    const gemm = m.graph.nodes[0];
    expect(gemm.opType).toBe('Gemm');
    expect(gemm.attributes.get('transB')!.value).toBe(1);
    expect(gemm.attributes.get('alpha')!.value).toBe(0.5);
    expect(m.graph.nodes[1].attributes.get('axis')!.value).toBe(-1);
    expect([...m.opsets]).toEqual([['', 13], ['com.microsoft', 1]]);
    expect(m.graph.inputs[0]).toEqual({ name: 'x', elemType: FLOAT, shape: ['batch', 3] });
  });

  test('decodes what onnx-proto (protobufjs) encodes exactly as what the test encoder writes', (ctx) => {
    if (!proto) return ctx.skip(protoReason);
    for (const spec of [allTypes, floatModel(mlp, 6), dynamicModel(mlp, 6, { weightType: 'uint8', perChannel: true, typed: true })]) {
      const a = decodeModel(encodeWithOnnxProto(proto, spec));
      const b = decodeModel(encodeOwn(spec));
      expect(plain(a)).toEqual(plain(b));
    }
    // and onnx-proto decodes the test encoder's bytes (the encoder writes valid ONNX)
    const back = proto.onnx.ModelProto.decode(encodeOwn(allTypes));
    expect(back.graph.node[0].opType).toBe('Gemm');
    expect(back.graph.initializer.length).toBe(allTypes.initializers!.length);
  });

  test('every truncation of a model is E_FORMAT with a byte offset inside the file, or a complete prefix', () => {
    const bytes = encodeOwn(dynamicModel(mlp, 6, { weightType: 'int8', perChannel: false }));
    let failures = 0;
    for (let len = 0; len < bytes.length; len++) {
      try {
        decodeModel(bytes.subarray(0, len));
      } catch (e) {
        expect(e).toBeInstanceOf(QuantextError);
        const q = e as QuantextError;
        expect(q.code).toBe('E_FORMAT');
        expect(typeof q.details?.offset).toBe('number');
        expect(q.details!.offset as number).toBeGreaterThanOrEqual(0);
        expect(q.details!.offset as number).toBeLessThanOrEqual(len);
        expect(q.message).toMatch(/at byte \d+/);
        failures++;
      }
    }
    // the graph is one field: only prefixes that end after it (producer/opset fields follow) can decode
    expect(failures).toBeGreaterThan(bytes.length - 40);
    expectError(() => decodeModel(new Uint8Array(0)), 'E_FORMAT', 'empty');
  });

  test('corrupted bytes give a QuantextError (never another exception), and bad lengths name their offset', () => {
    const bytes = encodeOwn(floatModel(mlp, 6));
    const rand = rng(3);
    for (let i = 0; i < 2000; i++) {
      const b = bytes.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < flips; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        const m = decodeModel(b);
        try {
          planOnnx(m);
        } catch (e) {
          expect(e).toBeInstanceOf(QuantextError);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(QuantextError);
        expect(['E_FORMAT']).toContain((e as QuantextError).code);
      }
    }
    // a length that runs past the end: the graph field's length byte made huge
    const bad = Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0xff, 0x03, 0x0a]);
    const q = expectError(() => decodeModel(bad), 'E_FORMAT', 'at byte 3');
    expect(q.details!.offset).toBe(3);
    // a group wire type (deprecated, never in ONNX)
    expectError(() => decodeModel(Uint8Array.from([0x0b])), 'E_FORMAT', 'wire type 3', 'at byte 0');
    // raw_data of the wrong length
    const spec = floatModel(mlp, 6);
    spec.initializers![0] = { ...spec.initializers![0], dims: [7, 5] };
    expectError(() => decodeModel(encodeOwn(spec)), 'E_FORMAT', 'raw_data has 120 bytes, expected 140');
  });
});

describe('ONNX import planner', () => {
  const plan = (spec: ModelSpec) => planOnnx(decodeModel(encodeOwn(spec)));

  test('a float MLP plans as Linear (bias and ReLU fused) layers', () => {
    const p = plan(floatModel(mlp, 6));
    expect(p.layers.map((l) => l.op)).toEqual(['linear', 'linear']);
    expect(p.layers[0].op === 'linear' && p.layers[0].relu).toBe(true);
    expect(p.inFeatures).toBe(6);
    expect(p.outFeatures).toBe(3);
    expect(p.layers[0].nodes).toEqual(['MatMul_0', 'Add_0', 'Relu_1']);
  });

  test("quantize_dynamic's layout plans as integer layers with dynamic uint8 inputs", () => {
    const p = plan(dynamicModel(mlp, 6, { weightType: 'int8', perChannel: true }));
    expect(p.layers.map((l) => l.op)).toEqual(['int8', 'int8']);
    const l = p.layers[0];
    if (l.op !== 'int8') throw new Error();
    expect(l.input).toEqual({ mode: 'dynamic-uint8' });
    expect(l.output.mode).toBe('f32');
    expect(l.weightScale).toBeInstanceOf(Float32Array);
    expect(l.nodes).toEqual(['input_QuantizeLinear', 'MatMul_0_quant', 'mm0_output_quantized_cast', 'MatMul_0_quant_scales_mul', 'MatMul_0_quant_output_scale_mul', 'Add_0', 'Relu_1']);
  });

  test("quantize_static's QDQ and QOperator layouts plan as integer layers with static inputs", () => {
    const fm = decodeModel(encodeOwn(floatModel(mlp, 6)));
    const ranges = new Map<string, [number, number]>();
    const x = randn(rng(1), 6 * 16);
    runReference(fm, x, 16, (name, d) => ranges.set(name, [Math.min(...Array.from(d)), Math.max(...Array.from(d))]));
    for (const format of ['qdq', 'qoperator'] as const) {
      const p = plan(staticModel(mlp, 6, ranges, { format, activationType: 'uint8', weightType: 'int8', perChannel: false }));
      expect(p.layers.map((l) => l.op)).toEqual(['int8', 'bias', 'relu', 'int8', 'bias']);
      const l = p.layers[0];
      if (l.op !== 'int8') throw new Error();
      expect(l.input.mode).toBe('static');
      expect(l.output).toMatchObject({ mode: 'uint8', dequantize: true });
    }
  });

  test('quantized graphs the importer cannot reproduce exactly are refused naming the node', () => {
    // a QDQ Gemm (onnxruntime runs it as QGemm with an int32 bias)
    const g = floatModel([{ kind: 'gemm', w: randn(r, 12), k: 4, n: 3, transB: false, alpha: 1, beta: 1 }], 4);
    g.initializers = [tensor('W0_quantized', [4, 3], INT8, new Int8Array(12).fill(3)), tensor('s', [], FLOAT, [0.1]), tensor('z', [], UINT8, [128]), tensor('ws', [], FLOAT, [0.05])];
    g.nodes = [
      node('QuantizeLinear', ['input', 's', 'z'], ['xq'], 'x_Q'),
      node('DequantizeLinear', ['xq', 's', 'z'], ['xd'], 'x_DQ'),
      node('DequantizeLinear', ['W0_quantized', 'ws'], ['wd'], 'W_DQ'),
      node('Gemm', ['xd', 'wd'], ['output'], 'Gemm_q'),
    ];
    expectError(() => plan(g), 'E_UNSUPPORTED', 'Gemm_q', 'QGemm');
    // an integer graph output (a QLinearMatMul without its DequantizeLinear)
    g.nodes = [node('QuantizeLinear', ['input', 's', 'z'], ['xq'], 'x_Q'), node('QLinearMatMul', ['xq', 's', 'z', 'W0_quantized', 'ws', '', 's', 'z'], ['output'], 'qmm')];
    expectError(() => plan(g), 'E_UNSUPPORTED', 'integer tensor');
    // int8 activations of quantize_dynamic (ReduceMin/ReduceMax/... instead of DynamicQuantizeLinear)
    g.nodes = [node('ReduceMin', ['input'], ['mn'], 'input_ReduceMin')];
    expectError(() => plan(g), 'E_UNSUPPORTED', 'input_ReduceMin', 'ReduceMin');
  });

  test('unsupported ops are refused with the op and the node name', () => {
    const spec = floatModel(mlp, 6);
    spec.nodes.splice(1, 0, node('Conv', ['mm0', 'W0'], ['conv'], 'my_conv'));
    const q = expectError(() => plan(spec), 'E_UNSUPPORTED', 'my_conv', 'Conv', 'not supported');
    expect(q.details).toMatchObject({ node: 'my_conv', op: 'Conv' });
    // a supported op from another domain
    const s2 = floatModel([{ kind: 'relu' }], 4);
    s2.nodes[0].domain = 'com.example';
    expectError(() => plan(s2), 'E_UNSUPPORTED', 'com.example.Relu');
  });

  test('unsupported attributes, axes and non-chain graphs are refused naming the node', () => {
    const g: MlpLayer[] = [{ kind: 'gemm', w: randn(r, 12), k: 4, n: 3, transB: false, alpha: 1, beta: 1 }];
    const s1 = floatModel(g, 4);
    s1.nodes[0].attrs!.push({ name: 'transA', i: 1 });
    expectError(() => plan(s1), 'E_UNSUPPORTED', 'Gemm_0', 'transA');
    const s2 = floatModel([{ kind: 'softmax' }], 4);
    s2.nodes[0].attrs = [{ name: 'axis', i: 0 }];
    expectError(() => plan(s2), 'E_UNSUPPORTED', 'Softmax_0', 'axis 0');
    const s3 = floatModel(mlp, 6);
    s3.nodes[0].attrs = [{ name: 'bogus', i: 1 }];
    expect(() => plan(s3)).not.toThrow(); // MatMul has no attributes to check: extra ones are ignored by onnxruntime too
    // the input feeding two branches
    const s4 = floatModel(mlp, 6);
    s4.nodes.push(node('Relu', ['input'], ['side'], 'side_branch'));
    expectError(() => plan(s4), 'E_UNSUPPORTED', 'feeds 2 nodes', 'side_branch');
    // a node off the chain
    const s5 = floatModel(mlp, 6);
    s5.initializers!.push(tensor('k', [1], FLOAT, [1]));
    s5.nodes.push(node('Relu', ['k'], ['dead'], 'dead_end'));
    expectError(() => plan(s5), 'E_UNSUPPORTED', 'dead_end', 'not on the chain');
    // a weight that is not a constant
    const s6 = floatModel(mlp, 6);
    s6.initializers = s6.initializers!.filter((t) => t.name !== 'W0');
    expectError(() => plan(s6), 'E_UNSUPPORTED', 'MatMul_0', 'constant');
    // width mismatch
    const s7 = floatModel(mlp, 7);
    expectError(() => plan(s7), 'E_SHAPE', 'MatMul_0', '6 input features', 'has 7');
  });
});
