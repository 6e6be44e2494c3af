/**
 * importOnnx end to end: graphs built here (float, and laid out as onnxruntime's quantize_dynamic and quantize_static
 * lay them out) imported into a Sequential, whose outputs are compared with (a) a plain TypeScript reference that
 * runs the graph node by node (f32 to 1e-5 relative, integer paths exactly) and (b) onnxruntime-web 1.30 (wasm, one
 * thread) on the same bytes, where bench/peers has it installed (skipped with the reason otherwise).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rtFor } from '../helpers.js';
import { QuantextError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { importOnnx, importOnnxBytes, decodeModel } from '../../src/onnx/index.node.js';
import { Sequential } from '../../src/index.node.js';
import { encodeOwn, encodeWithOnnxProto, FLOAT, loadPeer, node, tensor, UINT8, type ModelSpec } from './graph.js';
import { dynamicModel, floatModel, randn, rng, staticModel, type MlpLayer, type QType } from './layouts.js';
import { runReference } from './reference.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let ort: any, proto: any;
let ortReason = '';
let rt: Runtime;
const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  rt = await rtFor('simd');
  const o = await loadPeer('onnxruntime-web');
  const p = await loadPeer('onnx-proto');
  ort = o.mod;
  proto = p.mod;
  ortReason = o.reason ?? p.reason ?? '';
  if (ort) ort.env.wasm.numThreads = 1;
  if (!ort || !proto) console.warn(`[onnx tests] skipping the onnxruntime-web comparisons: ${ortReason}`);
});

function bytesOf(spec: ModelSpec): Uint8Array {
  return proto ? encodeWithOnnxProto(proto, spec) : encodeOwn(spec);
}

async function ortRun(bytes: Uint8Array, x: Float32Array, batch: number, k: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  try {
    const r = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [batch, k]) });
    return Float32Array.from(r[s.outputNames[0]].data as Float32Array);
  } finally {
    await s.release();
  }
}

/**
 * Norm-wise relative error: max over rows of max_j |a − b| / max_j |b| (f32 sums in another order differ by a few
 * ulps of the row's largest terms, so an output that cancels to near 0 has no meaningful element-wise relative error).
 */
function maxRel(a: Float32Array, b: Float32Array, cols = C): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let r = 0; r < a.length / cols; r++) {
    let err = 0, mag = 1e-30;
    for (let j = r * cols; j < (r + 1) * cols; j++) {
      expect(Number.isFinite(a[j])).toBe(true);
      err = Math.max(err, Math.abs(a[j] - b[j]));
      mag = Math.max(mag, Math.abs(b[j]));
    }
    m = Math.max(m, err / mag);
  }
  return m;
}

function diffCount(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

const r = rng(11);
const K0 = 24, H = 20, C = 7;
const mlp = (): MlpLayer[] => [
  { kind: 'matmul', w: randn(r, K0 * H, 0.3), k: K0, n: H, b: randn(r, H, 0.1) },
  { kind: 'relu' },
  { kind: 'matmul', w: randn(r, H * H, 0.3), k: H, n: H, b: randn(r, H, 0.1) },
  { kind: 'relu' },
  { kind: 'matmul', w: randn(r, H * C, 0.3), k: H, n: C, b: randn(r, C, 0.1) },
];
const BATCHES = [1, 5, 32];
const xs = new Map(BATCHES.map((b) => [b, randn(rng(100 + b), b * K0)]));

describe('importOnnx: float graphs', () => {
  const floatNets: [string, MlpLayer[]][] = [
    ['MatMul + Add + Relu', mlp()],
    [
      'Gemm (transB, alpha, beta) + Tanh + Sigmoid',
      [
        { kind: 'gemm', w: randn(r, K0 * H, 0.3), k: K0, n: H, c: randn(r, H, 0.1), transB: true, alpha: 0.75, beta: 1.5 },
        { kind: 'tanh' },
        { kind: 'gemm', w: randn(r, H * C, 0.3), k: H, n: C, c: randn(r, C, 0.1), transB: false, alpha: 1, beta: 1 },
        { kind: 'sigmoid' },
      ],
    ],
    [
      'LayerNormalization + Gelu + Softmax',
      [
        { kind: 'matmul', w: randn(r, K0 * H, 0.3), k: K0, n: H, b: randn(r, H, 0.1) },
        { kind: 'layernorm', gamma: randn(r, H, 1), beta: randn(r, H, 0.2), eps: 1e-5 },
        { kind: 'gelu' },
        { kind: 'matmul', w: randn(r, H * C, 0.3), k: H, n: C },
        { kind: 'softmax' },
      ],
    ],
    [
      'Erf-based GELU decompositions (three layouts) + LogSoftmax',
      [
        { kind: 'matmul', w: randn(r, K0 * H, 0.3), k: K0, n: H, b: randn(r, H, 0.1) },
        { kind: 'erfgelu', form: 'A' },
        { kind: 'matmul', w: randn(r, H * H, 0.3), k: H, n: H },
        { kind: 'erfgelu', form: 'B' },
        { kind: 'matmul', w: randn(r, H * H, 0.3), k: H, n: H },
        { kind: 'erfgelu', form: 'C' },
        { kind: 'matmul', w: randn(r, H * C, 0.3), k: H, n: C },
        { kind: 'logsoftmax' },
      ],
    ],
  ];

  for (const [name, layers] of floatNets) {
    test(`${name}: matches the node-by-node reference (1e-5 relative) and onnxruntime-web`, async () => {
      const spec = floatModel(layers, K0, 20);
      const bytes = bytesOf(spec);
      const model = importOnnxBytes(bytes, { rt });
      try {
        const m = decodeModel(bytes);
        for (const b of BATCHES) {
          const x = xs.get(b)!;
          const y = model.forward(x, b);
          const ref = runReference(m, x, b);
          expect(maxRel(y, ref), `batch ${b} vs reference`).toBeLessThan(1e-5);
          if (ort) expect(maxRel(y, await ortRun(bytes, x, b, K0)), `batch ${b} vs onnxruntime-web`).toBeLessThan(1e-5);
        }
      } finally {
        model.dispose();
      }
    });
  }
});

describe("importOnnx: onnxruntime's quantize_dynamic layout", () => {
  for (const weightType of ['int8', 'uint8'] as QType[]) {
    for (const perChannel of [false, true]) {
      test(`${weightType} weights${perChannel ? ' per channel' : ''}: equal to the integer reference and to onnxruntime-web exactly`, async () => {
        const layers = mlp();
        const spec = dynamicModel(layers, K0, { weightType, perChannel });
        const bytes = bytesOf(spec);
        const model = importOnnxBytes(bytes, { rt });
        try {
          expect(model.layers.map((l) => l.kind)).toEqual(['int8linear', 'int8linear', 'int8linear']);
          const m = decodeModel(bytes);
          for (const b of BATCHES) {
            const x = xs.get(b)!;
            const y = model.forward(x, b);
            expect(diffCount(y, runReference(m, x, b)), `batch ${b}: values differing from the reference`).toBe(0);
            if (ort) expect(diffCount(y, await ortRun(bytes, x, b, K0)), `batch ${b}: values differing from onnxruntime-web`).toBe(0);
          }
        } finally {
          model.dispose();
        }
      });
    }
  }
});

describe("importOnnx: onnxruntime's quantize_static layouts", () => {
  function calibrated(layers: MlpLayer[]) {
    const fm = decodeModel(encodeOwn(floatModel(layers, K0)));
    const ranges = new Map<string, [number, number]>();
    const calib = randn(rng(5), 64 * K0);
    runReference(fm, calib, 64, (name, d) => {
      let mn = Infinity, mx = -Infinity;
      for (let i = 0; i < d.length; i++) {
        mn = Math.min(mn, d[i]);
        mx = Math.max(mx, d[i]);
      }
      ranges.set(name, [mn, mx]);
    });
    return ranges;
  }
  for (const format of ['qdq', 'qoperator'] as const) {
    for (const [activationType, weightType, perChannel] of [
      ['uint8', 'int8', false],
      ['uint8', 'uint8', true],
      ['int8', 'int8', true],
    ] as [QType, QType, boolean][]) {
      test(`${format}, ${activationType} activations, ${weightType} weights${perChannel ? ' per channel' : ''}: equal to the integer reference and onnxruntime-web`, async () => {
        const layers = mlp();
        // two MatMuls in a row (no float op between): QOperator chains QLinearMatMul → QLinearMatMul directly
        layers.splice(4, 0, { kind: 'matmul', w: randn(r, H * H, 0.3), k: H, n: H });
        const spec = staticModel(layers, K0, calibrated(layers), { format, activationType, weightType, perChannel });
        const bytes = bytesOf(spec);
        const model = importOnnxBytes(bytes, { rt });
        try {
          const m = decodeModel(bytes);
          for (const b of BATCHES) {
            const x = xs.get(b)!;
            const y = model.forward(x, b);
            expect(diffCount(y, runReference(m, x, b)), `batch ${b}: values differing from the reference`).toBe(0);
            if (ort) {
              const o = await ortRun(bytes, x, b, K0);
              expect(diffCount(y, o), `batch ${b}: values differing from onnxruntime-web (max rel ${maxRel(y, o)})`).toBe(0);
            }
          }
          // saved (safetensors + JSON config) and loaded back: the same layers, bit-identical outputs
          const file = join(dir, `static-${format}-${activationType}-${weightType}.safetensors`);
          await model.save(file);
          const back = await Sequential.load(file, { rt });
          try {
            expect(back.layers.map((l) => l.kind)).toEqual(model.layers.map((l) => l.kind));
            expect(back.config()).toEqual(model.config());
            for (const b of BATCHES) expect(diffCount(back.forward(xs.get(b)!, b), model.forward(xs.get(b)!, b)), `batch ${b}: values differing after load`).toBe(0);
          } finally {
            back.dispose();
          }
        } finally {
          model.dispose();
        }
      });
    }
  }
});

describe('importOnnx: a QuantizeLinear → DequantizeLinear pair in front of a float op (fake quantization)', () => {
  test('is imported as one quantize-dequantize layer, equal to the reference and onnxruntime-web', async () => {
    const layers = mlp();
    const spec = floatModel(layers, K0);
    // Q/DQ on the first Relu's input (mm0 + bias = add0), as a QAT export writes it
    spec.initializers!.push(tensor('fq_scale', [], FLOAT, [0.02]), tensor('fq_zp', [], UINT8, [128]));
    const i = spec.nodes.findIndex((n) => n.op === 'Relu');
    spec.nodes[i].inputs = ['add0_dq'];
    spec.nodes.splice(i, 0, node('QuantizeLinear', ['add0', 'fq_scale', 'fq_zp'], ['add0_q'], 'fq_Q'), node('DequantizeLinear', ['add0_q', 'fq_scale', 'fq_zp'], ['add0_dq'], 'fq_DQ'));
    const bytes = bytesOf(spec);
    const model = importOnnxBytes(bytes, { rt });
    try {
      expect(model.layers.map((l) => l.kind)).toEqual(['linear', 'onnx-quantize-dequantize', 'relu', 'linear', 'linear']);
      const m = decodeModel(bytes);
      for (const b of BATCHES) {
        const x = xs.get(b)!;
        const y = model.forward(x, b);
        expect(maxRel(y, runReference(m, x, b)), `batch ${b} vs reference`).toBeLessThan(1e-5);
        if (ort) expect(maxRel(y, await ortRun(bytes, x, b, K0)), `batch ${b} vs onnxruntime-web`).toBeLessThan(1e-5);
      }
      const back = Sequential.fromBytes(model.toBytes(), { rt });
      try {
        expect(back.layers.map((l) => l.kind)).toEqual(model.layers.map((l) => l.kind));
        for (const b of BATCHES) expect(diffCount(back.forward(xs.get(b)!, b), model.forward(xs.get(b)!, b)), `batch ${b} after load`).toBe(0);
      } finally {
        back.dispose();
      }
    } finally {
      model.dispose();
    }
  });
});

describe('importOnnx: sources and errors', () => {
  test('reads a path, a file: URL and a Blob', async () => {
    const spec = floatModel(mlp(), K0);
    const bytes = encodeOwn(spec);
    const file = join(dir, 'mlp.onnx');
    writeFileSync(file, bytes);
    const x = xs.get(5)!;
    const want = runReference(decodeModel(bytes), x, 5);
    for (const src of [file, pathToFileURL(file), new Blob([bytes])]) {
      const model = await importOnnx(src, { rt });
      expect(maxRel(model.forward(x, 5), want)).toBeLessThan(1e-5);
      model.dispose();
    }
  });

  test('a missing file is E_IO; malformed or truncated bytes are E_FORMAT with the offset; other ops are E_UNSUPPORTED', async () => {
    await expect(importOnnx(join(dir, 'nope.onnx'), { rt })).rejects.toMatchObject({ code: 'E_IO' });
    const bytes = encodeOwn(floatModel(mlp(), K0));
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    const e = await importOnnx(cut, { rt }).catch((x) => x);
    expect(e).toBeInstanceOf(QuantextError);
    expect(e.code).toBe('E_FORMAT');
    expect(e.message).toMatch(/at byte \d+/);
    const spec = floatModel(mlp(), K0);
    spec.nodes[1] = node('LeakyRelu', spec.nodes[1].inputs, spec.nodes[1].outputs, 'leaky_1');
    const u = await importOnnx(encodeOwn(spec), { rt }).catch((x) => x);
    expect(u).toBeInstanceOf(QuantextError);
    expect(u.code).toBe('E_UNSUPPORTED');
    expect(u.message).toContain('LeakyRelu');
    expect(u.message).toContain('leaky_1');
  });

  test('an imported dynamic-quantization Sequential saves and loads as any other (int8/uint8 weights, per tensor/channel)', async () => {
    for (const weightType of ['int8', 'uint8'] as QType[]) for (const perChannel of [false, true]) {
      const spec = dynamicModel(mlp(), K0, { weightType, perChannel });
      const model = importOnnxBytes(encodeOwn(spec), { rt });
      const file = join(dir, `imported-${weightType}-${perChannel}.safetensors`);
      await model.save(file);
      const back = await Sequential.load(file, { rt });
      for (const b of BATCHES) expect(diffCount(back.forward(xs.get(b)!, b), model.forward(xs.get(b)!, b))).toBe(0);
      model.dispose();
      back.dispose();
    }
  });
});
